"""Every path the user names is protected (issue 21) and a folder output is a folder (issue 24).

A focal point keeps her factor table, mapping, earlier trend and result files beside the
workbook and types output names by hand: whatever she types, no command may replace one of
her inputs, write two outputs on one file, or replace a device, a pipe or a folder. Each
command's outputs are tried onto each of its inputs (directly, through a symbolic link and a
hard link); every refusal exits non-zero, names the path, and leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from hginventory.cli import main
from tests.conftest import EXAMPLES, write_workbook

pytestmark = pytest.mark.skipif(os.name == "nt", reason="links and pipes as on Unix")


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The focal point's folder: two years of activity, a factor overlay and a factor folder
    (each with its .toml), an EMEP mapping, two result CSVs, a trend folder (with a note of
    hers in it), and factor tables she keeps in folders that are also output folders."""
    from hginventory.tables.factors import factors_dir

    home = tmp_path_factory.mktemp("home")
    cwd = Path.cwd()
    os.chdir(home)
    try:
        shutil.copy(EXAMPLES / "valdoria-2021.xlsx", "act.xlsx")
        shutil.copy(EXAMPLES / "valdoria-2018.xlsx", "act-2018.xlsx")
        shutil.copy(factors_dir() / "emep_mapping.csv", "M.csv")
        for args in (
            ["factors", "export", "--group", "fuels", "-o", "F.csv"],
            ["factors", "export", "-o", "FD/toolkit_level1.csv"],
            ["compute", "act.xlsx", "--csv-only", "--csv", "R1.csv", "-q"],
            ["compute", "act-2018.xlsx", "--csv-only", "--csv", "R2.csv", "-q"],
            ["trend", "act-2018.xlsx", "act.xlsx", "-o", "T", "-q"],
        ):
            Path("FD").mkdir(exist_ok=True)
            result = _run(args)
            assert result.exit_code == 0, (args, result.output)
        Path("T/notes.html").write_text("<p>her notes</p>", "utf-8")
        for folder, name in (("O", "summary"), ("O", "totals")):
            Path(folder).mkdir(exist_ok=True)
            shutil.copy("F.csv", f"{folder}/{name}.csv")
            shutil.copy("F.toml", f"{folder}/{name}.toml")
    finally:
        os.chdir(cwd)
    return home


@pytest.fixture
def world(built, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the folder for each test, as the current folder, with the links a
    user (or an attacker) may leave: symbolic and hard links to inputs, a link to /dev/null,
    pipes, and an earlier batch folder whose countries/act.csv is a link to her factors."""
    home = tmp_path / "home"
    shutil.copytree(built, home, symlinks=True)
    monkeypatch.chdir(home)
    os.symlink("act.xlsx", "link.xlsx")
    os.symlink("act.xlsx", "act-link.html")
    os.symlink("M.csv", "M-link.html")
    os.link("act.xlsx", "hard.xlsx")
    os.link("F.csv", "F-hard.docx")
    os.symlink(os.devnull, "nul.csv")
    os.symlink("r.xlsx", "r-link.csv")  # dangling: a link to a name another output takes
    for name in ("pipe.csv", "pipe.xlsx", "pipe.html"):
        os.mkfifo(name)
    Path("O2/countries").mkdir(parents=True)
    os.symlink("../../F.csv", "O2/countries/act.csv")
    Path("O3").mkdir()
    os.mkfifo("O3/trend.csv")
    Path("O4").mkdir()
    os.mkfifo("O4/summary.csv")
    Path("afile").write_text("not a folder", "utf-8")
    return home


def _state(folder: Path) -> dict[str, str]:
    """Every entry under `folder` and what it is: bytes of files (links followed), the target
    of links, 'fifo' for pipes; a new file or a replaced link shows as a difference."""
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                out[rel] = "link to " + os.readlink(path)
            elif stat.S_ISFIFO(mode):
                out[rel] = "fifo"
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                out[rel] = "device"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _refused(world: Path, args, named: str) -> None:
    before = _state(world)
    result = _run(args)
    assert result.exit_code != 0, result.output
    assert named in result.output, result.output
    assert "unexpected problem" not in result.output and "Traceback" not in result.output
    assert _state(world) == before, "an input changed or an output was written"


TRIANGLE = "--crosscheck emep --emep-mapping M.csv".split()

ONTO_AN_INPUT = {
    "compute -o onto the activity workbook": ("compute act.xlsx -o act.xlsx", "act.xlsx"),
    "compute -o onto a link to the workbook": ("compute act.xlsx -o link.xlsx", "link.xlsx"),
    "compute -o onto a hard link to it": ("compute act.xlsx -o hard.xlsx", "hard.xlsx"),
    "compute --csv onto the workbook": ("compute act.xlsx --csv act.xlsx", "act.xlsx"),
    "compute --csv-only --csv onto the factor CSV": (
        "compute act.xlsx --factors F.csv --csv-only --csv F.csv",
        "F.csv",
    ),
    "compute --csv onto the factor .toml": (
        "compute act.xlsx --factors F.csv --csv F.toml",
        "F.toml",
    ),
    "compute --by-csv onto the factor CSV": (
        "compute act.xlsx --factors F.csv --by nfr --by-csv F.csv",
        "F.csv",
    ),
    "compute --csv into the factor folder's table": (
        "compute act.xlsx --factors FD --csv FD/toolkit_level1.csv",
        "FD/toolkit_level1.csv",
    ),
    "compute --by-csv onto the EMEP mapping": (
        "compute act.xlsx --crosscheck emep --emep-mapping M.csv --by annex-d --by-csv M.csv",
        "M.csv",
    ),
    "compute --csv onto the EMEP mapping": (
        "compute act.xlsx --crosscheck emep --emep-mapping M.csv --csv M.csv",
        "M.csv",
    ),
    "compute --csv onto the shipped factor table": (
        "compute act.xlsx --csv {shipped}",
        "toolkit_level1.csv",
    ),
    "report -o onto a file of the trend folder": (
        "report act.xlsx --trend T -o T/notes.html",
        "T/notes.html",
    ),
    "report -o onto a link to the workbook": ("report act.xlsx -o act-link.html", "act-link.html"),
    "report -o onto a hard link to the factors": (
        "report act.xlsx --factors F.csv -o F-hard.docx",
        "F-hard.docx",
    ),
    "report -o onto a link to the mapping": (
        "report act.xlsx --crosscheck emep --emep-mapping M.csv -o M-link.html",
        "M-link.html",
    ),
    "template -o onto the factor CSV": ("template --factors F.csv -o F.csv --force", "F.csv"),
    "template -o into the factor folder's table": (
        "template --factors FD -o FD/toolkit_level1.csv --force",
        "FD/toolkit_level1.csv",
    ),
    "diff --csv onto the baseline results": ("diff R1.csv R2.csv --csv R1.csv", "R1.csv"),
    "diff --csv onto the new results": ("diff R1.csv R2.csv --csv R2.csv", "R2.csv"),
    "trend -o onto its baseline folder": (
        "trend act-2018.xlsx act.xlsx -o T --baseline T",
        "T/trend.csv",
    ),
    "trend -o inside its baseline folder": (
        "trend act-2018.xlsx act.xlsx -o T/again --baseline T",
        "T/again",
    ),
    "trend -o where the factor table is kept": (
        "trend act-2018.xlsx act.xlsx -o O --factors O/totals.csv",
        "O/totals.csv",
    ),
    "batch -o where the factor table is kept": (
        "batch act.xlsx -o O --factors O/summary.csv",
        "O/summary.csv",
    ),
    "batch countries/ file that links to the factors": (
        "batch act.xlsx -o O2 --factors F.csv",
        "O2/countries/act.csv",
    ),
    "factors export -o onto the table exported": (
        "factors export --factors F.csv -o F.csv --force",
        "F.csv",
    ),
    "factors export .toml onto the table's .toml": (
        "factors export --factors F.csv -o F.toml --force",
        "F.toml",
    ),
    "factors export -o into the factor folder's table": (
        "factors export --factors FD -o FD/toolkit_level1.csv --force",
        "FD/toolkit_level1.csv",
    ),
}


@pytest.mark.parametrize(("command", "named"), ONTO_AN_INPUT.values(), ids=ONTO_AN_INPUT.keys())
def test_no_output_replaces_an_input(world, command, named):
    from hginventory.tables.factors import factors_dir

    shipped = factors_dir() / "toolkit_level1.csv"
    before = shipped.read_bytes()
    _refused(world, command.format(shipped=shipped).split(), named)
    assert shipped.read_bytes() == before


TWO_OUTPUTS = {
    "compute -o and --csv on one file": (
        "compute act.xlsx -o out/r.xlsx --csv out/r.xlsx",
        "--csv",
    ),
    "compute --csv and --by-csv on one file": (
        "compute act.xlsx --csv r.csv --by nfr --by-csv r.csv",
        "--by-csv",
    ),
    "compute --csv a link to the workbook's name": (
        "compute act.xlsx -o r.xlsx --csv r-link.csv",
        "r-link.csv",
    ),
    "compute --csv and --by-csv differing in case only": (
        "compute act.xlsx --csv R.csv --by nfr --by-csv r.csv",
        "--by-csv",
    ),
    "report -o twice": ("report act.xlsx -o r.html -o r.html", "r.html"),
    "factors export -o a .toml": ("factors export -o x.toml", "x.toml"),
}


@pytest.mark.parametrize(("command", "named"), TWO_OUTPUTS.values(), ids=TWO_OUTPUTS.keys())
def test_two_outputs_never_share_a_file(world, command, named):
    _refused(world, command.split(), named)
    assert not Path("out").exists(), "no folder made for a refused run"


SPECIAL = {
    "compute --csv a pipe": ("compute act.xlsx --csv pipe.csv", "pipe.csv"),
    "compute --csv a link to /dev/null": ("compute act.xlsx --csv nul.csv", "nul.csv"),
    "compute -o a file where a folder is named": ("compute act.xlsx -o afile/", "afile"),
    "compute -o in a folder that does not exist (a typo)": (
        "compute act.xlsx -o reslts/r.xlsx",
        "the folder reslts does not exist",
    ),
    "report -o a pipe": ("report act.xlsx -o pipe.html", "pipe.html"),
    "template -o a pipe": ("template -o pipe.xlsx --force", "pipe.xlsx"),
    "diff --csv a pipe": ("diff R1.csv R2.csv --csv pipe.csv", "pipe.csv"),
    "trend -o a folder whose trend.csv is a pipe": (
        "trend act-2018.xlsx act.xlsx -o O3",
        "O3/trend.csv",
    ),
    "batch -o a folder whose summary.csv is a pipe": ("batch act.xlsx -o O4", "O4/summary.csv"),
    "factors export -o a pipe": ("factors export -o pipe.csv --force", "pipe.csv"),
    "template -o a 300-byte name": (f"template -o {'a' * 300}.xlsx", "a" * 300),
    "compute -o a 300-byte name": (f"compute act.xlsx -o {'a' * 300}.xlsx", "a" * 300),
}


@pytest.mark.parametrize(("command", "named"), SPECIAL.values(), ids=SPECIAL.keys())
def test_only_a_regular_file_or_a_new_name_is_written(world, command, named):
    _refused(world, command.split(), named)


@pytest.mark.skipif(os.geteuid() == 0, reason="as root, a slip would replace /dev/null")
def test_dev_null_is_refused(world):
    _refused(world, ["compute", "act.xlsx", "--csv", os.devnull], os.devnull)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_is_never_replaced_as_root(world):
    """As root, a rename over a device node (mknod) would turn it into a plain file."""
    try:
        os.mknod("dev.csv", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("no right to make device nodes here")
    _refused(world, ["compute", "act.xlsx", "--csv", "dev.csv"], "dev.csv")
    _refused(world, ["template", "-o", "dev.csv", "--force"], "dev.csv")
    assert stat.S_ISCHR(os.lstat("dev.csv").st_mode)


def test_atomic_write_never_replaces_a_pipe_or_a_device(tmp_path):
    """The last guard, for a library caller that skipped the command's check."""
    from hginventory.core.errors import OutputError
    from hginventory.core.files import atomic_write

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    link = tmp_path / "nul.csv"
    os.symlink(os.devnull, link)
    for path in (pipe, link):
        with pytest.raises(OutputError, match="not a regular file") as info:
            atomic_write(path, lambda tmp: tmp.write_text("x", "utf-8"))
        assert info.value.code == "output-not-writable"
    assert stat.S_ISFIFO(pipe.lstat().st_mode) and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nul.csv", "pipe.csv"]


def test_trend_baseline_kept_when_compared_again(world):
    """`trend A B -o T` then `trend A B C -o T --baseline T`: the trend to compare with is
    never overwritten; written elsewhere, the comparison works."""
    before = _state(world / "T")
    _refused(world, "trend act-2018.xlsx act.xlsx -o T --baseline T".split(), "T/trend.csv")
    result = _run("trend act-2018.xlsx act.xlsx -o T2 --baseline T -q".split())
    assert result.exit_code == 0, result.output
    assert Path("T2/recalculation.csv").is_file()
    assert _state(world / "T") == before


FOLDERS = {
    "compute -o a new folder/": (
        "compute act.xlsx -o results/ -q",
        ["results/act-inventory.xlsx", "results/act-inventory.csv"],
    ),
    "compute -o new nested folders/": (
        "compute act.xlsx -o deep/er/ -q",
        ["deep/er/act-inventory.xlsx", "deep/er/act-inventory.csv"],
    ),
    "compute -o an existing folder": (
        "compute act.xlsx -o T -q",
        ["T/act-inventory.xlsx", "T/act-inventory.csv"],
    ),
    "compute --csv-only --csv a new folder/": (
        "compute act.xlsx --csv-only --csv csvs/ -q",
        ["csvs/act-inventory.csv"],
    ),
    "compute --by-csv a new folder/": (
        "compute act.xlsx --csv-only --csv c.csv --by nfr --by-csv by/ -q",
        ["c.csv", "by/act-by-nfr.csv"],
    ),
    "report -o a new folder/": (
        "report act.xlsx -o reports/ -q",
        ["reports/act-report.docx", "reports/act-report.html"],
    ),
    "template -o a new folder/": ("template -o blank/", ["blank/hginv-template.xlsx"]),
    "diff --csv a new folder/": ("diff R1.csv R2.csv --csv changes/", ["changes/R1-vs-R2.csv"]),
    "factors export -o a new folder/ (a factor folder)": (
        "factors export -o tables/",
        ["tables/toolkit_level1.csv", "tables/toolkit_level1.toml"],
    ),
}


@pytest.mark.parametrize(("command", "made"), FOLDERS.values(), ids=FOLDERS.keys())
def test_a_folder_output_is_created_and_written_in(world, command, made):
    """`-o results/` (the README's own example) or an existing folder: the usual names
    inside it, the folder made (parents too) when it does not exist yet."""
    before = _state(world)
    result = _run(command.split())
    assert result.exit_code == 0, result.output
    for name in made:
        assert Path(name).is_file() and Path(name).stat().st_size > 0, name
    after = _state(world)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    assert sorted(set(after) - set(before)) == sorted(made)


def test_no_folder_is_left_when_the_workbook_has_errors(world):
    """`-o results/` is made only once there is an inventory to write in it."""
    write_workbook(Path("bad.xlsx"), [("5.1.1", -3, "t")])
    for command in ("compute bad.xlsx -o results/", "report bad.xlsx -o reports/"):
        result = _run(command.split())
        assert result.exit_code == 1, result.output
        assert "bad.xlsx" in result.output
    assert not Path("results").exists() and not Path("reports").exists()
