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
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.errors import HginvError, OutputError
from hginventory.core.files import make_folders
from hginventory.core.i18n import gettext as _
from hginventory.jobs.batch_inputs import collect_inputs, load_batch_factors, output_names
from hginventory.jobs.batch_read import internal_error, read_inputs
from hginventory.jobs.manifest import MANIFEST, Manifest, table_key, unchanged
from hginventory.read.source import sha256_of
from hginventory.write.batch_report import REPORT_CSV, REPORT_TXT, write_reports
from hginventory.write.batch_tables import COUNTRIES, TABLES, remove_output, write_tables

STOPPING_ERRNOS = {errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC)}

CHUNK = 100  # inventories whose CSV text is made in one go (bounds the memory it takes)


def stops_batch(exc: HginvError) -> bool:
    """A full disk or a read-only file system: every next file would fail too."""
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
        make_folders([folder])
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


@dataclass
class CountryCsv:
    """A computed inventory's result CSV and numbers, from the engine's long table."""

    text: bytes
    totals: dict
    rows: int
    recalled: int
    warnings: list
    country: object  # its CountryInfo


def compute_batch(checks: list, table, options: BatchOptions):
    """Each checked input, in input order, with its `CountryCsv` when it was computed and
    neither a workbook nor the uncertainty is asked for; else with None, `checked.inventory`
    then set while it is written (when computed). The batch's one call of the engine, and
    every use of its long result, are here."""
    from hginventory.jobs.validate import finish_checks

    many = finish_checks(checks, table, build=False)  # one engine call for the batch
    key_of = {i: k for k, i in enumerate(many.positions)} if many is not None else {}
    totals = many.totals() if many is not None else {}
    ready: dict[int, CountryCsv] = {}
    for i, checked in enumerate(checks):
        if i % CHUNK == 0 and many is not None and not (options.xlsx or options.uncertainty):
            chunk = [key_of[j] for j in range(i, min(i + CHUNK, len(checks))) if j in key_of]
            ready = _country_csvs(many, chunk, totals)
        if i in ready and checked.ok:
            yield checked, ready.pop(i)
            continue
        if checked.ok and i in key_of:
            checked.inventory = many.inventory(key_of[i])
        yield checked, None
        checked.inventory = None


def _country_csvs(many, keys: list[int], totals: dict) -> dict[int, CountryCsv]:
    """The CSVs of some computed inventories (`keys`, ascending), from the engine's long table
    in one go (`write.csv.result_csvs`), with their totals, row and recalled counts; by
    position in the batch."""
    from hginventory.core.columns import CSV_COLUMNS
    from hginventory.write.csv import result_csvs

    bounds = many.bounds()
    keys = [k for k in keys if k in bounds]
    if not keys:
        return {}
    start, end = bounds[keys[0]][0], bounds[keys[-1]][1]
    spans = [(bounds[k][0] - start, bounds[k][1] - start) for k in keys]
    texts = result_csvs(many.results.iloc[start:end][CSV_COLUMNS], spans)
    recalled = (many.results["status"].iloc[start:end] == "recalled").to_numpy()
    return {
        many.positions[k]: CountryCsv(
            text=text,
            totals=totals[k],
            rows=b - a,
            recalled=int(recalled[a:b].sum()),
            warnings=many.warnings[k],
            country=many.activities[k].country,
        )
        for k, text, (a, b) in zip(keys, texts, spans, strict=True)
    }


def write_country(
    checked, csv: CountryCsv | None, name: str, key: dict, options: BatchOptions, outdir: Path
) -> FileResult:
    """The outputs of one computed (or failed) input, and its FileResult; never raises for a
    bad workbook. Files are not synced one by one: `run_batch` syncs once at the end."""
    start = time.perf_counter()
    path = checked.path
    result = FileResult(input_file=str(path), name=name, status="failed", key=key)
    if checked.activity is not None:
        result.key = {**key, "input_sha256": checked.activity.sha256}
    folder = outdir / COUNTRIES
    try:
        if csv is not None:
            _write_csv_text(result, csv, path, folder)
        else:
            _write_inventory(result, checked, options, folder)
    except HginvError as exc:
        if stops_batch(exc):
            raise
        result.problems = [p.to_dict() for p in exc.located(path)]
    except Exception as exc:  # a bug met on one workbook must not stop the batch
        result.problems = [internal_error(exc, path).to_dict()]
    if result.status == "failed":
        for suffix in (".csv", ".xlsx"):  # no older result beside the fresh ones
            remove_output(folder / f"{name}{suffix}")
    result.seconds = time.perf_counter() - start
    return result


def _write_csv_text(result: FileResult, csv: CountryCsv, path: Path, folder: Path) -> None:
    """The CSV of an inventory as `compute_batch` gave it; `result` filled in."""
    from hginventory.core.files import atomic_write

    target = folder / f"{result.name}.csv"
    atomic_write(target, lambda tmp: tmp.write_bytes(csv.text), [path], sync=False, stale=False)
    remove_output(folder / f"{result.name}.xlsx")  # from an older run: out of date
    country = csv.country
    result.status = "ok"
    result.country, result.iso3, result.year = country.country, country.iso3 or "", country.year
    result.totals, result.rows, result.recalled = csv.totals, csv.rows, csv.recalled
    result.outputs = {f"{COUNTRIES}/{target.name}": hashlib.sha256(csv.text).hexdigest()}
    result.problems = [p.to_dict() for p in csv.warnings]


def _write_inventory(result: FileResult, checked, options: BatchOptions, folder: Path) -> None:
    """The outputs of an input as `compute` writes them from its Inventory (with its workbook
    or uncertainty when asked for); `result` filled in. A failed input raises its problems."""
    from hginventory.core.errors import ActivityError
    from hginventory.write.csv import write_csv

    path, name = checked.path, result.name
    if not checked.ok or checked.inventory is None:
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
        remove_output(folder / f"{name}.xlsx")  # from an older run: out of date
    meta = inv.metadata
    result.status = "ok"
    result.country, result.iso3, result.year = meta["country"], meta["iso3"], meta["year"]
    result.totals = inv.totals()
    result.rows = len(inv.results)
    result.recalled = inv.recalled_count
    result.outputs = {f"{COUNTRIES}/{p.name}": sha256_of(p) for p in written}
    result.problems = [p.to_dict() for p in inv.warnings]


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
    1 reads in this process), then computed together in one engine call (`compute_batch`) here.
    `factors` is a factor CSV (overlay) or folder as for `compute --factors`, or a loaded
    table; `include_estimates` counts the project's estimates in the totals (as
    `compute --include-estimates`). `on_start` gets (to compute, skipped) once, `on_result`
    each file's result as its outputs are written. `lang` is the language of the reports
    (default: the current language; a batch mixes countries, so the workbooks' own `language`
    fields are not followed).
    Raises BatchUsageError when there is nothing to do, HginvError for a bad factor table.
    """
    from hginventory.core.i18n import get_language, language

    start = time.perf_counter()
    outdir = Path(outdir)
    paths = collect_inputs(inputs, exclude=outdir)
    names = output_names(paths)
    table = load_batch_factors(factors)
    if include_estimates:
        table = table.counting_estimates(True)
    lang = lang or get_language()
    options = BatchOptions(xlsx=xlsx, uncertainty=uncertainty, draws=draws, seed=seed, lang=lang)
    base_key = {**table_key(table), "options": options.key()}
    prepare_outdir(outdir)
    check_outputs(outdir, names, paths, factors)
    _remove_stale_temps(outdir, names)
    manifest = Manifest(outdir / MANIFEST)
    resolved = [str(p.resolve()) for p in paths]
    results, todo = _plan(paths, names, resolved, base_key, manifest, outdir, force)
    if on_start:
        on_start(len(todo), len(results))
    for res in resolved:
        if res in results and on_result:
            on_result(results[res])

    # every message of the run (workers, engine, reports) in the language of the run
    with language(lang), _own_temps_removed(outdir):
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        try:
            for res, result in _compute(todo, jobs, table, options, outdir):
                results[res] = result
                manifest.record(res, result)
                if on_result:
                    on_result(result)
        except HginvError as exc:
            if not stops_batch(exc):
                raise
            raise _stopped(exc, results, len(todo)) from None
        finally:
            manifest.close()
        return _finish(outdir, [results[r] for r in resolved], resolved, manifest, table, start)


Job = tuple[Path, str, dict, str]  # an input to compute: path, output name, key, resolved path


def _plan(paths, names, resolved, base_key: dict, manifest: Manifest, outdir: Path, force: bool):
    """The results of the inputs unchanged since the last run (`skipped`), by resolved path,
    and the jobs of the others."""
    results: dict[str, FileResult] = {}
    todo: list[Job] = []
    for path, name, res in zip(paths, names, resolved, strict=True):
        try:
            digest = sha256_of(path)
        except OSError:
            digest = ""
        key = {**base_key, "name": name, "input_sha256": digest}
        entry = manifest.entries.get(res)
        if not force and digest and unchanged(entry, key, outdir):
            known = {k: v for k, v in entry.items() if k in FileResult.__dataclass_fields__}
            results[res] = FileResult(**{**known, "input_file": str(path), "status": "skipped"})
        else:
            todo.append((path, name, key, res))
    return results, todo


def _compute(todo: list[Job], jobs: int, table, options: BatchOptions, outdir: Path):
    """Each job's FileResult (by resolved path) as its outputs are written: the inputs read
    in `jobs` workers, then computed in one engine call."""
    digests = [job[2]["input_sha256"] for job in todo]  # hashed for the manifest: once
    checks = read_inputs([job[0] for job in todo], jobs, table, options.lang, digests)
    for (_path, name, key, res), (checked, csv) in zip(
        todo, compute_batch(checks, table, options), strict=True
    ):
        yield res, write_country(checked, csv, name, key, options, outdir)


def _stopped(exc: HginvError, results: dict[str, FileResult], todo: int) -> OutputError:
    """The one message of a batch that a full disk or a read-only file system stopped."""
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
    return OutputError(message.format(problem=exc.args[0], done=done, todo=todo))


def _finish(outdir: Path, ordered, resolved, manifest: Manifest, table, start) -> BatchResult:
    """The combined tables, the manifest with one line per input, the files synced once, and
    the reports."""
    tables = write_tables(ordered, outdir, table)
    fresh = [(r, res) for r, res in zip(resolved, ordered, strict=True) if res.status != "skipped"]
    manifest.entries.update({r: {"resolved": r, **res.to_json()} for r, res in fresh})
    manifest.rewrite(resolved)
    if hasattr(os, "sync"):
        os.sync()  # the per-country files, once (a torn one fails its SHA-256 on resume)
    seconds = time.perf_counter() - start
    batch = BatchResult(outdir, ordered, tables, table.label, seconds, table.estimates_counted)
    tables.update(write_reports(batch))
    return batch


def _remove_stale_temps(outdir: Path, names: list[str]) -> None:
    """Temporary files a killed run left beside this run's per-country outputs."""
    from hginventory.core.files import remove_stale_temps_in

    remove_stale_temps_in(
        outdir / COUNTRIES, [f"{n}{suffix}" for n in names for suffix in (".csv", ".xlsx")]
    )


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
