"""Each Toolkit rule checked against a hand calculation from the factor table's numbers."""

import pytest

from hginventory import compute, read_activity
from hginventory.core.errors import ActivityError


def run(make_workbook, rows, **country):
    return compute(read_activity(make_workbook(rows, country or None)))


def row_of(inv, code):
    rows = inv.results[inv.results["code"] == code]
    assert len(rows) == 1, code
    return rows.iloc[0]


def test_coal_input_and_distribution(make_workbook):
    # 5.1.1: 1,000,000 t x 0.15 g/t = 150 kg; air 0.9, sector-specific 0.1
    r = row_of(run(make_workbook, [("5.1.1", 1_000_000, "t")]), "5.1.1")
    assert r.hg_input_kg == pytest.approx(150)
    assert r.air_kg == pytest.approx(135)
    assert r.sector_treatment_kg == pytest.approx(15)
    assert r.water_kg == r.land_kg == r.byproducts_kg == r.general_waste_kg == 0


def test_activity_unit_is_converted(make_workbook):
    # 1,000 kt = 1,000,000 t -> the same 150 kg; a blank unit means the factor's own unit
    inv = run(make_workbook, [("5.1.1", 1_000, "kt"), ("5.1.2", 1_000_000, "")])
    assert row_of(inv, "5.1.1").hg_input_kg == pytest.approx(150)
    assert row_of(inv, "5.1.2").hg_input_kg == pytest.approx(150)
    assert row_of(inv, "5.1.2").activity_unit == "t"


def test_gas_in_micrograms_per_normal_cubic_metre(make_workbook):
    # 5.1.4c: 2,000 million Nm3 x 0.1 ug/Nm3 = 2e9 x 1e-10 kg = 0.2 kg
    r = row_of(run(make_workbook, [("5.1.4c", 2_000, "MNm3")]), "5.1.4c")
    assert r.hg_input_kg == pytest.approx(0.2)


def test_population_based_products_scaled_by_electrification(make_workbook):
    # 5.4.6 switches: 1,000,000 inhabitants x 0.14 g x 50 % = 70 kg
    # 5.5.1 dental amalgam is not scaled: 1,000,000 x 0.15 g = 150 kg
    inv = run(
        make_workbook,
        [("5.4.6", 1_000_000, "inhabitants"), ("5.5.1", 1_000_000, "inhabitants")],
        electrification_rate=50,
    )
    switches = row_of(inv, "5.4.6")
    assert switches.hg_input_kg == pytest.approx(70)
    assert switches.input_factor == pytest.approx(0.07)
    assert switches.general_waste_kg == pytest.approx(56)
    assert row_of(inv, "5.5.1").hg_input_kg == pytest.approx(150)


def test_full_electrification_gives_the_unscaled_default(make_workbook):
    inv = run(
        make_workbook,
        [("5.4.8", 2_000_000, "inhabitants")],
        population=2_000_000,
        electrification_rate=100,
    )
    assert row_of(inv, "5.4.8").hg_input_kg == pytest.approx(500)  # 2e6 x 0.25 g


def test_asgm_from_gold_produced_by_method(make_workbook):
    # whole ore 3 kg Hg/kg Au; concentrate without retort 1; with retort 0.3
    inv = run(make_workbook, [("5.2.2a", 100, "kg"), ("5.2.2b", 100, "kg"), ("5.2.2c", 1, "t")])
    woa = row_of(inv, "5.2.2a")
    assert woa.hg_input_kg == pytest.approx(300)
    assert (woa.air_kg, woa.water_kg, woa.land_kg) == pytest.approx((90, 105, 105))
    assert row_of(inv, "5.2.2b").air_kg == pytest.approx(75)
    assert row_of(inv, "5.2.2c").hg_input_kg == pytest.approx(300)  # 1,000 kg Au x 0.3


def test_asgm_mercury_used_replaces_the_gold_estimate(make_workbook):
    inv = run(make_workbook, [("5.2.2b", 100, "kg"), ("5.2.2e", 80, "kg")])
    assert "5.2.2b" not in set(inv.results["code"])
    mercury = row_of(inv, "5.2.2e")
    assert mercury.hg_input_kg == pytest.approx(80)
    assert mercury.air_kg == pytest.approx(60)
    sources = inv.sources.set_index("code")
    assert sources.loc["5.2.2b", "presence"] == "IE"
    assert "5.2.2e" in sources.loc["5.2.2b", "detail"]
    assert ("replaces-reported-elsewhere", "B3") in [(w.code, w.cell) for w in inv.warnings]


def test_mercury_cell_chlor_alkali(make_workbook):
    # 10,000 t Cl2 x 25 g/t = 250 kg: air 0.2, water 0.02, by-products 0.01, sector 0.77
    r = row_of(run(make_workbook, [("5.4.1a", 10_000, "t")]), "5.4.1a")
    assert r.hg_input_kg == pytest.approx(250)
    assert (r.air_kg, r.water_kg, r.byproducts_kg, r.sector_treatment_kg) == pytest.approx(
        (50, 5, 2.5, 192.5)
    )


def test_chlor_alkali_reported_consumption_replaces_production(make_workbook):
    inv = run(make_workbook, [("5.4.1a", 10_000, "t"), ("5.4.1b", 120, "kg")])
    assert list(inv.results["code"]) == ["5.4.1b"]
    assert inv.totals()["hg_input_kg"] == pytest.approx(120)


def test_double_counting_adjustments(make_workbook):
    # 5.7.1 MSW incineration: 10,000 t x 1 g/t = 10 kg, only 10 % in the input total
    # 5.8.4 informal dumping: 1,000 t x 1 g/t = 1 kg; 10 %; its land release (0.8) not counted
    # 5.8.5 waste water: 1 Mm3 x 5 mg/m3 = 5 kg; input and water release (2.5) not counted
    # 5.1.1 coal: 1,000,000 t -> 150 kg counted in full
    inv = run(
        make_workbook,
        [
            ("5.7.1", 10_000, "t"),
            ("5.8.4", 1_000, "t"),
            ("5.8.5", 1, "Mm3"),
            ("5.1.1", 1_000_000, "t"),
        ],
    )
    sums, totals = inv.sums(), inv.totals()
    assert sums["hg_input_kg"] == pytest.approx(166)
    assert totals["hg_input_kg"] == pytest.approx(150 + 1 + 0.1 + 0)
    assert sums["land_kg"] == pytest.approx(0.8)
    assert totals["land_kg"] == pytest.approx(0)
    assert sums["water_kg"] == pytest.approx(0.1 + 2.5)
    assert totals["water_kg"] == pytest.approx(0.1)
    assert totals["releases_kg"] == pytest.approx(166 - 0.8 - 2.5)
    # the rows themselves still show 100 %
    assert row_of(inv, "5.7.1").hg_input_kg == pytest.approx(10)


def test_group_summary_adds_up_to_the_national_totals(make_workbook):
    inv = run(make_workbook, [("5.1.1", 1e6, "t"), ("5.7.1", 1e4, "t"), ("5.9.1", 100, "corpses")])
    groups = inv.group_summary()
    totals = inv.totals()
    assert groups["hg_input_kg"].sum() == pytest.approx(totals["hg_input_kg"])
    assert groups["releases_kg"].sum() == pytest.approx(totals["releases_kg"])
    assert list(groups["source_group"]) == [
        "Extraction and use of fuels/energy sources",
        "Waste incineration and burning",
        "Crematoria and cemeteries",
    ]


def test_notation_keys_and_blanks_are_kept_but_not_computed(make_workbook):
    inv = run(
        make_workbook,
        [
            ("5.1.1", "NO", "t"),
            ("5.1.2", "ne", "t"),
            ("5.1.3a", None, "t"),
            ("5.9.1", 10, "corpses"),
        ],
    )
    assert list(inv.results["code"]) == ["5.9.1"]
    presence = inv.sources.set_index("code")["presence"]
    assert presence["5.1.1"] == "NO"
    assert presence["5.1.2"] == "NE"
    assert presence["5.1.3a"] == "not reported"
    assert presence["5.9.1"] == "quantified"
    assert len(inv.sources) == 65


def test_results_say_which_factor_and_version_produced_them(make_workbook, factors):
    r = row_of(run(make_workbook, [("5.9.1", 10, "corpses")]), "5.9.1")
    assert r.factor_id == f"unep-toolkit-l1@{factors.version}:5.9.1"
    assert "UNEP-L1 v2.1" in r.factor_source
    assert r.status == "recalled"


def test_population_based_rows_need_the_country_population(make_workbook):
    path = make_workbook(
        [("5.5.1", 1_000_000, "inhabitants")], country_rows=[("country", "X"), ("year", 2020)]
    )
    with pytest.raises(ActivityError) as info:
        compute(read_activity(path))
    assert "population-needed" in [p.code for p in info.value.problems]


def test_unit_of_the_wrong_kind_is_an_error_at_its_cell(make_workbook):
    path = make_workbook([("5.1.1", 5, "m3")])
    with pytest.raises(ActivityError) as info:
        compute(read_activity(path))
    [p] = info.value.errors
    assert (p.code, p.sheet, p.cell, p.found) == ("unit-wrong-kind", "activity", "C2", "m3")
    assert "t (coal combusted" in p.expected
