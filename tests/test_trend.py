"""`hginv trend`: a consultant's three Valdoria workbooks (2015, 2018, 2021) as one series.

The series must give, year by year, exactly what `hginv compute` gives; interpolated years and
the recalculation against submitted results are checked against hand calculations; bad series
are refused with the files named; the workbook carries native charts that LibreOffice draws.
"""

import math
import shutil
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.engine.recalculation import recalculation
from hginventory.engine.trend import (
    GAP,
    STATEMENT,
    VALUE,
    interpolate,
    interpolate_value,
    series_problems,
)
from hginventory.jobs.trend import add_baseline, compute_series, run_trend

from .conftest import EXAMPLES, GOLDEN

YEARS = [EXAMPLES / f"valdoria-{y}.xlsx" for y in (2015, 2018, 2021)]
TREND_GOLDEN = GOLDEN / "trend"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    out = tmp_path_factory.mktemp("trend")
    series, written = run_trend(YEARS, out, fill="interpolate")
    return series, written


def _row(frame, year, code):
    rows = frame[(frame["year"] == year) & (frame["code"] == code)]
    assert len(rows) == 1, f"{year} {code}: {len(rows)} rows"
    return rows.iloc[0]


# --- the story: three workbooks, one command --------------------------------------------------


def test_three_year_example_matches_golden(tmp_path, update_golden):
    result = run("trend", *YEARS, "-o", tmp_path, "--fill", "interpolate")
    assert result.exit_code == 0, result.output
    assert "2016 (no workbook)" in result.output  # filled years are said, never silent
    for name in ("trend.csv", "totals.csv"):
        golden = TREND_GOLDEN / f"valdoria-{name}"
        if update_golden:
            TREND_GOLDEN.mkdir(exist_ok=True)
            golden.write_bytes((tmp_path / name).read_bytes())
            continue
        expected = pd.read_csv(golden, dtype={"code": str})
        actual = pd.read_csv(tmp_path / name, dtype={"code": str})
        pd.testing.assert_frame_equal(actual, expected, rtol=1e-9, check_dtype=False)
    assert (tmp_path / "trend.xlsx").is_file()
    assert not (tmp_path / "recalculation.csv").exists()


def test_each_reported_year_is_what_compute_gives(tmp_path):
    series = compute_series(YEARS)
    assert series.years == [2015, 2018, 2021]
    assert set(series.trend["filled"]) == {"no"}
    for path in YEARS:
        inv = compute(read_activity(path))
        year = inv.country.year
        rows = series.trend[series.trend["year"] == year].reset_index(drop=True)
        expected = inv.results.reset_index(drop=True)
        assert list(rows["code"]) == list(expected["code"])
        for col in ("hg_input_kg", "air_kg", "water_kg", "land_kg", "sector_treatment_kg"):
            assert rows[col].to_numpy() == pytest.approx(expected[col].to_numpy(), rel=1e-12)
        assert list(rows["factor_id"]) == list(expected["factor_id"])
        totals = series.totals.set_index("year").loc[year]
        for key, value in inv.totals().items():
            assert totals[key] == pytest.approx(value, rel=1e-12)


# --- interpolation, by hand -----------------------------------------------------------------


def test_interpolated_year_by_hand(filled, factors):
    series, _ = filled
    trend = series.trend
    assert series.years == list(range(2015, 2022))
    assert series.filled_years == [2016, 2017, 2019, 2020]
    # coal for power: 5.6 Mt in 2015, 6,100,000 t in 2018; 2016 is a third of the way
    coal = _row(trend, 2016, "5.1.1")
    activity = 5_600_000 + (6_100_000 - 5_600_000) / 3
    assert coal["activity"] == pytest.approx(activity)
    assert coal["activity_unit"] == "t"
    assert coal["hg_input_kg"] == pytest.approx(activity * 0.15 / 1000)  # 0.15 g/t
    assert coal["air_kg"] == pytest.approx(activity * 0.15 / 1000 * 0.9)
    assert coal["filled"] == "interpolated"
    # charcoal: absent from the 2018 workbook, 610 kt in 2015, 540 kt in 2021
    charcoal = _row(trend, 2018, "5.1.6b")
    assert charcoal["activity"] == pytest.approx(575_000)
    factor = factors["5.1.6b"].input_factor
    assert charcoal["hg_input_kg"] == pytest.approx(575_000 * factor / 1000)
    assert charcoal["filled"] == "interpolated"
    # a reported value in a workbook year stays as reported
    assert _row(trend, 2018, "5.1.1")["filled"] == "no"
    # light sources scale with the electrification rate, interpolated like the population
    lamps = _row(trend, 2017, "5.4.7")
    population = 17_100_000 + (17_800_000 - 17_100_000) * 2 / 3
    rate = 64.0 + (68.9 - 64.0) * 2 / 3
    row = factors["5.4.7"]
    assert row.scaling == "electrification"
    assert lamps["activity"] == pytest.approx(population)
    assert lamps["hg_input_kg"] == pytest.approx(population * row.input_factor * rate / 100 / 1000)


def test_nothing_extrapolated_and_statements_kept(filled):
    series, _ = filled
    trend = series.trend
    # the incinerator and the retorts began in 2017 (NO in 2015): no value before 2018
    for code in ("5.7.1", "5.2.2c"):
        years = sorted(trend.loc[trend["code"] == code, "year"])
        assert years == [2018, 2019, 2020, 2021]
    assert trend["year"].min() == 2015 and trend["year"].max() == 2021
    # a year without a workbook has only interpolated rows; a workbook year only its gaps
    for year in series.filled_years:
        assert set(trend.loc[trend["year"] == year, "filled"]) == {"interpolated"}
    assert set(
        trend.loc[(trend["year"] == 2018) & (trend["filled"] == "interpolated"), "code"]
    ) == {
        "5.1.6b",
        "5.3.3a",
    }
    totals = series.totals.set_index("year")
    assert totals.loc[2016, "input_file"] == "(interpolated)"
    assert totals.loc[2018, "filled_rows"] == 2


def test_interpolate_rules_on_a_small_series():
    def state(year, code, s, activity=math.nan):
        return {"year": year, "code": code, "state": s, "activity": activity, "unit": "t"}

    states = pd.DataFrame(
        [
            state(2010, "5.1.1", VALUE, 100.0),
            state(2012, "5.1.1", GAP),  # NE or blank: filled
            state(2014, "5.1.1", VALUE, 200.0),
            state(2010, "5.1.2", VALUE, 10.0),
            state(2012, "5.1.2", STATEMENT),  # NO: blocks the line on both sides
            state(2014, "5.1.2", VALUE, 30.0),
            state(2012, "5.1.5", VALUE, 5.0),  # one value: nothing to interpolate
        ]
    )
    out = interpolate(states)
    assert list(out["code"].unique()) == ["5.1.1"]
    assert list(out["year"]) == [2011, 2012, 2013]
    assert list(out["activity"]) == pytest.approx([125.0, 150.0, 175.0])
    assert set(out["from_year"]) == {2010} and set(out["to_year"]) == {2014}
    assert interpolate_value(2012, {2010: 10.0, 2014: 20.0}) == pytest.approx(15.0)
    assert interpolate_value(2012, {2010: None, 2014: 20.0}) is None


def test_an_alternative_activity_is_not_filled_over_a_reported_one(factors):
    """ASGM mercury used (5.2.2d) replaces gold produced (5.2.2a): a gap of 5.2.2d is not filled
    in a year that reports 5.2.2a, so a reported figure is never replaced by an estimate."""
    rows = [
        {"year": 2010, "code": "5.2.2d", "state": VALUE, "activity": 10.0, "unit": "kg"},
        {"year": 2011, "code": "5.2.2d", "state": GAP, "activity": math.nan, "unit": "kg"},
        {"year": 2011, "code": "5.2.2a", "state": VALUE, "activity": 50.0, "unit": "kg"},
        {"year": 2012, "code": "5.2.2d", "state": VALUE, "activity": 20.0, "unit": "kg"},
    ]
    assert interpolate(pd.DataFrame(rows), factors).empty


# --- recalculation, by hand -------------------------------------------------------------------


def _old_table(tmp_path):
    """The factor table as exported, with coal for power at 0.2 g/t instead of 0.15."""
    table = tmp_path / "old.csv"
    assert run("factors", "export", "-o", table, "--version", "2019-old").exit_code == 0
    text = table.read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("5.1.1,"))
    table.write_text(text.replace(line, line.replace(",t,0.15,", ",t,0.2,", 1)), "utf-8")
    return table


def test_recalculation_against_a_batch_run_with_an_older_table(tmp_path):
    base = tmp_path / "submitted"
    done = run("batch", *YEARS, "-o", base, "--factors", _old_table(tmp_path), "-j", "1")
    assert done.exit_code == 0, done.output
    out = tmp_path / "trend"
    result = run("trend", *YEARS, "-o", out, "--fill", "interpolate", "--baseline", base)
    assert result.exit_code == 0, result.output
    recalc = pd.read_csv(out / "recalculation.csv", dtype={"code": str})
    assert sorted(set(recalc["year"])) == [2015, 2018, 2021]  # submitted years only
    coal = _row(recalc, 2015, "5.1.1")
    assert coal["submitted_input_kg"] == pytest.approx(5.6e6 * 0.2 / 1000)  # 1,120 kg
    assert coal["recalculated_input_kg"] == pytest.approx(5.6e6 * 0.15 / 1000)  # 840 kg
    assert coal["input_change_kg"] == pytest.approx(-280)
    assert coal["air_change_kg"] == pytest.approx(-280 * 0.9)
    assert coal["reason"].startswith("input factor changed")
    assert "unep-toolkit-l1@2019-old:5.1.1" in coal["reason"]
    assert "unep-toolkit-l1@2019-2.1.r3:5.1.1" in coal["reason"]
    added = _row(recalc, 2018, "5.1.6b")
    assert added["reason"] == "sub-category added (interpolated)"
    assert added["submitted_input_kg"] == 0
    moved = recalc[recalc["reason"] != "unchanged"]
    assert sorted(zip(moved["year"], moved["code"], strict=True)) == [
        (2015, "5.1.1"),
        (2018, "5.1.1"),
        (2018, "5.1.6b"),
        (2018, "5.3.3a"),
        (2021, "5.1.1"),
    ]
    sheet = load_workbook(out / "trend.xlsx")["Recalculation"]
    assert any(str(c.value).startswith("input factor changed") for c in sheet["O"])


def test_recalculation_against_an_earlier_trend(tmp_path):
    """Last round's trend folder as the baseline: only what its workbooks gave is compared."""
    earlier = tmp_path / "earlier"
    old = _old_table(tmp_path)
    assert (
        run("trend", *YEARS, "-o", earlier, "--fill", "interpolate", "--factors", old).exit_code
        == 0
    )
    series = add_baseline(compute_series(YEARS, fill="interpolate"), earlier)
    recalc = series.recalculation
    assert sorted(set(recalc["year"])) == [2015, 2018, 2021]  # not the filled years
    coal = _row(recalc, 2018, "5.1.1")
    assert coal["submitted_input_kg"] == pytest.approx(6.1e6 * 0.2 / 1000)
    assert coal["reason"].startswith("input factor changed")  # told without input_factor
    assert _row(recalc, 2018, "5.1.6b")["reason"] == "sub-category added (interpolated)"
    assert (recalc["reason"] != "unchanged").sum() == 5


def test_recalculation_reasons_from_compute_csvs(tmp_path):
    """Submitted CSVs named with their year; one row edited, one added, one taken out."""
    base = tmp_path / "submitted"
    base.mkdir()
    for path in YEARS[1:]:
        out = base / f"{path.stem}-inventory.csv"
        assert run("compute", path, "--csv", out, "-o", tmp_path / "x.xlsx", "-q").exit_code == 0
    csv = base / "valdoria-2021-inventory.csv"
    frame = pd.read_csv(csv, dtype={"code": str}, keep_default_na=False)
    cement = frame["code"] == "5.3.1"
    frame.loc[cement, "activity"] = 5_000_000  # submitted with an older activity figure
    frame.loc[cement, "hg_input_kg"] = frame.loc[cement, "hg_input_kg"] * 5_000_000 / 5_600_000
    frame.loc[cement, "air_kg"] = frame.loc[cement, "air_kg"] * 5_000_000 / 5_600_000
    extra = frame[frame["code"] == "5.2.4"].copy()
    extra["code"], extra["sub_category"] = "5.2.3", "Zinc extraction and initial processing"
    frame = pd.concat([frame[frame["code"] != "5.9.2"], extra])
    frame.to_csv(csv, index=False)
    series = compute_series(YEARS)
    recalc = add_baseline(series, base).recalculation
    assert sorted(set(recalc["year"])) == [2018, 2021]
    cement_row = _row(recalc, 2021, "5.3.1")
    assert cement_row["reason"] == "activity changed"
    assert cement_row["submitted_activity"] == 5_000_000
    assert cement_row["input_change_kg"] == pytest.approx(
        cement_row["recalculated_input_kg"] * (1 - 5_000_000 / 5_600_000)
    )
    assert _row(recalc, 2021, "5.2.3")["reason"] == "sub-category removed"
    assert _row(recalc, 2021, "5.2.3")["recalculated_input_kg"] == 0
    assert _row(recalc, 2021, "5.9.2")["reason"] == "sub-category added"
    assert set(recalc.loc[recalc["year"] == 2018, "reason"]) == {"unchanged"}


def test_recalculation_of_plain_frames():
    """The DataFrame function a notebook calls: a changed distribution, same input factor."""
    submitted = pd.DataFrame(
        {
            "year": [2020],
            "code": ["5.1.2"],
            "sub_category": ["Other coal uses"],
            "activity": [1000.0],
            "activity_unit": ["t"],
            "input_factor": [0.15],
            "hg_input_kg": [0.15],
            "air_kg": [0.15],
            "factor_id": ["t@1:5.1.2"],
        }
    )
    trend = submitted.assign(air_kg=[0.12], factor_id=["t@2:5.1.2"], filled=["no"])
    row = recalculation(submitted, trend).iloc[0]
    assert row["reason"] == "distribution factors changed: t@1:5.1.2 -> t@2:5.1.2"
    assert row["air_change_kg"] == pytest.approx(-0.03)
    assert row["input_change_kg"] == 0


# --- bad series: located errors, nothing written ----------------------------------------------


def test_two_workbooks_for_one_year_are_named(tmp_path):
    out = tmp_path / "out"
    result = run("trend", *YEARS, EXAMPLES / "valdoria-2021-level2.xlsx", "-o", out)
    assert result.exit_code == 1
    assert "valdoria-2021-level2.xlsx" in result.output and "valdoria-2021.xlsx" in result.output
    assert "a second workbook for 2021" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_two_countries_are_named(tmp_path, make_workbook):
    other = make_workbook(
        [("5.1.1", 1000, "t")], {"country": "Ruritania", "year": 2019}, name="Ruritania 2019.xlsx"
    )
    result = run("trend", *YEARS, other, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "Ruritania 2019.xlsx" in result.output and "another country" in result.output
    assert "Republic of Valdoria" in result.output


def test_one_country_by_iso3_or_by_name():
    def entry(file, country, iso3, year):
        return {"file": file, "country": country, "iso3": iso3, "year": year}

    same = [entry("a", "Valdoria", "XVL", 2015), entry("b", "Republic of Valdoria", "XVL", 2018)]
    assert series_problems(same) == []  # the name changed, the code did not
    assert (
        series_problems([entry("a", "Valdoria", "", 2015), entry("b", " valdoria", "XVL", 2018)])
        == []
    )
    other = series_problems(
        [entry("a", "Valdoria", "XVL", 2015), entry("b", "Valdoria", "XRU", 2018)]
    )
    assert [(p.code, p.file) for p in other] == [("trend-other-country", "b")]
    assert other[0].found == "Valdoria (XRU)"


def test_year_outside_1950_2100_is_located(tmp_path, make_workbook):
    old = make_workbook(
        [("5.1.1", 1000, "t")],
        {"country": "Republic of Valdoria", "year": 1949},
        name="valdoria-1949.xlsx",
    )
    result = run("trend", YEARS[0], old, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "valdoria-1949.xlsx" in result.output and "country!B3" in result.output
    assert "no trend was computed" in result.output
    # the series check itself, for years a reader might let through
    problems = series_problems(
        [
            {"file": "a.xlsx", "country": "X", "year": 2101},
            {"file": "b.xlsx", "country": "X", "year": 2000},
        ]
    )
    assert [(p.code, p.file) for p in problems] == [("trend-year-out-of-range", "a.xlsx")]
    assert "1950 to 2100" in problems[0].expected


def test_no_input_is_a_usage_error(tmp_path):
    result = run("trend", tmp_path / "nothing-*.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 2


# --- the workbook --------------------------------------------------------------------------------


def test_workbook_has_tables_charts_and_marks_filled_cells(filled):
    _, written = filled
    wb = load_workbook(written["trend.xlsx"])
    assert wb.sheetnames == [
        "Read me",
        "Totals by pathway",
        "Source groups",
        "Input by sub-category",
        "Air by sub-category",
        "Checks",
        "Trend assessment",
        "Series data",
    ]
    for name in ("Totals by pathway", "Source groups"):
        charts = wb[name]._charts
        kinds = sorted(type(c).__name__ for c in charts)
        assert kinds == ["AreaChart", "LineChart"], name
        area = next(c for c in charts if type(c).__name__ == "AreaChart")
        assert area.grouping == "stacked"
        assert len(area.series) >= 6
    totals = wb["Totals by pathway"]
    assert [totals.cell(r, 1).value for r in range(2, 9)] == list(range(2015, 2022))
    assert totals["B2"].number_format == "#,##0.0_)"  # mass: the policy's one decimal
    inputs = wb["Input by sub-category"]
    header = [c.value for c in inputs[3]]
    assert header[:3] == ["Code", "Sub-category", "2015"]
    coal = next(r for r in inputs.iter_rows(min_row=4) if r[0].value == "5.1.1")
    assert coal[2].fill.fgColor.rgb in ("00000000", None) or coal[2].fill.fill_type is None
    assert coal[3].fill.fill_type == "solid"  # 2016 interpolated: shaded
    notes = " ".join(str(c.value) for c in wb["Read me"]["B"] if c.value)
    assert "2016 (no workbook)" in notes and "5.1.6b" in notes


def test_workbook_pages_and_widths_follow_the_shared_helpers(filled):
    """The trend workbook is written with the helpers of every hginv workbook: landscape pages
    one page wide, header rows filled and repeated on each page, widths from the content."""
    _, written = filled
    wb = load_workbook(written["trend.xlsx"])
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    for name, header_row in (("Input by sub-category", 3), ("Series data", 1)):
        ws = wb[name]
        assert ws.print_title_rows == f"${header_row}:${header_row}", name
        assert str(ws.cell(header_row, 1).fill.fgColor.rgb).endswith("DDEBF7"), name
        assert ws.auto_filter.ref.startswith(f"A{header_row}:"), name
    inputs = wb["Input by sub-category"]
    assert inputs.column_dimensions["B"].width > 45  # sub-category names
    assert inputs.column_dimensions["A"].width < 12  # codes


def _text_cells(path, cells):
    """Cells typed as text that look like formulas, as Excel stores `'=1+1`."""
    wb = load_workbook(path)
    for sheet, ref, value in cells:
        cell = wb[sheet][ref]
        cell.value = value
        cell.data_type = "s"
    wb.save(path)
    return path


def test_input_text_stays_text_in_the_workbook(tmp_path, make_workbook):
    paths = [
        _text_cells(
            make_workbook([("5.1.1", 1000 * y, "t")], {"year": 2000 + y}, name=f"c{y}.xlsx"),
            [("country", "B2", "=1+1"), ("activity", "D2", '=HYPERLINK("http://x")')],
        )
        for y in (1, 3)
    ]
    series, written = run_trend(paths, tmp_path / "out", fill="interpolate")
    readme = load_workbook(written["trend.xlsx"])["Read me"]
    cell = readme["A1"]
    assert cell.value == "Mercury inventory trend: =1+1" and cell.data_type == "s"
    assert readme["B3"].value == "=1+1" and readme["B3"].data_type == "s"
    assert series.years == [2001, 2002, 2003]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_draws_the_charts(filled, tmp_path):
    _, written = filled
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written["trend.xlsx"]),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "trend.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Releases by pathway: stacked" in text and "Releases by source group" in text


# --- factor round trip ----------------------------------------------------------------------------


def test_factor_table_round_trip(tmp_path, example_path):
    """export -> change one factor -> diff names it -> CI fails -> compute uses and marks it."""
    exported = tmp_path / "national.csv"
    result = run("factors", "export", "-o", exported)
    assert result.exit_code == 0, result.output
    assert exported.with_suffix(".toml").is_file()
    listed = run("factors", "list", "--csv")
    assert listed.output == exported.read_text("utf-8")  # the same format
    assert run("factors", "validate", exported).exit_code == 0
    same = run(
        "factors", "diff", exported, exported, "--fail-on-change", "--inventory", example_path
    )
    assert same.exit_code == 0, same.output
    edited = tmp_path / "edited.csv"
    text = exported.read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("5.1.2,"))
    edited.write_text(text.replace(line, line.replace(",t,0.15,", ",t,0.3,", 1)), "utf-8")
    edited.with_suffix(".toml").write_text(
        exported.with_suffix(".toml").read_text("utf-8").replace('version = "', 'version = "ci-'),
        "utf-8",
    )
    assert run("factors", "validate", edited).exit_code == 0
    diff = run("factors", "diff", exported, edited, "--json", "--inventory", example_path)
    assert diff.exit_code == 0
    import json

    rows = json.loads(diff.output)["rows"]
    assert [(r["code"], r["field"], r["new"]) for r in rows] == [("5.1.2", "input_factor", "0.3")]
    failing = run(
        "factors", "diff", exported, edited, "--fail-on-change", "--inventory", example_path
    )
    assert failing.exit_code == 3
    assert "5.1.2" in failing.output
    out = tmp_path / "inv.csv"
    computed = run(
        "compute",
        example_path,
        "--factors",
        edited,
        "--csv",
        out,
        "-o",
        tmp_path / "inv.xlsx",
        "-q",
    )
    assert computed.exit_code == 0, computed.output
    frame = pd.read_csv(out, dtype={"code": str}).set_index("code")
    assert frame.at["5.1.2", "input_factor"] == 0.3
    assert frame.at["5.1.2", "hg_input_kg"] == pytest.approx(1_200_000 * 0.3 / 1000)
    assert "(input_factor)" in frame.at["5.1.2", "factor_source"]
    assert "(no value changed)" in frame.at["5.1.1", "factor_source"]
    assert frame.at["5.1.2", "factor_id"].startswith("unep-toolkit-l1@ci-")


def test_export_never_replaces_a_file_without_force(tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("keep", "utf-8")
    assert run("factors", "export", "-o", target).exit_code == 1
    assert target.read_text("utf-8") == "keep"
    assert run("factors", "export", "-o", target, "--force").exit_code == 0
    group = run("factors", "export", "--group", "fuels")
    assert group.exit_code == 0 and all(
        line.startswith("5.1.") for line in group.output.splitlines()[1:]
    )


def test_filled_years_beside_facility_rows_say_they_are_level1(tmp_path):
    series = compute_series([YEARS[1], EXAMPLES / "valdoria-2021-level2.xlsx"], fill="interpolate")
    assert series.filled_years == [2019, 2020]
    filled_rows = series.trend[series.trend["filled"] == "interpolated"]
    assert set(filled_rows["facility"]) == {""}
    assert (series.trend.loc[series.trend["year"] == 2021, "facility"] != "").any()
    assert ("trend-level2-not-interpolated", "warning") in [
        (w.code, w.severity) for w in series.warnings
    ]


# --- the report's trend chapter ---------------------------------------------------------------


def test_report_gains_a_trend_chapter(tmp_path):
    from docx import Document

    base = tmp_path / "submitted"
    assert (
        run("batch", *YEARS, "-o", base, "--factors", _old_table(tmp_path), "-j", "1").exit_code
        == 0
    )
    folder = tmp_path / "trend"
    assert (
        run("trend", *YEARS, "-o", folder, "--fill", "interpolate", "--baseline", base).exit_code
        == 0
    )
    html, docx = tmp_path / "r.html", tmp_path / "r.docx"
    result = run("report", YEARS[2], "--trend", folder, "-o", html, "-o", docx)
    assert result.exit_code == 0, result.output
    page = html.read_text("utf-8")
    assert "Trend over the years" in page and "Recalculation of the submitted inventories" in page
    assert "no workbook: 34 rows interpolated" in page
    assert "2018: interpolated 5.1.6b, 5.3.3a." in page
    assert 'id="fig-trend"><svg' in page
    assert page.index('-trend-over-the-years">') < page.index('<h1 id="s-annex-a')
    headings = [p.text for p in Document(docx).paragraphs if p.style.name.startswith("Heading")]
    assert any(h.endswith("Trend over the years") for h in headings)
    assert any(h.endswith("Recalculation of the submitted inventories") for h in headings)
    plain = tmp_path / "plain.html"
    assert run("report", YEARS[2], "-o", plain).exit_code == 0
    assert "Trend over the years" not in plain.read_text("utf-8")


def test_report_trend_folder_must_hold_the_trend_tables(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "r.html"
    result = run("report", YEARS[2], "--trend", empty, "-o", out)
    assert result.exit_code == 1
    assert "totals.csv" in result.output and "hginv trend" in result.output
    assert not out.exists()


def test_quiet_trend_writes_everything_and_prints_only_the_notice(tmp_path):
    result = run("trend", *YEARS, "-o", tmp_path / "t", "-q")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "recalled" in result.stderr
    assert {p.name for p in (tmp_path / "t").iterdir()} >= {"trend.csv", "totals.csv", "trend.xlsx"}
