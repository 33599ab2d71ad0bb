"""The formula guard shared by writers: text a spreadsheet would read as a formula."""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_INVISIBLE = " \u00a0\ufeff\u200b\u200c\u200d\u2060"


def formula_like(value) -> bool:
    """Text a spreadsheet may read as a formula, also behind a byte order mark, a zero-width
    or a no-break space (`\ufeff=1+1`)."""
    return isinstance(value, str) and value.lstrip(_INVISIBLE).startswith(FORMULA_STARTS)


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would read as a formula with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            distinct = set(out[col].tolist())  # a result column repeats few texts
            if any(formula_like(v) for v in distinct):
                out[col] = out[col].map(lambda v: "'" + v if formula_like(v) else v)
    return out
