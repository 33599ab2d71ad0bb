"""The EMEP/EEA Guidebook cross-check: a confirmed second estimate of every inventory's air.

Expected numbers are worked by hand from the Guidebook rows in factors/emep_eea_hg.csv and the
conversions in factors/emep_mapping.csv (written out as arithmetic below), and from the test
vectors TV1-TV12 of toolkit_level2.md §7.2.
"""

import csv
import functools
import io
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.columns import CSV_COLUMNS
from hginventory.core.errors import FactorTableError
from hginventory.engine.crosscheck import (
    CSV_EXTRA_COLUMNS,
    FLAG_ABOVE,
    FLAG_BELOW,
    FLAG_NOT_MAPPED,
    FLAG_WITHIN,
    add_crosscheck,
    estimate,
)
from hginventory.tables.emep import (
    CrosscheckError,
    load_emep_factors,
    load_emep_mapping,
    parse_conversions,
)
from hginventory.tables.factors import factors_dir
from hginventory.write.csv import write_csv
from hginventory.write.option_sheets import CROSSCHECK_SHEET as SHEET_NAME

from .conftest import EXAMPLES, GOLDEN, codes
from .test_golden import readable_diff

REFERENCE = Path("/work/shared/reference/emep_eea_hg_factors.csv")
EXPORT_COLUMNS = [
    "NFR", "Sector", "Table", "Type", "Technology", "Fuel", "Abatement", "Region",
    "Pollutant", "Value", "Unit", "CI_lower", "CI_upper", "Reference",
]  # fmt: skip


@functools.cache
def _shipped():
    return load_emep_factors()


@pytest.fixture(scope="module")
def emep():
    return _shipped()


@pytest.fixture(scope="module")
def mapping(emep):
    from hginventory.tables.factors import load_factors

    return load_emep_mapping(emep=emep, toolkit=load_factors())


# --- the factor set -----------------------------------------------------------------------------


def test_all_189_rows_are_shipped_confirmed_with_identity(emep):
    assert len(emep) == 189
    assert len({r.row_id for r in emep.rows}) == 189
    assert {r.status for r in emep.rows} == {"confirmed"}
    assert {r.pollutant for r in emep.rows} == {"Hg"}
    assert emep.id == "emep-eea-hg" and emep.version
    assert len(emep.sha256) == 64
    frame = emep.frame()
    assert list(frame.columns) == ["row_id", *EXPORT_COLUMNS, "chapter", "status", "document"]
    assert len(frame) == 189
    assert emep.meta["source_address"].startswith("https://github.com/atmoschem/pega/")
    assert emep.meta["export_date"] == "2026-02-07"


@pytest.mark.skipif(not REFERENCE.is_file(), reason="reference export not on this machine")
def test_every_row_and_column_of_the_export_is_copied_unchanged():
    ours = list(csv.DictReader((factors_dir() / "emep_eea_hg.csv").open(encoding="utf-8")))
    theirs = list(csv.DictReader(REFERENCE.open(encoding="utf-8")))
    assert len(ours) == len(theirs) == 189
    for mine, source in zip(ours, theirs, strict=True):
        assert [mine[c] for c in EXPORT_COLUMNS] == [source[c] for c in EXPORT_COLUMNS]


def test_chapters_follow_the_guidebook(emep):
    chapter = {r.nfr: r.chapter for r in emep.rows}
    assert chapter["1.A.1.a"] == "1.A.1 Energy industries"
    assert chapter["1.A.5.a"] == chapter["1.A.4.b.i"] == "1.A.4 Small combustion"
    assert chapter["5.C.1.b.i"] == chapter["5.C.1.b.iv"] == "5.C.1.b Industrial waste incineration"
    assert chapter["5.C.1.b.v"] == "5.C.1.b.v Cremation"


@pytest.fixture
def table_copy(tmp_path):
    """A copy of the shipped table and its metadata that a test may break."""
    for name in ("emep_eea_hg.csv", "emep_eea_hg.toml", "documents.csv"):
        shutil.copy(factors_dir() / name, tmp_path / name)
    return tmp_path / "emep_eea_hg.csv"


def _edit(path: Path, row_id: str, /, **changes) -> int:
    """Change fields of one row in place; returns the physical line the row starts on."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        if row["row_id"] == row_id:
            row.update(changes)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    key = changes.get("row_id", row_id) + ","
    return next(i for i, line in enumerate(out.getvalue().split("\n"), 1) if line.startswith(key))


def _problems(path) -> list:
    with pytest.raises(FactorTableError) as info:
        load_emep_factors(path)
    assert set(codes(info)) == {"emep-table-invalid"}  # the message says which rule
    return info.value.problems


def test_value_outside_its_interval_is_located(table_copy):
    line = _edit(table_copy, "1.A.1.a_3-2", Value="2.5")
    [p] = _problems(table_copy)
    assert p.file == str(table_copy)
    assert p.cell == f"line {line} (row 1.A.1.a_3-2), field 'CI_upper'"
    assert "outside its interval" in p.message


def test_line_numbers_count_a_quoted_field_that_spans_two_lines(table_copy):
    # 1.B.2.a.iv_3-2 has a two-line Technology; the row after it must still be found by line
    line = _edit(table_copy, "1.B.2.c_3-4", Unit="g/kWh")
    physical = table_copy.read_text(encoding="utf-8").split("\n")
    assert physical[line - 1].startswith("1.B.2.c_3-4")
    [p] = _problems(table_copy)
    assert p.cell == f"line {line} (row 1.B.2.c_3-4), field 'Unit'"
    assert p.found == "g/kWh"


def test_every_bad_field_is_reported_at_once(table_copy):
    _edit(table_copy, "5.C.1.a_3-1", Pollutant="Cd")
    _edit(table_copy, "2.C.5_3-8_dry-esp", Value="1.5")
    _edit(table_copy, "5.E_3-2", CI_lower="")
    _edit(table_copy, "2.K_3-1", document="NOPE")
    _edit(table_copy, "2.G_3-14", row_id="2.G_3-15")
    problems = {(p.cell.split(", field ")[-1], p.message[:30]) for p in _problems(table_copy)}
    fields = {f for f, _ in problems}
    assert {"'Pollutant'", "'Value'", "'CI_upper'", "'document'", "'Table'"} <= fields


def test_duplicate_row_and_missing_column_are_reported(table_copy):
    text = table_copy.read_text(encoding="utf-8")
    lines = text.split("\n")
    table_copy.write_text("\n".join([*lines[:3], lines[1], *lines[3:]]), encoding="utf-8")
    twice, count = _problems(table_copy)
    assert "appears twice (first on line 2)" in twice.message and twice.cell.startswith("line 4")
    assert "has 190 rows" in count.message
    table_copy.write_text(text.replace(",CI_upper,", ",CI_high,", 1), encoding="utf-8")
    [p] = _problems(table_copy)
    assert "missing column CI_upper" in p.message


def test_a_lost_row_is_noticed(table_copy):
    lines = table_copy.read_text(encoding="utf-8").split("\n")
    table_copy.write_text("\n".join(lines[:-3] + lines[-2:]), encoding="utf-8")
    [p] = _problems(table_copy)
    assert "has 188 rows but its metadata says the source has 189" in p.message


def test_changing_one_value_changes_the_hash(table_copy, emep):
    _edit(table_copy, "5.C.1.b.v_3-1", Value="1.5")
    assert load_emep_factors(table_copy).sha256 != emep.sha256


# --- test vectors TV1-TV12 (toolkit_level2.md §7.2) ---------------------------------------------

VECTORS = [
    ("TV1", "1.A.1.a_3-2", 10_000_000, 14.0, 10.2, 23.8),
    ("TV2", "1.A.1.a_3-3", 10_000_000, 29.0, 20.9, 48.8),
    ("TV3", "1.A.4.b.i_3-3", 1_000_000, 5.1, 3, 6),
    ("TV4", "1.A.2.a_3-2", 1_000_000, 7.9, 5, 10),
    ("TV4", "1.A.2.g.viii_3-2", 1_000_000, 7.9, 5, 10),
    ("TV5", "1.A.2.g.viii_3-25", 1_000_000, 49.0, 10, 240),
    ("TV6", "2.B.10.a_3-32", 100_000, 480, 190, 770),
    ("TV7", "5.C.1.a_3-1", 200_000, 3.76, 1.46, 9.66),
    ("TV9", "5.C.1.b.iii_3-1", 5_000, 165, 15, 1_500),
    ("TV10", "5.C.1.b.i_3-1", 50_000, 2.8, 2.0, 4.0),
    ("TV11", "5.C.1.b.iv_3-2", 20_000, 46.0, 4.6, 460),
    ("TV12", "5.C.1.b.v_3-1", 10_000, 14.9, 1.49, 149),
]


@pytest.mark.parametrize("tv, row_id, activity, kg, low, high", VECTORS)
def test_guidebook_test_vectors(emep, tv, row_id, activity, kg, low, high):
    est = estimate(emep[row_id], activity)
    assert (est.kg, est.low_kg, est.high_kg) == pytest.approx((kg, low, high), rel=1e-12)


def test_tv8_tier2_with_abatement_efficiency(emep):
    unabated = emep["5.C.1.a_3-2"]
    abatement = emep["5.C.1.a_3-3_particle-and-acid-gas-abatement"]
    assert estimate(unabated, 200_000).kg == pytest.approx(560)
    est = estimate(unabated, 200_000, abatement)
    assert est.kg == pytest.approx(220.08)
    assert est.low_kg is None and est.high_kg is None  # bounds of two intervals are not one
    with pytest.raises(CrosscheckError):
        estimate(abatement, 1.0)


@settings(max_examples=60, deadline=None)
@given(activity=st.floats(min_value=0, max_value=1e12), index=st.integers(0, 188))
def test_estimate_is_linear_and_inside_its_interval(activity, index):
    row = _shipped().rows[index]
    if row.is_abatement:
        return
    est = estimate(row, activity)
    assert est.kg == pytest.approx(activity * row.value * row.guidebook_unit.to_kg, rel=1e-12)
    if row.ci_lower is not None:
        assert est.low_kg <= est.kg <= est.high_kg


# --- the mapping --------------------------------------------------------------------------------

REQUIRED = {
    "5.1.1", "5.1.2", "5.1.3c", "5.1.3d", "5.1.4c", "5.1.6a", "5.2.3", "5.2.4", "5.2.5",
    "5.2.9", "5.3.1", "5.4.1a", "5.7.1", "5.7.2", "5.7.3", "5.7.4", "5.9.1",
}  # fmt: skip


def test_mapping_covers_the_required_sub_categories(mapping):
    mapped = {r.code for r in mapping.rows if r.mapped}
    assert REQUIRED <= mapped
    for code in ("5.7.5", "5.8.1", "5.8.5"):
        assert mapping[code].match == "none" and "No Hg row" in mapping[code].note
    assert "hazardous waste" in mapping["5.7.2"].note and mapping["5.7.2"].match == "proxy"


def test_a_conversion_not_marked_as_assumption_is_an_identity(mapping):
    for row in mapping.rows:
        if row.mapped and not row.assumption:
            assert row.conversion == 1, row.code
        if row.mapped and row.assumption:
            assert row.conversion_source, row.code


@pytest.fixture
def mapping_copy(tmp_path):
    path = tmp_path / "my_mapping.csv"
    shutil.copy(factors_dir() / "emep_mapping.csv", path)
    return path


def _edit_mapping(path: Path, code: str, **changes) -> int:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["code"] == code:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 2 + [r["code"] for r in rows].index(code)


def test_mapping_problems_are_located(mapping_copy, emep, factors):
    lines = {
        "5.1.1": _edit_mapping(mapping_copy, "5.1.1", toolkit_unit="m3"),
        "5.1.2": _edit_mapping(mapping_copy, "5.1.2", row_id="1.A.2.g.viii_9-99"),
        "5.2.3": _edit_mapping(mapping_copy, "5.2.3", row_id="2.C.6_3-8_dry-esp", nfr="", table=""),
        "5.3.1": _edit_mapping(mapping_copy, "5.3.1", guidebook_unit="GJ"),
        "5.7.1": _edit_mapping(mapping_copy, "5.7.1", conversion="-1"),
        "5.8.1": _edit_mapping(mapping_copy, "5.8.1", row_id="5.C.1.a_3-1"),
        "5.9.1": _edit_mapping(mapping_copy, "5.9.1", table="Table_3-2"),
    }
    with pytest.raises(FactorTableError) as info:
        load_emep_mapping(mapping_copy, emep=emep, toolkit=factors)
    assert set(codes(info)) == {"emep-table-invalid"}  # the message says which rule
    found = {}
    for p in info.value.problems:
        assert p.file == str(mapping_copy)
        found.setdefault(p.cell.split(" (")[0], []).append(p)
    for code, line in lines.items():
        assert f"line {line}" in found, code
    messages = " | ".join(p.message for ps in found.values() for p in ps)
    assert "no such Guidebook row" in messages
    assert "abatement efficiency is not an emission factor" in messages
    assert "is in g/te clinker" in messages
    assert "the Toolkit activity of 5.1.1 is in t (mass)" in messages
    assert "match is none but row_id given" in messages
    assert "does not match Guidebook row 5.C.1.b.v_3-1" in messages


def test_conversion_overrides_are_checked(mapping):
    assert parse_conversions(["5.1.1=21.5", "5.3.1 = 0,68"], mapping) == {
        "5.1.1": 21.5,
        "5.3.1": 0.68,
    }
    with pytest.raises(CrosscheckError) as info:
        parse_conversions(["5.1.1", "5.1.2=-3", "5.9.2=1", "5.1.6a=abc"], mapping)
    assert len(info.value.problems) == 4
    assert all(p.cell.startswith("--conversion ") for p in info.value.problems)


# --- hand-calculated cross-check of every mapped sub-category -------------------------------------

# code, activity, unit, Toolkit air (kg), Guidebook kg, low, high: worked from the two CSVs
HAND = [
    # 2,000 kt coal = 2e6 t x 25.8 GJ/t = 51.6e6 GJ x 1.4 (1.02-2.38) mg/GJ
    # (Toolkit: 2e6 t x 0.15 g/t x air 0.9 = 270 kg)
    ("5.1.1", 2_000, "kt", 270.0, 72.24, 52.632, 122.808),
    # 1e5 t x 25.8 GJ/t = 2.58e6 GJ x 7.9 (5-10) mg/GJ
    ("5.1.2", 100_000, "t", 15.0, 20.382, 12.9, 25.8),
    # 1e6 t crude x 0.0008 (0.0004-0.002) g/Mg
    ("5.1.3b", 1_000_000, "t", 2.5, 0.8, 0.4, 2.0),
    # 1e5 t x 40.4 GJ/t = 4.04e6 GJ x 0.341 (0.17-0.682) mg/GJ
    ("5.1.3c", 100_000, "t", 1.0, 1.37764, 0.6868, 2.75528),
    # 1e6 t x 43 GJ/t = 43e6 GJ x 0.12 (0.04-0.17) mg/GJ
    ("5.1.3d", 1_000_000, "t", 10.0, 5.16, 1.72, 7.31),
    # 1,000 MNm3 = 1e9 Nm3 x 0.036 GJ/Nm3 = 36e6 GJ x 0.1 (0.0013-0.68) mg/GJ
    ("5.1.4c", 1_000, "MNm3", 0.1, 3.6, 0.0468, 24.48),
    # 1e6 t x 15.6 GJ/t = 15.6e6 GJ x 1.51 (0.903-2.11) mg/GJ
    ("5.1.6a", 1_000_000, "t", 30.0, 23.556, 14.0868, 32.916),
    # 10 kt = 1e4 t x 29.5 GJ/t = 295,000 GJ x 0.56 (0.2-1) mg/GJ
    ("5.1.6b", 10, "kt", 0.3, 0.1652, 0.059, 0.295),
    # 1e6 MWh x 0.44 (0.26-1.3) g/MWh
    ("5.1.7", 1_000_000, "MWh", 440.0, 440.0, 260.0, 1_300.0),
    # 2e5 t concentrate x 0.5 = 1e5 t zinc x 5 (2-8) g/Mg
    ("5.2.3", 200_000, "t", 160.0, 500.0, 200.0, 800.0),
    # 4e5 t concentrate x 0.25 = 1e5 t copper x 0.031 (0.021-0.052) g/Mg
    ("5.2.4", 400_000, "t", 120.0, 3.1, 2.1, 5.2),
    # 1e5 t concentrate x 0.6 = 6e4 t lead x 1 (0.8-1.2) g/Mg
    ("5.2.5", 100_000, "t", 30.0, 60.0, 48.0, 72.0),
    # 1e6 t pig iron x 1 = 1e6 t steel x 0.1 (0.02-36) g/Mg
    ("5.2.9", 1_000_000, "t", 47.5, 100.0, 20.0, 36_000.0),
    # 1e6 t cement x 0.75 = 750,000 t clinker x 0.049 (0.01-0.24) g/t
    ("5.3.1", 1_000_000, "t", 80.0, 36.75, 7.5, 180.0),
    # 1e5 t chlorine x 4.8 (1.9-7.7) g/Mg
    ("5.4.1a", 100_000, "t", 500.0, 480.0, 190.0, 770.0),
    # 2e5 t x 18.8 (7.3-48.3) mg/Mg
    ("5.7.1", 200_000, "t", 180.0, 3.76, 1.46, 9.66),
    # 5e4 t x 0.056 (0.04-0.08) g/Mg (industrial waste row, see mapping note)
    ("5.7.2", 50_000, "t", 360.0, 2.8, 2.0, 4.0),
    # 5,000 t x 33 (3-300) g/Mg
    ("5.7.3", 5_000, "t", 36.0, 165.0, 15.0, 1_500.0),
    # 2e4 t dry sludge x 2.3 (0.23-23) g/Mg
    ("5.7.4", 20_000, "t", 18.0, 46.0, 4.6, 460.0),
    # 1e4 corpses x 1.49 (0.149-14.9) g/body
    ("5.9.1", 10_000, "corpses", 25.0, 14.9, 1.49, 149.0),
]


@pytest.fixture(scope="module")
def hand_inventory(tmp_path_factory):
    from .conftest import write_workbook

    path = tmp_path_factory.mktemp("hand") / "hand.xlsx"
    rows = [(code, activity, unit) for code, activity, unit, *_ in HAND]
    rows.append(("5.8.1", 1_000, "t"))  # no Guidebook row
    rows.append(("5.4.5", 1_000_000, "inhabitants"))  # not in the mapping
    inv = compute(read_activity(write_workbook(path, rows)))
    add_crosscheck(inv)
    return inv


@pytest.mark.parametrize("code, activity, unit, toolkit, kg, low, high", HAND)
def test_hand_calculated_guidebook_air(
    hand_inventory, code, activity, unit, toolkit, kg, low, high
):
    row = hand_inventory.crosscheck.frame.set_index("code").loc[code]
    assert row["air_kg"] == pytest.approx(toolkit, rel=1e-12)
    got = (row["air_kg_emep"], row["air_kg_emep_low"], row["air_kg_emep_high"])
    assert got == pytest.approx((kg, low, high), rel=1e-12)
    assert row["ratio"] == pytest.approx(toolkit / kg, rel=1e-12)
    expected = FLAG_ABOVE if toolkit > high else FLAG_BELOW if toolkit < low else FLAG_WITHIN
    assert row["flag"] == expected


def test_flags_in_both_directions(hand_inventory):
    flags = hand_inventory.crosscheck.frame.set_index("code")["flag"]
    assert flags["5.7.1"] == FLAG_ABOVE  # 180 kg vs 1.46-9.66 kg
    assert flags["5.2.3"] == FLAG_BELOW  # 160 kg vs 200-800 kg
    assert flags["5.9.1"] == FLAG_WITHIN
    assert flags["5.8.1"] == flags["5.4.5"] == FLAG_NOT_MAPPED
    assert set(hand_inventory.crosscheck.flagged()["code"]) == {
        code for code, _, _, t, _, lo, hi in HAND if not lo <= t <= hi
    }


def test_csv_columns_are_appended_only_with_the_crosscheck(hand_inventory, example_path):
    frame = hand_inventory.csv_frame()
    assert list(frame.columns) == [*CSV_COLUMNS, *CSV_EXTRA_COLUMNS]
    by_code = frame.set_index("code")
    assert by_code.at["5.1.1", "emep_ref"] == "1.A.1.a Table_3-2"
    assert by_code.at["5.3.1", "emep_ref"] == "1.A.2.g.viii Table_3-25"
    assert math.isnan(by_code.at["5.8.1", "air_kg_emep"])
    plain = compute(read_activity(example_path))
    assert plain.crosscheck is None
    assert list(plain.csv_frame().columns) == CSV_COLUMNS
    checked = compute(read_activity(example_path))
    add_crosscheck(checked)
    pd.testing.assert_frame_equal(checked.csv_frame()[CSV_COLUMNS], plain.csv_frame())


# --- the command line -------------------------------------------------------------------------


def test_cli_crosscheck_writes_columns_sheet_and_flags(tmp_path, example_path):
    out = tmp_path / "v.xlsx"
    result = CliRunner().invoke(
        main, ["compute", str(example_path), "-o", str(out), "--crosscheck", "emep"]
    )
    assert result.exit_code == 0, result.output
    assert "EMEP/EEA cross-check: 7 of 16 mapped sub-categories" in result.output
    for code in ("5.1.1", "5.2.4", "5.7.1", "5.7.2"):
        assert code in result.output
    frame = pd.read_csv(out.with_suffix(".csv"))
    assert list(frame.columns)[-4:] == CSV_EXTRA_COLUMNS
    wb = load_workbook(out)
    assert SHEET_NAME in wb.sheetnames
    ws = wb[SHEET_NAME]
    header_row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Code")
    assert header_row[:4] == ("Code", "Sub-category", "Facility", "Toolkit air (kg Hg/y)")
    values = {}  # the comparison table comes first, then how each figure was obtained
    for r in ws.iter_rows(values_only=True):
        if r[0] and r[0].startswith("5."):
            values.setdefault(r[0], r)
    assert values["5.7.2"][9] == FLAG_ABOVE
    assert values["5.2.2a"][9] == FLAG_NOT_MAPPED
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True)}
    assert meta["emep_factor_table_id"] == "emep-eea-hg"
    assert meta["emep_flagged"] == 7


def test_cli_without_the_flag_keeps_the_base_outputs(tmp_path, example_path):
    out = tmp_path / "v.xlsx"
    result = CliRunner().invoke(main, ["compute", str(example_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "EMEP" not in result.output
    assert list(pd.read_csv(out.with_suffix(".csv")).columns) == CSV_COLUMNS
    assert SHEET_NAME not in load_workbook(out, read_only=True).sheetnames


def test_cli_country_conversion_replaces_the_assumption(tmp_path, example_path):
    out = tmp_path / "v.xlsx"
    args = ["compute", str(example_path), "-o", str(out), "--crosscheck", "emep"]
    result = CliRunner().invoke(main, [*args, "--conversion", "5.1.1=18.9"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out.with_suffix(".csv")).set_index("code")
    # Valdoria: 6.5e6 t coal x 18.9 GJ/t x 1.4 mg/GJ
    assert frame.at["5.1.1", "air_kg_emep"] == pytest.approx(6.5e6 * 18.9 * 1.4e-6)
    # 5.1.2 keeps the default 25.8 GJ/t: 1.2e6 t x 25.8 x 7.9 mg/GJ
    assert frame.at["5.1.2", "air_kg_emep"] == pytest.approx(1.2e6 * 25.8 * 7.9e-6)
    ws = load_workbook(out)[SHEET_NAME]
    detail = [r for r in ws.iter_rows(values_only=True) if r[1] == "Guidebook row"]
    assert len(detail) == 1  # the second table: how each Guidebook figure was obtained
    header = detail[0]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(values_only=True)}
    assert rows["5.1.1"]["Conversion source"] == "country value (--conversion)"
    assert rows["5.1.1"]["Conversion is an assumption"] == "no"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--conversion", "5.9.2=3"], "no Guidebook row is mapped"),
        (["--conversion", "5.1.1=abc"], "not a positive conversion"),
    ],
)
def test_cli_bad_conversion_is_a_plain_error(tmp_path, example_path, extra, message):
    out = tmp_path / "v.xlsx"
    args = ["compute", str(example_path), "-o", str(out), "--crosscheck", "emep", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cli_conversion_needs_the_crosscheck(tmp_path, example_path):
    result = CliRunner().invoke(main, ["compute", str(example_path), "--conversion", "5.1.1=20"])
    assert result.exit_code == 2 and "--crosscheck emep" in result.output


def test_cli_own_mapping_broken_is_located_and_text_stays_text(tmp_path, example_path):
    mapping = tmp_path / "mine.csv"
    shutil.copy(factors_dir() / "emep_mapping.csv", mapping)
    _edit_mapping(mapping, "5.9.1", note='=HYPERLINK("http://x","y")')
    out = tmp_path / "v.xlsx"
    args = ["compute", str(example_path), "-o", str(out), "--crosscheck", "emep"]
    result = CliRunner().invoke(main, [*args, "--emep-mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)[SHEET_NAME]
    note = [r for r in ws.iter_rows() if r[0].value == "5.9.1"][-1][-1]  # detail table, Note
    assert note.data_type == "s" and note.value.startswith("=HYPERLINK")
    line = _edit_mapping(mapping, "5.9.1", guidebook_unit="t")
    result = CliRunner().invoke(main, [*args, "--emep-mapping", str(mapping)])
    assert result.exit_code == 1
    assert f"mine.csv, line {line} (code 5.9.1), field 'guidebook_unit'" in result.output


# --- golden file --------------------------------------------------------------------------------


def _blank_nan(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank cells (sub-categories without a Guidebook row) compare equal as ''."""
    return frame.astype(object).where(frame.notna(), "")


def test_example_crosscheck_matches_golden(tmp_path, update_golden):
    inv = compute(read_activity(EXAMPLES / "valdoria-2021.xlsx"))
    add_crosscheck(inv)
    out = write_csv(inv, tmp_path / "result.csv")
    golden = GOLDEN / "valdoria-2021-emep.csv"
    if update_golden:
        golden.write_bytes(out.read_bytes())
        pytest.skip(f"golden file {golden.name} rewritten")
    assert golden.is_file(), f"no golden file {golden}; run pytest --update-golden"
    expected = _blank_nan(pd.read_csv(golden))
    actual = _blank_nan(pd.read_csv(io.StringIO(out.read_text(encoding="utf-8"))))
    diff = readable_diff(expected, actual)
    assert not diff, (
        f"cross-check of valdoria-2021 differs from {golden.name}:\n{diff}\n"
        "If the change is intended, regenerate with: pytest tests/test_emep.py --update-golden"
    )
