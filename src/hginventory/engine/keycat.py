"""Key categories (IPCC 2006 Guidelines, Vol. 1 Ch. 4, Approach 1) of a mercury inventory.

Level assessment: the sub-category codes sorted by their release as counted in the national
totals (double-counting exclusions applied, the project's estimates set aside count zero),
largest first; a code is key while the cumulative share of the codes *before* it is below 95 %
(so the code that crosses 95 % is key too). Two assessments: releases to air, and releases to
water and land together. Trend assessment: each code's contribution to the change of the total
between the first and the last year of a series.

Plain functions over DataFrames, so a notebook can call them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hginventory.core.columns import PATHWAYS
from hginventory.core.i18n import N_

THRESHOLD = 0.95
"""A code is key while the cumulative share before it is below this (IPCC: 95 %)."""

ASSESSMENTS = {"air": ("air_kg",), "water-land": ("water_kg", "land_kg")}
"""The two level assessments and the counted pathways each one adds up."""

ASSESSMENT_NAMES = {"air": N_("air"), "water-land": N_("water and land")}
"""How a table names an assessment (the CSV keeps the machine words)."""

KEY_COLUMNS = [
    "assessment",
    "rank",
    "code",
    "sub_category",
    "release_kg",
    "share",
    "cumulative_share",
    "key",
    "range_relative",
    "range_source",
    "level2_weight",
]


def counted_pathways(results: pd.DataFrame) -> pd.DataFrame:
    """Each row's releases per pathway as counted in the national totals: a pathway named in
    `release_total_exclude` counts zero (the project's estimates set aside exclude all six).
    The same numbers as `Inventory.counted_releases`, on a long table of many inventories."""
    texts = results["release_total_exclude"].astype(str).tolist()
    kinds: dict[str, int] = {}
    which = np.fromiter((kinds.setdefault(t, len(kinds)) for t in texts), "int64", len(texts))
    excludes = [set(t.split(";")) for t in kinds]
    out = {}
    for p in PATHWAYS:
        values = results[f"{p}_kg"].to_numpy(dtype="float64", copy=True)
        if excludes:
            values[np.array([p in xs for xs in excludes], dtype=bool)[which]] = 0.0
        out[f"{p}_kg"] = np.nan_to_num(values)
    return pd.DataFrame(out, index=results.index)


def _level(per_code: pd.DataFrame, value: str) -> pd.DataFrame:
    """`per_code` (columns `inventory`, `code`, `value`) ranked within each inventory, largest
    first (ties by code), with share, cumulative share and `key`."""
    frame = per_code.assign(_neg=-per_code[value].to_numpy())
    frame = frame.sort_values(["inventory", "_neg", "code"], kind="stable").drop(columns="_neg")
    grouped = frame.groupby("inventory", sort=False)[value]
    total = grouped.transform("sum").to_numpy()
    cumulative = grouped.cumsum().to_numpy()
    values = frame[value].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, values / total, 0.0)
        cum_share = np.where(total > 0, cumulative / total, 0.0)
    before = cum_share - share
    frame = frame.assign(
        rank=grouped.cumcount().to_numpy() + 1,
        share=share,
        cumulative_share=cum_share,
        key=(values > 0) & (before < THRESHOLD),
    )
    return frame


def _per_code(results: pd.DataFrame) -> pd.DataFrame:
    """Counted air and water+land releases added up per inventory and code (facility rows of
    a code are one code)."""
    counted = counted_pathways(results)
    inventory = results["inventory"].to_numpy() if "inventory" in results else 0
    frame = pd.DataFrame({"inventory": inventory, "code": results["code"].astype(str)})
    for name, columns in ASSESSMENTS.items():
        frame[name] = counted[list(columns)].sum(axis=1).to_numpy()
    return frame.groupby(["inventory", "code"], sort=False, as_index=False).sum()


def key_category_column(results: pd.DataFrame) -> np.ndarray:
    """The `key_category` text of every result row: `air`, `water-land`, `air;water-land` or
    '' (the same on every row of a code). `results` may hold many inventories (`inventory`)."""
    if results.empty:
        return np.array([], dtype=object)
    per_code = _per_code(results)
    air, water_land = (
        _level(per_code[["inventory", "code", name]], name)["key"]
        .reindex(per_code.index)
        .to_numpy(dtype=bool)
        for name in ASSESSMENTS
    )
    text = np.select(
        [air & water_land, air, water_land], ["air;water-land", "air", "water-land"], ""
    ).astype(object)
    inventory = results["inventory"].to_numpy() if "inventory" in results else 0
    rows = pd.MultiIndex.from_frame(
        pd.DataFrame({"inventory": inventory, "code": results["code"].astype(str).to_numpy()})
    )
    return text[pd.MultiIndex.from_frame(per_code[["inventory", "code"]]).get_indexer(rows)]


def _factor_range(inventory, code: str) -> float:
    """The factor row's low-high range of the input factor relative to its value (NaN when
    the table gives no range)."""
    factors = inventory.factors
    if code not in factors:
        return float("nan")
    row = factors[code]
    low, high, value = row.input_factor_low, row.input_factor_high, row.input_factor
    if low is None or high is None or not value:
        return float("nan")
    return (high - low) / value


def _monte_carlo_ranges(inventory, name: str) -> dict[str, float]:
    """Per code, the Monte Carlo 95 % interval (p97.5 - p2.5) of the assessment's pathways
    relative to their point value, when `--uncertainty` ran."""
    result = inventory.uncertainty
    if result is None or not hasattr(result, "table"):
        return {}
    rows = result.table("sub_category")
    rows = rows[rows["quantity"].isin(ASSESSMENTS[name])]
    if rows.empty:
        return {}
    code = rows["key"].astype(str).str.split(" ", n=1).str[0]
    sums = rows.assign(code=code, width=rows["p975"] - rows["p025"])
    sums = sums.groupby("code")[["width", "point"]].sum()
    return {c: (w / p if p else float("nan")) for c, w, p in sums.itertuples()}


def key_categories(inventory) -> pd.DataFrame:
    """Both level assessments of one `Inventory`: one row per assessment and code with a
    counted release, largest first, with shares, cumulative shares, `key`, and where Level 2
    data would change the national total most: `level2_weight` = share x `range_relative` (the
    Monte Carlo interval when the uncertainty ran, else the factor row's low-high range)."""
    results = inventory.results
    if results.empty:
        return pd.DataFrame(columns=KEY_COLUMNS)
    per_code = _per_code(results.drop(columns="inventory", errors="ignore"))
    names = dict(zip(results["code"].astype(str), results["sub_category"], strict=False))
    parts = []
    for name in ASSESSMENTS:
        ranked = _level(per_code[["inventory", "code", name]], name)
        ranked = ranked[ranked[name] > 0].rename(columns={name: "release_kg"})
        monte_carlo = _monte_carlo_ranges(inventory, name)
        if monte_carlo:
            ranges = [monte_carlo.get(c, float("nan")) for c in ranked["code"]]
            source = "monte-carlo"
        else:
            ranges = [_factor_range(inventory, c) for c in ranked["code"]]
            source = "factor-range"
        ranked = ranked.assign(
            assessment=name,
            sub_category=ranked["code"].map(names),
            range_relative=ranges,
            range_source=source,
        )
        ranked["level2_weight"] = ranked["share"] * ranked["range_relative"]
        parts.append(ranked[KEY_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def level2_priorities(table: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The key categories whose better data would move the national totals most: the `n`
    largest `level2_weight` of the key rows (either assessment)."""
    key = table[table["key"] & table["level2_weight"].notna()]
    return key.sort_values(["level2_weight", "code"], ascending=[False, True]).head(n)


TREND_KEY_COLUMNS = [
    "assessment",
    "code",
    "sub_category",
    "first_kg",
    "last_kg",
    "level_share",
    "trend",
    "contribution",
    "cumulative",
    "key",
]


def trend_assessment(series: pd.DataFrame) -> pd.DataFrame:
    """IPCC Approach 1 trend assessment between the first and the last year of `series` (rows
    of `engine.trend.inventory_rows`: `year`, `code`, `sub_category`, `counted_<pathway>_kg`).

    For each assessment and code, with B the base-year and C the latest-year counted release,
    sum(B) and sum(C) the totals: trend = B / sum(B) x |(C - B) / B - (sum(C) - sum(B)) /
    sum(B)|, and (B = 0) C / sum(B) for a code new since the base year. `contribution` is the
    code's share of the sum of trends; codes sorted by it, key while the cumulative
    contribution before them is below 95 %."""
    if series.empty:
        return pd.DataFrame(columns=TREND_KEY_COLUMNS)
    years = sorted(int(y) for y in series["year"].unique())
    first, last = years[0], years[-1]
    names = dict(zip(series["code"].astype(str), series["sub_category"], strict=False))
    parts = []
    for name, columns in ASSESSMENTS.items():
        values = series[[f"counted_{c}" for c in columns]].sum(axis=1)
        frame = pd.DataFrame(
            {"year": series["year"].astype(int), "code": series["code"].astype(str), "v": values}
        )
        table = frame.pivot_table(index="code", columns="year", values="v", aggfunc="sum")
        b = table.get(first, pd.Series(0.0, index=table.index)).fillna(0.0)
        c = table.get(last, pd.Series(0.0, index=table.index)).fillna(0.0)
        total_b, total_c = float(b.sum()), float(c.sum())
        if total_b <= 0:
            continue
        change = (total_c - total_b) / total_b
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.where(b > 0, (c - b) / b.where(b > 0, 1.0), 0.0)
        trend = np.where(b > 0, b / total_b * np.abs(own - change), c / total_b)
        out = pd.DataFrame(
            {
                "assessment": name,
                "code": table.index.astype(str),
                "first_kg": b.to_numpy(),
                "last_kg": c.to_numpy(),
                "level_share": b.to_numpy() / total_b,
                "trend": trend,
            }
        )
        out = out[(out["first_kg"] > 0) | (out["last_kg"] > 0)]
        summed = float(out["trend"].sum())
        out["contribution"] = out["trend"] / summed if summed > 0 else 0.0
        out = out.assign(_neg=-out["contribution"]).sort_values(["_neg", "code"], kind="stable")
        out = out.drop(columns="_neg")
        out["cumulative"] = out["contribution"].cumsum()
        before = out["cumulative"] - out["contribution"]
        out["key"] = (out["trend"] > 0) & (before < THRESHOLD)
        out["sub_category"] = out["code"].map(names)
        parts.append(out[TREND_KEY_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=TREND_KEY_COLUMNS)
    return pd.concat(parts, ignore_index=True)
