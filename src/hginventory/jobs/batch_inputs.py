"""The inputs of a batch: which files the arguments name (files, folders searched for
spreadsheets, glob patterns), the name of each one's outputs, and the factor table.

Shared by `hginv batch` and `hginv trend`, which take their inputs the same way.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from hginventory.core.errors import HginvError
from hginventory.core.i18n import gettext as _
from hginventory.read.gate import SPREADSHEET_SUFFIXES


class BatchUsageError(HginvError):
    """The batch cannot start: no inputs found, an argument that matches nothing."""

    exit_code = 2


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
