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
@click.option(
    "--crosscheck",
    type=click.Choice(["emep"]),
    help="Add a second estimate of air releases from the EMEP/EEA Guidebook factors.",
)
@click.option(
    "--conversion",
    "conversions",
    multiple=True,
    metavar="CODE=VALUE",
    help="Country value of a cross-check unit conversion, e.g. 5.1.1=21.5 (GJ per t coal). "
    "Repeatable.",
)
@click.option(
    "--emep-mapping",
    type=click.Path(path_type=Path),
    help="Sub-category -> Guidebook mapping CSV to use instead of the shipped one.",
)
@click.option(
    "--uncertainty",
    is_flag=True,
    help="Add Monte Carlo ranges (2.5th-97.5th percentiles) and error propagation.",
)
@click.option(
    "--draws",
    type=click.IntRange(min=2, max=100_000),
    default=10_000,
    show_default=True,
    help="Monte Carlo draws (with --uncertainty); memory grows with draws x sub-categories.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=20_211_013,
    show_default=True,
    help="Random seed (with --uncertainty); the same seed gives the same numbers.",
)
@click.pass_context
def compute(
    ctx,
    input_path: Path,
    output: Path | None,
    csv_path: Path | None,
    factors_path: Path | None,
    quiet: bool,
    crosscheck: str | None = None,
    conversions: tuple[str, ...] = (),
    emep_mapping: Path | None = None,
    uncertainty: bool = False,
    draws: int = 10_000,
    seed: int = 20_211_013,
) -> None:
    """Compute the inventory of one activity workbook (INPUT)."""
    from hginventory.activity import read_activity
    from hginventory.calculate import compute as run
    from hginventory.errors import HginvError
    from hginventory.factors import load_factors
    from hginventory.report import write_csv, write_workbook

    debug = ctx.obj["debug"]
    if (conversions or emep_mapping) and not crosscheck:
        raise click.UsageError("--conversion and --emep-mapping need --crosscheck emep")
    stem = input_path.stem
    output = output or Path(f"{stem}-inventory.xlsx")
    csv_path = csv_path or output.with_suffix(".csv")
    try:
        factors = load_factors(factors_path)
        activity = read_activity(input_path)
        inv = run(activity, factors)
        if crosscheck:
            _add_crosscheck(inv, conversions, emep_mapping)
        if uncertainty:
            from hginventory.uncertainty import with_uncertainty

            inv = with_uncertainty(inv, draws=draws, seed=seed)
        write_workbook(inv, output, protect=[input_path])
        write_csv(inv, csv_path, protect=[input_path])
    except HginvError as exc:
        _fail(exc, debug)
    console = _console()
    for w in inv.warnings:
        _console(stderr=True).print(f"  warning: {w}", markup=False)
    if not quiet:
        _print_totals(inv)
        if inv.crosscheck is not None:
            _print_crosscheck(inv)
        if inv.uncertainty is not None:
            _print_uncertainty(inv)
        console.print(f"Wrote {output} and {csv_path}", markup=False)
    _recalled_notice(inv)


# --- EMEP/EEA cross-check (hginventory.emep) ---------------------------------------------------


def _add_crosscheck(inv, conversions, mapping_path) -> None:
    from hginventory.emep import (
        add_crosscheck,
        load_emep_factors,
        load_emep_mapping,
        parse_conversions,
    )

    emep = load_emep_factors()
    mapping = load_emep_mapping(mapping_path, emep=emep, toolkit=inv.factors)
    overrides = parse_conversions(conversions, mapping)
    add_crosscheck(inv, factors=emep, mapping=mapping, overrides=overrides)


def _print_crosscheck(inv) -> None:
    from hginventory.emep import SHEET_NAME, flagged_table

    cc = inv.crosscheck
    console = _console()
    if len(cc.flagged()):
        console.print(flagged_table(cc))
    else:
        console.print(
            f"EMEP/EEA cross-check: the Toolkit air figure of all {len(cc.mapped)} mapped "
            "sub-categories lies within the Guidebook 95 % interval."
        )
    console.print(f"Details in the workbook sheet '{SHEET_NAME}'.", markup=False)
def _print_uncertainty(inv) -> None:
    """National totals with their Monte Carlo 95 % interval."""
    from rich.table import Table

    from hginventory.factors import PATHWAY_LABELS, PATHWAYS

    res = inv.uncertainty
    names = {"hg_input_kg": "Hg input (counted)", "releases_kg": "Total releases"}
    names.update({f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS})
    table = Table(
        title=f"Uncertainty: {res.draws:,} Monte Carlo draws, seed {res.seed} (kg Hg/y)"
    )
    for col in ["Pathway", "Median", "2.5th pct", "97.5th pct", "Approach 1 U"]:
        table.add_column(col, justify="left" if col == "Pathway" else "right")
    for row in res.table("total").itertuples(index=False):
        table.add_row(
            names[row.quantity],
            f"{row.median:,.1f}",
            f"{row.p025:,.1f}",
            f"{row.p975:,.1f}",
            f"{row.approach1_u_pct:,.0f} %",
        )
    _console().print(table)


if __name__ == "__main__":  # pragma: no cover
    main()
