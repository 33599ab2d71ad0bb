"""What every command shares: the `hginv` group, error printing, shared options, the language."""

from __future__ import annotations

import inspect
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from hginventory import __version__
from hginventory.core.i18n import LANGUAGES, N_, gettext, ngettext, set_language
from hginventory.core.i18n import gettext as _

# click's own words (usage line, section titles, its errors) go through hginv's catalog: click
# looks them up with the stdlib gettext, which knows neither --lang nor hginv's catalogs.
for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.types):
    _module._ = gettext


def _safe_click_echo(message=None, file=None, nl=True, err=False, color=None):
    """click's own error messages quote what was typed (a file name with an escape in it):
    shown safe, and wrapped between words on a terminal like every hginv message."""
    if isinstance(message, str):
        message = clean(message)
        stream = file or (sys.stderr if err else sys.stdout)
        if getattr(stream, "isatty", lambda: False)():
            import shutil

            message = wrap_text(message, shutil.get_terminal_size().columns).plain
    click.utils.echo(message, file, nl, err, color)


click.exceptions.echo = _safe_click_echo

ERROR_LABEL = N_("Error:")
NOTICE_LABEL = N_("Notice:")

CLICK_TEXTS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("Aborted!"),
)


HELP_TEXT = N_("Show this message and exit.")


@contextmanager
def _translated_help(command: click.Command, ctx: click.Context):
    """The command's help texts in the current language while its help is printed (restored
    after, so that one process can show help in several languages). The --help option is
    made by click while parsing, before --lang is read: its text is set here."""
    params = [p for p in command.get_params(ctx) if getattr(p, "help", None)]
    saved = (command.help, command.short_help, [p.help for p in params])
    if command.help:
        command.help = _(inspect.cleandoc(command.help))
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in params:
        param.help = _(HELP_TEXT) if param.name == "help" else _(param.help)
    try:
        yield
    finally:
        command.help, command.short_help, helps = saved
        for param, text in zip(params, helps, strict=True):
            param.help = text


class _TranslatedHelp:
    """Help (marked with N_) shown in the user's language."""

    def format_help(self, ctx, formatter) -> None:
        with _translated_help(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help, self.short_help
        if self.help:
            self.help = _(inspect.cleandoc(self.help))
        if self.short_help:
            self.short_help = _(self.short_help)
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help, self.short_help = saved


class TranslatedCommand(_TranslatedHelp, click.Command):
    """A command whose help (marked with N_) is shown in the user's language."""


class TranslatedGroup(_TranslatedHelp, click.Group):
    """A group of commands (`hginv factors`) whose help and whose commands' help are shown in
    the user's language."""

    command_class = TranslatedCommand


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


def speak(lang: str | None, input_path: Path | None = None) -> str:
    """Choose the language of this command: --lang, else the workbook's `language` field,
    else the environment's, else English."""
    from hginventory.core.i18n import get_language

    if lang is None and input_path is not None:
        from hginventory.read.activity import workbook_language

        lang = workbook_language(input_path)
    set_language(lang)
    return get_language()


QUIET_HELP = N_("Print only errors and notices.")

CONSOLE_OPTIONS: dict = {}
"""Extra options of every console (tests force a terminal of 80 columns with them)."""

# What a terminal would obey rather than show: C0 and C1 controls (ESC clears a screen or sets
# a window title), DEL, and the bidirectional overrides and isolates that reorder a line so that
# a file name reads as another. Tab and newline are handled apart (see `clean`).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n\t]")


def _visible(char: str) -> str:
    if char in "\n\r":
        return "\\n" if char == "\n" else "\\r"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def clean(text, newlines: bool = True) -> str:
    """`text` safe to print on a terminal: every control character shown as its escape
    (`\x1b` as the four characters backslash-x-1-b), a tab as a space. Newlines are kept
    when `newlines` (messages we compose on several lines), shown as `\n` otherwise (a
    table cell, where a file's newline would forge a row). Letters, accents (NFC or NFD)
    and every printable character are left as they are."""
    text = str(text)
    pattern = _UNSAFE_OR_NEWLINE if not newlines else _UNSAFE
    if "\t" not in text and not pattern.search(text):
        return text
    text = text.replace("\t", " ")
    return pattern.sub(lambda m: _visible(m.group()), text)


def clean_text(text, newlines: bool = True):
    """A rich Text (or a str, read literally: no markup) made safe like `clean`, its styles
    kept."""
    from rich.text import Text

    if not isinstance(text, Text):
        return Text(clean(text, newlines))  # cleaned first: Text would drop a BEL unseen
    pattern = _UNSAFE_OR_NEWLINE if not newlines else _UNSAFE
    plain = text.plain
    if "\t" not in plain and not pattern.search(plain):
        return text
    unsafe = re.compile(pattern.pattern[:-1] + "\t]")
    cuts = sorted({i for m in unsafe.finditer(plain) for i in (m.start(), m.end())})
    result = Text(style=text.style, justify=text.justify, end=text.end)
    for part in text.divide(cuts):
        if unsafe.fullmatch(part.plain):
            result.append(clean(part.plain, newlines))
        else:
            result.append_text(part)
    return result


# French sets a space before ':' ';' '!' '?' and '%' (and inside guillemets); a line must not
# break there, nor inside a short parenthesised unit such as '(kg Hg/y)'.
_KEEP_TOGETHER = re.compile(
    r" (?=[:;!?%»])|(?<=«) | (?=[-–—] )|(?<=\d) (?=(?:kg|g|t|Mg|%)\b)"
    r"|(?<=\()(?=[^()]{1,12}\))[^()\s]+(?: [^()\s]+){1,2}(?=\))"
)


# A word ends at a space, or after the slash of 'Combustion/use' (letters on both sides, at
# least three: never inside 'Hg/y', 'g/t' or a code).
_WORD = re.compile(r"[^ \n]+?(?:(?<=[^\W\d_]{3}/)(?=[^\W\d_]{3})|(?=[ \n])|$)")


def _glued(plain: str) -> str:
    """`plain` with every space that must not become a line break replaced by a non-space
    (a working copy: only its break positions are used)."""
    return _KEEP_TOGETHER.sub(lambda m: m.group().replace(" ", "\u00a0"), plain)


def longest_word(text) -> int:
    """The widest word (in terminal cells) of a text: lines break only between words."""
    from rich.cells import cell_len

    plain = text.plain if hasattr(text, "plain") else str(text)
    return max((cell_len(m.group()) for m in _WORD.finditer(_glued(plain))), default=0)


def wrap_text(text, width: int, hang: int = 0):
    """A rich Text wrapped to `width` cells between words: never inside a word (a code such
    as 5.1.3c, a number, a hyphenated name), never before a French ':', never inside
    '(kg Hg/y)', never before the dash of 'Mineral oils - refining'; after the slash of
    'Combustion/use' if need be. A word wider than the whole width (a long path) is folded,
    the only choice left. Each continuation line is indented like its first line, plus `hang`."""
    from rich.cells import cell_len
    from rich.text import Text

    if not isinstance(text, Text):
        text = Text(text)
    lines = []
    for line in text.split("\n", allow_blank=True):
        plain = line.plain
        if cell_len(plain) <= width:
            lines.append(line)
            continue
        lead = len(plain) - len(plain.lstrip(" "))
        indent = min(lead + hang, max(width // 2, 0))
        words = [m.span() for m in _WORD.finditer(_glued(plain))]
        start, prefix = 0, ""
        pieces = []
        for i, (w_start, w_end) in enumerate(words):
            if cell_len(prefix) + cell_len(plain[start:w_end]) > width:
                if i:
                    pieces.append((prefix, start, words[i - 1][1]))
                    start, prefix = w_start, " " * indent
                else:  # an indent wider than what is left: the first word starts the line
                    start = w_start
            while cell_len(prefix) + cell_len(plain[start:w_end]) > width:
                room, cut = width - cell_len(prefix), start
                while cut < w_end and cell_len(plain[start : cut + 1]) <= max(room, 1):
                    cut += 1
                if cut == start or (start == w_start and cut == w_end):
                    break
                space = plain.rfind(" ", start + 1, cut + 1)  # words glued by a rule: part there
                if space > start:
                    pieces.append((prefix, start, space))
                    start, prefix = space + 1, " " * indent
                    continue
                pieces.append((prefix, start, cut))
                start, prefix = cut, " " * indent
        pieces.append((prefix, start, len(plain.rstrip(" "))))
        for prefix, a, b in pieces:
            lines.append(Text(prefix) + line[a:b] if prefix else line[a:b])
    return Text("\n", style=text.style, justify=text.justify, end=text.end).join(lines)


def _console_class():
    """rich's Console, made safe at its one exit: everything it renders (tables, titles,
    messages, progress bars) has control characters shown as text, and on a terminal
    every plain message is wrapped between words before the terminal cuts it anywhere."""
    global _SafeConsole
    if _SafeConsole is not None:
        return _SafeConsole
    from rich.console import Console
    from rich.segment import Segment
    from rich.text import Text

    class SafeConsole(Console):
        def print(self, *objects, hang: int = 0, **kwargs):
            """As rich prints; `hang` indents the continuation lines of a wrapped text."""
            if objects and all(isinstance(o, (str, Text)) for o in objects):
                markup = kwargs.get("markup")
                texts = [  # a str cleaned before rich drops its BEL or CR unseen
                    self.render_str(clean(o), markup=markup, highlight=False, emoji=False)
                    if isinstance(o, str)
                    else clean_text(o)
                    for o in objects
                ]
                text = Text(kwargs.pop("sep", " ")).join(texts)
                if self.is_terminal and kwargs.get("soft_wrap", self.soft_wrap):
                    text = wrap_text(text, self.width, hang=hang)
                kwargs["soft_wrap"] = True
                objects = (text,)
            super().print(*objects, **kwargs)

        def render(self, renderable, options=None):
            for segment in super().render(renderable, options):
                if segment.control is None and _UNSAFE.search(segment.text):
                    segment = Segment(clean(segment.text), segment.style)
                yield segment

    _SafeConsole = SafeConsole
    return SafeConsole


_SafeConsole = None


def make_console(stderr: bool = False):
    """The console every command prints through (see `_console_class`)."""
    return _console_class()(
        stderr=stderr, highlight=False, soft_wrap=True, emoji=False, **CONSOLE_OPTIONS
    )


def _cell(cell, newlines: bool = False):
    """A table cell as safe Text: a str is read literally (a file's '[red]' stays text)."""
    from rich.text import Text

    return clean_text(cell if isinstance(cell, Text) else str(cell), newlines)


def _widths(minimum: list[int], natural: list[int], room: int) -> list[int]:
    """Column widths within `room` cells: each column at least its longest word, the space
    left shared in proportion to what each column would still use."""
    if sum(natural) <= room:
        return natural
    widths = list(minimum)
    spare = room - sum(widths)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    total = sum(wants)
    if total and spare > 0:
        for i, want in enumerate(wants):
            widths[i] += min(want, spare * want // total)
        spare = room - sum(widths)
        for i in sorted(range(len(widths)), key=lambda i: widths[i] - natural[i]):
            if spare <= 0:
                break
            extra = min(spare, natural[i] - widths[i])
            widths[i] += extra
            spare -= extra
    return widths


def show_table(table, console=None, drop=(), stderr: bool = False) -> None:
    """Print a rich Table so that no code or number is ever cut.

    On a terminal the table fits its width: every column is at least as wide as its longest
    word (codes and numbers are words), text wraps between words; if that is still too wide,
    the columns named in `drop` are left out, in that order, and else each row is printed as a
    block of 'header: value' lines. Piped (not a terminal): plain lines with full values, one
    row a line, columns separated by two spaces, easy to grep. Every cell is shown safe
    (`clean`): a control character in a file never reaches the terminal."""
    from rich.cells import cell_len
    from rich.table import Table

    console = console or make_console(stderr=stderr)
    headers = [_cell(c.header) for c in table.columns]
    columns = [[_cell(c) for c in col._cells] for col in table.columns]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    title = clean_text(table.title, newlines=False) if table.title else None
    if not console.is_terminal:
        plain_rows = [[c.plain for c in r] for r in rows]
        plain_headers = [h.plain for h in headers]
        widths = [
            max([cell_len(h), *(cell_len(r[i]) for r in plain_rows)])
            for i, h in enumerate(plain_headers)
        ]
        if title:
            console.print(title, soft_wrap=True)
        lines = [plain_headers, *plain_rows] if table.show_header else plain_rows
        right = [c.justify == "right" for c in table.columns]
        for cells in lines:
            text = "  ".join(
                " " * (w - cell_len(c)) + c if r else c + " " * (w - cell_len(c))
                for c, w, r in zip(cells, widths, right, strict=True)
            ).rstrip()
            console.print(text, markup=False, soft_wrap=True)
        return
    shown = [headers[i] for i in range(len(headers))] if table.show_header else []

    cells_of = [[*shown[i : i + 1], *(r[i] for r in rows)] for i in range(len(headers))]
    least = [max([1, *(longest_word(c) for c in cells)]) for cells in cells_of]
    most = [
        max([1, *(cell_len(line) for c in cells for line in c.plain.split("\n"))])
        for cells in cells_of
    ]
    keep = list(range(len(headers)))

    def needed(cols) -> int:
        return sum(least[i] for i in cols) + 3 * len(cols) + 1

    names = [h.plain for h in headers]
    for name in drop:
        if needed(keep) <= console.width:
            break
        if name in names and names.index(name) in keep and len(keep) > 1:
            keep.remove(names.index(name))
    if needed(keep) > console.width:
        _show_stacked(console, title, headers, rows, table.show_header)
        return
    room = console.width - 3 * len(keep) - 1
    widths = _widths([least[i] for i in keep], [most[i] for i in keep], room)
    table_width = sum(widths) + 3 * len(keep) + 1
    if title is not None and longest_word(title) > table_width:  # the title's words whole too
        grow = min(longest_word(title), console.width) - table_width
        widths[-1] += max(grow, 0)
        table_width += max(grow, 0)
    view = Table(
        title=wrap_text(title, table_width) if title is not None else None,
        show_header=table.show_header,
        header_style=table.header_style,
        box=table.box,
        show_lines=table.show_lines,
        title_style=table.title_style,
        title_justify=table.title_justify,
    )
    for i, width in zip(keep, widths, strict=True):
        c = table.columns[i]
        view.add_column(
            wrap_text(headers[i], width),
            justify=c.justify,
            style=c.style,
            header_style=c.header_style,
            width=width,
            overflow="fold",  # the cells are wrapped already: nothing is left to fold
        )
    for row, source in zip(rows, table.rows, strict=True):
        view.add_row(
            *(wrap_text(row[i], w) for i, w in zip(keep, widths, strict=True)),
            style=source.style,
        )
    console.print(view, soft_wrap=False, crop=False)
    left_out = [names[i] for i in range(len(names)) if i not in keep]
    if left_out:  # said, so that nobody takes the table for all there is
        console.print(
            _("Left out to fit {width} columns: {columns} (a wider terminal shows them).").format(
                width=console.width, columns=", ".join(left_out)
            ),
            markup=False,
        )


def _show_stacked(console, title, headers, rows, show_header: bool) -> None:
    """One record a block: its first cell in bold, then an indented 'header: value' line per
    other cell, each wrapped between words to the terminal."""
    from rich.text import Text

    if title is not None:
        console.print(Text.assemble(title, style="bold"))
    for cells in rows:
        console.print(Text.assemble(cells[0], style="bold"), hang=2)
        for header, cell in zip(headers[1:], cells[1:], strict=True):
            if cell.plain:
                label = labelled(header.plain, "") if show_header else ""
                console.print(Text("  " + label) + cell, hang=2)


def styled(label: str, style: str, text: str):
    """`label` in `style`, then `text` as plain text: input text (file names, country names,
    messages quoting them) is never read as rich markup such as '[draft]' or '[/x]'."""
    from rich.text import Text

    return Text.assemble((label, style), " ", clean(text))


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


def labelled(label: str, text) -> str:
    """'label: text' as the language writes it (French: 'erreur : ...')."""
    return _("{label}: {text}").format(label=label, text=text)


def severity_word(severity: str) -> str:
    return _("error") if severity == "error" else _("warning")


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
        """Each run starts in the environment's language (until --lang or a workbook says)."""
        set_language(None)
        return super().main(*args, **kwargs)

    def format_help(self, ctx, formatter) -> None:
        with _translated_help(self, ctx):
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


def echo(text: str, stderr: bool = False) -> None:
    """A message as typed (no markup, so input text prints as it is), its control characters
    shown as text, wrapped between words on a terminal."""
    make_console(stderr=stderr).print(str(text), markup=False)


def emit(text: str, nl: bool = True) -> None:
    """Machine output (CSV, JSON) byte for byte into a pipe or a file; on a terminal, where
    nobody parses it, with control characters shown as text like every other line."""
    click.echo(clean(text) if sys.stdout.isatty() else text, nl=nl)


FACTORS_HELP = N_(
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


def wants_folder(text: str | Path | None) -> bool:
    """An output typed with a trailing slash, or naming an existing folder: a folder to write
    the usual file names in (created if needed). Options keep the text as typed (a Path
    drops the slash)."""
    if text is None:
        return False
    text = str(text)
    try:
        return text.endswith(("/", os.sep)) or Path(text).is_dir()
    except OSError:  # a name too long: not a folder; the output check says why
        return False


def in_folder(path: str | Path | None, default: Path) -> Path:
    """The output file an option names: `default` when absent, inside it when it is a folder.

    A consultant types `-o results/` and expects the usual file names there, not a refusal.
    """
    if path is None:
        return default
    return Path(path) / default.name if wants_folder(path) else Path(path)


def output_folders(*texts) -> list[Path]:
    """The folders among the outputs as typed, to create once every output was checked."""
    return [Path(t) for t in texts if t is not None and wants_folder(t)]


OUTPUT_TYPE = click.Path(readable=False)
"""The type of an output option: the text as typed, so that `results/` stays a folder."""


def factor_inputs(path) -> list:
    """What a --factors option makes a command read: the CSV and its .toml, or a folder, and
    the shipped table laid under an overlay; no output may land on any of them."""
    from hginventory.core.files import table_files
    from hginventory.tables.factors import factors_dir

    return [factors_dir(), *table_files(path)]


def check_outputs(outputs, inputs, within=(), folders=()) -> None:
    """Every output of a command checked against its inputs and each other before any work
    (`core.files.check_paths`), and its folder known to exist unless it is one of the
    `folders` the user typed (`-o results/`, made later): a typo in a folder name is told
    at once, not after the computation."""
    from hginventory.core.errors import OutputError
    from hginventory.core.files import check_paths

    check_paths(outputs, inputs, within)
    made = {Path(f) for f in folders}
    for item in outputs:
        path = Path(item[1] if isinstance(item, tuple) else item)
        folder = path.parent
        if folder not in made and not folder.is_dir():
            raise OutputError(
                _("{file}: the folder {folder} does not exist").format(file=path, folder=folder)
            )


def paste_quote(path: Path | str) -> str:
    """A file name as it can be pasted into a command line on Windows as well as on Unix.

    Double quotes work in cmd, PowerShell and POSIX shells alike for a name without `"`, `$`,
    backquote, backslash, `!` or `%`; only such rare names get the POSIX shell's quoting.
    """
    text = str(path)
    if re.fullmatch(r"[\w./:+-]+", text):
        return text
    if not re.search(r'["$`\\!%]', text):
        return f'"{text}"'
    import shlex

    return shlex.quote(text)
