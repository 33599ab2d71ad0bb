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

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


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


class _Guarded(click.Group):
    """No traceback for any input: an unexpected exception becomes a plain message (the
    traceback is shown with --debug). Outputs are replaced only when complete, so nothing is
    lost when this happens."""

    def invoke(self, ctx: click.Context):
        from hginventory.errors import HginvError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except HginvError as exc:
            _fail(exc, bool(ctx.obj and ctx.obj.get("debug")))
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _console(stderr=True).print(
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
                    help="Random seed (with --uncertainty); the same seed gives the same "
                    "numbers.",
                ),
            ]
        ):
            command = option(command)
        return command

    return add


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
@factors_option()
@click.option(
    "--by",
    type=click.Choice(["annex-d", "nfr"]),
    help="Also print air emissions summed by Minamata Annex D category or by NFR code.",
)
@click.option(
    "--by-csv",
    type=click.Path(path_type=Path),
    help="Write the --by summary to this CSV.",
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
@uncertainty_options(
    "Add Monte Carlo ranges (2.5th-97.5th percentiles) and error propagation."
)
@click.pass_context
def compute(
    ctx,
    input_path: Path,
    output: Path | None,
    csv_path: Path | None,
    factors_path: Path | None,
    by: str | None,
    by_csv: Path | None,
    quiet: bool,
    crosscheck: str | None = None,
    conversions: tuple[str, ...] = (),
    emep_mapping: Path | None = None,
    uncertainty: bool = False,
    draws: int = 10_000,
    seed: int = 20_211_013,
) -> None:
    """Compute the inventory of one activity workbook or CSV (INPUT); checks it first."""
    from hginventory.errors import ActivityError, HginvError
    from hginventory.report import write_csv, write_workbook
    from hginventory.validate import validate_input

    debug = ctx.obj["debug"]
    if (conversions or emep_mapping) and not crosscheck:
        raise click.UsageError("--conversion and --emep-mapping need --crosscheck emep")
    stem = input_path.stem
    output = output or Path(f"{stem}-inventory.xlsx")
    csv_path = csv_path or output.with_suffix(".csv")
    try:
        from hginventory.files import refuse_inputs

        refuse_inputs([output, csv_path, *([by_csv] if by_csv else [])], [input_path])
        factors = _factor_option(factors_path)
        checked = validate_input(input_path, factors)
        if not checked.ok:
            _print_validation(checked, stderr=True)
            raise ActivityError(checked.summary)  # the table above lists the problems
        inv = checked.inventory
        if crosscheck:
            _add_crosscheck(inv, conversions, emep_mapping)
        if uncertainty:
            from hginventory.uncertainty import with_uncertainty

            inv = with_uncertainty(inv, draws=draws, seed=seed)
        write_workbook(inv, output, protect=[input_path])
        write_csv(inv, csv_path, protect=[input_path])
        summary = _by_summary(inv, by, by_csv, protect=[input_path]) if by else None
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
    if summary is not None:
        _print_by(summary, by)
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
# --- factor tables: list, show, validate, diff; inventory comparison (issue 5) ---------------

FACTOR_SETS = ("toolkit", "emep")


def _load_for_cli(path, base_path=None, debug=False):
    """A complete table, or an overlay on `base_path` (default the shipped table)."""
    from hginventory.errors import HginvError
    from hginventory.factors import load_factors, load_table

    try:
        base = load_factors(base_path) if base_path else None
        return load_table(path, base)
    except HginvError as exc:
        _fail(exc, debug)


def _pct_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "new" if value == float("inf") else "n/a"
    return f"{value:+.1f} %"


def _finite(value):
    """JSON has no Infinity or NaN: a per cent change from zero becomes null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


@main.group()
def factors() -> None:
    """Factor tables: list, show, validate and diff them."""


@factors.command("list")
@click.option("--group", "group", help="Only this source group (id such as fuels, or its name).")
@click.option(
    "--set",
    "factor_set",
    type=click.Choice(FACTOR_SETS),
    default="toolkit",
    show_default=True,
    help="Which factor set.",
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help="Your factor CSV laid over the shipped table (as in compute).",
)
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
@click.option("--json", "as_json", is_flag=True, help="Write JSON to standard output.")
@click.pass_context
def factors_list(ctx, group, factor_set, factors_path, as_csv, as_json) -> None:
    """List the factor table: code, name, input factor and range, distribution, source."""
    from rich.table import Table

    from hginventory.factors import PATHWAYS

    if factor_set == "emep":
        _list_emep(ctx, group, as_csv, as_json)
        return
    table = _load_for_cli(factors_path, debug=ctx.obj["debug"])
    frame = table.frame()
    if group:
        frame = frame[(frame["source_group"] == group) | (frame["group_name"] == group)]
        if frame.empty:
            _console(stderr=True).print(
                f"[bold red]Error:[/] no source group {group!r}; "
                f"expected one of {', '.join(table.groups) or 'the table groups'}"
            )
            sys.exit(1)
    columns = [
        "code",
        "sub_category",
        "source_group",
        "input_factor",
        "input_factor_low",
        "input_factor_high",
        "input_factor_unit",
        "activity_unit",
        *PATHWAYS,
        "status",
        "confidence",
        "factor_id",
        "factor_source",
    ]
    if as_csv or as_json:
        from hginventory.report import csv_safe

        out = frame[columns]
        if as_json:
            click.echo(out.to_json(orient="records", indent=1, force_ascii=False))
        else:
            click.echo(csv_safe(out).to_csv(index=False, lineterminator="\n"), nl=False)
        return
    view = Table(title=f"{table.title} ({table.label})", show_lines=False)
    for name in ("Code", "Sub-category", "Input factor (low-high)", "Distribution"):
        view.add_column(name)
    view.add_column("Source")
    view.add_column("Status")
    origins = getattr(table, "origins", {})
    for r in frame.itertuples(index=False):
        source = f"{r.document} v{r.version}"
        if r.code in origins:
            source += f" ({Path(origins[r.code]['file']).name} line {origins[r.code]['line']})"
        rng = ""
        if r.input_factor_low == r.input_factor_low and r.input_factor_low is not None:
            rng = f" ({r.input_factor_low:g}-{r.input_factor_high:g})"
        dist = " ".join(f"{p[:5]} {getattr(r, p):g}" for p in PATHWAYS if getattr(r, p))
        status = r.status + (f" ({r.confidence})" if r.confidence else "")
        view.add_row(
            r.code,
            r.sub_category,
            f"{r.input_factor:g} {r.input_factor_unit}{rng}",
            dist,
            source,
            status,
        )
    _console().print(view)


def _list_emep(ctx, group, as_csv, as_json) -> None:
    """The EMEP/EEA Guidebook Hg air emission factors (`--group` filters on NFR or chapter)."""
    from rich.table import Table

    from hginventory.emep import load_emep_factors
    from hginventory.errors import HginvError

    try:
        table = load_emep_factors()
    except HginvError as exc:
        _fail(exc, ctx.obj["debug"])
    frame = table.frame()
    if group:
        frame = frame[frame["NFR"].str.startswith(group) | frame["chapter"].str.startswith(group)]
        if frame.empty:
            _console(stderr=True).print(
                f"[bold red]Error:[/] no Guidebook row with NFR code or chapter {group!r}"
            )
            sys.exit(1)
    if as_csv or as_json:
        from hginventory.report import csv_safe

        if as_json:
            click.echo(frame.to_json(orient="records", indent=1, force_ascii=False))
        else:
            click.echo(csv_safe(frame).to_csv(index=False, lineterminator="\n"), nl=False)
        return
    view = Table(title=f"EMEP/EEA Guidebook Hg air emission factors ({table.id}@{table.version})")
    for name in ("Row", "NFR", "Table", "Type", "Technology / fuel", "Value (95 % CI)", "Status"):
        view.add_column(name)
    for r in frame.itertuples(index=False):
        what = " / ".join(v for v in (r.Technology, r.Fuel, r.Abatement) if v and v != "NA")
        ci = f" ({r.CI_lower:g}-{r.CI_upper:g})" if r.CI_lower == r.CI_lower else ""
        view.add_row(r.row_id, r.NFR, r.Table, r.Type, what, f"{r.Value:g} {r.Unit}{ci}", r.status)
    _console().print(view)


@factors.command("show")
@click.argument("code")
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help="Your factor CSV laid over the shipped table (as in compute).",
)
@click.pass_context
def factors_show(ctx, code, factors_path) -> None:
    """Show one factor row in full, with its provenance and Convention/NFR links."""
    from rich.table import Table

    from hginventory.crosswalk import link_for, load_crosswalk
    from hginventory.errors import HginvError
    from hginventory.factors import FIELDS

    table = _load_for_cli(factors_path, debug=ctx.obj["debug"])
    if code not in table:
        _console(stderr=True).print(
            f"[bold red]Error:[/] no factor row {code!r} in {table.label}", markup=True
        )
        sys.exit(1)
    row = table[code]
    view = Table(title=f"{code} {row.sub_category}", show_header=False)
    view.add_column("Field", style="bold")
    view.add_column("Value")
    view.add_row("factor_id", table.factor_id(code))
    view.add_row("source", table.source(row))
    for name in FIELDS:
        value = getattr(row, name)
        text = ";".join(value) if isinstance(value, tuple) else str(value)
        view.add_row(name, "" if value is None else text)
    doc = table.documents.get(row.document, {})
    if doc:
        view.add_row("document title", doc.get("title", ""))
        view.add_row("document address", doc.get("address", ""))
    try:
        link = link_for(code, load_crosswalk())
    except HginvError:
        link = None
    if link:
        view.add_row("Annex D category", link.annex_d or "-")
        view.add_row("Convention article", link.convention_article or "-")
        view.add_row("NFR (primary)", link.nfr_primary or "-")
        view.add_row("NFR (others)", ";".join(link.nfr_other) or "-")
        view.add_row("crosswalk provenance", link.provenance)
    _console().print(view)


@factors.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def factors_validate(paths) -> None:
    """Validate factor tables (default: the shipped ones and the crosswalk).

    A CSV with every column is checked as a complete table; a CSV with some columns is checked
    as an overlay of the shipped table. Every problem is printed with file, line and field;
    the exit code is 1 if any table has an error (usable as a CI step).
    """
    from hginventory.crosswalk import load_crosswalk
    from hginventory.errors import HginvError
    from hginventory.factors import load_factors, load_table

    console = _console()
    failed = False
    checks = [(str(p), lambda p=p: load_table(p)) for p in paths]
    if not paths:
        checks = [
            ("shipped factor table", load_factors),
            ("crosswalk", lambda: load_crosswalk(codes=load_factors().codes)),
        ]
    for name, check in checks:
        try:
            result = check()
        except HginvError as exc:
            failed = True
            report_error(exc)
            continue
        if getattr(result, "origins", None) is not None:
            what = f"overlay {result.overlay_label} of {result.base.label}, "
            what += f"{len(result.origins)} rows"
        elif hasattr(result, "label"):
            what = f"{result.label}, {len(result)} rows"
        else:
            what = f"{len(result)} rows"
        console.print(f"[green]OK[/] {name} ({what})")
    sys.exit(1 if failed else 0)


@factors.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--inventory",
    "inventories",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Activity workbook to compute with both tables (repeatable) [default: examples/].",
)
@click.option("--json", "as_json", is_flag=True, help="Write the diff as JSON to standard output.")
@click.option(
    "--fail-on-change",
    is_flag=True,
    help="Exit with code 3 when a row or an inventory total changed (for CI).",
)
@click.pass_context
def factors_diff(ctx, old, new, inventories, as_json, fail_on_change) -> None:
    """What changed from factor table OLD to NEW, and what it does to inventories.

    OLD and NEW are factor CSVs or folders; a CSV with only some columns is read as an overlay
    of OLD. Exit code 0 (or 3 with --fail-on-change when something changed), 1 on errors.
    """
    import json

    from rich.table import Table

    from hginventory.factordiff import (
        diff_tables,
        example_inventories,
        impact,
        impact_frame,
        moved,
    )

    debug = ctx.obj["debug"]
    before = _load_for_cli(old, debug=debug)
    after = _load_for_cli(new, base_path=old, debug=debug)
    table_diff = diff_tables(before, after)
    paths = list(inventories) or example_inventories()
    impacts = [impact(p, before, after) for p in paths]
    changed = bool(table_diff) or any(i.changed for i in impacts)
    if as_json:
        payload = {
            "old": {"label": before.label, "sha256": before.sha256, "path": str(old)},
            "new": {"label": after.label, "sha256": after.sha256, "path": str(new)},
            "rows": table_diff.frame().to_dict(orient="records"),
            "inventories": impact_frame(impacts).to_dict(orient="records"),
            "errors": {i.name: i.error for i in impacts if i.error},
            "changed": changed,
            "warnings": [w for w in [table_diff.version_warning] if w],
        }
        click.echo(json.dumps(_finite(payload), indent=1, ensure_ascii=False, default=str))
    else:
        console = _console()
        console.print(
            f"Factor table diff: {old} ({before.label}) -> {new} ({after.label})", markup=False
        )
        if not table_diff:
            console.print("No row of the factor table changed.")
        else:
            rows = Table(title="Rows changed")
            for name in ("Code", "Change", "Field", "Kind", "Old", "New"):
                rows.add_column(name)
            for r in table_diff.frame().itertuples(index=False):
                rows.add_row(r.code, r.change, r.field, r.kind, r.old, r.new)
            console.print(rows)
        if table_diff.version_warning:
            _console(stderr=True).print(f"  warning: {table_diff.version_warning}", markup=False)
        if not paths:
            console.print("No example inventory found; give one with --inventory WORKBOOK.")
        for imp in impacts:
            if imp.error:
                console.print(f"{imp.name}: cannot be computed with both tables", markup=False)
                console.print(f"  {imp.error}", markup=False)
                continue
            view = Table(title=f"{imp.name}: national totals (kg Hg/y)")
            for name in ("Total", "Old", "New", "Change", "%"):
                view.add_column(name, justify="left" if name == "Total" else "right")
            for r in imp.totals.itertuples(index=False):
                view.add_row(
                    r.total.removesuffix("_kg"),
                    f"{r.old_kg:,.2f}",
                    f"{r.new_kg:,.2f}",
                    f"{r.change_kg:+,.2f}",
                    _pct_text(r.change_pct),
                )
            console.print(view)
            groups = imp.groups[moved(imp.groups)]
            if len(groups):
                view = Table(title=f"{imp.name}: source groups that moved (kg Hg/y)")
                for name in ("Source group", "Quantity", "Old", "New", "Change", "%"):
                    view.add_column(name, justify="left" if name[0] in "SQ" else "right")
                for r in groups.itertuples(index=False):
                    view.add_row(
                        r.source_group,
                        r.quantity.removesuffix("_kg"),
                        f"{r.old_kg:,.2f}",
                        f"{r.new_kg:,.2f}",
                        f"{r.change_kg:+,.2f}",
                        _pct_text(r.change_pct),
                    )
                console.print(view)
            else:
                console.print(f"{imp.name}: no source group total moved.", markup=False)
    if fail_on_change and changed:
        _console(stderr=True).print("Factor tables differ (--fail-on-change).")
        sys.exit(3)


@main.command("diff")
@click.argument("baseline", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    help="Write every change (sub-category x pathway) to this CSV.",
)
@click.option("--all", "show_all", is_flag=True, help="Also list sub-categories that did not move.")
@click.pass_context
def diff_inventories(ctx, baseline, new, csv_path, show_all) -> None:
    """Compare two computed inventories (hginv CSV outputs or workbooks).

    Per sub-category and pathway: change in kg and per cent, rows added or gone, and whether
    the activity or the factor changed.
    """
    from rich.table import Table

    from hginventory.compare import compare, pathway_totals, per_code, read_results, write_changes
    from hginventory.errors import HginvError

    try:
        diff = compare(read_results(baseline), read_results(new))
        if csv_path:
            write_changes(diff, csv_path, protect=[baseline, new])
    except HginvError as exc:
        _fail(exc, ctx.obj["debug"])
    console = _console()
    codes = per_code(diff)
    shown = codes if show_all else codes[codes["state"] != "same"]
    view = Table(title=f"{baseline.name} -> {new.name}: sub-categories (kg Hg/y)")
    for name in ("Code", "Sub-category", "State", "Why", "Input old", "Input new"):
        view.add_column(name, justify="right" if "old" in name or "new" in name else "left")
    for name in ("Releases old", "Releases new", "Change", "%"):
        view.add_column(name, justify="right")
    for r in shown.itertuples(index=False):
        why = ", ".join(
            w for w, f in (("activity", r.activity_changed), ("factor", r.factor_changed)) if f
        )
        view.add_row(
            r.code,
            f"{r.sub_category} - {r.facility}" if r.facility else r.sub_category,
            r.state,
            why,
            f"{r.input_baseline_kg:,.2f}",
            f"{r.input_new_kg:,.2f}",
            f"{r.releases_baseline_kg:,.2f}",
            f"{r.releases_new_kg:,.2f}",
            f"{r.releases_change_kg:+,.2f}",
            _pct_text(r.releases_change_pct),
        )
    console.print(view)
    unchanged = int((codes["state"] == "same").sum())
    if unchanged and not show_all:
        console.print(f"{unchanged} sub-categories unchanged (--all lists them).")
    totals = Table(title="Sum of rows per pathway (before the double-counting adjustments)")
    for name in ("Quantity", "Baseline", "New", "Change", "%"):
        totals.add_column(name, justify="left" if name == "Quantity" else "right")
    for r in pathway_totals(diff).itertuples(index=False):
        totals.add_row(
            r.quantity.removesuffix("_kg"),
            f"{r.baseline_kg:,.2f}",
            f"{r.new_kg:,.2f}",
            f"{r.change_kg:+,.2f}",
            _pct_text(r.change_pct),
        )
    console.print(totals)
    if csv_path:
        console.print(f"Wrote {csv_path}", markup=False)


def _by_summary(inv, by, by_csv, protect):
    """The --by summary of compute (and its CSV if asked)."""
    from hginventory.crosswalk import summarise
    from hginventory.files import atomic_write
    from hginventory.report import csv_safe

    summary = summarise(inv, by)
    if by_csv:
        frame = csv_safe(summary)
        atomic_write(
            by_csv,
            lambda tmp: frame.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n"),
            protect,
        )
    return summary


def _print_by(summary, by) -> None:
    from rich.table import Table

    title = "Air emissions by Minamata Annex D category" if by == "annex-d" else (
        "Air emissions by NFR code (primary code of each sub-category)"
    )
    view = Table(title=f"{title} (kg Hg/y)")
    for name in summary.columns:
        view.add_column(name, justify="right" if name == "air_kg" else "left")
    for r in summary.itertuples(index=False):
        view.add_row(*(f"{v:,.2f}" if isinstance(v, float) else str(v) for v in r))
    _console().print(view)
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
@factors_option()
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and notices.")
@click.pass_context
def report_command(
    ctx, input_path: Path, outputs: tuple[Path, ...], factors_path: Path | None, quiet: bool
) -> None:
    """Write a draft national inventory report from an activity workbook (INPUT).

    The report follows the chapters of the Toolkit's reporting template; it is computed from
    the activity workbook (a result CSV or workbook lacks the notes and screening it needs).
    """
    from hginventory.document import check_report_path, report_input_error, write_report
    from hginventory.errors import ActivityError, HginvError
    from hginventory.validate import validate_input

    debug = ctx.obj["debug"]
    stem = input_path.stem
    outputs = outputs or (Path(f"{stem}-report.docx"), Path(f"{stem}-report.html"))
    try:
        for out in outputs:
            check_report_path(out)
        factors = _factor_option(factors_path)
        checked = validate_input(input_path, factors)
        if not checked.ok:
            hint = report_input_error(input_path)
            if hint:
                raise hint
            _print_validation(checked, stderr=True)
            raise ActivityError(checked.summary)  # the table above lists the problems
        inv = checked.inventory
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


# --- input side: template and validate (issue 3) ---------------------------------------------


def _print_validation(checked, stderr: bool = False) -> None:
    """Every problem of an input in one table: severity, where, problem, found, expected.

    Cells are plain Text, so input text such as ':x:' or '[red]' prints as typed; the value
    found is quoted so that stray spaces show."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = _console(stderr=stderr)
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


def _factor_option(path: Path | None):
    """The table of a --factors option (imported here: pandas stays out of --help)."""
    from hginventory.factors import factors_for

    return factors_for(path)


@main.command("validate")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@factors_option()
def validate_command(input_path: Path, as_json: bool, factors_path: Path | None) -> None:
    """Check an activity workbook or CSV (INPUT) without computing; list every problem.

    Exit code 0 when there is nothing worse than a warning, 1 when there are errors, 2 when
    the command line is wrong. The input is only read.
    """
    from hginventory.errors import HginvError, Problem
    from hginventory.validate import Validation, validate_input

    try:
        factors = _factor_option(factors_path)
    except HginvError as exc:
        if not as_json:
            raise
        problems = exc.problems or [Problem(exc.args[0], file=str(factors_path), kind="factors")]
        click.echo(Validation(factors_path, problems).to_json())  # scripts always get JSON
        sys.exit(1)
    checked = validate_input(input_path, factors)
    if as_json:
        click.echo(checked.to_json())
    else:
        _print_validation(checked)
        if checked.ok:
            note = " (read the warnings)" if checked.warnings else ""
            _console().print(
                f"{input_path.name}: no errors{note}; ready for hginv compute",
                markup=False,
                emoji=False,
            )
        else:
            _console().print(
                f"{input_path.name}: {len(checked.errors)} error(s) to fix before hginv compute",
                markup=False,
                emoji=False,
            )
    sys.exit(checked.exit_code)


@main.command("template")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default="hginv-template.xlsx",
    show_default=True,
    help="Workbook to write.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--country", "country_name", help="Fill in the country name.")
@click.option("--year", type=click.IntRange(1950, 2100), help="Fill in the inventory year.")
@click.option("--iso3", help="Fill in the ISO 3166 three-letter code.")
@factors_option(
    "List the sub-categories of this factor CSV or folder instead of the shipped table."
)
def template_command(
    output: Path,
    force: bool,
    country_name: str | None,
    year: int | None,
    iso3: str | None,
    factors_path: Path | None,
) -> None:
    """Write an activity workbook to fill in: every sub-category, units, instructions."""
    from hginventory.template import write_template

    factors = _factor_option(factors_path)
    country = {"country": country_name, "year": year, "iso3": iso3}
    write_template(output, factors, force=force, country=country)
    _console().print(
        f"Wrote {output}: fill in the sheets 'country' and 'activity', then run "
        f"hginv validate {output}",
        markup=False,
        emoji=False,
    )


# --- batch runs over many workbooks (issue 6; hginventory.batch) -----------------------------


@main.command("batch")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the results (created if needed).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes [default: the number of CPUs]; 1 computes in this process.",
)
@factors_option()
@click.option("--xlsx", is_flag=True, help="Also write the inventory workbook of each country.")
@click.option("--force", is_flag=True, help="Recompute workbooks that are unchanged.")
@uncertainty_options("Add Monte Carlo ranges (*_p025, *_p975 columns) to every country's results.")
@click.pass_context
def batch_command(ctx, inputs, outdir, jobs, factors_path, xlsx, force, uncertainty, draws, seed):
    """Compute many activity workbooks: files, folders or patterns such as "data/*.xlsx".

    Writes one CSV per country (a workbook too with --xlsx) in OUTDIR/countries, the combined
    tables all.csv and all.parquet, summary.csv of national totals, and batch-report.csv/.txt
    listing every problem with its cell. A bad workbook does not stop the others. Running the
    same command again skips workbooks unchanged since the last run (--force recomputes) and
    resumes an interrupted batch. Exit code 0 when all succeeded, 1 when any failed, 2 when
    there is nothing to compute.
    """
    from hginventory.batch import BatchUsageError, run_batch
    from hginventory.errors import HginvError

    given = {n for n in ("draws", "seed") if ctx.get_parameter_source(n).name == "COMMANDLINE"}
    if given and not uncertainty:
        raise click.UsageError("--draws and --seed need --uncertainty")
    view = _BatchView(interactive=sys.stdout.isatty())
    try:
        with view:
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
                on_start=view.start,
                on_result=view.update,
            )
    except BatchUsageError as exc:
        raise click.UsageError(exc.args[0]) from None
    except HginvError as exc:
        _fail(exc, ctx.obj["debug"])
    view.finish(result)
    if any(r.succeeded for r in result.results):
        from hginventory.batch import recalled_notice

        _console(stderr=True).print(recalled_notice(result), markup=False)
    sys.exit(result.exit_code)


class _BatchView:
    """A rich progress bar on a terminal; one plain line per workbook otherwise (CI logs)."""

    def __init__(self, interactive: bool):
        self.interactive = interactive
        self.progress = None
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def start(self, todo: int, skipped: int) -> None:
        if not self.interactive:
            click.echo(f"{todo} workbook(s) to compute, {skipped} unchanged")
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
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[green]{task.fields[ok]} done[/] [red]{task.fields[failed]} failed[/]"),
            TextColumn("{task.fields[skipped]} unchanged"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_console(),
        )
        self.task = self.progress.add_task(
            "batch", total=todo + skipped, ok=0, failed=0, skipped=0
        )
        self.progress.start()

    def update(self, r) -> None:
        self.counts[r.status] += 1
        if self.progress is not None:
            self.progress.update(self.task, advance=1, **self.counts)
            if r.status == "failed":
                self.progress.console.print(
                    f"[red]failed[/] {r.input_file}: {len(r.errors)} error(s)", markup=True
                )
            return
        if r.status == "failed":
            from hginventory.errors import Problem

            first = Problem(**(r.errors or r.problems)[0])
            click.echo(f"FAILED  {r.input_file}: {len(r.errors)} error(s); first: {first}")
        elif r.status == "skipped":
            click.echo(f"skipped {r.input_file} (unchanged)")
        else:
            click.echo(f"ok      {r.input_file} -> countries/{r.name}.csv ({r.seconds:.2f} s)")

    def finish(self, result) -> None:
        out = result.outdir
        line = (
            f"{result.count('ok')} computed, {result.count('skipped')} unchanged, "
            f"{result.count('failed')} failed in {result.seconds:.1f} s; results in {out}"
        )
        if self.interactive:
            _console().print(line, markup=False)
        else:
            click.echo(line)
        if result.failed:
            msg = f"{len(result.failed)} workbook(s) failed; see {out / 'batch-report.txt'}"
            _console(stderr=True).print(f"[bold red]Error:[/] {msg}", markup=True)


if __name__ == "__main__":  # pragma: no cover
    main()
