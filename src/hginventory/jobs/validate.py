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

from hginventory.check.inputs import add_new
from hginventory.core.errors import ActivityError, HasProblems, InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext


@dataclass
class Validation(HasProblems):
    """Every problem found in one input, and what was read (for compute to reuse)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    activity: object | None = None
    facilities: object | None = None
    inventory: object | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 with nothing worse than warnings, 1 with errors."""
        return 0 if self.ok else 1

    @property
    def quality_checks(self) -> list[Problem]:
        """The plausibility and consistency problems (check/quality.py), for the Checks sheet,
        the report's Quality control chapter and batch's report."""
        from hginventory.check.quality import is_quality

        return [p for p in self.problems if is_quality(p)]

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
        return ngettext(
            "{file}: the input has {n} error; nothing was computed",
            "{file}: the input has {n} errors; nothing was computed",
            len(self.errors),
        ).format(file=self.path.name, n=len(self.errors))

    def error(self) -> ActivityError:
        """The error compute raises when the input has errors, carrying every problem."""
        return ActivityError(self.summary, self.sorted_problems())


def open_input(path: str | Path, choose_language=None, sha256=None):
    """The input read once (`read.source.open_source`: its hash, its sheets or CSV text), or the
    InputFileError saying why it cannot be read. `choose_language` is then called with its
    `language` field (or None), before any message about its content is made; `sha256`, when
    the caller hashed the file already, is taken instead of hashing it again."""
    from hginventory.read.source import open_source

    try:
        source = open_source(path, sha256)
    except InputFileError as exc:
        return exc
    if choose_language is not None:
        choose_language(source.language())
    return source


def check_input(
    path: str | Path, factors=None, level2=None, choose_language=None, sha256=None, source=None
) -> Validation:
    """Read the input at `path` once and check its records (`check.inputs.check_records`),
    without computing: every problem but those only the calculation finds (a measured air
    emission above the computed input). What `hginv batch` runs in its worker processes; never
    raises for a bad input. `source` is what `open_input` returned when the caller opened it
    already; else it is opened here (`choose_language`, `sha256` as for `open_input`)."""
    from hginventory.check.inputs import check_activity_records, check_facility_records
    from hginventory.read.activity import read_activity
    from hginventory.read.facilities import read_facilities
    from hginventory.tables.factors import load_factors

    path = Path(path)
    result = Validation(path)
    if source is None:
        source = open_input(path, choose_language, sha256)
    try:
        if isinstance(source, InputFileError):
            raise source
        activity = read_activity(source, strict=False)
    except InputFileError as exc:
        result.problems = exc.located(path)
        return result
    result.activity = activity
    if activity.errors:
        from hginventory.read.results import result_file_hint

        hint = result_file_hint(path, command="hginv", with_file=False)
        if hint:  # an hginv output given instead of the activity workbook
            result.problems.append(Problem(hint, file=str(path), code="result-file-given"))
    factors = factors or load_factors()
    add_new(result.problems, check_activity_records(activity, factors))
    try:
        facilities = read_facilities(source)
    except InputFileError as exc:
        add_new(result.problems, exc.located(path))
        return result
    result.facilities = facilities
    add_new(result.problems, check_facility_records(facilities, activity, factors, level2))
    return result


def finish_checks(checks: list[Validation], factors=None, level2=None, build: bool = True):
    """Compute every checked input without errors in one engine call (`compute_long`), adding
    what the calculation finds to its problems. With `build`, each Validation then holds its
    `Inventory` when ok. Returns the engine's long result (`Many`, keyed by the position in
    `checks`; None when nothing could be computed)."""
    from hginventory.engine.calculate import compute_long

    ready = [
        i
        for i, c in enumerate(checks)
        if not c.errors
        and c.activity is not None
        and c.activity.country is not None
        and c.facilities is not None
    ]
    if not ready:
        return None
    many = compute_long(
        [checks[i].activity for i in ready],
        factors,
        facilities=[checks[i].facilities for i in ready],
        level2=level2,
        checked=[checks[i].problems for i in ready],
    )
    overflows = _overflows(many.results, [checks[i].path for i in ready])
    bounds = many.bounds() if build else None
    source_bounds = many.bounds("sources") if build else None
    for k, i in enumerate(ready):
        c = checks[i]
        if k in many.failed:
            add_new(c.problems, many.failed[k].located(c.path))
            continue
        add_new(c.problems, many.warnings[k])
        add_new(c.problems, overflows.get(k, []))
        if build and not overflows.get(k):
            c.inventory = many.inventory(k, bounds, source_bounds)
            c.inventory.quality_checks = c.quality_checks
    many.positions = ready
    return many


def validate_input(
    path: str | Path, factors=None, level2=None, choose_language=None, source=None
) -> Validation:
    """Every problem of the input at `path`; never raises for a bad input. `choose_language`
    and `source` as for `check_input`."""
    from hginventory.tables.factors import load_factors

    factors = factors or load_factors()
    checked = check_input(path, factors, level2, choose_language, source=source)
    finish_checks([checked], factors, level2)
    return checked


def _overflows(results, paths: list[Path]) -> dict[int, list[Problem]]:
    """A result that is not a finite number (1e308 Mt is more than a float holds) is an error at
    its activity cell: never 'inf' in the CSV and an empty workbook cell. By inventory."""
    import numpy as np
    import pandas as pd

    columns = [c for c in results.columns if c.endswith("_kg")]
    numbers = results[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) & ~np.isnan(numbers)
    out: dict[int, list[Problem]] = {}
    for i in np.flatnonzero(bad.any(axis=1)):
        row = results.iloc[int(i)]
        k = int(row["inventory"])
        path = paths[k]
        unit = row.get("unit", "") or ""
        out.setdefault(k, []).append(
            Problem(
                _("the result for {code} is too large to compute (not a finite number)").format(
                    code=row["code"]
                ),
                file=str(path),
                sheet="" if path.suffix.lower() == ".csv" else "activity",
                cell=str(row.get("activity_cell", "") or ""),
                found=f"{row.get('activity', float('nan')):g} {unit}".strip(),
                expected=_("an activity rate in the sub-category's unit, of a realistic size"),
                code="result-not-finite",
            )
        )
    return out
