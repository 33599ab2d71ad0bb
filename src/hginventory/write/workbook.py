"""The national inventory workbook a focal point hands over and a reviewer audits.

A handful of sheets (Read me, Summary, Calculation, Factors, Sources present, Charts, Article
8 and NFR, Metadata, plus Facilities, Uncertainty and Cross-check EMEP when used). The
Calculation sheet is live, as in the Toolkit's own spreadsheet: Hg input = activity x unit
conversion x the input factor on the Factors sheet, each pathway = Hg input x its distribution
factor there; source-group subtotals and the Summary (with the double-counting weights and
exclusions) are formulas over those cells. Every formula is stored with its computed value, so
the workbook shows hginv's numbers on opening; changing an activity cell recomputes the row,
the subtotals, the Summary and the charts. Text from the input is always text.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import ACTIVITY, COUNT, IDENTIFIER, YEAR
from hginventory.engine.inventory import EMPTY_WARNING, Inventory
from hginventory.write.workbook_sheets.calculation import calculation_sheet, factors_sheet
from hginventory.write.workbook_sheets.charts import charts_sheet
from hginventory.write.workbook_sheets.checks import CHECKS_SHEET, checks_sheet
from hginventory.write.workbook_sheets.key_categories import (
    KEY_CATEGORIES_SHEET,
    key_categories_sheet,
)
from hginventory.write.workbook_sheets.layout import H, Layout, is_empty
from hginventory.write.workbook_sheets.sources import sources_sheet
from hginventory.write.workbook_sheets.summary import summary_sheet
from hginventory.write.xlsx import Book, few_collections

TEXT = Texts(
    {
        "title": N_("Mercury release inventory: {place}"),
        "method": (
            N_(
                "Method: {method}, by the UNEP Toolkit for Identification and Quantification of "
                "Mercury Releases (Hg input = activity rate x unit conversion x input factor; "
                "output to each pathway = Hg input x distribution factor)."
            )
        ),
        "table": N_("Factor table: {title} ({label}, sha256 {sha})."),
        "computed": N_("Computed by hginv {version} from {file} at {when}."),
        "units": N_("All quantities are kg of mercury per year (kg Hg/y)."),
        "live": (
            N_(
                "The Calculation sheet is live: change an activity cell (column Activity) or a "
                "factor on the Factors sheet and the row, the source-group subtotals, the Summary "
                "and the charts follow. The values stored are hginv's; the CSV output holds the "
                "full values."
            )
        ),
        "caution": N_(
            "CAUTION: {n} of the {total} factors used are 'recalled', not confirmed "
            "against the official Toolkit."
        ),
        "caution_detail": (
            N_(
                "A recalled factor is the best value that could be justified, with the Toolkit "
                "table it belongs to, but it was not checked against a copy of the Toolkit. See "
                "the sheet 'Factors' (column Status) and check these values against the official "
                "Level 1 calculation spreadsheet before publishing."
            )
        ),
        "confirmed": N_("All factors used are confirmed against their cited source."),
        "sheets": N_("Sheets"),
        "warnings": N_("Warnings from reading the input"),
        "releases_note": N_(
            "Air, water and land are releases to the environment; by-products and impurities, "
            "general waste and sector specific treatment/disposal are transfers, where part of "
            "the mercury may be released later. Sources are ranked by their releases (Charts), "
            "never by all their outputs: a landfill's row counts product mercury again."
        ),
        "metadata_title": N_("Metadata of this run"),
    }
)

SHEET_DESCRIPTIONS = Texts(
    {
        "Summary": N_(
            "inputs and releases by source group and pathway, as counted in the national "
            "totals (double-counting adjustments applied), live formulas."
        ),
        "Calculation": N_(
            "one row per sub-category or facility, grouped by source group with "
            "subtotals: Hg input and each pathway are live formulas."
        ),
        "Factors": N_(
            "every factor used, with its source document, table/page and evidence status."
        ),
        "Sources present": N_(
            "every sub-category of the Toolkit and whether it was quantified, reported absent "
            "(NO), not estimated (NE), not applicable (NA) or included elsewhere (IE)."
        ),
        "Charts": N_(
            "releases by source group and pathway, share of each pathway, the ten largest "
            "sub-categories."
        ),
        "Facilities": N_(
            "Level 2: every facility with its input basis, configuration and factors."
        ),
        "Article 8 and NFR": N_(
            "air emissions of the Minamata Annex D source categories (Article 8) "
            "and by EMEP/EEA NFR code."
        ),
        "Presence and gaps": N_(
            "the Toolkit's source presence table (Y/N/?) with each activity figure and its data "
            "quality, the potential hot spots, the data gaps and next steps."
        ),
        "Article 21": N_(
            "for the national report: Article 8 by Annex D category, Article 9 releases to "
            "water and land, the Annex C baseline of artisanal and small-scale gold mining."
        ),
        "Uncertainty": N_("ranges of the national totals, source groups and sub-categories."),
        "Cross-check EMEP": N_("air releases compared with the EMEP/EEA Guidebook."),
        "Key categories": N_(
            "key categories (IPCC Approach 1 level assessment, air and water+land): shares, "
            "cumulative shares, and where better data would change the total most."
        ),
        "Checks": N_(
            "the quality checks of the activity data (plausibility, consistency), their "
            "thresholds and what they found."
        ),
        "Metadata": N_("versions, hashes and input file of this run."),
    }
)

IDENTIFIERS = {"year", "iso3", "uncertainty_seed", "seed"}
"""Metadata numbers that name rather than count: written without separators (20211013)."""


def _readme(book: Book, inv: Inventory, sheets: list[str]) -> None:
    """The first sheet: what was computed, from what and how; the cautions; every sheet."""
    ws = book.sheet("Read me")
    ws.max_width = 110
    m = inv.metadata
    place = f"{inv.country.country} {inv.country.year}"
    ws.text(0, 0, TEXT["title"].format(place=place), "title", wrap=False)
    f = inv.factors
    lines = [
        TEXT["method"].format(method=inv.method_label()),
        TEXT["table"].format(title=f.title, label=f.label, sha=f.sha256[:12]),
        TEXT["computed"].format(
            version=m["hginv_version"], file=m["input_file"], when=m["computed_at"]
        ),
        TEXT["units"],
        TEXT["releases_note"],
        TEXT["live"],
    ]
    r = 2
    for line in lines:
        ws.text(r, 0, line)
        r += 1
    r += 1
    if is_empty(inv):
        ws.text(r, 0, _("WARNING: {text}").format(text=_(EMPTY_WARNING)), "warn")
        r += 2
    estimates = inv.estimates_note()
    if estimates:
        ws.text(r, 0, estimates, "warn")
        r += 2
    if inv.beyond_input_sentence():
        ws.text(r, 0, inv.beyond_input_sentence())
        r += 2
    n = inv.recalled_factors
    if n:
        ws.text(r, 0, TEXT["caution"].format(n=n, total=inv.factors_used), "warn")
        ws.text(r + 1, 0, TEXT["caution_detail"])
        r += 3
    elif not is_empty(inv):
        ws.text(r, 0, TEXT["confirmed"], "bold")
        r += 2
    ws.text(r, 0, TEXT["sheets"], "bold")
    for name in sheets:
        r += 1
        ws.text(r, 0, f"{name}: {SHEET_DESCRIPTIONS[name]}")
    if inv.warnings:
        r += 2
        ws.text(r, 0, TEXT["warnings"], "bold")
        for w in inv.warnings:
            r += 1
            ws.text(r, 0, str(w))
    ws.width(0, 110)


def _metadata(book: Book, inv: Inventory) -> None:
    """The last sheet: versions, hashes and input file of this run."""
    ws = book.sheet("Metadata")
    ws.max_width = 80
    ws.text(0, 0, TEXT["metadata_title"], "title", wrap=False)
    rows = []
    for k, v in inv.metadata.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            rows.append([k, "" if v is None else str(v)])
        else:
            rows.append([k, v])
    top = 2
    ws.headers(top, [H["field"], H["value"]])
    for i, (k, v) in enumerate(rows, start=top + 1):
        ws.text(i, 0, k, wrap=False)
        if isinstance(v, str):
            ws.text(i, 1, v)
        else:
            if k in IDENTIFIERS:
                ws.number(i, 1, v, YEAR if k == "year" else IDENTIFIER)
            else:
                ws.number(i, 1, v, COUNT if float(v).is_integer() else ACTIVITY)
    ws.freeze = (top + 1, 1)
    ws.pages_tall = 1  # some thirty rows: never three of them alone on a second page


def sheet_names(inv: Inventory) -> list[str]:
    """The sheets of an inventory's workbook, in order (option sheets only when used)."""
    from hginventory.write.option_sheets import CROSSCHECK_SHEET, UNCERTAINTY_SHEET, has_facilities

    names = ["Summary", "Calculation", "Factors", "Sources present", "Charts"]
    if has_facilities(inv):
        names.append("Facilities")
    names.append("Article 8 and NFR")
    names += ["Presence and gaps", "Article 21"]
    if inv.uncertainty is not None:
        names.append(UNCERTAINTY_SHEET)
    if getattr(inv, "crosscheck", None) is not None:
        names.append(CROSSCHECK_SHEET)
    names.append(KEY_CATEGORIES_SHEET)
    names.append(CHECKS_SHEET)
    names.append("Metadata")
    return names


def build_workbook(inv: Inventory) -> Book:
    """The workbook in memory (an `xlsx.Book`); `write_workbook` saves it."""
    from hginventory.write import option_sheets

    book = Book(header=f"{inv.country.country} {inv.country.year}")
    lay = Layout(inv)
    names = sheet_names(inv)
    _readme(book, inv, names)
    national = summary_sheet(book, inv, lay)
    calculation_sheet(book, inv, lay)
    factors_sheet(book, inv, lay)
    sources_sheet(book, inv)
    charts_sheet(book, inv, lay, national)
    if "Facilities" in names:
        option_sheets.facilities(book, inv)
    option_sheets.article8_nfr(book, inv)
    option_sheets.presence_gaps(book, inv)
    option_sheets.article21(book, inv)
    if inv.uncertainty is not None:
        option_sheets.uncertainty(book, inv)
    if getattr(inv, "crosscheck", None) is not None:
        option_sheets.crosscheck(book, inv)
    key_categories_sheet(book, inv)
    checks_sheet(book, inv)
    _metadata(book, inv)
    return book


def write_workbook(inventory: Inventory, path: str | Path, protect=()) -> Path:
    """The national inventory workbook (see the module docstring), written atomically."""
    with few_collections():
        return build_workbook(inventory).save(path, protect)


__all__ = ["EMPTY_WARNING", "build_workbook", "sheet_names", "write_workbook"]
