"""Safety and structure checks of a zipped workbook, made before the spreadsheet reader opens it.

An `.xlsx` is a zip of XML parts. Before calamine reads one, this module

- refuses a decompression bomb: the sizes declared in the zip directory must add up to at most
  `MAX_UNCOMPRESSED` bytes. A directory that lies about sizes gets no further: Python's zipfile
  inflates no more than a member's declared size and then fails its CRC check, reported as a
  damaged file; the bytes inflated are also counted against the limit, should that change;
- refuses any XML part with a document type declaration (DTD). Excel and LibreOffice never
  write one; it is the only way to declare entities, so entity expansion ("billion laughs") and
  external entities (reading local files) are refused before any parser sees them. The XML is
  read with the standard library's expat, streamed, with a handler that stops at the DTD;
- notes what the values alone do not show: formulas without a saved result (calamine reads
  them as empty), cells showing an error such as #DIV/0! (also read as empty), merged cells
  and hidden rows.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from hginventory.core.cells import column_index, column_letter
from hginventory.core.errors import InputFileError, Problem, UnsafeInputError
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number

MAX_UNCOMPRESSED = 200 * 1024 * 1024


MAX_MEMBERS = 10_000


ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}


MAX_LISTED = 20


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


MAX_SCAN_ROWS, MAX_SCAN_COLUMNS = 100_000, 1_024


MAX_ODS_REPEAT = 1_000


MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 25_000, 256  # of a sheet hginv reads (see read.gate)


# cells of a sheet hginv reads (its area from A1): the reader holds every cell of the area, about
# 80 MB per million in its child process, whose memory allowance is 384 MB (see read.gate)
MAX_SHEET_CELLS = 1_000_000


_CHUNK = 1 << 16


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass
class SheetFacts:
    """What one worksheet's XML says beyond its values."""

    formulas_without_value: list[str] = field(default_factory=list)
    error_values: list[tuple[str, str]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden: bool = False
    # how far the cells holding a value reach (the area the spreadsheet reader allocates);
    # recorded by the walk, which the fast path runs only when a reference lies beyond the
    # sheet limits, so not part of the findings compared
    last_row: int = field(default=0, compare=False)
    last_col: int = field(default=0, compare=False)
    # how many cells the part holds (`<c>` elements, a count of bytes: no walk needed)
    cells: int = field(default=0, compare=False)

    @property
    def area(self) -> int:
        """What the reader will hold of this sheet, as far as the scan can tell: its cells,
        or the area its values reach when the walk recorded it (ODS repeats included)."""
        return max(self.cells, self.last_row * self.last_col)


@dataclass
class WorkbookScan:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)

    def facts(self, sheet: str) -> SheetFacts:
        return self.sheets.get(sheet, SheetFacts())


class _Refused(Exception):
    pass


class _TooLarge(Exception):
    """A cell holding a value lies beyond what any sheet hginv reads may span (raised from an
    expat handler, so the scan stops there instead of walking a huge sheet)."""

    def __init__(self, cell: str, why: str, sheet: str = ""):
        super().__init__(cell, why)
        self.cell, self.why, self.sheet = cell, why, sheet


def _reach(row: int, col: int) -> None:
    """Stop at once at a value beyond the sheet limits (Excel's, or hginv's scan limits)."""
    cell = f"{column_letter(col - 1)}{row}"
    if row > EXCEL_ROWS or col > EXCEL_COLUMNS:
        raise _TooLarge(cell, _("beyond Excel's last cell {cell}").format(cell=f"XFD{EXCEL_ROWS}"))
    if row > MAX_SCAN_ROWS or col > MAX_SCAN_COLUMNS:
        raise _TooLarge(
            cell,
            _("beyond the {rows} rows and {cols} columns hginv reads in any sheet").format(
                rows=format_number(MAX_SCAN_ROWS, COUNT),
                cols=format_number(MAX_SCAN_COLUMNS, COUNT),
            ),
        )


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


class _Sheet:
    """expat handlers collecting the facts of one worksheet part."""

    def __init__(self) -> None:
        self.facts = SheetFacts()
        self.row = 0
        self.col = 0
        self.cell = ""
        self.kind = ""
        self.formula = self.value = self.inline = False
        self.in_value = False
        self.hidden_row = False
        self.text: list[str] = []

    def start(self, name, attrs) -> None:
        tag = _local(name)
        if tag == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isascii() and r.isdigit() else self.row + 1
            self.col = 0
            self.hidden_row = attrs.get("hidden") in ("1", "true")
        elif tag == "c":
            self.facts.cells += 1
            if self.hidden_row:  # only hidden rows that hold cells are worth a warning
                self.facts.hidden_rows.append(self.row)
                self.hidden_row = False
            m = _CELL.match(attrs.get("r", ""))
            if m:
                self.col, self.row = (column_index(m.group(1)) + 1), int(m.group(2))
            else:
                self.col += 1
            self.cell = f"{column_letter(self.col - 1)}{self.row}"
            self.kind = attrs.get("t", "")
            self.formula = self.value = self.inline = False
            self.text = []
        elif tag == "f":
            self.formula = True
        elif tag == "v":
            self.value = self.in_value = True
        elif tag == "is":
            self.inline = True
        elif tag == "mergeCell" and attrs.get("ref"):
            self.facts.merged.append(attrs["ref"])

    def end(self, name) -> None:
        tag = _local(name)
        if tag == "v":
            self.in_value = False
        if tag == "c" and (self.value or self.inline):
            if self.row > self.facts.last_row or self.col > self.facts.last_col:
                _reach(self.row, self.col)
                self.facts.last_row = max(self.facts.last_row, self.row)
                self.facts.last_col = max(self.facts.last_col, self.col)
        if tag == "c" and self.kind == "e":
            self.facts.error_values.append((self.cell, "".join(self.text).strip()))
        elif tag == "c" and self.formula and not self.inline:
            empty = not "".join(self.text).strip()
            if not self.value or (empty and self.kind != "str"):
                self.facts.formulas_without_value.append(self.cell)

    def chars(self, data) -> None:
        if self.in_value:
            self.text.append(data)


class _OdsContent:
    """Tables of an .ods content.xml: where its values reach, repeats included. LibreOffice
    writes the empty rest of a sheet as a few rows repeated a million times, which is harmless;
    a value repeated that often is not, and is refused before the reader expands it."""

    def __init__(self) -> None:
        self.tables: dict[str, SheetFacts] = {}
        self.facts = SheetFacts()
        self.row = self.row_repeat = self.col = 0
        self.table = ""

    def start(self, name, attrs) -> None:
        try:
            self._start(name, attrs)
        except _TooLarge as exc:
            exc.sheet = self.table
            raise

    def _start(self, name, attrs) -> None:
        tag = _local(name)
        if tag == "table":
            self.table = _attr(attrs, "name")
            self.facts = self.tables.setdefault(self.table, SheetFacts())
            self.row = 0
        elif tag == "table-row":
            self.row_repeat = _repeat(attrs, "number-rows-repeated")
            self.row += 1
            self.col = 0
        elif tag in ("table-cell", "covered-table-cell"):
            repeat = _repeat(attrs, "number-columns-repeated")
            first = self.col + 1
            self.col += repeat
            if _attr(attrs, "value-type"):
                if repeat > MAX_ODS_REPEAT or self.row_repeat > MAX_ODS_REPEAT:
                    raise _TooLarge(
                        f"{column_letter(min(first, EXCEL_COLUMNS) - 1)}{self.row}",
                        _(
                            "a value repeated over {n} cells (hginv allows {limit} repeats of "
                            "a value)"
                        ).format(
                            n=format_number(max(repeat, self.row_repeat), COUNT),
                            limit=format_number(MAX_ODS_REPEAT, COUNT),
                        ),
                    )
                last_row = self.row + self.row_repeat - 1
                _reach(last_row, self.col)
                self.facts.last_row = max(self.facts.last_row, last_row)
                self.facts.last_col = max(self.facts.last_col, self.col)

    def end(self, name) -> None:
        if _local(name) == "table-row":
            self.row += self.row_repeat - 1
            self.row_repeat = 1

    def chars(self, data) -> None:
        pass


def _attr(attrs, local: str) -> str:
    return next((v for k, v in attrs.items() if _local(k) == local), "")


def _repeat(attrs, local: str) -> int:
    text = _attr(attrs, local)
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) else 1


class _Workbook:
    """Sheet names and their relationship ids, from xl/workbook.xml."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, bool]] = []

    def start(self, name, attrs) -> None:
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append(
                (attrs.get("name", ""), rid, attrs.get("state", "visible") != "visible")
            )

    def end(self, name) -> None:
        pass

    def chars(self, data) -> None:
        pass


class _Rels(_Workbook):
    """Relationship id -> target part, from xl/_rels/workbook.xml.rels."""

    def __init__(self) -> None:
        self.targets: dict[str, str] = {}

    def start(self, name, attrs) -> None:
        if _local(name) == "Relationship" and attrs.get("Id"):
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join("xl", target))
            self.targets[attrs["Id"]] = target


def _refuse_dtd(*_args) -> None:
    raise _Refused("document type declaration")


def _parser(handler):
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    if handler is not None:
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.chars
    return parser


def scan_workbook(path: str | Path) -> WorkbookScan:
    """Check a zipped workbook and collect its structure facts; raises InputFileError.

    Files that are not zip archives (.xls, password-protected workbooks, damaged files) are
    left to the spreadsheet reader, which says what they are.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return WorkbookScan()
    return _scan(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _scan(name: str, _size: int, _mtime: int) -> WorkbookScan:
    label = os.path.basename(name)
    try:
        if not zipfile.is_zipfile(name):
            return WorkbookScan()
        with zipfile.ZipFile(name) as archive:
            return _scan_archive(archive, label)
    except PermissionError:
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=label),
            code="file-no-permission",
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        raise InputFileError(
            _(
                "{file}: the workbook is damaged (its compressed parts cannot be read); open it "
                "in Excel or LibreOffice and save it again as .xlsx"
            ).format(file=label),
            code="file-damaged",
        ) from None


def _bomb(label: str, size: int) -> UnsafeInputError:
    return UnsafeInputError(
        _(
            "{file}: refused: the workbook unpacks to more than {limit} MB ({size} MB or more). "
            "An activity workbook is far smaller; this may be a decompression bomb. Save only "
            "the country, activity and facilities sheets in a new workbook"
        ).format(file=label, limit=MAX_UNCOMPRESSED // 2**20, size=size // 2**20)
    )


# What makes a part worth the XML walk: in a worksheet, a formula element (`<f`, or `:f` with a
# namespace prefix), a merge, an error value (t="e"), a hidden row, a character reference (an
# attribute value such as t="&#101;"); in any part, a declaration (`<!`: a DTD, also comments
# and CDATA). A part without any of them has no facts to collect and no DTD to refuse. Plain
# substring searches: a false alarm costs only the walk.
_SHEET_TRIGGERS = (b"<f", b":f", b"mergeCell", b'"e"', b"'e'", b"hidden", b"<!", b"&#")


def _needs_walk(data: bytes, sheet: bool) -> bool:
    """Whether a part must be parsed: always when it is not ASCII-compatible (UTF-16, which
    the byte search cannot read), else when the search finds something."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return True
    if sheet:
        return any(t in data for t in _SHEET_TRIGGERS) or _reaches_far(data)
    return b"<!" in data


_REF = re.compile(rb'\br="([A-Z]{0,3})(\d+)"')


# The references that may lie that far: two or three letters (column IV is 256), or a row
# number of as many digits as the row limit; only those are looked at one by one.
_FAR_REF = re.compile(
    rb'\br="([A-Z]{2,3})(\d+)"|\br="([A-Z]?)(\d{%d,})"' % len(str(MAX_SHEET_ROWS))
)


def _reaches_far(data: bytes) -> bool:
    """Whether a row or cell reference lies beyond what a sheet hginv reads may span: then the
    walk finds the cells holding values there (and refuses, or records how far they reach)."""
    for m in _FAR_REF.finditer(data):
        letters, row = (m.group(1), int(m.group(2))) if m.group(1) else (m.group(3), int(m[4]))
        if row > MAX_SHEET_ROWS or (
            letters and (column_index(letters.decode()) + 1) > MAX_SHEET_COLUMNS
        ):
            return True
    return False


def _scan_archive(archive: zipfile.ZipFile, label: str, fast: bool = True) -> WorkbookScan:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnsafeInputError(
            _("{file}: refused: the workbook holds {n} parts (limit {limit})").format(
                file=label, n=len(members), limit=MAX_MEMBERS
            )
        )
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED:
        raise _bomb(label, declared)
    sheet_parts: dict[str, _Sheet] = {}
    book, rels, ods = _Workbook(), _Rels(), _OdsContent()
    inflated = 0
    for member in members:
        if member.is_dir():
            continue
        lower = member.filename.lower()
        handler = None
        if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
            handler = sheet_parts.setdefault(member.filename, _Sheet())
        elif lower == "xl/workbook.xml":
            handler = book
        elif lower == "xl/_rels/workbook.xml.rels":
            handler = rels
        elif lower == "content.xml":
            handler = ods
        parser = _parser(handler) if lower.endswith((".xml", ".rels")) else None
        # fast path: parts other than the workbook and its relationships are read whole and
        # walked only when a byte search finds what the walk looks for (same findings)
        sheet = isinstance(handler, _Sheet)
        buffered = fast and parser is not None and (handler is None or sheet)
        held: list[bytes] = []
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                inflated += len(chunk)
                if inflated > MAX_UNCOMPRESSED:
                    raise _bomb(label, inflated)
                if buffered:
                    held.append(chunk)
                    continue
                if parser is None:
                    continue
                try:
                    parser.Parse(chunk, False)
                except _Refused:
                    raise _dtd(label, member.filename) from None
                except _TooLarge as exc:
                    raise InputFileError(_too_large(label, member.filename, exc, archive)) from None
                except expat.ExpatError:
                    parser = None  # not well-formed: the spreadsheet reader will say so
        if buffered:
            data = b"".join(held)
            if _needs_walk(data, sheet):
                _walk(parser, held, member.filename, label, archive)
            if sheet:
                handler.facts.cells = _count_cells(data)
    result = WorkbookScan()
    for name, rid, hidden in book.sheets:
        part = rels.targets.get(rid, "")
        facts = sheet_parts[part].facts if part in sheet_parts else SheetFacts()
        facts.hidden = hidden
        result.sheets[name] = facts
    result.sheets.update(ods.tables)
    return result


def _count_cells(data: bytes) -> int:
    """The `<c>` elements of a worksheet part, counted as bytes; prefixed ones (`<x:c `) when
    the part has no plain ones (so that text holding ':c ' counts nothing extra)."""
    ends = (b" ", b">", b"\n", b"\t", b"\r")
    plain = sum(data.count(b"<c" + end) for end in ends)
    return plain or sum(data.count(b":c" + end) for end in ends)


def _walk(parser, chunks: list[bytes], part: str, label: str, archive=None) -> None:
    """The XML walk of one part held in memory, as the streaming loop does it."""
    for chunk in chunks:
        try:
            parser.Parse(chunk, False)
        except _Refused:
            raise _dtd(label, part) from None
        except _TooLarge as exc:
            raise InputFileError(_too_large(label, part, exc, archive)) from None
        except expat.ExpatError:
            return  # not well-formed: the spreadsheet reader will say so


def _dtd(label: str, part: str) -> UnsafeInputError:
    return UnsafeInputError(
        _(
            "{file}: refused: the part {part} declares XML entities (a DTD), "
            "which Excel and LibreOffice never write; the file may have been "
            "crafted to read other files or exhaust memory. Open it in Excel "
            "and save it again only if you trust where it came from"
        ).format(file=label, part=part)
    )


def _too_large(label: str, part: str, exc: _TooLarge, archive: zipfile.ZipFile) -> str:
    """The refusal of a sheet whose values reach too far, naming the sheet."""
    sheet = exc.sheet
    if not sheet:  # the workbook part may come after the sheets in the zip: read it now
        book, rels = _Workbook(), _Rels()
        for handler, name in ((book, "xl/workbook.xml"), (rels, "xl/_rels/workbook.xml.rels")):
            try:
                if archive.getinfo(name).file_size < 1 << 20:
                    _parser(handler).Parse(archive.read(name), True)
            except (KeyError, expat.ExpatError, _Refused, zipfile.BadZipFile, zlib.error):
                pass
        sheet = next((n for n, rid, _h in book.sheets if rels.targets.get(rid) == part), "")
    where = (
        _("sheet '{sheet}'").format(sheet=sheet)
        if sheet
        else _("the part {part}").format(part=part)
    )
    return _(
        "{file}: refused: {where} has a value at {cell}, {why}. An activity workbook is far "
        "smaller: delete what lies beyond your tables (or copy the tables into a new workbook) "
        "and save again"
    ).format(file=label, where=where, cell=exc.cell, why=exc.why)


def _spans(rows: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    out: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(out)


def structure_problems(scan: WorkbookScan, file: str, sheet: str) -> list[Problem]:
    """Problems of one sheet that its values alone do not show, located at their cells."""
    facts = scan.facts(sheet)
    out: list[Problem] = []
    where = {"file": file, "sheet": sheet}
    for cell in facts.formulas_without_value[:MAX_LISTED]:
        out.append(
            Problem(
                _(
                    "formula without a saved result: hginv reads the results Excel saves, and "
                    "this file was written by a program that did not compute them"
                ),
                found=_("a formula"),
                expected=_(
                    "open the file in Excel or LibreOffice, save it, and run again (or type the "
                    "value instead of a formula)"
                ),
                cell=cell,
                **where,
                code="formula-without-value",
            )
        )
    extra = len(facts.formulas_without_value) - MAX_LISTED
    if extra > 0:
        out.append(
            Problem(
                _("{n} more formulas without a saved result").format(n=extra),
                **where,
                code="formula-without-value",
            )
        )
    for cell, text in facts.error_values[:MAX_LISTED]:
        out.append(
            Problem(
                _("the cell shows a spreadsheet error instead of a value"),
                found=text or _("an error value"),
                expected=_("a value: correct the formula in Excel, or type the value"),
                cell=cell,
                **where,
                code="cell-error-value",
            )
        )
    for ref in facts.merged[:MAX_LISTED]:
        first = ref.split(":")[0].replace("$", "")
        out.append(
            Problem(
                _(
                    "merged cells {range}: the value is read from {first}, the other cells as empty"
                ).format(range=ref, first=first),
                cell=first,
                severity="warning",
                **where,
                code="merged-cells",
            )
        )
    if facts.hidden_rows:
        rows = _spans(facts.hidden_rows)
        one = "," not in rows and "-" not in rows
        message = (
            _("row {rows} is hidden; hidden rows are read like any other")
            if one
            else _("rows {rows} are hidden; hidden rows are read like any other")
        )
        out.append(
            Problem(
                message.format(rows=rows),
                cell=f"A{facts.hidden_rows[0]}",
                severity="warning",
                **where,
                code="hidden-rows",
            )
        )
    if facts.hidden:
        out.append(
            Problem(
                _("the sheet is hidden; it is read like any other"),
                severity="warning",
                **where,
                code="hidden-sheet",
            )
        )
    return out
