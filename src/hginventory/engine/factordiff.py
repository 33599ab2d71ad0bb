"""What changed between two factor tables, and what the change does to real inventories.

A reviewer of a factor-table change needs two answers: which rows and fields moved (values,
sources, evidence status), and how much that moves a country's national totals. `diff_tables`
answers the first, `impact` the second, by computing each inventory with both tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS, PATHWAYS
from hginventory.tables.factors import FIELDS, FactorRow, FactorTable

VALUE_FIELDS = (
    "activity_unit",
    "input_factor",
    "input_factor_low",
    "input_factor_high",
    "input_factor_unit",
    *PATHWAYS,
    "scaling",
    "input_total_weight",
    "release_total_exclude",
    "replaces",
)


SOURCE_FIELDS = (
    "status",
    "confidence",
    "document",
    "version",
    "table_page",
    "reviewer",
    "review_date",
    "note",
)


TOTAL_KEYS = ("hg_input_kg", *OUTPUT_COLUMNS, "releases_kg")


def field_kind(name: str) -> str:
    """`value` (changes results), `source` (provenance, status) or `description`."""
    if name in VALUE_FIELDS:
        return "value"
    if name in SOURCE_FIELDS:
        return "source"
    return "description"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


@dataclass
class TableDiff:
    """Rows added and removed, and every changed field of the rows both tables hold."""

    old: FactorTable
    new: FactorTable
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changes)

    @property
    def version_warning(self) -> str:
        """A table whose values changed under the same id and version cannot be told apart in
        an inventory's metadata; say so."""
        same = (self.old.id, self.old.version) == (self.new.id, self.new.version)
        moved_values = self.added or self.removed or any(c["kind"] == "value" for c in self.changes)
        if same and moved_values and not hasattr(self.new, "origins"):
            return (
                f"the values changed but the version is still {self.new.label}: "
                "bump `version` in the table's .toml"
            )
        return ""

    def frame(self) -> pd.DataFrame:
        """One line per change: added/removed rows and changed fields (old and new value)."""
        records = [
            {"code": c, "change": "added", "field": "", "kind": "", "old": "", "new": ""}
            for c in self.added
        ]
        records += [
            {"code": c, "change": "removed", "field": "", "kind": "", "old": "", "new": ""}
            for c in self.removed
        ]
        records += [{**c, "change": "changed"} for c in self.changes]
        return pd.DataFrame.from_records(
            records, columns=["code", "change", "field", "kind", "old", "new"]
        )


def _row_changes(old: FactorRow, new: FactorRow) -> list[dict]:
    out = []
    for name in FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a == b or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)):
            continue
        out.append(
            {
                "code": old.code,
                "field": name,
                "kind": field_kind(name),
                "old": _text(a),
                "new": _text(b),
            }
        )
    return out


def diff_tables(old: FactorTable, new: FactorTable) -> TableDiff:
    """Rows added, removed and changed (field by field) from `old` to `new`, in table order."""
    result = TableDiff(old, new)
    result.removed = [c for c in old.codes if c not in new]
    result.added = [c for c in new.codes if c not in old]
    for code in old.codes:
        if code in new:
            result.changes += _row_changes(old[code], new[code])
    return result


@dataclass
class Impact:
    """National totals of one inventory computed with the old and the new table."""

    name: str
    totals: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    error: str = ""

    @property
    def changed(self) -> bool:
        frames = [f for f in (self.totals, self.groups) if f is not None]
        return any(moved(f).any() for f in frames)


def moved(frame: pd.DataFrame) -> pd.Series:
    """Which lines of a change frame moved beyond floating-point noise."""
    scale = frame[["old_kg", "new_kg"]].abs().max(axis=1).clip(lower=1.0)
    return frame["change_kg"].abs() > 1e-9 * scale


def _change_frame(old: dict, new: dict, label: str) -> pd.DataFrame:
    records = []
    for key in dict.fromkeys([*old, *new]):
        a, b = float(old.get(key, 0.0)), float(new.get(key, 0.0))
        records.append(
            {
                label: key,
                "old_kg": a,
                "new_kg": b,
                "change_kg": b - a,
                "change_pct": (b - a) / a * 100 if a else (0.0 if a == b else math.inf),
            }
        )
    return pd.DataFrame.from_records(records)


def impact(name: str, before, after) -> Impact:
    """Totals per pathway and per source group of one inventory computed with the old table
    (`before`) and the new one (`after`); `jobs.compute.factor_impact` computes both."""
    result = Impact(name)
    t_old, t_new = before.totals(), after.totals()
    result.totals = _change_frame(
        {k: t_old[k] for k in TOTAL_KEYS}, {k: t_new[k] for k in TOTAL_KEYS}, "total"
    )
    names = {**after.factors.groups, **before.factors.groups}
    g_old, g_new = _by_group(before, names), _by_group(after, names)
    frames = []
    for column in ("hg_input_kg", "releases_kg"):
        frame = _change_frame(g_old[column].to_dict(), g_new[column].to_dict(), "source_group")
        frame.insert(1, "quantity", column)
        frames.append(frame)
    result.groups = pd.concat(frames, ignore_index=True)
    return result


def _by_group(inv, names: dict) -> pd.DataFrame:
    """Counted input and releases per source group, keyed by the group's name (looked up by
    its id, so two tables with the same groups compare even if one lacks the names file)."""
    r = inv.results
    frame = pd.DataFrame(
        {
            "group": [names.get(g, {}).get("name", g) for g in r["source_group"]],
            "order": [names.get(g, {}).get("order", 99) for g in r["source_group"]],
            "hg_input_kg": r["hg_input_kg"] * r["input_total_weight"],
            "releases_kg": inv.counted_releases().sum(axis=1),
        }
    )
    return frame.groupby(["order", "group"]).sum().reset_index(level=0, drop=True)


def example_inventories() -> list[Path]:
    """The example activity workbooks shipped in `examples/` of a checkout."""
    folder = Path(__file__).resolve().parents[3] / "examples"
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))


def impact_frame(impacts: list[Impact]) -> pd.DataFrame:
    """All impacts as one long table: inventory, level (total/source group), what, old, new."""
    frames = []
    for imp in impacts:
        if imp.totals is not None:
            t = imp.totals.rename(columns={"total": "item"})
            t.insert(0, "level", "national total")
            t.insert(0, "inventory", imp.name)
            frames.append(t)
        if imp.groups is not None:
            g = imp.groups.copy()
            g["item"] = g["source_group"] + " / " + g["quantity"]
            g = g.drop(columns=["source_group", "quantity"])
            g.insert(0, "level", "source group")
            g.insert(0, "inventory", imp.name)
            frames.append(g[["inventory", "level", "item", *imp.totals.columns[1:]]])
    if not frames:
        return pd.DataFrame(
            columns=["inventory", "level", "item", "old_kg", "new_kg", "change_kg", "change_pct"]
        )
    return pd.concat(frames, ignore_index=True)
