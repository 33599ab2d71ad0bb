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

import math
from pathlib import Path

from hginventory.check.quality import CHECKS
from hginventory.core.columns import (
    OUTPUT_COLUMNS,
    PATHWAY_LABELS,
    PATHWAYS,
    RELEASE_PATHWAYS,
    TRANSFER_PATHWAYS,
)
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import (
    ACTIVITY,
    AXIS_FORMAT,
    COUNT,
    FACTOR,
    FRACTION,
    IDENTIFIER,
    MASS,
    SHARE,
    YEAR,
    decimals,
    excel_format,
    percent,
)
from hginventory.engine.inventory import (
    EMPTY_WARNING,
    Inventory,
    presence_word,
    sources_present,
    top_sources,
)
from hginventory.tables.translations import group_names, name_of
from hginventory.write.xlsx import Book, Sheet, excel_col, ref

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
        "summary_title": N_("Summary: mercury inputs and releases by source group (kg Hg/y)"),
        "summary_note": (
            N_(
                "As counted in the national totals: the double-counting weights (share of the "
                "input counted) and exclusions of the factor table are applied in these formulas. "
                "Live formulas over the Calculation sheet."
            )
        ),
        "source_group": N_("Source group"),
        "input_calculated": N_("Hg input, calculated"),
        "input_counted": N_("Hg input counted in the total"),
        "total_releases": N_("Total outputs (releases and transfers)"),
        "national_total": N_("National total"),
        "sum_rows": N_("Sum of calculated rows (no adjustment)"),
        "adjustment": N_("Adjustment for double counting"),
        "estimates_aside": N_("Indicative estimates, not counted (no Toolkit default)"),
        "release_lines": N_(
            "Releases to air, water and land, apart from transfers to products and waste "
            "(kg Hg/y)"
        ),
        "releases_note": N_(
            "Air, water and land are releases to the environment; by-products and impurities, "
            "general waste and sector specific treatment/disposal are transfers, where part of "
            "the mercury may be released later. Sources are ranked by their releases (Charts), "
            "never by all their outputs: a landfill's row counts product mercury again."
        ),
        "no_adjustment": N_("Double counting: no exclusion applies to the sub-categories present."),
        "excluded": N_("Double counting: {items}."),
        "excluded_item": N_("{code} {name}: release to {pathways} left out of the total"),
        "weighted_item": N_("{code} {name}: {share} of the input counted"),
        "calc_title": N_("Calculation: one row per sub-category or facility (kg Hg/y)"),
        "calc_note": (
            N_(
                "Hg input = Activity x Unit conversion x Input factor (Factors sheet); each "
                "pathway = Hg input x its distribution factor (Factors sheet). Unit conversion: "
                "kg Hg per (activity unit x input factor unit)."
            )
        ),
        "subtotal": N_("Subtotal: {group}"),
        "all_rows": N_("Sum of all rows (before the double-counting adjustments)"),
        "nothing": N_("Nothing was quantified."),
        "factors_title": N_("Factors used, with provenance"),
        "sources_title": N_("Mercury release source types present"),
        "charts_title": N_("Charts of the national totals (kg Hg/y)"),
        "pathway_table": N_(
            "Outputs per pathway, as counted in the national totals: releases to air, water "
            "and land, then transfers"
        ),
        "top_table": N_(
            "The ten largest sub-categories by releases to air, water and land (counted in the "
            "totals; transfers to products and waste not ranked)"
        ),
        "chart_groups": N_(
            "Outputs by source group and pathway: releases to air, water and land, then "
            "transfers (kg Hg/y)"
        ),
        "chart_pie": N_("Share of all outputs per pathway (releases and transfers)"),
        "chart_top": N_(
            "The ten largest sub-categories: releases to air, water and land (kg Hg/y)"
        ),
        "nothing_to_chart": N_("No sub-category was quantified: nothing to chart."),
        "metadata_title": N_("Metadata of this run"),
    }
)

H = Texts(
    {
        "code": N_("Code"),
        "sub_category": N_("Sub-category"),
        "facility": N_("Facility"),
        "method": N_("Method"),
        "activity": N_("Activity"),
        "unit": N_("Unit"),
        "conversion": N_("Unit conversion"),
        "factor": N_("Input factor"),
        "factor_used": N_("Input factor used"),
        "factor_unit": N_("Input factor unit"),
        "hg_input": N_("Hg input"),
        "releases": N_("Total outputs (releases and transfers)"),
        "counted": N_("Share of input counted"),
        "status": N_("Status"),
        "factor_id": N_("Factor id"),
        "default": N_("Default input factor"),
        "low": N_("Low"),
        "high": N_("High"),
        "scale": N_("Electrification scaling"),
        "left_out": N_("Left out of the totals"),
        "confidence": N_("Confidence"),
        "document": N_("Document"),
        "version": N_("Version"),
        "table_page": N_("Table / page"),
        "note": N_("Note"),
        "group": N_("Source group"),
        "presence": N_("Presence"),
        "detail": N_("Detail / notes"),
        "pathway": N_("Pathway"),
        "share": N_("Share of total releases"),
        "field": N_("Field"),
        "value": N_("Value"),
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

PATHWAY_HEADERS = [PATHWAY_LABELS[p] for p in PATHWAYS]

CALC_KEYS = {
    "unit": "activity_unit",
    "conversion": "unit_multiplier",
    "factor": "input_factor",
    "factor_unit": "input_factor_unit",
    "hg_input": "hg_input_kg",
    **{p: f"{p}_kg" for p in PATHWAYS},
    "releases": "releases_kg",
    "counted": "input_total_weight",
}
"""Machine names of the Calculation columns (hidden row over the headers; CSV names)."""

IDENTIFIERS = {"year", "iso3", "uncertainty_seed", "seed"}
"""Metadata numbers that name rather than count: written without separators (20211013)."""

FACTORS_SHEET = "Factors"
CALC_SHEET = "Calculation"
SUMMARY_SHEET = "Summary"


def is_empty(inv: Inventory) -> bool:
    """Nothing was quantified (no activity entered, or only notation keys)."""
    return inv.results.empty


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


class _Layout:
    """Where things are: rows of the Calculation and Factors sheets, columns by name."""

    def __init__(self, inv: Inventory):
        r = inv.results
        self.level2 = "method" in r.columns and bool((r["method"] != "default").any())
        cols = ["code", "sub_category"]
        if self.level2:
            cols += ["facility", "method"]
        cols += ["activity", "unit", "conversion", "factor", "factor_unit", "hg_input"]
        cols += list(PATHWAYS) + ["releases", "counted", "status"]
        self.calc_cols = {name: i for i, name in enumerate(cols)}
        fcols = [
            "factor_id",
            "code",
            "sub_category",
            "default",
            "low",
            "high",
            "scale",
            "factor",
            "factor_unit",
            *PATHWAYS,
            "counted",
            "left_out",
            "status",
            "confidence",
            "document",
            "version",
            "table_page",
            "note",
        ]
        self.factor_cols = {name: i for i, name in enumerate(fcols)}
        self.factor_top = 3  # header row of the Factors table
        # groups in order, each with its result positions; Factors rows follow the same order
        order = sorted(range(len(r)), key=lambda i: (int(r["group_order"].iat[i]), i))
        self.groups: list[tuple[str, list[int]]] = []
        for i in order:
            name = str(r["group_name"].iat[i])
            if not self.groups or self.groups[-1][0] != name:
                self.groups.append((name, []))
            self.groups[-1][1].append(i)
        self.order = order
        self.position = {i: k for k, i in enumerate(order)}
        self.calc_top = 3  # header row of the Calculation table
        self.calc_row: dict[int, int] = {}
        self.subtotal_row: dict[str, int] = {}
        self.group_rows: dict[str, tuple[int, int]] = {}
        row = self.calc_top + 1
        for name, members in self.groups:
            row += 1  # the group's heading row
            first = row
            for i in members:
                self.calc_row[i] = row
                row += 1
            self.group_rows[name] = (first, row - 1)
            self.subtotal_row[name] = row
            row += 2
        self.all_row = row

    def factor_row(self, i: int) -> int:
        return self.factor_top + 1 + self.position[i]

    def c(self, name: str) -> int:
        return self.calc_cols[name]

    def f(self, name: str) -> int:
        return self.factor_cols[name]


def _readme(book: Book, inv: Inventory, sheets: list[str]) -> None:
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


def _factors(book: Book, inv: Inventory, lay: _Layout) -> None:
    ws = book.sheet(FACTORS_SHEET)
    ws.max_width = 40
    ws.text(0, 0, TEXT["factors_title"], "title", wrap=False)
    r = inv.results
    docs = inv.factors.documents
    heads = {
        "factor_id": H["factor_id"],
        "code": H["code"],
        "sub_category": H["sub_category"],
        "default": H["default"],
        "low": H["low"],
        "high": H["high"],
        "scale": H["scale"],
        "factor": H["factor_used"],
        "factor_unit": H["factor_unit"],
        **{p: _(PATHWAY_LABELS[p]) for p in PATHWAYS},
        "counted": H["counted"],
        "left_out": H["left_out"],
        "status": H["status"],
        "confidence": H["confidence"],
        "document": H["document"],
        "version": H["version"],
        "table_page": H["table_page"],
        "note": H["note"],
    }
    ws.headers(lay.factor_top, [heads[k] for k in lay.factor_cols])
    ws.keys(lay.factor_top - 1, list(lay.factor_cols))
    fcol = lay.f
    factor_places = decimals(
        FACTOR,
        [
            *r["default_input_factor"],
            *r["input_factor"],
            *r["input_factor_low"],
            *r["input_factor_high"],
        ],
    )
    share_places = decimals(SHARE, [v for p in PATHWAYS for v in r[p]])
    tuples = list(r.itertuples(index=False))
    for i in lay.order:
        x = tuples[i]
        row = lay.factor_row(i)
        ws.text(row, fcol("factor_id"), x.factor_id)  # Level 2: several ids joined by " + "
        ws.text(row, fcol("code"), x.code, wrap=False)
        ws.text(row, fcol("sub_category"), x.label)

        for key, value in (
            ("default", x.default_input_factor),
            ("low", x.input_factor_low),
            ("high", x.input_factor_high),
        ):
            ws.number(row, fcol(key), value, FACTOR, factor_places)
        ws.number(row, fcol("scale"), x.scale, SHARE, 4)
        if _close(x.default_input_factor * x.scale, x.input_factor):
            ws.formula(
                row,
                fcol("factor"),
                f"={ref(row, fcol('default'))}*{ref(row, fcol('scale'))}",
                x.input_factor,
                FACTOR,
                factor_places,
            )
        else:
            ws.number(row, fcol("factor"), x.input_factor, FACTOR, factor_places)
        ws.text(row, fcol("factor_unit"), x.input_factor_unit, wrap=False)
        for p in PATHWAYS:
            ws.number(row, fcol(p), getattr(x, p), SHARE, share_places)
        ws.number(row, fcol("counted"), x.input_total_weight, FRACTION, 0)
        left = [_(PATHWAY_LABELS[p]) for p in str(x.release_total_exclude).split(";") if p]
        ws.text(row, fcol("left_out"), ", ".join(left))
        ws.text(row, fcol("status"), x.status, wrap=False)
        ws.text(row, fcol("confidence"), x.confidence, wrap=False)
        ws.text(row, fcol("document"), docs.get(x.document, {}).get("title", x.document))
        ws.text(row, fcol("version"), x.version, wrap=False)
        ws.text(row, fcol("table_page"), x.table_page)
        ws.text(row, fcol("note"), x.note)
    ws.width(fcol("note"), 60)
    # 27 columns: one page across would print them in a 5-point font; two pages across, the
    # code repeated on each, keep a readable size
    ws.pages_wide = 2
    ws.repeat_cols = (fcol("code"), fcol("code"))
    ws.freeze = (lay.factor_top + 1, fcol("sub_category") + 1)
    ws.autofilter = (lay.factor_top, 0, lay.factor_top + len(r), max(lay.factor_cols.values()))


def _calculation(book: Book, inv: Inventory, lay: _Layout) -> None:
    ws = book.sheet(CALC_SHEET)
    ws.max_width = 45
    ws.text(0, 0, TEXT["calc_title"], "title", wrap=False)
    ws.text(1, 0, TEXT["calc_note"], wrap=False)
    heads = {
        "code": H["code"],
        "sub_category": H["sub_category"],
        "facility": H["facility"],
        "method": H["method"],
        "activity": H["activity"],
        "unit": H["unit"],
        "conversion": H["conversion"],
        "factor": H["factor"],
        "factor_unit": H["factor_unit"],
        "hg_input": _("{name} (kg Hg/y)").format(name=H["hg_input"]),
        **{p: _("{name} (kg Hg/y)").format(name=_(PATHWAY_LABELS[p])) for p in PATHWAYS},
        "releases": _("{name} (kg Hg/y)").format(name=H["releases"]),
        "counted": H["counted"],
        "status": H["status"],
    }
    ws.headers(lay.calc_top, [heads[k] for k in lay.calc_cols])
    ws.keys(lay.calc_top - 1, [CALC_KEYS.get(k, k) for k in lay.calc_cols])
    c, f = lay.c, lay.f
    r = inv.results
    if r.empty:
        ws.text(lay.calc_top + 1, 0, TEXT["nothing"] + " " + _(EMPTY_WARNING), "warn", wrap=False)
        ws.freeze = (lay.calc_top + 1, 2)
        return
    act_places = decimals(ACTIVITY, r["activity"])
    conv_places = decimals(FACTOR, r["unit_multiplier"])
    factor_places = decimals(FACTOR, r["input_factor"])
    mass_cols = ["hg_input", *PATHWAYS, "releases"]
    arrays = _calc_arrays(r)
    records = r.to_dict("records")
    groups = group_names(inv.factors.groups)
    for name, members in lay.groups:
        first, last = lay.group_rows[name]
        ws.text(first - 1, 0, groups.get(name, name), "group", wrap=False)
        for i in members:
            x = records[i]
            row = lay.calc_row[i]
            frow = lay.factor_row(i)
            ws.text(row, c("code"), x["code"], wrap=False)
            if lay.level2:
                ws.text(row, c("sub_category"), name_of(x["code"], x["sub_category"]))
                ws.text(row, c("facility"), x["facility"])
                ws.text(row, c("method"), x["method"], wrap=False)
            else:
                ws.text(row, c("sub_category"), x["label"])
            ws.number(row, c("activity"), x["activity"], ACTIVITY, act_places)
            ws.text(row, c("unit"), x["activity_unit"], wrap=False)
            ws.number(row, c("conversion"), x["unit_multiplier"], FACTOR, conv_places)
            factor_ref = ref(frow, f("factor"), FACTORS_SHEET)
            ws.formula(row, c("factor"), f"={factor_ref}", x["input_factor"], FACTOR, factor_places)
            ws.text(row, c("factor_unit"), x["input_factor_unit"], wrap=False)
            hg = float(x["hg_input_kg"])
            if _close(
                float(x["activity"]) * float(x["unit_multiplier"]) * float(x["input_factor"]), hg
            ):
                ws.formula(
                    row,
                    c("hg_input"),
                    f"={ref(row, c('activity'))}*{ref(row, c('conversion'))}*{factor_ref}",
                    hg,
                )
            else:
                ws.number(row, c("hg_input"), hg)
            hg_ref = ref(row, c("hg_input"), absolute=False).replace(
                excel_col(c("hg_input")), "$" + excel_col(c("hg_input"))
            )
            for p in PATHWAYS:
                ws.formula(
                    row, c(p), f"={hg_ref}*{ref(frow, f(p), FACTORS_SHEET)}", float(x[f"{p}_kg"])
                )
            ws.formula(
                row,
                c("releases"),
                f"=SUM({ref(row, c(PATHWAYS[0]))}:{ref(row, c(PATHWAYS[-1]))})",
                sum(float(x[f"{p}_kg"]) for p in PATHWAYS),
            )
            ws.formula(
                row,
                c("counted"),
                f"={ref(frow, f('counted'), FACTORS_SHEET)}",
                float(x["input_total_weight"]),
                FRACTION,
                0,
            )
            ws.text(row, c("status"), x["status"], wrap=False)
        sub = lay.subtotal_row[name]
        ws.text(sub, 0, TEXT["subtotal"].format(group=groups.get(name, name)), "total", wrap=False)
        for col in mass_cols:
            value = _calc_value(arrays, members, col)
            ws.formula(
                sub,
                c(col),
                f"=SUM({ref(first, c(col))}:{ref(last, c(col))})",
                value,
                style="total",
            )
        ws.style_row(sub, 0, max(lay.calc_cols.values()), "total")
    ws.text(lay.all_row, 0, TEXT["all_rows"], "total", wrap=False)
    for col in mass_cols:
        cells = ",".join(ref(lay.subtotal_row[n], c(col)) for n, _ in lay.groups)
        ws.formula(
            lay.all_row,
            c(col),
            f"=SUM({cells})",
            _calc_value(arrays, list(range(len(r))), col),
            style="total",
        )
    ws.style_row(lay.all_row, 0, max(lay.calc_cols.values()), "total")
    ws.freeze = (lay.calc_top + 1, 2)
    # filter buttons for a reviewer (an Excel Table would refuse the group and subtotal rows);
    # the subtotals are SUMs, so a filter hides rows without changing any total
    ws.autofilter = (lay.calc_top, 0, lay.all_row, max(lay.calc_cols.values()))
    ws.width(0, max(9, *(len(str(v)) + 1 for v in r["code"])))


def _calc_arrays(r) -> dict:
    """The result columns behind each Calculation mass column, as arrays (taken once: a
    column selection costs more than the sum of a few dozen numbers)."""
    out = {}
    for col in ("hg_input", *PATHWAYS, "releases"):
        cols = (
            [f"{p}_kg" for p in PATHWAYS]
            if col == "releases"
            else ["hg_input_kg" if col == "hg_input" else f"{col}_kg"]
        )
        out[col] = r[cols].to_numpy()
    return out


def _calc_value(arrays: dict, members: list[int], col: str) -> float:
    """The sum over result rows `members` of a Calculation column (its cached value)."""
    return float(arrays[col][members].sum())


def _summary(book: Book, inv: Inventory, lay: _Layout) -> int:
    """The Summary sheet; returns the row of the national total."""
    ws = book.sheet(SUMMARY_SHEET)
    ws.max_width = 50
    c = lay.c
    ws.text(0, 0, TEXT["summary_title"], "title", wrap=False)
    ws.note(1, TEXT["summary_note"], span=10)
    top = 3
    if is_empty(inv):
        ws.text(2, 0, _("WARNING: {text}").format(text=_(EMPTY_WARNING)), "warn", wrap=False)
    heads = [
        TEXT["source_group"],
        TEXT["input_calculated"],
        TEXT["input_counted"],
        *[_(h) for h in PATHWAY_HEADERS],
        TEXT["total_releases"],
    ]
    per_year = _("{name} (kg Hg/y)")
    ws.headers(top, [h if i == 0 else per_year.format(name=h) for i, h in enumerate(heads)])
    r = inv.results
    g = inv.group_summary().set_index("source_group") if not r.empty else None
    row = top + 1
    excludes = [set(str(t).split(";")) - {""} for t in r["release_total_exclude"]]
    arrays = _calc_arrays(r) if not r.empty else {}
    shown = group_names(inv.factors.groups)
    for name, members in lay.groups:
        first, last = lay.group_rows[name]
        sub = lay.subtotal_row[name]
        ws.text(row, 0, shown.get(name, name))
        ws.formula(
            row,
            1,
            f"={ref(sub, c('hg_input'), CALC_SHEET)}",
            _calc_value(arrays, members, "hg_input"),
        )
        ws.formula(
            row,
            2,
            f"=SUMPRODUCT({ref(first, c('hg_input'), CALC_SHEET)}:{ref(last, c('hg_input'))},"
            f"{ref(first, c('counted'), CALC_SHEET)}:{ref(last, c('counted'))})",
            float(g.loc[name, "hg_input_kg"]),
        )
        for k, p in enumerate(PATHWAYS):
            out = [ref(lay.calc_row[i], c(p), CALC_SHEET) for i in members if p in excludes[i]]
            formula = f"={ref(sub, c(p), CALC_SHEET)}" + "".join(f"-{o}" for o in out)
            ws.formula(row, 3 + k, formula, float(g.loc[name, f"{p}_kg"]))
        ws.formula(row, 9, f"=SUM({ref(row, 3)}:{ref(row, 8)})", float(g.loc[name, "releases_kg"]))
        row += 1
    totals, sums = inv.totals(), inv.sums()
    keys = ["hg_input_kg", "hg_input_kg", *(f"{p}_kg" for p in PATHWAYS), "releases_kg"]
    national = row
    ws.text(national, 0, TEXT["national_total"], "total", wrap=False)
    for col in range(1, 10):
        value = sums["hg_input_kg"] if col == 1 else totals[keys[col - 1]]
        formula = f"=SUM({ref(top + 1, col)}:{ref(row - 1, col)})" if lay.groups else "=0"
        ws.formula(national, col, formula, value, style="total")
    calc_total = national + 2
    ws.text(calc_total, 0, TEXT["sum_rows"], "bold", wrap=False)
    ws.text(calc_total + 1, 0, TEXT["adjustment"], "bold", wrap=False)
    aside = [r.index.get_loc(i) for i in inv.estimates_aside().index]
    if aside:
        ws.text(calc_total + 2, 0, TEXT["estimates_aside"], "bold", wrap=False)
    src = {2: "hg_input", **{3 + k: p for k, p in enumerate(PATHWAYS)}, 9: "releases"}
    for col, name in src.items():
        key = keys[col - 1]
        if lay.groups:
            formula = f"={ref(lay.all_row, c(name), CALC_SHEET)}"
        else:
            formula = "=0"
        ws.formula(calc_total, col, formula, sums[key])
        adjustment = f"={ref(national, col)}-{ref(calc_total, col)}"
        if aside:
            shown = OUTPUT_COLUMNS if name == "releases" else [key]
            left_out = float(r.iloc[aside][shown].to_numpy().sum())
            cells = "+".join(ref(lay.calc_row[i], c(name), CALC_SHEET) for i in aside)
            ws.formula(calc_total + 2, col, f"=-({cells})", -left_out)
            adjustment += f"-{ref(calc_total + 2, col)}"
            ws.formula(calc_total + 1, col, adjustment, totals[key] - sums[key] + left_out)
        else:
            ws.formula(calc_total + 1, col, adjustment, totals[key] - sums[key])
    items = []
    for i, x in enumerate(r.itertuples(index=False)):
        if i in aside:  # not a double-counting rule: said on their own line above
            continue
        if x.input_total_weight != 1:
            items.append(
                TEXT["weighted_item"].format(
                    code=x.code,
                    name=name_of(x.code, x.sub_category),
                    share=percent(x.input_total_weight, places=0),
                )
            )
        if excludes[i]:
            items.append(
                TEXT["excluded_item"].format(
                    code=x.code,
                    name=name_of(x.code, x.sub_category),
                    pathways=", ".join(
                        _(PATHWAY_LABELS[p]).lower() for p in PATHWAYS if p in excludes[i]
                    ),
                )
            )
    items = list(dict.fromkeys(items))  # the facility rows of a code share one rule
    note = TEXT["excluded"].format(items="; ".join(items)) if items else TEXT["no_adjustment"]
    if aside:
        note += " " + inv.estimates_note()
    ws.note(calc_total + 3 + bool(aside), note, span=10)
    _release_lines(ws, inv, national, calc_total + 5 + bool(aside))
    ws.freeze = (top + 1, 1)
    return national


def _release_lines(ws: Sheet, inv: Inventory, national: int, top: int) -> None:
    """Under the Summary table: releases to air, water and land apart from transfers, with
    their subtotals (formulas over the national total row), then why the outputs exceed the
    counted input (`Inventory.release_summary`, the terminal's lines)."""
    col = {"hg_input_kg": 2, **{f"{p}_kg": 3 + k for k, p in enumerate(PATHWAYS)}}
    col["releases_kg"] = 9
    parts = {
        "releases_awl_kg": [f"{p}_kg" for p in RELEASE_PATHWAYS],
        "transfers_kg": [f"{p}_kg" for p in TRANSFER_PATHWAYS],
    }
    ws.text(top, 0, TEXT["release_lines"], "bold", wrap=False)
    t = inv.totals()
    row = top + 1
    for key, name, value in inv.release_summary():
        bold = "total" if key in (*parts, "releases_kg") else ""
        ws.text(row, 0, name, bold or "", wrap=False)
        if key in col:
            ws.formula(row, 1, f"={ref(national, col[key])}", value, style=bold)
        elif key in parts:
            cells = "+".join(ref(national, col[k]) for k in parts[key])
            ws.formula(row, 1, f"={cells}", value, style=bold)
        elif math.isclose(value, t["releases_kg"] - t["hg_input_kg"], abs_tol=1e-6):
            formula = f"={ref(national, col['releases_kg'])}-{ref(national, col['hg_input_kg'])}"
            ws.formula(row, 1, formula, value)
        else:  # Level 2 rows whose outputs differ from their input: the rows' own sum
            ws.number(row, 1, value)
        row += 1
    sentence = inv.beyond_input_sentence()
    if sentence:
        ws.note(row, sentence, span=10)


def _sources(book: Book, inv: Inventory) -> None:
    ws = book.sheet("Sources present")
    ws.max_width = 60
    ws.text(0, 0, TEXT["sources_title"], "title", wrap=False)
    s = sources_present(inv)
    groups = group_names(inv.factors.groups)
    ws.table(
        2,
        [H["code"], H["sub_category"], H["group"], H["presence"], H["detail"]],
        (
            (
                x.code,
                name_of(x.code, x.sub_category),
                groups.get(x.source_group, x.source_group),
                presence_word(x.presence),
                x.detail,
            )
            for x in s.itertuples(index=False)
        ),
    )
    ws.freeze = (3, 2)


def _charts(book: Book, inv: Inventory, lay: _Layout, national: int) -> None:
    ws = book.sheet("Charts")
    ws.max_width = 45
    ws.text(0, 0, TEXT["charts_title"], "title", wrap=False)
    totals = inv.totals()
    ws.text(2, 0, TEXT["pathway_table"], "bold", wrap=False)
    ws.headers(3, [H["pathway"], _("kg Hg/y"), _("Share of all outputs")])
    releases = totals["releases_kg"]
    for k, p in enumerate(PATHWAYS):
        row = 4 + k
        ws.text(row, 0, _(PATHWAY_LABELS[p]), wrap=False)
        ws.formula(row, 1, f"={ref(national, 3 + k, SUMMARY_SHEET)}", totals[f"{p}_kg"])
        share = totals[f"{p}_kg"] / releases if releases else 0.0
        ws.formula(
            row, 2, f"=IF(SUM($B$5:$B$10)=0,0,{ref(row, 1)}/SUM($B$5:$B$10))", share, FRACTION
        )
    top = top_sources(inv)
    start = 12
    ws.text(start, 0, TEXT["top_table"], "bold", wrap=False)
    ws.headers(
        start + 1,
        [H["sub_category"], H["code"], _("Releases to air, water and land (kg Hg/y)")],
        repeat=False,
    )
    c = lay.c
    r = inv.results
    for k, (i, t) in enumerate(top.iterrows()):
        row = start + 2 + k
        pos = r.index.get_loc(i)
        calc = lay.calc_row[pos]
        excluded = set(str(r["release_total_exclude"].iat[pos]).split(";"))
        cells = [ref(calc, c(p), CALC_SHEET) for p in RELEASE_PATHWAYS if p not in excluded]
        formula = "=" + ("+".join(cells) if cells else "0")
        ws.text(row, 0, t["sub_category"])
        ws.text(row, 1, t["code"], wrap=False)
        ws.formula(row, 2, formula, float(t["releases_awl_kg"]))
    if r.empty:
        ws.text(start + 2, 0, TEXT["nothing_to_chart"], "warn", wrap=False)
        return
    n_groups = len(lay.groups)
    first = 4  # first group row on Summary
    stacked = book.chart({"type": "bar", "subtype": "stacked"})
    for k in range(len(PATHWAYS)):
        stacked.add_series(
            {
                "name": [SUMMARY_SHEET, 3, 3 + k],
                "categories": [SUMMARY_SHEET, first, 0, first + n_groups - 1, 0],
                "values": [SUMMARY_SHEET, first, 3 + k, first + n_groups - 1, 3 + k],
                "gap": 60,
            }
        )
    stacked.set_title({"name": TEXT["chart_groups"]})
    stacked.set_x_axis({"num_format": AXIS_FORMAT, "major_gridlines": {"visible": True}})
    stacked.set_y_axis({"reverse": True})
    stacked.set_legend({"position": "bottom"})
    stacked.set_size({"width": 900, "height": 480})
    ws.charts.append((2, 5, stacked, {}))

    pie = book.chart({"type": "pie"})
    pie.add_series(
        {
            "name": TEXT["chart_pie"],
            "categories": ["Charts", 4, 0, 9, 0],
            "values": ["Charts", 4, 1, 9, 1],
            "data_labels": {"percentage": True, "num_format": excel_format(FRACTION)},
        }
    )
    pie.set_title({"name": TEXT["chart_pie"]})
    pie.set_size({"width": 600, "height": 400})
    ws.charts.append((27, 5, pie, {}))

    bars = book.chart({"type": "bar"})
    bars.add_series(
        {
            "name": TEXT["chart_top"],
            "categories": ["Charts", start + 2, 0, start + 1 + len(top), 0],
            "values": ["Charts", start + 2, 2, start + 1 + len(top), 2],
            "data_labels": {"value": True, "num_format": excel_format(MASS)},
        }
    )
    bars.set_title({"name": TEXT["chart_top"]})
    bars.set_x_axis({"num_format": AXIS_FORMAT, "major_gridlines": {"visible": True}})
    bars.set_y_axis({"reverse": True})
    bars.set_legend({"none": True})
    bars.set_size({"width": 900, "height": 420})
    ws.charts.append((49, 5, bars, {}))
    # printed: the tables and the first two charts on one page, the third chart on its own;
    # no header row repeated over a page that holds only a chart
    ws.repeat = None
    ws.page_breaks = [48]


def _metadata(book: Book, inv: Inventory) -> None:
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


KEY_CATEGORIES_SHEET = "Key categories"


def key_categories_sheet(book: Book, inv: Inventory) -> None:
    """The two level assessments (engine.keycat): every code with a counted release, largest
    first, its share, the cumulative share, whether it is key, and share x uncertainty range
    (where Level 2 or better activity data would change the national total most)."""
    from hginventory.engine.keycat import ASSESSMENT_NAMES, THRESHOLD, key_categories

    ws = book.sheet(KEY_CATEGORIES_SHEET)
    ws.max_width = 60
    ws.text(0, 0, _("Key categories"), "title", wrap=False)
    table = key_categories(inv)
    source = (
        _("the Monte Carlo 95 % interval (--uncertainty)")
        if (table["range_source"] == "monte-carlo").any()
        else _("the factor table's low-high range of the input factor")
    )
    ws.note(
        1,
        _(
            "IPCC 2006 Vol. 1 Ch. 4, Approach 1 level assessment on the releases counted in the "
            "national totals: sub-categories sorted by release, largest first; key while the "
            "cumulative share before them is below {threshold}. Range: {source}, relative to "
            "the value; share x range ranks where better data would change the total most."
        ).format(threshold=percent(THRESHOLD, places=0), source=source),
    )
    headers = [
        _("Assessment"),
        _("Rank"),
        H["code"],
        H["sub_category"],
        _("Release (kg Hg/y)"),
        _("Share"),
        _("Cumulative share"),
        _("Key category"),
        _("Range / value"),
        _("Share x range"),
    ]
    rows = [
        [
            _(ASSESSMENT_NAMES[x.assessment]),
            int(x.rank),
            x.code,
            name_of(x.code, x.sub_category),
            x.release_kg,
            x.share,
            x.cumulative_share,
            _("yes") if x.key else "",
            None if x.range_relative != x.range_relative else x.range_relative,
            None if x.level2_weight != x.level2_weight else x.level2_weight,
        ]
        for x in table.itertuples(index=False)
    ]
    kinds = {1: COUNT, 4: MASS, 5: FRACTION, 6: FRACTION, 8: FRACTION, 9: FRACTION}
    last = ws.table(3, headers, rows, kinds) - 1
    ws.freeze = (4, 3)
    ws.autofilter = (3, 0, max(last, 4), len(headers) - 1)


CHECKS_SHEET = "Checks"

CHECKS_TEXT = Texts(
    {
        "title": N_("Quality checks of the activity data"),
        "intro": N_(
            "Before computing, every activity was screened against the world's annual total and "
            "a band per inhabitant (plausibility), and the rows against each other "
            "(consistency). The thresholds are screening thresholds, never factors; a warning "
            "asks for a look, not necessarily a correction. Codes and sources: "
            "docs/quality-checks.md of hginv; screens: {table} version {version}."
        ),
        "run": N_("Checks run"),
        "found": N_("Findings"),
        "none": N_("The checks found nothing to report."),
        "code": N_("Code"),
        "check": N_("Check"),
        "threshold": N_("Threshold"),
        "source": N_("Source"),
        "result": N_("Result"),
        "passed": N_("nothing found"),
        "severity": N_("Severity"),
        "cell": N_("Sheet!cell"),
        "problem": N_("Problem"),
        "found_value": N_("Found"),
        "expected": N_("Expected"),
        "warning": N_("warning"),
        "error": N_("error"),
    }
)


def _checks(book: Book, inv: Inventory) -> None:
    """What the quality checks (check/quality.py) looked at, and what they found."""
    from hginventory.core.i18n import ngettext
    from hginventory.tables.plausibility import load_screens

    found = list(getattr(inv, "quality_checks", []) or [])
    screens = load_screens()
    ws = book.sheet(CHECKS_SHEET)
    ws.max_width = 60
    t = CHECKS_TEXT
    ws.text(0, 0, t["title"], "title", wrap=False)
    ws.note(2, t["intro"].format(table=screens.id, version=screens.version), span=5)
    ws.text(4, 0, t["run"], "bold", wrap=False)
    counts: dict[str, int] = {}
    for p in found:
        counts[p.code] = counts.get(p.code, 0) + 1
    rows = [
        (
            code,
            _(what),
            _(threshold),
            _(source),
            ngettext("{n} finding", "{n} findings", counts[code]).format(n=counts[code])
            if counts.get(code)
            else t["passed"],
        )
        for code, _kind, what, threshold, source in CHECKS
    ]
    nxt = ws.table(5, [t["code"], t["check"], t["threshold"], t["source"], t["result"]], rows)
    for row, (code, *_rest) in enumerate(CHECKS, start=6):
        if counts.get(code):
            ws.cells[row, 4].style = "warn"
    ws.text(nxt + 1, 0, t["found"], "bold", wrap=False)
    if not found:
        ws.text(nxt + 2, 0, t["none"], wrap=False)
    else:
        ws.table(
            nxt + 2,
            [t["severity"], t["code"], t["cell"], t["problem"], t["found_value"], t["expected"]],
            (
                (
                    t[p.severity],
                    p.code,
                    f"{p.sheet}!{p.cell}" if p.sheet and p.cell else p.sheet or p.cell,
                    p.message,
                    p.found,
                    p.expected,
                )
                for p in found
            ),
        )
    ws.freeze = (6, 1)


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
    lay = _Layout(inv)
    names = sheet_names(inv)
    _readme(book, inv, names)
    national = _summary(book, inv, lay)
    _calculation(book, inv, lay)
    _factors(book, inv, lay)
    _sources(book, inv)
    _charts(book, inv, lay, national)
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
    _checks(book, inv)
    _metadata(book, inv)
    return book


def write_workbook(inventory: Inventory, path: str | Path, protect=()) -> Path:
    """The national inventory workbook (see the module docstring), written atomically."""
    from hginventory.write.xlsx import few_collections

    with few_collections():
        return build_workbook(inventory).save(path, protect)


__all__ = ["EMPTY_WARNING", "Sheet", "build_workbook", "sheet_names", "write_workbook"]
