import pytest

from hginventory.core.errors import UnitError
from hginventory.core.units import conversion, parse_factor_unit, parse_unit


@pytest.mark.parametrize(
    ("given", "needed", "factor"),
    [
        ("t", "t", 1),
        ("kt", "t", 1000),
        ("Mt", "t", 1e6),
        ("kg", "t", 1e-3),
        ("tonnes", "t", 1),
        ("MNm3", "Nm3", 1e6),
        ("Mm3", "m3", 1e6),
        ("m³", "m3", 1),
        ("GWh", "MWh", 1000),
        ("Inhabitants", "inhabitants", 1),
    ],
)
def test_conversions(given, needed, factor):
    assert conversion(given, needed) == pytest.approx(factor)


def test_incompatible_units_are_refused():
    with pytest.raises(UnitError, match="mass.*cannot be converted.*volume") as info:
        conversion("t", "m3")
    assert info.value.code == "unit-unknown"  # unknown or not convertible: the message says


@pytest.mark.parametrize("text", ["MG", "mt", "furlongs", ""])
def test_ambiguous_or_unknown_units_are_refused(text):
    with pytest.raises(UnitError):
        parse_unit(text)


def test_mg_and_Mg_are_distinct():
    assert parse_unit("mg").to_base == 1e-6
    assert parse_unit("Mg").to_base == 1e3


def test_factor_units():
    fu = parse_factor_unit("ug/Nm3")
    assert fu.to_kg == pytest.approx(1e-9) and fu.per.symbol == "Nm3"
    with pytest.raises(UnitError):
        parse_factor_unit("g")
