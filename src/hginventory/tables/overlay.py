"""A national overlay: a user's factor CSV of some rows and columns, laid over the shipped table.

Each row of the overlay replaces the shipped row of its code (or adds a variant) and keeps its
origin (file, line, the fields it changed), so that every result row can name the table and the
line that produced it. A changed number makes the row `national`: the country's, not the
Toolkit's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from hginventory.core.errors import FactorTableError
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.tables.factor_files import (
    References,
    not_valid,
    read_factor_csv,
    read_keyed,
    read_metadata,
    table_sha256,
    unreadable,
)
from hginventory.tables.rows import (
    FIELDS,
    PROVENANCE_FIELDS,
    FactorRow,
    FactorTable,
    cycle_message,
    header_cell,
    line_cell,
    replacement_cycles,
    table_problems,
    validation_message,
)

_WORDS = ("distribution_status", "confidence", "note")  # fields that change no number


@dataclass(frozen=True)
class OverlaidTable(FactorTable):
    """The shipped table with a user's rows laid over it, row by row.

    Rows that come from the overlay keep their origin (file, line, which fields they changed), so
    every result row can say which table and which line produced it.
    """

    base: FactorTable | None = None
    overlay_id: str = ""
    overlay_version: str = ""
    overlay_sha256: str = ""
    overlay_path: str = ""
    origins: dict[str, dict] = field(default_factory=dict)

    @property
    def overlay_label(self) -> str:
        return f"{self.overlay_id}@{self.overlay_version}"

    def factor_id(self, code: str) -> str:
        if code in self.origins:
            return f"{self.overlay_label}:{code}"
        return super().factor_id(code)

    def source(self, row: FactorRow) -> str:
        origin = self.origins.get(row.code)
        if origin is None:
            return super().source(row)
        what = (
            f"overrides {self.base.label} ({', '.join(origin['changed']) or 'no value changed'})"
            if origin["overrides"]
            else "new row"
        )
        return f"{Path(origin['file']).name} line {origin['line']}, {what}: {super().source(row)}"

    @property
    def overlay_metadata(self) -> dict:
        return {
            "overlay_table_id": self.overlay_id,
            "overlay_table_version": self.overlay_version,
            "overlay_table_sha256": self.overlay_sha256,
            "overlay_table_file": self.overlay_path,
            "overlay_codes": ";".join(self.origins),
            "factors_combined_sha256": self.meta.get("combined_sha256", ""),
        }


DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def _decimal_point(value):
    return value.replace(",", ".") if value and DECIMAL_COMMA.match(value.strip()) else value


def _read_overlay_csv(path: Path) -> tuple[list[dict], bytes]:
    """Read a user's CSV; a French or Spanish Excel writes `;` between fields and decimal
    commas (`0,6`), which are read as such when the header has `;` and no `,`."""
    records, raw = read_factor_csv(path)
    first = raw.decode("utf-8-sig").split("\n", 1)[0]
    if ";" in first and "," not in first:
        text = raw.decode("utf-8-sig")
        records = [
            {k: _decimal_point(v) for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(text), delimiter=";")
        ]
    return records, raw


def overlay_factors(base: FactorTable, path: str | Path) -> OverlaidTable:
    """Lay a user's factor CSV over `base`, row by row.

    The user's CSV needs `code` and the provenance columns (`status`, `document`, `version`,
    `table_page`, and `confidence` for recalled rows): a changed number always carries its own
    source. Other columns are optional: a column left out is taken from the shipped row of the
    same code; a column present is read as written. A code not in `base` adds a new (variant)
    row, which must then give every required column. Each merged row is validated like a
    shipped one; every problem names the file, line and field.
    """
    path = Path(path)
    records, raw = _read_overlay(path)
    meta, meta_raw = read_metadata(path)
    problems: list = []
    problem = table_problems(problems, path, code="overlay-row-invalid")
    _header_problems(records, problem)
    if problems:
        raise not_valid(path, problems)
    own_groups = read_keyed(path.parent / "source_groups.csv", "id")
    own_documents = read_keyed(path.parent / "documents.csv", "id")
    references = References(
        {**base.groups, **own_groups},
        {**base.documents, **own_documents},
        check_documents=bool(own_documents),
    )
    merged = {r.code: r for r in base.rows}
    origins: dict[str, dict] = {}
    for line, code, rec in _distinct_rows(records, problem):
        shipped = base.by_code.get(code)
        row = _laid_row(base, shipped, rec, line_cell(line, code), references, problem)
        if row is not None:
            merged[code], origins[code] = _with_origin(row, shipped, path, line)
    _replacement_problems(merged, origins, problem)
    if problems:
        raise not_valid(path, problems)
    sha = table_sha256(raw, meta_raw)
    overlay_id = meta.get("id", path.stem)
    overlay_version = str(meta.get("version", f"sha256-{sha[:12]}"))
    if (overlay_id, overlay_version) == (base.id, base.version) and sha != base.sha256:
        # an edited copy that kept the shipped id and version must not pass for the shipped rows
        overlay_version += f"+sha256-{sha[:12]}"
    combined = hashlib.sha256(f"{base.sha256}+{sha}".encode()).hexdigest()
    return OverlaidTable(
        id=base.id,
        version=base.version,
        title=f"{base.title}, overlaid by {path.name} ({overlay_id}@{overlay_version})",
        rows=tuple(merged.values()),
        sha256=base.sha256,
        path=base.path,
        groups=references.groups,
        documents=references.documents,
        meta={**base.meta, "overlay": meta, "combined_sha256": combined},
        base=base,
        overlay_id=overlay_id,
        overlay_version=overlay_version,
        overlay_sha256=sha,
        overlay_path=str(path),
        origins=origins,
    )


def _read_overlay(path: Path) -> tuple[list[dict], bytes]:
    if not path.is_file():
        raise FactorTableError(_("factor table not found: {file}").format(file=path))
    try:
        return _read_overlay_csv(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise unreadable(path.name, exc) from None


def _header_problems(records: list[dict], problem) -> None:
    """An overlay has rows, known columns, a code and the provenance columns."""
    header = list(records[0].keys()) if records else []
    if not records:
        problem(_("the table has no rows"), header_cell(), code="factor-table-empty")
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        problem(
            ngettext(
                "unknown column {columns}",
                "unknown columns {columns}",
                len(unknown),
            ).format(columns=", ".join(unknown)),
            header_cell(),
            expected=", ".join(FIELDS),
            code="factor-columns-unknown",
        )
    needed = [f for f in ("code", *PROVENANCE_FIELDS) if f not in header]
    if needed:
        problem(
            ngettext(
                "missing column {columns}: an override must say where its numbers come from",
                "missing columns {columns}: an override must say where its numbers come from",
                len(needed),
            ).format(columns=", ".join(needed)),
            header_cell(),
            code="factor-columns-missing",
        )


def _distinct_rows(records: list[dict], problem):
    """(line, code, record) of every row but those with more values than columns and the
    second row of a code, which are refused."""
    first_line: dict[str, int] = {}
    for line, rec in enumerate(records, start=2):
        code = (rec.get("code") or "").strip()
        where = line_cell(line, code)
        if None in rec:
            problem(_("more values than columns"), where, code="factor-extra-values")
            continue
        if code in first_line:
            problem(
                _("code appears twice (first on line {line})").format(line=first_line[code]),
                where,
                "code",
                code,
                code="factor-code-twice",
            )
            continue
        first_line[code] = line
        yield line, code, rec


def _laid_row(
    base: FactorTable,
    shipped: FactorRow | None,
    rec: dict,
    where: str,
    references: References,
    problem,
) -> FactorRow | None:
    """The shipped row of the code with the overlay's columns laid over it (a new code: the
    overlay's columns alone), validated like a shipped row; None after locating its problems."""
    from hginventory.tables.factor_model import FactorRowModel, ValidationError

    for name in PROVENANCE_FIELDS:
        if not (rec.get(name) or "").strip():
            problem(
                _("an override row must give its own provenance"),
                where,
                name,
                code="overlay-provenance-missing",
            )
    values = shipped.model_dump() if shipped else {}
    values.update({k: v for k, v in rec.items() if v is not None})
    group = str(values.get("source_group", "")).strip()
    references.check(problem, where, group, (rec.get("document") or "").strip())
    try:
        return FactorRow(**FactorRowModel(**values).model_dump())
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            found = str(rec.get(name, values.get(name, ""))) if name else ""
            message = validation_message(err)
            if err["type"] == "missing":
                message = _("a new code (not in {table}) must give this column").format(
                    table=base.label
                )
            problem(message, where, name, found)
        return None


def _with_origin(
    row: FactorRow, shipped: FactorRow | None, path: Path, line: int
) -> tuple[FactorRow, dict]:
    """The laid row, `national` when it changes a number or is new (a country's factor, not
    the Toolkit's), and its origin: file, line, and the fields it changed."""
    changed = [f for f in FIELDS if getattr(row, f) != getattr(shipped, f)] if shipped else FIELDS
    numbers = [f for f in changed if f not in (*PROVENANCE_FIELDS, *_WORDS)]
    if numbers or not shipped:
        row = replace(row, status="national", distribution_status="")
    origin = {
        "file": str(path),
        "line": line,
        "overrides": shipped is not None,
        "changed": [f for f in changed if f not in (*PROVENANCE_FIELDS, "confidence", "note")]
        if shipped
        else [],
    }
    return row, origin


def _replacement_problems(merged: dict[str, FactorRow], origins: dict[str, dict], problem):
    """A row of the overlay replaces a code of the merged table, and no replacements go round
    in a cycle (the shipped table has none: a cycle goes through a row of the overlay, named
    first)."""
    for code, row in merged.items():
        if code in origins and row.replaces and row.replaces not in merged:
            problem(
                _("replaces a code that is not in the table"),
                line_cell(origins[code]["line"], code),
                "replaces",
                row.replaces,
                code="factor-replaces-unknown",
            )
    for cycle in replacement_cycles({code: row.replaces for code, row in merged.items()}):
        first = next((c for c in cycle if c in origins), cycle[0])
        at = cycle.index(first)
        cycle = cycle[at:] + cycle[:at]
        problem(
            cycle_message(cycle),
            line_cell(origins[first]["line"], first) if first in origins else header_cell(),
            "replaces",
            cycle[1 % len(cycle)],
            code="replaces-cycle",
        )
