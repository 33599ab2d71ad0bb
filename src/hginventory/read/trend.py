"""Reading back the outputs of `hginv trend` (for the report's trend chapter)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _

TOTALS_NEEDED = ("year", "hg_input_kg", "air_kg", "releases_kg", "filled_rows", "input_file")

TREND_NEEDED = ("year", "code", "sub_category", "hg_input_kg", "air_kg", "filled")


@dataclass
class TrendOutputs:
    """totals.csv, trend.csv and (when there is one) recalculation.csv of a trend folder."""

    folder: Path
    totals: pd.DataFrame
    trend: pd.DataFrame
    recalculation: pd.DataFrame | None = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.totals["year"])


def _read(path: Path, needed, text_columns) -> pd.DataFrame:
    if not path.is_file():
        raise InputFileError(
            _("{file}: not found; give the folder written by hginv trend (-o OUTDIR)").format(
                file=path
            )
        )
    try:
        frame = pd.read_csv(
            path, dtype={c: str for c in text_columns}, keep_default_na=False, na_values=[""]
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputFileError(
            _("{file}: not written by hginv trend").format(file=path.name),
            [Problem(_("missing columns"), file=str(path), found=", ".join(missing))],
        )
    return frame


def read_trend_folder(folder: str | Path) -> TrendOutputs:
    """The tables of a trend folder; InputFileError naming the file when one is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(
            _("{folder}: no such folder; give the folder written by hginv trend").format(
                folder=folder
            )
        )
    text = ("code", "sub_category", "facility", "filled", "status", "factor_id", "input_file")
    totals = _read(folder / "totals.csv", TOTALS_NEEDED, text)
    trend = _read(folder / "trend.csv", TREND_NEEDED, text)
    recalc_path = folder / "recalculation.csv"
    recalc = None
    if recalc_path.is_file():
        recalc = _read(
            recalc_path,
            ("year", "code", "reason", "submitted_input_kg", "recalculated_input_kg"),
            ("code", "sub_category", "reason", "submitted_factor_id", "recalculated_factor_id"),
        )
    for frame in (totals, trend):
        frame["year"] = frame["year"].astype(int)
    return TrendOutputs(folder, totals, trend, recalc)
