"""The `hginv` group every command is registered on: click in the user's language, each run
in the environment's language until --lang or a workbook says, and no traceback for any input."""

from __future__ import annotations

import atexit
import gc
import sys

import click

from hginventory import __version__
from hginventory.cli.click_texts import (
    TranslatedCommand,
    TranslatedGroup,
    show_click_errors_safe,
    translate_click_texts,
    translated_help,
)
from hginventory.cli.messages import ERROR_LABEL, fail
from hginventory.cli.terminal import make_console, styled
from hginventory.core.i18n import N_, set_language
from hginventory.core.i18n import gettext as _

translate_click_texts()
show_click_errors_safe()


class _Guarded(click.Group):
    """No traceback for any input: an unexpected exception becomes a plain message (the
    traceback is shown with --debug). Outputs are replaced only when complete, so nothing is
    lost when this happens."""

    def invoke(self, ctx: click.Context):
        from hginventory.core.errors import HginvError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except HginvError as exc:
            fail(exc, bool(ctx.obj and ctx.obj.get("debug")))
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = _(
                "hginv stopped on an unexpected problem ({problem}). No input was changed and "
                "no existing output was replaced. Please report it with the input file; --debug "
                "shows the details."
            ).format(problem=f"{type(exc).__name__}: {exc}")
            make_console(stderr=True).print(styled(_(ERROR_LABEL), "bold red", message))
            sys.exit(1)


class _Main(_Guarded):
    command_class = TranslatedCommand
    group_class = TranslatedGroup

    def main(self, *args, **kwargs):
        """Each run starts in the environment's language (until --lang or a workbook says).

        At exit the objects still alive are frozen (`gc.freeze`), so that the interpreter's
        last collections skip the hundreds of thousands that pandas and numpy made: work that
        frees nothing for a process about to end (70-90 ms of CPU, a sixth of `compute
        --csv-only`: docs/benchmarks.md). Exit handlers registered later, such as the one
        that closes the reader child, run before it."""
        set_language(None)
        atexit.unregister(gc.freeze)  # once per process, however many runs (tests)
        atexit.register(gc.freeze)
        return super().main(*args, **kwargs)

    def format_help(self, ctx, formatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "hginv: national mercury release inventories with the UNEP Toolkit method.\n\n"
        "Get a workbook to fill in with `hginv template`, check it with `hginv validate "
        "WORKBOOK`, then run `hginv compute WORKBOOK`. Every command speaks English, French "
        "or Spanish (--lang, or the language of your system)."
    ),
)
@click.version_option(__version__, prog_name="hginv")
@click.option("--debug", is_flag=True, help=N_("Show Python tracebacks (for developers)."))
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
