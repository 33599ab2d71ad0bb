"""Quality checks a reviewer would run (issue 25): plausibility screens of each activity and
consistency between rows, in validate (table, --json, --strict), compute, the workbook's Checks
sheet and batch's report."""

import importlib.util
import json
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.check.quality import CHECKS
from hginventory.cli import main
from hginventory.core.errors import FactorTableError
from hginventory.tables.plausibility import load_screens, plausibility_path

from .conftest import EXAMPLES, ROOT


def validate_json(path, *extra):
    result = CliRunner().invoke(main, ["validate", "--json", *extra, str(path)])
    return result.exit_code, json.loads(result.output)


def by_code(report) -> dict:
    return {p["code"]: p for p in report["problems"] if p.get("code")}


@pytest.mark.parametrize("amount", [1e308, 5e11])
def test_coal_no_country_could_burn_is_refused_at_its_cell(make_workbook, tmp_path, amount):
    """1e308 t of coal, or 5e11 t (about sixty times the world's annual use): refused by validate
    and compute, at the activity cell, with the world total it was screened against."""
    path = make_workbook([("5.1.2", 100, "t"), ("5.1.1", amount, "t")], {"population": 5e6})
    code, report = validate_json(path)
    assert code == 1
    problem = by_code(report)["activity-above-world-tenfold"]
    assert problem["severity"] == "error"
    assert (problem["sheet"], problem["cell"]) == ("activity", "B3")
    assert "5.1.1" in problem["message"]
    assert "8,800,000,000 t" in problem["expected"] and "IEA" in problem["expected"]
    assert len(problem["message"]) < 200  # never a 300-digit number
    out = tmp_path / "out"
    computed = CliRunner().invoke(main, ["compute", str(path), "-o", f"{out}/"])
    assert computed.exit_code == 1
    assert "activity!B3" in computed.output and "world's annual total" in computed.output
    assert not out.exists()


def test_cement_in_kg_typed_as_tonnes_warns_and_names_kg(make_workbook):
    """3 million t of cement produced, in fact kg, for 5 million people: 350 times the band per
    inhabitant; the warning names the cell and the unit that brings it back in range."""
    path = make_workbook([("5.3.1", 3_000_000_000, "t")], {"population": 5_000_000})
    result = CliRunner().invoke(main, ["validate", str(path)], terminal_width=200)
    assert result.exit_code == 0
    [line] = [ln for ln in result.output.splitlines() if "activity!B2" in ln]
    assert "warning" in line
    assert "350 times the band's high for a country of 5 million inhabitants" in line
    assert "did you mean kg?" in line
    assert by_code(validate_json(path)[1])["activity-outside-band"]["cell"] == "B2"


def test_tonnes_typed_as_kilotonnes_suggest_tonnes(make_workbook):
    path = make_workbook([("5.3.1", 3_000_000, "kt")], {"population": 5_000_000})
    code, report = validate_json(path)
    assert code == 0
    problem = by_code(report)["activity-outside-band"]
    assert problem["cell"] == "B2" and problem["found"] == "3000000 kt"
    assert problem["message"].endswith("did you mean t?")


def test_gas_above_the_world_total_is_a_warning_with_the_nearer_unit(make_workbook):
    """6 million MNm3 of pipeline gas: more than the world's 4 x 10^12 m3, less than ten times."""
    path = make_workbook([("5.1.4c", 6_000_000, "MNm3")])
    code, report = validate_json(path)
    assert code == 0
    problem = by_code(report)["activity-above-world"]
    assert problem["severity"] == "warning" and problem["cell"] == "B2"
    assert "1.5 times the world's annual total" in problem["message"]
    assert "did you mean 1000 Nm3?" in problem["message"]


def test_a_plausible_inventory_has_no_finding(make_workbook):
    path = make_workbook(
        [("5.1.1", 2_000_000, "t"), ("5.3.1", 900, "kt"), ("5.9.1", 9_000, "corpses")]
    )
    code, report = validate_json(path, "--strict")
    assert code == 0 and report["problems"] == []


def old_valdoria(path):
    """The Valdoria example as it was before issue 25: 640 kt burned in the open, said to be
    10 % of the uncollected waste, beside 1.3 Mt dumped."""
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = [
        ("5.7.5", 640_000, "t", "Open burning, 10 % of uncollected waste")
        if row[0] == "5.7.5"
        else ("5.1.2", 1_200_000, "t", "Industrial boilers and household coal")
        if row[0] == "5.1.2"
        else row
        for row in module.VALDORIA_ACTIVITY
    ]
    return module.write_activity_workbook(path, module.VALDORIA_COUNTRY, rows)


def test_the_old_example_burned_more_than_it_said(tmp_path):
    code, report = validate_json(old_valdoria(tmp_path / "valdoria-old.xlsx"))
    assert code == 0  # warnings only
    found = by_code(report)
    waste = found["waste-open-burning-vs-dumping"]
    assert waste["cell"] == "B55" and "activity!B59" in waste["message"]
    assert "33.0 %" in waste["message"]
    assert waste["found"] == "5.7.5: 640000 t; 5.8.4: 1300000 t"
    cement = found["coal-counted-twice-cement"]
    assert cement["cell"] == "B3" and "activity!B26" in cement["message"]
    assert "activity!B25" in found["coal-counted-twice-coke"]["message"]


@pytest.mark.parametrize(
    "name",
    ["valdoria-2021.xlsx", "valdoria-2015.xlsx", "valdoria-2018.xlsx", "valdoria-2021-level2.xlsx"],
)
def test_the_fixed_examples_pass_every_check_strictly(name):
    code, report = validate_json(EXAMPLES / name, "--strict")
    assert code == 0, report["problems"]
    assert report["warnings"] == 0


def test_strict_turns_warnings_into_exit_code_1(make_workbook):
    path = make_workbook([("5.3.1", 3_000_000_000, "t")], {"population": 5_000_000})
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0
    strict = CliRunner().invoke(main, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert re.search(r"--strict: 1 warning(\(s\))? makes? the exit code 1", strict.output)
    code, report = validate_json(path, "--strict")
    assert code == 1 and report["ok"] is True and report["warnings"] == 1


def test_json_gives_each_finding_its_stable_code(tmp_path):
    _, report = validate_json(old_valdoria(tmp_path / "old.xlsx"))
    codes = {p["code"] for p in report["problems"]}
    assert codes == {
        "waste-open-burning-vs-dumping",
        "coal-counted-twice-cement",
        "coal-counted-twice-coke",
    }
    assert {p["kind"] for p in report["problems"]} == {"consistency"}


def test_sludge_incinerated_above_what_the_waste_water_gives(make_workbook):
    """20,000 t of dry sludge from 10 million m3 of waste water (at most 5,000 t)."""
    path = make_workbook([("5.7.4", 20_000, "t"), ("5.8.5", 10, "Mm3")])
    problem = by_code(validate_json(path)[1])["sludge-above-produced"]
    assert problem["cell"] == "B2" and "activity!B3" in problem["expected"]
    assert "4.0 times" in problem["message"]


def test_waste_rows_against_the_population(make_workbook):
    """3 Mt landfilled for 1 million people: 3 t each, above the 1.7 t band."""
    path = make_workbook([("5.8.1", 3_000_000, "t"), ("5.7.1", 100_000, "t")])
    found = by_code(validate_json(path)[1])
    problem = found["waste-per-inhabitant"]
    assert "3.100 t per inhabitant" in problem["message"]
    assert "(5.7.1, 5.8.1, cells activity!B3, activity!B2)" in problem["message"]
    assert found["activity-outside-band"]["cell"] == "B2"  # the landfill row alone, too


def test_products_without_any_waste_row(make_workbook):
    path = make_workbook(
        [("5.4.5", 1_000_000, "inhabitants"), ("5.7.1", "NO", "t"), ("5.8.1", "NE", "t")]
    )
    problem = by_code(validate_json(path)[1])["products-without-waste"]
    assert problem["cell"] == "B3" and "5.4.5" in problem["message"]


def test_waste_rows_without_any_product_row(make_workbook):
    path = make_workbook([("5.8.1", 200_000, "t"), ("5.4.5", "NE", "inhabitants")])
    problem = by_code(validate_json(path)[1])["waste-without-products"]
    assert problem["cell"] == "B3" and "5.8.1" in problem["message"]


def test_a_note_on_kiln_coal_answers_the_double_count(make_workbook):
    rows = [("5.3.1", 1_000_000, "t"), ("5.1.2", 300_000, "t", "kiln coal excluded")]
    assert "coal-counted-twice-cement" not in by_code(validate_json(make_workbook(rows))[1])
    rows[1] = ("5.1.2", 300_000, "t", "industrial boilers")
    assert "coal-counted-twice-cement" in by_code(validate_json(make_workbook(rows))[1])


def test_checks_sheet_lists_the_checks_and_the_findings(make_workbook, tmp_path):
    path = make_workbook([("5.3.1", 3_000_000_000, "t")], {"population": 5_000_000})
    out = tmp_path / "inv.xlsx"
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out), "-q"])
    assert result.exit_code == 0
    assert "did you mean kg?" in result.output  # compute says it too
    ws = load_workbook(out)["Checks"]
    rows = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    listed = [r[0] for r in rows if r and r[0] in {c[0] for c in CHECKS}]
    assert listed == [c[0] for c in CHECKS]
    [band] = [r for r in rows if r and r[0] == "activity-outside-band"]
    assert band[-1] == "1 finding"
    [finding] = [r for r in rows if r and r[0] == "warning"]
    assert finding[1:3] == ["activity-outside-band", "activity!B2"]
    assert "did you mean kg?" in finding[3]


def test_checks_sheet_of_the_example_found_nothing(tmp_path):
    out = tmp_path / "inv.xlsx"
    args = ["compute", str(EXAMPLES / "valdoria-2021.xlsx"), "-o", str(out), "-q"]
    assert CliRunner().invoke(main, args).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames.index("Checks") == book.sheetnames.index("Metadata") - 1
    values = [c for r in book["Checks"].iter_rows(values_only=True) for c in r if c]
    assert values.count("nothing found") == len(CHECKS)
    assert "The checks found nothing to report." in values


def test_batch_report_lists_each_countrys_findings(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_workbook([("5.3.1", 3_000_000_000, "t")], {"population": 5e6}, name="in/slip.xlsx")
    make_workbook([("5.1.1", 5e11, "t")], name="in/coal.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1  # coal.xlsx failed
    text = (out / "batch-report.txt").read_text(encoding="utf-8")
    assert re.search(r"slip\.xlsx: 1 finding(\(s\))? of the quality checks", text)
    assert "activity-outside-band, activity!B2: activity for 5.3.1" in text
    assert re.search(r"coal\.xlsx, activity!B2: activity for 5\.1\.1 is 57 times", text)
    report = (out / "batch-report.csv").read_text(encoding="utf-8")
    assert report.splitlines()[0].endswith(",code")
    assert ",activity-above-world-tenfold" in report and ",activity-outside-band" in report


def test_every_check_is_documented_with_code_threshold_and_source():
    text = (ROOT / "docs" / "quality-checks.md").read_text(encoding="utf-8")
    for code, *_rest in CHECKS:
        assert f"`{code}`" in text, code
    assert "never a factor" in text


def test_the_screens_say_they_are_no_factors_and_cite_every_bound():
    head = plausibility_path().read_text(encoding="utf-8").splitlines()[:3]
    assert any("NEVER A FACTOR" in line for line in head)
    screens = load_screens()
    assert screens.id == "hginv-plausibility" and screens.version
    for bound in screens.bounds.values():
        assert bound.world_source and bound.world_year and bound.status == "recalled"
        if bound.per_inhabitant_high:
            assert bound.band_source


def test_a_bad_screen_table_is_refused_with_its_line(tmp_path):
    table = tmp_path / "plausibility.csv"
    text = plausibility_path().read_text(encoding="utf-8")
    table.write_text(text.replace("5.3.1,t,4.1e9", "5.3.1,t,-4"), encoding="utf-8")
    with pytest.raises(FactorTableError) as caught:
        load_screens(table)
    [problem] = caught.value.problems
    assert problem.code == "plausibility-table-invalid"
    assert "code 5.3.1" in problem.cell and "world_total" in problem.cell
    assert problem.found == "-4"


def test_a_facility_row_no_country_could_have_is_refused_at_its_cell(make_workbook):
    """The Level 2 facilities sheet is screened too: 1e308 t of coal in one power plant."""
    path = make_workbook([("5.3.1", 100, "t")], {"population": 5e6})
    book = load_workbook(path)
    ws = book.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "unit"])
    ws.append(["5.1.1", "Big plant", 1e308, "t"])
    book.save(path)
    code, report = validate_json(path)
    assert code == 1
    problem = by_code(report)["activity-above-world-tenfold"]
    assert (problem["sheet"], problem["cell"]) == ("facilities", "C2")
