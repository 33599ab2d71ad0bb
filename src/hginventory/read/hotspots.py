"""What a country submits beside its activity rates: the optional `hotspots` sheet (the Toolkit's
potentially contaminated sites), and the optional `presence`, `data_source` and `data_quality`
columns of the activity sheet, gathered as one `Submission` for the reporting tables.

Every field is optional: a workbook without them reads and computes exactly as before.
Hot-spot types come from `factors/hotspot_types.csv` (with `hotspot_types.<lang>.csv` names,
like the other translated factor files); a type may be given by its id or by its name in
English, French or Spanish.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hginventory.core.errors import Problem
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.read.cells import cell_name, cell_text, duplicated_columns, find_header

HOTSPOT_SHEET = "hotspots"

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


def hotspot_type_of(text: str) -> str | None:
    """The type id that `text` names (an id, or a name in any language), or None."""
    wanted = " ".join(text.split()).casefold()
    for lang in ("en", "fr", "es"):
        for key, name in hotspot_types(lang).items():
            if wanted in (key.casefold(), " ".join(name.split()).casefold()):
                return key
    return None


def read_hotspot_rows(path: Path, sheet: str, rows, problems: list[Problem]) -> list[dict]:
    """The rows of the `hotspots` sheet: site, type (checked), location, status, notes."""
    at = find_header(rows, ("site", "type"))
    if at is None:
        problems.append(
            Problem(
                _("header row with columns 'site' and 'type' not found"),
                file=str(path),
                sheet=sheet,
                expected=_("columns {columns} in the first row").format(
                    columns=", ".join(HOTSPOT_COLUMNS)
                ),
                code="hotspots-header-missing",
            )
        )
        return []
    header, cols = at
    problems += duplicated_columns(rows[header], header, HOTSPOT_COLUMNS, str(path), sheet)
    out = []
    for r in range(header + 1, len(rows)):
        row = rows[r]
        values = {
            name: cell_text(row[cols[name]]) if name in cols and cols[name] < len(row) else ""
            for name in HOTSPOT_COLUMNS
        }
        if not any(values.values()):
            continue
        type_cell = cell_name(r, cols["type"])
        kind = hotspot_type_of(values["type"]) if values["type"] else None
        if kind is None:
            problems.append(
                Problem(
                    _("hot-spot type not in the Toolkit's list"),
                    file=str(path),
                    sheet=sheet,
                    cell=type_cell,
                    found=values["type"],
                    expected=_("one of {choices}").format(choices=", ".join(hotspot_types("en"))),
                    code="hotspot-type-unknown",
                )
            )
        if not values["site"]:
            problems.append(
                Problem(
                    _("hot spot without a site name"),
                    file=str(path),
                    sheet=sheet,
                    cell=cell_name(r, cols["site"]),
                    expected=_("the name of the site"),
                    code="hotspot-without-site",
                )
            )
        out.append({**values, "type": kind or values["type"], "row": r + 1, "cell": type_cell})
    return out


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
    import math

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
