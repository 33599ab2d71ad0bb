"""The EMEP/EEA Guidebook mercury factors and the Toolkit-to-Guidebook mapping."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hginventory.core.errors import FactorTableError, HginvError, Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.units import parse_unit
from hginventory.tables.factors import CODE_PATTERN, FactorTable, factors_dir
from hginventory.tables.limits import read_table_bytes
from hginventory.tables.rows import missing_columns, validation_message

EMEP_TABLE = "emep_eea_hg"


MAPPING_TABLE = "emep_mapping"


ABATEMENT_TYPE = "Tier 2 Abatement Efficiency"


ROW_TYPES = ("Tier 1 Emission Factor", "Tier 2 Emission Factor", ABATEMENT_TYPE)


# Mass of mercury in a Guidebook unit, in kg.
_HG_MASS = {"mg": 1e-6, "g": 1e-3, "kg": 1.0}


# Activity units of the Guidebook rows: spelling -> (canonical symbol, dimension).
# "MG" is the export's spelling of Mg in one row (1.B.2.a.iv Table 3-1); milligram is "mg".
_PER_UNITS = {
    "GJ": ("GJ", "energy"),
    "Mg": ("t", "mass"),
    "MG": ("t", "mass"),
    "t": ("t", "mass"),
    "te": ("t", "mass"),
    "tonne": ("t", "mass"),
    "m3": ("m3", "volume"),
    "MWh": ("MWh", "energy"),
    "body": ("body", "corpses"),
    "capita": ("capita", "inhabitants"),
    "fire": ("fire", "fires"),
}


class CrosscheckError(HginvError):
    """The cross-check cannot be made as asked (mapping, conversion override)."""


@dataclass(frozen=True)
class GuidebookUnit:
    """A Guidebook factor unit such as `g/Mg zinc`: mercury per unit of a named activity."""

    text: str
    to_kg: float
    per: str
    dimension: str
    basis: str


def parse_guidebook_unit(text: str) -> GuidebookUnit:
    """Read `mg/GJ`, `g/te clinker`, `g/Mg steel produced` ...; UnitError if unknown."""
    mercury, sep, rest = str(text).partition("/")
    if not sep or mercury.strip() not in _HG_MASS:
        raise UnitError(
            _("unknown Guidebook unit {unit}; expected e.g. mg/GJ or g/Mg waste").format(
                unit=repr(text)
            )
        )
    per, _sep, basis = rest.strip().partition(" ")
    if per not in _PER_UNITS:
        raise UnitError(
            _(
                "unknown activity unit {per} in Guidebook unit {unit}; expected one of {units}"
            ).format(per=repr(per), unit=repr(text), units=", ".join(_PER_UNITS))
        )
    symbol, dimension = _PER_UNITS[per]
    return GuidebookUnit(str(text), _HG_MASS[mercury.strip()], symbol, dimension, basis.strip())


class EmepRow(BaseModel):
    """One Hg row of the Guidebook export, columns as in the export plus our own four."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    row_id: str = Field(pattern=r"^\d\.[A-Z](\.[0-9a-z]+)*_\d+-\d+(_[a-z0-9-]+)?$")
    nfr: str = Field(alias="NFR", pattern=r"^\d\.[A-Z](\.[0-9a-z]+)*$")
    sector: str = Field(alias="Sector", min_length=1)
    table: str = Field(alias="Table", pattern=r"^Table[_ ]\d+-\d+$")
    type: Literal[ROW_TYPES] = Field(alias="Type")
    technology: str = Field(default="", alias="Technology")
    fuel: str = Field(default="", alias="Fuel")
    abatement: str = Field(default="", alias="Abatement")
    region: str = Field(default="", alias="Region")
    pollutant: Literal["Hg"] = Field(alias="Pollutant")
    value: float = Field(alias="Value", ge=0)
    unit: str = Field(default="", alias="Unit")
    ci_lower: float | None = Field(default=None, alias="CI_lower", ge=0)
    ci_upper: float | None = Field(default=None, alias="CI_upper", ge=0)
    reference: str = Field(alias="Reference", min_length=1)
    chapter: str = Field(pattern=r"^\d\.[A-Z](\.[0-9a-z]+)* \S")
    status: Literal["confirmed", "recalled"]
    document: str = Field(min_length=1)

    @field_validator("ci_lower", "ci_upper", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    # Checks between fields are field validators (they see the fields before them), so that a
    # problem names the column to fix.
    @field_validator("table")
    @classmethod
    def _row_id_matches(cls, value: str, info: ValidationInfo) -> str:
        row_id, nfr = info.data.get("row_id"), info.data.get("nfr")
        number = re.sub(r"^Table[_ ]", "", value)
        if row_id and nfr and not row_id.startswith(f"{nfr}_{number}"):
            raise ValueError(
                _("row_id {row_id} does not start with NFR_table ({prefix})").format(
                    row_id=repr(row_id), prefix=f"{nfr}_{number}"
                )
            )
        return value

    @field_validator("abatement")
    @classmethod
    def _abatement_named(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("type") == ABATEMENT_TYPE and not value.strip():
            raise ValueError(_("an abatement efficiency needs its abatement technique"))
        return value

    @field_validator("value")
    @classmethod
    def _fraction(cls, value: float, info: ValidationInfo) -> float:
        if info.data.get("type") == ABATEMENT_TYPE and value > 1:
            raise ValueError(_("an abatement efficiency is a fraction between 0 and 1"))
        return value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("type") == ABATEMENT_TYPE:
            if value.strip():
                raise ValueError(_("an abatement efficiency is a fraction: leave Unit blank"))
            return value
        try:
            parse_guidebook_unit(value)
        except UnitError as exc:
            raise ValueError(exc.args[0]) from None
        return value

    @field_validator("ci_upper")
    @classmethod
    def _interval(cls, upper: float | None, info: ValidationInfo) -> float | None:
        if "ci_lower" not in info.data or "value" not in info.data:
            return upper
        lower, value = info.data["ci_lower"], info.data["value"]
        if (lower is None) != (upper is None):
            raise ValueError(_("give both CI_lower and CI_upper, or neither"))
        if lower is not None and not lower <= value <= upper:
            raise ValueError(
                _(
                    "Value {value} is outside its interval [CI_lower {lower}, CI_upper {upper}]"
                ).format(value=f"{value:g}", lower=f"{lower:g}", upper=f"{upper:g}")
            )
        return upper

    @property
    def is_abatement(self) -> bool:
        return self.type == ABATEMENT_TYPE

    @property
    def tier(self) -> str:
        return self.type.split(" ", 2)[1] if self.type.startswith("Tier") else ""

    @property
    def guidebook_unit(self) -> GuidebookUnit:
        return parse_guidebook_unit(self.unit)

    @property
    def ref(self) -> str:
        """NFR code and Guidebook table, as written in outputs (`emep_ref`)."""
        return f"{self.nfr} {self.table}"

    @property
    def description(self) -> str:
        parts = [p for p in (self.technology, self.fuel, self.abatement) if p and p != "NA"]
        text = "; ".join(" ".join(p.split()) for p in parts) or self.sector
        return f"{text} ({self.region})" if self.region and self.region != "NA" else text


EMEP_FIELDS = [
    (f.alias or name) for name, f in EmepRow.model_fields.items()
]  # CSV column names, in file order


@dataclass(frozen=True)
class EmepFactors:
    """The validated Guidebook factor set with its identity: id, version, content hash."""

    id: str
    version: str
    title: str
    rows: tuple[EmepRow, ...]
    sha256: str
    path: str
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    @cached_property
    def by_id(self) -> dict[str, EmepRow]:
        return {r.row_id: r for r in self.rows}

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, row_id: str) -> bool:
        return row_id in self.by_id

    def __getitem__(self, row_id: str) -> EmepRow:
        return self.by_id[row_id]

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame, columns as in the CSV, rows in file order."""
        import pandas as pd

        records = [r.model_dump(by_alias=True) for r in self.rows]
        return pd.DataFrame.from_records(records, columns=EMEP_FIELDS)


def _read(path: Path, what: str) -> tuple[list[tuple[int, dict]], bytes]:
    """Records of a CSV with the line each starts on (a quoted field may span lines)."""
    try:
        raw = read_table_bytes(path)
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        records, start = [], 2
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(
            _("{file}: cannot be read as a UTF-8 CSV ({reason})").format(file=path.name, reason=exc)
        ) from None
    except OSError as exc:
        raise FactorTableError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc.strerror)
        ) from None
    return records, raw


def _problem(path: Path, where: str, message: str, name="", found="", expected="") -> Problem:
    return Problem(
        message,
        file=str(path),
        cell=_("{where}, field '{field}'").format(where=where, field=name) if name else where,
        found=found,
        expected=expected,
        kind="factors",
        code="emep-table-invalid",
    )


def _missing_columns(path, records, fields, required) -> list[Problem]:
    if not records:
        return [_problem(path, _("header (line 1)"), _("the table has no rows"))]
    header = list(records[0][1].keys())
    missing = [f for f in fields if f not in header and f in required]
    if missing:
        return [
            _problem(
                path,
                _("header (line 1)"),
                missing_columns(missing),
                expected=", ".join(fields),
            )
        ]
    return []


def _validate(path, records, model, key: str, label: str, documents=None):
    """Validate every record; each problem names the line, the key and the field."""
    rows, problems, first = [], [], {}
    for line, rec in records:
        ident = (rec.get(key) or "").strip()
        where = (
            _("line {line} ({key} {value})").format(line=line, key=label, value=ident)
            if ident
            else _("line {line}").format(line=line)
        )
        if None in rec:
            problems.append(_problem(path, where, _("more values than columns")))
            continue
        if ident in first:
            problems.append(
                _problem(
                    path,
                    where,
                    _("{key} appears twice (first on line {line})").format(
                        key=label, line=first[ident]
                    ),
                    key,
                    ident,
                )
            )
        first.setdefault(ident, line)
        doc = (rec.get("document") or "").strip()
        if documents and doc and doc not in documents:
            problems.append(
                _problem(
                    path, where, _("unknown document id"), "document", doc, ", ".join(documents)
                )
            )
        try:
            rows.append(
                (line, model.model_validate({k: v for k, v in rec.items() if v is not None}))
            )
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                problems.append(
                    _problem(
                        path,
                        where,
                        validation_message(err),
                        name,
                        str(rec.get(name, "")) if name else "",
                    )
                )
    return rows, problems


def _meta(path: Path) -> tuple[dict, bytes]:
    meta_path = path.with_suffix(".toml")
    raw = read_table_bytes(meta_path) if meta_path.is_file() else b""
    try:
        return (tomllib.loads(raw.decode("utf-8")) if raw else {}), raw
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta_path.name, reason=exc)
        ) from None


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(p.replace(b"\r\n", b"\n") for p in parts)).hexdigest()


def _documents(folder: Path) -> dict:
    path = folder / "documents.csv"
    if not path.is_file():
        return {}
    records, _raw = _read(path, "document list")
    return {rec["id"]: rec for _, rec in records}


def load_emep_factors(path: str | Path | None = None) -> EmepFactors:
    """Load and validate the Guidebook Hg factor set (`factors/emep_eea_hg.csv` by default).

    `path` is the CSV (metadata in a `.toml` of the same stem beside it) or a folder holding it.
    Raises FactorTableError listing every problem with its line and field.
    """
    path = Path(path) if path is not None else factors_dir()
    csv_path = path / f"{EMEP_TABLE}.csv" if path.is_dir() else path
    if not csv_path.is_file():
        raise FactorTableError(_("Guidebook factor table not found: {file}").format(file=csv_path))
    records, raw = _read(csv_path, "Guidebook factor table")
    meta, meta_raw = _meta(csv_path)
    problems = _missing_columns(csv_path, records, EMEP_FIELDS, EMEP_FIELDS)
    if problems:
        raise FactorTableError(
            _("Guidebook factor table {file} is not valid").format(file=csv_path.name), problems
        )
    rows, problems = _validate(
        csv_path, records, EmepRow, "row_id", "row", _documents(csv_path.parent)
    )
    expected = meta.get("rows_in_source")
    if expected is not None and len(records) != expected:
        problems.append(
            _problem(
                csv_path,
                _("whole table"),
                _("the table has {n} rows but its metadata says the source has {expected}").format(
                    n=len(records), expected=expected
                ),
                expected=_("{expected} rows, or rows_in_source updated in {file}").format(
                    expected=expected, file=f"{csv_path.stem}.toml"
                ),
            )
        )
    if problems:
        raise FactorTableError(
            _("Guidebook factor table {file} is not valid").format(file=csv_path.name), problems
        )
    return EmepFactors(
        id=meta.get("id", csv_path.stem),
        version=str(meta.get("version", "unversioned")),
        title=meta.get("title", csv_path.stem),
        rows=tuple(r for _, r in rows),
        sha256=_digest(raw, meta_raw),
        path=str(csv_path),
        meta=meta,
    )


class MappingRow(BaseModel):
    """One Toolkit sub-category and the Guidebook row it is compared with."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    code: str
    sub_category: str = ""
    match: Literal["direct", "proxy", "none"]
    row_id: str = ""
    nfr: str = ""
    table: str = ""
    toolkit_unit: str = ""
    guidebook_unit: str = ""
    conversion: float | None = Field(default=None, gt=0)
    conversion_source: str = ""
    assumption: bool = False
    note: str = ""

    @field_validator("conversion", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("assumption", mode="before")
    @classmethod
    def _blank_is_false(cls, value):
        return False if isinstance(value, str) and not value.strip() else value

    @field_validator("code")
    @classmethod
    def _code_form(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError(_("expected a Toolkit sub-category code such as 5.1.1 or 5.1.3a"))
        return value

    @model_validator(mode="after")
    def _complete(self) -> MappingRow:
        filled = [
            n
            for n in ("row_id", "nfr", "table", "toolkit_unit", "guidebook_unit", "conversion")
            if getattr(self, n) not in ("", None)
        ]
        if self.match == "none":
            if filled:
                raise ValueError(
                    _("match is none but {fields} given").format(fields=", ".join(filled))
                )
            if not self.note:
                raise ValueError(_("say in the note why there is no Guidebook row"))
            return self
        missing = [
            n
            for n in ("row_id", "toolkit_unit", "guidebook_unit", "conversion", "conversion_source")
            if getattr(self, n) in ("", None)
        ]
        if missing:
            raise ValueError(_("a mapped row needs {fields}").format(fields=", ".join(missing)))
        if not math.isfinite(self.conversion):
            raise ValueError(_("conversion must be a finite number"))
        try:
            parse_unit(self.toolkit_unit)
        except UnitError as exc:
            raise ValueError(f"toolkit_unit: {exc.args[0]}") from None
        return self

    @property
    def mapped(self) -> bool:
        return self.match != "none"


MAPPING_FIELDS = list(MappingRow.model_fields)


@dataclass(frozen=True)
class EmepMapping:
    """The validated mapping, keyed by Toolkit code."""

    rows: tuple[MappingRow, ...]
    sha256: str
    path: str

    @cached_property
    def by_code(self) -> dict[str, MappingRow]:
        return {r.code: r for r in self.rows}

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def __getitem__(self, code: str) -> MappingRow:
        return self.by_code[code]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame.from_records(
            [r.model_dump() for r in self.rows], columns=MAPPING_FIELDS
        )


def _check_against(row: MappingRow, where: str, path: Path, emep: EmepFactors, toolkit):
    """Problems of a mapping row against the Guidebook set and the Toolkit table."""
    out = []
    if toolkit is not None and row.code not in toolkit:
        out.append(
            _problem(path, where, _("code is not in the Toolkit factor table"), "code", row.code)
        )
    if not row.mapped:
        return out
    if row.row_id not in emep:
        return out + [
            _problem(
                path,
                where,
                _("no such Guidebook row"),
                "row_id",
                row.row_id,
                _("a row_id of {file}").format(file=Path(emep.path).name),
            )
        ]
    g = emep[row.row_id]
    if g.is_abatement:
        return out + [
            _problem(
                path,
                where,
                _("an abatement efficiency is not an emission factor"),
                "row_id",
                row.row_id,
            )
        ]
    for name, expected in (("nfr", g.nfr), ("table", g.table)):
        given = getattr(row, name)
        if given and given != expected:
            out.append(
                _problem(
                    path,
                    where,
                    _("does not match Guidebook row {row}").format(row=g.row_id),
                    name,
                    given,
                    expected,
                )
            )
    if row.guidebook_unit != g.guidebook_unit.per:
        out.append(
            _problem(
                path,
                where,
                _("Guidebook row {row} is in {unit}").format(row=g.row_id, unit=g.unit),
                "guidebook_unit",
                row.guidebook_unit,
                g.guidebook_unit.per,
            )
        )
    if toolkit is not None and row.code in toolkit:
        tk = parse_unit(toolkit[row.code].activity_unit)
        mine = parse_unit(row.toolkit_unit)
        if tk.dimension != mine.dimension:
            out.append(
                _problem(
                    path,
                    where,
                    f"the Toolkit activity of {row.code} is in "
                    f"{toolkit[row.code].activity_unit} ({tk.dimension})",
                    "toolkit_unit",
                    row.toolkit_unit,
                    tk.dimension,
                )
            )
    return out


def load_emep_mapping(
    path: str | Path | None = None,
    emep: EmepFactors | None = None,
    toolkit: FactorTable | None = None,
) -> EmepMapping:
    """Load and validate the sub-category -> Guidebook mapping (`factors/emep_mapping.csv`).

    Every mapped row must name an existing Guidebook emission-factor row in the unit it states;
    with `toolkit` given, its code must exist there with an activity of the same kind.
    """
    path = Path(path) if path is not None else factors_dir()
    csv_path = path / f"{MAPPING_TABLE}.csv" if path.is_dir() else path
    if not csv_path.is_file():
        raise FactorTableError(_("Guidebook mapping not found: {file}").format(file=csv_path))
    emep = emep or load_emep_factors()
    records, raw = _read(csv_path, "Guidebook mapping")
    required = [n for n, f in MappingRow.model_fields.items() if f.is_required()]
    problems = _missing_columns(csv_path, records, MAPPING_FIELDS, required)
    if problems:
        raise FactorTableError(
            _("Guidebook mapping {file} is not valid").format(file=csv_path.name), problems
        )
    rows, problems = _validate(csv_path, records, MappingRow, "code", "code")
    for line, row in rows:
        where = _("line {line} (code {code})").format(line=line, code=row.code)
        problems += _check_against(row, where, csv_path, emep, toolkit)
    if problems:
        raise FactorTableError(
            _("Guidebook mapping {file} is not valid").format(file=csv_path.name), problems
        )
    return EmepMapping(tuple(r for _, r in rows), _digest(raw), str(csv_path))


def parse_conversions(items, mapping: EmepMapping | None = None) -> dict[str, float]:
    """`CODE=VALUE` texts (the `--conversion` option) -> {code: value}, every error at once.

    VALUE is the country's own conversion, in the mapping's Guidebook unit per Toolkit unit
    (e.g. `5.1.1=21.5` for coal of 21.5 GJ/t, `5.3.1=0.68` for 0.68 t clinker per t cement).
    """
    out, problems = {}, []
    for text in items:
        code, sep, value = str(text).partition("=")
        code, value = code.strip(), value.strip()
        where = f"--conversion {text}"
        try:
            number = float(value.replace(",", ".")) if sep else float("nan")
        except ValueError:
            number = float("nan")
        if not sep or not math.isfinite(number) or number <= 0:
            problems.append(
                Problem(
                    _("not a positive conversion"),
                    cell=where,
                    found=text,
                    expected=_("CODE=VALUE, e.g. 5.1.1=21.5"),
                    code="conversion-invalid",
                )
            )
            continue
        if mapping is not None and (code not in mapping or not mapping[code].mapped):
            mapped = ", ".join(r.code for r in mapping.rows if r.mapped)
            problems.append(
                Problem(
                    _("no Guidebook row is mapped for this sub-category"),
                    cell=where,
                    found=code,
                    expected=mapped,
                    code="conversion-unmapped",
                )
            )
            continue
        if code in out:
            problems.append(Problem(
                _("sub-category given twice"),
                cell=where,
                found=code,
                code="conversion-twice",
            ))
        out[code] = number
    if problems:
        raise CrosscheckError(_("the --conversion values cannot be used"), problems)
    return out
