"""The Key categories sheet: the IPCC Approach 1 level assessments of engine.keycat."""

from __future__ import annotations

from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, FRACTION, MASS, percent
from hginventory.engine.inventory import Inventory
from hginventory.tables.translations import name_of
from hginventory.write.workbook_sheets.layout import H
from hginventory.write.xlsx import Book

KEY_CATEGORIES_SHEET = "Key categories"


def key_categories_sheet(book: Book, inv: Inventory) -> None:
    """The two level assessments (engine.keycat): every code with a counted release, largest
    first, its share, the cumulative share, whether it is key, and share x uncertainty range
    (where Level 2 or better activity data would change the national total most)."""
    from hginventory.engine.keycat import ASSESSMENT_NAMES, THRESHOLD, key_categories

    ws = book.sheet(KEY_CATEGORIES_SHEET)
    ws.max_width = 60
    ws.text(0, 0, _("Key categories"), "title", wrap=False)
    table = key_categories(inv)
    source = (
        _("the Monte Carlo 95 % interval (--uncertainty)")
        if (table["range_source"] == "monte-carlo").any()
        else _("the factor table's low-high range of the input factor")
    )
    ws.note(
        1,
        _(
            "IPCC 2006 Vol. 1 Ch. 4, Approach 1 level assessment on the releases counted in the "
            "national totals: sub-categories sorted by release, largest first; key while the "
            "cumulative share before them is below {threshold}. Range: {source}, relative to "
            "the value; share x range ranks where better data would change the total most."
        ).format(threshold=percent(THRESHOLD, places=0), source=source),
    )
    headers = [
        _("Assessment"),
        _("Rank"),
        H["code"],
        H["sub_category"],
        _("Release (kg Hg/y)"),
        _("Share"),
        _("Cumulative share"),
        _("Key category"),
        _("Range / value"),
        _("Share x range"),
    ]
    rows = [
        [
            _(ASSESSMENT_NAMES[x.assessment]),
            int(x.rank),
            x.code,
            name_of(x.code, x.sub_category),
            x.release_kg,
            x.share,
            x.cumulative_share,
            _("yes") if x.key else "",
            None if x.range_relative != x.range_relative else x.range_relative,
            None if x.level2_weight != x.level2_weight else x.level2_weight,
        ]
        for x in table.itertuples(index=False)
    ]
    kinds = {1: COUNT, 4: MASS, 5: FRACTION, 6: FRACTION, 8: FRACTION, 9: FRACTION}
    last = ws.table(3, headers, rows, kinds) - 1
    ws.freeze = (4, 3)
    ws.autofilter = (3, 0, max(last, 4), len(headers) - 1)
