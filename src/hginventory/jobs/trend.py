"""`hginv trend`: one country's activity workbooks over the years, as one consistent series.

Every year is read and checked as `hginv batch` does (`collect_inputs`, `validate_input`) and
computed by the same engine with one factor table. The inputs must be one country, one workbook
per year, years 1950-2100; any error in any of them stops the trend with every problem located
(a series with a year silently missing would be wrong). With `fill="interpolate"` the activity
of the years between two reported values of a sub-category is interpolated linearly
(`engine.trend.interpolate`) and computed through the same engine, marked `interpolated`.
With a baseline, the series is compared with the inventories as submitted.

OUTDIR holds `trend.csv`, `totals.csv`, `checks.csv` (the time-series checks), `trend.xlsx` and,
with a baseline, `recalculation.csv`.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from hginventory.core.errors import ActivityError, HginvError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.engine.recalculation import recalculation
from hginventory.engine.trend import (
    TrendSeries,
    activity_states,
    interpolate,
    interpolate_value,
    inventory_rows,
    series_problems,
    totals_frame,
    trend_frame,
)
from hginventory.engine.trend_checks import JUMP, series_checks

FILL_MODES = ("none", "interpolate")

TREND_CSV, TOTALS_CSV, TREND_XLSX, RECALC_CSV, CHECKS_CSV = (
    "trend.csv",
    "totals.csv",
    "trend.xlsx",
    "recalculation.csv",
    "checks.csv",
)


def _filled_row(code: str, activity: float, unit: str, a: int, b: int) -> dict:
    """An activity row as the reader gives it, for an interpolated value."""
    return {
        "code": code,
        "activity": float(activity),
        "uncertainty_pct": math.nan,
        "notation": "",
        "unit": unit,
        "notes": f"interpolated between {a} and {b}",
        "row": 0,
        "activity_cell": "",
        "unit_cell": "",
        "code_cell": "",
        "sheet": "activity",
        "given": True,
    }


def compute_series(
    inputs,
    factors=None,
    fill: str = "none",
    exclude=None,
    jump: float = JUMP,
    include_estimates: bool = False,
    choose_language=None,
) -> TrendSeries:
    """Read, check and compute every year; raises HginvError with every located problem.
    `include_estimates` counts the project's estimates in every year's totals;
    `choose_language` is called with the first year's `language` field once it is read.
    The time-series checks (`series_checks`, threshold `jump`) and the trend assessment of
    the key categories come with the series."""
    from hginventory.engine.keycat import trend_assessment
    from hginventory.jobs.batch_inputs import collect_inputs, load_batch_factors

    if fill not in FILL_MODES:
        raise HginvError(
            _("unknown fill mode {fill}; expected one of {modes}").format(
                fill=repr(fill), modes=", ".join(FILL_MODES)
            )
        )
    paths = collect_inputs(inputs, exclude=exclude)
    table = load_batch_factors(factors)
    if include_estimates:
        table = table.counting_estimates(True)
    by_year = _checked_years(paths, table, choose_language)
    inventories = {y: c.inventory for y, c in by_year.items()}
    columns = ["year", "code", "activity", "unit", "from_year", "to_year"]
    filled = pd.DataFrame(columns=columns)
    if fill == "interpolate":
        filled = interpolate(_activity_states(by_year, table), table)
        inventories.update(_filled_years(filled, by_year, table))
    parts = []
    for year in sorted(inventories):
        codes = filled.loc[filled["year"] == year, "code"]
        parts.append(inventory_rows(year, inventories[year], codes))
    trend = trend_frame(parts)
    totals = totals_frame(trend)
    totals["input_file"] = [
        Path(by_year[y].path).name if y in by_year else "(interpolated)" for y in totals["year"]
    ]
    warnings = [w for y in sorted(by_year) for w in inventories[y].warnings]
    if len(filled):
        warnings += _level2_not_interpolated(by_year, inventories)
    first = by_year[min(by_year)].activity.country
    return TrendSeries(
        country=first.country,
        iso3=first.iso3 or "",
        inputs={y: str(c.path) for y, c in by_year.items()},
        trend=trend,
        totals=totals,
        filled=filled.reset_index(drop=True),
        factor_label=table.label
        + (f" + {table.overlay_label}" if getattr(table, "overlay_label", "") else ""),
        factor_sha256=table.sha256,
        fill=fill,
        warnings=warnings,
        checks=series_checks(trend, jump),
        jump=jump,
        key_trend=trend_assessment(trend),
        estimates_counted=table.estimates_counted,
    )


def _checked_years(paths: list[Path], table, choose_language=None) -> dict:
    """Every input read, checked and computed (in one engine call), by year in order; raises
    every located problem when one has errors or the inputs are not one country's series."""
    from hginventory.jobs.validate import check_input, finish_checks

    checks = [
        check_input(p, table, choose_language=choose_language if i == 0 else None)
        for i, p in enumerate(paths)
    ]
    finish_checks(checks, table)  # every year in one engine call
    bad = [c for c in checks if not c.ok]
    if bad:
        problems = [p for c in bad for p in c.sorted_problems()]
        raise ActivityError(
            ngettext(
                "{bad} of {n} inputs has errors; no trend was computed (fix it and run again)",
                "{bad} of {n} inputs have errors; no trend was computed (fix them and run again)",
                len(bad),
            ).format(bad=len(bad), n=len(checks)),
            problems,
        )
    entries = [
        {
            "file": str(c.path),
            "country": c.activity.country.country,
            "iso3": c.activity.country.iso3 or "",
            "year": c.activity.country.year,
        }
        for c in checks
    ]
    problems = series_problems(entries)
    if problems:
        raise ActivityError(
            _("the inputs are not one country's series; no trend was computed"), problems
        )
    return dict(sorted(((c.activity.country.year, c) for c in checks), key=lambda t: t[0]))


def _activity_states(by_year: dict, table) -> pd.DataFrame:
    """What each year's activity sheet says of every sub-category (`activity_states`); a code
    with result rows but no national number (facilities only, or included elsewhere) is a
    statement, not a gap."""
    return pd.concat(
        [
            activity_states(
                y,
                c.activity.rows,
                table,
                set(c.inventory.results["code"])
                | set(c.inventory.sources.loc[c.inventory.sources["presence"] == "IE", "code"]),
            )
            for y, c in by_year.items()
        ],
        ignore_index=True,
    )


def _filled_years(filled: pd.DataFrame, by_year: dict, table) -> dict:
    """The inventory of every year with interpolated activity, computed in one engine call: a
    reported year with its filled rows added, a year between reports from the filled rows
    alone (population and electrification interpolated too)."""
    from hginventory.jobs.compute import compute_many
    from hginventory.model.activity import ActivityData, CountryInfo

    country0 = next(iter(by_year.values())).activity.country
    population = {y: c.activity.country.population for y, c in by_year.items()}
    rate = {y: c.activity.country.electrification_rate for y, c in by_year.items()}
    years, datas = [], []
    for year, group in filled.groupby("year", sort=True):
        rows = [
            _filled_row(r.code, r.activity, r.unit, r.from_year, r.to_year)
            for r in group.itertuples(index=False)
        ]
        if year in by_year:
            act = by_year[year].activity
            codes = {r["code"] for r in rows}
            kept = [r for r in act.rows if r["code"] not in codes]
            data = ActivityData(act.path, act.sha256, act.country, kept + rows, act.problems)
        else:
            country = CountryInfo(
                country=country0.country,
                iso3=country0.iso3,
                year=int(year),
                population=interpolate_value(year, population),
                electrification_rate=interpolate_value(year, rate),
            )
            data = ActivityData(Path(f"interpolated {year}"), "", country, rows, [])
        years.append(int(year))
        datas.append(data)
    inventories = {}
    for year, result in zip(years, compute_many(datas, table), strict=True):
        if isinstance(result, ActivityError):
            raise ActivityError(
                _("{year}: the interpolated activity cannot be computed").format(year=year),
                result.problems,
            )
        inventories[year] = result
    return inventories


def _level2_not_interpolated(by_year: dict, inventories: dict) -> list[Problem]:
    """The warning of a filled series whose reported years have facility (Level 2) rows."""
    level2 = [y for y in sorted(by_year) if (inventories[y].results["method"] != "default").any()]
    if not level2:
        return []
    return [
        Problem(
            _(
                "facility (Level 2) rows of {years} are not interpolated: interpolated "
                "activity is computed at Level 1 defaults, so the series may step between a "
                "year with facilities and a filled year"
            ).format(years=", ".join(map(str, level2))),
            file=str(by_year[level2[0]].path),
            sheet="facilities",
            severity="warning",
            code="trend-level2-not-interpolated",
        )
    ]


def add_baseline(series: TrendSeries, baseline) -> TrendSeries:
    """The recalculation table against the submitted inventories in `baseline` (a folder).
    Another country's results, or results of no year of the series, are an error."""
    from hginventory.core.errors import InputFileError
    from hginventory.engine.recalculation import baseline_problems
    from hginventory.read.baseline import read_baseline

    submitted = read_baseline(baseline)
    errors, warnings = baseline_problems(
        submitted, series.country, series.iso3, series.inputs.values()
    )
    if errors:
        raise InputFileError(
            _("{baseline}: not the inventories of {country}; nothing was compared").format(
                baseline=baseline,
                country=series.country + (f" ({series.iso3})" if series.iso3 else ""),
            ),
            errors,
        )
    series.warnings.extend(warnings)
    years = set(series.years)
    if not years & set(submitted["year"]):
        raise InputFileError(
            _(
                "{baseline}: the submitted inventories ({found}) have no year of the series "
                "({years}); nothing to compare"
            ).format(
                baseline=baseline,
                found=", ".join(map(str, sorted(set(submitted["year"])))),
                years=", ".join(map(str, sorted(years))),
            )
        )
    outside = sorted(set(submitted["year"]) - years)
    for year in outside:
        files = sorted(set(submitted.loc[submitted["year"] == year, "input_file"]))
        series.warnings.append(
            Problem(
                _(
                    "the submitted inventory of {year} has no year in the series: not compared"
                ).format(year=year),
                file=files[0] if files else str(baseline),
                severity="warning",
                code="baseline-year-not-in-series",
            )
        )
    series.recalculation = recalculation(submitted[submitted["year"].isin(years)], series.trend)
    series.baseline = str(baseline)
    return series


def series_outputs(outdir) -> list[Path]:
    """Every file `write_series` may write or remove in `outdir`."""
    return [
        Path(outdir) / n for n in (TREND_CSV, TOTALS_CSV, TREND_XLSX, RECALC_CSV, CHECKS_CSV)
    ]


def baseline_inputs(baseline) -> tuple[list, list]:
    """The files a --baseline makes trend read, and the folders no output may go in: a
    baseline folder is kept whole (a trend written into it would replace what the next run
    compares with); a result CSV's workbook beside it is read for its country and year."""
    if baseline is None or not str(baseline):
        return [], []
    baseline = Path(baseline)
    if baseline.is_dir():
        return [baseline], [baseline]
    return [baseline, baseline.with_suffix(".xlsx")], []


def write_series(series: TrendSeries, outdir, protect=()) -> dict[str, Path]:
    """trend.csv, totals.csv, trend.xlsx and (with a baseline) recalculation.csv, atomically.
    A recalculation.csv of an earlier run with a baseline is removed when there is none now.
    Nothing is written when an output would replace an input or go in the baseline folder."""
    from hginventory.core.files import atomic_write, check_paths
    from hginventory.write.csv import csv_text
    from hginventory.write.trend_workbook import write_trend_workbook

    outdir = Path(outdir)
    files, folders = baseline_inputs(series.baseline)
    protect = [*protect, *series.inputs.values()]
    check_paths(series_outputs(outdir), [*protect, *files], within=folders)
    outdir.mkdir(parents=True, exist_ok=True)

    def csv(frame: pd.DataFrame, name: str) -> Path:
        return atomic_write(outdir / name, lambda tmp: csv_text(frame, tmp), protect=protect)

    written = {
        TREND_CSV: csv(series.trend_csv_frame(), TREND_CSV),
        TOTALS_CSV: csv(series.totals_csv_frame(), TOTALS_CSV),
    }
    if series.checks is not None:
        written[CHECKS_CSV] = csv(series.checks, CHECKS_CSV)
    if series.recalculation is not None:
        written[RECALC_CSV] = csv(series.recalculation, RECALC_CSV)
    else:
        (outdir / RECALC_CSV).unlink(missing_ok=True)
    written[TREND_XLSX] = write_trend_workbook(series, outdir / TREND_XLSX, protect=protect)
    return written


def run_trend(
    inputs,
    outdir,
    *,
    factors=None,
    fill: str = "none",
    baseline=None,
    jump: float = JUMP,
    include_estimates: bool = False,
    choose_language=None,
):
    """Compute the series of `inputs` and write it to `outdir`; returns (series, outputs).
    The outputs are checked against every input (workbooks, factor table, baseline) first."""
    from hginventory.core.files import check_paths, table_files
    from hginventory.jobs.batch_inputs import collect_inputs
    from hginventory.tables.factors import factors_dir

    outdir = Path(outdir)
    paths = collect_inputs(inputs, exclude=outdir)
    tables = [factors_dir(), *(table_files(factors) if isinstance(factors, (str, Path)) else [])]
    files, folders = baseline_inputs(baseline)
    check_paths(series_outputs(outdir), [*paths, *tables, *files], within=folders)
    series = compute_series(
        paths,
        factors=factors,
        fill=fill,
        exclude=outdir,
        jump=jump,
        include_estimates=include_estimates,
        choose_language=choose_language,
    )
    if baseline is not None:
        add_baseline(series, baseline)
    return series, write_series(series, outdir)
