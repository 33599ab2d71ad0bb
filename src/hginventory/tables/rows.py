"""A factor-table row and a factor table as the engine uses them: plain frozen records, no
validation framework; and where a problem of a table file lies.

`FactorRowModel` (`factor_model.py`, pydantic) validates rows; `load_factors` turns the shipped
table's CSV text straight into these records, which the tests check against the validated ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cached_property

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import Problem
from hginventory.core.i18n import N_, get_language, ngettext
from hginventory.core.i18n import gettext as _

BALANCE_TOLERANCE = 1e-9


# What a factor value rests on, strongest first: checked against the cited table and page; a
# Toolkit value remembered with its table; the project's own value where no Toolkit default is
# known (outside the Level 1 totals unless asked for); a user's national value (an overlay).
STATUSES = ("confirmed", "national", "recalled", "estimated")


CODE_PATTERN = re.compile(r"^5\.\d{1,2}\.\d{1,2}[a-z]?$")


# pydantic's own messages for the errors a factor table can have, marked for the catalogs (an
# English run shows pydantic's message itself)
VALIDATION_MESSAGES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "finite_number": N_("Input should be a finite number"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} character(s)"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "literal_error": N_("Input should be {expected}"),
}


def validation_message(err: dict) -> str:
    """The message of one pydantic error in the language of the run: a validator's own
    message (already translated when it was raised), or pydantic's, from the catalog."""
    if err["type"] == "value_error":
        return err["msg"].removeprefix("Value error, ")
    template = VALIDATION_MESSAGES.get(err["type"])
    if template is None or get_language() == "en":
        return err["msg"]
    ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    if "expected" in ctx:
        ctx["expected"] = ctx["expected"].replace(" or ", _(" or "))
    try:
        return _(template).format(**ctx)
    except (KeyError, IndexError):
        return err["msg"]


@dataclass(frozen=True)
class FactorRow:
    """One row of a Level 1 factor table (a sub-category or one of its variants)."""

    code: str
    sub_category: str
    source_group: str
    activity_description: str
    activity_unit: str
    input_factor: float
    input_factor_unit: str
    air: float
    water: float
    land: float
    byproducts: float
    general_waste: float
    sector_treatment: float
    status: str
    document: str
    version: str
    table_page: str
    input_factor_low: float | None = None
    input_factor_high: float | None = None
    scaling: str = "none"
    input_total_weight: float = 1.0
    release_total_exclude: tuple[str, ...] = ()
    replaces: str | None = None
    confidence: str = ""
    reviewer: str = ""
    review_date: str = ""
    note: str = ""
    distribution_status: str = ""  # blank: the distribution factors stand as `status` says
    factor_distribution: str = ""
    dist_param1: float | None = None
    dist_param2: float | None = None

    @property
    def distribution(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in PATHWAYS}

    @property
    def split_status(self) -> str:
        """The status of the six distribution factors (they may stand apart from the input
        factor: a remembered Hg:Au ratio with a split the project derived)."""
        return self.distribution_status or self.status

    @property
    def population_based(self) -> bool:
        from hginventory.core.units import parse_unit

        return parse_unit(self.activity_unit).dimension == "inhabitants"

    def model_dump(self) -> dict:
        """The fields in table order (the name pydantic gives it, kept for notebooks)."""
        return {name: getattr(self, name) for name in FIELDS}


FIELDS = [
    "code",
    "sub_category",
    "source_group",
    "activity_description",
    "activity_unit",
    "input_factor",
    "input_factor_low",
    "input_factor_high",
    "input_factor_unit",
    *PATHWAYS,
    "scaling",
    "input_total_weight",
    "release_total_exclude",
    "replaces",
    "status",
    "distribution_status",
    "confidence",
    "document",
    "version",
    "table_page",
    "reviewer",
    "review_date",
    "note",
    "factor_distribution",
    "dist_param1",
    "dist_param2",
]


REQUIRED = {f.name for f in fields(FactorRow) if f.default is MISSING}


DEFAULTS = {f.name: f.default for f in fields(FactorRow) if f.default is not MISSING}


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


def trusted_values(record: dict, floats, optional_floats) -> dict:
    """One CSV row of a table validated beforehand, its numbers converted as the pydantic
    models convert them (a blank optional number is None): the shipped tables are read
    without building a model per row. A value those models refuse (not a number, inf, nan)
    raises ValueError: the caller then validates the table, which locates the problem."""
    if None in record:  # more values than columns: the validating models locate it
        raise ValueError("extra values")
    values = {k: v.strip() for k, v in record.items() if v is not None}
    for name in floats:
        if name in values:
            values[name] = float(values[name])
    for name in optional_floats:
        if name in values:
            values[name] = float(values[name]) if values[name] else None
    for name in (*floats, *optional_floats):
        if isinstance(values.get(name), float) and not math.isfinite(values[name]):
            raise ValueError(name)
    return values


def missing_columns(names) -> str:
    """The message naming the columns a table file lacks (one or several)."""
    names = list(names)
    return ngettext("missing column {columns}", "missing columns {columns}", len(names)).format(
        columns=", ".join(names)
    )


def table_problems(problems: list, path, code: str):
    """A function adding a located problem of the table file `path` to `problems`: 'line 7
    (code 5.1.1), field 'air'', every one with the table's own `code` unless it names its own."""

    def problem(message, where, name="", found="", expected="", code=code):
        cell = _("{where}, field '{field}'").format(where=where, field=name) if name else where
        problems.append(
            Problem(
                message,
                file=str(path),
                cell=cell,
                found=found,
                expected=expected,
                kind="factors",
                code=code,
            )
        )

    return problem


def line_cell(line: int, code: str = "") -> str:
    """Where a problem of a factor CSV lies: 'line 7 (code 5.1.1)'."""
    if code:
        return _("line {line} (code {code})").format(line=line, code=code)
    return _("line {line}").format(line=line)


def header_cell() -> str:
    return _("header (line 1)")


PROVENANCE_FIELDS = ("status", "document", "version", "table_page")


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


def cycle_message(cycle: list[str]) -> str:
    """The problem of a cycle of replacements, naming it as `a -> b -> a`."""
    return _(
        "replacements form a cycle ({cycle}): every row of it would be reported as included "
        "elsewhere, so none would be counted"
    ).format(cycle=" -> ".join([*cycle, cycle[0]]))
