"""Names as the report prints them, in the report's language: output pathways (in full, and
short for table headers), sub-categories and source groups. Every chapter, annex and chart
names things alike; the CSV keeps the English names."""

from __future__ import annotations

from hginventory.core.columns import PATHWAY_LABELS
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import clean

SHORT_PATHWAY = {
    "air": N_("Air"),
    "water": N_("Water"),
    "land": N_("Land"),
    "byproducts": N_("By-products"),
    "general_waste": N_("General waste"),
    "sector_treatment": N_("Sector treatment"),
}


def short_pathway(p: str) -> str:
    return _(SHORT_PATHWAY[p])


def pathway_name(p: str) -> str:
    return _(PATHWAY_LABELS[p])


def sub_category_name(code: str, english) -> str:
    """A sub-category's name in the report's language (the CSV keeps the English one)."""
    from hginventory.tables.translations import name_of

    return clean(name_of(str(code), english))


def source_group_names(inv: Inventory) -> dict[str, str]:
    """English source-group name -> its name in the report's language."""
    from hginventory.tables.translations import group_names

    return group_names(inv.factors.groups)
