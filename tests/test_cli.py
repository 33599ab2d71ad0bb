"""The focal point's story: run `hginv compute` on a workbook and get the inventory files."""

import csv
import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import __version__
from hginventory.cli import main


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_version_and_help():
    runner = CliRunner()
    assert __version__ in runner.invoke(main, ["--version"]).output
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "compute" in result.output


def test_compute_example_writes_workbook_and_csv(tmp_path, example_path, factors, monkeypatch):
    # a real-world file name: spaces, accent, apostrophe
    src = tmp_path / "Côte d'Ivoire 2021.xlsx"
    shutil.copy(example_path, src)
    before = sha(src)
    runner = CliRunner()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(main, ["compute", str(src)])
    assert result.exit_code == 0, result.output
    assert "national totals" in result.output
    assert "factors used are 'recalled'" in result.output
    xlsx = Path("Côte d'Ivoire 2021-inventory.xlsx")
    table = Path("Côte d'Ivoire 2021-inventory.csv")
    assert xlsx.is_file() and table.is_file()
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == 36
    for row in rows:
        outputs = sum(
            float(row[f"{p}_kg"])
            for p in ("air", "water", "land", "byproducts", "general_waste", "sector_treatment")
        )
        assert abs(outputs - float(row["hg_input_kg"])) <= 1e-9 * float(row["hg_input_kg"])
        assert row["factor_id"].startswith(f"unep-toolkit-l1@{factors.version}:")
        assert row["status"] == factors[row["code"]].status  # recalled, or estimated
    wb = load_workbook(xlsx)
    assert wb.sheetnames == [
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
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(min_row=4, values_only=True)}
    assert meta["input_file"] == "Côte d'Ivoire 2021.xlsx"
    assert meta["input_sha256"] == before
    assert meta["factor_table_sha256"] == factors.sha256
    assert meta["factor_table_version"] == factors.version
    assert meta["recalled_factors_used"] == 32
    assert meta["estimated_factors_used"] == 4 and meta["sub_categories_quantified"] == 36
    readme = [r[0] for r in wb["Read me"].iter_rows(values_only=True) if r[0]]
    assert any(line.startswith("CAUTION: 32 of the 36 factors") for line in readme)
    assert any(line.startswith("Method: Toolkit Level 1, by the UNEP Toolkit") for line in readme)
    assert any(line.startswith("Indicative, not in the totals: 454.2 kg") for line in readme)
    assert sha(src) == before, "the input workbook must never change"


def test_output_paths_can_be_chosen(tmp_path, example_path):
    out = tmp_path / "results" / "inv.xlsx"
    out.parent.mkdir()
    result = CliRunner().invoke(
        main,
        ["compute", str(example_path), "-o", str(out), "--csv", str(tmp_path / "inv.csv"), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "inv.csv").is_file()
    assert not list(tmp_path.glob("**/*.tmp")), "no temporary file may be left behind"


def test_input_is_never_overwritten(tmp_path, example_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(example_path, src)
    before = sha(src)
    result = CliRunner().invoke(main, ["compute", str(src), "-o", str(src)])
    assert result.exit_code == 1
    assert "refusing to overwrite the input" in result.output
    assert sha(src) == before


def test_bad_input_exits_1_with_located_message(make_workbook, tmp_path):
    path = make_workbook([("5.1.1", -3, "t")], name="bad one.xlsx")
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1
    # the same table as `hginv validate`: one line per problem, with file and cell
    [line] = [ln for ln in result.output.splitlines() if "activity!B2" in ln]
    assert "bad one.xlsx" in line and "activity for 5.1.1 is negative" in line
    assert "nothing was computed" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.xlsx").exists()


def test_missing_file_exits_1(tmp_path):
    result = CliRunner().invoke(main, ["compute", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 1 and "file not found" in result.output


def test_messages_print_input_text_as_typed(make_workbook):
    """Text such as ':x:' or '[red]' in a workbook is shown as typed, not as emoji or markup."""
    book = make_workbook([(":x:[red]", 5, "t")])
    result = CliRunner().invoke(main, ["compute", str(book)])
    assert result.exit_code == 1
    assert "':x:[red]'" in result.output and "❌" not in result.output
