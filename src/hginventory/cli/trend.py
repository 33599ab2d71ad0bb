"""`hginv trend`: one country's inventories over the years, with one factor table."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory.cli.common import main
from hginventory.cli.messages import fail, severity_word
from hginventory.cli.options import (
    QUIET_HELP,
    estimates_option,
    factors_option,
    lang_option,
    speak,
    speaker,
)
from hginventory.cli.terminal import labelled, make_console, show_table
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import mass


@main.command(
    "trend",
    help=N_(
        "One country's activity workbooks of several years as one series.\n\n"
        "INPUT are workbooks, CSVs, folders or patterns, one per year, of one country. Every "
        "year is computed with the same factor table. Writes trend.csv (every result row of "
        "every year), totals.csv (national totals per year) and trend.xlsx (tables and charts) "
        "in OUTDIR. Exit code 0 on success, 1 when an input has errors (nothing is written), 2 "
        "when the command line is wrong or names no input."
    ),
)
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help=N_("Folder for trend.csv, totals.csv, trend.xlsx (created if needed)."),
)
@factors_option()
@estimates_option()
@click.option(
    "--fill",
    type=click.Choice(["none", "interpolate"]),
    default="none",
    show_default=True,
    help=N_(
        "interpolate: the activity of the years between two reported values of a "
        "sub-category, linearly (never beyond the first or last reported year)."
    ),
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, exists=True),
    help=N_(
        "Result files of the inventories as submitted (an hginv batch folder, or "
        "hginv compute CSVs/workbooks): adds recalculation.csv and a Recalculation sheet."
    ),
)
@click.option(
    "--jump",
    type=click.FloatRange(min=0, min_open=True),
    default=50.0,
    show_default=True,
    metavar="PERCENT",
    help=N_(
        "Time-series check: flag an activity or implied input factor that changes by more "
        "than this many per cent from one year to the next (checks.csv, Checks sheet)."
    ),
)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@lang_option(
    N_(
        "Language of the messages and of trend.xlsx: en, fr or es [default: the language of "
        "the first workbook when it was made by 'hginv template --lang', else the system's, "
        "else en]. The CSVs are the same in every language."
    )
)
@click.pass_context
def trend_command(ctx, inputs, outdir, factors_path, fill, baseline, jump, quiet, lang=None):
    """`hginv trend` (its help is the N_ text above, shown in the user's language)."""
    from hginventory.core.errors import HginvError
    from hginventory.jobs.batch_inputs import BatchUsageError
    from hginventory.jobs.trend import run_trend

    speak(lang)

    try:
        series, written = run_trend(
            inputs,
            outdir,
            factors=factors_path,
            fill=fill,
            baseline=baseline,
            jump=jump / 100,
            choose_language=speaker(lang),
            include_estimates=bool(ctx.meta.get("hginv.include_estimates")),
        )
    except BatchUsageError as exc:
        raise click.UsageError(exc.args[0]) from None
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    _print_series(series, written, quiet)


def _print_series(series, written, quiet: bool = False) -> None:
    """The totals per year, what was interpolated or recalculated, and what was written;
    with --quiet only the warnings and the recalled-factor notice."""
    from hginventory.cli.messages import NOTICE_LABEL
    from hginventory.engine.recalculation import UNCHANGED

    console = make_console()
    err = make_console(stderr=True)
    if not quiet:
        _print_totals(series, console)
    for w in series.warnings:
        err.print("  " + labelled(severity_word("warning"), w), markup=False)
    if not quiet:
        _print_checks(series, console)
    if series.recalculation is not None and not quiet:
        moved = series.recalculation[series.recalculation["reason"] != UNCHANGED]
        console.print(
            _(
                "Recalculation against {baseline}: {moved} of {n} year/sub-category rows differ "
                "(recalculation.csv)."
            ).format(baseline=series.baseline, moved=len(moved), n=len(series.recalculation)),
            markup=False,
        )
    from hginventory.engine.inventory import estimates_sentence

    err.print(estimates_sentence(series.estimates_counted), markup=False)
    if series.recalled_rows:
        text = _(
            "{n} of {total} result rows use 'recalled' factors (not confirmed against the "
            "official Toolkit); status column of trend.csv."
        ).format(n=series.recalled_rows, total=len(series.trend))
        err.print(f"{_(NOTICE_LABEL)} {text}", markup=False)
    if not quiet:
        files = ", ".join(str(p) for p in written.values())
        console.print(_("Wrote {files}").format(files=files), markup=False)
    sys.exit(0)


def _print_totals(series, console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(
            _("{country}: national totals (kg Hg/y), {table}").format(
                country=series.country, table=series.factor_label
            )
        ),
        title_justify="left",
    )
    for name in (
        _("Year"),
        _("Hg input"),
        _("Air"),
        _("Water"),
        _("Land"),
        _("Releases"),  # to air, water and land; transfers in totals.csv and trend.xlsx
        _("Filled"),
    ):
        table.add_column(name, justify="right")
    for r in series.totals.itertuples(index=False):
        table.add_row(
            str(r.year),
            mass(r.hg_input_kg),
            mass(r.air_kg),
            mass(r.water_kg),
            mass(r.land_kg),
            mass(r.releases_awl_kg),
            f"{r.filled_rows}" if r.filled_rows else "-",
        )
    show_table(table, console)
    notes = series.fill_notes()
    if notes:
        console.print(_("Interpolated activity (column 'filled' of trend.csv):"), markup=False)
        for line in notes:
            console.print(f"  {line}", markup=False, hang=2)  # wrapped lines under the text
    elif series.fill == "interpolate":
        console.print(
            _("Nothing to interpolate: no gap lies between two reported values."), markup=False
        )


SHOWN_CHECKS = 10
"""Time-series findings listed in the terminal; checks.csv and the Checks sheet hold all."""


def _print_checks(series, console) -> None:
    """The time-series checks in short (the first few findings), and the key categories of
    the trend assessment."""
    from rich.table import Table

    from hginventory.core.i18n import ngettext
    from hginventory.core.numbers import percent
    from hginventory.engine.trend_checks import check_message

    checks = series.checks
    if checks is not None and len(checks):
        console.print(
            ngettext(
                "Time-series checks: {n} finding (threshold {jump}; checks.csv):",
                "Time-series checks: {n} findings (threshold {jump}; checks.csv):",
                len(checks),
            ).format(n=len(checks), jump=percent(series.jump)),
            markup=False,
        )
        table = Table(show_header=True)
        for name in (_("Check"), _("Code"), _("Finding")):
            table.add_column(name)
        for r in checks.head(SHOWN_CHECKS).itertuples(index=False):
            table.add_row(r.check, r.code, check_message(r))
        show_table(table, console)
        if len(checks) > SHOWN_CHECKS:
            console.print(
                _("... and {n} more in checks.csv.").format(n=len(checks) - SHOWN_CHECKS),
                markup=False,
            )
    elif checks is not None:
        console.print(
            _("Time-series checks: nothing found (threshold {jump}).").format(
                jump=percent(series.jump)
            ),
            markup=False,
        )
    key = series.key_trend
    if key is not None and len(key):
        for name in ("air", "water-land"):
            codes = key.loc[(key["assessment"] == name) & key["key"], "code"].tolist()
            if codes:
                text = (
                    _("Key categories of the trend (air): {codes}")
                    if name == "air"
                    else _("Key categories of the trend (water and land): {codes}")
                ).format(codes=", ".join(codes))
                console.print(text, markup=False)
