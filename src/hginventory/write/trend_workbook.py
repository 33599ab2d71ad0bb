"""`trend.xlsx`: a country's series as tables and native Excel charts (xlsxwriter).

Sheets: *Read me* (what was computed, which years and sub-categories were interpolated),
*Totals by pathway* (counted national totals per year, a line and a stacked-area chart),
*Source groups* (counted releases per source group and year, the same two charts), *Input by
sub-category* and *Air by sub-category* (one row per sub-category, one column per year,
interpolated cells shaded), *Recalculation* (with a baseline) and *Series data* (trend.csv).

Built in memory and written atomically; text from the inputs is always text (never a formula
or a link); numbers have thousands separators and never scientific notation. Captions, headers,
notes and chart titles are in the language of the run; sheet names and the Series data sheet
(trend.csv's columns) are the machine contract and the same in every language.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hginventory.core.columns import (
    PATHWAY_LABELS,
    PATHWAYS,
    RELEASE_PATHWAYS,
    SUBTOTAL_LABELS,
    TRANSFER_PATHWAYS,
)
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import (
    ACTIVITY,
    AXIS_FORMAT,
    COUNT,
    FRACTION,
    MASS,
    SHARE,
    YEAR,
    percent,
)
from hginventory.engine.keycat import ASSESSMENT_NAMES
from hginventory.engine.recalculation import RECALC_COLUMNS, reason_text
from hginventory.engine.trend import (
    INTERPOLATED,
    TREND_COLUMNS,
    TrendSeries,
    filled_cells,
    group_totals,
    sub_category_table,
)
from hginventory.engine.trend_checks import check_message
from hginventory.tables.translations import name_of
from hginventory.write.xlsx import Book, Sheet

README_WIDTH = 100

READ_ME = "Read me"
TOTALS_SHEET = "Totals by pathway"
GROUPS_SHEET = "Source groups"
INPUT_SHEET = "Input by sub-category"
AIR_SHEET = "Air by sub-category"
RECALC_SHEET = "Recalculation"
CHECKS_SHEET = "Checks"
KEY_TREND_SHEET = "Trend assessment"
DATA_SHEET = "Series data"
KG = N_("kg Hg/y")

# headers of the Recalculation sheet (recalculation.csv keeps the keys)
RECALC_CAPTIONS = {
    "year": N_("year"),
    "code": N_("code"),
    "sub_category": N_("sub category"),
    "submitted_input_kg": N_("submitted input kg"),
    "recalculated_input_kg": N_("recalculated input kg"),
    "input_change_kg": N_("input change kg"),
    "submitted_air_kg": N_("submitted air kg"),
    "recalculated_air_kg": N_("recalculated air kg"),
    "air_change_kg": N_("air change kg"),
    "submitted_activity": N_("submitted activity"),
    "recalculated_activity": N_("recalculated activity"),
    "activity_unit": N_("activity unit"),
    "submitted_factor_id": N_("submitted factor id"),
    "recalculated_factor_id": N_("recalculated factor id"),
    "reason": N_("reason"),
}


def _group_captions(names: list[str]) -> list[str]:
    """Source-group names (English in trend.csv) in the language of the run."""
    if get_language() == "en":
        return list(names)
    from hginventory.tables.factors import load_factors
    from hginventory.tables.translations import group_names

    mapping = group_names(load_factors().groups)
    return [mapping.get(n, n) for n in names]


def _kinds(columns: list[str]) -> dict[int, str]:
    """The quantity of each column of a trend table, by its machine name (core.numbers)."""
    kinds = {}
    for i, c in enumerate(columns):
        if c == "year":
            kinds[i] = YEAR
        elif c.endswith("_kg"):
            kinds[i] = MASS
        elif c.endswith("activity"):
            kinds[i] = ACTIVITY
    return kinds


def _rows(frame) -> list[list]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def write_trend_workbook(series: TrendSeries, path: str | Path, protect=()) -> Path:
    """Write the workbook to `path` (atomically; never over an input)."""
    return build_trend_workbook(series).save(path, protect)


def build_trend_workbook(series: TrendSeries) -> Book:
    """The sheets of the series on the shared workbook helpers (write.xlsx): widths from the
    content, header rows, the number policy, landscape pages one page wide."""
    book = Book(header=series.country)
    _read_me(book, series)
    _totals_sheet(book, series)
    _groups_sheet(book, series)
    _sub_category_sheet(
        book,
        series,
        "hg_input_kg",
        INPUT_SHEET,
        _(
            "Hg input per sub-category (kg Hg/y), rows as computed (before the double-counting "
            "adjustments); blank: not quantified that year."
        ),
    )
    _sub_category_sheet(
        book,
        series,
        "air_kg",
        AIR_SHEET,
        _(
            "Hg released to air per sub-category (kg Hg/y), rows as computed (before the "
            "double-counting adjustments); blank: not quantified that year."
        ),
    )
    if series.recalculation is not None:
        _recalculation_sheet(book, series)
    if series.checks is not None:
        _checks_sheet(book, series)
    if series.key_trend is not None:
        _trend_assessment_sheet(book, series)
    _data_sheet(book, series)
    book.wb.set_properties(
        {"title": _("Mercury inventory trend: {country}").format(country=series.country)}
    )
    return book


def _read_me(book: Book, series: TrendSeries) -> None:
    from hginventory.engine.inventory import estimates_sentence
    ws = book.sheet(READ_ME)
    ws.max_width = README_WIDTH
    ws.width(0, 28)
    ws.width(1, README_WIDTH)
    years = series.years
    title = _("Mercury inventory trend: {country}").format(country=series.country)
    ws.text(0, 0, title, "title", wrap=False)
    fill = {"none": _("none"), "interpolate": _("interpolate")}.get(series.fill, series.fill)
    span = (
        _("{first}-{last} ({n} years)").format(first=years[0], last=years[-1], n=len(years))
        if years
        else ""
    )
    rows = [
        (_("Country"), series.country + (f" ({series.iso3})" if series.iso3 else "")),
        (_("Years"), span),
        (_("Factor table"), f"{series.factor_label} (SHA-256 {series.factor_sha256[:16]}...)"),
        (_("Gap filling"), fill),
        (_("Estimates"), estimates_sentence(series.estimates_counted)),
    ]
    for year, file in sorted(series.inputs.items()):
        rows.append((_("Workbook {year}").format(year=year), Path(file).name))
    r = 2
    for label, value in rows:
        ws.text(r, 0, label, "bold", wrap=False)
        ws.text(r, 1, value)
        r += 1
    r += 1
    ws.text(r, 0, _("Every year is computed with the one factor table above."), "note", wrap=False)
    r += 1
    notes = series.fill_notes()
    ws.text(r, 0, _("Interpolated activity"), "bold", wrap=False)
    if not notes:
        ws.text(r, 1, _("none: every figure comes from a workbook"))
        r += 1
    else:
        ws.text(
            r,
            1,
            _(
                "Activity of the years between two reported values of a sub-category, linearly "
                "interpolated (never extrapolated); marked 'interpolated' in trend.csv and shaded "
                "in the sub-category sheets. Years without a workbook: {years}."
            ).format(years=", ".join(str(y) for y in series.filled_years) or _("none")),
        )
        r += 1
        for line in notes:
            ws.text(r, 1, line, "filled")
            r += 1
    r += 1
    recalled = series.recalled_rows
    if recalled:
        ws.text(r, 0, _("Caution"), "warn", wrap=False)
        ws.text(
            r,
            1,
            _(
                "{n} of {total} result rows use 'recalled' factors (not confirmed against the "
                "official Toolkit); see the status column of {sheet}."
            ).format(n=recalled, total=len(series.trend), sheet=DATA_SHEET),
            "warn",
        )
        r += 2
    ws.text(r, 0, _("Sheets"), "bold", wrap=False)
    sheets = [
        _("{sheet}: national totals per year after the double-counting adjustments").format(
            sheet=TOTALS_SHEET
        ),
        _("{sheet}: counted releases per source group and year").format(sheet=GROUPS_SHEET),
        _("{sheet} / {sheet2}: the rows as computed, one column a year").format(
            sheet=INPUT_SHEET, sheet2=AIR_SHEET
        ),
        _("{sheet}: the submitted inventories against this series (with --baseline)").format(
            sheet=RECALC_SHEET
        ),
        _("{sheet}: every result row of every year (as trend.csv)").format(sheet=DATA_SHEET),
    ]
    for line in sheets:
        ws.text(r, 1, line)
        r += 1


def _charts(
    book: Book,
    ws: Sheet,
    first: int,
    last: int,
    columns: list[tuple[int, str]],
    anchor_row: int,
    title: str,
    line_columns: list[tuple[int, str]] | None = None,
    height: int = 360,
):
    """A line chart and a stacked-area chart of `columns` (index, name) over the year column A."""
    categories = [ws.name, first, 0, last, 0]
    line = book.chart({"type": "line"})
    for col, name in line_columns or columns:
        line.add_series(
            {
                "name": name,
                "categories": categories,
                "values": [ws.name, first, col, last, col],
                "marker": {"type": "circle", "size": 5},
            }
        )
    area = book.chart({"type": "area", "subtype": "stacked"})
    for col, name in columns:
        area.add_series(
            {"name": name, "categories": categories, "values": [ws.name, first, col, last, col]}
        )
    for chart, kind, col in (
        (line, _("{title}: lines"), 0),
        (area, _("{title}: stacked"), 8),
    ):
        chart.set_title({"name": kind.format(title=title)})
        chart.set_y_axis({"name": _(KG), "num_format": AXIS_FORMAT})
        chart.set_x_axis({"name": _("Year")})
        chart.set_legend({"position": "bottom", "font": {"size": 8}})
        chart.set_size({"width": 720, "height": height})
        ws.charts.append((anchor_row, col, chart, {}))


def _totals_sheet(book: Book, series: TrendSeries) -> None:
    """Releases to air, water and land with their subtotal, apart from the transfers with
    theirs, then all outputs (`releases_kg`, as before) and the outputs beyond the counted
    input (waste rows)."""
    ws = book.sheet(TOTALS_SHEET)
    t = series.totals
    releases = [f"{p}_kg" for p in RELEASE_PATHWAYS]
    transfers = [f"{p}_kg" for p in TRANSFER_PATHWAYS]
    columns = [
        "year",
        "hg_input_kg",
        *releases,
        "releases_awl_kg",
        *transfers,
        "transfers_kg",
        "releases_kg",
        "outputs_beyond_input_kg",
        "filled_rows",
        "input_file",
    ]
    names = {f"{p}_kg": _(PATHWAY_LABELS[p]) for p in PATHWAYS}
    names |= {k: _(v) for k, v in SUBTOTAL_LABELS.items()}
    headers = [
        _("Year"),
        _("Hg input, counted (kg Hg/y)"),
        *(f"{names[c]} ({_(KG)})" for c in columns[2:-2]),
        _("Interpolated rows"),
        _("Workbook"),
    ]
    kinds = {**_kinds(columns), columns.index("filled_rows"): COUNT}
    frame = t[columns].copy()
    frame["input_file"] = [
        _("(interpolated)") if v == "(interpolated)" else v for v in frame["input_file"]
    ]
    last = ws.table(0, headers, _rows(frame), kinds) - 1
    ws.freeze = (1, 1)
    note = last + 2
    ws.note(
        note,
        _(
            "Totals as counted in the national inventory: only part of some waste rows' input "
            "counts (double counting), some pathways are left out; see the hginv documentation "
            "(docs/method.md)."
        ),
        "note",
    )
    ws.note(
        note + 1,
        _(
            "Air, water and land are releases to the environment; by-products and impurities, "
            "general waste and sector specific treatment/disposal are transfers. The outputs "
            "exceed the counted input by the column '{column}': the waste rows' input counts "
            "only in part, as their mercury was already counted where it entered society."
        ).format(column=names["outputs_beyond_input_kg"]),
        "note",
    )
    pathway_cols = [(columns.index(c), names[c]) for c in (*releases, *transfers)]
    _charts(
        book,
        ws,
        1,
        last,
        pathway_cols,
        note + 3,
        _("Releases by pathway"),
        line_columns=[
            (1, _("Hg input, counted")),
            (columns.index("releases_awl_kg"), names["releases_awl_kg"]),
            (columns.index("transfers_kg"), names["transfers_kg"]),
            (columns.index("air_kg"), names["air_kg"]),
        ],
    )


def _groups_sheet(book: Book, series: TrendSeries) -> None:
    ws = book.sheet(GROUPS_SHEET)
    ws.note(0, _("Releases counted in the national totals, by source group (kg Hg/y)"), "bold")
    top, last = 1, 1
    for quantity, title in (
        ("releases_kg", None),
        ("hg_input_kg", _("Hg input counted in the national totals, by source group (kg Hg/y)")),
    ):
        table = group_totals(series.trend, quantity).T
        frame = table.reset_index()
        frame["Total"] = table.sum(axis=1).to_numpy()
        if title:
            ws.note(top - 1, title, "bold")
        headers = [_("Year"), *_group_captions(list(table.columns)), _("Total")]
        kinds = {0: YEAR, **{i: MASS for i in range(1, len(headers))}}
        end = ws.table(top, headers, _rows(frame), kinds)
        if title is None:
            groups, last = _group_captions(list(table.columns)), end - 1
        top = end + 2
    ws.freeze = (2, 1)
    cols = [(1 + i, g) for i, g in enumerate(groups)]
    _charts(book, ws, 2, last, cols, top, _("Releases by source group"), height=560)


def _sub_category_sheet(book: Book, series: TrendSeries, quantity, name, caption) -> None:
    ws = book.sheet(name)
    table = sub_category_table(series.trend, quantity)
    years = [int(y) for y in table.columns]
    filled = filled_cells(series.trend)
    ws.note(0, caption, "bold")
    ws.note(1, _("Shaded: activity interpolated"), "filled", span=2)
    rows = [
        [str(code), name_of(code, str(sub)), *values] for (code, sub), values in table.iterrows()
    ]
    headers = [_("Code"), _("Sub-category"), *(str(y) for y in years)]
    total_row = ws.table(2, headers, rows, {c: MASS for c in range(2, 2 + len(years))})
    for r, (code, _sub) in enumerate(table.index, start=3):
        for c, year in enumerate(years, start=2):
            if (code, year) in filled and (r, c) in ws.cells:
                ws.cells[r, c].style = "filled"
    ws.text(total_row, 1, _("Sum of rows"), "bold", wrap=False)
    for c, year in enumerate(years, start=2):
        ws.number(total_row, c, float(table[year].sum()), MASS, style="bold")
    ws.freeze = (3, 2)
    ws.autofilter = (2, 0, total_row - 1, 1 + len(years))


def _recalculation_sheet(book: Book, series: TrendSeries) -> None:
    ws = book.sheet(RECALC_SHEET)
    ws.note(
        0,
        _(
            "Submitted inventories ({baseline}) against this series, per year and sub-category "
            "(kg Hg/y)"
        ).format(baseline=Path(series.baseline).name),
        "bold",
    )
    headers = [_(RECALC_CAPTIONS[c]) if c in RECALC_CAPTIONS else c for c in RECALC_COLUMNS]
    frame = series.recalculation[RECALC_COLUMNS].copy()
    frame["reason"] = [reason_text(r) for r in frame["reason"]]
    frame["sub_category"] = [
        name_of(c, str(s)) for c, s in zip(frame["code"], frame["sub_category"], strict=True)
    ]
    last = ws.table(1, headers, _rows(frame), _kinds(RECALC_COLUMNS)) - 1
    ws.freeze = (2, 3)
    ws.autofilter = (1, 0, max(last, 2), len(headers) - 1)


def _checks_sheet(book: Book, series: TrendSeries) -> None:
    """The time-series checks (checks.csv) with their stable codes and what each one found."""
    ws = book.sheet(CHECKS_SHEET)
    checks = series.checks
    ws.note(
        0,
        _(
            "Time-series checks: activity or implied input factor changing by more than "
            "{jump} from one year to the next, a method or factor table change, a sub-category "
            "present in some years only (docs/key-categories.md). {n} found."
        ).format(jump=percent(series.jump), n=len(checks)),
        "bold",
    )
    headers = [_("check"), _("code"), _("sub category"), _("from"), _("to"), _("finding")]
    rows = [
        [
            r.check,
            r.code,
            name_of(r.code, str(r.sub_category)),
            None if r.year_before is pd.NA else int(r.year_before),
            None if r.year is pd.NA else int(r.year),
            check_message(r),
        ]
        for r in checks.itertuples(index=False)
    ]
    last = ws.table(1, headers, rows, {3: YEAR, 4: YEAR}) - 1
    ws.freeze = (2, 2)
    ws.autofilter = (1, 0, max(last, 2), len(headers) - 1)


def _trend_assessment_sheet(book: Book, series: TrendSeries) -> None:
    """IPCC Approach 1 trend assessment: each code's contribution to the change of the total
    between the first and the last year, for air and for water and land together."""
    ws = book.sheet(KEY_TREND_SHEET)
    years = series.years
    ws.note(
        0,
        _(
            "Trend assessment (IPCC 2006 Vol. 1 Ch. 4, Approach 1) between {first} and {last}: "
            "each sub-category's contribution to the change of the counted releases; key while "
            "the cumulative contribution before it is below 95 %."
        ).format(first=years[0], last=years[-1]),
        "bold",
    )
    headers = [
        _("assessment"),
        _("code"),
        _("sub category"),
        _("{year} kg").format(year=years[0]),
        _("{year} kg").format(year=years[-1]),
        _("trend"),
        _("contribution"),
        _("cumulative"),
        _("key category"),
    ]
    rows = [
        [
            _(ASSESSMENT_NAMES[r.assessment]),
            r.code,
            name_of(r.code, str(r.sub_category)),
            r.first_kg,
            r.last_kg,
            r.trend,
            r.contribution,
            r.cumulative,
            _("yes") if r.key else "",
        ]
        for r in series.key_trend.itertuples(index=False)
    ]
    kinds = {3: MASS, 4: MASS, 5: SHARE, 6: FRACTION, 7: FRACTION}
    last = ws.table(1, headers, rows, kinds) - 1
    ws.freeze = (2, 2)
    ws.autofilter = (1, 0, max(last, 2), len(headers) - 1)


def _data_sheet(book: Book, series: TrendSeries) -> None:
    ws = book.sheet(DATA_SHEET)
    frame = series.trend_csv_frame()
    last = ws.table(0, TREND_COLUMNS, _rows(frame[TREND_COLUMNS]), _kinds(TREND_COLUMNS)) - 1
    filled_col = TREND_COLUMNS.index("filled")
    for r, value in enumerate(frame["filled"], start=1):
        if value == INTERPOLATED:
            ws.cells[r, filled_col].style = "filled"
    ws.freeze = (1, 2)
    ws.autofilter = (0, 0, max(last, 1), len(TREND_COLUMNS) - 1)
