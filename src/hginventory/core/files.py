"""Safe file output: outputs appear whole or not at all, and never replace an input."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.i18n import gettext as _


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(paths, protect) -> None:
    """Stop before any work if an output path is one of the inputs (e.g. `--csv` defaulting
    to the name of a CSV input), so that no output is written at all."""
    for path in paths:
        for p in protect:
            if _same_file(Path(path), Path(p)) or Path(path).resolve() == Path(p).resolve():
                raise OutputError(
                    _("{file}: refusing to overwrite the input file; choose another output").format(
                        file=path
                    )
                )


def atomic_write(
    path: str | Path, write: Callable[[Path], None], protect=(), sync: bool = True
) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place.

    An interrupted run leaves the previous output untouched; `protect` lists input files that
    must never be overwritten. `sync=False` skips the flush to disk before the rename, for a
    caller that syncs many files at once (a crash may then leave a renamed but torn file).
    """
    path = Path(path)
    refuse_inputs([path], protect)
    if path.is_dir():
        raise OutputError(
            _("{file}: is a folder; give a file name for the output").format(file=path)
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            _("{file}: the folder {folder} does not exist").format(file=path, folder=folder)
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            _("{file}: cannot write in {folder} ({reason})").format(
                file=path, folder=folder, reason=exc.strerror or exc
            )
        ) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        if sync:
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except OSError as exc:  # no permission, disk full, ...: the previous output stays
        raise OutputError(
            _("{file}: cannot write ({reason}); an existing file was left as it was").format(
                file=path, reason=exc.strerror or exc
            )
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
    return path
