"""What every command shares: the `hginv` group, error printing, shared options."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory import __version__


def make_console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def report_error(exc, debug: bool = False) -> None:
    """Print a located error (and its problems) plainly on stderr."""
    console = make_console(stderr=True)
    if debug:
        console.print_exception()
    console.print(f"[bold red]Error:[/] {exc.args[0]}", markup=True)
    problems = getattr(exc, "problems", [])
    errors = [p for p in problems if p.severity == "error"]
    for p in errors + [p for p in problems if p.severity != "error"]:
        tag = "error" if p.severity == "error" else "warning"
        console.print(f"  {tag}: {p}", markup=False)


def fail(exc, debug: bool) -> None:
    report_error(exc, debug)
    sys.exit(getattr(exc, "exit_code", 1))


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
            make_console(stderr=True).print(
                f"[bold red]Error:[/] hginv stopped on an unexpected problem "
                f"({type(exc).__name__}: {exc}). No input was changed and no existing output "
                "was replaced. Please report it with the input file; --debug shows the details.",
            )
            sys.exit(1)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hginv")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """hginv: national mercury release inventories with the UNEP Toolkit method.

    Get a workbook to fill in with `hginv template`, check it with `hginv validate WORKBOOK`,
    then run `hginv compute WORKBOOK`.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def print_totals(inv) -> None:
    from rich.table import Table

    from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS

    console = make_console()
    totals = inv.totals()
    table = Table(title=f"{inv.country.country} {inv.country.year}: national totals (kg Hg/y)")
    table.add_column("Pathway")
    table.add_column("kg Hg/y", justify="right")
    table.add_row("Hg input (counted)", f"{totals['hg_input_kg']:,.1f}")
    for p in PATHWAYS:
        table.add_row(PATHWAY_LABELS[p], f"{totals[f'{p}_kg']:,.1f}")
    table.add_row("[bold]Total releases[/]", f"[bold]{totals['releases_kg']:,.1f}[/]")
    console.print(table)


def print_recalled_notice(inv) -> None:
    n = inv.recalled_count
    if n:
        make_console(stderr=True).print(
            f"[yellow]Notice:[/] {n} of {len(inv.results)} factors used are 'recalled' "
            "(not confirmed against the official Toolkit); see the 'Factors used' sheet.",
        )


FACTORS_HELP = (
    "Your factor CSV, laid over the shipped table row by row (same code overrides, a new code "
    "adds a variant); a folder replaces the shipped table."
)


def factors_option(help: str = FACTORS_HELP):
    """--factors, read by `factors.factors_for` in every command that computes."""
    return click.option("--factors", "factors_path", type=click.Path(path_type=Path), help=help)


def uncertainty_options(what: str):
    """--uncertainty, --draws and --seed, the same for compute and batch."""

    def add(command):
        for option in reversed(
            [
                click.option("--uncertainty", is_flag=True, help=what),
                click.option(
                    "--draws",
                    type=click.IntRange(min=2, max=100_000),
                    default=10_000,
                    show_default=True,
                    help="Monte Carlo draws (with --uncertainty); memory grows with draws x "
                    "sub-categories.",
                ),
                click.option(
                    "--seed",
                    type=click.IntRange(min=0),
                    default=20_211_013,
                    show_default=True,
                    help="Random seed (with --uncertainty); the same seed gives the same numbers.",
                ),
            ]
        ):
            command = option(command)
        return command

    return add


def print_validation(checked, stderr: bool = False) -> None:
    """Every problem of an input in one table: severity, where, problem, found, expected.

    Cells are plain Text, so input text such as ':x:' or '[red]' prints as typed; the value
    found is quoted so that stray spaces show."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = make_console(stderr=stderr)
    if not console.is_terminal:  # piped or captured: wide enough not to break every cell
        console = Console(stderr=stderr, highlight=False, emoji=False, width=200)
    if not checked.problems:
        return
    n_err, n_warn = len(checked.errors), len(checked.warnings)
    table = Table(title=Text(f"{checked.path}: {n_err} error(s), {n_warn} warning(s)"))
    for name in ("Severity", "File", "Sheet!cell", "Problem", "Found", "Expected"):
        table.add_column(name, overflow="fold")
    for p in checked.sorted_problems():
        if p.sheet and p.cell:
            at = f"{p.sheet}!{p.cell}"
        else:
            at = p.cell or (f"sheet '{p.sheet}'" if p.sheet else "")
        cells = (
            p.severity,
            Path(p.file).name if p.file else "",
            at,
            p.message,
            repr(p.found) if p.found else "",
            p.expected,
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)


def factors_flag(path: Path | None):
    """The table of a --factors option (imported here: pandas stays out of --help)."""
    from hginventory.tables.factors import factors_for

    return factors_for(path)


def pct_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "new" if value == float("inf") else "n/a"
    return f"{value:+.1f} %"
