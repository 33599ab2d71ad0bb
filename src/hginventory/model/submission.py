"""What a country submits beside its activity rates: the optional `presence`, `data_source` and
`data_quality` columns of the activity sheet and its `hotspots` sheet (the Toolkit's potentially
contaminated sites), gathered as one `Submission` for the reporting tables.

Hot-spot types come from `factors/hotspot_types.csv` (with `hotspot_types.<lang>.csv` names, like
the other translated factor files).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hginventory.core.i18n import N_, get_language

HOTSPOT_COLUMNS = ("site", "type", "location", "status", "notes")

PRESENCE_MARKS = ("Y", "N", "?")
"""The Toolkit's screening marks: present, absent, possibly present or not known."""

DATA_QUALITY = {
    "A": N_("measured or plant data"),
    "B": N_("national statistics"),
    "C": N_("estimate from proxies"),
    "D": N_("expert judgement"),
}


@lru_cache(maxsize=8)
def _types_file(path: Path) -> tuple[dict, ...]:
    if not path.is_file():
        return ()
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


def hotspot_types(lang: str | None = None) -> dict[str, str]:
    """Hot-spot type id -> its name in `lang` (the current language), in the Toolkit's order."""
    from hginventory.tables.factors import factors_dir
    from hginventory.tables.translations import translation_path

    lang = lang or get_language()
    rows = _types_file(factors_dir() / "hotspot_types.csv")
    own = {}
    if lang != "en":
        own = {r["id"]: r["name"] for r in _types_file(translation_path(lang, "hotspot_types"))}
    return {r["id"]: own.get(r["id"]) or r["name"] for r in rows}


@dataclass
class Submission:
    """The optional reporting fields of one activity workbook, by sub-category code."""

    presence: dict[str, str] = field(default_factory=dict)  # code -> Y, N or ? as given
    data_quality: dict[str, str] = field(default_factory=dict)  # code -> A, B, C or D
    data_source: dict[str, str] = field(default_factory=dict)  # code -> free text
    key_category: dict[str, str] = field(default_factory=dict)  # code -> as given, if a column
    activity: dict[str, tuple] = field(default_factory=dict)  # code -> (number or None, unit)
    hotspots: list[dict] = field(default_factory=list)
    coal_industrial_boilers_share: float | None = None  # per cent of 5.1.2's coal


def submission_of(activity) -> Submission:
    """The `Submission` of an `ActivityData` (empty for a workbook without the fields)."""
    out = Submission(hotspots=list(getattr(activity, "hotspots", []) or []))
    country = getattr(activity, "country", None)
    out.coal_industrial_boilers_share = getattr(country, "coal_industrial_boilers_share", None)
    for row in activity.rows:  # a list of dicts, or a batch's rows kept as columns
        code = row["code"]
        value = row.get("activity")
        number = None if value is None or math.isnan(value) else value
        out.activity.setdefault(code, (number, row.get("unit", "")))
        for name in ("presence", "data_quality", "data_source", "key_category"):
            text = row.get(name, "")
            if isinstance(text, str) and text:
                getattr(out, name).setdefault(code, text)
    return out
