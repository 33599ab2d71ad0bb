"""Uncertainty: a consultant asks how sure the national totals are, and gets ranges that are
statistically right, reproducible and consistent with the mass balance of every draw."""

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from hginventory import compute
from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.core.distributions import Z975, mean, ppf, resolve
from hginventory.core.errors import ActivityError, FactorTableError
from hginventory.engine.uncertainty import (
    QUANTITIES,
    run_uncertainty,
    simulate,
    with_uncertainty,
)
from hginventory.read.activity import read_activity
from hginventory.tables.factors import factors_dir, load_factors

EXTRA = ["factor_distribution", "dist_param1", "dist_param2"]


def factor_table(tmp_path, changes: dict[str, dict], everything: dict | None = None):
    """A copy of the shipped factor table with some rows changed (and the optional columns)."""
    folder = tmp_path / "factors"
    shutil.copytree(factors_dir(), folder, dirs_exist_ok=True)
    path = folder / "toolkit_level1.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0]) + EXTRA
    for row in rows:
        row.update({k: "" for k in EXTRA})
        row.update(everything or {})
        row.update(changes.get(row["code"], {}))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def activity_book(path, rows, country=None):
    """An activity workbook with the optional `uncertainty_pct` column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    ws.append(["field", "value"])
    for item in {
        "country": "Testland",
        "year": 2021,
        "population": 1_000_000,
        "electrification_rate": 50,
        **(country or {}),
    }.items():
        ws.append(list(item))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes", "uncertainty_pct"])
    for code, activity, pct in rows:
        ws.append([code, activity, "", "", pct])
    wb.save(path)
    return path


def inventory(tmp_path, rows, factors=None):
    return compute(read_activity(activity_book(tmp_path / "a.xlsx", rows)), factors)


def stat(res, level, key, quantity, column):
    t = res.summary
    hit = t[(t["level"] == level) & (t["key"] == key) & (t["quantity"] == quantity)]
    assert len(hit) == 1
    return float(hit[column].iloc[0])


# --- the distributions ----------------------------------------------------------------------


def test_default_range_is_a_lognormal_when_the_default_is_the_geometric_mean(tmp_path, factors):
    # 5.1.3a: 0.01 g/t, range 0.001-0.1 (the geometric mean): 1e6 t of crude oil
    inv = inventory(tmp_path, [("5.1.3a", 1_000_000, None)], factors)
    kind, median, below, above = resolve(factors["5.1.3a"])
    assert kind == "splitlognormal" and below == pytest.approx(above)
    assert below == pytest.approx(math.log(10) / 1.959964)
    res = run_uncertainty(inv, draws=200_000, seed=1)
    # closed form: 2.5th/97.5th percentiles at the range ends, median at the default
    assert stat(res, "sub_category", "5.1.3a", "hg_input_kg", "p025") == pytest.approx(1, rel=0.02)
    assert stat(res, "sub_category", "5.1.3a", "hg_input_kg", "median") == pytest.approx(
        10, rel=0.01
    )
    assert stat(res, "sub_category", "5.1.3a", "hg_input_kg", "p975") == pytest.approx(
        100, rel=0.02
    )


def test_explicit_lognormal_percentiles_match_closed_form(tmp_path):
    path = factor_table(
        tmp_path, {"5.1.2": {"factor_distribution": "lognormal", "dist_param1": "2.5"}}
    )
    inv = inventory(tmp_path, [("5.1.2", 2_000_000, None)], load_factors(path))
    res = run_uncertainty(inv, draws=200_000, seed=7)
    point = 2_000_000 * 0.15 / 1000  # kg
    for q, column in [(0.025, "p025"), (0.975, "p975")]:
        expected = point * 2.5 ** (Z975 if q > 0.5 else -Z975)
        got = stat(res, "sub_category", "5.1.2", "air_kg", column)
        assert got == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize(
    "spec",
    [
        {},  # split lognormal from the shipped range 10-25-200
        {"factor_distribution": "triangular", "dist_param1": "5", "dist_param2": "90"},
        {"factor_distribution": "uniform", "dist_param1": "0", "dist_param2": "60"},
    ],
)
def test_mean_of_many_draws_converges_to_the_analytical_mean(tmp_path, spec):
    # 5.4.1a (default 25 g/t) with 10 % activity uncertainty: the gamma keeps the activity mean
    table = load_factors(factor_table(tmp_path, {"5.4.1a": spec}))
    inv = inventory(tmp_path, [("5.4.1a", 1000, 10)], table)
    draws = 100_000
    sim = simulate(inv, draws, seed=3, concentration=100)
    hg = sim["hg_input"][:, 0]
    expected = 1000 * mean(*resolve(table["5.4.1a"])) / 1000  # t x g/t -> kg
    assert abs(hg.mean() - expected) < 4 * hg.std() / math.sqrt(draws)
    # the distribution factors average to the Toolkit defaults
    shares = sim["outputs"][:, 0, :] / hg[:, None]
    defaults = np.array([table["5.4.1a"].distribution[p] for p in PATHWAYS])
    assert np.allclose(shares.mean(axis=0), defaults, atol=4 * shares.std(axis=0).max() / 300)


def test_activity_uncertainty_gives_its_95_percent_interval(tmp_path, factors):
    # factor fixed at 1 kg/kg (5.4.4 mercury used), activity 1000 kg +- 10 %
    inv = inventory(tmp_path, [("5.4.4", 1000, 10)], factors)
    res = run_uncertainty(inv, draws=100_000, seed=11)
    assert stat(res, "sub_category", "5.4.4", "hg_input_kg", "mean") == pytest.approx(
        1000, rel=2e-3
    )
    assert stat(res, "sub_category", "5.4.4", "hg_input_kg", "p025") == pytest.approx(900, rel=0.01)
    assert stat(res, "sub_category", "5.4.4", "hg_input_kg", "p975") == pytest.approx(
        1100, rel=0.01
    )


def range_book(path, rows):
    """An activity sheet giving activity ranges as low/high columns instead of per cent."""
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    for item in [("field", "value"), ("country", "Testland"), ("year", 2021)]:
        ws.append(list(item))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "activity_low", "activity_high", "uncertainty_pct"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_activity_low_high_is_the_same_as_its_larger_half_width(tmp_path, factors):
    """900-1050 kg around 1000 kg: the larger side (10 %) is the U of the analysis."""
    book = range_book(tmp_path / "r.xlsx", [("5.4.4", 1000, "", 900, 1050, "")])
    inv = compute(read_activity(book), factors)
    assert inv.results["uncertainty_pct"].tolist() == [pytest.approx(10.0)]
    res = run_uncertainty(inv, draws=100_000, seed=11)
    same = run_uncertainty(inventory(tmp_path, [("5.4.4", 1000, 10)], factors), 100_000, 11)
    for column in ("p025", "p975"):
        assert stat(res, "sub_category", "5.4.4", "hg_input_kg", column) == stat(
            same, "sub_category", "5.4.4", "hg_input_kg", column
        )


@pytest.mark.parametrize(
    ("row", "cell", "code"),
    [
        (("5.4.4", 1000, "", 1100, 1200, ""), "D2", "range-outside-activity"),  # low above
        (("5.4.4", 1000, "", 800, 900, ""), "E2", "range-outside-activity"),  # high below
        (("5.4.4", 1000, "", 900, 1100, 10), "F2", "uncertainty-twice"),
        (("5.4.4", 1000, "", -5, "", ""), "D2", "range-negative"),
        (("5.4.4", "NE", "", 900, 1100, ""), "D2", "range-without-activity"),
    ],
)
def test_activity_ranges_that_make_no_sense_are_located(tmp_path, row, cell, code):
    data = read_activity(range_book(tmp_path / "r.xlsx", [row]), strict=False)
    assert [(p.cell, p.code) for p in data.errors] == [(cell, code)]


# --- invariants -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valdoria(factors):
    return compute(
        read_activity(Path(__file__).parents[1] / "examples" / "valdoria-2021.xlsx"), factors
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), concentration=st.floats(0.5, 1e4))
def test_mass_balance_holds_in_every_draw(valdoria, seed, concentration):
    inv = valdoria
    sim = simulate(inv, 300, seed, concentration)
    out, hg = sim["outputs"], sim["hg_input"]
    assert np.allclose(out.sum(axis=2), hg, rtol=1e-12, atol=0)
    defaults = inv.results[list(PATHWAYS)].to_numpy() > 0
    assert (out[:, ~defaults] == 0).all()  # a pathway with no share never receives mercury
    assert (out >= 0).all()


def test_same_seed_same_numbers_other_seed_other_numbers(valdoria):
    inv = valdoria
    a = run_uncertainty(inv, draws=2000, seed=42)
    b = run_uncertainty(inv, draws=2000, seed=42)
    c = run_uncertainty(inv, draws=2000, seed=43)
    numbers = ["mean", "median", "p025", "p975"]
    assert a.summary[numbers].to_numpy().tobytes() == b.summary[numbers].to_numpy().tobytes()
    assert a.total_draws.to_numpy().tobytes() == b.total_draws.to_numpy().tobytes()
    assert not np.array_equal(a.summary[numbers].to_numpy(), c.summary[numbers].to_numpy())


def test_with_fixed_factors_the_draws_equal_the_point_estimate(tmp_path, example_path):
    """Every counting rule (double-counting weights, exclusions, groups) is the summary's."""
    table = load_factors(factor_table(tmp_path, {}, everything={"factor_distribution": "fixed"}))
    inv = compute(read_activity(example_path), table)
    res = run_uncertainty(inv, draws=50, seed=0, concentration=math.inf)
    totals = inv.totals()
    for quantity in QUANTITIES:  # the totals the analysis draws (not the derived subtotals)
        value = totals[quantity]
        for column in ["point", "mean", "p025", "p975"]:
            assert stat(res, "total", "national", quantity, column) == pytest.approx(value)
    for row in inv.group_summary().itertuples(index=False):
        assert stat(res, "group", row.source_group, "releases_kg", "p975") == pytest.approx(
            row.releases_kg
        )


# --- Approach 1 -------------------------------------------------------------------------------


def test_approach1_by_hand(tmp_path, factors):
    # 5.1.2: 0.15 g/t (0.05-0.5): U = (0.5 - 0.15) / 0.15 = 233.3 %, all to air
    # 5.9.1: 2.5 g/corpse (1-4): U = 1.5 / 2.5 = 60 %, plus 20 % on the activity
    inv = inventory(tmp_path, [("5.1.2", 100_000, None), ("5.9.1", 4000, 20)], factors)
    res = run_uncertainty(inv, draws=1000)
    u1, u2 = 0.35 / 0.15, math.hypot(0.6, 0.2)
    assert stat(res, "sub_category", "5.1.2", "air_kg", "approach1_u_pct") == pytest.approx(
        100 * u1
    )
    assert stat(res, "sub_category", "5.9.1", "air_kg", "approach1_u_pct") == pytest.approx(
        100 * u2
    )
    x1, x2 = 15.0, 10.0  # kg to air
    total_u = math.hypot(u1 * x1, u2 * x2) / (x1 + x2)
    assert stat(res, "total", "national", "air_kg", "approach1_u_pct") == pytest.approx(
        100 * total_u
    )
    assert stat(res, "total", "national", "air_kg", "approach1_low") == 0  # cut at zero
    assert stat(res, "total", "national", "air_kg", "approach1_high") == pytest.approx(
        25 * (1 + total_u)
    )
    assert ppf("splitlognormal", 0.15, *resolve(factors["5.1.2"])[2:], 0.975) == pytest.approx(0.5)


# --- checks at load ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ({"factor_distribution": "lognormal", "dist_param1": "0.5"}, "dist_param1", "above 1"),
        ({"factor_distribution": "lognormal"}, "dist_param1", "geometric standard deviation"),
        (
            {"factor_distribution": "triangular", "dist_param1": "0.1", "dist_param2": "0.12"},
            "dist_param2",
            "below input_factor",
        ),
        (
            {"factor_distribution": "uniform", "dist_param1": "0.2", "dist_param2": "0.3"},
            "dist_param1",
            "above input_factor",
        ),
        ({"factor_distribution": "fixed", "dist_param2": "3"}, "dist_param2", "takes no"),
        ({"factor_distribution": "beta"}, "factor_distribution", "Input should be"),
    ],
)
def test_invalid_distribution_parameters_are_rejected_at_load(tmp_path, spec, field, message):
    path = factor_table(tmp_path, {"5.1.2": spec})
    with pytest.raises(FactorTableError) as caught:
        load_factors(path)
    (problem,) = caught.value.problems
    assert problem.code == "factor-row-invalid" and problem.file == str(path)
    assert problem.cell == f"line 3 (code 5.1.2), field '{field}'"
    assert message in problem.message  # the code is any bad field: the message says why


def test_activity_uncertainty_outside_0_100_is_located(tmp_path, factors):
    path = activity_book(tmp_path / "a.xlsx", [("5.1.1", 1000, 150), ("5.1.2", 10, "ten")])
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    found = {(p.cell, p.code) for p in caught.value.errors}
    assert found == {("E2", "uncertainty-range"), ("E3", "not-a-number")}


# --- the focal point's command ----------------------------------------------------------------


def test_compute_with_uncertainty_writes_sheet_and_columns(tmp_path, example_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["compute", str(example_path), "--uncertainty", "--draws", "2000", "--seed", "5"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Uncertainty: 2,000 Monte Carlo draws, seed 5" in result.output
    first = (tmp_path / "valdoria-2021-inventory.csv").read_bytes()
    with open(tmp_path / "valdoria-2021-inventory.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for q in ["hg_input_kg", "air_kg", "sector_treatment_kg"]:
        for row in rows:
            low, high = float(row[f"{q}_p025"]), float(row[f"{q}_p975"])
            assert low <= high
            if q == "hg_input_kg":
                assert low < float(row[q]) < high or low == float(row[q]) == high
    wb = load_workbook(tmp_path / "valdoria-2021-inventory.xlsx", read_only=True)
    assert "Uncertainty" in wb.sheetnames
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True)}
    assert meta["uncertainty_seed"] == 5 and meta["uncertainty_draws"] == 2000
    assert list(rows[0])[-1] == "sector_treatment_kg_p975"
    wb.close()
    # same seed, same file content
    assert runner.invoke(main, args).exit_code == 0
    assert (tmp_path / "valdoria-2021-inventory.csv").read_bytes() == first


def test_without_the_flag_nothing_changes(valdoria):
    inv = valdoria
    assert inv.uncertainty is None
    assert not any(c.endswith("_p025") for c in inv.csv_frame().columns)
    assert "uncertainty_seed" not in inv.metadata
    withu = with_uncertainty(inv, draws=100)
    assert withu.metadata["uncertainty_draws"] == 100 and "uncertainty_seed" not in inv.metadata


def test_factor_table_distribution_reaches_the_csv(tmp_path, make_workbook, monkeypatch):
    # a reviewer marks crematoria (all to air) as exact: its range collapses to the point value
    table = factor_table(tmp_path, {"5.9.1": {"factor_distribution": "fixed"}})
    book = make_workbook([("5.9.1", 4000), ("5.9.2", 4000)])
    monkeypatch.chdir(tmp_path)
    args = ["compute", str(book), "--factors", str(table), "--uncertainty", "--draws", "500"]
    result = CliRunner().invoke(main, [*args, "--csv", "out.csv", "-o", "out.xlsx"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", encoding="utf-8") as fh:
        rows = {row["code"]: row for row in csv.DictReader(fh)}
    exact, ranged = rows["5.9.1"], rows["5.9.2"]
    assert float(exact["air_kg_p025"]) == float(exact["air_kg"]) == float(exact["air_kg_p975"])
    assert float(ranged["land_kg_p025"]) < float(ranged["land_kg"]) < float(ranged["land_kg_p975"])


def test_too_few_draws_is_a_usage_error(example_path):
    result = CliRunner().invoke(
        main, ["compute", str(example_path), "--uncertainty", "--draws", "1"]
    )
    assert result.exit_code == 2 and "--draws" in result.output
