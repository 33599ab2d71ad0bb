"""The Toolkit calculation: one engine for one inventory or a thousand.

    Hg input (kg/y)        = activity rate x unit conversion x input factor (x electrification)
    Hg output to pathway p = Hg input x distribution factor p

plus the Toolkit's rules: population-based product defaults scaled by the electrification rate
where the factor row says so; alternative activities (mercury used instead of gold produced in
ASGM, reported consumption in chlor-alkali) that replace the default row; Level 2 facility rows
and the remainders they leave; and the summary's double-counting weights (only part of some
waste rows counts in the national totals).

`compute_table` runs the rules over a long table of activity rows keyed by `inventory` (one
factor join, vectorised over every row of every inventory); `compute_long` builds that table
from checked records (`model.activity.ActivityData`, `model.facilities.FacilityData`) and adds
Level 2; `Many.outcomes` splits the result into one `Inventory` each. The engine neither reads
nor checks: `jobs.compute` does both first. No rule exists twice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from hginventory import __version__
from hginventory.core.columns import PATHWAYS, with_subtotals
from hginventory.core.errors import ActivityError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion, parse_factor_unit
from hginventory.engine.inventory import Inventory, beyond_input, row_labels
from hginventory.model.activity import ActivityData
from hginventory.model.facilities import FacilityData
from hginventory.model.submission import submission_of
from hginventory.tables.factors import FactorTable, load_factors
from hginventory.tables.translations import activity_description

ROW_COLUMNS = ["inventory", "code", "activity", "unit", "notes", "activity_cell", "uncertainty_pct"]


COUNTRY_COLUMNS = ["inventory", "country", "iso3", "year", "population", "electrification_rate"]


@lru_cache(maxsize=512)
def _multiplier(unit: str, factor_unit: str) -> float:
    """kg of mercury per (activity in `unit` x factor value in `factor_unit`)."""
    fu = parse_factor_unit(factor_unit)
    return conversion(unit, fu.per.symbol) * fu.to_kg


def _join_factors(act: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The factor row of each activity row, beside it: what `act.merge(table, on="code",
    how="left")` gives when every code is in the table once, in one positional take."""
    position = pd.Index(table["code"]).get_indexer(act["code"])
    overlap = (set(act.columns) & set(table.columns)) - {"code"}
    if overlap or (position < 0).any() or not table["code"].is_unique:
        return act.merge(table, on="code", how="left", validate="many_to_one")
    right = table.drop(columns="code").iloc[position].reset_index(drop=True)
    return pd.concat([act.reset_index(drop=True), right], axis=1)


def activity_table(activities: Sequence[ActivityData], keys: Sequence[int] | None = None):
    """The long tables of many activity workbooks: every activity row with a number for a code
    of the factor table is not filtered yet; one row per inventory in the country table.
    `keys` are the inventory keys (default 0, 1, 2, ...)."""
    keys = list(range(len(activities))) if keys is None else list(keys)
    columns: dict[str, list] = {c: [] for c in ROW_COLUMNS}
    for k, act in zip(keys, activities, strict=True):
        given = getattr(act.rows, "columns", None)  # rows kept as columns (a batch's)
        if given is not None:
            columns["inventory"] += [k] * len(act.rows)
            for c in ROW_COLUMNS[1:]:
                columns[c] += given[c]
            continue
        for r in act.rows:
            columns["inventory"].append(k)
            columns["code"].append(r["code"])
            columns["activity"].append(r["activity"])
            columns["unit"].append(r["unit"])
            columns["notes"].append(r["notes"])
            columns["activity_cell"].append(r["activity_cell"])
            columns["uncertainty_pct"].append(r.get("uncertainty_pct", math.nan))
    rows = pd.DataFrame(
        {
            "inventory": np.asarray(columns["inventory"], dtype="int64"),
            **{c: columns[c] for c in ROW_COLUMNS[1:]},
        }
    )
    rows["activity"] = rows["activity"].astype("float64")
    rows["uncertainty_pct"] = rows["uncertainty_pct"].astype("float64")
    countries = pd.DataFrame.from_records(
        [
            {
                "inventory": k,
                "country": a.country.country,
                "iso3": a.country.iso3 or "",
                "year": a.country.year,
                "population": a.country.population,
                "electrification_rate": a.country.electrification_rate,
            }
            for k, a in zip(keys, activities, strict=True)
        ],
        columns=COUNTRY_COLUMNS,
    )
    return rows, countries


@dataclass
class Computed:
    """What the engine computed for many inventories, as long tables keyed by `inventory`."""

    results: pd.DataFrame
    sources: pd.DataFrame
    replaced: dict[int, dict[str, str]]
    warnings: dict[int, list[Problem]] = field(default_factory=dict)
    metadata: dict[int, dict] = field(default_factory=dict)
    failed: dict[int, ActivityError] = field(default_factory=dict)


def compute_table(
    rows: pd.DataFrame,
    countries: pd.DataFrame,
    factors: FactorTable | None = None,
    given: pd.DataFrame | None = None,
) -> Computed:
    """Level 1 over a long table of activity rows of many inventories, all at once.

    `rows` has the columns of `ROW_COLUMNS` (activity NaN where not quantified), `countries`
    those of `COUNTRY_COLUMNS`, one row per inventory. `given` (columns inventory, code, given,
    notation, notes), every row of every activity sheet, feeds the screening of sources
    present; by default the rows with a number. Returns the long results (sorted by inventory,
    then Toolkit order), the long screening table and the replaced codes of each inventory.
    Level 2 facility rows are merged by `compute_long`.
    """
    factors = factors or load_factors()
    table = factors.frame()
    codes = table["code"].tolist()
    n_codes = len(codes)
    pos = pd.Index(table["code"]).get_indexer(rows["code"])
    present = (pos >= 0) & ~np.isnan(rows["activity"].to_numpy(dtype="float64"))
    act = rows[present].reset_index(drop=True)
    pos = pos[present]
    inv = act["inventory"].to_numpy()

    # alternative activities replace their default row (e.g. ASGM mercury used)
    replaces = table["replaces"].tolist()
    target_pos = np.array(
        [codes.index(r) if isinstance(r, str) and r in codes else -1 for r in replaces], int
    )
    key = inv * n_codes + pos
    target = np.where(target_pos[pos] >= 0, inv * n_codes + target_pos[pos], -1)
    replacing = (target >= 0) & np.isin(target, key)
    gone = np.isin(key, target[replacing])
    replaced: dict[int, dict[str, str]] = {}
    warnings: dict[int, list[Problem]] = {}
    for i in np.flatnonzero(replacing):
        k, code = int(inv[i]), codes[pos[i]]
        replaced.setdefault(k, {})[replaces[pos[i]]] = code
        warnings.setdefault(k, []).append(
            Problem(
                _(
                    "{target} is replaced by {code} ({description} given); {target} is "
                    "reported as IE (included elsewhere)"
                ).format(
                    target=replaces[pos[i]],
                    code=code,
                    description=activity_description(factors[code]),
                ),
                sheet="activity",
                cell=act["activity_cell"].iat[i],
                severity="warning",
                code="replaces-reported-elsewhere",
            )
        )
    # Toolkit order within each inventory, sorted before the join (a narrow frame to move)
    order = table["order"].to_numpy()[pos[~gone]]
    act = act[~gone].iloc[np.lexsort((order, inv[~gone]))].reset_index(drop=True)

    df = _join_factors(act, table)
    df["activity_unit"] = df["unit"].where(df["unit"] != "", df["activity_unit"])
    df["unit_multiplier"] = [
        _multiplier(u, fu)
        for u, fu in zip(
            df["activity_unit"].tolist(), df["input_factor_unit"].tolist(), strict=True
        )
    ]
    rate = countries.set_index("inventory")["electrification_rate"].astype("float64")
    df["scale"] = 1.0
    scaled = (df["scaling"] == "electrification").to_numpy()
    if scaled.any():
        df.loc[scaled, "scale"] = rate.reindex(df.loc[scaled, "inventory"]).to_numpy() / 100.0
    df["default_input_factor"] = df["input_factor"]
    df["input_factor"] = df["default_input_factor"] * df["scale"]
    df["hg_input_kg"] = df["activity"] * df["unit_multiplier"] * df["input_factor"]
    for p in PATHWAYS:
        df[f"{p}_kg"] = df["hg_input_kg"] * df[p]
    df["facility"] = ""
    df["method"] = "default"
    df["basis"] = "national activity at Level 1 defaults"

    if given is None:
        given = rows.assign(given=True, notation="")[present]
    sources = _sources(countries["inventory"].to_numpy(), table, factors, given, replaced)
    return Computed(df, sources, replaced, warnings)


def _sources(keys, table: pd.DataFrame, factors: FactorTable, given, replaced) -> pd.DataFrame:
    """Every sub-category of the factor table and what each country said of it (the Toolkit's
    'source types present' screening), for every inventory at once."""
    n_codes = len(table)
    n = len(keys) * n_codes
    slot = {int(k): s for s, k in enumerate(keys)}
    presence = np.full(n, "not reported", dtype=object)
    detail = np.full(n, "", dtype=object)
    pos = pd.Index(table["code"]).get_indexer(given["code"])
    keys_sorted = np.asarray(keys, dtype="int64")  # ascending, as the callers give them
    wanted = given["inventory"].to_numpy(dtype="int64")
    slots = np.searchsorted(keys_sorted, wanted)
    found = slots < len(keys_sorted)
    found[found] = keys_sorted[slots[found]] == wanted[found]
    slots = np.where(found, slots, -1)
    ok = (pos >= 0) & (slots >= 0)
    at = slots[ok] * n_codes + pos[ok]
    is_given = given["given"].to_numpy(dtype=bool)[ok]
    notation = given["notation"].to_numpy(dtype=object)[ok]
    detail[at] = given["notes"].to_numpy(dtype=object)[ok]
    # one text object per state, not one per row as np.where makes them (a batch's memory)
    presence[at] = [
        (n if n != "" else "quantified") if g else "not reported"
        for n, g in zip(notation.tolist(), is_given.tolist(), strict=True)
    ]
    codes = table["code"].tolist()
    for k, targets in replaced.items():
        for target, by in targets.items():
            i = slot[k] * n_codes + codes.index(target)
            presence[i], detail[i] = "IE", _("replaced by {code}").format(code=by)
    group_names = [factors.groups.get(g, {}).get("name", g) for g in table["source_group"].tolist()]
    return pd.DataFrame(
        {
            "inventory": np.repeat(np.asarray(keys, dtype="int64"), n_codes),
            "code": pd.array(np.tile(np.asarray(codes, dtype=object), len(keys)), dtype="str"),
            "sub_category": pd.array(
                np.tile(table["sub_category"].to_numpy(dtype=object), len(keys)), dtype="str"
            ),
            "source_group": pd.array(
                np.tile(np.asarray(group_names, dtype=object), len(keys)), dtype="str"
            ),
            "presence": pd.array(presence, dtype="str"),
            "detail": pd.array(detail, dtype="str"),
        }
    )


def _given_table(activities, keys) -> pd.DataFrame:
    """Every activity row as the screening of sources present needs it."""
    names = ["code", "given", "notation", "notes"]
    columns: dict[str, list] = {c: [] for c in ["inventory", *names]}
    for k, a in zip(keys, activities, strict=True):
        given = getattr(a.rows, "columns", None)  # rows kept as columns (a batch's)
        columns["inventory"] += [k] * len(a.rows)
        for c in names:
            columns[c] += given[c] if given is not None else [r[c] for r in a.rows]
    columns["given"] = [bool(g) for g in columns["given"]]
    return pd.DataFrame(columns)


@dataclass
class Many:
    """Many inventories computed in one engine call: long tables keyed by `inventory` (the
    position of each activity workbook in the call), split into one `Inventory` on demand."""

    activities: Sequence[ActivityData]
    factors: FactorTable
    results: pd.DataFrame
    sources: pd.DataFrame
    failed: dict[int, ActivityError]
    warnings: dict[int, list[Problem]]
    metadata: dict[int, dict]
    level2_columns: list[str]
    computed_at: str
    positions: list[int] = field(default_factory=list)  # the caller's own keys, if it has any

    @property
    def keys(self) -> list[int]:
        """The inventories computed (in call order); the others are in `failed`."""
        return [k for k in range(len(self.activities)) if k not in self.failed]

    def bounds(self, table: str = "results") -> dict[int, tuple[int, int]]:
        """Where each inventory's rows are in the long table (sorted by inventory)."""
        frame = self.results if table == "results" else self.sources
        return _bounds(frame["inventory"].to_numpy(), self.keys)

    def inventory(self, k: int, bounds=None, source_bounds=None) -> Inventory:
        """The `Inventory` of one computed workbook, as `compute` returns it."""
        a, b = (bounds or self.bounds())[k]
        keep = self._columns(bool(self.metadata.get(k, {}).get("facilities")))
        df = self.results.iloc[a:b, keep].reset_index(drop=True)
        a, b = (source_bounds or self.bounds("sources"))[k]
        src = self.sources.iloc[a:b, 1:].reset_index(drop=True)
        activity, factors = self.activities[k], self.factors
        country = activity.country
        metadata = {
            "hginv_version": __version__,
            "country": country.country,
            "iso3": country.iso3 or "",
            "year": country.year,
            "population": country.population,
            "electrification_rate": country.electrification_rate,
            "factor_table_id": factors.id,
            "factor_table_version": factors.version,
            "factor_table_sha256": factors.sha256,
            "factor_table_file": factors.path,
            "input_file": activity.path.name,
            "input_sha256": activity.sha256,
            "computed_at": self.computed_at,
        }
        metadata.update(self.metadata.get(k, {}))
        metadata.update(getattr(factors, "overlay_metadata", {}))
        inventory = Inventory(country, df, src, factors, metadata, list(self.warnings[k]))
        inventory.submission = submission_of(activity)
        metadata["recalled_factors_used"] = inventory.recalled_factors
        metadata["factors_used"] = inventory.factors_used
        metadata["estimated_factors_used"] = inventory.estimated_factors
        metadata["estimates_counted"] = factors.estimates_counted
        metadata["sub_categories_quantified"] = inventory.codes_quantified
        metadata["method"] = inventory.method_key
        return inventory

    def outcomes(self) -> list[Inventory | ActivityError]:
        """One `Inventory` per activity workbook, or the `ActivityError` (listing every problem)
        of one that has errors: one bad inventory never stops the others."""
        bounds, source_bounds = self.bounds(), self.bounds("sources")
        return [
            self.failed[k] if k in self.failed else self.inventory(k, bounds, source_bounds)
            for k in range(len(self.activities))
        ]

    def _columns(self, level2: bool) -> list[int]:
        names = self.results.columns
        skip = {"inventory", *([] if level2 else self.level2_columns)}
        return [i for i, c in enumerate(names) if c not in skip]

    def totals(self) -> dict[int, dict[str, float]]:
        """`Inventory.totals()` of every computed inventory, from the long table at once (the
        same sums over the same numbers, so the same floats)."""
        r = self.results
        counted = {"hg_input_kg": (r["hg_input_kg"] * r["input_total_weight"]).to_numpy()}
        texts = r["release_total_exclude"].tolist()
        kinds: dict[str, int] = {}  # the few distinct texts, each split once
        which = np.fromiter((kinds.setdefault(t, len(kinds)) for t in texts), "int64", len(texts))
        excludes = [set(text.split(";")) for text in kinds]
        for p in PATHWAYS:
            values = r[f"{p}_kg"].to_numpy(dtype="float64", copy=True)
            excluded = np.array([p in xs for xs in excludes], dtype=bool)[which]
            values[excluded] = 0.0
            counted[f"{p}_kg"] = values
        outputs = sum(counted[f"{p}_kg"] for p in PATHWAYS)
        beyond = beyond_input(
            r["hg_input_kg"].to_numpy(dtype="float64"), r["input_total_weight"], outputs
        )
        out = {}
        for k, (a, b) in self.bounds().items():
            t = {name: float(np.nansum(v[a:b])) for name, v in counted.items()}
            with_subtotals(t)
            t["outputs_beyond_input_kg"] = float(beyond[a:b].sum())
            out[k] = t
        return out


def compute_long(
    activities: Sequence[ActivityData],
    factors: FactorTable,
    facilities: Sequence[FacilityData],
    checked: Sequence[list[Problem]],
    level2=None,
) -> Many:
    """Compute many checked inventories in one engine call, keeping the long tables:
    `Many.results` has every result row of every inventory, keyed by `inventory`.

    The engine reads and checks nothing: `facilities` are each inventory's Level 2 rows (an
    empty `FacilityData` for none) and `checked` what the checks found in its activity and
    facility rows (`check.inputs.check_records`; `hginventory.compute` runs them for a
    notebook). An inventory with an error among them is returned in `failed`, not computed.
    `level2` overrides the Level 2 tables."""
    n = len(activities)
    facilities, checked = list(facilities), list(checked)
    if len(facilities) != n or len(checked) != n:
        raise ValueError("one FacilityData and one list of problems per activity workbook")
    failed: dict[int, ActivityError] = {}
    problems_of: dict[int, list[Problem]] = {}
    for k, activity in enumerate(activities):
        problems = list(checked[k])
        if activity.country is None or any(p.severity == "error" for p in problems):
            failed[k] = ActivityError(
                _("{file}: the activity workbook has errors").format(file=activity.path.name),
                problems,
            )
        problems_of[k] = problems
    keys = [k for k in range(n) if k not in failed]
    good = [activities[k] for k in keys]
    rows, countries = activity_table(good, keys)
    computed = compute_table(rows, countries, factors, _given_table(good, keys))
    del rows, countries  # a batch's input tables: their memory serves Level 2

    jobs = [k for k in keys if facilities[k].rows]
    if jobs:  # Level 2 (its tables) only for inventories with facilities
        from hginventory.engine.level2 import FacilityJob, apply_many

        jobs = [FacilityJob(k, facilities[k]) for k in jobs]
        level1_columns = list(computed.results.columns)
        hand_over = [computed.results]  # the only reference, so Level 2 can free it
        computed.results = None
        merged = apply_many(hand_over, computed.sources, jobs, factors, level2)
    else:
        level1_columns = list(computed.results.columns)
        merged = _NoFacilities(computed.results, computed.sources)
    results, sources = merged.results, merged.sources
    results["label"] = row_labels(results)
    if not factors.estimates_counted:
        _set_estimates_aside(results)
    from hginventory.engine.keycat import key_category_column

    results["key_category"] = key_category_column(results)  # on counted releases, per inventory
    failed.update(merged.failed)
    if merged.failed:
        sources = sources[~sources["inventory"].isin(list(merged.failed))]
        sources = sources.reset_index(drop=True)
    level2_only = [c for c in results.columns if c not in level1_columns]
    shared = ("facility", "method", "basis", "label", "key_category")
    level2_only = [c for c in level2_only if c not in shared]
    warnings: dict[int, list[Problem]] = {}
    for k in keys:
        if k in failed:
            continue
        path = str(activities[k].path)
        warnings[k] = [p for p in problems_of[k] if p.severity == "warning"]
        warnings[k] += [
            Problem(
                w.message,
                file=path,
                sheet=w.sheet,
                cell=w.cell,
                severity="warning",
                code=w.code,
            )
            for w in computed.warnings.get(k, [])
        ]
        warnings[k] += merged.warnings.get(k, [])
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return Many(
        activities,
        factors,
        results,
        sources,
        failed,
        warnings,
        merged.metadata,
        level2_only,
        stamp,
    )


def _set_estimates_aside(results: pd.DataFrame) -> None:
    """Rows at a Level 1 default whose input factor the project estimated (no Toolkit default
    is known) are computed and shown, but count in no national total: their input and their
    releases are left out, as the double-counting rules leave out part of other rows."""
    aside = (results["status"].to_numpy() == "estimated") & (
        results["method"].to_numpy() == "default"
    )
    if aside.any():
        results.loc[aside, "input_total_weight"] = 0.0
        results.loc[aside, "release_total_exclude"] = ";".join(PATHWAYS)


@dataclass
class _NoFacilities:
    """What Level 2 gives when no inventory has facility rows: the Level 1 results."""

    results: pd.DataFrame
    sources: pd.DataFrame
    warnings: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)


def _bounds(sorted_keys: np.ndarray, keys: list[int]) -> dict[int, tuple[int, int]]:
    """Where each inventory's rows are in a long table sorted by inventory."""
    wanted = np.asarray(keys, dtype=sorted_keys.dtype if len(sorted_keys) else "int64")
    start = np.searchsorted(sorted_keys, wanted, side="left")
    end = np.searchsorted(sorted_keys, wanted, side="right")
    return {k: (int(a), int(b)) for k, a, b in zip(keys, start, end, strict=True)}
