"""Reading back the outputs of `hginv trend` (for the report's trend chapter)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hginventory.core.columns import CSV_TEXT_COLUMNS
from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.model.trend import TrendOutputs
from hginventory.read.baseline import (
    check_result_csv,
    number_columns,
    trend_country,
    year_column,
)

TOTALS_NEEDED = ("year", "hg_input_kg", "air_kg", "releases_kg", "filled_rows", "input_file")

RECALC = "recalculation.csv"

CHECKS = "checks.csv"
CHECKS_TEXT = ("check", "severity", "code", "sub_category", "unit", "detail")

TREND_NEEDED = ("year", "code", "sub_category", "hg_input_kg", "air_kg", "filled")


def _read(path: Path, needed, text_columns) -> pd.DataFrame:
    if not path.is_file():
        raise InputFileError(
            _("{file}: not found; give the folder written by hginv trend (-o OUTDIR)").format(
                file=path
            )
        )
    check_result_csv(path)
    try:
        frame = pd.read_csv(
            path,
            dtype={"year": str, **{c: str for c in text_columns}},
            keep_default_na=False,
            na_values=[""],
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputFileError(
            _("{file}: not written by hginv trend").format(file=path.name),
            [
                Problem(
                    _("missing columns"),
                    file=str(path),
                    found=", ".join(missing),
                    code="columns-missing",
                )
            ],
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
    text = (*CSV_TEXT_COLUMNS, "filled", "input_file")
    totals = _read(folder / "totals.csv", TOTALS_NEEDED, text)
    trend = _read(folder / "trend.csv", TREND_NEEDED, text)
    recalc_path = folder / RECALC
    recalc = None
    if recalc_path.is_file():
        recalc = _read(
            recalc_path,
            ("year", "code", "reason", "submitted_input_kg", "recalculated_input_kg"),
            ("code", "sub_category", "reason", "submitted_factor_id", "recalculated_factor_id"),
        )
    for frame, path in ((totals, "totals.csv"), (trend, "trend.csv"), (recalc, RECALC)):
        if frame is not None:
            frame["year"] = year_column(frame, folder / path)
    number_columns(totals, folder / "totals.csv", ("hg_input_kg", "air_kg", "releases_kg"))
    number_columns(trend, folder / "trend.csv", ("hg_input_kg", "air_kg"))
    checks = None
    if (folder / CHECKS).is_file():  # trends written before the checks have none
        needed = ("check", "code", "sub_category", "year_before", "year", "change_pct", "detail")
        checks = _read(folder / CHECKS, needed, CHECKS_TEXT)
        checks["year"] = year_column(checks, folder / CHECKS)
        for column in ("year_before", "before", "after", "change_pct"):  # blank: not applicable
            if column in checks:
                checks[column] = pd.to_numeric(checks[column], errors="coerce")
        checks["year_before"] = checks["year_before"].round().astype("Int64")
        for column in CHECKS_TEXT:
            if column in checks:
                checks[column] = checks[column].fillna("")
    country, iso3 = trend_country(folder)
    return TrendOutputs(folder, totals, trend, recalc, country, iso3, checks)


def trend_country_check(series: TrendOutputs, inventory, input_path: Path) -> None:
    """A report's trend chapter is the same country's: InputFileError naming both countries
    when the trend folder is another's (NFC names, iso3), or does not say whose it is."""
    from hginventory.model.country import country_text, same_country

    country = inventory.country
    mine = country_text(country.country, country.iso3)
    if not (series.country or series.iso3):
        raise InputFileError(
            _(
                "{folder}: the trend does not say its country (no country column in totals.csv, "
                "no trend.xlsx); run hginv trend again to write it, then the report"
            ).format(folder=series.folder),
            [
                Problem(
                    _("missing columns"),
                    file=str(series.folder / "totals.csv"),
                    found="country",
                    code="columns-missing",
                )
            ],
        )
    if not same_country(series.country, series.iso3, country.country, country.iso3):
        theirs = country_text(series.country, series.iso3)
        raise InputFileError(
            _(
                "{folder} is the trend of {theirs}, {file} the inventory of {mine}: a report's "
                "trend chapter is the same country's; give that country's trend folder"
            ).format(folder=series.folder, theirs=theirs, file=input_path.name, mine=mine),
            [
                Problem(
                    _("another country"),
                    file=str(series.folder / "totals.csv"),
                    found=theirs,
                    expected=mine,
                    code="trend-other-country",
                )
            ],
        )
