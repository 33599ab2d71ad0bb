"""The outputs of `hginv trend` as read back (for the report's trend chapter)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class TrendOutputs:
    """totals.csv, trend.csv and (when there is one) recalculation.csv of a trend folder."""

    folder: Path
    totals: pd.DataFrame
    trend: pd.DataFrame
    recalculation: pd.DataFrame | None = None
    country: str = ""
    iso3: str = ""
    checks: pd.DataFrame | None = None  # checks.csv, the time-series checks (None: not written)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.totals["year"])
