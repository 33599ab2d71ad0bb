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


RELATIVE = 1e-9
"""Two numbers are the same when they differ by less than this share: a CSV keeps 12
significant digits, a workbook all 17."""


def _pct(old: float, new: float) -> float:
    if old:
        return (new - old) / old * 100
    return 0.0 if new == old else math.inf


def differ(a, b) -> bool:
    """Numbers differ beyond rounding; a blank (NaN) against a number is a difference, two
    blanks are not. Text (factor ids) differs when it is not the same text."""
    if isinstance(a, str) or isinstance(b, str):
        return str(a) != str(b)
    a, b = float(a), float(b)
    if a != a or b != b:
        return (a != a) != (b != b)
    return abs(a - b) > RELATIVE * max(1.0, abs(a), abs(b))


def _facility(frame: pd.DataFrame) -> pd.Series:
    if "facility" not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame["facility"].astype(object).fillna("").astype(str).str.strip()


def facility_codes(frame: pd.DataFrame) -> list[str]:
    """Codes with facility (Level 2) rows, in the order of the inventory."""
    has = frame.loc[_facility(frame) != "", "code"]
    return list(dict.fromkeys(str(c) for c in has))


def _national(frame: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """The rows of `codes` added up to one national row per code (facility rows plus the
    remainder), activity in the unit of the first row; other rows as they are."""
    from hginventory.core.units import UnitError, conversion

    keep = frame[~frame["code"].isin(codes)]
    merged = []
    for _code, g in frame[frame["code"].isin(codes)].groupby("code", sort=False):
        row = g.iloc[0].copy()
        unit = str(row.get("activity_unit", "") or "")
        activity = 0.0 if "activity" in g else math.nan
        for value, u in zip(
            g.get("activity", []), g.get("activity_unit", [unit] * len(g)), strict=False
        ):
            u = str(u or "")
            if float(value) != float(value):  # a row without activity (measured) adds none
                continue
            try:
                activity += float(value) * (conversion(u, unit) if u and unit and u != unit else 1)
            except UnitError:  # units that do not convert: no national activity to compare
                activity = math.nan
        if "activity" in g:
            row["activity"] = activity
        for q in QUANTITIES:
            row[q] = float(g[q].sum())
        if "input_factor" in g:
            row["input_factor"] = math.nan  # several factors: compared through the quantities
        if "factor_id" in g:
            row["factor_id"] = " + ".join(dict.fromkeys(str(v) for v in g["factor_id"]))
        row["facility"] = ""
        merged.append(row)
    out = pd.concat([keep, pd.DataFrame(merged)], ignore_index=True) if merged else keep
    order = {c: i for i, c in enumerate(dict.fromkeys(frame["code"]))}
    return out.sort_values("code", key=lambda s: s.map(order), kind="stable")


def level2_mismatch(baseline: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Codes with facility rows on one side only (a Level 1 against a Level 2 inventory): they
    are compared as national totals."""
    old_f, new_f = set(facility_codes(baseline)), set(facility_codes(new))
    codes = list(dict.fromkeys([*facility_codes(baseline), *facility_codes(new)]))
    both = set(baseline["code"]) & set(new["code"])
    return [c for c in codes if c in both and ((c in old_f) != (c in new_f))]


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Index result rows by sub-category and facility: Level 2 rows share their code."""
    frame = frame.copy()
    frame["facility"] = _facility(frame)
    return frame.set_index(["code", "facility"])


def compare(baseline: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Long table: one line per result row (sub-category, and facility for Level 2 rows) and
    quantity (input, each pathway).

    `state` is `changed`, `same`, `added` (only in the new inventory) or `gone` (only in the
    baseline); `activity_changed` and `factor_changed` say why a row moved. A blank or
    non-finite number against a number is a change, never `same`. A sub-category with facility
    rows on one side only (Level 1 against Level 2) is compared as one national row per side
    (facility rows plus the remainder), `national` true.
    """
    mixed = set(level2_mismatch(baseline, new))
    if mixed:
        baseline, new = _national(baseline, mixed), _national(new, mixed)
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
                why[col] = differ(a[col], b[col])
        for q in QUANTITIES:
            va = float(a[q]) if a is not None else 0.0
            vb = float(b[q]) if b is not None else 0.0
            moved = differ(va, vb) or why.get("activity", False)
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
                    "national": key[0] in mixed,
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
            "national": inputs["national"],
        }
    )
    out["releases_change_kg"] = out["releases_new_kg"] - out["releases_baseline_kg"]
    out["releases_change_pct"] = [
        _pct(a, b) for a, b in zip(out["releases_baseline_kg"], out["releases_new_kg"], strict=True)
    ]
    return out.reset_index()


def mismatch_notes(
    names: tuple[str, str], infos: tuple, rows: tuple[pd.DataFrame, pd.DataFrame]
) -> list[str]:
    """What the reader of a diff must know first: the two files are of two countries or two
    years, or one is a Level 2 inventory and the other not (`infos` are `ResultInfo`s of the
    baseline and the new file, `names` their file names, `rows` their result rows)."""
    from hginventory.model.country import country_text, same_country

    old, new = infos
    notes = []
    if (
        old.country
        and new.country
        and not same_country(old.country, old.iso3, new.country, new.iso3)
    ):
        notes.append(
            _(
                "{old} is an inventory of {old_country} and {new} of {new_country}: two "
                "countries are compared"
            ).format(
                old=names[0],
                new=names[1],
                old_country=country_text(old.country, old.iso3),
                new_country=country_text(new.country, new.iso3),
            )
        )
    if old.year is not None and new.year is not None and old.year != new.year:
        notes.append(
            _("{old} is the inventory of {old_year} and {new} of {new_year}").format(
                old=names[0], new=names[1], old_year=old.year, new_year=new.year
            )
        )
    mixed = level2_mismatch(*rows)
    if mixed:
        side = 1 if set(mixed) & set(facility_codes(rows[1])) else 0
        level2, other = names[side], names[1 - side]
        notes.append(
            _(
                "{level2} has facility (Level 2) rows and {other} has none for {codes}: these "
                "sub-categories are compared as national totals (facility rows plus remainder)"
            ).format(level2=level2, other=other, codes=", ".join(mixed))
        )
    return notes
