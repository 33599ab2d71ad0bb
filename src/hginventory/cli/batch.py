"""`hginv batch`: many inventories in one run."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from hginventory.cli.common import main
from hginventory.cli.messages import ERROR_LABEL, fail
from hginventory.cli.options import (
    QUIET_HELP,
    check_uncertainty_usage,
    estimates_option,
    factors_option,
    lang_option,
    speak,
    uncertainty_options,
)
from hginventory.cli.terminal import echo, make_console
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _


@main.command(
    "batch",
    help=N_(
        'Compute many activity workbooks: files, folders or patterns such as "data/*.xlsx".'
        "\n\n"
        "Writes one CSV per country (a workbook too with --xlsx) in OUTDIR/countries, the "
        "combined tables all.csv and all.parquet, summary.csv of national totals, and "
        "batch-report.csv/.txt listing every problem with its cell. A bad workbook does not "
        "stop the others. Running the same command again skips workbooks unchanged since the "
        "last run (--force recomputes) and resumes an interrupted batch. Exit code 0 when all "
        "succeeded, 1 when any failed, 2 when there is nothing to compute."
    ),
)
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(path_type=Path, readable=False),  # the batch checks it, located
    help=N_("Folder for the results (created if needed)."),
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help=N_(
        "Worker processes that read and check the workbooks [default: the number of CPUs]; "
        "started with fork on Linux and macOS, spawn on Windows; 1 reads in this process. The "
        "whole batch is then computed in one call of the engine."
    ),
)
@factors_option()
@estimates_option()
@click.option("--xlsx", is_flag=True, help=N_("Also write the inventory workbook of each country."))
@click.option("--force", is_flag=True, help=N_("Recompute workbooks that are unchanged."))
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@uncertainty_options(
    N_("Add Monte Carlo ranges (*_p025, *_p975 columns) to every country's results.")
)
@lang_option(
    N_(
        "Language of the reports and workbooks of the batch: en, fr or es [default: the "
        "system's, else en; a batch mixes countries, so the workbooks' own language is not "
        "followed]. CSV and Parquet are the same in every language."
    )
)
@click.pass_context
def batch_command(
    ctx, inputs, outdir, jobs, factors_path, xlsx, force, quiet, uncertainty, draws, seed, lang=None
):
    from hginventory.core.errors import HginvError
    from hginventory.jobs.batch import run_batch
    from hginventory.jobs.batch_inputs import BatchUsageError

    lang = speak(lang)
    check_uncertainty_usage(ctx, uncertainty)
    view = _BatchView(interactive=make_console().is_terminal and not quiet, quiet=quiet)
    try:
        with view, _terminated_raises():
            result = run_batch(
                inputs,
                outdir,
                jobs=jobs,
                factors=factors_path,
                xlsx=xlsx,
                force=force,
                uncertainty=uncertainty,
                draws=draws,
                seed=seed,
                lang=lang,
                include_estimates=bool(ctx.meta.get("hginv.include_estimates")),
                on_start=view.start,
                on_result=view.update,
            )
    except BatchUsageError as exc:
        raise click.UsageError(exc.args[0]) from None
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    except (KeyboardInterrupt, _Terminated) as exc:
        code = 143 if isinstance(exc, _Terminated) else 130  # 128 + the signal, as shells do
        message = _(
            "Interrupted: the workbooks finished so far are kept; run the same command again to "
            "go on."
        )
        make_console(stderr=True).print(message, markup=False)
        sys.exit(code)
    view.finish(result)
    if any(r.succeeded for r in result.results):
        from hginventory.write.batch_report import estimates_line, recalled_notice

        make_console(stderr=True).print(recalled_notice(result), markup=False)
        make_console(stderr=True).print(estimates_line(result), markup=False)
    sys.exit(result.exit_code)


class _Terminated(BaseException):
    """SIGTERM, raised where the batch is so that it unwinds and removes its temporary files
    (by default the process would end at once, leaving them)."""


@contextlib.contextmanager
def _terminated_raises():
    """SIGTERM handled while the batch runs (in the main thread only, where Python can)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum, _frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _BatchView:
    """A rich progress bar on a terminal; one plain line per workbook otherwise (CI logs);
    with --quiet, a line for each failed workbook only."""

    def __init__(self, interactive: bool, quiet: bool = False):
        self.interactive = interactive
        self.quiet = quiet
        self.progress = None
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def start(self, todo: int, skipped: int) -> None:
        if self.quiet:
            return
        if not self.interactive:
            echo(
                ngettext(
                    "{todo} workbook to compute, {skipped} unchanged",
                    "{todo} workbooks to compute, {skipped} unchanged",
                    todo,
                ).format(todo=todo, skipped=skipped)
            )
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]hginv batch"),
            BarColumn(bar_width=None),  # the bar takes what the texts leave: one line at 80
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[ok]} "
                + _("done")
                + "[/] [red]{task.fields[failed]} "
                + _("failed")
                + "[/]"
            ),
            TextColumn("{task.fields[skipped]} " + _("unchanged")),
            TimeElapsedColumn(),
            TextColumn(_("ETA")),
            TimeRemainingColumn(),
            console=make_console(),
            expand=True,
        )
        self.task = self.progress.add_task("batch", total=todo + skipped, ok=0, failed=0, skipped=0)
        self.progress.start()

    def update(self, r) -> None:
        self.counts[r.status] += 1
        if self.progress is not None:
            self.progress.update(self.task, advance=1, **self.counts)
            if r.status == "failed":
                from rich.markup import escape

                self.progress.console.print(
                    f"[red]{_('failed')}[/] "
                    + escape(
                        ngettext("{file}: {n} error", "{file}: {n} errors", len(r.errors)).format(
                            file=r.input_file, n=len(r.errors)
                        )
                    ),
                    markup=True,
                )
            return
        if r.status == "failed":
            from hginventory.core.errors import Problem

            first = Problem(**{**(r.errors or r.problems)[0], "file": ""})  # named in front
            echo(
                ngettext(
                    "FAILED  {file}: {n} error; first: {first}",
                    "FAILED  {file}: {n} errors; first: {first}",
                    len(r.errors),
                ).format(file=r.input_file, n=len(r.errors), first=first)
            )
        elif self.quiet:
            return
        elif r.status == "skipped":
            echo(_("skipped {file} (unchanged)").format(file=r.input_file))
        else:  # no time per workbook: they are computed together, in one engine call
            echo(_("ok      {file} -> countries/{name}.csv").format(file=r.input_file, name=r.name))

    def finish(self, result) -> None:
        out = result.outdir
        from hginventory.core.numbers import format_number

        kept = result.count("ok") + result.count("skipped")
        line = ngettext(
            "Wrote {n} inventory in {folder} in {seconds} s ({ok} computed, {skipped} "
            "unchanged, {failed} failed).",
            "Wrote {n} inventories in {folder} in {seconds} s ({ok} computed, {skipped} "
            "unchanged, {failed} failed).",
            kept,
        ).format(
            n=kept,
            ok=result.count("ok"),
            skipped=result.count("skipped"),
            failed=result.count("failed"),
            seconds=format_number(result.seconds, places=1),
            folder=os.path.join(str(out), ""),  # results/: a folder, as people write it
        )
        if self.interactive:
            make_console().print(line, markup=False)
        elif not self.quiet:
            echo(line)
        if result.failed:
            from rich.markup import escape

            msg = ngettext(
                "{n} workbook failed; see {report}",
                "{n} workbooks failed; see {report}",
                len(result.failed),
            ).format(n=len(result.failed), report=out / "batch-report.txt")
            make_console(stderr=True).print(
                f"[bold red]{_(ERROR_LABEL)}[/] " + escape(msg), markup=True
            )
