"""Invariants that must hold for any input, checked with hypothesis."""

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hginventory.core.columns import OUTPUT_COLUMNS
from hginventory.engine.calculate import compute_long
from hginventory.model.activity import ActivityData, CountryInfo
from hginventory.model.facilities import FacilityData
from hginventory.tables.factors import load_factors

FACTORS = load_factors()
CODES = FACTORS.codes

activity_rates = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


def compute(activity: ActivityData, factors):
    """The engine alone on records taken as checked: the invariants hold for any finite rate,
    even one the plausibility screens would refuse."""
    (inventory,) = compute_long([activity], factors, [FacilityData(activity.path)], [[]]).outcomes()
    return inventory


def activity_data(rates: dict[str, float], electrification: float) -> ActivityData:
    rows = [
        {
            "code": code,
            "activity": rate,
            "notation": "",
            "unit": "",
            "notes": "",
            "row": i + 2,
            "activity_cell": f"B{i + 2}",
            "unit_cell": f"C{i + 2}",
            "code_cell": f"A{i + 2}",
            "given": True,
        }
        for i, (code, rate) in enumerate(rates.items())
    ]
    country = CountryInfo(
        country="Propertyland", year=2020, population=1e12, electrification_rate=electrification
    )
    return ActivityData(path=Path("generated.xlsx"), sha256="0" * 64, country=country, rows=rows)


@settings(max_examples=200, deadline=None)
@given(
    rates=st.dictionaries(st.sampled_from(CODES), activity_rates, min_size=1, max_size=20),
    electrification=st.floats(min_value=0, max_value=100),
)
def test_every_sub_category_balances(rates, electrification):
    inv = compute(activity_data(rates, electrification), FACTORS)
    for row in inv.results.itertuples(index=False):
        outputs = math.fsum(getattr(row, c) for c in OUTPUT_COLUMNS)
        assert row.hg_input_kg >= 0
        assert math.isclose(outputs, row.hg_input_kg, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(rates=st.dictionaries(st.sampled_from(CODES), activity_rates, min_size=1, max_size=20))
def test_adjusted_totals_never_exceed_plain_sums(rates):
    inv = compute(activity_data(rates, 80), FACTORS)
    sums, totals = inv.sums(), inv.totals()
    for key, value in sums.items():  # every summed quantity (outputs beyond input is no sum)
        assert totals[key] <= value * (1 + 1e-12) + 1e-12


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(min_value=1, max_value=1e9), scale=st.floats(min_value=0.5, max_value=4))
def test_input_is_proportional_to_activity(rate, scale):
    one = compute(activity_data({"5.1.1": rate}, 50), FACTORS).results.iloc[0].hg_input_kg
    two = compute(activity_data({"5.1.1": rate * scale}, 50), FACTORS).results.iloc[0].hg_input_kg
    assert math.isclose(two, one * scale, rel_tol=1e-9)
