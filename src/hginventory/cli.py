"""The `hginv` command line: parses options, calls the library, prints.

Heavy modules (pandas, openpyxl) are imported inside the commands so that `hginv --help`
stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory import __version__


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def report_error(exc, debug: bool = False) -> None:
    """Print a located error (and its problems) plainly on stderr."""
    console = _console(stderr=True)
    if debug:
        console.print_exception()
    console.print(f"[bold red]Error:[/] {exc.args[0]}", markup=True)
    problems = getattr(exc, "problems", [])
    errors = [p for p in problems if p.severity == "error"]
    for p in errors + [p for p in problems if p.severity != "error"]:
        tag = "error" if p.severity == "error" else "warning"
        console.print(f"  {tag}: {p}", markup=False)


def _fail(exc, debug: bool) -> None:
    report_error(exc, debug)
    sys.exit(getattr(exc, "exit_code", 1))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hginv")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """hginv: national mercury release inventories with the UNEP Toolkit method.

    Fill in an activity workbook, then run `hginv compute WORKBOOK`.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _print_totals(inv) -> None:
    from rich.table import Table

    from hginventory.factors import PATHWAY_LABELS, PATHWAYS

    console = _console()
    totals = inv.totals()
    table = Table(title=f"{inv.country.country} {inv.country.year}: national totals (kg Hg/y)")
    table.add_column("Pathway")
    table.add_column("kg Hg/y", justify="right")
    table.add_row("Hg input (counted)", f"{totals['hg_input_kg']:,.1f}")
    for p in PATHWAYS:
        table.add_row(PATHWAY_LABELS[p], f"{totals[f'{p}_kg']:,.1f}")
    table.add_row("[bold]Total releases[/]", f"[bold]{totals['releases_kg']:,.1f}[/]")
    console.print(table)


def _recalled_notice(inv) -> None:
    n = inv.recalled_count
    if n:
        _console(stderr=True).print(
            f"[yellow]Notice:[/] {n} of {len(inv.results)} factors used are 'recalled' "
            "(not confirmed against the official Toolkit); see the 'Factors used' sheet.",
        )


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Workbook to write [default: <input name>-inventory.xlsx here].",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    help="CSV to write [default: <input name>-inventory.csv here].",
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help="Factor table (CSV or folder) to use instead of the shipped one.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and notices.")
@click.pass_context
def compute(
    ctx,
    input_path: Path,
    output: Path | None,
    csv_path: Path | None,
    factors_path: Path | None,
    quiet: bool,
) -> None:
    """Compute the inventory of one activity workbook (INPUT)."""
    from hginventory.activity import read_activity
    from hginventory.calculate import compute as run
    from hginventory.errors import HginvError
    from hginventory.factors import load_factors
    from hginventory.report import write_csv, write_workbook

    debug = ctx.obj["debug"]
    stem = input_path.stem
    output = output or Path(f"{stem}-inventory.xlsx")
    csv_path = csv_path or output.with_suffix(".csv")
    try:
        factors = load_factors(factors_path)
        activity = read_activity(input_path)
        inv = run(activity, factors)
        write_workbook(inv, output, protect=[input_path])
        write_csv(inv, csv_path, protect=[input_path])
    except HginvError as exc:
        _fail(exc, debug)
    console = _console()
    for w in inv.warnings:
        _console(stderr=True).print(f"  warning: {w}", markup=False)
    if not quiet:
        _print_totals(inv)
        console.print(f"Wrote {output} and {csv_path}", markup=False)
    _recalled_notice(inv)


@main.command("report")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Report to write, .docx (Word) or .html (web page); repeat to write both "
    "[default: <input name>-report.docx and <input name>-report.html here].",
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help="Factor table (CSV or folder) to use instead of the shipped one.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and notices.")
@click.pass_context
def report_command(
    ctx, input_path: Path, outputs: tuple[Path, ...], factors_path: Path | None, quiet: bool
) -> None:
    """Write a draft national inventory report from an activity workbook (INPUT).

    The report follows the chapters of the Toolkit's reporting template; it is computed from
    the activity workbook (a result CSV or workbook lacks the notes and screening it needs).
    """
    from hginventory.activity import read_activity
    from hginventory.calculate import compute as run
    from hginventory.document import check_report_path, report_input_error, write_report
    from hginventory.errors import HginvError
    from hginventory.factors import load_factors

    debug = ctx.obj["debug"]
    stem = input_path.stem
    outputs = outputs or (Path(f"{stem}-report.docx"), Path(f"{stem}-report.html"))
    try:
        for out in outputs:
            check_report_path(out)
        factors = load_factors(factors_path)
        try:
            activity = read_activity(input_path)
        except HginvError as exc:
            raise (report_input_error(input_path) or exc) from None
        inv = run(activity, factors)
        for out in outputs:
            write_report(inv, out, protect=[input_path])
    except HginvError as exc:
        _fail(exc, debug)
    for w in inv.warnings:
        _console(stderr=True).print(f"  warning: {w}", markup=False)
    if not quiet:
        _console().print(f"Wrote {' and '.join(str(o) for o in outputs)}", markup=False)
    if inv.recalled_count:
        _console(stderr=True).print(
            f"[yellow]Notice:[/] {inv.recalled_count} of {len(inv.results)} factors used are "
            "'recalled' (not confirmed against the official Toolkit); the report says so up "
            "front and lists them in Annex A.",
        )


if __name__ == "__main__":  # pragma: no cover
    main()
