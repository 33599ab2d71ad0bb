"""Result files read back (diff, trend --baseline, report --trend), handed over and edited.

A focal point compares this year's inventory with last year's, a consultant recalculates a
series against the inventories as submitted, a report gains the trend chapter. The files they
give were written by hginv, then opened, edited, renamed or mixed up with another country's.
Each test builds its files (compute, trend, then pandas/openpyxl edits) and expects either
the right comparison or a located refusal; never a silent wrong number, never a traceback.
"""

import shutil
import unicodedata

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main

from .conftest import EXAMPLES

Y2015, Y2018, Y2021 = (EXAMPLES / f"valdoria-{y}.xlsx" for y in (2015, 2018, 2021))
LEVEL2 = EXAMPLES / "valdoria-2021-level2.xlsx"


def run(*args):
    return CliRunner(env={"COLUMNS": "200"}).invoke(main, [str(a) for a in args])


def refused(result, *words):
    """Exit 1, the words in the message, no traceback and no 'unexpected problem'."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "unexpected problem" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


def compute(workbook, folder, name=None):
    """`hginv compute` of `workbook` into `folder`: (workbook, CSV) of the inventory."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = name or f"{workbook.stem}-inventory"
    book, csv = folder / f"{stem}.xlsx", folder / f"{stem}.csv"
    result = run("compute", workbook, "-o", book, "--csv", csv, "-q")
    assert result.exit_code == 0, result.output
    return book, csv


def another_country(source, path, country="Kingdom of Norland", iso3="XNL"):
    """The activity workbook `source` as another country's (country and iso3 fields)."""
    wb = load_workbook(source)
    for row in wb["country"].iter_rows():
        if row[0].value == "country":
            row[1].value = country
        if row[0].value == "iso3":
            row[1].value = iso3
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The 2018, 2021 and Level 2 inventories of Valdoria, each as workbook and CSV."""
    folder = tmp_path_factory.mktemp("results")
    return {
        "2018": compute(Y2018, folder / "2018"),
        "2021": compute(Y2021, folder / "2021"),
        "level2": compute(LEVEL2, folder / "level2"),
    }


@pytest.fixture(scope="module")
def earlier_trend(tmp_path_factory):
    """Last round's trend folder of 2015 and 2018."""
    out = tmp_path_factory.mktemp("earlier") / "trend"
    result = run("trend", Y2015, Y2018, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def copy_folder(source, target):
    shutil.copytree(source, target)
    return target


# --- trend --baseline --------------------------------------------------------------------------


def test_baseline_of_another_country_is_refused_naming_both(tmp_path):
    base = tmp_path / "submitted"
    norland = another_country(Y2018, tmp_path / "norland-2018.xlsx")
    compute(norland, base)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "Kingdom of Norland (XNL)", "Republic of Valdoria (XVL)")
    assert not (tmp_path / "t" / "recalculation.csv").exists()


def test_baseline_csv_named_for_another_country_is_refused(tmp_path, results):
    base = tmp_path / "submitted"
    base.mkdir()
    shutil.copy(results["2018"][1], base / "norland-2018-inventory.csv")
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "norland-2018-inventory.csv", "Republic of Valdoria")


def test_a_country_typed_nfc_one_year_and_nfd_the_next_is_one_series(tmp_path):
    name = "Côte d'Ivoire"
    first = another_country(
        Y2015, tmp_path / "ci-2015.xlsx", unicodedata.normalize("NFC", name), ""
    )
    second = another_country(
        Y2018, tmp_path / "ci-2018.xlsx", unicodedata.normalize("NFD", name), ""
    )
    result = run("trend", first, second, "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output


def test_overlapping_years_from_two_baseline_files_name_both(tmp_path, results):
    base = tmp_path / "submitted"
    base.mkdir()
    shutil.copy(results["2018"][1], base / "valdoria-2018-inventory.csv")
    shutil.copy(results["2018"][1], base / "valdoria-2018-revised.csv")
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "valdoria-2018-inventory.csv", "valdoria-2018-revised.csv", "2018")


def test_a_baseline_csv_over_2_mb_is_compared_not_skipped(tmp_path, results):
    base = tmp_path / "submitted"
    base.mkdir()
    frame = pd.read_csv(results["2018"][1], dtype=str, keep_default_na=False)
    frame["factor_source"] = "x" * 80_000  # long notes: 2.7 MB, still one country's year
    big = base / "valdoria-2018-inventory.csv"
    frame.to_csv(big, index=False)
    assert big.stat().st_size > 2 * 2**20
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    assert result.exit_code == 0, result.output
    recalc = pd.read_csv(tmp_path / "t" / "recalculation.csv")
    assert set(recalc["year"]) == {2018}


def test_a_baseline_csv_over_the_limit_is_refused_with_the_limit(tmp_path, results):
    base = tmp_path / "submitted"
    base.mkdir()
    big = base / "valdoria-2018-inventory.csv"
    shutil.copy(results["2018"][1], big)
    with open(big, "a", encoding="utf-8") as fh:
        fh.write(("#" * 1023 + "\n") * (21 * 1024))
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "valdoria-2018-inventory.csv", "limit 20 MB")


def test_a_fractional_year_in_totals_csv_is_refused_at_its_cell(tmp_path, earlier_trend):
    base = copy_folder(earlier_trend, tmp_path / "earlier")
    totals = pd.read_csv(base / "totals.csv", dtype=str, keep_default_na=False)
    totals.loc[1, "year"] = "2018.5"
    totals.to_csv(base / "totals.csv", index=False)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "totals.csv", "A3", "2018.5")


def test_a_blank_year_in_all_csv_is_refused_at_its_cell(tmp_path, results):
    base = tmp_path / "batch"
    base.mkdir()
    frame = pd.read_csv(results["2018"][1], dtype=str, keep_default_na=False)
    frame.insert(0, "country", "Republic of Valdoria")
    frame.insert(1, "iso3", "XVL")
    frame.insert(2, "year", "2018")
    frame.insert(3, "input_file", "valdoria-2018.xlsx")
    frame.loc[4, "year"] = ""
    frame.to_csv(base / "all.csv", index=False)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "all.csv", "C6", "not a year")


def test_all_csv_of_another_country_is_refused(tmp_path, results):
    base = tmp_path / "batch"
    base.mkdir()
    frame = pd.read_csv(results["2018"][1], dtype=str, keep_default_na=False)
    frame.insert(0, "country", "Kingdom of Norland")
    frame.insert(1, "iso3", "XNL")
    frame.insert(2, "year", "2018")
    frame.insert(3, "input_file", "norland-2018.xlsx")
    frame.to_csv(base / "all.csv", index=False)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "Kingdom of Norland (XNL)", "Republic of Valdoria (XVL)")


def test_totals_csv_without_input_file_is_refused(tmp_path, earlier_trend):
    base = copy_folder(earlier_trend, tmp_path / "earlier")
    totals = pd.read_csv(base / "totals.csv", dtype=str, keep_default_na=False)
    totals.drop(columns="input_file").to_csv(base / "totals.csv", index=False)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "totals.csv", "input_file")


def test_a_compute_folder_of_a_year_outside_the_series_says_so(tmp_path):
    base = tmp_path / "submitted"
    compute(Y2021, base)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "2021", "2015, 2018", "nothing to compare")


def test_a_compute_folder_of_one_year_is_compared(tmp_path):
    base = tmp_path / "submitted"
    base.mkdir()
    result = run("compute", Y2018, "-o", base, "-q")
    assert result.exit_code == 0, result.output
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "recalculation.csv").is_file()


# --- report --trend ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["", "2018 (revised)"])
def test_report_trend_with_a_year_not_a_year_is_refused(tmp_path, earlier_trend, year):
    folder = copy_folder(earlier_trend, tmp_path / "trend")
    totals = pd.read_csv(folder / "totals.csv", dtype=str, keep_default_na=False)
    totals.loc[1, "year"] = year
    totals.to_csv(folder / "totals.csv", index=False)
    result = run("report", Y2018, "--trend", folder, "-o", tmp_path / "r.html")
    refused(result, "totals.csv", "A3", "not a year")
    assert not (tmp_path / "r.html").exists()


def test_report_trend_of_another_country_is_refused_naming_both(tmp_path, earlier_trend):
    norland = another_country(Y2018, tmp_path / "norland-2018.xlsx")
    result = run("report", norland, "--trend", earlier_trend, "-o", tmp_path / "r.html")
    refused(result, "Republic of Valdoria (XVL)", "Kingdom of Norland (XNL)")
    assert not (tmp_path / "r.html").exists()


def test_report_trend_of_the_same_country_still_gains_its_chapter(tmp_path, earlier_trend):
    result = run("report", Y2018, "--trend", earlier_trend, "-o", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    assert "Trend over the years" in (tmp_path / "r.html").read_text("utf-8")


# --- diff ------------------------------------------------------------------------------------


def edited_csv(source, target, code, column, value):
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[frame["code"] == code, column] = value
    frame.to_csv(target, index=False)
    return target


@pytest.mark.parametrize("value", ["", "nan", "inf"])
def test_diff_of_an_emptied_or_non_finite_value_is_never_unchanged(tmp_path, results, value):
    csv = results["2021"][1]
    edited = edited_csv(csv, tmp_path / "edited.csv", "5.1.1", "air_kg", value)
    result = run("diff", csv, edited)
    refused(result, "edited.csv", "J2", "air_kg")
    assert "unchanged" not in result.output


def test_diff_of_an_emptied_activity_is_a_change(tmp_path, results):
    csv = results["2021"][1]
    edited = edited_csv(csv, tmp_path / "edited.csv", "5.1.1", "activity", "")
    result = run("diff", csv, edited)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("5.1.1"))
    assert "changed" in line and "activity" in line


def test_diff_of_a_thousands_separator_is_refused_at_its_cell(tmp_path, results):
    csv = results["2021"][1]
    edited = edited_csv(csv, tmp_path / "edited.csv", "5.1.1", "hg_input_kg", "1,234.5")
    result = run("diff", csv, edited)
    refused(result, "edited.csv", "I2", "1,234.5")


def test_diff_of_a_workbook_saved_without_computed_values_says_so(tmp_path, results):
    book, csv = results["2021"]
    saved = tmp_path / "saved.xlsx"
    load_workbook(book).save(saved)  # openpyxl keeps the formulas, not their results
    result = run("diff", csv, saved)
    refused(result, "saved.xlsx", "no computed values", "Calculation!", "LibreOffice")


def test_diff_of_level2_csv_against_its_own_workbook_has_no_change(results):
    book, csv = results["level2"]
    result = run("diff", csv, book)
    assert result.exit_code == 0, result.output
    assert "47 sub-categories unchanged" in result.output
    assert "changed" not in result.output.replace("unchanged", "")


def test_diff_of_a_guarded_facility_name_against_its_workbook_has_no_change(tmp_path):
    source = load_workbook(LEVEL2)
    ws = source["facilities"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "Northgate power station":
            row[1].value = "-Northgate power station"
        if row[1].value == "Porto Clor":
            row[1].value = "@Porto Clor"
    source.save(tmp_path / "l2.xlsx")
    book, csv = compute(tmp_path / "l2.xlsx", tmp_path / "out")
    assert "'-Northgate power station" in csv.read_text("utf-8")  # the CSV's formula guard
    result = run("diff", csv, book)
    assert result.exit_code == 0, result.output
    assert "changed" not in result.output.replace("unchanged", "")
    assert "added" not in result.output and "gone" not in result.output


def test_diff_of_two_years_says_so_first(results):
    result = run("diff", results["2018"][0], results["2021"][1])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("warning:") and "2018" in first and "2021" in first


def test_diff_of_two_countries_says_so_first(tmp_path, results):
    book, _csv = compute(another_country(Y2021, tmp_path / "norland-2021.xlsx"), tmp_path)
    result = run("diff", results["2021"][0], book)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("warning:")
    assert "Republic of Valdoria (XVL)" in first and "Kingdom of Norland (XNL)" in first


def test_diff_of_level1_against_level2_compares_national_activity(results):
    result = run("diff", results["2021"][1], results["level2"][1])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        x.startswith("warning:") and "valdoria-2021-level2-inventory.csv has facility" in x
        for x in lines[:3]
    )
    coal = next(x for x in lines if x.startswith("5.1.1 "))
    # Level 2 input: 360 (Kessel Bay) + 191.1 (Northgate, washed abroad) + 180 (Ridgeview) + 45
    assert "(national)" in coal and "975.0" in coal and "776.1" in coal
    assert " 45.0 " not in coal  # the remainder beside the facilities is not the activity
    assert not any(x.startswith("5.1.1 ") and "added" in x for x in lines)


def test_diff_of_a_csv_with_a_column_twice_is_refused(tmp_path, results):
    csv = results["2021"][1]
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    frame["air_kg_again"] = "0"
    edited = tmp_path / "edited.csv"
    frame.rename(columns={"air_kg_again": "air_kg"}).to_csv(edited, index=False)
    result = run("diff", csv, edited)
    refused(result, "edited.csv", "air_kg", "twice")


def test_an_earlier_trend_of_another_country_is_refused_as_baseline(tmp_path, earlier_trend):
    base = copy_folder(earlier_trend, tmp_path / "earlier")
    totals = pd.read_csv(base / "totals.csv", dtype=str, keep_default_na=False)
    totals["country"], totals["iso3"] = "Kingdom of Norland", "XNL"
    totals.to_csv(base / "totals.csv", index=False)
    result = run("trend", Y2015, Y2018, "-o", tmp_path / "t", "--baseline", base)
    refused(result, "Kingdom of Norland (XNL)", "Republic of Valdoria (XVL)", "trend.csv")


def test_diff_of_a_csv_saved_with_semicolons_says_so(tmp_path, results):
    csv = results["2021"][1]
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    saved = tmp_path / "saved.csv"
    frame.replace(r"\.", ",", regex=True).to_csv(saved, index=False, sep=";")
    result = run("diff", csv, saved)
    refused(result, "saved.csv", "semicolons")
