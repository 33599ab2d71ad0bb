"""A focal point starts from `hginv template`, fills it in Excel and computes it unchanged."""

import csv
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.core.units import parse_unit, units_of
from hginventory.write.template import ERROR_MAX, PROMPT_MAX, TITLE_MAX

from .conftest import codes, write_workbook


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "modèle inventaire.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _activity_rows(ws):
    return {
        row[0].value: row
        for row in ws.iter_rows(min_row=2)
        if row[0].value  # group heading rows have no code
    }


def test_template_lists_every_sub_category_in_toolkit_order(template, factors):
    wb = load_workbook(template)
    assert wb.sheetnames == ["instructions", "country", "activity", "facilities", "hotspots"]
    ws = wb["activity"]
    assert [c.value for c in ws[1]] == [
        "code",
        "sub_category",
        "description",
        "activity",
        "unit",
        "notes",
        "uncertainty_pct",
        "presence",
        "data_quality",
        "data_source",
    ]
    codes = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert [c for c in codes if c] == factors.codes
    headings = [ws.cell(row=r, column=2).value for r, c in enumerate(codes, start=2) if not c]
    assert headings[0] == "5.1 Extraction and use of fuels/energy sources"
    assert len(headings) == len({r.source_group for r in factors.rows})
    rows = _activity_rows(ws)
    for factor in factors.rows:
        row = rows[factor.code]
        assert row[1].value == factor.sub_category
        assert row[3].value is None, "the activity cell is left for the focal point"
        assert row[4].value == factor.activity_unit


def test_template_guards_the_cells_a_focal_point_types(template, factors):
    wb = load_workbook(template)
    ws = wb["activity"]
    by_type = {}
    for dv in ws.data_validations.dataValidation:
        by_type.setdefault(dv.type, []).append(dv)
    [activity] = by_type["custom"]
    assert str(activity.sqref) == f"D2:D{ws.max_row}"
    assert activity.formula1 == ('OR(AND(ISNUMBER(D2),D2>=0),D2="NO",D2="NE",D2="NA",D2="IE")')
    lists = {dv.formula1: dv for dv in by_type["list"]}
    rows = _activity_rows(ws)
    for factor in factors.rows:
        dimension = parse_unit(factor.activity_unit).dimension
        dv = lists['"' + ",".join(units_of(dimension)) + '"']
        assert rows[factor.code][4].coordinate in dv.sqref
    country = wb["country"]
    fields = {country.cell(row=r, column=1).value: r for r in range(2, country.max_row + 1)}
    rate = [dv for dv in country.data_validations.dataValidation if dv.formula2 == "100"]
    assert f"B{fields['electrification_rate']}" in rate[0].sqref
    assert rate[0].type == "decimal" and rate[0].formula1 == "0"
    for sheet in wb:
        for dv in sheet.data_validations.dataValidation:
            assert len(dv.errorTitle or "") <= TITLE_MAX and len(dv.promptTitle or "") <= TITLE_MAX
            assert len(dv.error or "") <= ERROR_MAX and len(dv.prompt or "") <= PROMPT_MAX
            assert len(dv.formula1 or "") <= 255
    text = " ".join(c.value for c in wb["instructions"]["A"] if c.value)
    for key in ("NO: not occurring", "NE: not estimated", "NA: not applicable", "IE:"):
        assert key in text
    assert "A blank activity cell means 'not reported'" in text


def test_template_validations_never_overlap(template):
    """Excel 'repairs' a sheet where two validations cover one cell."""
    from openpyxl.worksheet.cell_range import CellRange

    for sheet in load_workbook(template):
        seen = set()
        for dv in sheet.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                cells = set(CellRange(rng.coord).cells)
                assert not cells & seen, (sheet.title, rng.coord)
                seen |= cells


def test_template_validations_survive_an_openpyxl_round_trip(template, tmp_path):
    """A crude stand-in for 'Excel opens it without a repair prompt': the validations are
    well-formed enough to be read back and written again unchanged."""
    wb = load_workbook(template)
    before = {
        s.title: [(dv.type, dv.formula1, str(dv.sqref)) for dv in s.data_validations.dataValidation]
        for s in wb
    }
    again = tmp_path / "again.xlsx"
    wb.save(again)
    after = {
        s.title: [(dv.type, dv.formula1, str(dv.sqref)) for dv in s.data_validations.dataValidation]
        for s in load_workbook(again)
    }
    assert before == after
    with zipfile.ZipFile(template) as z:
        assert z.testzip() is None


def test_a_validation_excel_would_refuse_is_an_error_not_a_missing_guard(tmp_path):
    """xlsxwriter drops, with a mere warning, a validation over Excel's limits: the book is
    not written rather than written without the guard."""
    from hginventory.write.xlsx import Book

    book = Book()
    book.sheet("s").validation([(1, 0, 9, 0)], {"validate": "list", "source": ["x" * 300]})
    with pytest.raises(ValueError, match="data validation refused"), pytest.warns(UserWarning):
        book.save(tmp_path / "s.xlsx")
    assert not list(tmp_path.iterdir())


def test_untouched_template_only_asks_for_country_and_year(template):
    """Its heading rows, pre-filled units, instructions and empty facilities sheet raise
    nothing: the only errors are the two fields nobody can fill in for the country (and the
    warning that no activity was entered yet)."""
    import json

    result = CliRunner().invoke(main, ["validate", "--json", str(template)])
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert [(p["sheet"], p["cell"], p["code"]) for p in problems] == [
        ("country", "B2", "field-missing"),  # country
        ("country", "B4", "field-missing"),  # year
        ("activity", "", "nothing-entered"),
    ]


def test_template_for_a_country_validates_untouched(tmp_path):
    """Prepared for one country, the untouched template has no error: every row left blank is
    simply not reported; validate warns that nothing will be quantified."""
    import json

    path = tmp_path / "civ.xlsx"
    args = ["template", "-o", str(path), "--country", "Côte d'Ivoire", "--year", "2021"]
    assert CliRunner().invoke(main, [*args, "--iso3", "CIV"]).exit_code == 0
    result = CliRunner().invoke(main, ["validate", "--json", str(path)])
    assert result.exit_code == 0, result.output
    problems = json.loads(result.output)["problems"]
    assert [(p["severity"], p["code"]) for p in problems] == [("warning", "nothing-entered")]
    assert CliRunner().invoke(main, ["template", "-o", "x.xlsx", "--year", "21"]).exit_code == 2


def _fill(template: Path, path: Path) -> Path:
    """What a focal point types: country data, numbers, notation keys, another unit,
    a decimal comma, and one facility."""
    wb = load_workbook(template)
    country = wb["country"]
    values = {"country": "Côte d'Ivoire", "year": 2021, "population": 26_000_000}
    values["electrification_rate"] = 72.5
    for r in range(2, country.max_row + 1):
        name = country.cell(row=r, column=1).value
        if name in values:
            country.cell(row=r, column=2, value=values[name])
    rows = _activity_rows(wb["activity"])
    rows["5.1.1"][3].value = 2.5
    rows["5.1.1"][4].value = "Mt"
    rows["5.1.1"][5].value = "Two plants; energy balance 2021"
    rows["5.1.2"][3].value = "1,5"
    rows["5.1.2"][4].value = "kt"
    rows["5.1.3a"][3].value = "NO"
    rows["5.2.3"][3].value = "NE"
    rows["5.4.5"][3].value = 26_000_000
    rows["5.4.7"][3].value = 26_000_000
    rows["5.9.1"][3].value = 1200
    facilities = wb["facilities"]
    header = [c.value for c in facilities[1]]
    facility = {"code": "5.1.1", "facility": "Azito", "activity": 1.0, "unit": "Mt"}
    facility["control"] = "coal-esp"
    for name, value in facility.items():
        facilities.cell(row=2, column=header.index(name) + 1, value=value)
    wb.save(path)
    return path


def test_filled_template_computes_unchanged(template, tmp_path):
    filled = _fill(template, tmp_path / "Côte d'Ivoire 2021.xlsx")
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(filled), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8")))
    by_code = {(r["code"], r["facility"]): r for r in rows}
    assert by_code[("5.1.1", "Azito")]["method"] == "level2"
    rest = by_code[("5.1.1", "")]  # national 2.5 Mt minus the facility's 1 Mt
    assert (float(rest["activity"]), rest["activity_unit"]) == (pytest.approx(1.5), "Mt")
    assert float(by_code[("5.1.2", "")]["activity"]) == pytest.approx(1.5)
    assert {r["code"] for r in rows} == {"5.1.1", "5.1.2", "5.4.5", "5.4.7", "5.9.1"}


def test_filled_template_gives_the_same_numbers_as_a_plain_workbook(template, tmp_path):
    """The template's extra columns and heading rows change nothing in the result."""
    wb = load_workbook(template)
    country = wb["country"]
    for r, value in zip(range(2, 7), ["Testland", None, 2021, 1_000_000, 50], strict=True):
        country.cell(row=r, column=2, value=value)
    rows = _activity_rows(wb["activity"])
    data = [("5.1.1", 1000, "t"), ("5.4.7", 1_000_000, "inhabitants"), ("5.9.1", 300, "corpses")]
    for code, value, _unit in data:
        rows[code][3].value = value
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    plain = write_workbook(tmp_path / "plain.xlsx", data)
    outputs = []
    for path in (filled, plain):
        out = tmp_path / f"{path.stem}-inv.xlsx"
        result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        table = list(csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8")))
        outputs.append([(r["code"], r["hg_input_kg"], r["air_kg"]) for r in table])
    assert outputs[0] == outputs[1]


def test_template_never_overwrites_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["template"]).exit_code == 0
    default = tmp_path / "hginv-template.xlsx"
    assert default.is_file()
    default.write_bytes(b"my filled-in work")
    result = CliRunner().invoke(main, ["template"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert default.read_bytes() == b"my filled-in work"
    assert CliRunner().invoke(main, ["template", "--force"]).exit_code == 0
    assert load_workbook(default).sheetnames[0] == "instructions"


def test_an_interrupted_template_leaves_the_old_file(tmp_path, monkeypatch):
    from hginventory.write import xlsx

    path = tmp_path / "t.xlsx"
    path.write_bytes(b"previous template")

    def broken_write(filename, data):
        Path(filename).write_bytes(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx, "write_file", broken_write)
    result = CliRunner().invoke(main, ["template", "-o", str(path), "--force"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert path.read_bytes() == b"previous template"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_template_saved_by_libreoffice_is_read_and_computed(template, tmp_path):
    """The focal point's real path: the template opened and saved by a spreadsheet program.
    LibreOffice keeps every validation, and its saved result of a formula typed in an activity
    cell is what hginv reads (the advice given for formulas without a saved result)."""
    wb = load_workbook(template)
    country = wb["country"]
    for r, value in zip(range(2, 7), ["Testland", None, 2021, 1_000_000, 50], strict=True):
        country.cell(row=r, column=2, value=value)
    rows = _activity_rows(wb["activity"])
    rows["5.1.1"][3].value = "=1000*2"
    rows["5.9.1"][3].value = 300
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    before = CliRunner().invoke(main, ["validate", "--json", str(filled)])
    assert before.exit_code == 1 and "formula-without-value" in codes(before)
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "saved"),
            str(filled),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    saved = tmp_path / "saved" / "filled.xlsx"
    assert done.returncode == 0 and saved.is_file(), done.stderr
    validations = {
        s.title: sorted((dv.type, dv.formula1) for dv in s.data_validations.dataValidation)
        for s in load_workbook(saved)
    }
    original = {
        s.title: sorted((dv.type, dv.formula1) for dv in s.data_validations.dataValidation)
        for s in load_workbook(template)
    }
    assert validations == original
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(saved), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = {r["code"]: r for r in csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8"))}
    assert float(table["5.1.1"]["activity"]) == 2000
    assert float(table["5.9.1"]["activity"]) == 300
