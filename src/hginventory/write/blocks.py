"""The report's block model (headings, paragraphs, tables, figures) and its number text:
what every chapter builds and every renderer (docx, html) draws, so that a module of chapters
needs no renderer."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from hginventory.core import numbers
from hginventory.core.i18n import get_language

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Heading:
    level: int
    text: str
    annex: bool = False  # annexes stay in the page orientation of what comes before


@dataclass
class Para:
    text: str
    kind: str = "normal"  # normal | caution | note | lead


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    total_rows: int = 0
    small: bool = False


@dataclass
class Figure:
    name: str
    caption: str
    draw: object = None  # a function giving the matplotlib Figure; else the inventory's chart


@dataclass
class Landscape:
    """Wide content follows (the Word document switches to a landscape section)."""


def kg(value) -> str:
    """kg Hg/y as printed in the report: the number policy of core.numbers (thousands
    separated, one decimal everywhere, never an exponent)."""
    return numbers.mass(value, locale=get_language())


def pct(share: float) -> str:
    return numbers.percent(share, locale=get_language())


def factor(value) -> str:
    """A factor with four significant figures, in positional notation (0.00005, not 5e-05)."""
    return numbers.format_number(value, numbers.FACTOR, locale=get_language())


def share(value) -> str:
    """A distribution factor (0-1), as many decimals as it needs, at most four."""
    return numbers.format_number(value, numbers.SHARE, locale=get_language())


def clean(text) -> str:
    """Input text as printable text: no control characters (they break .docx XML)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _CONTROL.sub("", str(text))
