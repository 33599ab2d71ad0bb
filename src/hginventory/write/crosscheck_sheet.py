"""The workbook sheet of the EMEP/EEA cross-check."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hginventory.engine.inventory import Inventory

from hginventory.engine.crosscheck import FLAG_ABOVE, FLAG_BELOW

SHEET_NAME = "Cross-check EMEP"


SHEET_HEADERS = [
    ("Code", "code", None),
    ("Sub-category", "sub_category", None),
    ("Facility", "facility", None),
    ("Toolkit air (kg Hg/y)", "air_kg", "kg"),
    ("Toolkit factor status", "toolkit_status", None),
    ("Guidebook air (kg Hg/y)", "air_kg_emep", "kg"),
    ("Guidebook 95 % low (kg Hg/y)", "air_kg_emep_low", "kg"),
    ("Guidebook 95 % high (kg Hg/y)", "air_kg_emep_high", "kg"),
    ("Ratio Toolkit / Guidebook", "ratio", "ratio"),
    ("Flag", "flag", None),
    ("Guidebook row", "row_id", None),
    ("NFR and table", "emep_ref", None),
    ("Guidebook chapter", "chapter", None),
    ("Tier and technology / fuel", "description", None),
    ("Emission factor", "ef", "small"),
    ("CI low", "ef_low", "small"),
    ("CI high", "ef_high", "small"),
    ("Factor unit", "ef_unit", None),
    ("Activity rate", "activity", "num"),
    ("Activity unit", "activity_unit", None),
    ("Conversion", "conversion", "small"),
    ("Conversion unit", "conversion_unit", None),
    ("Conversion source", "conversion_source", None),
    ("Conversion is an assumption", "assumption", None),
    ("Match", "match", None),
    ("Note", "note", None),
]


def crosscheck_sheet(wb, inv: Inventory, styles) -> None:
    """The 'Cross-check EMEP' sheet; nothing when the inventory has no cross-check."""
    cc = getattr(inv, "crosscheck", None)
    if cc is None:
        return
    from hginventory.write.sheets import KG, SMALL, put_cell, set_widths, total_row, write_table

    ws = wb.create_sheet(SHEET_NAME)
    put_cell(
        ws, 1, 1, "Cross-check of air releases with the EMEP/EEA Guidebook", font=styles["title"]
    )
    lines = [
        f"{len(cc.flagged())} of the {len(cc.mapped)} sub-categories with a Guidebook row are "
        "flagged: their Toolkit air figure lies outside the Guidebook's 95 % interval.",
        f"Guidebook factors: {cc.factors.title} ({cc.factors.label}, sha256 "
        f"{cc.factors.sha256[:12]}); status confirmed, with 95 % confidence intervals.",
        "Guidebook air = activity rate x conversion to the Guidebook's activity unit x emission "
        "factor (low and high: x the interval's bounds). Toolkit air = Hg input x air "
        "distribution factor, from recalled factors.",
        "Flag: the Toolkit air figure lies above or below the Guidebook's 95 % interval. Large "
        "gaps are expected where the Toolkit's input factor x air share stands for plants with "
        "little abatement and the Guidebook factor for abated (European) plants, or the reverse.",
        "Conversions marked as an assumption are defaults: give your country's value with "
        "`hginv compute ... --crosscheck emep --conversion CODE=VALUE`.",
    ]
    for i, line in enumerate(lines, start=3):
        put_cell(ws, i, 1, line)
    formats = {"kg": KG, "small": SMALL, "num": "#,##0.###", "ratio": "0.00"}
    fmt = {i: formats[f] for i, (_, _, f) in enumerate(SHEET_HEADERS, start=1) if f}
    rows = []
    for rec in cc.frame.to_dict("records"):
        values = []
        for _, col, _ in SHEET_HEADERS:
            v = rec[col]
            if col == "assumption":
                v = "" if v is None else ("yes" if v else "no")
            values.append(v)
        rows.append(values)
    top = 3 + len(lines) + 1
    nxt = write_table(ws, top, [h for h, _, _ in SHEET_HEADERS], rows, fmt, styles)
    flag_col = [c for _, c, _ in SHEET_HEADERS].index("flag") + 1
    for r in range(top + 1, nxt):
        cell = ws.cell(row=r, column=flag_col)
        if cell.value in (FLAG_ABOVE, FLAG_BELOW):
            cell.font = styles["warn"]
    mapped = cc.mapped
    total_row(
        ws,
        nxt,
        "Sum of the mapped sub-categories",
        [float(mapped["air_kg"].sum()), None, float(mapped["air_kg_emep"].sum())],
        3,
        styles,
    )
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    set_widths(
        ws,
        {
            "A": 9,
            "B": 48,
            "C": 14,
            "D": 12,
            "E": 14,
            "F": 14,
            "G": 14,
            "H": 12,
            "I": 16,
            "J": 20,
            "K": 22,
            "L": 36,
            "M": 40,
            "V": 50,
            "Y": 60,
        },
    )
