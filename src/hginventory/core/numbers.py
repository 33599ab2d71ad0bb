"""One number policy for every output a person reads (terminal, workbook, report, charts,
messages), written once.

- Never scientific notation; thousands separators everywhere.
- A fixed rule of decimals per quantity, the same in every cell of a table column:
  `mass` (kg Hg/y) one decimal; `activity` the decimals its column needs, at most three;
  `factor` enough decimals for four significant figures of the column's smallest value, at
  most ten; `share` (distribution factors, 0-1) the decimals the column needs, at most four;
  `percent` (a value in per cent) and `fraction` (a 0-1 share shown as per cent) one decimal;
  `ratio` two; `count` none; a `year` or another `identifier` (a seed, a code number) has
  no thousands separator either (2021, 20211013).
- A whole activity (a count of inhabitants or corpses, 6,500,000 t) shows no decimals even
  when another cell of its column needs some (`cell_places`): `9,800,000 inhabitants`, never
  `9,800,000.0`.
- The CSV keeps full values (it is written elsewhere, unchanged); `plain` is the full value
  for messages and piped output.
- Excel number formats come from the same rule (`excel_format`), so the workbook shows what
  the report shows; chart axes and labels too (`excel_format`, `axis_formatter`).

The rule decides the digits; the locale decides only the symbols (`symbols`: the decimal
and grouping marks of English `26,453.3`, French `26 453,3` with a narrow no-break space,
Spanish `26.453,3`), so a number is rounded the same in every language. `locale=None` is the
language of the run (core.i18n).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from hginventory.core.i18n import get_language

MASS = "mass"
ACTIVITY = "activity"
FACTOR = "factor"
SHARE = "share"
PERCENT = "percent"
FRACTION = "fraction"
RATIO = "ratio"
COUNT = "count"
YEAR = "year"
IDENTIFIER = "identifier"

FIXED = {MASS: 1, PERCENT: 1, FRACTION: 1, RATIO: 2, COUNT: 0, YEAR: 0, IDENTIFIER: 0}
"""Quantities with the same decimals whatever the values."""

MAX_DECIMALS = {ACTIVITY: 3, FACTOR: 10, SHARE: 4}
"""Quantities whose column takes the decimals its values need, up to this many."""

FACTOR_DIGITS = 4
"""Significant figures kept of a factor."""

ENGLISH = (None, "", "en", "en_US", "en_GB")


def _finite(value) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


_EXACT = Context(prec=400, rounding=ROUND_HALF_UP)
"""Digits enough for any float at any decimals printed (1.8e308 with ten decimals)."""


def rounded(value: float, places: int) -> Decimal:
    """`value` rounded to `places` decimals as LibreOffice and Excel display it: half away
    from zero on the shortest decimal that reads back as the float (its repr), so 8,189.15
    shows 8,189.2 in the terminal, the report and the workbook alike (Python's own `round`
    and `format` round half to even on the binary value: 8,189.1). A sum that lands just
    under a half (59.849999999999994) stays under it, as LibreOffice shows it (59.8)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), context=_EXACT)


def _needed(v: float, limit: int) -> int:
    """Decimals that show v exactly (after rounding to `limit` decimals)."""
    text = f"{rounded(abs(v), limit):f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def decimals(quantity: str, values: Iterable = ()) -> int:
    """The decimals of a column of `quantity` holding `values` (the same for every cell)."""
    if quantity in FIXED:
        return FIXED[quantity]
    limit = MAX_DECIMALS.get(quantity, 3)
    finite = [v for v in (_finite(x) for x in values) if v]
    if not finite:
        return 0
    if quantity == FACTOR:
        smallest = min(abs(v) for v in finite)
        magnitude = math.floor(math.log10(smallest))
        wanted = max(0, FACTOR_DIGITS - 1 - magnitude)
        limit = min(limit, wanted)
    return max(_needed(v, limit) for v in finite)


def cell_places(quantity: str, value, places: int) -> int:
    """The decimals of one cell of a column with `places`: none for a whole activity or count
    (people and corpses are counted whole), the column's otherwise."""
    if quantity in (ACTIVITY, COUNT):
        v = _finite(value)
        if v is not None and v.is_integer():
            return 0
    return places


@lru_cache(maxsize=16)
def symbols(locale: str = "en") -> tuple[str, str]:
    """(decimal mark, grouping mark) of a locale, from Babel's CLDR data: all a locale
    decides about a number."""
    if locale in ENGLISH:
        return ".", ","
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(locale), get_group_symbol(locale)


def localise(text: str, locale: str | None = None) -> str:
    """English number text (`26,453.3`) with the locale's marks (`26 453,3`)."""
    if locale is None:
        locale = get_language()
    if locale in ENGLISH:
        return text
    decimal, group = symbols(locale)
    if group.isspace():
        group = "\u202f"  # a space that never breaks a number in two, whatever the locale's
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_number(
    value, quantity: str = MASS, places: int | None = None, locale: str | None = None, sign=False
) -> str:
    """One number as people read it: separators, the quantity's decimals, never `1e+06`.

    `places` overrides the decimals (pass `decimals(quantity, column)` for a table column);
    `sign` writes `+` before a positive number (a change). Blank (None, NaN, text) gives an
    empty string, text itself."""
    v = _finite(value)
    if v is None:
        return "" if value is None or isinstance(value, float) else str(value)
    return _format_finite(v, quantity, places, locale or get_language(), sign)


@lru_cache(maxsize=65_536)
def _format_finite(v: float, quantity: str, places: int | None, locale: str, sign) -> str:
    """`format_number` of a finite float, remembered: a workbook of 20,000 facility rows
    formats the same few values hundreds of thousands of times (widths, cells, notes)."""
    places = decimals(quantity, [v]) if places is None else cell_places(quantity, v, places)
    if quantity == FRACTION:
        v *= 100
    d = rounded(v, places)
    if d == 0:
        d = abs(d)  # no "-0.0"
    grouping = "" if quantity in (YEAR, IDENTIFIER) else ","
    text = localise(f"{d:{'+' if sign else ''}{grouping}.{places}f}", locale)
    return f"{text} %" if quantity == FRACTION else text


def mass(value, locale: str | None = None) -> str:
    """kg Hg/y: `1,211.4`."""
    return format_number(value, MASS, locale=locale)


def percent(share, locale: str | None = None, places: int | None = None) -> str:
    """A share 0-1 as per cent, one decimal: `12.5 %`."""
    return format_number(share, FRACTION, places, locale)


def sum_text(value: float) -> str:
    """A sum in a message: ten significant digits, thousands grouped (as `:,.10g`)."""
    text = f"{value:,.10g}"
    return text if "e" in text else localise(text)


def plain(value, locale: str | None = None) -> str:
    """The full value as read (fifteen significant digits, no grouping, never an exponent),
    with the locale's decimal mark: messages quote input values with it (`1234,5` in
    French, `0.00001` rather than `1e-05`)."""
    v = _finite(value)
    if v is None:
        return "" if value is None or isinstance(value, float) else str(value)
    text = format(Decimal(f"{v:.15g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", symbols(get_language() if locale is None else locale)[0])


def excel_format(quantity: str = MASS, places: int | None = None, values: Iterable = ()) -> str:
    """The Excel number format of a column: `#,##0.0` for mass; separators, fixed decimals;
    `0.0%` for a fraction. Excel and LibreOffice apply the user's own marks to it."""
    if places is None:
        places = decimals(quantity, values)
    return _excel_format(quantity, places)


@lru_cache(maxsize=256)
def _excel_format(quantity: str, places: int) -> str:
    """One string per format (asked once per workbook cell: a million cells, a few formats)."""
    point = "." + "0" * places if places else ""
    if quantity == FRACTION:
        return f"0{point}%"
    if quantity in (YEAR, IDENTIFIER):
        return "0"
    base = "#,##0" + point
    return base + ' "%"' if quantity == PERCENT else base


AXIS_FORMAT = excel_format(MASS, 0)
"""Excel chart axes of kg Hg/y: whole numbers with separators (`10,000`)."""


def axis_formatter(quantity: str = MASS, locale: str | None = None):
    """A function (value, position) -> label for chart axes (matplotlib's FuncFormatter):
    thousands separators, no exponent; decimals only where the ticks need them."""

    def label(value, _pos=None) -> str:
        places = 0 if float(value).is_integer() else decimals(ACTIVITY, [value])
        return format_number(value, quantity, places, locale)

    return label
