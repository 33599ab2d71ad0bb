"""The golden results checked once against a hand calculation, not only against themselves.

The golden CSVs are written by the code under test, so they catch a change but not an error.
Here every Level 1 row of every example is recomputed the way a Toolkit trainer does it on
paper, from the factor table's text (csv module) and the workbook's cells (openpyxl), with
a unit table written out below: no engine, no reader, no pandas. The national totals then
follow the Toolkit's double-counting rules as the factor table states them
(`input_total_weight`, `release_total_exclude`).
"""

import csv
import math

import openpyxl
import pytest

from hginventory import compute, read_activity

from .conftest import EXAMPLES, GOLDEN, ROOT
from .hand_units import ACTIVITY_UNITS, KG_PER, NOTATION, PATHWAYS

LEVEL1_EXAMPLES = ["valdoria-2015", "valdoria-2018", "valdoria-2021"]


def _factor_rows() -> dict[str, dict[str, str]]:
    with open(ROOT / "factors" / "toolkit_level1.csv", newline="", encoding="utf-8") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def _workbook(case: str) -> tuple[dict, list[tuple[str, float, str]]]:
    wb = openpyxl.load_workbook(EXAMPLES / f"{case}.xlsx", read_only=True)
    country = {
        row[0]: row[1]
        for row in wb["country"].iter_rows(min_row=2, values_only=True)
        if row[0] is not None
    }
    activity = []
    for code, value, unit, *_ in wb["activity"].iter_rows(min_row=2, values_only=True):
        if code is None or value is None or (isinstance(value, str) and value in NOTATION):
            continue
        activity.append((str(code), float(value), str(unit)))
    return country, activity


def hand_calculation(
    case: str, include_estimates: bool = False
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Every sub-category's Hg input and six outputs (kg/y), and the national totals: rows
    whose input factor is the project's estimate count only when asked for."""
    factors = _factor_rows()
    country, activity = _workbook(case)
    given = {code for code, _, _ in activity}
    replaced = {factors[c]["replaces"] for c in given if factors[c]["replaces"] in given}
    rows = {}
    for code, value, unit in activity:
        if code in replaced:  # an alternative activity was given instead: reported as IE
            continue
        f = factors[code]
        factor_unit, multiplier = ACTIVITY_UNITS[unit]
        assert factor_unit == f["activity_unit"], (code, unit, f["activity_unit"])
        input_factor = float(f["input_factor"]) * KG_PER[f["input_factor_unit"]]
        if f["scaling"] == "electrification":
            input_factor *= float(country["electrification_rate"]) / 100
        hg_input = value * multiplier * input_factor
        rows[code] = {"hg_input_kg": hg_input}
        rows[code].update({f"{p}_kg": hg_input * float(f[p]) for p in PATHWAYS})
    totals = {"hg_input_kg": 0.0, **{f"{p}_kg": 0.0 for p in PATHWAYS}}
    for code, row in rows.items():
        f = factors[code]
        if f["status"] == "estimated" and not include_estimates:
            continue
        totals["hg_input_kg"] += row["hg_input_kg"] * float(f["input_total_weight"])
        excluded = set(filter(None, f["release_total_exclude"].split(";")))
        for p in PATHWAYS:
            if p not in excluded:
                totals[f"{p}_kg"] += row[f"{p}_kg"]
    return rows, totals


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("case", LEVEL1_EXAMPLES)
def test_every_golden_row_is_the_hand_calculation(case):
    rows, _ = hand_calculation(case)
    with open(GOLDEN / f"{case}.csv", newline="", encoding="utf-8") as fh:
        golden = {row["code"]: row for row in csv.DictReader(fh)}
    assert set(golden) == set(rows), "the golden file and the hand calculation list other codes"
    wrong = [
        f"{code} {name}: golden {golden[code][name]}, by hand {value!r}"
        for code, row in rows.items()
        for name, value in row.items()
        if not _close(float(golden[code][name]), value)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("include_estimates", [False, True])
@pytest.mark.parametrize("case", LEVEL1_EXAMPLES)
def test_national_totals_are_the_hand_calculation(case, include_estimates):
    from hginventory.tables.factors import factors_for

    _, by_hand = hand_calculation(case, include_estimates)
    table = factors_for(include_estimates=include_estimates)
    totals = compute(read_activity(EXAMPLES / f"{case}.xlsx"), table).totals()
    for name, value in by_hand.items():
        assert _close(totals[name], value), (name, totals[name], value)
    assert _close(totals["releases_kg"], sum(by_hand[f"{p}_kg"] for p in PATHWAYS))


def test_the_hand_calculation_is_not_empty():
    """A guard on the guard: the hand calculation covers most of the example's rows and a
    known row by its arithmetic (5.1.1: 6,500,000 t x 0.15 g/t = 975 kg)."""
    rows, _ = hand_calculation("valdoria-2021")
    assert len(rows) > 30
    assert _close(rows["5.1.1"]["hg_input_kg"], 975.0)
