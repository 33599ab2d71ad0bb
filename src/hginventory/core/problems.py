"""The registry of problem codes: every `Problem` carries one of these stable kebab-case names.

A code names a check, not its wording: `validate --json`, batch-report.csv and scripts match
on it whatever the language of the messages. Each code has a one-line explanation, translated
like every other text. tests/test_problem_codes.py keeps this list and the code in step, and
docs/problem-codes.md is written from it: `python -m hginventory.core.problems --markdown`.
"""

from __future__ import annotations

import sys

from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _

SECTIONS: dict[str, dict[str, str]] = {
    N_("Files and sheets"): {
        "input-invalid": N_("the input cannot be used as it is (the message says why)"),
        "file-unreadable": N_("the file cannot be opened or read as a spreadsheet or CSV"),
        "file-unsafe": N_("the file is refused for safety (a decompression bomb, XML entities)"),
        "file-not-found": N_("the file does not exist"),
        "file-no-permission": N_("the file cannot be read: no permission"),
        "file-is-folder": N_("a folder is given where a file is expected"),
        "file-wrong-type": N_("the file is not of a type hginv reads (a spreadsheet or a CSV)"),
        "file-not-regular": N_("the path is not a regular file (a device, a pipe or a socket)"),
        "file-password-protected": N_("the workbook is password-protected"),
        "file-damaged": N_("the file is damaged or malformed"),
        "xls-damaged": N_("an .xls workbook is damaged or malformed"),
        "sheet-missing": N_("a sheet hginv needs is missing"),
        "sheet-ambiguous": N_("several sheets can be read as the same sheet"),
        "sheet-alike-ignored": N_("a sheet named like the one read is ignored"),
        "sheet-name-variant": N_("a sheet is read under a slightly different name"),
        "sheet-ignored": N_("a sheet hginv does not read is ignored"),
        "sheet-too-large": N_("a sheet spans more rows or columns than hginv reads"),
        "too-many-cells": N_("a sheet has more cells than hginv reads"),
        "too-many-rows": N_("more rows than hginv reads"),
        "text-too-long": N_("a cell's text is longer than hginv reads"),
        "control-characters": N_("invisible control characters were removed from a text"),
        "spaces-removed": N_("leading or trailing spaces were removed from a text"),
        "hidden-sheet": N_("a hidden sheet is read like any other"),
        "hidden-rows": N_("hidden rows are read like any other"),
        "merged-cells": N_("merged cells: the value is read from the first cell only"),
        "formula-without-value": N_("a formula has no saved result to read"),
        "cell-error-value": N_("a cell shows a spreadsheet error instead of a value"),
        "header-not-first-row": N_("a header row is found below row 1; the rows above are ignored"),
        "extra-columns": N_("columns hginv does not know are ignored"),
        "duplicate-column": N_("a column name is given twice"),
        "columns-missing": N_("columns hginv needs are missing"),
        "csv-not-utf8": N_("a CSV file is not UTF-8 and was read in another encoding"),
        "csv-quote-unclosed": N_("a quote in a CSV file is never closed"),
        "csv-extra-values": N_("a CSV line has more values than column headers"),
        "csv-table-missing": N_("a table of the activity CSV is missing"),
        "csv-table-twice": N_("a table of the activity CSV is given twice"),
    },
    N_("Numbers"): {
        "not-a-number": N_("a number is expected and the cell holds something else"),
        "number-as-text": N_("a number typed as text, read as the number it shows"),
        "number-unreadable": N_("a number written in a way hginv cannot read for sure"),
        "digit-groups": N_("digits grouped by spaces or apostrophes not in groups of three"),
        "number-with-text": N_("a number followed by text (a unit belongs in its own column)"),
        "not-finite": N_("a number is not finite (infinity or not a number)"),
    },
    N_("Country sheet"): {
        "country-header-missing": N_("the country sheet has no 'field' and 'value' header"),
        "unknown-field": N_("a field of the country sheet is not known and is ignored"),
        "field-missing": N_("a required field of the country sheet is missing or empty"),
        "field-twice": N_("a field of the country sheet is given twice"),
        "population-not-positive": N_("the population is zero or negative"),
        "population-needed": N_("population-based rows are given without the population"),
        "year-implausible": N_("the year is not a plausible year"),
        "electrification-rate-fraction": N_("the electrification rate looks like a fraction"),
        "electrification-rate-range": N_("the electrification rate is outside 0-100"),
        "electrification-rate-needed": N_("rows scaled by the electrification rate lack it"),
        "coal-boilers-share-range": N_("the share of coal in industrial boilers is outside 0-100"),
        "language-unknown": N_("the language of the workbook is not one hginv speaks"),
    },
    N_("Activity sheet"): {
        "activity-header-missing": N_("the activity sheet has no code, activity, unit header"),
        "activity-without-code": N_("an activity rate is given without a sub-category code"),
        "unknown-code": N_("a sub-category code is not one of the Toolkit's"),
        "duplicate-code": N_("a sub-category code appears twice"),
        "unit-wrong-kind": N_("a unit is unknown or of the wrong kind for the sub-category"),
        "unit-unknown": N_("a unit is unknown or cannot be converted"),
        "unit-not-convertible": N_("an activity unit cannot be converted for the cross-check"),
        "activity-negative": N_("an activity rate is negative"),
        "activity-above-population": N_("an activity in inhabitants is above the population"),
        "activity-invalid": N_("the activity workbook's content is wrong (the message says why)"),
        "uncertainty-range": N_("uncertainty_pct is outside 0-100"),
        "uncertainty-twice": N_("both uncertainty_pct and a low/high range are given"),
        "range-negative": N_("activity_low or activity_high is negative"),
        "range-without-activity": N_("a low/high range is given without a positive activity"),
        "range-outside-activity": N_("activity_low is above or activity_high below the activity"),
        "range-too-far": N_("a low/high bound is too far from the activity to compute"),
        "presence-invalid": N_("the presence column holds a mark hginv does not know"),
        "data-quality-invalid": N_("the data_quality column holds a mark hginv does not know"),
        "presence-n-with-activity": N_("presence is N but an activity rate is given"),
        "presence-contradicts-no": N_("presence contradicts an activity of NO"),
        "replaces-reported-elsewhere": N_("a row replaces another, reported as included elsewhere"),
        "nothing-entered": N_("no activity is entered yet"),
        "result-file-given": N_("an hginv output is given instead of an activity workbook"),
        "result-not-finite": N_("a result is too large to compute"),
    },
    N_("Facilities (Level 2)"): {
        "facilities-header-missing": N_("the facilities sheet has no 'code' and 'facility' header"),
        "facility-code-not-level2": N_("a sub-category cannot be described facility by facility"),
        "facility-name-empty": N_("a facility has no name"),
        "facility-twice": N_("a facility appears twice for the same sub-category"),
        "facility-activity-missing": N_("a facility has no activity"),
        "facility-activity-not-finite": N_("a facility's activity is too large to compute"),
        "facility-capacity-not-finite": N_("capacity times utilisation is too large to compute"),
        "facility-utilisation-range": N_("utilisation is outside 0-100"),
        "facility-value-negative": N_("a facility's number is negative"),
        "facility-input-type-unknown": N_("a facility's input type is not known"),
        "facility-input-type-wrong-kind": N_("an input type is per another kind of activity"),
        "facility-hg-content-unit": N_("the unit of a facility's Hg content is wrong"),
        "facility-hg-content-twice": N_("both hg_content and input_type are given"),
        "facility-control-unknown": N_("a control configuration is not known"),
        "facility-control-order": N_("control configurations are combined in a way not allowed"),
        "facility-coincineration-not-cement": N_("waste co-incineration is given outside cement"),
        "facility-waste-counted-twice": N_("a measured Hg input would count waste fuels twice"),
        "facility-moisture-range": N_("moisture_pct is not a percentage below 100"),
        "facility-moisture-not-used": N_("moisture_pct is given where it is not used"),
        "facility-moisture-missing": N_("a dry-basis Hg content is given without moisture_pct"),
        "facility-washed-abroad-value": N_("washed_abroad is not yes or no"),
        "facility-washed-abroad-not-coal": N_("washed_abroad is given for a row that is not coal"),
        "facility-washed-abroad-no-washing": N_("washed_abroad is yes but no washing is named"),
        "facility-measured-air-above-input": N_("a measured air emission is above the Hg input"),
        "facility-rest-without-pathway": N_("the Hg input beyond the measured air has no pathway"),
        "facilities-under-replaced-code": N_("facility rows under a code the activity replaces"),
        "facilities-counted-twice": N_("facility rows beside a row for the same sources"),
        "facilities-beside-no": N_("facility rows for a sub-category the activity says NO"),
        "facilities-beside-notation-key": N_("facility rows beside a notation key; they count"),
        "facilities-above-national": N_("facilities sum to more than the national activity"),
    },
    N_("Hot spots"): {
        "hotspots-header-missing": N_("the hot-spots sheet has no 'site' and 'type' header"),
        "hotspot-type-unknown": N_("a hot-spot type is not in the Toolkit's list"),
        "hotspot-without-site": N_("a hot spot has no site name"),
    },
    N_("Quality checks"): {
        "activity-above-world-tenfold": N_("an activity is above ten times the world total"),
        "activity-above-world": N_("an activity is above the world total"),
        "activity-outside-band": N_("an activity is outside the band per inhabitant"),
        "waste-open-burning-vs-dumping": N_("much of the uncollected waste is burned in the open"),
        "waste-per-inhabitant": N_("the waste per inhabitant is outside a plausible band"),
        "coal-counted-twice-cement": N_("coal of other uses may count the cement kilns twice"),
        "coal-counted-twice-coke": N_("coal of other uses may count the coke twice"),
        "sludge-above-produced": N_("more sewage sludge burned than the country can produce"),
        "products-without-waste": N_("product rows given, every waste row blank"),
        "waste-without-products": N_("waste rows given, every product row blank"),
    },
    N_("Results, trend and baseline"): {
        "result-unreadable": N_("a result file cannot be read as hginv writes it"),
        "result-not-a-number": N_("a result column holds something other than a number"),
        "result-semicolons": N_("a result CSV is separated by ';' instead of ','"),
        "trend-other-country": N_("a trend mixes countries"),
        "trend-year-out-of-range": N_("a year is outside the years a trend covers"),
        "trend-year-twice": N_("two workbooks of a trend give the same year"),
        "trend-level2-not-interpolated": N_("facility rows are not interpolated between years"),
        "baseline-other-country": N_("a submitted inventory is of another country"),
        "baseline-country-unknown-name": N_("a result CSV names no country and not the series's"),
        "baseline-country-assumed": N_("a result CSV names no country; the series's is assumed"),
        "baseline-year-unknown": N_("the year of a result CSV cannot be told"),
        "baseline-year-twice": N_("two submitted inventories give the same year"),
        "baseline-year-not-in-series": N_("a submitted inventory's year is not in the series"),
        "year-not-a-year": N_("a year is not a whole number"),
    },
    N_("Factor tables and reviews"): {
        "factor-table-invalid": N_("a factor table is malformed (the message says why)"),
        "factor-table-empty": N_("a factor table has no rows"),
        "factor-columns-missing": N_("a factor table lacks required columns"),
        "factor-order-invalid": N_("a factor table's order is not a whole number"),
        "factor-columns-unknown": N_("a factor CSV has columns hginv does not know"),
        "factor-extra-values": N_("a factor CSV line has more values than columns"),
        "factor-code-twice": N_("a code appears twice in a factor table"),
        "factor-source-group-unknown": N_("a factor row names an unknown source group"),
        "factor-document-unknown": N_("a factor row names an unknown document id"),
        "factor-replaces-unknown": N_("a factor row replaces a code that is not in the table"),
        "overlay-provenance-missing": N_("a national factor row does not give its own source"),
        "factor-row-invalid": N_("a factor row is not valid (the message names the field)"),
        "overlay-row-invalid": N_("a row of a national factor CSV is not valid"),
        "replaces-cycle": N_("factor rows replace each other in a cycle"),
        "level2-table-invalid": N_("a Level 2 table is not valid"),
        "plausibility-table-invalid": N_("the plausibility table is not valid"),
        "crosswalk-invalid": N_("the crosswalk to the EMEP/EEA Guidebook is not valid"),
        "emep-table-invalid": N_("the EMEP/EEA Guidebook table is not valid"),
        "conversion-invalid": N_("a conversion given for the cross-check is not positive"),
        "conversion-unmapped": N_("no Guidebook row is mapped for a conversion's sub-category"),
        "conversion-twice": N_("a conversion is given twice for a sub-category"),
        "conversion-out-of-range": N_("a cross-check conversion overflows"),
        "review-invalid": N_("a factor review sheet is not valid"),
        "review-date-invalid": N_("a review date is not a date"),
    },
    N_("Other"): {
        "output-not-writable": N_("an output cannot be written (or would overwrite an input)"),
        "internal-error": N_("an internal error of hginv; please report it"),
    },
}
"""Every code, by part of the input it concerns (the sections of docs/problem-codes.md)."""

CODES: dict[str, str] = {c: text for codes in SECTIONS.values() for c, text in codes.items()}
"""Every problem code with its one-line explanation (an English msgid: translate with `_`)."""


def explain(code: str) -> str:
    """The translated one-line explanation of `code` ('' for an unknown code)."""
    return _(CODES[code]) if code in CODES else ""


def markdown() -> str:
    """docs/problem-codes.md: every code with its explanation, by section (English)."""
    lines = [
        "# Problem codes",
        "",
        "Every problem hginv reports has a stable code: `hginv validate --json` gives it as",
        "`code`, `batch-report.csv` has a `code` column. A script or a CI pipeline matches on the",
        "code, which stays the same whatever the language of the messages. The quality checks",
        "are described in more detail in [quality-checks.md](quality-checks.md).",
        "",
        "This page is written from `hginventory.core.problems` by",
        "`python -m hginventory.core.problems --markdown > docs/problem-codes.md`.",
    ]
    for section, codes in SECTIONS.items():
        lines += ["", f"## {section}", "", "| Code | Meaning |", "| --- | --- |"]
        lines += [f"| `{code}` | {text} |" for code, text in codes.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the docs page's generator
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m hginventory.core.problems --markdown")
    sys.stdout.write(markdown())
