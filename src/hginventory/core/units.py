"""Units of activity rates and input factors, and conversions between them.

The Toolkit states activity in many units (t coal, Nm3 gas, inhabitants, corpses ...). A unit
belongs to a dimension; conversion is allowed only within one dimension, so `t` typed where a
factor needs `m3` is an error, not a silent wrong number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hginventory.core.errors import UnitError
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _

# the kinds of unit, as messages name them
DIMENSION_NAMES = (
    N_("mass"),
    N_("energy"),
    N_("volume"),
    N_("gas volume"),
    N_("inhabitants"),
    N_("vehicles"),
    N_("corpses"),
)


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    to_base: float  # multiply a value in this unit by to_base to get the dimension's base unit


_UNITS: dict[str, Unit] = {}


def _add(dimension: str, symbol: str, to_base: float, *aliases: str) -> None:
    unit = Unit(symbol, dimension, to_base)
    for name in (symbol, *aliases):
        _UNITS[name] = unit


# mass, base kg (symbols are case-sensitive: mg is not Mg)
_add("mass", "ug", 1e-9, "µg", "μg")


_add("mass", "mg", 1e-6)


_add("mass", "g", 1e-3)


_add("mass", "kg", 1.0)


_add("mass", "t", 1e3, "Mg", "tonne", "tonnes", "metric ton", "metric tons")


_add("mass", "kt", 1e6, "Gg", "1000 t", "thousand t", "thousand tonnes")


_add("mass", "Mt", 1e9, "Tg", "million t", "million tonnes")


# volume of liquids (waste water), base m3
_add("volume", "m3", 1.0, "m³", "cubic metres", "cubic meters")


_add("volume", "1000 m3", 1e3, "thousand m3", "1000 m³", "dam3")


_add("volume", "Mm3", 1e6, "million m3", "Mm³", "million m³")


# volume of gas at normal conditions, base Nm3
_add("gas volume", "Nm3", 1.0, "Nm³")


_add("gas volume", "1000 Nm3", 1e3, "thousand Nm3", "1000 Nm³")


_add("gas volume", "MNm3", 1e6, "million Nm3", "million Nm³")


_add("gas volume", "GNm3", 1e9, "billion Nm3", "bcm")


# electricity, base MWh
_add("energy", "kWh", 1e-3)


_add("energy", "MWh", 1.0)


_add("energy", "GWh", 1e3)


_add("energy", "TWh", 1e6)


# counts, each its own dimension
_add("inhabitants", "inhabitants", 1.0, "inhabitant", "inh", "persons", "people", "population")


_add("corpses", "corpses", 1.0, "corpse", "bodies", "body")


_add("vehicles", "vehicles", 1.0, "vehicle", "cars")


_FOLDED = {name.lower(): unit for name, unit in _UNITS.items()}


_AMBIGUOUS_WHEN_FOLDED = {"mg", "mt"}  # mg vs Mg, Mt vs "metric ton": never guess


_KNOWN: dict[str, Unit] = {}  # text -> unit, of the texts met: a batch parses the same few


def parse_unit(text: str) -> Unit:
    """The unit named by `text`; raises UnitError for anything unknown."""
    unit = _KNOWN.get(text) if type(text) is str else None
    if unit is not None:
        return unit
    name = re.sub(r"\s+", " ", str(text).strip()).replace("³", "3")
    if name in _UNITS:
        unit = _UNITS[name]
    elif name.lower() not in _AMBIGUOUS_WHEN_FOLDED and name.lower() in _FOLDED:
        unit = _FOLDED[name.lower()]
    else:
        raise UnitError(_("unknown unit {unit}").format(unit=repr(text)))
    if type(text) is str and len(_KNOWN) < 10_000:
        _KNOWN[text] = unit
    return unit


def units_of(dimension: str) -> list[str]:
    """Canonical symbols of a dimension, smallest first (for messages and drop-downs)."""
    seen = {u.symbol: u for u in _UNITS.values() if u.dimension == dimension}
    return [s for s, _ in sorted(seen.items(), key=lambda kv: kv[1].to_base)]


@dataclass(frozen=True)
class FactorUnit:
    """An input factor unit such as `g/t`: mass of mercury per unit of activity."""

    text: str
    mercury: Unit
    per: Unit

    @property
    def to_kg(self) -> float:
        return self.mercury.to_base


def parse_factor_unit(text: str) -> FactorUnit:
    mercury, sep, per = str(text).partition("/")
    if not sep:
        raise UnitError(
            _("factor unit {unit} is not of the form 'mass/activity unit'").format(unit=repr(text))
        )
    hg = parse_unit(mercury)
    if hg.dimension != "mass":
        raise UnitError(
            _("factor unit {unit}: {mass} is not a mass unit").format(
                unit=repr(text), mass=repr(mercury)
            )
        )
    return FactorUnit(text, hg, parse_unit(per))


def conversion(given: str, needed: str) -> float:
    """Multiplier taking a value in unit `given` to unit `needed`; UnitError if incompatible."""
    g, n = parse_unit(given), parse_unit(needed)
    if g.dimension != n.dimension:
        raise UnitError(
            _("unit {given} ({kind}) cannot be converted to {needed} ({needed_kind})").format(
                given=repr(given),
                kind=_(g.dimension),
                needed=repr(needed),
                needed_kind=_(n.dimension),
            )
        )
    return g.to_base / n.to_base
