"""`hginv batch`: many country workbooks in one run, in parallel, resumable.

Each workbook goes through exactly what `hginv compute` does (the same reading and checks, the
same engine, the same CSV writer), so a country's numbers in a batch are the numbers `compute`
gives. Workbooks are read and checked in worker processes (forked where the platform allows);
then the whole batch is computed in one call of the engine, which takes a long table of every
country's rows. One bad workbook is recorded with its located problems and the batch goes on.

OUTDIR holds:

- `countries/<name>.csv` (and `.xlsx` with `xlsx=True`): one per input, named after it;
- `all.csv`, `all.parquet`: every country's result rows in one long table;
- `summary.csv` (and `summary.xlsx`): national totals per pathway, one row per country, with
  `releases_awl_kg` (air, water, land), `transfers_kg`, `releases_kg` (all six outputs, as
  before) and `outputs_beyond_input_kg` (docs/releases-and-transfers.md);
- `batch-report.csv`, `batch-report.txt`: every problem found, with its file, sheet and cell;
- `batch-manifest.jsonl`: what was computed from which input hash, factor table and options.

A re-run skips an input whose hash, factor table, Level 2 tables, hginv version and result
options are those recorded and whose outputs are still as written; an interrupted run resumes
from the manifest, which gets one line per finished file. Combined tables are rebuilt at the
end from the per-country CSVs, so a resumed batch writes the same tables as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hginventory import __version__
from hginventory.core.columns import CSV_TEXT_COLUMNS
from hginventory.core.errors import HginvError, OutputError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.read.activity import SPREADSHEET_SUFFIXES, sha256_of

COUNTRIES = "countries"


MANIFEST = "batch-manifest.jsonl"


REPORT_CSV = "batch-report.csv"


REPORT_TXT = "batch-report.txt"


MANIFEST_FORMAT = "hginv-batch-manifest/3"  # 2: recalled count; 3: releases apart from transfers


REPORT_COLUMNS = [
    "input_file",
    "name",
    "status",
    "severity",
    "file",
    "sheet",
    "cell",
    "found",
    "expected",
    "message",
    "code",  # the problem's stable code (docs/problem-codes.md)
]


ID_COLUMNS = ["country", "iso3", "year", "input_file"]


TABLE_COLUMNS = ["factor_table_version", "factor_table_sha256"]


TABLES = ("all.csv", "all.parquet", "summary.csv", "summary.xlsx")


STOPPING_ERRNOS = {errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC)}


class BatchUsageError(HginvError):
    """The batch cannot start: no inputs found, an argument that matches nothing."""

    exit_code = 2


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    """A located OutputError for an OSError met writing or removing `path`, carrying its errno
    (a full disk or read-only file system stops the batch: every next file would fail too)."""
    error = OutputError(
        _("{file}: cannot write ({reason})").format(file=path, reason=exc.strerror or exc)
    )
    error.errno = exc.errno
    return error


def _unlink(path: Path) -> None:
    """An old output removed, or a located error saying why it could not be."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _stops_batch(exc: HginvError) -> bool:
    return getattr(exc, "errno", None) in STOPPING_ERRNOS


def _not_a_folder(path: Path) -> Path | None:
    """The first of `path` and its parents that exists and is not a folder, if any."""
    for p in (path, *path.parents):
        try:
            if p.exists() or p.is_symlink():
                return None if p.is_dir() else p
        except OSError:
            return None
    return None


def prepare_outdir(outdir: Path) -> None:
    """The output folder and its `countries/` made, and checked writable, before any workbook
    is read: a file where a folder goes, a folder where a table goes, a read-only file system
    or a folder without write permission is a located error at once, not after the reading."""
    for folder in (outdir, outdir / COUNTRIES):
        blocker = _not_a_folder(folder)
        if blocker == folder:
            raise OutputError(
                _(
                    "{folder}: is a file, where the batch makes a folder; move the file away or "
                    "choose another output folder"
                ).format(folder=folder)
            )
        if blocker is not None:
            raise OutputError(
                _(
                    "{folder}: cannot be made: {file} is a file, not a folder; choose another "
                    "output folder"
                ).format(folder=folder, file=blocker)
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                _("{folder}: cannot create the folder ({reason})").format(
                    folder=folder, reason=exc.strerror or exc
                )
            ) from None
    for name in (MANIFEST, REPORT_CSV, REPORT_TXT, *TABLES):
        path = outdir / name
        if path.exists() and not path.is_file():
            raise OutputError(
                _(
                    "{file}: is a folder (or not a regular file), where the batch writes a file; "
                    "move it away or choose another output folder"
                ).format(file=path)
            )
    for folder in (outdir, outdir / COUNTRIES):
        if not os.access(folder, os.W_OK | os.X_OK):
            readonly = hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY
            code = errno.EROFS if readonly else errno.EACCES
            raise OutputError(
                _("{folder}: cannot write in this folder ({reason})").format(
                    folder=folder, reason=os.strerror(code)
                )
            )


def check_outputs(outdir: Path, names: list[str], paths: list[Path], factors=None) -> None:
    """No output of the batch may be an input (a factor table kept in the output folder, a
    link in countries/ to a workbook) or a device, pipe or folder: checked before any reading."""
    from hginventory.core.files import check_paths, table_files
    from hginventory.tables.factors import factors_dir

    outputs = [outdir / n for n in (MANIFEST, REPORT_CSV, REPORT_TXT, *TABLES)]
    outputs += [outdir / COUNTRIES / f"{n}{s}" for n in names for s in (".csv", ".xlsx")]
    tables = table_files(factors) if isinstance(factors, (str, Path)) else []
    check_paths(outputs, [*paths, factors_dir(), *tables])


@dataclass(frozen=True)
class BatchOptions:
    """What changes the outputs of one workbook, besides its content and the factor table."""

    xlsx: bool = False
    uncertainty: bool = False
    draws: int = 10_000
    seed: int = 20_211_013
    lang: str = "en"  # of the problems reported (and of the workbooks with xlsx)

    def key(self) -> dict:
        out: dict = {"xlsx": self.xlsx, "uncertainty": self.uncertainty}
        if self.uncertainty:
            out.update(draws=self.draws, seed=self.seed)
        if self.lang != "en":
            out["lang"] = self.lang
        return out


@dataclass
class FileResult:
    """The outcome for one input: `ok`, `failed`, or `skipped` (unchanged since the last run)."""

    input_file: str
    name: str
    status: str
    key: dict = field(default_factory=dict)
    country: str = ""
    iso3: str = ""
    year: int | None = None
    totals: dict = field(default_factory=dict)
    rows: int = 0
    recalled: int = 0
    outputs: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] == "warning"]

    @property
    def succeeded(self) -> bool:
        return self.status in ("ok", "skipped")

    def to_json(self) -> dict:
        """The fields as they are (JSON types already), not deep-copied as `asdict` would."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class BatchResult:
    outdir: Path
    results: list[FileResult]
    tables: dict[str, Path]
    factor_label: str
    seconds: float
    estimates_counted: bool = False  # --include-estimates: the project's estimates in the totals

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _is_candidate(path: Path, root: Path, csv: bool = False) -> bool:
    """A spreadsheet (or, for a pattern, a CSV) in a folder, not an Excel lock file
    (`~$x.xlsx`) or a hidden file."""
    rel = path.relative_to(root).parts
    suffixes = SPREADSHEET_SUFFIXES | ({".csv"} if csv else set())
    return (
        path.suffix.lower() in suffixes
        and not path.name.startswith("~$")
        and not any(part.startswith(".") for part in rel)
        and path.is_file()
    )


MAX_MATCHES = 100_000


MAX_FOLDERS = 100_000


def _too_many(text: str, folders: bool = False) -> BatchUsageError:
    """The search for inputs stopped at a limit: a pattern or folder far wider than meant."""
    from hginventory.core.numbers import COUNT, format_number

    message = (
        _(
            "{pattern}: more than {limit} folders to search; give a narrower pattern or "
            "folder (a batch of more workbooks is run in parts)"
        )
        if folders
        else _(
            "{pattern}: more than {limit} files match; give a narrower pattern or folder "
            "(a batch of more workbooks is run in parts)"
        )
    )
    limit = MAX_FOLDERS if folders else MAX_MATCHES
    return BatchUsageError(message.format(pattern=text, limit=format_number(limit, COUNT)))


class _Walk:
    """What a pattern or folder matches, found without following a symbolic link loop.

    A folder is entered at most once for each rest of the pattern (by its device and inode,
    links resolved), so `in/**/*.xlsx` over `in/d/up -> ..` ends; and the search stops past
    MAX_FOLDERS folders or MAX_MATCHES matches, so a link to `/` cannot make it endless.
    Like `glob`, `*` and `**` skip hidden names (a leading dot) unless the pattern has one.
    """

    def __init__(self, text: str):
        self.text = text
        self.found: list[Path] = []
        self.seen: set[tuple] = set()
        self.folders = 0

    def enter(self, folder: Path, rest: int) -> bool:
        try:
            st = folder.stat()
        except OSError:
            return False
        key = (st.st_dev, st.st_ino, rest)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.folders += 1
        if self.folders > MAX_FOLDERS:
            raise _too_many(self.text, folders=True)
        return True

    def add(self, path: Path) -> None:
        self.found.append(path)
        if len(self.found) > MAX_MATCHES:
            raise _too_many(self.text)

    def entries(self, folder: Path):
        try:
            with os.scandir(folder) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError:
            return []

    def match(self, folder: Path, parts: tuple[str, ...]) -> None:
        """Paths under `folder` that the pattern `parts` (split at separators) matches."""
        import fnmatch

        if not parts:
            self.add(folder)
            return
        head, rest = parts[0], parts[1:]
        if head == "**":
            if not self.enter(folder, len(parts)):
                return
            self.match(folder, rest)  # no folder at all
            for entry in self.entries(folder):
                if entry.name.startswith("."):
                    continue
                path = folder / entry.name
                if _is_dir(entry):
                    self.match(path, parts)
                elif not rest:
                    self.add(path)
        elif glob.has_magic(head):
            for entry in self.entries(folder):
                if entry.name.startswith(".") and not head.startswith("."):
                    continue
                if not fnmatch.fnmatch(entry.name, head):
                    continue
                path = folder / entry.name
                if not rest:
                    self.add(path)
                elif _is_dir(entry) and self.enter(path, len(rest)):
                    self.match(path, rest)
        else:
            path = folder / head
            if not rest:
                if path.exists() or path.is_symlink():
                    self.add(path)
            elif path.is_dir():
                self.match(path, rest)

    def files_under(self, folder: Path) -> list[Path]:
        """Every file below `folder`, its sub-folders too; links to folders are not followed
        (as `Path.rglob` does), hidden folders are searched like any other."""
        out: list[Path] = []
        todo = [folder]
        while todo:
            current = todo.pop()
            if not self.enter(current, -1):
                continue
            for entry in self.entries(current):
                path = current / entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    todo.append(path)
                else:
                    out.append(path)
                    if len(out) > MAX_MATCHES:
                        raise _too_many(self.text)
        return sorted(out)


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def expand(text: str) -> list[Path]:
    """The paths a glob pattern matches (`**` for any depth of folders), in sorted order."""
    path = Path(text)
    parts = path.parts
    anchor = 0
    while anchor < len(parts) and not glob.has_magic(parts[anchor]):
        anchor += 1
    root = Path(*parts[:anchor]) if anchor else Path(".")
    walk = _Walk(text)
    walk.match(root, parts[anchor:])
    found = set(walk.found) - ({Path(".")} if not anchor else set())  # as glob: not "./"
    if text.endswith(("/", os.sep)):  # `data/*/`: folders only
        found = {f for f in found if f.is_dir()}
    return sorted(found)


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.resolve().is_relative_to(folder)


def collect_inputs(args: Iterable[str | Path], exclude: str | Path | None = None) -> list[Path]:
    """Files, folders (searched recursively for spreadsheets) and glob patterns, in order.

    A path that exists is taken as it is, so a file named `Côte d'Ivoire [draft].xlsx` is not
    read as a pattern. An argument that is neither a path nor a pattern matching something is
    a usage error, as is finding nothing at all. Files under `exclude` (the output folder)
    are left out, so outputs are never read back as inputs (and old outputs removed there are
    never inputs); naming one explicitly is a usage error.
    """
    skip = Path(exclude).resolve() if exclude is not None else None
    found: list[Path] = []
    missing: list[str] = []
    for arg in args:
        text = str(arg)
        p = Path(text)
        if p.is_file():
            if _inside(p, skip):
                raise BatchUsageError(
                    _("{path}: is inside the output folder {folder}").format(
                        path=text, folder=exclude
                    )
                )
            found.append(p)  # named explicitly: taken even if it is not a spreadsheet
            continue
        if p.is_dir():
            matches = [p]
        elif glob.has_magic(text):
            matches = expand(text)
        else:
            matches = []
        if not matches:
            missing.append(text)
        walk = _Walk(text)
        for m in matches:
            if m.is_dir():
                files = [f for f in walk.files_under(m) if _is_candidate(f, m)]
            elif _is_candidate(m, m.parent, csv=True):
                files = [m]  # a pattern may pick CSV activity files; never a lock file
            else:
                files = []
            found += [f for f in files if not _inside(f, skip)]
            if len(found) > MAX_MATCHES:
                raise _too_many(text)
    if missing:
        raise BatchUsageError(
            _("no such file or folder, and no file matches: {patterns}").format(
                patterns=", ".join(repr(m) for m in missing)
            )
        )
    seen: set[Path] = set()
    out: list[Path] = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    if not out:
        raise BatchUsageError(
            _("no activity workbooks found in {places}").format(
                places=", ".join(repr(str(a)) for a in args)
            )
        )
    return out


def output_names(paths: list[Path]) -> list[str]:
    """A file name stem per input, from its own name; unique even when two inputs share a stem
    (in different folders): those get their folder name in front, and a short hash of the full
    path if that is not enough. Case is ignored, as on Windows and macOS file systems."""
    names = [p.stem for p in paths]

    def clashes(candidates: list[str]) -> set[str]:
        seen: dict[str, int] = {}
        for n in candidates:
            seen[n.casefold()] = seen.get(n.casefold(), 0) + 1
        return {n for n in candidates if seen[n.casefold()] > 1}

    clash = clashes(names)
    names = [
        f"{p.resolve().parent.name}-{n}" if n in clash and p.resolve().parent.name else n
        for p, n in zip(paths, names, strict=True)
    ]
    clash = clashes(names)
    return [
        f"{n}-{hashlib.sha256(str(p.resolve()).encode()).hexdigest()[:8]}" if n in clash else n
        for p, n in zip(paths, names, strict=True)
    ]


def load_batch_factors(factors=None):
    """The factor table as `compute --factors` reads it: a folder replaces, a CSV overlays."""
    from hginventory.tables.factors import FactorTable, factors_for

    return factors if isinstance(factors, FactorTable) else factors_for(factors)


def table_key(factors) -> dict:
    """Identity of everything besides the input that the numbers depend on."""
    from hginventory.tables.level2 import default_tables

    return {
        "hginv_version": __version__,
        "factor_table": factors.label,
        "factor_table_sha256": factors.sha256,
        "overlay": getattr(factors, "overlay_label", ""),
        "overlay_sha256": getattr(factors, "overlay_sha256", ""),
        "level2_sha256": default_tables().sha256,
        # a resumed batch never mixes totals with and without the project's estimates
        "estimates_counted": bool(getattr(factors, "estimates_counted", False)),
    }


class Manifest:
    """One JSON line per finished file, appended and flushed as each file finishes.

    A line is written with a single write after the file's outputs are in place (themselves
    written atomically), so a run stopped at any moment leaves at worst a torn last line, which
    is ignored on reading: that file is simply computed again. At the end of a batch the
    manifest is rewritten atomically with one line per input.
    """

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        self.outdated = False
        if path.is_file():
            with open(path, encoding="utf-8", errors="replace") as fh:  # a torn last line
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if not isinstance(entry, dict):
                        continue
                    if entry.get("format", MANIFEST_FORMAT) != MANIFEST_FORMAT:
                        self.entries.clear()  # written by another hginv: compute it all again
                        self.outdated = True
                        break
                    if "resolved" in entry:
                        self.entries[entry["resolved"]] = entry
        self._fh = None

    def record(self, resolved: str, result: FileResult) -> None:
        entry = {"resolved": resolved, **result.to_json()}
        self.entries[resolved] = entry
        try:
            if self._fh is None:  # kept open for the whole run
                self._fh = open(self.path, "w" if self.outdated else "a", encoding="utf-8")
                if self.outdated:
                    self._fh.write(json.dumps({"format": MANIFEST_FORMAT}) + "\n")
                    self.outdated = False
            self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._fh.flush()
        except OSError as exc:  # a full disk: a torn last line is ignored on reading
            raise _cannot_write(self.path, exc) from None

    def close(self) -> None:
        """Closed; a line that could not be written was reported when it was recorded."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    def rewrite(self, keep: list[str]) -> None:
        from hginventory.core.files import atomic_write

        self.close()
        lines = [json.dumps({"format": MANIFEST_FORMAT})]
        kept = [self.entries[k] for k in keep if k in self.entries]
        lines += [json.dumps(e, ensure_ascii=False) for e in kept]
        atomic_write(self.path, lambda tmp: tmp.write_text("\n".join(lines) + "\n", "utf-8"))


def _unchanged(entry: dict | None, key: dict, outdir: Path) -> bool:
    """The recorded result of an input is still valid: same key, outputs as written."""
    if not entry or entry.get("status") not in ("ok", "skipped") or entry.get("key") != key:
        return False
    for rel, digest in entry.get("outputs", {}).items():
        path = outdir / rel
        if not path.is_file() or sha256_of(path) != digest:
            return False
    return bool(entry.get("outputs"))


_WORKER: dict = {}


def _init_worker(factors, lang: str = "en") -> None:
    """Once per worker process: the language of its messages, the factor table and the Level 2
    tables, loaded and kept."""
    import multiprocessing

    from hginventory.core.i18n import set_language
    from hginventory.tables.level2 import default_tables

    set_language(lang)
    _WORKER.update(factors=load_batch_factors(factors))
    default_tables()
    if multiprocessing.parent_process() is not None:  # a pool worker: no atexit there
        from multiprocessing import util

        from hginventory.read.gate import close_reader

        util.Finalize(None, close_reader, exitpriority=10)


def _init_pool_worker(factors, lang: str = "en") -> None:
    """`_init_worker` in a worker of the pool, which leaves Ctrl-C to the batch's own process:
    that one drops the queued reads and cleans up (a worker stopped by it would print a
    traceback of its own)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(factors, lang)


def _problem_dicts(exc: HginvError, path: Path) -> list[dict]:
    return [p.to_dict() for p in exc.located(path)]


ROW_KEYS = ("code", "activity", "unit", "notes", "activity_cell", "uncertainty_pct", "given")

REPORTING_KEYS = ("presence", "data_quality", "data_source")
"""The optional reporting columns (issue 26): the report's presence table and data quality."""


class CompactRows(Sequence):
    """Activity rows kept as columns of what the engine reads (a third of the memory of one
    dict per row, and quicker to send from a worker), seen as the usual row dicts."""

    __slots__ = ("columns",)

    def __init__(self, rows: list[dict]):
        keys = (*ROW_KEYS, "notation", *REPORTING_KEYS)
        self.columns = {k: [r.get(k, math.nan) for r in rows] for k in keys}

    def __len__(self) -> int:
        return len(self.columns["code"])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return {k: values[i] for k, values in self.columns.items()}

    def __iter__(self):
        keys = list(self.columns)
        return (
            dict(zip(keys, values, strict=True))
            for values in zip(*self.columns.values(), strict=True)
        )


def read_file(path: Path):
    """Read and check one input (in a worker process); never raises for a bad workbook."""
    from hginventory.jobs.validate import Validation, check_input

    try:
        checked = check_input(path, _WORKER["factors"])
    except Exception as exc:  # a bug met on one workbook must not stop the batch
        return Validation(path, [_internal(exc, path)])
    if checked.activity is not None:
        checked.activity.rows = CompactRows(checked.activity.rows)
    return checked


def _internal(exc: Exception, path: Path) -> Problem:
    return Problem(
        _("internal error while computing ({problem}); please report it with this workbook").format(
            problem=f"{type(exc).__name__}: {exc}"
        ),
        file=str(path),
        kind="internal",
        code="internal-error",
    )


def write_outputs(checked, name: str, key: dict, options: BatchOptions, outdir: Path):
    """The outputs of one computed (or failed) input, and its FileResult; never raises for a
    bad workbook. Files are not synced one by one: `run_batch` syncs once at the end."""
    from hginventory.write.csv import write_csv

    start = time.perf_counter()
    path = checked.path
    result = FileResult(input_file=str(path), name=name, status="failed", key=key)
    folder = outdir / COUNTRIES
    if checked.activity is not None:
        result.key = {**key, "input_sha256": checked.activity.sha256}
    try:
        if not checked.ok or checked.inventory is None:
            from hginventory.core.errors import ActivityError

            raise ActivityError(checked.summary, checked.sorted_problems())
        inv = checked.inventory
        if options.uncertainty:
            from hginventory.engine.uncertainty import with_uncertainty

            inv = with_uncertainty(inv, draws=options.draws, seed=options.seed)
        written = [write_csv(inv, folder / f"{name}.csv", protect=[path], sync=False)]
        if options.xlsx:
            from hginventory.write.workbook import write_workbook

            written.append(write_workbook(inv, folder / f"{name}.xlsx", protect=[path]))
        else:
            _unlink(folder / f"{name}.xlsx")  # from an older run: out of date
    except HginvError as exc:
        if _stops_batch(exc):
            raise
        result.problems = _problem_dicts(exc, path)
    except Exception as exc:  # a bug met on one workbook must not stop the batch
        result.problems = [_internal(exc, path).to_dict()]
    else:
        meta = inv.metadata
        result.status = "ok"
        result.country, result.iso3, result.year = meta["country"], meta["iso3"], meta["year"]
        result.totals = inv.totals()
        result.rows = len(inv.results)
        result.recalled = inv.recalled_count
        result.outputs = {f"{COUNTRIES}/{p.name}": sha256_of(p) for p in written}
        result.problems = [p.to_dict() for p in inv.warnings]
    if result.status == "failed":
        _remove_stale(folder, name)
    result.seconds = time.perf_counter() - start
    return result


CHUNK = 100  # inventories whose CSV text is made in one go (bounds the memory it takes)


def _fast_outputs(many, keys: list[int], totals: dict) -> dict[int, dict]:
    """What the CSVs of some computed inventories (`keys`, ascending) hold, from the engine's
    long table in one go: their CSV text (the lines of one CSV of all their rows, which are
    those `write_csv` writes row by row), totals, row and recalled counts; by position in the
    batch. An inventory left out (a text with a line break, which would split a row over
    lines) is written by the writer of one inventory."""
    import io

    import numpy as np

    from hginventory.core.columns import CSV_COLUMNS
    from hginventory.write.sheets import csv_safe

    bounds = many.bounds()
    keys = [k for k in keys if k in bounds]
    if not keys:
        return {}
    start, end = bounds[keys[0]][0], bounds[keys[-1]][1]
    frame = csv_safe(many.results.iloc[start:end][CSV_COLUMNS])
    broken = np.zeros(len(frame), dtype=bool)
    for c in [c for c in CSV_COLUMNS if c in TEXT_COLUMNS]:
        if any("\n" in v or "\r" in v for v in set(frame[c].tolist()) if isinstance(v, str)):
            broken |= frame[c].str.contains("[\r\n]", regex=True).to_numpy(dtype=bool)
    buffer = io.StringIO()
    floats_as_text(frame[~broken]).to_csv(buffer, index=False, lineterminator="\n")
    lines = buffer.getvalue().encode("utf-8").split(b"\n")
    header = lines[0] + b"\n"
    recalled = (many.results["status"].iloc[start:end] == "recalled").to_numpy()
    out = {}
    for k in keys:
        a, b = bounds[k][0] - start, bounds[k][1] - start
        if broken[a:b].any():
            continue
        skip = int(broken[:a].sum())
        body = b"\n".join(lines[1 + a - skip : 1 + b - skip])
        out[many.positions[k]] = {
            "csv": header + body + (b"\n" if b > a else b""),
            "totals": totals[k],
            "rows": b - a,
            "recalled": int(recalled[a:b].sum()),
            "warnings": many.warnings[k],
            "country": many.activities[k].country,
        }
    return out


def floats_as_text(frame):
    """The frame with its float columns as the text `to_csv(float_format="%.12g")` writes
    (NaN as empty), formatted in one pass per column: pandas' own formatter spends most of a
    big batch's CSV time calling a function per value."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = pd.Series(
                ["" if v != v else "%.12g" % v for v in out[col].tolist()],  # noqa: UP031
                index=out.index,
                dtype=object,
            )
    return out


def _write_fast(checked, fast: dict, name: str, key: dict, outdir: Path) -> FileResult:
    """`write_outputs` of an inventory whose CSV text `_fast_outputs` made."""
    from hginventory.core.files import atomic_write

    start = time.perf_counter()
    path = checked.path
    folder = outdir / COUNTRIES
    result = FileResult(input_file=str(path), name=name, status="failed", key=key)
    result.key = {**key, "input_sha256": checked.activity.sha256}
    target = folder / f"{name}.csv"
    try:
        atomic_write(
            target, lambda tmp: tmp.write_bytes(fast["csv"]), [path], sync=False, stale=False
        )
    except HginvError as exc:
        if _stops_batch(exc):
            raise
        result.problems = _problem_dicts(exc, path)
        _remove_stale(folder, name)
        return result
    _unlink(folder / f"{name}.xlsx")  # from an older run: out of date
    country = fast["country"]
    result.status = "ok"
    result.country, result.iso3, result.year = country.country, country.iso3 or "", country.year
    result.totals = fast["totals"]
    result.rows = fast["rows"]
    result.recalled = fast["recalled"]
    result.outputs = {f"{COUNTRIES}/{target.name}": hashlib.sha256(fast["csv"]).hexdigest()}
    result.problems = [p.to_dict() for p in fast["warnings"]]
    result.seconds = time.perf_counter() - start
    return result


def _remove_stale(folder: Path, name: str) -> None:
    """A workbook that now fails must not leave an older result beside the fresh ones."""
    for suffix in (".csv", ".xlsx"):
        _unlink(folder / f"{name}{suffix}")


def start_method() -> str:
    """How worker processes start: fork where the platform has it (Linux, macOS: no second
    start of Python and pandas per worker), else spawn (Windows)."""
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def run_batch(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    *,
    jobs: int | None = None,
    factors=None,
    xlsx: bool = False,
    force: bool = False,
    uncertainty: bool = False,
    draws: int = 10_000,
    seed: int = 20_211_013,
    lang: str | None = None,
    include_estimates: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> BatchResult:
    """Compute every workbook of `inputs` into `outdir`; see the module docstring.

    Workbooks are read and checked in `jobs` worker processes (default: the number of CPUs;
    1 reads in this process), then computed together in one engine call (`compute_many`) here.
    `factors` is a factor CSV (overlay) or folder as for `compute --factors`, or a loaded
    table; `include_estimates` counts the project's estimates in the totals (as
    `compute --include-estimates`). `on_start` gets (to compute, skipped) once, `on_result`
    each file's result as its outputs are written. `lang` is the language of the reports
    (default: the current language; a batch mixes countries, so the workbooks' own `language`
    fields are not followed).
    Raises BatchUsageError when there is nothing to do, HginvError for a bad factor table.
    """
    from hginventory.jobs.validate import finish_checks

    start = time.perf_counter()
    outdir = Path(outdir)
    paths = collect_inputs(inputs, exclude=outdir)
    names = output_names(paths)
    table = load_batch_factors(factors)
    if include_estimates:
        table = table.counting_estimates(True)
    from hginventory.core.i18n import get_language, language

    lang = lang or get_language()
    options = BatchOptions(xlsx=xlsx, uncertainty=uncertainty, draws=draws, seed=seed, lang=lang)
    base_key = {**table_key(table), "options": options.key()}
    prepare_outdir(outdir)
    check_outputs(outdir, names, paths, factors)
    from hginventory.core.files import remove_stale_temps_in

    remove_stale_temps_in(
        outdir / COUNTRIES, [f"{n}{suffix}" for n in names for suffix in (".csv", ".xlsx")]
    )
    manifest = Manifest(outdir / MANIFEST)
    resolved = [str(p.resolve()) for p in paths]

    results: dict[str, FileResult] = {}
    todo: list[tuple[Path, str, dict, str]] = []
    for path, name, res in zip(paths, names, resolved, strict=True):
        try:
            digest = sha256_of(path)
        except OSError:
            digest = ""
        key = {**base_key, "name": name, "input_sha256": digest}
        entry = manifest.entries.get(res)
        if not force and digest and _unchanged(entry, key, outdir):
            known = {k: v for k, v in entry.items() if k in FileResult.__dataclass_fields__}
            results[res] = FileResult(**{**known, "input_file": str(path), "status": "skipped"})
        else:
            todo.append((path, name, key, res))
    if on_start:
        on_start(len(todo), len(results))
    for res in resolved:
        if res in results and on_result:
            on_result(results[res])

    # every message of the run (workers, engine, reports) in the language of the run
    with language(lang), _own_temps_removed(outdir):
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        try:
            checks = _read_all([job[0] for job in todo], jobs, table, lang)
            many = finish_checks(checks, table, build=False)  # one engine call for the batch
            key_of = {i: k for k, i in enumerate(many.positions)} if many is not None else {}
            totals = many.totals() if many is not None else {}
            fast: dict[int, dict] = {}
            for i, ((_path, name, key, res), checked) in enumerate(zip(todo, checks, strict=True)):
                if (
                    i % CHUNK == 0
                    and many is not None
                    and not (options.xlsx or options.uncertainty)
                ):
                    chunk = [key_of[j] for j in range(i, min(i + CHUNK, len(todo))) if j in key_of]
                    fast = _fast_outputs(many, chunk, totals)
                if i in fast and checked.ok:
                    result = _write_fast(checked, fast.pop(i), name, key, outdir)
                else:
                    if checked.ok and i in key_of:
                        checked.inventory = many.inventory(key_of[i])
                    result = write_outputs(checked, name, key, options, outdir)
                    checked.inventory = None
                results[res] = result
                manifest.record(res, result)
                if on_result:
                    on_result(result)
            del checks, many, fast, totals  # the engine's tables: not needed for all.csv
        except HginvError as exc:
            if not _stops_batch(exc):
                raise
            done = sum(r.status != "skipped" for r in results.values())
            message = (
                _(
                    "{problem}. The batch stopped after {done} of {todo} workbooks (their "
                    "results are kept); make room or make the folder writable, then run the same "
                    "command again to go on."
                )
                if done
                else _(
                    "{problem}. The batch stopped before any workbook was written; make room or "
                    "make the folder writable, then run the same command again."
                )
            )
            raise OutputError(
                message.format(problem=exc.args[0], done=done, todo=len(todo))
            ) from None
        finally:
            manifest.close()
        ordered = [results[r] for r in resolved]
        tables = write_tables(ordered, outdir, table)
        fresh = [
            (r, res) for r, res in zip(resolved, ordered, strict=True) if res.status != "skipped"
        ]
        manifest.entries.update({r: {"resolved": r, **res.to_json()} for r, res in fresh})
        manifest.rewrite(resolved)
        if hasattr(os, "sync"):
            os.sync()  # the per-country files, once (a torn one fails its SHA-256 on resume)
        seconds = time.perf_counter() - start
        batch = BatchResult(
            outdir, ordered, tables, table.label, seconds, table.estimates_counted
        )
        tables.update(write_reports(batch))
        return batch


@contextlib.contextmanager
def _own_temps_removed(outdir: Path):
    """An interrupted batch (Ctrl-C, or SIGTERM turned into an exception by the command) leaves
    no temporary file of its own: a signal may cut a write between the temporary file's
    creation and the `finally` that removes it."""
    try:
        yield
    except BaseException:
        from hginventory.core.files import remove_own_temps_in

        for folder in (outdir / COUNTRIES, outdir):
            remove_own_temps_in(folder)
        raise


def _read_all(paths: list[Path], jobs: int, table, lang: str = "en") -> list:
    """Every input read and checked, in input order: in this process with one job, else in
    worker processes that keep the factor table; small files go in chunks."""
    if jobs == 1 or len(paths) <= 1:
        _init_worker(table, lang)
        return [read_file(p) for p in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import hginventory.jobs.validate  # noqa: F401  (forked workers start with these)
    import hginventory.read.activity  # noqa: F401
    import hginventory.read.facilities  # noqa: F401

    context = multiprocessing.get_context(start_method())
    chunk = max(1, min(16, len(paths) // (jobs * 4)))
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_pool_worker,
        initargs=(table, lang),
    )
    try:
        checks = [_shared(c) for c in pool.map(read_file, paths, chunksize=chunk)]
    except BaseException:  # Ctrl-C: the queued reads are dropped, not waited for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return checks


def _shared(checked):
    """A worker's result with its texts interned: codes, units, cell names and the notes of a
    template repeat from one workbook to the next, and the whole batch is held for the one
    engine call (a tenth of its memory)."""
    from sys import intern

    rows = getattr(checked.activity, "rows", None)
    for name, values in getattr(rows, "columns", {}).items():
        if name != "activity":
            rows.columns[name] = [intern(v) if type(v) is str else v for v in values]
    for rec in getattr(checked.facilities, "rows", ()):
        rec["cells"] = {intern(k): intern(v) for k, v in rec["cells"].items()}
        for k, v in rec.items():
            if type(v) is str:
                rec[k] = intern(v)
    return checked


TEXT_COLUMNS = CSV_TEXT_COLUMNS  # the result CSV's text columns (core.columns)


def _parse_results(data, header: list[str]):
    """Result CSV text as it was before writing: empty text stays empty text, empty numbers are
    NaN, and the apostrophe that kept text such as `=x` from being a formula in the CSV is taken
    off again (all.csv puts it back; all.parquet has the text as typed)."""
    import io

    import pandas as pd

    from hginventory.write.sheets import formula_like

    numeric = [c for c in header if c not in TEXT_COLUMNS]
    frame = pd.read_csv(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        dtype={c: str for c in header if c in TEXT_COLUMNS},
        keep_default_na=False,
        na_values={c: [""] for c in numeric},
    )
    for col in frame.columns.intersection(TEXT_COLUMNS):
        values = frame[col]
        if not any(isinstance(v, str) and v[:1] == "'" for v in set(values.tolist())):
            continue
        marked = values.map(lambda v: isinstance(v, str) and v[:1] == "'" and formula_like(v[1:]))
        if marked.any():
            frame[col] = values.where(~marked, values.str[1:])
    return frame


def combined_frame(results: list[FileResult], outdir: Path, factors):
    """All successful countries' result rows in one long table, in input order.

    Read back from the per-country CSVs (so a resumed batch gives the same table as a fresh
    one), parsed in one go: the CSVs share their header, and the manifest knows each one's
    row count, which is checked against what was parsed.
    """
    import numpy as np
    import pandas as pd

    from hginventory.core.columns import CSV_COLUMNS

    done = [r for r in results if r.succeeded]
    if not done:
        return None
    import io

    header = None
    text = io.BytesIO()  # one copy of the CSV text of the batch, not a list and its join
    for r in done:
        path = outdir / COUNTRIES / f"{r.name}.csv"
        first, _newline, body = path.read_bytes().partition(b"\n")
        if header is None:
            header = first
            text.write(header + b"\n")
        elif first != header:
            raise HginvError(
                _("{file}: its columns differ from the other countries' CSVs").format(file=path)
            )
        text.write(body if body.endswith(b"\n") or not body else body + b"\n")
    columns = header.decode("utf-8").split(",")
    text.seek(0)
    frame = _parse_results(text, columns)
    del text
    counts = [r.rows for r in done]
    if len(frame) != sum(counts) or not set(CSV_COLUMNS) <= set(frame.columns):
        raise HginvError(
            _("{folder}: the per-country CSVs do not match the manifest").format(
                folder=outdir / COUNTRIES
            )
        )

    def repeat(values):
        return np.repeat(np.asarray(values, dtype=object), counts)

    ids = pd.DataFrame(
        {
            "country": pd.array(repeat([r.country for r in done]), dtype="str"),
            "iso3": pd.array(repeat([r.iso3 for r in done]), dtype="str"),
            "year": np.repeat(np.asarray([r.year for r in done], dtype="int64"), counts),
            "input_file": pd.array(repeat([r.input_file for r in done]), dtype="str"),
        }
    )
    out = pd.concat([ids, frame], axis=1)
    out["factor_table_version"] = factors.label
    out["factor_table_sha256"] = factors.sha256
    return out


def first_error(result: FileResult) -> str:
    """The first line of a failed workbook's first error, located (the file is named apart)."""
    problems = result.errors or result.problems
    if not problems:
        return ""
    text = str(Problem(**{**problems[0], "file": ""}))
    return text.splitlines()[0] if text else ""


def summary_frame(results: list[FileResult], factors):
    """National totals per pathway (after the double-counting adjustments), one row for each
    workbook of the run, in input order: `ok`, `empty` (no activity), or `failed` with the first
    line of its first error in `error` and no numbers (batch-report.csv has every problem)."""
    import pandas as pd

    from hginventory.core.columns import OUTPUT_COLUMNS

    quantities = [
        "hg_input_kg",
        *OUTPUT_COLUMNS,
        "releases_kg",  # all six outputs, as before
        "releases_awl_kg",
        "transfers_kg",
        "outputs_beyond_input_kg",
    ]
    rows = []
    for r in results:
        row = {
            "country": r.country,
            "iso3": r.iso3,
            "year": r.year,
            "input_file": r.input_file,
            "name": r.name,
            "factor_table_version": factors.label,
            "factor_table_sha256": factors.sha256,
            "estimates_counted": bool(factors.estimates_counted),
        }
        if r.succeeded:
            row.update(
                status="empty" if r.rows == 0 else "ok",
                error="",
                result_rows=r.rows,
                recalled_rows=r.recalled,
                **{q: r.totals[q] for q in quantities},
            )
        else:
            row.update(status="failed", error=first_error(r))
        rows.append(row)
    columns = [
        *ID_COLUMNS,
        "name",
        "status",
        "error",
        *quantities,
        "result_rows",
        "recalled_rows",
        *TABLE_COLUMNS,
        "estimates_counted",
    ]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for col in ("year", "result_rows", "recalled_rows"):  # whole numbers, blank when failed
        frame[col] = frame[col].astype("Int64")
    return frame


def write_parquet(frame, path: Path) -> None:
    """Parquet with fastparquet, called directly: pandas' own route needs pyarrow, which pandas
    3 then imports into every hginv command (0.1 s more for each `import pandas`)."""
    import fastparquet

    fastparquet.write(str(path), frame, write_index=False, compression="SNAPPY")


def write_tables(results: list[FileResult], outdir: Path, factors) -> dict[str, Path]:
    """all.csv, all.parquet, summary.csv (and summary.xlsx when workbooks were asked for)."""
    from hginventory.core.files import atomic_write
    from hginventory.write.sheets import csv_safe

    written: dict[str, Path] = {}
    combined = combined_frame(results, outdir, factors)
    if combined is None:  # no workbook succeeded: summary.csv still lists every failure
        for name in ("all.csv", "all.parquet"):
            _unlink(outdir / name)
    else:
        safe = floats_as_text(csv_safe(combined))
        written["all.csv"] = atomic_write(
            outdir / "all.csv", lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n")
        )
        written["all.parquet"] = atomic_write(
            outdir / "all.parquet", lambda tmp: write_parquet(combined, tmp)
        )
        del combined, safe
    summary = summary_frame(results, factors)
    safe_summary = csv_safe(summary)
    written["summary.csv"] = atomic_write(
        outdir / "summary.csv",
        lambda tmp: safe_summary.to_csv(
            tmp, index=False, float_format="%.12g", lineterminator="\n"
        ),
    )
    if any(r.key.get("options", {}).get("xlsx") for r in results):
        written["summary.xlsx"] = atomic_write(
            outdir / "summary.xlsx", lambda tmp: _summary_workbook(summary, tmp)
        )
    else:
        _unlink(outdir / "summary.xlsx")
    return written


def _summary_workbook(summary, path: Path) -> None:
    """summary.xlsx: the summary table with the number policy of every hginv workbook."""
    import pandas as pd

    from hginventory.core.numbers import COUNT, MASS
    from hginventory.write.xlsx import Book

    book = Book(header="hginv batch")
    ws = book.sheet("Summary")
    headers = list(summary.columns)
    kinds = {i: MASS for i, c in enumerate(headers) if c.endswith("_kg")}
    kinds.update({i: COUNT for i, c in enumerate(headers) if c.endswith("_rows")})
    rows = (
        [
            None if v is None or v is pd.NA else str(v) if k == "year" else v
            for k, v in zip(headers, r, strict=True)
        ]
        for r in summary.astype(object).itertuples(index=False)
    )
    ws.table(0, headers, rows, kinds)
    ws.freeze = (1, 1)
    Path(path).write_bytes(book.to_bytes())


def write_reports(batch: BatchResult) -> dict[str, Path]:
    """batch-report.csv (every problem, located) and batch-report.txt (for people)."""
    import pandas as pd

    from hginventory.core.files import atomic_write
    from hginventory.write.sheets import csv_safe

    rows = []
    for r in batch.results:
        for p in sorted(r.problems, key=lambda p: p["severity"] != "error"):
            rows.append(
                {
                    "input_file": r.input_file,
                    "name": r.name,
                    "status": r.status,
                    **{k: p.get(k, "") for k in REPORT_COLUMNS[3:]},
                }
            )
    frame = csv_safe(pd.DataFrame.from_records(rows, columns=REPORT_COLUMNS))
    csv_path = atomic_write(
        batch.outdir / REPORT_CSV,
        lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"),
    )
    txt_path = atomic_write(
        batch.outdir / REPORT_TXT, lambda tmp: tmp.write_text(report_text(batch), "utf-8")
    )
    return {REPORT_CSV: csv_path, REPORT_TXT: txt_path}


def recalled_notice(batch: BatchResult) -> str:
    """How many result rows of the batch rest on 'recalled' factors (every run says so)."""
    done = [r for r in batch.results if r.succeeded]
    recalled = sum(r.recalled for r in done)
    rows = sum(r.rows for r in done)
    if not recalled:
        return _("All {rows} result rows use factors confirmed against their cited source.").format(
            rows=rows
        )
    return _(
        "Notice: {recalled} of {rows} result rows, in {countries} of {inventories} inventories, "
        "use 'recalled' factors (not confirmed against the official Toolkit); column "
        "recalled_rows of summary.csv and status in all.csv."
    ).format(
        recalled=recalled,
        rows=rows,
        countries=sum(r.recalled > 0 for r in done),
        inventories=len(done),
    )


def estimates_line(batch: BatchResult) -> str:
    """Whether the totals of the batch count the project's estimates (every run says so)."""
    from hginventory.engine.inventory import estimates_sentence

    return estimates_sentence(batch.estimates_counted)


def quality_lines(batch: BatchResult) -> list[str]:
    """Per country, what the quality checks (plausibility, consistency) found, with codes."""
    from hginventory.check.quality import CONSISTENCY, PLAUSIBILITY

    lines = []
    for r in batch.results:
        found = [p for p in r.problems if p.get("kind") in (PLAUSIBILITY, CONSISTENCY)]
        if not r.succeeded or not found:
            continue
        if not lines:
            lines.append(_("Quality checks (docs/quality-checks.md):"))
        lines.append(
            "  "
            + ngettext(
                "{file}: {n} finding of the quality checks",
                "{file}: {n} findings of the quality checks",
                len(found),
            ).format(file=r.input_file, n=len(found))
        )
        for p in found:
            at = f"{p.get('sheet')}!{p.get('cell')}" if p.get("sheet") else p.get("cell", "")
            lines.append(f"    {p.get('code', '')}, {at}: {p.get('message', '')}")
    return [*lines, ""] if lines else []


def report_text(batch: BatchResult) -> str:
    """The readable summary: counts, then each failed workbook with its located errors."""
    from hginventory.core.numbers import format_number

    n = len(batch.results)
    head = ngettext(
        "hginv batch: {n} workbook, factor table {table}",
        "hginv batch: {n} workbooks, factor table {table}",
        n,
    )
    lines = [
        head.format(n=n, table=batch.factor_label),
        "  " + _("computed: {n}").format(n=batch.count("ok")),
        "  " + _("unchanged since the last run (skipped): {n}").format(n=batch.count("skipped")),
        "  " + _("failed: {n}").format(n=batch.count("failed")),
        "  " + _("time: {seconds} s").format(seconds=format_number(batch.seconds, places=1)),
        "",
    ]
    if batch.failed:
        lines.append(_("Failed workbooks (fix them and run the same command again):"))
        for r in batch.failed:
            lines.append("")
            n_err = len(r.errors)
            lines.append(
                ngettext("{file}: {n} error", "{file}: {n} errors", n_err).format(
                    file=r.input_file, n=n_err
                )
            )
            for p in r.errors + r.warnings:
                word = _("error") if p["severity"] == "error" else _("warning")
                lines.append(f"  {word}: {Problem(**p)}")
        lines.append("")
    lines += quality_lines(batch)
    warned = [r for r in batch.results if r.succeeded and r.warnings]
    if warned:
        lines.append(_("Computed with warnings (see batch-report.csv):"))
        lines += [
            "  "
            + ngettext("{file}: {n} warning", "{file}: {n} warnings", len(r.warnings)).format(
                file=r.input_file, n=len(r.warnings)
            )
            for r in warned
        ]
        lines.append("")
    done = [r for r in batch.results if r.succeeded]
    if done:
        lines.append(recalled_notice(batch))
        lines.append(estimates_line(batch))
        lines.append("")
    if batch.tables.get("all.csv"):
        lines.append(
            _(
                "Combined tables: all.csv, all.parquet, summary.csv; one CSV per country in "
                "{folder}/."
            ).format(folder=COUNTRIES)
        )
    else:
        lines.append(
            _("No workbook succeeded: no combined tables written; summary.csv lists each failure.")
        )
    return "\n".join(lines) + "\n"
