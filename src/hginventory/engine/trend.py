"""A country's inventory over the years: the series and its gaps filled.

Plain functions over pandas DataFrames (a notebook can call each of them): which years and
sub-categories a series has, the activity of the years between two reported ones (linear
interpolation, never extrapolation), the long result table of every year and the national totals
per year. The comparison with the inventories as submitted is `engine.recalculation`; the
time-series checks are `engine.trend_checks`.
The numbers themselves always come from the engine (`engine.calculate.compute`), one
inventory per year, all with one factor table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS, RELEASE_PATHWAYS, TRANSFER_PATHWAYS
from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.core.units import conversion
from hginventory.engine.inventory import Inventory, beyond_input
from hginventory.model.country import same_country
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
