"""Hostile factor tables, conversions and draws (issue 21): a row replacing itself or a cycle of
replacements, inf and nan in a factor, a conversion that overflows, a table too large to parse,
and Monte Carlo draws beyond the memory budget. Each is a located error with a non-zero exit and
nothing written, or (the draws) runs within its stated memory.
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.core.errors import FactorTableError
from hginventory.tables.factors import factors_dir, load_factors
from hginventory.tables.level2 import load_level2
from hginventory.tables.limits import MAX_TABLE_BYTES, MAX_TABLE_LINES

from .conftest import EXAMPLES, codes, write_workbook

EXAMPLE = EXAMPLES / "valdoria-2021.xlsx"
LEVEL2 = EXAMPLES / "valdoria-2021-level2.xlsx"
PROVENANCE = ["status", "confidence", "document", "version", "table_page"]
SOURCE = ["recalled", "lo", "UNEP-L1", "2.1", "our own check"]


def overlay(path: Path, rows: list[dict]) -> Path:
    """A user's factor CSV laid over the shipped table: code, the columns given, provenance."""
    columns = ["code", *dict.fromkeys(k for r in rows for k in r if k != "code"), *PROVENANCE]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([r.get(c, "") for c in columns[: -len(PROVENANCE)]] + SOURCE)
    return path


def command(name: str, workbook: Path, out: Path, *options) -> list[str]:
    """compute, validate or report of `workbook`, every output under `out`."""
    if name == "compute":
        return ["compute", str(workbook), "-o", str(out / "r.xlsx"), *options]
    if name == "report":
        return ["report", str(workbook), "-o", str(out / "r.docx"), "-q", *options]
    return ["validate", str(workbook), *options]


def refused(args, *expected) -> str:
    result = CliRunner().invoke(main, args)
    text = result.output
    assert result.exit_code not in (0, None), text
    assert "Traceback" not in text and "unexpected problem" not in text, text
    for part in expected:
        assert part in text, (part, text)
    return text


# --- replacements ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["compute", "validate", "report"])
def test_a_row_replacing_itself_is_a_located_error(tmp_path, name):
    """`5.1.1,replaces=5.1.1` dropped 5.1.1 (975 kg) as IE with one warning, exit 0."""
    table = overlay(tmp_path / "own.csv", [{"code": "5.1.1", "replaces": "5.1.1"}])
    out = tmp_path / "out"
    out.mkdir()
    before = table.read_bytes()
    refused(
        command(name, EXAMPLE, out, "--factors", str(table)),
        "own.csv",
        "line 2 (code 5.1.1)",
        "replaces",
        "5.1.1 -> 5.1.1",
    )
    if name == "validate":
        as_json = CliRunner().invoke(
            main, [*command(name, EXAMPLE, out, "--factors", str(table)), "--json"]
        )
        assert codes(as_json) == ["replaces-cycle"]
    assert list(out.iterdir()) == []
    assert table.read_bytes() == before


def test_factors_validate_names_the_self_replacement(tmp_path):
    table = overlay(tmp_path / "own.csv", [{"code": "5.1.1", "replaces": "5.1.1"}])
    text = refused(["factors", "validate", str(table)], "line 2 (code 5.1.1)", "cycle")
    assert "5.1.1 -> 5.1.1" in text


def test_a_cycle_through_a_shipped_row_names_the_overlay_line(tmp_path):
    """The shipped 5.2.2d replaces 5.2.2a; an overlay making 5.2.2a replace 5.2.2d closes a
    cycle in which neither row would be counted."""
    table = overlay(tmp_path / "asgm.csv", [{"code": "5.2.2a", "replaces": "5.2.2d"}])
    text = refused(["factors", "validate", str(table)], "line 2 (code 5.2.2a)")
    assert "5.2.2a -> 5.2.2d -> 5.2.2a" in text


def test_a_longer_cycle_in_a_complete_table_is_named_once(tmp_path):
    folder = tmp_path / "factors"
    shutil.copytree(factors_dir(), folder, ignore=shutil.ignore_patterns("level2"))
    path = folder / "toolkit_level1.csv"
    records = list(csv.DictReader(path.open(encoding="utf-8")))
    lines = {r["code"]: n for n, r in enumerate(records, start=2)}
    chain = {"5.1.1": "5.1.2", "5.1.2": "5.1.3a", "5.1.3a": "5.1.1"}
    for r in records:
        r["replaces"] = chain.get(r["code"], r["replaces"])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    text = refused(["factors", "validate", str(folder)], "5.1.1 -> 5.1.2 -> 5.1.3a -> 5.1.1")
    assert f"line {lines['5.1.1']} (code 5.1.1)" in text
    assert text.count("cycle") == 1


# --- numbers that are not finite ----------------------------------------------------------------

NUMERIC = [
    "input_factor",
    "input_factor_low",
    "input_factor_high",
    "air",
    "water",
    "land",
    "byproducts",
    "general_waste",
    "sector_treatment",
]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "Infinity"])
@pytest.mark.parametrize("column", NUMERIC)
def test_factors_validate_refuses_a_number_that_is_not_finite(tmp_path, column, value):
    """`input_factor=inf` was accepted by `factors validate` (or refused for something else)."""
    table = overlay(tmp_path / "f.csv", [{"code": "5.1.1", column: value}])
    text = refused(["factors", "validate", str(table)], "line 2 (code 5.1.1)", f"'{column}'")
    assert "finite" in text


def test_compute_refuses_an_infinite_factor_and_writes_nothing(tmp_path):
    table = overlay(tmp_path / "f.csv", [{"code": "5.1.1", "input_factor": "inf",
                                          "input_factor_high": "inf"}])  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    refused(command("compute", EXAMPLE, out, "--factors", str(table)), "'input_factor'", "finite")
    assert list(out.iterdir()) == []


def _edited_copy(tmp_path: Path, code: str, column: str, value: str) -> Path:
    folder = tmp_path / "factors"
    shutil.copytree(factors_dir(), folder, ignore=shutil.ignore_patterns("level2"))
    path = folder / "toolkit_level1.csv"
    records = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in records:
        if r["code"] == code:
            r[column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return folder


def test_the_fast_loader_of_a_trusted_table_does_not_pass_inf(tmp_path):
    """The shipped table is read without the validating model; one edited after its check
    falls back to the model, which locates the number."""
    folder = _edited_copy(tmp_path, "5.1.2", "input_factor", "inf")
    with pytest.raises(FactorTableError) as caught:
        load_factors(folder, validate=False)
    [problem] = caught.value.problems
    assert problem.code == "factor-row-invalid"
    assert "line 3 (code 5.1.2)" in problem.cell and "input_factor" in problem.cell


def test_a_distribution_parameter_that_is_not_finite_is_refused(tmp_path):
    table = overlay(
        tmp_path / "f.csv",
        [{"code": "5.1.1", "factor_distribution": "uniform", "dist_param1": "0.1",
          "dist_param2": "inf"}],
    )  # fmt: skip
    refused(["factors", "validate", str(table)], "'dist_param2'", "finite")


def _level2_copy(tmp_path: Path, name: str, row_id: str, column: str, value: str) -> Path:
    folder = tmp_path / "level2"
    shutil.copytree(factors_dir() / "level2", folder)
    path = folder / name
    records = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in records:
        if r["id"] == row_id:
            r[column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return folder


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize(
    "name, row_id, column, value",
    [
        ("inputs.csv", "coal-china", "input_factor", "inf"),
        ("inputs.csv", "coal-china", "input_factor_high", "nan"),
        ("configurations.csv", "coal-pm-only", "air", "nan"),
    ],
)
def test_level2_tables_from_a_folder_refuse_numbers_that_are_not_finite(
    tmp_path, name, row_id, column, value, validate
):
    folder = _level2_copy(tmp_path, name, row_id, column, value)
    with pytest.raises(FactorTableError) as caught:
        load_level2(folder, validate=validate)
    cells = [p.cell for p in caught.value.problems if p.file.endswith(name)]
    assert any(f"id {row_id}" in c and column in c for c in cells), caught.value.problems
    assert set(codes(caught)) == {"level2-table-invalid"}


# --- EMEP conversions ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "1e-310"])
def test_a_conversion_that_overflows_is_a_located_error(tmp_path, value):
    """`--conversion 5.1.1=1e308` wrote inf into the cross-check."""
    out = tmp_path / "out"
    out.mkdir()
    refused(
        command("compute", EXAMPLE, out, "--crosscheck", "emep", "--conversion",
                f"5.1.1={value}"),
        "--conversion 5.1.1=",
        "not a finite number",
    )  # fmt: skip
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_a_conversion_that_is_not_a_positive_number_is_refused(tmp_path, value):
    out = tmp_path / "out"
    out.mkdir()
    refused(
        command("compute", EXAMPLE, out, "--crosscheck", "emep", "--conversion", f"5.1.1={value}"),
        f"--conversion 5.1.1={value}",
    )
    assert list(out.iterdir()) == []


# --- limits checked before parsing --------------------------------------------------------------


def run(*args, cwd):
    """hginv in its own process; its peak memory comes back as `peak_mb`."""
    code = (
        "import resource, sys\n"
        "from hginventory.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "finally:\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    sys.stderr.write(f'\\nPEAK_KB {max(own, kids)}\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )  # fmt: skip
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
    proc.peak_mb = int(peak[-1].split()[1]) / 1024 if peak else 0
    return proc


def _huge(path: Path, size: int) -> Path:
    """A factor CSV of `size` bytes: a real header, the rest a sparse hole (never on disk)."""
    overlay(path, [{"code": "5.1.1", "input_factor": "0.2"}])
    os.truncate(path, size)
    return path


@pytest.mark.parametrize("name", ["compute", "validate", "report"])
def test_an_88_mb_overlay_is_refused_before_it_is_read(tmp_path, name):
    """It cost about 1 GB and 20 s before its refusal."""
    table = _huge(tmp_path / "huge.csv", 88 * 2**20)
    out = tmp_path / "out"
    out.mkdir()
    proc = run(*command(name, EXAMPLE, out, "--factors", table), cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "huge.csv" in text and "refused before reading" in text and "88" in text
    assert f"{MAX_TABLE_BYTES // 2**20} MB" in text
    assert proc.peak_mb < 300, proc.peak_mb
    assert list(out.iterdir()) == []


def test_factors_validate_refuses_a_table_of_too_many_lines(tmp_path):
    rows = [{"code": "5.1.1", "input_factor": "0.2"}] * (MAX_TABLE_LINES + 5)
    table = overlay(tmp_path / "long.csv", rows)
    assert table.stat().st_size < MAX_TABLE_BYTES  # the lines, not the size, are refused
    refused(["factors", "validate", str(table)], "long.csv", "lines", "10,000")


def test_an_emep_mapping_over_the_limit_is_refused(tmp_path):
    mapping = tmp_path / "mapping.csv"
    mapping.write_bytes((factors_dir() / "emep_mapping.csv").read_bytes())
    os.truncate(mapping, MAX_TABLE_BYTES + 1)
    out = tmp_path / "out"
    out.mkdir()
    refused(
        command("compute", EXAMPLE, out, "--crosscheck", "emep", "--emep-mapping", str(mapping)),
        "mapping.csv",
        "refused before reading",
    )
    assert list(out.iterdir()) == []


# --- Monte Carlo draws within the memory budget -------------------------------------------------


def test_100000_draws_of_the_level2_example_stay_within_500_mb(tmp_path):
    """They took 741 MB (compute) and 1,061 MB (report)."""
    proc = run("compute", LEVEL2, "--uncertainty", "--draws", "100000", "-q",
               "-o", tmp_path / "r.xlsx", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.peak_mb < 500, proc.peak_mb
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert any("ncertainty" in name for name in book.sheetnames)


def _many_facilities(path: Path, n: int) -> Path:
    write_workbook(path, [("5.1.1", 1000.0 * n, "t")])
    book = load_workbook(path)
    sheet = book.create_sheet("facilities")
    sheet.append(["code", "facility", "activity", "unit", "control"])
    for i in range(n):
        sheet.append(["5.1.1", f"Plant {i}", 1000.0, "t", "coal-pm-only"])
    book.save(path)
    return path


def test_draws_beyond_the_memory_budget_are_refused_with_the_most_that_fit(tmp_path):
    """draws x rows: 100,000 draws of 3,000 facility rows would hold gigabytes."""
    book = _many_facilities(tmp_path / "plants.xlsx", 3000)
    out = tmp_path / "out"
    out.mkdir()
    text = refused(
        command("compute", book, out, "--uncertainty", "--draws", "100000"),
        "--draws 100,000",
        "3,000 result rows",
        "256 MB",
    )
    assert list(out.iterdir()) == []
    most = int(text.split("give --draws ")[1].split(" ")[0].replace(",", ""))
    assert 100 < most < 100_000
    proc = run(*command("compute", book, out, "--uncertainty", "--draws", most, "-q"),
               cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.peak_mb < 500, proc.peak_mb


# --- files beside an overlay, short rows ----------------------------------------------------------


def test_a_short_overlay_row_is_located_not_a_crash(tmp_path):
    table = tmp_path / "short.csv"
    table.write_text("code,input_factor,status,confidence,document,version,table_page\n5.1.1,0.2\n")
    refused(["factors", "validate", str(table)], "line 2 (code 5.1.1)", "'document'")


@pytest.mark.parametrize(
    "groups, expected",
    [("id,name,order\nfuels,Fuels,first\n", "'order'"), ("name,order\nFuels,1\n", "id")],
)
def test_a_bad_source_groups_file_beside_an_overlay_is_located(tmp_path, groups, expected):
    table = overlay(tmp_path / "f.csv", [{"code": "5.1.1", "input_factor": "0.2"}])
    (tmp_path / "source_groups.csv").write_text(groups)
    refused(["factors", "validate", str(table)], "source_groups.csv", expected)


def test_factors_validate_of_a_folder_checks_its_level2_tables(tmp_path):
    """A country's folder of tables: its Level 2 inputs are checked too, inf refused."""
    folder = tmp_path / "tables"
    shutil.copytree(factors_dir(), folder)
    _level2_copy(tmp_path, "inputs.csv", "coal-china", "input_factor", "inf")
    shutil.rmtree(folder / "level2")
    shutil.move(tmp_path / "level2", folder / "level2")
    text = refused(["factors", "validate", str(folder)], "inputs.csv", "id coal-china", "finite")
    assert "'input_factor'" in text
