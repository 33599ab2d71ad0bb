"""The options several commands share (--lang, --factors, --include-estimates, the
uncertainty trio, --quiet's help) and the language a command speaks."""

from __future__ import annotations

from pathlib import Path

import click

from hginventory.core.i18n import LANGUAGES, N_, set_language
from hginventory.core.i18n import gettext as _

LANG_HELP = N_(
    "Language of the messages, template, workbook and report: en, fr or es [default: the "
    "language of a workbook made by 'hginv template --lang', else the system's, else en]."
)


def _lang_now(ctx, param, value):
    """Eager: `hginv compute --lang fr --help` shows the French help."""
    if value is not None:
        set_language(value)
    return value


def lang_option(help: str = LANG_HELP):
    """--lang on every command that speaks to a focal point."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        is_eager=True,
        callback=_lang_now,
        help=help,
    )


def speak(lang: str | None, workbook_language: str | None = None) -> str:
    """Choose the language of this command: --lang, else the workbook's `language` field
    (given once the input is read: `jobs.validate.open_input`), else the environment's, else
    English."""
    from hginventory.core.i18n import get_language

    set_language(lang if lang is not None else workbook_language)
    return get_language()


def speaker(lang: str | None):
    """What `open_input` calls with the workbook's language: `speak` with --lang first."""
    return lambda workbook_language: speak(lang, workbook_language)


QUIET_HELP = N_("Print only errors and notices.")


FACTORS_HELP = N_(
    "Your factor CSV, laid over the shipped table row by row (same code overrides, a new code "
    "adds a variant); a folder replaces the shipped table."
)


def factors_option(help: str = FACTORS_HELP):
    """--factors, read by `factors.factors_for` in every command that computes."""
    return click.option("--factors", "factors_path", type=click.Path(path_type=Path), help=help)


def factors_flag(path: Path | None):
    """The table of a --factors option (imported here: pandas stays out of --help), with the
    estimated rows counted in the totals when the command was given --include-estimates."""
    from hginventory.tables.factors import factors_for

    ctx = click.get_current_context(silent=True)
    counted = bool(ctx and ctx.meta.get("hginv.include_estimates"))
    return factors_for(path, include_estimates=counted)


ESTIMATES_HELP = N_(
    "Count in the national totals the sub-categories for which no Toolkit default is known "
    "(the project's estimates, status 'estimated'); by default they are shown apart as "
    "indicative."
)


def estimates_option():
    """--include-estimates, read by `factors_flag` (no parameter to thread through)."""

    def remember(ctx, _param, value):
        ctx.meta["hginv.include_estimates"] = value

    return click.option(
        "--include-estimates",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help=ESTIMATES_HELP,
    )


def uncertainty_options(what: str):
    """--uncertainty, --draws and --seed, the same for compute and batch."""

    def add(command):
        for option in reversed(
            [
                click.option("--uncertainty", is_flag=True, help=what),  # marked by callers
                click.option(
                    "--draws",
                    type=click.IntRange(min=2, max=100_000),
                    default=10_000,
                    show_default=True,
                    help=N_(
                        "Monte Carlo draws (with --uncertainty); memory grows with draws x "
                        "result rows: draws that would need more than 256 MB are refused, "
                        "with the most that fit."
                    ),
                ),
                click.option(
                    "--seed",
                    type=click.IntRange(min=0),
                    default=20_211_013,
                    show_default=True,
                    help=N_(
                        "Random seed (with --uncertainty); the same seed gives the same numbers."
                    ),
                ),
            ]
        ):
            command = option(command)
        return command

    return add


def check_uncertainty_usage(ctx: click.Context, uncertainty: bool) -> None:
    """--draws or --seed without --uncertainty is a usage error, not silently ignored."""
    from click.core import ParameterSource

    if uncertainty:
        return
    if any(
        ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
        for name in ("draws", "seed")
    ):
        raise click.UsageError(_("--draws and --seed need --uncertainty"))
