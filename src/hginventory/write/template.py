"""The fill-in workbook of `hginv template`: exactly the format `hginv compute` reads.

Sheets: `instructions` (what each column means, the notation keys, what a blank means),
`country`, `activity` (every sub-category of the factor table in Toolkit order, under a heading
row per source group, with the expected unit already filled in) and `facilities` (the Level 2
columns, empty). Excel data validation guards the cells a focal point types in. Its messages
are kept within Excel's length limits (titles 32 characters, prompts 255, errors 225) and its
formulas use only English function names and commas, as stored in the file whatever the
language of Excel: anything else makes Excel offer to "repair" the workbook.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.files import atomic_write
from hginventory.read.activity import NOTATION_KEYS

DEFAULT_NAME = "hginv-template.xlsx"


ACTIVITY_HEADERS = (
    "code",
    "sub_category",
    "description",
    "activity",
    "unit",
    "notes",
    "uncertainty_pct",
)


FACILITY_ROWS = 200


TITLE_MAX, PROMPT_MAX, ERROR_MAX = 32, 255, 225


COUNTRY_ROWS = (
    ("country", "Name of the country (required)."),
    ("iso3", "ISO 3166 three-letter code, e.g. CIV (optional)."),
    ("year", "Year of the inventory, e.g. 2021 (required)."),
    ("population", "Number of inhabitants in that year (needed by the product rows)."),
    (
        "electrification_rate",
        "Per cent of the population with electricity, from 0 to 100: write 85, not 0.85.",
    ),
)


INSTRUCTIONS = [
    ("How to fill in this workbook", "title"),
    (
        "1. On the sheet 'country', type the country, the year, the population and the "
        "electrification rate in column B.",
        "",
    ),
    (
        "2. On the sheet 'activity', type the activity rate of each sub-category that exists in "
        "your country in column D, in the unit of column E (choose another unit from the list "
        "if your statistics use one, e.g. kt instead of t).",
        "",
    ),
    (
        "3. Save the workbook (keep the sheet names and the first row of each sheet as they "
        "are), then run: hginv validate WORKBOOK, and when it reports no error: "
        "hginv compute WORKBOOK.",
        "",
    ),
    ("Columns of the sheet 'activity'", "heading"),
    ("code: the Toolkit sub-category code. Do not change it.", ""),
    ("sub_category, description: what the row is and what to count (not read by hginv).", ""),
    (
        "activity: the activity rate, a number of zero or more, typed without units. A decimal "
        "comma (1,5) is fine; do not type thousands separators.",
        "",
    ),
    (
        "unit: the unit of your number. It must be of the same kind as the one filled in "
        "(a mass for t, a volume for m3...).",
        "",
    ),
    ("notes: your source of data, assumptions, anything a reviewer should know.", ""),
    (
        "uncertainty_pct: optional, how uncertain your activity rate is, in per cent "
        "(half-width of the 95 % interval), from 0 to 100.",
        "",
    ),
    (
        "activity_low, activity_high: instead of uncertainty_pct, you may add these two "
        "columns with the lowest and highest plausible activity rate (the 95 % interval, in "
        "the row's unit).",
        "",
    ),
    ("What to write when there is no number", "heading"),
    *[(f"{key}: {meaning}", "") for key, meaning in NOTATION_KEYS.items()],
    (
        "A blank activity cell means 'not reported': the sub-category is left out of the "
        "totals and listed as not reported. Use NO when you know the source does not occur "
        "in your country, NE when it occurs but you could not estimate it.",
        "",
    ),
    (
        "Population-based rows (thermometers, switches, lamps, batteries, dental amalgam...) "
        "take the number of inhabitants, normally the national population.",
        "",
    ),
    ("Sheet 'facilities' (Level 2, optional)", "heading"),
    (
        "Countries that know their power plants, cement kilns, chlor-alkali plant, mining "
        "methods or incinerators describe them here, one row per facility. Leave it empty "
        "otherwise. See the README of hginv for the meaning of each column.",
        "",
    ),
]


def _landscape(ws, orientation: str = "landscape") -> None:
    """Print on pages as wide as the sheet."""
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "."


def _validation(kind: str, **kw):
    """A DataValidation whose texts fit Excel's limits."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for name, limit in (("promptTitle", TITLE_MAX), ("errorTitle", TITLE_MAX)):
        if name in kw:
            kw[name] = _clip(kw[name], limit)
    if "prompt" in kw:
        kw["prompt"] = _clip(kw["prompt"], PROMPT_MAX)
    if "error" in kw:
        kw["error"] = _clip(kw["error"], ERROR_MAX)
    return DataValidation(
        type=kind, allow_blank=True, showErrorMessage=True, showInputMessage="prompt" in kw, **kw
    )


def notation_formula(cell: str) -> str:
    """Custom validation: a number of zero or more, or one of the notation keys."""
    keys = ",".join(f'{cell}="{k}"' for k in NOTATION_KEYS)
    return f"OR(AND(ISNUMBER({cell}),{cell}>=0),{keys})"


def build_template(factors=None, level2=None, country: dict | None = None):
    """The template as an openpyxl Workbook (for tests and notebooks).

    `country` pre-fills fields of the country sheet (e.g. {"country": ..., "year": 2021}), for
    a consultant preparing one workbook per country."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from hginventory.core.units import parse_unit, units_of
    from hginventory.read.facilities import FACILITY_COLUMNS, NUMERIC_COLUMNS
    from hginventory.tables.factors import load_factors
    from hginventory.tables.level2 import default_tables
    from hginventory.write.sheets import fit_height

    factors = factors or load_factors()
    level2 = level2 or default_tables()
    bold, title = Font(bold=True), Font(bold=True, size=14)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    group_fill = PatternFill("solid", fgColor="F2F2F2")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def header(ws, names) -> list:
        """The first row of a sheet: the column names hginv reads, bold on blue."""
        cells = [ws.cell(row=1, column=c, value=name) for c, name in enumerate(names, start=1)]
        for cell in cells:
            cell.font, cell.fill = bold, header_fill
        return cells

    wb = Workbook()
    ws = wb.active
    ws.title = "instructions"
    ws.column_dimensions["A"].width = 80
    for r, (text, style) in enumerate(INSTRUCTIONS, start=1):
        cell = ws.cell(row=r, column=1, value=text)
        cell.data_type = "s"
        cell.alignment = wrap
        if style == "title":
            cell.font = title
            ws.row_dimensions[r].height = 22
        elif style == "heading":
            cell.font = bold
        else:
            fit_height(ws, r, {1: 80})
    _landscape(ws, "portrait")
    ws.print_title_rows = None

    ws = wb.create_sheet("country")
    header(ws, ("field", "value", "explanation"))
    given = country or {}
    for r, (name, help_text) in enumerate(COUNTRY_ROWS, start=2):
        ws.cell(row=r, column=1, value=name)
        ws.cell(row=r, column=2).fill = input_fill
        if given.get(name) not in (None, ""):
            value = ws.cell(row=r, column=2, value=given[name])
            if isinstance(given[name], str):
                value.data_type = "s"
        ws.cell(row=r, column=3, value=help_text).alignment = wrap
        fit_height(ws, r, {3: 60})
    rows = {name: r for r, (name, _) in enumerate(COUNTRY_ROWS, start=2)}
    checks = [
        _validation(
            "whole",
            operator="between",
            formula1="1950",
            formula2="2100",
            errorTitle="Year",
            error="Type the year of the inventory, e.g. 2021.",
        ),
        _validation(
            "decimal",
            operator="greaterThan",
            formula1="0",
            errorTitle="Population",
            error="Type the number of inhabitants, a number above zero.",
        ),
        _validation(
            "decimal",
            operator="between",
            formula1="0",
            formula2="100",
            errorTitle="Electrification rate",
            error="Per cent from 0 to 100: write 85 for 85 %, not 0.85.",
            promptTitle="Per cent, 0-100",
            prompt="Share of the population with electricity, in per cent (85, not 0.85).",
        ),
    ]
    for dv, name in zip(checks, ("year", "population", "electrification_rate"), strict=True):
        dv.add(f"B{rows[name]}")
        ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 60
    ws.freeze_panes = "A2"
    _landscape(ws)

    ws = wb.create_sheet("activity")
    header(ws, ACTIVITY_HEADERS)
    unit_ranges: dict[str, list[str]] = {}
    r = 1
    group = None
    for row in factors.rows:
        if row.source_group != group:
            group = row.source_group
            info = factors.groups.get(group, {})
            r += 1
            parts = (info.get("l2_section", ""), info.get("name", group))
            heading = " ".join(v for v in parts if v)
            cell = ws.cell(row=r, column=2, value=heading)
            cell.data_type = "s"
            cell.font = bold
            for c in range(1, len(ACTIVITY_HEADERS) + 1):
                ws.cell(row=r, column=c).fill = group_fill
        r += 1
        for c, value in enumerate((row.code, row.sub_category, row.activity_description), start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "s"
            cell.alignment = wrap
        fit_height(ws, r, {2: 48, 3: 40})
        ws.cell(row=r, column=4).fill = input_fill
        ws.cell(row=r, column=5, value=row.activity_unit).data_type = "s"
        for c in (4, 5, 6, 7):
            ws.cell(row=r, column=c).alignment = top
        unit_ranges.setdefault(parse_unit(row.activity_unit).dimension, []).append(f"E{r}")
    last = r
    activity_check = _validation(
        "custom",
        formula1=notation_formula("D2"),
        errorTitle="Activity rate",
        error="Type a number of zero or more (no units, no thousands separators), or NO, NE, "
        "NA or IE. Leave blank if not reported.",
        promptTitle="Activity rate",
        prompt="A number of zero or more in the unit of column E, or NO (not occurring), NE "
        "(not estimated), NA (not applicable), IE (included elsewhere).",
    )
    activity_check.add(f"D2:D{last}")
    ws.add_data_validation(activity_check)
    for dimension, cells in unit_ranges.items():
        dv = _validation(
            "list",
            formula1='"' + ",".join(units_of(dimension)) + '"',
            errorStyle="warning",
            errorTitle="Unit",
            error=f"hginv converts between these {dimension} units: "
            + ", ".join(units_of(dimension)),
        )
        for cell in cells:
            dv.add(cell)
        ws.add_data_validation(dv)
    pct = _validation(
        "decimal",
        operator="between",
        formula1="0",
        formula2="100",
        errorTitle="Uncertainty",
        error="Per cent from 0 to 100 (half-width of the 95 % interval).",
    )
    pct.add(f"G2:G{last}")
    ws.add_data_validation(pct)
    for col, width in zip("ABCDEFG", (9, 48, 40, 16, 12, 50, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D2"
    _landscape(ws)

    ws = wb.create_sheet("facilities")
    for cell in header(ws, FACILITY_COLUMNS):
        ws.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 2)
    end = FACILITY_ROWS + 1
    codes = _validation(
        "list",
        formula1='"' + ",".join(sorted(level2.families)) + '"',
        errorTitle="Level 2 code",
        error="Facilities are described for these sub-categories only: "
        + ", ".join(sorted(level2.families)),
    )
    codes.add(f"A2:A{end}")
    ws.add_data_validation(codes)
    non_negative = _validation(
        "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        errorTitle="Number",
        error="Type a number of zero or more.",
    )
    for name in NUMERIC_COLUMNS:
        letter = ws.cell(row=1, column=FACILITY_COLUMNS.index(name) + 1).column_letter
        non_negative.add(f"{letter}2:{letter}{end}")
    ws.add_data_validation(non_negative)
    ws.freeze_panes = "C2"
    _landscape(ws)
    wb.active = 0
    return wb


def write_template(
    path: str | Path = DEFAULT_NAME,
    factors=None,
    force: bool = False,
    protect=(),
    country: dict | None = None,
) -> Path:
    """Write the template to `path` atomically; an existing file is kept unless `force`."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: the template is an Excel workbook; name it .xlsx")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; choose another name or add --force")
    wb = build_template(factors, country=country)
    return atomic_write(path, wb.save, protect)
