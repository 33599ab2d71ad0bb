"""`hginv factors`: list, show, validate and diff factor tables."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory.cli.common import main
from hginventory.cli.messages import (
    ERROR_LABEL,
    fail,
    pct_text,
    quantity_text,
    report_error,
    severity_word,
)
from hginventory.cli.options import lang_option
from hginventory.cli.terminal import emit, labelled, make_console, show_table, styled
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import MASS, format_number, mass, plain

FACTOR_SETS = ("toolkit", "emep")


SHORT_PATHWAYS = {"air": N_("air"), "water": N_("water"), "land": N_("land"),
                  "byproducts": N_("by-products"), "general_waste": N_("waste"),
                  "sector_treatment": N_("sector")}  # fmt: skip

OVERLAY_HELP = N_("Your factor CSV laid over the shipped table (as in compute).")

FACTORS_LANG_HELP = N_(
    "Language of the messages and table captions: en, fr or es [default: the system's, else "
    "en]. CSV and JSON are the same in every language."
)


def _error(text: str) -> None:
    """An error of the command line's values, plainly on stderr; exit code 1."""
    make_console(stderr=True).print(styled(_(ERROR_LABEL), "bold red", text))
    sys.exit(1)


def _no_group(group: str, groups) -> None:
    _error(
        _("no source group {group}; expected one of {groups}").format(
            group=repr(group), groups=", ".join(groups) or _("the table groups")
        )
    )


def _load_for_cli(path, base_path=None, debug=False):
    """A complete table, or an overlay on `base_path` (default the shipped table)."""
    from hginventory.core.errors import HginvError
    from hginventory.tables.factors import load_factors, load_table

    try:
        base = load_factors(base_path) if base_path else None
        return load_table(path, base)
    except HginvError as exc:
        fail(exc, debug)


def _finite(value):
    """JSON has no Infinity or NaN: a per cent change from zero becomes null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


DIFF_WORDS = Texts(
    {
        "added": N_("added"),
        "removed": N_("removed"),
        "changed": N_("changed"),
        "value": N_("value"),
        "source": N_("source"),
        "description": N_("description"),
    }
)
"""The change and kind of a factor-table diff row (English in the --json output) as read."""


@main.group(help=N_("Factor tables: list, show, validate and diff them."))
def factors() -> None:
    """`hginv factors` (its help is the N_ text above)."""


@factors.command(
    "list",
    help=N_("List the factor table: code, name, input factor and range, distribution, source."),
)
@click.option(
    "--group", "group", help=N_("Only this source group (id such as fuels, or its name).")
)
@click.option(
    "--set",
    "factor_set",
    type=click.Choice(FACTOR_SETS),
    default="toolkit",
    show_default=True,
    help=N_("Which factor set."),
)
@click.option("--factors", "factors_path", type=click.Path(path_type=Path), help=OVERLAY_HELP)
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help=N_(
        "Write the table as CSV to standard output, in the format --factors, factors "
        "validate and factors diff read (as factors export)."
    ),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Write JSON to standard output."))
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_list(ctx, group, factor_set, factors_path, as_csv, as_json, lang=None) -> None:
    from rich.table import Table

    from hginventory.core.columns import PATHWAYS
    from hginventory.tables.translations import name_of

    if factor_set == "emep":
        _list_emep(ctx, group, as_csv, as_json)
        return
    table = _load_for_cli(factors_path, debug=ctx.obj["debug"])
    frame = table.frame()
    if group:
        frame = frame[(frame["source_group"] == group) | (frame["group_name"] == group)]
        if frame.empty:
            _no_group(group, table.groups)
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
    if as_csv:
        from hginventory.tables.export import table_csv

        emit(table_csv(table, list(frame["code"])), nl=False)
        return
    if as_json:
        emit(frame[columns].to_json(orient="records", indent=1, force_ascii=False))
        return
    view = Table(title=f"{table.title} ({table.label})", show_lines=False)
    source_header, dist_header = _("Source"), _("Distribution")
    for name in (_("Code"), _("Sub-category"), _("Input factor (low-high)"), dist_header):
        view.add_column(name)
    view.add_column(source_header)
    view.add_column(_("Status"))
    origins = getattr(table, "origins", {})
    for r in frame.itertuples(index=False):
        source = f"{r.document} v{r.version}"
        if r.code in origins:
            at = _("{file} line {line}").format(
                file=Path(origins[r.code]["file"]).name, line=origins[r.code]["line"]
            )
            source += f" ({at})"
        rng = ""
        if r.input_factor_low == r.input_factor_low and r.input_factor_low is not None:
            rng = f" ({plain(r.input_factor_low)}-{plain(r.input_factor_high)})"
        dist = ", ".join(
            f"{_(SHORT_PATHWAYS[p])} {plain(getattr(r, p))}" for p in PATHWAYS if getattr(r, p)
        )
        status = r.status + (f" ({r.confidence})" if r.confidence else "")
        view.add_row(
            r.code,
            name_of(r.code, r.sub_category),
            f"{plain(r.input_factor)} {r.input_factor_unit}{rng}",
            dist,
            source,
            status,
        )
    show_table(view, drop=(source_header, dist_header))


def _list_emep(ctx, group, as_csv, as_json) -> None:
    """The EMEP/EEA Guidebook Hg air emission factors (`--group` filters on NFR or chapter)."""
    from rich.table import Table

    from hginventory.core.errors import HginvError
    from hginventory.tables.emep import load_emep_factors

    try:
        table = load_emep_factors()
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    frame = table.frame()
    if group:
        frame = frame[frame["NFR"].str.startswith(group) | frame["chapter"].str.startswith(group)]
        if frame.empty:
            _error(_("no Guidebook row with NFR code or chapter {group}").format(group=repr(group)))
    if as_csv or as_json:
        from hginventory.write.sheets import csv_safe

        if as_json:
            emit(frame.to_json(orient="records", indent=1, force_ascii=False))
        else:
            emit(csv_safe(frame).to_csv(index=False, lineterminator="\n"), nl=False)
        return
    view = Table(
        title=_("EMEP/EEA Guidebook Hg air emission factors ({table})").format(
            table=f"{table.id}@{table.version}"
        )
    )
    for name in (
        _("Row"),
        "NFR",
        _("Table"),
        _("Type"),
        _("Technology / fuel"),
        _("Value (95 % CI)"),
        _("Status"),
    ):
        view.add_column(name)
    for r in frame.itertuples(index=False):
        what = " / ".join(v for v in (r.Technology, r.Fuel, r.Abatement) if v and v != "NA")
        ci = f" ({plain(r.CI_lower)}-{plain(r.CI_upper)})" if r.CI_lower == r.CI_lower else ""
        view.add_row(
            r.row_id, r.NFR, r.Table, r.Type, what, f"{plain(r.Value)} {r.Unit}{ci}", r.status
        )
    show_table(view, drop=("Source", "Distribution"))


@factors.command(
    "export",
    help=N_(
        "Write the factor table in the format every command reads, provenance included.\n\n"
        "Edit a value (and its status, document, version, table_page), bump `version` in the "
        ".toml, then check it with `hginv factors validate FILE`, see what it changes with "
        "`hginv factors diff OLD FILE --fail-on-change`, and use it with `--factors FILE`."
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(readable=False),
    help=N_(
        "CSV file to write (with its .toml of id and version beside it), or a folder to write "
        "them in [default: standard output, CSV only]."
    ),
)
@click.option("--group", "group", help=N_("Only this source group: an overlay of some rows."))
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help=N_("Export this table (a CSV laid over the shipped one, or a folder) instead."),
)
@click.option(
    "--version", "version", help=N_("Version to write in the .toml [default: the table's].")
)
@click.option("--force", is_flag=True, help=N_("Replace existing files."))
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_export(ctx, output, group, factors_path, version, force, lang=None) -> None:
    import re

    from hginventory.cli.outputs import check_outputs, factor_inputs, in_folder, output_folders
    from hginventory.core.errors import HginvError
    from hginventory.core.files import atomic_write, make_folders
    from hginventory.tables.export import table_csv, table_toml
    from hginventory.tables.factors import DEFAULT_TABLE

    folders = output_folders(output)
    if output is not None:  # the CSV and its .toml: not the table read, not one file twice
        part = "-" + re.sub(r"[^\w.-]+", "-", group) if group else ""
        output = in_folder(output, Path(f"{DEFAULT_TABLE}{part}.csv"))  # a folder: --factors DIR
        try:
            check_outputs(
                [("--output", output), (".toml", output.with_suffix(".toml"))],
                factor_inputs(factors_path),
                folders=folders,
            )
        except HginvError as exc:
            fail(exc, ctx.obj["debug"])
    table = _load_for_cli(factors_path, debug=ctx.obj["debug"])
    codes = None
    if group:
        codes = [
            r.code
            for r in table.rows
            if group in (r.source_group, table.groups.get(r.source_group, {}).get("name"))
        ]
        if not codes:
            _no_group(group, table.groups)
    text = table_csv(table, codes)
    if output is None:
        emit(text, nl=False)
        return
    meta = output.with_suffix(".toml")
    for path in (output, meta):
        if path.exists() and not force:
            _error(_("{file} exists; choose another name or add --force").format(file=path))
    protect = [table.path, getattr(table, "overlay_path", "")]
    protect = [p for p in protect if p]
    try:
        make_folders(folders)
        atomic_write(output, lambda tmp: tmp.write_text(text, "utf-8"), protect=protect)
        atomic_write(
            meta,
            lambda tmp: tmp.write_text(table_toml(table, version), "utf-8"),
            protect=[Path(p).with_suffix(".toml") for p in protect],
        )
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    make_console().print(
        _("Wrote {file} and {meta} ({n} rows of {table})").format(
            file=output, meta=meta.name, n=len(codes or table.rows), table=table.label
        ),
        markup=False,
    )


@factors.command(
    "show", help=N_("Show one factor row in full, with its provenance and Convention/NFR links.")
)
@click.argument("code")
@click.option("--factors", "factors_path", type=click.Path(path_type=Path), help=OVERLAY_HELP)
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_show(ctx, code, factors_path, lang=None) -> None:
    from rich.table import Table
    from rich.text import Text

    from hginventory.check.activity import closest_codes
    from hginventory.core.errors import HginvError
    from hginventory.tables.crosswalk import link_for, load_crosswalk
    from hginventory.tables.factors import FIELDS
    from hginventory.tables.translations import name_of

    table = _load_for_cli(factors_path, debug=ctx.obj["debug"])
    by_lower = {c.lower(): c for c in table.codes}
    code = code.strip()
    if code.lower() not in by_lower:
        near = closest_codes(code.lower(), list(by_lower))
        text = _("no factor row {code} in {table}").format(code=repr(code), table=table.label)
        if near:
            text += _("; closest: {codes}").format(codes=", ".join(by_lower[c] for c in near))
        make_console(stderr=True).print(f"{_(ERROR_LABEL)} {text}", markup=False)
        sys.exit(1)
    code = by_lower[code.lower()]
    row = table[code]
    view = Table(title=Text(f"{code} {name_of(code, row.sub_category)}"), show_header=False)
    view.add_column(_("Field"), style="bold")
    view.add_column(_("Value"))
    view.add_row("factor_id", table.factor_id(code))
    view.add_row("source", table.source(row))
    for name in FIELDS:
        value = getattr(row, name)
        text = ";".join(value) if isinstance(value, tuple) else str(value)
        view.add_row(name, "" if value is None else text)
    doc = table.documents.get(row.document, {})
    if doc:
        view.add_row(_("document title"), doc.get("title", ""))
        view.add_row(_("document address"), doc.get("address", ""))
    try:
        link = link_for(code, load_crosswalk())
    except HginvError:
        link = None
    if link:
        view.add_row(_("Annex D category"), link.annex_d or "-")
        view.add_row(_("Convention article"), link.convention_article or "-")
        view.add_row(_("NFR (primary)"), link.nfr_primary or "-")
        view.add_row(_("NFR (others)"), ";".join(link.nfr_other) or "-")
        view.add_row(_("crosswalk provenance"), link.provenance)
    show_table(view)


def _shipped_tables():
    """The shipped Level 1 table and Level 2 tables through their validating models (run time
    reads them without): the Level 1 table is returned, a Level 2 problem raised."""
    from hginventory.tables.factors import load_factors
    from hginventory.tables.level2 import load_level2

    load_level2(validate=True)
    return load_factors(validate=True)


@factors.command(
    "validate",
    help=N_(
        "Validate factor tables (default: the shipped ones and the crosswalk).\n\n"
        "A CSV with every column is checked as a complete table; a CSV with some columns is "
        "checked as an overlay of the shipped table; a folder as a complete table, with the "
        "Level 2 tables of its level2 folder if it has one. Every problem is printed with "
        "file, line and field; the exit code is 1 if any table has an error (usable as a CI "
        "step)."
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@lang_option(FACTORS_LANG_HELP)
def factors_validate(paths, lang=None) -> None:
    from hginventory.core.errors import HginvError
    from hginventory.tables.crosswalk import load_crosswalk
    from hginventory.tables.factors import load_factors, load_table
    from hginventory.tables.level2 import load_level2

    console = make_console()
    failed = False
    checks = [(str(p), lambda p=p: load_table(p)) for p in paths]
    checks += [
        (str(p / "level2"), lambda p=p: load_level2(p / "level2"))
        for p in paths
        if (p / "level2" / "level2.toml").is_file()
    ]
    if not paths:
        checks = [
            (_("shipped factor table"), _shipped_tables),
            (_("crosswalk"), lambda: load_crosswalk(codes=load_factors().codes)),
        ]
    for name, check in checks:
        try:
            result = check()
        except HginvError as exc:
            failed = True
            report_error(exc)
            continue
        if getattr(result, "origins", None) is not None:
            what = _("overlay {overlay} of {table}, {n} rows").format(
                overlay=result.overlay_label, table=result.base.label, n=len(result.origins)
            )
        elif hasattr(result, "configs"):  # Level 2 tables: inputs and configurations
            n = len(result.inputs) + len(result.configs)
            what = _("{table}, {n} rows").format(table=result.label, n=n)
        elif hasattr(result, "label"):
            what = _("{table}, {n} rows").format(table=result.label, n=len(result))
        else:
            what = _("{n} rows").format(n=len(result))
        console.print(styled(_("OK"), "green", f"{name} ({what})"))
    sys.exit(1 if failed else 0)


@factors.command(
    "diff",
    help=N_(
        "What changed from factor table OLD to NEW, and what it does to inventories.\n\n"
        "OLD and NEW are factor CSVs or folders; a CSV with only some columns is read as an "
        "overlay of OLD. Exit code 0 (or 3 with --fail-on-change when something changed), 1 on "
        "errors."
    ),
)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--inventory",
    "inventories",
    multiple=True,
    type=click.Path(path_type=Path),
    help=N_("Activity workbook to compute with both tables (repeatable) [default: examples/]."),
)
@click.option(
    "--json", "as_json", is_flag=True, help=N_("Write the diff as JSON to standard output.")
)
@click.option(
    "--fail-on-change",
    is_flag=True,
    help=N_("Exit with code 3 when a row or an inventory total changed (for CI)."),
)
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_diff(ctx, old, new, inventories, as_json, fail_on_change, lang=None) -> None:
    import json

    from rich.table import Table
    from rich.text import Text

    from hginventory.engine.factordiff import (
        diff_tables,
        example_inventories,
        impact_frame,
        moved,
    )
    from hginventory.jobs.compute import factor_impact
    from hginventory.tables.translations import group_names as translated_groups

    debug = ctx.obj["debug"]
    before = _load_for_cli(old, debug=debug)
    after = _load_for_cli(new, base_path=old, debug=debug)
    table_diff = diff_tables(before, after)
    paths = list(inventories) or example_inventories()
    impacts = [factor_impact(p, before, after) for p in paths]
    changed = bool(table_diff) or any(i.changed for i in impacts)
    group_names = translated_groups(after.groups)
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
        emit(json.dumps(_finite(payload), indent=1, ensure_ascii=False, default=str))
    else:
        console = make_console()
        console.print(
            _("Factor table diff: {old} ({old_label}) -> {new} ({new_label})").format(
                old=old, old_label=before.label, new=new, new_label=after.label
            ),
            markup=False,
        )
        if not table_diff:
            console.print(_("No row of the factor table changed."))
        else:
            rows = Table(title=_("Rows changed"))
            for name in (_("Code"), _("Change"), _("Field"), _("Kind"), _("Old"), _("New")):
                rows.add_column(name)
            for r in table_diff.frame().itertuples(index=False):
                change, kind = (DIFF_WORDS[w] if w else "" for w in (r.change, r.kind))
                rows.add_row(r.code, change, r.field, kind, r.old, r.new)
            show_table(rows, console, drop=(_("Kind"),))  # the field tells value from source
        if table_diff.version_warning:
            make_console(stderr=True).print(
                "  " + labelled(severity_word("warning"), table_diff.version_warning), markup=False
            )
        if not paths:
            console.print(_("No example inventory found; give one with --inventory WORKBOOK."))
        for imp in impacts:
            if imp.error:
                console.print(
                    _("{name}: cannot be computed with both tables").format(name=imp.name),
                    markup=False,
                )
                console.print(f"  {imp.error}", markup=False)
                continue
            view = Table(title=Text(_("{name}: national totals (kg Hg/y)").format(name=imp.name)))
            for i, name in enumerate((_("Total"), _("Old"), _("New"), _("Change"), "%")):
                view.add_column(name, justify="left" if i == 0 else "right")
            for r in imp.totals.itertuples(index=False):
                view.add_row(
                    quantity_text(r.total),
                    mass(r.old_kg),
                    mass(r.new_kg),
                    format_number(r.change_kg, MASS, sign=True),
                    pct_text(r.change_pct),
                )
            show_table(view, console)
            groups = imp.groups[moved(imp.groups)]
            if len(groups):
                view = Table(
                    title=Text(
                        _("{name}: source groups that moved (kg Hg/y)").format(name=imp.name)
                    )
                )
                headers = (_("Source group"), _("Quantity"), _("Old"), _("New"), _("Change"), "%")
                for i, name in enumerate(headers):
                    view.add_column(name, justify="left" if i < 2 else "right")
                for r in groups.itertuples(index=False):
                    view.add_row(
                        group_names.get(r.source_group, r.source_group),
                        quantity_text(r.quantity),
                        mass(r.old_kg),
                        mass(r.new_kg),
                        format_number(r.change_kg, MASS, sign=True),
                        pct_text(r.change_pct),
                    )
                show_table(view, console)
            else:
                console.print(
                    _("{name}: no source group total moved.").format(name=imp.name), markup=False
                )
    if fail_on_change and changed:
        make_console(stderr=True).print(_("Factor tables differ (--fail-on-change)."))
        sys.exit(3)


@factors.command(
    "review",
    help=N_(
        "Write a review workbook: the factor rows to check against the official Toolkit, with "
        "cells for the official values.\n\n"
        "Fill it in Excel or LibreOffice, then apply it with `hginv factors apply-review`. "
        "Only the Level 1 table is reviewed."
    ),
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help=N_("Review workbook to write (.xlsx)."),
)
@click.option(
    "--status",
    "statuses",
    default="recalled,estimated",
    show_default=True,
    help=N_("Rows of these statuses, separated by commas."),
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help=N_("Review this table (a folder or a factor CSV) instead of the shipped one."),
)
@click.option("--force", is_flag=True, help=N_("Replace an existing file."))
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_review(ctx, output, statuses, factors_path, force, lang=None) -> None:
    from hginventory.core.errors import HginvError
    from hginventory.jobs.review import make_review

    try:
        made = make_review(output, factors_path, statuses.split(","), force)
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    make_console().print(
        _("Wrote {file} ({table}, rows to review: {n}).").format(
            file=made.path, n=made.rows, table=made.table
        ),
        markup=False,
    )
    if not made.rows:
        make_console().print(_("No row of the table has these statuses."), markup=False)


@factors.command(
    "apply-review",
    help=N_(
        "Apply a filled review workbook: write a complete factor table in FOLDER with the "
        "reviewed rows 'confirmed'.\n\n"
        "Every mistake is named by its cell; nothing is written then. Use the table with "
        "`--factors FOLDER`; `hginv factors diff OLD FOLDER` shows its effect."
    ),
)
@click.argument("review", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help=N_("Folder to write the reviewed table in."),
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(path_type=Path),
    help=N_("The table the review was made from, if not the shipped one."),
)
@click.option(
    "--version", "version", help=N_("Version of the reviewed table [default: VERSION+review.N].")
)
@click.option("--force", is_flag=True, help=N_("Replace a table already in FOLDER."))
@lang_option(FACTORS_LANG_HELP)
@click.pass_context
def factors_apply_review(ctx, review, folder, factors_path, version, force, lang=None) -> None:
    from rich.table import Table

    from hginventory.core.errors import HginvError
    from hginventory.jobs.review import apply_review_file
    from hginventory.tables.factors import factors_dir

    try:
        done = apply_review_file(review, folder, factors_path, version, force)
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    console = make_console()
    for p in done.warnings:
        make_console(stderr=True).print("  " + labelled(severity_word("warning"), p), markup=False)
    outcome = done.outcome
    if not outcome.confirmed:
        console.print(
            _("No row was reviewed: {folder} holds {table} unchanged.").format(
                folder=done.folder, table=done.new_label
            ),
            markup=False,
        )
        return
    if outcome.changes:
        view = Table(title=_("Values changed by the review"))
        for i, name in enumerate((_("Code"), _("Field"), _("Old"), _("New"), "%")):
            view.add_column(name, justify="left" if i < 2 else "right")
        for c in outcome.changes:
            view.add_row(c.code, c.field, plain(c.old), plain(c.new), pct_text(c.change_pct))
        show_table(view, console)
    moved = len({c.code for c in outcome.changes})
    console.print(
        _(
            "Rows confirmed: {n} ({moved} with a changed value, {same} as they were): {codes}."
        ).format(
            n=len(outcome.confirmed),
            moved=moved,
            same=len(outcome.confirmed) - moved,
            codes=", ".join(outcome.confirmed),
        ),
        markup=False,
    )
    console.print(
        _("Wrote {folder} ({old} -> {new}).").format(
            folder=done.folder, old=done.old_label, new=done.new_label
        ),
        markup=False,
    )
    source = factors_path or factors_dir()
    console.print(
        _("Effect on inventories: hginv factors diff {old} {new}").format(
            old=source, new=done.folder
        ),
        markup=False,
    )
