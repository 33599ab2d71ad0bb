"""Commands on one inventory: compute, validate, report, template, diff."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hginventory.cli.common import main
from hginventory.cli.messages import (
    NOTICE_LABEL,
    fail,
    pct_text,
    print_recalled_notice,
    print_totals,
    print_validation,
    quantity_text,
    severity_word,
)
from hginventory.cli.options import (
    QUIET_HELP,
    check_uncertainty_usage,
    estimates_option,
    factors_flag,
    factors_option,
    lang_option,
    speak,
    speaker,
    uncertainty_options,
)
from hginventory.cli.outputs import (
    OUTPUT_TYPE,
    check_outputs,
    factor_inputs,
    in_folder,
    output_folders,
    paste_quote,
    wants_folder,
)
from hginventory.cli.terminal import echo, emit, labelled, make_console, show_table, styled
from hginventory.core.files import make_folders, table_files
from hginventory.core.i18n import N_, join_list, ngettext
from hginventory.core.i18n import gettext as _


def analysis_options(command):
    """--crosscheck, --conversion, --emep-mapping, --uncertainty, --draws and --seed: one
    definition for compute and report (`apply_analyses` reads them)."""
    for option in reversed(
        [
            click.option(
                "--crosscheck",
                type=click.Choice(["emep"]),
                help=N_(
                    "Add a second estimate of air releases from the EMEP/EEA Guidebook factors."
                ),
            ),
            click.option(
                "--conversion",
                "conversions",
                multiple=True,
                metavar="CODE=VALUE",
                help=N_(
                    "Country value of a cross-check unit conversion, e.g. 5.1.1=21.5 (GJ per t "
                    "coal). Repeatable."
                ),
            ),
            click.option(
                "--emep-mapping",
                type=click.Path(path_type=Path, readable=False),
                help=N_("Sub-category -> Guidebook mapping CSV to use instead of the shipped one."),
            ),
        ]
    ):
        command = option(command)
    return uncertainty_options(
        N_("Add Monte Carlo ranges (2.5th-97.5th percentiles) and error propagation.")
    )(command)


def check_analyses(ctx, crosscheck, conversions, emep_mapping, uncertainty) -> None:
    """Usage errors of the analysis options, before anything is read."""
    if (conversions or emep_mapping) and not crosscheck:
        raise click.UsageError(_("--conversion and --emep-mapping need --crosscheck emep"))
    check_uncertainty_usage(ctx, uncertainty)


@main.command(
    help=N_("Compute the inventory of one activity workbook or CSV (INPUT); checks it first.")
)
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, readable=False))
@click.option(
    "-o",
    "--output",
    type=OUTPUT_TYPE,
    help=N_(
        "Workbook to write (.xlsx), or a folder to write it in "
        "[default: <input name>-inventory.xlsx here]."
    ),
)
@click.option(
    "--csv",
    "csv_path",
    type=OUTPUT_TYPE,
    help=N_("CSV to write, or a folder to write it in [default: beside the workbook]."),
)
@click.option(
    "--csv-only",
    is_flag=True,
    help=N_("Write only the CSV, no workbook (fastest; for scripts and regression runs)."),
)
@factors_option()
@estimates_option()
@click.option(
    "--by",
    type=click.Choice(["annex-d", "nfr"]),
    help=N_("Also print air emissions summed by Minamata Annex D category or by NFR code."),
)
@click.option(
    "--by-csv",
    type=OUTPUT_TYPE,
    help=N_("Write the --by summary to this CSV, or in this folder."),
)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@analysis_options
@lang_option()
@click.pass_context
def compute(
    ctx,
    input_path: Path,
    output: str | None,
    csv_path: str | None,
    csv_only: bool,
    factors_path: Path | None,
    by: str | None,
    by_csv: str | None,
    quiet: bool,
    crosscheck: str | None = None,
    conversions: tuple[str, ...] = (),
    emep_mapping: Path | None = None,
    uncertainty: bool = False,
    draws: int = 10_000,
    seed: int = 20_211_013,
    lang: str | None = None,
) -> None:
    from hginventory.core.errors import ActivityError, HginvError
    from hginventory.jobs.compute import Analyses, by_summary, inventory_of, write_inventory
    from hginventory.jobs.validate import open_input

    debug = ctx.obj["debug"]
    check_analyses(ctx, crosscheck, conversions, emep_mapping, uncertainty)
    if csv_only and output:
        raise click.UsageError(_("--csv-only writes no workbook: give --csv instead of --output"))
    speak(lang)
    source = open_input(input_path, speaker(lang))
    stem = input_path.stem
    folders = output_folders(output, csv_path, by_csv)
    output = in_folder(output, Path(f"{stem}-inventory.xlsx"))
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            _(
                "{file}: the inventory is an Excel workbook; name it .xlsx, or end the name with "
                "/ to write in a folder"
            ).format(file=output),
            param_hint="'-o' / '--output'",
        )
    csv_path = in_folder(csv_path, output.with_suffix(".csv"))
    if by_csv is not None:
        by_csv = in_folder(by_csv, Path(f"{stem}-by-{by or 'annex-d'}.csv"))
    written = [("--csv", csv_path)] if csv_only else [("--output", output), ("--csv", csv_path)]
    analyses = Analyses(crosscheck, conversions, emep_mapping, uncertainty, draws, seed)
    try:
        check_outputs(
            [*written, *([("--by-csv", by_csv)] if by_csv else [])],
            [input_path, *factor_inputs(factors_path), *table_files(emep_mapping)],
            folders=folders,
        )
        factors = factors_flag(factors_path)
        checked = inventory_of(input_path, source, factors, analyses)
        if not checked.ok:
            print_validation(checked, stderr=True)
            raise ActivityError(checked.summary)  # the table above lists the problems
        inv = checked.inventory
        make_folders(folders)  # once the inventory is computed: no empty folder after an error
        write_inventory(inv, None if csv_only else output, csv_path, protect=[input_path])
        summary = by_summary(inv, by, by_csv, protect=[input_path]) if by else None
    except HginvError as exc:
        fail(exc, debug)
    for w in inv.warnings:
        echo("  " + labelled(_("warning"), w), stderr=True)
    if not quiet:
        print_totals(inv)
        if inv.crosscheck is not None:
            _print_crosscheck(inv)
        if inv.uncertainty is not None:
            _print_uncertainty(inv)
        if csv_only:
            echo(_("Wrote {csv}").format(csv=csv_path))
        else:
            echo(_("Wrote {workbook} and {csv}").format(workbook=output, csv=csv_path))
    if summary is not None:
        _print_by(summary, by)
    print_recalled_notice(inv, csv_only=csv_only)


def _print_crosscheck(inv) -> None:
    from hginventory.engine.crosscheck import flagged_table
    from hginventory.write.option_sheets import CROSSCHECK_SHEET as SHEET_NAME

    cc = inv.crosscheck
    console = make_console()
    if len(cc.flagged()):
        show_table(flagged_table(cc), console)
    else:
        console.print(
            _(
                "EMEP/EEA cross-check: the Toolkit air figure of all {n} mapped sub-categories "
                "lies within the Guidebook 95 % interval."
            ).format(n=cc.codes_mapped),
            markup=False,
        )
    console.print(
        _("Details in the workbook sheet '{sheet}'.").format(sheet=SHEET_NAME), markup=False
    )


def _print_uncertainty(inv) -> None:
    """National totals with their Monte Carlo 95 % interval."""
    from rich.table import Table
    from rich.text import Text

    from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS
    from hginventory.core.numbers import COUNT, PERCENT, format_number, mass

    res = inv.uncertainty
    names = {
        "hg_input_kg": _("Hg input (counted)"),
        "releases_kg": _("Total outputs (releases and transfers)"),
    }
    names.update({f"{p}_kg": _(PATHWAY_LABELS[p]) for p in PATHWAYS})
    title = _("Uncertainty: {draws} Monte Carlo draws, seed {seed} (kg Hg/y)").format(
        draws=format_number(res.draws, COUNT), seed=res.seed
    )
    table = Table(title=Text(title))
    columns = [_("Pathway"), _("Median"), _("2.5th pct"), _("97.5th pct"), _("Approach 1 U")]
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in res.table("total").itertuples(index=False):
        table.add_row(
            names[row.quantity],
            mass(row.median),
            mass(row.p025),
            mass(row.p975),
            f"{format_number(row.approach1_u_pct, PERCENT)} %",
        )
    show_table(table)


@main.command(
    "diff",
    help=N_(
        "Compare two computed inventories (hginv CSV outputs or workbooks).\n\n"
        "Per sub-category and pathway: change in kg and per cent, rows added or gone, and "
        "whether the activity or the factor changed."
    ),
)
@click.argument("baseline", type=click.Path(path_type=Path, readable=False))
@click.argument("new", type=click.Path(path_type=Path, readable=False))
@click.option(
    "--csv",
    "csv_path",
    type=OUTPUT_TYPE,
    help=N_("Write every change (sub-category x pathway) to this CSV, or in this folder."),
)
@click.option(
    "--all", "show_all", is_flag=True, help=N_("Also list sub-categories that did not move.")
)
@lang_option(
    N_(
        "Language of the tables and messages: en, fr or es [default: the system's, else en]. "
        "The --csv file is the same in every language."
    )
)
@click.pass_context
def diff_inventories(ctx, baseline, new, csv_path, show_all, lang=None) -> None:
    from rich.table import Table
    from rich.text import Text

    from hginventory.core.errors import HginvError
    from hginventory.engine.compare import compare, mismatch_notes, pathway_totals, per_code
    from hginventory.read.results import read_results, result_info
    from hginventory.write.csv import write_changes

    try:
        if csv_path is not None:
            folders = output_folders(csv_path)
            csv_path = in_folder(csv_path, Path(f"{baseline.stem}-vs-{new.stem}.csv"))
            sheets = [p.with_suffix(".xlsx") for p in (baseline, new)]  # read for the country
            check_outputs([("--csv", csv_path)], [baseline, new, *sheets], folders=folders)
            make_folders(folders)
        rows = (read_results(baseline), read_results(new))
        diff = compare(*rows)
        notes = mismatch_notes(
            (baseline.name, new.name), (result_info(baseline), result_info(new)), rows
        )
        if csv_path:
            write_changes(diff, csv_path, protect=[baseline, new])
    except HginvError as exc:
        fail(exc, ctx.obj["debug"])
    for note in notes:  # first: they change how every line below is read
        make_console(stderr=True).print(labelled(severity_word("warning"), note), markup=False)
    from hginventory.core.numbers import MASS, format_number, mass

    console = make_console()
    codes = per_code(diff)
    shown = codes if show_all else codes[codes["state"] != "same"]
    from hginventory.tables.translations import name_of

    view = Table(
        title=Text(
            _("{old} -> {new}: sub-categories (kg Hg/y)").format(old=baseline.name, new=new.name)
        )
    )
    why_header, input_old, input_new = _("Why"), _("Input old"), _("Input new")
    state_header = _("State")
    for name in (_("Code"), _("Sub-category"), state_header, why_header):
        view.add_column(name)
    for name in (input_old, input_new, _("Releases old"), _("Releases new"), _("Change"), "%"):
        view.add_column(name, justify="right")
    states = {"changed": _("changed"), "same": _("same"), "added": _("added"), "gone": _("gone")}
    for r in shown.itertuples(index=False):
        why = ", ".join(
            w
            for w, f in ((_("activity"), r.activity_changed), (_("factor"), r.factor_changed))
            if f
        )
        name = name_of(r.code, str(r.sub_category))
        view.add_row(
            Text(str(r.code)),
            Text(
                f"{name} - {r.facility}"
                if r.facility
                else _("{name} (national)").format(name=name)
                if r.national
                else name
            ),
            states.get(r.state, r.state),
            why,
            mass(r.input_baseline_kg),
            mass(r.input_new_kg),
            mass(r.releases_baseline_kg),
            mass(r.releases_new_kg),
            format_number(r.releases_change_kg, MASS, sign=True),
            pct_text(r.releases_change_pct),
        )
    show_table(view, console, drop=(why_header, input_old, input_new, state_header))
    unchanged = int((codes["state"] == "same").sum())
    if unchanged and not show_all:
        console.print(
            _("{n} sub-categories unchanged (--all lists them).").format(n=unchanged),
            markup=False,
        )
    totals = Table(title=_("Sum of rows per pathway (before the double-counting adjustments)"))
    for i, name in enumerate((_("Quantity"), _("Baseline"), _("New"), _("Change"), "%")):
        totals.add_column(name, justify="left" if i == 0 else "right")
    for r in pathway_totals(diff).itertuples(index=False):
        totals.add_row(
            quantity_text(r.quantity),
            mass(r.baseline_kg),
            mass(r.new_kg),
            format_number(r.change_kg, MASS, sign=True),
            pct_text(r.change_pct),
        )
    show_table(totals, console)
    if csv_path:
        console.print(_("Wrote {csv}").format(csv=csv_path), markup=False)


def _print_by(summary, by) -> None:
    from rich.table import Table

    from hginventory.core.numbers import mass

    title = (
        _("Air emissions by Minamata Annex D category (kg Hg/y)")
        if by == "annex-d"
        else _("Air emissions by NFR code (primary code of each sub-category) (kg Hg/y)")
    )
    view = Table(title=title)
    for name in summary.columns:
        view.add_column(name, justify="right" if name == "air_kg" else "left")
    for r in summary.itertuples(index=False):
        view.add_row(*(mass(v) if isinstance(v, float) else str(v) for v in r))
    show_table(view)


@main.command(
    "report",
    help=N_(
        "Write a draft national inventory report from an activity workbook (INPUT).\n\n"
        "The report follows the chapters of the Toolkit's reporting template; it is computed "
        "from the activity workbook (a result CSV or workbook lacks the notes and screening it "
        "needs). With --trend, a chapter shows the series of hginv trend and its recalculation."
    ),
)
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, readable=False))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=OUTPUT_TYPE,
    help=N_(
        "Report to write, .docx (Word) or .html (web page), or a folder to write both in; "
        "repeat to write both [default: <input name>-report.docx and <input name>-report.html "
        "here]."
    ),
)
@factors_option()
@estimates_option()
@click.option(
    "--trend",
    "trend_dir",
    type=click.Path(path_type=Path, readable=False),
    help=N_("Folder written by hginv trend: adds a chapter on the trend over the years."),
)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@analysis_options
@lang_option()
@click.pass_context
def report_command(
    ctx,
    input_path: Path,
    outputs: tuple[str, ...],
    factors_path: Path | None,
    trend_dir: Path | None,
    quiet: bool,
    crosscheck: str | None = None,
    conversions: tuple[str, ...] = (),
    emep_mapping: Path | None = None,
    uncertainty: bool = False,
    draws: int = 10_000,
    seed: int = 20_211_013,
    lang: str | None = None,
) -> None:
    from hginventory.core.errors import ActivityError, HginvError
    from hginventory.jobs.compute import Analyses, inventory_of, trend_chapters
    from hginventory.jobs.validate import open_input
    from hginventory.read.results import report_input_error
    from hginventory.write.report import check_report_path, write_report

    check_analyses(ctx, crosscheck, conversions, emep_mapping, uncertainty)
    speak(lang)
    source = open_input(input_path, speaker(lang))
    debug = ctx.obj["debug"]
    stem = input_path.stem
    defaults = (Path(f"{stem}-report.docx"), Path(f"{stem}-report.html"))
    folders = output_folders(*outputs)
    outputs = [
        path
        for out in outputs
        for path in ([in_folder(out, d) for d in defaults] if wants_folder(out) else [Path(out)])
    ] or list(defaults)
    analyses = Analyses(crosscheck, conversions, emep_mapping, uncertainty, draws, seed)
    try:
        for out in outputs:
            check_report_path(out)
        check_outputs(
            [("--output", out) for out in outputs],
            [input_path, *factor_inputs(factors_path), *table_files(emep_mapping), trend_dir],
            folders=folders,
        )
        factors = factors_flag(factors_path)
        checked = inventory_of(input_path, source, factors, analyses)
        if not checked.ok:
            hint = report_input_error(input_path)
            if hint:
                raise hint
            print_validation(checked, stderr=True)
            raise ActivityError(checked.summary)  # the table above lists the problems
        inv = checked.inventory
        chapters = None
        if trend_dir is not None:
            chapters, warning = trend_chapters(inv, trend_dir, input_path)
            if warning:
                make_console(stderr=True).print(
                    "  " + labelled(_("warning"), warning), markup=False
                )
        make_folders(folders)
        for out in outputs:
            write_report(inv, out, protect=[input_path], chapters=chapters)
    except HginvError as exc:
        fail(exc, debug)
    for w in inv.warnings:
        make_console(stderr=True).print("  " + labelled(_("warning"), w), markup=False)
    if not quiet:
        written = join_list(outputs)
        make_console().print(_("Wrote {files}").format(files=written), markup=False)
    if inv.recalled_factors:
        text = _(
            "{n} of {total} factors used are 'recalled' (not confirmed against the official "
            "Toolkit); the report says so up front and lists them in Annex A."
        ).format(n=inv.recalled_factors, total=inv.factors_used)
        make_console(stderr=True).print(styled(_(NOTICE_LABEL), "yellow", text))


@main.command(
    "validate",
    help=N_(
        "Check an activity workbook or CSV (INPUT) without computing; list every problem.\n\n"
        "Exit code 0 when there is nothing worse than a warning (with --strict: nothing at "
        "all), 1 when there are errors (with --strict: errors or warnings), 2 when the command "
        "line is wrong. The input is only read."
    ),
)
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, readable=False))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help=N_("Print the report as JSON (keys in English, messages in the chosen language)."),
)
@click.option(
    "--strict",
    is_flag=True,
    help=N_(
        "Exit 1 on warnings too (plausibility, consistency, ...): for CI pipelines that must "
        "stop on anything a reviewer would question."
    ),
)
@factors_option()
@lang_option()
def validate_command(
    input_path: Path,
    as_json: bool,
    factors_path: Path | None,
    lang: str | None = None,
    strict: bool = False,
) -> None:
    from hginventory.core.errors import HginvError, Problem
    from hginventory.jobs.validate import Validation, open_input, validate_input

    speak(lang)
    source = open_input(input_path, speaker(lang))
    try:
        factors = factors_flag(factors_path)
    except HginvError as exc:
        if not as_json:
            raise
        problems = exc.problems or [
            Problem(exc.args[0], file=str(factors_path), kind="factors", code=exc.code)
        ]
        emit(Validation(factors_path, problems).to_json())  # scripts always get JSON
        sys.exit(1)
    checked = validate_input(input_path, factors, source=source)
    if as_json:
        emit(checked.to_json())
    else:
        print_validation(checked)
        if checked.ok:
            text = (
                _("{file}: no errors (read the warnings); ready for hginv compute")
                if checked.warnings
                else _("{file}: no errors; ready for hginv compute")
            )
            echo(text.format(file=input_path.name))
        else:
            echo(
                ngettext(
                    "{file}: {n} error to fix before hginv compute",
                    "{file}: {n} errors to fix before hginv compute",
                    len(checked.errors),
                ).format(file=input_path.name, n=len(checked.errors))
            )
        if strict and checked.ok and checked.warnings:
            echo(
                ngettext(
                    "{file}: --strict: {n} warning makes the exit code 1",
                    "{file}: --strict: {n} warnings make the exit code 1",
                    len(checked.warnings),
                ).format(file=input_path.name, n=len(checked.warnings))
            )
    sys.exit(1 if strict and checked.warnings else checked.exit_code)


@main.command(
    "template",
    help=N_("Write an activity workbook to fill in: every sub-category, units, instructions."),
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_TYPE,
    default="hginv-template.xlsx",
    show_default=True,
    help=N_("Workbook to write, or a folder to write it in."),
)
@click.option("--force", is_flag=True, help=N_("Replace the file if it exists."))
@click.option("--country", "country_name", help=N_("Fill in the country name."))
@click.option("--year", type=click.IntRange(1950, 2100), help=N_("Fill in the inventory year."))
@click.option("--iso3", help=N_("Fill in the ISO 3166 three-letter code."))
@factors_option(
    N_("List the sub-categories of this factor CSV or folder instead of the shipped table.")
)
@lang_option(
    N_(
        "Language of the template's instructions, captions and names, also stored in the "
        "workbook so that validate, compute and report speak it [default: the system's, "
        "else en]."
    )
)
def template_command(
    output: str,
    force: bool,
    country_name: str | None,
    year: int | None,
    iso3: str | None,
    factors_path: Path | None,
    lang: str | None = None,
) -> None:
    from hginventory.write.template import write_template

    speak(lang)
    folders = output_folders(output)
    output = in_folder(output, Path("hginv-template.xlsx"))
    check_outputs([("--output", output)], factor_inputs(factors_path), folders=folders)
    make_folders(folders)
    factors = factors_flag(factors_path)
    country = {"country": country_name, "year": year, "iso3": iso3, "language": lang}
    write_template(output, factors, force=force, country=country)
    text = _(
        "Wrote {file}: fill in the sheets 'country' and 'activity', then run hginv validate {file}"
    ).format(file=output)
    at = text.rfind(str(output))  # the command to paste: the path quoted for the shell
    text = text[:at] + paste_quote(output) + text[at + len(str(output)) :]
    make_console().print(text, markup=False, emoji=False)
