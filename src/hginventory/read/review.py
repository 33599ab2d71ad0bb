"""Reading a filled factor review (`hginv factors apply-review`), through the read gate as any
workbook a user hands in. The workbook was saved by Excel or LibreOffice: values are read, never
formulas; a number typed as text (`0,45`) is read as `cell_number` reads activity rates, and a
cell that is not a number is an error naming it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.read.cells import cell_name, cell_text, find_header
from hginventory.read.gate import read_book
from hginventory.read.numbers import cell_number
from hginventory.tables.review import (
    COLUMNS,
    IDENTITY_KEYS,
    OFFICIAL_NUMBERS,
    REVIEW_SHEET,
    TABLE_SHEET,
    Review,
    ReviewEntry,
    ReviewSource,
)

EXCEL_EPOCH = dt.date(1899, 12, 30)


def read_review(path: str | Path) -> Review:
    """The review workbook as typed; InputFileError when its sheets or columns are missing."""
    path = Path(path)
    book = read_book(path, (REVIEW_SHEET, TABLE_SHEET))
    problems: list[Problem] = list(book.problems)
    by_name = {n.strip().lower(): n for n in book.names}
    missing = [s for s in (REVIEW_SHEET, TABLE_SHEET) if s not in by_name]
    if missing:
        raise InputFileError(
            _(
                "{file}: not a factor review made by 'hginv factors review' (sheet '{sheet}' "
                "is missing)"
            ).format(file=path, sheet=missing[0])
        )
    source = _read_source(book.sheets[by_name[TABLE_SHEET]], by_name[TABLE_SHEET])
    sheet = by_name[REVIEW_SHEET]
    rows = book.sheets[sheet]
    found = find_header(rows, ("code", "official_input_factor"), search=10)
    if found is None:
        raise InputFileError(
            _("{file}: sheet '{sheet}' has no header row with the columns {columns}").format(
                file=path, sheet=sheet, columns=", ".join(COLUMNS)
            )
        )
    top, names = found
    lost = [c for c in COLUMNS if c not in names]
    if lost:
        raise InputFileError(
            ngettext(
                "{file}: sheet '{sheet}', row {row}: column {columns} is missing",
                "{file}: sheet '{sheet}', row {row}: columns {columns} are missing",
                len(lost),
            ).format(file=path, sheet=sheet, row=top + 1, columns=", ".join(lost))
        )
    entries = []
    for r in range(top + 1, len(rows)):
        values = rows[r]
        get = lambda name, v=values: v[names[name]] if names[name] < len(v) else None  # noqa: E731
        code = cell_text(get("code"))
        if not code:
            continue
        cells = {c: cell_name(r, names[c]) for c in COLUMNS}
        typed: dict[str, object] = {}
        for column in OFFICIAL_NUMBERS:
            raw = get(column)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                typed[column] = None
                continue
            where = {"file": str(path), "sheet": sheet, "cell": cells[column]}
            typed[column] = cell_number(raw, where, column, problems)
            if typed[column] is None:  # refused: the row counts as reviewed all the same
                typed[column] = float("nan")
        for column in ("official_document", "official_table_page", "reviewer", "review_note"):
            typed[column] = cell_text(get(column)) or None
        typed["review_date"] = _date(get("review_date"), path, sheet, cells, problems)
        entries.append(ReviewEntry(code, cells, typed))
    return Review(str(path), source, entries, problems)


def _read_source(rows: list[list], sheet: str) -> ReviewSource:
    """The `table` sheet: field names in column A, values in column B."""
    values, cells = {}, {}
    for r, row in enumerate(rows):
        key = cell_text(row[0]) if row else ""
        if key in IDENTITY_KEYS:
            values[key] = cell_text(row[1]) if len(row) > 1 else ""
            cells[key] = cell_name(r, 1)
    return ReviewSource(values, cells)


def _date(raw, path: Path, sheet: str, cells: dict, problems: list[Problem]) -> str | None:
    """A review date typed as a date, a date serial or the text 2026-12-07, as YYYY-MM-DD."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw < 2958466:
        return (EXCEL_EPOCH + dt.timedelta(days=int(raw))).isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        problems.append(
            Problem(
                _("review_date is not a date"),
                file=str(path),
                sheet=sheet,
                cell=cells["review_date"],
                found=cell_text(raw),
                expected=_("a date written as YYYY-MM-DD, e.g. 2026-12-07"),
                code="review-date-invalid",
            )
        )
        return ""
