"""A national team confirms the factors with the official Toolkit in an afternoon.

The story: `hginv factors review` writes a workbook of the recalled rows; the team types the
official values it reads (Excel or LibreOffice saves the workbook); `hginv factors apply-review`
writes a reviewed table folder, which `compute --factors` uses. Every mistake is refused with
its cell named, and nothing is written then.
"""

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from hginventory.cli import main
from hginventory.tables.factors import factors_dir, load_factors
from tests.conftest import EXAMPLES, codes
from tests.test_real_clients import needs_office, soffice

EXAMPLE = EXAMPLES / "valdoria-2021.xlsx"
SHIPPED = factors_dir()
REVIEWER = {"reviewer": "A. Diallo, Ministry of Environment", "review_date": dt.date(2026, 12, 1)}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_review(path: Path, *extra) -> Path:
    result = run("factors", "review", "-o", path, *extra)
    assert result.exit_code == 0, result.output
    return path


def columns(ws) -> dict[str, str]:
    """Machine name -> column letter, from the review sheet's second row."""
    return {c.value: get_column_letter(c.column) for c in ws[2] if c.value}


def rows_of(ws) -> dict[str, int]:
    col = columns(ws)["code"]
    return {ws[f"{col}{r}"].value: r for r in range(3, ws.max_row + 1)}


def fill(review: Path, out: Path, typed: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Type values into the review as a reviewer would (openpyxl); returns the cells typed."""
    wb = load_workbook(review)
    ws = wb["review"]
    col, rows = columns(ws), rows_of(ws)
    where = {}
    for code, values in typed.items():
        where[code] = {}
        for name, value in values.items():
            cell = ws[f"{col[name]}{rows[code]}"]
            cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            where[code][name] = cell.coordinate
    wb.save(out)
    return where


def csv_rows(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def compute_csv(tmp_path: Path, name: str, *factors) -> tuple[dict[str, dict], str]:
    out = tmp_path / f"{name}.csv"
    result = run("compute", *factors, EXAMPLE, "--csv-only", "--csv", out)
    assert result.exit_code == 0, result.output
    return csv_rows(out), result.output


@needs_office
def test_a_review_saved_by_libreoffice_confirms_three_rows_and_compute_uses_them(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    filled = tmp_path / "filled" / "review.xlsx"
    filled.parent.mkdir()
    fill(
        review,
        filled,
        {
            # a changed input factor: 0.15 -> 0.2 g/t
            "5.1.1": {"official_input_factor": 0.2, "official_table_page": "Table 5-1, p. 12",
                      **REVIEWER},
            # a changed distribution: air 1 -> 0.8, by-products 0 -> 0.2
            "5.1.3c": {"official_air": 0.8, "official_byproducts": 0.2,
                       "official_table_page": "Table 5-9, p. 30", **REVIEWER},
            # confirmed as it is
            "5.1.2": {"official_table_page": "Table 5-1, p. 12", **REVIEWER},
        },
    )  # fmt: skip
    saved = soffice([filled], "xlsx", tmp_path / "saved", tmp_path / "profile")[0]
    applied = run("factors", "apply-review", saved, "-o", tmp_path / "reviewed")
    assert applied.exit_code == 0, applied.output
    assert "5.1.1" in applied.output and "+33.3 %" in applied.output
    assert "Rows confirmed: 3 (2 with a changed value, 1 as they were)" in applied.output

    before, before_out = compute_csv(tmp_path, "before")
    after, after_out = compute_csv(tmp_path, "after", "--factors", tmp_path / "reviewed")
    # by hand: 6,500,000 t x 0.2 g/t = 1,300 kg; air 0.9 -> 1,170 kg, sector 0.1 -> 130 kg
    coal = after["5.1.1"]
    assert float(coal["hg_input_kg"]) == pytest.approx(1300)
    assert float(coal["air_kg"]) == pytest.approx(1170)
    assert float(coal["sector_treatment_kg"]) == pytest.approx(130)
    # 850,000 t x 0.01 g/t = 8.5 kg: air 0.8 -> 6.8, by-products 0.2 -> 1.7
    oil = after["5.1.3c"]
    assert float(oil["hg_input_kg"]) == pytest.approx(8.5)
    assert float(oil["air_kg"]) == pytest.approx(6.8)
    assert float(oil["byproducts_kg"]) == pytest.approx(1.7)
    assert float(oil["water_kg"]) == 0
    assert after["5.1.2"]["air_kg"] == before["5.1.2"]["air_kg"]
    for code in ("5.1.1", "5.1.2", "5.1.3c"):
        assert before[code]["status"] == "recalled"
        assert after[code]["status"] == "confirmed"
        assert "+review.1" in after[code]["factor_id"]
    recalled = sum(r["status"] == "recalled" for r in before.values())
    assert f"{recalled} of {len(before)} factors used are 'recalled'" in before_out
    assert f"{recalled - 3} of {len(after)} factors used are 'recalled'" in after_out
    table = csv_rows(tmp_path / "reviewed" / "toolkit_level1.csv")
    assert table["5.1.1"]["reviewer"] == REVIEWER["reviewer"]
    assert table["5.1.1"]["review_date"] == "2026-12-01"
    assert table["5.1.1"]["table_page"] == "Table 5-1, p. 12"
    assert table["5.1.1"]["confidence"] == ""
    assert table["5.1.4a"]["status"] == "recalled"  # not reviewed: as it was


def test_factors_diff_shows_the_effect_of_the_review(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    filled = tmp_path / "filled.xlsx"
    fill(review, filled, {"5.1.1": {"official_input_factor": 0.2,
                                    "official_table_page": "Table 5-1", **REVIEWER}})  # fmt: skip
    assert run("factors", "apply-review", filled, "-o", tmp_path / "t").exit_code == 0
    result = run("factors", "diff", SHIPPED, tmp_path / "t", "--inventory", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "input_factor" in result.output and "0.15" in result.output
    # by hand: 6,500,000 t x (0.2 - 0.15) g/t = +325 kg of input from coal in large plants
    assert "+325.0" in result.output


def test_nothing_filled_gives_the_input_table_byte_for_byte(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    result = run("factors", "apply-review", review, "-o", tmp_path / "same")
    assert result.exit_code == 0, result.output
    assert "No row was reviewed" in result.output
    for name in ("toolkit_level1.csv", "toolkit_level1.toml", "source_groups.csv"):
        assert (tmp_path / "same" / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def test_a_french_review_round_trip(tmp_path):
    review = make_review(tmp_path / "revue.xlsx", "--lang", "fr")
    wb = load_workbook(review)
    instructions = " ".join(str(c.value) for c in wb["instructions"]["A"] if c.value)
    assert "Toolkit officiel" in instructions
    assert wb["review"]["A2"].value == "factor_id"  # machine names stay in English
    assert wb["table"]["B5"].value == "fr" or "fr" in [c.value for c in wb["table"]["B"]]
    same = run("factors", "apply-review", review, "-o", tmp_path / "same", "--lang", "fr")
    assert same.exit_code == 0, same.output
    assert (tmp_path / "same" / "toolkit_level1.csv").read_bytes() == (
        SHIPPED / "toolkit_level1.csv"
    ).read_bytes()
    filled = tmp_path / "remplie.xlsx"
    # a French Excel user types a decimal comma into a cell formatted as text
    typed = {"official_input_factor": "0,2", "official_table_page": "Tableau 5-1, p. 12",
             "reviewer": "A. Diallo", "review_date": "2026-12-01"}  # fmt: skip
    fill(review, filled, {"5.1.1": typed})
    result = run("factors", "apply-review", filled, "-o", tmp_path / "revue", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "Lignes confirmées : 1" in result.output
    row = csv_rows(tmp_path / "revue" / "toolkit_level1.csv")["5.1.1"]
    assert (row["input_factor"], row["status"], row["review_date"]) == (
        "0.2", "confirmed", "2026-12-01"
    )


def refused(tmp_path, typed, *extra) -> tuple[str, dict]:
    """Apply a review filled with `typed`; it must be refused and write nothing."""
    review = make_review(tmp_path / "review.xlsx")
    filled = tmp_path / "filled.xlsx"
    cells = fill(review, filled, typed)
    before = filled.read_bytes()
    result = run("factors", "apply-review", filled, "-o", tmp_path / "out", *extra)
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "out").exists()
    assert filled.read_bytes() == before
    return result.output, cells


def test_distribution_factors_not_summing_to_one_are_refused_with_their_cells(tmp_path):
    output, cells = refused(
        tmp_path,
        {"5.1.1": {"official_air": 0.5, "official_table_page": "Table 5-1", **REVIEWER}},
    )
    row = cells["5.1.1"]["official_air"][1:]
    col = columns(load_workbook(tmp_path / "review.xlsx")["review"])
    assert f"review!{col['official_air']}{row}:{col['official_sector_treatment']}{row}" in output
    assert "sum to 0.6, not 1" in output


def test_a_sum_within_a_thousandth_is_accepted_and_made_exact(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    filled = tmp_path / "filled.xlsx"
    fill(review, filled, {"5.2.2a": {"official_air": 0.333, "official_water": 0.333,
                                     "official_land": 0.3335, "official_table_page": "T",
                                     **REVIEWER}})  # fmt: skip
    result = run("factors", "apply-review", filled, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    row = csv_rows(tmp_path / "out" / "toolkit_level1.csv")["5.2.2a"]
    total = sum(float(row[p]) for p in ("air", "water", "land"))
    assert total == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize(
    "typed, column",
    [
        ({"official_low": 0.3}, "official_low"),  # low above the value 0.15
        ({"official_input_factor": 0.7}, "official_input_factor"),  # above the high 0.5
        ({"official_high": 0.1}, "official_high"),  # high below the value
    ],
)
def test_a_value_outside_its_low_and_high_is_refused(tmp_path, typed, column):
    output, cells = refused(
        tmp_path, {"5.1.1": {**typed, "official_table_page": "Table 5-1", **REVIEWER}}
    )
    assert f"review!{cells['5.1.1'][column]}" in output
    assert "is not between its low" in output


@pytest.mark.parametrize("missing", ["official_table_page", "reviewer"])
def test_a_confirmation_without_table_page_or_reviewer_is_refused(tmp_path, missing):
    typed = {"official_input_factor": 0.2, "official_table_page": "Table 5-1", **REVIEWER}
    del typed[missing]
    output, _ = refused(tmp_path, {"5.1.1": typed})
    ws = load_workbook(tmp_path / "review.xlsx")["review"]
    assert f"review!{columns(ws)[missing]}{rows_of(ws)['5.1.1']}" in output
    assert f"{missing} is empty" in output


def test_a_review_made_from_another_table_version_is_refused(tmp_path):
    other = tmp_path / "other" / "toolkit_level1.csv"
    other.parent.mkdir()
    exported = run("factors", "export", "-o", other, "--version", "2019-2.1.r1-national")
    assert exported.exit_code == 0, exported.output
    output, _ = refused(
        tmp_path,
        {"5.1.2": {"official_table_page": "Table 5-1", **REVIEWER}},
        "--factors",
        other.parent,
    )
    assert "table!B3" in output
    assert "another factor table" in output


def test_a_cell_that_is_not_a_number_is_refused(tmp_path):
    output, cells = refused(
        tmp_path,
        {"5.1.1": {"official_water": "a tenth", "official_table_page": "T", **REVIEWER}},
    )
    assert f"review!{cells['5.1.1']['official_water']}" in output
    assert "official_water" in output


def test_a_review_date_that_is_not_a_date_is_refused(tmp_path):
    output, cells = refused(
        tmp_path,
        {"5.1.2": {"official_table_page": "T", "reviewer": "A. D.", "review_date": "last week"}},
    )
    assert f"review!{cells['5.1.2']['review_date']}" in output
    from hginventory.core.errors import HginvError
    from hginventory.jobs.review import apply_review_file

    with pytest.raises(HginvError) as caught:
        apply_review_file(tmp_path / "filled.xlsx", tmp_path / "out")
    assert codes(caught) == ["review-date-invalid"]


def test_an_existing_table_in_the_folder_is_kept_without_force(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "toolkit_level1.csv").write_text("mine", "utf-8")
    result = run("factors", "apply-review", review, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "--force" in result.output
    assert (tmp_path / "out" / "toolkit_level1.csv").read_text("utf-8") == "mine"


def test_the_review_workbook_lets_only_the_official_cells_be_typed(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    wb = load_workbook(review)
    assert wb.sheetnames == ["instructions", "review", "table"]
    ws = wb["review"]
    assert ws.protection.sheet and not ws.protection.password
    col, rows = columns(ws), rows_of(ws)
    r = rows["5.1.1"]
    assert ws[f"{col['input_factor']}{r}"].protection.locked
    assert not ws[f"{col['official_input_factor']}{r}"].protection.locked
    assert not ws[f"{col['reviewer']}{r}"].protection.locked
    assert ws[f"{col['official_sum']}{r}"].value.startswith("=IF(ISBLANK(")
    kinds = {(dv.type, dv.operator) for dv in ws.data_validations.dataValidation}
    assert ("decimal", None) in kinds and ("decimal", "greaterThanOrEqual") in kinds
    assert ("list", None) in kinds and ("date", None) in kinds
    assert len(rows) == sum(  # the default: every recalled and estimated row
        r["status"] in ("recalled", "estimated")
        for r in csv_rows(SHIPPED / "toolkit_level1.csv").values()
    )
    table = {row[0].value: row[1].value for row in wb["table"].iter_rows(min_row=2)}
    assert table["table_version"] == load_factors().version
    # the cached sum, for readers that do not calculate
    cached = load_workbook(review, data_only=True)["review"][f"{col['official_sum']}{r}"].value
    assert cached == pytest.approx(1)


def test_status_names_a_status_of_the_table(tmp_path):
    result = run("factors", "review", "-o", tmp_path / "r.xlsx", "--status", "recalld")
    assert result.exit_code == 1
    assert "unknown status 'recalld'" in result.output
    assert not (tmp_path / "r.xlsx").exists()
    # a status no row has yet selects nothing, without failing
    result = run("factors", "review", "-o", tmp_path / "e.xlsx", "--status", "national")
    assert result.exit_code == 0 and "rows to review: 0" in result.output


def test_a_reviewed_table_is_reviewed_again_without_its_confirmed_rows(tmp_path):
    review = make_review(tmp_path / "review.xlsx")
    fill(review, tmp_path / "one.xlsx", {"5.1.2": {"official_table_page": "T 5-1", **REVIEWER}})
    first = run("factors", "apply-review", tmp_path / "one.xlsx", "-o", tmp_path / "v1")
    assert first.exit_code == 0, first.output
    again = make_review(tmp_path / "again.xlsx", "--factors", tmp_path / "v1")
    assert "5.1.2" not in rows_of(load_workbook(again)["review"])
    fill(again, tmp_path / "two.xlsx", {"5.1.1": {"official_table_page": "T 5-1", **REVIEWER}})
    result = run("factors", "apply-review", tmp_path / "two.xlsx", "-o", tmp_path / "v2",
                 "--factors", tmp_path / "v1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"{load_factors().version}+review.2" in result.output
    table = csv_rows(tmp_path / "v2" / "toolkit_level1.csv")
    assert table["5.1.1"]["status"] == table["5.1.2"]["status"] == "confirmed"
    # the review of the first table does not apply to the second
    stale = run("factors", "apply-review", tmp_path / "one.xlsx", "-o", tmp_path / "v3",
                "--factors", tmp_path / "v1")  # fmt: skip
    assert stale.exit_code == 1 and "table!B3" in stale.output


def test_the_changes_fit_80_columns_on_a_terminal(tmp_path, monkeypatch):
    import io
    import re

    from hginventory.cli import terminal

    review = make_review(tmp_path / "review.xlsx")
    typed = {"official_input_factor": 2.5, "official_air": 0.4, "official_water": 0.3,
             "official_land": 0.3, "official_table_page": "T", **REVIEWER}  # fmt: skip
    fill(review, tmp_path / "f.xlsx", {"5.2.2a": typed})
    buffer = io.StringIO()
    monkeypatch.setattr(
        terminal, "CONSOLE_OPTIONS", {"force_terminal": True, "width": 80, "file": buffer}
    )
    result = run("factors", "apply-review", tmp_path / "f.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert "-16.7 %" in shown and "+33.3 %" in shown  # 3 -> 2.5, air 0.3 -> 0.4
