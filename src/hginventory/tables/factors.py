"""Factor tables: the Toolkit's input factors and output distribution factors, as reviewed data.

A factor table is a CSV of one row per sub-category (or variant) plus a small TOML of metadata
(id, version). Every row carries its provenance and an evidence `status`: `confirmed` when the
value was checked against the cited document, table and page, `recalled` otherwise. Tables are
validated on load; every problem is reported with file, row and field.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import FactorTableError, Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.tables.limits import read_table_bytes
from hginventory.tables.rows import (  # noqa: F401  (public names of this module)
    BALANCE_TOLERANCE,
    CODE_PATTERN,
    DEFAULTS,
    FIELDS,
    REQUIRED,
    FactorRow,
    trusted_values,
    validation_message,
)

DEFAULT_TABLE = "toolkit_level1"


def factors_dir() -> Path:
    """Where the shipped factor tables are: inside the wheel, or `factors/` of a checkout."""
    packaged = Path(__file__).parents[1] / "factors"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "factors"


@dataclass(frozen=True)
class FactorTable:
    """A validated factor table with its identity: id, version and a hash of its content."""

    id: str
    version: str
    title: str
    rows: tuple[FactorRow, ...]
    sha256: str
    path: str
    groups: dict[str, dict] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    # rows whose input factor is `estimated` (no Toolkit default known) count in the national
    # totals only when the user asks for it (--include-estimates)
    estimates_counted: bool = False

    def counting_estimates(self, counted: bool = True) -> FactorTable:
        """This table with its estimated rows counted in the totals (or not)."""
        if counted == self.estimates_counted:
            return self
        return replace(self, estimates_counted=counted)

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def factor_id(self, code: str) -> str:
        return f"{self.label}:{code}"

    @cached_property
    def by_code(self) -> dict[str, FactorRow]:
        return {r.code: r for r in self.rows}

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.rows]

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def __getitem__(self, code: str) -> FactorRow:
        return self.by_code[code]

    def __len__(self) -> int:
        return len(self.rows)

    def source(self, row: FactorRow) -> str:
        """Short provenance text: document, version, table/page."""
        return f"{row.document} v{row.version}, {row.table_page}"

    def frame(self):
        """The table as a pandas DataFrame (one row per code, Toolkit order): a fresh copy
        of one built once per table, since every compute needs it."""
        return self._frame.copy()

    @cached_property
    def _frame(self):
        import pandas as pd

        columns: dict[str, list] = {name: [] for name in FIELDS}
        for row in self.rows:
            for name, values in columns.items():
                values.append(getattr(row, name))
        columns["release_total_exclude"] = [";".join(r.release_total_exclude) for r in self.rows]
        group = [self.groups.get(r.source_group, {}) for r in self.rows]
        columns["order"] = list(range(len(self.rows)))
        columns["group_order"] = [g.get("order", 99) for g in group]
        columns["group_name"] = [
            g.get("name", r.source_group) for g, r in zip(group, self.rows, strict=True)
        ]
        columns["factor_id"] = [self.factor_id(r.code) for r in self.rows]
        columns["factor_source"] = [self.source(r) for r in self.rows]
        return pd.DataFrame.from_records(
            list(zip(*columns.values(), strict=True)), columns=list(columns)
        )


def _read_csv(path: Path) -> tuple[list[dict], bytes]:
    raw = read_table_bytes(path)
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), raw


def _field_of(loc: tuple) -> str:
    return str(loc[0]) if loc else ""


def _line_cell(line: int, code: str = "") -> str:
    """Where a problem of a factor CSV lies: 'line 7 (code 5.1.1)'."""
    if code:
        return _("line {line} (code {code})").format(line=line, code=code)
    return _("line {line}").format(line=line)


def _field_cell(where: str, name: str) -> str:
    return _("{where}, field '{field}'").format(where=where, field=name) if name else where


def _header_cell() -> str:
    return _("header (line 1)")


def _validate_rows(
    path: Path, records: list[dict], groups: dict, documents: dict
) -> tuple[list[FactorRow], list[Problem]]:
    """Validate every row; each problem names the CSV line, the code and the field."""
    from hginventory.tables.factor_model import FactorRowModel, ValidationError

    rows: list[FactorRow] = []
    problems: list[Problem] = []

    def problem(message, where, name="", found="", expected="", code="factor-row-invalid"):
        problems.append(
            Problem(
                message,
                file=str(path),
                cell=_field_cell(where, name),
                found=found,
                expected=expected,
                kind="factors",
                code=code,
            )
        )

    if records:
        header = list(records[0].keys())
        missing = [f for f in FIELDS if f not in header and f in REQUIRED]
        if missing:
            problem(
                ngettext(
                    "missing column {columns}",
                    "missing columns {columns}",
                    len(missing),
                ).format(columns=", ".join(missing)),
                _header_cell(),
                expected=", ".join(FIELDS),
                code="factor-columns-missing",
            )
            return rows, problems
    first_line: dict[str, int] = {}
    for line, rec in enumerate(records, start=2):
        code = (rec.get("code") or "").strip()
        where = _line_cell(line, code)
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
        first_line.setdefault(code, line)
        group, doc = (rec.get("source_group") or "").strip(), (rec.get("document") or "").strip()
        if groups and group and group not in groups:
            problem(
                _("unknown source group"),
                where,
                "source_group",
                group,
                ", ".join(groups),
                code="factor-source-group-unknown",
            )
        if documents and doc and doc not in documents:
            problem(
                _("unknown document id"),
                where,
                "document",
                doc,
                ", ".join(documents),
                code="factor-document-unknown",
            )
        try:
            model = FactorRowModel(**{k: v for k, v in rec.items() if v is not None})
            rows.append(FactorRow(**model.model_dump()))
        except ValidationError as exc:
            for err in exc.errors():
                name = _field_of(err["loc"])
                problem(
                    validation_message(err),
                    where,
                    name,
                    str(rec.get(name, "")) if name else "",
                )
    codes = set(first_line)
    for row in rows:
        if row.replaces and row.replaces not in codes:
            problem(
                _("replaces a code that is not in the table"),
                _line_cell(first_line[row.code], row.code),
                "replaces",
                row.replaces,
                code="factor-replaces-unknown",
            )
    for cycle in replacement_cycles({r.code: r.replaces for r in rows}):
        problem(
            _cycle_message().format(cycle=_cycle_text(cycle)),
            _line_cell(first_line[cycle[0]], cycle[0]),
            "replaces",
            cycle[1 % len(cycle)],
            code="replaces-cycle",
        )
    return rows, problems


def replacement_cycles(replaces: dict[str, str | None]) -> list[list[str]]:
    """Each cycle of replacements once, from its first code in table order: a row replacing
    itself (`5.1.1` -> `5.1.1`) or rows replacing each other (a -> b -> a). Every row of a
    cycle would be dropped as included elsewhere, so a table with one is refused."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in replaces:
        path: list[str] = []
        seen: dict[str, int] = {}
        code = start
        while code in replaces and code not in done and code not in seen:
            seen[code] = len(path)
            path.append(code)
            code = replaces[code]
        if code in seen:
            cycles.append(path[seen[code] :])
        done.update(path)
    return cycles


def _cycle_text(cycle: list[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])


def _cycle_message() -> str:
    return _(
        "replacements form a cycle ({cycle}): every row of it would be reported as included "
        "elsewhere, so none would be counted"
    )


def _keyed(path: Path, key: str) -> dict[str, dict]:
    """The source groups or documents beside a table, by id; a problem is located."""
    if not path.is_file():
        return {}
    try:
        records, _raw = _read_csv(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(
            _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(file=path, reason=exc)
        ) from None
    problems = []
    if records and key not in records[0]:
        problems.append(
            Problem(
                ngettext("missing column {columns}", "missing columns {columns}", 1).format(
                    columns=key
                ),
                file=str(path),
                cell=_header_cell(),
                kind="factors",
                code="factor-columns-missing",
            )
        )
        records = []
    out = {}
    for line, rec in enumerate(records, start=2):
        if "order" in rec:
            try:
                rec["order"] = int(rec["order"] or "")
            except ValueError:
                problems.append(
                    Problem(
                        _("expected a whole number"),
                        file=str(path),
                        cell=_field_cell(_line_cell(line), "order"),
                        found=str(rec["order"]),
                        kind="factors",
                        code="factor-order-invalid",
                    )
                )
        out[rec[key]] = rec
    if problems:
        raise FactorTableError(
            _("factor table {file} is not valid").format(file=path.name), problems
        )
    return out


_FLOATS = ("input_factor", *PATHWAYS, "input_total_weight")


_OPTIONAL_FLOATS = ("input_factor_low", "input_factor_high", "dist_param1", "dist_param2")


def _trusted_rows(records: list[dict]) -> list[FactorRow]:
    """The rows of a table validated beforehand (the shipped one: `hginv factors validate` and
    the tests check it with the pydantic model), converted as that model converts them, without
    building a model per row."""
    from hginventory.core.units import parse_unit

    rows = []
    for rec in records:
        values = trusted_values(rec, _FLOATS, _OPTIONAL_FLOATS)
        if "replaces" in values:
            values["replaces"] = values["replaces"] or None
        if "release_total_exclude" in values:
            text = values["release_total_exclude"]
            values["release_total_exclude"] = tuple(
                v.strip() for v in text.replace(",", ";").split(";") if v.strip()
            )
        values["activity_unit"] = parse_unit(values["activity_unit"]).symbol
        rows.append(FactorRow(**values))
    return rows


def load_factors(path: str | Path | None = None, validate: bool | None = None) -> FactorTable:
    """Load a factor table, validated.

    `path` is a factor CSV (its metadata in a `.toml` of the same stem beside it) or a directory
    holding `toolkit_level1.csv`; by default the table shipped with hginv. The shipped table
    is validated in CI and by `hginv factors validate` (`validate=True`), and otherwise read
    without the validating model (fast); any other table is always validated.
    """
    if validate is None:
        validate = path is not None
    path = Path(path) if path is not None else factors_dir()
    csv_path = path / f"{DEFAULT_TABLE}.csv" if path.is_dir() else path
    if not csv_path.is_file():
        raise FactorTableError(_("factor table not found: {file}").format(file=csv_path))
    folder = csv_path.parent
    meta_path = csv_path.with_suffix(".toml")
    try:
        records, raw = _read_csv(csv_path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(
            _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(
                file=csv_path.name, reason=exc
            )
        ) from None
    meta_raw = read_table_bytes(meta_path) if meta_path.is_file() else b""
    try:
        meta = tomllib.loads(meta_raw.decode("utf-8")) if meta_raw else {}
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta_path.name, reason=exc)
        ) from None
    groups = _keyed(folder / "source_groups.csv", "id")
    documents = _keyed(folder / "documents.csv", "id")
    rows, problems = [], []
    if not validate:
        try:
            rows = _trusted_rows(records)
        except (ValueError, TypeError, KeyError, UnitError):
            validate = True  # a table edited after its check: the model locates the problem
    if validate:
        rows, problems = _validate_rows(csv_path, records, groups, documents)
    if not records:
        problems.append(Problem(
            _("the table has no rows"),
            file=str(csv_path),
            kind="factors",
            code="factor-table-empty",
        ))
    if problems:
        raise FactorTableError(
            _("factor table {file} is not valid").format(file=csv_path.name), problems
        )
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n") + b"\0" + meta_raw.replace(b"\r\n", b"\n"))
    return FactorTable(
        id=meta.get("id", csv_path.stem),
        version=str(meta.get("version", "unversioned")),
        title=meta.get("title", csv_path.stem),
        rows=tuple(rows),
        sha256=digest.hexdigest(),
        path=str(csv_path),
        groups=groups,
        documents=documents,
        meta=meta,
    )


PROVENANCE_FIELDS = ("status", "document", "version", "table_page")


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


def _row_fields(row: FactorRow) -> dict:
    return row.model_dump()


DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def _decimal_point(value):
    return value.replace(",", ".") if value and DECIMAL_COMMA.match(value.strip()) else value


def _read_overlay_csv(path: Path) -> tuple[list[dict], bytes]:
    """Read a user's CSV; a French or Spanish Excel writes `;` between fields and decimal
    commas (`0,6`), which are read as such when the header has `;` and no `,`."""
    records, raw = _read_csv(path)
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
    if not path.is_file():
        raise FactorTableError(_("factor table not found: {file}").format(file=path))
    try:
        records, raw = _read_overlay_csv(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(
            _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(file=path.name, reason=exc)
        ) from None
    meta_path = path.with_suffix(".toml")
    meta_raw = read_table_bytes(meta_path) if meta_path.is_file() else b""
    try:
        meta = tomllib.loads(meta_raw.decode("utf-8")) if meta_raw else {}
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta_path.name, reason=exc)
        ) from None
    problems: list[Problem] = []

    def problem(message, where, name="", found="", expected="", code="overlay-row-invalid"):
        problems.append(
            Problem(
                message,
                file=str(path),
                cell=_field_cell(where, name),
                found=found,
                expected=expected,
                kind="factors",
                code=code,
            )
        )

    header = list(records[0].keys()) if records else []
    if not records:
        problem(_("the table has no rows"), _header_cell(), code="factor-table-empty")
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        problem(
            ngettext(
                "unknown column {columns}",
                "unknown columns {columns}",
                len(unknown),
            ).format(columns=", ".join(unknown)),
            _header_cell(),
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
            _header_cell(),
            code="factor-columns-missing",
        )
    if problems:
        raise FactorTableError(
            _("factor table {file} is not valid").format(file=path.name), problems
        )
    groups = {**base.groups, **_keyed(path.parent / "source_groups.csv", "id")}
    documents = {**base.documents, **_keyed(path.parent / "documents.csv", "id")}
    own_documents = _keyed(path.parent / "documents.csv", "id")
    from hginventory.tables.factor_model import FactorRowModel, ValidationError

    merged = {r.code: r for r in base.rows}
    origins: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for line, rec in enumerate(records, start=2):
        code = (rec.get("code") or "").strip()
        where = _line_cell(line, code)
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
        for name in PROVENANCE_FIELDS:
            if not (rec.get(name) or "").strip():
                problem(
                    _("an override row must give its own provenance"),
                    where,
                    name,
                    code="overlay-provenance-missing",
                )
        shipped = base.by_code.get(code)
        values = _row_fields(shipped) if shipped else {}
        values.update({k: v for k, v in rec.items() if v is not None})
        group = str(values.get("source_group", "")).strip()
        doc = (rec.get("document") or "").strip()
        if groups and group and group not in groups:
            problem(
                _("unknown source group"),
                where,
                "source_group",
                group,
                ", ".join(groups),
                code="factor-source-group-unknown",
            )
        if own_documents and doc and doc not in documents:
            problem(
                _("unknown document id"),
                where,
                "document",
                doc,
                ", ".join(documents),
                code="factor-document-unknown",
            )
        try:
            row = FactorRow(**FactorRowModel(**values).model_dump())
        except ValidationError as exc:
            for err in exc.errors():
                name = _field_of(err["loc"])
                found = str(rec.get(name, values.get(name, ""))) if name else ""
                message = validation_message(err)
                if err["type"] == "missing":
                    message = _("a new code (not in {table}) must give this column").format(
                        table=base.label
                    )
                problem(message, where, name, found)
            continue
        changed = (
            [f for f in FIELDS if getattr(row, f) != getattr(shipped, f)] if shipped else FIELDS
        )
        numbers = [f for f in changed if f not in (*PROVENANCE_FIELDS, *_WORDS)]
        if numbers or not shipped:  # a changed or new factor is the country's, not the Toolkit's
            row = replace(row, status="national", distribution_status="")
        merged[code] = row
        origins[code] = {
            "file": str(path),
            "line": line,
            "overrides": shipped is not None,
            "changed": [f for f in changed if f not in (*PROVENANCE_FIELDS, "confidence", "note")]
            if shipped
            else [],
        }
    for code, row in merged.items():
        if code in origins and row.replaces and row.replaces not in merged:
            problem(
                _("replaces a code that is not in the table"),
                _line_cell(origins[code]["line"], code),
                "replaces",
                row.replaces,
                code="factor-replaces-unknown",
            )
    for cycle in replacement_cycles({code: row.replaces for code, row in merged.items()}):
        # the shipped table has none: a cycle goes through a row of this file, named first
        first = next((c for c in cycle if c in origins), cycle[0])
        at = cycle.index(first)
        cycle = cycle[at:] + cycle[:at]
        problem(
            _cycle_message().format(cycle=_cycle_text(cycle)),
            _line_cell(origins[first]["line"], first) if first in origins else _header_cell(),
            "replaces",
            cycle[1 % len(cycle)],
            code="replaces-cycle",
        )
    if problems:
        raise FactorTableError(
            _("factor table {file} is not valid").format(file=path.name), problems
        )
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n") + b"\0" + meta_raw.replace(b"\r\n", b"\n"))
    sha = digest.hexdigest()
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
        groups=groups,
        documents=documents,
        meta={**base.meta, "overlay": meta, "combined_sha256": combined},
        base=base,
        overlay_id=overlay_id,
        overlay_version=overlay_version,
        overlay_sha256=sha,
        overlay_path=str(path),
        origins=origins,
    )


def is_full_table(path: str | Path) -> bool:
    """Whether `path` is a complete factor table (a folder, or a CSV with every required
    column), as opposed to an overlay of some columns."""
    path = Path(path)
    if path.is_dir() or not path.is_file():
        return True
    try:
        records, _raw = _read_csv(path)
    except (UnicodeDecodeError, csv.Error):
        return True
    header = set(records[0].keys()) if records else set()
    return all(f in header for f in REQUIRED)


def load_table(path: str | Path | None = None, base: FactorTable | None = None) -> FactorTable:
    """A complete table, or an overlay laid over `base` (by default the shipped table)."""
    from dataclasses import replace

    if path is None or is_full_table(path):
        table = load_factors(path)
        if not table.groups or not table.documents:
            # a table copied out of factors/ alone: source groups and documents as shipped
            shipped = load_factors()
            table = replace(
                table,
                groups=table.groups or shipped.groups,
                documents=table.documents or shipped.documents,
            )
        return table
    return overlay_factors(base or load_factors(), path)


def factors_for(path: str | Path | None = None, include_estimates: bool = False) -> FactorTable:
    """`table_for` with the estimated rows counted in the totals or not (--include-estimates)."""
    return table_for(path).counting_estimates(include_estimates)


def table_for(path: str | Path | None = None) -> FactorTable:
    """The factor table of a `--factors` option: the shipped table; a folder, which replaces
    it; or a CSV laid over it row by row. The same for compute, report, validate, template and
    batch, so that one option means one table everywhere."""
    if path is None:
        return load_factors()
    path = Path(path)
    if path.is_dir():
        return load_factors(path)
    return overlay_factors(load_factors(), path)


def _text(value) -> str:
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
        or any(_text(getattr(r, f)) not in ("", _text(DEFAULTS.get(f))) for r in rows)
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
        writer.writerow([_text(getattr(r, f)) for f in used])
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
    import json

    return json.dumps(str(value), ensure_ascii=False)
