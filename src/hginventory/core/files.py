"""Safe file output: outputs appear whole or not at all, and never replace an input."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.i18n import gettext as _


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


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


def refuse_inputs(paths, protect) -> None:
    """Stop before any work if an output path is one of the inputs (e.g. `--csv` defaulting
    to the name of a CSV input), so that no output is written at all."""
    for path in paths:
        for p in protect:
            if _same_file(Path(path), Path(p)) or _resolved(Path(path)) == _resolved(Path(p)):
                raise OutputError(
                    _("{file}: refusing to overwrite the input file; choose another output").format(
                        file=path
                    )
                )


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
    refuse_inputs([path], protect)
    try:
        if path.is_dir():
            raise OutputError(
                _("{file}: is a folder; give a file name for the output").format(file=path)
            )
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
        raise OutputError(
            _("{file}: cannot write in {folder} ({reason})").format(
                file=path, folder=folder, reason=exc.strerror or exc
            )
        ) from None
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
        os.replace(tmp_path, path)
    except Exception as exc:  # no permission, disk full, file size limit: the old output stays
        cause = _os_error(exc)
        if cause is None:
            raise
        with _quiet_unraisable():  # the writer's half-closed files, released silently now
            traceback.clear_frames(exc.__traceback__)
        raise OutputError(
            _("{file}: cannot write ({reason}); an existing file was left as it was").format(
                file=path, reason=cause.strerror or cause
            )
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
    return path
