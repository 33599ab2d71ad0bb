"""Reading the optional `hotspots` sheet (the Toolkit's potentially contaminated sites) into the
records of `model.submission`.

Every field is optional: a workbook without them reads and computes exactly as before. A hot-spot
type may be given by its id or by its name in English, French or Spanish.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _
from hginventory.model.submission import HOTSPOT_COLUMNS, hotspot_types
from hginventory.read.cells import cell_name, cell_text, duplicated_columns, find_header

HOTSPOT_SHEET = "hotspots"


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
