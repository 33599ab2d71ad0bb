"""What commands tell a person besides their tables' rows: errors, notices, the problems of
an input, the national totals, and the words of the diffs (a quantity, a per cent change)."""

from __future__ import annotations

import sys
from pathlib import Path

from hginventory.cli.terminal import echo, labelled, make_console, show_table, styled
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _

ERROR_LABEL = N_("Error:")
NOTICE_LABEL = N_("Notice:")


def severity_word(severity: str) -> str:
    """'error' or 'warning' in the language of the run (problems carry the English key)."""
    return _("error") if severity == "error" else _("warning")


def report_error(exc, debug: bool = False) -> None:
    """Print a located error (and its problems) plainly on stderr."""
    console = make_console(stderr=True)
    if debug:
        console.print_exception()
    console.print(styled(_(ERROR_LABEL), "bold red", exc.args[0]))
    problems = getattr(exc, "problems", [])
    errors = [p for p in problems if p.severity == "error"]
    for p in errors + [p for p in problems if p.severity != "error"]:
        console.print("  " + labelled(severity_word(p.severity), p), markup=False)


def fail(exc, debug: bool) -> None:
    """Print the error and stop with its exit code (1 unless the error says otherwise)."""
    report_error(exc, debug)
    sys.exit(getattr(exc, "exit_code", 1))


def print_recalled_notice(inv, csv_only: bool = False) -> None:
    """The notices of estimated result rows and of recalled factors (counted by factor id)."""
    n = inv.recalled_factors
    estimated = inv.estimated_count
    if estimated:  # wrapped between words on a terminal, like the recalled notice
        text = _(
            "{n} of {total} result rows rest on values the project estimated (no Toolkit "
            "default known: status 'estimated')."
        )
        notice = styled(_(NOTICE_LABEL), "yellow", text.format(n=estimated, total=len(inv.results)))
        make_console(stderr=True).print(notice)
    if n:
        if csv_only:  # no workbook written: the CSV's status column says which
            text = _(
                "{n} of {total} factors used are 'recalled' (not confirmed against the official "
                "Toolkit); see the status column of the CSV."
            )
        else:
            text = _(
                "{n} of {total} factors used are 'recalled' (not confirmed against the official "
                "Toolkit); see the 'Factors' sheet of the workbook."
            )
        notice = styled(_(NOTICE_LABEL), "yellow", text.format(n=n, total=inv.factors_used))
        make_console(stderr=True).print(notice)


def print_totals(inv) -> None:
    """The national totals, through `show_table` like every table: fitted to a terminal,
    plain aligned lines when piped. Releases to air, water and land apart from transfers
    (`Inventory.release_summary`), subtotals in bold, then why outputs exceed the input."""
    from rich.table import Table
    from rich.text import Text

    from hginventory.core.numbers import mass

    title = _("{country} {year}: national totals (kg Hg/y)").format(
        country=inv.country.country, year=inv.country.year
    )
    table = Table(title=Text(title))
    table.add_column(_("Pathway"))
    table.add_column(_("kg Hg/y"), justify="right")
    bold = {"releases_awl_kg", "transfers_kg", "releases_kg"}
    for key, name, value in inv.release_summary():
        style = "bold" if key in bold else ""
        table.add_row(Text(name, style=style), Text(mass(value), style=style))
    show_table(table)
    for note in (inv.beyond_input_sentence(), inv.estimates_note()):
        if note:
            echo(note)


MAX_PRINTED = 200


def problem_kind(code: str) -> str:
    """How the problems left out of a long list are counted: by their stable code, with its
    one-line explanation in the user's language (docs/problem-codes.md)."""
    from hginventory.core.problems import explain

    meaning = explain(code)
    return f"{code} ({meaning})" if meaning else code


def print_validation(checked, stderr: bool = False) -> None:
    """The problems of an input in one table: severity, where, problem, found, expected.

    At most MAX_PRINTED rows, then how many more of each kind (--json lists them all), so
    that 10,000 bad rows print in a moment. Cells are plain Text, so input text such as ':x:'
    or '[red]' prints as typed; the value found is quoted so that stray spaces show."""
    if not checked.problems:
        return  # nothing to print: rich is not even imported
    from rich.table import Table
    from rich.text import Text

    console = make_console(stderr=stderr)
    n_err, n_warn = len(checked.errors), len(checked.warnings)
    title = _("{file}: {errors}, {warnings}").format(
        file=checked.path,
        errors=ngettext("{n} error", "{n} errors", n_err).format(n=n_err),
        warnings=ngettext("{n} warning", "{n} warnings", n_warn).format(n=n_warn),
    )
    table = Table(title=title)
    for name in (
        _("Severity"),
        _("File"),
        _("Sheet!cell"),
        _("Problem"),
        _("Found"),
        _("Expected"),
    ):
        table.add_column(name, overflow="fold")
    problems = checked.sorted_problems()
    for p in problems[:MAX_PRINTED]:
        if p.sheet and p.cell:
            at = f"{p.sheet}!{p.cell}"
        else:
            at = p.cell or (_("sheet '{sheet}'").format(sheet=p.sheet) if p.sheet else "")
        cells = (
            severity_word(p.severity),
            Path(p.file).name if p.file else "",
            at,
            p.message,
            repr(p.found) if p.found else "",
            p.expected,
        )
        table.add_row(*cells)  # str: read literally, shown safe by show_table
    show_table(table, console, drop=(_("File"),))
    rest = problems[MAX_PRINTED:]
    if rest:
        kinds: dict[tuple[str, str], int] = {}
        for p in rest:
            key = (p.severity, problem_kind(p.code))
            kinds[key] = kinds.get(key, 0) + 1
        from hginventory.core.numbers import COUNT, format_number

        for (severity, kind), n in kinds.items():
            text = (
                ngettext(
                    "... and {n} more error of the same kind: {kind}",
                    "... and {n} more errors of the same kind: {kind}",
                    n,
                )
                if severity == "error"
                else ngettext(
                    "... and {n} more warning of the same kind: {kind}",
                    "... and {n} more warnings of the same kind: {kind}",
                    n,
                )
            )
            console.print(Text(text.format(n=format_number(n, COUNT), kind=kind)), soft_wrap=True)
        console.print(Text(_("(--json lists every problem)")))


def quantity_text(key: str) -> str:
    """A quantity of hginv diff and factors diff ('hg_input_kg', 'air_kg', 'releases_kg') as
    people read it, in the language of the run."""
    from hginventory.core.columns import PATHWAY_LABELS

    name = key.removesuffix("_kg")
    if name in PATHWAY_LABELS:
        return _(PATHWAY_LABELS[name])
    labels = {"hg_input": N_("Hg input"), "releases": N_("Releases")}
    return _(labels[name]) if name in labels else name


def pct_text(value: float) -> str:
    """A per cent change for hginv diff and factors diff, in the language of the run."""
    from hginventory.core.numbers import PERCENT, format_number

    if value != value or value in (float("inf"), float("-inf")):
        return _("new") if value == float("inf") else _("n/a")
    return f"{format_number(value, PERCENT, sign=True)} %"
