"""Ambiguity is an error, not a choice: an input that can be read two ways is refused with the
cells that make it ambiguous, and the limits are checked before the work (issue 21).

Every file is built inside its test. Each finding is checked on `validate` and `compute` (exit
not 0, the location in the message) and, for the forms still accepted, on the numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.read import gate

from .conftest import write_workbook

FACILITY_HEADER = ["code", "facility", "activity", "unit", "capacity", "utilisation", "notes"]


def refused(path: Path, *located: str) -> list[dict]:
    """Validate and compute `path`: both fail, and both name every one of `located`. Returns
    validate's problems (--json)."""
    result = CliRunner().invoke(main, ["validate", "--json", str(path)])
    assert result.exit_code != 0, result.output
    problems = json.loads(result.output)["problems"]
    shown = json.dumps(problems, ensure_ascii=False)
    for text in located:
        assert text in shown, (text, shown)
    out = path.with_name(path.stem + "-inv.xlsx")
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out)])
    assert result.exit_code != 0, result.output
    for text in located:
        assert text in result.output, (text, result.output)
    assert not out.exists()
    return problems


def errors(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["severity"] == "error"]


def activity_csv(path: Path, activity: str = "1000", country: str = "", extra: str = "") -> Path:
    """A `;` CSV as Excel in French or Spanish saves it: the country table, then the activity
    table with 5.1.1 (coal in power plants, t) set to `activity`."""
    path.write_text(
        "field;value\ncountry;Testland\nyear;2021\npopulation;1000000\n"
        f"electrification_rate;50\n{country}\n"
        f"code;activity;unit;notes\n5.1.1;{activity};t;\n5.3.1;2000;t;\n{extra}",
        encoding="utf-8",
    )
    return path


def kg(path: Path) -> list:
    """The computed releases of an input, row by row (the numbers a valid form must keep)."""
    results = compute(read_activity(path)).results
    columns = [c for c in results.columns if c.endswith("_kg")]
    return results[["code", *columns]].round(9).values.tolist()


# --- duplicated columns --------------------------------------------------------------------


def test_a_duplicated_activity_column_is_an_error_naming_both(tmp_path):
    """Two `activity` columns: the last one was used without a word (26,453.3 -> 34.9 kg)."""
    path = tmp_path / "two-activity.xlsx"
    write_workbook(path, [("5.1.1", 6_500_000, "t"), ("5.3.1", 2000, "t")])
    wb = load_workbook(path)
    ws = wb["activity"]
    ws["E1"] = "Activity"
    ws["E2"], ws["E3"] = 5, 1
    wb.save(path)
    [p] = errors(refused(path, "B1", "E1"))
    assert (p["code"], p["sheet"], p["cell"]) == ("duplicate-column", "activity", "E1")


def test_a_duplicated_value_column_of_the_country_sheet_is_an_error(make_workbook):
    path = make_workbook([("5.1.1", 1000, "t")])
    wb = load_workbook(path)
    ws = wb["country"]
    ws["C1"] = "value"
    ws["C4"] = 1
    wb.save(path)
    [p] = errors(refused(path, "B1", "C1"))
    assert p["sheet"] == "country"


def test_a_duplicated_facility_column_is_an_error(tmp_path):
    path = tmp_path / "facilities.xlsx"
    write_workbook(path, [("5.1.1", 6_500_000, "t")])
    wb = load_workbook(path)
    ws = wb.create_sheet("facilities")
    ws.append([*FACILITY_HEADER, "capacity"])
    ws.append(["5.1.1", "Kessel Bay", 3_000_000, "t", None, None, None, 9_000_000])
    wb.save(path)
    [p] = errors(refused(path, "E1", "H1"))
    assert p["code"] == "duplicate-column" and p["sheet"] == "facilities"
    assert "'capacity'" in p["message"]


def test_a_duplicated_column_of_a_csv_is_an_error(tmp_path):
    path = tmp_path / "two-units.csv"
    path.write_text(
        "field;value\ncountry;Testland\nyear;2021\n\n"
        "code;activity;unit;unit\n5.1.1;1000;t;kt\n",
        encoding="utf-8",
    )
    [p] = errors(refused(path, "C5", "D5"))
    assert p["code"] == "duplicate-column" and p["cell"] == "D5" and "'unit'" in p["message"]


# --- fields and tables given twice ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first", "second"), [("population", 18_400_000, 1), ("year", 2021, 2018)]
)
def test_a_country_field_given_twice_is_an_error_naming_both_rows(
    make_workbook, name, first, second
):
    rows = [("country", "Testland"), ("year", 2021), ("population", 18_400_000)]
    rows = [r for r in rows if r[0] != name] + [(name, first), (name, second)]
    path = make_workbook([("5.1.1", 1000, "t")], country_rows=rows)
    [p] = errors(refused(path, "B4", "B5"))
    assert (p["code"], p["sheet"], p["cell"]) == ("field-twice", "country", "B5")
    assert repr(name) in p["message"]
    assert p["found"] == f"{first} then {second}"


def test_a_country_field_given_twice_alike_is_only_a_warning(make_workbook):
    rows = [("country", "Testland"), ("year", 2021), ("year", 2021), ("population", 1_000_000)]
    twice = make_workbook([("5.1.1", 1000, "t")], country_rows=rows)
    once = make_workbook([("5.1.1", 1000, "t")], country_rows=[rows[0], *rows[2:]])
    result = CliRunner().invoke(main, ["validate", "--json", str(twice)])
    assert result.exit_code == 0
    [p] = json.loads(result.output)["problems"]
    assert (p["code"], p["severity"], p["cell"]) == ("field-twice", "warning", "B4")
    assert kg(twice) == kg(once)


@pytest.mark.parametrize("table", ["country", "activity"])
def test_a_second_table_in_a_csv_is_an_error_naming_both_lines(tmp_path, table):
    extra = (
        "\nfield;value\npopulation;1\n"
        if table == "country"
        else "\ncode;activity;unit;notes\n5.1.1;1;t;\n"
    )
    path = activity_csv(tmp_path / "two-tables.csv", extra=extra)
    first = "line 1" if table == "country" else "line 7"
    [p] = errors(refused(path, "line 11", first))
    assert p["code"] == "csv-table-twice" and p["cell"] == "line 11"


# --- digit groups ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1 5", "1'5", "12 34 5", "1234 567", "1 234'567"])
def test_digit_groups_not_of_three_are_an_error_in_a_csv(tmp_path, typed):
    """Read as 15, 15 and 12345 without a word before."""
    path = activity_csv(tmp_path / "groups.csv", typed)
    [p] = errors(refused(path, "B8"))
    assert p["code"] == "digit-groups" and p["found"] == typed


@pytest.mark.parametrize(
    ("typed", "code"), [("1500 t", "number-with-text"), ("about 300", "not-a-number")]
)
def test_text_with_spaces_is_not_taken_for_digit_groups(tmp_path, typed, code):
    """The rule of three is for numbers: `1500 t` still says to type the unit in its column."""
    [p] = errors(refused(activity_csv(tmp_path / "words.csv", typed), "B8"))
    assert p["code"] == code


def test_digit_groups_not_of_three_are_an_error_in_a_workbook(make_workbook):
    """The same rule in a workbook's text cell: one function reads both."""
    path = make_workbook([("5.1.1", "12 34 5", "t")])
    [p] = errors(refused(path, "activity", "B2"))
    assert p["code"] == "digit-groups"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1 234 567", 1_234_567),
        ("1'234'567", 1_234_567),
        ("1\u202f234\u202f567", 1_234_567),
        ("1.234.567,5", 1_234_567.5),
        ("1,234,567.5", 1_234_567.5),
        ("1 234 567,5", 1_234_567.5),
    ],
)
def test_valid_digit_groups_compute_the_same_numbers(tmp_path, make_workbook, typed, value):
    plain = kg(activity_csv(tmp_path / "plain.csv", repr(value)))
    assert kg(activity_csv(tmp_path / "typed.csv", typed)) == plain
    assert kg(make_workbook([("5.1.1", typed, "t"), ("5.3.1", 2000, "t")])) == plain


# --- numbers no float holds ----------------------------------------------------------------

HUGE = "1." + ".".join(["000"] * 103)  # 1e309: more than a float holds (inf)


def test_a_population_of_103_digit_groups_is_refused_at_its_cell(make_workbook, tmp_path):
    rows = [("country", "Testland"), ("year", 2021), ("population", HUGE)]
    [p] = errors(refused(make_workbook([("5.1.1", 1000, "t")], country_rows=rows), "B4"))
    assert p["code"] == "not-finite" and p["sheet"] == "country"
    path = tmp_path / "huge.csv"
    path.write_text(
        f"field;value\ncountry;Testland\nyear;2021\npopulation;{HUGE}\n\n"
        "code;activity;unit;notes\n5.1.1;1000;t;\n",
        encoding="utf-8",
    )
    [p] = errors(refused(path, "B4"))
    assert p["code"] == "not-finite"


@pytest.mark.parametrize("typed", ["1e999", HUGE, "9" * 400 + ",5"])
def test_an_activity_no_float_holds_is_refused_at_its_cell(tmp_path, typed):
    [p] = errors(refused(activity_csv(tmp_path / "inf.csv", typed), "B8"))
    assert p["code"] == "not-finite" and p["found"] == typed


def test_a_facility_capacity_times_utilisation_beyond_a_float_is_refused(tmp_path):
    path = tmp_path / "capacity.xlsx"
    write_workbook(path, [("5.1.1", 6_500_000, "t")])
    wb = load_workbook(path)
    ws = wb.create_sheet("facilities")
    ws.append(FACILITY_HEADER)
    ws.append(["5.1.1", "Kessel Bay", None, "t", 1e308, 90])
    wb.save(path)
    [p] = errors(refused(path, "facilities", "E2"))
    assert p["code"] == "facility-capacity-not-finite"


def test_a_facility_activity_beyond_a_float_in_its_unit_is_refused(tmp_path):
    """1e305 Mt is more tonnes than a float holds: it was summed to "inf t"."""
    path = tmp_path / "megatonnes.xlsx"
    write_workbook(path, [("5.1.1", 6_500_000, "t")])
    wb = load_workbook(path)
    ws = wb.create_sheet("facilities")
    ws.append(FACILITY_HEADER)
    ws.append(["5.1.1", "Kessel Bay", 1e305, "Mt"])
    wb.save(path)
    problems = errors(refused(path, "facilities", "C2"))
    assert any(
        p["cell"] == "C2" and p["code"] == "facility-activity-not-finite" for p in problems
    )


def test_an_activity_range_beyond_a_float_is_refused(make_workbook):
    path = make_workbook([("5.1.1", 1e-300, "t")])
    wb = load_workbook(path)
    ws = wb["activity"]
    ws["E1"], ws["E2"] = "activity_high", 1e300
    wb.save(path)
    [p] = errors(refused(path, "E2"))
    assert p["code"] == "range-too-far" and "activity_high" in p["message"]


# --- limits before the work ----------------------------------------------------------------


def _facilities(path: Path, n: int) -> Path:
    """A workbook with `n` facility rows (small coal plants summing below the national rate)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("country")
    for row in (["field", "value"], ["country", "Testland"], ["year", 2021]):
        ws.append(row)
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes"])
    ws.append(["5.1.1", 10_000_000, "t", None])
    ws = wb.create_sheet("facilities")
    ws.append(FACILITY_HEADER)
    for i in range(n):
        ws.append(["5.1.1", f"plant {i}", 100, "t"])
    wb.save(path)
    return path


def test_facility_rows_beyond_the_limit_are_refused(tmp_path):
    """20,001 rows were accepted (the check was rows > 20,000 + 10)."""
    path = _facilities(tmp_path / "over.xlsx", gate.MAX_FACILITY_ROWS + 1)
    [p] = refused(path, "facilities", "20,001 rows", "at most 20,000 facility rows")
    assert (p["code"], p["severity"]) == ("too-many-rows", "error")


def test_facility_rows_at_the_limit_are_read(tmp_path, monkeypatch):
    """Exactly the limit is read, one more is refused (with a limit of 30, so that the test
    builds small workbooks; the 20,000 case is timed by benchmarks/bench_hostile.py)."""
    monkeypatch.setattr(gate, "MAX_FACILITY_ROWS", 30)
    at = _facilities(tmp_path / "at.xlsx", 30)
    result = CliRunner().invoke(main, ["compute", str(at), "-o", str(tmp_path / "at-inv.xlsx")])
    assert result.exit_code == 0, result.output
    refused(_facilities(tmp_path / "over.xlsx", 31), "31 rows", "at most 30 facility rows")


def test_a_sheet_spanning_more_cells_than_the_reader_holds_is_refused_before_the_read(
    make_workbook,
):
    """Two values far apart (C3 and IV25000) make a sheet of 6.4 million cells, within the
    row and column limits: the reader ran out of its memory and the file was called damaged
    ("signal 6"). Now a located refusal stating the limit."""
    path = make_workbook([("5.1.1", 1000, "t")])
    wb = load_workbook(path)
    wb["activity"]["IV25000"] = 1
    wb.save(path)
    [p] = refused(path, "activity", "6,400,000 cells", "at most 1,000,000 cells")
    assert (p["code"], p["severity"]) == ("too-many-cells", "error")


def test_a_dense_sheet_over_the_cell_limit_is_refused_by_the_scan(tmp_path, monkeypatch):
    """The scan counts the cells of a dense sheet before any read (a limit of 100 here, so
    that the test builds a small workbook)."""
    monkeypatch.setattr(gate, "MAX_SHEET_CELLS", 100)
    read = gate.isolated

    def isolated(path, wanted):
        assert "activity" not in wanted, "the reader was asked for the refused sheet"
        return read(path, wanted)

    monkeypatch.setattr(gate, "isolated", isolated)
    path = tmp_path / "dense.xlsx"
    write_workbook(path, [("5.1.1", 1000, "t")] + [(f"9.{i}", i, "t") for i in range(40)])
    [p] = refused(path, "activity", "168 cells", "at most 100 cells")
    assert p["code"] == "too-many-cells"


def test_a_reader_out_of_memory_says_so(tmp_path):
    """The reader child's memory allowance, not a damaged file (it said "signal 6"): with an
    allowance of 1 MB, reading 20,000 rows asks the reader for more. In a process of its own,
    as a user runs hginv (a test process's free memory would serve the reader instead)."""
    path = write_workbook(tmp_path / "rows.xlsx", [("5.1.1", i, "t") for i in range(20_000)])
    code = (
        "import sys; from hginventory.read import gate; gate.READ_MEMORY_BYTES = 2**20; "
        "from hginventory.cli import main; main(['validate', sys.argv[1]])"
    )
    env = {**os.environ, "LANG": "C.UTF-8"}
    env.pop("HGINV_READ_IN_PROCESS", None)
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env
    )
    assert run.returncode != 0
    assert "ran out of its memory allowance (1 MB)" in run.stdout + run.stderr
    assert "damaged" not in run.stdout + run.stderr
