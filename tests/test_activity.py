"""Reading the activity workbook: values typed by hand, and errors located at their cell."""

import pytest

from hginventory.check.activity import check_activity
from hginventory.core.errors import ActivityError, InputFileError
from hginventory.read.activity import read_activity
from hginventory.read.numbers import parse_number
from tests.conftest import codes


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234", 1234),
        ("1234.5", 1234.5),
        ("1,5", 1.5),
        ("1 234 567", 1234567),
        ("1\u00a0234", 1234),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("0,125", 0.125),
        ("2e6", 2e6),
    ],
)
def test_hand_typed_numbers_are_read(text, value):
    assert parse_number(text)[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["1,234", "12,500", "abc", "1.2.3,4,5", "1.23.456", "--"])
def test_ambiguous_or_non_numbers_are_refused(text):
    number, reason = parse_number(text)
    assert number is None and reason


def test_example_reads(example_path):
    data = read_activity(example_path)
    assert data.country.country == "Republic of Valdoria"
    assert data.country.electrification_rate == 72.5
    assert data.errors == [] and data.warnings == []
    assert len(data.sha256) == 64


def test_every_bad_cell_is_reported_at_once(make_workbook, factors):
    path = make_workbook(
        [
            ("5.1.1", -5, "t"),
            ("5.1.2", "lots", "t"),
            ("5.1.99", 3, "t"),
            ("5.9.1", "1,5", "corpses"),
            ("5.9.1", 2, "corpses"),
        ]
    )
    data = read_activity(path, strict=False)
    problems = data.problems + check_activity(data, factors)
    by_cell = {(p.cell, p.severity): p for p in problems}
    assert by_cell[("B2", "error")].code == "activity-negative"
    assert by_cell[("B3", "error")].code == "not-a-number"
    unknown = by_cell[("A4", "error")]
    assert unknown.code == "unknown-code" and unknown.found == "5.1.99"
    assert unknown.expected.startswith("one of 5.1.")
    assert by_cell[("B5", "warning")].code == "number-as-text"
    assert by_cell[("A6", "error")].code == "duplicate-code"


def test_strict_read_raises_with_all_problems(make_workbook):
    path = make_workbook([("5.1.1", -5, "t"), ("5.1.2", "lots", "t")])
    with pytest.raises(ActivityError) as info:
        read_activity(path)
    assert [p.cell for p in info.value.errors] == ["B2", "B3"]


def test_electrification_rate_given_as_a_fraction_is_explained(make_workbook):
    path = make_workbook([], {"electrification_rate": 0.85})
    data = read_activity(path, strict=False)
    [p] = data.errors
    assert p.sheet == "country" and p.cell == "B5"
    assert p.code == "electrification-rate-fraction" and "85" in p.expected


def test_missing_sheet_is_named(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    with pytest.raises(ActivityError) as info:
        read_activity(path)
    missing = [p.expected for p in info.value.errors if p.code == "sheet-missing"]
    assert len(missing) == 2 and "'country'" in missing[0] and "'activity'" in missing[1]


@pytest.mark.parametrize(
    ("name", "content", "code", "expected"),
    [
        ("missing.xlsx", None, "file-not-found", "file not found"),
        ("notes.txt", b"hello", "file-wrong-type", "not a spreadsheet file name"),
        ("fake.xlsx", b"this is not a zip", "file-damaged", "cannot be read as a spreadsheet"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, content, code, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError, match=expected) as info:
        read_activity(path)
    assert codes(info) == [code]


def test_a_folder_is_not_a_workbook(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_activity(tmp_path)
    assert codes(info) == ["file-is-folder"]


def test_text_that_overflows_to_infinity_is_not_a_number(make_workbook):
    data = read_activity(make_workbook([("5.1.1", "1e999", "t")]), strict=False)
    assert [(p.cell, p.code) for p in data.errors] == [("B2", "not-finite")]


def test_two_sheets_named_like_activity(tmp_path, make_workbook):
    from openpyxl import load_workbook

    path = make_workbook([("5.1.1", 100, "t")])
    wb = load_workbook(path)
    wb.create_sheet("Activity ").append(["code", "activity", "unit"])
    wb.save(path)
    data = read_activity(path, strict=False)
    assert not data.errors and [r["code"] for r in data.rows] == ["5.1.1"]
    assert "sheet-alike-ignored" in [p.code for p in data.warnings]
    wb["activity"].title = " Activity"
    wb.save(path)
    data = read_activity(path, strict=False)
    assert [p.code for p in data.errors] == ["sheet-ambiguous"]


def test_a_row_number_that_is_not_ascii_digits_does_not_stop_the_reader(make_workbook, tmp_path):
    """`<row r="²">`: '²'.isdigit() is true but int('²') fails; the file is still read or
    refused with a message, never a crash."""
    import zipfile

    from click.testing import CliRunner

    from hginventory.cli import main

    plain = make_workbook([("5.1.1", 100, "t")])
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(odd, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet2.xml"):
                data = data.replace(b'<row r="1"', '<row r="²"'.encode())
            dst.writestr(item, data)
    result = CliRunner().invoke(main, ["validate", str(odd)])
    assert result.exit_code in (0, 1)
    assert "unexpected problem" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_relative_name_is_read_in_the_folder_the_user_is_in_now(tmp_path, monkeypatch):
    """The reader child lives on between reads: a relative name given after a change of
    folder (a notebook's os.chdir, a test) is read where the caller is, not where the child
    started."""
    import shutil

    from hginventory import read_activity

    from .conftest import EXAMPLES

    read_activity(EXAMPLES / "valdoria-2018.xlsx")  # the reader child starts here
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", tmp_path / "act.xlsx")
    monkeypatch.chdir(tmp_path)
    activity = read_activity("act.xlsx")
    assert activity.country.year == 2021 and not activity.problems
