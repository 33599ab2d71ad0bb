"""A factor table written out in the format every command reads: the CSV of `hginv factors
export` and `factors list --csv`, and the TOML of its id and version."""

from __future__ import annotations

import csv
import io
import json

from hginventory.tables.rows import DEFAULTS, FIELDS, PROVENANCE_FIELDS, REQUIRED, FactorTable


def field_text(value) -> str:
    """A field as the factor CSV holds it: `;` between list items, blank for none, numbers in
    full (15 significant digits, never a float artefact such as 0.15000000000000002)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value)


def table_csv(table: FactorTable, codes: list[str] | None = None) -> str:
    """The table in the format the shipped CSV has (every column of a factor row, provenance
    included), which `load_table`, `overlay_factors`, `factors validate`, `factors diff` and
    `--factors` all read: the export of `hginv factors export` and `factors list --csv`.
    Optional columns no row uses are left out. `codes` keeps some rows only (an overlay)."""
    rows = [r for r in table.rows if codes is None or r.code in set(codes)]
    used = [
        f
        for f in FIELDS
        if f in REQUIRED
        or f in PROVENANCE_FIELDS
        or any(field_text(getattr(r, f)) not in ("", field_text(DEFAULTS.get(f))) for r in rows)
        or f
        in (
            "scaling",
            "input_total_weight",
            "release_total_exclude",
            "replaces",
            "confidence",
            "note",
        )
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(used)
    for r in rows:
        writer.writerow([field_text(getattr(r, f)) for f in used])
    return out.getvalue()


def table_toml(table: FactorTable, version: str | None = None) -> str:
    """Metadata for an exported table: its id, version and title (bump `version` after an
    edit, so that results name the edited table)."""
    meta = {"id": table.id, "version": version or table.version, "title": table.title}
    lines = [
        "# Metadata of an exported factor table: bump `version` when you change a value.",
        *(f"{k} = {_toml_string(v)}" for k, v in meta.items()),
    ]
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)
