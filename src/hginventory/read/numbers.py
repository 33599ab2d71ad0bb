"""Numbers as users type them: a cell that holds a number, or text that reads as one.

A hand-typed number stored as text is read when its meaning is certain (`1 500`, `72,5` in a
French workbook) and reported as a warning; an ambiguous one (`1,234`: thousands or decimals?)
is an error that explains the choice to make.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from hginventory.core.errors import Problem
from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import plain
from hginventory.read.cells import cell_text

_SPACES = re.compile(r"[\s\u00a0\u202f']")


_SIGN_SPACE = re.compile(r"^([+-])[\s\u00a0\u202f]+")


_DIGITS_AND_MARKS = re.compile(r"[+-]?\d[\d.,\s\u00a0\u202f']*")


def grouped(digits: str, sep: str) -> bool:
    """Whether `digits` (no sign, no decimals) with `sep` between its groups is a thousands
    grouping: a first group of one to three digits, then groups of exactly three. The one rule
    for every thousands separator, in workbooks and CSV files alike: `1 5`, `1'5` and
    `12 34 5` are not numbers hginv may guess (15? 1.5?)."""
    groups = digits.split(sep)
    return (
        all(g.isascii() and g.isdigit() for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


DIGIT_GROUPS = N_(
    "digits grouped by spaces or apostrophes must be in groups of three "
    "(1 234 567); write the number without them, e.g. 1234567"
)


NUMBER_WITH_TEXT = N_(
    "a number followed by text; type the number alone here, and the unit in its column"
)


def _finite(value: float) -> tuple[float | None, str] | None:
    """(None, reason) for a number no float holds (`1.000.000...` of 103 groups is inf)."""
    return None if math.isfinite(value) else (None, _("not a finite number"))


def parse_number(text: str) -> tuple[float | None, str]:
    """Read a hand-typed number; returns (value, note) or (None, reason).

    Rules, so that `1,5` (French/Spanish decimal comma) and `1 234 567` are read, while a
    value whose meaning is not certain is refused rather than guessed:
    - spaces and apostrophes are thousands separators, between groups of three digits only
      (`grouped`): `1 5` is refused;
    - with both `.` and `,`, the last one is the decimal mark, the other separates groups of
      three;
    - one `,` followed by exactly three digits (`1,234`) is ambiguous: refused;
    - several `,` or several `.` are thousands separators, between groups of three;
    - a number no float holds (inf) is refused.
    """
    s = _SIGN_SPACE.sub(r"\1", str(text).strip())
    if not s:
        return None, _("empty")
    spaced = _SPACES.search(s)
    if spaced and _DIGITS_AND_MARKS.fullmatch(s):  # a number with groups (not `1500 t`)
        body = re.split(r"[.,]", s.lstrip("+-"))[0]
        if (
            len(set(_SPACES.findall(s))) > 1
            or not grouped(body, spaced.group())
            or (re.search(r"[.,].*" + re.escape(spaced.group()), s))
        ):
            return None, _(DIGIT_GROUPS)
    s = _SPACES.sub("", s)
    if re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", s):
        return _finite(float(s)) or (float(s), _("number stored as text"))
    if not re.fullmatch(r"[+-]?[\d.,]+", s) or not re.search(r"\d", s):
        return None, _("not a number")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        head = s.lstrip("+-").rsplit(decimal, 1)[0]
        if s.count(decimal) > 1 or not grouped(head, thousands):
            return None, _("separators do not make sense")
        s = s.replace(thousands, "").replace(decimal, ".")
        note = _("read with '{mark}' as decimal mark").format(mark=decimal)
    elif commas == 1:
        head, tail = s.split(",")
        if len(tail) == 3 and head.lstrip("+-") not in ("", "0"):
            return None, _(
                "ambiguous: a comma followed by three digits may be a decimal or a thousands "
                "separator; write the number without separators, e.g. 1234 or 1.234"
            )
        s = s.replace(",", ".")
        note = _("read with '{mark}' as decimal mark").format(mark=",")
    elif commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not grouped(s.lstrip("+-"), sep):
            return None, _("separators do not make sense")
        s = s.replace(sep, "")
        note = _("read with '{mark}' as thousands separator").format(mark=sep)
    else:
        note = _("number stored as text")
    try:
        value = float(s)
    except ValueError:
        return None, _("not a number")
    return _finite(value) or (value, note)


def _number_code(reason: str, text: str) -> str:
    """The problem code of a number `parse_number` refused, from its reason."""
    if reason in (_("not a number"), _("empty")):
        return "not-a-number"
    if reason == _("not a finite number"):
        return "not-finite"
    if reason == _(DIGIT_GROUPS):
        return "digit-groups"
    if reason == _(NUMBER_WITH_TEXT):
        return "number-with-text"
    return "number-unreadable"


_WITH_UNIT = re.compile(r"\s*[+-]?\d[\d.,\s']*\s*[A-Za-zµ³][\w³ /]*")


_PERCENT = re.compile(r"\s*([+-]?\d[\d.,\s']*?)\s*%\s*")


def cell_number(
    value, where: dict, what: str, problems: list[Problem], percent: bool = False
) -> float | None:
    """A numeric cell value, or None after recording why it is not one.

    With `percent`, `85 %` is read as 85 (the field is a percentage anyway)."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        problems.append(
            Problem(
                _("{what} is not a number").format(what=what),
                found=cell_text(value),
                expected=_("a number"),
                **where,
                code="not-a-number",
            )
        )
        return None
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            problems.append(
                Problem(
                    _("{what} is not a finite number").format(what=what),
                    found=str(value),
                    code="not-finite",
                    **where,
                )
            )
            return None
        return float(value)
    text = str(value)
    if percent and _PERCENT.fullmatch(text):
        text = _PERCENT.fullmatch(text).group(1)
    number, note = parse_number(text)
    if isinstance(value, AmbiguousText):
        number, note = None, value.reason
    elif number is None and note == _("not a number") and _WITH_UNIT.fullmatch(text):
        note = _(NUMBER_WITH_TEXT)
    elif number is not None and text != str(value):
        note = _("read without the '%' sign")
    if number is None:
        problems.append(
            Problem(
                _("{what}: {reason}").format(what=what, reason=note),
                found=cell_text(value),
                expected=_("a number"),
                code=_number_code(note, text),
                **where,
            )
        )
        return None
    if note == _("number stored as text") and str(where.get("file", "")).lower().endswith(".csv"):
        return number  # in a CSV every value is text: nothing to warn about
    problems.append(
        Problem(
            _("{what}: {note} as {number}").format(what=what, note=note, number=plain(number)),
            found=cell_text(value),
            severity="warning",
            **where,
            code="number-as-text",
        )
    )
    return number


def text_spaces(raw, file: str, sheet: str, cell: str, problems: list[Problem]) -> None:
    """Warn about text with leading or trailing spaces (read without them)."""
    if isinstance(raw, str) and raw.strip() and raw != raw.strip():
        problems.append(
            Problem(
                _("leading or trailing spaces removed from {text}").format(text=repr(raw.strip())),
                file=file,
                sheet=sheet,
                cell=cell,
                found=raw,
                severity="warning",
                code="spaces-removed",
            )
        )


class AmbiguousText(str):
    """A CSV value whose meaning depends on the country's conventions; refused, not guessed."""

    @property
    def reason(self) -> str:
        return _(
            "ambiguous in a file separated by ';': a point followed by three digits is a "
            "thousands separator in Spanish or German, a decimal point in English; write 1500 "
            "or 1,5"
        )
