"""Outputs of an inventory: the CSV contract and the workbook a focal point hands over.

Both are written atomically. Text that came from an input file is always written as text,
never as a live formula (a note typed as `=HYPERLINK(...)` stays a note).
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.columns import CSV_COLUMNS, OUTPUT_COLUMNS, PATHWAY_LABELS, PATHWAYS
from hginventory.core.files import atomic_write
from hginventory.engine.inventory import Inventory, top_sources
from hginventory.write.crosscheck_sheet import crosscheck_sheet
from hginventory.write.level2_sheets import article8_sheet, facilities_sheet
from hginventory.write.sheets import (
    KG,
    PATHWAY_HEADERS,
    README_WIDTH,
    SMALL,
    fit_row_height,
    put_cell,
    set_widths,
    sheet_styles,
    total_row,
    write_table,
)


def _readme(wb, inv: Inventory, styles) -> None:
    ws = wb.active
    ws.title = "Read me"
    m = inv.metadata
    put_cell(
        ws, 1, 1, f"Mercury release inventory: {m['country']} {m['year']}", font=styles["title"]
    )
    lines = [
        "Method: UNEP Toolkit for Identification and Quantification of Mercury Releases, "
        "Inventory Level 1 (Hg input = activity rate x input factor; output to each pathway = "
        "Hg input x distribution factor).",
        f"Factor table: {inv.factors.title} ({inv.factors.label}, sha256 "
        f"{inv.factors.sha256[:12]}).",
        f"Computed by hginv {m['hginv_version']} from {m['input_file']} at {m['computed_at']}.",
        "All quantities are kg of mercury per year.",
    ]
    r = 3
    for line in lines:
        put_cell(ws, r, 1, line).alignment = styles["wrap"]
        fit_row_height(ws, r)
        r += 1
    r += 1
    n = inv.recalled_count
    if n:
        put_cell(
            ws,
            r,
            1,
            f"CAUTION: {n} of the {len(inv.results)} factors used are 'recalled', "
            "not confirmed against the official Toolkit.",
            font=styles["warn"],
        )
        put_cell(
            ws,
            r + 1,
            1,
            "A recalled factor is the best value that could be justified, with the "
            "Toolkit table it belongs to, but it was not checked against a copy of the Toolkit. "
            "See the sheet 'Factors used' (column Status) and check these values against the "
            "official Level 1 calculation spreadsheet before publishing.",
        ).alignment = styles["wrap"]
        fit_row_height(ws, r + 1)
        r += 3
    else:
        put_cell(
            ws,
            r,
            1,
            "All factors used are confirmed against their cited source.",
            font=styles["bold"],
        )
        r += 2
    put_cell(ws, r, 1, "Sheets", font=styles["bold"])
    sheets = [
        (
            "Summary inputs",
            "Mercury inputs to society per sub-category, with the double-counting "
            "adjustment and the national total.",
        ),
        (
            "Summary releases",
            "Releases per sub-category and pathway, with the adjustments and totals.",
        ),
        ("Source groups", "Inputs and releases by source group as counted in the totals."),
        (
            "Charts",
            "Releases by source group and pathway, share of each pathway, and the ten "
            "largest sub-categories.",
        ),
        (
            "Sources present",
            "Every sub-category of the Toolkit and whether it was quantified, "
            "reported absent (NO), not estimated (NE), not applicable (NA) or included "
            "elsewhere (IE).",
        ),
        ("Results", "All result rows (the same as the CSV output)."),
        ("5.x.x sheets", "One sheet per sub-category quantified: the calculation step by step."),
        ("Factors used", "Every factor with its source document, table/page and evidence status."),
        (
            "Convention and NFR",
            "Air emissions summed by Minamata Annex D category and by EMEP/EEA NFR code.",
        ),
        ("Metadata", "Versions, hashes and input file of this run."),
    ]
    for name, text in sheets:
        r += 1
        put_cell(ws, r, 1, f"{name}: {text}").alignment = styles["wrap"]
        fit_row_height(ws, r)
    if inv.warnings:
        r += 2
        put_cell(ws, r, 1, "Warnings from reading the input", font=styles["bold"])
        for w in inv.warnings:
            r += 1
            put_cell(ws, r, 1, str(w)).alignment = styles["wrap"]
            fit_row_height(ws, r)
    set_widths(ws, {"A": README_WIDTH})


def _inputs_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Summary inputs")
    put_cell(ws, 1, 1, "Summary of mercury inputs to society (kg Hg/y)", font=styles["title"])
    s = inv.input_summary()
    headers = [
        "Code",
        "Sub-category",
        "Source group",
        "Calculated Hg input (kg Hg/y)",
        "Share counted in the total",
        "Hg input counted in the total (kg Hg/y)",
    ]
    rows = s.itertuples(index=False)
    r = write_table(ws, 3, headers, rows, {4: KG, 5: "0%", 6: KG}, styles, "tblSummaryInputs")
    total_calc = float(s["hg_input_kg"].sum())
    total_counted = float(s["counted_input_kg"].sum())
    total_row(ws, r, "Sum of calculated inputs", [total_calc], 4, styles)
    total_row(ws, r + 1, "Adjustment for double counting", [total_counted - total_calc], 4, styles)
    total_row(ws, r + 2, "Total quantified mercury inputs", [total_counted], 4, styles)
    notes = [
        "Double counting: only part of the input calculated for some waste sub-categories counts "
        "in the total (column 'Share counted'), because most mercury in waste was already counted "
        "as input under the product sub-categories; waste water input is counted under the rows it "
        "comes from. The shares come from the factor table (column input_total_weight).",
    ]
    for i, note in enumerate(notes):
        put_cell(ws, r + 4 + i, 1, note).alignment = styles["wrap"]
    ws.merge_cells(start_row=r + 4, start_column=1, end_row=r + 4, end_column=6)
    ws.row_dimensions[r + 4].height = 45
    ws.freeze_panes = "C4"
    set_widths(ws, {"A": 9, "B": 60, "C": 38, "D": 18, "E": 14, "F": 20})


def _releases_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Summary releases")
    put_cell(ws, 1, 1, "Summary of mercury releases (kg Hg/y)", font=styles["title"])
    r = inv.results
    headers = [
        "Code",
        "Sub-category",
        "Source group",
        *PATHWAY_HEADERS,
        "Total releases (kg Hg/y)",
    ]
    rows = (
        [
            row.code,
            row.label,
            row.group_name,
            *(getattr(row, c) for c in OUTPUT_COLUMNS),
            sum(getattr(row, c) for c in OUTPUT_COLUMNS),
        ]
        for row in r.itertuples(index=False)
    )
    fmt = {c: KG for c in range(4, 11)}
    nxt = write_table(ws, 3, headers, rows, fmt, styles, "tblSummaryReleases")
    sums, totals = inv.sums(), inv.totals()
    keys = [*OUTPUT_COLUMNS, "releases_kg"]
    total_row(ws, nxt, "Sum of calculated releases", [sums[k] for k in keys], 4, styles)
    total_row(
        ws,
        nxt + 1,
        "Adjustment for double counting",
        [totals[k] - sums[k] for k in keys],
        4,
        styles,
    )
    total_row(ws, nxt + 2, "Total quantified releases", [totals[k] for k in keys], 4, styles)
    excluded = r[r["release_total_exclude"] != ""]
    note = "Double counting: " + (
        "; ".join(
            f"{row.code} {row.sub_category}: release to "
            f"{', '.join(PATHWAY_LABELS[p].lower() for p in row.release_total_exclude.split(';'))}"
            " is left out of the total"
            for row in excluded.itertuples(index=False)
        )
        if len(excluded)
        else "no adjustment applies to the sub-categories present."
    )
    put_cell(ws, nxt + 4, 1, note).alignment = styles["wrap"]
    ws.merge_cells(start_row=nxt + 4, start_column=1, end_row=nxt + 4, end_column=10)
    ws.row_dimensions[nxt + 4].height = 45
    ws.freeze_panes = "C4"
    set_widths(ws, {"A": 9, "B": 60, "C": 38, **{chr(68 + i): 16 for i in range(7)}})


def _groups_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Source groups")
    put_cell(
        ws,
        1,
        1,
        "Inputs and releases by source group, as counted in the national totals (kg Hg/y)",
        font=styles["title"],
    )
    g = inv.group_summary()
    headers = ["Source group", "Hg input (kg Hg/y)", *PATHWAY_HEADERS, "Total releases (kg Hg/y)"]
    cols = ["source_group", "hg_input_kg", *OUTPUT_COLUMNS, "releases_kg"]
    nxt = write_table(
        ws,
        3,
        headers,
        g[cols].itertuples(index=False),
        {c: KG for c in range(2, 10)},
        styles,
        "tblSourceGroups",
    )
    t = inv.totals()
    total_row(ws, nxt, "National total", [t[c] for c in cols[1:]], 2, styles)
    ws.freeze_panes = "B4"
    set_widths(ws, {"A": 60, **{chr(66 + i): 16 for i in range(8)}})


def _sources_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Sources present")
    from hginventory.engine.inventory import sources_present

    put_cell(ws, 1, 1, "Mercury release source types present", font=styles["title"])
    s = sources_present(inv)
    write_table(
        ws,
        3,
        ["Code", "Sub-category", "Source group", "Presence", "Detail / notes"],
        s.itertuples(index=False),
        styles=styles,
        name="tblSourcesPresent",
    )
    ws.freeze_panes = "C4"
    set_widths(ws, {"A": 9, "B": 60, "C": 38, "D": 14, "E": 50})


def _results_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Results")
    frame = inv.csv_frame()
    fmt = {i + 1: KG for i, c in enumerate(CSV_COLUMNS) if c.endswith("_kg")}
    write_table(
        ws, 1, list(frame.columns), frame.itertuples(index=False), fmt, styles, "tblResults"
    )
    ws.freeze_panes = "C2"
    set_widths(ws, {"A": 9, "B": 50})


def _detail_sheets(wb, inv: Inventory, styles) -> None:
    """One sheet per sub-category: the calculation a reviewer can redo by hand."""
    for row in inv.results.itertuples(index=False):
        if row.facility:  # facility rows are on the Facilities sheet (level2.facilities_sheet)
            continue
        ws = wb.create_sheet(row.code)
        put_cell(ws, 1, 1, f"{row.code} {row.sub_category}", font=styles["title"])
        items = [
            ("Source group", row.group_name, None),
            ("Activity rate", row.activity, "#,##0.###"),
            ("Activity unit", f"{row.activity_unit} ({row.activity_description})", None),
            ("Default input factor", row.default_input_factor, SMALL),
            ("Input factor unit", row.input_factor_unit, None),
            (
                "Electrification scaling",
                (
                    f"x {row.scale:g} (electrification rate {inv.country.electrification_rate:g} %)"
                    if row.scaling == "electrification"
                    else "not applied"
                ),
                None,
            ),
            ("Input factor used", row.input_factor, SMALL),
            ("Unit conversion to kg Hg", row.unit_multiplier, SMALL),
            ("Hg input (kg Hg/y)", row.hg_input_kg, KG),
            ("Share of input counted in the national total", row.input_total_weight, "0%"),
        ]
        r = 3
        for label, value, fmt in items:
            put_cell(ws, r, 1, label, font=styles["bold"])
            put_cell(ws, r, 2, value, fmt)
            r += 1
        r += 1
        headers = ["Pathway", "Distribution factor", "Output (kg Hg/y)", "Counted in total"]
        excluded = row.release_total_exclude.split(";")
        rows = [
            [
                PATHWAY_LABELS[p],
                getattr(row, p),
                getattr(row, f"{p}_kg"),
                "no" if p in excluded else "yes",
            ]
            for p in PATHWAYS
        ]
        r = write_table(ws, r, headers, rows, {2: "0.0000", 3: KG}, styles)
        total_row(
            ws,
            r,
            "Total",
            [
                1.0 * sum(getattr(row, p) for p in PATHWAYS),
                sum(getattr(row, f"{p}_kg") for p in PATHWAYS),
            ],
            2,
            styles,
        )
        r += 2
        for label, value in [
            ("Factor", row.factor_id),
            ("Source", row.factor_source),
            (
                "Status",
                f"{row.status}"
                + (f" (confidence {row.confidence})" if row.status == "recalled" else ""),
            ),
            ("Factor note", row.note),
            ("Basis", row.basis),
            ("Input cell", f"activity!{row.activity_cell}"),
            ("Notes from the input", row.notes),
        ]:
            put_cell(ws, r, 1, label, font=styles["bold"])
            put_cell(ws, r, 2, value).alignment = styles["wrap"]
            r += 1
        set_widths(ws, {"A": 44, "B": 22, "C": 18, "D": 16})
        ws.column_dimensions["B"].width = 60


def _factors_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Factors used")
    put_cell(ws, 1, 1, "Factors used, with provenance", font=styles["title"])
    docs = inv.factors.documents
    headers = [
        "Factor id",
        "Code",
        "Sub-category",
        "Input factor (default)",
        "Low",
        "High",
        "Unit",
        *[PATHWAY_LABELS[p] for p in PATHWAYS],
        "Status",
        "Confidence",
        "Document",
        "Version",
        "Table / page",
        "Note",
    ]
    rows = [
        [
            row.factor_id,
            row.code,
            row.sub_category,
            row.default_input_factor,
            row.input_factor_low,
            row.input_factor_high,
            row.input_factor_unit,
            *(getattr(row, p) for p in PATHWAYS),
            row.status,
            row.confidence,
            docs.get(row.document, {}).get("title", row.document),
            row.version,
            row.table_page,
            row.note,
        ]
        for row in inv.results.itertuples(index=False)
    ]
    write_table(ws, 3, headers, rows, styles=styles, name="tblFactorsUsed")
    ws.freeze_panes = "D4"
    set_widths(ws, {"A": 30, "B": 8, "C": 45, "P": 40, "R": 40, "S": 60})


def _metadata_sheet(wb, inv: Inventory, styles) -> None:
    ws = wb.create_sheet("Metadata")
    write_table(
        ws,
        1,
        ["Field", "Value"],
        ([k, v] for k, v in inv.metadata.items()),
        styles=styles,
        name="tblMetadata",
    )
    set_widths(ws, {"A": 30, "B": 70})


def _bar_chart(title: str, horizontal: bool = True, stacked: bool = False):
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.y_axis.title = "kg Hg/y"
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.majorGridlines = None
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"
    # openpyxl >= 3.1 hides axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 26, 13
    return chart


def _text_categories(chart, ref) -> None:
    """Category labels as text references (openpyxl would declare them numeric)."""
    from openpyxl.chart.data_source import AxDataSource, StrRef

    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _charts_sheet(wb, inv: Inventory, styles) -> None:
    """Native Excel charts over the summary figures (they stay live if a value is edited)."""
    from openpyxl.chart import PieChart, Reference
    from openpyxl.chart.label import DataLabelList

    ws = wb.create_sheet("Charts")
    put_cell(ws, 1, 1, "Charts of the national totals (kg Hg/y)", font=styles["title"])
    set_widths(ws, {"A": 30, "B": 12, "C": 52, "D": 16, "E": 18})
    totals = inv.totals()
    put_cell(
        ws, 3, 1, "Releases per pathway, as counted in the national totals", font=styles["bold"]
    )
    share = [
        totals[c] / totals["releases_kg"] if totals["releases_kg"] else 0.0 for c in OUTPUT_COLUMNS
    ]
    rows = [[PATHWAY_LABELS[p], totals[f"{p}_kg"], share[i]] for i, p in enumerate(PATHWAYS)]
    nxt = write_table(
        ws,
        4,
        ["Pathway", "Releases (kg Hg/y)", "Share of total releases"],
        rows,
        {2: KG, 3: "0.0%"},
        styles,
        "tblPathwayShares",
    )
    top = top_sources(inv)
    start = nxt + 2
    put_cell(ws, start - 1, 1, "The ten largest sub-categories", font=styles["bold"])
    rows = [
        [f"{t.code} {t.sub_category}", t.code, t.source_group, t.hg_input_kg, t.releases_kg]
        for t in top.itertuples(index=False)
    ]
    last = write_table(
        ws,
        start,
        [
            "Sub-category",
            "Code",
            "Source group",
            "Hg input (kg Hg/y)",
            "Releases counted in the total (kg Hg/y)",
        ],
        rows,
        {4: KG, 5: KG},
        styles,
        "tblTopSources",
    )
    if inv.results.empty:
        put_cell(ws, last + 1, 1, "No sub-category was quantified: nothing to chart.")
        return
    groups = wb["Source groups"]
    n_groups = len(inv.group_summary())
    stacked = _bar_chart("Releases by source group and pathway (kg Hg/y)", stacked=True)
    stacked.add_data(
        Reference(groups, min_col=3, max_col=8, min_row=3, max_row=3 + n_groups),
        titles_from_data=True,
    )
    _text_categories(stacked, Reference(groups, min_col=1, min_row=4, max_row=3 + n_groups))
    stacked.legend.position = "b"
    ws.add_chart(stacked, "G3")

    pie = PieChart()
    pie.title = "Share of releases per pathway"
    pie.add_data(
        Reference(ws, min_col=2, min_row=4, max_row=4 + len(PATHWAYS)), titles_from_data=True
    )
    _text_categories(pie, Reference(ws, min_col=1, min_row=5, max_row=4 + len(PATHWAYS)))
    pie.dataLabels = DataLabelList()
    pie.dataLabels.showPercent = True
    for flag in ("showVal", "showCatName", "showSerName", "showLegendKey"):
        setattr(pie.dataLabels, flag, False)
    pie.width, pie.height = 16, 10
    ws.add_chart(pie, "G31")

    bars = _bar_chart("The ten largest sub-categories: releases (kg Hg/y)")
    bars.add_data(
        Reference(ws, min_col=5, min_row=start, max_row=start + len(top)), titles_from_data=True
    )
    _text_categories(bars, Reference(ws, min_col=1, min_row=start + 1, max_row=start + len(top)))
    bars.legend = None
    ws.add_chart(bars, "G52")


def _print_setup(wb, inv: Inventory) -> None:
    """Every sheet prints landscape on A4, fitted to the page width, with its name and page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    place = f"{inv.country.country} {inv.country.year}".replace("&", "&&")
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.oddHeader.left.text = place
        ws.oddHeader.right.text = "&A"
        ws.oddFooter.center.text = "Page &P of &N"


def build_workbook(inv: Inventory):
    from openpyxl import Workbook

    styles = sheet_styles()
    wb = Workbook()
    _readme(wb, inv, styles)
    _inputs_sheet(wb, inv, styles)
    _releases_sheet(wb, inv, styles)
    _groups_sheet(wb, inv, styles)
    _charts_sheet(wb, inv, styles)
    _sources_sheet(wb, inv, styles)
    _results_sheet(wb, inv, styles)
    facilities_sheet(wb, inv, styles)
    article8_sheet(wb, inv, styles)
    _detail_sheets(wb, inv, styles)
    _factors_sheet(wb, inv, styles)
    crosscheck_sheet(wb, inv, styles)
    if inv.uncertainty is not None:
        from hginventory.write.uncertainty_sheet import add_uncertainty_sheet

        add_uncertainty_sheet(wb, inv)
    from hginventory.write.crosswalk_sheet import convention_sheet

    convention_sheet(wb, inv, styles)
    _metadata_sheet(wb, inv, styles)
    _print_setup(wb, inv)
    return wb


def write_workbook(inventory: Inventory, path: str | Path, protect=()) -> Path:
    """The national inventory workbook: summaries, details, factors and metadata."""
    wb = build_workbook(inventory)
    return atomic_write(path, lambda tmp: wb.save(tmp), protect)
