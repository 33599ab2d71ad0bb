"""The inventories as submitted against the series: why each number moved (recalculation.csv).

A country that recomputes its earlier inventories with today's factor table and data explains
each change, per year and sub-category: the reasons are machine text (English in every
language), which `reason_text` says in the user's language. A baseline given by its result CSVs
is checked first to be the same country's (`baseline_problems`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hginventory.core.errors import Problem
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion
from hginventory.engine.trend import INTERPOLATED
from hginventory.model.country import country_key, country_text, same_country

# Words of a file name that say nothing of the country it is for.
_NAME_WORDS_IGNORED = {
    "inventory", "inventaire", "inventario", "results", "result", "submitted", "baseline",
    "hginv", "level", "level1", "level2", "final", "draft", "revised", "copy", "old", "new",
    "republic", "kingdom", "state", "states", "united", "federal", "democratic", "people",
    "the", "and", "of",
}  # fmt: skip


def _words(text: str) -> set[str]:
    """The words of a name without accents, case or digits ('Côte d'Ivoire' -> cote, ivoire)."""
    text = unicodedata.normalize("NFKD", country_key(text))
    plain = "".join(ch for ch in text if not unicodedata.combining(ch))
    return {w for w in re.split(r"[\W_]+", plain) if len(w) >= 3 and not w.isdigit()}


def baseline_problems(
    submitted: pd.DataFrame, country: str, iso3: str, inputs: Iterable[str] = ()
) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings of comparing `submitted` (rows of `read_baseline`: `input_file`,
    `country`, `iso3`) with the series of `country`: a file of another country (NFC names,
    iso3) is an error naming both; a result CSV that says no country is accepted when its file
    name names the country (a word of it, its iso3, or the name of a workbook of the series),
    an error when its name names something else, a warning when it names nothing."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    expected = country_text(country, iso3)
    known = _words(country) | {str(iso3 or "").strip().casefold()} - {""}
    for name in inputs:
        known |= _words(Path(name).stem) - _NAME_WORDS_IGNORED
    files = submitted.drop_duplicates(["input_file", "country", "iso3"])
    for f in files.itertuples(index=False):
        if f.country or f.iso3:
            if not same_country(f.country, f.iso3, country, iso3):
                errors.append(
                    Problem(
                        _(
                            "the submitted inventory is of {found}, the series of {expected}: "
                            "a baseline is the same country's inventories"
                        ).format(found=country_text(f.country, f.iso3), expected=expected),
                        file=str(f.input_file),
                        found=country_text(f.country, f.iso3),
                        expected=expected,
                        code="baseline-other-country",
                    )
                )
            continue
        words = _words(Path(f.input_file).stem) - _NAME_WORDS_IGNORED
        if words & known:
            continue
        if words:
            errors.append(
                Problem(
                    _(
                        "a result CSV does not say its country and its name does not name "
                        "{expected}: is it another country's inventory? Put its -inventory.xlsx "
                        "beside it, or name the file for the country"
                    ).format(expected=expected),
                    file=str(f.input_file),
                    found=Path(f.input_file).name,
                    expected=expected,
                    code="baseline-country-unknown-name",
                )
            )
        else:
            warnings.append(
                Problem(
                    _(
                        "a result CSV does not say its country: compared as {expected}'s "
                        "inventory (its -inventory.xlsx beside it would tell)"
                    ).format(expected=expected),
                    file=str(f.input_file),
                    severity="warning",
                    code="baseline-country-assumed",
                )
            )
    return errors, warnings


RECALC_COLUMNS = [
    "year",
    "code",
    "sub_category",
    "submitted_input_kg",
    "recalculated_input_kg",
    "input_change_kg",
    "submitted_air_kg",
    "recalculated_air_kg",
    "air_change_kg",
    "submitted_activity",
    "recalculated_activity",
    "activity_unit",
    "submitted_factor_id",
    "recalculated_factor_id",
    "reason",
]

RELATIVE = 1e-9

UNCHANGED = "unchanged"

# The reasons of recalculation.csv (machine text, English in every language) and how people
# read them: `reason_text` translates a reason where it is shown.
_INTERPOLATED = r"(?P<interpolated> \(interpolated\))?"
_REASONS = (
    (re.compile(r"sub-category added" + _INTERPOLATED), N_("sub-category added")),
    (re.compile(r"sub-category removed"), N_("sub-category removed")),
    (re.compile(r"activity changed" + _INTERPOLATED), N_("activity changed")),
    (
        re.compile(r"input factor used changed, same factor row (?P<row>.*) \(scaling\)"),
        N_("input factor used changed, same factor row {row} (scaling)"),
    ),
    (
        re.compile(r"input factor changed: (?P<old>.*) -> (?P<new>.*)"),
        N_("input factor changed: {old} -> {new}"),
    ),
    (
        re.compile(r"distribution factors changed: (?P<old>.*) -> (?P<new>.*)"),
        N_("distribution factors changed: {old} -> {new}"),
    ),
    (re.compile(r"distribution factors changed"), N_("distribution factors changed")),
    (re.compile(r"other \(rules or Level 2 data\)"), N_("other (rules or Level 2 data)")),
    (re.compile(UNCHANGED), N_("unchanged")),
)


def reason_text(reason: str) -> str:
    """A reason of recalculation.csv in the language of the run ('activity changed
    (interpolated); input factor changed: a -> b' -> 'activité modifiée (interpolée); ...')."""
    parts = []
    for part in str(reason).split("; "):
        for pattern, message in _REASONS:
            m = pattern.fullmatch(part)
            if m:
                values = m.groupdict()
                interpolated = values.pop("interpolated", None)
                text = _(message).format(**values)
                parts.append(text + (_(" (interpolated)") if interpolated else ""))
                break
        else:
            parts.append(part)
    return "; ".join(parts)


def _differ(a: float, b: float) -> bool:
    if (a != a) and (b != b):
        return False
    if (a != a) or (b != b):
        return True
    return abs(a - b) > RELATIVE * max(1.0, abs(a), abs(b))


def _per_code(frame: pd.DataFrame) -> pd.DataFrame:
    """Result rows added up per year and code (facility rows of one code are one line), with
    the factor ids and the input factors used, in the unit of the first row."""

    def join(values):
        return " + ".join(dict.fromkeys(str(v) for v in values if v == v and str(v)))

    records = []
    for (year, code), g in frame.groupby(["year", "code"], sort=False):
        unit = str(g["activity_unit"].iloc[0]) if "activity_unit" in g else ""
        activity = math.nan
        if "activity" in g and g["activity"].notna().any():
            activity = 0.0
            for value, u in zip(
                g["activity"], g.get("activity_unit", [unit] * len(g)), strict=True
            ):
                if value == value:
                    activity += value * (conversion(u, unit) if u and unit and u != unit else 1.0)
        factors = (
            tuple(sorted(float(v) for v in g["input_factor"] if v == v))
            if ("input_factor" in g)
            else ()
        )
        records.append(
            {
                "year": int(year),
                "code": str(code),
                "sub_category": str(g["sub_category"].iloc[0]),
                "input_kg": float(g["hg_input_kg"].sum()),
                "air_kg": float(g["air_kg"].sum()),
                "activity": activity,
                "unit": unit,
                "factor_id": join(g["factor_id"]) if "factor_id" in g else "",
                "factors": factors,
                "filled": "filled" in g and bool((g["filled"] == INTERPOLATED).any()),
            }
        )
    columns = ["year", "code", "sub_category", "input_kg", "air_kg", "activity", "unit"]
    columns += ["factor_id", "factors", "filled"]
    return pd.DataFrame.from_records(records, columns=columns)


def recalculation(submitted: pd.DataFrame, trend: pd.DataFrame) -> pd.DataFrame:
    """Per year and sub-category: the inventory as submitted against the series, and why it moved.

    `submitted` holds result rows (hginv CSV columns) with a `year` column; `trend` is the
    series (`trend_frame`). Years not in `submitted` are left out: there is nothing to explain.
    Reasons, as many as apply: `sub-category added` (`(interpolated)` when filled),
    `sub-category removed`, `activity changed`, `input factor changed: OLD -> NEW` (factor ids),
    `distribution factors changed` (same input, other share to air), or `unchanged` (the factor
    ids may still differ: another table version with the same values); `other (rules or Level 2
    data)` when numbers moved for none of these reasons.
    """
    years = set(submitted["year"].astype(int))
    old = _per_code(submitted).set_index(["year", "code"])
    new = _per_code(trend[trend["year"].isin(years)]).set_index(["year", "code"])
    keys = list(dict.fromkeys([*new.index, *old.index]))
    keys.sort(key=lambda k: (k[0], _code_key(k[1])))
    rows = []
    for key in keys:
        o = old.loc[key] if key in old.index else None
        n = new.loc[key] if key in new.index else None
        rows.append(_recalc_row(key, o, n))
    return pd.DataFrame.from_records(rows, columns=RECALC_COLUMNS)


def _code_key(code: str) -> tuple:
    parts = []
    for piece in code.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append((int(digits) if digits else 0, piece[len(digits) :]))
    return tuple(parts)


_ABSENT = {"input_kg": 0.0, "air_kg": 0.0, "activity": math.nan, "factor_id": ""}
"""What a side without the sub-category shows in a recalculation row."""


def _recalc_row(key, o, n) -> dict:
    """One row of recalculation.csv: the sub-category as submitted (`o`) and as recalculated
    (`n`, either may be None), and the reasons it moved."""
    year, code = key
    old = o if o is not None else _ABSENT
    new = n if n is not None else _ABSENT
    either = n if n is not None else o
    base = {
        "year": year,
        "code": code,
        "sub_category": either["sub_category"],
        "submitted_input_kg": old["input_kg"],
        "recalculated_input_kg": new["input_kg"],
        "submitted_air_kg": old["air_kg"],
        "recalculated_air_kg": new["air_kg"],
        "submitted_activity": old["activity"],
        "recalculated_activity": new["activity"],
        "activity_unit": either["unit"],
        "submitted_factor_id": old["factor_id"],
        "recalculated_factor_id": new["factor_id"],
    }
    base["input_change_kg"] = base["recalculated_input_kg"] - base["submitted_input_kg"]
    base["air_change_kg"] = base["recalculated_air_kg"] - base["submitted_air_kg"]
    if o is None:
        base["reason"] = "sub-category added" + (" (interpolated)" if n["filled"] else "")
        return base
    if n is None:
        base["reason"] = "sub-category removed"
        return base
    old_activity = o["activity"]
    if o["unit"] and n["unit"] and o["unit"] != n["unit"] and old_activity == old_activity:
        old_activity = old_activity * conversion(o["unit"], n["unit"])
        base["submitted_activity"] = old_activity
    reasons = _reasons(o, n, old_activity)
    moved = _differ(o["input_kg"], n["input_kg"]) or _differ(o["air_kg"], n["air_kg"])
    if moved and not reasons:
        reasons.append("other (rules or Level 2 data)")
    if not moved:
        base["input_change_kg"] = base["air_change_kg"] = 0.0
    base["reason"] = "; ".join(reasons or [UNCHANGED])
    return base


def _reasons(o, n, old_activity: float) -> list[str]:
    """Why a sub-category in both moved: its activity (`old_activity` in the unit of `n`),
    its input factor, or else its distribution factors (the share to air)."""
    reasons = []
    if _differ(old_activity, n["activity"]):
        reasons.append("activity changed" + (" (interpolated)" if n["filled"] else ""))
    factor_moved = _factor_moved(o, n, old_activity)
    if factor_moved and o["factor_id"] == n["factor_id"]:
        reasons.append(f"input factor used changed, same factor row {n['factor_id']} (scaling)")
    elif factor_moved:
        reasons.append(f"input factor changed: {o['factor_id']} -> {n['factor_id']}")
    share_old = o["air_kg"] / o["input_kg"] if o["input_kg"] else 0.0
    share_new = n["air_kg"] / n["input_kg"] if n["input_kg"] else 0.0
    if _differ(share_old, share_new) and not factor_moved:
        reasons.append(
            f"distribution factors changed: {o['factor_id']} -> {n['factor_id']}"
            if o["factor_id"] != n["factor_id"]
            else "distribution factors changed"
        )
    return reasons


def _factor_moved(o, n, old_activity: float) -> bool:
    """Whether the input factors used differ; for a submission without them (trend.csv), the
    input per unit of activity."""
    if o["factors"] and n["factors"]:
        return len(o["factors"]) != len(n["factors"]) or any(
            _differ(a, b) for a, b in zip(o["factors"], n["factors"], strict=False)
        )
    return _differ(
        o["input_kg"] / old_activity if old_activity else 0.0,
        n["input_kg"] / n["activity"] if n["activity"] else 0.0,
    )
