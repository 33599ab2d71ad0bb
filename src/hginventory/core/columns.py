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
