"""Check an activity workbook (or CSV) completely, without writing anything.

`validate_input` runs every check `hginv compute` runs, in the same order, and returns all
problems at once: the file itself, the country and activity sheets, the codes and units
against the factor table, the facilities sheet, and the facility totals against their national
rows (found by running the calculation). `hginv compute` calls it first and stops on errors
with the same report, so the two commands can never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.errors import ActivityError, HasProblems, HginvError, InputFileError, Problem
from hginventory.core.i18n import gettext as _


@dataclass
class Validation(HasProblems):
    """Every problem found in one input, and what was read (for compute to reuse)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    activity: object | None = None
    inventory: object | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 with nothing worse than warnings, 1 with errors."""
        return 0 if self.ok else 1

    def sorted_problems(self) -> list[Problem]:
        """Errors first, then warnings, each in the order found."""
        return self.errors + self.warnings

    def to_dict(self) -> dict:
        return {
            "file": str(self.path),
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [{**p.to_dict(), "location": p.where} for p in self.sorted_problems()],
        }

    def to_json(self) -> str:
        """ASCII JSON (accents as \\u escapes), so that no console encoding can break it."""
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=True)

    @property
    def summary(self) -> str:
        return _("{file}: the input has {n} error(s); nothing was computed").format(
            file=self.path.name, n=len(self.errors)
        )

    def error(self) -> ActivityError:
        """The error compute raises when the input has errors, carrying every problem."""
        return ActivityError(self.summary, self.sorted_problems())


def _add(out: list[Problem], new) -> None:
    for p in new:
        if p not in out:
            out.append(p)


def validate_input(path: str | Path, factors=None, level2=None) -> Validation:
    """Every problem of the input at `path`; never raises for a bad input."""
    from hginventory.check.activity import check_activity
    from hginventory.check.facilities import check_facilities
    from hginventory.engine.calculate import compute
    from hginventory.read.activity import read_activity
    from hginventory.read.facilities import read_facilities
    from hginventory.tables.factors import load_factors
    from hginventory.tables.level2 import default_tables

    path = Path(path)
    result = Validation(path)
    try:
        activity = read_activity(path, strict=False)
    except InputFileError as exc:
        result.problems = exc.located(path)
        return result
    result.activity = activity
    if activity.errors:
        from hginventory.read.results import result_file_hint

        hint = result_file_hint(path, command="hginv", with_file=False)
        if hint:  # an hginv output given instead of the activity workbook
            result.problems.append(Problem(hint, file=str(path)))
    factors = factors or load_factors()
    _add(result.problems, activity.problems)
    _add(result.problems, check_activity(activity, factors))
    try:
        facilities = read_facilities(path)
    except InputFileError as exc:
        _add(result.problems, exc.located(path))
        return result
    _add(result.problems, facilities.problems)
    if facilities.rows:
        _add(result.problems, check_facilities(facilities, factors, level2 or default_tables()))
    if result.errors or activity.country is None:
        return result
    try:
        result.inventory = compute(
            activity, factors, facilities=facilities, level2=level2, checked=result.problems
        )
    except HginvError as exc:
        _add(result.problems, exc.located(path))
        return result
    _add(result.problems, result.inventory.warnings)
    return result
