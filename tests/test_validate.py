"""`hginv validate` and the promises around every command: nothing lost, nothing executed."""

import csv
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.jobs.validate import validate_input
from hginventory.read.activity import read_activity

BAD = Path(__file__).parent / "data" / "bad"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_validate_reports_every_problem_at_once(make_workbook):
    path = make_workbook(
        [("5.1.1", -5, "t"), ("5.1.2", "1,5", "t"), ("5.1.99", 3, "t"), ("5.8.5", 2, "t")],
        {"electrification_rate": 0.9},
    )
    result = CliRunner().invoke(main, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    got = {(p["code"], p["severity"], f"{p['sheet']}!{p['cell']}") for p in report["problems"]}
    assert got == {
        ("electrification-rate-fraction", "error", "country!B5"),
        ("activity-negative", "error", "activity!B2"),
        ("number-as-text", "warning", "activity!B3"),
        ("unknown-code", "error", "activity!A4"),
        ("unit-wrong-kind", "error", "activity!C5"),
    }
    assert report["errors"] == 4 and report["warnings"] == 1
    first = report["problems"][0]
    fields = {"file", "sheet", "cell", "found", "expected", "severity", "message", "code"}
    assert set(first) >= fields


def test_validate_human_report_is_one_table(make_workbook):
    path = make_workbook([("5.1.1", -5, "t"), ("5.1.2", "1,5", "t")], name="mon pays.xlsx")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "1 error, 1 warning" in result.output
    for word in ("Severity", "File", "Sheet!cell", "Problem", "Found", "Expected"):
        assert word in result.output
    [neg] = [ln for ln in lines if "activity!B2" in ln]
    assert "error" in neg and "mon pays.xlsx" in neg and "is negative" in neg and "'-5'" in neg
    [comma] = [ln for ln in lines if "activity!B3" in ln]
    assert "warning" in comma and "decimal mark" in comma
    assert "1 error to fix before hginv compute" in result.output


def test_only_warnings_exit_0(make_workbook):
    path = make_workbook([("5.1.1", "1,5", "kt")])
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0
    assert "no errors (read the warnings); ready for hginv compute" in result.output


def test_compute_stops_with_the_same_report_as_validate(tmp_path):
    """compute runs validate's checks first: same problems, same table, nothing written."""
    path = BAD / "facilities-exceed-national.xlsx"
    out = tmp_path / "inv.xlsx"
    checked = CliRunner().invoke(main, ["validate", str(path)])
    computed = CliRunner().invoke(main, ["compute", str(path), "-o", str(out)])
    assert checked.exit_code == computed.exit_code == 1

    def rows(text):  # piped: one plain line per problem
        return [ln for ln in text.splitlines() if ln.startswith(("error ", "warning "))]

    assert rows(checked.output) and rows(checked.output) == rows(computed.output)
    assert not out.exists() and not out.with_suffix(".csv").exists()


def test_validate_input_is_usable_from_a_notebook(example_path):
    checked = validate_input(example_path)
    assert checked.ok and checked.exit_code == 0 and checked.problems == []
    assert checked.inventory.totals()["releases_kg"] > 0


CSV_DATA = [
    ("5.1.1", 1500.5, "t", "Centrale"),
    ("5.9.1", 2000, "corpses", ""),
    ("5.2.3", "NE", "t", ""),
]


@pytest.mark.parametrize(
    "name", ["semicolon utf8-bom.csv", "semicolon-latin1.csv", "comma-quoted-decimal.csv"]
)
def test_csv_input_gives_the_numbers_of_the_workbook(name, tmp_path):
    """The same country as a French-Excel CSV (';', decimal comma, UTF-8 BOM or Latin-1) or
    an English one (',', quoted decimal comma) gives the same inventory as the workbook."""
    from tests.conftest import write_workbook

    data = read_activity(BAD / name, strict=False)
    assert data.errors == []
    assert data.country.country == "Côte d'Ivoire"
    assert data.country.electrification_rate == 72.5
    read = [(r["code"], r["notation"] or r["activity"]) for r in data.rows]
    assert read == [("5.1.1", 1500.5), ("5.9.1", 2000), ("5.2.3", "NE")]
    country = {"country": "Côte d'Ivoire", "population": 26378274, "electrification_rate": 72.5}
    book = write_workbook(tmp_path / "same.xlsx", CSV_DATA, country)
    results = []
    for path in (BAD / name, book):
        out = tmp_path / f"{path.stem}-inv.xlsx"
        result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        rows = csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8"))
        results.append([(r["code"], r["hg_input_kg"]) for r in rows])
    assert results[0] == results[1]


def test_input_bytes_never_change(tmp_path, monkeypatch):
    """compute, validate, report and template (written beside it) leave the input as it was."""
    src = tmp_path / "Côte d'Ivoire 2021 (v2).xlsx"
    shutil.copy(Path(__file__).parents[1] / "examples" / "valdoria-2021-level2.xlsx", src)
    monkeypatch.chdir(tmp_path)
    before, mtime = sha(src), src.stat().st_mtime_ns
    runner = CliRunner()
    for args in (
        ["validate", str(src)],
        ["validate", "--json", str(src)],
        ["compute", str(src), "-q"],
        ["report", str(src), "-o", "r.html", "-q"],
        ["template", "-o", "hginv-template.xlsx"],
        ["compute", str(src), "-o", str(src)],  # refused: it is the input
        ["template", "-o", str(src)],  # refused: it exists (and --force is not given)
    ):
        runner.invoke(main, args)
        assert sha(src) == before, args
        assert src.stat().st_mtime_ns == mtime, args
    assert Path("hginv-template.xlsx").is_file()
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_template_refuses_to_replace_its_input(tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(BAD / "negative.xlsx", src)
    from hginventory.core.errors import OutputError
    from hginventory.write.template import write_template

    with pytest.raises(OutputError, match="refusing to overwrite the input") as info:
        write_template(src, force=True, protect=[src])
    assert info.value.code == "output-not-writable"


def test_an_existing_output_is_replaced_only_when_the_new_one_is_complete(
    tmp_path, example_path, monkeypatch
):
    out = tmp_path / "inv.xlsx"
    out.write_bytes(b"last year's inventory")
    from hginventory.write import xlsx

    def broken_write(filename, data):
        Path(filename).write_bytes(b"PK half written")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx, "write_file", broken_write)
    result = CliRunner().invoke(main, ["compute", str(example_path), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot write (disk full); an existing file was left as it was" in result.output
    assert out.read_bytes() == b"last year's inventory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.xlsx"]


INJECTIONS = {
    "country": '=HYPERLINK("http://evil.example","Valdoria")',
    "note": "+cmd|' /C calc'!A0",
    "facility": "@SUM(1+1)*cmd|' /C calc'!A0",
    "other": "-2+3+cmd|' /C calc'!A0",
}


def test_formula_looking_text_is_written_as_text_everywhere(tmp_path):
    """Text typed in the input that a spreadsheet would run as a formula stays text in the
    workbook (no <f> element), is prefixed with ' in the CSV, and is escaped in the report."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    for row in (
        ("field", "value"),
        ("country", INJECTIONS["country"]),
        ("year", 2021),
        ("population", 1e6),
        ("electrification_rate", 50),
    ):
        ws.append(row)
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes"])
    ws.append(["5.1.1", 1000, "t", INJECTIONS["note"]])
    ws.append(["5.9.1", 10, "corpses", INJECTIONS["other"]])
    ws.append(["5.1.2", "NE", "t", INJECTIONS["note"]])
    ws = wb.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "control", "notes"])
    ws.append(["5.1.1", INJECTIONS["facility"], 400, "coal-esp", INJECTIONS["other"]])
    for sheet in wb:  # stored as text in the input too, as a focal point's typing would be
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    src = tmp_path / "injected.xlsx"
    wb.save(src)
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
    # the only formulas are hginv's own: cell references, arithmetic, SUM/SUMPRODUCT/IF
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert formulas and "<f " not in xml
    for f in formulas:
        assert re.fullmatch(r"[A-Z0-9$'!:,()*+\-/.=<>& a-z]*", f), f
        assert set(re.findall(r"([A-Z]+)\(", f)) <= {"SUM", "SUMPRODUCT", "IF"}, f
    texts = [
        c.value
        for s in load_workbook(out)
        for row in s.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    for value in INJECTIONS.values():
        assert any(value in t for t in texts), value
    table = out.with_suffix(".csv").read_text(encoding="utf-8")
    assert "'" + INJECTIONS["facility"] in table
    for line in csv.reader(table.splitlines()):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line), line
    report = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(src), "-o", str(report), "-q"])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert 'HYPERLINK(\\"' not in html and "&quot;http://evil.example&quot;" in html
    assert not re.search(r"<a [^>]*evil", html)


def test_a_csv_input_is_not_overwritten_by_the_csv_output(tmp_path):
    """`-o x.xlsx` makes the CSV output `x.csv`: when that is the input, nothing is written."""
    src = tmp_path / "x.csv"
    shutil.copy(BAD / "semicolon utf8-bom.csv", src)
    before = sha(src)
    result = CliRunner().invoke(main, ["compute", str(src), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and "refusing to overwrite the input" in result.output
    assert sha(src) == before and not (tmp_path / "x.xlsx").exists()


def test_validating_a_result_file_says_which_file_to_give(tmp_path, example_path):
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(example_path), "-o", str(out), "-q"])
    assert result.exit_code == 0
    for result_file in (out, out.with_suffix(".csv")):
        result = CliRunner().invoke(main, ["validate", "--json", str(result_file)])
        assert result.exit_code == 1
        codes = [p["code"] for p in json.loads(result.output)["problems"]]
        assert "result-file-given" in codes, codes


def test_input_text_prints_as_typed(make_workbook):
    """Text such as ':x:' or '[red]' in a workbook is shown as typed, not as emoji or markup,
    and stray spaces show in the quoted value found."""
    path = make_workbook([(":x:[red]", 5, "t"), ("5.1.2", " NO", "t")], name="[bold]x.xlsx")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "':x:[red]'" in result.output and "❌" not in result.output
    assert "[bold]x.xlsx" in result.output
    assert "' NO'" in result.output


def test_rows_hidden_by_the_focal_point_are_one_warning(make_workbook):
    """Hiding the sub-categories that do not apply is natural: one warning, not one per row."""
    path = make_workbook([("5.1.1", 1, "t"), ("5.1.2", 1, "t")])
    wb = load_workbook(path)
    for row in (2, 3):
        wb["activity"].row_dimensions[row].hidden = True
    wb.save(path)
    checked = validate_input(path)
    [hidden] = [p for p in checked.problems if p.code == "hidden-rows"]
    assert hidden.cell == "A2" and hidden.severity == "warning"
    assert "2-3" in hidden.message
    assert checked.ok


def test_json_is_ascii_and_stays_json_when_the_factor_table_is_broken(tmp_path):
    """A pipeline parsing --json always gets JSON, whatever the console's encoding."""
    overlay = tmp_path / "mine.csv"
    overlay.write_text("code,input_factor\n5.1.1,0.3\n")
    args = ["validate", "--json", "--factors", str(overlay), str(BAD / "semicolon-latin1.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["problems"][0]["kind"] == "factors"
    ok = CliRunner().invoke(main, ["validate", "--json", str(BAD / "semicolon-latin1.csv")])
    assert ok.output.isascii() and json.loads(ok.output)["ok"] is True


def test_help_lists_the_input_commands_and_stays_light():
    import subprocess
    import sys

    result = CliRunner().invoke(main, ["--help"])
    assert "template" in result.output and "validate" in result.output
    code = "import sys, hginventory.cli; print(sorted({'pandas', 'openpyxl'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
