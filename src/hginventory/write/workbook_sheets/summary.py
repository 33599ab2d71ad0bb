"""The Summary sheet: inputs and outputs by source group as counted in the national totals.

Each source group's row is a formula over its Calculation subtotal, less the releases the factor
table leaves out of the total and with the input weighted by the share counted; under the
national total, the plain sum of the rows and the double-counting adjustment between the two,
then the releases to air, water and land apart from the transfers."""

from __future__ import annotations

import math

from hginventory.core.columns import (
    OUTPUT_COLUMNS,
    PATHWAY_LABELS,
    PATHWAYS,
    RELEASE_PATHWAYS,
    TRANSFER_PATHWAYS,
)
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import percent
from hginventory.engine.inventory import EMPTY_WARNING, Inventory
from hginventory.tables.translations import group_names, name_of
from hginventory.write.workbook_sheets.calculation import calc_arrays, calc_value
from hginventory.write.workbook_sheets.layout import CALC_SHEET, SUMMARY_SHEET, Layout, is_empty
from hginventory.write.xlsx import Book, Sheet, ref

TEXT = Texts(
    {
        "summary_title": N_("Summary: mercury inputs and releases by source group (kg Hg/y)"),
        "summary_note": (
            N_(
                "As counted in the national totals: the double-counting weights (share of the "
                "input counted) and exclusions of the factor table are applied in these formulas. "
                "Live formulas over the Calculation sheet."
            )
        ),
        "source_group": N_("Source group"),
        "input_calculated": N_("Hg input, calculated"),
        "input_counted": N_("Hg input counted in the total"),
        "total_releases": N_("Total outputs (releases and transfers)"),
        "national_total": N_("National total"),
        "sum_rows": N_("Sum of calculated rows (no adjustment)"),
        "adjustment": N_("Adjustment for double counting"),
        "estimates_aside": N_("Indicative estimates, not counted (no Toolkit default)"),
        "release_lines": N_(
            "Releases to air, water and land, apart from transfers to products and waste "
            "(kg Hg/y)"
        ),
        "no_adjustment": N_("Double counting: no exclusion applies to the sub-categories present."),
        "excluded": N_("Double counting: {items}."),
        "excluded_item": N_("{code} {name}: release to {pathways} left out of the total"),
        "weighted_item": N_("{code} {name}: {share} of the input counted"),
    }
)

PATHWAY_HEADERS = [PATHWAY_LABELS[p] for p in PATHWAYS]

TOP = 3
"""Header row of the Summary table; the source groups follow, then the national total."""

KEYS = ["hg_input_kg", "hg_input_kg", *(f"{p}_kg" for p in PATHWAYS), "releases_kg"]
"""The total behind each Summary column from column 1 (input calculated, input counted, the
pathways, all outputs)."""


def summary_sheet(book: Book, inv: Inventory, lay: Layout) -> int:
    """The Summary sheet; returns the row of the national total."""
    ws = book.sheet(SUMMARY_SHEET)
    ws.max_width = 50
    _heading(ws, inv)
    r = inv.results
    excludes = [set(str(t).split(";")) - {""} for t in r["release_total_exclude"]]
    national = _group_rows(ws, inv, lay, excludes)
    _national_total(ws, inv, lay, national)
    aside = [r.index.get_loc(i) for i in inv.estimates_aside().index]
    calc_total = national + 2
    _adjustment_rows(ws, inv, lay, national, aside)
    ws.note(calc_total + 3 + bool(aside), _double_counting_note(inv, aside, excludes), span=10)
    _release_lines(ws, inv, national, calc_total + 5 + bool(aside))
    ws.freeze = (TOP + 1, 1)
    return national


def _heading(ws: Sheet, inv: Inventory) -> None:
    ws.text(0, 0, TEXT["summary_title"], "title", wrap=False)
    ws.note(1, TEXT["summary_note"], span=10)
    if is_empty(inv):
        ws.text(2, 0, _("WARNING: {text}").format(text=_(EMPTY_WARNING)), "warn", wrap=False)
    heads = [
        TEXT["source_group"],
        TEXT["input_calculated"],
        TEXT["input_counted"],
        *[_(h) for h in PATHWAY_HEADERS],
        TEXT["total_releases"],
    ]
    per_year = _("{name} (kg Hg/y)")
    ws.headers(TOP, [h if i == 0 else per_year.format(name=h) for i, h in enumerate(heads)])


def _group_rows(ws: Sheet, inv: Inventory, lay: Layout, excludes: list[set]) -> int:
    """One row per source group: the input calculated, the input counted (weighted by the
    share counted), each pathway less the rows' releases left out of the total. Returns the
    row after them (the national total's)."""
    c = lay.c
    r = inv.results
    g = inv.group_summary().set_index("source_group") if not r.empty else None
    row = TOP + 1
    arrays = calc_arrays(r) if not r.empty else {}
    shown = group_names(inv.factors.groups)
    for name, members in lay.groups:
        first, last = lay.group_rows[name]
        sub = lay.subtotal_row[name]
        ws.text(row, 0, shown.get(name, name))
        ws.formula(
            row,
            1,
            f"={ref(sub, c('hg_input'), CALC_SHEET)}",
            calc_value(arrays, members, "hg_input"),
        )
        ws.formula(
            row,
            2,
            f"=SUMPRODUCT({ref(first, c('hg_input'), CALC_SHEET)}:{ref(last, c('hg_input'))},"
            f"{ref(first, c('counted'), CALC_SHEET)}:{ref(last, c('counted'))})",
            float(g.loc[name, "hg_input_kg"]),
        )
        for k, p in enumerate(PATHWAYS):
            out = [ref(lay.calc_row[i], c(p), CALC_SHEET) for i in members if p in excludes[i]]
            formula = f"={ref(sub, c(p), CALC_SHEET)}" + "".join(f"-{o}" for o in out)
            ws.formula(row, 3 + k, formula, float(g.loc[name, f"{p}_kg"]))
        ws.formula(row, 9, f"=SUM({ref(row, 3)}:{ref(row, 8)})", float(g.loc[name, "releases_kg"]))
        row += 1
    return row


def _national_total(ws: Sheet, inv: Inventory, lay: Layout, national: int) -> None:
    """The sum of the source-group rows; the input calculated is the plain sum of the rows."""
    totals, sums = inv.totals(), inv.sums()
    ws.text(national, 0, TEXT["national_total"], "total", wrap=False)
    for col in range(1, 10):
        value = sums["hg_input_kg"] if col == 1 else totals[KEYS[col - 1]]
        formula = f"=SUM({ref(TOP + 1, col)}:{ref(national - 1, col)})" if lay.groups else "=0"
        ws.formula(national, col, formula, value, style="total")


def _adjustment_rows(
    ws: Sheet, inv: Inventory, lay: Layout, national: int, aside: list[int]
) -> None:
    """Under the national total: the sum of the Calculation rows as they are, the indicative
    estimates set aside (when any), and the double-counting adjustment that makes up the
    difference to the national total."""
    c = lay.c
    r = inv.results
    totals, sums = inv.totals(), inv.sums()
    calc_total = national + 2
    ws.text(calc_total, 0, TEXT["sum_rows"], "bold", wrap=False)
    ws.text(calc_total + 1, 0, TEXT["adjustment"], "bold", wrap=False)
    if aside:
        ws.text(calc_total + 2, 0, TEXT["estimates_aside"], "bold", wrap=False)
    src = {2: "hg_input", **{3 + k: p for k, p in enumerate(PATHWAYS)}, 9: "releases"}
    for col, name in src.items():
        key = KEYS[col - 1]
        formula = f"={ref(lay.all_row, c(name), CALC_SHEET)}" if lay.groups else "=0"
        ws.formula(calc_total, col, formula, sums[key])
        adjustment = f"={ref(national, col)}-{ref(calc_total, col)}"
        if aside:
            shown = OUTPUT_COLUMNS if name == "releases" else [key]
            left_out = float(r.iloc[aside][shown].to_numpy().sum())
            cells = "+".join(ref(lay.calc_row[i], c(name), CALC_SHEET) for i in aside)
            ws.formula(calc_total + 2, col, f"=-({cells})", -left_out)
            adjustment += f"-{ref(calc_total + 2, col)}"
            ws.formula(calc_total + 1, col, adjustment, totals[key] - sums[key] + left_out)
        else:
            ws.formula(calc_total + 1, col, adjustment, totals[key] - sums[key])


def _double_counting_note(inv: Inventory, aside: list[int], excludes: list[set]) -> str:
    """The rules behind the adjustment: inputs counted in part, releases left out of the
    total (the estimates set aside are no such rule: said on their own line)."""
    items = []
    for i, x in enumerate(inv.results.itertuples(index=False)):
        if i in aside:
            continue
        name = name_of(x.code, x.sub_category)
        if x.input_total_weight != 1:
            share = percent(x.input_total_weight, places=0)
            items.append(TEXT["weighted_item"].format(code=x.code, name=name, share=share))
        if excludes[i]:
            pathways = ", ".join(
                _(PATHWAY_LABELS[p]).lower() for p in PATHWAYS if p in excludes[i]
            )
            items.append(TEXT["excluded_item"].format(code=x.code, name=name, pathways=pathways))
    items = list(dict.fromkeys(items))  # the facility rows of a code share one rule
    note = TEXT["excluded"].format(items="; ".join(items)) if items else TEXT["no_adjustment"]
    if aside:
        note += " " + inv.estimates_note()
    return note


def _release_lines(ws: Sheet, inv: Inventory, national: int, top: int) -> None:
    """Under the Summary table: releases to air, water and land apart from transfers, with
    their subtotals (formulas over the national total row), then why the outputs exceed the
    counted input (`Inventory.release_summary`, the terminal's lines)."""
    col = {"hg_input_kg": 2, **{f"{p}_kg": 3 + k for k, p in enumerate(PATHWAYS)}}
    col["releases_kg"] = 9
    parts = {
        "releases_awl_kg": [f"{p}_kg" for p in RELEASE_PATHWAYS],
        "transfers_kg": [f"{p}_kg" for p in TRANSFER_PATHWAYS],
    }
    ws.text(top, 0, TEXT["release_lines"], "bold", wrap=False)
    t = inv.totals()
    row = top + 1
    for key, name, value in inv.release_summary():
        bold = "total" if key in (*parts, "releases_kg") else ""
        ws.text(row, 0, name, bold or "", wrap=False)
        if key in col:
            ws.formula(row, 1, f"={ref(national, col[key])}", value, style=bold)
        elif key in parts:
            cells = "+".join(ref(national, col[k]) for k in parts[key])
            ws.formula(row, 1, f"={cells}", value, style=bold)
        elif math.isclose(value, t["releases_kg"] - t["hg_input_kg"], abs_tol=1e-6):
            formula = f"={ref(national, col['releases_kg'])}-{ref(national, col['hg_input_kg'])}"
            ws.formula(row, 1, formula, value)
        else:  # Level 2 rows whose outputs differ from their input: the rows' own sum
            ws.number(row, 1, value)
        row += 1
    sentence = inv.beyond_input_sentence()
    if sentence:
        ws.note(row, sentence, span=10)
