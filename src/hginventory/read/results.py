"""Reading hginv result files back, and telling a result file from an activity workbook."""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hginventory.core.cells import column_letter
from hginventory.core.columns import CSV_COLUMNS, OUTPUT_COLUMNS
from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext

NEEDED = ("code", "sub_category", "hg_input_kg", *OUTPUT_COLUMNS)

CALCULATION = "Calculation"
FACTORS = "Factors"

NUMBERS = ("activity", "input_factor", "hg_input_kg", *OUTPUT_COLUMNS)
"""The numeric columns of a result row; the last seven hginv always fills."""

QUANTITIES = ("hg_input_kg", *OUTPUT_COLUMNS)

# The formula guard of the CSV writer (write.sheets.csv_safe): an apostrophe in front of text
# a spreadsheet would read as a formula. A reader of the CSV takes it off again, so that the
# CSV and the workbook of one run give the same facility names.
GUARD_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD_INVISIBLE = " \u00a0\ufeff\u200b\u200c\u200d\u2060"

YEAR_IN_NAME = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|2100)(?!\d)")


def unguard(value):
    """Text as it was before the CSV writer's formula guard (`'=x` -> `=x`)."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:].lstrip(GUARD_INVISIBLE).startswith(GUARD_STARTS)
    ):
        return value[1:]
    return value


def _number(value, column: str, place: dict, problems: list[Problem]) -> float:
    """A result cell as a finite number; blank is NaN where hginv may leave it blank
    (activity, input factor). Anything else is a located problem (and NaN)."""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | float):
        if math.isfinite(value):
            return float(value)
        text = str(value)
    else:
        text = "" if value is None else str(value).strip()
        if text == "" and column not in QUANTITIES:
            return math.nan
        if text:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and math.isfinite(number) and "_" not in text:
                return number
    if text == "":
        message = _("blank {column}: hginv writes a number in every result row").format(
            column=column
        )
    elif text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
        message = _("{column} is not a finite number").format(column=column)
    else:
        message = _("{column} is not a number as hginv writes it").format(column=column)
    problems.append(
        Problem(
            message,
            **place,
            found=text,
            expected=_("a plain number with a point for decimals, no thousands separator"),
            code="result-not-a-number",
        )
    )
    return math.nan


def _checked(frame: pd.DataFrame, places: list[dict], problems: list[Problem]) -> pd.DataFrame:
    """The numeric columns as floats and the text columns without the CSV guard; every cell
    that is not as hginv writes it is added to `problems` with its place."""
    out = frame.copy()
    for column in NUMBERS:
        if column not in out.columns:
            continue
        values = []
        for value, place in zip(out[column].tolist(), places, strict=True):
            cell = place["cells"].get(column, "")
            where = {"file": place["file"], "sheet": place["sheet"], "cell": cell}
            values.append(_number(value, column, where, problems))
        out[column] = pd.array(values, dtype="float64")
    for column in out.columns:
        if column not in NUMBERS:
            out[column] = [
                "" if v is None or (isinstance(v, float) and v != v) else unguard(str(v))
                for v in out[column].tolist()
            ]
    return out


def _keyed_table(book, sheet: str) -> tuple[list[dict], list[int], list[str]]:
    """The rows of a workbook table under its hidden row of machine names (first cell
    `code` or `factor_id`): data rows are those with a code and an evidence status (group
    headings and subtotals have none). Also the sheet row number (1-based) of each data row
    and the machine names."""
    if sheet not in book.sheets:
        raise ValueError(_("no sheet {sheet}").format(sheet=repr(sheet)))
    rows = book.sheets[sheet]
    top = next((i for i, row in enumerate(rows) if row and row[0] in ("code", "factor_id")), None)
    if top is None:
        raise ValueError(
            _("no table with a hidden row of column names on sheet {sheet}").format(
                sheet=repr(sheet)
            )
        )
    keys = [str(k) for k in rows[top]]
    out, numbers = [], []
    for i, row in enumerate(rows[top + 2 :], start=top + 3):
        rec = dict(zip(keys, row, strict=False))
        if rec.get(keys[0]) not in ("", None) and rec.get("status") not in ("", None):
            out.append(rec)
            numbers.append(i)
    return out, numbers, keys


def _workbook_rows(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """The result rows of an hginv workbook: the Calculation sheet (cached values) with the
    factor ids of the Factors sheet, whose rows are in the same order."""
    from hginventory.read.gate import read_book

    book = read_book(path, (CALCULATION, FACTORS))  # the gate: scanned, read in a child
    calc, numbers, keys = _keyed_table(book, CALCULATION)
    factors, _numbers, _keys = _keyed_table(book, FACTORS)
    if len(factors) == len(calc):
        for rec, f in zip(calc, factors, strict=True):
            rec["factor_id"] = f.get("factor_id", "")
    uncached = [
        f"{column_letter(keys.index('hg_input_kg'))}{n}"
        for rec, n in zip(calc, numbers, strict=True)
        if rec.get("hg_input_kg") in ("", None)
    ]
    if "hg_input_kg" in keys and len(uncached) == len(calc) and calc:
        raise InputFileError(
            _(
                "{file}: the workbook holds no computed values (its formulas were saved without "
                "their results, e.g. by a script); open it in Excel or LibreOffice and save it, "
                "or give the CSV of the same run"
            ).format(file=path.name),
            [
                Problem(
                    _("formula without a computed value"),
                    file=str(path),
                    sheet=CALCULATION,
                    cell=uncached[0],
                    code="formula-without-value",
                )
            ],
        )
    frame = pd.DataFrame.from_records(calc)
    places = [
        {
            "file": str(path),
            "sheet": CALCULATION,
            "cells": {k: f"{column_letter(j)}{n}" for j, k in enumerate(keys)},
        }
        for n in numbers
    ]
    return frame, places


MAX_RESULT_CSV_BYTES = 20 * 2**20
"""A result CSV of one country: a year is about 20 kB, a batch all.csv of one country over
fifty years about 2 MB. Larger files are refused with this limit named, never skipped."""


def check_result_csv(path: Path) -> None:
    """A regular file not larger than `MAX_RESULT_CSV_BYTES`; InputFileError saying which."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputFileError(
            _("{file}: cannot be opened ({reason})").format(file=path, reason=exc.strerror or exc)
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            _("{file}: not a regular file (a folder, a device or a pipe)").format(file=path)
        )
    if info.st_size > MAX_RESULT_CSV_BYTES:
        raise InputFileError(
            _(
                "{file}: refused: {size} MB is more than the result CSV of one country "
                "(limit {limit} MB); give the folder or the files of this country only"
            ).format(
                file=path,
                size=round(info.st_size / 2**20, 1),
                limit=MAX_RESULT_CSV_BYTES // 2**20,
            )
        )


def _csv_rows(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """The rows of a result CSV as text, each with the cells of its columns (`C12`)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise InputFileError(
            _("{file}: the column {column} is there twice; which one to compare?").format(
                file=path.name, column=twice[0]
            ),
            [
                Problem(
                    _("a column name given twice"),
                    file=str(path),
                    cell=f"{column_letter(header.index(twice[0], header.index(twice[0]) + 1))}1",
                    found=twice[0],
                    expected=_("each column once, as hginv writes it"),
                    code="duplicate-column",
                )
            ],
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = list(frame.columns)
    places = [
        {
            "file": str(path),
            "sheet": "",
            "cells": {k: f"{column_letter(j)}{line}" for j, k in enumerate(cells)},
        }
        for line in range(2, len(frame) + 2)
    ]
    return frame, places


def read_results(path: str | Path) -> pd.DataFrame:
    """The result rows of a computed inventory: a CSV written by hginv, or its workbook.

    Exactly what hginv writes is read: numbers as plain numbers (no thousands separator, never
    blank, NaN or infinite where hginv always writes one), text without the CSV's formula guard.
    Anything else raises InputFileError with every cell located."""
    from hginventory.read.gate import SPREADSHEET_SUFFIXES, check_file

    path = Path(path)
    if path.suffix.lower() == ".csv":
        check_result_csv(path)  # a regular file, not larger than one country's results
    else:
        check_file(path, SPREADSHEET_SUFFIXES)
    try:
        if path.suffix.lower() != ".csv":
            frame, places = _workbook_rows(path)
        else:
            frame, places = _csv_rows(path)
    except ValueError as exc:
        raise InputFileError(
            _("{file}: no '{sheet}' sheet; is this an inventory written by hginv compute?").format(
                file=path.name, sheet=CALCULATION
            ),
            [Problem(str(exc), file=str(path), sheet=CALCULATION, code="result-unreadable")],
        ) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path.name, reason=exc)
        ) from None
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing and len(frame.columns) == 1 and ";" in str(frame.columns[0]):
        raise InputFileError(
            _(
                "{file}: saved with semicolons between the columns (a spreadsheet set to a "
                "language that writes decimal commas); give the CSV as hginv wrote it, or the "
                "inventory workbook"
            ).format(file=path.name),
            [
                Problem(
                    _("columns separated by ';'"),
                    file=str(path),
                    cell="A1",
                    expected=",",
                    code="result-semicolons",
                )
            ],
        )
    if missing:
        raise InputFileError(
            _("{file}: not an hginv inventory result").format(file=path.name),
            [
                Problem(
                    _("missing columns"),
                    file=str(path),
                    found=", ".join(missing),
                    code="columns-missing",
                )
            ],
        )
    problems: list[Problem] = []
    frame = _checked(frame, places, problems)
    if problems:
        raise InputFileError(
            ngettext(
                "{file}: {n} cell not as hginv writes it; nothing was compared",
                "{file}: {n} cells not as hginv writes them; nothing was compared",
                len(problems),
            ).format(file=path.name, n=len(problems)),
            problems,
        )
    frame["code"] = frame["code"].astype(str).str.strip()
    frame = frame[frame["code"] != ""]
    return frame[[c for c in CSV_COLUMNS if c in frame.columns]].reset_index(drop=True)


@dataclass
class ResultInfo:
    """What a result file says of itself: country, iso3 and year (None where it does not say;
    a CSV carries them only through its workbook beside it, or the year in its name)."""

    country: str | None = None
    iso3: str | None = None
    year: int | None = None


def metadata(path: Path) -> dict[str, object] | None:
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


def whole_year(value) -> int | None:
    """A year cell as an int, None unless it is a whole number (2018, 2018.0, "2018")."""
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def result_info(path: str | Path) -> ResultInfo:
    """Country, iso3 and year of a result file, as far as it tells them."""
    path = Path(path)
    book = path if path.suffix.lower() != ".csv" else path.with_suffix(".xlsx")
    meta = metadata(book) if book.is_file() else None
    if meta is not None:
        country = str(meta.get("country") or "").strip() or None
        iso3 = str(meta.get("iso3") or "").strip() or None
        return ResultInfo(country, iso3, whole_year(meta.get("year")))
    found = set(YEAR_IN_NAME.findall(path.stem))
    return ResultInfo(year=int(found.pop()) if len(found) == 1 else None)


def result_file_hint(
    path: Path, command: str = "hginv report", with_file: bool = True
) -> str | None:
    """If `path` is an hginv output rather than an activity workbook, say what to give instead
    (to `command`; the file's name in front `with_file`).

    Result files lack the country data, the notes and the sources screening the report needs,
    so the report is always computed from the activity workbook.
    """
    hint = _result_file_hint(path, command)
    if hint is None or not with_file:
        return hint
    return f"{path.name}: {hint}"


def _result_file_hint(path: Path, command: str) -> str | None:
    from hginventory.core.errors import HginvError
    from hginventory.read.gate import SPREADSHEET_SUFFIXES, check_file, read_book

    try:
        check_file(path, SPREADSHEET_SUFFIXES | {".csv"})  # never open a pipe or a device
    except HginvError:
        return None
    if path.suffix.lower() == ".csv":
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                header = fh.readline()
        except OSError:
            return None
        if "hg_input_kg" not in header:  # an activity CSV: its own problems are reported
            return None
        return _(
            "{command} reads the activity workbook, not a result CSV; run it on the workbook "
            "the inventory was computed from"
        ).format(command=command)
    try:  # through the gate: a refused file is refused again, never read unscanned
        book = read_book(path, ("Metadata",))
    except HginvError:  # the activity reader has already reported why the file cannot be read
        return None
    if "Metadata" not in book.names or CALCULATION not in book.names:
        return None
    source = ""
    for row in book.sheets.get("Metadata", []):
        if row and row[0] == "input_file" and len(row) > 1:
            source = f" ({row[1]})"
    return _(
        "this is an hginv result workbook; run {command} on the activity workbook it was "
        "computed from{source}"
    ).format(command=command, source=source)


def report_input_error(path: Path) -> InputFileError | None:
    hint = result_file_hint(path)
    return InputFileError(hint) if hint else None
