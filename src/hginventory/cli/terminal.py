"""The terminal: every line hginv prints goes through one console that shows control
characters as text and wraps between words; every table fits the terminal whole."""

from __future__ import annotations

import re
import sys
from functools import cache

import click

from hginventory.core.i18n import gettext as _

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


def _indent(plain: str, start: int, end: int, indent: int, width: int) -> str:
    """The indent of a continuation line that starts with `plain[start:end]`: less than
    `indent` when that is a whole word (or words glued by a rule) whose widest word would not
    fit after the indent but fits alone, since a word is cut only when wider than the width."""
    from rich.cells import cell_len

    word = max(cell_len(w) for w in plain[start:end].split(" "))
    if word > width or plain[end : end + 1] not in ("", " "):
        return " " * indent
    return " " * min(indent, width - word)


def wrap_text(text, width: int, hang: int = 0):
    """A rich Text wrapped to `width` cells between words: never inside a word (a code such
    as 5.1.3c, a number, a hyphenated name), never before a French ':', never inside
    '(kg Hg/y)', never before the dash of 'Mineral oils - refining'; after the slash of
    'Combustion/use' if need be. A word wider than the whole width (a long path) is folded,
    the only choice left. Each continuation line is indented like its first line, plus `hang`
    (less when a word would not fit after the indent but fits alone)."""
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
                    start, prefix = w_start, _indent(plain, w_start, w_end, indent, width)
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
                    start = space + 1
                    prefix = _indent(plain, start, w_end, indent, width)
                    continue
                pieces.append((prefix, start, cut))
                start, prefix = cut, " " * indent
        pieces.append((prefix, start, len(plain.rstrip(" "))))
        for prefix, a, b in pieces:
            lines.append(Text(prefix) + line[a:b] if prefix else line[a:b])
    return Text("\n", style=text.style, justify=text.justify, end=text.end).join(lines)


@cache
def console_class():
    """rich's Console, made safe at its one exit: everything it renders (tables, titles,
    messages, progress bars) has control characters shown as text, and on a terminal
    every plain message is wrapped between words before the terminal cuts it anywhere."""
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

    return SafeConsole


def make_console(stderr: bool = False):
    """The console every command prints through (see `console_class`)."""
    return console_class()(
        stderr=stderr, highlight=False, soft_wrap=True, emoji=False, **CONSOLE_OPTIONS
    )


def echo(text: str, stderr: bool = False) -> None:
    """A message as typed (no markup, so input text prints as it is), its control characters
    shown as text, wrapped between words on a terminal."""
    make_console(stderr=stderr).print(str(text), markup=False)


def emit(text: str, nl: bool = True) -> None:
    """Machine output (CSV, JSON) byte for byte into a pipe or a file; on a terminal, where
    nobody parses it, with control characters shown as text like every other line."""
    click.echo(clean(text) if sys.stdout.isatty() else text, nl=nl)


def styled(label: str, style: str, text: str):
    """`label` in `style`, then `text` as plain text: input text (file names, country names,
    messages quoting them) is never read as rich markup such as '[draft]' or '[/x]'."""
    from rich.text import Text

    return Text.assemble((label, style), " ", clean(text))


def labelled(label: str, text) -> str:
    """'label: text' as the language writes it (French: 'erreur : ...')."""
    return _("{label}: {text}").format(label=label, text=text)


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
    console = console or make_console(stderr=stderr)
    headers = [_cell(c.header) for c in table.columns]
    columns = [[_cell(c) for c in col.cells] for col in table.columns]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    title = clean_text(table.title, newlines=False) if table.title else None
    if not console.is_terminal:
        _show_lines(console, table, title, headers, rows)
        return
    widths = _column_widths(table, title, headers, rows, drop, console.width)
    if widths is None:
        _show_stacked(console, title, headers, rows, table.show_header)
        return
    console.print(_fitted(table, title, headers, rows, widths), soft_wrap=False, crop=False)
    left_out = [h.plain for i, h in enumerate(headers) if i not in widths]
    if left_out:  # said, so that nobody takes the table for all there is
        console.print(
            _("Left out to fit {width} columns: {columns} (a wider terminal shows them).").format(
                width=console.width, columns=", ".join(left_out)
            ),
            markup=False,
        )


def _column_widths(table, title, headers, rows, drop, width: int) -> dict[int, int] | None:
    """The columns shown (index: width) so that the table fits `width` cells with every word
    whole, its title's too; None when even its narrowest form is too wide."""
    cells_of = [
        [*([headers[i]] if table.show_header else []), *(r[i] for r in rows)]
        for i in range(len(headers))
    ]
    least = [max([1, *(longest_word(c) for c in cells)]) for cells in cells_of]
    keep = _columns_kept(least, [h.plain for h in headers], drop, width)
    if _table_width(least[i] for i in keep) > width:
        return None
    most = [_widest_line(cells_of[i]) for i in keep]
    widths = _widths([least[i] for i in keep], most, width - 3 * len(keep) - 1)
    grow = min(longest_word(title), width) - _table_width(widths) if title is not None else 0
    if grow > 0:  # the title's words whole too
        widths[-1] += grow
    return dict(zip(keep, widths, strict=True))


def _table_width(widths) -> int:
    """The cells a table takes on a line: its columns, a space either side of each, the rules."""
    widths = list(widths)
    return sum(widths) + 3 * len(widths) + 1


def _widest_line(cells) -> int:
    """The widest line of a column's cells: the width it takes when nothing wraps."""
    from rich.cells import cell_len

    return max([1, *(cell_len(line) for c in cells for line in c.plain.split("\n"))])


def _columns_kept(least: list[int], names: list[str], drop, width: int) -> list[int]:
    """The columns shown: all, or without those named in `drop` (in that order) until the
    table's narrowest form fits `width`; never the last one left."""
    keep = list(range(len(names)))
    for name in drop:
        if _table_width(least[i] for i in keep) <= width:
            break
        if name in names and names.index(name) in keep and len(keep) > 1:
            keep.remove(names.index(name))
    return keep


def _fitted(table, title, headers, rows, widths: dict[int, int]):
    """A copy of `table` with the columns kept (index: width), every cell and the title
    wrapped between words to their widths (nothing is left for rich to fold)."""
    from rich.table import Table

    view = Table(
        title=wrap_text(title, _table_width(widths.values())) if title is not None else None,
        show_header=table.show_header,
        header_style=table.header_style,
        box=table.box,
        show_lines=table.show_lines,
        title_style=table.title_style,
        title_justify=table.title_justify,
    )
    for i, width in widths.items():
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
        view.add_row(*(wrap_text(row[i], w) for i, w in widths.items()), style=source.style)
    return view


def _show_lines(console, table, title, headers, rows) -> None:
    """Piped: the title, then one plain line a row, columns aligned and two spaces apart."""
    from rich.cells import cell_len

    plain_rows = [[c.plain for c in r] for r in rows]
    plain_headers = [h.plain for h in headers]
    widths = [
        max([cell_len(h), *(cell_len(r[i]) for r in plain_rows)])
        for i, h in enumerate(plain_headers)
    ]
    if title:
        console.print(title, soft_wrap=True)
    right = [c.justify == "right" for c in table.columns]
    for cells in [plain_headers, *plain_rows] if table.show_header else plain_rows:
        text = "  ".join(
            " " * (w - cell_len(c)) + c if r else c + " " * (w - cell_len(c))
            for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()
        console.print(text, markup=False, soft_wrap=True)


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
