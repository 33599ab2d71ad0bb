"""The validating models of the Level 2 tables' rows (pydantic): used by `load_level2` for any
folder a user gives, by `hginv factors validate` and the tests. The shipped tables, validated
that way, are loaded at run time without building these models (see `level2.default_tables`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hginventory.core.columns import PATHWAYS
from hginventory.core.i18n import gettext as _
from hginventory.tables.factor_model import FactorUnit
from hginventory.tables.rows import BALANCE_TOLERANCE

__all__ = ["ConfigRowModel", "InputRowModel", "ValidationError"]


class _Provenance(BaseModel):
    # inf and nan are refused in every number
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    family: str = Field(min_length=1)
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str = Field(min_length=1)
    status: Literal["confirmed", "recalled", "estimated", "national"]
    confidence: Literal["hi", "med", "lo", ""] = ""
    document: str = Field(min_length=1)
    version: str = Field(min_length=1)
    table_page: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _recalled_has_confidence(self):
        if self.status == "recalled" and not self.confidence:
            raise ValueError(_("a recalled row needs a confidence (hi, med or lo)"))
        return self


class InputRowModel(_Provenance):
    """An input type of the controlled list: Hg content of a coal, a waste fuel..."""

    input_factor: float = Field(ge=0)
    input_factor_low: float | None = Field(default=None, ge=0)
    input_factor_high: float | None = Field(default=None, ge=0)
    input_factor_unit: FactorUnit
    input_basis: Literal["dry", "as-received", ""] = ""

    @field_validator("input_factor_low", "input_factor_high", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _range(self):
        if self.input_factor_low is not None and self.input_factor_low > self.input_factor:
            raise ValueError(_("input_factor_low is above input_factor"))
        if self.input_factor_high is not None and self.input_factor_high < self.input_factor:
            raise ValueError(_("input_factor_high is below input_factor"))
        return self


class ConfigRowModel(_Provenance):
    """A control configuration: output distribution factors of one kind of plant.

    A `pretreatment` (coal washing) sends part of the Hg to its own pathways and lets
    `pass_through` of it on to the control configuration it is combined with. An `addition`
    moves the Hg of the pathway `acts_on` of the split it follows to its own six columns.
    """

    kind: Literal["control", "pretreatment", "addition"]
    acts_on: Literal[
        "", "air", "water", "land", "byproducts", "general_waste", "sector_treatment"
    ] = ""
    annex_c: str = Field(default="", pattern=r"^(\d+\([a-z]\))?$")
    pass_through: float = Field(default=0.0, ge=0, le=1)
    air: float = Field(ge=0, le=1)
    water: float = Field(ge=0, le=1)
    land: float = Field(ge=0, le=1)
    byproducts: float = Field(ge=0, le=1)
    general_waste: float = Field(ge=0, le=1)
    sector_treatment: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _balanced(self):
        if self.kind != "pretreatment" and self.pass_through:
            raise ValueError(_("pass_through is only for pretreatment rows"))
        if (self.kind == "addition") != bool(self.acts_on):
            raise ValueError(_("acts_on names a pathway on addition rows, and only there"))
        total = sum(getattr(self, p) for p in PATHWAYS) + self.pass_through
        if abs(total - 1.0) > BALANCE_TOLERANCE:
            raise ValueError(
                _("distribution factors (+ pass_through) sum to {total}, not 1").format(
                    total=f"{total:.12g}"
                )
            )
        return self

    @property
    def distribution(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in PATHWAYS}
