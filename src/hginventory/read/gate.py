"""The one gate every input hginv reads goes through: activity workbooks and CSVs, facilities,
and result files (`report`'s "this is a result file" hint, `hginv diff`).

In this order, each step before any work of the next:

1. the path: it exists, is a regular file (a FIFO, `/dev/zero` or `/dev/urandom` under a
   `.csv` or `.xlsx` name is refused at once: reading or hashing it would never end), has a
   spreadsheet name, and is not larger than `MAX_FILE_BYTES` (`MAX_CSV_BYTES` for a CSV);
2. the safety scan of a zipped workbook (`read.scan`): decompression bombs, XML entity
   declarations, and values beyond the sheet limits (a cell at `XFD1048576`, a row past Excel's
   last one, an `.ods` value repeated 200,000 times) are refused before the reader sees them;
   for an `.xls`, the pre-scan of its compound file and BIFF records (`read.xls_scan`): sector
   chains, record lengths, sheet positions, and sheet dimensions and cell positions beyond the
   sheet limits;
3. the read itself, in a child process where the operating system allows it (`fork`): the
   spreadsheet reader (calamine, written in Rust) aborts the whole process on some malformed
   files (an `.xls` whose BIFF records declare a huge sheet: exit 134), and panics on others.
   In the child, such a crash ends the child only and becomes a located `InputFileError`
   naming the file; the child's memory is capped (`READ_MEMORY_BYTES` more than the parent's
   address space) and its time bounded (`READ_SECONDS`). Where there is no `fork` (Windows),
   the read runs in this process and the reader's `PanicException` (a `BaseException`, which
   `except Exception` misses) is caught explicitly; the scans of step 2 then are the guard
   against aborts (a huge declared sheet), of zipped workbooks and of `.xls` alike.
4. what was read: at most `MAX_SHEET_ROWS` rows and `MAX_SHEET_COLUMNS` columns per sheet,
   at most `MAX_CELL_TEXT` characters of text per cell; control characters (other than tab and
   line breaks) are removed from text, with a warning naming the cell, so that no writer
   (openpyxl, python-docx, a terminal) ever sees them.

The `.xls` pre-scan only knows the records it was written for; with `fork`, the child process
still turns any other abort into a located error, whatever its cause.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import re
import select
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.cells import column_letter
from hginventory.core.errors import HginvError, InputFileError, Problem
from hginventory.core.i18n import get_language, set_language
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.read.scan import MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS
from hginventory.read.xls_scan import scan_xls

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


MAX_FILE_BYTES = 50 * 2**20


MAX_CSV_BYTES = 2 * 2**20


MAX_CELL_TEXT = 10_000


MAX_ACTIVITY_ROWS = 10_000


MAX_FACILITY_ROWS = 20_000


READ_SECONDS = 60


# the reader child's memory allowance beyond the parent's: an allocation a malformed file asks
# for fails there; a sheet within MAX_SHEET_CELLS needs about a quarter of it
READ_MEMORY_BYTES = 384 * 2**20


_OUT_OF_MEMORY = (b"memory allocation of", b"MemoryError", b"out of memory", b"Cannot allocate")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_file(path: Path, suffixes: Iterable[str] = SPREADSHEET_SUFFIXES) -> os.stat_result:
    """Step 1: an existing regular file with a spreadsheet (or CSV) name, not too large."""
    name = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(
            _("{file}: file not found").format(file=name), code="file-not-found"
        ) from None
    except PermissionError:
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=name), code="file-no-permission"
        ) from None
    except OSError as exc:  # a symbolic link loop, a name too long, ...
        raise InputFileError(
            _("{file}: cannot be opened ({reason})").format(file=name, reason=exc.strerror or exc)
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(
            _("{file}: is a folder, expected a spreadsheet file").format(file=name),
            code="file-is-folder",
        )
    suffixes = set(suffixes)
    if path.suffix.lower() not in suffixes:
        raise InputFileError(
            _("{file}: not a spreadsheet file name; expected one of {suffixes}").format(
                file=name, suffixes=", ".join(sorted(suffixes))
            ),
            code="file-wrong-type",
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            _(
                "{file}: not a regular file (a device, a pipe or a socket); save the workbook as "
                "a file and give its name"
            ).format(file=name),
            code="file-not-regular",
        )
    limit = MAX_CSV_BYTES if path.suffix.lower() == ".csv" else MAX_FILE_BYTES
    if info.st_size > limit:
        text = (
            _("{file}: refused: {size} MB is far more than an activity CSV (limit {limit} MB)")
            if limit == MAX_CSV_BYTES
            else _(
                "{file}: refused: {size} MB is far more than an activity workbook "
                "(limit {limit} MB)"
            )
        )
        raise InputFileError(
            text.format(
                file=name, size=format_number(info.st_size / 2**20, places=1), limit=limit // 2**20
            )
        )
    if not os.access(path, os.R_OK):
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=name), code="file-no-permission"
        )
    return info


def clean_text(value: str) -> str:
    """Text without control characters (tab and line breaks kept)."""
    return _CONTROL.sub("", value)


@dataclass
class Book:
    """What the gate read from one workbook: its sheet names and the rows of the sheets asked
    for, cleaned, with the scan of its structure and the warnings of the cleaning."""

    path: Path
    names: list[str]
    sheets: dict[str, list[list]]
    scan: object
    problems: list[Problem] = field(default_factory=list)


def read_book(path: str | Path, wanted: Iterable[str], clean: bool = True) -> Book:
    """Steps 1-4 for a workbook: the sheets whose names are `wanted` (compared without case
    and surrounding spaces) read as lists of rows. Raises InputFileError, never anything the
    reader throws. Without `clean`, step 4's cleaning of the cells is left to the caller
    (`read.source`: an activity workbook's warnings come in the language its country sheet
    names)."""
    path = Path(path)
    check_file(path)
    return _read_book(path, {w.strip().lower() for w in wanted}, clean)


def _read_book(path: Path, wanted: set[str], clean: bool = True) -> Book:
    from hginventory.read.scan import ZIP_SUFFIXES, WorkbookScan, scan_workbook

    zipped = path.suffix.lower() in ZIP_SUFFIXES
    scan = scan_workbook(path) if zipped else WorkbookScan()
    if path.suffix.lower() == ".xls":
        scan_xls(path)
    for sheet, facts in scan.sheets.items():
        if sheet.strip().lower() in wanted and (
            facts.last_row > MAX_SHEET_ROWS or facts.last_col > MAX_SHEET_COLUMNS
        ):
            raise _area_error(path, sheet, facts.last_row, facts.last_col)
        if sheet.strip().lower() in wanted and facts.area > MAX_SHEET_CELLS:
            raise _cells_error(path, sheet, facts.area)
    names, sheets = isolated(path, wanted)
    book = Book(path, names, {}, scan)
    for name, rows in sheets.items():
        book.sheets[name] = clean_cells(rows, str(path), name, book.problems) if clean else rows
    return book


def _area_error(path: Path, sheet: str, rows: int, cols: int) -> InputFileError:
    counts = {
        "rows": format_number(rows, COUNT),
        "cols": format_number(cols, COUNT),
        "max_rows": format_number(MAX_SHEET_ROWS, COUNT),
        "max_cols": MAX_SHEET_COLUMNS,
    }
    return InputFileError(
        _(
            "{file}: refused: sheet '{sheet}' holds values up to row {rows} and column {cols}; "
            "hginv reads at most {max_rows} rows and {max_cols} columns per sheet. Delete what "
            "lies beyond your table, or copy the table into a new workbook"
        ).format(file=path, sheet=sheet, **counts),
        [
            Problem(
                _("values up to row {rows} and column {cols}").format(**counts),
                file=str(path),
                sheet=sheet,
                expected=_("at most {max_rows} rows and {max_cols} columns").format(**counts),
                code="sheet-too-large",
            )
        ],
    )


def _cells_error(path: Path, sheet: str, cells: int) -> InputFileError:
    counts = {
        "n": format_number(cells, COUNT),
        "limit": format_number(MAX_SHEET_CELLS, COUNT),
        "memory": READ_MEMORY_BYTES // 2**20,
    }
    return InputFileError(
        _(
            "{file}: refused: sheet '{sheet}' spans {n} cells; hginv reads at most {limit} cells "
            "per sheet (its reader holds every cell, within a memory allowance of {memory} MB). "
            "Delete the columns and rows your table does not need, or copy the table into a new "
            "workbook"
        ).format(file=path, sheet=sheet, **counts),
        [
            Problem(
                _("{n} cells").format(**counts),
                file=str(path),
                sheet=sheet,
                expected=_("at most {limit} cells").format(**counts),
                code="too-many-cells",
            )
        ],
    )


def _out_of_memory(path: Path) -> InputFileError:
    return InputFileError(
        _(
            "{file}: refused: the spreadsheet reader ran out of its memory allowance "
            "({memory} MB) on this file; a sheet within hginv's limits needs far less. Delete "
            "what lies beyond your tables, or copy them into a new workbook"
        ).format(file=path, memory=READ_MEMORY_BYTES // 2**20)
    )


def _read(path: Path, wanted: set[str]) -> tuple[list[str], dict[str, list[list]]]:
    """Open with calamine and read the wanted sheets (run in the child process)."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    name = str(path)
    try:
        workbook = CalamineWorkbook.from_path(name)
    except PermissionError:
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=name), code="file-no-permission"
        ) from None
    except PasswordError:
        raise InputFileError(
            _(
                "{file}: the workbook is password-protected; save an unprotected copy and try again"
            ).format(file=name),
            code="file-password-protected",
        ) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputFileError(
            _(
                "{file}: cannot be read as a spreadsheet ({reason}); the file may be damaged or "
                "not really a workbook: open it in Excel or LibreOffice and save it again as .xlsx"
            ).format(file=name, reason=exc),
            code="file-damaged",
        ) from None
    try:
        names = list(workbook.sheet_names)
        sheets = {}
        for sheet in names:
            if sheet.strip().lower() not in wanted:
                continue
            try:
                loaded = workbook.get_sheet_by_name(sheet)
                end = loaded.end
                cells = (end[0] + 1) * (end[1] + 1) if end else 0
                if cells > MAX_SHEET_CELLS:  # sparse cells far apart: the area is the cost
                    raise _cells_error(path, sheet, cells)
                rows = loaded.to_python(skip_empty_area=False)
            except (CalamineError, ValueError, OSError) as exc:
                raise InputFileError(
                    _(
                        "{file}: sheet '{sheet}' cannot be read ({reason}); the file may be "
                        "damaged: open it in Excel or LibreOffice and save it again as .xlsx"
                    ).format(file=path, sheet=sheet, reason=exc),
                    code="file-damaged",
                ) from None
            width = max((len(r) for r in rows), default=0)
            if len(rows) > MAX_SHEET_ROWS or width > MAX_SHEET_COLUMNS:
                raise _area_error(path, sheet, len(rows), width)
            sheets[sheet] = rows
    finally:
        workbook.close()
    return names, sheets


def clean_cells(rows: list[list], file: str, sheet: str, problems: list[Problem]) -> list[list]:
    """Step 4 on the rows read: cell text length, control characters (a cell is named only
    when it has a problem: most hold neither)."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            if len(value) <= MAX_CELL_TEXT and not _CONTROL.search(value):
                continue
            cell = f"{column_letter(c)}{r + 1}"
            if len(value) > MAX_CELL_TEXT:
                counts = {
                    "n": format_number(len(value), COUNT),
                    "limit": format_number(MAX_CELL_TEXT, COUNT),
                }
                raise InputFileError(
                    _(
                        "{file}: refused: cell {cell} holds {n} characters (hginv reads at "
                        "most {limit} per cell)"
                    ).format(file=file, cell=f"{sheet}!{cell}", **counts),
                    [
                        Problem(
                            _("text of {n} characters").format(**counts),
                            file=file,
                            sheet=sheet,
                            cell=cell,
                            expected=_("at most {limit} characters").format(**counts),
                            code="text-too-long",
                        )
                    ],
                )
            row[c] = clean_text(value)
            problems.append(
                Problem(
                    _(
                        "control characters (invisible codes such as BEL, ESC or NUL) "
                        "removed from the text"
                    ),
                    file=file,
                    sheet=sheet,
                    cell=cell,
                    found=value.encode("unicode_escape").decode("ascii")[:80],
                    severity="warning",
                    code="control-characters",
                )
            )
    return rows


def isolated(path: Path, wanted: set[str]):
    """`_read(path, wanted)`, so that a crash of the reader cannot end this process.

    With `fork`, in a reader child process (`_Reader`) whose memory and time are bounded; its
    result (or the HginvError it raised) comes back pickled through a pipe. A child that dies
    by a signal, exits without an answer, or runs out of time becomes an InputFileError naming
    the file (and the next read starts a new child)."""
    if not hasattr(os, "fork") or os.environ.get("HGINV_READ_IN_PROCESS"):
        return _guarded(lambda: _read(path, wanted), path)
    reader = _READER.get(os.getpid())
    if reader is None:
        reader = _READER[os.getpid()] = _Reader()
        atexit.register(close_reader)
    try:
        answer = reader.ask((path, wanted, get_language(), os.getcwd()))
    except _ReaderGone as gone:
        _READER.pop(os.getpid(), None)
        raise gone.error(path) from None
    except BaseException:  # interrupted while waiting: its answer would answer the next read
        _READER.pop(os.getpid(), None)
        with contextlib.suppress(OSError, _ReaderGone):
            os.kill(reader.pid, signal.SIGKILL)
            reader.close()
        raise
    if answer[0] == "ok":
        return answer[1]
    _tag, _kind, message, problems, code = answer
    raise InputFileError(message, problems, code=code)


class _ReaderGone(Exception):
    def __init__(self, status: int | None, said: bytes = b""):
        self.status = status  # None: killed after READ_SECONDS
        self.said = said  # the end of what the child wrote on its stderr

    def error(self, path: Path) -> InputFileError:
        if any(mark in self.said for mark in _OUT_OF_MEMORY):
            return _out_of_memory(path)
        if self.status is None:
            return InputFileError(
                _(
                    "{file}: refused: reading it took more than {seconds} s; an activity "
                    "workbook is read in well under a second. Save it again in Excel or "
                    "LibreOffice as .xlsx"
                ).format(file=path, seconds=READ_SECONDS)
            )
        how = (
            _("signal {n}").format(n=os.WTERMSIG(self.status))
            if os.WIFSIGNALED(self.status)
            else _("exit code {n}").format(n=os.waitstatus_to_exitcode(self.status))
        )
        return InputFileError(
            _(
                "{file}: the spreadsheet reader stopped on this file ({how}); the file is "
                "damaged or malformed: open it in Excel or LibreOffice and save it again as .xlsx"
            ).format(file=path, how=how)
        )


_READER: dict[int, _Reader] = {}  # by the process that started it: a fork never shares one


_SIZE = 8  # bytes of the length in front of each pickled message


class _Reader:
    """A child process that reads workbooks one after another, for as long as its parent
    lives: forked once, not once per workbook (a fork of a process holding pandas and a
    batch costs 5-20 ms of CPU, mostly copying pages afterwards). Requests and answers are
    length-prefixed pickles on two pipes; the child ends at the end of its request pipe."""

    def __init__(self):
        req_r, self.req = os.pipe()
        self.ans, ans_w = os.pipe()
        # the child's stderr: read when it dies, to tell an allocation it was refused (its
        # memory allowance) from a damaged file
        self.log = tempfile.TemporaryFile()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _serve(req_r, ans_w, parent, self.log.fileno())
        os.close(req_r)
        os.close(ans_w)
        self.pid = pid

    def ask(self, request) -> tuple:
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            os.write(self.req, len(data).to_bytes(_SIZE, "little") + data)
        except OSError:  # the child is gone
            self.close()
        deadline = time.monotonic() + READ_SECONDS
        size = int.from_bytes(self._receive(_SIZE, deadline), "little")
        return pickle.loads(self._receive(size, deadline))

    def _receive(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while size:
            left = deadline - time.monotonic()
            ready = select.select([self.ans], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                os.kill(self.pid, signal.SIGKILL)
                self.close()
                raise _ReaderGone(None)
            chunk = os.read(self.ans, min(size, 1 << 20))
            if not chunk:
                self.close()
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self):
        """Close the pipes, wait for the child, raise _ReaderGone with how it ended."""
        for fd in (self.req, self.ans):
            with contextlib.suppress(OSError):
                os.close(fd)
        _pid, status = os.waitpid(self.pid, 0)
        said = b""
        with contextlib.suppress(OSError, ValueError):
            size = os.fstat(self.log.fileno()).st_size
            said = os.pread(self.log.fileno(), 4096, max(size - 4096, 0))
        with contextlib.suppress(OSError):
            self.log.close()
        raise _ReaderGone(status, said)

    def forget(self):
        """In a forked process: the parent's reader is not ours to use or to wait for."""
        for fd in (self.req, self.ans):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            self.log.close()


def close_reader() -> None:
    """End this process's reader child and wait for it (at exit: no orphan left behind, and
    its time is counted with this process's). A worker of a process pool, which leaves
    without running `atexit`, calls it from its own finalizer."""
    reader = _READER.pop(os.getpid(), None)
    if reader is not None:
        with contextlib.suppress(_ReaderGone, OSError, ChildProcessError):
            reader.close()


def _forget_readers() -> None:
    for reader in _READER.values():
        reader.forget()
    _READER.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_readers)


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from a pipe, or None at its end."""
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _serve(rfd: int, wfd: int, parent: int, log: int) -> None:
    """The reader child's loop: answer each request until the parent is gone; never returns."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):  # the reader's own abort or panic message is not for the user
            os.dup2(devnull, fd)
        os.dup2(log, 2)  # but for the parent to read should the child die of it
        keep = sorted((rfd, wfd))
        os.closerange(3, keep[0])  # nothing of the parent's held open: pipes, files
        os.closerange(keep[0] + 1, keep[1])
        os.closerange(keep[1] + 1, max(os.sysconf("SC_OPEN_MAX"), keep[1] + 2))
        import faulthandler

        faulthandler.disable()  # nor a Python fault dump of the child
        with contextlib.suppress(ImportError):  # the allowance is for reading, not loading it
            import python_calamine  # noqa: F401
        _cap_memory()
        with os.fdopen(wfd, "wb") as answers:
            while True:
                while not select.select([rfd], [], [], 1.0)[0]:
                    if os.getppid() != parent:
                        return
                head = _read_exactly(rfd, _SIZE)
                if head is None:
                    return
                request = _read_exactly(rfd, int.from_bytes(head, "little"))
                if request is None:
                    return
                path, wanted, lang, cwd = pickle.loads(request)
                set_language(lang)
                os.chdir(cwd)  # a relative name means what it means to the parent now
                try:
                    answer = ("ok", _guarded(lambda p=path, w=wanted: _read(p, w), path))
                except HginvError as exc:
                    answer = ("error", type(exc).__name__, exc.args[0], exc.problems, exc.code)
                data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
                answers.write(len(data).to_bytes(_SIZE, "little") + data)
                answers.flush()
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _guarded(work: Callable, path: Path):
    """`work()` with the reader's panics (BaseException) turned into an InputFileError."""
    try:
        return work()
    except (HginvError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except MemoryError:
        raise _out_of_memory(path) from None
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        raise InputFileError(
            _(
                "{file}: the spreadsheet reader failed on this file ({reason}); the file is "
                "damaged or malformed: open it in Excel or LibreOffice and save it again as .xlsx"
            ).format(file=path, reason=f"{type(exc).__name__}: {str(exc)[:200]}"),
            code="file-damaged",
        ) from None


def _cap_memory() -> None:
    """In the child: allow READ_MEMORY_BYTES of address space beyond what it has now, so that
    an allocation a malformed file asks for fails there (and ends only the child)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as fh:
            size = next(int(ln.split()[1]) * 1024 for ln in fh if ln.startswith("VmSize:"))
        limit = size + READ_MEMORY_BYTES
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, StopIteration, ImportError):
        pass
