"""One engine for one inventory or many: a consultant's notebook computes several countries in
one call and gets, for each, exactly what `compute` gives it alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hginventory import compute, compute_long, compute_many, read_activity
from hginventory.core.errors import ActivityError
from hginventory.read.facilities import read_facilities
from tests.conftest import codes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
BAD = ROOT / "tests" / "data" / "bad"


def test_every_example_computed_together_is_computed_as_alone():
    activities = [read_activity(p) for p in EXAMPLES]
    together = compute_many(activities)
    for path, many in zip(EXAMPLES, together, strict=True):
        alone = compute(read_activity(path))
        pd.testing.assert_frame_equal(many.results, alone.results, check_exact=True)
        pd.testing.assert_frame_equal(many.sources, alone.sources, check_exact=True)
        assert many.totals() == alone.totals()
        assert [str(w) for w in many.warnings] == [str(w) for w in alone.warnings]
        assert codes(many.warnings) == codes(alone.warnings)
        meta = {k: v for k, v in many.metadata.items() if k != "computed_at"}
        assert meta == {k: v for k, v in alone.metadata.items() if k != "computed_at"}


def test_a_bad_inventory_does_not_stop_the_others():
    good = read_activity(EXAMPLES[0])
    exceed = BAD / "facilities-exceed-national.xlsx"
    bad = read_activity(exceed)
    results = compute_many([good, bad, good])
    assert isinstance(results[1], ActivityError)
    found = [(p.code, p.severity) for p in results[1].problems if p.cell]
    assert ("facilities-above-national", "error") in found
    with pytest.raises(ActivityError) as alone:
        compute(bad, facilities=read_facilities(exceed))
    assert [str(p) for p in results[1].problems] == [str(p) for p in alone.value.problems]
    assert codes(results[1]) == codes(alone)
    pd.testing.assert_frame_equal(results[0].results, results[2].results, check_exact=True)


def test_the_long_table_holds_every_row_keyed_by_inventory():
    activities = [read_activity(p) for p in EXAMPLES]
    many = compute_long(activities)
    assert sorted(set(many.results["inventory"])) == list(range(len(EXAMPLES)))
    totals = many.totals()
    for k, path in enumerate(EXAMPLES):
        assert totals[k] == compute(read_activity(path)).totals()
