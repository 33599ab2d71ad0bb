"""Workbook-writing helpers over xlsxwriter, shared by every workbook hginv writes.

A `Book` is built in memory and saved atomically. A `Sheet` collects its cells first and
writes them when the book is saved, so column widths come from the content, wrapped text gets
the row height it needs (Excel and LibreOffice keep one line per row unless told), and headers
break between words, never inside one. Text is always written as text (`write_string`), never
as a formula; formulas are written with their computed value, so a reader that does not
calculate still shows hginv's numbers.
"""

from __future__ import annotations

import gc
import importlib.util
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from hginventory.core.cells import column_letter
from hginventory.core.i18n import get_language
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import MASS, cell_places, decimals, excel_format, format_number

MIN_WIDTH = 6
DEFAULT_WIDTH = 8.43
"""Excel's width of a column that was not set."""
TEXT_WIDTH = 50
"""Widest text column before its cells wrap (in characters)."""
LINE_HEIGHT = 15
HEADER_FILL = "#DDEBF7"
TOTAL_FILL = "#F2F2F2"
WARN_COLOUR = "#9C0006"
FILL_COLOUR = "#FFF2CC"
"""Cells whose value was filled in (interpolated), not read from an input."""
INPUT_COLOUR = "#FFF2CC"
"""Cells a user types in (the template)."""
NOTE_COLOUR = "#595959"
PAGE_WIDTH = 300
"""Widest sheet (sum of column widths, in characters) printed one page across."""
BOLD_STYLES = ("title", "bold", "warn", "header", "total", "group", "section")
COMMENT = {"author": "hginv", "width": 240, "height": 60}
"""A cell's comment: a sentence or two on three lines, signed by hginv."""


@contextmanager
def few_collections() -> Iterator[None]:
    """Within the block, Python's cycle collector runs rarely: building and writing a workbook
    makes millions of objects and no cycles, and at 20,000 facilities the collector walking
    them again and again took a fifth of the time."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass(slots=True)  # one per cell: 20,000 facilities make more than a million
class _Cell:
    kind: str  # text | number | formula | blank
    value: object
    style: str = ""
    num_format: str | None = None
    formula: str | None = None
    shown: str | int = ""  # as shown (its length for a number: all the widths need)
    wrap: bool = False


@dataclass
class _Note:
    row: int
    text: str
    style: str
    span: int


def area(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """A1 reference of a 0-based range (of one cell: that cell)."""
    if (first_row, first_col) == (last_row, last_col):
        return ref(first_row, first_col)
    return f"{ref(first_row, first_col)}:{ref(last_row, last_col)}"


def ref(row: int, col: int, sheet: str | None = None, absolute: bool = False) -> str:
    """A1 reference of a 0-based cell, optionally on another sheet."""
    d = "$" if absolute else ""
    a1 = f"{d}{column_letter(col)}{d}{row + 1}"
    if sheet is None:
        return a1
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{a1}"


@dataclass
class Sheet:
    """One worksheet whose cells are written at `Book.save` (see the module docstring)."""

    book: Book
    name: str
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    header_rows: set = field(default_factory=set)
    fixed_widths: dict = field(default_factory=dict)
    freeze: tuple | None = None
    repeat: tuple | None = None
    charts: list = field(default_factory=list)
    max_width: int = TEXT_WIDTH
    hidden_rows: set = field(default_factory=set)
    autofilter: tuple | None = None
    """(first_row, first_col, last_row, last_col): filter buttons on the header row."""
    pages_wide: int = 1
    """Printed pages across (a very wide table prints on two, its key columns repeated)."""
    pages_tall: int = 0
    """Printed pages down (0: as many as the rows need; 1: a short sheet kept on one page)."""
    repeat_cols: tuple | None = None
    page_breaks: list = field(default_factory=list)
    """Rows that start a printed page (a chart never cut in two)."""
    portrait: bool = False
    """Printed upright (a sheet of one column of text), not landscape."""
    comments: list = field(default_factory=list)
    validations: list = field(default_factory=list)

    def text(self, row: int, col: int, value, style: str = "", wrap: bool = True) -> None:
        """Text, always as text (input text never becomes a formula)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        value = cell_text(value)
        self.cells[row, col] = _Cell("text", value, style, shown=value, wrap=wrap)

    def number(self, row, col, value, quantity=MASS, places=None, style="", num_format=None):
        """A number with the format of its quantity (core.numbers); blank when missing."""
        if value is None or isinstance(value, str):
            return self.text(row, col, value, style)
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return
        places = decimals(quantity, [v]) if places is None else cell_places(quantity, v, places)
        fmt = num_format or excel_format(quantity, places)
        shown = len(format_number(v, quantity, places, self.book.lang))
        self.cells[row, col] = _Cell("number", v, style, fmt, shown=shown)

    def formula(self, row, col, formula, value, quantity=MASS, places=None, style=""):
        """A live formula with its computed value as the cached result."""
        v = float(value)
        if places is None:
            places = decimals(quantity, [v])
        fmt = excel_format(quantity, places)
        shown = len(format_number(v, quantity, places, self.book.lang))
        self.cells[row, col] = _Cell("formula", v, style, fmt, formula, shown)

    def style_row(self, row: int, first: int, last: int, style: str) -> None:
        """Give a style (e.g. `total`) to every cell of a row span, blank ones too."""
        for c in range(first, last + 1):
            cell = self.cells.get((row, c))
            if cell is None:
                self.cells[row, c] = _Cell("blank", None, style)
            else:
                cell.style = style

    def note(self, row: int, text: str, style: str = "", span: int = 0) -> None:
        """A paragraph on its own row, merged over `span` columns (0: as wide as the table)."""
        self.notes.append(_Note(row, cell_text(text), style, span))

    def headers(self, row: int, names: list[str], first: int = 0, repeat: bool = True) -> None:
        """A header row: bold, filled, wrapped between words; repeated on printed pages."""
        for c, name in enumerate(names, start=first):
            self.cells[row, c] = _Cell("text", name, "header", shown=name, wrap=True)
        self.header_rows.add(row)
        if repeat and self.repeat is None:
            self.repeat = (row, row)

    def table(self, top: int, headers: list[str], rows, kinds: dict[int, str] | None = None):
        """A header row and data rows; `kinds` maps a column to its quantity (core.numbers).

        Each numeric column gets the decimals its values need (the same in every cell).
        Returns the next free row."""
        kinds = kinds or {}
        rows = [list(r) for r in rows]
        self.headers(top, headers)
        places = {c: decimals(q, [r[c] for r in rows if c < len(r)]) for c, q in kinds.items()}
        for i, values in enumerate(rows, start=top + 1):
            for c, v in enumerate(values):
                if c in kinds and not isinstance(v, str):
                    self.number(i, c, v, kinds[c], places[c])
                else:
                    self.text(i, c, v)
        return top + 1 + len(rows)

    def keys(self, row: int, names: list[str]) -> None:
        """A hidden row of machine names (CSV column names) over a table, so that programs
        (`hginv diff`) read the table whatever the language of its visible headers."""
        for c, name in enumerate(names):
            self.cells[row, c] = _Cell("text", name, "", shown="", wrap=False)
        self.hidden_rows.add(row)

    def width(self, col: int, chars: float) -> None:
        self.fixed_widths[col] = chars

    def comment(self, row: int, col: int, text: str) -> None:
        """A note shown when the pointer rests on the cell (what a column means)."""
        self.comments.append((row, col, cell_text(text)))

    def validation(self, ranges: list[tuple[int, int, int, int]], rule: dict) -> None:
        """Excel data validation (`rule`: xlsxwriter's options) of the cells in `ranges`,
        each (first_row, first_col, last_row, last_col), 0-based."""
        self.validations.append((list(ranges), rule))

    # ---- layout, at save time ----

    def _clear_repeated_columns(self) -> int:
        """A title or heading alone on its row moves past the columns printed again on every
        page (they would show a piece of it, cut); returns the column paragraphs start in."""
        if not self.repeat_cols or self.pages_wide == 1:
            return 0
        start = self.repeat_cols[1] + 1
        rows: dict[int, list] = {}
        for (r, c), cell in self.cells.items():
            if cell.kind != "blank":
                rows.setdefault(r, []).append(c)
        for r, cols in rows.items():
            if len(cols) == 1 and cols[0] < start and self.cells[r, cols[0]].kind == "text":
                self.cells[r, start] = self.cells.pop((r, cols[0]))
        return start

    def _widths(self) -> dict[int, float]:
        widths: dict[int, float] = {}
        filled: dict[int, int] = {}
        for (r, _c), cell in self.cells.items():
            if cell.kind != "blank" and (cell.kind != "text" or cell.value):
                filled[r] = filled.get(r, 0) + 1
        for (r, c), cell in self.cells.items():
            if cell.kind == "blank" or r in self.hidden_rows:
                continue
            if cell.kind == "text" and not cell.wrap and filled.get(r) == 1:
                continue  # a title or heading alone on its row runs over the empty cells
            if isinstance(cell.shown, int):  # a number (its length), never broken
                need = cell.shown + 2
            elif r in self.header_rows:
                longest_word = max((len(w) for w in cell.shown.split()), default=0)
                need = longest_word + 2
            elif cell.kind == "text" and cell.wrap:
                need = min(len(cell.shown), self.max_width) + 1
            elif cell.kind == "text":
                need = len(cell.shown) + 1
            else:
                need = len(cell.shown) + 2
            if cell.style in ("bold", "total", "title", "warn") and cell.kind != "text":
                need += 1
            widths[c] = max(widths.get(c, MIN_WIDTH), need)
        # a header may take up to 3 lines: widen columns whose header would need more
        for (r, c), cell in self.cells.items():
            if r in self.header_rows and c in widths and isinstance(cell.shown, str):
                while _lines(cell.shown, widths[c], True) > 3:
                    widths[c] += 1
        widths.update(self.fixed_widths)
        return widths

    def _write(self, wb) -> None:
        """The sheet into xlsxwriter's workbook `wb`: column widths from the content, the
        cells, the paragraphs, the row heights their lines need, then the printed layout."""
        ws = wb.add_worksheet(self.name)
        widths = self._widths()
        total = self._fit_across(widths)
        start = self._clear_repeated_columns()
        for c, w in widths.items():
            ws.set_column(c, c, w)
        last_col = max((c for _, c in self.cells), default=0)
        titles = {r for (r, _c), cell in self.cells.items() if cell.style == "title"}
        heights = self._write_cells(ws, widths)
        # a paragraph stays within the first printed page
        page = total / self.pages_wide if self.pages_wide > 1 else math.inf
        self._write_notes(ws, widths, start, last_col, page, heights)
        self._set_heights(ws, heights, titles)
        self._write_guides(ws)
        self._set_print_options(ws)
        self.book.page_setup(ws, self.name, self.pages_wide, self.pages_tall)
        if self.portrait:
            ws.set_portrait()

    def _fit_across(self, widths: dict[int, float]) -> float:
        """The width of the sheet; one page across would print a sheet wider than PAGE_WIDTH
        in a 5-point font: it prints on two, the first column repeated."""
        last = max((c for _, c in self.cells), default=0)
        total = sum(widths.get(c, DEFAULT_WIDTH) for c in range(last + 1))
        if total > PAGE_WIDTH and self.pages_wide == 1:
            self.pages_wide = 2
            self.repeat_cols = self.repeat_cols or (0, 0)
        return total

    def _write_cells(self, ws, widths: dict[int, float]) -> dict[int, int]:
        """Every cell in row order; returns the lines each row of wrapped text needs. The keys
        alone are sorted, and each cell let go once written: 20,000 facilities make a million
        cells, not to be held beside xlsxwriter's own copy of them."""
        heights: dict[int, int] = {}
        cells = self.cells
        fmt_of = self.book.fmt
        for r, c in sorted(cells):
            cell = cells.pop((r, c))
            kind = cell.kind
            wrap = cell.wrap and kind == "text"
            fmt = fmt_of(cell.style, cell.num_format, wrap)
            if kind == "text":
                ws.write_string(r, c, cell.value, fmt)
                if wrap:
                    lines = _lines(cell.value, widths.get(c, 10), cell.style in BOLD_STYLES)
                    heights[r] = max(heights.get(r, 1), lines)
            elif kind == "number":
                ws.write_number(r, c, cell.value, fmt)
            elif kind == "formula":
                ws.write_formula(r, c, cell.formula, fmt, cell.value)
            else:
                ws.write_blank(r, c, None, fmt)
        cells.clear()  # its table too (a dict keeps its size as cells are popped)
        return heights

    def _write_notes(self, ws, widths, start: int, last_col: int, page: float, heights) -> None:
        """Each paragraph merged over its span from column `start`, but never wider than `page`
        (the first printed page, when the sheet prints on more than one across)."""
        for note in self.notes:
            span = note.span or last_col + 1
            end = start
            while end + 1 < span and _span_width(widths, start, end + 1) < page:
                end += 1
            width = max(_span_width(widths, start, end), 20)
            fmt = self.book.fmt(note.style, None, True)
            if end > start:
                ws.merge_range(note.row, start, note.row, end, note.text, fmt)
            else:
                ws.write_string(note.row, start, note.text, fmt)
            lines = _lines(note.text, width, note.style in BOLD_STYLES)
            heights[note.row] = max(heights.get(note.row, 1), lines)

    def _set_heights(self, ws, heights: dict[int, int], titles: set[int]) -> None:
        """Rows as tall as their lines of wrapped text (a title's line is taller); the hidden
        rows of machine names hidden."""
        for r, lines in heights.items():
            size = 18 if r in titles else LINE_HEIGHT
            if (lines > 1 or size != LINE_HEIGHT) and r not in self.hidden_rows:
                ws.set_row(r, size * lines + (2 if lines > 1 else 0))
        for r in self.hidden_rows:
            ws.set_row(r, None, None, {"hidden": True})

    def _write_guides(self, ws) -> None:
        """The comments and data validations, which guide what a user types. A validation
        xlsxwriter refuses (a text over Excel's limits) fails loudly, never goes missing."""
        for row, col, text in self.comments:
            ws.write_comment(row, col, text, COMMENT)
        for ranges, rule in self.validations:
            if len(ranges) > 1:
                rule = {**rule, "multi_range": " ".join(area(*r) for r in ranges)}
            if ws.data_validation(*ranges[0], rule) != 0:
                raise ValueError(f"{self.name}: data validation refused: {rule}")

    def _set_print_options(self, ws) -> None:
        """Frozen panes, rows and columns repeated on printed pages, page breaks, the filter
        buttons and the charts, each as the sheet asked."""
        if self.freeze:
            ws.freeze_panes(*self.freeze)
        if self.repeat:
            ws.repeat_rows(*self.repeat)
        if self.repeat_cols:
            ws.repeat_columns(*self.repeat_cols)
        if self.page_breaks:
            ws.set_h_pagebreaks(self.page_breaks)
        if self.autofilter:
            ws.autofilter(*self.autofilter)
        for row, col, chart, options in self.charts:
            ws.insert_chart(row, col, chart, options)


def _span_width(widths: dict[int, float], first: int, last: int) -> float:
    """The width of columns `first` to `last` (an unset column: Excel's default)."""
    return sum(widths.get(c, DEFAULT_WIDTH) for c in range(first, last + 1))


@lru_cache(maxsize=1)
def _font():
    """DejaVu Sans (shipped with matplotlib), the font LibreOffice shows a workbook in when
    Calibri is missing: a little wider than Calibri, so a row measured with it is never too
    short in Excel either. None when it cannot be read (then a character is a digit wide)."""
    try:
        from PIL import ImageFont

        spec = importlib.util.find_spec("matplotlib")
        folder = Path(next(iter(spec.submodule_search_locations)))
        font = ImageFont.truetype(str(folder / "mpl-data/fonts/ttf/DejaVuSans.ttf"), 100)
        return font, font.getlength("0")
    except Exception:  # noqa: BLE001 - any failure: the plain estimate below
        return None


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    """Width of a character in digit widths, the unit of Excel's column widths."""
    found = _font()
    return 1.0 if found is None else found[0].getlength(ch) / found[1]


EXCEL_CELL_CHARS = 32_767  # Excel's limit: a longer text makes it offer to repair the file


def cell_text(value) -> str:
    """Text as a cell can hold it: cut with an ellipsis at Excel's limit of characters."""
    text = str(value)
    if len(text) > EXCEL_CELL_CHARS:
        text = text[: EXCEL_CELL_CHARS - 1] + "\u2026"
    return text


def text_width(text: str, bold: bool = False) -> float:
    """Width of a text in digit widths (Excel's column unit); bold is about 8 % wider."""
    return sum(map(_char_width, text)) * (1.08 if bold else 1.0)


def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (word wrap, as Excel
    and LibreOffice break it: between words, a word longer than the line cut)."""
    text = str(text)
    if "\n" not in text and len(text) + 1 <= width:
        return 1  # as wide as the column made for it (`Sheet._widths`)
    usable = max(1.0, width - 1.0)
    space = text_width(" ", bold)
    total = 0
    for paragraph in text.split("\n"):
        line = 0.0
        count = 1
        for word in paragraph.split(" "):
            size = text_width(word, bold)
            if line and line + space + size > usable:
                count += 1
                line = size
            else:
                line = line + (space if line else 0) + size
            while line > usable:
                count += 1
                line -= usable
        total += count
    return total


class Book:
    """An xlsxwriter workbook in memory; `save` writes it atomically."""

    def __init__(self, header: str = ""):
        import io

        import xlsxwriter

        self._buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self._buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.sheets: list[Sheet] = []
        self._formats: dict = {}
        self.header = header
        # the language of the whole book, looked up once (not once per number cell)
        self.lang = get_language()

    def sheet(self, name: str) -> Sheet:
        """A new sheet; the one before it is finished, so it is written and its cells let go
        now (a workbook of 20,000 facilities never holds every sheet's cells at once)."""
        if self.sheets:
            self._finish(self.sheets[-1])
        s = Sheet(self, name)
        self.sheets.append(s)
        return s

    def _finish(self, sheet: Sheet) -> None:
        if not isinstance(sheet.notes, tuple):
            sheet._write(self.wb)
            # a finished sheet takes no more cells: a late write fails loudly, never vanishes
            sheet.cells = MappingProxyType({})
            sheet.notes = sheet.comments = sheet.validations = ()

    def chart(self, options: dict):
        return self.wb.add_chart(options)

    STYLES = {
        "": {},
        "title": {"bold": True, "font_size": 14},
        "bold": {"bold": True},
        "warn": {"bold": True, "font_color": WARN_COLOUR},
        "header": {"bold": True, "bg_color": HEADER_FILL, "bottom": 1},
        "total": {"bold": True, "bg_color": TOTAL_FILL, "top": 1},
        "group": {"bold": True, "italic": True},
        "filled": {"bg_color": FILL_COLOUR, "italic": True},
        "note": {"italic": True, "font_color": NOTE_COLOUR},
        "section": {"bold": True, "bg_color": TOTAL_FILL},
        "input": {"bg_color": INPUT_COLOUR},
    }

    def fmt(self, style: str, num_format: str | None, wrap: bool):
        key = (style, num_format, wrap)
        if key not in self._formats:
            props = {"valign": "top", **self.STYLES[style]}
            if num_format:
                # "_)": the width of a parenthesis after the number, so that a right-aligned
                # number never touches the text of the next column ("6,500,000 t")
                props["num_format"] = num_format + "_)"
            if wrap:
                props["text_wrap"] = True
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def page_setup(self, ws, name: str, pages_wide: int = 1, pages_tall: int = 0) -> None:
        """Landscape A4, fitted to the page width (or `pages_wide` pages), with the place and
        sheet name on top."""
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(pages_wide, pages_tall)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        place = self.header.replace("&", "&&")
        ws.set_header(f"&L{place}&R{name.replace('&', '&&')}")
        ws.set_footer("&C" + _("Page &P of &N"))

    def to_bytes(self) -> bytes:
        for s in self.sheets:
            self._finish(s)  # which lets go of the sheet's cells as it writes them
        self.wb.close()
        return self._buffer.getvalue()

    def save(self, path: str | Path, protect=()) -> Path:
        from hginventory.core.files import atomic_write

        data = self.to_bytes()
        return atomic_write(path, lambda tmp: write_file(tmp, data), protect)


def write_file(path: Path, data: bytes) -> None:
    """Write the finished workbook's bytes (to the temporary file of `atomic_write`)."""
    Path(path).write_bytes(data)
