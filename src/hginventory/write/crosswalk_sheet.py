"""The workbook sheet of the Annex D / NFR convention view."""

from __future__ import annotations

from hginventory.engine.crosswalk import summarise
from hginventory.tables.crosswalk import load_crosswalk


def convention_sheet(wb, inv, styles) -> None:
    """Workbook sheet 'Convention and NFR': air emissions by Annex D category and by NFR code."""
    from hginventory.write.sheets import KG, put_cell, set_widths, write_table

    ws = wb.create_sheet("Convention and NFR")
    put_cell(ws, 1, 1, "Air emissions summed for reporting (kg Hg/y)", font=styles["title"])
    note = (
        "Air emissions as counted in the national totals, summed by the Minamata Convention's "
        "Annex D source categories (Article 8) and by EMEP/EEA NFR code (CLRTAP). A "
        "sub-category with several NFR codes is summed under its primary code; the others are "
        "listed. Links from factors/crosswalk.csv; Convention links are recalled, not checked."
    )
    put_cell(ws, 2, 1, note).alignment = styles["wrap"]
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.row_dimensions[2].height = 45
    links = load_crosswalk()
    annex = summarise(inv, "annex-d", links)
    r = write_table(
        ws,
        4,
        ["Annex D source category", "Sub-categories", "Air (kg Hg/y)"],
        annex.itertuples(index=False),
        {3: KG},
        styles,
    )
    nfr = summarise(inv, "nfr", links)
    write_table(
        ws,
        r + 2,
        ["NFR code", "Sub-categories", "Air (kg Hg/y)", "Other NFR codes they touch"],
        nfr.itertuples(index=False),
        {3: KG},
        styles,
    )
    set_widths(ws, {"A": 60, "B": 40, "C": 16, "D": 50})
