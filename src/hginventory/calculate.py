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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hginventory import __version__
from hginventory.activity import ActivityData, CountryInfo, check_activity
from hginventory.errors import ActivityError, Problem
from hginventory.factors import PATHWAYS, FactorTable, load_factors
from hginventory.units import conversion, parse_factor_unit

if TYPE_CHECKING:
    from hginventory.emep import Crosscheck
    from hginventory.uncertainty import UncertaintyResult

OUTPUT_COLUMNS = [f"{p}_kg" for p in PATHWAYS]
CSV_COLUMNS = [
    "code",
    "sub_category",
    "facility",
    "method",
    "activity",
    "activity_unit",
    "input_factor",
    "input_factor_unit",
    "hg_input_kg",
    *OUTPUT_COLUMNS,
    "factor_id",
    "factor_source",
    "status",
]


REST = "rest of the country (Level 1 defaults)"


@lru_cache(maxsize=512)
def _multiplier(unit: str, factor_unit: str) -> float:
    """kg of mercury per (activity in `unit` x factor value in `factor_unit`)."""
    fu = parse_factor_unit(factor_unit)
    return conversion(unit, fu.per.symbol) * fu.to_kg


@dataclass
class Inventory:
    """A computed national inventory: one result row per sub-category present, and totals."""

    country: CountryInfo
    results: pd.DataFrame
    sources: pd.DataFrame
    factors: FactorTable
    metadata: dict
    warnings: list[Problem] = field(default_factory=list)
    crosscheck: Crosscheck | None = None  # EMEP/EEA cross-check, see hginventory.emep
    uncertainty: UncertaintyResult | None = None

    @property
    def recalled_count(self) -> int:
        """How many result rows rest on a recalled factor (a Level 2 row: on any of its factors)."""
        return int((self.results["status"] == "recalled").sum())

    def csv_frame(self) -> pd.DataFrame:
        frame = self.results[CSV_COLUMNS]
        if self.crosscheck is not None:
            frame = self.crosscheck.extend(frame)
        if self.uncertainty is not None:
            frame = self.uncertainty.extend_csv(frame)
        return frame

    def input_summary(self) -> pd.DataFrame:
        """The Toolkit's summary of mercury inputs: per sub-category, with the share counted."""
        r = self.results
        return pd.DataFrame(
            {
                "code": r["code"],
                "sub_category": r["label"],
                "source_group": r["group_name"],
                "hg_input_kg": r["hg_input_kg"],
                "counted_share": r["input_total_weight"],
                "counted_input_kg": r["hg_input_kg"] * r["input_total_weight"],
            }
        )

    def counted_releases(self) -> pd.DataFrame:
        """Releases per pathway as counted in the national totals (exclusions applied)."""
        r = self.results
        out = r[OUTPUT_COLUMNS].copy()
        excludes = [set(text.split(";")) for text in r["release_total_exclude"]]
        for p in PATHWAYS:
            excluded = np.fromiter((p in xs for xs in excludes), bool, len(excludes))
            if excluded.any():
                out.loc[excluded, f"{p}_kg"] = 0.0
        return out

    def totals(self) -> dict[str, float]:
        """National totals after the double-counting adjustments (kg Hg/y)."""
        counted = self.counted_releases()
        out = {"hg_input_kg": float(self.input_summary()["counted_input_kg"].sum())}
        out.update({c: float(counted[c].sum()) for c in OUTPUT_COLUMNS})
        out["releases_kg"] = sum(out[c] for c in OUTPUT_COLUMNS)
        return out

    def sums(self) -> dict[str, float]:
        """Plain sums of all rows, before the double-counting adjustments."""
        out = {"hg_input_kg": float(self.results["hg_input_kg"].sum())}
        out.update({c: float(self.results[c].sum()) for c in OUTPUT_COLUMNS})
        out["releases_kg"] = sum(out[c] for c in OUTPUT_COLUMNS)
        return out

    def group_summary(self) -> pd.DataFrame:
        """Inputs and releases by source group, as counted in the national totals."""
        r = self.results
        counted = self.counted_releases()
        frame = pd.concat(
            [
                r[["group_order", "group_name"]],
                (r["hg_input_kg"] * r["input_total_weight"]).rename("hg_input_kg"),
                counted,
            ],
            axis=1,
        )
        grouped = frame.groupby(["group_order", "group_name"], sort=True).sum().reset_index()
        grouped["releases_kg"] = grouped[OUTPUT_COLUMNS].sum(axis=1)
        return grouped.drop(columns="group_order").rename(columns={"group_name": "source_group"})


def row_labels(results: pd.DataFrame) -> pd.Series:
    """Names for report tables: Level 2 rows share a code, so they carry the facility name,
    and the rest of such a code's activity is marked as computed at Level 1 defaults."""
    names = results["sub_category"].astype(str)
    if "facility" not in results:
        return names
    facility = ["" if f is None or f != f else str(f) for f in results["facility"]]
    codes = results["code"].tolist()
    with_facilities = {c for c, f in zip(codes, facility, strict=True) if f}
    labels = [
        f"{n} - {f}" if f else (f"{n} - {REST}" if c in with_facilities else n)
        for n, f, c in zip(names, facility, codes, strict=True)
    ]
    return pd.Series(labels, index=results.index, dtype=names.dtype)


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
                    f"{target} is replaced by {r['code']} "
                    f"({factors[r['code']].activity_description} given); "
                    f"{target} is reported as IE (included elsewhere)",
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
        raise ActivityError(f"{activity.path.name}: the activity workbook has errors", problems)
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
    from hginventory import level2 as _level2

    merged = _level2.apply(
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
