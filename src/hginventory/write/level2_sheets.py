"""Workbook sheets of Level 2: facilities and Article 8 air emissions."""

from __future__ import annotations

from hginventory.core.columns import PATHWAYS
from hginventory.engine.level2 import article8_table
from hginventory.read.facilities import FACILITY_SHEET


def facilities_sheet(wb, inv, styles) -> None:
    """The `Facilities` sheet: every facility row with its factors and how it was computed."""
    from hginventory.core.columns import PATHWAY_LABELS
    from hginventory.write.sheets import KG, SMALL, put_cell, set_widths, write_table

    r = inv.results
    if "facility" not in r.columns or not (r["facility"] != "").any():
        return
    fac = r[r["facility"] != ""]
    ws = wb.create_sheet("Facilities")
    put_cell(ws, 1, 1, "Level 2: facilities (kg Hg/y)", font=styles["title"])
    put_cell(
        ws,
        2,
        1,
        "Method 'measured': a stack measurement or plant mass balance replaced the "
        "factor. Rows of the same code without a facility are computed at Level 1 defaults "
        "(national activity minus the facilities).",
    )
    headers = [
        "Code",
        "Sub-category",
        "Facility",
        "Method",
        "Activity",
        "Unit",
        "Input factor used (effective)",
        "Input factor unit",
        "Input basis",
        "Control configuration",
        "Measured Hg input (kg/y)",
        "Measured air (kg/y)",
        "Hg input (kg Hg/y)",
        *[f"{PATHWAY_LABELS[p]} (kg Hg/y)" for p in PATHWAYS],
        "Factor ids",
        "Sources",
        "Status",
        "Input cell",
        "Notes",
    ]
    rows = (
        [
            x.code,
            x.sub_category,
            x.facility,
            x.method,
            x.activity,
            x.activity_unit,
            x.input_factor,
            x.input_factor_unit,
            x.basis,
            x.control,
            x.measured_input_kg,
            x.measured_air_kg,
            x.hg_input_kg,
            *(getattr(x, f"{p}_kg") for p in PATHWAYS),
            x.factor_id,
            x.factor_source,
            x.status,
            f"{FACILITY_SHEET}!{x.activity_cell}",
            x.notes,
        ]
        for x in fac.itertuples(index=False)
    )
    fmt = {5: "#,##0.###", 7: SMALL, 11: KG, 12: KG, **{c: KG for c in range(13, 20)}}
    write_table(ws, 4, headers, rows, fmt, styles)
    ws.freeze_panes = "D5"
    set_widths(ws, {"A": 9, "B": 40, "C": 30, "I": 45, "J": 24, "T": 50, "U": 60})


def article8_sheet(wb, inv, styles) -> None:
    """The `Article 8 air emissions` sheet: Annex D sources summed, facilities and defaults."""
    from hginventory.write.sheets import KG, put_cell, set_widths, total_row, write_table

    table = article8_table(inv)
    ws = wb.create_sheet("Article 8 air emissions")
    put_cell(
        ws,
        1,
        1,
        "Minamata Convention Article 8: air emissions from Annex D sources (kg Hg/y)",
        font=styles["title"],
    )
    headers = [
        "Annex D source category",
        "Toolkit codes",
        "Codes quantified",
        "Facilities",
        "Air, facilities (kg Hg/y)",
        "Air, Level 1 defaults (kg Hg/y)",
        "Air, total (kg Hg/y)",
        "Note",
    ]
    nxt = write_table(ws, 3, headers, table.itertuples(index=False), {5: KG, 6: KG, 7: KG}, styles)
    total_row(
        ws,
        nxt,
        "Total, Annex D sources",
        [float(table[c].sum()) for c in ("air_facilities_kg", "air_default_kg", "air_kg")],
        5,
        styles,
    )
    set_widths(ws, {"A": 60, "B": 24, "C": 24, "D": 11, "E": 18, "F": 18, "G": 18, "H": 70})
