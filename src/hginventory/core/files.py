"""Safe file output: outputs appear whole or not at all, and never replace an input."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.i18n import gettext as _


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        raise OutputError(
            _(
                "{file}: cannot be used (a symbolic link that points to itself, or a path that "
                "cannot be followed); choose another output"
            ).format(file=path)
        ) from None


MAX_INPUT_FILES = 100_000
"""Files looked at in the folders given as inputs (a batch folder of countries, a factor
folder): beyond it a folder is protected only as a whole (no output inside it)."""


def _cannot_use(path, exc: OSError) -> OutputError:
    """A located message for an output path the system refuses to look at (name too long, a
    part of it that is a file)."""
    return OutputError(
        _("{file}: cannot be used ({reason})").format(file=path, reason=exc.strerror or exc)
    )


class _Inputs:
    """Every file the inputs of a command name, by (device, inode): a symbolic or hard link to
    an input is the input. One stat per file (a batch names thousands)."""

    def __init__(self, inputs, within=()):
        self.nodes: dict[tuple[int, int], str] = {}
        self.names: dict[str, str] = {}  # where a file system has no inode numbers
        self.folders: list[tuple[Path, str]] = []
        for given in inputs:
            if given is None or str(given) == "":
                continue
            try:
                st = os.stat(given)
            except OSError:
                continue  # an input that cannot be looked at cannot be overwritten either
            if stat.S_ISDIR(st.st_mode):
                self._folder(Path(given))
            else:
                self._add(given, st, str(given))
        for folder in within:
            if folder is not None and str(folder) and Path(folder).is_dir():
                self.folders.append((_resolved(Path(folder)), str(folder)))

    def _add(self, path, st, shown: str) -> None:
        if st.st_ino:
            self.nodes.setdefault((st.st_dev, st.st_ino), shown)
        else:
            self.names.setdefault(os.path.normcase(str(_resolved(Path(path)))), shown)

    def _folder(self, folder: Path) -> None:
        seen = 0
        for root, _dirs, files in os.walk(folder):
            for name in files:
                seen += 1
                if seen > MAX_INPUT_FILES:
                    self.folders.append((_resolved(folder), str(folder)))
                    return
                path = os.path.join(root, name)
                with contextlib.suppress(OSError):
                    self._add(path, os.stat(path), path)

    def which(self, real, st) -> str | None:
        """The input that an output (`st` its stat or None, `real` a function giving its
        resolved path) would overwrite, or None."""
        if st is not None and (st.st_dev, st.st_ino) in self.nodes:
            return self.nodes[(st.st_dev, st.st_ino)]
        if self.names and st is not None:
            return self.names.get(os.path.normcase(real()))
        return None

    def inside(self, real) -> str | None:
        if not self.folders:
            return None
        where = Path(real())
        for folder, shown in self.folders:
            if where == folder or where.is_relative_to(folder):
                return shown
        return None


def _stat_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ELOOP:
        _resolved(path)  # raises its located message
    if exc.errno == errno.ENOTDIR:
        part = next((p for p in reversed(path.parents) if p.is_file()), None)
        if part is not None:
            return OutputError(
                _("{file}: {part} is a file, not a folder; choose another output").format(
                    file=path, part=part
                )
            )
    return _cannot_use(path, exc)


def _target(path: Path):
    """(the stat of what `path` names, links followed, or None for a new name; whether `path`
    is a symbolic link). One system call for a path that is not a link."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, False
    except OSError as exc:
        raise _stat_error(path, exc) from None
    if not stat.S_ISLNK(st.st_mode):
        return st, False
    try:
        return os.stat(path), True
    except FileNotFoundError:
        return None, True  # a dangling link: the rename replaces the link, a new name
    except OSError as exc:
        raise _stat_error(path, exc) from None


def _checked(path: Path):
    st, link = _target(path)
    if st is None:
        return None, link
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(
            _("{file}: is a folder; give a file name for the output").format(file=path)
        )
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            _(
                "{file}: is not a regular file (a device, a pipe or a socket); give the name of "
                "a file for the output"
            ).format(file=path)
        )
    return st, link


def check_output(path: str | Path):
    """Refuse an output path that names anything but a regular file or a new name: a folder,
    a device (`/dev/null`), a pipe, a socket, or a link to one of them. Replacing such a
    path would destroy it (as root, a device node becomes a plain file). Returns the stat of
    the existing file, None for a new name."""
    return _checked(Path(path))[0]


class _Real:
    """Resolved output paths (as text), each folder resolved once: a batch writes thousands
    of files in one folder, and resolving a path costs a system call per part of it."""

    def __init__(self):
        self.parents: dict[str, str] = {}

    def __call__(self, path, link: bool) -> str:
        text = os.fspath(path)
        head, name = os.path.split(text)
        if link or name in ("", ".", ".."):
            return str(_resolved(Path(text)))
        if head not in self.parents:
            self.parents[head] = str(_resolved(Path(head or ".")))
        return os.path.join(self.parents[head], name)


def _name_key(text: str) -> str:
    """A new file's name as a file system that ignores case and normalisation (Windows,
    macOS) sees it: `R.csv` and `r.csv` are one file there, so two outputs so named clash."""
    import unicodedata

    return unicodedata.normalize("NFC", os.path.normcase(text)).casefold()


def check_paths(outputs, inputs=(), within=()) -> None:
    """Stop before any work when an output would destroy something: every output of a command
    is checked at once against every input of it, so that nothing is written when one is wrong.

    `outputs` are paths, or (option, path) pairs whose option names the output in messages.
    `inputs` are the files and folders the command reads (every file of a folder counts); an
    output may not be one of them, through a symbolic or hard link either. No output may lie
    in a folder of `within` (a baseline that a later run compares with). Two outputs may not
    be one file, and each must be a regular file or a new name (`check_output`).
    Raises OutputError naming the output and what it would overwrite.
    """
    pairs = [item if isinstance(item, tuple) else (None, item) for item in outputs]
    pairs = [(label, p if isinstance(p, Path) else Path(p)) for label, p in pairs if p is not None]
    if not pairs:
        return
    known = _Inputs(inputs, within)
    resolve = _Real()
    taken: dict[object, tuple[str | None, Path]] = {}
    for label, path in pairs:
        st, link = _checked(path)

        def real(path=path, link=link) -> str:
            return resolve(path, link)

        source = known.which(real, st)
        if source is not None:
            if Path(source) == path:
                raise OutputError(
                    _("{file}: refusing to overwrite the input file; choose another output").format(
                        file=path
                    )
                )
            raise OutputError(
                _("{file}: refusing to overwrite the input {input}; choose another output").format(
                    file=path, input=source
                )
            )
        folder = known.inside(real)
        if folder is not None:
            raise OutputError(
                _(
                    "{file}: is inside {folder}, which this command reads; choose an output "
                    "outside it"
                ).format(file=path, folder=folder)
            )
        key = (st.st_dev, st.st_ino) if st is not None and st.st_ino else _name_key(real())
        if key in taken:
            first, first_path = taken[key]
            raise OutputError(
                _(
                    "{file}: named for two outputs ({first} and {second}); give each output its "
                    "own file"
                ).format(
                    file=path,
                    first=first or first_path,
                    second=label or path,
                )
            )
        taken[key] = (label, path)


def table_files(path) -> list[Path]:
    """The files a table option (--factors, --emep-mapping) makes a command read: a CSV and
    its `.toml` of the same stem, or a folder."""
    if path is None or not str(path):
        return []
    path = Path(path)
    return [path] if path.is_dir() else [path, path.with_suffix(".toml")]


def make_folders(folders) -> None:
    """Create the output folders the user named (`-o results/`), parents too, once every
    output was checked."""
    for folder in folders:
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                _("{folder}: cannot create the folder ({reason})").format(
                    folder=folder, reason=exc.strerror or exc
                )
            ) from None


NAME_MAX = 255


def _temp_prefix(name: str) -> str:
    """`.NAME.PID.` for the temporary file of output NAME, NAME cut so that the whole temp name
    (with mkstemp's 8 random characters and `.tmp`) fits the 255 bytes of a file name."""
    room = NAME_MAX - len(f"..{os.getpid()}.") - 8 - len(".tmp")
    raw = name.encode("utf-8")
    if len(raw) > room:
        name = raw[:room].decode("utf-8", "ignore")
    return f".{name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def remove_stale_temps(path: Path) -> None:
    """Remove the temporary files of `path` left by a run that was killed (SIGKILL, power
    cut): `.NAME.PID.xxxxxxxx.tmp` whose process no longer runs."""
    remove_stale_temps_in(path.parent if str(path.parent) else Path("."), [path.name])


def remove_stale_temps_in(folder: Path, names) -> None:
    """`remove_stale_temps` for the outputs `names` of one folder, listing it once (a batch
    writes a thousand files in one folder: one listing per file grows with their square)."""
    heads = {_temp_prefix(name).rsplit(".", 2)[0] + "." for name in names}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".tmp")):
            continue
        for i in range(1, len(name)):
            head = name[: i + 1]
            if name[i] != "." or head not in heads:
                continue
            pid = name[len(head) :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                break


def remove_own_temps_in(folder: Path) -> None:
    """Remove the temporary files this process left in `folder`: an interrupted batch (Ctrl-C,
    SIGTERM) cleans up before it exits, whichever write the signal cut short."""
    mine = str(os.getpid())
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") and name.endswith(".tmp"):
            parts = name[: -len(".tmp")].rsplit(".", 2)
            if len(parts) == 3 and parts[1] == mine:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind an exception a writer raised (openpyxl and fastparquet wrap it)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError):
            return exc
        text = str(exc)
        if type(exc).__name__ == "SerialisationError" and text.startswith("IO_"):  # lxml's
            code = getattr(errno, text[3:], errno.EIO)
            return OSError(code, os.strerror(code))
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _clear_chain(exc: BaseException | None) -> None:
    """The frames of an exception and of those it was raised while handling: a ZipFile whose
    write failed (python-docx) is held by a frame of the *first* error, which a second error
    raised on closing it has as its context; left there, it is closed at exit, loudly."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        todo += [exc.__cause__, exc.__context__]


@contextlib.contextmanager
def _quiet_unraisable(collect: bool = True):
    """A writer's ZipFile that failed on a full disk retries its close in `__del__`, which
    would print an 'Exception ignored' traceback; collected here, silently. With `collect`
    False, the garbage is collected only when the block failed: a full collection costs
    0.1-0.2 s with a large batch in memory, once per file written."""
    import gc

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _info: None
    failed = True
    try:
        yield
        failed = False
    finally:
        if collect or failed:
            gc.collect()
        sys.unraisablehook = hook


def atomic_write(
    path: str | Path,
    write: Callable[[Path], None],
    protect=(),
    sync: bool = True,
    stale: bool = True,
) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place.

    An interrupted run leaves the previous output untouched; `protect` lists input files that
    must never be overwritten. `sync=False` skips the flush to disk before the rename, for a
    caller that syncs many files at once (a crash may then leave a renamed but torn file).
    `stale=False` skips removing the temporary files a killed run left, for a caller that
    did that for the whole folder (`remove_stale_temps_in`).
    """
    path = Path(path)
    check_paths([path], protect)  # a command checked all its outputs already: the last guard
    try:
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(
                _("{file}: the folder {folder} does not exist").format(file=path, folder=folder)
            )
    except OSError as exc:  # a symbolic link loop, a name too long
        raise OutputError(
            _("{file}: cannot be used ({reason})").format(file=path, reason=exc.strerror or exc)
        ) from None
    if stale:
        remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".tmp", dir=folder)
    except OSError as exc:
        error = OutputError(
            _("{file}: cannot write in {folder} ({reason})").format(
                file=path, folder=folder, reason=exc.strerror or exc
            )
        )
        error.errno = exc.errno  # a batch stops on a full disk or a read-only file system
        raise error from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _quiet_unraisable(collect=False):
            write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        if sync:
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
        check_output(path)  # a pipe or a device put there while writing is not replaced either
        os.replace(tmp_path, path)
    except Exception as exc:  # no permission, disk full, file size limit: the old output stays
        cause = _os_error(exc)
        if cause is None:
            raise
        with _quiet_unraisable():  # the writer's half-closed files, released silently now
            _clear_chain(exc)
        error = OutputError(
            _("{file}: cannot write ({reason}); an existing file was left as it was").format(
                file=path, reason=cause.strerror or cause
            )
        )
        error.errno = cause.errno
        raise error from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
    return path
