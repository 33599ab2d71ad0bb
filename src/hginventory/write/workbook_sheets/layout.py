"""Where things are on the live sheets: rows of the Calculation and Factors sheets, columns by
name, and the column headers the sheets share."""

from __future__ import annotations

from hginventory.core.columns import PATHWAYS
from hginventory.core.i18n import N_, Texts
from hginventory.engine.inventory import Inventory

FACTORS_SHEET = "Factors"
CALC_SHEET = "Calculation"
SUMMARY_SHEET = "Summary"

H = Texts(
    {
        "code": N_("Code"),
        "sub_category": N_("Sub-category"),
        "facility": N_("Facility"),
        "method": N_("Method"),
        "activity": N_("Activity"),
        "unit": N_("Unit"),
        "conversion": N_("Unit conversion"),
        "factor": N_("Input factor"),
        "factor_used": N_("Input factor used"),
        "factor_unit": N_("Input factor unit"),
        "hg_input": N_("Hg input"),
        "releases": N_("Total outputs (releases and transfers)"),
        "counted": N_("Share of input counted"),
        "status": N_("Status"),
        "factor_id": N_("Factor id"),
        "default": N_("Default input factor"),
        "low": N_("Low"),
        "high": N_("High"),
        "scale": N_("Electrification scaling"),
        "left_out": N_("Left out of the totals"),
        "confidence": N_("Confidence"),
        "document": N_("Document"),
        "version": N_("Version"),
        "table_page": N_("Table / page"),
        "note": N_("Note"),
        "group": N_("Source group"),
        "presence": N_("Presence"),
        "detail": N_("Detail / notes"),
        "pathway": N_("Pathway"),
        "share": N_("Share of total releases"),
        "field": N_("Field"),
        "value": N_("Value"),
    }
)
"""Column headers, by the column's name in `Layout`."""


def is_empty(inv: Inventory) -> bool:
    """Nothing was quantified (no activity entered, or only notation keys)."""
    return inv.results.empty


class Layout:
    """Where things are: rows of the Calculation and Factors sheets, columns by name."""

    def __init__(self, inv: Inventory):
        r = inv.results
        self.level2 = "method" in r.columns and bool((r["method"] != "default").any())
        cols = ["code", "sub_category"]
        if self.level2:
            cols += ["facility", "method"]
        cols += ["activity", "unit", "conversion", "factor", "factor_unit", "hg_input"]
        cols += list(PATHWAYS) + ["releases", "counted", "status"]
        self.calc_cols = {name: i for i, name in enumerate(cols)}
        fcols = [
            "factor_id",
            "code",
            "sub_category",
            "default",
            "low",
            "high",
            "scale",
            "factor",
            "factor_unit",
            *PATHWAYS,
            "counted",
            "left_out",
            "status",
            "confidence",
            "document",
            "version",
            "table_page",
            "note",
        ]
        self.factor_cols = {name: i for i, name in enumerate(fcols)}
        self.factor_top = 3  # header row of the Factors table
        # groups in order, each with its result positions; Factors rows follow the same order
        order = sorted(range(len(r)), key=lambda i: (int(r["group_order"].iat[i]), i))
        self.groups: list[tuple[str, list[int]]] = []
        for i in order:
            name = str(r["group_name"].iat[i])
            if not self.groups or self.groups[-1][0] != name:
                self.groups.append((name, []))
            self.groups[-1][1].append(i)
        self.order = order
        self.position = {i: k for k, i in enumerate(order)}
        self.calc_top = 3  # header row of the Calculation table
        self.calc_row: dict[int, int] = {}
        self.subtotal_row: dict[str, int] = {}
        self.group_rows: dict[str, tuple[int, int]] = {}
        row = self.calc_top + 1
        for name, members in self.groups:
            row += 1  # the group's heading row
            first = row
            for i in members:
                self.calc_row[i] = row
                row += 1
            self.group_rows[name] = (first, row - 1)
            self.subtotal_row[name] = row
            row += 2
        self.all_row = row

    def factor_row(self, i: int) -> int:
        return self.factor_top + 1 + self.position[i]

    def c(self, name: str) -> int:
        return self.calc_cols[name]

    def f(self, name: str) -> int:
        return self.factor_cols[name]
