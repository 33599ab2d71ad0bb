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
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.model.activity import NOTATION_KEYS

DEFAULT_NAME = "hginv-template.xlsx"


ACTIVITY_HEADERS = (
    "code",
    "sub_category",
    "description",
    "activity",
    "unit",
    "notes",
    "uncertainty_pct",
    "presence",
    "data_quality",
    "data_source",
)


FACILITY_ROWS = 200


TITLE_MAX, PROMPT_MAX, ERROR_MAX = 32, 255, 225


COUNTRY_ROWS = (
    ("country", N_("Country: name of the country (required).")),
    ("iso3", N_("ISO code: ISO 3166 three-letter code, e.g. CIV (optional).")),
    ("year", N_("Year: year of the inventory, e.g. 2021 (required).")),
    (
        "population",
        N_("Population: number of inhabitants in that year (needed by the product rows)."),
    ),
    (
        "electrification_rate",
        N_(
            "Electrification rate: per cent of the population with electricity, from 0 to 100: "
            "write 85, not 0.85."
        ),
    ),
    (
        "language",
        N_(
            "Language of hginv's messages, workbook and report for this inventory: en, fr or es "
            "(optional; it changes no number)."
        ),
    ),
    (
        "coal_industrial_boilers_share",
        N_(
            "Per cent of the coal of 5.1.2 (other coal uses) burnt in industrial boilers, from 0 "
            "to 100 (optional): splits Article 8's 'coal-fired industrial boilers' from "
            "household and other coal uses."
        ),
    ),
)


# what each header key means, in the user's language, shown as a note on the header cell
CAPTIONS = {
    "field": N_("Field (do not change)"),
    "value": N_("Value: type here"),
    "explanation": N_("Explanation"),
    "code": N_("Sub-category code of the Toolkit (do not change)"),
    "sub_category": N_("Sub-category (not read by hginv)"),
    "description": N_("What to count: the activity rate (not read by hginv)"),
    "activity": N_("Activity rate: a number of zero or more, or NO, NE, NA, IE"),
    "unit": N_("Unit of the activity rate"),
    "notes": N_("Notes: source of data, assumptions"),
    "uncertainty_pct": N_("Uncertainty of the activity rate, in per cent (optional)"),
    "facility": N_("Name of the facility"),
    "capacity": N_("Capacity, instead of the activity rate"),
    "utilisation": N_("Utilisation of the capacity, in per cent"),
    "input_type": N_("Input type (e.g. coal origin)"),
    "hg_content": N_("Hg content of the facility's input"),
    "hg_content_unit": N_("Unit of the Hg content"),
    "control": N_("Control configuration"),
    "coincinerated_waste_t": N_("Waste burnt as kiln fuel, in t (cement)"),
    "measured_input_kg": N_("Measured Hg input, kg/y (mass balance)"),
    "measured_air_kg": N_("Measured Hg to air, kg/y (stack measurement)"),
    "moisture_pct": N_("Moisture of the coal as received, in per cent (dry-basis input types)"),
    "washed_abroad": N_("yes: the coal was washed before import (rejects not national)"),
    "presence": N_("Present? Y (yes), N (no), ? (possibly, not known); optional"),
    "data_quality": N_(
        "Data quality: A measured/plant data, B national statistics, C estimate from proxies, "
        "D expert judgement (optional)"
    ),
    "data_source": N_("Where the activity figure comes from (optional)"),
    "site": N_("Name of the site"),
    "type": N_("Type of site: one of the list in column H"),
    "location": N_("Where the site is (district, coordinates)"),
    "status": N_("Status: active, closed, remediated, under investigation..."),
}


INSTRUCTIONS = [
    (N_("How to fill in this workbook"), "title"),
    (
        N_(
            "1. On the sheet 'country', type the country, the year, the population and the "
            "electrification rate in column B."
        ),
        "",
    ),
    (
        N_(
            "2. On the sheet 'activity', type the activity rate of each sub-category that exists "
            "in your country in column D, in the unit of column E (choose another unit from the "
            "list if your statistics use one, e.g. kt instead of t)."
        ),
        "",
    ),
    (
        N_(
            "3. Save the workbook (keep the sheet names and the first row of each sheet as they "
            "are), then run: hginv validate WORKBOOK, and when it reports no error: "
            "hginv compute WORKBOOK."
        ),
        "",
    ),
    (
        N_(
            "The sheet names and the words of the first row (code, activity, unit...) are read "
            "by hginv: they stay in English in every language. Point at a column's first cell "
            "to see its meaning."
        ),
        "",
    ),
    (N_("Columns of the sheet 'activity'"), "heading"),
    (N_("code: the Toolkit sub-category code. Do not change it."), ""),
    (
        N_("sub_category, description: what the row is and what to count (not read by hginv)."),
        "",
    ),
    (
        N_(
            "activity: the activity rate, a number of zero or more, typed without units. A "
            "decimal comma (1,5) is fine; do not type thousands separators."
        ),
        "",
    ),
    (
        N_(
            "unit: the unit of your number. It must be of the same kind as the one filled in "
            "(a mass for t, a volume for m3...)."
        ),
        "",
    ),
    (N_("notes: your source of data, assumptions, anything a reviewer should know."), ""),
    (
        N_(
            "uncertainty_pct: optional, how uncertain your activity rate is, in per cent "
            "(half-width of the interval at 95 %), from 0 to 100."
        ),
        "",
    ),
    (
        N_(
            "activity_low, activity_high: instead of uncertainty_pct, you may add these two "
            "columns with the lowest and highest plausible activity rate (the interval at 95 %, in "
            "the row's unit)."
        ),
        "",
    ),
    (
        N_(
            "presence: optional, Y (present), N (absent) or ? (possibly present, not known), "
            "for the Toolkit's source presence table. A row with a number is Y and a blank row "
            "?, whatever you write; use it to say Y for a source you know occurs but could not "
            "quantify (NE)."
        ),
        "",
    ),
    (
        N_(
            "data_quality: optional, A (measured or plant data), B (national statistics), C "
            "(estimate from proxies) or D (expert judgement); data_source: where the figure "
            "comes from. The report lists D rows among the data gaps."
        ),
        "",
    ),
    (N_("What to write when there is no number"), "heading"),
    *[(key, "notation") for key in NOTATION_KEYS],
    (
        N_(
            "A blank activity cell means 'not reported': the sub-category is left out of the "
            "totals and listed as not reported. Use NO when you know the source does not occur "
            "in your country, NE when it occurs but you could not estimate it."
        ),
        "",
    ),
    (
        N_(
            "Population-based rows (thermometers, switches, lamps, batteries, dental amalgam...) "
            "take the number of inhabitants, normally the national population."
        ),
        "",
    ),
    (N_("Sheet 'facilities' (Level 2, optional)"), "heading"),
    (
        N_(
            "Countries that know their power plants, cement kilns, chlor-alkali plant, mining "
            "methods or incinerators describe them here, one row per facility. Leave it empty "
            "otherwise. The hginv documentation (docs/level2.md) gives the meaning of each column."
        ),
        "",
    ),
    (N_("Sheet 'hotspots' (optional)"), "heading"),
    (
        N_(
            "Potential hot spots: sites that may be contaminated with mercury (closed "
            "chlor-alkali plants, mercury mining tailings, gold mining sites...), one row per "
            "site: site, type (from the list in column H of the sheet), location, status, notes."
        ),
        "",
    ),
]


TRANSLATION_NOTE = N_(
    "The names and descriptions of the sub-categories are hginv's own translation, not yet "
    "checked against the official Toolkit in this language; the codes are those of the Toolkit."
)


def instruction_lines() -> list[tuple[str, str]]:
    """The instructions in the current language, as (text, style) lines."""
    from hginventory.core.i18n import get_language

    out = []
    for text, style in INSTRUCTIONS:
        if style == "notation":
            out.append((f"{text}: {_(NOTATION_KEYS[text])}", ""))
        else:
            out.append((_(text), style))
    if get_language() != "en":
        out.insert(5, (_(TRANSLATION_NOTE), ""))
    return out


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
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    from hginventory.core.units import parse_unit, units_of
    from hginventory.model.facilities import FACILITY_COLUMNS, NUMERIC_COLUMNS
    from hginventory.tables.factors import load_factors
    from hginventory.tables.level2 import default_tables
    from hginventory.tables.translations import activity_description, group_name, sub_category_name
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
        """The first row of a sheet: the column names hginv reads (the same in every
        language), bold on blue, each with a note saying what it is in the user's language."""
        cells = [ws.cell(row=1, column=c, value=name) for c, name in enumerate(names, start=1)]
        for cell in cells:
            cell.font, cell.fill = bold, header_fill
            if cell.value in CAPTIONS:
                cell.comment = Comment(_(CAPTIONS[cell.value]), "hginv", height=60, width=240)
        return cells

    wb = Workbook()
    ws = wb.active
    ws.title = "instructions"
    ws.column_dimensions["A"].width = 80
    for r, (text, style) in enumerate(instruction_lines(), start=1):
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
        ws.cell(row=r, column=1, value=name).alignment = top
        ws.cell(row=r, column=2).fill = input_fill
        ws.cell(row=r, column=2).alignment = top
        if given.get(name) not in (None, ""):
            value = ws.cell(row=r, column=2, value=given[name])
            if isinstance(given[name], str):
                value.data_type = "s"
        ws.cell(row=r, column=3, value=_(help_text)).alignment = wrap
        fit_height(ws, r, {3: 60})
    rows = {name: r for r, (name, _) in enumerate(COUNTRY_ROWS, start=2)}
    checks = [
        _validation(
            "whole",
            operator="between",
            formula1="1950",
            formula2="2100",
            errorTitle=_("Year"),
            error=_("Type the year of the inventory, e.g. 2021."),
        ),
        _validation(
            "decimal",
            operator="greaterThan",
            formula1="0",
            errorTitle=_("Population"),
            error=_("Type the number of inhabitants, a number above zero."),
        ),
        _validation(
            "decimal",
            operator="between",
            formula1="0",
            formula2="100",
            errorTitle=_("Electrification rate"),
            error=_("Per cent from 0 to 100: write 85 for 85 %, not 0.85."),
            promptTitle=_("Per cent, 0-100"),
            prompt=_("Share of the population with electricity, in per cent (85, not 0.85)."),
        ),
        _validation(
            "list",
            formula1='"en,fr,es"',
            errorTitle=_("Language"),
            error=_("One of en, fr, es."),
        ),
    ]
    checks.append(
        _validation(
            "decimal",
            operator="between",
            formula1="0",
            formula2="100",
            errorTitle=_("Per cent, 0-100"),
            error=_("Per cent from 0 to 100 of the coal of 5.1.2."),
        )
    )
    named = ("year", "population", "electrification_rate", "language", _BOILERS)
    for dv, name in zip(checks, named, strict=True):
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
            parts = (info.get("l2_section", ""), group_name(group, info.get("name", group)))
            heading = " ".join(v for v in parts if v)
            cell = ws.cell(row=r, column=2, value=heading)
            cell.data_type = "s"
            cell.font = bold
            for c in range(1, len(ACTIVITY_HEADERS) + 1):
                ws.cell(row=r, column=c).fill = group_fill
        r += 1
        texts = (row.code, sub_category_name(row), activity_description(row))
        for c, value in enumerate(texts, start=1):
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
        errorTitle=_("Activity rate"),
        error=_(
            "Type a number of zero or more (no units, no thousands separators), or NO, NE, NA "
            "or IE. Leave blank if not reported."
        ),
        promptTitle=_("Activity rate"),
        prompt=_(
            "A number of zero or more in the unit of column E, or NO (not occurring), NE (not "
            "estimated), NA (not applicable), IE (included elsewhere)."
        ),
    )
    activity_check.add(f"D2:D{last}")
    ws.add_data_validation(activity_check)
    for dimension, cells in unit_ranges.items():
        dv = _validation(
            "list",
            formula1='"' + ",".join(units_of(dimension)) + '"',
            errorStyle="warning",
            errorTitle=_("Unit"),
            error=_("hginv converts between these {kind} units: {units}").format(
                kind=_(dimension), units=", ".join(units_of(dimension))
            ),
        )
        for cell in cells:
            dv.add(cell)
        ws.add_data_validation(dv)
    pct = _validation(
        "decimal",
        operator="between",
        formula1="0",
        formula2="100",
        errorTitle=_("Uncertainty"),
        error=_("Per cent from 0 to 100 (half-width of the interval at 95 %)."),
    )
    pct.add(f"G2:G{last}")
    ws.add_data_validation(pct)
    _reporting_checks(ws, last)
    for col, width in zip("ABCDEFGHIJ", (9, 48, 40, 16, 12, 50, 16, 10, 12, 30), strict=True):
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
        errorTitle=_("Level 2 code"),
        error=_("Facilities are described for these sub-categories only: {codes}").format(
            codes=", ".join(sorted(level2.families))
        ),
    )
    codes.add(f"A2:A{end}")
    ws.add_data_validation(codes)
    non_negative = _validation(
        "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        errorTitle=_("Number"),
        error=_("Type a number of zero or more."),
    )
    for name in NUMERIC_COLUMNS:
        letter = ws.cell(row=1, column=FACILITY_COLUMNS.index(name) + 1).column_letter
        non_negative.add(f"{letter}2:{letter}{end}")
    ws.add_data_validation(non_negative)
    yes_no = _validation(
        "list",
        formula1='"' + ",".join((_("yes"), _("no"))) + '"',
        errorTitle=_("Washed abroad"),
        error=_("yes if the coal was washed before it was imported, otherwise no or blank"),
    )
    letter = ws.cell(row=1, column=FACILITY_COLUMNS.index("washed_abroad") + 1).column_letter
    yes_no.add(f"{letter}2:{letter}{end}")
    ws.add_data_validation(yes_no)
    ws.freeze_panes = "C2"
    _landscape(ws)
    _hotspots_sheet(wb.create_sheet("hotspots"), header)
    wb.active = 0
    return wb


_BOILERS = "coal_industrial_boilers_share"


def _reporting_checks(ws, last: int) -> None:
    """Lists for the optional presence (Y/N/?) and data quality (A-D) columns."""
    from hginventory.model.submission import DATA_QUALITY, PRESENCE_MARKS

    for letter, name, values in (
        ("H", _("Presence"), PRESENCE_MARKS),
        ("I", _("Data quality"), tuple(DATA_QUALITY)),
    ):
        dv = _validation(
            "list",
            formula1='"' + ",".join(values) + '"',
            errorTitle=name,
            error=_("One of {choices}, or blank.").format(choices=", ".join(values)),
        )
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def _hotspots_sheet(ws, header) -> None:
    """The optional `hotspots` sheet, with the Toolkit's types listed in column H."""
    from hginventory.model.submission import HOTSPOT_COLUMNS, hotspot_types

    header(ws, HOTSPOT_COLUMNS)
    types = hotspot_types()
    ws.cell(row=1, column=8, value=_("Types of site (column type: the code or the name)"))
    for r, (key, name) in enumerate(types.items(), start=2):
        ws.cell(row=r, column=8, value=key).data_type = "s"
        ws.cell(row=r, column=9, value=name).data_type = "s"
    dv = _validation(
        "list",
        formula1=f"$H$2:$H${len(types) + 1}",
        errorStyle="warning",
        errorTitle=_("Type of site"),
        error=_("One of the types listed in column H."),
    )
    dv.add(f"B2:B{FACILITY_ROWS + 1}")
    ws.add_data_validation(dv)
    for col, width in zip("ABCDEFGHI", (30, 26, 26, 18, 40, 2, 2, 28, 70), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    _landscape(ws)


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
        raise OutputError(
            _("{file}: the template is an Excel workbook; name it .xlsx").format(file=path)
        )
    try:
        exists = path.exists()
    except OSError as exc:  # a name too long (over 255 bytes), a link loop: before any work
        raise OutputError(
            _("{file}: cannot be used ({reason})").format(file=path, reason=exc.strerror or exc)
        ) from None
    if exists and not force:
        raise OutputError(
            _("{file}: already exists; choose another name or add --force").format(file=path)
        )
    wb = build_template(factors, country=country)
    return atomic_write(path, wb.save, protect)
