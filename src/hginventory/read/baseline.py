"""The inventories as submitted: hginv result files of an earlier run, one per year.

`hginv trend --baseline DIR` compares a series against them. DIR is the folder of an earlier
`hginv batch` run (its `all.csv` has the country and year of every row), of an earlier `hginv
trend` run (its `trend.csv`: the years that had a workbook, without interpolated rows), or a
folder of result files written by `hginv compute`: `*-inventory.xlsx` workbooks (their
*Metadata* sheet gives the country and the year) and CSVs (the country and year of the
workbook of the same name beside them, else the one year in the file name, as in
`valdoria-2018-inventory.csv`).

Every row carries `year`, `input_file`, `country` and `iso3` (blank where the file does not
say: a CSV without its workbook), so that the caller can refuse another country's results.
Years are whole numbers, read as written: `2018.5`, a blank or `2018 (revised)` is an error
located at its cell, never a year guessed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd

from hginventory.core.cells import column_letter
from hginventory.core.columns import CSV_TEXT_COLUMNS
from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.read.results import (
    YEAR_IN_NAME,
    check_result_csv,
    metadata,
    read_results,
    whole_year,
)

RESULT_TEXT = dict.fromkeys(CSV_TEXT_COLUMNS, str)


def _is_result_csv(path: Path) -> bool:
    """A CSV whose header is hginv's result header. A result CSV too large to read is an
    error, not a file left out."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):  # never open a pipe or a device
        return False
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline(4096).strip().split(",")
    except OSError:
        return False
    if "code" in header and "hg_input_kg" in header:
        check_result_csv(path)
        return True
    return False


def _year_of(value, path: Path, where: str, cell: str = "") -> int:
    year = whole_year(value)
    if year is None:
        raise InputFileError(
            _("{file}: cannot tell the year of this inventory").format(file=path.name),
            [
                Problem(
                    _("not a year"),
                    file=str(path),
                    sheet=where,
                    cell=cell,
                    found=str(value),
                    expected=_("a whole number such as 2018"),
                    code="year-not-a-year",
                )
            ],
        )
    return year


def year_column(frame: pd.DataFrame, path: Path) -> pd.Series:
    """The `year` column of a CSV as whole numbers; InputFileError locating every cell that is
    blank, a fraction (2018.5) or text (2018 (revised))."""
    letter = column_letter(list(frame.columns).index("year"))
    years, problems = [], []
    for line, value in enumerate(frame["year"].tolist(), start=2):
        year = whole_year(value)
        if year is None:
            problems.append(
                Problem(
                    _("not a year"),
                    file=str(path),
                    cell=f"{letter}{line}",
                    found="" if value is None or value != value else str(value),
                    expected=_("a whole number such as 2018"),
                    code="year-not-a-year",
                )
            )
        years.append(year)
    if problems:
        raise InputFileError(
            ngettext(
                "{file}: {n} year cell is not a whole year",
                "{file}: {n} year cells are not whole years",
                len(problems),
            ).format(file=path.name, n=len(problems)),
            problems,
        )
    return pd.Series(years, index=frame.index, dtype="int64")


def _read_csv(path: Path, **options) -> pd.DataFrame:
    check_result_csv(path)
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **options)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None


def read_baseline(folder: str | Path) -> pd.DataFrame:
    """Result rows of the submitted inventories, with `year`, `input_file`, `country` and
    `iso3` columns.

    Raises InputFileError, naming the files, when DIR holds no result file, when a file's
    year cannot be told, or when two files are for one year.
    """
    folder = Path(folder)
    if folder.is_file():
        files = [folder]
        folder = folder.parent
    elif folder.is_dir():
        files = _combined_file(folder)
    else:
        raise InputFileError(_("{folder}: no such folder (--baseline)").format(folder=folder))
    if files and files[0].name == "all.csv":
        return _read_combined(files[0])
    if files and files[0].name == "trend.csv":
        return _read_trend(files[0])
    if files is None:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.suffix.lower() in (".csv", ".xlsx")
            and not p.name.startswith(("~$", "."))
        )
    return _read_result_files(folder, files)


def _combined_file(folder: Path) -> list[Path] | None:
    """The all.csv of a batch folder, else the trend.csv of a trend folder, else None."""
    for name in ("all.csv", "trend.csv"):
        if (folder / name).is_file():
            return [folder / name]
    return None


def _read_result_files(folder: Path, files: list[Path]) -> pd.DataFrame:
    """The rows of hginv compute's result files, one file per year (a CSV read instead of
    its workbook)."""
    parts, seen, problems = [], {}, []
    stems = {p.stem.casefold() for p in files if p.suffix.lower() == ".csv" and _is_result_csv(p)}
    for path in files:
        dated = _dated(path, stems, problems)
        if dated is None:
            continue
        year, meta = dated
        if year in seen:
            problems.append(
                Problem(
                    _("a second submitted inventory for {year} (also {file})").format(
                        year=year, file=seen[year].name
                    ),
                    file=str(path),
                    found=str(year),
                    expected=_("one result file per year"),
                    code="baseline-year-twice",
                )
            )
            continue
        seen[year] = path
        frame = read_results(path)
        frame.insert(0, "year", year)
        frame.insert(1, "input_file", str(path))
        frame["country"] = str((meta or {}).get("country") or "").strip()
        frame["iso3"] = str((meta or {}).get("iso3") or "").strip()
        parts.append(frame)
    if problems:
        raise InputFileError(
            _("{folder}: the submitted inventories cannot be read").format(folder=folder), problems
        )
    if not parts:
        raise InputFileError(
            _(
                "{folder}: no hginv result file (an all.csv of hginv batch, or the "
                "-inventory.csv/.xlsx files of hginv compute)"
            ).format(folder=folder)
        )
    return pd.concat(parts, ignore_index=True)


def _dated(path: Path, stems: set[str], problems: list) -> tuple[int, dict | None] | None:
    """The year of a result file and its workbook's metadata; None for a file that is not
    one (or a workbook whose CSV is read instead), or whose year cannot be told (a problem)."""
    if path.suffix.lower() == ".csv":
        if not _is_result_csv(path):
            return None
        return _csv_year(path, problems)
    if path.stem.casefold() in stems:
        return None  # its CSV is read instead
    meta = metadata(path)
    if meta is None:
        return None
    return _year_of(meta.get("year"), path, "Metadata"), meta


def _csv_year(path: Path, problems: list) -> tuple[int, dict | None] | None:
    """The year of a result CSV: its workbook's beside it, else the one year in its name."""
    book = path.with_suffix(".xlsx")
    meta = metadata(book) if book.is_file() else None
    if meta is not None and "year" in meta:
        return _year_of(meta["year"], book, "Metadata"), meta
    found = set(YEAR_IN_NAME.findall(path.stem))
    if len(found) != 1:
        problems.append(
            Problem(
                _("cannot tell the year of this result CSV"),
                file=str(path),
                found=path.name,
                expected=_(
                    "the year in the file name (valdoria-2018-inventory.csv), its "
                    "-inventory.xlsx beside it, or the batch folder with all.csv"
                ),
                code="baseline-year-unknown",
            )
        )
        return None
    return int(found.pop()), meta


def number_columns(frame: pd.DataFrame, path: Path, columns) -> pd.DataFrame:
    """Quantity columns of an all.csv or trend.csv as numbers, every other cell located."""
    problems = []
    for column in columns:
        if column not in frame:
            continue
        letter = column_letter(list(frame.columns).index(column))
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~values.abs().lt(float("inf"))
        for i in list(frame.index[bad])[:20]:
            problems.append(
                Problem(
                    _("{column} is not a finite number").format(column=column),
                    file=str(path),
                    cell=f"{letter}{int(i) + 2}",
                    found=str(frame.at[i, column]),
                    expected=_("a plain number with a point for decimals, no thousands separator"),
                    code="result-not-a-number",
                )
            )
        frame[column] = values
    if problems:
        raise InputFileError(
            _("{file}: cells not as hginv writes them; nothing was compared").format(
                file=path.name
            ),
            problems,
        )
    return frame


def _read_combined(path: Path) -> pd.DataFrame:
    """An `all.csv` of hginv batch: one country's rows, one inventory per year."""
    frame = _read_csv(
        path,
        dtype={**RESULT_TEXT, "year": str, "country": str, "iso3": str, "input_file": str},
        keep_default_na=False,
        na_values={c: [""] for c in ("activity", "input_factor")},
    )
    missing = [c for c in ("year", "code", "hg_input_kg", "air_kg") if c not in frame.columns]
    if missing:
        raise InputFileError(
            _("{file}: not the all.csv of hginv batch").format(file=path.name),
            [
                Problem(
                    _("missing columns"),
                    file=str(path),
                    found=", ".join(missing),
                    code="columns-missing",
                )
            ],
        )
    frame["year"] = year_column(frame, path)
    frame = number_columns(frame, path, ("hg_input_kg", "air_kg", "water_kg", "land_kg"))
    for column in ("country", "iso3"):
        frame[column] = frame[column].str.strip() if column in frame else ""
    if "input_file" not in frame:
        frame["input_file"] = str(path)
    per_year = frame.groupby("year")["input_file"].nunique()
    if (per_year > 1).any():
        year = int(per_year[per_year > 1].index[0])
        names = sorted(set(frame.loc[frame["year"] == year, "input_file"]))
        raise InputFileError(
            _(
                "{file}: {n} inventories for {year} ({names}); a baseline is one country's "
                "inventories, one per year"
            ).format(file=path.name, n=len(names), year=year, names=", ".join(names))
        )
    return frame


def trend_country(folder: Path) -> tuple[str, str]:
    """Country and iso3 of a folder written by hginv trend: the `country` and `iso3` columns
    of its totals.csv, else the country line of its trend.xlsx (as 'Name (ISO)'); blanks when
    neither tells."""
    totals = folder / "totals.csv"
    if totals.is_file():
        try:
            head = pd.read_csv(totals, dtype=str, keep_default_na=False, nrows=1)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError):
            head = pd.DataFrame()
        if "country" in head and len(head):
            iso3 = head["iso3"].iloc[0] if "iso3" in head else ""
            return head["country"].iloc[0].strip(), iso3.strip()
    book = folder / "trend.xlsx"
    if book.is_file():
        from hginventory.core.errors import HginvError
        from hginventory.read.gate import read_book

        try:
            rows = read_book(book, ("Read me",)).sheets.get("Read me", [])
        except HginvError:
            return "", ""
        if len(rows) > 2 and len(rows[2]) > 1 and str(rows[2][1]).strip():
            text = str(rows[2][1]).strip()
            if text.endswith(")") and " (" in text:
                name, iso3 = text[:-1].rsplit(" (", 1)
                return name.strip(), iso3.strip()
            return text, ""
    return "", ""


def _read_trend(path: Path) -> pd.DataFrame:
    """The `trend.csv` of an earlier `hginv trend`: what its workbooks gave, nothing filled."""
    frame = _read_csv(
        path,
        dtype={**RESULT_TEXT, "filled": str, "sub_category": str, "year": str},
        keep_default_na=False,
        na_values={c: [""] for c in ("activity",)},
    )
    missing = [c for c in ("year", "code", "hg_input_kg", "air_kg", "filled") if c not in frame]
    if missing:
        raise InputFileError(
            _("{file}: not the trend.csv of hginv trend").format(file=path.name),
            [
                Problem(
                    _("missing columns"),
                    file=str(path),
                    found=", ".join(missing),
                    code="columns-missing",
                )
            ],
        )
    frame["year"] = year_column(frame, path)
    frame = number_columns(frame, path, ("hg_input_kg", "air_kg"))
    totals = path.with_name("totals.csv")
    if totals.is_file():
        years = _read_csv(totals, dtype=str, keep_default_na=False)
        missing = [c for c in ("year", "input_file") if c not in years]
        if missing:
            raise InputFileError(
                _("{file}: not the totals.csv of hginv trend").format(file=totals.name),
                [
                    Problem(
                        _("missing columns"),
                        file=str(totals),
                        found=", ".join(missing),
                        code="columns-missing",
                    )
                ],
            )
        years["year"] = year_column(years, totals)
        workbook_years = set(years.loc[years["input_file"] != "(interpolated)", "year"])
        frame = frame[frame["year"].isin(workbook_years)]
    frame = frame[frame["filled"] != "interpolated"].drop(columns="filled")
    frame["input_file"] = str(path)
    frame["country"], frame["iso3"] = trend_country(path.parent)
    return frame.reset_index(drop=True)
