"""The validating model of a factor-table row (pydantic): used by `hginv factors validate`, the
tests, and every table a user supplies (`--factors`). The shipped table, validated that way in
CI, is loaded at run time without building these models (see `factors.load_factors`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hginventory.core.columns import PATHWAYS
from hginventory.core.distributions import DISTRIBUTIONS, check_param
from hginventory.core.errors import UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.core.units import parse_factor_unit, parse_unit
from hginventory.tables.rows import BALANCE_TOLERANCE, CODE_PATTERN

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

__all__ = ["FactorRowModel", "FactorUnit", "ValidationError"]


def _known_factor_unit(value: str) -> str:
    try:
        parse_factor_unit(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    return value


FactorUnit = Annotated[str, AfterValidator(_known_factor_unit)]
"""An input factor unit hginv knows (g/t, mg/kg...), for every table that has one."""


class FactorRowModel(BaseModel):
    """One row of a Level 1 factor table (a sub-category or one of its variants)."""

    # inf and nan are refused in every number (a factor of inf passed `ge=0`)
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    code: str
    sub_category: str = Field(min_length=1)
    source_group: str = Field(min_length=1)
    activity_description: str = Field(min_length=1)
    activity_unit: str
    input_factor: float = Field(ge=0)
    input_factor_low: float | None = Field(default=None, ge=0)
    input_factor_high: float | None = Field(default=None, ge=0)
    input_factor_unit: FactorUnit
    air: float = Field(ge=0, le=1)
    water: float = Field(ge=0, le=1)
    land: float = Field(ge=0, le=1)
    byproducts: float = Field(ge=0, le=1)
    general_waste: float = Field(ge=0, le=1)
    sector_treatment: float = Field(ge=0, le=1)
    scaling: Literal["none", "electrification"] = "none"
    input_total_weight: float = Field(default=1.0, ge=0, le=1)
    release_total_exclude: tuple[str, ...] = ()
    replaces: str | None = None
    status: Literal["confirmed", "recalled", "estimated", "national"]
    distribution_status: Literal["", "confirmed", "recalled", "estimated", "national"] = ""
    confidence: Literal["hi", "med", "lo", ""] = ""
    document: str = Field(min_length=1)
    version: str = Field(min_length=1)
    table_page: str = Field(min_length=1)
    reviewer: str = ""
    review_date: str = ""
    note: str = ""
    factor_distribution: Literal[DISTRIBUTIONS] = ""
    dist_param1: float | None = Field(default=None, validate_default=True)
    dist_param2: float | None = Field(default=None, validate_default=True)

    @field_validator("input_factor_low", "input_factor_high", "replaces", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("review_date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        """The day a reviewer checked the row against the official Toolkit (`factors
        apply-review`), written as 2026-12-07 so that it reads alike in every language."""
        if value and not ISO_DATE.fullmatch(value):
            raise ValueError(_("expected a date written as YYYY-MM-DD, e.g. 2026-12-07"))
        return value

    @field_validator("code")
    @classmethod
    def _code_form(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError(_("expected a Toolkit sub-category code such as 5.1.1 or 5.1.3a"))
        return value

    @field_validator("activity_unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        try:
            return parse_unit(value).symbol
        except UnitError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("release_total_exclude", mode="before")
    @classmethod
    def _pathway_list(cls, value):
        if isinstance(value, str):
            value = [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
        unknown = [v for v in value if v not in PATHWAYS]
        if unknown:
            raise ValueError(
                ngettext(
                    "unknown pathway {unknown}; expected some of {pathways}",
                    "unknown pathways {unknown}; expected some of {pathways}",
                    len(unknown),
                ).format(unknown=unknown, pathways=list(PATHWAYS))
            )
        return tuple(value)

    @model_validator(mode="after")
    def _consistent(self) -> FactorRowModel:
        total = sum(getattr(self, p) for p in PATHWAYS)
        if abs(total - 1.0) > BALANCE_TOLERANCE:
            raise ValueError(
                _("distribution factors sum to {total}, expected 1 (within {tolerance})").format(
                    total=f"{total:.12g}", tolerance=BALANCE_TOLERANCE
                )
            )
        low, high = self.input_factor_low, self.input_factor_high
        if low is not None and low > self.input_factor:
            raise ValueError(_("input_factor_low is above input_factor"))
        if high is not None and high < self.input_factor:
            raise ValueError(_("input_factor_high is below input_factor"))
        per = parse_factor_unit(self.input_factor_unit).per
        activity = parse_unit(self.activity_unit)
        if per.dimension != activity.dimension:
            raise ValueError(
                _(
                    "input_factor_unit {unit} is per {per}, but activity_unit {activity_unit} "
                    "is {dimension}"
                ).format(
                    unit=repr(self.input_factor_unit),
                    per=per.dimension,
                    activity_unit=repr(self.activity_unit),
                    dimension=activity.dimension,
                )
            )
        if self.status == "recalled" and not self.confidence:
            raise ValueError(_("a recalled row needs a confidence (hi, med or lo)"))
        if "estimated" in (self.status, self.distribution_status) and not self.note:
            raise ValueError(_("an estimated row needs a note saying how it was derived"))
        return self

    @field_validator("dist_param1", "dist_param2", mode="before")
    @classmethod
    def _blank_param(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("dist_param1", "dist_param2")
    @classmethod
    def _param_fits(cls, value, info):
        """Distribution parameters are checked at load, so sampling never meets a bad one."""
        if "factor_distribution" in info.data:
            which = int(info.field_name[-1])
            check_param(info.data["factor_distribution"], which, value, info.data)
        return value

    @property
    def distribution(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in PATHWAYS}

    @property
    def population_based(self) -> bool:
        return parse_unit(self.activity_unit).dimension == "inhabitants"
