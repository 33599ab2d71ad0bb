"""Counts a trainer can check by hand: sub-categories are counted by code (facility rows of a
code count once), factors by factor id (a Level 2 row naming `a + b` uses two factors, and a
factor used by ten facilities is one factor); and `--include-estimates` reaches batch and
trend, whose every output then says whether the project's estimates are in the totals."""

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main

ROOT = Path(__file__).resolve().parents[1]
LEVEL2 = ROOT / "examples" / "valdoria-2021-level2.xlsx"
EXAMPLE = ROOT / "examples" / "valdoria-2021.xlsx"


@pytest.fixture(scope="module")
def level2():
    return compute(read_activity(LEVEL2))


def distinct_ids(results) -> dict[str, str]:
    """Factor id -> status, by hand from the result rows (`a + b` with statuses `s + t`)."""
    out = {}
    for ids, statuses, status in zip(
        results["factor_id"], results.get("factor_statuses", results["status"]),
        results["status"], strict=True,
    ):  # fmt: skip
        parts = ids.split(" + ")
        each = statuses.split(" + ") if isinstance(statuses, str) else []
        for i, fid in enumerate(parts):
            out.setdefault(fid, each[i] if len(each) == len(parts) else status)
    return out


def test_the_level2_report_counts_36_codes_not_47_result_rows(tmp_path, level2):
    assert len(level2.results) == 47 and level2.results["code"].nunique() == 36
    page = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(LEVEL2), "-o", str(page), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "quantifies 36 of the 61 sub-categories" in text
    assert "quantifies 47" not in text


def test_factors_are_counted_by_factor_id(level2):
    by_hand = distinct_ids(level2.results)
    assert level2.factors_used == len(by_hand) != len(level2.results)
    assert level2.recalled_factors == sum(s == "recalled" for s in by_hand.values())


def test_the_notice_and_the_metadata_count_factors_by_id(tmp_path, level2):
    out = tmp_path / "l2.xlsx"
    result = CliRunner().invoke(main, ["compute", str(LEVEL2), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    n, total = level2.recalled_factors, level2.factors_used
    assert f"{n} of {total} factors used are 'recalled'" in re.sub(r"\s+", " ", result.output)
    meta = {r[0]: r[1] for r in load_workbook(out)["Metadata"].iter_rows(values_only=True)}
    assert int(meta["factors_used"]) == total and int(meta["recalled_factors_used"]) == n
    assert int(meta["sub_categories_quantified"]) == 36


def test_the_emep_cross_check_counts_sub_categories_by_code(tmp_path):
    out = tmp_path / "l2.xlsx"
    args = ["compute", str(LEVEL2), "-o", str(out), "--crosscheck", "emep", "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8")))
    mapped = [r for r in rows if r.get("air_kg_emep") not in ("", None)]
    assert len({r["code"] for r in mapped}) < len(mapped)  # facility rows share a code
    ws = load_workbook(out)["Cross-check EMEP"]
    line = next(
        c.value for row in ws.iter_rows() for c in row if "sub-categories with a Guidebook" in
        str(c.value)
    )  # fmt: skip
    assert f"of the {len({r['code'] for r in mapped})} sub-categories" in line, line


def summary_of(folder: Path) -> list[dict]:
    return list(csv.DictReader((folder / "summary.csv").open(encoding="utf-8")))


def test_batch_include_estimates_counts_them_says_so_and_never_mixes_a_resumed_run(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "valdoria-2021.xlsx")
    out = tmp_path / "out"
    plain = CliRunner().invoke(main, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert plain.exit_code == 0, plain.output
    assert "are left out of the totals" in plain.output
    before = summary_of(out)[0]
    assert before["estimates_counted"] == "False"
    counted = CliRunner().invoke(
        main, ["batch", str(src), "-o", str(out), "-j", "1", "--include-estimates"]
    )
    assert counted.exit_code == 0, counted.output
    assert "1 computed, 0 unchanged" in re.sub(r"\s+", " ", counted.output)  # not skipped
    assert "The totals include the sub-categories estimated" in counted.output
    after = summary_of(out)[0]
    assert after["estimates_counted"] == "True"
    estimated = compute(read_activity(EXAMPLE)).estimates_aside()["hg_input_kg"].sum()
    gained = float(after["hg_input_kg"]) - float(before["hg_input_kg"])
    assert gained == pytest.approx(estimated) and estimated > 0
    report = (out / "batch-report.txt").read_text(encoding="utf-8")
    assert "The totals include the sub-categories estimated" in report


def test_trend_include_estimates_counts_them_and_says_so(tmp_path):
    inputs = [str(ROOT / "examples" / f"valdoria-{y}.xlsx") for y in (2015, 2018, 2021)]
    plain = CliRunner().invoke(main, ["trend", *inputs, "-o", str(tmp_path / "a")])
    counted = CliRunner().invoke(
        main, ["trend", *inputs, "-o", str(tmp_path / "b"), "--include-estimates"]
    )
    assert plain.exit_code == 0 and counted.exit_code == 0, counted.output
    assert "are left out of the totals" in plain.output
    assert "The totals include the sub-categories estimated" in counted.output
    a = list(csv.DictReader((tmp_path / "a" / "totals.csv").open(encoding="utf-8")))
    b = list(csv.DictReader((tmp_path / "b" / "totals.csv").open(encoding="utf-8")))
    assert {r["estimates_counted"] for r in a} == {"False"}
    assert {r["estimates_counted"] for r in b} == {"True"}
    assert all(float(y["hg_input_kg"]) > float(x["hg_input_kg"]) for x, y in zip(a, b, strict=True))
    readme = load_workbook(tmp_path / "b" / "trend.xlsx")["Read me"]
    assert any(
        "The totals include the sub-categories estimated" in str(c.value)
        for row in readme.iter_rows() for c in row
    )  # fmt: skip
