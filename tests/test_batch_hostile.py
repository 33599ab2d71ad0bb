"""The consultant's batch meets a hostile machine: a full disk, a read-only mount, a file where
the output folder goes, a name too long, a symbolic link loop under a pattern, Ctrl-C while the
results are written. Each ends in one located message (exit non-zero, no traceback, nothing
printed after it) and leaves no temporary file behind.
"""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hginventory.cli import main
from hginventory.jobs import batch as batch_module
from hginventory.jobs import batch_inputs, manifest

from .conftest import EXAMPLES, write_workbook


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def clean(result, *names) -> str:
    """The output of a run that failed cleanly: a located message, no traceback."""
    text = result.output
    assert result.exit_code not in (0, None), text
    assert "Traceback" not in text and "unexpected problem" not in text, text
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    for name in names:
        assert str(name) in text, text
    return text


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp")) if folder.exists() else []


@pytest.fixture
def two(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "valdoria-2018.xlsx", folder)
    shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder)
    return folder


def failing_replace(monkeypatch, code: int, after: int = 0) -> None:
    """Every rename into place after the first `after` fails with `code`, as on a disk that
    fills up (ENOSPC) or a mount that turned read-only (EROFS) during the batch."""
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_disk_that_fills_or_turns_read_only_stops_the_batch_with_one_message(
    two, tmp_path, monkeypatch, code
):
    out = tmp_path / "out"
    failing_replace(monkeypatch, code, after=1)
    result = run("batch", two, "-o", out, "-j", "1")
    text = clean(result, out / "countries" / "valdoria-2021.csv", os.strerror(code))
    assert "stopped after 1 of 2 workbooks" in text
    assert text.rstrip().endswith("command again to go on."), text  # nothing after it
    assert "FAILED" not in text  # a full disk is not a broken workbook
    assert temps(out) == []
    monkeypatch.undo()
    again = run("batch", two, "-o", out, "-j", "1")  # room again: it resumes
    assert again.exit_code == 0, again.output
    assert "1 workbook to compute, 1 unchanged" in again.output


def test_a_read_only_output_folder_is_refused_before_any_workbook_is_read(
    two, tmp_path, monkeypatch
):
    out = tmp_path / "ro" / "out"
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == out:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    read = []
    monkeypatch.setattr(batch_module, "read_inputs", lambda *a, **k: read.append(a) or [])
    result = run("batch", two, "-o", out, "-j", "1")
    clean(result, out, "Read-only file system")
    assert read == []


def test_an_existing_output_folder_without_write_permission_is_refused_at_once(
    two, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    (out / "countries").mkdir(parents=True)
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: not mode & os.W_OK and real(p, mode, **k)
    )
    clean(run("batch", two, "-o", out, "-j", "1"), out, "cannot write in this folder")


def test_a_file_where_the_output_folder_goes_is_a_located_error(two, tmp_path):
    out = tmp_path / "results"
    out.write_text("not a folder\n", encoding="utf-8")
    text = clean(run("batch", two, "-o", out), out, "is a file")
    assert out.read_text(encoding="utf-8") == "not a folder\n"
    below = clean(run("batch", two, "-o", out / "2021"), out / "2021", out)
    assert "not a folder" in below and text


def test_a_file_named_countries_in_the_output_folder_is_a_located_error(two, tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "countries").write_text("mine\n", encoding="utf-8")
    clean(run("batch", two, "-o", out), out / "countries", "is a file")
    assert (out / "countries").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("name", ["batch-manifest.jsonl", "summary.csv", "all.parquet"])
def test_a_folder_where_the_batch_writes_a_table_is_refused_before_work(two, tmp_path, name):
    out = tmp_path / "results"
    (out / name).mkdir(parents=True)
    text = clean(run("batch", two, "-o", out), out / name, "is a folder")
    assert "to compute" not in text  # said before any workbook was read
    assert not (out / "countries").exists() or not any((out / "countries").iterdir())


def test_an_output_folder_name_too_long_is_a_located_error(two, tmp_path):
    out = tmp_path / ("r" * 300)
    clean(run("batch", two, "-o", out), "File name too long")


def test_template_with_a_name_too_long_is_a_located_error(tmp_path):
    for target in (tmp_path / ("t" * 300 + ".xlsx"), tmp_path / ("d" * 300) / "t.xlsx"):
        clean(run("template", "-o", target), target.name, "File name too long")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_report_that_cannot_be_written_prints_no_zipfile_traceback_at_exit(tmp_path):
    """After the clean "cannot write" error, python-docx's half-written ZipFile used to be
    closed at interpreter exit, printing "Exception ignored in ZipFile.__del__ ... Traceback".
    A file size limit (`ulimit -f`) fails the writes the way a full disk does."""
    out = tmp_path / "report.docx"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8000, resource.RLIM_INFINITY))\n"
        "from hginventory.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "report", str(EXAMPLES / "valdoria-2021.xlsx"),
         "-o", str(out), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"{out}: cannot write (File too large)" in " ".join(proc.stderr.split())
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr
    assert temps(tmp_path) == [] and not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
@pytest.mark.timeout(60)
def test_a_pattern_over_a_symbolic_link_loop_ends_and_finds_each_workbook_once(two, tmp_path):
    """`in/d/**/*.xlsx` with `in/d/a/up -> ..` and `in/d/self -> .` used to run past 60 s and
    600 MB; each folder is now entered once."""
    d = tmp_path / "d"
    (d / "a").mkdir(parents=True)
    for book in two.iterdir():
        shutil.copy(book, d / "a")
    (d / "a" / "up").symlink_to("..")
    (d / "self").symlink_to(".")
    (d / "b").symlink_to(d / "a")
    out = tmp_path / "out"
    result = run("batch", f"{d}/**/*.xlsx", "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "2 workbooks to compute" in result.output
    assert sorted(p.name for p in (out / "countries").iterdir()) == [
        "valdoria-2018.csv",
        "valdoria-2021.csv",
    ]
    folder = run("batch", d, "-o", tmp_path / "out2", "-j", "1")  # the folder itself too
    assert folder.exit_code == 0 and "2 workbooks to compute" in folder.output


def test_a_pattern_matching_too_many_files_is_refused_before_any_read(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(batch_inputs, "MAX_MATCHES", 5)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        (folder / f"c{i}.xlsx").write_bytes(b"")
    pattern = f"{folder}/*.xlsx"
    text = clean(run("batch", pattern, "-o", tmp_path / "out"), pattern, "more than 5 files match")
    assert "to compute" not in text and not (tmp_path / "out").exists()
    assert clean(run("batch", folder, "-o", tmp_path / "out"), "more than 5 files match")
    monkeypatch.setattr(batch_inputs, "MAX_FOLDERS", 3)
    deep = tmp_path / "deep" / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    pattern = f"{tmp_path / 'deep'}/**/*.xlsx"
    clean(run("batch", pattern, "-o", tmp_path / "out"), "more than 3 folders to search")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.timeout(180)
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_batch_interrupted_while_writing_leaves_no_temporary_file(tmp_path, sig, code):
    """Ctrl-C in the write phase used to leave a hidden `.tmp` in countries/ (2 of 6 tries),
    and SIGTERM ended the process where it stood. The signal is sent as soon as the first
    file (a temporary one, or an output) appears in countries/."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder / f"country {i}.xlsx")
    out = tmp_path / "out"
    countries = out / "countries"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hginventory.cli import main; main()",
         "batch", str(folder), "-o", str(out), "--xlsx", "-j", "1", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if countries.is_dir() and any(countries.iterdir()):
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        proc.send_signal(sig)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert "Interrupted" in stderr and "run the same command again" in stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert temps(out) == [] and not [p for p in out.rglob(".*") if p.is_file()]


# --- issue 24: what the batch tells about itself ------------------------------------------------


def test_summary_lists_every_workbook_with_its_status_and_first_error(two, tmp_path):
    write_workbook(two / "unknown code.xlsx", [("5.1.1", 1000, "t"), ("5.9.9", 5, "t")])
    (two / "corrupt.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    out = tmp_path / "out"
    assert run("batch", two, "-o", out, "-j", "1", "--xlsx").exit_code == 1
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False).set_index("name")
    assert sorted(summary.index) == ["corrupt", "unknown code", "valdoria-2018", "valdoria-2021"]
    assert summary.at["unknown code", "status"] == "failed"
    error = summary.at["unknown code", "error"]
    assert error.startswith("activity!A3: unknown sub-category code '5.9.9'") and "\n" not in error
    assert summary.at["corrupt", "status"] == "failed" and summary.at["corrupt", "error"]
    assert summary.at["unknown code", "releases_kg"] == ""  # no number for a failed workbook
    assert summary.at["valdoria-2021", "status"] == "ok"
    assert summary.at["valdoria-2021", "error"] == ""
    assert str(summary.at["valdoria-2021", "year"]) == "2021"  # not 2021.0 beside blanks
    from openpyxl import load_workbook

    ws = load_workbook(out / "summary.xlsx")["Summary"]
    assert ws.max_row == 5
    (two / "valdoria-2018.xlsx").unlink()
    (two / "valdoria-2021.xlsx").unlink()
    none = run("batch", two, "-o", out, "-j", "1")  # none succeeds: still listed
    assert none.exit_code == 1
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert list(summary["status"]) == ["failed", "failed"]
    assert not (out / "all.csv").exists()


def test_progress_lines_claim_no_time_and_the_last_line_names_the_folder(two, tmp_path):
    out = tmp_path / "results"
    result = run("batch", two, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith("ok")] == [
        f"ok      {two / 'valdoria-2018.xlsx'} -> countries/valdoria-2018.csv",
        f"ok      {two / 'valdoria-2021.xlsx'} -> countries/valdoria-2021.csv",
    ]
    assert "0.00 s" not in result.output
    last = " ".join(lines[lines.index(next(x for x in lines if x.startswith("Wrote"))) :][:3])
    assert last.startswith(f"Wrote 2 inventories in {out}{os.sep} in ")
    assert "(2 computed, 0 unchanged, 0 failed)." in last
    assert "results in" not in result.output


def _tmpfs(folder: Path, size: str) -> bool:
    """A real small file system (root on Linux only); False where it cannot be mounted."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("size", ["4k", "40k", "90k"])
def test_a_real_full_disk_ends_the_batch_with_one_message_and_no_traceback(
    two, tmp_path, size
):
    """The same on a real full file system (a tmpfs of a few kB), in a process of its own so
    that whatever is printed at exit (a ZipFile closed late) is seen too."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, size):
        pytest.skip("needs root on Linux to mount a small tmpfs")
    try:
        out = disk / "out"
        proc = subprocess.run(
            [sys.executable, "-c", "from hginventory.cli import main; main()",
             "batch", str(two), "-o", str(out), "--xlsx", "-j", "1"],
            capture_output=True,
            text=True,
            timeout=100,
        )
        stderr = " ".join(proc.stderr.split())
        assert proc.returncode == 1, proc.stderr
        assert f"{out / 'countries'}" in stderr and "No space left on device" in stderr
        assert "The batch stopped" in stderr
        assert "Traceback" not in stderr and "Exception ignored" not in stderr
        assert temps(disk) == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_full_disk_met_by_the_manifest_line_stops_the_batch_the_same_way(
    two, tmp_path, monkeypatch
):
    """The manifest gets a line as each workbook is done; that write failing used to be an
    "unexpected problem"."""
    import builtins

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, _text):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def full_open(path, mode="r", *args, **kwargs):
        fh = builtins.open(path, mode, *args, **kwargs)
        return Full(fh) if "a" in mode or "w" in mode else fh

    monkeypatch.setattr(manifest, "open", full_open, raising=False)
    out = tmp_path / "out"
    text = clean(run("batch", two, "-o", out, "-j", "1"), out / "batch-manifest.jsonl")
    assert "No space left on device" in text and "The batch stopped" in text
    assert temps(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.timeout(180)
def test_ctrl_c_while_workers_read_ends_at_once_without_a_worker_traceback(tmp_path):
    """Ctrl-C reaches every process of the terminal's group, the read workers too: one message,
    exit 130, no traceback from any of them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        shutil.copy(EXAMPLES / "valdoria-2021.xlsx", folder / f"country {i}.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hginventory.cli import main; main()",
         "batch", str(folder), "-o", str(out), "-j", "2", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, signalled as a terminal does
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if (out / "countries").is_dir():
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Interrupted" in stderr and "Traceback" not in stderr
    assert temps(out) == []
