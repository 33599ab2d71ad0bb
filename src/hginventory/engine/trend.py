"""A country's inventory over the years: the series, its gaps filled, its recalculation.

Plain functions over pandas DataFrames (a notebook can call each of them): which years and
sub-categories a series has, the activity of the years between two reported ones (linear
interpolation, never extrapolation), the long result table of every year, the national totals
per year, and the comparison with the inventories as submitted (the recalculation table).
The numbers themselves always come from the engine (`engine.calculate.compute`), one
inventory per year, all with one factor table.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS, RELEASE_PATHWAYS, TRANSFER_PATHWAYS
from hginventory.core.errors import Problem
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion
from hginventory.engine.inventory import Inventory, beyond_input
from hginventory.model.country import country_key, country_text, same_country
from hginventory.tables.factors import FactorTable

FIRST_YEAR, LAST_YEAR = 1950, 2100

INTERPOLATED = "interpolated"

NOT_FILLED = "no"

# What an activity row says of a year: a number, a statement that excludes a number (not
# occurring, not applicable, included elsewhere, or given by facilities only), or a gap (blank,
# absent, or NE: not estimated), which interpolation may fill.
VALUE, STATEMENT, GAP = "value", "statement", "gap"

GAP_NOTATIONS = {"NE"}

TREND_COLUMNS = [
    "year",
    "code",
    "sub_category",
    "facility",
    "activity",
    "activity_unit",
    "hg_input_kg",
    *OUTPUT_COLUMNS,
    "factor_id",
    "status",
    "filled",
]


def series_problems(entries: list[dict]) -> list[Problem]:
    """What makes inputs not one country's series: two countries, two files for one year, a year
    outside 1950-2100. `entries` are dicts with `file`, `country`, `iso3` and `year`."""
    problems: list[Problem] = []
    if not entries:
        return problems

    def same(a, b) -> bool:
        """Same iso3 when both give one, else the same name (NFC, case and spaces ignored)."""
        return same_country(a["country"], a.get("iso3"), b["country"], b.get("iso3"))

    ref = entries[0]
    for e in entries[1:]:
        if not same(e, ref):
            problems.append(
                Problem(
                    _(
                        "another country than {file} ({country}): a trend is one country's "
                        "inventories; run one trend per country"
                    ).format(file=Path(ref["file"]).name, country=ref["country"]),
                    file=str(e["file"]),
                    sheet="country",
                    found=e["country"] + (f" ({e['iso3']})" if e.get("iso3") else ""),
                    expected=ref["country"] + (f" ({ref['iso3']})" if ref.get("iso3") else ""),
                    code="trend-other-country",
                )
            )
    first: dict[int, str] = {}
    for e in entries:
        year = e["year"]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            problems.append(
                Problem(
                    _("year outside the years a trend covers"),
                    file=str(e["file"]),
                    sheet="country",
                    found=str(year),
                    expected=_("a year from {first} to {last}").format(
                        first=FIRST_YEAR, last=LAST_YEAR
                    ),
                    code="trend-year-out-of-range",
                )
            )
        if year in first:
            problems.append(
                Problem(
                    _(
                        "a second workbook for {year} (also {file}); give one workbook per year"
                    ).format(year=year, file=Path(first[year]).name),
                    file=str(e["file"]),
                    sheet="country",
                    found=str(year),
                    expected=_("one workbook per year"),
                    code="trend-year-twice",
                )
            )
        else:
            first[year] = str(e["file"])
    return problems


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


def activity_states(
    year: int, rows: list[dict], factors: FactorTable, reported_codes: Iterable[str] = ()
) -> pd.DataFrame:
    """What one year's activity sheet says of every sub-category of the factor table: `state`
    (value, statement or gap) and the activity in the factor table's unit.

    `reported_codes` are codes with result rows although their national row gave no number
    (facilities only), or that were replaced by an alternative activity: statements, not gaps.
    """
    given = {r["code"]: r for r in rows}
    reported = set(reported_codes)
    records = []
    for row in factors.rows:
        r = given.get(row.code)
        value = math.nan
        unit = row.activity_unit
        if r is not None and r["given"] and not r["notation"] and not math.isnan(r["activity"]):
            state = VALUE
            value = r["activity"] * conversion(r["unit"] or unit, unit)
        elif r is not None and r["notation"] and r["notation"] not in GAP_NOTATIONS:
            state = STATEMENT
        elif row.code in reported:
            state = STATEMENT
        else:
            state = GAP
        records.append(
            {"year": year, "code": row.code, "state": state, "activity": value, "unit": unit}
        )
    return pd.DataFrame.from_records(records, columns=["year", "code", "state", "activity", "unit"])


def interpolate(states: pd.DataFrame, factors: FactorTable | None = None) -> pd.DataFrame:
    """Activity of the years between two reported values of a sub-category, linearly.

    For each code, the years that say something (a value or a statement) are its anchors; between
    two consecutive anchors that are both values, every year in between gets
    `a + (b - a) * (year - year_a) / (year_b - year_a)`. Nothing before the first or after the
    last anchor, nothing across a statement (NO between two values stays NO and blocks the
    line). A code is not filled in a year where a code it replaces, or that replaces it (ASGM
    mercury used for gold produced), has a value: the reported figure stands.
    """
    out = []
    for code, group in states.sort_values("year").groupby("code", sort=False):
        anchors = group[group["state"] != GAP]
        for (_i, a), (_j, b) in zip(anchors.iterrows(), anchors.iloc[1:].iterrows(), strict=False):
            if a["state"] != VALUE or b["state"] != VALUE or b["year"] - a["year"] < 2:
                continue
            span = b["year"] - a["year"]
            for year in range(int(a["year"]) + 1, int(b["year"])):
                share = (year - a["year"]) / span
                out.append(
                    {
                        "year": year,
                        "code": code,
                        "activity": a["activity"] + (b["activity"] - a["activity"]) * share,
                        "unit": a["unit"],
                        "from_year": int(a["year"]),
                        "to_year": int(b["year"]),
                    }
                )
    columns = ["year", "code", "activity", "unit", "from_year", "to_year"]
    filled = pd.DataFrame.from_records(out, columns=columns)
    if factors is not None and len(filled):
        values = states[states["state"] == VALUE]
        has_value = set(zip(values["year"], values["code"], strict=True))
        related: dict[str, set[str]] = {}
        for row in factors.rows:
            if row.replaces:
                related.setdefault(row.code, set()).add(row.replaces)
                related.setdefault(row.replaces, set()).add(row.code)
        keep = [
            not any((y, other) in has_value for other in related.get(c, ()))
            for y, c in zip(filled["year"], filled["code"], strict=True)
        ]
        filled = filled[keep]
    order = {c: i for i, c in enumerate(factors.codes)} if factors is not None else {}
    filled = filled.assign(_o=filled["code"].map(order).fillna(len(order)))
    return (
        filled.sort_values(["year", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    )


def interpolate_value(year: int, points: dict[int, float | None]) -> float | None:
    """A country figure (population, electrification rate) of a year between two workbooks,
    linearly from the nearest workbook on each side; None if either lacks it."""
    before = max((y for y in points if y <= year), default=None)
    after = min((y for y in points if y >= year), default=None)
    if before is None or after is None:
        return None
    a, b = points[before], points[after]
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return None
    if before == after:
        return a
    return a + (b - a) * (year - before) / (after - before)


def inventory_rows(year: int, inv: Inventory, filled: Iterable[str] = ()) -> pd.DataFrame:
    """The result rows of one year's inventory, with the shares counted in the national totals
    (double counting) and the source group, and `filled` marking interpolated sub-categories."""
    r = inv.results
    filled = set(filled)
    counted = inv.counted_releases()
    frame = pd.DataFrame(
        {
            "year": year,
            "code": r["code"],
            "sub_category": r["sub_category"],
            "facility": r["facility"] if "facility" in r else "",
            "activity": r["activity"],
            "activity_unit": r["activity_unit"],
            "input_factor": r["input_factor"],
            "hg_input_kg": r["hg_input_kg"],
            **{c: r[c] for c in OUTPUT_COLUMNS},
            "factor_id": r["factor_id"],
            "status": r["status"],
            "method": r["method"],
            "filled": [INTERPOLATED if c in filled else NOT_FILLED for c in r["code"]],
            "source_group": r["group_name"],
            "group_order": r["group_order"],
            "order": r["order"],
            "counted_input_kg": r["hg_input_kg"] * r["input_total_weight"],
            **{f"counted_{c}": counted[c] for c in OUTPUT_COLUMNS},
            "beyond_input_kg": beyond_input(
                r["hg_input_kg"].to_numpy(dtype="float64"),
                r["input_total_weight"],
                counted.sum(axis=1).to_numpy(dtype="float64"),
            ),
        }
    )
    return frame.reset_index(drop=True)


def trend_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Every year's rows (`inventory_rows`) in one long table, by year then Toolkit order."""
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["year", "order"], kind="stable").reset_index(drop=True)


def totals_frame(trend: pd.DataFrame) -> pd.DataFrame:
    """National totals per year after the double-counting adjustments (`Inventory.totals`)."""
    counted = ["counted_input_kg", *(f"counted_{c}" for c in OUTPUT_COLUMNS)]
    grouped = trend.groupby("year", sort=True)
    out = grouped[counted].sum()
    out.columns = ["hg_input_kg", *OUTPUT_COLUMNS]
    out["releases_kg"] = out[OUTPUT_COLUMNS].sum(axis=1)
    out["releases_awl_kg"] = out[[f"{p}_kg" for p in RELEASE_PATHWAYS]].sum(axis=1)
    out["transfers_kg"] = out[[f"{p}_kg" for p in TRANSFER_PATHWAYS]].sum(axis=1)
    out["outputs_beyond_input_kg"] = grouped["beyond_input_kg"].sum()
    out["result_rows"] = grouped.size()
    out["filled_rows"] = grouped["filled"].apply(lambda s: int((s == INTERPOLATED).sum()))
    out["recalled_rows"] = grouped["status"].apply(lambda s: int((s == "recalled").sum()))
    return out.reset_index()


def group_totals(trend: pd.DataFrame, quantity: str = "releases_kg") -> pd.DataFrame:
    """Counted totals by source group (rows) and year (columns): `releases_kg`, `hg_input_kg`
    or one pathway such as `air_kg`."""
    frame = trend.copy()
    if quantity == "releases_kg":
        frame["value"] = frame[[f"counted_{c}" for c in OUTPUT_COLUMNS]].sum(axis=1)
    elif quantity == "hg_input_kg":
        frame["value"] = frame["counted_input_kg"]
    else:
        frame["value"] = frame[f"counted_{quantity}"]
    table = frame.pivot_table(
        index=["group_order", "source_group"], columns="year", values="value", aggfunc="sum"
    )
    return table.fillna(0.0).reset_index(level=0, drop=True)


def sub_category_table(trend: pd.DataFrame, quantity: str = "hg_input_kg") -> pd.DataFrame:
    """One row per sub-category (facility rows added up), one column per year; blank where the
    year has no result row for it. Not adjusted for double counting: the rows as computed."""
    table = trend.pivot_table(
        index=["order", "code", "sub_category"], columns="year", values=quantity, aggfunc="sum"
    )
    return table.reset_index(level=0, drop=True)


def filled_cells(trend: pd.DataFrame) -> set[tuple[str, int]]:
    """(code, year) pairs whose activity was interpolated."""
    f = trend[trend["filled"] == INTERPOLATED]
    return set(zip(f["code"], f["year"], strict=True))


# --- recalculation: the inventories as submitted against the series ------------------------

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


def _recalc_row(key, o, n) -> dict:
    year, code = key
    nan = math.nan
    base = {
        "year": year,
        "code": code,
        "sub_category": (n if n is not None else o)["sub_category"],
        "submitted_input_kg": o["input_kg"] if o is not None else 0.0,
        "recalculated_input_kg": n["input_kg"] if n is not None else 0.0,
        "submitted_air_kg": o["air_kg"] if o is not None else 0.0,
        "recalculated_air_kg": n["air_kg"] if n is not None else 0.0,
        "submitted_activity": o["activity"] if o is not None else nan,
        "recalculated_activity": n["activity"] if n is not None else nan,
        "activity_unit": (n if n is not None else o)["unit"],
        "submitted_factor_id": o["factor_id"] if o is not None else "",
        "recalculated_factor_id": n["factor_id"] if n is not None else "",
    }
    base["input_change_kg"] = base["recalculated_input_kg"] - base["submitted_input_kg"]
    base["air_change_kg"] = base["recalculated_air_kg"] - base["submitted_air_kg"]
    if o is None:
        base["reason"] = "sub-category added" + (" (interpolated)" if n["filled"] else "")
        return base
    if n is None:
        base["reason"] = "sub-category removed"
        return base
    reasons = []
    old_activity = o["activity"]
    if o["unit"] and n["unit"] and o["unit"] != n["unit"] and old_activity == old_activity:
        old_activity = old_activity * conversion(o["unit"], n["unit"])
        base["submitted_activity"] = old_activity
    if _differ(old_activity, n["activity"]):
        reasons.append("activity changed" + (" (interpolated)" if n["filled"] else ""))
    if o["factors"] and n["factors"]:
        factor_moved = len(o["factors"]) != len(n["factors"]) or any(
            _differ(a, b) for a, b in zip(o["factors"], n["factors"], strict=False)
        )
    else:  # a submission without the factors used (trend.csv): the input per unit of activity
        factor_moved = _differ(
            o["input_kg"] / old_activity if old_activity else 0.0,
            n["input_kg"] / n["activity"] if n["activity"] else 0.0,
        )
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
    moved = _differ(o["input_kg"], n["input_kg"]) or _differ(o["air_kg"], n["air_kg"])
    if moved and not reasons:
        reasons.append("other (rules or Level 2 data)")
    if not moved:
        base["input_change_kg"] = base["air_change_kg"] = 0.0
    if not reasons:
        reasons.append(UNCHANGED)
    base["reason"] = "; ".join(reasons)
    return base


@dataclass
class TrendSeries:
    """One country's series as computed: what the writers and the CLI show."""

    country: str
    iso3: str
    inputs: dict[int, str]  # year -> input file, for years with a workbook
    trend: pd.DataFrame  # inventory_rows of every year (trend.csv and the counted shares)
    totals: pd.DataFrame  # totals_frame, with the input file of each year
    filled: pd.DataFrame  # interpolate(): the activity filled, year by year
    factor_label: str
    factor_sha256: str
    fill: str = "none"
    recalculation: pd.DataFrame | None = None
    baseline: str = ""
    warnings: list[Problem] = field(default_factory=list)
    checks: pd.DataFrame | None = None  # series_checks: checks.csv and the Checks sheet
    jump: float = 0.5  # the threshold the checks used
    key_trend: pd.DataFrame | None = None  # engine.keycat.trend_assessment
    estimates_counted: bool = False  # --include-estimates: the project's estimates in the totals

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.totals["year"])

    @property
    def filled_years(self) -> list[int]:
        """Years without a workbook, present because something was interpolated."""
        return [y for y in self.years if y not in self.inputs]

    @property
    def recalled_rows(self) -> int:
        return int((self.trend["status"] == "recalled").sum())

    def fill_notes(self) -> list[str]:
        """One line per year with interpolated activity: which sub-categories, from which years."""
        lines = []
        for year, group in self.filled.groupby("year", sort=True):
            spans = group.groupby(["from_year", "to_year"], sort=True)["code"].apply(list)
            what = "; ".join(
                _("{codes} (between {first} and {last})").format(
                    codes=", ".join(codes), first=a, last=b
                )
                for (a, b), codes in spans.items()
            )
            if year in self.inputs:
                text = ngettext(
                    "{year} (workbook): {n} sub-category interpolated: {what}",
                    "{year} (workbook): {n} sub-categories interpolated: {what}",
                    len(group),
                )
            else:
                text = ngettext(
                    "{year} (no workbook): {n} sub-category interpolated: {what}",
                    "{year} (no workbook): {n} sub-categories interpolated: {what}",
                    len(group),
                )
            lines.append(text.format(year=year, n=len(group), what=what))
        return lines

    def trend_csv_frame(self) -> pd.DataFrame:
        return self.trend[TREND_COLUMNS]

    def totals_csv_frame(self) -> pd.DataFrame:
        """totals.csv: the totals with the country of the series, which `report --trend` and
        `trend --baseline` check against the inventory they are given."""
        return self.totals.assign(
            country=self.country, iso3=self.iso3, estimates_counted=self.estimates_counted
        )


# --- time-series checks: what a reviewer asks of a series before reading its trend -----------

JUMP = 0.5
"""Default threshold of `trend-jump` and `trend-factor-jump`: a change of more than ±50 %."""

CHECK_COLUMNS = [
    "check",
    "severity",
    "code",
    "sub_category",
    "year_before",
    "year",
    "before",
    "after",
    "change_pct",
    "unit",
    "detail",
]

CHECK_CODES = ("trend-jump", "trend-factor-jump", "trend-method-change", "trend-gap")
"""The stable codes of the time-series checks (docs/key-categories.md explains each)."""


_TABLE_VERSION = re.compile(r"[\w.-]+@[\w.-]+")
"""A factor table and its version in a factor id (`unep-toolkit-l1@2019-2.1.r3:5.1.1`)."""


def _per_year_code(trend: pd.DataFrame) -> pd.DataFrame:
    """Per code and year: the activity added up in one unit (the code's first unit in the
    series), the Hg input, the methods and the factor tables (the part of `factor_id` before
    ':', i.e. table and version) used."""
    records = []
    units: dict[str, str] = {}
    for (code, year), g in trend.sort_values("year").groupby(["code", "year"], sort=False):
        unit = units.setdefault(str(code), str(g["activity_unit"].iloc[0]))
        activity = math.nan
        for value, u in zip(g["activity"], g["activity_unit"], strict=True):
            if value != value:
                continue
            try:
                factor = conversion(str(u), unit) if u and unit and u != unit else 1.0
            except Exception:  # another kind of unit: no activity to compare
                factor = math.nan
            activity = (0.0 if activity != activity else activity) + value * factor
        methods = g["method"] if "method" in g else pd.Series(["default"] * len(g))
        records.append(
            {
                "code": str(code),
                "year": int(year),
                "sub_category": str(g["sub_category"].iloc[0]),
                "activity": activity,
                "unit": unit,
                "hg_input_kg": float(g["hg_input_kg"].sum()),
                "methods": " + ".join(sorted({str(m) for m in methods})),
                "tables": " + ".join(
                    sorted({t for f in g["factor_id"] for t in _TABLE_VERSION.findall(str(f))})
                ),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=["code", "year", "sub_category", "activity", "unit", "hg_input_kg"]
        + ["methods", "tables"],
    )


def _changed(a: float, b: float, jump: float) -> bool:
    return a == a and b == b and a > 0 and b > 0 and abs(b / a - 1.0) > jump


def series_checks(trend: pd.DataFrame, jump: float = JUMP) -> pd.DataFrame:
    """The time-series checks of a series (`trend_frame`), one row per finding (CHECK_COLUMNS;
    `detail` is English machine text, `check_message` says a row in the user's language):

    - `trend-jump`: a code's activity changes by more than `jump` (0.5 = ±50 %) from one year
      of the series to the next;
    - `trend-factor-jump`: its implied input factor (Hg input / activity) does;
    - `trend-method-change`: its method (default, facility...) or factor table version changes;
    - `trend-gap`: it has result rows in some years of the series only (`year` is the first
      year without one, `detail` lists them all)."""
    years = sorted(int(y) for y in trend["year"].unique())
    per = _per_year_code(trend)
    out = []
    order = {c: i for i, c in enumerate(dict.fromkeys(trend.sort_values("order")["code"]))}
    for code, g in sorted(per.groupby("code", sort=False), key=lambda t: order.get(t[0], 0)):
        g = g.set_index("year")
        name = str(g["sub_category"].iloc[0])
        base = {"severity": "warning", "code": code, "sub_category": name}
        present = [y for y in years if y in g.index]
        for a, b in zip(years, years[1:], strict=False):
            if a not in g.index or b not in g.index:
                continue
            x, y = g.loc[a], g.loc[b]
            if _changed(x["activity"], y["activity"], jump):
                out.append(
                    {
                        **base,
                        "check": "trend-jump",
                        "year_before": a,
                        "year": b,
                        "before": x["activity"],
                        "after": y["activity"],
                        "change_pct": 100.0 * (y["activity"] / x["activity"] - 1.0),
                        "unit": x["unit"],
                        "detail": "activity",
                    }
                )
            fx = x["hg_input_kg"] / x["activity"] if x["activity"] else math.nan
            fy = y["hg_input_kg"] / y["activity"] if y["activity"] else math.nan
            if _changed(fx, fy, jump):
                out.append(
                    {
                        **base,
                        "check": "trend-factor-jump",
                        "year_before": a,
                        "year": b,
                        "before": fx,
                        "after": fy,
                        "change_pct": 100.0 * (fy / fx - 1.0),
                        "unit": f"kg/{x['unit']}",
                        "detail": "implied input factor",
                    }
                )
            for what in ("methods", "tables"):  # a new method brings its tables: said once
                if x[what] != y[what] and (what == "methods" or x["methods"] == y["methods"]):
                    out.append(
                        {
                            **base,
                            "check": "trend-method-change",
                            "year_before": a,
                            "year": b,
                            "detail": f"{'method' if what == 'methods' else 'factor table'}: "
                            f"{x[what]} -> {y[what]}",
                        }
                    )
        missing = [y for y in years if y not in g.index]
        if missing and present:
            out.append(
                {
                    **base,
                    "check": "trend-gap",
                    "year": missing[0],
                    "detail": "no result in " + ", ".join(map(str, missing)),
                }
            )
    frame = pd.DataFrame.from_records(out, columns=CHECK_COLUMNS)
    for c in ("year_before", "year"):
        frame[c] = frame[c].astype("Int64")
    return frame


def check_message(row) -> str:
    """One finding of `series_checks` in the user's language."""
    from hginventory.core.numbers import percent

    if row.check == "trend-jump":
        text = _("activity {change} from {first} to {last}")
    elif row.check == "trend-factor-jump":
        text = _("implied input factor (Hg input / activity) {change} from {first} to {last}")
    elif row.check == "trend-method-change":
        what = str(row.detail)
        if what.startswith("method: "):
            return _("method changes from {first} to {last}: {what}").format(
                first=row.year_before, last=row.year, what=what.removeprefix("method: ")
            )
        return _("factor table changes from {first} to {last}: {what}").format(
            first=row.year_before, last=row.year, what=what.removeprefix("factor table: ")
        )
    else:
        return _("no result in {years} (present in other years of the series)").format(
            years=str(row.detail).removeprefix("no result in ")
        )
    sign = "+" if row.change_pct > 0 else ""
    return text.format(
        change=sign + percent(row.change_pct / 100.0), first=row.year_before, last=row.year
    )
