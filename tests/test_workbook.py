"""The workbook a focal point hands over: a few sheets, live formulas stored with hginv's
values, the number policy, pages that print, and a file Excel and LibreOffice open as is.
(Rendering and recalculation in LibreOffice itself: tests/test_real_clients.py.)"""

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.core.columns import OUTPUT_COLUMNS as OUTPUT_KG
from hginventory.core.columns import PATHWAYS
from hginventory.engine.inventory import top_sources
from hginventory.write.workbook import EMPTY_WARNING, write_workbook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHEETS = [
    "Read me",
    "Summary",
    "Calculation",
    "Factors",
    "Sources present",
    "Charts",
    "Article 8 and NFR",
    "Presence and gaps",
    "Article 21",
    "Key categories",
    "Checks",
    "Metadata",
]


@pytest.fixture(scope="module")
def inv():
    return compute(read_activity(EXAMPLES / "valdoria-2021.xlsx"))


@pytest.fixture(scope="module")
def xlsx(inv, tmp_path_factory):
    return write_workbook(inv, tmp_path_factory.mktemp("wb") / "valdoria-2021-inventory.xlsx")


@pytest.fixture(scope="module")
def book(xlsx):
    return load_workbook(xlsx)


@pytest.fixture(scope="module")
def values(xlsx):
    return load_workbook(xlsx, data_only=True)


def calc_rows(ws):
    """Calculation data rows by (code, facility): the rows with an evidence status."""
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Code")
    out = {}
    for r in ws.iter_rows(values_only=True):
        rec = dict(zip(header, r, strict=False))
        if rec.get("Status") and rec["Code"] != "Code":
            out[rec["Code"], rec.get("Facility") or ""] = rec
    return out


def test_a_few_sheets_not_one_per_sub_category(book):
    assert book.sheetnames == SHEETS


def test_calculation_is_live_and_its_cached_values_are_the_results(book, values, inv):
    ws, cached = book["Calculation"], values["Calculation"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Code")
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    r = rows["5.1.1"]
    activity, conv = (ws.cell(r, col[h]).coordinate for h in ("Activity", "Unit conversion"))
    hg = ws.cell(r, col["Hg input (kg Hg/y)"]).value
    assert re.fullmatch(rf"={activity}\*{conv}\*'Factors'!\$?H\$?\d+", hg), hg
    assert ws.cell(r, col["Air (kg Hg/y)"]).value.startswith("=$H")
    results = inv.results.set_index("code")
    for code, r in rows.items():
        if code in results.index:
            x = results.loc[code]
            assert cached.cell(r, col["Hg input (kg Hg/y)"]).value == x["hg_input_kg"]
            for p in PATHWAYS:
                assert cached.cell(r, col[f"{PATHWAY_LABEL[p]} (kg Hg/y)"]).value == x[f"{p}_kg"]
    # source-group subtotals are formulas too
    subtotals = [r for code, r in rows.items() if str(code).startswith("Subtotal: ")]
    assert len(subtotals) == inv.results["group_name"].nunique()
    assert ws.cell(subtotals[0], col["Hg input (kg Hg/y)"]).value.startswith("=SUM(")


PATHWAY_LABEL = {
    "air": "Air",
    "water": "Water",
    "land": "Land",
    "byproducts": "By-products and impurities",
    "general_waste": "General waste",
    "sector_treatment": "Sector specific treatment/disposal",
}


def test_summary_applies_the_double_counting_in_its_formulas(book, values, inv):
    ws, cached = book["Summary"], values["Summary"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    national = labels["National total"]
    totals, sums = inv.totals(), inv.sums()
    keys = [*(f"{p}_kg" for p in PATHWAYS), "releases_kg"]
    got = [cached.cell(national, c).value for c in range(4, 11)]
    assert got == pytest.approx([totals[k] for k in keys], rel=1e-12)
    assert cached.cell(national, 3).value == pytest.approx(totals["hg_input_kg"], rel=1e-12)
    assert cached.cell(national, 2).value == pytest.approx(sums["hg_input_kg"], rel=1e-12)
    # hand check: the waste water release to water (2,050 kg x 0.5) and the dumped waste's
    # release to land are left out of the total, so the adjustment is their negative sum
    r = inv.results.set_index("code")
    expected = -(r.loc["5.8.5", "water_kg"] + r.loc["5.8.4", "land_kg"])
    adjustment = labels["Adjustment for double counting"]
    assert cached.cell(adjustment, 10).value == pytest.approx(expected)
    # the project's estimates are set aside on a line of their own, not called double counting
    aside = inv.estimates_aside()
    estimates = labels["Indicative estimates, not counted (no Toolkit default)"]
    assert cached.cell(estimates, 10).value == pytest.approx(-aside[OUTPUT_KG].to_numpy().sum())
    assert cached.cell(estimates, 3).value == pytest.approx(-aside["hg_input_kg"].sum())
    calc, adj = labels["Sum of calculated rows (no adjustment)"], adjustment
    for col in range(3, 11):  # the lines under the national total add up to it
        parts = [cached.cell(row, col).value for row in (calc, adj, estimates)]
        assert sum(parts) == pytest.approx(cached.cell(national, col).value), col
    waste = labels["Waste deposition/landfilling and waste water treatment"]
    water = ws.cell(waste, 5).value
    assert re.fullmatch(r"='Calculation'!J\d+-'Calculation'!J\d+", water), water
    assert "SUMPRODUCT" in ws.cell(waste, 3).value  # input x share counted
    assert ws.cell(national, 4).number_format.startswith("#,##0.0")


def test_number_formats_follow_the_policy(book):
    ws = book["Calculation"]
    formats = {c.number_format for row in ws.iter_rows() for c in row if c.data_type == "n"}
    formats |= {c.number_format for row in ws.iter_rows() for c in row if c.data_type == "f"}
    assert all("E+" not in f and f != "General" for f in formats - {"General"})
    activity = next(
        c for row in ws.iter_rows() for c in row if c.value == 6_500_000 and c.data_type == "n"
    )
    assert activity.number_format.startswith("#,##0")  # 6,500,000, never 6.5E+06


def test_frozen_headers_and_print_settings(book):
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        # one page wide (1 is the file format's default, which xlsxwriter leaves implicit);
        # the 27 columns of Factors on two, the code repeated, so that the font stays readable
        wide = {2} if ws.title == "Factors" else {None, 1}
        assert ws.page_setup.fitToWidth in wide, ws.title
        tall = {None, 1} if ws.title == "Metadata" else {0}  # thirty rows: one page
        assert ws.page_setup.fitToHeight in tall, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert book["Factors"].print_title_cols == "$B:$B"
    charts = book["Charts"]
    assert not charts.print_title_rows  # no header row repeated over a page of chart
    assert [b.id for b in charts.row_breaks.brk] == [48]  # the third chart on its own page
    names = {"Summary": "A", "Calculation": "B", "Factors": "C", "Sources present": "B"}
    for sheet, column in names.items():
        ws = book[sheet]
        assert ws.freeze_panes is not None, sheet
        assert ws.print_title_rows, sheet
        assert ws.column_dimensions[column].width >= 25, sheet  # source group, sub-category
    wrapped = [
        r
        for r in book["Calculation"].iter_rows()
        if r[1].value and len(str(r[1].value)) > 60 and r[1].alignment.wrap_text
    ]
    assert wrapped and all(
        book["Calculation"].row_dimensions[r[1].row].height >= 28 for r in wrapped
    )


def test_calculation_and_factors_have_filter_buttons_on_their_header(book, xlsx, inv):
    """A reviewer filters by code, status or group; one filter per sheet, no Excel Table (which
    would refuse the group and subtotal rows), so Excel opens the file without a repair."""
    from openpyxl.utils import range_boundaries

    for sheet, first in (("Calculation", "Code"), ("Factors", "Factor id")):
        ws = book[sheet]
        left, top, right, bottom = range_boundaries(ws.auto_filter.ref)
        assert ws.cell(top, left).value == first, sheet
        assert right == ws.max_column, sheet
        assert not ws.tables, sheet
        rows = [ws.cell(r, 1).value for r in range(top + 1, bottom + 1)]
        if sheet == "Factors":
            assert len(rows) == len(inv.results) and None not in rows
        else:
            assert str(ws.cell(bottom, 1).value).startswith("Sum of all rows")
    with zipfile.ZipFile(xlsx) as z:
        names = z.read("xl/workbook.xml").decode()
    filters = re.findall(r'name="_xlnm._FilterDatabase" localSheetId="(\d+)"', names)
    assert len(filters) == len(set(filters)) >= 2


def test_input_text_stays_text(tmp_path, make_workbook):
    inv = compute(read_activity(make_workbook([("5.1.1", 1000, "t", "+1+2")])))
    book = load_workbook(write_workbook(inv, tmp_path / "t.xlsx"))
    notes = [c for ws in book for row in ws.iter_rows() for c in row if c.value == "+1+2"]
    assert notes and all(c.data_type == "s" for c in notes)


def test_charts_are_native_and_point_at_existing_data(xlsx, values, inv):
    with zipfile.ZipFile(xlsx) as z:
        charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
        texts = [z.read(c).decode() for c in charts]
    assert len(charts) == 3
    kinds = sorted(k for t in texts for k in re.findall(r"<c:(barChart|pieChart)>", t))
    assert kinds == ["barChart", "barChart", "pieChart"]
    formulas = [f for t in texts for f in re.findall(r"<c:f>(.*?)</c:f>", t)]
    assert formulas
    from openpyxl.utils import range_boundaries

    for f in formulas:
        sheet, ref = f.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        cells = [
            values[sheet].cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
        ]
        assert all(v is not None for v in cells), f
    ws = values["Charts"]
    top = top_sources(inv)
    first = next(r for r in range(1, 40) if ws.cell(r, 2).value == "Code")
    codes = [ws.cell(r, 2).value for r in range(first + 1, first + 1 + len(top))]
    assert codes == list(top["code"])
    assert codes[0] == "5.2.2a"  # 1,800 kg gold x 3 kg Hg/kg gold: the largest source
    releases = [ws.cell(r, 3).value for r in range(first + 1, first + 1 + len(top))]
    assert releases == sorted(releases, reverse=True)


def test_workbook_with_nothing_quantified_says_so(tmp_path, make_workbook):
    inv = compute(read_activity(make_workbook([("5.1.1", "NO", "t")])))
    book = load_workbook(write_workbook(inv, tmp_path / "empty.xlsx"))
    assert book.sheetnames == SHEETS
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if c.value]
    assert any(EMPTY_WARNING in str(t) for t in texts)
    sources = [r for r in book["Sources present"].iter_rows(values_only=True) if r[0]]
    assert len(sources) == len(inv.sources) + 2  # title and header


def test_level2_workbook_has_facilities_and_at_most_fifteen_sheets(tmp_path):
    from hginventory.engine.crosscheck import add_crosscheck
    from hginventory.engine.uncertainty import with_uncertainty

    inv = compute(read_activity(EXAMPLES / "valdoria-2021-level2.xlsx"))
    add_crosscheck(inv)
    inv = with_uncertainty(inv, draws=200, seed=1)
    book = load_workbook(write_workbook(inv, tmp_path / "l2.xlsx"), read_only=True)
    assert len(book.sheetnames) <= 15  # every option, key categories, checks, Article 21
    assert {"Facilities", "Uncertainty", "Cross-check EMEP"} <= set(book.sheetnames)


def test_whole_counts_show_no_decimals_beside_a_fractional_activity(tmp_path, make_workbook):
    """9,800,000 inhabitants and 4,000 corpses, never `9,800,000.0` because 12.5 kg in the
    same column needs a decimal."""
    src = make_workbook(
        [("5.4.5", 9_800_000, "inhabitants"), ("5.4.10", 12.5, "kg"), ("5.9.1", 4000, "corpses")]
    )
    ws = load_workbook(write_workbook(compute(read_activity(src)), tmp_path / "w.xlsx"))[
        "Calculation"
    ]
    cells = {c.value: c for row in ws.iter_rows(min_col=3, max_col=3) for c in row}
    assert cells[9_800_000].number_format == "#,##0_)"
    assert cells[4000].number_format == "#,##0_)"
    assert cells[12.5].number_format == "#,##0.0_)"


def test_the_seed_and_the_year_are_identifiers_without_separators(tmp_path):
    """Metadata: the seed reads 20211013 (not 20,211,013), the year 2021; counts keep theirs."""
    from hginventory.engine.uncertainty import with_uncertainty

    inv = with_uncertainty(compute(read_activity(EXAMPLES / "valdoria-2021.xlsx")), draws=50)
    ws = load_workbook(write_workbook(inv, tmp_path / "m.xlsx"))["Metadata"]
    fields = {r[0].value: r[1] for r in ws.iter_rows(min_row=4) if r[0].value}
    assert fields["uncertainty_seed"].value == 20211013
    assert fields["uncertainty_seed"].number_format == "0_)"
    assert fields["year"].number_format == "0_)"
    assert fields["population"].number_format == "#,##0_)"
    note = next(
        c.value for row in load_workbook(tmp_path / "m.xlsx")["Uncertainty"].iter_rows()
        for c in row if isinstance(c.value, str) and c.value.startswith("Monte Carlo")
    )
    assert "50 draws, seed 20211013" in note, note


def test_calculation_rows_are_as_tall_as_their_text(tmp_path):
    """A row is as tall as its wrapped text in the font LibreOffice shows (DejaVu Sans, wider
    than Calibri): two lines for a 96-character name, one for a name that fits its column
    (they were a line taller, three lines for two)."""
    from hginventory.core.i18n import language

    with language("fr"):
        inv = compute(read_activity(EXAMPLES / "valdoria-2021.xlsx"))
        ws = load_workbook(write_workbook(inv, tmp_path / "fr.xlsx"))["Calculation"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    width = ws.column_dimensions["B"].width
    assert len(ws.cell(rows["5.1.4c"], 2).value) > width - 1  # fits in DejaVu, not in digits
    assert ws.row_dimensions[rows["5.1.4c"]].height is None  # one line: the default
    assert ws.row_dimensions[rows["5.1.3d"]].height == 32.25  # two lines, not three


def test_texts_name_the_sheets_and_columns_that_exist(tmp_path):
    """The recalled-factors notice names the sheet 'Factors' (it said 'Factors used'), and the
    Article 8 notes name a column of their table (one said 'from facilities')."""
    from click.testing import CliRunner

    from hginventory.cli import main

    out = tmp_path / "v.xlsx"
    args = ["compute", str(EXAMPLES / "valdoria-2021.xlsx"), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    named = re.findall(r"see the '([^']+)' sheet", result.output)
    assert named and all(n in book.sheetnames for n in named), result.output
    ws = book["Article 8 and NFR"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[-1] == "Note")
    quoted = {q for r in rows for q in re.findall(r"column '([^']+)'", str(r[-1] or ""))}
    assert quoted and all(any(str(h).startswith(q) for h in header) for q in quoted), quoted


def test_no_cell_text_passes_excel_s_limit_of_characters():
    """Excel offers to repair a workbook with a cell over 32,767 characters (the Summary's
    note of 20,000 facilities was such a text): every text cell and note is cut to fit."""
    from hginventory.write.xlsx import EXCEL_CELL_CHARS, cell_text

    long = "5.1.1 Kessel Bay; " * 3_000
    cut = cell_text(long)
    assert len(cut) == EXCEL_CELL_CHARS and cut.endswith("\u2026")
    assert cell_text("short") == "short"
