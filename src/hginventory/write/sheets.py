"""Shared workbook-writing helpers (styles, cells, tables, widths) and the CSV formula guard."""

from __future__ import annotations

import math

import pandas as pd

from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


KG = "#,##0.00"


SMALL = "0.00######"


PATHWAY_HEADERS = [f"{PATHWAY_LABELS[p]} (kg Hg/y)" for p in PATHWAYS]


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would read as a formula with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            distinct = set(out[col].tolist())  # a result column repeats few texts
            if any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in distinct):
                out[col] = out[col].map(
                    lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
                )
    return out


def sheet_styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "warn": Font(bold=True, color="9C0006"),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
        "total_fill": PatternFill("solid", fgColor="F2F2F2"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def put_cell(ws, row: int, col: int, value, number_format: str | None = None, font=None):
    """Write one cell; strings are always text, never formulas."""
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return cell
    if hasattr(value, "item"):
        value = value.item()
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def write_table(
    ws,
    top: int,
    headers: list[str],
    rows,
    formats: dict[int, str] | None = None,
    styles=None,
    name: str | None = None,
) -> int:
    """Write a header row and data rows; returns the next free row.

    With `name`, the range becomes an Excel Table (filter buttons, banded rows) and the
    header row is repeated on every printed page.
    """
    formats = formats or {}
    for c, h in enumerate(headers, start=1):
        cell = put_cell(ws, top, c, h, font=styles["bold"])
        cell.fill = styles["header_fill"]
        cell.alignment = styles["wrap"]
    r = top
    for r, values in enumerate(rows, start=top + 1):
        for c, v in enumerate(values, start=1):
            put_cell(ws, r, c, v, formats.get(c))
    if name:
        excel_table(ws, name, top, len(headers), r)
    return r + 1


def excel_table(ws, name: str, top: int, ncols: int, last: int) -> None:
    """Declare an Excel Table over a header row and its data rows.

    Excel repairs (and so warns about) a Table whose header cells are not unique strings, or
    that has no data row; such ranges are left as plain cells.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    headers = [ws.cell(row=top, column=c).value for c in range(1, ncols + 1)]
    if last <= top or len(set(headers)) != ncols or not all(isinstance(h, str) for h in headers):
        return
    table = Table(displayName=name, ref=f"A{top}:{get_column_letter(ncols)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    longest = max(len(h) for h in headers)
    ws.row_dimensions[top].height = 15 * (1 + min(3, longest // 16))
    if not ws.print_title_rows:
        ws.print_title_rows = f"{top}:{top}"


def set_widths(ws, widths: dict[str, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[col].width = width


def total_row(ws, row: int, label: str, values: list[float], first_col: int, styles) -> None:
    put_cell(ws, row, 1, label, font=styles["bold"])
    for c in range(1, first_col + len(values)):
        ws.cell(row=row, column=c).fill = styles["total_fill"]
    for i, v in enumerate(values):
        put_cell(ws, row, first_col + i, v, KG, styles["bold"])


README_WIDTH = 100


def fit_height(ws, row: int, widths: dict[int, float]) -> None:
    """Row height for wrapped text in the columns `widths` (column number: width): Excel and
    LibreOffice keep one line per row unless told, so long sentences would overlap the next
    row."""
    lines = max(
        math.ceil(len(str(ws.cell(row, col).value or "")) * 1.1 / width)
        for col, width in widths.items()
    )
    ws.row_dimensions[row].height = 15 * max(1, lines)


def fit_row_height(ws, row: int) -> None:
    fit_height(ws, row, {1: README_WIDTH})
