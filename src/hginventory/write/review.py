"""The workbook of `hginv factors review`: the factor rows a national team checks against the
official Toolkit, hginv's values beside white cells for the official ones.

Sheets: `instructions` (in the language of the run), `review` (one row per factor row; hginv's
values grey and locked, the cells to fill white; the sheet is protected without a password so
that only those can be typed in) and `table` (the table and version the review was made from,
which `apply-review` checks). Data validation guards the numbers; a formula column shows the sum
of the six distribution factors as they will be applied, its value cached for readers that do
not calculate. Sheet names and the machine names of the second row stay in English in every
language: `apply-review` reads them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hginventory.core.cells import column_letter
from hginventory.core.columns import PATHWAYS
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.tables.review import (
    COLUMNS,
    FILL_COLUMNS,
    INSTRUCTIONS_SHEET,
    OFFICIAL_DISTRIBUTION,
    OFFICIAL_NUMBERS,
    REVIEW_SHEET,
    SUM_COLUMN,
    SUM_TOLERANCE,
    TABLE_SHEET,
    table_identity,
)
from hginventory.write.xlsx import Book

GREY = "#F2F2F2"
BAD_SUM = "#FFC7CE"
TITLE_MAX, PROMPT_MAX, ERROR_MAX = 32, 255, 225
FIRST_ROW = 2
"""Row (0-based) of the first factor row: captions on row 0, machine names on row 1."""

CAPTIONS = {
    "factor_id": N_("Factor id"),
    "code": N_("Code"),
    "sub_category": N_("Sub-category"),
    "input_factor": N_("Input factor"),
    "input_factor_low": N_("Low"),
    "input_factor_high": N_("High"),
    "input_factor_unit": N_("Unit"),
    "air": N_("Air"),
    "water": N_("Water"),
    "land": N_("Land"),
    "byproducts": N_("By-products"),
    "general_waste": N_("General waste"),
    "sector_treatment": N_("Sector specific treatment/disposal"),
    "status": N_("Status"),
    "document": N_("Document"),
    "table_page": N_("Where to look (table, page)"),
    SUM_COLUMN: N_("Sum of the distribution factors (must be 1)"),
    "official_document": N_("Official document (id)"),
    "official_table_page": N_("Official table and page (required)"),
    "reviewer": N_("Reviewer: name, organisation (required)"),
    "review_date": N_("Review date (YYYY-MM-DD)"),
    "review_note": N_("Note of the reviewer"),
}

WIDTHS = {
    "factor_id": 30,
    "sub_category": 34,
    "table_page": 36,
    "official_table_page": 28,
    "reviewer": 24,
    "review_date": 13,
    "review_note": 36,
    SUM_COLUMN: 12,
    "input_factor_unit": 8,
    "status": 10,
    "document": 10,
    "official_document": 12,
}

INSTRUCTIONS = [
    (N_("Confirming the factors with the official Toolkit"), "title"),
    (
        N_(
            "This workbook lists {n} rows of the factor table {table} (status: {statuses}). "
            "Each row shows hginv's values in grey; the white cells on their right are for the "
            "values you read in the official Toolkit: the Inventory Level 1 calculation "
            "spreadsheet and the Guideline or the Level 2 Reference Report."
        ),
        "",
    ),
    (
        N_(
            "1. Find the sub-category in the document and table named in the columns document "
            "and table_page. Type in the official cells only the numbers that differ from "
            "hginv's. A blank official cell keeps hginv's value, which is then confirmed as it is."
        ),
        "",
    ),
    (
        N_(
            "2. For every row you checked, fill official_table_page (the table and page where "
            "you read the values), reviewer (your name and organisation) and review_date. "
            "official_document: choose the document id from the list if it is not the one shown."
        ),
        "",
    ),
    (
        N_(
            "3. The six distribution factors (air, water, land, by-products, general waste, "
            "sector specific treatment/disposal) must add up to 1 (within {tolerance}): the "
            "column official_sum shows their sum, with your values where you typed one, and "
            "turns red when it is not 1."
        ),
        "",
    ),
    (
        N_(
            "4. A row where nothing is typed is not reviewed: it keeps its status. Do not add, "
            "delete or move rows or columns. The sheets are protected, without a password, so "
            "that only the white cells can be changed."
        ),
        "",
    ),
    (
        N_(
            "5. Save the workbook as .xlsx, then run: hginv factors apply-review {file} -o FOLDER. "
            "It checks every row and names the cell of any mistake; then it writes in FOLDER a "
            "complete factor table with the reviewed rows 'confirmed', who checked them and "
            "when, and a new version, and prints which values changed."
        ),
        "",
    ),
    (
        N_(
            "6. See the effect on inventories with: hginv factors diff {source} FOLDER; compute "
            "with the reviewed table with: hginv compute --factors FOLDER WORKBOOK."
        ),
        "",
    ),
    (
        N_(
            "Only the Level 1 table is reviewed here; the Level 2 tables (coal contents, control "
            "configurations) are not part of this review."
        ),
        "",
    ),
    (
        N_(
            "The review applies to the table it was made from ({label}, sheet 'table'): "
            "apply-review refuses it for any other table or version."
        ),
        "",
    ),
]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "."


def _validation(options: dict, title: str, message: str) -> dict:
    """An Excel data validation whose texts fit Excel's limits (else it offers a repair)."""
    return {
        **options,
        "ignore_blank": True,
        "error_title": _clip(title, TITLE_MAX),
        "error_message": _clip(message, ERROR_MAX),
    }


def build_review(table, statuses, source: str = "", file: str = "REVIEW.xlsx") -> Book:
    """The review workbook of the rows of `table` whose status is in `statuses`."""
    from hginventory import __version__
    from hginventory.tables.translations import sub_category_name

    rows = [r for r in table.rows if r.status in statuses]
    book = Book()
    wb = book.wb
    text = wb.add_format({"valign": "top", "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    header = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    key = wb.add_format({"italic": True, "font_color": "#595959", "bg_color": GREY, "bottom": 1})
    shown = wb.add_format({"bg_color": GREY, "valign": "top", "text_wrap": True})
    shown_number = wb.add_format({"bg_color": GREY, "valign": "top"})
    fill = wb.add_format({"locked": False, "border": 1, "border_color": "#BFBFBF", "valign": "top"})
    fill_text = wb.add_format(
        {"locked": False, "border": 1, "border_color": "#BFBFBF", "valign": "top",
         "text_wrap": True}
    )  # fmt: skip
    fill_date = wb.add_format(
        {"locked": False, "border": 1, "border_color": "#BFBFBF", "valign": "top",
         "num_format": "yyyy-mm-dd"}
    )  # fmt: skip
    total = wb.add_format({"bg_color": GREY, "bold": True, "valign": "top"})
    bad = wb.add_format({"bg_color": BAD_SUM, "font_color": "#9C0006"})

    label = table.label
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 100)
    statuses_text = ", ".join(statuses)
    for r, (line, style) in enumerate(INSTRUCTIONS):
        value = _(line).format(
            n=len(rows),
            table=label,
            statuses=statuses_text,
            tolerance=SUM_TOLERANCE,
            file=file,
            source=source,
            label=label,
        )
        ws.write_string(r, 0, value, title if style == "title" else text)
        if style != "title":
            ws.set_row(r, 15 * (len(value) // 95 + 1) + 2)
    ws.protect("", {"select_locked_cells": True})
    book.page_setup(ws, INSTRUCTIONS_SHEET)

    ws = wb.add_worksheet(REVIEW_SHEET)
    col = {name: i for i, name in enumerate(COLUMNS)}
    for name, c in col.items():
        if name in CAPTIONS:
            caption = _(CAPTIONS[name])
        else:
            caption = _("Official value: {name}").format(name=_(CAPTIONS[OFFICIAL_NUMBERS[name]]))
            if name == "official_low":
                caption = _("Official value: {name}").format(name=_("Low"))
        ws.write_string(0, c, caption, header)
        ws.write_string(1, c, name, key)
        ws.set_column(c, c, WIDTHS.get(name, 11))
    ws.set_row(0, 62)
    last = FIRST_ROW + len(rows) - 1
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        values = {
            "factor_id": table.factor_id(row.code),
            "sub_category": sub_category_name(row),
            **{name: getattr(row, name) for name in COLUMNS if hasattr(row, name)},
        }
        for name in COLUMNS:
            c = col[name]
            if name in FILL_COLUMNS:
                style = fill_date if name == "review_date" else fill
                if name in ("official_table_page", "review_note", "reviewer"):
                    style = fill_text
                ws.write_blank(r, c, None, style)
                continue
            if name == SUM_COLUMN:
                terms = [
                    "IF(ISBLANK({o}),{p},{o})".format(
                        o=f"{column_letter(col[f'official_{p}'])}{r + 1}",
                        p=f"{column_letter(col[p])}{r + 1}",
                    )
                    for p in PATHWAYS
                ]
                cached = sum(getattr(row, p) for p in PATHWAYS)
                ws.write_formula(r, c, "=" + "+".join(terms), total, round(cached, 12))
                continue
            value = values.get(name)
            if value is None:
                ws.write_blank(r, c, None, shown_number)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value, shown_number)
            else:
                ws.write_string(r, c, str(value), shown)
    if rows:
        _validations(ws, col, last, table)
        sum_col = col[SUM_COLUMN]
        first = f"{column_letter(sum_col)}{FIRST_ROW + 1}"
        ws.conditional_format(
            FIRST_ROW, sum_col, last, sum_col,
            {"type": "formula", "criteria": f"=ABS({first}-1)>{SUM_TOLERANCE}", "format": bad},
        )  # fmt: skip
    ws.freeze_panes(FIRST_ROW, col["sub_category"] + 1)
    ws.autofilter(1, 0, max(last, 1), len(COLUMNS) - 1)
    ws.protect(
        "",
        {"autofilter": True, "format_columns": True, "format_rows": True,
         "select_locked_cells": True, "select_unlocked_cells": True},
    )  # fmt: skip
    book.page_setup(ws, REVIEW_SHEET)
    ws.repeat_rows(0, 1)

    ws = wb.add_worksheet(TABLE_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, "field", header)
    ws.write_string(0, 1, "value", header)
    facts = {
        **table_identity(table),
        "table_title": table.title,
        "statuses": statuses_text,
        "rows": str(len(rows)),
        "language": get_language(),
        "made_by": f"hginv {__version__}",
        "made_on": dt.date.today().isoformat(),
    }
    for r, (name, value) in enumerate(facts.items(), start=1):
        ws.write_string(r, 0, name, shown)
        ws.write_string(r, 1, value, shown)
    ws.protect("", {"select_locked_cells": True})
    book.page_setup(ws, TABLE_SHEET)
    return book


def _validations(ws, col: dict, last: int, table) -> None:
    """Data validation of the fill-in columns (numbers, shares, document ids, dates)."""
    first = FIRST_ROW
    number = _validation(
        {"validate": "decimal", "criteria": ">=", "value": 0},
        _("Number"),
        _("Type a number of zero or more, in the unit of the row (column input_factor_unit)."),
    )
    share = _validation(
        {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1},
        _("Distribution factor"),
        _("A share of the input, from 0 to 1 (write 0.25, not 25 %)."),
    )
    for name in OFFICIAL_NUMBERS:
        c = col[name]
        ws.data_validation(first, c, last, c, share if name in OFFICIAL_DISTRIBUTION else number)
    if table.documents:
        ids = list(table.documents)
        c = col["official_document"]
        ws.data_validation(
            first, c, last, c,
            _validation(
                {"validate": "list", "source": ids},
                _("Document"),
                _("One of the document ids: {ids}").format(ids=", ".join(ids)),
            ),
        )  # fmt: skip
    c = col["review_date"]
    ws.data_validation(
        first, c, last, c,
        _validation(
            {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
             "maximum": dt.date(2100, 12, 31)},
            _("Review date"),
            _("A date, e.g. 2026-12-07."),
        ),
    )  # fmt: skip


def write_review(table, path: str | Path, statuses, source: str = "", protect=()) -> Path:
    """Write the review workbook atomically (an input is never replaced)."""
    path = Path(path)
    return build_review(table, statuses, source, path.name).save(path, protect)
