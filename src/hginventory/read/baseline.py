"""The inventories as submitted: hginv result files of an earlier run, one per year.

`hginv trend --baseline DIR` compares a series against them. DIR is the folder of an earlier
`hginv batch` run (its `all.csv` has the country and year of every row), of an earlier `hginv
trend` run (its `trend.csv`: the years that had a workbook, without interpolated rows), or a
folder of result files written by `hginv compute`: `*-inventory.xlsx` workbooks (their
*Metadata* sheet gives the year) and CSVs (the year of the workbook of the same name beside
them, else the one year in the file name, as in `valdoria-2018-inventory.csv`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.read.results import CALCULATION, read_results

YEAR_IN_NAME = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|2100)(?!\d)")

RESULT_TEXT = {"code": str, "facility": str, "factor_id": str, "activity_unit": str}


def _metadata(path: Path) -> dict[str, str] | None:
    """The Metadata sheet of an hginv result workbook as field -> value, None if not one."""
    from hginventory.core.errors import HginvError
    from hginventory.read.gate import read_book

    try:  # through the gate: scanned, read in a child process
        book = read_book(path, ("Metadata",))
    except HginvError:  # not a workbook hginv can open: not a result file either
        return None
    if "Metadata" not in book.names or CALCULATION not in book.names:
        return None
    out = {}
    for row in book.sheets.get("Metadata", []):
        if row and len(row) > 1 and row[0] != "":
            out[str(row[0])] = row[1]
    return out


def _is_result_csv(path: Path) -> bool:
    from hginventory.core.errors import HginvError
    from hginventory.read.gate import check_file

    try:
        check_file(path, {".csv"})  # never open a pipe or a device
    except HginvError:
        return False
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline().strip().split(",")
    except OSError:
        return False
    return "code" in header and "hg_input_kg" in header


def _year_of(value, path: Path, where: str) -> int:
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        raise InputFileError(
            _("{file}: cannot tell the year of this inventory").format(file=path.name),
            [Problem(_("not a year"), file=str(path), sheet=where, found=str(value))],
        ) from None
    return year


def read_baseline(folder: str | Path) -> pd.DataFrame:
    """Result rows of the submitted inventories, with `year` and `input_file` columns.

    Raises InputFileError, naming the files, when DIR holds no result file, when a file's
    year cannot be told, or when two files are for one year.
    """
    folder = Path(folder)
    if folder.is_file():
        files = [folder]
        folder = folder.parent
    elif folder.is_dir():
        files = None
    else:
        raise InputFileError(_("{folder}: no such folder (--baseline)").format(folder=folder))
    for name in ("all.csv", "trend.csv"):
        if files is None and (folder / name).is_file():
            files = [folder / name]
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
    parts, seen, problems = [], {}, []
    stems = {p.stem.casefold() for p in files if p.suffix.lower() == ".csv" and _is_result_csv(p)}
    for path in files:
        if path.suffix.lower() == ".csv":
            if not _is_result_csv(path):
                continue
            meta = (
                _metadata(path.with_suffix(".xlsx"))
                if path.with_suffix(".xlsx").is_file()
                else None
            )
            if meta is not None and "year" in meta:
                year = _year_of(meta["year"], path.with_suffix(".xlsx"), "Metadata")
            else:
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
                        )
                    )
                    continue
                year = int(found.pop())
        else:
            if path.stem.casefold() in stems:
                continue  # its CSV is read instead
            meta = _metadata(path)
            if meta is None:
                continue
            year = _year_of(meta.get("year"), path, "Metadata")
        if year in seen:
            problems.append(
                Problem(
                    _("a second submitted inventory for {year} (also {file})").format(
                        year=year, file=seen[year].name
                    ),
                    file=str(path),
                    found=str(year),
                    expected=_("one result file per year"),
                )
            )
            continue
        seen[year] = path
        frame = read_results(path)
        frame.insert(0, "year", year)
        frame.insert(1, "input_file", str(path))
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


def _read_combined(path: Path) -> pd.DataFrame:
    """An `all.csv` of hginv batch: one country's rows, one inventory per year."""
    try:
        frame = pd.read_csv(
            path,
            dtype=RESULT_TEXT,
            keep_default_na=False,
            na_values={c: [""] for c in ("activity", "input_factor", "hg_input_kg")},
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None
    missing = [c for c in ("year", "code", "hg_input_kg", "air_kg") if c not in frame.columns]
    if missing:
        raise InputFileError(
            _("{file}: not the all.csv of hginv batch").format(file=path.name),
            [Problem(_("missing columns"), file=str(path), found=", ".join(missing))],
        )
    per_year = frame.groupby("year")["input_file"].nunique() if "input_file" in frame else None
    if per_year is not None and (per_year > 1).any():
        year = int(per_year[per_year > 1].index[0])
        names = sorted(set(frame.loc[frame["year"] == year, "input_file"]))
        raise InputFileError(
            _(
                "{file}: {n} inventories for {year} ({names}); a baseline is one country's "
                "inventories, one per year"
            ).format(file=path.name, n=len(names), year=year, names=", ".join(names))
        )
    frame["year"] = frame["year"].astype(int)
    return frame


def _read_trend(path: Path) -> pd.DataFrame:
    """The `trend.csv` of an earlier `hginv trend`: what its workbooks gave, nothing filled."""
    try:
        frame = pd.read_csv(
            path,
            dtype={**RESULT_TEXT, "filled": str, "sub_category": str},
            keep_default_na=False,
            na_values={c: [""] for c in ("activity", "hg_input_kg")},
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None
    missing = [c for c in ("year", "code", "hg_input_kg", "air_kg", "filled") if c not in frame]
    if missing:
        raise InputFileError(
            _("{file}: not the trend.csv of hginv trend").format(file=path.name),
            [Problem(_("missing columns"), file=str(path), found=", ".join(missing))],
        )
    frame["year"] = frame["year"].astype(int)
    totals = path.with_name("totals.csv")
    if totals.is_file():
        years = pd.read_csv(totals, dtype={"input_file": str}, keep_default_na=False)
        workbook_years = set(years.loc[years["input_file"] != "(interpolated)", "year"])
        frame = frame[frame["year"].isin(workbook_years)]
    frame = frame[frame["filled"] != "interpolated"].drop(columns="filled")
    frame["input_file"] = str(path)
    return frame.reset_index(drop=True)
