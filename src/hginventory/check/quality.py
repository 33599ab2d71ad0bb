"""The quality checks a reviewer runs on an activity workbook: plausibility screens of each row
(check/plausibility.py) and consistency between rows (check/consistency.py).

`run_checks` gives their problems, each with a stable code (`Problem.code` when the Problem
class carries one, and always in `CHECKS`), for validate, compute, batch, the workbook's Checks
sheet and the report's Quality control chapter.
"""

from __future__ import annotations

import math

from hginventory.core.errors import Problem
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.core.units import conversion

PLAUSIBILITY = "plausibility"
CONSISTENCY = "consistency"

WHAT = N_("the activity of each row against factors/plausibility.csv")
"""The source column of the plausibility checks (their table cites a document per row)."""

CHECKS = (
    # code, kind, what is checked, threshold, source
    (
        "activity-above-world-tenfold",
        PLAUSIBILITY,
        N_("an activity above 10 times the world's annual total (an error: refused)"),
        N_("10 x the world total of the sub-category"),
        WHAT,
    ),
    (
        "activity-above-world",
        PLAUSIBILITY,
        N_("an activity above the world's annual total: a unit slip?"),
        N_("1 x the world total of the sub-category"),
        WHAT,
    ),
    (
        "activity-outside-band",
        PLAUSIBILITY,
        N_("an activity outside the band per inhabitant (coal, cement, waste, deaths)"),
        N_("band per inhabitant x population"),
        WHAT,
    ),
    (
        "waste-open-burning-vs-dumping",
        CONSISTENCY,
        N_("waste burned in the open (5.7.5) against waste dumped (5.8.4)"),
        N_("share burned of burned + dumped: at most 25 %"),
        N_("the project's screening choice"),
    ),
    (
        "waste-per-inhabitant",
        CONSISTENCY,
        N_("general waste incinerated, burned, landfilled and dumped against the population"),
        N_("0.04 to 1.7 t per inhabitant"),
        "World Bank, What a Waste 2.0 (2018)",
    ),
    (
        "coal-counted-twice-cement",
        CONSISTENCY,
        N_("coal of other uses (5.1.2) beside cement production (5.3.1), note silent on kilns"),
        N_("both rows given"),
        N_("UNEP Toolkit: the cement factor covers the kiln's fuel"),
    ),
    (
        "coal-counted-twice-coke",
        CONSISTENCY,
        N_("coal of other uses (5.1.2) beside pig iron (5.2.9), note silent on coke"),
        N_("both rows given"),
        N_("UNEP Toolkit: coal made into coke is counted in 5.1.2"),
    ),
    (
        "sludge-above-produced",
        CONSISTENCY,
        N_("sewage sludge incinerated (5.7.4) against the sludge the waste water can give"),
        N_("0.5 kg dry solids per m3 (5.8.5), else 0.04 t per inhabitant"),
        "Metcalf & Eddy; Eurostat",
    ),
    (
        "products-without-waste",
        CONSISTENCY,
        N_("product rows sending mercury to general waste, no waste row receiving it"),
        N_("a product row given, every waste row blank"),
        N_("UNEP Toolkit: products' mercury goes to the waste rows"),
    ),
    (
        "waste-without-products",
        CONSISTENCY,
        N_("waste rows given, every product row blank"),
        N_("a waste row given, every product row blank"),
        N_("UNEP Toolkit: products' mercury goes to the waste rows"),
    ),
)
"""Every quality check, for the Checks sheet, batch's report and docs/quality-checks.md."""


def problem(check: str, kind: str, **where) -> Problem:
    """A Problem of check `check` (a stable kebab-case code), kind plausibility/consistency."""
    return Problem(kind=kind, code=check, **where)


def check_code(p: Problem) -> str:
    """The stable code of a quality check's problem ('' for any other problem)."""
    return getattr(p, "code", "") or ""


def is_quality(p: Problem) -> bool:
    return p.kind in (PLAUSIBILITY, CONSISTENCY)


def value_in(row: dict, unit: str, factor_unit: str) -> float | None:
    """The activity of `row` in `unit` (None when blank, a notation key, or not convertible);
    the unit column blank means the factor's unit."""
    value = row.get("activity")
    if not isinstance(value, int | float) or value != value:
        return None
    try:
        return float(value) * conversion(row.get("unit") or factor_unit, unit)
    except Exception:  # an unknown unit is check_activity's error
        return None


def times(ratio: float) -> str:
    """A ratio as people read it: '3.2', '3,000', '1.1 × 10^298' (never 300 digits)."""
    if not math.isfinite(ratio) or ratio >= 1e6:
        exponent = 308 if not math.isfinite(ratio) else math.floor(math.log10(ratio))
        mantissa = 1.0 if not math.isfinite(ratio) else ratio / 10**exponent
        return f"{format_number(mantissa, places=1)} × 10^{exponent}"
    if ratio < 10:
        return format_number(ratio, places=1)
    return format_number(round(ratio, 1 - math.floor(math.log10(ratio))), COUNT)  # 2 digits


def amount(value: float) -> str:
    """An activity for a message: whole numbers grouped, huge ones as powers of ten."""
    if not math.isfinite(value) or abs(value) >= 1e12:
        return times(abs(value)) if value >= 0 else "-" + times(-value)
    if abs(value) >= 100 or float(value).is_integer():
        return format_number(round(value), COUNT)
    text = format_number(value, places=3 if abs(value) < 1 else 2)
    return text.rstrip("0").rstrip(".,")  # 1.7, not 1.70 (below 100: no group mark)


def population_text(population: float) -> str:
    """A population for a message: '5 million inhabitants', '850,000 inhabitants'."""
    if population >= 1e6:
        n = format_number(population / 1e6, places=1).rstrip("0").rstrip(".,")
        return _("{n} million inhabitants").format(n=n)
    return _("{n} inhabitants").format(n=format_number(population, COUNT))


def raw(value: float) -> str:
    """A number as found in a cell, for the 'found' column (no locale marks: it is quoted)."""
    return f"{value:.15g}"
