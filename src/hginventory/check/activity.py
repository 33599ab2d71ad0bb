"""Checks of the activity rows against the factor table: codes, duplicates, units, country."""

from __future__ import annotations

import math

from hginventory.check.submission import check_reporting
from hginventory.core.errors import Problem, UnitError
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.core.units import conversion, parse_unit
from hginventory.model.activity import ActivityData
from hginventory.read.cells import cell_text
from hginventory.tables.translations import activity_description

MAX_SUGGESTED = 200  # distinct unknown codes given closest-code suggestions


def check_activity(activity: ActivityData, factors) -> list[Problem]:
    """Problems of the activity data against a factor table: codes, units, duplicates,
    and the country data that population-based rows need."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    file = str(activity.path)
    needs_population = needs_electrification = False
    suggestions: dict[str, list[str]] = {}
    for row in activity.rows:
        code = row["code"]
        if code not in factors:
            if code not in suggestions:  # once per distinct code, for the first few only
                few = len(suggestions) < MAX_SUGGESTED
                suggestions[code] = closest_codes(code, factors.codes) if few else []
            near = suggestions[code]
            problems.append(
                Problem(
                    _("unknown sub-category code {code}").format(code=repr(code)),
                    file=file,
                    sheet=row.get("sheet", "activity"),
                    cell=row["code_cell"],
                    found=code,
                    expected=_("one of {choices}").format(choices=", ".join(near))
                    if near
                    else _("a Toolkit code"),
                    code="unknown-code",
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    _("code {code} appears twice (first at {cell})").format(
                        code=code, cell=seen[code]
                    ),
                    file=file,
                    sheet=row.get("sheet", "activity"),
                    cell=row["code_cell"],
                    found=code,
                    expected=_("one row per sub-category"),
                    code="duplicate-code",
                )
            )
            continue
        seen[code] = row["code_cell"]
        factor = factors[code]
        if not row["given"]:
            continue
        if row["unit"]:
            try:
                conversion(row["unit"], factor.activity_unit)
            except UnitError as exc:
                dim = parse_unit(factor.activity_unit).dimension
                from hginventory.core.units import units_of

                problems.append(
                    Problem(
                        _("unit for {code}: {reason}").format(code=code, reason=exc.args[0]),
                        file=file,
                        sheet=row.get("sheet", "activity"),
                        cell=row["unit_cell"],
                        found=row["unit"],
                        expected=_("{unit} ({description}); accepted: {units}").format(
                            unit=factor.activity_unit,
                            description=activity_description(factor),
                            units=", ".join(units_of(dim)),
                        ),
                        code="unit-wrong-kind",
                    )
                )
        if math.isnan(row["activity"]):
            continue
        if factor.population_based:
            needs_population = True
            pop = activity.country.population if activity.country else None
            if pop and row["activity"] > pop * 1.05:
                problems.append(
                    Problem(
                        _("activity for {code} is more inhabitants than the population").format(
                            code=code
                        ),
                        file=file,
                        sheet=row.get("sheet", "activity"),
                        cell=row["activity_cell"],
                        found=cell_text(row["activity"]),
                        expected=_("at most {value}").format(value=format_number(pop, COUNT)),
                        severity="warning",
                        code="activity-above-population",
                    )
                )
        if factor.scaling == "electrification":
            needs_electrification = True
    country_sheet = "" if activity.path.suffix.lower() == ".csv" else "country"
    # a field given but refused (a fraction for a per cent...) is already an error: saying
    # it is missing as well would contradict it
    refused = {
        name
        for p in activity.problems
        if p.severity == "error"
        for name in ("population", "electrification_rate")
        if name in p.message
    }
    if activity.country is not None:
        if needs_population and activity.country.population is None and "population" not in refused:
            problems.append(
                Problem(
                    _("population is needed: population-based sub-categories are reported"),
                    file=file,
                    sheet=country_sheet,
                    expected=_("the national population"),
                    code="population-needed",
                )
            )
        if (
            needs_electrification
            and activity.country.electrification_rate is None
            and "electrification_rate" not in refused
        ):
            problems.append(
                Problem(
                    _("electrification_rate is needed: product rows scaled by it are reported"),
                    file=file,
                    sheet=country_sheet,
                    expected=_("per cent from 0 to 100"),
                    code="electrification-rate-needed",
                )
            )
    return problems + check_reporting(activity)


def closest_codes(code: str, codes: list[str]) -> list[str]:
    """Up to three valid codes closest to `code`, those of its own group first."""
    import difflib

    prefix = code.rsplit(".", 1)[0] + "."
    same_group = [c for c in codes if c.startswith(prefix)]
    return difflib.get_close_matches(code, same_group, n=3, cutoff=0) or difflib.get_close_matches(
        code, codes, n=3, cutoff=0.6
    )
