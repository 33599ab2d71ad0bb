"""Inventory Level 2: facility-by-facility detail for coal, cement, chlor-alkali, ASGM and waste.

A country that knows its power plants, kilns, chlor-alkali plant, mining methods and
incinerators describes them on an optional `facilities` sheet of the activity workbook. Each
facility row replaces the Level 1 default for the part of the national activity it covers; what
the facilities leave of the national activity row is still computed at Level 1 defaults, so
nothing is counted twice and no activity is lost. Facilities summing to more than the national
row is an error located at the national activity cell.

The controlled lists (input types, control configurations) and their factors live in
`factors/level2/` as reviewable CSV, validated on load like the Level 1 table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hginventory.activity import (
    NOTATION_KEYS,
    _find_header,
    _number,
    _open,
    _text,
    cell_name,
    read_rows,
)
from hginventory.errors import ActivityError, FactorTableError, Problem, UnitError
from hginventory.factors import BALANCE_TOLERANCE, PATHWAYS, factors_dir
from hginventory.units import conversion, parse_factor_unit, parse_unit

SHEET = "facilities"
FACILITY_COLUMNS = (
    "code",
    "facility",
    "activity",
    "unit",
    "capacity",
    "utilisation",
    "input_type",
    "hg_content",
    "hg_content_unit",
    "control",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
    "notes",
)
NUMERIC_COLUMNS = (
    "activity",
    "capacity",
    "utilisation",
    "hg_content",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
)
METHODS = ("default", "level2", "measured")
TOLERANCE = 1e-9
_CONFIDENCE_RANK = {"lo": 0, "med": 1, "hi": 2, "": 3}


# --- factor tables ----------------------------------------------------------------------------


class _Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    family: str = Field(min_length=1)
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str = Field(min_length=1)
    status: Literal["confirmed", "recalled"]
    confidence: Literal["hi", "med", "lo", ""] = ""
    document: str = Field(min_length=1)
    version: str = Field(min_length=1)
    table_page: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _recalled_has_confidence(self):
        if self.status == "recalled" and not self.confidence:
            raise ValueError("a recalled row needs a confidence (hi, med or lo)")
        return self


class InputRow(_Provenance):
    """An input type of the controlled list: Hg content of a coal, a waste fuel..."""

    input_factor: float = Field(ge=0)
    input_factor_low: float | None = Field(default=None, ge=0)
    input_factor_high: float | None = Field(default=None, ge=0)
    input_factor_unit: str

    @field_validator("input_factor_low", "input_factor_high", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("input_factor_unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        try:
            parse_factor_unit(value)
        except UnitError as exc:
            raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _range(self):
        if self.input_factor_low is not None and self.input_factor_low > self.input_factor:
            raise ValueError("input_factor_low is above input_factor")
        if self.input_factor_high is not None and self.input_factor_high < self.input_factor:
            raise ValueError("input_factor_high is below input_factor")
        return self


class ConfigRow(_Provenance):
    """A control configuration: output distribution factors of one kind of plant.

    A `pretreatment` (coal washing) sends part of the Hg to its own pathways and lets
    `pass_through` of it on to the control configuration it is combined with.
    """

    kind: Literal["control", "pretreatment"]
    pass_through: float = Field(default=0.0, ge=0, le=1)
    air: float = Field(ge=0, le=1)
    water: float = Field(ge=0, le=1)
    land: float = Field(ge=0, le=1)
    byproducts: float = Field(ge=0, le=1)
    general_waste: float = Field(ge=0, le=1)
    sector_treatment: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _balanced(self):
        if self.kind == "control" and self.pass_through:
            raise ValueError("pass_through is only for pretreatment rows")
        total = sum(getattr(self, p) for p in PATHWAYS) + self.pass_through
        if abs(total - 1.0) > BALANCE_TOLERANCE:
            raise ValueError(f"distribution factors (+ pass_through) sum to {total:.12g}, not 1")
        return self

    @property
    def distribution(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in PATHWAYS}


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

    def source(self, row: _Provenance) -> str:
        return f"{row.document} v{row.version}, {row.table_page}"


def _read_csv(path: Path) -> tuple[list[dict], bytes]:
    if not path.is_file():
        raise FactorTableError(f"Level 2 table not found: {path}")
    raw = path.read_bytes()
    try:
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))), raw
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FactorTableError(f"{path.name}: cannot be read as a UTF-8 CSV ({exc})") from None


def _validate(path: Path, model, records, families, documents, problems) -> dict:
    """Rows of one controlled list by id; each problem names the CSV line and field."""
    out: dict = {}
    for line, rec in enumerate(records, start=2):
        row_id = (rec.get("id") or "").strip()
        where = f"line {line}" + (f" (id {row_id})" if row_id else "")

        def problem(message, name="", found="", where=where):
            problems.append(
                Problem(
                    message,
                    file=str(path),
                    cell=f"{where}, field '{name}'" if name else where,
                    found=found,
                    kind="factors",
                )
            )

        if None in rec:
            problem("more values than columns")
            continue
        if row_id in out:
            problem("id appears twice", "id", row_id)
        family = (rec.get("family") or "").strip()
        if family and family not in set(families.values()):
            problem("unknown family", "family", family)
        doc = (rec.get("document") or "").strip()
        if doc and doc not in documents:
            problem("unknown document id", "document", doc)
        try:
            out[row_id] = model(**{k: v for k, v in rec.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                problem(
                    err["msg"].removeprefix("Value error, "),
                    name,
                    str(rec.get(name, "")) if name else "",
                )
    return out


def load_level2(path: str | Path | None = None) -> Level2Tables:
    """Load and validate the Level 2 tables of a folder (by default `factors/level2/`)."""
    folder = Path(path) if path is not None else factors_dir() / "level2"
    meta_path = folder / "level2.toml"
    if not meta_path.is_file():
        raise FactorTableError(f"Level 2 tables not found: {meta_path}")
    meta_raw = meta_path.read_bytes()
    try:
        meta = tomllib.loads(meta_raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(f"{meta_path.name}: not valid TOML ({exc})") from None
    families = {code: fam for fam, codes in meta.get("families", {}).items() for code in codes}
    documents: dict[str, dict] = {}
    for doc_path in (folder.parent / "documents.csv", folder / "documents.csv"):
        if doc_path.is_file():
            documents.update({r["id"]: r for r in _read_csv(doc_path)[0]})
    problems: list[Problem] = []
    digest = hashlib.sha256(meta_raw.replace(b"\r\n", b"\n"))
    tables = {}
    for name, model in (("inputs", InputRow), ("configurations", ConfigRow)):
        csv_path = folder / f"{name}.csv"
        records, raw = _read_csv(csv_path)
        digest.update(b"\0" + raw.replace(b"\r\n", b"\n"))
        tables[name] = _validate(csv_path, model, records, families, documents, problems)
    article8, raw = _read_csv(folder / "article8.csv")
    digest.update(b"\0" + raw.replace(b"\r\n", b"\n"))
    if problems:
        raise FactorTableError("the Level 2 factor tables are not valid", problems)
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


# --- the facilities sheet ---------------------------------------------------------------------


@dataclass
class FacilityData:
    """Facility rows read from a workbook's `facilities` sheet (empty when there is none)."""

    path: Path
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = SHEET


def read_facilities(path: str | Path) -> FacilityData:
    """Read the optional `facilities` sheet; the file is only read, never modified."""
    from hginventory.xlsxscan import ZIP_SUFFIXES, scan_workbook, structure_problems

    path = Path(path)
    data = FacilityData(path)
    if path.suffix.lower() == ".csv":  # a CSV holds the Level 1 tables only
        return data
    workbook = _open(path)
    try:
        names = {n.strip().lower(): n for n in workbook.sheet_names}
        if SHEET not in names:
            return data
        data.sheet = names[SHEET]
        rows = read_rows(workbook, data.sheet, path)
    finally:
        workbook.close()
    if path.suffix.lower() in ZIP_SUFFIXES:
        data.problems += structure_problems(scan_workbook(path), str(path), data.sheet)
    _parse(data, rows)
    return data


def _parse(data: FacilityData, rows) -> None:
    file, sheet, problems = str(data.path), data.sheet, data.problems
    at = _find_header(rows, ("code", "facility"))
    if at is None:
        problems.append(
            Problem(
                "header row with columns 'code' and 'facility' not found",
                file=file,
                sheet=sheet,
                expected=", ".join(FACILITY_COLUMNS),
            )
        )
        return
    header_row, cols = at
    extra = [name for name in cols if name not in FACILITY_COLUMNS]
    if extra:
        problems.append(
            Problem(
                f"unknown column(s) ignored: {', '.join(extra)}",
                file=file,
                sheet=sheet,
                cell=f"row {header_row + 1}",
                expected=", ".join(FACILITY_COLUMNS),
                severity="warning",
            )
        )
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        values = {name: (row[c] if c < len(row) else "") for name, c in cols.items()}
        if not any(_text(v) for v in values.values()):
            continue
        rec: dict = {"row": r + 1, "cells": {}}
        for name in FACILITY_COLUMNS:
            c = cols.get(name)
            rec["cells"][name] = cell_name(r, c) if c is not None else f"row {r + 1}"
            raw = values.get(name, "")
            if name in NUMERIC_COLUMNS:
                rec[name] = None
                if _text(raw) != "":
                    where = {"file": file, "sheet": sheet, "cell": rec["cells"][name]}
                    value = _number(raw, where, f"{name} of facility row {r + 1}", problems)
                    if value is not None and value < 0:
                        problems.append(Problem(f"{name} is negative", found=_text(raw), **where))
                        value = None
                    rec[name] = value
                    rec[f"{name}_bad"] = value is None
            else:
                rec[name] = _text(raw)
        for name in ("input_type", "control"):  # controlled-list ids are lower case
            rec[name] = rec[name].lower()
        data.rows.append(rec)


def check_facilities(data: FacilityData, factors, tables: Level2Tables) -> list[Problem]:
    """Problems of facility rows against the factor tables, each located at its cell."""
    problems: list[Problem] = []
    seen: dict[tuple, str] = {}

    def err(rec, column, message, found="", expected="", severity="error"):
        problems.append(
            Problem(
                message,
                file=str(data.path),
                sheet=data.sheet,
                cell=rec["cells"][column],
                found=found,
                expected=expected,
                severity=severity,
            )
        )

    for rec in data.rows:
        code, name = rec["code"], rec["facility"]
        if code not in tables.families or code not in factors:
            err(
                rec,
                "code",
                f"sub-category {code!r} cannot be described facility by facility",
                code,
                "one of " + ", ".join(sorted(tables.families)),
            )
            continue
        family = tables.families[code]
        factor = factors[code]
        if not name:
            err(rec, "facility", "facility name is empty", expected="a name for the facility")
        elif (code, name.lower()) in seen:
            err(
                rec,
                "facility",
                f"facility {name!r} appears twice for {code} "
                f"(first at {seen[(code, name.lower())]})",
                name,
            )
        seen.setdefault((code, name.lower()), rec["cells"]["facility"])
        if rec["activity"] is None and not rec.get("activity_bad"):
            if rec["capacity"] is not None and rec["utilisation"] is not None:
                if rec["utilisation"] > 100 or 0 < rec["utilisation"] < 1:
                    err(
                        rec,
                        "utilisation",
                        "utilisation is a percentage from 0 to 100",
                        _text(rec["utilisation"]),
                        "per cent, e.g. 85",
                    )
                else:
                    rec["activity"] = rec["capacity"] * rec["utilisation"] / 100.0
            else:
                err(
                    rec,
                    "activity",
                    f"activity of facility {name!r} is missing",
                    expected=f"{factor.activity_description} ({factor.activity_unit}), "
                    "or capacity and utilisation (per cent)",
                )
        unit = rec["unit"] or factor.activity_unit
        try:
            conversion(unit, factor.activity_unit)
        except UnitError as exc:
            err(rec, "unit", f"unit for {code}: {exc.args[0]}", unit, factor.activity_unit)
        if rec["input_type"]:
            row = tables.inputs.get(rec["input_type"])
            if row is None or row.family != family:
                err(
                    rec,
                    "input_type",
                    f"unknown input type for {code}",
                    rec["input_type"],
                    _choices(tables.inputs, family),
                )
            elif _per_dimension(row.input_factor_unit) != _dimension(factor.activity_unit):
                err(
                    rec,
                    "input_type",
                    "input type is per another kind of activity",
                    rec["input_type"],
                    factor.activity_unit,
                )
        if rec["hg_content"] is not None:
            hu = rec["hg_content_unit"] or factor.input_factor_unit
            try:
                if _per_dimension(hu) != _dimension(factor.activity_unit):
                    raise UnitError(f"{hu} is not per {factor.activity_unit}")
            except UnitError as exc:
                err(
                    rec,
                    "hg_content_unit",
                    f"Hg content unit: {exc.args[0]}",
                    hu,
                    f"e.g. {factor.input_factor_unit} or mg/kg",
                )
            if rec["input_type"]:
                err(
                    rec,
                    "input_type",
                    "both hg_content and input_type given: hg_content is used",
                    rec["input_type"],
                    severity="warning",
                )
        if rec["control"]:
            _check_control(rec, family, tables, err)
        if rec["coincinerated_waste_t"] is not None and family != "cement":
            err(
                rec,
                "coincinerated_waste_t",
                "waste co-incineration is for cement kilns only",
                _text(rec["coincinerated_waste_t"]),
                "blank",
            )
        if rec["measured_input_kg"] is not None and rec["coincinerated_waste_t"]:
            err(
                rec,
                "coincinerated_waste_t",
                "the measured Hg input (plant mass balance) "
                "already includes the waste fuels: coincinerated_waste_t is not used",
                _text(rec["coincinerated_waste_t"]),
                severity="warning",
            )
    return problems


def _choices(rows: dict, family: str) -> str:
    ids = [k for k, v in rows.items() if v.family == family]
    return "one of " + ", ".join(ids) if ids else f"nothing: no choices for family {family}"


def _dimension(unit: str) -> str:
    return parse_unit(unit).dimension


def _per_dimension(factor_unit: str) -> str:
    return parse_factor_unit(factor_unit).per.dimension


def _check_control(rec, family, tables, err) -> None:
    ids = [c.strip() for c in rec["control"].split("+") if c.strip()]
    rows = []
    for cid in ids:
        row = tables.configs.get(cid)
        if row is None or row.family != family:
            err(
                rec,
                "control",
                f"unknown control configuration {cid!r} for {rec['code']}",
                rec["control"],
                _choices(tables.configs, family),
            )
            return
        rows.append(row)
    kinds = [r.kind for r in rows]
    if kinds.count("control") != 1 or kinds[-1] != "control":
        err(
            rec,
            "control",
            "give one control configuration, optionally after a pretreatment "
            "(e.g. coal-washing + coal-esp)",
            rec["control"],
        )


# --- calculation ------------------------------------------------------------------------------


def _kg_per(activity_unit: str, factor_unit: str) -> float:
    fu = parse_factor_unit(factor_unit)
    return conversion(activity_unit, fu.per.symbol) * fu.to_kg


def _worst(parts: list[tuple[str, str]]) -> tuple[str, str]:
    """The evidence status of a result built from several factor rows: the weakest one."""
    recalled = [c for s, c in parts if s == "recalled"]
    if recalled:
        return "recalled", min(recalled, key=lambda c: _CONFIDENCE_RANK[c])
    return "confirmed", ""


def _facility_row(rec, base: dict, factors, tables: Level2Tables, errors: list) -> dict:
    """One facility's result row, built on the Level 1 row of its sub-category."""
    code = rec["code"]
    l1 = factors[code]
    row = dict(base)
    unit = rec["unit"] or l1.activity_unit
    mult = _kg_per(unit, l1.input_factor_unit)
    used: list[tuple[str, str, str, str, str]] = []  # (id, source, status, confidence, doc)
    l1_used = (factors.factor_id(code), factors.source(l1), l1.status, l1.confidence, l1.document)

    if rec["measured_input_kg"] is not None:
        hg_input = rec["measured_input_kg"]
        basis = f"measured Hg input {hg_input:g} kg/y (plant mass balance)"
    else:
        if rec["hg_content"] is not None:
            hu = rec["hg_content_unit"] or l1.input_factor_unit
            per_unit = rec["hg_content"] * _kg_per(unit, hu)
            basis = f"Hg content {rec['hg_content']:g} {hu} (facility data)"
        elif rec["input_type"]:
            it = tables.inputs[rec["input_type"]]
            per_unit = it.input_factor * _kg_per(unit, it.input_factor_unit)
            basis = f"input type {it.id}: {it.input_factor:g} {it.input_factor_unit}"
            used.append(
                (tables.factor_id(it.id), tables.source(it), it.status, it.confidence, it.document)
            )
        else:
            per_unit = base["default_input_factor"] * base.get("scale", 1.0) * mult
            basis = f"Level 1 input factor {l1.input_factor:g} {l1.input_factor_unit}"
            used.append(l1_used)
        hg_input = rec["activity"] * per_unit
        if rec["coincinerated_waste_t"]:
            ci = tables.inputs["cement-coincinerated-waste"]
            hg_input += (
                rec["coincinerated_waste_t"] * ci.input_factor * _kg_per("t", ci.input_factor_unit)
            )
            basis += f" + {rec['coincinerated_waste_t']:g} t waste co-incinerated"
            used.append(
                (tables.factor_id(ci.id), tables.source(ci), ci.status, ci.confidence, ci.document)
            )

    if rec["control"]:
        ids = [c.strip() for c in rec["control"].split("+") if c.strip()]
        rows = [tables.configs[c] for c in ids]
        dist = dict(rows[-1].distribution)
        for pre in reversed(rows[:-1]):
            dist = {p: pre.distribution[p] + pre.pass_through * dist[p] for p in PATHWAYS}
        for cfg in rows:
            used.append(
                (
                    tables.factor_id(cfg.id),
                    tables.source(cfg),
                    cfg.status,
                    cfg.confidence,
                    cfg.document,
                )
            )
        control = " + ".join(ids)
    else:
        dist = {p: base[p] for p in PATHWAYS}
        if l1_used not in used:
            used.append(l1_used)
        control = ""

    out = {p: hg_input * dist[p] for p in PATHWAYS}
    measured_air = rec["measured_air_kg"]
    if measured_air is not None:
        rest_share = 1.0 - dist["air"]
        rest = hg_input - measured_air
        where = rec["cells"]["measured_air_kg"]
        if rest < -TOLERANCE * max(1.0, hg_input):
            errors.append(
                (
                    where,
                    f"measured air emission {measured_air:g} kg/y is more than the "
                    f"calculated Hg input {hg_input:g} kg/y of {rec['facility']!r}",
                    "give the plant's Hg input as measured_input_kg (mass balance) or "
                    "its hg_content",
                )
            )
        elif rest > TOLERANCE * max(1.0, hg_input) and rest_share <= TOLERANCE:
            errors.append(
                (
                    where,
                    f"the distribution factors of {rec['facility']!r} send all mercury to "
                    "air, so the part of the Hg input above the measured air emission has no "
                    "pathway",
                    "a control configuration that captures Hg, or measured_input_kg",
                )
            )
        rest = max(rest, 0.0) if rest_share > TOLERANCE else 0.0
        out = {p: rest * dist[p] / rest_share if rest else 0.0 for p in PATHWAYS}
        out["air"] = measured_air
        hg_input = measured_air + rest  # within the tolerance of the calculated input
    measured = rec["measured_input_kg"] is not None or measured_air is not None

    status, confidence = _worst([(u[2], u[3]) for u in used])
    activity = rec["activity"] if rec["activity"] is not None else math.nan
    row.update(
        {
            "facility": rec["facility"],
            "method": "measured" if measured else "level2",
            "control": control,
            "basis": basis + (f"; measured air {measured_air:g} kg/y" if measured_air else ""),
            "activity": activity,
            "activity_unit": unit,
            "unit_multiplier": mult,
            "input_factor": hg_input / (activity * mult) if activity * mult else math.nan,
            "hg_input_kg": hg_input,
            "measured_input_kg": rec["measured_input_kg"],
            "measured_air_kg": measured_air,
            "notes": rec["notes"],
            "activity_cell": rec["cells"]["activity"],
            "facility_cell": rec["cells"]["facility"],
            "factor_id": " + ".join(u[0] for u in used),
            "factor_source": "; ".join(u[1] for u in used),
            "status": status,
            "confidence": confidence,
            "document": ";".join(dict.fromkeys(u[4] for u in used)),
            "version": "",
            "table_page": "see factor_source",
            "note": "",
        }
    )
    for p in PATHWAYS:
        row[f"{p}_kg"] = out[p]
        row[p] = out[p] / hg_input if hg_input else dist[p]
    return row


@dataclass
class Merged:
    """Level 1 results with the facility rows merged in."""

    results: object
    sources: object
    warnings: list[Problem]
    metadata: dict


def apply(
    df, sources, activity, factors, facilities=None, tables=None, replaced=None, checked=False
) -> Merged:
    """Merge facility rows into the Level 1 results (see the module docstring for the rule).

    Raises ActivityError, located at the cells, when facility rows are wrong or sum to more
    than their national activity row. With `checked`, the facility rows were already checked
    (`check_facilities`, as `hginv validate` does) and their problems are the caller's.
    """
    import pandas as pd

    df = df.copy()
    df["facility"] = ""
    df["method"] = "default"
    df["basis"] = "national activity at Level 1 defaults"
    if facilities is None:
        path = Path(activity.path)
        facilities = read_facilities(path) if path.is_file() else FacilityData(path)
    if not facilities.rows and not facilities.problems:
        return Merged(df, sources, [], {})
    tables = tables or default_tables()
    replaced = replaced or {}
    file, sheet = str(facilities.path), facilities.sheet
    problems = [] if checked else list(facilities.problems)
    if not checked:
        problems += check_facilities(facilities, factors, tables)

    def located(cell, message, expected="", found="", where_sheet=sheet):
        problems.append(
            Problem(
                message, file=file, sheet=where_sheet, cell=cell, found=found, expected=expected
            )
        )

    national = {r["code"]: r for r in activity.rows}
    by_code: dict[str, list[dict]] = {}
    for rec in facilities.rows:
        if rec["code"] in tables.families and rec["code"] in factors:
            by_code.setdefault(rec["code"], []).append(rec)
    l1_index = {code: i for i, code in enumerate(df["code"])}
    for code, recs in by_code.items():
        l1 = factors[code]
        cell = recs[0]["cells"]["code"]
        if code in replaced:
            located(
                cell,
                f"facility rows for {code}, but the activity sheet replaces {code} "
                f"by {replaced[code]}",
                f"facility rows under {replaced[code]}",
                code,
            )
            continue
        if l1.replaces and l1.replaces in l1_index:
            located(
                cell,
                f"facility rows for {code} while the activity sheet gives "
                f"{l1.replaces} for the same sources: that would count them twice",
                f"facility rows under {l1.replaces}",
                code,
            )
            continue
        nat = national.get(code)
        if nat is not None and nat["notation"]:
            msg = (
                f"the activity sheet says {nat['notation']} "
                f"({NOTATION_KEYS[nat['notation']]}) for {code} but facilities are given"
            )
            if nat["notation"] == "NO":
                located(
                    nat["activity_cell"], msg, "a national activity rate or blank", "NO", "activity"
                )
                continue
            problems.append(
                Problem(
                    msg + "; the facilities are counted",
                    file=file,
                    sheet="activity",
                    cell=nat["activity_cell"],
                    severity="warning",
                )
            )
    _raise_errors(file, problems)

    frame = factors.frame().set_index("code", drop=False)
    new_rows: list[dict] = []
    drop: list[int] = []
    for code, recs in by_code.items():
        l1 = factors[code]
        if code in l1_index:
            base = df.iloc[l1_index[code]].to_dict()
        else:
            base = frame.loc[code].to_dict()
            base.update(
                activity=math.nan,
                unit="",
                notes="",
                activity_cell="",
                scale=1.0,
                default_input_factor=l1.input_factor,
                facility="",
                method="default",
                basis="",
            )
        errors: list = []
        rows = [_facility_row(rec, base, factors, tables, errors) for rec in recs]
        for where, message, expected in errors:
            located(where, message, expected)
        if code not in l1_index:
            new_rows += rows
            continue
        unit = base["activity_unit"]
        covered = sum(r["activity"] * conversion(r["activity_unit"], unit) for r in rows)
        total = base["activity"]
        if covered > total * (1 + TOLERANCE) + TOLERANCE:
            located(
                base["activity_cell"],
                f"the facilities of {code} sum to {covered:,.10g} {unit}, more than the national "
                f"activity {total:,.10g} {unit}",
                f"a national activity of at least {covered:,.10g} {unit} (it includes the "
                "facilities), or corrected facility rows",
                f"{total:g}",
                "activity",
            )
            continue
        remainder = max(total - covered, 0.0)
        i = l1_index[code]
        if remainder <= total * TOLERANCE:
            drop.append(i)
        else:
            share = remainder / total
            df.at[i, "activity"] = remainder
            df.at[i, "hg_input_kg"] = df.at[i, "hg_input_kg"] * share
            for p in PATHWAYS:
                df.at[i, f"{p}_kg"] = df.at[i, f"{p}_kg"] * share
            df.at[i, "basis"] = (
                f"remainder: national activity {total:,.10g} {unit} minus {covered:,.10g} {unit} "
                f"described as {_count(len(rows))}, at Level 1 defaults"
            )
        new_rows += rows

    _raise_errors(file, problems)
    df = df.drop(index=drop)
    if new_rows:
        df = pd.concat([df, pd.DataFrame.from_records(new_rows)], ignore_index=True)
    df["_rank"] = (df["facility"] != "").astype(int)
    df = df.sort_values(["order", "_rank"], kind="stable").drop(columns="_rank")
    df = df.reset_index(drop=True)

    sources = sources.copy()
    presence, detail = sources["presence"].tolist(), sources["detail"].tolist()
    position = {code: i for i, code in enumerate(sources["code"])}  # one row per table code
    for code, recs in by_code.items():
        rest = code in l1_index and l1_index[code] not in drop
        i = position[code]
        presence[i] = "quantified"
        detail[i] = f"Level 2: {_count(len(recs))}" + (
            "; remainder at Level 1 defaults" if rest else ""
        )
    sources["presence"] = pd.Series(presence, index=sources.index, dtype=sources["presence"].dtype)
    sources["detail"] = pd.Series(detail, index=sources.index, dtype=sources["detail"].dtype)
    warnings = [p for p in problems if p.severity == "warning"]
    metadata = {
        "level2_table_id": tables.id,
        "level2_table_version": tables.version,
        "level2_table_sha256": tables.sha256,
        "facilities": len(new_rows),
        "facilities_measured": sum(r["method"] == "measured" for r in new_rows),
    }
    return Merged(df, sources, warnings, metadata)


def _count(n: int) -> str:
    return f"{n} facility" if n == 1 else f"{n} facilities"


def _raise_errors(file: str, problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ActivityError(
            f"{Path(file).name}: the facilities sheet has errors",
            errors + [p for p in problems if p.severity != "error"],
        )


# --- workbook sheets --------------------------------------------------------------------------


def facilities_sheet(wb, inv, styles) -> None:
    """The `Facilities` sheet: every facility row with its factors and how it was computed."""
    from hginventory.factors import PATHWAY_LABELS
    from hginventory.report import KG, SMALL, _put, _table, _widths

    r = inv.results
    if "facility" not in r.columns or not (r["facility"] != "").any():
        return
    fac = r[r["facility"] != ""]
    ws = wb.create_sheet("Facilities")
    _put(ws, 1, 1, "Level 2: facilities (kg Hg/y)", font=styles["title"])
    _put(
        ws,
        2,
        1,
        "Method 'measured': a stack measurement or plant mass balance replaced the "
        "factor. Rows of the same code without a facility are computed at Level 1 defaults "
        "(national activity minus the facilities).",
    )
    headers = [
        "Code",
        "Sub-category",
        "Facility",
        "Method",
        "Activity",
        "Unit",
        "Input factor used (effective)",
        "Input factor unit",
        "Input basis",
        "Control configuration",
        "Measured Hg input (kg/y)",
        "Measured air (kg/y)",
        "Hg input (kg Hg/y)",
        *[f"{PATHWAY_LABELS[p]} (kg Hg/y)" for p in PATHWAYS],
        "Factor ids",
        "Sources",
        "Status",
        "Input cell",
        "Notes",
    ]
    rows = (
        [
            x.code,
            x.sub_category,
            x.facility,
            x.method,
            x.activity,
            x.activity_unit,
            x.input_factor,
            x.input_factor_unit,
            x.basis,
            x.control,
            x.measured_input_kg,
            x.measured_air_kg,
            x.hg_input_kg,
            *(getattr(x, f"{p}_kg") for p in PATHWAYS),
            x.factor_id,
            x.factor_source,
            x.status,
            f"{SHEET}!{x.activity_cell}",
            x.notes,
        ]
        for x in fac.itertuples(index=False)
    )
    fmt = {5: "#,##0.###", 7: SMALL, 11: KG, 12: KG, **{c: KG for c in range(13, 20)}}
    _table(ws, 4, headers, rows, fmt, styles)
    ws.freeze_panes = "D5"
    _widths(ws, {"A": 9, "B": 40, "C": 30, "I": 45, "J": 24, "T": 50, "U": 60})


def article8_table(inv, tables: Level2Tables | None = None):
    """Air emissions of the Minamata Convention Annex D source categories (Article 8)."""
    import pandas as pd

    tables = tables or default_tables()
    r = inv.results
    facility = r["facility"] != "" if "facility" in r.columns else pd.Series(False, index=r.index)
    records = []
    for item in tables.article8:
        mask = r["code"].isin(item["codes"])
        present = sorted(set(r.loc[mask, "code"]), key=list(r["code"]).index)
        records.append(
            {
                "annex_d_source": item["annex_d_source"],
                "codes": ", ".join(item["codes"]),
                "codes_quantified": ", ".join(present),
                "facilities": int((mask & facility).sum()),
                "air_facilities_kg": float(r.loc[mask & facility, "air_kg"].sum()),
                "air_default_kg": float(r.loc[mask & ~facility, "air_kg"].sum()),
                "air_kg": float(r.loc[mask, "air_kg"].sum()),
                "note": item["note"],
            }
        )
    return pd.DataFrame.from_records(records)


def article8_sheet(wb, inv, styles) -> None:
    """The `Article 8 air emissions` sheet: Annex D sources summed, facilities and defaults."""
    from hginventory.report import KG, _put, _table, _total_row, _widths

    table = article8_table(inv)
    ws = wb.create_sheet("Article 8 air emissions")
    _put(
        ws,
        1,
        1,
        "Minamata Convention Article 8: air emissions from Annex D sources (kg Hg/y)",
        font=styles["title"],
    )
    headers = [
        "Annex D source category",
        "Toolkit codes",
        "Codes quantified",
        "Facilities",
        "Air, facilities (kg Hg/y)",
        "Air, Level 1 defaults (kg Hg/y)",
        "Air, total (kg Hg/y)",
        "Note",
    ]
    nxt = _table(ws, 3, headers, table.itertuples(index=False), {5: KG, 6: KG, 7: KG}, styles)
    _total_row(
        ws,
        nxt,
        "Total, Annex D sources",
        [float(table[c].sum()) for c in ("air_facilities_kg", "air_default_kg", "air_kg")],
        5,
        styles,
    )
    _widths(ws, {"A": 60, "B": 24, "C": 24, "D": 11, "E": 18, "F": 18, "G": 18, "H": 70})
