"""Reading hginv result files back, and telling a result file from an activity workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hginventory.core.columns import CSV_COLUMNS, OUTPUT_COLUMNS
from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _

NEEDED = ("code", "sub_category", "hg_input_kg", *OUTPUT_COLUMNS)

CALCULATION = "Calculation"
FACTORS = "Factors"


def _keyed_table(book, sheet: str) -> list[dict]:
    """The rows of a workbook table under its hidden row of machine names (first cell
    `code` or `factor_id`): data rows are those with a code and an evidence status (group
    headings and subtotals have none)."""
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
    out = []
    for row in rows[top + 2 :]:
        rec = dict(zip(keys, row, strict=False))
        if rec.get(keys[0]) not in ("", None) and rec.get("status") not in ("", None):
            out.append(rec)
    return out


def _workbook_rows(path: Path) -> pd.DataFrame:
    """The result rows of an hginv workbook: the Calculation sheet (cached values) with the
    factor ids of the Factors sheet, whose rows are in the same order."""
    from hginventory.read.gate import read_book

    book = read_book(path, (CALCULATION, FACTORS))  # the gate: scanned, read in a child
    calc = _keyed_table(book, CALCULATION)
    factors = _keyed_table(book, FACTORS)
    if len(factors) == len(calc):
        for rec, f in zip(calc, factors, strict=True):
            rec["factor_id"] = f.get("factor_id", "")
    frame = pd.DataFrame.from_records(calc)
    if not frame.empty:
        frame["code"] = frame["code"].astype(str)
    return frame


def read_results(path: str | Path) -> pd.DataFrame:
    """The result rows of a computed inventory: a CSV written by hginv, or its workbook."""
    from hginventory.read.gate import SPREADSHEET_SUFFIXES, check_file

    path = Path(path)
    check_file(path, SPREADSHEET_SUFFIXES | {".csv"})  # a regular file, not too large
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
            frame = _workbook_rows(path)
        else:
            frame = pd.read_csv(path, dtype={"code": str}, encoding="utf-8-sig")
    except ValueError as exc:
        raise InputFileError(
            _("{file}: no '{sheet}' sheet; is this an inventory written by hginv compute?").format(
                file=path.name, sheet=CALCULATION
            ),
            [Problem(str(exc), file=str(path), sheet=CALCULATION)],
        ) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=path.name, reason=exc)
        ) from None
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing:
        raise InputFileError(
            _("{file}: not an hginv inventory result").format(file=path.name),
            [Problem(_("missing columns"), file=str(path), found=", ".join(missing))],
        )
    frame = frame.dropna(subset=["code"])
    frame["code"] = frame["code"].astype(str).str.strip()
    return frame[[c for c in CSV_COLUMNS if c in frame.columns]].reset_index(drop=True)


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
