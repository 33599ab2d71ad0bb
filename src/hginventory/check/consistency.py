"""Consistency checks between activity rows: what one row says about another.

Each is a warning naming both cells, with a stable code (docs/quality-checks.md): open burning
against dumping, waste against population, coal counted twice beside cement kilns or blast
furnaces, sewage sludge incinerated against the sludge the waste water could give, product rows
against the waste rows that receive their mercury. Thresholds are screening choices.
"""

from __future__ import annotations

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


def check_consistency(activity, factors) -> list[Problem]:
    """Warnings about rows that disagree with each other or with the population."""
    rows: dict[str, dict] = {}
    for row in activity.rows:
        if row.get("code") in factors:
            rows.setdefault(row["code"], row)  # a duplicate is check_activity's error

    def value(code: str) -> float | None:
        row = rows.get(code)
        if row is None:
            return None
        unit = factors[code].activity_unit
        return value_in(row, unit, unit)

    def cell(code: str) -> str:
        row = rows[code]
        return f"{row.get('sheet', 'activity')}!{row.get('activity_cell', '')}"

    def warn(check: str, at: str, message: str, found: str, expected: str) -> Problem:
        row = rows[at]
        return problem(
            check,
            CONSISTENCY,
            message=message,
            file=str(activity.path),
            sheet=row.get("sheet", "activity"),
            cell=row.get("activity_cell", ""),
            found=found,
            expected=expected,
            severity="warning",
        )

    population = activity.country.population if activity.country is not None else None
    out: list[Problem] = []

    burned, dumped = value("5.7.5"), value("5.8.4")
    if burned and dumped and burned / (burned + dumped) > OPEN_BURNING_SHARE:
        share = burned / (burned + dumped)
        out.append(
            warn(
                OPEN_BURNING_VS_DUMPING,
                "5.7.5",
                _(
                    "waste burned in the open (5.7.5) is {share} of the uncollected waste it "
                    "makes with the waste dumped ({cell}, 5.8.4): if the burning is a share of "
                    "the uncollected waste, the dumped waste is usually the rest of it"
                ).format(share=percent(share), cell=cell("5.8.4")),
                f"5.7.5: {raw(burned)} t; 5.8.4: {raw(dumped)} t",
                _("at most {share} burned (a screening threshold): check both rows").format(
                    share=percent(OPEN_BURNING_SHARE, places=0)
                ),
            )
        )

    present = [c for c in WASTE_ROWS if value(c)]
    if population and present:
        total = sum(value(c) for c in present)
        low, high = WASTE_PER_INHABITANT
        per_person = total / population
        if per_person > high or per_person < low:
            out.append(
                warn(
                    WASTE_PER_POPULATION,
                    present[0],
                    _(
                        "the general waste rows ({codes}, cells {cells}) add up to {per} t per "
                        "inhabitant for a country of {population}: {ratio} times "
                        "{side} of the band"
                    ).format(
                        codes=", ".join(present),
                        cells=", ".join(cell(c) for c in present),
                        per=format_number(per_person, places=3),
                        population=population_text(population),
                        ratio=times(per_person / high if per_person > high else low / per_person),
                        side=_("the high end") if per_person > high else _("below the low end"),
                    ),
                    f"{raw(total)} t",
                    _(
                        "{low} to {high} t per inhabitant (municipal waste generated, World "
                        "Bank, What a Waste 2.0, 2018; a screening threshold)"
                    ).format(low=format_number(low, places=2), high=format_number(high, places=1)),
                )
            )

    coal = value("5.1.2")
    note = str(rows["5.1.2"].get("notes", "") or "").lower() if "5.1.2" in rows else ""
    if coal and value("5.3.1") and not any(w in note for w in CEMENT_WORDS):
        out.append(
            warn(
                COAL_TWICE_CEMENT,
                "5.1.2",
                _(
                    "coal of other uses (5.1.2) beside cement production ({cell}, 5.3.1): the "
                    "cement factor already covers the kiln's fuel, so coal burned in cement "
                    "kilns must not be in 5.1.2 as well"
                ).format(cell=cell("5.3.1")),
                f"5.1.2: {raw(coal)} t; 5.3.1: {raw(value('5.3.1'))} t",
                _("say in the note of 5.1.2 that the coal of cement kilns is left out"),
            )
        )
    if coal and value("5.2.9") and not any(w in note for w in COKE_WORDS):
        out.append(
            warn(
                COAL_TWICE_COKE,
                "5.1.2",
                _(
                    "coal of other uses (5.1.2) beside pig iron production ({cell}, 5.2.9): coal "
                    "made into coke counts once in 5.1.2; the coke burned in blast furnaces "
                    "must not be counted as coal again"
                ).format(cell=cell("5.2.9")),
                f"5.1.2: {raw(coal)} t; 5.2.9: {raw(value('5.2.9'))} t",
                _("say in the note of 5.1.2 how coke and blast furnaces are counted"),
            )
        )

    sludge = value("5.7.4")
    if sludge:
        water = value("5.8.5")
        if water:
            most = water * SLUDGE_PER_M3 / 1000
            basis = _(
                "{most} t of dry solids from the waste water treated ({cell}, 5.8.5) at "
                "{per} kg per m3"
            ).format(most=amount(most), cell=cell("5.8.5"), per=format_number(SLUDGE_PER_M3,
                                                                               places=1))
        elif population:
            most = population * SLUDGE_PER_INHABITANT
            basis = _(
                "{most} t of dry solids for a country of {population} at {per} t per "
                "inhabitant"
            ).format(
                most=amount(most),
                population=population_text(population),
                per=format_number(SLUDGE_PER_INHABITANT, places=2),
            )
        else:
            most = None
        if most is not None and sludge > most:
            out.append(
                warn(
                    SLUDGE_ABOVE_PRODUCED,
                    "5.7.4",
                    _(
                        "sewage sludge incinerated (5.7.4) is {ratio} times the sludge the "
                        "country could produce: is it wet weight, or in kg?"
                    ).format(ratio=times(sludge / most)),
                    _("{sludge} t dry weight").format(sludge=raw(sludge)),
                    _("at most {basis} (a screening threshold)").format(basis=basis),
                )
            )

    products = [
        c for c, r in rows.items() if factors[c].general_waste > 0 and value(c) and c not in
        GENERAL_WASTE_RECEIVERS
    ]
    receivers = [c for c in GENERAL_WASTE_RECEIVERS if c in rows and value(c)]
    given = [c for c in GENERAL_WASTE_RECEIVERS if c in rows]
    if products and not receivers and given:
        out.append(
            warn(
                PRODUCTS_WITHOUT_WASTE,
                given[0],
                _(
                    "products send mercury to general waste ({codes}), but no waste row receives "
                    "it ({waste} have no activity)"
                ).format(codes=", ".join(products[:5]), waste=", ".join(given)),
                _("no activity"),
                _("the waste incinerated, landfilled, burned or dumped (5.7.1, 5.7.5, 5.8.1, "
                  "5.8.4), or NO where there is none"),
            )
        )
    product_rows = [
        c for c in rows if factors[c].general_waste > 0 and c not in GENERAL_WASTE_RECEIVERS
    ]
    if receivers and product_rows and not products:
        out.append(
            warn(
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
        )
    return out
