"""The plausibility screens of factors/plausibility.csv, validated on load.

Each row bounds one sub-category's activity: the world's annual total (10 times it is impossible
for one country) and a band per inhabitant. Screening thresholds only: never a factor.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hginventory.core.errors import FactorTableError, Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.units import parse_unit
from hginventory.tables.limits import read_table_bytes
from hginventory.tables.rows import missing_columns, table_problems

COLUMNS = (
    "code",
    "activity_unit",
    "world_total",
    "world_year",
    "world_source",
    "per_inhabitant_low",
    "per_inhabitant_high",
    "band_source",
    "status",
    "note",
)

STATUSES = ("confirmed", "recalled")

WORLD_MARGIN = 10.0
"""An activity above this many times the world's annual total is refused."""


@dataclass(frozen=True)
class Bound:
    """The screen of one sub-category, in its activity unit."""

    code: str
    activity_unit: str
    world_total: float | None
    world_year: str
    world_source: str
    per_inhabitant_low: float | None
    per_inhabitant_high: float | None
    band_source: str
    status: str
    note: str


@dataclass(frozen=True)
class Screens:
    """The screens by code, with the table's identity (shown in the Checks sheet)."""

    id: str
    version: str
    bounds: dict[str, Bound]

    def get(self, code: str) -> Bound | None:
        return self.bounds.get(code)


def plausibility_path() -> Path:
    from hginventory.tables.factors import factors_dir

    return factors_dir() / "plausibility.csv"


def load_screens(path: str | Path | None = None) -> Screens:
    """Read and check the screens (and the .toml beside them); a FactorTableError lists every
    problem found, located by line and field."""
    path = Path(path) if path else plausibility_path()
    if path == plausibility_path():
        return _shipped()
    return _load(path)


@lru_cache(maxsize=1)
def _shipped() -> Screens:
    return _load(plausibility_path())


def _load(path: Path) -> Screens:
    problems: list[Problem] = []

    problem = table_problems(problems, path, code="plausibility-table-invalid")

    if not path.is_file():
        raise FactorTableError(_("plausibility table not found: {file}").format(file=path))
    records, comments = _read_records(path)
    header = list(records[0].keys()) if records else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problem(
            missing_columns(missing),
            _("header (line {line})").format(line=comments + 1),
        )
        raise FactorTableError(
            _("plausibility table {file} is not valid").format(file=path.name), problems
        )
    bounds: dict[str, Bound] = {}
    for line, rec in enumerate(records, start=comments + 2):
        rec = {k: (v or "").strip() for k, v in rec.items() if k is not None}
        where = _("line {line} (code {code})").format(line=line, code=rec["code"])
        if rec["code"] in bounds:
            problem(_("code appears twice"), where, "code", rec["code"])
        bounds[rec["code"]] = _bound(rec, where, problem)
    if problems:
        raise FactorTableError(
            _("plausibility table {file} is not valid").format(file=path.name), problems
        )
    info = _identity(path.with_suffix(".toml"))
    return Screens(
        id=str(info.get("id", path.stem)), version=str(info.get("version", "")), bounds=bounds
    )


def _read_records(path: Path) -> tuple[list[dict], int]:
    """The rows of the screens, and how many comment lines head the file (a screen, never a
    factor)."""
    text = read_table_bytes(path).decode("utf-8-sig")
    lines = text.splitlines()
    comments = 0
    while comments < len(lines) and lines[comments].startswith("#"):
        comments += 1
    return list(csv.DictReader(io.StringIO("\n".join(lines[comments:])))), comments


def _bound(rec: dict, where: str, problem) -> Bound:
    """The screen of one row, its problems located: a unit hginv knows, positive numbers each
    with its source, a band whose low is not above its high, a known status."""
    try:
        unit = parse_unit(rec["activity_unit"]).symbol
    except UnitError as exc:
        problem(str(exc.args[0]), where, "activity_unit", rec["activity_unit"])
        unit = rec["activity_unit"]
    numbers = {
        name: _positive(rec, name, where, problem)
        for name in ("world_total", "per_inhabitant_low", "per_inhabitant_high")
    }
    if rec["world_total"] and not (rec["world_source"] and rec["world_year"]):
        problem(_("a world total needs its source and year"), where, "world_source")
    if (rec["per_inhabitant_low"] or rec["per_inhabitant_high"]) and not rec["band_source"]:
        problem(_("a band per inhabitant needs its source"), where, "band_source")
    low, high = numbers["per_inhabitant_low"], numbers["per_inhabitant_high"]
    if low is not None and high is not None and low > high:
        problem(_("the band's low is above its high"), where, "per_inhabitant_low")
    if rec["status"] not in STATUSES:
        problem(
            _("expected one of {choices}").format(choices=", ".join(STATUSES)),
            where,
            "status",
            rec["status"],
        )
    return Bound(
        code=rec["code"],
        activity_unit=unit,
        world_total=numbers["world_total"],
        world_year=rec["world_year"],
        world_source=rec["world_source"],
        per_inhabitant_low=low,
        per_inhabitant_high=high,
        band_source=rec["band_source"],
        status=rec["status"],
        note=rec["note"],
    )


def _positive(rec: dict, name: str, where: str, problem) -> float | None:
    """The number of a column (None when blank); anything but a positive number is refused."""
    if not rec[name]:
        return None
    try:
        value = float(rec[name])
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        problem(_("expected a positive number"), where, name, rec[name])
        return None
    return value


def _identity(meta: Path) -> dict:
    """The id and version of the screens, from the .toml beside them (none: empty)."""
    if not meta.is_file():
        return {}
    try:
        return tomllib.loads(read_table_bytes(meta).decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FactorTableError(
            _("{file}: not valid TOML ({reason})").format(file=meta, reason=exc)
        ) from None
