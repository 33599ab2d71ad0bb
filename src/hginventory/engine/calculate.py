"""The Toolkit Level 1 calculation, vectorised over sub-categories.

    Hg input (kg/y)        = activity rate x unit conversion x input factor (x electrification)
    Hg output to pathway p = Hg input x distribution factor p

plus the Toolkit's rules: population-based product defaults scaled by the electrification rate
where the factor row says so; alternative activities (mercury used instead of gold produced in
ASGM, reported consumption in chlor-alkali) that replace the default row; and the summary's
double-counting weights (only part of some waste rows counts in the national totals).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import pandas as pd

from hginventory import __version__
from hginventory.check.activity import check_activity
from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import ActivityError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion, parse_factor_unit
from hginventory.engine.inventory import Inventory, row_labels
from hginventory.engine.level2 import apply as apply_level2
from hginventory.read.activity import ActivityData
from hginventory.tables.factors import FactorTable, load_factors
from hginventory.tables.translations import activity_description


@lru_cache(maxsize=512)
def _multiplier(unit: str, factor_unit: str) -> float:
    """kg of mercury per (activity in `unit` x factor value in `factor_unit`)."""
    fu = parse_factor_unit(factor_unit)
    return conversion(unit, fu.per.symbol) * fu.to_kg


def _join_factors(act: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The factor row of each activity row, beside it: what `act.merge(table, on="code",
    how="left")` gives when every code is in the table once (check_activity saw to that),
    without the cost of a general merge on a few dozen rows."""
    position = pd.Index(table["code"]).get_indexer(act["code"])
    overlap = (set(act.columns) & set(table.columns)) - {"code"}
    if overlap or (position < 0).any() or not table["code"].is_unique:
        return act.merge(table, on="code", how="left", validate="one_to_one")
    right = table.drop(columns="code").iloc[position].reset_index(drop=True)
    return pd.concat([act.reset_index(drop=True), right], axis=1)


def _apply_replacements(rows: list[dict], factors: FactorTable) -> tuple[list[dict], dict, list]:
    """Drop default rows that an alternative activity replaces (e.g. ASGM mercury used)."""
    quantified = {r["code"] for r in rows}
    replaced: dict[str, str] = {}
    warnings = []
    for r in rows:
        target = factors[r["code"]].replaces
        if target and target in quantified:
            replaced[target] = r["code"]
            warnings.append(
                Problem(
                    _(
                        "{target} is replaced by {code} ({description} given); {target} is "
                        "reported as IE (included elsewhere)"
                    ).format(
                        target=target,
                        code=r["code"],
                        description=activity_description(factors[r["code"]]),
                    ),
                    sheet="activity",
                    cell=r["activity_cell"],
                    severity="warning",
                )
            )
    return [r for r in rows if r["code"] not in replaced], replaced, warnings


def compute(
    activity: ActivityData,
    factors: FactorTable | None = None,
    facilities=None,
    level2=None,
    checked: list[Problem] | None = None,
) -> Inventory:
    """Compute the inventory of one country; raises ActivityError listing every input error.

    Facility rows (Level 2) are read from the workbook's optional `facilities` sheet unless
    `facilities` (a `level2.FacilityData`) is given; `level2` overrides the Level 2 tables.
    `checked` is what `validate_input` found in the activity and facility rows (it checks
    them first), so that the checks are not made twice.
    """
    factors = factors or load_factors()
    if checked is None:
        problems = list(activity.problems) + check_activity(activity, factors)
    else:
        problems = list(checked)
    errors = [p for p in problems if p.severity == "error"]
    if errors or activity.country is None:
        raise ActivityError(
            _("{file}: the activity workbook has errors").format(file=activity.path.name), problems
        )
    country = activity.country
    warnings = [p for p in problems if p.severity == "warning"]

    present = [r for r in activity.rows if r["code"] in factors and not math.isnan(r["activity"])]
    present, replaced, replacement_warnings = _apply_replacements(present, factors)
    for w in replacement_warnings:
        warnings.append(
            Problem(
                w.message, file=str(activity.path), sheet=w.sheet, cell=w.cell, severity="warning"
            )
        )

    table = factors.frame()
    act = pd.DataFrame.from_records(
        present, columns=["code", "activity", "unit", "notes", "activity_cell", "uncertainty_pct"]
    )
    df = _join_factors(act, table)
    df = df.sort_values("order", kind="stable").reset_index(drop=True)
    df["activity_unit"] = df["unit"].where(df["unit"] != "", df["activity_unit"])
    df["unit_multiplier"] = [
        _multiplier(u, fu)
        for u, fu in zip(df["activity_unit"], df["input_factor_unit"], strict=True)
    ]
    rate = country.electrification_rate
    df["scale"] = 1.0
    scaled = df["scaling"] == "electrification"
    if scaled.any():
        df.loc[scaled, "scale"] = rate / 100.0
    df["default_input_factor"] = df["input_factor"]
    df["input_factor"] = df["default_input_factor"] * df["scale"]
    df["hg_input_kg"] = df["activity"] * df["unit_multiplier"] * df["input_factor"]
    for p in PATHWAYS:
        df[f"{p}_kg"] = df["hg_input_kg"] * df[p]

    sources = _sources(activity, factors, replaced)
    merged = apply_level2(
        df, sources, activity, factors, facilities, level2, replaced, checked=checked is not None
    )
    df, sources = merged.results, merged.sources
    df["label"] = row_labels(df)
    warnings += merged.warnings
    metadata = {
        "hginv_version": __version__,
        "country": country.country,
        "iso3": country.iso3 or "",
        "year": country.year,
        "population": country.population,
        "electrification_rate": rate,
        "factor_table_id": factors.id,
        "factor_table_version": factors.version,
        "factor_table_sha256": factors.sha256,
        "factor_table_file": factors.path,
        "input_file": activity.path.name,
        "input_sha256": activity.sha256,
        "computed_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    metadata.update(merged.metadata)
    metadata.update(getattr(factors, "overlay_metadata", {}))
    inventory = Inventory(country, df, sources, factors, metadata, warnings)
    metadata["recalled_factors_used"] = inventory.recalled_count
    metadata["sub_categories_quantified"] = len(df)
    return inventory


def _sources(activity: ActivityData, factors: FactorTable, replaced: dict) -> pd.DataFrame:
    """Every sub-category of the factor table and what the country said of it (the Toolkit's
    'source types present' screening)."""
    given = {r["code"]: r for r in activity.rows}
    records = []
    for row in factors.rows:
        a = given.get(row.code)
        if row.code in replaced:
            state, detail = "IE", f"replaced by {replaced[row.code]}"
        elif a is None or not a["given"]:
            state, detail = "not reported", ""
        elif a["notation"]:
            state, detail = a["notation"], ""
        else:
            state, detail = "quantified", ""
        records.append(
            {
                "code": row.code,
                "sub_category": row.sub_category,
                "source_group": factors.groups.get(row.source_group, {}).get(
                    "name", row.source_group
                ),
                "presence": state,
                "detail": detail or (a["notes"] if a else ""),
            }
        )
    return pd.DataFrame.from_records(records)
