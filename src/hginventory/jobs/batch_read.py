"""Reading and checking a batch's inputs in worker processes, and keeping them small.

Each worker keeps the factor table and the Level 2 tables once; workers are forked where the
platform allows (no second start of Python and pandas per worker). The whole batch is held for
the one engine call, so activity rows travel and stay as columns (`CompactRows`) and their
repeated texts are interned (`_shared`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _
from hginventory.jobs.batch_inputs import load_batch_factors

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


def read_file(path: Path, sha256: str | None = None):
    """Read and check one input (in a worker process); never raises for a bad workbook.
    `sha256` is its hash when the manifest took it already (an input is hashed once)."""
    from hginventory.jobs.validate import Validation, check_input

    try:
        checked = check_input(path, _WORKER["factors"], sha256=sha256 or None)
    except Exception as exc:  # a bug met on one workbook must not stop the batch
        return Validation(path, [internal_error(exc, path)])
    if checked.activity is not None:
        checked.activity.rows = CompactRows(checked.activity.rows)
    return checked


def internal_error(exc: Exception, path: Path) -> Problem:
    return Problem(
        _("internal error while computing ({problem}); please report it with this workbook").format(
            problem=f"{type(exc).__name__}: {exc}"
        ),
        file=str(path),
        kind="internal",
        code="internal-error",
    )


def start_method() -> str:
    """How worker processes start: fork where the platform has it (Linux, macOS: no second
    start of Python and pandas per worker), else spawn (Windows)."""
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def read_inputs(paths: list[Path], jobs: int, table, lang: str = "en", digests=None) -> list:
    """Every input read and checked, in input order: in this process with one job, else in
    worker processes that keep the factor table; small files go in chunks. `digests` are the
    inputs' hashes when known ("" where not)."""
    digests = list(digests) if digests is not None else [""] * len(paths)
    if jobs == 1 or len(paths) <= 1:
        _init_worker(table, lang)
        return [read_file(p, d) for p, d in zip(paths, digests, strict=True)]
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
        checks = [_shared(c) for c in pool.map(read_file, paths, digests, chunksize=chunk)]
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
