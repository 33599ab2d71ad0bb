"""Consistency checks between activity rows: what one row says about another.

Each is a warning naming both cells, with a stable code (docs/quality-checks.md): open burning
against dumping, waste against population, coal counted twice beside cement kilns or blast
furnaces, sewage sludge incinerated against the sludge the waste water could give, product rows
against the waste rows that receive their mercury. Thresholds are screening choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from hginventory.check.quality import (
    CONSISTENCY,
    amount,
    population_text,
    problem,
    raw,
    times,
    value_in,
)
from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import format_number, percent

OPEN_BURNING_SHARE = 0.25
"""Above this share of the uncollected waste (burned + dumped) burned in the open, the two rows
rarely describe the same waste (the project's screening choice; no published default)."""

WASTE_PER_INHABITANT = (0.04, 1.7)
"""Municipal waste generated, t per inhabitant and year: 0.11-4.5 kg per person per day
(World Bank, What a Waste 2.0, 2018; recalled)."""

SLUDGE_PER_M3 = 0.5
"""kg of sludge dry solids per m3 of waste water treated, high end (typical 0.1-0.3;
Metcalf & Eddy, Wastewater Engineering, recalled)."""

SLUDGE_PER_INHABITANT = 0.04
"""t of sludge dry solids per inhabitant and year, high end (typical 0.015-0.03 in the EU;
Eurostat sewage sludge statistics, recalled)."""

WASTE_ROWS = ("5.7.1", "5.7.5", "5.8.1", "5.8.4")
"""General waste incinerated, burned in the open, landfilled, dumped."""

GENERAL_WASTE_RECEIVERS = ("5.7.1", "5.7.5", "5.8.1", "5.8.2", "5.8.4")

CEMENT_WORDS = ("5.3.1", "cement", "ciment", "cemento", "kiln", "clinker", "clínker", "horno")
COKE_WORDS = ("5.2.9", "coke", "coque", "blast furnace", "haut fourneau", "alto horno")

OPEN_BURNING_VS_DUMPING = "waste-open-burning-vs-dumping"
WASTE_PER_POPULATION = "waste-per-inhabitant"
COAL_TWICE_CEMENT = "coal-counted-twice-cement"
COAL_TWICE_COKE = "coal-counted-twice-coke"
SLUDGE_ABOVE_PRODUCED = "sludge-above-produced"
PRODUCTS_WITHOUT_WASTE = "products-without-waste"
WASTE_WITHOUT_PRODUCTS = "waste-without-products"


@dataclass
class _Sheet:
    """The activity rows the rules compare: one per code of the factor table (a duplicate is
    check_activity's error) and the country's population."""

    activity: object
    factors: object
    rows: dict[str, dict]
    population: float | None

    @classmethod
    def of(cls, activity, factors) -> _Sheet:
        rows: dict[str, dict] = {}
        for row in activity.rows:
            if row.get("code") in factors:
                rows.setdefault(row["code"], row)
        population = activity.country.population if activity.country is not None else None
        return cls(activity, factors, rows, population)

    def value(self, code: str) -> float | None:
        """The activity of `code` in the factor table's unit; None without a row."""
        row = self.rows.get(code)
        if row is None:
            return None
        unit = self.factors[code].activity_unit
        return value_in(row, unit, unit)

    def cell(self, code: str) -> str:
        row = self.rows[code]
        return f"{row.get('sheet', 'activity')}!{row.get('activity_cell', '')}"

    def warn(self, check: str, at: str, message: str, found: str, expected: str) -> Problem:
        """A warning located at the activity cell of the row `at`."""
        row = self.rows[at]
        return problem(
            check,
            CONSISTENCY,
            message=message,
            file=str(self.activity.path),
            sheet=row.get("sheet", "activity"),
            cell=row.get("activity_cell", ""),
            found=found,
            expected=expected,
            severity="warning",
        )


def _open_burning_vs_dumping(s: _Sheet) -> Problem | None:
    burned, dumped = s.value("5.7.5"), s.value("5.8.4")
    if not (burned and dumped and burned / (burned + dumped) > OPEN_BURNING_SHARE):
        return None
    share = burned / (burned + dumped)
    return s.warn(
        OPEN_BURNING_VS_DUMPING,
        "5.7.5",
        _(
            "waste burned in the open (5.7.5) is {share} of the uncollected waste it "
            "makes with the waste dumped ({cell}, 5.8.4): if the burning is a share of "
            "the uncollected waste, the dumped waste is usually the rest of it"
        ).format(share=percent(share), cell=s.cell("5.8.4")),
        f"5.7.5: {raw(burned)} t; 5.8.4: {raw(dumped)} t",
        _("at most {share} burned (a screening threshold): check both rows").format(
            share=percent(OPEN_BURNING_SHARE, places=0)
        ),
    )


def _waste_per_inhabitant(s: _Sheet) -> Problem | None:
    present = [c for c in WASTE_ROWS if s.value(c)]
    if not (s.population and present):
        return None
    total = sum(s.value(c) for c in present)
    low, high = WASTE_PER_INHABITANT
    per_person = total / s.population
    if not (per_person > high or per_person < low):
        return None
    return s.warn(
        WASTE_PER_POPULATION,
        present[0],
        _(
            "the general waste rows ({codes}, cells {cells}) add up to {per} t per "
            "inhabitant for a country of {population}: {ratio} times "
            "{side} of the band"
        ).format(
            codes=", ".join(present),
            cells=", ".join(s.cell(c) for c in present),
            per=format_number(per_person, places=3),
            population=population_text(s.population),
            ratio=times(per_person / high if per_person > high else low / per_person),
            side=_("the high end") if per_person > high else _("below the low end"),
        ),
        f"{raw(total)} t",
        _(
            "{low} to {high} t per inhabitant (municipal waste generated, World "
            "Bank, What a Waste 2.0, 2018; a screening threshold)"
        ).format(low=format_number(low, places=2), high=format_number(high, places=1)),
    )


def _coal_note(s: _Sheet) -> str:
    """The note of the coal row (5.1.2), where a country says what its coal leaves out."""
    return str(s.rows["5.1.2"].get("notes", "") or "").lower() if "5.1.2" in s.rows else ""


def _coal_twice_cement(s: _Sheet) -> Problem | None:
    coal = s.value("5.1.2")
    if not (coal and s.value("5.3.1") and not any(w in _coal_note(s) for w in CEMENT_WORDS)):
        return None
    return s.warn(
        COAL_TWICE_CEMENT,
        "5.1.2",
        _(
            "coal of other uses (5.1.2) beside cement production ({cell}, 5.3.1): the "
            "cement factor already covers the kiln's fuel, so coal burned in cement "
            "kilns must not be in 5.1.2 as well"
        ).format(cell=s.cell("5.3.1")),
        f"5.1.2: {raw(coal)} t; 5.3.1: {raw(s.value('5.3.1'))} t",
        _("say in the note of 5.1.2 that the coal of cement kilns is left out"),
    )


def _coal_twice_coke(s: _Sheet) -> Problem | None:
    coal = s.value("5.1.2")
    if not (coal and s.value("5.2.9") and not any(w in _coal_note(s) for w in COKE_WORDS)):
        return None
    return s.warn(
        COAL_TWICE_COKE,
        "5.1.2",
        _(
            "coal of other uses (5.1.2) beside pig iron production ({cell}, 5.2.9): coal "
            "made into coke counts once in 5.1.2; the coke burned in blast furnaces "
            "must not be counted as coal again"
        ).format(cell=s.cell("5.2.9")),
        f"5.1.2: {raw(coal)} t; 5.2.9: {raw(s.value('5.2.9'))} t",
        _("say in the note of 5.1.2 how coke and blast furnaces are counted"),
    )


def _sludge_producible(s: _Sheet) -> tuple[float, str] | None:
    """The most sludge (t dry solids) the country could produce and how it reads: from the
    waste water treated, else from the population; None without either."""
    water = s.value("5.8.5")
    if water:
        most = water * SLUDGE_PER_M3 / 1000
        return most, _(
            "{most} t of dry solids from the waste water treated ({cell}, 5.8.5) at {per} kg per m3"
        ).format(
            most=amount(most), cell=s.cell("5.8.5"), per=format_number(SLUDGE_PER_M3, places=1)
        )
    if s.population:
        most = s.population * SLUDGE_PER_INHABITANT
        return most, _(
            "{most} t of dry solids for a country of {population} at {per} t per inhabitant"
        ).format(
            most=amount(most),
            population=population_text(s.population),
            per=format_number(SLUDGE_PER_INHABITANT, places=2),
        )
    return None


def _sludge_above_produced(s: _Sheet) -> Problem | None:
    sludge = s.value("5.7.4")
    if not sludge:
        return None
    producible = _sludge_producible(s)
    if producible is None:
        return None
    most, basis = producible
    if not sludge > most:
        return None
    return s.warn(
        SLUDGE_ABOVE_PRODUCED,
        "5.7.4",
        _(
            "sewage sludge incinerated (5.7.4) is {ratio} times the sludge the "
            "country could produce: is it wet weight, or in kg?"
        ).format(ratio=times(sludge / most)),
        _("{sludge} t dry weight").format(sludge=raw(sludge)),
        _("at most {basis} (a screening threshold)").format(basis=basis),
    )


def _product_rows(s: _Sheet) -> list[str]:
    """The codes given whose products send mercury to general waste."""
    return [
        c for c in s.rows if s.factors[c].general_waste > 0 and c not in GENERAL_WASTE_RECEIVERS
    ]


def _receivers(s: _Sheet) -> list[str]:
    """The general waste rows with an activity."""
    return [c for c in GENERAL_WASTE_RECEIVERS if c in s.rows and s.value(c)]


def _products_without_waste(s: _Sheet) -> Problem | None:
    products = [c for c in _product_rows(s) if s.value(c)]
    given = [c for c in GENERAL_WASTE_RECEIVERS if c in s.rows]
    if not (products and not _receivers(s) and given):
        return None
    return s.warn(
        PRODUCTS_WITHOUT_WASTE,
        given[0],
        _(
            "products send mercury to general waste ({codes}), but no waste row receives "
            "it ({waste} have no activity)"
        ).format(codes=", ".join(products[:5]), waste=", ".join(given)),
        _("no activity"),
        _(
            "the waste incinerated, landfilled, burned or dumped (5.7.1, 5.7.5, 5.8.1, "
            "5.8.4), or NO where there is none"
        ),
    )


def _waste_without_products(s: _Sheet) -> Problem | None:
    receivers, product_rows = _receivers(s), _product_rows(s)
    if not (receivers and product_rows and not any(s.value(c) for c in product_rows)):
        return None
    return s.warn(
        WASTE_WITHOUT_PRODUCTS,
        product_rows[0],
        _(
            "waste rows are given ({codes}) but no product row ({products}): the Toolkit "
            "counts the mercury of discarded products in the product rows, so it is "
            "missing from the inventory"
        ).format(codes=", ".join(receivers), products=", ".join(product_rows[:5])),
        _("no activity"),
        _("the product rows (inhabitants for 5.4.5-5.4.8, 5.5.1-5.5.3)"),
    )


RULES = (
    _open_burning_vs_dumping,
    _waste_per_inhabitant,
    _coal_twice_cement,
    _coal_twice_coke,
    _sludge_above_produced,
    _products_without_waste,
    _waste_without_products,
)
"""The consistency rules, in the order their warnings are reported."""


def check_consistency(activity, factors) -> list[Problem]:
    """Warnings about rows that disagree with each other or with the population."""
    sheet = _Sheet.of(activity, factors)
    return [p for rule in RULES if (p := rule(sheet)) is not None]
