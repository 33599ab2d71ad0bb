"""The pre-scan of an `.xls` workbook, made before the spreadsheet reader opens it.

An `.xls` is an OLE compound file (a small FAT file system in one file) holding a `Workbook`
stream (`Book` in Excel 5) of BIFF records. The reader (calamine) trusts what the records
declare: a DIMENSIONS record saying 4 billion rows makes it allocate them and abort the whole
process (exit 134); a sheet said to start past the end of the stream makes it panic. With
`fork` the read runs in a child process, which such a crash ends alone (`read.gate`); where
there is none (Windows) the read runs in the process, so these files must be refused before.

This module walks what calamine walks, every index and size bounds-checked and every chain
loop-protected: the compound file's header, FAT (with DIFAT sectors beyond the header's 109),
directory, the workbook stream's sector chain (or its mini-stream chain), then the BIFF
records of the workbook globals up to their EOF and of each sheet from its BOUNDSHEET
position. A file that is not a compound file at all is left to the reader, whose own message
("Invalid OLE signature...") says what it is not.
"""

from __future__ import annotations

import struct
from pathlib import Path

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.read.scan import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


MAX_RECORD = 8224  # bytes of data in one BIFF8 record (BIFF5: 2080)


MINI_CUTOFF = 4096  # a stream shorter is stored in 64-byte sectors of the mini stream


XLS_ROWS, XLS_COLUMNS = 65_536, 256  # the largest sheet of the Excel 97-2003 format


_MAX_SECT = 0xFFFFFFFA  # sector numbers above are markers (end of chain, free, FAT, DIFAT)
_END = 0xFFFFFFFE
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
_MULRK, _MULBLANK = 0x00BD, 0x00BE
_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, _MULRK, _MULBLANK}
"""Cell records (FORMULA, RSTRING, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK, MULRK,
MULBLANK): each starts with its row and column, from which the reader sizes the sheet."""


class _Damaged(Exception):
    """What is wrong, in plain words (already translated), raised inside the walk."""

    def __init__(self, why: str, sheet: str = ""):
        super().__init__(why)
        self.why, self.sheet = why, sheet


def scan_xls(path: Path) -> None:
    """Refuse an `.xls` whose structure would crash or mislead the reader: a located
    InputFileError naming the file. Returns None for a sound file or one that is not a
    compound file at all."""
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.startswith(SIGNATURE):
        return
    try:
        stream = _workbook_stream(data)
        if stream is not None:
            _walk_biff(stream, path)
    except _Damaged as exc:
        raise InputFileError(
            _(
                "{file}: refused: the .xls workbook is damaged or malformed ({reason}); open it "
                "in Excel or LibreOffice and save it again as .xlsx"
            ).format(file=path, reason=exc.why),
            [
                Problem(
                    _(
                        "the .xls workbook is damaged or malformed ({reason}); open it in Excel "
                        "or LibreOffice and save it again as .xlsx"
                    ).format(reason=exc.why),
                    file=str(path),
                    sheet=exc.sheet,
                    code="xls-damaged",
                )
            ],
            code="xls-damaged",
        ) from None


def _workbook_stream(data: bytes) -> bytes | None:
    """The bytes of the `Workbook` (or `Book`) stream; None when the compound file holds
    neither (left to the reader, which says so)."""
    if len(data) < 512:
        raise _Damaged(_("the file ends inside its header"))
    (major,) = struct.unpack_from("<H", data, 0x1A)
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
        raise _Damaged(_("its header declares an unknown layout"))
    size = 1 << shift
    n_fat, first_dir, first_mini, first_difat, n_difat = struct.unpack_from(
        "<II8xI4xII", data, 0x2C
    )
    n_sectors = (len(data) - size + size - 1) // size  # a short last sector is read as it is

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise _Damaged(_("a sector number points outside the file"))
        return data[(i + 1) * size : (i + 2) * size]

    if n_fat > n_sectors or n_difat > n_sectors:
        raise _Damaged(_("its header declares more sectors than the file holds"))
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))[: min(n_fat, 109)]
    per = size // 4
    seen_difat: set[int] = set()
    at = first_difat
    while len(fat_sectors) < n_fat and at <= _MAX_SECT:
        if at in seen_difat:
            raise _Damaged(_("a chain of sectors loops"))
        seen_difat.add(at)
        entries = struct.unpack(f"<{per}I", sector(at).ljust(size, b"\0"))
        fat_sectors.extend(entries[: per - 1][: n_fat - len(fat_sectors)])
        at = entries[-1]
    if len(fat_sectors) < n_fat:
        raise _Damaged(_("its sector table is incomplete"))
    fat: list[int] = []
    for i in fat_sectors:
        fat.extend(struct.unpack(f"<{per}I", sector(i).ljust(size, b"\0")))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        """The sector numbers of a chain, each checked against `limit`; a loop is refused."""
        out: list[int] = []
        seen: set[int] = set()
        at = start
        while at != _END:
            if at > _MAX_SECT or at >= limit or at >= len(table):
                raise _Damaged(_("a sector number points outside the file"))
            if at in seen:
                raise _Damaged(_("a chain of sectors loops"))
            seen.add(at)
            out.append(at)
            at = table[at]
        return out

    def read(start: int, length: int) -> bytes:
        got = b"".join(sector(i) for i in chain(start, fat, n_sectors))
        if len(got) < length:
            raise _Damaged(_("a stream is shorter than its directory entry says"))
        return got[:length]

    directory = b"".join(sector(i) for i in chain(first_dir, fat, n_sectors))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len, kind = struct.unpack_from("<HB", directory, off + 64)
        start, length = struct.unpack_from("<IQ", directory, off + 116)
        if major == 3:
            length &= 0xFFFFFFFF  # version 3 writers may leave the high half unset
        name = directory[off : off + min(name_len, 64)].decode("utf-16-le", "replace")
        entries.append((name.rstrip("\0").lower(), kind, start, length))
    if not entries or entries[0][1] != 5:
        raise _Damaged(_("its directory has no root entry"))
    found: dict[str, tuple[int, int]] = {}
    for name, kind, start, length in entries:
        if kind == 2:
            found.setdefault(name, (start, length))  # the first of a name, as a lookup finds
    wanted = found.get("workbook") or found.get("book")
    if wanted is None:
        return None
    start, length = wanted
    if length > len(data):
        raise _Damaged(_("a stream is longer than the file"))
    if length >= MINI_CUTOFF:
        return read(start, length)
    root_start, root_length = entries[0][2], entries[0][3]
    if root_length > len(data):
        raise _Damaged(_("a stream is longer than the file"))
    mini_stream = read(root_start, root_length)
    mini_fat: list[int] = []
    for i in chain(first_mini, fat, n_sectors):
        mini_fat.extend(struct.unpack(f"<{per}I", sector(i).ljust(size, b"\0")))
    n_mini_sectors = len(mini_stream) // 64
    got = b"".join(
        mini_stream[i * 64 : (i + 1) * 64] for i in chain(start, mini_fat, n_mini_sectors)
    )
    if len(got) < length:
        raise _Damaged(_("a stream is shorter than its directory entry says"))
    return got[:length]


def _walk_biff(stream: bytes, path: Path) -> None:
    """The records calamine reads: the workbook globals up to their EOF, then each sheet from
    its BOUNDSHEET position up to its EOF."""
    sheets: list[tuple[int, str]] = []
    biff8 = True
    for kind, body in _records(stream, 0, ""):
        if kind == _BOF and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] >= 0x0600
        elif kind == _BOUNDSHEET and len(body) >= 4:
            (position,) = struct.unpack_from("<I", body)
            sheets.append((position, _sheet_name(body, biff8)))
    for position, name in sheets:
        if position + 4 > len(stream):
            raise _Damaged(
                _("sheet '{sheet}' is said to start past the end of the workbook").format(
                    sheet=name
                ),
                name,
            )
        if struct.unpack_from("<H", stream, position)[0] != _BOF:
            raise _Damaged(
                _("sheet '{sheet}' is said to start where no sheet starts").format(sheet=name),
                name,
            )
        for kind, body in _records(stream, position, name):
            if kind == _DIMENSIONS:
                _check_dimensions(body, name, path)
            elif kind in _CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                if kind in (_MULRK, _MULBLANK) and len(body) >= 6:
                    col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
                _check_area(row + 1, col + 1, name, path)


def _records(stream: bytes, pos: int, sheet: str):
    """(type, data) of each record from `pos` up to and including the next EOF record (or the
    end of the stream)."""
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        if length > MAX_RECORD:
            raise _Damaged(
                _("a record of {n} bytes, more than the format allows").format(
                    n=format_number(length, COUNT)
                ),
                sheet,
            )
        if pos + 4 + length > end:
            raise _Damaged(_("a record runs past the end of the workbook"), sheet)
        yield kind, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == _EOF:
            return


def _sheet_name(body: bytes, biff8: bool) -> str:
    """The name in a BOUNDSHEET record (BIFF8: a flag byte says 8- or 16-bit characters;
    BIFF5: 8-bit, in the workbook's code page, read here as Latin-1)."""
    if len(body) < 7:
        return "?"
    n = body[6]
    if not biff8:
        return body[7 : 7 + n].decode("latin-1")
    wide = len(body) > 7 and body[7] & 1
    raw = body[8 : 8 + n * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _check_dimensions(body: bytes, sheet: str, path: Path) -> None:
    """The area a DIMENSIONS record declares (first row and column, last ones plus one)."""
    if len(body) >= 14:
        first_row, rows, first_col, cols = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:  # Excel 5 (BIFF5): 16-bit rows
        first_row, rows, first_col, cols = struct.unpack_from("<HHHH", body)
    else:
        return
    if first_row > rows or first_col > cols:
        raise _Damaged(
            _("sheet '{sheet}' declares an area that ends before it starts").format(sheet=sheet),
            sheet,
        )
    _check_area(rows, cols, sheet, path)


def _check_area(rows: int, cols: int, sheet: str, path: Path) -> None:
    """A sheet said to span (or holding a cell) beyond the format or hginv's sheet limits: the
    reader would allocate the whole area (4 billion rows: an abort of the process)."""
    if rows <= MAX_SHEET_ROWS and cols <= MAX_SHEET_COLUMNS:
        return
    counts = {
        "rows": format_number(rows, COUNT),
        "cols": format_number(cols, COUNT),
        "max_rows": format_number(MAX_SHEET_ROWS, COUNT),
        "max_cols": MAX_SHEET_COLUMNS,
        "xls_rows": format_number(XLS_ROWS, COUNT),
        "xls_cols": XLS_COLUMNS,
    }
    if rows > XLS_ROWS or cols > XLS_COLUMNS:
        raise _Damaged(
            _(
                "sheet '{sheet}' declares {rows} rows and {cols} columns; an .xls sheet holds "
                "at most {xls_rows} rows and {xls_cols} columns"
            ).format(sheet=sheet, **counts),
            sheet,
        )
    raise InputFileError(
        _(
            "{file}: refused: sheet '{sheet}' spans {rows} rows and {cols} columns; hginv reads "
            "at most {max_rows} rows and {max_cols} columns per sheet, and the .xls reader reads "
            "every sheet. Delete what lies beyond your table, or copy the table into a new "
            "workbook"
        ).format(file=path, sheet=sheet, **counts),
        [
            Problem(
                _("spans {rows} rows and {cols} columns").format(**counts),
                file=str(path),
                sheet=sheet,
                expected=_("at most {max_rows} rows and {max_cols} columns").format(**counts),
                code="sheet-too-large",
            )
        ],
    )
