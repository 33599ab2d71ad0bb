"""One number policy for every output a person reads (terminal, workbook, report, charts).

- Never scientific notation; thousands separators everywhere.
- A fixed rule of decimals per quantity, the same in every cell of a table column:
  `mass` (kg Hg/y) one decimal; `activity` the decimals its column needs, at most three;
  `factor` enough decimals for four significant figures of the column's smallest value, at
  most ten; `share` (distribution factors, 0-1) the decimals the column needs, at most four;
  `percent` one decimal; `ratio` two; `count` none.
- The CSV keeps full values (it is written elsewhere, unchanged); `plain` is the full value
  as greppable text for piped output.
- Excel number formats come from the same rule (`excel_format`), so the workbook shows what
  the report shows.

Every function takes `locale` (default English). English is formatted by Python itself;
other locales (`fr`, `es`, ...) through Babel, with the locale's grouping and decimal marks
(French `26 453,3` with a narrow no-break space, Spanish `26.453,3`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

MASS = "mass"
ACTIVITY = "activity"
FACTOR = "factor"
SHARE = "share"
PERCENT = "percent"
RATIO = "ratio"
COUNT = "count"

FIXED = {MASS: 1, PERCENT: 1, RATIO: 2, COUNT: 0}
"""Quantities with the same decimals whatever the values."""

MAX_DECIMALS = {ACTIVITY: 3, FACTOR: 10, SHARE: 4}
"""Quantities whose column takes the decimals its values need, up to this many."""

FACTOR_DIGITS = 4
"""Significant figures kept of a factor."""

DEFAULT_LOCALE = "en"


def _finite(value) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _needed(v: float, limit: int) -> int:
    """Decimals that show v exactly (after rounding to `limit` decimals)."""
    text = f"{abs(v):.{limit}f}".rstrip("0")
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


def format_number(value, quantity: str = MASS, places: int | None = None, locale: str = "en"):
    """One number as people read it: separators, the quantity's decimals, never `1e+06`.

    `places` overrides the decimals (pass `decimals(quantity, column)` for a table column).
    Blank (None, NaN, text) gives an empty string.
    """
    v = _finite(value)
    if v is None:
        return "" if value is None or isinstance(value, float) else str(value)
    if places is None:
        places = decimals(quantity, [v])
    if round(v, places) == 0:
        v = 0.0  # no "-0.0"
    if locale in (None, "", DEFAULT_LOCALE, "en_US", "en_GB"):
        return f"{v:,.{places}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(v, format=pattern, locale=locale, decimal_quantization=True)


def format_column(values: Iterable, quantity: str, locale: str = "en") -> list[str]:
    """A table column: every value with the same decimals."""
    values = list(values)
    places = decimals(quantity, values)
    return [format_number(v, quantity, places, locale) for v in values]


def mass(value, locale: str = "en") -> str:
    """kg Hg/y: `1,211.4`."""
    return format_number(value, MASS, locale=locale)


def percent(share, locale: str = "en") -> str:
    """A share 0-1 as per cent with one decimal: `12.5 %`."""
    v = _finite(share)
    return "" if v is None else f"{format_number(100 * v, PERCENT, locale=locale)} %"


def plain(value) -> str:
    """The full value as plain positional text, for piped output and logs (`26378274`,
    `0.00015`): no separators, no rounding beyond float's own, never an exponent."""
    v = _finite(value)
    if v is None:
        return "" if value is None or isinstance(value, float) else str(value)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    text = format(Decimal(repr(v)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def excel_format(quantity: str = MASS, places: int | None = None, values: Iterable = ()) -> str:
    """The Excel number format of a column: `#,##0.0` for mass; separators, fixed decimals.

    Excel and LibreOffice apply the user's own decimal and grouping marks to it."""
    if places is None:
        places = decimals(quantity, values)
    base = "#,##0" + ("." + "0" * places if places else "")
    return base + ' "%"' if quantity == PERCENT else base


def axis_formatter(quantity: str = MASS, locale: str = "en"):
    """A function (value, position) -> label for chart axes (matplotlib's FuncFormatter):
    thousands separators, no exponent; decimals only where the ticks need them."""

    def label(value, _pos=None) -> str:
        places = 0 if float(value).is_integer() else decimals(ACTIVITY, [value])
        return format_number(value, quantity, places, locale)

    return label
