"""Level 2: a focal point describes plants, kilns, mines and incinerators one by one.

Hand calculations use the values of factors/level2/*.csv and the Level 1 defaults
(coal 0.15 g/t, cement 0.1 g/t, whole-ore ASGM 3 kg Hg/kg Au, municipal waste 1 g/t,
waste water 5 mg/m3).
"""

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import ActivityError, FactorTableError
from hginventory.engine.level2 import article8_table
from hginventory.tables.factors import factors_dir
from hginventory.tables.level2 import load_level2

from .conftest import EXAMPLES, write_workbook

HEADER = [
    "code",
    "facility",
    "activity",
    "unit",
    "capacity",
    "utilisation",
    "input_type",
    "hg_content",
    "hg_content_unit",
    "control",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
    "notes",
]


def with_facilities(path: Path, activity, facilities: list[dict]) -> Path:
    """An activity workbook plus a `facilities` sheet; facility rows given by column name."""
    write_workbook(path, activity)
    wb = load_workbook(path)
    ws = wb.create_sheet("facilities")
    ws.append(HEADER)
    for f in facilities:
        ws.append([f.get(h) for h in HEADER])
    wb.save(path)
    return path


@pytest.fixture
def inventory(tmp_path):
    counter = iter(range(10_000))

    def run(activity, facilities):
        path = with_facilities(tmp_path / f"l2-{next(counter)}.xlsx", activity, facilities)
        return compute(read_activity(path))

    return run


@pytest.fixture
def errors_of(tmp_path):
    def run(activity, facilities) -> list:
        path = with_facilities(tmp_path / "bad.xlsx", activity, facilities)
        with pytest.raises(ActivityError) as exc:
            compute(read_activity(path))
        return exc.value.errors

    return run


def outputs(row) -> dict:
    return {p: getattr(row, f"{p}_kg") for p in PATHWAYS}


def facility_rows(inv):
    return [r for r in inv.results.itertuples(index=False) if r.facility]


# Every control configuration with its hand calculation: (code, activity, unit, expected kg).
HAND = {
    "coal-none": ("5.1.1", 1e6, "t", {"air": 150}),
    "coal-pm-only": ("5.1.1", 1e6, "t", {"air": 135, "sector_treatment": 15}),
    "coal-esp": ("5.1.1", 1e6, "t", {"air": 112.5, "sector_treatment": 37.5}),
    "coal-ff": ("5.1.1", 1e6, "t", {"air": 45, "sector_treatment": 105}),
    "coal-esp-wfgd": ("5.1.1", 1e6, "t", {"air": 75, "byproducts": 30, "sector_treatment": 45}),
    "coal-sda-ff": ("5.1.2", 1e6, "t", {"air": 97.5, "sector_treatment": 52.5}),
    "coal-scr-esp-wfgd": ("5.1.1", 1e6, "t", {"air": 60, "byproducts": 45, "sector_treatment": 45}),
    "coal-aci-ff": ("5.1.1", 1e6, "t", {"air": 15, "sector_treatment": 135}),
    # washing: 30 % to rejects, the 70 % left is burnt without control
    "coal-washing + coal-none": ("5.1.1", 1e6, "t", {"air": 105, "sector_treatment": 45}),
    "cement-dust-recycled": ("5.3.1", 1e6, "t", {"air": 90, "byproducts": 10}),
    "cement-dust-to-cement": ("5.3.1", 1e6, "t", {"air": 60, "byproducts": 40}),
    "cement-dust-shuttling": (
        "5.3.1",
        1e6,
        "t",
        {"air": 40, "byproducts": 10, "sector_treatment": 50},
    ),
    # 300 kg Hg at the 5.2.2a split (air 90, water 105, land 105); cyanidation moves the land
    # 105 kg: 0.1 to air, 0.4 to water, 0.5 stays
    "asgm-cyanidation-of-tailings": (
        "5.2.2a",
        100,
        "kg",
        {"air": 100.5, "water": 147, "land": 52.5},
    ),
    # after the national average (air 105, water 97.5, land 97.5): land 97.5 moved
    "asgm-national-average + asgm-cyanidation-of-tailings": (
        "5.2.2a",
        100,
        "kg",
        {"air": 114.75, "water": 136.5, "land": 48.75},
    ),
    "asgm-national-average": ("5.2.2a", 100, "kg", {"air": 105, "water": 97.5, "land": 97.5}),
    "inc-none": ("5.7.1", 100_000, "t", {"air": 100}),
    "inc-pm-only": ("5.7.1", 100_000, "t", {"air": 90, "sector_treatment": 10}),
    "inc-pm-acid-gas": ("5.7.1", 100_000, "t", {"air": 39.3, "sector_treatment": 60.7}),
    "inc-aci": ("5.7.1", 100_000, "t", {"air": 10, "sector_treatment": 90}),
    "ww-untreated": ("5.8.5", 10, "Mm3", {"water": 50}),
    "ww-mechanical": ("5.8.5", 10, "Mm3", {"water": 40, "sector_treatment": 10}),
    "ww-biological": ("5.8.5", 10, "Mm3", {"water": 25, "sector_treatment": 25}),
}


def test_every_control_configuration_has_a_hand_calculation():
    tables = load_level2()
    covered = {part.strip() for key in HAND for part in key.split("+")}
    assert set(tables.configs) == covered


@pytest.mark.parametrize("control", list(HAND))
def test_control_configuration_by_hand(inventory, control):
    code, amount, unit, expected = HAND[control]
    inv = inventory(
        [(code, amount, unit)],
        [
            {
                "code": code,
                "facility": "Plant A",
                "activity": amount,
                "unit": unit,
                "control": control,
            }
        ],
    )
    (row,) = inv.results.itertuples(index=False)  # the facility covers the whole activity
    assert row.facility == "Plant A" and row.method == "level2"
    got = outputs(row)
    for p in PATHWAYS:
        assert got[p] == pytest.approx(expected.get(p, 0.0), rel=1e-12, abs=1e-12), p
    assert row.hg_input_kg == pytest.approx(sum(expected.values()), rel=1e-12)
    assert control.split("+")[-1].strip() in row.factor_id


@pytest.mark.parametrize(
    "input_type, kg",
    [
        ("coal-usa-utility", 100),
        ("coal-usa-inground", 170),
        ("coal-china", 150),
        ("coal-china-zheng", 190),
        ("coal-india", 90),
    ],
)
def test_coal_input_types_by_hand(inventory, input_type, kg):
    inv = inventory(
        [("5.1.1", 1_000_000, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "P",
                "activity": 1_000_000,
                "input_type": input_type,
                "control": "coal-esp",
            }
        ],
    )
    (row,) = facility_rows(inv)
    assert row.hg_input_kg == pytest.approx(kg)
    assert row.air_kg == pytest.approx(kg * 0.75)
    assert f"hginv-level2@{load_level2().version}:{input_type}" in row.factor_id


def test_measured_hg_content_in_mg_per_kg_and_cement_co_incineration(inventory):
    inv = inventory(
        [("5.1.1", 2_000_000, "t"), ("5.3.1", 1_000_000, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "Coal plant",
                "activity": 2,
                "unit": "Mt",
                "hg_content": 0.2,
                "hg_content_unit": "mg/kg",
            },
            # 1,000,000 t x 0.05 g/t + 10,000 t waste x 1 g/t = 50 + 10 kg
            {
                "code": "5.3.1",
                "facility": "Kiln",
                "activity": 1_000_000,
                "hg_content": 0.05,
                "coincinerated_waste_t": 10_000,
                "control": "cement-dust-to-cement",
            },
        ],
    )
    coal, kiln = facility_rows(inv)
    assert coal.hg_input_kg == pytest.approx(400)  # 2e6 t x 0.2 g/t
    assert coal.air_kg == pytest.approx(360) and coal.sector_treatment_kg == pytest.approx(40)
    assert kiln.hg_input_kg == pytest.approx(60)
    assert kiln.air_kg == pytest.approx(36) and kiln.byproducts_kg == pytest.approx(24)
    assert "cement-coincinerated-waste" in kiln.factor_id
    assert len(inv.results) == 2  # both national rows fully covered


def test_remainder_is_computed_at_level1_defaults(inventory):
    inv = inventory(
        [("5.1.1", 6_500_000, "t", "national energy balance")],
        [
            {"code": "5.1.1", "facility": "A", "activity": 3_000_000, "control": "coal-ff"},
            {"code": "5.1.1", "facility": "B", "activity": 2.5, "unit": "Mt"},
        ],
    )
    rest, a, b = inv.results.itertuples(index=False)
    assert (rest.facility, rest.method, rest.activity) == ("", "default", 1_000_000)
    assert rest.hg_input_kg == pytest.approx(150) and rest.air_kg == pytest.approx(135)
    assert a.air_kg == pytest.approx(450 * 0.3) and a.sector_treatment_kg == pytest.approx(315)
    # no control given: Level 1 distribution factors on the facility's own activity
    assert b.hg_input_kg == pytest.approx(375) and b.air_kg == pytest.approx(337.5)
    # no double counting, no lost activity: same input as the national row at Level 1
    assert inv.results["hg_input_kg"].sum() == pytest.approx(6_500_000 * 0.15 / 1000)


@settings(max_examples=25, deadline=None)
@given(
    national=st.floats(1.0, 1e7),
    shares=st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=1, max_size=4),
    controls=st.lists(st.sampled_from(["", "inc-none", "inc-pm-acid-gas", "inc-aci"]), min_size=4),
)
def test_no_double_counting_and_no_lost_activity(tmp_path_factory, national, shares, controls):
    """Whatever the facilities, the activity of a code adds up to the national row, the Hg
    input is unchanged (the controls only move it between pathways) and every row balances."""
    scale = sum(shares) or 1.0
    parts = [national * s / scale * 0.999 for s in shares]
    path = with_facilities(
        tmp_path_factory.mktemp("h") / "h.xlsx",
        [("5.7.1", national, "t")],
        [
            {"code": "5.7.1", "facility": f"F{i}", "activity": a, "control": c}
            for i, (a, c) in enumerate(zip(parts, controls, strict=False))
        ],
    )
    inv = compute(read_activity(path))
    r = inv.results
    assert r["activity"].sum() == pytest.approx(national, rel=1e-9)
    assert r["hg_input_kg"].sum() == pytest.approx(national * 1e-3, rel=1e-9)
    for row in r.itertuples(index=False):
        assert sum(outputs(row).values()) == pytest.approx(row.hg_input_kg, rel=1e-12)


def test_facilities_above_the_national_row_are_an_error_at_the_activity_cell(errors_of):
    (err,) = errors_of(
        [("5.1.1", 1_000_000, "t")],
        [
            {"code": "5.1.1", "facility": "A", "activity": 800_000},
            {"code": "5.1.1", "facility": "B", "activity": 300_000},
        ],
    )
    assert (err.sheet, err.cell) == ("activity", "B2")
    assert err.code == "facilities-above-national" and "1,100,000" in err.message


def test_facilities_without_a_national_row_are_counted(inventory):
    inv = inventory(
        [("5.1.2", 100, "t")],
        [{"code": "5.1.1", "facility": "Only plant", "activity": 1_000_000}],
    )
    assert list(inv.results["code"]) == ["5.1.1", "5.1.2"]
    assert inv.results.iloc[0]["hg_input_kg"] == pytest.approx(150)
    src = inv.sources.set_index("code")
    assert src.at["5.1.1", "presence"] == "quantified"
    assert "1 facility" in src.at["5.1.1", "detail"]


def test_capacity_times_utilisation(inventory):
    inv = inventory(
        [("5.4.1a", 48_000, "t")],
        [{"code": "5.4.1a", "facility": "Clor", "capacity": 60_000, "utilisation": 80}],
    )
    (row,) = inv.results.itertuples(index=False)
    assert row.activity == 48_000 and row.hg_input_kg == pytest.approx(48_000 * 25 / 1000)


def test_measured_input_replaces_the_factor(inventory):
    inv = inventory(
        [("5.4.1a", 50_000, "t")],
        [{"code": "5.4.1a", "facility": "Clor", "activity": 48_000, "measured_input_kg": 950}],
    )
    rest, plant = inv.results.itertuples(index=False)
    assert plant.method == "measured" and plant.hg_input_kg == 950
    assert plant.air_kg == pytest.approx(190) and plant.sector_treatment_kg == pytest.approx(731.5)
    assert rest.activity == pytest.approx(2_000) and rest.hg_input_kg == pytest.approx(50)


def test_measured_air_keeps_the_balance(inventory):
    # input 150 kg (1e6 t x 0.15 g/t); stack 30 kg; the 120 kg left follow the ESP + FGD split
    inv = inventory(
        [("5.1.1", 1_000_000, "t")],
        [
            {
                "code": "5.1.1",
                "facility": "P",
                "activity": 1_000_000,
                "control": "coal-esp-wfgd",
                "measured_air_kg": 30,
            }
        ],
    )
    (row,) = inv.results.itertuples(index=False)
    assert row.method == "measured"
    assert row.air_kg == 30
    assert row.byproducts_kg == pytest.approx(120 * 0.2 / 0.5)
    assert row.sector_treatment_kg == pytest.approx(120 * 0.3 / 0.5)


@pytest.mark.parametrize(
    "facility, column, code",
    [
        ({"code": "5.1.9"}, "A", "facility-code-not-level2"),
        ({"code": "5.4.5"}, "A", "facility-code-not-level2"),
        ({"activity": "1,234"}, "C", "number-unreadable"),
        ({"activity": None}, "C", "facility-activity-missing"),
        ({"unit": "m3"}, "D", "unit-wrong-kind"),
        ({"utilisation": 80, "capacity": 10, "activity": None, "unit": "t"}, None, None),
        ({"input_type": "coal-mars"}, "G", "facility-input-type-unknown"),
        ({"input_type": "cement-coincinerated-waste"}, "G", "facility-input-type-unknown"),
        ({"hg_content": 0.1, "hg_content_unit": "mg/m3"}, "I", "facility-hg-content-unit"),
        ({"control": "esp"}, "J", "facility-control-unknown"),
        ({"control": "inc-aci"}, "J", "facility-control-unknown"),
        ({"control": "coal-washing"}, "J", "facility-control-order"),
        ({"control": "coal-esp + coal-washing"}, "J", "facility-control-order"),
        ({"coincinerated_waste_t": 100}, "K", "facility-coincineration-not-cement"),
        ({"measured_air_kg": 1000}, "M", "facility-measured-air-above-input"),
        ({"measured_air_kg": 10, "control": "coal-none"}, "M", "facility-rest-without-pathway"),
        ({"facility": ""}, "B", "facility-name-empty"),
        ({"measured_input_kg": -5}, "L", "facility-value-negative"),
    ],
)
def test_bad_facility_rows_are_located(tmp_path, facility, column, code):
    row = {"code": "5.1.1", "facility": "P", "activity": 100_000, "unit": "t", **facility}
    path = with_facilities(tmp_path / "f.xlsx", [("5.1.1", 1_000_000, "t")], [row])
    if column is None:  # a valid variant, as a control for the others
        assert compute(read_activity(path)).results["hg_input_kg"].sum() > 0
        return
    with pytest.raises(ActivityError) as exc:
        compute(read_activity(path))
    (err,) = exc.value.errors
    assert (err.code, err.sheet, err.cell) == (code, "facilities", f"{column}2"), str(err)


def test_duplicate_facility_and_national_notation(errors_of):
    errs = errors_of(
        [("5.1.1", 1_000_000, "t"), ("5.3.1", "NO", "t")],
        [
            {"code": "5.1.1", "facility": "P", "activity": 1},
            {"code": "5.1.1", "facility": "p", "activity": 1},
            {"code": "5.3.1", "facility": "Kiln", "activity": 1},
        ],
    )
    where = {(e.sheet, e.cell) for e in errs}
    assert ("facilities", "B3") in where  # the same facility twice
    assert ("activity", "B3") in where  # NO on the national row but a kiln described


def test_alternative_activity_conflict_is_an_error(errors_of):
    (err,) = errors_of(
        [("5.2.2a", 100, "kg")],
        [{"code": "5.2.2d", "facility": "Mercury used", "activity": 50}],
    )
    assert err.cell == "A2" and err.code == "facilities-counted-twice"


def test_article8_sums_annex_d_air_emissions(inventory):
    inv = inventory(
        [
            ("5.1.1", 2_000_000, "t"),
            ("5.2.4", 100_000, "t"),
            ("5.7.1", 100_000, "t"),
            ("5.7.5", 100_000, "t"),
            ("5.3.1", 1_000_000, "t"),
        ],
        [{"code": "5.1.1", "facility": "P", "activity": 1_000_000, "control": "coal-ff"}],
    )
    t = article8_table(inv).set_index("codes")
    assert t.at["5.1.1", "air_facilities_kg"] == pytest.approx(45)
    assert t.at["5.1.1", "air_default_kg"] == pytest.approx(135)
    assert t.at["5.2.3, 5.2.4, 5.2.5, 5.2.6", "air_kg"] == pytest.approx(30)  # 300 kg x 0.1
    assert t.at["5.7.1, 5.7.2, 5.7.3, 5.7.4", "air_kg"] == pytest.approx(90)  # no 5.7.5
    assert t.at["5.3.1", "air_kg"] == pytest.approx(80)
    assert t.at["5.1.2", "air_kg"] == 0


def test_level2_tables_are_cited_and_only_checked_values_confirmed():
    tables = load_level2()
    for row in [*tables.inputs.values(), *tables.configs.values()]:
        assert row.document in tables.documents and row.table_page
        if row.status == "confirmed":
            assert row.document == "EMEP-EEA", row.id


def test_shipped_level2_tables_read_without_models_equal_the_validated_ones():
    """Run time reads the shipped tables without pydantic: the same rows, value for value."""
    trusted, validated = load_level2(), load_level2(validate=True)
    assert trusted == validated
    assert all(type(v) is float for r in trusted.configs.values() for v in r.distribution.values())


def test_broken_level2_table_is_reported_by_line_and_field(tmp_path):
    folder = tmp_path / "factors" / "level2"
    shutil.copytree(factors_dir() / "level2", folder)
    shutil.copy(factors_dir() / "documents.csv", tmp_path / "factors" / "documents.csv")
    text = (folder / "configurations.csv").read_text(encoding="utf-8")
    (folder / "configurations.csv").write_text(
        text.replace(
            "coal,coal-ff,Fabric filter (FF),control,,0,0.3,",
            "coal,coal-ff,Fabric filter (FF),control,,0,0.4,",
        ),
        encoding="utf-8",
    )
    with pytest.raises(FactorTableError) as exc:
        load_level2(folder)
    (p,) = exc.value.problems
    assert p.code == "level2-table-invalid" and "line 5 (id coal-ff)" in p.cell
    assert "sum to 1.1" in p.message  # the code is the whole table's: the message says which rule


def test_cli_on_the_mixed_example(tmp_path):
    src = EXAMPLES / "valdoria-2021-level2.xlsx"
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8")))
    assert {r["method"] for r in rows} == {"default", "level2", "measured"}
    measured = {r["facility"] for r in rows if r["method"] == "measured"}
    assert measured == {
        "Ridgeview power station",
        "Sierra Cement",
        "Porto Clor",
        "Eastport hazardous waste incinerator",
    }
    assert all(r["facility"] == "" for r in rows if r["method"] == "default")
    for r in rows:
        total = sum(float(r[f"{p}_kg"]) for p in PATHWAYS)
        assert total == pytest.approx(float(r["hg_input_kg"]), rel=1e-12)
    wb = load_workbook(out, read_only=True)
    assert {"Facilities", "Article 8 and NFR"} <= set(wb.sheetnames)
    assert len(wb.sheetnames) == len(set(wb.sheetnames))
    sheet = list(wb["Facilities"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(sheet) if r[0] == "Code")
    facilities = [r for r in sheet[header + 1 :] if r[0]]
    assert len(facilities) == 15
    assert {r[3] for r in facilities} == {"level2", "measured"}


def test_facility_text_never_becomes_a_formula(tmp_path):
    name = '=HYPERLINK("http://x","click")'
    path = with_facilities(
        tmp_path / "f.xlsx",
        [("5.7.1", 100_000, "t")],
        [
            {
                "code": "5.7.1",
                "facility": name,
                "activity": 1000,
                "control": "INC-PM-ONLY",
                "notes": "+1 note",
            }
        ],
    )
    wb = load_workbook(path)
    wb["facilities"]["B2"].data_type = "s"  # typed as text, e.g. with a leading apostrophe
    wb.save(path)
    inv = compute(read_activity(path))
    from hginventory.write.csv import write_csv
    from hginventory.write.workbook import write_workbook

    rows = list(csv.DictReader(write_csv(inv, tmp_path / "o.csv").open(encoding="utf-8")))
    assert rows[1]["facility"] == "'" + name
    wb = load_workbook(write_workbook(inv, tmp_path / "o.xlsx"))
    cell = wb["Facilities"]["C5"]
    assert cell.value == name and cell.data_type == "s"


def test_level1_workbook_has_article8_sheet_and_no_facilities_sheet(tmp_path, example_path):
    from hginventory.write.workbook import write_workbook

    inv = compute(read_activity(example_path))
    assert set(inv.results["method"]) == {"default"} and set(inv.results["facility"]) == {""}
    wb = load_workbook(write_workbook(inv, tmp_path / "o.xlsx"), read_only=True)
    assert "Article 8 and NFR" in wb.sheetnames and "Facilities" not in wb.sheetnames


def test_facilities_given_from_python(tmp_path, factors):
    """Batch scripts may read the facilities themselves and pass them to compute()."""
    from hginventory.read.facilities import read_facilities

    path = with_facilities(
        tmp_path / "f.xlsx",
        [("5.1.1", 1_000_000, "t")],
        [{"code": "5.1.1", "facility": "P", "activity": 400_000, "control": "coal-ff"}],
    )
    activity = read_activity(path)
    inv = compute(activity, factors, facilities=read_facilities(path))
    assert list(inv.results["method"]) == ["default", "level2"]
    assert inv.metadata["facilities"] == 1 and inv.metadata["level2_table_id"] == "hginv-level2"


def test_a_shipped_table_row_with_more_values_than_columns_is_located(tmp_path):
    """The fast reader of the shipped tables hands such a row to the validating models (it
    crashed on it before, in hginv factors validate too)."""
    folder = tmp_path / "factors" / "level2"
    shutil.copytree(factors_dir() / "level2", folder)
    shutil.copy(factors_dir() / "documents.csv", tmp_path / "factors" / "documents.csv")
    text = (folder / "configurations.csv").read_text(encoding="utf-8")
    (folder / "configurations.csv").write_text(
        text.replace("coal,coal-none,", "coal,coal-none,extra,", 1), encoding="utf-8"
    )
    with pytest.raises(FactorTableError) as exc:
        load_level2(folder, validate=False)
    (p,) = exc.value.problems
    assert p.code == "level2-table-invalid" and "line 2 (id coal-none)" in p.cell
    assert "more values than columns" in p.message  # the code is the whole table's
