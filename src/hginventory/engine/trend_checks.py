"""Time-series checks: what a reviewer asks of a series before reading its trend.

A jump in a sub-category's activity or implied input factor from one year to the next, a change
of method or factor table, a sub-category present in some years only (docs/key-categories.md
explains each code). Findings are warnings: a series may be right to move.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion

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
