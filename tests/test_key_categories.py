"""Key categories (IPCC Approach 1) and the time-series checks of `trend`: a reviewer's first
questions (issue 25). The hand calculations here use plain Python over the golden CSVs' numbers,
not the engine's functions."""

from __future__ import annotations

import csv
import io

import fastparquet
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.columns import CSV_COLUMNS
from hginventory.engine.keycat import trend_assessment
from hginventory.tables.factors import load_factors
from hginventory.write.csv import write_csv

from .conftest import EXAMPLES, GOLDEN

CASES = sorted(p.stem for p in EXAMPLES.glob("*.xlsx") if not p.name.startswith("~$"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def hand_key_categories(rows: list[dict]) -> dict[str, str]:
    """The key_category of every code, by hand from result rows as the CSV gives them: releases
    counted in the totals (the factor row's excluded pathways count zero, and so does a Level 1
    row on a value the project estimated), facility rows added into their code, sorted largest
    first; key while the cumulative share before the code is below 95 %."""
    table = load_factors()
    excluded = {r.code: set(r.release_total_exclude) for r in table.rows}
    sums: dict[str, dict[str, float]] = {}
    for row in rows:
        code = row["code"]
        aside = row["status"] == "estimated" and row["method"] == "default"
        counted = {
            p: 0.0 if aside or p in excluded.get(code, set()) else float(row[f"{p}_kg"])
            for p in ("air", "water", "land")
        }
        s = sums.setdefault(code, {"air": 0.0, "water-land": 0.0})
        s["air"] += counted["air"]
        s["water-land"] += counted["water"] + counted["land"]
    key: dict[str, list[str]] = {code: [] for code in sums}
    for name in ("air", "water-land"):
        total = sum(s[name] for s in sums.values())
        before = 0.0
        for code in sorted(sums, key=lambda c: (-sums[c][name], c)):
            if sums[code][name] > 0 and before / total < 0.95:
                key[code].append(name)
            before += sums[code][name]
    return {code: ";".join(names) for code, names in key.items()}


@pytest.mark.parametrize("case", CASES)
def test_key_category_column_matches_a_hand_calculation(case, tmp_path):
    with open(GOLDEN / f"{case}.csv", encoding="utf-8", newline="") as f:
        golden = list(csv.DictReader(f))
    expected = hand_key_categories(golden)
    assert any(expected.values()), "the example has key categories"
    out = write_csv(compute(read_activity(EXAMPLES / f"{case}.xlsx")), tmp_path / "r.csv")
    with open(out, encoding="utf-8", newline="") as f:
        computed = list(csv.DictReader(f))
    # the column holds the hand result on every row of the code, facility rows too: in the
    # reviewed golden CSV, and in what compute writes now (test_golden keeps the two equal)
    assert [r["key_category"] for r in golden] == [expected[r["code"]] for r in golden]
    now = hand_key_categories(computed)
    assert [(r["code"], r["key_category"]) for r in computed] == [
        (r["code"], now[r["code"]]) for r in computed
    ]


def test_a_code_that_crosses_95_percent_is_key_and_the_next_is_not(make_workbook, tmp_path):
    """Cement makes over 95 % of the air releases: it is key (nothing before it); coal comes
    after more than 95 % and is not key to air."""
    book = make_workbook([("5.3.1", 960_000, "t"), ("5.1.1", 10_000, "t")])
    inv = compute(read_activity(book))
    rows = inv.csv_frame()
    air = dict(zip(rows["code"], rows["key_category"], strict=True))
    shares = inv.counted_releases()["air_kg"] / inv.counted_releases()["air_kg"].sum()
    assert float(shares.iloc[list(rows["code"]).index("5.3.1")]) > 0.95
    assert air["5.3.1"].split(";")[0] == "air"
    assert "air" not in air["5.1.1"].split(";")


def test_batch_all_csv_and_parquet_carry_the_column_and_equal_compute(tmp_path):
    out = tmp_path / "out"
    inputs = [EXAMPLES / "valdoria-2021.xlsx", EXAMPLES / "valdoria-2021-level2.xlsx"]
    result = run("batch", *inputs, "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    for path in inputs:
        single = tmp_path / path.stem
        single.mkdir()
        assert run("compute", path, "-o", single / "x.xlsx", "-q").exit_code == 0
        mine = (out / "countries" / f"{path.stem}.csv").read_bytes()
        assert mine == (single / "x.csv").read_bytes()
        assert mine.split(b"\n", 1)[0].decode().split(",") == CSV_COLUMNS
    combined = pd.read_csv(out / "all.csv", dtype={"key_category": str}, keep_default_na=False)
    assert "key_category" in combined.columns
    assert set(combined["key_category"]) <= {"", "air", "water-land", "air;water-land"}
    parquet = fastparquet.ParquetFile(out / "all.parquet").to_pandas()
    assert parquet["key_category"].fillna("").tolist() == combined["key_category"].tolist()


def test_workbook_sheet_and_report_chapter_show_the_key_categories(tmp_path):
    out = tmp_path / "inv.xlsx"
    assert run("compute", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "-q").exit_code == 0
    frame = pd.read_csv(out.with_suffix(".csv"), keep_default_na=False)
    air_key = [c for c, k in zip(frame["code"], frame["key_category"], strict=True) if "air" in k]
    ws = load_workbook(out)["Key categories"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] == "air" and r[7] == "yes"]
    assert [r[2] for r in rows] == sorted(set(air_key), key=[r[2] for r in rows].index)
    assert set(r[2] for r in rows) == set(air_key)
    shares = [r[6] for r in rows]
    assert shares == sorted(shares) and shares[-2] < 0.95 <= shares[-1]
    report = tmp_path / "r.html"
    result = run("report", EXAMPLES / "valdoria-2021.xlsx", "-o", report)
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    chapter = text[text.index("Quality control") :]
    assert "Key categories of releases to air" in chapter
    assert "Where better data would change the national total most" in chapter
    assert all(code in chapter for code in air_key)


# --- trend ---------------------------------------------------------------------------------


def three_years(make_workbook, coal=(1_000_000, 1_100_000, 3_000_000)):
    """A 3-year series with one planted jump (coal 1.1 Mt -> 3 Mt from 2016 to 2017), cement
    steady, and 5.1.2 missing in 2016."""
    books = []
    for i, year in enumerate((2015, 2016, 2017)):
        rows = [("5.1.1", coal[i], "t"), ("5.3.1", 500_000 + 10_000 * i, "t")]
        if year != 2016:
            rows.append(("5.1.2", 200_000, "t"))
        books.append(make_workbook(rows, {"year": year}, name=f"testland-{year}.xlsx"))
    return books


def test_trend_lists_the_planted_jump(tmp_path, make_workbook):
    books = three_years(make_workbook)
    out = tmp_path / "trend"
    result = run("trend", *books, "-o", out)
    assert result.exit_code == 0, result.output
    assert "trend-jump" in result.output and "+172.7 %" in result.output
    checks = pd.read_csv(out / "checks.csv", dtype={"code": str})
    jumps = checks[checks["check"] == "trend-jump"]
    assert jumps[["code", "year_before", "year"]].values.tolist() == [["5.1.1", 2016, 2017]]
    assert jumps["before"].tolist() == [1_100_000] and jumps["after"].tolist() == [3_000_000]
    gaps = checks[checks["check"] == "trend-gap"]
    assert gaps[["code", "year", "detail"]].values.tolist() == [
        ["5.1.2", 2016, "no result in 2016"]
    ]
    assert set(checks["check"]) == {"trend-jump", "trend-gap"}  # cement's 2 % a year is quiet
    sheet = load_workbook(out / "trend.xlsx")["Checks"]
    cells = [r for r in sheet.iter_rows(values_only=True) if r[0] == "trend-jump"]
    assert cells == [("trend-jump", "5.1.1", cells[0][2], 2016, 2017, cells[0][5])]
    assert "+172.7 %" in cells[0][5]


def test_jump_threshold_is_an_option(tmp_path, make_workbook):
    books = three_years(make_workbook)
    result = run("trend", *books, "-o", tmp_path / "t", "--jump", "200")
    assert result.exit_code == 0, result.output
    checks = pd.read_csv(tmp_path / "t" / "checks.csv")
    assert "trend-jump" not in set(checks["check"])
    assert run("trend", *books, "-o", tmp_path / "u", "--jump", "0").exit_code == 2


def test_trend_assessment_by_hand():
    """IPCC 2006 Vol. 1 Eq. 4.2 on a tiny series: base totals 100, latest 120 (change +20 %).
    A 60 -> 30: 0.6 x |-0.5 - 0.2| = 0.42; B 40 -> 70: 0.4 x |0.75 - 0.2| = 0.22; C new, 20:
    20 / 100 = 0.20. Contributions 0.42/0.84, 0.22/0.84, 0.20/0.84."""
    rows = [
        (2000, "A", 60.0),
        (2000, "B", 40.0),
        (2010, "A", 30.0),
        (2010, "B", 70.0),
        (2010, "C", 20.0),
    ]
    series = pd.DataFrame(
        {
            "year": [y for y, _c, _v in rows],
            "code": [c for _y, c, _v in rows],
            "sub_category": [c for _y, c, _v in rows],
            "counted_air_kg": [v for _y, _c, v in rows],
            "counted_water_kg": 0.0,
            "counted_land_kg": 0.0,
        }
    )
    table = trend_assessment(series)
    assert set(table["assessment"]) == {"air"}  # nothing to water or land
    assert table["code"].tolist() == ["A", "B", "C"]
    assert table["trend"].tolist() == pytest.approx([0.42, 0.22, 0.20])
    assert table["contribution"].tolist() == pytest.approx([0.5, 0.22 / 0.84, 0.20 / 0.84])
    assert table["cumulative"].tolist() == pytest.approx([0.5, 0.64 / 0.84, 1.0])
    assert table["key"].tolist() == [True, True, True]  # 76 % before C: still below 95 %


def test_trend_assessment_sheet_and_terminal(tmp_path, make_workbook):
    books = three_years(make_workbook)
    out = tmp_path / "trend"
    result = run("trend", *books, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Key categories of the trend (air): 5.1.1" in result.output
    ws = load_workbook(out / "trend.xlsx")["Trend assessment"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "air"]
    assert rows[0][1] == "5.1.1" and rows[0][8] == "yes"
    assert sum(r[6] for r in rows) == pytest.approx(1.0)


def test_checks_csv_is_the_same_in_french(tmp_path, make_workbook):
    books = three_years(make_workbook)
    assert run("trend", *books, "-o", tmp_path / "en").exit_code == 0
    result = run("trend", *books, "-o", tmp_path / "fr", "--lang", "fr")
    assert result.exit_code == 0, result.output
    en = (tmp_path / "en" / "checks.csv").read_bytes()
    assert en == (tmp_path / "fr" / "checks.csv").read_bytes()
    assert "activité" in result.output
    assert list(csv.reader(io.StringIO(en.decode())))[0][0] == "check"


def test_trend_names_a_method_change(tmp_path):
    """The Level 1 example as 2020, the Level 2 example (same activity, facility rows) as 2021:
    every code that gained facility rows is a `trend-method-change`, said once per code."""
    import shutil

    earlier = tmp_path / "valdoria-2020.xlsx"
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", earlier)
    book = load_workbook(earlier)
    sheet = book["country"]
    for row in sheet.iter_rows():
        if row[0].value == "year":
            row[1].value = 2020
    book.save(earlier)
    out = tmp_path / "trend"
    result = run("trend", earlier, EXAMPLES / "valdoria-2021-level2.xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    checks = pd.read_csv(out / "checks.csv", dtype={"code": str})
    changes = checks[checks["check"] == "trend-method-change"]
    assert "5.2.2a" in set(changes["code"]) and changes["code"].is_unique
    row = changes[changes["code"] == "5.2.2a"].iloc[0]
    assert (row["year_before"], row["year"]) == (2020, 2021)
    assert row["detail"] == "method: default -> level2"


def test_level2_weight_uses_the_monte_carlo_interval_when_the_uncertainty_ran():
    from hginventory.engine.keycat import key_categories, level2_priorities
    from hginventory.engine.uncertainty import with_uncertainty

    inv = compute(read_activity(EXAMPLES / "valdoria-2021.xlsx"))
    plain = key_categories(inv)
    assert set(plain["range_source"]) == {"factor-range"}
    row = plain[(plain["assessment"] == "air") & (plain["code"] == "5.1.1")].iloc[0]
    f = inv.factors["5.1.1"]
    assert row["range_relative"] == pytest.approx(
        (f.input_factor_high - f.input_factor_low) / f.input_factor
    )
    ranged = key_categories(with_uncertainty(inv, draws=500, seed=7))
    assert set(ranged["range_source"]) == {"monte-carlo"}
    assert ranged["level2_weight"].tolist() == pytest.approx(
        (ranged["share"] * ranged["range_relative"]).tolist(), nan_ok=True
    )
    top = level2_priorities(ranged)
    assert top["key"].all() and top["level2_weight"].is_monotonic_decreasing


def test_report_with_the_trend_lists_its_checks(tmp_path, make_workbook):
    books = three_years(make_workbook)
    out = tmp_path / "trend"
    assert run("trend", *books, "-o", out).exit_code == 0
    report = tmp_path / "r.html"
    result = run("report", books[-1], "--trend", out, "-o", report)
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    section = text[text.index("Time-series checks") :]
    assert "trend-jump" in section and "activity +172.7\u00a0% from 2016 to 2017" in section
    assert "no result in 2016" in section
