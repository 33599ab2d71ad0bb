"""The Level 2 factor tables: input types, control configurations, families."""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import FactorTableError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.tables.factors import factors_dir
from hginventory.tables.limits import read_table_bytes
from hginventory.tables.rows import trusted_values, validation_message

TOLERANCE = 1e-9


CONFIDENCE_RANK = {"lo": 0, "med": 1, "hi": 2, "": 3}


@dataclass(frozen=True)
class InputRow:
    """An input type of the controlled list: Hg content of a coal, a waste fuel..."""

    family: str
    id: str
    label: str
    status: str
    document: str
    version: str
    table_page: str
    input_factor: float
    input_factor_unit: str
    confidence: str = ""
    note: str = ""
    input_factor_low: float | None = None
    input_factor_high: float | None = None
    input_basis: str = ""  # dry: the content is per t of dry matter (moisture_pct converts)


@dataclass(frozen=True)
class ConfigRow:
    """A control configuration: output distribution factors of one kind of plant.

    A `pretreatment` (coal washing) sends part of the Hg to its own pathways and lets
    `pass_through` of it on to the control configuration it is combined with. An `addition`
    (cyanidation of amalgamation tailings) moves the Hg of one pathway of the split it follows
    (`acts_on`, e.g. land: the tailings) to the pathways its six columns give; the other
    pathways stay as they were, so the practice never lowers them. `annex_c` names the
    paragraph of Minamata Convention Annex C that lists the practice as a worst practice.
    """

    family: str
    id: str
    label: str
    status: str
    document: str
    version: str
    table_page: str
    kind: str
    air: float
    water: float
    land: float
    byproducts: float
    general_waste: float
    sector_treatment: float
    pass_through: float = 0.0
    confidence: str = ""
    note: str = ""
    acts_on: str = ""
    annex_c: str = ""

    @property
    def distribution(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in PATHWAYS}


_FLOATS = ("input_factor", "pass_through", *PATHWAYS)


_OPTIONAL_FLOATS = ("input_factor_low", "input_factor_high")


def _trusted(row_type, records: list[dict]) -> dict:
    """Rows of a table validated beforehand (the shipped one: `hginv factors validate` and the
    tests check it with the pydantic models), converted as those models convert them."""
    out = {}
    for rec in records:
        values = trusted_values(rec, _FLOATS, _OPTIONAL_FLOATS)
        out[values["id"]] = row_type(**values)
    return out


@dataclass(frozen=True)
class Level2Tables:
    """The validated Level 2 tables with their identity (id, version, content hash)."""

    id: str
    version: str
    title: str
    families: dict[str, str]
    inputs: dict[str, InputRow]
    configs: dict[str, ConfigRow]
    article8: tuple[dict, ...]
    documents: dict[str, dict]
    sha256: str
    path: str
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def factor_id(self, row_id: str) -> str:
        return f"{self.label}:{row_id}"

    def source(self, row: InputRow | ConfigRow) -> str:
        return f"{row.document} v{row.version}, {row.table_page}"


def _read_csv(path: Path) -> tuple[list[dict], bytes]:
    if not path.is_file():
        raise FactorTableError(_("Level 2 table not found: {file}").format(file=path))
    raw = read_table_bytes(path)
    try:
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))), raw
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(
            _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(file=path.name, reason=exc)
        ) from None


def _validate(path: Path, row_type, records, families, documents, problems) -> dict:
    """Rows of one controlled list by id, each checked by its pydantic model; each problem
    names the CSV line and field."""
    from hginventory.tables.level2_model import ConfigRowModel, InputRowModel, ValidationError

    model = InputRowModel if row_type is InputRow else ConfigRowModel
    out: dict = {}
    for line, rec in enumerate(records, start=2):
        row_id = (rec.get("id") or "").strip()
        where = (
            _("line {line} ({key} {value})").format(line=line, key="id", value=row_id)
            if row_id
            else _("line {line}").format(line=line)
        )

        def problem(message, name="", found="", where=where):
            problems.append(
                Problem(
                    message,
                    file=str(path),
                    cell=_("{where}, field '{field}'").format(where=where, field=name)
                    if name
                    else where,
                    found=found,
                    kind="factors",
                    code="level2-table-invalid",
                )
            )

        if None in rec:
            problem(_("more values than columns"))
            continue
        if row_id in out:
            problem(_("id appears twice"), "id", row_id)
        family = (rec.get("family") or "").strip()
        if family and family not in set(families.values()):
            problem(_("unknown family"), "family", family)
        doc = (rec.get("document") or "").strip()
        if doc and doc not in documents:
            problem(_("unknown document id"), "document", doc)
        try:
            checked = model(**{k: v for k, v in rec.items() if v is not None})
            out[row_id] = row_type(**checked.model_dump())
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                problem(
                    validation_message(err),
                    name,
                    str(rec.get(name, "")) if name else "",
                )
    return out


def load_level2(path: str | Path | None = None, validate: bool | None = None) -> Level2Tables:
    """Load the Level 2 tables of a folder (by default `factors/level2/`), validated.

    The shipped tables are validated by `hginv factors validate` and the tests
    (`validate=True`) and otherwise read without the validating models (fast); a folder a
    user gives is always validated."""
    if validate is None:
        validate = path is not None
    folder = Path(path) if path is not None else factors_dir() / "level2"
    meta_path = folder / "level2.toml"
    if not meta_path.is_file():
        raise FactorTableError(_("Level 2 tables not found: {file}").format(file=meta_path))
    meta_raw = read_table_bytes(meta_path)
    try:
        meta = tomllib.loads(meta_raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta_path.name, reason=exc)
        ) from None
    families = {code: fam for fam, codes in meta.get("families", {}).items() for code in codes}
    documents: dict[str, dict] = {}
    for doc_path in (folder.parent / "documents.csv", folder / "documents.csv"):
        if doc_path.is_file():
            documents.update({r.get("id") or "": r for r in _read_csv(doc_path)[0]})
    problems: list[Problem] = []
    digest = hashlib.sha256(meta_raw.replace(b"\r\n", b"\n"))
    tables = {}
    for name, model in (("inputs", InputRow), ("configurations", ConfigRow)):
        csv_path = folder / f"{name}.csv"
        records, raw = _read_csv(csv_path)
        digest.update(b"\0" + raw.replace(b"\r\n", b"\n"))
        trusted = None
        if not validate:
            try:
                trusted = _trusted(model, records)
            except (ValueError, TypeError, KeyError):
                pass  # a table edited after its check: the model locates the problem
        if trusted is None:
            trusted = _validate(csv_path, model, records, families, documents, problems)
        tables[name] = trusted
    article8, raw = _read_csv(folder / "article8.csv")
    digest.update(b"\0" + raw.replace(b"\r\n", b"\n"))
    if problems:
        raise FactorTableError(_("the Level 2 factor tables are not valid"), problems)
    return Level2Tables(
        id=meta.get("id", "level2"),
        version=str(meta.get("version", "unversioned")),
        title=meta.get("title", "Level 2 factors"),
        families=families,
        inputs=tables["inputs"],
        configs=tables["configurations"],
        article8=tuple(
            {**r, "codes": tuple(c.strip() for c in r["codes"].split(";") if c.strip())}
            for r in article8
        ),
        documents=documents,
        sha256=digest.hexdigest(),
        path=str(folder),
        meta=meta,
    )


@lru_cache(maxsize=1)
def default_tables() -> Level2Tables:
    """The shipped Level 2 tables, loaded and validated once per process."""
    return load_level2()
