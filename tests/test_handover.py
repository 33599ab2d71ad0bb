"""What a focal point hands over says what it holds: an inventory with nothing quantified says
so everywhere; the report shows the uncertainty ranges and the EMEP cross-check when asked;
options that do nothing alone are usage errors."""

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from hginventory.cli import main
from tests.conftest import codes

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "valdoria-2021.xlsx"
NOTHING = "no activity was entered: nothing will be quantified"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_an_empty_inventory_is_said_to_be_empty_everywhere(tmp_path, make_workbook):
    empty = make_workbook([("5.1.1", "NO", "t"), ("5.1.2", None, "t")], name="empty.xlsx")
    result = run("validate", "--json", empty)
    assert result.exit_code == 0
    problems = json.loads(result.output)["problems"]
    assert [(p["severity"], p["code"]) for p in problems] == [("warning", "nothing-entered")]

    result = run("compute", empty, "-o", tmp_path / "inv.xlsx")
    assert result.exit_code == 0 and NOTHING in result.output
    book = load_workbook(tmp_path / "inv.xlsx")
    for sheet in ("Read me", "Summary"):
        texts = [str(c.value) for row in book[sheet].iter_rows() for c in row if c.value]
        assert any("nothing will be quantified" in t for t in texts), sheet

    for suffix in ("html", "docx"):
        report = tmp_path / f"r.{suffix}"
        assert run("report", empty, "-o", report, "-q").exit_code == 0
        text = (
            report.read_text(encoding="utf-8")
            if suffix == "html"
            else "\n".join(p.text for p in Document(report).paragraphs)
        )
        assert "No activity was entered: nothing will be quantified." in text

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.xlsx").write_bytes(empty.read_bytes())
    (folder / "valdoria.xlsx").write_bytes(EXAMPLE.read_bytes())
    assert run("batch", folder, "-o", tmp_path / "out", "--jobs", "1").exit_code == 0
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open(encoding="utf-8")))
    assert {r["name"]: r["status"] for r in rows} == {"empty": "empty", "valdoria": "ok"}


@pytest.mark.parametrize("command", ["compute", "report", "batch"])
@pytest.mark.parametrize("option", [["--draws", "500"], ["--seed", "7"]])
def test_draws_or_seed_without_uncertainty_is_a_usage_error(tmp_path, command, option):
    extra = [
        "-o",
        tmp_path
        / ("out" if command == "batch" else f"x.{'html' if command == 'report' else 'xlsx'}"),
    ]
    result = run(command, EXAMPLE, *extra, *option)
    assert result.exit_code == 2
    assert "--draws and --seed need --uncertainty" in result.output
    assert not any(tmp_path.iterdir())


def test_report_shows_the_uncertainty_and_the_crosscheck(tmp_path):
    html, docx = tmp_path / "r.html", tmp_path / "r.docx"
    args = ["--uncertainty", "--draws", "500", "--seed", "3", "--crosscheck", "emep", "-q"]
    result = run("report", EXAMPLE, "-o", html, "-o", docx, *args)
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "500 draws (seed 3" in text
    assert "Uncertainty of the national totals (kg Hg/y)" in text
    assert "Annex D Cross-check of air releases with the EMEP/EEA Guidebook" in text
    assert "above interval" in text  # a flagged sub-category, as compute's cross-check says
    assert not re.search(r"\d[eE][+-]\d", text)
    doc = Document(docx)
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    assert "500 draws (seed 3" in paragraphs
    assert "Annex D Cross-check of air releases with the EMEP/EEA Guidebook" in paragraphs
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "2.5th percentile" in cells and "Guidebook air" in cells


def test_report_options_are_those_of_compute():
    from hginventory.cli.inventory import compute, report_command

    def names(command):
        return {o for p in command.params for o in p.opts}

    shared = {
        "--crosscheck",
        "--conversion",
        "--emep-mapping",
        "--uncertainty",
        "--draws",
        "--seed",
    }
    assert shared <= names(compute) and shared <= names(report_command)
    for opt in shared:
        a = next(p for p in compute.params if opt in p.opts)
        b = next(p for p in report_command.params if opt in p.opts)
        assert (a.help, a.default, a.type.name) == (b.help, b.default, b.type.name)


def test_docx_says_the_caution_once(tmp_path):
    docx = tmp_path / "r.docx"
    assert run("report", EXAMPLE, "-o", docx, "-q").exit_code == 0
    boxes = [p.text for p in Document(docx).paragraphs if p.text.startswith("CAUTION")]
    assert len(boxes) == 1, boxes


def test_a_fraction_for_the_electrification_rate_is_one_error_not_two(make_workbook):
    path = make_workbook(
        [("5.4.7", 1_000_000, "inhabitants")], {"electrification_rate": 0.85, "population": 2e6}
    )
    result = run("validate", "--json", path)
    found = codes(result)
    assert "electrification-rate-fraction" in found
    assert "electrification-rate-needed" not in found, found


def test_factors_show_ignores_case_and_suggests_the_closest_codes():
    shown = run("factors", "show", "5.2.2A")
    assert shown.exit_code == 0 and "5.2.2a Gold extraction" in shown.output
    missing = run("factors", "show", "5.2.2x")
    assert missing.exit_code == 1
    assert "closest: 5.2.2" in missing.output


def test_a_csv_input_gives_no_stored_as_text_warning(tmp_path):
    path = tmp_path / "fr.csv"
    path.write_text(
        "field;value\ncountry;Côte d'Ivoire\nyear;2021\npopulation;26 378 274\n"
        "electrification_rate;72,5\n\ncode;activity;unit;notes\n5.1.1;1500,5;t;Centrale\n",
        encoding="utf-8",
    )
    result = run("validate", "--json", path)
    assert result.exit_code == 0, result.output
    assert "number-as-text" not in codes(result)


def test_template_suggests_a_command_that_can_be_pasted(tmp_path):
    import shlex

    path = tmp_path / "Côte d'Ivoire 2021.xlsx"
    result = run("template", "-o", path)
    assert result.exit_code == 0
    command = result.output.strip().rsplit("then run ", 1)[1]
    assert shlex.split(command) == ["hginv", "validate", str(path)]
    # double quotes: the same line works in cmd and PowerShell on a focal point's Windows
    assert command == f'hginv validate "{path}"'


def test_a_name_that_double_quotes_cannot_hold_is_quoted_for_the_shell(tmp_path):
    import shlex

    path = tmp_path / "budget $2021 100%.xlsx"
    result = run("template", "-o", path)
    assert result.exit_code == 0
    assert shlex.split(result.output.strip().rsplit("then run ", 1)[1])[2] == str(path)


def test_compute_and_report_write_into_a_folder_given_as_output(tmp_path):
    folder = tmp_path / "résultats 2021"
    folder.mkdir()
    assert run("compute", "-q", EXAMPLE, "-o", folder).exit_code == 0
    assert run("report", "-q", EXAMPLE, "-o", folder).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "valdoria-2021-inventory.csv",
        "valdoria-2021-inventory.xlsx",
        "valdoria-2021-report.docx",
        "valdoria-2021-report.html",
    ]


def test_compute_refuses_a_workbook_name_excel_would_not_open(tmp_path):
    result = run("compute", "-q", EXAMPLE, "-o", tmp_path / "results.txt")
    assert result.exit_code == 2
    assert "results.txt: the inventory is an Excel workbook; name it .xlsx" in result.output
    assert list(tmp_path.iterdir()) == []
