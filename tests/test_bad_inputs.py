"""The corpus of bad inputs: every file gets a located, plain answer and never a traceback.

The files and their expectations live in tests/data/bad/ (written by tests/data/make_bad.py);
expected.csv says, for each file, the exit code of `hginv validate`, and the severity, sheet,
cell and code of the problem that must be reported (codes, not wording: the test holds in
every language).
"""

import csv
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hginventory.cli import main
from tests.conftest import codes

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED = list(csv.DictReader((BAD / "expected.csv").open(encoding="utf-8")))
ERRORS = [e for e in EXPECTED if e["exit_code"] == "1"]


def validate(path, *args):
    return CliRunner().invoke(main, ["validate", *args, str(path)])


def test_corpus_is_large_and_every_file_is_listed():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.csv"}
    assert len(EXPECTED) >= 40
    assert files == {e["file"] for e in EXPECTED}


@pytest.mark.parametrize("case", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_validate_locates_the_problem(case):
    path = BAD / case["file"]
    before = path.read_bytes()
    result = validate(path, "--json")
    assert result.exit_code == int(case["exit_code"]), result.output
    report = json.loads(result.output)
    problems = report["problems"]
    if case["severity"] == "none":
        assert problems == []
    else:
        found = [
            p
            for p in problems
            if p["severity"] == case["severity"]
            and (p["sheet"], p["cell"]) == (case["sheet"], case["cell"])
            and p["code"] == case["code"]
        ]
        assert found, f"expected {case} among {problems}"
    assert report["ok"] == (case["exit_code"] == "0")
    human = validate(path)
    assert human.exit_code == result.exit_code
    assert "Traceback" not in human.output
    assert human.exception is None or isinstance(human.exception, SystemExit)
    assert path.read_bytes() == before


@pytest.mark.parametrize("case", ERRORS, ids=[e["file"] for e in ERRORS])
def test_compute_stops_on_each_bad_file_and_writes_nothing(case, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(
        main, ["compute", str(BAD / case["file"]), "-o", str(out / "inv.xlsx")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert list(out.iterdir()) == []


def test_a_path_that_does_not_exist(tmp_path):
    result = validate(tmp_path / "inventaire 2021.xlsx", "--json")
    assert result.exit_code == 1
    [p] = json.loads(result.output)["problems"]
    assert p["code"] == "file-not-found" and p["message"] == "file not found"


def test_a_folder(tmp_path):
    folder = tmp_path / "données.xlsx"
    folder.mkdir()
    result = validate(folder, "--json")
    assert result.exit_code == 1
    assert codes(result) == ["file-is-folder"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
@pytest.mark.parametrize("name", ["locked.xlsx", "locked.csv"])
def test_a_file_without_read_permission(tmp_path, name):
    source = BAD / ("negative.xlsx" if name.endswith("xlsx") else "csv-negative.csv")
    path = tmp_path / name
    shutil.copy(source, path)
    path.chmod(0)
    try:
        result = validate(path, "--json")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert codes(result)[0] == "file-no-permission"


@pytest.mark.parametrize("name", ["locked.xlsx", "locked.csv"])
def test_no_read_permission_is_explained(tmp_path, name, monkeypatch):
    """The same as above where the tests run as root: the operating system's refusal is
    simulated at the point where hginv opens the file."""
    source = BAD / ("negative.xlsx" if name.endswith("xlsx") else "csv-negative.csv")
    path = tmp_path / name
    shutil.copy(source, path)

    def refuse(*_args, **_kw):
        raise PermissionError(13, "Permission denied")

    if name.endswith(".xlsx"):
        monkeypatch.setattr("hginventory.read.scan.zipfile.is_zipfile", refuse)
    else:  # the gate asks the operating system before opening
        access = os.access
        monkeypatch.setattr(
            "hginventory.read.gate.os.access",
            lambda p, mode: False if Path(p).name == name else access(p, mode),
        )
    result = validate(path, "--json")
    assert result.exit_code == 1
    assert codes(result) == ["file-no-permission"]


def test_usage_errors_exit_2(tmp_path):
    assert CliRunner().invoke(main, ["validate"]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", "--no-such-option", "x.xlsx"]).exit_code == 2


def test_calamine_itself_does_not_expand_external_entities(tmp_path):
    """Even without hginv's own refusal, the reader underneath does not read other files:
    it stops at the unknown entity instead of expanding it."""
    from python_calamine import CalamineError, CalamineWorkbook

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    src = (BAD / "xxe-external-entity.xlsx").read_bytes()
    path = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename).replace(b"file:///etc/passwd", secret.as_uri().encode())
            zout.writestr(info, data)
    with pytest.raises(CalamineError, match="entity"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("activity").to_python()
    result = validate(path, "--json")
    assert result.exit_code == 1 and "TOP-SECRET" not in result.output
    assert codes(result) == ["file-unsafe"] and "declares XML entities" in result.output


def test_the_bomb_is_refused_from_the_zip_directory(monkeypatch):
    """The size check reads the zip directory only: nothing is inflated before refusing."""
    opened = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kw):
        opened.append(name)
        return original(self, name, *args, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    result = validate(BAD / "zip-bomb.xlsx", "--json")
    assert result.exit_code == 1 and codes(result) == ["file-unsafe"]
    assert "decompression bomb" in result.output
    assert opened == []
