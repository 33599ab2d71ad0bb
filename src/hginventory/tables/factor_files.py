"""The files of a factor table, read alike for a complete table and a national overlay: the CSV,
the TOML of metadata beside it, and the source groups and documents beside them."""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hginventory.core.errors import FactorTableError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.tables.limits import read_table_bytes
from hginventory.tables.rows import header_cell, line_cell, missing_columns, table_problems


def read_factor_csv(path: Path) -> tuple[list[dict], bytes]:
    """The records of a factor CSV and its bytes (for the table's hash)."""
    raw = read_table_bytes(path)
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), raw


def unreadable(path: Path | str, exc: Exception) -> FactorTableError:
    """The error of a factor CSV that is not UTF-8 or not CSV."""
    return FactorTableError(
        _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(file=path, reason=exc)
    )


def read_metadata(csv_path: Path) -> tuple[dict, bytes]:
    """The TOML beside a factor CSV (same stem; none: empty) and its bytes."""
    meta_path = csv_path.with_suffix(".toml")
    meta_raw = read_table_bytes(meta_path) if meta_path.is_file() else b""
    try:
        meta = tomllib.loads(meta_raw.decode("utf-8")) if meta_raw else {}
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta_path.name, reason=exc)
        ) from None
    return meta, meta_raw


def table_sha256(raw: bytes, meta_raw: bytes) -> str:
    """The hash of a table's CSV and TOML, the same with Windows or Unix line ends."""
    content = raw.replace(b"\r\n", b"\n") + b"\0" + meta_raw.replace(b"\r\n", b"\n")
    return hashlib.sha256(content).hexdigest()


def not_valid(path: Path, problems: list[Problem]) -> FactorTableError:
    return FactorTableError(_("factor table {file} is not valid").format(file=path.name), problems)


def read_keyed(path: Path, key: str) -> dict[str, dict]:
    """The source groups or documents beside a table, by id; a problem is located."""
    if not path.is_file():
        return {}
    try:
        records, _raw = read_factor_csv(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise unreadable(path, exc) from None
    problems: list[Problem] = []
    problem = table_problems(problems, path, code="factor-columns-missing")
    if records and key not in records[0]:
        problem(
            missing_columns([key]),
            header_cell(),
        )
        records = []
    out = {}
    for line, rec in enumerate(records, start=2):
        if "order" in rec:
            try:
                rec["order"] = int(rec["order"] or "")
            except ValueError:
                problem(
                    _("expected a whole number"),
                    line_cell(line),
                    "order",
                    str(rec["order"]),
                    code="factor-order-invalid",
                )
        out[rec[key]] = rec
    if problems:
        raise not_valid(path, problems)
    return out


@dataclass(frozen=True)
class References:
    """The source groups and documents a table's rows may name (those beside the table, or
    shipped); with none, a name is not checked. An overlay checks its documents only when it
    has its own documents.csv (`check_documents`)."""

    groups: dict
    documents: dict
    check_documents: bool = True

    def check(self, problem, where: str, group: str, doc: str) -> None:
        if self.groups and group and group not in self.groups:
            problem(
                _("unknown source group"),
                where,
                "source_group",
                group,
                ", ".join(self.groups),
                code="factor-source-group-unknown",
            )
        if self.check_documents and self.documents and doc and doc not in self.documents:
            problem(
                _("unknown document id"),
                where,
                "document",
                doc,
                ", ".join(self.documents),
                code="factor-document-unknown",
            )
