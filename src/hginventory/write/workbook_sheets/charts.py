"""The Charts sheet: outputs per pathway and the ten largest sub-categories by releases, as
formulas over the Summary and Calculation sheets, with three charts drawn from them."""

from __future__ import annotations

from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS, RELEASE_PATHWAYS
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import AXIS_FORMAT, FRACTION, MASS, excel_format
from hginventory.engine.inventory import Inventory, top_sources
from hginventory.write.workbook_sheets.layout import CALC_SHEET, SUMMARY_SHEET, H, Layout
from hginventory.write.xlsx import Book, ref

TEXT = Texts(
    {
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
    }
)


def charts_sheet(book: Book, inv: Inventory, lay: Layout, national: int) -> None:
    """Outputs per pathway (formulas over the Summary's national total, row `national`), the
    ten largest sub-categories by releases (formulas over the Calculation rows), and the
    stacked bar, pie and bar charts drawn from them and from the Summary."""
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
