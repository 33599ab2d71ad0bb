"""`hginv trend`: one country's inventories over the years, with one factor table."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory.cli.common import factors_option, fail, main, make_console, show_table
from hginventory.core.numbers import mass


@main.command("trend")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for trend.csv, totals.csv, trend.xlsx (created if needed).",
)
@factors_option()
@click.option(
    "--fill",
    type=click.Choice(["none", "interpolate"]),
    default="none",
    show_default=True,
    help="interpolate: the activity of the years between two reported values of a "
    "sub-category, linearly (never beyond the first or last reported year).",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, exists=True),
    help="Result files of the inventories as submitted (an hginv batch folder, or "
    "hginv compute CSVs/workbooks): adds recalculation.csv and a Recalculation sheet.",
)
@click.pass_context
def trend_command(ctx, inputs, outdir, factors_path, fill, baseline):
    """One country's activity workbooks of several years as one series.

    INPUT are workbooks, CSVs, folders or patterns, one per year, of one country. Every year
    is computed with the same factor table. Writes trend.csv (every result row of every year),
    totals.csv (national totals per year) and trend.xlsx (tables and charts) in OUTDIR.
    Exit code 0 on success, 1 when an input has errors (nothing is written), 2 when the command
    line is wrong or names no input.
    """
    from hginventory.core.errors import HginvError
    from hginventory.jobs.batch import BatchUsageError
    from hginventory.jobs.trend import run_trend

    try:
        series, written = run_trend(
            inputs, outdir, factors=factors_path, fill=fill, baseline=baseline
        )
    except BatchUsageError as exc:
        raise click.UsageError(exc.args[0]) from None
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    _print_series(series, written)


def _print_series(series, written) -> None:
    from rich.table import Table

    from hginventory.engine.trend import UNCHANGED

    console = make_console()
    err = make_console(stderr=True)
    table = Table(
        title=f"{series.country}: national totals (kg Hg/y), {series.factor_label}",
        title_justify="left",
    )
    for name in ("Year", "Hg input", "Air", "Water", "Land", "Releases", "Filled"):
        table.add_column(name, justify="right")
    for r in series.totals.itertuples(index=False):
        table.add_row(
            str(r.year),
            mass(r.hg_input_kg),
            mass(r.air_kg),
            mass(r.water_kg),
            mass(r.land_kg),
            mass(r.releases_kg),
            f"{r.filled_rows}" if r.filled_rows else "-",
        )
    show_table(table, console)
    notes = series.fill_notes()
    if notes:
        console.print("Interpolated activity (column 'filled' of trend.csv):", markup=False)
        for line in notes:
            console.print(f"  {line}", markup=False)
    elif series.fill == "interpolate":
        console.print("Nothing to interpolate: no gap lies between two reported values.")
    for w in series.warnings:
        err.print(f"  warning: {w}", markup=False)
    if series.recalculation is not None:
        moved = series.recalculation[series.recalculation["reason"] != UNCHANGED]
        console.print(
            f"Recalculation against {series.baseline}: {len(moved)} of "
            f"{len(series.recalculation)} year/sub-category rows differ (recalculation.csv).",
            markup=False,
        )
    if series.recalled_rows:
        err.print(
            f"Notice: {series.recalled_rows} of {len(series.trend)} result rows use 'recalled' "
            "factors (not confirmed against the official Toolkit); status column of trend.csv.",
            markup=False,
        )
    console.print("Wrote " + ", ".join(str(p) for p in written.values()), markup=False)
    sys.exit(0)
