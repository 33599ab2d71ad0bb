"""Every check of one input's records, in the order a user reads them: the one place a new
validation rule is added.

The reader collects what it could not read (`ActivityData.problems`, `FacilityData.problems`);
these checks judge what was read against the factor tables: codes and units, plausibility and
consistency, the facility rows and the facility rows against their national rows. The engine
computes only records whose checks found no error.
"""

from __future__ import annotations

from collections.abc import Iterable

from hginventory.core.errors import Problem
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.model.activity import ActivityData
from hginventory.model.facilities import FacilityData

NOTHING_ENTERED = N_("no activity was entered: nothing will be quantified")


def add_new(out: list[Problem], new: Iterable[Problem]) -> None:
    """Append the problems not yet listed (a set: 10,000 problems must stay linear)."""
    seen = set(out)
    for p in new:
        if p not in seen:
            out.append(p)
            seen.add(p)


def quantified(row: dict) -> bool:
    """An activity row with a number (not blank, not a notation key such as NO or NE)."""
    value = row.get("activity")
    return isinstance(value, int | float) and value == value


def check_activity_records(activity: ActivityData, factors) -> list[Problem]:
    """What was read of the country and activity sheets, then every check of them."""
    from hginventory.check.activity import check_activity
    from hginventory.check.screening import run_checks

    problems: list[Problem] = []
    add_new(problems, activity.problems)
    add_new(problems, check_activity(activity, factors))
    add_new(problems, run_checks(activity, factors))  # plausibility, consistency
    return problems


def check_facility_records(
    facilities: FacilityData, activity: ActivityData, factors, level2=None
) -> list[Problem]:
    """What was read of the facilities sheet, then every check of its rows: against the
    tables, against plausible sizes and against the national rows they are part of."""
    problems: list[Problem] = []
    add_new(problems, facilities.problems)
    if facilities.rows:
        from hginventory.check.facilities import check_against_national, check_facilities
        from hginventory.check.plausibility import check_facility_rows
        from hginventory.tables.level2 import default_tables

        tables = level2 or default_tables()
        add_new(problems, check_facility_rows(facilities, activity, factors))
        add_new(problems, check_facilities(facilities, factors, tables))
        add_new(problems, check_against_national(activity, facilities, factors, tables))
    if not facilities.rows and not any(quantified(r) for r in activity.rows):
        problems.append(
            Problem(
                _(NOTHING_ENTERED),
                file=str(facilities.path),
                sheet="activity",
                severity="warning",
                code="nothing-entered",
            )
        )
    return problems


def check_records(
    activity: ActivityData, facilities: FacilityData, factors, level2=None
) -> list[Problem]:
    """Every problem of one input's records (see the module docstring), errors and warnings in
    the order found."""
    problems = check_activity_records(activity, factors)
    add_new(problems, check_facility_records(facilities, activity, factors, level2))
    return problems
