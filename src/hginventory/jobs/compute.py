"""Compute inventories: read what is missing, check, then the engine; and the jobs of `hginv
compute` and `hginv report` once their options are parsed.

What a notebook user calls (`hginventory.compute`): the same checks as `hginv validate` and
`hginv compute` (`check.inputs.check_records`), then one engine call for every inventory. The
engine itself neither reads nor checks. The commands open the input once
(`jobs.validate.open_input`, which chooses the language from it), then `inventory_of`, the
analyses and the writers here; the CLI only parses options and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hginventory.core.errors import ActivityError, HginvError
from hginventory.core.i18n import gettext as _
from hginventory.jobs.validate import Validation, finish_checks, validate_input


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


@dataclass
class Analyses:
    """The analyses asked for beside the inventory: the EMEP/EEA cross-check of its air figures
    and the Monte Carlo uncertainty of its totals."""

    crosscheck: str | None = None
    conversions: tuple[str, ...] = ()
    emep_mapping: Path | None = None
    uncertainty: bool = False
    draws: int = 10_000
    seed: int = 20_211_013

    def apply(self, inv):
        """The inventory with the cross-check and the uncertainty asked for."""
        if self.crosscheck:
            from hginventory.engine.crosscheck import add_crosscheck
            from hginventory.tables.emep import (
                load_emep_factors,
                load_emep_mapping,
                parse_conversions,
            )

            emep = load_emep_factors()
            mapping = load_emep_mapping(self.emep_mapping, emep=emep, toolkit=inv.factors)
            overrides = parse_conversions(self.conversions, mapping)
            add_crosscheck(inv, factors=emep, mapping=mapping, overrides=overrides)
        if self.uncertainty:
            from hginventory.engine.uncertainty import with_uncertainty

            inv = with_uncertainty(inv, draws=self.draws, seed=self.seed)
        return inv


def inventory_of(path: Path, source, factors, analyses: Analyses) -> Validation:
    """Check and compute the input opened as `source` (`jobs.validate.open_input`): its
    Validation, holding the analysed `inventory` when it has no error."""
    checked = validate_input(path, factors, source=source)
    if checked.ok:
        checked.inventory = analyses.apply(checked.inventory)
    return checked


def write_inventory(inv, output: Path | None, csv_path: Path, protect=()) -> None:
    """The inventory workbook (unless `output` is None: --csv-only) and the result CSV."""
    from hginventory.write.csv import write_csv

    if output is not None:
        from hginventory.write.workbook import write_workbook

        write_workbook(inv, output, protect=protect)
    write_csv(inv, csv_path, protect=protect)


def by_summary(inv, by: str, by_csv: Path | None, protect=()):
    """The national totals by Annex D source category or another grouping (`--by`), with
    its CSV when asked."""
    from hginventory.engine.crosswalk import summarise
    from hginventory.write.csv import write_table

    summary = summarise(inv, by)
    if by_csv:
        write_table(summary, by_csv, protect)
    return summary


def trend_chapters(inv, trend_dir: Path, input_path: Path):
    """The report's trend chapter from a folder written by `hginv trend`, and the warning to
    show when that trend does not cover the inventory's year (else "")."""
    from functools import partial

    from hginventory.read.trend import read_trend_folder, trend_country_check
    from hginventory.write.trend_report import trend_chapter

    series = read_trend_folder(trend_dir)
    trend_country_check(series, inv, input_path)
    warning = ""
    if inv.country.year not in series.years:
        warning = _(
            "the trend in {folder} covers {first}-{last}, not {year}, the year of {file}"
        ).format(
            folder=trend_dir,
            first=series.years[0],
            last=series.years[-1],
            year=inv.country.year,
            file=input_path.name,
        )
    return partial(trend_chapter, series), warning
