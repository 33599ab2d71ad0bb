"""Compute inventories from records in hand: read what is missing, check, then the engine.

What a notebook user calls (`hginventory.compute`): the same checks as `hginv validate` and
`hginv compute` (`check.inputs.check_records`), then one engine call for every inventory. The
engine itself neither reads nor checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hginventory.core.errors import ActivityError, HginvError
from hginventory.jobs.validate import Validation, finish_checks


def _facilities_of(activity, facilities):
    """The Level 2 rows given, else the workbook's optional `facilities` sheet (none for a
    workbook that is not on disk, such as one built in a notebook)."""
    from hginventory.model.facilities import FacilityData
    from hginventory.read.facilities import read_facilities

    if facilities is not None:
        return facilities
    path = Path(activity.path)
    return read_facilities(path) if path.is_file() else FacilityData(path)


def checked(activities, factors, facilities=None, level2=None) -> list[Validation]:
    """One `Validation` per activity workbook: its records and every problem of them."""
    from hginventory.check.inputs import check_records

    facilities = list(facilities) if facilities is not None else [None] * len(activities)
    out = []
    for activity, given in zip(activities, facilities, strict=True):
        rows = _facilities_of(activity, given)
        problems = check_records(activity, rows, factors, level2)
        out.append(Validation(Path(activity.path), problems, activity, rows))
    return out


def compute_long(activities: Sequence, factors=None, facilities=None, level2=None):
    """Check and compute many inventories in one engine call, keeping the long tables (the
    engine's `Many`: every result row of every inventory, keyed by `inventory`)."""
    from hginventory.engine.calculate import compute_long as engine
    from hginventory.tables.factors import load_factors

    factors = factors or load_factors()
    checks = checked(activities, factors, facilities, level2)
    return engine(
        activities,
        factors,
        [c.facilities for c in checks],
        [c.problems for c in checks],
        level2,
    )


def compute_many(activities: Sequence, factors=None, facilities=None, level2=None) -> list:
    """One `Inventory` per activity workbook, or the `ActivityError` listing every problem of
    one that has errors; one bad inventory never stops the others. `facilities` (one
    `FacilityData` or None each) are the Level 2 rows (None: the workbook's own sheet)."""
    from hginventory.tables.factors import load_factors

    factors = factors or load_factors()
    checks = checked(activities, factors, facilities, level2)
    finish_checks(checks, factors, level2)
    return [c.inventory if c.ok and c.inventory is not None else c.error() for c in checks]


def compute(activity, factors=None, facilities=None, level2=None):
    """The inventory of one country (`compute_many` of one); raises ActivityError listing every
    problem when the input has errors."""
    (result,) = compute_many([activity], factors, [facilities], level2)
    if isinstance(result, ActivityError):
        raise result
    return result


def factor_impact(path: str | Path, old, new):
    """The inventory `path` computed with both factor tables, as `engine.factordiff.Impact`; an
    inventory that cannot be computed with one of them (a code the new table removed) carries
    the reason instead of raising."""
    from hginventory.engine.factordiff import Impact, impact
    from hginventory.read.activity import read_activity

    path = Path(path)
    try:
        activity = read_activity(path)
        return impact(path.name, compute(activity, old), compute(activity, new))
    except HginvError as exc:
        return Impact(path.name, error=str(exc))
