"""Checks of the facility rows (Level 2) against the factor and Level 2 tables."""

from __future__ import annotations

import math

from hginventory.core.errors import Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import sum_text
from hginventory.core.units import conversion, parse_factor_unit, parse_unit
from hginventory.model.activity import NOTATION_KEYS, ActivityData
from hginventory.model.facilities import FacilityData
from hginventory.read.cells import cell_text
from hginventory.tables.level2 import TOLERANCE, Level2Tables
from hginventory.tables.translations import activity_description


def check_facilities(data: FacilityData, factors, tables: Level2Tables) -> list[Problem]:
    """Problems of facility rows against the factor tables, each located at its cell."""
    problems: list[Problem] = []
    seen: dict[tuple, str] = {}

    def err(rec, column, message, found="", expected="", severity="error", *, code: str):
        problems.append(
            Problem(
                message,
                file=str(data.path),
                sheet=data.sheet,
                cell=rec["cells"][column],
                found=found,
                expected=expected,
                severity=severity,
                code=code,
            )
        )

    for rec in data.rows:
        code = rec["code"]
        if code not in tables.families or code not in factors:
            err(
                rec,
                "code",
                _("sub-category {code} cannot be described facility by facility").format(
                    code=repr(code)
                ),
                code,
                _("one of {choices}").format(choices=", ".join(sorted(tables.families))),
                code="facility-code-not-level2",
            )
            continue
        family = tables.families[code]
        factor = factors[code]
        _check_name(rec, seen, err)
        _check_activity(rec, factor, err)
        _check_unit(rec, factor, err)
        if rec["input_type"]:
            _check_input_type(rec, family, factor, tables, err)
        if rec["hg_content"] is not None:
            _check_hg_content(rec, factor, err)
        if rec["control"]:
            _check_control(rec, family, tables, err)
        _check_coal_basis(rec, family, tables, err)
        _check_coincineration(rec, family, err)
    return problems


def _check_name(rec, seen: dict[tuple, str], err) -> None:
    """A facility has a name, once per sub-category (`seen`: the first cell of each name)."""
    code, name = rec["code"], rec["facility"]
    if not name:
        err(
            rec,
            "facility",
            _("facility name is empty"),
            expected=_("a name for the facility"),
            code="facility-name-empty",
        )
    elif (code, name.lower()) in seen:
        err(
            rec,
            "facility",
            _("facility {name} appears twice for {code} (first at {cell})").format(
                name=repr(name), code=code, cell=seen[(code, name.lower())]
            ),
            name,
            code="facility-twice",
        )
    seen.setdefault((code, name.lower()), rec["cells"]["facility"])


def _check_activity(rec, factor, err) -> None:
    """A facility gives its activity, or its capacity and utilisation, from which the activity
    is set on the row."""
    if rec["activity"] is not None or rec.get("activity_bad"):
        return
    if rec["capacity"] is None or rec["utilisation"] is None:
        err(
            rec,
            "activity",
            _("activity of facility {name} is missing").format(name=repr(rec["facility"])),
            expected=_("{description} ({unit}), or capacity and utilisation (per cent)").format(
                description=activity_description(factor), unit=factor.activity_unit
            ),
            code="facility-activity-missing",
        )
    elif rec["utilisation"] > 100 or 0 < rec["utilisation"] < 1:
        err(
            rec,
            "utilisation",
            _("utilisation is a percentage from 0 to 100"),
            cell_text(rec["utilisation"]),
            _("per cent, e.g. 85"),
            code="facility-utilisation-range",
        )
    elif not math.isfinite(rec["capacity"] * rec["utilisation"] / 100.0):
        err(
            rec,
            "capacity",
            _("capacity times utilisation is too large to compute"),
            cell_text(rec["capacity"]),
            _("a capacity of a realistic size"),
            code="facility-capacity-not-finite",
        )
    else:
        rec["activity"] = rec["capacity"] * rec["utilisation"] / 100.0


def _check_unit(rec, factor, err) -> None:
    """The facility's unit converts to the sub-category's, and its activity stays a number
    there (1e305 Mt is more tonnes than a float holds)."""
    unit = rec["unit"] or factor.activity_unit
    try:
        scale = conversion(unit, factor.activity_unit)
    except UnitError as exc:
        err(
            rec,
            "unit",
            _("unit for {code}: {reason}").format(code=rec["code"], reason=exc.args[0]),
            unit,
            factor.activity_unit,
            code="unit-wrong-kind",
        )
        return
    if rec["activity"] is not None and not math.isfinite(rec["activity"] * scale):
        err(
            rec,
            "activity",
            _("activity of facility {name} is too large to compute in {unit}").format(
                name=repr(rec["facility"]), unit=factor.activity_unit
            ),
            cell_text(rec["activity"]),
            _("an activity rate in the sub-category's unit, of a realistic size"),
            code="facility-activity-not-finite",
        )


def _check_input_type(rec, family: str, factor, tables: Level2Tables, err) -> None:
    """The input type is one of the family's, per the sub-category's kind of activity."""
    row = tables.inputs.get(rec["input_type"])
    if row is None or row.family != family:
        err(
            rec,
            "input_type",
            _("unknown input type for {code}").format(code=rec["code"]),
            rec["input_type"],
            _choices(tables.inputs, family),
            code="facility-input-type-unknown",
        )
    elif _per_dimension(row.input_factor_unit) != _dimension(factor.activity_unit):
        err(
            rec,
            "input_type",
            _("input type is per another kind of activity"),
            rec["input_type"],
            factor.activity_unit,
            code="facility-input-type-wrong-kind",
        )


def _check_hg_content(rec, factor, err) -> None:
    """The Hg content's unit is per the sub-category's kind of activity; an input type beside
    it is not used."""
    hu = rec["hg_content_unit"] or factor.input_factor_unit
    try:
        if _per_dimension(hu) != _dimension(factor.activity_unit):
            raise UnitError(_("{unit} is not per {per}").format(unit=hu, per=factor.activity_unit))
    except UnitError as exc:
        err(
            rec,
            "hg_content_unit",
            _("Hg content unit: {reason}").format(reason=exc.args[0]),
            hu,
            _("e.g. {unit} or mg/kg").format(unit=factor.input_factor_unit),
            code="facility-hg-content-unit",
        )
    if rec["input_type"]:
        err(
            rec,
            "input_type",
            _("both hg_content and input_type given: hg_content is used"),
            rec["input_type"],
            severity="warning",
            code="facility-hg-content-twice",
        )


def _check_coincineration(rec, family: str, err) -> None:
    """Waste co-incineration is for cement kilns, and a measured input already includes it."""
    if rec["coincinerated_waste_t"] is not None and family != "cement":
        err(
            rec,
            "coincinerated_waste_t",
            _("waste co-incineration is for cement kilns only"),
            cell_text(rec["coincinerated_waste_t"]),
            _("blank"),
            code="facility-coincineration-not-cement",
        )
    if rec["measured_input_kg"] is not None and rec["coincinerated_waste_t"]:
        err(
            rec,
            "coincinerated_waste_t",
            _(
                "the measured Hg input (plant mass balance) already includes the waste "
                "fuels: coincinerated_waste_t is not used"
            ),
            cell_text(rec["coincinerated_waste_t"]),
            severity="warning",
            code="facility-waste-counted-twice",
        )


def _choices(rows: dict, family: str) -> str:
    ids = [k for k, v in rows.items() if v.family == family]
    if ids:
        return _("one of {choices}").format(choices=", ".join(ids))
    return _("nothing: no choices for family {family}").format(family=family)


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
                _("unknown control configuration {id} for {code}").format(
                    id=repr(cid), code=rec["code"]
                ),
                rec["control"],
                _choices(tables.configs, family),
                code="facility-control-unknown",
            )
            return
        rows.append(row)
    kinds = [r.kind for r in rows]
    rank = {"pretreatment": 0, "control": 1, "addition": 2}
    if (
        kinds != sorted(kinds, key=rank.__getitem__)
        or kinds.count("control") > 1
        or ("pretreatment" in kinds and "control" not in kinds)
    ):
        err(
            rec,
            "control",
            _(
                "give one control configuration, optionally after a pretreatment "
                "(coal-washing + coal-esp) and before an addition "
                "(asgm-national-average + asgm-cyanidation-of-tailings); an addition alone "
                "builds on the Level 1 split"
            ),
            rec["control"],
            code="facility-control-order",
        )


def _check_coal_basis(rec, family, tables, err) -> None:
    """The moisture and washing columns: where they apply, and what is assumed without them."""
    moisture = rec.get("moisture_pct")
    row = tables.inputs.get(rec["input_type"]) if rec["input_type"] else None
    dry = row is not None and row.input_basis == "dry" and rec["hg_content"] is None
    if moisture is not None and moisture >= 100:
        err(
            rec,
            "moisture_pct",
            _("moisture is a percentage below 100"),
            cell_text(moisture),
            _("per cent of the coal as received, e.g. 8"),
            code="facility-moisture-range",
        )
    elif moisture is not None and not dry and rec["measured_input_kg"] is None:
        err(
            rec,
            "moisture_pct",
            _(
                "moisture_pct converts a dry-basis input type only; the Hg content of this "
                "row is used as it is"
            ),
            cell_text(moisture),
            _("blank, or an input type on a dry basis"),
            severity="warning",
            code="facility-moisture-not-used",
        )
    elif moisture is None and dry and rec["measured_input_kg"] is None:
        err(
            rec,
            "moisture_pct",
            _(
                "input type {id} is a Hg content per t of dry coal and moisture_pct is not "
                "given: no moisture correction, so the Hg input may be overstated by the "
                "coal's moisture share (bituminous coal usually holds less than 20 %)"
            ).format(id=row.id),
            expected=_("the as-received moisture of the coal in per cent"),
            severity="warning",
            code="facility-moisture-missing",
        )
    if rec.get("washed_abroad"):
        if family != "coal":
            err(
                rec,
                "washed_abroad",
                _("washed_abroad is for coal only"),
                "yes",
                _("blank"),
                code="facility-washed-abroad-not-coal",
            )
        elif not any(
            getattr(tables.configs.get(c.strip()), "kind", "") == "pretreatment"
            for c in rec["control"].split("+")
        ):
            err(
                rec,
                "washed_abroad",
                _(
                    "washed_abroad is yes but control names no washing: the Hg content is "
                    "taken as that of the washed coal as delivered"
                ),
                rec["control"],
                _("coal-washing + a control configuration (e.g. coal-washing + coal-esp)"),
                severity="warning",
                code="facility-washed-abroad-no-washing",
            )


def _national_codes(activity: ActivityData, factors) -> tuple[set[str], dict[str, str]]:
    """The codes the activity sheet quantifies at Level 1, and the codes replaced by another
    (an alternative activity such as ASGM mercury used replaces its default row)."""
    given = {
        r["code"]
        for r in activity.rows
        if r["code"] in factors
        and isinstance(r["activity"], int | float)
        and r["activity"] == r["activity"]
    }
    replaced = {factors[c].replaces: c for c in given if factors[c].replaces in given}
    return given - set(replaced), replaced


def _covered(recs: list[dict], unit: str, default_unit: str) -> float | None:
    """The facilities' activity in the national row's unit (None: a row without a usable one,
    which `check_facilities` reports)."""
    total = 0.0
    for rec in recs:
        if not isinstance(rec["activity"], int | float):
            return None
        try:
            total += rec["activity"] * conversion(rec["unit"] or default_unit, unit)
        except UnitError:
            return None
    return total


def check_against_national(
    activity: ActivityData, data: FacilityData, factors, tables: Level2Tables
) -> list[Problem]:
    """The facility rows against the national rows of the activity sheet: a code replaced or
    counted twice, a notation key beside facilities, facilities above the national activity
    they are part of (each located at the cell to change)."""
    problems: list[Problem] = []
    file = str(data.path)

    def add(cell, message, expected, found, sheet=data.sheet, *, code, severity="error"):
        problems.append(
            Problem(
                message,
                file=file,
                sheet=sheet,
                cell=cell,
                found=found,
                expected=expected,
                severity=severity,
                code=code,
            )
        )

    counted, replaced = _national_codes(activity, factors)
    national = {r["code"]: r for r in activity.rows}
    by_code: dict[str, list[dict]] = {}
    for rec in data.rows:
        if rec["code"] in tables.families and rec["code"] in factors:
            by_code.setdefault(rec["code"], []).append(rec)
    for code, recs in by_code.items():
        l1 = factors[code]
        cell = recs[0]["cells"]["code"]
        nat = national.get(code)
        if code in replaced:
            add(
                cell,
                _(
                    "facility rows for {code}, but the activity sheet replaces {code} by "
                    "{replacement}"
                ).format(code=code, replacement=replaced[code]),
                _("facility rows under {code}").format(code=replaced[code]),
                code,
                code="facilities-under-replaced-code",
            )
        elif l1.replaces and l1.replaces in counted:
            add(
                cell,
                _(
                    "facility rows for {code} while the activity sheet gives {other} for the "
                    "same sources: that would count them twice"
                ).format(code=code, other=l1.replaces),
                _("facility rows under {code}").format(code=l1.replaces),
                code,
                code="facilities-counted-twice",
            )
        elif nat is not None and nat["notation"]:
            key = nat["notation"]
            said = {"key": key, "meaning": _(NOTATION_KEYS[key]), "code": code}
            if key == "NO":
                add(
                    nat["activity_cell"],
                    _(
                        "the activity sheet says {key} ({meaning}) for {code} but facilities "
                        "are given"
                    ).format(**said),
                    _("a national activity rate or blank"),
                    "NO",
                    "activity",
                    code="facilities-beside-no",
                )
            else:
                add(
                    nat["activity_cell"],
                    _(
                        "the activity sheet says {key} ({meaning}) for {code} but facilities "
                        "are given; the facilities are counted"
                    ).format(**said),
                    "",
                    "",
                    "activity",
                    code="facilities-beside-notation-key",
                    severity="warning",
                )
        elif code in counted:
            unit = nat["unit"] or l1.activity_unit
            covered, total = _covered(recs, unit, l1.activity_unit), nat["activity"]
            if covered is not None and covered > total * (1 + TOLERANCE) + TOLERANCE:
                add(
                    nat["activity_cell"],
                    _(
                        "the facilities of {code} sum to {covered} {unit}, more than the "
                        "national activity {total} {unit}"
                    ).format(
                        code=code, covered=sum_text(covered), total=sum_text(total), unit=unit
                    ),
                    _(
                        "a national activity of at least {covered} {unit} (it includes the "
                        "facilities), or corrected facility rows"
                    ).format(covered=sum_text(covered), unit=unit),
                    f"{total:g}",
                    "activity",
                    code="facilities-above-national",
                )
    return problems
