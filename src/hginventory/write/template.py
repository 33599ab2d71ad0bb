"""The fill-in workbook of `hginv template`: exactly the format `hginv compute` reads.

Sheets: `instructions` (what each column means, the notation keys, what a blank means),
`country`, `activity` (every sub-category of the factor table in Toolkit order, under a heading
row per source group, with the expected unit already filled in), `facilities` (the Level 2
columns, empty) and `hotspots`, written by `write.xlsx.Book` like every workbook hginv writes.
Excel data validation guards the cells a focal point types in. Its messages
are kept within Excel's length limits (titles 32 characters, prompts 255, errors 225) and its
formulas use only English function names and commas, as stored in the file whatever the
language of Excel: anything else makes Excel offer to "repair" the workbook.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import ACTIVITY, YEAR
from hginventory.model.activity import NOTATION_KEYS
from hginventory.write.xlsx import Book, Sheet, ref

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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "."


def _rule(kind: str, title: str, error: str, *, warn=False, prompt_title="", prompt="", **test):
    """A data validation (xlsxwriter's options) that allows a blank cell and whose texts fit
    Excel's limits; `test` is xlsxwriter's criteria, value, minimum, maximum or source."""
    rule = {
        "validate": kind,
        "ignore_blank": True,
        "error_title": _clip(title, TITLE_MAX),
        "error_message": _clip(error, ERROR_MAX),
        "show_input": bool(prompt),
        **test,
    }
    if warn:
        rule["error_type"] = "warning"
    if prompt:
        rule["input_title"] = _clip(prompt_title, TITLE_MAX)
        rule["input_message"] = _clip(prompt, PROMPT_MAX)
    return rule


def _between(low: int, high: int) -> dict:
    return {"criteria": "between", "minimum": low, "maximum": high}


def notation_formula(cell: str) -> str:
    """Custom validation: a number of zero or more, or one of the notation keys."""
    keys = ",".join(f'{cell}="{k}"' for k in NOTATION_KEYS)
    return f"OR(AND(ISNUMBER({cell}),{cell}>=0),{keys})"


def build_template(factors=None, level2=None, country: dict | None = None) -> Book:
    """The template as an `xlsx.Book`, not yet saved (`write_template` saves it).

    `country` pre-fills fields of the country sheet (e.g. {"country": ..., "year": 2021}), for
    a consultant preparing one workbook per country."""
    from hginventory.tables.factors import load_factors
    from hginventory.tables.level2 import default_tables

    book = Book()
    _instructions_sheet(book.sheet("instructions"))
    _country_sheet(book.sheet("country"), country or {})
    _activity_sheet(book.sheet("activity"), factors or load_factors())
    _facilities_sheet(book.sheet("facilities"), level2 or default_tables())
    _hotspots_sheet(book.sheet("hotspots"))
    return book


def _header(sheet: Sheet, names) -> None:
    """The first row of a sheet: the column names hginv reads (the same in every language),
    bold on blue, each with a comment saying what it is in the user's language."""
    sheet.headers(0, list(names))
    for c, name in enumerate(names):
        if name in CAPTIONS:
            sheet.comment(0, c, _(CAPTIONS[name]))


def _widths(sheet: Sheet, widths) -> None:
    for c, chars in enumerate(widths):
        sheet.width(c, chars)


def _instructions_sheet(sheet: Sheet) -> None:
    """One column of text, printed upright."""
    for r, (text, style) in enumerate(instruction_lines()):
        sheet.text(r, 0, text, "bold" if style == "heading" else style)
    sheet.width(0, 80)
    sheet.portrait = True


def _country_sheet(sheet: Sheet, given: dict) -> None:
    """One row per field, its value to type in column B (pre-filled from `given`)."""
    _header(sheet, ("field", "value", "explanation"))
    rows = {}
    for r, (name, help_text) in enumerate(COUNTRY_ROWS, start=1):
        rows[name] = r
        sheet.text(r, 0, name, wrap=False)
        value = given.get(name)
        if value is None or value == "":
            sheet.style_row(r, 1, 1, "input")
        elif isinstance(value, str):
            sheet.text(r, 1, value, "input", wrap=False)
        else:
            sheet.number(r, 1, value, YEAR if name == "year" else ACTIVITY, style="input")
        sheet.text(r, 2, _(help_text))
    rules = {
        "year": _rule(
            "whole",
            _("Year"),
            _("Type the year of the inventory, e.g. 2021."),
            **_between(1950, 2100),
        ),
        "population": _rule(
            "decimal",
            _("Population"),
            _("Type the number of inhabitants, a number above zero."),
            criteria=">",
            value=0,
        ),
        "electrification_rate": _rule(
            "decimal",
            _("Electrification rate"),
            _("Per cent from 0 to 100: write 85 for 85 %, not 0.85."),
            prompt_title=_("Per cent, 0-100"),
            prompt=_("Share of the population with electricity, in per cent (85, not 0.85)."),
            **_between(0, 100),
        ),
        "language": _rule(
            "list", _("Language"), _("One of en, fr, es."), source=["en", "fr", "es"]
        ),
        "coal_industrial_boilers_share": _rule(
            "decimal",
            _("Per cent, 0-100"),
            _("Per cent from 0 to 100 of the coal of 5.1.2."),
            **_between(0, 100),
        ),
    }
    for name, rule in rules.items():
        sheet.validation([(rows[name], 1, rows[name], 1)], rule)
    _widths(sheet, (22, 28, 60))
    sheet.freeze = (1, 0)


def _activity_sheet(sheet: Sheet, factors) -> None:
    """Every sub-category in Toolkit order under a heading row per source group, its unit
    filled in; the activity cell (yellow) left to type."""
    from hginventory.core.units import parse_unit
    from hginventory.tables.translations import activity_description, sub_category_name

    _header(sheet, ACTIVITY_HEADERS)
    units: dict[str, list] = {}
    r, group = 0, None
    for row in factors.rows:
        if row.source_group != group:
            group = row.source_group
            r += 1
            sheet.style_row(r, 0, len(ACTIVITY_HEADERS) - 1, "section")
            sheet.text(r, 1, _group_heading(factors, group), "section", wrap=False)
        r += 1
        for c, value in enumerate((row.code, sub_category_name(row), activity_description(row))):
            sheet.text(r, c, value)
        sheet.style_row(r, 3, 3, "input")
        sheet.text(r, 4, row.activity_unit, wrap=False)
        units.setdefault(parse_unit(row.activity_unit).dimension, []).append((r, 4, r, 4))
    _activity_checks(sheet, r, units)
    _widths(sheet, (9, 48, 40, 16, 12, 50, 16, 10, 12, 30))
    sheet.freeze = (1, 3)


def _group_heading(factors, group: str) -> str:
    """A source group's heading: its section of the Toolkit and its name ("5.1 Extraction...")."""
    from hginventory.tables.translations import group_name

    info = factors.groups.get(group, {})
    parts = (info.get("l2_section", ""), group_name(group, info.get("name", group)))
    return " ".join(v for v in parts if v)


def _activity_checks(sheet: Sheet, last: int, units: dict[str, list]) -> None:
    """The activity rate (a number or a notation key), a unit of the row's kind, the
    uncertainty in per cent, and the optional presence and data quality columns."""
    from hginventory.core.units import units_of
    from hginventory.model.submission import DATA_QUALITY, PRESENCE_MARKS

    sheet.validation(
        [(1, 3, last, 3)],
        _rule(
            "custom",
            _("Activity rate"),
            _(
                "Type a number of zero or more (no units, no thousands separators), or NO, NE, "
                "NA or IE. Leave blank if not reported."
            ),
            prompt_title=_("Activity rate"),
            prompt=_(
                "A number of zero or more in the unit of column E, or NO (not occurring), NE "
                "(not estimated), NA (not applicable), IE (included elsewhere)."
            ),
            value="=" + notation_formula("D2"),
        ),
    )
    for dimension, cells in units.items():
        choices = units_of(dimension)
        error = _("hginv converts between these {kind} units: {units}").format(
            kind=_(dimension), units=", ".join(choices)
        )
        sheet.validation(cells, _rule("list", _("Unit"), error, warn=True, source=list(choices)))
    error = _("Per cent from 0 to 100 (half-width of the interval at 95 %).")
    sheet.validation(
        [(1, 6, last, 6)], _rule("decimal", _("Uncertainty"), error, **_between(0, 100))
    )
    for c, name, values in (
        (7, _("Presence"), PRESENCE_MARKS),
        (8, _("Data quality"), tuple(DATA_QUALITY)),
    ):
        error = _("One of {choices}, or blank.").format(choices=", ".join(values))
        sheet.validation([(1, c, last, c)], _rule("list", name, error, source=list(values)))


def _facilities_sheet(sheet: Sheet, level2) -> None:
    """The Level 2 columns, empty, their first FACILITY_ROWS rows guarded."""
    from hginventory.model.facilities import FACILITY_COLUMNS, NUMERIC_COLUMNS

    _header(sheet, FACILITY_COLUMNS)
    _widths(sheet, [max(12, len(name) + 2) for name in FACILITY_COLUMNS])

    def column(name: str) -> tuple[int, int, int, int]:
        c = FACILITY_COLUMNS.index(name)
        return (1, c, FACILITY_ROWS, c)

    families = sorted(level2.families)
    error = _("Facilities are described for these sub-categories only: {codes}").format(
        codes=", ".join(families)
    )
    sheet.validation([column("code")], _rule("list", _("Level 2 code"), error, source=families))
    number = _rule(
        "decimal", _("Number"), _("Type a number of zero or more."), criteria=">=", value=0
    )
    sheet.validation([column(name) for name in NUMERIC_COLUMNS], number)
    washed = _rule(
        "list",
        _("Washed abroad"),
        _("yes if the coal was washed before it was imported, otherwise no or blank"),
        source=[_("yes"), _("no")],
    )
    sheet.validation([column("washed_abroad")], washed)
    sheet.freeze = (1, 2)


def _hotspots_sheet(sheet: Sheet) -> None:
    """The optional `hotspots` sheet, with the Toolkit's types listed in column H."""
    from hginventory.model.submission import HOTSPOT_COLUMNS, hotspot_types

    _header(sheet, HOTSPOT_COLUMNS)
    types = hotspot_types()
    sheet.text(0, 7, _("Types of site (column type: the code or the name)"), wrap=False)
    for r, (key, name) in enumerate(types.items(), start=1):
        sheet.text(r, 7, key, wrap=False)
        sheet.text(r, 8, name, wrap=False)
    listed = f"={ref(1, 7, absolute=True)}:{ref(len(types), 7, absolute=True)}"
    error = _("One of the types listed in column H.")
    rule = _rule("list", _("Type of site"), error, warn=True, source=listed)
    sheet.validation([(1, 1, FACILITY_ROWS, 1)], rule)
    _widths(sheet, (30, 26, 26, 18, 40, 2, 2, 28, 70))
    sheet.freeze = (1, 0)


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
    return build_template(factors, country=country).save(path, protect)
