"""Cells as every sheet reader names and reads them: A1 names, cell text, the header row and
columns named twice (the activity, facilities and hot-spot readers share them)."""

from __future__ import annotations

from hginventory.core.cells import column_letter
from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _

HEADER_SEARCH_ROWS = 10


def cell_name(row: int, col: int) -> str:
    """Spreadsheet address of a zero-based (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def find_header(
    rows, required: tuple[str, ...], search: int = HEADER_SEARCH_ROWS
) -> tuple[int, dict[str, int]] | None:
    """The first row naming every `required` column, and each name's column (the first column
    of a name given twice: `duplicated_columns` makes that an error)."""
    for r, values in enumerate(rows[:search]):
        names: dict[str, int] = {}
        for c, v in enumerate(values):
            if text := cell_text(v).lower():
                names.setdefault(text, c)
        if all(col in names for col in required):
            return r, names
    return None


def duplicated_columns(
    header: list, header_row: int, known: tuple[str, ...], file: str, sheet: str
) -> list[Problem]:
    """An error for each column hginv reads that the header row names twice (case and spaces
    aside): reading one of them would be a guess, and the other's numbers would be lost."""
    first: dict[str, int] = {}
    out: list[Problem] = []
    for c, v in enumerate(header):
        name = cell_text(v).lower()
        if name not in known:
            continue
        if name not in first:
            first[name] = c
            continue
        out.append(
            Problem(
                _(
                    "column {name} appears twice ({first} and {second}): hginv cannot tell "
                    "which one to read"
                ).format(
                    name=repr(name),
                    first=cell_name(header_row, first[name]),
                    second=cell_name(header_row, c),
                ),
                file=file,
                sheet=sheet,
                cell=cell_name(header_row, c),
                found=cell_text(v),
                expected=_("one column named {name}: delete or rename the other").format(
                    name=repr(name)
                ),
                code="duplicate-column",
            )
        )
    return out
