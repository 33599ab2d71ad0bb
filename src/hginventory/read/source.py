"""One input, read once: hashed, then its sheets (or its CSV text) read through the gate.

A command first opens the input (`open_source`), then chooses the language of its messages
from the `language` field of the country sheet (`Source.language`), then parses the activity,
facilities and hot-spot sheets (`read_activity`, `read_facilities`) from what was read: one
hash, one scan and one child process per input, no module cache. The cells are cleaned when a
sheet is parsed, so that every message is in the chosen language.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.errors import InputFileError
from hginventory.core.i18n import normalise
from hginventory.read.cells import cell_text, find_header
from hginventory.read.csv_grid import CsvText, csv_grid, read_csv_text
from hginventory.read.gate import SPREADSHEET_SUFFIXES, check_file, read_book

ACTIVITY_SHEETS = frozenset({"country", "activity", "facilities", "hotspots"})
"""The sheets of an activity workbook, read together in one scan and one child process."""

LEVEL1_SHEETS = frozenset({"country", "activity", "hotspots"})
"""What is read when the facilities sheet cannot be: it is then read alone, and fails alone,
so that a damaged facilities sheet never hides the problems of the others."""


def sha256_of(path: Path) -> str:
    """The hash of a regular file (a pipe or a device would never end: an OSError)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise IsADirectoryError(f"{path}: not a regular file")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Source:
    """An activity workbook or CSV as read: its hash and its raw cells."""

    path: Path
    sha256: str
    book: object | None = None  # gate.Book of the activity sheets, cells not yet cleaned
    csv: CsvText | None = None
    facilities_alone: bool = False  # the wider read failed: the facilities sheet is read alone
    _cleaned: dict = field(default_factory=dict, repr=False)  # sheet -> its cleaning's problems

    @property
    def is_csv(self) -> bool:
        return self.csv is not None

    def sheets(self, wanted) -> object:
        """The gate.Book of the sheets named `wanted` (case and spaces aside), their cells
        cleaned (once: the warnings are made in the language of that moment)."""
        from hginventory.read.gate import Book, clean_cells

        wanted = {w.strip().lower() for w in wanted}
        book = self.book
        sheets, problems = {}, []
        for name, rows in book.sheets.items():
            if name.strip().lower() not in wanted:
                continue
            if name not in self._cleaned:
                self._cleaned[name] = []
                clean_cells(rows, str(self.path), name, self._cleaned[name])
            sheets[name] = rows
            problems += self._cleaned[name]
        return Book(book.path, book.names, sheets, book.scan, problems)

    def language(self) -> str | None:
        """The `language` field of the country sheet (written by `hginv template --lang`), or
        None: when there is none, or it cannot be found (the reading says why)."""
        if self.is_csv:
            try:
                grid, _problems = csv_grid(self.csv)
            except InputFileError:
                return None  # the reading that follows says why, in the default language
        else:
            names = [n for n in self.book.names if n.strip().lower() == "country"]
            if not names or names[0] not in self.book.sheets:
                return None
            grid = self.book.sheets[names[0]]
        at = find_header(grid, ("field", "value"), len(grid))
        if at is None:
            return None
        header_row, cols = at
        for row in grid[header_row + 1 :]:
            cells = [
                cell_text(row[c]) if c < len(row) else "" for c in (cols["field"], cols["value"])
            ]
            if cells[0].lower() == "language":
                return normalise(cells[1])
        return None


def open_source(path: str | Path, sha256: str | None = None) -> Source:
    """Hash the input (unless its `sha256` is known) and read it through the gate; raises
    InputFileError when it cannot be read at all. The file is never modified."""
    path = Path(path)
    check_file(path, SPREADSHEET_SUFFIXES | {".csv"})
    # hashed before it is read: a file saved again meanwhile then looks changed, never the same
    digest = sha256 or sha256_of(path)
    if path.suffix.lower() == ".csv":
        return Source(path, digest, csv=read_csv_text(path))
    try:
        return Source(path, digest, book=read_book(path, ACTIVITY_SHEETS, clean=False))
    except InputFileError:
        book = read_book(path, LEVEL1_SHEETS, clean=False)
        return Source(path, digest, book=book, facilities_alone=True)


def source_of(given: str | Path | Source) -> Source:
    """`given` if it was opened already, else the input at that path, opened."""
    return given if isinstance(given, Source) else open_source(given)

