"""The result columns every stage agrees on: the six pathways and the CSV contract."""

from __future__ import annotations

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


CSV_COLUMNS = [
    "code",
    "sub_category",
    "facility",
    "method",
    "activity",
    "activity_unit",
    "input_factor",
    "input_factor_unit",
    "hg_input_kg",
    *OUTPUT_COLUMNS,
    "factor_id",
    "factor_source",
    "status",
    "key_category",
]


CSV_NUMBER_COLUMNS = ("activity", "input_factor", "hg_input_kg", *OUTPUT_COLUMNS)
"""The result CSV's number columns; every other column of CSV_COLUMNS is text. Every reader of
result CSVs (batch's all.csv and parquet, diff, trend --baseline, report --trend) types its
columns from these two lists, so a new column is typed once, here."""


CSV_TEXT_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in CSV_NUMBER_COLUMNS)
