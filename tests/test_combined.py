"""Features built separately must work together: Level 2 facilities with the Monte Carlo
uncertainty and the EMEP/EEA cross-check, and the Guidebook table in `hginv factors list`."""

import json

import pandas as pd
from click.testing import CliRunner

from hginventory.cli import main

from .conftest import EXAMPLES

LEVEL2 = EXAMPLES / "valdoria-2021-level2.xlsx"


def test_facilities_with_uncertainty_and_crosscheck(tmp_path):
    out = tmp_path / "l2.xlsx"
    args = [
        "compute",
        str(LEVEL2),
        "-o",
        str(out),
        "-q",
        "--uncertainty",
        "--draws",
        "500",
        "--crosscheck",
        "emep",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out.with_suffix(".csv"))
    result = CliRunner().invoke(
        main, ["compute", str(LEVEL2), "-o", str(tmp_path / "p.xlsx"), "-q"]
    )
    assert result.exit_code == 0, result.output
    plain = pd.read_csv(tmp_path / "p.csv")
    # the base columns are untouched by the two options, row for row
    pd.testing.assert_frame_equal(frame[plain.columns], plain)
    facility_rows = frame[frame["facility"].notna()]
    assert len(facility_rows) > 0 and facility_rows["code"].duplicated().any()
    measured = frame[frame["method"] == "measured"]
    assert len(measured) > 0
    # a measured input is taken as exact; other rows get a real interval around them
    assert (measured["hg_input_kg_p025"] == measured["hg_input_kg"]).all()
    assert (measured["hg_input_kg_p975"] == measured["hg_input_kg"]).all()
    modelled = frame[(frame["method"] != "measured") & (frame["hg_input_kg"] > 0)]
    assert (modelled["hg_input_kg_p025"] < modelled["hg_input_kg_p975"]).all()
    # the cross-check is given per facility row for mapped codes
    coal = frame[frame["code"] == "5.1.1"]
    assert coal["air_kg_emep"].notna().all() and len(coal) > 1


def test_factors_list_shows_the_guidebook_set():
    result = CliRunner().invoke(main, ["factors", "list", "--set", "emep", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 189
    assert {r["status"] for r in rows} == {"confirmed"}
    cremation = [r for r in rows if r["NFR"] == "5.C.1.b.v"]
    assert cremation and cremation[0]["Value"] == 1.49
    result = CliRunner().invoke(main, ["factors", "list", "--set", "emep", "--group", "9.Z"])
    assert result.exit_code == 1 and "no Guidebook row" in result.output


def test_summary_tables_name_the_facilities(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "l2.xlsx"
    result = CliRunner().invoke(main, ["compute", str(LEVEL2), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    rows = [r for r in wb["Calculation"].iter_rows(values_only=True) if r[0] == "5.1.1"]
    names = [r[2] for r in rows]  # Code, Sub-category, Facility
    assert len(names) == len(set(names)) > 1
    assert "Kessel Bay power station" in names and "" not in names[1:]
    names = [r[2] for r in wb["Factors"].iter_rows(values_only=True) if r[1] == "5.1.1"]
    assert "Coal combustion in large power plants - Kessel Bay power station" in names
    assert any(n.endswith("rest of the country (Level 1 defaults)") for n in names)
