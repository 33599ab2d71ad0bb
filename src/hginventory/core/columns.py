"""The result columns every stage agrees on: the six pathways and the CSV contract."""

from __future__ import annotations

from dataclasses import dataclass

from hginventory.core.i18n import N_

PATHWAYS = ("air", "water", "land", "byproducts", "general_waste", "sector_treatment")


PATHWAY_LABELS = {
    "air": N_("Air"),
    "water": N_("Water"),
    "land": N_("Land"),
    "byproducts": N_("By-products and impurities"),
    "general_waste": N_("General waste"),
    "sector_treatment": N_("Sector specific treatment/disposal"),
}


OUTPUT_COLUMNS = [f"{p}_kg" for p in PATHWAYS]

# Releases reach the environment; transfers go to products and waste treatment, where the
# mercury may be released later (a landfill's row counts it again).
RELEASE_PATHWAYS = ("air", "water", "land")
TRANSFER_PATHWAYS = ("byproducts", "general_waste", "sector_treatment")

SUBTOTAL_LABELS = {
    "releases_awl_kg": N_("Releases to air, water and land"),
    "transfers_kg": N_("Transfers to products and waste"),
    "releases_kg": N_("Total outputs (releases and transfers)"),
    "outputs_beyond_input_kg": N_("Outputs beyond the counted input (waste rows)"),
}
"""The machine keys of the subtotals; `releases_kg` keeps its old meaning (all six outputs)."""


def with_subtotals(totals: dict) -> dict:
    """`totals` (pathway keys `air_kg`...) with `releases_awl_kg`, `transfers_kg` and
    `releases_kg` (all six outputs, summed in pathway order as always) added."""
    totals["releases_awl_kg"] = sum(totals[f"{p}_kg"] for p in RELEASE_PATHWAYS)
    totals["transfers_kg"] = sum(totals[f"{p}_kg"] for p in TRANSFER_PATHWAYS)
    totals["releases_kg"] = sum(totals[f"{p}_kg"] for p in PATHWAYS)
    return totals


@dataclass(frozen=True)
class Column:
    """One column of the result CSV: its name, its kind (`text` or `number`) and the label a
    focal point reads for it (translated where it is shown)."""

    name: str
    kind: str
    label: str


RESULT_COLUMNS = (
    Column("code", "text", N_("Code")),
    Column("sub_category", "text", N_("Sub-category")),
    Column("facility", "text", N_("Facility")),
    Column("method", "text", N_("Method")),
    Column("activity", "number", N_("Activity")),
    Column("activity_unit", "text", N_("Activity unit")),
    Column("input_factor", "number", N_("Input factor")),
    Column("input_factor_unit", "text", N_("Input factor unit")),
    Column("hg_input_kg", "number", N_("Hg input")),
    *(Column(f"{p}_kg", "number", PATHWAY_LABELS[p]) for p in PATHWAYS),
    Column("factor_id", "text", N_("Factor id")),
    Column("factor_source", "text", N_("Source")),
    Column("status", "text", N_("Status")),
    Column("key_category", "text", N_("Key category")),
)
"""The result CSV's contract (docs/csv-contract.md), in its order: the CSV header, the text
and number columns every reader types them by (batch's all.csv and parquet, diff,
trend --baseline, report --trend) all derive from this one table."""


CSV_COLUMNS = [c.name for c in RESULT_COLUMNS]

CSV_NUMBER_COLUMNS = tuple(c.name for c in RESULT_COLUMNS if c.kind == "number")
"""The result CSV's number columns; every other column is text."""

CSV_TEXT_COLUMNS = tuple(c.name for c in RESULT_COLUMNS if c.kind == "text")
