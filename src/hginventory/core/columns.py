"""The result columns every stage agrees on: the six pathways and the CSV contract."""

from __future__ import annotations

PATHWAYS = ("air", "water", "land", "byproducts", "general_waste", "sector_treatment")


PATHWAY_LABELS = {
    "air": "Air",
    "water": "Water",
    "land": "Land",
    "byproducts": "By-products and impurities",
    "general_waste": "General waste",
    "sector_treatment": "Sector specific treatment/disposal",
}


OUTPUT_COLUMNS = [f"{p}_kg" for p in PATHWAYS]


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
]
