"""The workbook a focal point hands over: summary tables to filter, charts, pages that print,
and a file Excel and LibreOffice open without offering to repair it."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from hginventory import compute, read_activity
from hginventory.engine.inventory import top_sources
from hginventory.write.workbook import write_workbook

EXPECTED_TABLES = {
    "Summary inputs": "tblSummaryInputs",
    "Summary releases": "tblSummaryReleases",
    "Source groups": "tblSourceGroups",
    "Charts": "tblPathwayShares",
    "Sources present": "tblSourcesPresent",
    "Results": "tblResults",
    "Factors used": "tblFactorsUsed",
    "Metadata": "tblMetadata",
}


@pytest.fixture(scope="module")
def inv(tmp_path_factory):
    return compute(
        read_activity(Path(__file__).resolve().parents[1] / "examples/valdoria-2021.xlsx")
    )


@pytest.fixture(scope="module")
def xlsx(inv, tmp_path_factory):
    return write_workbook(inv, tmp_path_factory.mktemp("wb") / "valdoria-2021-inventory.xlsx")


@pytest.fixture(scope="module")
def book(xlsx):
    return load_workbook(xlsx)


def test_summary_sheets_are_filterable_tables(book):
    names = set()
    for sheet, name in EXPECTED_TABLES.items():
        assert name in book[sheet].tables, sheet
    for ws in book.worksheets:
        spans = []
        merged = [range_boundaries(str(m)) for m in ws.merged_cells.ranges]
        for table in ws.tables.values():
            assert table.displayName not in names  # unique in the workbook
            names.add(table.displayName)
            c1, r1, c2, r2 = range_boundaries(table.ref)
            assert r2 > r1, "a table needs at least one data row"
            headers = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
            assert all(isinstance(h, str) and h for h in headers)
            assert len(set(headers)) == len(headers)
            assert [col.name for col in table.tableColumns] == headers
            for other in spans + merged:
                oc1, or1, oc2, or2 = other
                assert c2 < oc1 or oc2 < c1 or r2 < or1 or or2 < r1, (ws.title, table.ref)
            spans.append((c1, r1, c2, r2))


def test_adjustment_lines_follow_the_summary_tables(book, inv):
    ws = book["Summary releases"]
    _, _, _, last = range_boundaries(ws.tables["tblSummaryReleases"].ref)
    labels = [ws.cell(last + i, 1).value for i in (1, 2, 3)]
    assert labels == [
        "Sum of calculated releases",
        "Adjustment for double counting",
        "Total quantified releases",
    ]
    total = ws.cell(last + 3, 10).value
    assert total == pytest.approx(inv.totals()["releases_kg"])
    # hand check: the waste water release to water (2,050 kg x 0.5) and the dumped waste's
    # release to land are left out of the total, so the adjustment is their negative sum
    r = inv.results.set_index("code")
    expected = -(r.loc["5.8.5", "water_kg"] + r.loc["5.8.4", "land_kg"])
    assert ws.cell(last + 2, 10).value == pytest.approx(expected)
    assert ws.cell(last + 1, 4).number_format == "#,##0.00"


def test_frozen_headers_and_print_settings(book):
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    for sheet in ("Summary inputs", "Summary releases", "Sources present", "Factors used"):
        ws = book[sheet]
        assert ws.freeze_panes is not None
        assert ws.print_title_rows == "$3:$3"
        assert ws.column_dimensions["C"].width >= 30  # sub-category or source group names


def test_charts_are_native_and_point_at_existing_data(xlsx, book, inv):
    with zipfile.ZipFile(xlsx) as z:
        charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 3
        texts = [z.read(c).decode() for c in charts]
        # category labels are declared as text, so Excel shows the names, not 1, 2, 3
        assert all("<strRef>" in t.split("<cat>", 1)[1][:40] for t in texts)
        kinds = [re.findall(r"<(?:c:)?(barChart|pieChart)>", z.read(c).decode()) for c in charts]
        formulas = [
            f for c in charts for f in re.findall(r"<(?:c:)?f>(.*?)</(?:c:)?f>", z.read(c).decode())
        ]
        # nothing in the workbook is a live formula: input text stays text
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(s) for s in sheets)
    assert sorted(k[0] for k in kinds) == ["barChart", "barChart", "pieChart"]
    assert formulas
    for f in formulas:
        sheet, ref = f.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        assert sheet in book.sheetnames, f
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        values = [
            book[sheet].cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
        ]
        assert all(v is not None for v in values), f
    ws = book["Charts"]
    top = top_sources(inv)
    _, first, _, last = range_boundaries(ws.tables["tblTopSources"].ref)
    codes = [ws.cell(r, 2).value for r in range(first + 1, last + 1)]
    assert codes == list(top["code"])
    assert codes[0] == "5.2.2a"  # 1,800 kg gold x 3 kg Hg/kg gold: the largest source
    releases = [ws.cell(r, 5).value for r in range(first + 1, last + 1)]
    assert releases == sorted(releases, reverse=True)


def test_workbook_with_nothing_quantified_still_opens(tmp_path, make_workbook):
    inv = compute(read_activity(make_workbook([("5.1.1", "NO", "t")])))
    book = load_workbook(write_workbook(inv, tmp_path / "empty.xlsx"))
    # a Table without a data row makes Excel repair the file: those ranges stay plain cells
    assert "tblSummaryInputs" not in book["Summary inputs"].tables
    assert book["Summary inputs"]["A3"].value == "Code"
    sources = book["Sources present"].tables["tblSourcesPresent"]
    assert range_boundaries(sources.ref)[3] - 3 == len(inv.sources)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_workbook_and_the_report(xlsx, tmp_path, inv):
    from hginventory.write.document import write_docx

    docx = write_docx(inv, tmp_path / "report.docx")
    profile = (tmp_path / "profile").as_uri()
    for source in (xlsx, docx):
        done = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        pdf = tmp_path / f"{source.stem}.pdf"
        assert done.returncode == 0 and pdf.is_file(), done.stderr
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
