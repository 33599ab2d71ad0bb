"""Level 2 physics a Toolkit trainer checks by hand (issue 23, item 7).

- Cyanidation of amalgamation tailings adds to the base split: it moves the mercury left in
  the tailings (the land share) and never lowers the air of amalgam burning.
- Coal washed abroad brings the washed coal's mercury; its washing rejects are not national.
- Coal contents on a dry basis are converted to the tonnes as received with the moisture.
- Landfill air share and the input weights of the waste rows.

Hand values use factors/level2/*.csv (cyanidation: of the tailings' Hg 0.1 to air, 0.4 to
water, 0.5 stays; coal-washing passes 0.7; coal-esp air 0.75, ash 0.25; coal-usa-utility
0.10 g/t dry; coal-china 0.15 g/t dry) and factors/toolkit_level1.csv (5.2.2b 1 kg Hg/kg Au,
air 0.75, water 0.125, land 0.125; 5.8.1 air 0.003, water 0.0001; waste weight 0.1).
"""

import csv

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import ActivityError
from hginventory.engine.level2 import worst_practices

from .conftest import EXAMPLES, write_workbook

HEADER = [
    "code",
    "facility",
    "activity",
    "unit",
    "input_type",
    "hg_content",
    "control",
    "measured_input_kg",
    "moisture_pct",
    "washed_abroad",
]


def with_facilities(path, activity, facilities):
    write_workbook(path, activity)
    wb = load_workbook(path)
    ws = wb.create_sheet("facilities")
    ws.append(HEADER)
    for f in facilities:
        ws.append([f.get(h) for h in HEADER])
    wb.save(path)
    return path


@pytest.fixture
def run(tmp_path):
    counter = iter(range(1000))

    def go(activity, facilities):
        path = with_facilities(tmp_path / f"f{next(counter)}.xlsx", activity, facilities)
        inv = compute(read_activity(path))
        rows = {r["facility"]: r for r in inv.results.to_dict("records") if r["facility"]}
        return inv, rows

    return go


def kg(row) -> dict:
    return {p: row[f"{p}_kg"] for p in PATHWAYS}


@pytest.fixture(scope="module")
def level2_example(tmp_path_factory):
    """The Level 2 example computed once through the CLI: its CSV rows by facility."""
    out = tmp_path_factory.mktemp("l2") / "inv.xlsx"
    result = CliRunner().invoke(
        main, ["compute", str(EXAMPLES / "valdoria-2021-level2.xlsx"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.with_suffix(".csv").open(encoding="utf-8") as f:
        rows = {r["facility"]: r for r in csv.DictReader(f) if r["facility"]}
    return out, rows, result.output


def test_rio_verde_cyanidation_keeps_the_air_of_amalgam_burning(level2_example):
    # 1,500 kg Au x 1 kg Hg/kg Au = 1,500 kg Hg; 5.2.2b split: air 1,125, water 187.5,
    # land 187.5 (tailings). Cyanidation moves the 187.5 kg: 18.75 to air, 75 to water,
    # 93.75 stay. Air 1,143.75 (never the 375 kg of the old replacing split).
    _out, rows, _ = level2_example
    rio = rows["Rio Verde cooperatives"]
    assert float(rio["hg_input_kg"]) == pytest.approx(1500)
    assert float(rio["air_kg"]) == pytest.approx(1143.75)
    assert float(rio["water_kg"]) == pytest.approx(262.5)
    assert float(rio["land_kg"]) == pytest.approx(93.75)
    assert float(rio["air_kg"]) >= 1125


@pytest.mark.parametrize("code", ["5.2.2a", "5.2.2b", "5.2.2c"])
@pytest.mark.parametrize("control", ["", "asgm-national-average"])
def test_cyanidation_never_lowers_a_pathway_other_than_the_tailings(run, code, control):
    cyanided = (control + " + " if control else "") + "asgm-cyanidation-of-tailings"
    facilities = [
        {"code": code, "facility": "base", "activity": 100, "unit": "kg", "control": control},
        {"code": code, "facility": "cyanided", "activity": 100, "unit": "kg", "control": cyanided},
    ]
    _inv, rows = run([(code, 200, "kg")], facilities)
    base, cyan = kg(rows["base"]), kg(rows["cyanided"])
    assert sum(cyan.values()) == pytest.approx(sum(base.values()))
    assert cyan["air"] == pytest.approx(base["air"] + 0.1 * base["land"])
    assert cyan["water"] == pytest.approx(base["water"] + 0.4 * base["land"])
    assert cyan["land"] == pytest.approx(0.5 * base["land"])


def test_cyanidation_is_named_a_worst_practice_in_report_and_workbook(level2_example, tmp_path):
    out, _rows, _ = level2_example
    inv = compute(read_activity(EXAMPLES / "valdoria-2021-level2.xlsx"))
    flagged = worst_practices(inv)
    assert flagged["facility"].tolist() == ["Rio Verde cooperatives"]
    assert flagged["annex_c"].tolist() == ["1(d)"]
    line = "Worst practice (Minamata Convention Annex C, paragraph 1(d)): Rio Verde cooperatives"
    sheet = [r for r in load_workbook(out)["Facilities"].iter_rows(values_only=True)]
    assert any(line in str(v) for r in sheet for v in r if v)
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["report", str(EXAMPLES / "valdoria-2021-level2.xlsx"), "-o", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert line in report.read_text(encoding="utf-8")


def test_a_level1_inventory_flags_no_worst_practice():
    inv = compute(read_activity(EXAMPLES / "valdoria-2021.xlsx"))
    assert worst_practices(inv).empty


def test_northgate_washed_abroad_brings_washed_coal_and_no_national_rejects(level2_example):
    # 2,000,000 t x 0.15 g/t dry x (1 - 0.09) x 0.7 (Hg left in washed coal) = 191.1 kg;
    # coal-esp: air 0.75 = 143.325 kg, ash 0.25 = 47.775 kg. No washing rejects in the country.
    _out, rows, _ = level2_example
    north = rows["Northgate power station"]
    assert float(north["hg_input_kg"]) == pytest.approx(191.1)
    assert float(north["air_kg"]) == pytest.approx(143.325)
    assert float(north["sector_treatment_kg"]) == pytest.approx(47.775)


def test_washing_at_home_counts_the_rejects_washing_abroad_does_not(run):
    # 1,000,000 t x 0.15 g/t (no moisture) = 150 kg as mined.
    # at home: rejects 45 kg + ash 105 x 0.25 = 26.25 -> sector 71.25; air 78.75; input 150.
    # abroad: input 105 kg (washed coal), air 78.75, ash 26.25.
    common = {"code": "5.1.1", "activity": 1e6, "unit": "t", "hg_content": 0.15}
    facilities = [
        {**common, "facility": "home", "control": "coal-washing + coal-esp"},
        {
            **common,
            "facility": "abroad",
            "control": "coal-washing + coal-esp",
            "washed_abroad": "yes",
        },
    ]
    _inv, rows = run([("5.1.1", 2e6, "t")], facilities)
    home, abroad = rows["home"], rows["abroad"]
    assert home["hg_input_kg"] == pytest.approx(150)
    assert kg(home)["sector_treatment"] == pytest.approx(71.25)
    assert abroad["hg_input_kg"] == pytest.approx(105)
    assert kg(abroad)["sector_treatment"] == pytest.approx(26.25)
    assert kg(home)["air"] == pytest.approx(kg(abroad)["air"]) == pytest.approx(78.75)


def test_french_oui_means_washed_abroad(run):
    common = {"code": "5.1.1", "activity": 1e6, "unit": "t", "hg_content": 0.15}
    facilities = [
        {**common, "facility": "A", "control": "coal-washing + coal-esp", "washed_abroad": "oui"}
    ]
    _inv, rows = run([("5.1.1", 1e6, "t")], facilities)
    assert rows["A"]["hg_input_kg"] == pytest.approx(105)


def test_washed_abroad_not_yes_or_no_is_located(tmp_path):
    path = with_facilities(
        tmp_path / "bad.xlsx",
        [("5.1.1", 1e6, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "A",
                "activity": 1e6,
                "unit": "t",
                "control": "coal-washing + coal-esp",
                "washed_abroad": "maybe",
            }
        ],
    )
    with pytest.raises(ActivityError) as exc:
        compute(read_activity(path))
    (p,) = [p for p in exc.value.errors if p.severity == "error"]
    assert (p.code, p.cell, p.found) == ("facility-washed-abroad-value", "J2", "maybe")


def test_washed_abroad_is_for_coal_only(tmp_path):
    path = with_facilities(
        tmp_path / "bad.xlsx",
        [("5.7.1", 1e5, "t")],
        [
            {
                "code": "5.7.1",
                "facility": "A",
                "activity": 1e5,
                "unit": "t",
                "control": "inc-none",
                "washed_abroad": "yes",
            }
        ],
    )
    with pytest.raises(ActivityError) as exc:
        compute(read_activity(path))
    (p,) = [p for p in exc.value.errors if p.severity == "error"]
    assert (p.code, p.cell) == ("facility-washed-abroad-not-coal", "J2")


def test_washed_abroad_without_washing_warns_and_takes_the_content_as_washed(run):
    common = {"code": "5.1.1", "activity": 1e6, "unit": "t", "hg_content": 0.1}
    inv, rows = run(
        [("5.1.1", 1e6, "t")],
        [{**common, "facility": "A", "control": "coal-esp", "washed_abroad": "yes"}],
    )
    assert rows["A"]["hg_input_kg"] == pytest.approx(100)
    assert ("facility-washed-abroad-no-washing", "J2") in [(w.code, w.cell) for w in inv.warnings]


def test_moisture_converts_a_dry_basis_content_to_coal_as_received(run):
    # coal-usa-utility: 0.10 g/t dry; 1,000,000 t as received at 12 % moisture hold
    # 880,000 t dry -> 88 kg Hg.
    common = {"code": "5.1.1", "activity": 1e6, "unit": "t", "input_type": "coal-usa-utility"}
    inv, rows = run(
        [("5.1.1", 2e6, "t")],
        [
            {**common, "facility": "wet", "control": "coal-none", "moisture_pct": 12},
            {**common, "facility": "unknown", "control": "coal-none"},
        ],
    )
    assert rows["wet"]["hg_input_kg"] == pytest.approx(88)
    assert "12 % moisture" in rows["wet"]["basis"]
    # no moisture given: no correction (an upper bound), said as a warning at the cell
    assert rows["unknown"]["hg_input_kg"] == pytest.approx(100)
    (warning,) = [w for w in inv.warnings if w.code == "facility-moisture-missing"]
    assert warning.cell == "I3" and "coal-usa-utility" in str(warning)  # names the input type


def test_moisture_of_100_per_cent_is_refused_at_its_cell(tmp_path):
    path = with_facilities(
        tmp_path / "bad.xlsx",
        [("5.1.1", 1e6, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "A",
                "activity": 1e6,
                "unit": "t",
                "input_type": "coal-china",
                "control": "coal-esp",
                "moisture_pct": 100,
            }
        ],
    )
    with pytest.raises(ActivityError) as exc:
        compute(read_activity(path))
    (p,) = [p for p in exc.value.errors if p.severity == "error"]
    assert (p.code, p.cell) == ("facility-moisture-range", "I2")


def test_moisture_beside_a_facility_content_is_not_used_and_said(run):
    inv, rows = run(
        [("5.1.1", 1e6, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "A",
                "activity": 1e6,
                "unit": "t",
                "hg_content": 0.1,
                "control": "coal-esp",
                "moisture_pct": 10,
            }
        ],
    )
    assert rows["A"]["hg_input_kg"] == pytest.approx(100)
    assert ("facility-moisture-not-used", "I2") in [(w.code, w.cell) for w in inv.warnings]


def test_landfill_air_share_lies_in_the_range_its_note_cites(make_workbook):
    # 5.8.1: 2,900,000 t x 1 g/t = 2,900 kg; air 0.3 % = 8.7 kg (cited 0.075-1.32 %);
    # water 0.29 kg; retained 2,891.01 kg; 10 % counts in the national input: 290 kg.
    inv = compute(read_activity(make_workbook([("5.8.1", 2_900_000, "t")])))
    (row,) = inv.results[inv.results["code"] == "5.8.1"].to_dict("records")
    assert row["hg_input_kg"] == pytest.approx(2900)
    assert row["air_kg"] == pytest.approx(8.7)
    assert 0.00075 <= row["air"] <= 0.0132
    assert row["water_kg"] == pytest.approx(0.29)
    assert row["sector_treatment_kg"] == pytest.approx(2891.01)
    assert row["hg_input_kg"] * row["input_total_weight"] == pytest.approx(290)


@pytest.mark.parametrize("code", ["5.7.4", "5.8.2", "5.8.3"])
def test_waste_rows_count_a_tenth_of_their_input_like_the_others(code):
    from hginventory.tables.factors import load_factors

    factors = load_factors()
    assert factors[code].input_total_weight == 0.1
    assert factors[code].input_total_weight == factors["5.8.1"].input_total_weight


def test_sewage_sludge_incineration_counts_one_tenth(make_workbook):
    # 10,000 t dry sludge x 1 g/t = 10 kg; 1 kg counts in the national input
    inv = compute(read_activity(make_workbook([("5.7.4", 10_000, "t")])))
    (row,) = inv.results[inv.results["code"] == "5.7.4"].to_dict("records")
    assert row["hg_input_kg"] == pytest.approx(10)
    assert row["hg_input_kg"] * row["input_total_weight"] == pytest.approx(1)


def test_an_old_facilities_sheet_without_the_new_columns_reads_as_before(tmp_path):
    # no moisture_pct or washed_abroad column: washing at home, content as given
    write_workbook(tmp_path / "old.xlsx", [("5.1.1", 1e6, "t")])
    wb = load_workbook(tmp_path / "old.xlsx")
    ws = wb.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "unit", "hg_content", "control"])
    ws.append(["5.1.1", "A", 1e6, "t", 0.15, "coal-washing + coal-esp"])
    wb.save(tmp_path / "old.xlsx")
    inv = compute(read_activity(tmp_path / "old.xlsx"))
    (row,) = [r for r in inv.results.to_dict("records") if r["facility"]]
    assert row["hg_input_kg"] == pytest.approx(150)
    assert row["sector_treatment_kg"] == pytest.approx(71.25)
    assert not inv.warnings


def test_an_addition_before_its_control_is_refused_at_the_control_cell(tmp_path):
    path = with_facilities(
        tmp_path / "bad.xlsx",
        [("5.2.2a", 100, "kg")],
        [
            {
                "code": "5.2.2a",
                "facility": "A",
                "activity": 100,
                "unit": "kg",
                "control": "asgm-cyanidation-of-tailings + asgm-national-average",
            }
        ],
    )
    with pytest.raises(ActivityError) as exc:
        compute(read_activity(path))
    (p,) = [p for p in exc.value.errors if p.severity == "error"]
    assert (p.code, p.cell) == ("facility-control-order", "G2")
    assert "before an addition" in p.message  # which of the order's rules


def test_an_addition_row_without_acts_on_is_refused_by_line_and_field(tmp_path):
    import shutil

    from hginventory.core.errors import FactorTableError
    from hginventory.tables.factors import factors_dir
    from hginventory.tables.level2 import load_level2

    folder = tmp_path / "factors" / "level2"
    shutil.copytree(factors_dir() / "level2", folder)
    shutil.copy(factors_dir() / "documents.csv", tmp_path / "factors" / "documents.csv")
    text = (folder / "configurations.csv").read_text(encoding="utf-8")
    assert ",addition,land," in text
    (folder / "configurations.csv").write_text(
        text.replace(",addition,land,", ",addition,,"), encoding="utf-8"
    )
    with pytest.raises(FactorTableError) as exc:
        load_level2(folder)
    (p,) = exc.value.problems
    assert p.code == "level2-table-invalid" and "id asgm-cyanidation-of-tailings" in p.cell
    assert "acts_on" in p.message  # the code is the whole table's: the message names the field


def test_a_french_template_offers_oui_non_for_washed_abroad_and_reads_it_back(tmp_path):
    path = tmp_path / "modele.xlsx"
    result = CliRunner().invoke(main, ["template", "--lang", "fr", "-o", str(path)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    ws = wb["facilities"]
    header = [c.value for c in ws[1]]
    assert {"moisture_pct", "washed_abroad"} <= set(header)
    letter = ws.cell(row=1, column=header.index("washed_abroad") + 1).column_letter
    (rule,) = [v for v in ws.data_validations.dataValidation if f"{letter}2" in str(v.sqref)]
    assert rule.formula1 == '"oui,non"'
    # a focal point picks "oui" from the list for an imported washed coal
    fields = {r[0].value: r[1] for r in wb["country"].iter_rows() if r[0].value}
    fields["country"].value, fields["year"].value = "Valdoria", 2021
    at = {name: i + 1 for i, name in enumerate(header)}
    row = {
        "code": "5.1.1",
        "facility": "Import",
        "activity": 1e6,
        "hg_content": 0.15,
        "control": "coal-washing + coal-esp",
        "washed_abroad": "oui",
    }
    for name, value in row.items():
        ws.cell(row=2, column=at[name], value=value)
    wb.save(path)
    inv = compute(read_activity(path))
    (fac,) = [r for r in inv.results.to_dict("records") if r["facility"]]
    assert fac["hg_input_kg"] == pytest.approx(105)
