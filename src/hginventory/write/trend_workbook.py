"""`trend.xlsx`: a country's series as tables and native Excel charts (xlsxwriter).

Sheets: *Read me* (what was computed, which years and sub-categories were interpolated),
*Totals by pathway* (counted national totals per year, a line and a stacked-area chart),
*Source groups* (counted releases per source group and year, the same two charts), *Input by
sub-category* and *Air by sub-category* (one row per sub-category, one column per year,
interpolated cells shaded), *Recalculation* (with a baseline) and *Series data* (trend.csv).

Built in memory and written atomically; text from the inputs is always text (never a formula
or a link); numbers have thousands separators and never scientific notation.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS, PATHWAY_LABELS, PATHWAYS
from hginventory.core.files import atomic_write
from hginventory.engine.trend import (
    INTERPOLATED,
    RECALC_COLUMNS,
    TREND_COLUMNS,
    TrendSeries,
    filled_cells,
    group_totals,
    sub_category_table,
)

KG_FORMAT = "#,##0.00"
README_WIDTH = 100
COUNT_FORMAT = "#,##0"
FILL_COLOUR = "#FFF2CC"
HEADER_COLOUR = "#DDEBF7"
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
}


class _Formats:
    def __init__(self, wb):
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True, "valign": "top"})
        self.header = wb.add_format(
            {"bold": True, "bg_color": HEADER_COLOUR, "text_wrap": True, "valign": "top"}
        )
        self.kg = wb.add_format({"num_format": KG_FORMAT})
        self.kg_filled = wb.add_format(
            {"num_format": KG_FORMAT, "bg_color": FILL_COLOUR, "italic": True}
        )
        self.count = wb.add_format({"num_format": COUNT_FORMAT})
        self.year = wb.add_format({"num_format": "0"})
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.filled_text = wb.add_format({"bg_color": FILL_COLOUR, "italic": True})
        self.filled_wrap = wb.add_format(
            {"bg_color": FILL_COLOUR, "italic": True, "text_wrap": True, "valign": "top"}
        )
        self.warn = wb.add_format({"bold": True, "font_color": "#9C0006", "text_wrap": True})


def _put(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell: text as text, numbers as numbers, nothing for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _table(ws, top: int, frame: pd.DataFrame, headers: list[str], formats: dict, f: _Formats):
    """Header row then the rows of `frame`; `formats` maps a column index to a cell format."""
    for c, h in enumerate(headers):
        ws.write_string(top, c, h, f.header)
    for r, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for c, value in enumerate(row):
            _put(ws, r, c, value, formats.get(c))
    return top + len(frame)


def _wrapped(ws, row: int, col: int, text: str, fmt, width: int) -> None:
    """Wrapped text with a row height that shows all of it (Excel and LibreOffice do not
    always grow a row on opening)."""
    lines = sum(max(1, math.ceil(len(part) / (width * 1.1))) for part in text.split("\n"))
    ws.write_string(row, col, text, fmt)
    if lines > 1:
        ws.set_row(row, 15 * lines)


def _print_setup(ws) -> None:
    """Landscape, one page wide: the tables print and convert to PDF as they look."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def write_trend_workbook(series: TrendSeries, path: str | Path, protect=()) -> Path:
    """Write the workbook to `path` (atomically; never over an input)."""
    data = trend_workbook_bytes(series)
    return atomic_write(path, lambda tmp: tmp.write_bytes(data), protect=protect)


def trend_workbook_bytes(series: TrendSeries) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    f = _Formats(wb)
    _read_me(wb, series, f)
    _totals_sheet(wb, series, f)
    _groups_sheet(wb, series, f)
    _sub_category_sheet(wb, series, f, "hg_input_kg", "Input by sub-category", "Hg input")
    _sub_category_sheet(wb, series, f, "air_kg", "Air by sub-category", "Hg released to air")
    if series.recalculation is not None:
        _recalculation_sheet(wb, series, f)
    _data_sheet(wb, series, f)
    for ws in wb.worksheets():
        _print_setup(ws)
    wb.set_properties({"title": f"Mercury inventory trend: {series.country}"})
    wb.close()
    return buffer.getvalue()


def _read_me(wb, series: TrendSeries, f: _Formats) -> None:
    ws = wb.add_worksheet("Read me")
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, README_WIDTH)
    years = series.years
    ws.write_string(0, 0, f"Mercury inventory trend: {series.country}", f.title)
    rows = [
        ("Country", series.country + (f" ({series.iso3})" if series.iso3 else "")),
        ("Years", f"{years[0]}-{years[-1]} ({len(years)} years)" if years else ""),
        ("Factor table", f"{series.factor_label} (SHA-256 {series.factor_sha256[:16]}...)"),
        ("Gap filling", series.fill),
    ]
    for year, file in sorted(series.inputs.items()):
        rows.append((f"Workbook {year}", Path(file).name))
    r = 2
    for label, value in rows:
        ws.write_string(r, 0, label, f.bold)
        ws.write_string(r, 1, value, f.text)
        r += 1
    r += 1
    ws.write_string(r, 0, "Every year is computed with the one factor table above.", f.note)
    r += 1
    notes = series.fill_notes()
    ws.write_string(r, 0, "Interpolated activity", f.bold)
    if not notes:
        ws.write_string(r, 1, "none: every figure comes from a workbook", f.text)
        r += 1
    else:
        _wrapped(
            ws,
            r,
            1,
            "Activity of the years between two reported values of a sub-category, linearly "
            "interpolated (never extrapolated); marked 'interpolated' in trend.csv and shaded in "
            "the sub-category sheets. Years without a workbook: "
            + (", ".join(str(y) for y in series.filled_years) or "none")
            + ".",
            f.text,
            README_WIDTH,
        )
        r += 1
        for line in notes:
            _wrapped(ws, r, 1, line, f.filled_wrap, README_WIDTH)
            r += 1
    r += 1
    recalled = series.recalled_rows
    if recalled:
        ws.write_string(r, 0, "Caution", f.warn)
        _wrapped(
            ws,
            r,
            1,
            f"{recalled} of {len(series.trend)} result rows use 'recalled' factors (not confirmed "
            "against the official Toolkit); see the status column of Series data.",
            f.warn,
            README_WIDTH,
        )
        r += 2
    ws.write_string(r, 0, "Sheets", f.bold)
    sheets = [
        "Totals by pathway: national totals per year after the double-counting adjustments",
        "Source groups: counted releases per source group and year",
        "Input by sub-category / Air by sub-category: the rows as computed, one column a year",
        "Recalculation: the submitted inventories against this series (with --baseline)",
        "Series data: every result row of every year (as trend.csv)",
    ]
    for line in sheets:
        ws.write_string(r, 1, line, f.text)
        r += 1


def _charts(
    wb,
    ws,
    sheet: str,
    first: int,
    last: int,
    columns: list[tuple[int, str]],
    anchor_row: int,
    title: str,
    line_columns: list[tuple[int, str]] | None = None,
    height: int = 360,
):
    """A line chart and a stacked-area chart of `columns` (index, name) over the year column A."""
    categories = [sheet, first, 0, last, 0]
    line = wb.add_chart({"type": "line"})
    for col, name in line_columns or columns:
        line.add_series(
            {
                "name": name,
                "categories": categories,
                "values": [sheet, first, col, last, col],
                "marker": {"type": "circle", "size": 5},
            }
        )
    line.set_title({"name": f"{title}: lines"})
    line.set_y_axis({"name": "kg Hg/y", "num_format": "#,##0"})
    line.set_x_axis({"name": "Year"})
    line.set_legend({"position": "bottom", "font": {"size": 8}})
    line.set_size({"width": 720, "height": height})
    ws.insert_chart(anchor_row, 0, line)
    area = wb.add_chart({"type": "area", "subtype": "stacked"})
    for col, name in columns:
        area.add_series(
            {"name": name, "categories": categories, "values": [sheet, first, col, last, col]}
        )
    area.set_title({"name": f"{title}: stacked"})
    area.set_y_axis({"name": "kg Hg/y", "num_format": "#,##0"})
    area.set_x_axis({"name": "Year"})
    area.set_legend({"position": "bottom", "font": {"size": 8}})
    area.set_size({"width": 720, "height": height})
    ws.insert_chart(anchor_row, 8, area)


def _totals_sheet(wb, series: TrendSeries, f: _Formats) -> None:
    name = "Totals by pathway"
    ws = wb.add_worksheet(name)
    t = series.totals
    frame = pd.DataFrame(
        {
            "year": t["year"],
            "hg_input_kg": t["hg_input_kg"],
            **{c: t[c] for c in OUTPUT_COLUMNS},
            "releases_kg": t["releases_kg"],
            "filled_rows": t["filled_rows"],
            "input_file": t["input_file"],
        }
    )
    headers = [
        "Year",
        "Hg input, counted (kg Hg/y)",
        *(f"{PATHWAY_LABELS[p]} (kg Hg/y)" for p in PATHWAYS),
        "Total releases (kg Hg/y)",
        "Interpolated rows",
        "Workbook",
    ]
    formats = {0: f.year, **{i: f.kg for i in range(1, 9)}, 9: f.count}
    last = _table(ws, 0, frame, headers, formats, f)
    ws.set_row(0, 45)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 8, 15)
    ws.set_column(9, 9, 12)
    ws.set_column(10, 10, 30)
    ws.freeze_panes(1, 1)
    note = last + 2
    ws.write_string(
        note,
        0,
        "Totals as counted in the national inventory: only part of some waste rows' input counts "
        "(double counting), some pathways are left out; see the README.",
        f.note,
    )
    pathway_cols = [(2 + i, PATHWAY_LABELS[p]) for i, p in enumerate(PATHWAYS)]
    _charts(
        wb,
        ws,
        name,
        1,
        last,
        pathway_cols,
        note + 2,
        "Releases by pathway",
        line_columns=[(1, "Hg input, counted"), (8, "Total releases"), (2, "Air")],
    )


def _groups_sheet(wb, series: TrendSeries, f: _Formats) -> None:
    name = "Source groups"
    ws = wb.add_worksheet(name)
    releases = group_totals(series.trend, "releases_kg").T
    inputs = group_totals(series.trend, "hg_input_kg").T
    groups = list(releases.columns)
    ws.write_string(
        0, 0, "Releases counted in the national totals, by source group (kg Hg/y)", f.bold
    )
    headers = ["Year", *groups, "Total"]
    frame = releases.reset_index()
    frame["Total"] = releases.sum(axis=1).to_numpy()
    formats = {0: f.year, **{i: f.kg for i in range(1, len(headers))}}
    last = _table(ws, 1, frame, headers, formats, f)
    ws.set_row(1, 60)
    top = last + 3
    ws.write_string(
        top - 1, 0, "Hg input counted in the national totals, by source group (kg Hg/y)", f.bold
    )
    frame_in = inputs.reset_index()
    frame_in["Total"] = inputs.sum(axis=1).to_numpy()
    end = _table(ws, top, frame_in, ["Year", *list(inputs.columns), "Total"], formats, f)
    ws.set_row(top, 60)
    ws.set_column(0, 0, 8)
    ws.set_column(1, len(headers), 16)
    ws.freeze_panes(2, 1)
    cols = [(1 + i, g) for i, g in enumerate(groups)]
    _charts(wb, ws, name, 2, last, cols, end + 2, "Releases by source group", height=560)


def _sub_category_sheet(wb, series: TrendSeries, f: _Formats, quantity, name, what) -> None:
    ws = wb.add_worksheet(name)
    table = sub_category_table(series.trend, quantity)
    years = [int(y) for y in table.columns]
    filled = filled_cells(series.trend)
    ws.write_string(
        0,
        0,
        f"{what} per sub-category (kg Hg/y), rows as computed (before the double-counting "
        "adjustments); blank: not quantified that year.",
        f.bold,
    )
    ws.write_string(1, 0, "Shaded: activity interpolated", f.filled_text)
    headers = ["Code", "Sub-category", *(str(y) for y in years)]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, f.header)
    for r, ((code, sub), values) in enumerate(table.iterrows(), start=3):
        ws.write_string(r, 0, str(code))
        ws.write_string(r, 1, str(sub))
        for c, (year, value) in enumerate(zip(years, values, strict=True), start=2):
            fmt = f.kg_filled if (code, year) in filled else f.kg
            _put(ws, r, c, value, fmt)
    total_row = 3 + len(table)
    ws.write_string(total_row, 1, "Sum of rows", f.bold)
    for c, year in enumerate(years, start=2):
        _put(ws, total_row, c, float(table[year].sum()), f.kg)
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 52)
    ws.set_column(2, 1 + len(years), 13)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, total_row - 1, 1 + len(years))


def _recalculation_sheet(wb, series: TrendSeries, f: _Formats) -> None:
    ws = wb.add_worksheet("Recalculation")
    frame = series.recalculation[RECALC_COLUMNS]
    ws.write_string(
        0,
        0,
        f"Submitted inventories ({Path(series.baseline).name}) against this series, per year and "
        "sub-category (kg Hg/y)",
        f.bold,
    )
    headers = [c.replace("_", " ") for c in RECALC_COLUMNS]
    kg = {i for i, c in enumerate(RECALC_COLUMNS) if c.endswith("_kg") or "activity" == c[-8:]}
    formats = {0: f.year, **{i: f.kg for i in kg}}
    last = _table(ws, 1, frame, headers, formats, f)
    ws.set_row(1, 30)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 10, 14)
    ws.set_column(11, 11, 10)
    ws.set_column(12, 13, 30)
    ws.set_column(14, 14, 60)
    ws.freeze_panes(2, 3)
    ws.autofilter(1, 0, max(last, 2), len(headers) - 1)


def _data_sheet(wb, series: TrendSeries, f: _Formats) -> None:
    ws = wb.add_worksheet("Series data")
    frame = series.trend_csv_frame()
    kg = {i for i, c in enumerate(TREND_COLUMNS) if c.endswith("_kg") or c == "activity"}
    formats = {0: f.year, **{i: f.kg for i in kg}}
    last = _table(ws, 0, frame, TREND_COLUMNS, formats, f)
    filled_col = TREND_COLUMNS.index("filled")
    for r, value in enumerate(frame["filled"], start=1):
        if value == INTERPOLATED:
            ws.write_string(r, filled_col, value, f.filled_text)
    ws.set_column(0, 1, 8)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 24)
    ws.set_column(4, 12, 14)
    ws.set_column(13, 13, 34)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(last, 1), len(TREND_COLUMNS) - 1)
