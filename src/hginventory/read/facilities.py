"""Reading the optional `facilities` sheet (Level 2) into typed rows with their cells."""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import InputFileError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.core.numbers import COUNT, format_number
from hginventory.model.facilities import (
    FACILITY_COLUMNS,
    FACILITY_SHEET,
    NUMERIC_COLUMNS,
    FacilityData,
)
from hginventory.read.cells import cell_name, cell_text, duplicated_columns, find_header
from hginventory.read.numbers import cell_number
from hginventory.read.source import Source, source_of

# washed_abroad: yes or no, in the languages of the template (blank is no)
YES = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai", "sí", "si", "s", "verdadero"})
NO = frozenset({"", "no", "n", "false", "0", "non", "faux", "falso"})


def read_facilities(path: str | Path | Source) -> FacilityData:
    """Read the optional `facilities` sheet of a workbook given by its path or as opened by
    `open_source`; the file is only read, never modified."""
    from hginventory.read.gate import MAX_FACILITY_ROWS, read_book
    from hginventory.read.scan import structure_problems

    source = source_of(path)
    path = source.path
    data = FacilityData(path)
    if source.is_csv:  # a CSV holds the Level 1 tables only
        return data
    if source.facilities_alone:
        book = read_book(path, (FACILITY_SHEET,))
    else:
        book = source.sheets((FACILITY_SHEET,))
    names = {n.strip().lower(): n for n in book.names}
    if FACILITY_SHEET not in names:
        return data
    data.sheet = names[FACILITY_SHEET]
    rows = book.sheets[data.sheet]
    at = find_header(rows, ("code", "facility"))
    first = at[0] + 1 if at else 0
    count = sum(1 for row in rows[first:] if any(cell_text(v) for v in row))
    if count > MAX_FACILITY_ROWS:
        counts = {
            "n": format_number(count, COUNT),
            "limit": format_number(MAX_FACILITY_ROWS, COUNT),
        }
        raise InputFileError(
            _(
                "{file}: refused: sheet '{sheet}' has {n} rows; hginv reads at most {limit} "
                "facility rows"
            ).format(file=path, sheet=data.sheet, **counts),
            [
                Problem(
                    _("{n} rows").format(**counts),
                    file=str(path),
                    sheet=data.sheet,
                    expected=_("at most {limit} facility rows").format(**counts),
                    code="too-many-rows",
                )
            ],
        )
    data.problems += [p for p in book.problems if p.sheet == data.sheet]
    data.problems += structure_problems(book.scan, str(path), data.sheet)
    _parse(data, rows)
    return data


def _parse(data: FacilityData, rows) -> None:
    file, sheet, problems = str(data.path), data.sheet, data.problems
    at = find_header(rows, ("code", "facility"))
    if at is None:
        problems.append(
            Problem(
                _("header row with columns 'code' and 'facility' not found"),
                file=file,
                sheet=sheet,
                expected=", ".join(FACILITY_COLUMNS),
                code="facilities-header-missing",
            )
        )
        return
    header_row, cols = at
    problems += duplicated_columns(rows[header_row], header_row, FACILITY_COLUMNS, file, sheet)
    extra = [name for name in cols if name not in FACILITY_COLUMNS]
    if extra:
        problems.append(
            Problem(
                ngettext(
                    "unknown column ignored: {columns}",
                    "unknown columns ignored: {columns}",
                    len(extra),
                ).format(columns=", ".join(extra)),
                file=file,
                sheet=sheet,
                cell=_("row {row}").format(row=header_row + 1),
                expected=", ".join(FACILITY_COLUMNS),
                severity="warning",
                code="extra-columns",
            )
        )
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        values = {name: (row[c] if c < len(row) else "") for name, c in cols.items()}
        if not any(cell_text(v) for v in values.values()):
            continue
        rec: dict = {"row": r + 1, "cells": {}}
        for name in FACILITY_COLUMNS:
            c = cols.get(name)
            rec["cells"][name] = (
                cell_name(r, c) if c is not None else _("row {row}").format(row=r + 1)
            )
            raw = values.get(name, "")
            if name in NUMERIC_COLUMNS:
                rec[name] = None
                if cell_text(raw) != "":
                    where = {"file": file, "sheet": sheet, "cell": rec["cells"][name]}
                    what = _("{name} of facility row {row}").format(name=name, row=r + 1)
                    value = cell_number(raw, where, what, problems)
                    if value is not None and value < 0:
                        problems.append(
                            Problem(
                                _("{name} is negative").format(name=name),
                                found=cell_text(raw),
                                **where,
                                code="facility-value-negative",
                            )
                        )
                        value = None
                    rec[name] = value
                    rec[f"{name}_bad"] = value is None
            else:
                rec[name] = cell_text(raw)
        for name in ("input_type", "control"):  # controlled-list ids are lower case
            rec[name] = rec[name].lower()
        washed = rec["washed_abroad"].strip().lower()
        rec["washed_abroad"] = washed in YES
        if washed not in YES | NO:
            problems.append(
                Problem(
                    _("washed_abroad is yes or no"),
                    file=file,
                    sheet=sheet,
                    cell=rec["cells"]["washed_abroad"],
                    found=cell_text(values.get("washed_abroad", "")),
                    expected=_("yes (the coal was washed before it was imported) or no"),
                    code="facility-washed-abroad-value",
                )
            )
        data.rows.append(rec)
