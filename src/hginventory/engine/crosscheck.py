"""The EMEP/EEA cross-check: a second, independent air estimate beside the Toolkit figure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from hginventory.core.errors import Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion as unit_conversion
from hginventory.tables.emep import (
    CrosscheckError,
    EmepFactors,
    EmepMapping,
    EmepRow,
    load_emep_factors,
    load_emep_mapping,
)

if TYPE_CHECKING:
    from hginventory.engine.inventory import Inventory

CSV_EXTRA_COLUMNS = ["air_kg_emep", "air_kg_emep_low", "air_kg_emep_high", "emep_ref"]


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
        raise CrosscheckError(
            _("{row} is an abatement efficiency, not an emission factor").format(row=row.row_id)
        )
    kg = activity * row.guidebook_unit.to_kg
    if abatement is not None:
        if not abatement.is_abatement:
            raise CrosscheckError(
                _("{row} is not an abatement efficiency").format(row=abatement.row_id)
            )
        return Estimate(kg * row.value * (1 - abatement.value), None, None)
    if row.ci_lower is None:
        return Estimate(kg * row.value, None, None)
    return Estimate(kg * row.value, kg * row.ci_lower, kg * row.ci_upper)


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

    @property
    def codes_mapped(self) -> int:
        """Distinct sub-categories with a Guidebook row (facility rows of a code count once)."""
        return int(self.mapped["code"].nunique())

    @property
    def codes_flagged(self) -> int:
        """Distinct sub-categories with at least one row outside the Guidebook interval."""
        return int(self.flagged()["code"].nunique())

    def extend_csv(self, frame: pd.DataFrame) -> pd.DataFrame:
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
            _("--conversion given for sub-categories without a Guidebook row: {codes}").format(
                codes=", ".join(unknown)
            )
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
                    _("{code}: the activity unit cannot be converted for the cross-check").format(
                        code=r.code
                    ),
                    [Problem(
                        exc.args[0],
                        cell=r.activity_cell,
                        sheet="activity",
                        code="unit-not-convertible",
                    )],
                ) from None
            est = estimate(g, gb_activity)
            ratio = (rec["air_kg"] / est.kg) if est.kg > 0 else None
            numbers = (gb_activity, est.kg, est.low_kg, est.high_kg, ratio)
            if not all(v is None or math.isfinite(v) for v in numbers):
                # a finite conversion (1e308, 1e-310) can still make a number overflow to inf
                where = (
                    f"--conversion {r.code}={conv:g}"
                    if r.code in overrides
                    else f"{mapping.path}, code {r.code}"
                )
                raise CrosscheckError(
                    _("{code}: the cross-check estimate is not a finite number").format(
                        code=r.code
                    ),
                    [
                        Problem(
                            _(
                                "the conversion is out of range: the Guidebook estimate (or the "
                                "ratio to it) of this activity overflows"
                            ),
                            cell=where,
                            found=f"{conv:g}",
                            code="conversion-out-of-range",
                        )
                    ],
                )
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
                ratio=ratio,
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
            "emep_flagged": cc.codes_flagged,
        }
    )
    return cc


def flagged_table(cc: Crosscheck):
    """A short rich table of the flagged disagreements, for the terminal."""
    from rich.table import Table

    from hginventory.core.numbers import COUNT, RATIO, format_number, mass
    from hginventory.tables.translations import name_of

    flagged = cc.flagged()
    table = Table(
        title=_(
            "EMEP/EEA cross-check: {n} of {mapped} mapped sub-categories outside the Guidebook "
            "95 % interval (kg Hg/y)"
        ).format(n=cc.codes_flagged, mapped=cc.codes_mapped)
    )
    table.add_column(_("Code"), no_wrap=True)
    table.add_column(_("Sub-category"))
    table.add_column(_("Toolkit"), justify="right", no_wrap=True)
    table.add_column(_("Guidebook [95 %]"), justify="right", no_wrap=True)
    table.add_column(_("Ratio"), justify="right", no_wrap=True)
    for r in flagged.itertuples(index=False):
        name = name_of(r.code, r.sub_category)
        facility = str(getattr(r, "facility", "") or "").strip()
        table.add_row(
            r.code,
            f"{name} – {facility}" if facility else name,  # a code's facility rows told apart
            mass(r.air_kg),
            f"{mass(r.air_kg_emep)} [{mass(r.air_kg_emep_low)}-{mass(r.air_kg_emep_high)}]",
            format_number(r.ratio, RATIO if r.ratio < 10 else COUNT) + "x",
        )
    return table
