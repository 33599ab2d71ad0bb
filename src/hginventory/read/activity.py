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

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
import stat
from pathlib import Path

from hginventory.core.errors import ActivityError, InputFileError, Problem
from hginventory.core.i18n import LANGUAGES, N_, ngettext, normalise
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number, plain
from hginventory.model.activity import (
    ACTIVITY_COLUMNS,
    COUNTRY_FIELDS,
    NOTATION_KEYS,
    ActivityData,
    CountryInfo,
)
from hginventory.read.cells import (  # shared with the other sheet readers
    HEADER_SEARCH_ROWS,
    cell_name,
    cell_text,
    duplicated_columns,
    find_header,
)

INFO_COLUMNS = ("sub_category", "description")  # written by `hginv template`, not read


SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


KNOWN_SHEETS = ("country", "activity", "facilities", "instructions", "hotspots")




def sha256_of(path: Path) -> str:
    """The hash of a regular file (a pipe or a device would never end: an OSError)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise IsADirectoryError(f"{path}: not a regular file")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_SPACES = re.compile(r"[\s\u00a0\u202f']")


_SIGN_SPACE = re.compile(r"^([+-])[\s\u00a0\u202f]+")


_DIGITS_AND_MARKS = re.compile(r"[+-]?\d[\d.,\s\u00a0\u202f']*")


def grouped(digits: str, sep: str) -> bool:
    """Whether `digits` (no sign, no decimals) with `sep` between its groups is a thousands
    grouping: a first group of one to three digits, then groups of exactly three. The one rule
    for every thousands separator, in workbooks and CSV files alike: `1 5`, `1'5` and
    `12 34 5` are not numbers hginv may guess (15? 1.5?)."""
    groups = digits.split(sep)
    return (
        all(g.isascii() and g.isdigit() for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


DIGIT_GROUPS = N_(
    "digits grouped by spaces or apostrophes must be in groups of three "
    "(1 234 567); write the number without them, e.g. 1234567"
)
NUMBER_WITH_TEXT = N_(
    "a number followed by text; type the number alone here, and the unit in its column"
)


def _finite(value: float) -> tuple[float | None, str] | None:
    """(None, reason) for a number no float holds (`1.000.000...` of 103 groups is inf)."""
    return None if math.isfinite(value) else (None, _("not a finite number"))


def parse_number(text: str) -> tuple[float | None, str]:
    """Read a hand-typed number; returns (value, note) or (None, reason).

    Rules, so that `1,5` (French/Spanish decimal comma) and `1 234 567` are read, while a
    value whose meaning is not certain is refused rather than guessed:
    - spaces and apostrophes are thousands separators, between groups of three digits only
      (`grouped`): `1 5` is refused;
    - with both `.` and `,`, the last one is the decimal mark, the other separates groups of
      three;
    - one `,` followed by exactly three digits (`1,234`) is ambiguous: refused;
    - several `,` or several `.` are thousands separators, between groups of three;
    - a number no float holds (inf) is refused.
    """
    s = _SIGN_SPACE.sub(r"\1", str(text).strip())
    if not s:
        return None, _("empty")
    spaced = _SPACES.search(s)
    if spaced and _DIGITS_AND_MARKS.fullmatch(s):  # a number with groups (not `1500 t`)
        body = re.split(r"[.,]", s.lstrip("+-"))[0]
        if len(set(_SPACES.findall(s))) > 1 or not grouped(body, spaced.group()) or (
            re.search(r"[.,].*" + re.escape(spaced.group()), s)
        ):
            return None, _(DIGIT_GROUPS)
    s = _SPACES.sub("", s)
    if re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", s):
        return _finite(float(s)) or (float(s), _("number stored as text"))
    if not re.fullmatch(r"[+-]?[\d.,]+", s) or not re.search(r"\d", s):
        return None, _("not a number")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        head = s.lstrip("+-").rsplit(decimal, 1)[0]
        if s.count(decimal) > 1 or not grouped(head, thousands):
            return None, _("separators do not make sense")
        s = s.replace(thousands, "").replace(decimal, ".")
        note = _("read with '{mark}' as decimal mark").format(mark=decimal)
    elif commas == 1:
        head, tail = s.split(",")
        if len(tail) == 3 and head.lstrip("+-") not in ("", "0"):
            return None, _(
                "ambiguous: a comma followed by three digits may be a decimal or a thousands "
                "separator; write the number without separators, e.g. 1234 or 1.234"
            )
        s = s.replace(",", ".")
        note = _("read with '{mark}' as decimal mark").format(mark=",")
    elif commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not grouped(s.lstrip("+-"), sep):
            return None, _("separators do not make sense")
        s = s.replace(sep, "")
        note = _("read with '{mark}' as thousands separator").format(mark=sep)
    else:
        note = _("number stored as text")
    try:
        value = float(s)
    except ValueError:
        return None, _("not a number")
    return _finite(value) or (value, note)


def _number_code(reason: str, text: str) -> str:
    """The problem code of a number `parse_number` refused, from its reason."""
    if reason in (_("not a number"), _("empty")):
        return "not-a-number"
    if reason == _("not a finite number"):
        return "not-finite"
    if reason == _(DIGIT_GROUPS):
        return "digit-groups"
    if reason == _(NUMBER_WITH_TEXT):
        return "number-with-text"
    return "number-unreadable"


def _check_path(path: Path, suffixes) -> None:
    from hginventory.read.gate import check_file

    check_file(path, suffixes)


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


_WITH_UNIT = re.compile(r"\s*[+-]?\d[\d.,\s']*\s*[A-Za-zµ³][\w³ /]*")


_PERCENT = re.compile(r"\s*([+-]?\d[\d.,\s']*?)\s*%\s*")


def cell_number(
    value, where: dict, what: str, problems: list[Problem], percent: bool = False
) -> float | None:
    """A numeric cell value, or None after recording why it is not one.

    With `percent`, `85 %` is read as 85 (the field is a percentage anyway)."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        problems.append(
            Problem(
                _("{what} is not a number").format(what=what),
                found=cell_text(value),
                expected=_("a number"),
                **where,
                code="not-a-number",
            )
        )
        return None
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            problems.append(
                Problem(
                    _("{what} is not a finite number").format(what=what),
                    found=str(value),
                    code="not-finite",
                    **where,
                )
            )
            return None
        return float(value)
    text = str(value)
    if percent and _PERCENT.fullmatch(text):
        text = _PERCENT.fullmatch(text).group(1)
    number, note = parse_number(text)
    if isinstance(value, AmbiguousText):
        number, note = None, value.reason
    elif number is None and note == _("not a number") and _WITH_UNIT.fullmatch(text):
        note = _(NUMBER_WITH_TEXT)
    elif number is not None and text != str(value):
        note = _("read without the '%' sign")
    if number is None:
        problems.append(
            Problem(
                _("{what}: {reason}").format(what=what, reason=note),
                found=cell_text(value),
                expected=_("a number"),
                code=_number_code(note, text),
                **where,
            )
        )
        return None
    if note == _("number stored as text") and str(where.get("file", "")).lower().endswith(".csv"):
        return number  # in a CSV every value is text: nothing to warn about
    problems.append(
        Problem(
            _("{what}: {note} as {number}").format(what=what, note=note, number=plain(number)),
            found=cell_text(value),
            severity="warning",
            **where,
            code="number-as-text",
        )
    )
    return number


def _spaces(raw, file: str, sheet: str, cell: str, problems: list[Problem]) -> None:
    """Warn about text with leading or trailing spaces (read without them)."""
    if isinstance(raw, str) and raw.strip() and raw != raw.strip():
        problems.append(
            Problem(
                _("leading or trailing spaces removed from {text}").format(text=repr(raw.strip())),
                file=file,
                sheet=sheet,
                cell=cell,
                found=raw,
                severity="warning",
                code="spaces-removed",
            )
        )


def _read_country(
    path: Path, sheet: str, rows, problems: list[Problem], search: int = HEADER_SEARCH_ROWS
) -> CountryInfo | None:
    at = find_header(rows, ("field", "value"), search)
    if at is None:
        problems.append(
            Problem(
                _("header row with columns 'field' and 'value' not found"),
                file=str(path),
                sheet=sheet,
                expected=_("'field' and 'value' in the first row"),
                code="country-header-missing",
            )
        )
        return None
    header_row, cols = at
    problems += duplicated_columns(
        rows[header_row], header_row, ("field", "value"), str(path), sheet
    )
    fcol, vcol = cols["field"], cols["value"]
    values: dict[str, object] = {}
    cells: dict[str, str] = {}
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        raw_name = row[fcol] if fcol < len(row) else ""
        name = cell_text(raw_name).lower().replace(" ", "_")
        if not name:
            continue
        _spaces(raw_name, str(path), sheet, cell_name(r, fcol), problems)
        if name not in COUNTRY_FIELDS:
            problems.append(
                Problem(
                    _("unknown field {name} ignored").format(name=repr(name)),
                    file=str(path),
                    sheet=sheet,
                    cell=cell_name(r, fcol),
                    expected=", ".join(COUNTRY_FIELDS),
                    severity="warning",
                    code="unknown-field",
                )
            )
            continue
        value = row[vcol] if vcol < len(row) else ""
        if name in values:
            second = (value, cell_name(r, vcol))
            _twice(name, (values[name], cells[name]), second, path, sheet, problems)
            continue
        values[name] = value
        cells[name] = cell_name(r, vcol)
        _spaces(values[name], str(path), sheet, cells[name], problems)

    def where(name: str) -> dict:
        return {"file": str(path), "sheet": sheet, "cell": cells.get(name, "")}

    out: dict[str, object] = {}
    for name in ("country", "year"):
        if cell_text(values.get(name)) == "":
            problems.append(
                Problem(
                    _("required field '{name}' is missing or empty").format(name=name),
                    **where(name),
                    code="field-missing",
                )
            )
    if cell_text(values.get("country")):
        out["country"] = cell_text(values["country"])
    if cell_text(values.get("year")):
        year = cell_number(values["year"], where("year"), "year", problems)
        if year is not None:
            if not year.is_integer() or not 1950 <= year <= 2100:
                problems.append(
                    Problem(
                        _("year is not a plausible year"),
                        found=cell_text(values["year"]),
                        expected=_("a whole year such as 2021"),
                        **where("year"),
                        code="year-implausible",
                    )
                )
            else:
                out["year"] = int(year)
    if cell_text(values.get("population")):
        pop = cell_number(values["population"], where("population"), "population", problems)
        if pop is not None and pop <= 0:
            problems.append(
                Problem(
                    _("population must be above zero"),
                    found=cell_text(values["population"]),
                    **where("population"),
                    code="population-not-positive",
                )
            )
        elif pop is not None:
            out["population"] = pop
    if cell_text(values.get("electrification_rate")):
        rate = cell_number(
            values["electrification_rate"],
            where("electrification_rate"),
            "electrification_rate",
            problems,
            percent=True,
        )
        if rate is not None:
            if 0 < rate < 1:
                problems.append(
                    Problem(
                        _("electrification_rate is a percentage: this looks like a fraction"),
                        found=cell_text(values["electrification_rate"]),
                        expected=_("per cent from 0 to 100, e.g. {example}").format(
                            example=plain(float(f"{rate * 100:g}"))
                        ),
                        **where("electrification_rate"),
                        code="electrification-rate-fraction",
                    )
                )
            elif not 0 <= rate <= 100:
                problems.append(
                    Problem(
                        _("electrification_rate is outside 0-100"),
                        found=cell_text(values["electrification_rate"]),
                        expected=_("per cent from 0 to 100"),
                        **where("electrification_rate"),
                        code="electrification-rate-range",
                    )
                )
            else:
                out["electrification_rate"] = rate
    if cell_text(values.get("iso3")):
        out["iso3"] = cell_text(values["iso3"]).upper()
    if cell_text(values.get("coal_industrial_boilers_share")):
        name = "coal_industrial_boilers_share"
        share = cell_number(values[name], where(name), name, problems, percent=True)
        if share is not None and not 0 <= share <= 100:
            problems.append(
                Problem(
                    _("coal_industrial_boilers_share is outside 0-100"),
                    found=cell_text(values[name]),
                    expected=_("per cent from 0 to 100 of the coal of 5.1.2"),
                    code="coal-boilers-share-range",
                    **where(name),
                )
            )
        elif share is not None:
            out[name] = share
    if cell_text(values.get("language")):
        lang = normalise(cell_text(values["language"]))
        if lang is None:
            problems.append(
                Problem(
                    _("language not known to hginv; messages stay in the default language"),
                    found=cell_text(values["language"]),
                    expected=", ".join(LANGUAGES),
                    severity="warning",
                    **where("language"),
                    code="language-unknown",
                )
            )
        out["language"] = lang
    if "country" in out and "year" in out:
        return CountryInfo(**out)
    return None


def _twice(name: str, first: tuple, second: tuple, path: Path, sheet: str, problems) -> None:
    """A country field given twice: an error naming both cells when the values differ (which
    one is right is the user's to say), a warning when they agree. The first is kept."""
    (value, cell), (again, cell2) = first, second
    same = cell_text(value) == cell_text(again)
    message = (
        _("field {name} is given twice, with the same value ({first} and {second})")
        if same
        else _(
            "field {name} is given twice ({first} and {second}) with different values: "
            "hginv cannot tell which one is right"
        )
    )
    problems.append(
        Problem(
            message.format(name=repr(name), first=cell, second=cell2),
            file=str(path),
            sheet=sheet,
            cell=cell2,
            found=_("{first} then {second}").format(
                first=cell_text(value) or "''", second=cell_text(again) or "''"
            ),
            expected=_("one row for {name}: delete the other").format(name=repr(name)),
            severity="warning" if same else "error",
            code="field-twice",
        )
    )


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
                _spaces(value, str(path), sheet, cell_name(r, cols[name]), problems)
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


def read_activity(path: str | Path, strict: bool = True) -> ActivityData:
    """Read an activity workbook (or CSV). The file is only read, never modified.

    With `strict`, any error raises `ActivityError` carrying every problem found; otherwise the
    problems are returned on the result (that is what `hginv validate` uses). A file that cannot
    be read at all raises `InputFileError` either way.
    """
    path = Path(path)
    _check_path(path, SPREADSHEET_SUFFIXES | {".csv"})
    # hashed before it is read: a file saved again meanwhile then looks changed, never the same
    digest = sha256_of(path)
    hotspots: list[dict] = []
    if path.suffix.lower() == ".csv":
        country, rows, problems = _read_csv_activity(path)
    else:
        country, rows, problems, hotspots = _read_workbook(path)
    result = ActivityData(
        path=path, sha256=digest, country=country, rows=rows, problems=problems, hotspots=hotspots
    )
    if strict and result.errors:
        raise ActivityError(
            _("{file}: the activity workbook has errors").format(file=path.name), problems
        )
    return result


def _read_workbook(path: Path):
    from hginventory.read.gate import read_book
    from hginventory.read.scan import structure_problems

    book = read_book(path, ("country", "activity", "hotspots"))
    problems: list[Problem] = list(book.problems)
    country = None
    rows: list[dict] = []
    sheet, data = _sheet(book, "country", path, problems)
    if sheet is not None:
        problems += structure_problems(book.scan, str(path), sheet)
        country = _read_country(path, sheet, data, problems)
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


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")


_DOT_THREE = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


class AmbiguousText(str):
    """A CSV value whose meaning depends on the country's conventions; refused, not guessed."""

    @property
    def reason(self) -> str:
        return _(
            "ambiguous in a file separated by ';': a point followed by three digits is a "
            "thousands separator in Spanish or German, a decimal point in English; write 1500 "
            "or 1,5"
        )


def read_csv_grid(path: Path) -> tuple[list[list], list[Problem]]:
    """The cells of a CSV activity file as a grid of rows, and what was noticed reading it.

    Encoding: UTF-8 (with or without BOM), else Windows-1252/Latin-1 (with a warning).
    Separator: the one named by Excel's `sep=;` first line if there is one; else `;` if the
    first header line (`field;value` or `code;activity...`) has one, else tab, else `,`.
    Numbers: plain numbers (`1500`, `72.5`) are numbers; in a `;` file, the separator of
    French/Spanish Excel, a single comma between digits is the decimal mark (`72,5`), because
    there the comma cannot be the field separator, and `1.500` is refused as ambiguous
    (Spanish thousands or English decimals). Anything else is read as typed text and goes
    through `parse_number` like a hand-typed cell of a workbook.
    """
    from hginventory.read.gate import MAX_CSV_BYTES, MAX_SHEET_ROWS, check_file

    name = str(path)
    check_file(path, {".csv"})
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CSV_BYTES + 1)
    except PermissionError:
        raise InputFileError(
            _("{file}: no permission to read the file").format(file=name),
            code="file-no-permission"
        ) from None
    except OSError as exc:
        raise InputFileError(
            _("{file}: cannot be read ({reason})").format(file=name, reason=exc.strerror)
        ) from None
    if len(raw) > MAX_CSV_BYTES:
        raise InputFileError(
            _(
                "{file}: refused: {size} MB is far more than an activity CSV (limit {limit} MB)"
            ).format(file=name, size=len(raw) // 2**20, limit=MAX_CSV_BYTES // 2**20)
        )
    if b"\0" in raw[:65536]:
        raise InputFileError(
            _(
                "{file}: not a text CSV file (it holds binary data); if it is a workbook, "
                "give it its .xlsx name, or save it from Excel as 'CSV UTF-8'"
            ).format(file=name),
            code="file-wrong-type"
        )
    problems: list[Problem] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
            encoding = "Windows-1252 (Latin-1)"
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
            encoding = "Latin-1"
        problems.append(
            Problem(
                _(
                    "the file is not UTF-8; read as {encoding}: check that accented letters "
                    "look right"
                ).format(encoding=encoding),
                file=name,
                expected=_("CSV saved as 'CSV UTF-8'"),
                severity="warning",
                code="csv-not-utf8",
            )
        )
    lines = [line for line in text.splitlines() if line.strip()]
    explicit = lines[0].strip().lower() if lines else ""
    if explicit.startswith("sep=") and len(explicit) == 5:  # Excel's separator hint line
        delimiter = lines[0].strip()[4]
    else:
        headers = [ln for ln in lines if re.search(r"field.+value|code.+activity", ln.lower())]
        first = headers[0] if headers else (lines[0] if lines else "")
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    if text.count("\n") > MAX_SHEET_ROWS:
        raise InputFileError(
            _(
                "{file}: refused: more than {limit} lines (hginv reads at most {limit} rows per "
                "table)"
            ).format(file=name, limit=format_number(MAX_SHEET_ROWS, COUNT))
        )
    grid, starts = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        line = 0
        for row in reader:
            starts.append(line + 1)
            line = reader.line_num
            grid.append(row)
    except csv.Error as exc:
        raise InputFileError(
            _("{file}: cannot be read as CSV ({reason})").format(file=name, reason=exc)
        ) from None
    _unclosed_quote(text, delimiter, starts, name)
    if explicit.startswith("sep=") and grid:
        grid = grid[1:]  # Excel hides this line, so rows are named as Excel shows them

    def value(cell: str):
        t = cell.strip()
        if delimiter == ";" and _DOT_THREE.fullmatch(t):
            return AmbiguousText(cell)
        number = None
        if _PLAIN_NUMBER.fullmatch(t):
            number = float(t)
        elif delimiter == ";" and _COMMA_DECIMAL.fullmatch(t):
            number = float(t.replace(",", "."))
        # a number no float holds (1e999) stays text: parse_number refuses it as typed
        return number if number is not None and math.isfinite(number) else cell

    from hginventory.read.gate import clean_cells

    grid = clean_cells(grid, name, "", problems)
    return [[value(c) for c in row] for row in grid], problems


def _unclosed_quote(text: str, delimiter: str, starts: list[int], name: str) -> None:
    """A quote opened and never closed swallows every line after it into one value: an error
    at the line where it opens, never a silent loss of the rows below."""
    try:
        for _row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc) or not starts:
            return  # other quirks are read as the lenient reader reads them
        line = starts[-1]
        raise InputFileError(
            _(
                '{file}: line {line}: a quote (") opens a value that is never closed, so every '
                "line after it would be read into that one value"
            ).format(file=name, line=line),
            [
                Problem(
                    _(
                        "a quote opens a value that is never closed; the lines after it would "
                        "be lost in that value"
                    ),
                    file=name,
                    cell=_("line {line}").format(line=line),
                    found=text.splitlines()[line - 1][:80] if text.splitlines() else "",
                    expected=_('a closing quote ("), or no quote at all'),
                    code="csv-quote-unclosed",
                )
            ],
        ) from None


def _block(grid, start: int, ends: list[int]) -> list[list]:
    """The grid with every row outside [start, next header) blanked, so cells keep their names."""
    stop = min([e for e in ends if e > start] + [len(grid)])
    return [row if start <= i < stop else [] for i, row in enumerate(grid)]


def _read_csv_activity(path: Path):
    grid, problems = read_csv_grid(path)
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
        country = _read_country(path, "", block, problems, len(grid))
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


def workbook_language(path: str | Path) -> str | None:
    """The `language` field of a workbook's country sheet (written by `hginv template --lang`),
    or None: when there is none, or the file cannot be read (the checks that follow say why,
    in the default language)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            grid, _problems = read_csv_grid(path)
        else:
            from hginventory.read.gate import read_book

            if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
                return None
            book = read_book(path, ("country",))  # the gate: never a crash of the reader
            names = [n for n in book.names if n.strip().lower() == "country"]
            if not names:
                return None
            grid = book.sheets[names[0]]
    except Exception:  # noqa: BLE001 - any failure is reported by the reading that follows
        return None
    at = find_header(grid, ("field", "value"), len(grid))
    if at is None:
        return None
    header_row, cols = at
    for row in grid[header_row + 1 :]:
        cells = [cell_text(row[c]) if c < len(row) else "" for c in (cols["field"], cols["value"])]
        if cells[0].lower() == "language":
            return normalise(cells[1])
    return None
