"""A CSV activity file as a grid of cells: its encoding, its separator and its numbers, as Excel
in English, French or Spanish writes them."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.read.numbers import AmbiguousText

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")


_DOT_THREE = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


@dataclass
class CsvText:
    """A CSV file as read and decoded; the grid and its problems come after (`csv_grid`), once
    the language of the messages is chosen."""

    path: Path
    text: str
    encoding: str = ""  # the legacy encoding it was read in, when it is not UTF-8


def read_csv_grid(path: Path) -> tuple[list[list], list[Problem]]:
    """`csv_grid` of the file at `path`."""
    return csv_grid(read_csv_text(path))


def read_csv_text(path: Path) -> CsvText:
    """The text of a CSV file: refused when it cannot be one (binary, too large, unreadable).

    Encoding: UTF-8 (with or without BOM), else Windows-1252/Latin-1 (`csv_grid` warns)."""
    from hginventory.read.gate import MAX_CSV_BYTES, check_file

    name = str(path)
    check_file(path, {".csv"})
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CSV_BYTES + 1)
    except PermissionError:
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=name), code="file-no-permission"
        ) from None
    except OSError as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=name, reason=exc.strerror)
        ) from None
    if len(raw) > MAX_CSV_BYTES:
        raise InputFileError(
            _(
                "{file}: refused: {size} MB is far more than an activity CSV (limit {limit} MB)"
            ).format(file=name, size=len(raw) // 2**20, limit=MAX_CSV_BYTES // 2**20)
        )
    if b"\0" in raw[:65536]:
        raise InputFileError(
            _(
                "{file}: not a text CSV file (it holds binary data); if it is a workbook, "
                "give it its .xlsx name, or save it from Excel as 'CSV UTF-8'"
            ).format(file=name),
            code="file-wrong-type",
        )
    try:
        return CsvText(path, raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        try:
            return CsvText(path, raw.decode("cp1252"), "Windows-1252 (Latin-1)")
        except UnicodeDecodeError:
            return CsvText(path, raw.decode("latin-1"), "Latin-1")


def csv_grid(source: CsvText) -> tuple[list[list], list[Problem]]:
    """The cells of a CSV activity file as a grid of rows, and what was noticed reading it.

    Separator: the one named by Excel's `sep=;` first line if there is one; else `;` if the
    first header line (`field;value` or `code;activity...`) has one, else tab, else `,`.
    Numbers: plain numbers (`1500`, `72.5`) are numbers; in a `;` file, the separator of
    French/Spanish Excel, a single comma between digits is the decimal mark (`72,5`), because
    there the comma cannot be the field separator, and `1.500` is refused as ambiguous
    (Spanish thousands or English decimals). Anything else is read as typed text and goes
    through `parse_number` like a hand-typed cell of a workbook.
    """
    from hginventory.read.gate import MAX_SHEET_ROWS

    name, text = str(source.path), source.text
    problems: list[Problem] = []
    if source.encoding:
        problems.append(
            Problem(
                _(
                    "the file is not UTF-8; read as {encoding}: check that accented letters "
                    "look right"
                ).format(encoding=source.encoding),
                file=name,
                expected=_("CSV saved as 'CSV UTF-8'"),
                severity="warning",
                code="csv-not-utf8",
            )
        )
    lines = [line for line in text.splitlines() if line.strip()]
    explicit = lines[0].strip().lower() if lines else ""
    if explicit.startswith("sep=") and len(explicit) == 5:  # Excel's separator hint line
        delimiter = lines[0].strip()[4]
    else:
        headers = [ln for ln in lines if re.search(r"field.+value|code.+activity", ln.lower())]
        first = headers[0] if headers else (lines[0] if lines else "")
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    if text.count("\n") > MAX_SHEET_ROWS:
        raise InputFileError(
            _(
                "{file}: refused: more than {limit} lines (hginv reads at most {limit} rows per "
                "table)"
            ).format(file=name, limit=format_number(MAX_SHEET_ROWS, COUNT))
        )
    grid, starts = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        line = 0
        for row in reader:
            starts.append(line + 1)
            line = reader.line_num
            grid.append(row)
    except csv.Error as exc:
        raise InputFileError(
            _("{file}: cannot be read as CSV ({reason})").format(file=name, reason=exc)
        ) from None
    _unclosed_quote(text, delimiter, starts, name)
    if explicit.startswith("sep=") and grid:
        grid = grid[1:]  # Excel hides this line, so rows are named as Excel shows them

    def value(cell: str):
        t = cell.strip()
        if delimiter == ";" and _DOT_THREE.fullmatch(t):
            return AmbiguousText(cell)
        number = None
        if _PLAIN_NUMBER.fullmatch(t):
            number = float(t)
        elif delimiter == ";" and _COMMA_DECIMAL.fullmatch(t):
            number = float(t.replace(",", "."))
        # a number no float holds (1e999) stays text: parse_number refuses it as typed
        return number if number is not None and math.isfinite(number) else cell

    from hginventory.read.gate import clean_cells

    grid = clean_cells(grid, name, "", problems)
    return [[value(c) for c in row] for row in grid], problems


def _unclosed_quote(text: str, delimiter: str, starts: list[int], name: str) -> None:
    """A quote opened and never closed swallows every line after it into one value: an error
    at the line where it opens, never a silent loss of the rows below."""
    try:
        for _row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc) or not starts:
            return  # other quirks are read as the lenient reader reads them
        line = starts[-1]
        raise InputFileError(
            _(
                '{file}: line {line}: a quote (") opens a value that is never closed, so every '
                "line after it would be read into that one value"
            ).format(file=name, line=line),
            [
                Problem(
                    _(
                        "a quote opens a value that is never closed; the lines after it would "
                        "be lost in that value"
                    ),
                    file=name,
                    cell=_("line {line}").format(line=line),
                    found=text.splitlines()[line - 1][:80] if text.splitlines() else "",
                    expected=_('a closing quote ("), or no quote at all'),
                    code="csv-quote-unclosed",
                )
            ],
        ) from None
