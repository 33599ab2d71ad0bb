"""The live core of the workbook: the Factors sheet (every factor used, with its provenance) and
the Calculation sheet (Hg input = activity x unit conversion x the input factor on Factors; each
pathway = Hg input x its distribution factor there), grouped by source group with subtotals."""

from __future__ import annotations

import math

from hginventory.core.cells import column_letter
from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import ACTIVITY, FACTOR, FRACTION, SHARE, decimals
from hginventory.engine.inventory import EMPTY_WARNING, Inventory
from hginventory.tables.translations import group_names, name_of
from hginventory.write.workbook_sheets.layout import CALC_SHEET, FACTORS_SHEET, H, Layout
from hginventory.write.xlsx import Book, ref

TEXT = Texts(
    {
        "calc_title": N_("Calculation: one row per sub-category or facility (kg Hg/y)"),
        "calc_note": (
            N_(
                "Hg input = Activity x Unit conversion x Input factor (Factors sheet); each "
                "pathway = Hg input x its distribution factor (Factors sheet). Unit conversion: "
                "kg Hg per (activity unit x input factor unit)."
            )
        ),
        "subtotal": N_("Subtotal: {group}"),
        "all_rows": N_("Sum of all rows (before the double-counting adjustments)"),
        "nothing": N_("Nothing was quantified."),
        "factors_title": N_("Factors used, with provenance"),
    }
)

CALC_KEYS = {
    "unit": "activity_unit",
    "conversion": "unit_multiplier",
    "factor": "input_factor",
    "factor_unit": "input_factor_unit",
    "hg_input": "hg_input_kg",
    **{p: f"{p}_kg" for p in PATHWAYS},
    "releases": "releases_kg",
    "counted": "input_total_weight",
}
"""Machine names of the Calculation columns (hidden row over the headers; CSV names)."""


def _close(a: float, b: float) -> bool:
    """The same number but for floating-point noise: the cell is then the formula."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def factors_sheet(book: Book, inv: Inventory, lay: Layout) -> None:
    """Every factor used, one row per Calculation row in the same order, with its provenance;
    the input factor used is a formula (default x electrification scaling) where it is one."""
    ws = book.sheet(FACTORS_SHEET)
    ws.max_width = 40
    ws.text(0, 0, TEXT["factors_title"], "title", wrap=False)
    r = inv.results
    docs = inv.factors.documents
    heads = {
        "factor_id": H["factor_id"],
        "code": H["code"],
        "sub_category": H["sub_category"],
        "default": H["default"],
        "low": H["low"],
        "high": H["high"],
        "scale": H["scale"],
        "factor": H["factor_used"],
        "factor_unit": H["factor_unit"],
        **{p: _(PATHWAY_LABELS[p]) for p in PATHWAYS},
        "counted": H["counted"],
        "left_out": H["left_out"],
        "status": H["status"],
        "confidence": H["confidence"],
        "document": H["document"],
        "version": H["version"],
        "table_page": H["table_page"],
        "note": H["note"],
    }
    ws.headers(lay.factor_top, [heads[k] for k in lay.factor_cols])
    ws.keys(lay.factor_top - 1, list(lay.factor_cols))
    fcol = lay.f
    factor_places = decimals(
        FACTOR,
        [
            *r["default_input_factor"],
            *r["input_factor"],
            *r["input_factor_low"],
            *r["input_factor_high"],
        ],
    )
    share_places = decimals(SHARE, [v for p in PATHWAYS for v in r[p]])
    tuples = list(r.itertuples(index=False))
    for i in lay.order:
        x = tuples[i]
        row = lay.factor_row(i)
        ws.text(row, fcol("factor_id"), x.factor_id)  # Level 2: several ids joined by " + "
        ws.text(row, fcol("code"), x.code, wrap=False)
        ws.text(row, fcol("sub_category"), x.label)

        for key, value in (
            ("default", x.default_input_factor),
            ("low", x.input_factor_low),
            ("high", x.input_factor_high),
        ):
            ws.number(row, fcol(key), value, FACTOR, factor_places)
        ws.number(row, fcol("scale"), x.scale, SHARE, 4)
        if _close(x.default_input_factor * x.scale, x.input_factor):
            ws.formula(
                row,
                fcol("factor"),
                f"={ref(row, fcol('default'))}*{ref(row, fcol('scale'))}",
                x.input_factor,
                FACTOR,
                factor_places,
            )
        else:
            ws.number(row, fcol("factor"), x.input_factor, FACTOR, factor_places)
        ws.text(row, fcol("factor_unit"), x.input_factor_unit, wrap=False)
        for p in PATHWAYS:
            ws.number(row, fcol(p), getattr(x, p), SHARE, share_places)
        ws.number(row, fcol("counted"), x.input_total_weight, FRACTION, 0)
        left = [_(PATHWAY_LABELS[p]) for p in str(x.release_total_exclude).split(";") if p]
        ws.text(row, fcol("left_out"), ", ".join(left))
        ws.text(row, fcol("status"), x.status, wrap=False)
        ws.text(row, fcol("confidence"), x.confidence, wrap=False)
        ws.text(row, fcol("document"), docs.get(x.document, {}).get("title", x.document))
        ws.text(row, fcol("version"), x.version, wrap=False)
        ws.text(row, fcol("table_page"), x.table_page)
        ws.text(row, fcol("note"), x.note)
    ws.width(fcol("note"), 60)
    # 27 columns: one page across would print them in a 5-point font; two pages across, the
    # code repeated on each, keep a readable size
    ws.pages_wide = 2
    ws.repeat_cols = (fcol("code"), fcol("code"))
    ws.freeze = (lay.factor_top + 1, fcol("sub_category") + 1)
    ws.autofilter = (lay.factor_top, 0, lay.factor_top + len(r), max(lay.factor_cols.values()))


def calculation_sheet(book: Book, inv: Inventory, lay: Layout) -> None:
    """One row per sub-category or facility, by source group with subtotals; Hg input and each
    pathway are formulas over the Factors sheet, stored with hginv's values."""
    ws = book.sheet(CALC_SHEET)
    ws.max_width = 45
    ws.text(0, 0, TEXT["calc_title"], "title", wrap=False)
    ws.text(1, 0, TEXT["calc_note"], wrap=False)
    heads = {
        "code": H["code"],
        "sub_category": H["sub_category"],
        "facility": H["facility"],
        "method": H["method"],
        "activity": H["activity"],
        "unit": H["unit"],
        "conversion": H["conversion"],
        "factor": H["factor"],
        "factor_unit": H["factor_unit"],
        "hg_input": _("{name} (kg Hg/y)").format(name=H["hg_input"]),
        **{p: _("{name} (kg Hg/y)").format(name=_(PATHWAY_LABELS[p])) for p in PATHWAYS},
        "releases": _("{name} (kg Hg/y)").format(name=H["releases"]),
        "counted": H["counted"],
        "status": H["status"],
    }
    ws.headers(lay.calc_top, [heads[k] for k in lay.calc_cols])
    ws.keys(lay.calc_top - 1, [CALC_KEYS.get(k, k) for k in lay.calc_cols])
    c, f = lay.c, lay.f
    r = inv.results
    if r.empty:
        ws.text(lay.calc_top + 1, 0, TEXT["nothing"] + " " + _(EMPTY_WARNING), "warn", wrap=False)
        ws.freeze = (lay.calc_top + 1, 2)
        return
    act_places = decimals(ACTIVITY, r["activity"])
    conv_places = decimals(FACTOR, r["unit_multiplier"])
    factor_places = decimals(FACTOR, r["input_factor"])
    mass_cols = ["hg_input", *PATHWAYS, "releases"]
    arrays = calc_arrays(r)
    records = r.to_dict("records")
    groups = group_names(inv.factors.groups)
    for name, members in lay.groups:
        first, last = lay.group_rows[name]
        ws.text(first - 1, 0, groups.get(name, name), "group", wrap=False)
        for i in members:
            x = records[i]
            row = lay.calc_row[i]
            frow = lay.factor_row(i)
            ws.text(row, c("code"), x["code"], wrap=False)
            if lay.level2:
                ws.text(row, c("sub_category"), name_of(x["code"], x["sub_category"]))
                ws.text(row, c("facility"), x["facility"])
                ws.text(row, c("method"), x["method"], wrap=False)
            else:
                ws.text(row, c("sub_category"), x["label"])
            ws.number(row, c("activity"), x["activity"], ACTIVITY, act_places)
            ws.text(row, c("unit"), x["activity_unit"], wrap=False)
            ws.number(row, c("conversion"), x["unit_multiplier"], FACTOR, conv_places)
            factor_ref = ref(frow, f("factor"), FACTORS_SHEET)
            ws.formula(row, c("factor"), f"={factor_ref}", x["input_factor"], FACTOR, factor_places)
            ws.text(row, c("factor_unit"), x["input_factor_unit"], wrap=False)
            hg = float(x["hg_input_kg"])
            if _close(
                float(x["activity"]) * float(x["unit_multiplier"]) * float(x["input_factor"]), hg
            ):
                ws.formula(
                    row,
                    c("hg_input"),
                    f"={ref(row, c('activity'))}*{ref(row, c('conversion'))}*{factor_ref}",
                    hg,
                )
            else:
                ws.number(row, c("hg_input"), hg)
            hg_ref = ref(row, c("hg_input"), absolute=False).replace(
                column_letter(c("hg_input")), "$" + column_letter(c("hg_input"))
            )
            for p in PATHWAYS:
                ws.formula(
                    row, c(p), f"={hg_ref}*{ref(frow, f(p), FACTORS_SHEET)}", float(x[f"{p}_kg"])
                )
            ws.formula(
                row,
                c("releases"),
                f"=SUM({ref(row, c(PATHWAYS[0]))}:{ref(row, c(PATHWAYS[-1]))})",
                sum(float(x[f"{p}_kg"]) for p in PATHWAYS),
            )
            ws.formula(
                row,
                c("counted"),
                f"={ref(frow, f('counted'), FACTORS_SHEET)}",
                float(x["input_total_weight"]),
                FRACTION,
                0,
            )
            ws.text(row, c("status"), x["status"], wrap=False)
        sub = lay.subtotal_row[name]
        ws.text(sub, 0, TEXT["subtotal"].format(group=groups.get(name, name)), "total", wrap=False)
        for col in mass_cols:
            value = calc_value(arrays, members, col)
            ws.formula(
                sub,
                c(col),
                f"=SUM({ref(first, c(col))}:{ref(last, c(col))})",
                value,
                style="total",
            )
        ws.style_row(sub, 0, max(lay.calc_cols.values()), "total")
    ws.text(lay.all_row, 0, TEXT["all_rows"], "total", wrap=False)
    for col in mass_cols:
        cells = ",".join(ref(lay.subtotal_row[n], c(col)) for n, _ in lay.groups)
        ws.formula(
            lay.all_row,
            c(col),
            f"=SUM({cells})",
            calc_value(arrays, list(range(len(r))), col),
            style="total",
        )
    ws.style_row(lay.all_row, 0, max(lay.calc_cols.values()), "total")
    ws.freeze = (lay.calc_top + 1, 2)
    # filter buttons for a reviewer (an Excel Table would refuse the group and subtotal rows);
    # the subtotals are SUMs, so a filter hides rows without changing any total
    ws.autofilter = (lay.calc_top, 0, lay.all_row, max(lay.calc_cols.values()))
    ws.width(0, max(9, *(len(str(v)) + 1 for v in r["code"])))


def calc_arrays(r) -> dict:
    """The result columns behind each Calculation mass column, as arrays (taken once: a
    column selection costs more than the sum of a few dozen numbers)."""
    out = {}
    for col in ("hg_input", *PATHWAYS, "releases"):
        cols = (
            [f"{p}_kg" for p in PATHWAYS]
            if col == "releases"
            else ["hg_input_kg" if col == "hg_input" else f"{col}_kg"]
        )
        out[col] = r[cols].to_numpy()
    return out


def calc_value(arrays: dict, members: list[int], col: str) -> float:
    """The sum over result rows `members` of a Calculation column (its cached value)."""
    return float(arrays[col][members].sum())
