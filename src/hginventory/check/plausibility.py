"""Plausibility screens of each activity row against factors/plausibility.csv.

An activity above 10 times the world's annual total cannot be one country's (an error at its
cell); above the world total, or outside the band per inhabitant, it is most likely a unit slip
(a warning naming the unit that brings it back in range). Screening thresholds, never factors.
"""

from __future__ import annotations

import math

from hginventory.check.quality import PLAUSIBILITY, amount, population_text, problem, raw, times
from hginventory.core.errors import Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.units import conversion, parse_unit, units_of
from hginventory.tables.plausibility import WORLD_MARGIN, load_screens

ABOVE_WORLD_TENFOLD = "activity-above-world-tenfold"
ABOVE_WORLD = "activity-above-world"
OUTSIDE_BAND = "activity-outside-band"


def check_plausibility(activity, factors, screens=None) -> list[Problem]:
    """The rows whose activity no country could have (errors) or that look like a unit slip
    (warnings), each located at its activity cell."""
    screens = screens or load_screens()
    country = activity.country
    population = country.population if country is not None else None
    out: list[Problem] = []
    seen: set[str] = set()
    for row in activity.rows:
        code = row.get("code")
        bound = screens.get(code)
        if bound is None or code not in factors or code in seen:
            continue
        seen.add(code)  # a code given twice is check_activity's error
        where = {
            "file": str(activity.path),
            "sheet": row.get("sheet", "activity"),
            "cell": row.get("activity_cell", ""),
        }
        given = row.get("unit") or factors[code].activity_unit
        out += _screen(code, row.get("activity"), given, bound, population, where)
    return out


def check_facility_rows(facilities, activity, factors, screens=None) -> list[Problem]:
    """Each row of the Level 2 facilities sheet, screened like a national row: a facility of
    1e308 t is refused at its own cell. No low band: a facility is a part of the country."""
    screens = screens or load_screens()
    country = activity.country if activity is not None else None
    population = country.population if country is not None else None
    out: list[Problem] = []
    for rec in facilities.rows:
        code = rec.get("code")
        bound = screens.get(code)
        if bound is None or code not in factors:
            continue
        where = {
            "file": str(facilities.path),
            "sheet": facilities.sheet,
            "cell": rec.get("cells", {}).get("activity", ""),
        }
        given = rec.get("unit") or factors[code].activity_unit
        out += _screen(code, rec.get("activity"), given, bound, population, where, low=False)
    return out


def _screen(code, value, given, bound, population, where, low=True) -> list[Problem]:
    """The problem of one activity `value` in unit `given` against `bound` (none or one)."""
    out: list[Problem] = []
    if not isinstance(value, int | float) or value != value or value <= 0:
        return out
    try:
        log_value = math.log10(value) + math.log10(conversion(given, bound.activity_unit))
    except (UnitError, ValueError):
        return out  # an unknown or wrong unit is check_activity's error
    where = {**where, "found": f"{raw(value)} {given}"}
    high = [bound.world_total] if bound.world_total else []
    band_high = band_low = None
    if population and bound.per_inhabitant_high:
        band_high = bound.per_inhabitant_high * population
        high.append(band_high)
    if low and population and bound.per_inhabitant_low:
        band_low = bound.per_inhabitant_low * population
    limits = (band_low, min(high) if high else None)
    suggestion = likely_unit(value, given, bound.activity_unit, *limits)
    mean = (
        _("did you mean {unit}?").format(unit=suggestion)
        if suggestion
        else _("check the number and its unit")
    )
    world = bound.world_total
    if world and log_value > math.log10(world * WORLD_MARGIN):
        out.append(
            problem(
                ABOVE_WORLD_TENFOLD,
                PLAUSIBILITY,
                message=_(
                    "activity for {code} is {ratio} times the world's annual total: no "
                    "country has that much; {mean}"
                ).format(code=code, ratio=times(10 ** (log_value - math.log10(world))),
                         mean=mean),
                expected=_(
                    "at most {limit} {unit} (10 times the world total of {total} {unit}, "
                    "{source}, {year}; a screening threshold)"
                ).format(
                    limit=amount(world * WORLD_MARGIN),
                    total=amount(world),
                    unit=bound.activity_unit,
                    source=bound.world_source,
                    year=bound.world_year,
                ),
                severity="error",
                **where,
            )
        )
    elif world and log_value > math.log10(world):
        out.append(
            problem(
                ABOVE_WORLD,
                PLAUSIBILITY,
                message=_(
                    "activity for {code} is {ratio} times the world's annual total: a unit "
                    "slip? {mean}"
                ).format(code=code, ratio=times(10 ** (log_value - math.log10(world))),
                         mean=mean),
                expected=_(
                    "less than the world total of {total} {unit} ({source}, {year}; a "
                    "screening threshold)"
                ).format(
                    total=amount(world),
                    unit=bound.activity_unit,
                    source=bound.world_source,
                    year=bound.world_year,
                ),
                severity="warning",
                **where,
            )
        )
    elif band_high and log_value > math.log10(band_high):
        out.append(
            problem(
                OUTSIDE_BAND,
                PLAUSIBILITY,
                message=_(
                    "activity for {code} is {ratio} times the band's high for a country of "
                    "{population}: {mean}"
                ).format(
                    code=code,
                    ratio=times(10 ** (log_value - math.log10(band_high))),
                    population=population_text(population),
                    mean=mean,
                ),
                expected=_(
                    "at most {limit} {unit} ({high} {unit} per inhabitant: {source}; a "
                    "screening threshold)"
                ).format(
                    limit=amount(band_high),
                    high=amount(bound.per_inhabitant_high),
                    unit=bound.activity_unit,
                    source=bound.band_source,
                ),
                severity="warning",
                **where,
            )
        )
    elif band_low and log_value < math.log10(band_low):
        out.append(
            problem(
                OUTSIDE_BAND,
                PLAUSIBILITY,
                message=_(
                    "activity for {code} is {ratio} times below the band's low for a country "
                    "of {population}: {mean}"
                ).format(
                    code=code,
                    ratio=times(10 ** (math.log10(band_low) - log_value)),
                    population=population_text(population),
                    mean=mean,
                ),
                expected=_(
                    "at least {limit} {unit} ({low} {unit} per inhabitant: {source}; a "
                    "screening threshold)"
                ).format(
                    limit=amount(band_low),
                    low=amount(bound.per_inhabitant_low),
                    unit=bound.activity_unit,
                    source=bound.band_source,
                ),
                severity="warning",
                **where,
            )
        )
    return out


def likely_unit(value: float, given: str, unit: str, low, high) -> str | None:
    """The unit of the same kind that brings `value` (typed in `given`) within [low, high]
    (in `unit`), nearest to `given`: kg for tonnes typed as kg, t for kilotonnes... None when
    no unit does."""
    try:
        here = parse_unit(given)
    except UnitError:
        return None
    candidates = []
    for symbol in units_of(here.dimension):
        other = parse_unit(symbol)
        steps = abs(math.log10(other.to_base / here.to_base))
        if steps == 0 or steps > 3.01:
            continue  # one step of a thousand at most: t for kg, never g for t
        try:
            log_v = math.log10(value) + math.log10(conversion(symbol, unit))
        except (UnitError, ValueError):
            continue
        if high is not None and log_v > math.log10(high):
            continue
        if low is not None and log_v < math.log10(low):
            continue
        candidates.append((steps, symbol))
    return min(candidates)[1] if candidates else None
