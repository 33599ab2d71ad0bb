"""The report's parts of what a country submits (issue 26): the Toolkit's source presence table
(Y/N/?) and the potential hot spots in chapter 2, the data-gaps chapter with next steps, and
the Article 21 annex (Articles 8 and 9, Annex C). Blocks for `report.contents.build_document`."""

from __future__ import annotations

from hginventory.core import numbers
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import REST, Inventory
from hginventory.engine.submission import (
    GAP_REASONS,
    GAP_STEPS,
    annex_c_table,
    article8_split,
    article9_table,
    data_gaps,
    hotspot_table,
    presence_table,
    quality_label,
    worst_words,
)
from hginventory.write.blocks import Heading, Para, Table, clean, kg
from hginventory.write.option_sheets import (
    ANNEX_C_HEADERS,
    PRESENCE_HEADERS,
    SUBMIT,
    article8_label,
    article8_source,
    mark_basis,
)


def _activity(value) -> str:
    if value is None or value != value:
        return ""
    return numbers.format_number(value, numbers.ACTIVITY, locale=get_language())


def with_data_quality(inv: Inventory, rows, headers: list, table: list) -> tuple[list, list]:
    """The activity table of a source-group chapter with a data quality column beside each
    figure, when the workbook grades any row (unchanged otherwise)."""
    from hginventory.engine.submission import submission

    grades = submission(inv).data_quality
    if not grades:
        return headers, table
    codes = rows["code"].tolist()
    at = 4  # after the unit
    out = [
        [*t[:at], quality_label(grades.get(c, "")), *t[at:]]
        for c, t in zip(codes, table, strict=True)
    ]
    return [*headers[:at], _("Data quality"), *headers[at:]], out


def presence_blocks(inv: Inventory) -> list:
    """Chapter 2's sections: the Y/N/? table and the potential hot spots."""
    from hginventory.tables.translations import group_names, name_of

    groups = group_names(inv.factors.groups)
    rows = []
    for x in presence_table(inv).itertuples(index=False):
        if x.level == "group":
            name = groups.get(x.name, x.name)
        elif x.level == "hotspots":
            name = _("Potential hot spots")
        else:
            name = name_of(x.code, x.name)
        rows.append(
            [
                x.code,
                clean(name),
                x.mark,
                mark_basis(x.basis),
                _activity(x.activity),
                clean(x.unit),
                quality_label(x.data_quality),
                clean(x.data_source),
            ]
        )
    blocks: list = [
        Heading(2, _("2.1 Source presence in the Toolkit's form (Y/N/?)")),
        Para(SUBMIT["presence_note"]),
        Table(
            SUBMIT["presence_heading"],
            [_(h) for h in PRESENCE_HEADERS],
            rows,
            {4},
            small=True,
        ),
        Heading(2, _("2.2 Potential hot spots")),
    ]
    spots = hotspot_table(inv)
    if spots.empty:
        blocks.append(Para(SUBMIT["hotspots_none"]))
    else:
        blocks.append(
            Table(
                SUBMIT["hotspots_heading"],
                [_("Site"), _("Type"), _("Location"), _("Status"), _("Notes")],
                [[clean(v) for v in x] for x in spots.itertuples(index=False)],
                small=True,
            )
        )
    return blocks


def gaps_chapter(inv: Inventory, n: int) -> list:
    """Chapter n: the data gaps (? and NE, data quality D, key categories without plant data)
    and the next steps."""
    from hginventory.tables.translations import name_of

    gaps = data_gaps(inv)
    blocks: list = [
        Heading(1, _("{n} Data gaps and next steps").format(n=n)),
        Para(
            _(
                "The sub-categories marked ? (possibly present, not known) or NE (not "
                "estimated), the activity figures resting on expert judgement (data quality D) "
                "and the key categories without plant data, with the next step for each. "
                "Closing them, largest sources first, is the work of the next inventory."
            )
        ),
    ]
    if gaps.empty:
        return blocks + [Para(SUBMIT["gaps_none"])]
    counts = gaps["reason"].value_counts()
    blocks.append(
        Table(
            _("Data gaps by kind"),
            [_("Gap"), _("Number of sub-categories"), _("Next step")],
            [[_(GAP_REASONS[k]), str(int(counts[k])), _(GAP_STEPS[k])] for k in counts.index],
            {1},
        )
    )
    blocks.append(
        Table(
            _("Data gaps"),
            [_("Code"), _("Sub-category"), _("Gap")],
            [
                [x.code, clean(name_of(x.code, x.name)), _(GAP_REASONS[x.reason])]
                for x in gaps.itertuples(index=False)
            ],
            small=True,
        )
    )
    return blocks


ANNEX_HEADING = N_(
    "Annex {letter} For the national report (Article 21): Articles 8 and 9, Annex C"
)


def article21_blocks(inv: Inventory, letter: str) -> list:
    """The Article 21 annex: Article 8 by Annex D category, Article 9 to water and land,
    the Annex C ASGM baseline."""
    from hginventory.tables.translations import name_of

    a8 = article8_split(inv)
    counted = a8[a8["label"] != "rest"]
    a8_rows = [
        [
            article8_source(x.annex_d_source),
            x.codes,
            kg(x.air_kg),
            clean(article8_label(x.label, inv)),
        ]
        for x in counted.itertuples(index=False)
    ]
    a8_rows.append([_("Total, Annex D sources"), "", kg(counted["air_kg"].sum()), ""])
    rest = [  # not an Annex D source: said under the table, never a row above its total
        Para(
            _("{source}: {kg} kg Hg/y, not in the total ({note}).").format(
                source=article8_source(x.annex_d_source),
                kg=kg(x.air_kg),
                note=clean(article8_label(x.label, inv)),
            ),
            "note",
        )
        for x in a8[a8["label"] == "rest"].itertuples(index=False)
    ]
    blocks: list = [
        Heading(1, _(ANNEX_HEADING).format(letter=letter), annex=True),
        Heading(2, _("Article 8")),
        Table(
            SUBMIT["a8_heading"],
            [_("Annex D source category"), _("Toolkit codes"), _("Air"), _("Note")],
            a8_rows,
            {2},
            total_rows=1,
            small=True,
        ),
        *rest,
        Heading(2, _("Article 9")),
    ]
    a9 = article9_table(inv)
    if a9.empty:
        blocks.append(Para(SUBMIT["a9_none"]))
    else:
        rows = [
            [x.code, clean(name_of(x.code, x.name)), kg(x.water_kg), kg(x.land_kg), kg(x.total_kg)]
            for x in a9.itertuples(index=False)
        ]
        sums = [kg(a9[c].sum()) for c in ("water_kg", "land_kg", "total_kg")]
        rows.append(["", _("Total"), *sums])
        blocks.append(
            Table(
                SUBMIT["a9_heading"],
                [_("Code"), _("Sub-category"), _("Water"), _("Land"), _("Water and land")],
                rows,
                {2, 3, 4},
                total_rows=1,
                small=True,
            )
        )
    blocks.append(Heading(2, _("Annex C (artisanal and small-scale gold mining)")))
    ac = annex_c_table(inv)
    if ac.empty:
        return blocks + [Para(SUBMIT["ac_none"])]
    rows = [
        [
            x.code,
            _(x.practice),
            _(REST) if x.rest else clean(x.facility),
            _activity(x.gold_kg),
            kg(x.mercury_kg),
            kg(x.air_kg),
            kg(x.water_kg),
            kg(x.land_kg),
            worst_words(x.worst),
        ]
        for x in ac.itertuples(index=False)
    ]
    sums = [kg(ac[c].sum()) for c in ("mercury_kg", "air_kg", "water_kg", "land_kg")]
    rows.append(["", _("Total"), "", "", *sums, ""])
    return blocks + [
        Para(SUBMIT["ac_note"]),
        Table(
            SUBMIT["ac_heading"],
            [_(h) for h in ANNEX_C_HEADERS],
            rows,
            {3, 4, 5, 6, 7},
            total_rows=1,
            small=True,
        ),
    ]
