"""The quality-control chapter: the plausibility and consistency checks of the activity data,
what they found, and the key categories, where better data would change the total most."""

from __future__ import annotations

from hginventory.core import numbers
from hginventory.core.i18n import get_language, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Heading, Para, Table, clean, kg, pct
from hginventory.write.report.names import sub_category_name


def quality_control_chapter(inv: Inventory, n: int) -> list:
    """Chapter `n`, Quality control: what was checked (the plausibility and consistency checks
    of the activity workbook, when the inventory carries them), what was found, and the key
    categories (engine.keycat) with where better data would change the total most."""
    from hginventory.engine.keycat import (
        ASSESSMENT_NAMES,
        THRESHOLD,
        key_categories,
        level2_priorities,
    )

    blocks: list = [Heading(1, _("{n} Quality control").format(n=n))]
    blocks.append(Heading(2, _("{n}.1 Checks of the activity data").format(n=n)))
    found = list(getattr(inv, "quality_checks", []) or [])
    blocks.append(
        Para(
            _(
                "Before computing, hginv screened every activity against the world's annual "
                "production or use and a per-inhabitant band (plausibility: unit slips such as "
                "kg typed as t), and the activity rows against each other (consistency: waste "
                "burned and dumped, fuel counted twice, sludge, products and the waste that "
                "receives them). The checks, their codes and thresholds are documented with "
                "hginv."
            )
        )
    )
    if found:
        rows = [
            [
                clean(getattr(p, "code", "") or p.kind),
                clean(f"{p.sheet}!{p.cell}" if p.sheet and p.cell else p.sheet or p.cell),
                clean(p.message),
            ]
            for p in found
        ]
        blocks.append(
            Table(
                ngettext("{n} finding", "{n} findings", len(found)).format(n=len(found)),
                [_("Check"), _("Cell"), _("Finding")],
                rows,
                small=True,
            )
        )
    else:
        blocks.append(Para(_("The checks found nothing to report.")))
    table = key_categories(inv)
    blocks.append(Heading(2, _("{n}.2 Key categories").format(n=n)))
    blocks.append(
        Para(
            _(
                "Key categories after IPCC 2006 Guidelines Vol. 1 Ch. 4 (Approach 1 level "
                "assessment), on the releases counted in the national totals: sub-categories "
                "sorted by release, largest first, key while the cumulative share before them "
                "is below {threshold}; one assessment for releases to air, one for releases to "
                "water and land together. The result CSV marks them in its column key_category."
            ).format(threshold=numbers.percent(THRESHOLD, locale=get_language(), places=0))
        )
    )
    for name in ASSESSMENT_NAMES:
        part = table[(table["assessment"] == name) & table["key"]]
        if part.empty:
            continue
        rest = table[(table["assessment"] == name) & ~table["key"]]
        rows = [
            [
                clean(x.code),
                sub_category_name(x.code, x.sub_category),
                kg(x.release_kg),
                pct(x.share),
                pct(x.cumulative_share),
            ]
            for x in part.itertuples(index=False)
        ]
        caption = (
            _("Key categories of releases to air")
            if name == "air"
            else _("Key categories of releases to water and land")
        )
        blocks.append(
            Table(
                caption,
                [_("Code"), _("Sub-category"), _("kg Hg/y"), _("Share"), _("Cumulative share")],
                rows,
                {2, 3, 4},
                small=True,
            )
        )
        if len(rest):
            blocks.append(
                Para(
                    ngettext(
                        "{n} other sub-category makes the remaining {share}.",
                        "{n} other sub-categories make the remaining {share}.",
                        len(rest),
                    ).format(n=len(rest), share=pct(float(rest["share"].sum()))),
                    "note",
                )
            )
    if table.empty:
        blocks.append(Para(_("No release is counted in the national totals: no key category.")))
        return blocks
    top = level2_priorities(table)
    if len(top):
        monte_carlo = (table["range_source"] == "monte-carlo").any()
        blocks.append(
            Para(
                _(
                    "Where Level 2 data or better activity data would change the national total "
                    "most: the key categories with the largest share x uncertainty range ({what}, "
                    "relative to the value)."
                ).format(
                    what=_("the Monte Carlo 95 % interval")
                    if monte_carlo
                    else _("the low-high range of the input factor in the factor table")
                )
            )
        )
        rows = [
            [
                clean(x.code),
                sub_category_name(x.code, x.sub_category),
                _(ASSESSMENT_NAMES[x.assessment]),
                pct(x.share),
                pct(x.range_relative),
                pct(x.level2_weight),
            ]
            for x in top.itertuples(index=False)
        ]
        blocks.append(
            Table(
                _("Where better data would change the national total most"),
                [
                    _("Code"),
                    _("Sub-category"),
                    _("Assessment"),
                    _("Share"),
                    _("Range / value"),
                    _("Share x range"),
                ],
                rows,
                {3, 4, 5},
                small=True,
            )
        )
    return blocks

