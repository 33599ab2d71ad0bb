"""Compare two computed inventories (hginv's CSV output or the workbook's Results sheet).

What a focal point needs when updating a baseline: per sub-category and pathway, how many kg
moved and by what per cent, which sub-categories are new or gone, and whether the activity or
the factor changed.
"""

from __future__ import annotations

import math

import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS
from hginventory.core.errors import InputFileError
from hginventory.core.i18n import gettext as _

QUANTITIES = ("hg_input_kg", *OUTPUT_COLUMNS)


def _pct(old: float, new: float) -> float:
    if old:
        return (new - old) / old * 100
    return 0.0 if new == old else math.inf


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Index result rows by sub-category and facility: Level 2 rows share their code."""
    frame = frame.copy()
    if "facility" in frame:
        frame["facility"] = frame["facility"].astype(object).fillna("").astype(str).str.strip()
    else:
        frame["facility"] = ""
    return frame.set_index(["code", "facility"])


def compare(baseline: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Long table: one line per result row (sub-category, and facility for Level 2 rows) and
    quantity (input, each pathway).

    `state` is `changed`, `same`, `added` (only in the new inventory) or `gone` (only in the
    baseline); `activity_changed` and `factor_changed` say why a row moved.
    """
    old_i, new_i = _keyed(baseline), _keyed(new)
    for frame, which in ((old_i, "baseline"), (new_i, "new")):
        twice = frame.index[frame.index.duplicated()]
        if len(twice):
            code, facility = twice[0]
            text = (
                _(
                    "the baseline inventory has the row {row} twice; is it an inventory "
                    "written by hginv compute?"
                )
                if which == "baseline"
                else _(
                    "the new inventory has the row {row} twice; is it an inventory written by "
                    "hginv compute?"
                )
            )
            raise InputFileError(text.format(row=f"{code} {facility!r}"))
    keys = list(old_i.index) + [k for k in new_i.index if k not in old_i.index]
    records = []
    for key in keys:
        a = old_i.loc[key] if key in old_i.index else None
        b = new_i.loc[key] if key in new_i.index else None
        state = "gone" if b is None else "added" if a is None else ""
        name = (b if b is not None else a)["sub_category"]
        why = {}
        for col in ("activity", "input_factor", "factor_id"):
            if a is not None and b is not None and col in old_i.columns and col in new_i.columns:
                why[col] = str(a[col]) != str(b[col])
        for q in QUANTITIES:
            va = float(a[q]) if a is not None else 0.0
            vb = float(b[q]) if b is not None else 0.0
            moved = abs(vb - va) > 1e-9 * max(1.0, abs(va), abs(vb))
            records.append(
                {
                    "code": key[0],
                    "facility": key[1],
                    "sub_category": name,
                    "state": state or ("changed" if moved else "same"),
                    "quantity": q,
                    "baseline_kg": va,
                    "new_kg": vb,
                    "change_kg": vb - va,
                    "change_pct": _pct(va, vb),
                    "activity_changed": why.get("activity", False),
                    "factor_changed": why.get("input_factor", False) or why.get("factor_id", False),
                }
            )
    return pd.DataFrame.from_records(records)


def pathway_totals(diff: pd.DataFrame) -> pd.DataFrame:
    """Sum of rows per quantity, baseline and new (before the double-counting adjustments,
    which the results files do not carry)."""
    sums = diff.groupby("quantity", sort=False)[["baseline_kg", "new_kg"]].sum().reset_index()
    sums["change_kg"] = sums["new_kg"] - sums["baseline_kg"]
    sums["change_pct"] = [
        _pct(a, b) for a, b in zip(sums["baseline_kg"], sums["new_kg"], strict=True)
    ]
    return sums


def per_code(diff: pd.DataFrame) -> pd.DataFrame:
    """One line per result row (sub-category, facility): its state and the Hg input and total
    releases before/after."""
    keys = ["code", "facility"]
    inputs = diff[diff["quantity"] == "hg_input_kg"].set_index(keys)
    rel = diff[diff["quantity"] != "hg_input_kg"].groupby(keys, sort=False)
    releases = rel[["baseline_kg", "new_kg"]].sum()
    states = rel["state"].agg(lambda s: "changed" if (s == "changed").any() else s.iloc[0])
    out = pd.DataFrame(
        {
            "sub_category": inputs["sub_category"],
            "state": [
                "changed" if s == "same" and states[k] == "changed" else s
                for k, s in inputs["state"].items()
            ],
            "input_baseline_kg": inputs["baseline_kg"],
            "input_new_kg": inputs["new_kg"],
            "releases_baseline_kg": releases["baseline_kg"],
            "releases_new_kg": releases["new_kg"],
            "activity_changed": inputs["activity_changed"],
            "factor_changed": inputs["factor_changed"],
        }
    )
    out["releases_change_kg"] = out["releases_new_kg"] - out["releases_baseline_kg"]
    out["releases_change_pct"] = [
        _pct(a, b) for a, b in zip(out["releases_baseline_kg"], out["releases_new_kg"], strict=True)
    ]
    return out.reset_index()
