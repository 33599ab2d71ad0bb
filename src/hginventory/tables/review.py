"""A factor review: a national team checks the table against the official Toolkit.

`hginv factors review` writes a workbook of the rows to check (write/review.py); the team types
the official values beside hginv's; `hginv factors apply-review` reads it back (read/review.py)
and this module turns it into a new table: each reviewed row `confirmed` with the official values
(a blank official cell keeps hginv's value, confirmed as it is), who checked it and when; every
other row as it was. Every refusal names the sheet and cell to correct.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field, replace

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import FactorTableError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import plain
from hginventory.tables.export import field_text
from hginventory.tables.rows import FIELDS, FactorRow

REVIEW_SHEET = "review"
TABLE_SHEET = "table"
INSTRUCTIONS_SHEET = "instructions"

SHOWN_COLUMNS = (
    "factor_id",
    "code",
    "sub_category",
    "input_factor",
    "input_factor_low",
    "input_factor_high",
    "input_factor_unit",
    *PATHWAYS,
    "status",
    "document",
    "table_page",
)
"""hginv's current row, read-only in the workbook (where to look, what to compare)."""

OFFICIAL_NUMBERS = {
    "official_input_factor": "input_factor",
    "official_low": "input_factor_low",
    "official_high": "input_factor_high",
    **{f"official_{p}": p for p in PATHWAYS},
}
"""Fill-in number columns and the table field each one replaces."""

OFFICIAL_DISTRIBUTION = tuple(f"official_{p}" for p in PATHWAYS)

SUM_COLUMN = "official_sum"
"""A formula column: the sum of the six distribution factors as they will be applied."""

TEXT_COLUMNS = (
    "official_document",
    "official_table_page",
    "reviewer",
    "review_date",
    "review_note",
)

FILL_COLUMNS = (*OFFICIAL_NUMBERS, *TEXT_COLUMNS)

COLUMNS = (*SHOWN_COLUMNS, *OFFICIAL_NUMBERS, SUM_COLUMN, *TEXT_COLUMNS)
"""The columns of the review sheet, in order."""

IDENTITY_KEYS = ("table_id", "table_version", "table_sha256")

SUM_TOLERANCE = 0.001
"""How far from 1 the official distribution factors may sum (rounded printed values)."""

REVIEW_FIELDS = ("reviewer", "review_date")
"""Columns a reviewed table gains (old tables without them stay readable)."""


@dataclass(frozen=True)
class ReviewEntry:
    """One row of a filled review sheet: the code, where its cells are, what was typed."""

    code: str
    cells: dict[str, str]
    values: dict[str, object]

    @property
    def reviewed(self) -> bool:
        """A row is reviewed when anything was typed in it (a reviewer, an official value)."""
        return any(v not in (None, "") for v in self.values.values())


@dataclass(frozen=True)
class ReviewSource:
    """What the `table` sheet says the review was made from, and the cells saying it."""

    values: dict[str, str]
    cells: dict[str, str]


@dataclass
class Review:
    """A filled review workbook as read: the table it was made from, its rows, its problems."""

    path: str
    source: ReviewSource
    entries: list[ReviewEntry]
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ValueChange:
    """A number of a reviewed row that the official value changed."""

    code: str
    field: str
    old: float | None
    new: float | None

    @property
    def change_pct(self) -> float:
        if not self.old or self.new is None:
            return math.nan
        return (self.new - self.old) / self.old * 100


@dataclass
class ReviewOutcome:
    """The rows after the review, which of them were confirmed and which numbers moved."""

    rows: tuple[FactorRow, ...]
    confirmed: list[str]
    changes: list[ValueChange]


def table_identity(table) -> dict[str, str]:
    """What a review records of its table, so that it is applied to that table only."""
    return {
        "table_id": table.id,
        "table_version": table.version,
        "table_sha256": table.meta.get("combined_sha256") or table.sha256,
    }


def apply_review(table, review: Review) -> ReviewOutcome:
    """The table's rows with the review applied; FactorTableError naming every cell to correct."""
    problems = [p for p in review.problems if p.severity == "error"]

    def refuse(message, cell, found="", expected="", sheet=REVIEW_SHEET):
        problems.append(
            Problem(
                message,
                file=review.path,
                sheet=sheet,
                cell=cell,
                found=found,
                expected=expected,
                kind="review",
                code="review-invalid",
            )
        )

    own = table_identity(table)
    for key in IDENTITY_KEYS:
        given = review.source.values.get(key, "")
        if given != own[key]:
            refuse(
                _(
                    "the review was made from another factor table ({given}); apply it to the "
                    "table it was made from, or make a new review of this one"
                ).format(given=given or _("unknown")),
                review.source.cells.get(key, "B1"),
                found=given,
                expected=own[key],
                sheet=TABLE_SHEET,
            )
            raise FactorTableError(
                _("{file}: the review cannot be applied").format(file=review.path), problems
            )
    rows = {r.code: r for r in table.rows}
    seen: dict[str, str] = {}
    confirmed: list[str] = []
    changes: list[ValueChange] = []
    for entry in review.entries:
        code_cell = entry.cells.get("code", "")
        if entry.code not in rows:
            if entry.reviewed:
                refuse(_("no factor row {code} in {table}").format(
                    code=repr(entry.code), table=table.label), code_cell)  # fmt: skip
            continue
        if entry.code in seen:
            refuse(
                _("code {code} appears twice (first in cell {cell})").format(
                    code=entry.code, cell=seen[entry.code]
                ),
                code_cell,
            )
            continue
        seen[entry.code] = code_cell
        if not entry.reviewed:
            continue
        new = _reviewed_row(rows[entry.code], entry, table, refuse)
        if new is None:
            continue
        for name in OFFICIAL_NUMBERS.values():
            old_value, new_value = getattr(rows[entry.code], name), getattr(new, name)
            if old_value != new_value:
                changes.append(ValueChange(entry.code, name, old_value, new_value))
        rows[entry.code] = new
        confirmed.append(entry.code)
    if problems:
        raise FactorTableError(
            _("{file}: the review cannot be applied").format(file=review.path), problems
        )
    return ReviewOutcome(tuple(rows.values()), confirmed, changes)


def _reviewed_row(row: FactorRow, entry: ReviewEntry, table, refuse) -> FactorRow | None:
    """The row confirmed with the official values, or None after refusing its cells."""
    values, cells = entry.values, entry.cells
    if any(isinstance(v, float) and math.isnan(v) for v in values.values()):
        return None  # a cell that is not a number: refused where it was read
    errors = []

    def bad(message, column, found="", cell=None):
        errors.append(column)
        refuse(message, cells.get(column, "") if cell is None else cell, found=found)

    _check_reading(values, bad)
    number = _official_numbers(row, values, bad)
    _check_range(number, values, bad)
    total = _check_sum(number, cells, bad)
    document = str(values.get("official_document") or "").strip() or row.document
    if table.documents and document not in table.documents:
        bad(
            _("unknown document id {document}; expected one of {ids}").format(
                document=repr(document), ids=", ".join(table.documents)
            ),
            "official_document",
        )
    if errors:
        return None
    return _confirmed(row, values, number, total, document, table)


def _check_reading(values: dict, bad) -> None:
    """A confirmed row says where its values were read, and who read them."""
    for column in ("official_table_page", "reviewer"):
        if not str(values.get(column) or "").strip():
            bad(
                _(
                    "{column} is empty: a confirmed row needs the table and page where the "
                    "values were read, and who read them"
                ).format(column=column),
                column,
            )


def _official_numbers(row: FactorRow, values: dict, bad) -> dict:
    """The row's numbers as reviewed: each official value typed, else hginv's; a value below
    zero, or a distribution factor above 1, refused."""
    number = {}
    for column, name in OFFICIAL_NUMBERS.items():
        given = values.get(column)
        number[name] = getattr(row, name) if given is None else given
        if given is None:
            continue
        if given < 0:
            bad(_("{column} is below zero").format(column=column), column, plain(given))
        elif column in OFFICIAL_DISTRIBUTION and given > 1:
            bad(
                _("{column} is a share of the input: between 0 and 1").format(column=column),
                column,
                plain(given),
            )
    return number


def _check_range(number: dict, values: dict, bad) -> None:
    """The input factor lies between its low and high (refused at the first one typed)."""
    value, low = number["input_factor"], number["input_factor_low"]
    high = number["input_factor_high"]
    if (low is not None and low > value) or (high is not None and high < value):
        typed = [c for c in ("official_input_factor", "official_low", "official_high")
                 if values.get(c) is not None] or ["official_input_factor"]  # fmt: skip
        bad(
            _("the input factor {value} is not between its low {low} and high {high}").format(
                value=plain(value),
                low="-" if low is None else plain(low),
                high="-" if high is None else plain(high),
            ),
            typed[0],
        )


def _check_sum(number: dict, cells: dict, bad) -> float:
    """The sum of the six distribution factors, refused over their cells when it is not 1."""
    total = sum(number[p] for p in PATHWAYS)
    if abs(total - 1) > SUM_TOLERANCE:
        first, last = cells.get(OFFICIAL_DISTRIBUTION[0], ""), cells.get(OFFICIAL_DISTRIBUTION[-1])
        bad(
            _(
                "the six distribution factors sum to {total}, not 1 (within {tolerance}); a "
                "blank cell counts with hginv's value"
            ).format(total=plain(total), tolerance=plain(SUM_TOLERANCE)),
            "sum",
            found=plain(total),
            cell=f"{first}:{last}" if first and last else first,
        )
    return total


def _confirmed(row: FactorRow, values: dict, number: dict, total: float, document: str, table):
    """The row with the official values, `confirmed`, with who read them, where and when."""
    if total != 1 and abs(total - 1) > 1e-12:
        for p in PATHWAYS:
            number[p] = number[p] / total  # printed values that sum to 0.999: made exact
    version = row.version
    if document != row.document:
        version = str(table.documents[document].get("version") or row.version)
    note = str(values.get("review_note") or "").strip() or row.note
    updates = {
        **number,
        "status": "confirmed",
        "confidence": "",
        "document": document,
        "version": version,
        "table_page": str(values["official_table_page"]).strip(),
        "reviewer": str(values["reviewer"]).strip(),
        "review_date": str(values.get("review_date") or "").strip(),
        "note": note,
    }
    if hasattr(row, "distribution_status"):
        updates["distribution_status"] = "confirmed"
    return replace(row, **updates)


REVIEW_VERSION = re.compile(r"\+review\.(\d+)$")


def bumped_version(version: str) -> str:
    """The version of a reviewed table: `2019-2.1.r1` -> `2019-2.1.r1+review.1`, and a table
    reviewed again -> `+review.2` (a national review, not the project's next release)."""
    found = REVIEW_VERSION.search(version)
    if found:
        return f"{version[: found.start()]}+review.{int(found.group(1)) + 1}"
    return f"{version}+review.1"


def reviewed_csv(source_text: str, rows: tuple[FactorRow, ...], changed: set[str]) -> str:
    """The factor CSV after a review: the source CSV's own lines for every row not `changed`
    (a minimal diff for whoever keeps the table in version control), the changed rows written
    anew, the review columns added at the end of the header when the source has none."""
    lines = source_text.splitlines(keepends=True)
    taken: list[str] = []

    def feed():
        for line in lines:
            taken.append(line)
            yield line

    reader = csv.reader(feed())
    header = next(reader, [])
    head_text = "".join(taken)
    taken.clear()
    added = [f for f in REVIEW_FIELDS if f not in header and any(
        getattr(r, f) for r in rows)]  # fmt: skip
    columns = [*header, *added]
    by_code = {r.code: r for r in rows}
    out = io.StringIO()
    newline = "\r\n" if head_text.endswith("\r\n") else "\n"
    out.write(head_text.rstrip("\r\n") + "".join(f",{f}" for f in added) + newline)
    writer = csv.writer(out, lineterminator=newline)
    done = set()
    code_at = header.index("code") if "code" in header else 0
    for record in reader:
        raw = "".join(taken)
        taken.clear()
        code = record[code_at].strip() if len(record) > code_at else ""
        done.add(code)
        if code in changed and code in by_code:
            row = by_code[code]
            writer.writerow([field_text(getattr(row, c)) if c in FIELDS else "" for c in columns])
        elif raw.strip() and added:
            out.write(raw.rstrip("\r\n") + "," * len(added) + newline)
        else:
            out.write(raw)
    for row in rows:
        if row.code not in done:
            writer.writerow([field_text(getattr(row, c)) if c in FIELDS else "" for c in columns])
    return out.getvalue()


TOML_VERSION = re.compile(r'^(version\s*=\s*)(".*?"|\'.*?\')\s*$', re.MULTILINE)


def reviewed_toml(source_text: str, table, version: str) -> str:
    """The table's metadata with its new version (the rest of the source TOML as it was)."""
    import json

    quoted = json.dumps(version, ensure_ascii=False)
    if TOML_VERSION.search(source_text):
        return TOML_VERSION.sub(lambda m: m.group(1) + quoted, source_text, count=1)
    head = [f"version = {quoted}"]
    for key, value in (("id", table.id), ("title", table.title)):
        if key not in table.meta:
            head.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(head) + "\n" + source_text
