"""Errors that carry a location (file, sheet, cell) so the CLI can say exactly what is wrong.

Every check collects `Problem`s instead of stopping at the first one, so a focal point sees
everything that needs fixing in one go. An `HginvError` carries one or more problems. Each
problem has a stable code (core/problems.py) that scripts match on, whatever the language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hginventory.core.i18n import gettext as _

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about an input: where it is, what was found, what was expected."""

    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    found: str = ""
    expected: str = ""
    severity: Severity = "error"
    kind: str = "input"
    code: str = ""  # the check's stable kebab-case name, registered in core/problems.py

    @property
    def where(self) -> str:
        parts = [Path(self.file).name if self.file else ""]
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet:
            parts.append(_("sheet '{sheet}'").format(sheet=self.sheet))
        elif self.cell:
            parts.append(self.cell)
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.found:
            text += _(" (found: {found})").format(found=repr(self.found))
        if self.expected:
            text += _("; expected: {expected}").format(expected=self.expected)
        return text

    def to_dict(self) -> dict:
        return dict(self.__dict__)  # every field is text: no deep copy (asdict) needed


class HasProblems:
    """Errors and warnings of anything that carries a `problems` list."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class HginvError(HasProblems, Exception):
    """Base of every error hginv reports to a user; never shown as a traceback."""

    exit_code = 1
    code = "input-invalid"  # the problem code of its message when it has no problems

    def __init__(self, message: str, problems: list[Problem] | None = None, *, code: str = ""):
        self.problems = list(problems or [])
        if code:  # a code more precise than its class's (core/problems.py)
            self.code = code
        super().__init__(message)

    def located(self, path: str | Path) -> list[Problem]:
        """Its problems, or the message itself as one problem of `path` (without the file name
        in front, since the file has a column of its own)."""
        if self.problems:
            return list(self.problems)
        path = Path(path)
        message = str(self.args[0])
        for name in (str(path), path.name):  # French puts a (no-break) space before the colon
            front = re.match(re.escape(name) + "[ \u00a0\u202f]?: ", message)
            if front:
                message = message[front.end() :]
                break
        return [Problem(message, file=str(path), code=self.code)]

    def __str__(self) -> str:
        lines = [self.args[0]]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InputFileError(HginvError):
    """The input file cannot be opened or read as a spreadsheet."""

    code = "file-unreadable"


class UnsafeInputError(InputFileError):
    """The input is refused for safety: a decompression bomb, XML entity declarations."""

    code = "file-unsafe"


class ActivityError(HginvError):
    """The activity workbook was read but its content is wrong."""

    code = "activity-invalid"


class FactorTableError(HginvError):
    """A factor table is malformed: wrong field, unknown unit, fractions that don't sum to 1."""

    code = "factor-table-invalid"


class UnitError(HginvError):
    """A unit is unknown or cannot be converted to the unit a factor needs."""

    code = "unit-unknown"


class OutputError(HginvError):
    """An output cannot be written (or would overwrite an input)."""

    code = "output-not-writable"
