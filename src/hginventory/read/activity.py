"""The country's activity workbook: country data and one activity rate per sub-category.

Format (what `hginv template` writes and `hginv compute` reads):

- sheet `country`: columns `field`, `value`; fields `country`, `year`, `population`,
  `electrification_rate` (per cent, 0-100), optional `iso3`;
- sheet `activity`: columns `code`, `activity`, `unit`, optional `notes`. A blank activity means
  the source is absent; the notation keys NO, NE, NA and IE are kept as they are. The template's
  information columns (`sub_category`, `description`) and its group heading rows (no code, no
  activity, no unit) are skipped.

A `.csv` holds the same two tables one after the other in one file: a block starting with the
header `field;value`, then a block starting with `code;activity;unit;notes` (see `read_csv_grid`).

Every problem is collected with its cell (e.g. `activity!B14`) so that one run tells the user
everything to fix. Hand-typed numbers stored as text are read when their meaning is certain and
reported as warnings; ambiguous ones (`1,234`) are errors that explain the choice to make.
"""

from __future__ import annotations

import math
from pathlib import Path

from hginventory.core.errors import ActivityError, InputFileError, Problem
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number, plain
from hginventory.model.activity import (
    ACTIVITY_COLUMNS,
    NOTATION_KEYS,
    ActivityData,
)
from hginventory.read.cells import (  # shared with the other sheet readers
    HEADER_SEARCH_ROWS,
    cell_name,
    cell_text,
    duplicated_columns,
    find_header,
)
from hginventory.read.country import read_country
from hginventory.read.csv_grid import csv_grid
from hginventory.read.numbers import cell_number, text_spaces
from hginventory.read.source import Source, source_of

INFO_COLUMNS = ("sub_category", "description")  # written by `hginv template`, not read




KNOWN_SHEETS = ("country", "activity", "facilities", "instructions", "hotspots")


def _sheet(book, wanted: str, path: Path, problems: list[Problem]):
    """The rows of the sheet named `wanted` (spaces and case aside); with several such sheets,
    the one named exactly, or an error when none is."""
    matching = [n for n in book.names if n.strip().lower() == wanted]
    if not matching:
        problems.append(
            Problem(
                _("sheet '{sheet}' is missing").format(sheet=wanted),
                file=str(path),
                found=", ".join(book.names) or _("no sheets"),
                expected=_("a sheet named '{sheet}'").format(sheet=wanted),
                code="sheet-missing",
            )
        )
        return None, None
    if len(matching) > 1 and wanted not in matching:
        problems.append(
            Problem(
                _("{n} sheets can be read as '{sheet}'").format(n=len(matching), sheet=wanted),
                file=str(path),
                found=", ".join(repr(n) for n in matching),
                expected=_("one sheet named '{sheet}': rename or delete the others").format(
                    sheet=wanted
                ),
                code="sheet-ambiguous",
            )
        )
        return None, None
    name = wanted if wanted in matching else matching[0]
    if len(matching) > 1:
        problems.append(
            Problem(
                ngettext(
                    "sheet {name} read; the other sheet named like it is ignored",
                    "sheet {name} read; the other sheets named like it are ignored",
                    len(matching) - 1,
                ).format(name=repr(name)),
                file=str(path),
                sheet=name,
                found=", ".join(repr(n) for n in matching if n != name),
                severity="warning",
                code="sheet-alike-ignored",
            )
        )
    elif name != wanted:
        problems.append(
            Problem(
                _("sheet name {name} read as '{sheet}'").format(name=repr(name), sheet=wanted),
                file=str(path),
                sheet=name,
                severity="warning",
                code="sheet-name-variant",
            )
        )
    return name, book.sheets[name]


def _read_activity_rows(
    path: Path,
    sheet: str,
    rows,
    problems: list[Problem],
    search: int = HEADER_SEARCH_ROWS,
    header_note: bool = True,
) -> list[dict]:
    at = find_header(rows, ("code", "activity"), search)
    if at is None:
        problems.append(
            Problem(
                _("header row with columns 'code', 'activity' and 'unit' not found"),
                file=str(path),
                sheet=sheet,
                expected=_("columns code, activity, unit, notes in the first row"),
                code="activity-header-missing",
            )
        )
        return []
    header_row, cols = at
    _row_limit(path, sheet, rows, header_row)
    problems += duplicated_columns(
        rows[header_row], header_row, ACTIVITY_COLUMNS + INFO_COLUMNS, str(path), sheet
    )
    if header_row and header_note:
        problems.append(
            Problem(
                _("header found on row {row} instead of row 1; rows above ignored").format(
                    row=header_row + 1
                ),
                file=str(path),
                sheet=sheet,
                cell=f"A{header_row + 1}",
                severity="warning",
                code="header-not-first-row",
            )
        )
    extra = [name for name in cols if name not in ACTIVITY_COLUMNS + INFO_COLUMNS]
    if extra:
        problems.append(
            Problem(
                ngettext(
                    "extra column ignored: {columns}",
                    "extra columns ignored: {columns}",
                    len(extra),
                ).format(columns=", ".join(extra)),
                file=str(path),
                sheet=sheet,
                cell=_("row {row}").format(row=header_row + 1),
                severity="warning",
                code="extra-columns",
            )
        )

    def get(row, name):
        c = cols.get(name)
        return row[c] if c is not None and c < len(row) else ""

    out = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        code = cell_text(get(row, "code"))
        raw = get(row, "activity")
        unit = cell_text(get(row, "unit"))
        notes = cell_text(get(row, "notes"))
        for name in ("code", "activity", "unit"):
            value = get(row, name)
            if name in cols and isinstance(value, str) and value != value.strip():
                text_spaces(value, str(path), sheet, cell_name(r, cols[name]), problems)
        if not code:
            if cell_text(raw) or unit:
                problems.append(
                    Problem(
                        _("activity given without a sub-category code"),
                        file=str(path),
                        sheet=sheet,
                        cell=cell_name(r, cols["code"]),
                        found=cell_text(raw),
                        expected=_("a code such as 5.1.1"),
                        code="activity-without-code",
                    )
                )
            continue
        where = {"file": str(path), "sheet": sheet, "cell": cell_name(r, cols["activity"])}
        activity: float | None = None
        notation = ""
        text = cell_text(raw)
        if text.upper() in NOTATION_KEYS and not isinstance(raw, (int, float)):
            notation = text.upper()
        elif text != "":
            activity = cell_number(raw, where, _("activity for {code}").format(code=code), problems)
            if activity is not None and activity < 0:
                problems.append(
                    Problem(
                        _("activity for {code} is negative").format(code=code),
                        found=text,
                        expected=_("a number of zero or more"),
                        **where,
                        code="activity-negative",
                    )
                )
                activity = None
        uncertainty = _uncertainty_pct(get(row, "uncertainty_pct"), r, cols, path, sheet, problems)
        reporting = _reporting(get, row, r, cols, code, path, sheet, problems)
        if "activity_low" in cols or "activity_high" in cols:
            from_range = _range_pct(get, row, r, cols, code, activity, path, sheet, problems)
            if not math.isnan(from_range):
                if not math.isnan(uncertainty):
                    problems.append(
                        Problem(
                            _(
                                "activity for {code} has both uncertainty_pct and a low/high range"
                            ).format(code=code),
                            file=str(path),
                            sheet=sheet,
                            cell=cell_name(r, cols["uncertainty_pct"]),
                            expected=_(
                                "one of them: uncertainty_pct, or activity_low and activity_high"
                            ),
                            code="uncertainty-twice",
                        )
                    )
                uncertainty = from_range
        out.append(
            {
                "code": code,
                "activity": activity if activity is not None else math.nan,
                "uncertainty_pct": uncertainty,
                "notation": notation,
                "unit": unit,
                "notes": notes,
                "row": r + 1,
                "activity_cell": where["cell"],
                "unit_cell": cell_name(r, cols["unit"]) if "unit" in cols else "",
                "code_cell": cell_name(r, cols["code"]),
                "sheet": sheet,
                "given": text != "",
                **reporting,
            }
        )
    return out


def _reporting(get, row, r, cols, code, path, sheet, problems) -> dict:
    """The optional reporting columns of an activity row (only those the sheet has): `presence`
    Y/N/?, `data_quality` A-D, `data_source` free text. A bad mark is a located error."""
    from hginventory.model.submission import DATA_QUALITY, PRESENCE_MARKS

    out = {}
    for name, allowed, kind in (
        ("presence", PRESENCE_MARKS, "presence-invalid"),
        ("data_quality", tuple(DATA_QUALITY), "data-quality-invalid"),
    ):
        if name not in cols:
            continue
        text = cell_text(get(row, name)).upper()
        if text and text not in allowed:
            problems.append(
                Problem(
                    _("{column} for {code} is not one of {choices}").format(
                        column=name, code=code, choices="/".join(allowed)
                    ),
                    file=str(path),
                    sheet=sheet,
                    cell=cell_name(r, cols[name]),
                    found=cell_text(get(row, name)),
                    expected=", ".join(allowed),
                    code=kind,
                )
            )
            text = ""
        out[name] = text
        out[f"{name}_cell"] = cell_name(r, cols[name])
    if "data_source" in cols:
        out["data_source"] = cell_text(get(row, "data_source"))
    return out


def _row_limit(path: Path, sheet: str, rows, header_row: int) -> None:
    """At most MAX_ACTIVITY_ROWS activity rows: a located error before any row is checked."""
    from hginventory.read.gate import MAX_ACTIVITY_ROWS

    count = sum(1 for row in rows[header_row + 1 :] if any(cell_text(v) for v in row))
    if count > MAX_ACTIVITY_ROWS:
        counts = {
            "n": format_number(count, COUNT),
            "limit": format_number(MAX_ACTIVITY_ROWS, COUNT),
        }
        raise InputFileError(
            _(
                "{file}: refused: {n} activity rows; hginv reads at most {limit} (the Toolkit "
                "has about a hundred sub-categories)"
            ).format(file=path, **counts),
            [
                Problem(
                    _("{n} activity rows").format(**counts),
                    file=str(path),
                    sheet=sheet,
                    expected=_("at most {limit} rows").format(**counts),
                    code="too-many-rows",
                )
            ],
        )


def _uncertainty_pct(raw, r, cols, path, sheet, problems) -> float:
    """Optional half-width of the 95 % interval of an activity rate, in per cent (NaN if blank)."""
    if cell_text(raw) == "":
        return math.nan
    where = {"file": str(path), "sheet": sheet, "cell": cell_name(r, cols["uncertainty_pct"])}
    value = cell_number(raw, where, "uncertainty_pct", problems, percent=True)
    if value is None:
        return math.nan
    if not 0 <= value <= 100:
        problems.append(
            Problem(
                _("uncertainty_pct is outside 0-100"),
                found=cell_text(raw),
                **where,
                code="uncertainty-range",
            )
        )
        return math.nan
    return value


def _range_pct(get, row, r, cols, code, activity, path, sheet, problems) -> float:
    """The activity's 95 % interval typed as low/high values, as the per cent half-width U used
    by the uncertainty analysis: the larger side, U = max(activity - low, high - activity) /
    activity (the IPCC convention for an asymmetric range); NaN if both are blank."""
    bounds = {}
    for name in ("activity_low", "activity_high"):
        raw = get(row, name)
        if cell_text(raw) == "":
            continue
        where = {"file": str(path), "sheet": sheet, "cell": cell_name(r, cols[name])}
        value = cell_number(
            raw, where, _("{name} for {code}").format(name=name, code=code), problems
        )
        if value is None:
            continue
        if value < 0:
            problems.append(
                Problem(
                    _("{name} for {code} is negative").format(name=name, code=code),
                    found=cell_text(raw),
                    **where,
                    code="range-negative",
                )
            )
            continue
        bounds[name] = (value, where, cell_text(raw))
    if not bounds:
        return math.nan
    if activity is None or activity <= 0:
        name, (_value, where, text) = next(iter(bounds.items()))
        problems.append(
            Problem(
                _("{name} for {code} needs a positive activity rate to be a range around").format(
                    name=name, code=code
                ),
                found=text,
                **where,
                code="range-without-activity",
            )
        )
        return math.nan
    low = bounds.get("activity_low")
    high = bounds.get("activity_high")
    for name, bound, above, message, expected in (
        (
            "activity_low",
            low,
            True,
            N_("{name} for {code} is above the activity rate"),
            N_("at most {value}"),
        ),
        (
            "activity_high",
            high,
            False,
            N_("{name} for {code} is below the activity rate"),
            N_("at least {value}"),
        ),
    ):
        if bound and (bound[0] > activity if above else bound[0] < activity):
            problems.append(
                Problem(
                    _(message).format(name=name, code=code),
                    found=bound[2],
                    expected=_(expected).format(value=plain(float(f"{activity:g}"))),
                    **bound[1],
                    code="range-outside-activity",
                )
            )
            return math.nan
    sides = [activity - low[0] if low else 0.0, high[0] - activity if high else 0.0]
    pct = 100.0 * max(sides) / activity
    if not math.isfinite(pct):  # 1e308 around a tiny activity: no float holds the range
        name, (_value, where, text) = next(iter(bounds.items()))
        problems.append(
            Problem(
                _("{name} for {code} is too far from the activity rate to compute").format(
                    name=name, code=code
                ),
                found=text,
                **where,
                code="range-too-far",
            )
        )
        return math.nan
    return pct


def read_activity(path: str | Path | Source, strict: bool = True) -> ActivityData:
    """Read an activity workbook (or CSV), given by its path or as opened by `open_source`.
    The file is only read, never modified.

    With `strict`, any error raises `ActivityError` carrying every problem found; otherwise the
    problems are returned on the result (that is what `hginv validate` uses). A file that cannot
    be read at all raises `InputFileError` either way.
    """
    source = source_of(path)
    path = source.path
    hotspots: list[dict] = []
    if source.is_csv:
        country, rows, problems = _read_csv_activity(source)
    else:
        country, rows, problems, hotspots = _read_workbook(source)
    result = ActivityData(
        path=path,
        sha256=source.sha256,
        country=country,
        rows=rows,
        problems=problems,
        hotspots=hotspots,
    )
    if strict and result.errors:
        raise ActivityError(
            _("{file}: the activity workbook has errors").format(file=path.name), problems
        )
    return result


def _read_workbook(source: Source):
    from hginventory.read.scan import structure_problems

    path = source.path
    book = source.sheets(("country", "activity", "hotspots"))
    problems: list[Problem] = list(book.problems)
    country = None
    rows: list[dict] = []
    sheet, data = _sheet(book, "country", path, problems)
    if sheet is not None:
        problems += structure_problems(book.scan, str(path), sheet)
        country = read_country(path, sheet, data, problems)
    sheet, data = _sheet(book, "activity", path, problems)
    if sheet is not None:
        problems += structure_problems(book.scan, str(path), sheet)
        rows = _read_activity_rows(path, sheet, data, problems)
    hotspots = _read_hotspots(book, path, problems)
    for name in book.names:
        if name.strip().lower() not in KNOWN_SHEETS:
            problems.append(
                Problem(
                    _("sheet '{sheet}' is not read by hginv (ignored)").format(sheet=name),
                    file=str(path),
                    sheet=name,
                    expected=", ".join(KNOWN_SHEETS),
                    severity="warning",
                    code="sheet-ignored",
                )
            )
    return country, rows, problems, hotspots


def _read_hotspots(book, path: Path, problems: list[Problem]) -> list[dict]:
    """The optional `hotspots` sheet (none: an empty list, and no message)."""
    from hginventory.read.hotspots import HOTSPOT_SHEET, read_hotspot_rows

    if not any(n.strip().lower() == HOTSPOT_SHEET for n in book.names):
        return []
    sheet, data = _sheet(book, HOTSPOT_SHEET, path, problems)
    if sheet is None:
        return []
    return read_hotspot_rows(path, sheet, data, problems)


def _block(grid, start: int, ends: list[int]) -> list[list]:
    """The grid with every row outside [start, next header) blanked, so cells keep their names."""
    stop = min([e for e in ends if e > start] + [len(grid)])
    return [row if start <= i < stop else [] for i, row in enumerate(grid)]


def _read_csv_activity(source: Source):
    path = source.path
    grid, problems = csv_grid(source.csv)
    file = str(path)
    heads: dict[str, int] = {}
    starts: list[int] = []  # every table's header line: where the table above it ends
    for i, row in enumerate(grid):
        names = [cell_text(v).lower() for v in row]
        table = (
            "country"
            if "field" in names and "value" in names
            else "activity"
            if "code" in names and "activity" in names
            else None
        )
        if table is None:
            continue
        starts.append(i)
        if table in heads:  # a second table of the same kind: which one counts is a guess
            problems.append(
                Problem(
                    _(
                        "a second {table} table starts on line {line} (the first starts on "
                        "line {first}): hginv cannot tell which one to read"
                    ).format(table=table, line=i + 1, first=heads[table] + 1),
                    file=file,
                    cell=_("line {line}").format(line=i + 1),
                    found=" | ".join(cell_text(v) for v in row if cell_text(v)),
                    expected=_("one {table} table: merge the two, or delete one").format(
                        table=table
                    ),
                    code="csv-table-twice",
                )
            )
            continue
        heads[table] = i
    for block, header in (("country", "field;value"), ("activity", "code;activity;unit;notes")):
        if block not in heads:
            problems.append(
                Problem(
                    _("the {table} table is missing from the CSV").format(table=block),
                    file=file,
                    expected=_("a header row '{header}' followed by the {table} rows").format(
                        header=header, table=block
                    ),
                    code="csv-table-missing",
                )
            )
    country = None
    if "country" in heads:
        block = _block(grid, heads["country"], starts)
        country = read_country(path, "", block, problems, len(grid))
        _overflow(block, heads["country"], file, problems)
    rows = []
    if "activity" in heads:
        block = _block(grid, heads["activity"], starts)
        rows = _read_activity_rows(path, "", block, problems, len(grid), header_note=False)
        _overflow(block, heads["activity"], file, problems)
    return country, rows, problems


def _overflow(block, header: int, file: str, problems: list[Problem]) -> None:
    """A value right of the last header: in a file separated by commas, that is what an
    unquoted decimal comma does (`72,5` becomes 72 and 5)."""
    last = max((c for c, v in enumerate(block[header]) if cell_text(v)), default=-1)
    for i, row in enumerate(block):
        if i > header and any(cell_text(v) for v in row[last + 1 :]):
            problems.append(
                Problem(
                    _(
                        "more values than column headers on this line (in a file separated by "
                        "commas, an unquoted decimal comma splits a number in two)"
                    ),
                    file=file,
                    cell=_("line {line}").format(line=i + 1),
                    found=" | ".join(cell_text(v) for v in row),
                    expected=_(
                        "one value per column; quote numbers with a decimal comma "
                        "(\"1,5\") or save the CSV with ';' separators"
                    ),
                    code="csv-extra-values",
                )
            )


