"""A factor-table row as the engine uses it: a plain frozen record, no validation framework.

`FactorRowModel` (`factor_model.py`, pydantic) validates rows; `load_factors` turns the shipped
table's CSV text straight into these records, which the tests check against the validated ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, dataclass, fields

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import Problem
from hginventory.core.i18n import N_, get_language
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


def table_problems(problems: list, path, code: str):
    """A function adding a located problem of the table file `path` to `problems`: 'line 7
    (code 5.1.1), field 'air'', every one with the table's own `code`."""

    def problem(message, where, name="", found=""):
        cell = _("{where}, field '{field}'").format(where=where, field=name) if name else where
        problems.append(
            Problem(message, file=str(path), cell=cell, found=found, kind="factors", code=code)
        )

    return problem
