"""Checks of the activity rows against the factor table: codes, duplicates, units, country."""

from __future__ import annotations

import math

from hginventory.core.errors import Problem, UnitError
from hginventory.core.units import conversion, parse_unit
from hginventory.read.activity import ActivityData, cell_text


def check_activity(activity: ActivityData, factors) -> list[Problem]:
    """Problems of the activity data against a factor table: codes, units, duplicates,
    and the country data that population-based rows need."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    file = str(activity.path)
    needs_population = needs_electrification = False
    for row in activity.rows:
        code = row["code"]
        if code not in factors:
            near = _closest(code, factors.codes)
            problems.append(
                Problem(
                    f"unknown sub-category code {code!r}",
                    file=file,
                    sheet=row.get("sheet", "activity"),
                    cell=row["code_cell"],
                    found=code,
                    expected=("one of " + ", ".join(near)) if near else "a Toolkit code",
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    f"code {code} appears twice (first at {seen[code]})",
                    file=file,
                    sheet=row.get("sheet", "activity"),
                    cell=row["code_cell"],
                    found=code,
                    expected="one row per sub-category",
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
                        f"unit for {code}: {exc.args[0]}",
                        file=file,
                        sheet=row.get("sheet", "activity"),
                        cell=row["unit_cell"],
                        found=row["unit"],
                        expected=f"{factor.activity_unit} ({factor.activity_description}); "
                        f"accepted: {', '.join(units_of(dim))}",
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
                        f"activity for {code} is more inhabitants than the population",
                        file=file,
                        sheet=row.get("sheet", "activity"),
                        cell=row["activity_cell"],
                        found=cell_text(row["activity"]),
                        expected=f"at most {pop:,.0f}",
                        severity="warning",
                    )
                )
        if factor.scaling == "electrification":
            needs_electrification = True
    country_sheet = "" if activity.path.suffix.lower() == ".csv" else "country"
    if activity.country is not None:
        if needs_population and activity.country.population is None:
            problems.append(
                Problem(
                    "population is needed: population-based sub-categories are reported",
                    file=file,
                    sheet=country_sheet,
                    expected="the national population",
                )
            )
        if needs_electrification and activity.country.electrification_rate is None:
            problems.append(
                Problem(
                    "electrification_rate is needed: product rows scaled by it are reported",
                    file=file,
                    sheet=country_sheet,
                    expected="per cent from 0 to 100",
                )
            )
    return problems


def _closest(code: str, codes: list[str]) -> list[str]:
    import difflib

    prefix = code.rsplit(".", 1)[0] + "."
    same_group = [c for c in codes if c.startswith(prefix)]
    return difflib.get_close_matches(code, same_group, n=3, cutoff=0) or difflib.get_close_matches(
        code, codes, n=3, cutoff=0.6
    )
