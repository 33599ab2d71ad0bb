"""The `country` sheet of an activity workbook: field and value rows, read and checked."""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import Problem
from hginventory.core.i18n import LANGUAGES, normalise
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import plain
from hginventory.model.activity import COUNTRY_FIELDS, CountryInfo
from hginventory.read.cells import (
    HEADER_SEARCH_ROWS,
    cell_name,
    cell_text,
    duplicated_columns,
    find_header,
)
from hginventory.read.numbers import cell_number, text_spaces


def read_country(
    path: Path, sheet: str, rows, problems: list[Problem], search: int = HEADER_SEARCH_ROWS
) -> CountryInfo | None:
    """The country fields of the sheet's `field`/`value` rows, each checked; None (after
    recording why) without a usable country name and year."""
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
    values, cells = _field_rows(path, sheet, rows, at, problems)

    def where(name: str) -> dict:
        return {"file": str(path), "sheet": sheet, "cell": cells.get(name, "")}

    for name in ("country", "year"):
        if cell_text(values.get(name)) == "":
            problems.append(
                Problem(
                    _("required field '{name}' is missing or empty").format(name=name),
                    **where(name),
                    code="field-missing",
                )
            )
    out: dict[str, object] = {}
    for name, read in FIELD_READERS.items():
        if cell_text(values.get(name)):
            value = read(values[name], where(name), problems)
            if value is not None or name == "language":
                out[name] = value
    if "country" in out and "year" in out:
        return CountryInfo(**out)
    return None


def _field_rows(path: Path, sheet: str, rows, at, problems: list[Problem]):
    """The raw value and the cell of every known field (the first of a field given twice)."""
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
        text_spaces(raw_name, str(path), sheet, cell_name(r, fcol), problems)
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
        text_spaces(values[name], str(path), sheet, cells[name], problems)
    return values, cells


def _country(raw, where: dict, problems: list[Problem]) -> str:
    return cell_text(raw)


def _year(raw, where: dict, problems: list[Problem]) -> int | None:
    year = cell_number(raw, where, "year", problems)
    if year is None:
        return None
    if not year.is_integer() or not 1950 <= year <= 2100:
        problems.append(
            Problem(
                _("year is not a plausible year"),
                found=cell_text(raw),
                expected=_("a whole year such as 2021"),
                **where,
                code="year-implausible",
            )
        )
        return None
    return int(year)


def _population(raw, where: dict, problems: list[Problem]) -> float | None:
    pop = cell_number(raw, where, "population", problems)
    if pop is not None and pop <= 0:
        problems.append(
            Problem(
                _("population must be above zero"),
                found=cell_text(raw),
                **where,
                code="population-not-positive",
            )
        )
        return None
    return pop


def _electrification(raw, where: dict, problems: list[Problem]) -> float | None:
    rate = cell_number(raw, where, "electrification_rate", problems, percent=True)
    if rate is None:
        return None
    if 0 < rate < 1:
        problems.append(
            Problem(
                _("electrification_rate is a percentage: this looks like a fraction"),
                found=cell_text(raw),
                expected=_("per cent from 0 to 100, e.g. {example}").format(
                    example=plain(float(f"{rate * 100:g}"))
                ),
                **where,
                code="electrification-rate-fraction",
            )
        )
        return None
    if not 0 <= rate <= 100:
        problems.append(
            Problem(
                _("electrification_rate is outside 0-100"),
                found=cell_text(raw),
                expected=_("per cent from 0 to 100"),
                **where,
                code="electrification-rate-range",
            )
        )
        return None
    return rate


def _iso3(raw, where: dict, problems: list[Problem]) -> str:
    return cell_text(raw).upper()


def _boilers_share(raw, where: dict, problems: list[Problem]) -> float | None:
    name = "coal_industrial_boilers_share"
    share = cell_number(raw, where, name, problems, percent=True)
    if share is not None and not 0 <= share <= 100:
        problems.append(
            Problem(
                _("coal_industrial_boilers_share is outside 0-100"),
                found=cell_text(raw),
                expected=_("per cent from 0 to 100 of the coal of 5.1.2"),
                code="coal-boilers-share-range",
                **where,
            )
        )
        return None
    return share


def _language(raw, where: dict, problems: list[Problem]) -> str | None:
    lang = normalise(cell_text(raw))
    if lang is None:
        problems.append(
            Problem(
                _("language not known to hginv; messages stay in the default language"),
                found=cell_text(raw),
                expected=", ".join(LANGUAGES),
                severity="warning",
                **where,
                code="language-unknown",
            )
        )
    return lang


FIELD_READERS = {
    "country": _country,
    "year": _year,
    "population": _population,
    "electrification_rate": _electrification,
    "iso3": _iso3,
    "coal_industrial_boilers_share": _boilers_share,
    "language": _language,
}
"""How each field is read, in the order its problems are reported (a language not known is
kept as None: the field was given)."""


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
