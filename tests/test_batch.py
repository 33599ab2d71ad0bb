"""The consultant's story: compute a folder of country workbooks in one go with `hginv batch`.

A few workbooks are broken; the batch reports them with their cells and computes the rest,
re-runs skip what did not change, an interrupted batch resumes, and every number equals what
`hginv compute` gives for the same workbook.
"""

import csv
import hashlib
import json
import shutil
from pathlib import Path

import fastparquet
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.jobs.batch import run_batch
from hginventory.jobs.batch_inputs import output_names
from hginventory.jobs.manifest import MANIFEST, MANIFEST_FORMAT

from .conftest import EXAMPLES, ROOT, write_workbook

# every example workbook, the Valdoria series included
N = len([p for p in EXAMPLES.glob("*.xlsx") if not p.name.startswith("~$")])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def report_rows(outdir: Path) -> list[dict]:
    with open(outdir / "batch-report.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def countries(tmp_path) -> Path:
    """A project folder: three good workbooks (one with facilities, one with an accented name
    in a sub-folder) and four broken files."""
    folder = tmp_path / "countries"
    (folder / "west africa").mkdir(parents=True)
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder / "valdoria-2021.xlsx")
    shutil.copy(EXAMPLES / "valdoria-2021-level2.xlsx", folder / "valdoria-2021-level2.xlsx")
    write_workbook(
        folder / "west africa" / "Côte d'Ivoire 2021.xlsx",
        [("5.1.1", 250_000, "t"), ("5.3.1", 900_000, "t"), ("5.4.5", 26_000_000, "inhabitants")],
        {"country": "Côte d'Ivoire", "iso3": "CIV", "population": 26_000_000},
    )
    write_workbook(folder / "unknown code.xlsx", [("5.1.1", 1000, "t"), ("5.9.9", 5, "t")])
    write_workbook(folder / "text in number.xlsx", [("5.1.1", "about ten thousand", "t")])
    (folder / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not a real zip archive")
    (folder / "notes.txt").write_text("country list, not a workbook\n", encoding="utf-8")
    return folder


def inputs_of(folder: Path) -> dict[Path, str]:
    return {p: sha(p) for p in folder.rglob("*") if p.is_file()}


def test_broken_workbooks_are_reported_with_cells_and_the_rest_computed(countries, tmp_path):
    before = inputs_of(countries)
    out = tmp_path / "out"
    result = run("batch", countries, countries / "notes.txt", "-o", out, "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert inputs_of(countries) == before  # inputs never modified

    rows = report_rows(out)
    errors = {
        (Path(r["input_file"]).name, r["sheet"], r["cell"], r["code"])
        for r in rows
        if r["severity"] == "error"
    }
    assert ("unknown code.xlsx", "activity", "A3", "unknown-code") in errors
    assert ("text in number.xlsx", "activity", "B2", "not-a-number") in errors
    assert {("corrupt.xlsx", "file-damaged"), ("notes.txt", "file-wrong-type")} <= {
        (name, code) for name, _, _, code in errors
    }
    assert all(r["status"] == "failed" for r in rows if r["severity"] == "error")
    text = (out / "batch-report.txt").read_text(encoding="utf-8")
    assert "failed: 4" in text and "computed: 3" in text
    assert "activity!A3: unknown sub-category code '5.9.9'" in text  # as the user reads it

    combined = pd.read_csv(out / "all.csv")
    assert sorted(combined["country"].unique()) == ["Côte d'Ivoire", "Republic of Valdoria"]
    assert set(combined["input_file"].map(lambda p: Path(p).name)) == {
        "valdoria-2021.xlsx",
        "valdoria-2021-level2.xlsx",
        "Côte d'Ivoire 2021.xlsx",
    }
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert len(summary) == 7  # every workbook, the failed ones too (with their first error)
    assert (summary["status"] == "failed").sum() == 4
    assert sorted(p.name for p in (out / "countries").iterdir()) == [
        "Côte d'Ivoire 2021.csv",
        "valdoria-2021-level2.csv",
        "valdoria-2021.csv",
    ]
    assert "FAILED" in result.output and "corrupt.xlsx" in result.output


def test_batch_numbers_equal_compute_and_all_good_exits_0(tmp_path):
    out = tmp_path / "out"
    result = run("batch", EXAMPLES / "*.xlsx", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert [r for r in report_rows(out) if r["severity"] == "error"] == []
    combined = pd.read_csv(out / "all.csv", keep_default_na=False, na_values={"activity": [""]})
    summary = pd.read_csv(out / "summary.csv").set_index("name")
    for case in sorted(p.stem for p in EXAMPLES.glob("*.xlsx")):
        single = tmp_path / case
        single.mkdir()
        assert (
            run("compute", EXAMPLES / f"{case}.xlsx", "-o", single / "x.xlsx", "-q").exit_code == 0
        )
        # the per-country CSV is byte for byte what compute writes
        assert (out / "countries" / f"{case}.csv").read_bytes() == (single / "x.csv").read_bytes()
        # and the combined table carries the same rows and numbers
        mine = combined[combined["input_file"].str.endswith(f"{case}.xlsx")]
        expected = pd.read_csv(
            single / "x.csv", keep_default_na=False, na_values={"activity": [""]}
        )
        pd.testing.assert_frame_equal(
            mine[expected.columns].reset_index(drop=True), expected, check_dtype=False
        )
        assert (mine["factor_table_version"] == "unep-toolkit-l1@2019-2.1.r3").all()
        # national totals after the double-counting adjustments
        from hginventory import compute, read_activity

        totals = compute(read_activity(EXAMPLES / f"{case}.xlsx")).totals()
        for quantity, value in totals.items():
            assert summary.at[case, quantity] == pytest.approx(value, rel=1e-11)
        pathways = [f"{p}_kg" for p in PATHWAYS]
        assert summary.loc[case, pathways].sum() == pytest.approx(summary.at[case, "releases_kg"])


def test_every_batch_says_how_many_recalled_factors_it_used(tmp_path):
    out = tmp_path / "out"
    result = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert result.exit_code == 0
    from hginventory import compute, read_activity

    summary = pd.read_csv(out / "summary.csv").set_index("name")
    expected = 0
    cases = sorted(p.stem for p in EXAMPLES.glob("*.xlsx"))  # every example, the series too
    assert {"valdoria-2021", "valdoria-2021-level2"} <= set(cases)
    for case in cases:
        inv = compute(read_activity(EXAMPLES / f"{case}.xlsx"))
        assert summary.at[case, "recalled_rows"] == inv.recalled_count > 0
        expected += inv.recalled_count
    rows = int(summary["result_rows"].sum())
    n = len(cases)
    notice = f"Notice: {expected} of {rows} result rows, in {n} of {n} inventories, use 'recalled'"
    assert notice in result.output
    assert notice in (out / "batch-report.txt").read_text(encoding="utf-8")
    combined = pd.read_csv(out / "all.csv")
    assert (combined["status"] == "recalled").sum() == expected


def test_a_manifest_from_another_hginv_is_not_trusted(tmp_path):
    out = tmp_path / "out"
    assert run("batch", EXAMPLES, "-o", out, "--jobs", "1").exit_code == 0
    manifest = out / MANIFEST
    lines = manifest.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({"format": "hginv-batch-manifest/1"})
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert f"{N} workbooks to compute, 0 unchanged" in again.output
    head = json.loads(manifest.read_text(encoding="utf-8").splitlines()[0])
    assert head["format"] == MANIFEST_FORMAT
    third = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert f"0 workbooks to compute, {N} unchanged" in third.output


def test_parquet_is_the_same_table_as_all_csv(tmp_path):
    out = tmp_path / "out"
    assert run("batch", EXAMPLES, "-o", out, "--jobs", "1").exit_code == 0
    parquet = fastparquet.ParquetFile(out / "all.parquet").to_pandas()
    text = pd.read_csv(out / "all.csv", dtype=str, keep_default_na=False)
    assert list(parquet.columns) == list(text.columns) and len(parquet) == len(text) > 50
    for col in parquet.columns:
        if pd.api.types.is_float_dtype(parquet[col]):
            as_text = pd.to_numeric(text[col].replace("", np.nan))
            assert np.array_equal(parquet[col].to_numpy(), as_text.to_numpy(), equal_nan=True), col
        else:
            assert parquet[col].astype(str).tolist() == text[col].tolist(), col
    assert parquet["year"].dtype == "int64"


def test_rerun_skips_unchanged_and_force_recomputes(tmp_path):
    out = tmp_path / "out"
    first = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert first.exit_code == 0 and f"{N} workbooks to compute, 0 unchanged" in first.output
    csv_path = out / "countries" / "valdoria-2021.csv"
    written = csv_path.stat().st_mtime_ns
    combined = (out / "all.csv").read_bytes()

    again = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert again.exit_code == 0 and f"0 workbooks to compute, {N} unchanged" in again.output
    assert csv_path.stat().st_mtime_ns == written
    assert (out / "all.csv").read_bytes() == combined

    forced = run("batch", EXAMPLES, "-o", out, "--jobs", "1", "--force")
    assert f"{N} workbooks to compute, 0 unchanged" in forced.output
    assert (out / "all.csv").read_bytes() == combined

    csv_path.write_text("edited by hand\n", encoding="utf-8")  # a damaged output is redone
    redo = run("batch", EXAMPLES, "-o", out, "--jobs", "1")
    assert f"1 workbook to compute, {N - 1} unchanged" in redo.output
    assert (out / "all.csv").read_bytes() == combined


def test_an_interrupted_batch_resumes_without_redoing_finished_work(tmp_path, make_workbook):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        make_workbook(
            [("5.1.1", 1000 * (i + 1), "t")], {"country": f"Land {i}"}, name=f"in/l{i}.xlsx"
        )
    out = tmp_path / "out"

    def stop_after_two(result):
        if result.status == "ok" and sum(1 for _ in (out / "countries").iterdir()) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([folder], out, jobs=1, on_result=stop_after_two)
    assert not (out / "all.csv").exists()
    with open(out / MANIFEST, "a", encoding="utf-8") as fh:
        fh.write('{"resolved": "torn line of a kil')  # a write cut short

    seen = []
    resumed = run_batch([folder], out, jobs=1, on_result=lambda r: seen.append(r.status))
    assert sorted(seen) == ["ok", "ok", "skipped", "skipped"]
    assert resumed.exit_code == 0
    fresh = run_batch([folder], tmp_path / "fresh", jobs=1)
    assert fresh.count("ok") == 4
    assert (out / "all.csv").read_bytes() == (tmp_path / "fresh" / "all.csv").read_bytes()
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and json.loads(lines[0])["format"].startswith("hginv-batch")


def test_a_factor_change_invalidates_the_cache(tmp_path):
    out = tmp_path / "out"
    assert run("batch", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "--jobs", "1").exit_code == 0
    before = pd.read_csv(out / "all.csv").set_index("code")
    overlay = tmp_path / "national coal.csv"
    overlay.write_text(
        "code,input_factor,input_factor_high,status,confidence,document,version,table_page\n"
        "5.1.1,0.6,1.0,confirmed,,national-coal-study,2020,Table 3\n",
        encoding="utf-8",
    )
    result = run(
        "batch", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "--jobs", "1", "--factors", overlay
    )
    assert "1 workbook to compute, 0 unchanged" in result.output
    after = pd.read_csv(out / "all.csv").set_index("code")
    assert after.at["5.1.1", "hg_input_kg"] == pytest.approx(
        before.at["5.1.1", "hg_input_kg"] * 0.6 / before.at["5.1.1", "input_factor"]
    )
    assert after.at["5.1.1", "factor_id"].startswith("national coal@")
    assert after.at["5.2.4", "hg_input_kg"] == before.at["5.2.4", "hg_input_kg"]


def test_uncertainty_adds_ranges_equal_to_compute(tmp_path):
    out = tmp_path / "out"
    args = ["--uncertainty", "--draws", "300", "--seed", "7"]
    result = run("batch", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "--jobs", "2", *args)
    assert result.exit_code == 0, result.output
    combined = pd.read_csv(out / "all.csv")
    for q in ("hg_input_kg", "air_kg", "sector_treatment_kg"):
        assert (combined[f"{q}_p025"] <= combined[f"{q}_p975"]).all()
    single = tmp_path / "single"
    single.mkdir()
    assert run("compute", EXAMPLES / "valdoria-2021.xlsx", "-o", single / "x.xlsx", "-q", *args)
    assert (out / "countries" / "valdoria-2021.csv").read_bytes() == (single / "x.csv").read_bytes()
    again = run("batch", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "--jobs", "1")
    assert "1 workbook to compute" in again.output  # other options, other results
    assert "air_kg_p025" not in pd.read_csv(out / "all.csv").columns


def test_xlsx_writes_workbooks_and_a_summary_workbook(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = run("batch", EXAMPLES / "valdoria-2021.xlsx", "-o", out, "--jobs", "1", "--xlsx")
    assert result.exit_code == 0, result.output
    assert "Read me" in load_workbook(out / "countries" / "valdoria-2021.xlsx").sheetnames
    ws = load_workbook(out / "summary.xlsx")["Summary"]
    assert ws["A2"].value == "Republic of Valdoria"


def test_same_stem_in_two_folders_gets_two_names(tmp_path):
    for region in ("2020 round", "2021 round"):
        (tmp_path / region).mkdir()
        shutil.copy(EXAMPLES / "valdoria-2021.xlsx", tmp_path / region / "Valdoria.xlsx")
    out = tmp_path / "out"
    result = run("batch", tmp_path / "20* round" / "*.xlsx", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "countries").iterdir()) == [
        "2020 round-Valdoria.csv",
        "2021 round-Valdoria.csv",
    ]
    paths = [Path("a/x.xlsx"), Path("b/X.xlsx"), Path("c/y.xlsx")]
    names = output_names(paths)
    assert len({n.casefold() for n in names}) == 3 and names[2] == "y"


def test_nothing_to_compute_is_a_usage_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("batch", empty, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "no activity workbooks found" in result.output
    result = run("batch", tmp_path / "missing-*.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "no file matches" in result.output


def test_outputs_inside_the_input_folder_are_not_read_back(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder)
    out = folder / "results"
    assert run("batch", folder, "-o", out, "--xlsx", "--jobs", "1").exit_code == 0
    again = run("batch", folder, "-o", out, "--xlsx", "--jobs", "1")
    assert "0 workbooks to compute, 1 unchanged" in again.output
    named = run("batch", out / "countries" / "valdoria-2021.xlsx", "-o", out, "--jobs", "1")
    assert named.exit_code == 2 and "inside the output folder" in named.output


def test_csv_activity_files_are_taken_by_pattern_not_from_folders(tmp_path):
    folder = tmp_path / "csv round"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "bad" / "semicolon utf8-bom.csv", folder / "Valdoria.csv")
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder)
    out = tmp_path / "out"
    assert "1 workbook to compute" in run("batch", folder, "-o", out, "--jobs", "1").output
    result = run("batch", folder / "*.csv", folder / "*.xlsx", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "1 workbook to compute, 1 unchanged" in result.output
    assert len(pd.read_csv(out / "summary.csv")) == 2


# --- found in review: each was reproduced before it was fixed ---------------------------------


def test_parquet_has_text_as_typed_and_all_csv_keeps_it_from_being_a_formula(tmp_path):
    from .test_level2 import with_facilities

    folder = tmp_path / "in"
    folder.mkdir()
    book = with_facilities(
        folder / "plus.xlsx",
        [("5.7.1", 100_000, "t")],
        [{"code": "5.7.1", "facility": "+North station", "activity": 1000}],
    )
    out = tmp_path / "out"
    assert run("batch", book, "-o", out, "-j", "1").exit_code == 0
    parquet = fastparquet.ParquetFile(out / "all.parquet").to_pandas()
    assert "+North station" in set(parquet["facility"])
    text = pd.read_csv(out / "all.csv", dtype=str, keep_default_na=False)
    assert "'+North station" in set(text["facility"])


def test_batch_reports_every_problem_that_validate_finds(tmp_path):
    from .test_level2 import with_facilities

    folder = tmp_path / "in"
    folder.mkdir()
    book = with_facilities(
        folder / "two errors.xlsx",
        [("5.1.1", -5, "t")],
        [{"code": "9.9.9", "facility": "Nowhere", "activity": 1}],
    )
    validated = run("validate", book, "--json")
    expected = {(p["sheet"], p["cell"]) for p in json.loads(validated.output)["problems"]}
    assert len(expected) >= 2
    out = tmp_path / "out"
    assert run("batch", folder, "-o", out, "-j", "1").exit_code == 1
    reported = {(r["sheet"], r["cell"]) for r in report_rows(out)}
    assert reported == expected


def test_a_torn_manifest_line_cut_inside_an_accent_is_ignored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder / "Côte d'Ivoire.xlsx")
    out = tmp_path / "out"
    assert run("batch", folder, "-o", out, "-j", "1").exit_code == 0
    with open(out / MANIFEST, "ab") as fh:
        fh.write('{"resolved": "/x/Côte'.encode()[:-2])  # cut in the middle of "ô"
    again = run("batch", folder, "-o", out, "-j", "1")
    assert again.exit_code == 0, again.output
    assert "0 workbooks to compute, 1 unchanged" in again.output


def test_a_pattern_takes_workbooks_and_csv_files_only(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder / "valdoria.xlsx")
    (folder / "README.md").write_text("what these files are\n", encoding="utf-8")
    result = run("batch", str(folder / "*"), "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "1 workbook to compute" in result.output


def test_a_scanner_error_names_the_file_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "bad" / "billion-laughs.xlsx", folder / "bl.xlsx")
    out = tmp_path / "out"
    assert run("batch", folder, "-o", out, "-j", "1").exit_code == 1
    text = (out / "batch-report.txt").read_text(encoding="utf-8")
    assert "bl.xlsx: refused" in text and "bl.xlsx: bl.xlsx" not in text


def test_an_unreadable_workbook_is_named_once_in_french_too(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cassé.xlsx").write_bytes(
        (ROOT / "examples" / "valdoria-2021.xlsx").read_bytes()[:3000]
    )
    result = run("batch", folder, "-o", tmp_path / "out", "-j", "1", "--lang", "fr")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "cassé.xlsx" in line)
    assert line.count("cassé.xlsx") == 1, line
    assert "illisible comme tableur" in line


@pytest.mark.parametrize("chunk", [1, 100])
def test_text_with_line_breaks_or_formula_starts_is_written_as_compute_writes_it(
    tmp_path, monkeypatch, chunk
):
    """Batch CSVs come from the engine's long table in chunks; a facility name with a line
    break (a row over two lines) or starting with '=' still gives compute's bytes."""
    from openpyxl import load_workbook

    import hginventory.jobs.batch

    monkeypatch.setattr(hginventory.jobs.batch, "CHUNK", chunk)

    inputs = tmp_path / "in"
    inputs.mkdir()
    wb = load_workbook(EXAMPLES / "valdoria-2021-level2.xlsx")
    ws = wb["facilities"]
    header = [c.value for c in ws[1]]
    col = header.index("facility") + 1
    ws.cell(row=2, column=col).value = "Plant\nNorth"
    ws.cell(row=3, column=col).value = "=Plant South"
    ws.cell(row=3, column=col).data_type = "s"  # text, as a user types it after an apostrophe
    wb.save(inputs / "odd names.xlsx")
    for example in EXAMPLES.glob("*.xlsx"):
        shutil.copy(example, inputs / example.name)
    out = tmp_path / "out"
    result = run("batch", inputs, "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    for case in ["odd names", *(p.stem for p in EXAMPLES.glob("*.xlsx"))]:
        single = tmp_path / case
        single.mkdir()
        assert run("compute", inputs / f"{case}.xlsx", "-o", single / "x.xlsx", "-q").exit_code == 0
        assert (out / "countries" / f"{case}.csv").read_bytes() == (single / "x.csv").read_bytes()
    assert b'"Plant\nNorth"' in (out / "countries" / "odd names.csv").read_bytes()


def test_quiet_batch_prints_only_the_failures_and_the_notice(tmp_path):
    """A consultant's script over hundreds of workbooks wants the failures, not a line each."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "valdoria-2021.xlsx", folder / "valdoria.xlsx")
    (folder / "cassé.xlsx").write_bytes(b"not a workbook")
    result = run("batch", folder, "-o", tmp_path / "out", "-j", "1", "-q")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        next(line for line in result.stdout.splitlines() if line.startswith("FAILED"))
    ]
    assert "cassé.xlsx" in result.stdout and "valdoria" not in result.stdout
    assert "recalled" in result.stderr and "batch-report.txt" in result.stderr
    assert (tmp_path / "out" / "countries" / "valdoria.csv").is_file()
