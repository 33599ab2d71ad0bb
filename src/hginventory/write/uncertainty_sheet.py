"""The workbook sheet of the uncertainty analysis."""

from __future__ import annotations

from hginventory.core.columns import PATHWAYS
from hginventory.engine.inventory import Inventory
from hginventory.engine.uncertainty import STATS

UNCERTAINTY_SHEET = "Uncertainty"


UNCERTAINTY_HEADERS = [
    "Point estimate",
    "Monte Carlo mean",
    "Median",
    "2.5th percentile",
    "97.5th percentile",
    "Approach 1 U (%)",
    "Approach 1 low",
    "Approach 1 high",
]


UNCERTAINTY_COLUMNS = ["point", *STATS, "approach1_u_pct", "approach1_low", "approach1_high"]


def add_uncertainty_sheet(wb, inv: Inventory) -> None:
    """The sheet 'Uncertainty': national totals, source groups, sub-categories, distributions."""
    from hginventory.core.columns import PATHWAY_LABELS
    from hginventory.write.sheets import KG, put_cell, set_widths, sheet_styles, write_table

    res = inv.uncertainty
    styles = sheet_styles()
    names = {
        "hg_input_kg": "Hg input",
        **{f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS},
        "releases_kg": "Total releases",
    }
    if "Read me" in wb.sheetnames:
        readme = wb["Read me"]
        put_cell(
            readme,
            readme.max_row + 2,
            1,
            f"{UNCERTAINTY_SHEET}: ranges of the national totals, source groups and sub-categories "
            f"(Monte Carlo, {res.draws:,} draws, seed {res.seed}) and IPCC Approach 1 "
            "error propagation, with the distributions used.",
        ).alignment = styles["wrap"]
    ws = wb.create_sheet(UNCERTAINTY_SHEET)
    put_cell(ws, 1, 1, "Uncertainty of the inventory (kg Hg/y)", font=styles["title"])
    notes = [
        f"Monte Carlo with {res.draws:,} draws, seed {res.seed} (the same seed gives the same "
        "numbers). Input factors: split lognormal with the default as median and the low/high "
        "range as 2.5th/97.5th percentiles, unless the factor table says otherwise. Activity "
        "rates: as given, or with their uncertainty_pct. Distribution factors: Dirichlet "
        f"around the defaults (concentration {res.concentration:g}), summing to 1 in every draw.",
        "Approach 1: IPCC error propagation, U = half-width of the 95 % interval in % of the "
        "point estimate; U of a sum = sqrt(sum (U_i x_i)^2) / sum x_i; distribution factors "
        "taken as exact. National and source group figures are counted as in the summaries "
        "(double-counting adjustments applied); sub-category figures are as calculated.",
    ]
    for i, note in enumerate(notes):
        put_cell(ws, 3 + i, 1, note).alignment = styles["wrap"]
        ws.merge_cells(start_row=3 + i, start_column=1, end_row=3 + i, end_column=11)
        ws.row_dimensions[3 + i].height = 48
    fmt = {c: KG for c in range(4, 12)}
    fmt[9] = "0.0"
    r = 6
    for level, title in [
        ("total", "National totals"),
        ("group", "By source group"),
        ("sub_category", "By sub-category"),
    ]:
        put_cell(ws, r, 1, title, font=styles["bold"])
        t = res.table(level)
        rows = (
            [
                row["key"] if level == "sub_category" else "",
                row["label"],
                names[row["quantity"]],
                *(row[c] for c in UNCERTAINTY_COLUMNS),
            ]
            for _, row in t.iterrows()
            if level == "total" or row["point"] or row["p975"]  # leave out pathways never used
        )
        head = ["Code" if level == "sub_category" else "", "Name", "Quantity", *UNCERTAINTY_HEADERS]
        r = write_table(ws, r + 1, head, rows, fmt, styles) + 1
    put_cell(ws, r, 1, "Distributions used", font=styles["bold"])
    f = res.factors
    rows = (
        [
            row.code,
            row.sub_category,
            row.input_factor_distribution,
            row.input_factor_unit,
            row.factor_u_pct,
            row.activity_u_pct,
        ]
        for row in f.itertuples(index=False)
    )
    head = [
        "Code",
        "Sub-category",
        "Input factor distribution",
        "Unit",
        "Factor U (%)",
        "Activity U (%)",
    ]
    write_table(ws, r + 1, head, rows, {5: "0.0", 6: "0.0"}, styles)
    set_widths(ws, {"A": 9, "B": 50, "C": 30, **{chr(68 + i): 15 for i in range(8)}})
