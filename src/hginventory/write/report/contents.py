"""The report's contents: its chapters and annexes in the order of the Toolkit reporting
template, its title, and a table cell's text as both renderers print it."""

from __future__ import annotations

from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Heading, clean
from hginventory.write.report.annexes import annexes, crosscheck_blocks
from hginventory.write.report.chapters import (
    cover,
    executive_summary,
    group_chapters,
    inputs_summary,
    releases_summary,
    source_types,
)
from hginventory.write.report.quality import quality_control_chapter


def build_document(inv: Inventory, chapters=None) -> list:
    """The report as blocks, in the order of the Toolkit reporting template.

    `chapters(number)` gives more numbered chapters (such as the trend over the years), put
    after the source group chapters and before the annexes.
    """
    from hginventory.write import submission_report
    blocks = [
        *cover(inv),
        *executive_summary(inv),
        *source_types(inv),
        *submission_report.presence_blocks(inv),
        *inputs_summary(inv),
        *releases_summary(inv),
        *group_chapters(inv),
    ]
    numbered = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
    blocks += quality_control_chapter(inv, len(numbered) + 1)
    numbered = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
    blocks += submission_report.gaps_chapter(inv, len(numbered) + 1)
    if chapters is not None:
        numbered = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
        blocks += chapters(len(numbered) + 1)
    cross = crosscheck_blocks(inv)
    article21 = submission_report.article21_blocks(inv, "E" if cross else "D")
    return blocks + annexes(inv) + cross + article21


def title(inv: Inventory) -> str:
    return _("National inventory of mercury releases in {country}").format(
        country=clean(inv.country.country)
    )


def subtitle(inv: Inventory) -> str:
    return _("Inventory year {year} - draft").format(year=inv.country.year)


def cell_text(text: str) -> str:
    """A table cell's text as printed: a per cent sign never starts a line ('95 %')."""
    return text.replace(" %", "\u00a0%")

