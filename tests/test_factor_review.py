"""Factor tables as reviewed data: a reviewer changes a number, CI sees what moved.

The stories: a CI job guarding the factor table; a focal point overlaying measured coal; a
focal point comparing this year's inventory with the baseline; a Convention report.
"""

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.errors import FactorTableError
from hginventory.engine.compare import compare
from hginventory.engine.crosswalk import summarise
from hginventory.engine.factordiff import diff_tables
from hginventory.read.results import read_results
from hginventory.tables.crosswalk import ANNEX_D, load_crosswalk
from hginventory.tables.factors import factors_dir, load_table
from hginventory.tables.overlay import overlay_factors
from tests.conftest import EXAMPLES, codes

SHIPPED = factors_dir() / "toolkit_level1.csv"


def run(*args):
    """The CLI in a wide terminal, so that rich tables don't wrap the words checked."""
    return CliRunner(env={"COLUMNS": "300"}).invoke(main, [str(a) for a in args])


def activity_of(path, code):
    return next(r["activity"] for r in read_activity(path).rows if r["code"] == code)


@pytest.fixture
def edited_copy(tmp_path):
    """A reviewer's copy of the shipped table (CSV and TOML) with one number changed."""

    def make(code, field, value):
        rows = list(csv.DictReader(SHIPPED.open(encoding="utf-8")))
        old = next(r for r in rows if r["code"] == code)[field]
        next(r for r in rows if r["code"] == code)[field] = value
        path = tmp_path / "edited" / "toolkit_level1.csv"
        path.parent.mkdir(exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        shutil.copy(SHIPPED.with_suffix(".toml"), path.with_suffix(".toml"))
        return path, old

    return make


@pytest.fixture
def coal_overlay(tmp_path):
    path = tmp_path / "national coal.csv"
    path.write_text(
        "code,input_factor,input_factor_high,status,confidence,document,version,table_page\n"
        "5.1.1,0.6,1.0,confirmed,,national-coal-study,2020,Table 3\n",
        encoding="utf-8",
    )
    return path


# --- CI: factors diff and validate ----------------------------------------------------------


def test_one_changed_number_shows_in_diff_and_in_example_totals(edited_copy, example_path):
    path, old = edited_copy("5.3.1", "input_factor", "0.2")
    old = float(old)
    result = run("factors", "diff", factors_dir(), path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rows"] == [
        {
            "code": "5.3.1",
            "change": "changed",
            "field": "input_factor",
            "kind": "value",
            "old": f"{old:g}",
            "new": "0.2",
        }
    ]
    assert report["changed"] and "bump `version`" in report["warnings"][0]
    # hand calculation: cement (t) x (0.2 - old) g/t, in kg; air share from the table row
    cement_t = activity_of(example_path, "5.3.1")
    delta_input = cement_t * (0.2 - old) / 1000
    air_share = float(next(r for r in csv.DictReader(path.open()) if r["code"] == "5.3.1")["air"])
    totals = {
        r["item"]: r
        for r in report["inventories"]
        if r["inventory"] == example_path.name and r["level"] == "national total"
    }
    assert totals["hg_input_kg"]["change_kg"] == pytest.approx(delta_input)
    assert totals["air_kg"]["change_kg"] == pytest.approx(delta_input * air_share)
    assert totals["water_kg"]["change_kg"] == 0
    before = totals["releases_kg"]["old_kg"]
    assert totals["releases_kg"]["change_pct"] == pytest.approx(delta_input / before * 100)
    groups = [
        r
        for r in report["inventories"]
        if r["inventory"] == example_path.name
        and r["level"] == "source group"
        and r["change_kg"]
        and r["item"].endswith("hg_input_kg")
    ]
    assert [g["item"].split(" / ")[0] for g in groups] == [
        "Production of other minerals and materials with mercury impurities"
    ]


def test_fail_on_change_makes_ci_fail_and_prints_readably(edited_copy, example_path):
    path, _ = edited_copy("5.3.1", "input_factor", "0.2")
    result = run("factors", "diff", factors_dir(), path, "--fail-on-change")
    assert result.exit_code == 3
    assert "5.3.1" in result.output and "input_factor" in result.output
    assert "valdoria-2021.xlsx: national totals" in result.output
    assert "Production of other minerals" in result.output
    same = run("factors", "diff", factors_dir(), factors_dir(), "--fail-on-change")
    assert same.exit_code == 0 and "No row of the factor table changed" in same.output


def test_source_only_change_is_a_change_but_moves_no_total(edited_copy, example_path):
    path, _ = edited_copy("5.1.1", "table_page", "Table 5-3, p. 42")
    result = run("factors", "diff", factors_dir(), path, "--json", "--inventory", example_path)
    report = json.loads(result.output)
    assert [(r["field"], r["kind"]) for r in report["rows"]] == [("table_page", "source")]
    assert all(r["change_kg"] == 0 for r in report["inventories"])
    assert not report["warnings"]
    assert run("factors", "diff", factors_dir(), path, "--fail-on-change").exit_code == 3


def test_removed_row_is_listed_and_an_inventory_needing_it_is_reported(tmp_path, example_path):
    rows = SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "short.csv"
    path.write_text("".join(r for r in rows if not r.startswith("5.3.1,")), encoding="utf-8")
    diff = diff_tables(load_table(SHIPPED), load_table(path))
    assert diff.removed == ["5.3.1"] and not diff.added and not diff.changes
    result = run("factors", "diff", SHIPPED, path)
    assert result.exit_code == 0
    assert "cannot be computed with both tables" in result.output
    assert "unknown sub-category code '5.3.1'" in result.output


def test_validate_shipped_tables_and_a_broken_copy(edited_copy):
    ok = run("factors", "validate")
    assert (
        ok.exit_code == 0 and "OK shipped factor table" in ok.output and "OK crosswalk" in ok.output
    )
    path, _ = edited_copy("5.1.1", "air", "0.8")
    bad = run("factors", "validate", path)
    assert bad.exit_code == 1
    assert "toolkit_level1.csv, line 2 (code 5.1.1)" in bad.output
    assert "distribution factors sum to 0.9" in bad.output
    assert "Traceback" not in bad.output


# --- overlays --------------------------------------------------------------------------------


def test_overlay_marks_every_overridden_factor_with_its_origin(
    coal_overlay, example_path, tmp_path, factors
):
    out = tmp_path / "inv.xlsx"
    result = run("compute", example_path, "--factors", coal_overlay, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8"))}
    coal = rows["5.1.1"]
    assert float(coal["hg_input_kg"]) == pytest.approx(activity_of(example_path, "5.1.1") * 0.6e-3)
    # a changed factor is the country's own value, whatever status the overlay claims
    assert coal["factor_id"].startswith("national coal@sha256-") and coal["status"] == "national"
    assert coal["factor_source"].startswith(
        f"national coal.csv line 2, overrides {factors.label} (input_factor, input_factor_high)"
    )
    assert rows["5.1.2"]["factor_id"] == factors.factor_id("5.1.2")
    meta = {r[0]: r[1] for r in load_workbook(out)["Metadata"].iter_rows(values_only=True)}
    assert meta["factor_table_version"] == factors.version
    assert meta["factor_table_sha256"] == factors.sha256
    assert meta["overlay_table_file"] == str(coal_overlay)
    assert meta["overlay_codes"] == "5.1.1"
    assert len(meta["overlay_table_sha256"]) == 64


def test_one_factors_option_means_one_table_in_every_command(coal_overlay, example_path, tmp_path):
    """compute, report and batch read --factors alike: the report states the overlay's factor."""
    report = tmp_path / "r.html"
    result = run("report", example_path, "--factors", coal_overlay, "-o", report, "-q")
    assert result.exit_code == 0, result.output
    assert "national coal.csv line 2" in report.read_text(encoding="utf-8")
    out = tmp_path / "batch"
    batch = run("batch", example_path, "-o", out, "--factors", coal_overlay, "-j", "1")
    assert batch.exit_code == 0
    computed = tmp_path / "c.xlsx"
    single = run("compute", example_path, "--factors", coal_overlay, "-o", computed, "-q")
    assert single.exit_code == 0
    expected = computed.with_suffix(".csv").read_bytes()
    assert (out / "countries" / "valdoria-2021.csv").read_bytes() == expected


def test_overlay_adds_a_variant_row(tmp_path, make_workbook):
    overlay = tmp_path / "variants.csv"
    header = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    overlay.write_text(
        header + "\n5.1.1x,Coal combustion - plant with wet FGD,fuels,coal combusted,t,0.12,,,"
        "g/t,0.3,0,0,0.3,0,0.4,none,1,,,confirmed,,,plant-test-2022,2022,p. 4,stack test\n",
        encoding="utf-8",
    )
    table = overlay_factors(load_table(), overlay)
    assert len(table) == 66 and table.origins["5.1.1x"]["line"] == 2
    inv = compute(read_activity(make_workbook([("5.1.1x", 1000, "kt")])), table)
    row = inv.results.iloc[0]
    assert row["hg_input_kg"] == pytest.approx(1_000_000 * 0.12e-3)
    assert row["air_kg"] == pytest.approx(36.0)
    assert "variants.csv line 2, new row" in row["factor_source"]


def test_overlay_problems_name_file_line_and_field(tmp_path):
    no_source = tmp_path / "no-source.csv"
    no_source.write_text("code,input_factor\n5.1.1,0.6\n", encoding="utf-8")
    with pytest.raises(FactorTableError) as err:
        overlay_factors(load_table(), no_source)
    assert codes(err) == ["factor-columns-missing"]
    assert "must say where its numbers come from" in str(err.value)  # why the columns are needed
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,input_factor,air,status,confidence,document,version,table_page\n"
        "5.1.1,-1,0.9,confirmed,,x,1,p\n"
        "5.1.2,0.2,1,recalled,,x,1,p\n"
        "5.9.9,0.2,1,confirmed,,x,1,p\n"
        "5.1.3b,0.01,0.5,confirmed,,x,1,p\n",
        encoding="utf-8",
    )
    with pytest.raises(FactorTableError) as err:
        overlay_factors(load_table(), bad)
    assert set(codes(err)) == {"overlay-row-invalid"}  # the message says which rule
    text = "\n".join(str(p) for p in err.value.problems)
    assert "bad.csv, line 2 (code 5.1.1), field 'input_factor'" in text
    assert "line 3 (code 5.1.2)" in text and "needs a confidence" in text
    assert "line 5 (code 5.1.3b)" in text and "sum to 1.25" in text
    assert "line 4 (code 5.9.9), field 'sub_category'" in text and "new code" in text
    result = run("compute", "x.xlsx", "--factors", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output


# --- hginv diff of two inventories ----------------------------------------------------------


def test_diff_of_two_inventories_workbook_against_csv(coal_overlay, example_path, tmp_path):
    base, new = tmp_path / "base.xlsx", tmp_path / "new.xlsx"
    assert run("compute", example_path, "-o", base, "-q").exit_code == 0
    assert run("compute", example_path, "--factors", coal_overlay, "-o", new, "-q").exit_code == 0
    trimmed = tmp_path / "new-trimmed.csv"
    lines = new.with_suffix(".csv").read_text(encoding="utf-8").splitlines(keepends=True)
    trimmed.write_text("".join(line for line in lines if not line.startswith("5.9.1,")))
    out = tmp_path / "changes.csv"
    result = run("diff", base, trimmed, "--csv", out)
    assert result.exit_code == 0, result.output
    assert "5.1.1" in result.output and "factor" in result.output
    changes = list(csv.DictReader(out.open(encoding="utf-8")))
    coal_input = next(r for r in changes if r["code"] == "5.1.1" and r["quantity"] == "hg_input_kg")
    assert coal_input["state"] == "changed" and coal_input["factor_changed"] == "True"
    assert float(coal_input["change_pct"]) == pytest.approx(0.6 / 0.15 * 100 - 100)
    assert {r["state"] for r in changes if r["code"] == "5.9.1"} == {"gone"}
    moved = {r["code"] for r in changes if r["state"] != "same"}
    assert moved == {"5.1.1", "5.9.1"}
    assert len(changes) == 36 * 7


def test_diff_refuses_a_file_that_is_not_an_inventory(tmp_path, example_path):
    result = run("diff", example_path, example_path)
    assert result.exit_code == 1 and "no 'Calculation' sheet" in result.output


def test_compare_marks_added_rows(tmp_path, example_path):
    base = read_results(_computed(example_path, tmp_path).with_suffix(".csv"))
    diff = compare(base[base["code"] != "5.1.1"], base)
    assert set(diff[diff["code"] == "5.1.1"]["state"]) == {"added"}


def test_diff_of_level2_inventories_compares_facility_by_facility(tmp_path):
    """A plant's measured value changes: only that facility row (and the totals) move."""
    level2 = EXAMPLES / "valdoria-2021-level2.xlsx"
    base = read_results(_computed(level2, tmp_path).with_suffix(".csv"))
    new = base.copy()
    plant = new.index[new["facility"].fillna("") != ""][0]
    new.loc[plant, "air_kg"] += 10.0
    new.loc[plant, "hg_input_kg"] += 10.0
    diff = compare(base, new)
    moved = diff[diff["state"] == "changed"]
    assert set(zip(moved["code"], moved["facility"], strict=True)) == {
        (new.at[plant, "code"], new.at[plant, "facility"])
    }
    assert moved["change_kg"].tolist() == [10.0, 10.0]
    left, right = tmp_path / "base.csv", tmp_path / "new.csv"
    base.to_csv(left, index=False)
    new.to_csv(right, index=False)
    result = run("diff", left, right)
    assert result.exit_code == 0, result.output
    assert new.at[plant, "facility"] in result.output


def _computed(example_path, tmp_path):
    out = tmp_path / "c.xlsx"
    assert run("compute", example_path, "-o", out, "-q").exit_code == 0
    return out


# --- crosswalk ------------------------------------------------------------------------------


def test_every_shipped_sub_category_has_a_crosswalk_row(factors):
    links = load_crosswalk(codes=factors.codes)
    annex = {link.annex_d for link in links.values() if link.annex_d}
    assert annex == set(ANNEX_D)
    assert links["5.1.1"].annex_d == "coal-fired power plants"
    assert links["5.2.2a"].convention_article == "Art. 7 (ASGM)"
    assert links["5.3.1"].nfr_primary == "1.A.2.g.viii" and "2.A.1" in links["5.3.1"].nfr_other


def test_by_annex_d_and_nfr_sum_to_the_national_air_total(example_path, tmp_path):
    inv = compute(read_activity(example_path))
    air = inv.totals()["air_kg"]
    for by in ("annex-d", "nfr"):
        summary = summarise(inv, by)
        assert summary["air_kg"].sum() == pytest.approx(air)
        codes = ";".join(summary["sub_categories"]).split(";")
        assert sorted(codes) == sorted(inv.results["code"])
    out = tmp_path / "inv.xlsx"
    result = run(
        "compute", example_path, "-o", out, "--by", "annex-d", "--by-csv", tmp_path / "d.csv"
    )
    assert result.exit_code == 0 and "cement clinker production facilities" in result.output
    rows = list(csv.DictReader((tmp_path / "d.csv").open(encoding="utf-8")))
    assert rows[0]["annex_d_category"] == "coal-fired power plants"
    coal = inv.results.set_index("code").at["5.1.1", "air_kg"]
    assert float(rows[0]["air_kg"]) == pytest.approx(coal)
    sheet = load_workbook(out)["Article 8 and NFR"]
    assert any(c.value == "1.A.1.a" for c in sheet["A"])


def test_by_summary_names_each_sub_category_once_when_facilities_share_a_code():
    inv = compute(read_activity(EXAMPLES / "valdoria-2021-level2.xlsx"))
    assert inv.results["code"].duplicated().any()
    for by in ("annex-d", "nfr"):
        summary = summarise(inv, by)
        assert summary["air_kg"].sum() == pytest.approx(inv.totals()["air_kg"])
        codes = ";".join(summary["sub_categories"]).split(";")
        assert sorted(codes) == sorted(set(inv.results["code"]))


# --- listing and showing --------------------------------------------------------------------


def test_list_and_show(factors):
    listed = run("factors", "list", "--group", "fuels", "--csv")
    assert listed.exit_code == 0
    rows = list(csv.DictReader(listed.output.splitlines()))
    assert [r["code"] for r in rows] == [r.code for r in factors.rows if r.source_group == "fuels"]
    as_json = json.loads(run("factors", "list", "--json").output)
    assert len(as_json) == len(factors)
    assert "Coal combustion" in run("factors", "list").output
    shown = run("factors", "show", "5.7.1")
    assert shown.exit_code == 0
    assert "waste incineration facilities" in shown.output and "5.C.1.a" in shown.output
    assert factors.documents["UNEP-L1"]["address"] in shown.output
    assert run("factors", "show", "9.9.9").exit_code == 1
    assert run("factors", "list", "--group", "nope").exit_code == 1


# --- invariants -----------------------------------------------------------------------------

VALDORIA = read_activity(factors_dir().parent / "examples" / "valdoria-2021.xlsx")
BASELINE = compute(VALDORIA)


def test_the_shipped_table_laid_over_itself_changes_no_number(tmp_path, factors):
    same = overlay_factors(factors, SHIPPED)
    assert not diff_tables(factors, same)
    again = compute(VALDORIA, same)
    numbers = ["hg_input_kg", "air_kg", "water_kg", "land_kg", "byproducts_kg"]
    assert again.results[numbers].equals(BASELINE.results[numbers])
    assert again.totals() == BASELINE.totals()
    assert set(again.results["factor_id"].str.split(":").str[0]) == {same.overlay_label}


@settings(max_examples=25, deadline=None)
@given(
    code=st.sampled_from(list(BASELINE.results["code"])),
    scale=st.floats(min_value=0, max_value=50, allow_nan=False),
)
def test_scaling_one_input_factor_moves_only_its_row_and_the_total_by_its_share(code, scale):
    factors = BASELINE.factors
    row = factors[code]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.csv"
        path.write_text(
            "code,input_factor,input_factor_low,input_factor_high,status,confidence,document,"
            f"version,table_page\n{code},{row.input_factor * scale!r},,,confirmed,,test,1,p\n",
            encoding="utf-8",
        )
        after = compute(VALDORIA, overlay_factors(factors, path))
    old = BASELINE.results.set_index("code")["hg_input_kg"]
    new = after.results.set_index("code")["hg_input_kg"]
    assert new[code] == pytest.approx(old[code] * scale, rel=1e-9, abs=1e-9)
    assert new.drop(code).equals(old.drop(code))
    weight = row.input_total_weight
    # an estimated row counts in no total; overlaid, it is a national value and counts
    counted_before = 0.0 if row.status == "estimated" else weight
    expected = BASELINE.totals()["hg_input_kg"] + (scale * weight - counted_before) * old[code]
    assert after.totals()["hg_input_kg"] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_an_edited_copy_keeping_the_shipped_version_cannot_pass_for_it(edited_copy, factors):
    path, _ = edited_copy("5.1.1", "input_factor", "0.3")
    table = overlay_factors(factors, path)
    assert table.factor_id("5.1.1").startswith(f"{factors.label}+sha256-")
    assert table.factor_id("5.1.1") != factors.factor_id("5.1.1")
    assert table.origins["5.1.1"]["changed"] == ["input_factor"]


def test_an_overlay_saved_by_a_french_excel_is_read(tmp_path, factors):
    path = tmp_path / "charbon.csv"
    path.write_bytes(
        "\ufeffcode;input_factor;status;confidence;document;version;table_page\r\n"
        "5.1.1;0,35;confirmed;;étude-charbon;2021;tableau 2\r\n".encode()
    )
    table = overlay_factors(factors, path)
    assert table["5.1.1"].input_factor == 0.35 and table["5.1.1"].document == "étude-charbon"
