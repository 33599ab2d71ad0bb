"""A second, independent estimate of air emissions: the EMEP/EEA Guidebook's mercury factors.

The Toolkit estimates air releases as activity x input factor x air distribution factor, with
factor values that are only `recalled`. The EMEP/EEA air pollutant emission inventory guidebook
gives `confirmed` air emission factors with 95 % confidence intervals, the ones LRTAP parties
report with. This module holds that factor set (`factors/emep_eea_hg.csv`), the mapping from
Toolkit sub-categories to Guidebook rows with the activity-unit conversions
(`factors/emep_mapping.csv`), and the cross-check of a computed inventory against them:

    Guidebook air (kg Hg/y) = activity x conversion x Guidebook emission factor
                              (and the same with the CI lower and upper bounds)

A Toolkit air figure outside the Guidebook's 95 % interval is flagged.
"""

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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hginventory.errors import FactorTableError, HginvError, Problem, UnitError
from hginventory.factors import CODE_PATTERN, FactorTable, factors_dir
from hginventory.units import conversion as unit_conversion
from hginventory.units import parse_unit

if TYPE_CHECKING:
    import pandas as pd

    from hginventory.calculate import Inventory

EMEP_TABLE = "emep_eea_hg"
MAPPING_TABLE = "emep_mapping"
SHEET_NAME = "Cross-check EMEP"
CSV_EXTRA_COLUMNS = ["air_kg_emep", "air_kg_emep_low", "air_kg_emep_high", "emep_ref"]
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
        raise UnitError(f"unknown Guidebook unit {text!r}; expected e.g. mg/GJ or g/Mg waste")
    per, _, basis = rest.strip().partition(" ")
    if per not in _PER_UNITS:
        raise UnitError(
            f"unknown activity unit {per!r} in Guidebook unit {text!r}; "
            f"expected one of {', '.join(_PER_UNITS)}"
        )
    symbol, dimension = _PER_UNITS[per]
    return GuidebookUnit(str(text), _HG_MASS[mercury.strip()], symbol, dimension, basis.strip())


# --- the Guidebook factor set -----------------------------------------------------------------


class EmepRow(BaseModel):
    """One Hg row of the Guidebook export, columns as in the export plus our own four."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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
            raise ValueError(f"row_id {row_id!r} does not start with NFR_table ({nfr}_{number})")
        return value

    @field_validator("abatement")
    @classmethod
    def _abatement_named(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("type") == ABATEMENT_TYPE and not value.strip():
            raise ValueError("an abatement efficiency needs its abatement technique")
        return value

    @field_validator("value")
    @classmethod
    def _fraction(cls, value: float, info: ValidationInfo) -> float:
        if info.data.get("type") == ABATEMENT_TYPE and value > 1:
            raise ValueError("an abatement efficiency is a fraction between 0 and 1")
        return value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("type") == ABATEMENT_TYPE:
            if value.strip():
                raise ValueError("an abatement efficiency is a fraction: leave Unit blank")
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
            raise ValueError("give both CI_lower and CI_upper, or neither")
        if lower is not None and not lower <= value <= upper:
            raise ValueError(
                f"Value {value:g} is outside its interval [CI_lower {lower:g}, CI_upper {upper:g}]"
            )
        return upper

    @property
    def is_abatement(self) -> bool:
        return self.type == ABATEMENT_TYPE

    @property
    def table_number(self) -> str:
        return re.sub(r"^Table[_ ]", "", self.table)

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
        raw = path.read_bytes()
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        records, start = [], 2
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(f"{path.name}: cannot be read as a UTF-8 CSV ({exc})") from None
    except OSError as exc:
        raise FactorTableError(f"{what} not readable: {path} ({exc.strerror})") from None
    return records, raw


def _problem(path: Path, where: str, message: str, name="", found="", expected="") -> Problem:
    return Problem(
        message,
        file=str(path),
        cell=f"{where}, field '{name}'" if name else where,
        found=found,
        expected=expected,
        kind="factors",
    )


def _missing_columns(path, records, fields, required) -> list[Problem]:
    if not records:
        return [_problem(path, "header (line 1)", "the table has no rows")]
    header = list(records[0][1].keys())
    missing = [f for f in fields if f not in header and f in required]
    if missing:
        return [
            _problem(
                path,
                "header (line 1)",
                f"missing column(s) {', '.join(missing)}",
                expected=", ".join(fields),
            )
        ]
    return []


def _validate(path, records, model, key: str, label: str, documents=None):
    """Validate every record; each problem names the line, the key and the field."""
    rows, problems, first = [], [], {}
    for line, rec in records:
        ident = (rec.get(key) or "").strip()
        where = f"line {line}" + (f" ({label} {ident})" if ident else "")
        if None in rec:
            problems.append(_problem(path, where, "more values than columns"))
            continue
        if ident in first:
            problems.append(
                _problem(
                    path, where, f"{label} appears twice (first on line {first[ident]})", key, ident
                )
            )
        first.setdefault(ident, line)
        doc = (rec.get("document") or "").strip()
        if documents and doc and doc not in documents:
            problems.append(
                _problem(path, where, "unknown document id", "document", doc, ", ".join(documents))
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
                        err["msg"].removeprefix("Value error, "),
                        name,
                        str(rec.get(name, "")) if name else "",
                    )
                )
    return rows, problems


def _meta(path: Path) -> tuple[dict, bytes]:
    meta_path = path.with_suffix(".toml")
    raw = meta_path.read_bytes() if meta_path.is_file() else b""
    try:
        return (tomllib.loads(raw.decode("utf-8")) if raw else {}), raw
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(f"{meta_path.name}: not valid TOML ({exc})") from None


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(p.replace(b"\r\n", b"\n") for p in parts)).hexdigest()


def _documents(folder: Path) -> dict:
    path = folder / "documents.csv"
    if not path.is_file():
        return {}
    records, _ = _read(path, "document list")
    return {rec["id"]: rec for _, rec in records}


def load_emep_factors(path: str | Path | None = None) -> EmepFactors:
    """Load and validate the Guidebook Hg factor set (`factors/emep_eea_hg.csv` by default).

    `path` is the CSV (metadata in a `.toml` of the same stem beside it) or a folder holding it.
    Raises FactorTableError listing every problem with its line and field.
    """
    path = Path(path) if path is not None else factors_dir()
    csv_path = path / f"{EMEP_TABLE}.csv" if path.is_dir() else path
    if not csv_path.is_file():
        raise FactorTableError(f"Guidebook factor table not found: {csv_path}")
    records, raw = _read(csv_path, "Guidebook factor table")
    meta, meta_raw = _meta(csv_path)
    problems = _missing_columns(csv_path, records, EMEP_FIELDS, EMEP_FIELDS)
    if problems:
        raise FactorTableError(f"Guidebook factor table {csv_path.name} is not valid", problems)
    rows, problems = _validate(
        csv_path, records, EmepRow, "row_id", "row", _documents(csv_path.parent)
    )
    expected = meta.get("rows_in_source")
    if expected is not None and len(records) != expected:
        problems.append(
            _problem(
                csv_path,
                "whole table",
                f"the table has {len(records)} rows but its metadata says the source has "
                f"{expected}",
                expected=f"{expected} rows, or rows_in_source updated in {csv_path.stem}.toml",
            )
        )
    if problems:
        raise FactorTableError(f"Guidebook factor table {csv_path.name} is not valid", problems)
    return EmepFactors(
        id=meta.get("id", csv_path.stem),
        version=str(meta.get("version", "unversioned")),
        title=meta.get("title", csv_path.stem),
        rows=tuple(r for _, r in rows),
        sha256=_digest(raw, meta_raw),
        path=str(csv_path),
        meta=meta,
    )


@dataclass(frozen=True)
class Estimate:
    """Guidebook air emission of one activity, kg Hg/y; low/high None where no interval."""

    kg: float
    low_kg: float | None
    high_kg: float | None


def estimate(row: EmepRow, activity: float, abatement: EmepRow | None = None) -> Estimate:
    """Activity (in the row's own activity unit) x emission factor, and x its CI bounds.

    With an abatement-efficiency row (Tier 2), the emission is EF x (1 - efficiency); no 95 %
    interval is given then, because combining the two intervals' bounds is not one.
    """
    if row.is_abatement:
        raise CrosscheckError(f"{row.row_id} is an abatement efficiency, not an emission factor")
    kg = activity * row.guidebook_unit.to_kg
    if abatement is not None:
        if not abatement.is_abatement:
            raise CrosscheckError(f"{abatement.row_id} is not an abatement efficiency")
        return Estimate(kg * row.value * (1 - abatement.value), None, None)
    if row.ci_lower is None:
        return Estimate(kg * row.value, None, None)
    return Estimate(kg * row.value, kg * row.ci_lower, kg * row.ci_upper)


# --- the mapping from Toolkit sub-categories to Guidebook rows --------------------------------


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
            raise ValueError("expected a Toolkit sub-category code such as 5.1.1 or 5.1.3a")
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
                raise ValueError(f"match is none but {', '.join(filled)} given")
            if not self.note:
                raise ValueError("say in the note why there is no Guidebook row")
            return self
        missing = [
            n
            for n in ("row_id", "toolkit_unit", "guidebook_unit", "conversion", "conversion_source")
            if getattr(self, n) in ("", None)
        ]
        if missing:
            raise ValueError(f"a mapped row needs {', '.join(missing)}")
        if not math.isfinite(self.conversion):
            raise ValueError("conversion must be a finite number")
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
            _problem(path, where, "code is not in the Toolkit factor table", "code", row.code)
        )
    if not row.mapped:
        return out
    if row.row_id not in emep:
        return out + [
            _problem(
                path,
                where,
                "no such Guidebook row",
                "row_id",
                row.row_id,
                f"a row_id of {Path(emep.path).name}",
            )
        ]
    g = emep[row.row_id]
    if g.is_abatement:
        return out + [
            _problem(
                path,
                where,
                "an abatement efficiency is not an emission factor",
                "row_id",
                row.row_id,
            )
        ]
    for name, expected in (("nfr", g.nfr), ("table", g.table)):
        given = getattr(row, name)
        if given and given != expected:
            out.append(
                _problem(
                    path, where, f"does not match Guidebook row {g.row_id}", name, given, expected
                )
            )
    if row.guidebook_unit != g.guidebook_unit.per:
        out.append(
            _problem(
                path,
                where,
                f"Guidebook row {g.row_id} is in {g.unit}",
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
        raise FactorTableError(f"Guidebook mapping not found: {csv_path}")
    emep = emep or load_emep_factors()
    records, raw = _read(csv_path, "Guidebook mapping")
    required = [n for n, f in MappingRow.model_fields.items() if f.is_required()]
    problems = _missing_columns(csv_path, records, MAPPING_FIELDS, required)
    if problems:
        raise FactorTableError(f"Guidebook mapping {csv_path.name} is not valid", problems)
    rows, problems = _validate(csv_path, records, MappingRow, "code", "code")
    for line, row in rows:
        problems += _check_against(row, f"line {line} (code {row.code})", csv_path, emep, toolkit)
    if problems:
        raise FactorTableError(f"Guidebook mapping {csv_path.name} is not valid", problems)
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
                    "not a positive conversion",
                    cell=where,
                    found=text,
                    expected="CODE=VALUE, e.g. 5.1.1=21.5",
                )
            )
            continue
        if mapping is not None and (code not in mapping or not mapping[code].mapped):
            mapped = ", ".join(r.code for r in mapping.rows if r.mapped)
            problems.append(
                Problem(
                    "no Guidebook row is mapped for this sub-category",
                    cell=where,
                    found=code,
                    expected=mapped,
                )
            )
            continue
        if code in out:
            problems.append(Problem("sub-category given twice", cell=where, found=code))
        out[code] = number
    if problems:
        raise CrosscheckError("the --conversion values cannot be used", problems)
    return out


# --- the cross-check ---------------------------------------------------------------------------

FLAG_WITHIN = "within interval"
FLAG_ABOVE = "above interval"
FLAG_BELOW = "below interval"
FLAG_NO_INTERVAL = "no interval"
FLAG_NOT_MAPPED = "not mapped"


@dataclass
class Crosscheck:
    """Toolkit air vs Guidebook air per sub-category of one inventory."""

    frame: pd.DataFrame
    factors: EmepFactors
    mapping: EmepMapping
    overrides: dict[str, float]

    @property
    def mapped(self) -> pd.DataFrame:
        return self.frame[self.frame["row_id"] != ""]

    def flagged(self) -> pd.DataFrame:
        """Sub-categories whose Toolkit air falls outside the Guidebook 95 % interval."""
        return self.frame[self.frame["flag"].isin([FLAG_ABOVE, FLAG_BELOW])]

    def extend(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The CSV frame with the four Guidebook columns appended (blank where not mapped)."""
        # one cross-check record per result row, in the same order (facility rows included)
        if len(frame) != len(self.frame) or list(frame["code"]) != list(self.frame["code"]):
            raise ValueError("the cross-check does not belong to these results")
        out = frame.copy()
        for col in CSV_EXTRA_COLUMNS:
            out[col] = self.frame[col].to_numpy()
        return out


def _flag(toolkit: float, low, high) -> str:
    if low is None or high is None:
        return FLAG_NO_INTERVAL
    if toolkit > high:
        return FLAG_ABOVE
    if toolkit < low:
        return FLAG_BELOW
    return FLAG_WITHIN


def run_crosscheck(
    inv: Inventory,
    factors: EmepFactors | None = None,
    mapping: EmepMapping | None = None,
    overrides: dict[str, float] | None = None,
) -> Crosscheck:
    """Guidebook air estimate beside the Toolkit air figure for every sub-category computed."""
    import pandas as pd

    factors = factors or load_emep_factors()
    mapping = mapping or load_emep_mapping(emep=factors, toolkit=inv.factors)
    overrides = dict(overrides or {})
    unknown = [c for c in overrides if c not in mapping or not mapping[c].mapped]
    if unknown:
        raise CrosscheckError(
            f"--conversion given for sub-categories without a Guidebook row: {', '.join(unknown)}"
        )
    records = []
    for r in inv.results.itertuples(index=False):
        m = mapping.by_code.get(r.code)
        rec = {
            "code": r.code,
            "sub_category": r.sub_category,
            "facility": getattr(r, "facility", "") or "",
            "air_kg": float(r.air_kg),
            "toolkit_status": r.status,
            "activity": float(r.activity),
            "activity_unit": r.activity_unit,
            "match": m.match if m else "",
            "row_id": "",
            "emep_ref": "",
            "chapter": "",
            "description": "",
            "ef": None,
            "ef_low": None,
            "ef_high": None,
            "ef_unit": "",
            "conversion": None,
            "conversion_unit": "",
            "conversion_source": "",
            "assumption": None,
            "guidebook_activity": None,
            "air_kg_emep": None,
            "air_kg_emep_low": None,
            "air_kg_emep_high": None,
            "ratio": None,
            "flag": FLAG_NOT_MAPPED,
            "note": m.note if m else "no mapping to a Guidebook row",
        }
        if m is not None and m.mapped:
            g = factors[m.row_id]
            conv, source, assumed = m.conversion, m.conversion_source, m.assumption
            if r.code in overrides:
                conv, source, assumed = overrides[r.code], "country value (--conversion)", False
            try:
                gb_activity = r.activity * unit_conversion(r.activity_unit, m.toolkit_unit) * conv
            except UnitError as exc:
                raise CrosscheckError(
                    f"{r.code}: the activity unit cannot be converted for the cross-check",
                    [Problem(exc.args[0], cell=r.activity_cell, sheet="activity")],
                ) from None
            est = estimate(g, gb_activity)
            rec.update(
                row_id=g.row_id,
                emep_ref=g.ref,
                chapter=g.chapter,
                description=f"{g.tier and 'Tier ' + g.tier}: {g.description}",
                ef=g.value,
                ef_low=g.ci_lower,
                ef_high=g.ci_upper,
                ef_unit=g.unit,
                conversion=conv,
                conversion_unit=f"{m.guidebook_unit}/{m.toolkit_unit}",
                conversion_source=source,
                assumption=assumed,
                guidebook_activity=gb_activity,
                air_kg_emep=est.kg,
                air_kg_emep_low=est.low_kg,
                air_kg_emep_high=est.high_kg,
                ratio=(rec["air_kg"] / est.kg) if est.kg > 0 else None,
                flag=_flag(rec["air_kg"], est.low_kg, est.high_kg),
            )
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    for col in ("air_kg_emep", "air_kg_emep_low", "air_kg_emep_high", "ratio"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return Crosscheck(frame, factors, mapping, overrides)


def add_crosscheck(inv: Inventory, **kw) -> Crosscheck:
    """Run the cross-check and keep it on the inventory (CSV columns, workbook sheet, metadata)."""
    cc = run_crosscheck(inv, **kw)
    inv.crosscheck = cc
    inv.metadata.update(
        {
            "emep_factor_table_id": cc.factors.id,
            "emep_factor_table_version": cc.factors.version,
            "emep_factor_table_sha256": cc.factors.sha256,
            "emep_mapping_file": cc.mapping.path,
            "emep_mapping_sha256": cc.mapping.sha256,
            "emep_conversions_overridden": "; ".join(f"{k}={v:g}" for k, v in cc.overrides.items()),
            "emep_flagged": len(cc.flagged()),
        }
    )
    return cc


# --- outputs ------------------------------------------------------------------------------------


def flagged_table(cc: Crosscheck):
    """A short rich table of the flagged disagreements, for the terminal."""
    from rich.table import Table

    flagged = cc.flagged()
    table = Table(
        title=f"EMEP/EEA cross-check: {len(flagged)} of {len(cc.mapped)} mapped sub-categories "
        "outside the Guidebook 95 % interval (kg Hg/y)"
    )
    table.add_column("Code", no_wrap=True)
    table.add_column("Sub-category", no_wrap=True, overflow="ellipsis", max_width=20)
    table.add_column("Toolkit", justify="right", no_wrap=True)
    table.add_column("Guidebook [95 %]", justify="right", no_wrap=True)
    table.add_column("Ratio", justify="right", no_wrap=True)
    for r in flagged.itertuples(index=False):
        table.add_row(
            r.code,
            r.sub_category,
            f"{r.air_kg:,.1f}",
            f"{r.air_kg_emep:,.1f} [{r.air_kg_emep_low:,.1f}-{r.air_kg_emep_high:,.1f}]",
            (f"{r.ratio:,.2g}" if r.ratio < 10 else f"{r.ratio:,.0f}") + "x",
        )
    return table


SHEET_HEADERS = [
    ("Code", "code", None),
    ("Sub-category", "sub_category", None),
    ("Facility", "facility", None),
    ("Toolkit air (kg Hg/y)", "air_kg", "kg"),
    ("Toolkit factor status", "toolkit_status", None),
    ("Guidebook air (kg Hg/y)", "air_kg_emep", "kg"),
    ("Guidebook 95 % low (kg Hg/y)", "air_kg_emep_low", "kg"),
    ("Guidebook 95 % high (kg Hg/y)", "air_kg_emep_high", "kg"),
    ("Ratio Toolkit / Guidebook", "ratio", "ratio"),
    ("Flag", "flag", None),
    ("Guidebook row", "row_id", None),
    ("NFR and table", "emep_ref", None),
    ("Guidebook chapter", "chapter", None),
    ("Tier and technology / fuel", "description", None),
    ("Emission factor", "ef", "small"),
    ("CI low", "ef_low", "small"),
    ("CI high", "ef_high", "small"),
    ("Factor unit", "ef_unit", None),
    ("Activity rate", "activity", "num"),
    ("Activity unit", "activity_unit", None),
    ("Conversion", "conversion", "small"),
    ("Conversion unit", "conversion_unit", None),
    ("Conversion source", "conversion_source", None),
    ("Conversion is an assumption", "assumption", None),
    ("Match", "match", None),
    ("Note", "note", None),
]


def crosscheck_sheet(wb, inv: Inventory, styles) -> None:
    """The 'Cross-check EMEP' sheet; nothing when the inventory has no cross-check."""
    cc = getattr(inv, "crosscheck", None)
    if cc is None:
        return
    from hginventory.report import KG, SMALL, _put, _table, _total_row, _widths

    ws = wb.create_sheet(SHEET_NAME)
    _put(ws, 1, 1, "Cross-check of air releases with the EMEP/EEA Guidebook", font=styles["title"])
    lines = [
        f"{len(cc.flagged())} of the {len(cc.mapped)} sub-categories with a Guidebook row are "
        "flagged: their Toolkit air figure lies outside the Guidebook's 95 % interval.",
        f"Guidebook factors: {cc.factors.title} ({cc.factors.label}, sha256 "
        f"{cc.factors.sha256[:12]}); status confirmed, with 95 % confidence intervals.",
        "Guidebook air = activity rate x conversion to the Guidebook's activity unit x emission "
        "factor (low and high: x the interval's bounds). Toolkit air = Hg input x air "
        "distribution factor, from recalled factors.",
        "Flag: the Toolkit air figure lies above or below the Guidebook's 95 % interval. Large "
        "gaps are expected where the Toolkit's input factor x air share stands for plants with "
        "little abatement and the Guidebook factor for abated (European) plants, or the reverse.",
        "Conversions marked as an assumption are defaults: give your country's value with "
        "`hginv compute ... --crosscheck emep --conversion CODE=VALUE`.",
    ]
    for i, line in enumerate(lines, start=3):
        _put(ws, i, 1, line)
    formats = {"kg": KG, "small": SMALL, "num": "#,##0.###", "ratio": "0.00"}
    fmt = {i: formats[f] for i, (_, _, f) in enumerate(SHEET_HEADERS, start=1) if f}
    rows = []
    for rec in cc.frame.to_dict("records"):
        values = []
        for _, col, _ in SHEET_HEADERS:
            v = rec[col]
            if col == "assumption":
                v = "" if v is None else ("yes" if v else "no")
            values.append(v)
        rows.append(values)
    top = 3 + len(lines) + 1
    nxt = _table(ws, top, [h for h, _, _ in SHEET_HEADERS], rows, fmt, styles)
    flag_col = [c for _, c, _ in SHEET_HEADERS].index("flag") + 1
    for r in range(top + 1, nxt):
        cell = ws.cell(row=r, column=flag_col)
        if cell.value in (FLAG_ABOVE, FLAG_BELOW):
            cell.font = styles["warn"]
    mapped = cc.mapped
    _total_row(
        ws,
        nxt,
        "Sum of the mapped sub-categories",
        [float(mapped["air_kg"].sum()), None, float(mapped["air_kg_emep"].sum())],
        3,
        styles,
    )
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    _widths(
        ws,
        {
            "A": 9,
            "B": 48,
            "C": 14,
            "D": 12,
            "E": 14,
            "F": 14,
            "G": 14,
            "H": 12,
            "I": 16,
            "J": 20,
            "K": 22,
            "L": 36,
            "M": 40,
            "V": 50,
            "Y": 60,
        },
    )
