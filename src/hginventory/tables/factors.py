"""Factor tables: the Toolkit's input factors and output distribution factors, as reviewed data.

A factor table is a CSV of one row per sub-category (or variant) plus a small TOML of metadata
(id, version). Every row carries its provenance and an evidence `status`: `confirmed` when the
value was checked against the cited document, table and page, `recalled` otherwise. Tables are
validated on load; every problem is reported with file, row and field. A CSV of some rows and
columns is a national overlay, laid over the shipped table (`overlay.py`).
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import FactorTableError, Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.tables.factor_files import (
    References,
    not_valid,
    read_factor_csv,
    read_keyed,
    read_metadata,
    table_sha256,
    unreadable,
)
from hginventory.tables.overlay import overlay_factors
from hginventory.tables.rows import (  # noqa: F401  (public names of this module)
    BALANCE_TOLERANCE,
    CODE_PATTERN,
    DEFAULTS,
    FIELDS,
    REQUIRED,
    FactorRow,
    FactorTable,
    cycle_message,
    header_cell,
    line_cell,
    missing_columns,
    replacement_cycles,
    table_problems,
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


def _validate_rows(
    path: Path, records: list[dict], references: References
) -> tuple[list[FactorRow], list[Problem]]:
    """Validate every row; each problem names the CSV line, the code and the field."""
    problems: list[Problem] = []
    problem = table_problems(problems, path, code="factor-row-invalid")
    if records:
        header = list(records[0].keys())
        missing = [f for f in FIELDS if f not in header and f in REQUIRED]
        if missing:
            problem(
                missing_columns(missing),
                header_cell(),
                expected=", ".join(FIELDS),
                code="factor-columns-missing",
            )
            return [], problems
    rows: list[FactorRow] = []
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
        first_line.setdefault(code, line)
        group, doc = (rec.get("source_group") or "").strip(), (rec.get("document") or "").strip()
        references.check(problem, where, group, doc)
        row = _validated_row(rec, where, problem)
        if row is not None:
            rows.append(row)
    _replacement_problems(rows, first_line, problem)
    return rows, problems


def _validated_row(rec: dict, where: str, problem) -> FactorRow | None:
    """The row as the validating model reads it, or None after locating its problems."""
    from hginventory.tables.factor_model import FactorRowModel, ValidationError

    try:
        model = FactorRowModel(**{k: v for k, v in rec.items() if v is not None})
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            problem(validation_message(err), where, name, str(rec.get(name, "")) if name else "")
        return None
    return FactorRow(**model.model_dump())


def _replacement_problems(rows: list[FactorRow], first_line: dict[str, int], problem) -> None:
    """A row replaces a code of the table, and no replacements go round in a cycle."""
    for row in rows:
        if row.replaces and row.replaces not in first_line:
            problem(
                _("replaces a code that is not in the table"),
                line_cell(first_line[row.code], row.code),
                "replaces",
                row.replaces,
                code="factor-replaces-unknown",
            )
    for cycle in replacement_cycles({r.code: r.replaces for r in rows}):
        problem(
            cycle_message(cycle),
            line_cell(first_line[cycle[0]], cycle[0]),
            "replaces",
            cycle[1 % len(cycle)],
            code="replaces-cycle",
        )


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
    try:
        records, raw = read_factor_csv(csv_path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise unreadable(csv_path.name, exc) from None
    meta, meta_raw = read_metadata(csv_path)
    groups = read_keyed(csv_path.parent / "source_groups.csv", "id")
    documents = read_keyed(csv_path.parent / "documents.csv", "id")
    rows, problems = [], []
    if not validate:
        try:
            rows = _trusted_rows(records)
        except (ValueError, TypeError, KeyError, UnitError):
            validate = True  # a table edited after its check: the model locates the problem
    if validate:
        rows, problems = _validate_rows(csv_path, records, References(groups, documents))
    if not records:
        problems.append(Problem(
            _("the table has no rows"),
            file=str(csv_path),
            kind="factors",
            code="factor-table-empty",
        ))
    if problems:
        raise not_valid(csv_path, problems)
    return FactorTable(
        id=meta.get("id", csv_path.stem),
        version=str(meta.get("version", "unversioned")),
        title=meta.get("title", csv_path.stem),
        rows=tuple(rows),
        sha256=table_sha256(raw, meta_raw),
        path=str(csv_path),
        groups=groups,
        documents=documents,
        meta=meta,
    )


def is_full_table(path: str | Path) -> bool:
    """Whether `path` is a complete factor table (a folder, or a CSV with every required
    column), as opposed to an overlay of some columns."""
    path = Path(path)
    if path.is_dir() or not path.is_file():
        return True
    try:
        records, _raw = read_factor_csv(path)
    except (UnicodeDecodeError, csv.Error):
        return True
    header = set(records[0].keys()) if records else set()
    return all(f in header for f in REQUIRED)


def load_table(path: str | Path | None = None, base: FactorTable | None = None) -> FactorTable:
    """A complete table, or an overlay laid over `base` (by default the shipped table)."""
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
