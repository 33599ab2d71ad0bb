"""The Sources present sheet: every sub-category of the Toolkit and whether it was quantified,
reported absent or not estimated, with the notation key's detail."""

from __future__ import annotations

from hginventory.core.i18n import N_, Texts
from hginventory.engine.inventory import Inventory, presence_word, sources_present
from hginventory.tables.translations import group_names, name_of
from hginventory.write.workbook_sheets.layout import H
from hginventory.write.xlsx import Book

TEXT = Texts({"sources_title": N_("Mercury release source types present")})


def sources_sheet(book: Book, inv: Inventory) -> None:
    """One row per sub-category of the factor table, present or not."""
    ws = book.sheet("Sources present")
    ws.max_width = 60
    ws.text(0, 0, TEXT["sources_title"], "title", wrap=False)
    s = sources_present(inv)
    groups = group_names(inv.factors.groups)
    ws.table(
        2,
        [H["code"], H["sub_category"], H["group"], H["presence"], H["detail"]],
        (
            (
                x.code,
                name_of(x.code, x.sub_category),
                groups.get(x.source_group, x.source_group),
                presence_word(x.presence),
                x.detail,
            )
            for x in s.itertuples(index=False)
        ),
    )
    ws.freeze = (3, 2)
