"""The draft national inventory report, as an editable Word document or a self-contained web page.

The chapters follow the Toolkit's reporting template (executive summary, source types present,
summary of inputs, summary of releases, one chapter per source group, annexes). The content is
built once as a list of plain blocks (headings, paragraphs, tables, figures); two renderers turn
it into .docx (python-docx) and .html (inline CSS, charts as inline SVG). python-docx and
matplotlib are imported only inside the functions that need them.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pandas as pd

from hginventory.core import numbers
from hginventory.core.columns import (
    OUTPUT_COLUMNS,
    PATHWAY_LABELS,
    PATHWAYS,
    RELEASE_PATHWAYS,
    SUBTOTAL_LABELS,
    TRANSFER_PATHWAYS,
)
from hginventory.core.errors import OutputError
from hginventory.core.files import atomic_write
from hginventory.core.i18n import N_, get_language, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import (
    EMPTY_WARNING,
    PRESENCE_TEXT,
    Inventory,
    presence_word,
    sources_by_presence,
    sources_present,
)
from hginventory.write.blocks import (  # the block model, shared with the report's annexes
    Figure,
    Heading,
    Landscape,
    Para,
    Table,
    clean,
    factor,
    kg,
    pct,
    share,
)

TO_COMPLETE = N_("[to be completed]")


SHORT_PATHWAY = {
    "air": N_("Air"),
    "water": N_("Water"),
    "land": N_("Land"),
    "byproducts": N_("By-products"),
    "general_waste": N_("General waste"),
    "sector_treatment": N_("Sector treatment"),
}


def _short(p: str) -> str:
    return _(SHORT_PATHWAY[p])


def _pathway(p: str) -> str:
    return _(PATHWAY_LABELS[p])


def _sub(code: str, english) -> str:
    """A sub-category's name in the report's language (the CSV keeps the English one)."""
    from hginventory.tables.translations import name_of

    return clean(name_of(str(code), english))


def _groups(inv: Inventory) -> dict[str, str]:
    """English source-group name -> its name in the report's language."""
    from hginventory.tables.translations import group_names

    return group_names(inv.factors.groups)


def _top(inv: Inventory, n: int = 10, by: str = "releases_awl_kg") -> pd.DataFrame:
    from hginventory.engine.inventory import top_sources

    return top_sources(inv, n, by)


def _caution(inv: Inventory) -> list[Para]:
    n = inv.recalled_factors
    note = inv.estimates_note()
    estimates = [Para(note, "caution")] if note else []
    if not n:
        if estimates:
            return estimates
        return [Para(_("All factors used are confirmed against their cited source."), "note")]
    return [*estimates,
        Para(
            _(
                "CAUTION: {n} of the {total} factors used are 'recalled', not confirmed against "
                "the official UNEP Toolkit. A recalled factor is the best value that could be "
                "justified, with the Toolkit table it belongs to, but it was not checked against "
                "a copy of the Toolkit. Check every recalled factor (Annex A, column Status) "
                "against the official Inventory Level 1 calculation spreadsheet before this "
                "report is published."
            ).format(n=n, total=inv.factors_used),
            "caution",
        )
    ]


def _cover(inv: Inventory) -> list:
    m, f = inv.metadata, inv.factors
    todo = _(TO_COMPLETE)
    rows = [
        [_("Country"), m["country"]],
        [_("Inventory year"), str(m["year"])],
        [_("Ministry / institution responsible"), todo],
        [_("Contact person, e-mail, telephone"), todo],
        [_("Report issuing date"), todo],
        [
            _("Method"),
            _("UNEP Toolkit, {method}").format(method=inv.method_label()),
        ],
        [_("Toolkit version"), f.meta.get("based_on", _("unknown"))],
        [_("Factor table"), f"{f.title} ({f.label}, sha256 {f.sha256[:12]})"],
        [_("Activity data"), f"{m['input_file']} (sha256 {m['input_sha256'][:12]})"],
        [_("Computed"), f"hginv {m['hginv_version']}, {m['computed_at']}"],
    ]
    return [
        Para(
            _(
                "Draft produced by hginv from the activity data of the national inventory team. "
                "Complete the fields marked {todo}, review the text and the factors, then "
                "circulate."
            ).format(todo=todo),
            "lead",
        ),
        Table(_("Report details"), [_("Field"), _("Value")], rows),
        *_caution(inv),
    ]


def _executive_summary(inv: Inventory) -> list:
    t = inv.totals()
    counts = sources_by_presence(inv)
    outputs = t["releases_kg"]
    released = t["releases_awl_kg"]
    main = sorted(RELEASE_PATHWAYS, key=lambda p: -t[f"{p}_kg"])
    text = _(
        "This draft inventory of {country} for {year} quantifies {quantified} of the {sources} "
        "sub-categories of the UNEP Toolkit ({method}). The total quantified mercury "
        "input to society is {input} kg Hg/y. After the adjustments for double counting, "
        "{released} kg Hg/y are released to air, water and land, the largest release "
        "pathway first: {pathways}. Apart from these releases, {transfers} kg Hg/y are "
        "transferred to by-products and impurities, general waste and sector specific "
        "treatment/disposal, where part of it may be released later."
    ).format(
        country=clean(inv.country.country),
        year=inv.country.year,
        quantified=inv.codes_quantified,
        sources=inv.codes_in_table,
        method=inv.method_label(),
        input=kg(t["hg_input_kg"]),
        released=kg(released),
        pathways=", ".join(
            f"{_pathway(p).lower()} ({kg(t[f'{p}_kg'])} {_('kg Hg/y')}, "
            f"{pct(t[f'{p}_kg'] / released if released else 0.0)})"
            for p in main
        ),
        transfers=kg(t["transfers_kg"]),
    )
    rows = []
    for key, name, value in inv.release_summary():
        if key == "outputs_beyond_input_kg":
            continue
        shown = pct(value / outputs if outputs else 0.0) if key != "hg_input_kg" else ""
        rows.append([name, kg(value), shown])
    beyond = inv.beyond_input_sentence()
    rankings = [
        (
            "releases_awl_kg",
            _("The ten largest sources of releases to air, water and land"),
            _("Releases to air, water and land (kg Hg/y)"),
            released,
        ),
        (
            "air_kg",
            _("The ten largest sources of releases to air"),
            _("Air (kg Hg/y)"),
            t["air_kg"],
        ),
        (
            "counted_input_kg",
            _("The ten largest mercury inputs (counted in the total)"),
            _("Hg input counted (kg Hg/y)"),
            t["hg_input_kg"],
        ),
    ]
    ranked = [(by, caption, head, whole, _top(inv, by=by)) for by, caption, head, whole in rankings]
    gaps = counts.get("NE", 0) + counts.get("not reported", 0)
    blocks: list = [
        Heading(1, _("1 Executive summary")),
        *(
            [Para(_("WARNING: {text}").format(text=_(EMPTY_WARNING)), "caution")]
            if inv.results.empty
            else []
        ),
        Para(text),
        *([Para(beyond)] if beyond else []),
        Table(
            _("Main results: releases to air, water and land, and transfers (kg Hg/y)"),
            [_("Quantity"), _("kg Hg/y"), _("Share of all outputs")],
            rows,
            {1, 2},
            total_rows=1,
        ),
        Figure(
            "pathways",
            _(
                "Releases to air, water and land, and transfers to products and waste, as "
                "counted in the national totals (kg Hg/y)"
            ),
        ),
    ]
    top = ranked[0][4]
    if len(top):
        blocks.append(
            Para(
                _(
                    "The largest sources of releases to air, water and land are {sources}. "
                    "Sources are ranked by their releases, never by all their outputs: a "
                    "landfill or a waste incinerator receives mercury already counted in the "
                    "products it disposes of."
                ).format(
                    sources="; ".join(
                        f"{clean(r.sub_category)} ({kg(r.releases_awl_kg)} {_('kg Hg/y')})"
                        for r in top.head(3).itertuples(index=False)
                    )
                )
            )
        )
        for by, caption, head, whole, frame in ranked:
            if not len(frame):
                continue
            blocks.append(
                Table(
                    caption,
                    [_("Rank"), _("Code"), _("Sub-category"), head, _("Share of the total")],
                    [
                        [
                            str(i),
                            r.code,
                            clean(r.sub_category),
                            kg(getattr(r, by)),
                            pct(getattr(r, by) / whole if whole else 0.0),
                        ]
                        for i, r in enumerate(frame.itertuples(index=False), start=1)
                    ],
                    {0, 3, 4},
                )
            )
            if by == "releases_awl_kg":
                blocks.append(
                    Figure(
                        "top",
                        _(
                            "The ten largest sources: releases to air, water and land counted "
                            "in the totals (kg Hg/y)"
                        ),
                    )
                )
    blocks.append(
        Para(
            _(
                "Data gaps: {n} sub-categories were not estimated (NE) or not reported; they are "
                "listed in chapter 2 and in the data-gap section of each source group chapter. "
                "The totals above are therefore lower bounds for the sources present."
            ).format(n=gaps)
            if gaps
            else _("Every sub-category of the Toolkit was either quantified or reported absent.")
        )
    )
    return blocks


def _source_types(inv: Inventory) -> list:
    counts = sources_by_presence(inv)
    groups = _groups(inv)
    return [
        Heading(1, _("2 Mercury release source types present")),
        Para(
            _(
                "Every sub-category of the Toolkit, with what the inventory team reported for "
                "it: quantified (an activity rate was given), NO (the activity does not occur in "
                "the country), NE (it may occur but was not estimated), NA (not applicable), IE "
                "(included elsewhere) or not reported (left blank in the activity workbook). An "
                "alternative calculation left blank because its default row was quantified is "
                "not a data gap."
            )
        ),
        Table(
            _("Number of sub-categories by status"),
            [_("Status"), _("Number of sub-categories")],
            [[_(PRESENCE_TEXT[k]) if k in PRESENCE_TEXT else k, str(v)] for k, v in counts.items()],
            {1},
        ),
        Table(
            _("Mercury release source types present"),
            [_("Code"), _("Sub-category"), _("Source group"), _("Status"), _("Notes")],
            [
                [
                    r.code,
                    _sub(r.code, r.sub_category),
                    clean(groups.get(r.source_group, r.source_group)),
                    presence_word(r.presence),
                    clean(r.detail),
                ]
                for r in sources_present(inv).itertuples(index=False)
            ],
            small=True,
        ),
    ]


def _adjustment_rows(labels_at: int, width: int, values: list[tuple[int, float, float]]):
    """The three summary lines: sum, adjustment for double counting, total after adjustment."""
    lines = []
    for label, pick in (
        (N_("Sum of calculated values"), lambda s, t: s),
        (N_("Adjustment for double counting"), lambda s, t: t - s),
        (N_("Total quantified"), lambda s, t: t),
    ):
        row = [""] * width
        row[labels_at] = _(label)
        for col, s, t in values:
            row[col] = kg(pick(s, t))
        lines.append(row)
    return lines


def _input_note(inv: Inventory, calculated: float, counted: float) -> Para:
    """Why the counted column is smaller than the calculated one, in amounts that add up at
    the precision printed: the double counting is what the printed totals and the printed
    estimates leave (each rounded once, as the table shows them)."""
    aside = float(inv.estimates_aside()["hg_input_kg"].sum())

    def tenth(v: float):
        return numbers.rounded(v, 1)

    double = tenth(calculated) - tenth(counted) - tenth(aside)
    if aside:
        text = _(
            "The input counted in the total is the calculated input less {double} kg Hg/y of "
            "waste input already counted under the product sub-categories (double counting) "
            "and less {aside} kg Hg/y of the project's estimates, indicative and set aside "
            "(no Toolkit default)."
        )
    else:
        text = _(
            "The input counted in the total is the calculated input less {double} kg Hg/y of "
            "waste input already counted under the product sub-categories (double counting)."
        )
    return Para(text.format(double=kg(double), aside=kg(aside)), "note")


def _inputs_summary(inv: Inventory) -> list:
    """Chapter 3: each column's total is the sum of its rows; the counted column already
    holds each row's counted share, so no adjustment line is needed (the note says what the
    difference between the two columns is made of)."""
    s = inv.input_summary()
    r = inv.results
    calc = r.groupby(["group_order", "group_name"], sort=True)["hg_input_kg"].sum()
    counted = inv.group_summary().set_index("source_group")["hg_input_kg"]
    total_calc, total_counted = float(s["hg_input_kg"].sum()), float(s["counted_input_kg"].sum())
    groups = _groups(inv)
    group_rows = [
        [clean(groups.get(name, name)), kg(v), kg(counted.get(name, 0.0))]
        for (_order, name), v in calc.items()
    ]
    group_rows.append([_("Total"), kg(total_calc), kg(total_counted)])
    aside = set(inv.estimates_aside().index)
    rows = [
        [
            x.code,
            _sub(x.code, x.sub_category),
            kg(x.hg_input_kg),
            _("estimate, set aside") if i in aside else pct(x.counted_share),
            kg(x.counted_input_kg),
        ]
        for i, x in zip(s.index, s.itertuples(index=False), strict=True)
    ]
    rows.append(["", _("Total"), kg(total_calc), "", kg(total_counted)])
    return [
        Heading(1, _("3 Summary of mercury inputs to society")),
        Para(
            _(
                "Mercury inputs to society are the quantities of mercury mobilised by the "
                "economy: Hg input = activity rate x input factor. Only part of the input "
                "calculated for some waste sub-categories counts in the total, because most "
                "mercury in waste was already counted as input under the product sub-categories "
                "(column 'Share counted')."
            )
        ),
        Table(
            _("Mercury inputs to society by source group (kg Hg/y)"),
            [_("Source group"), _("Calculated Hg input"), _("Hg input counted in the total")],
            group_rows,
            {1, 2},
            total_rows=1,
        ),
        _input_note(inv, total_calc, total_counted),
        Table(
            _("Mercury inputs to society by sub-category (kg Hg/y)"),
            [
                _("Code"),
                _("Sub-category"),
                _("Calculated Hg input"),
                _("Share counted"),
                _("Counted in total"),
            ],
            rows,
            {2, 3, 4},
            total_rows=1,
            small=True,
        ),
    ]


def _release_note(inv: Inventory) -> str:
    r = inv.results
    excluded = r[r["release_total_exclude"] != ""]
    if not len(excluded):
        return _("Double counting: no adjustment applies to the sub-categories present.")
    return _(
        "Double counting: {rows}. Only the counted share of the waste inputs enters the total "
        "input (chapter 3)."
    ).format(
        rows="; ".join(
            _("{code} {name}: the release to {pathways} is left out of the total").format(
                code=x.code,
                name=_sub(x.code, x.sub_category),
                pathways=", ".join(_pathway(p).lower() for p in x.release_total_exclude.split(";")),
            )
            for x in excluded.itertuples(index=False)
        )
    )


def _releases_summary(inv: Inventory) -> list:
    g = inv.group_summary()
    sums, totals = inv.sums(), inv.totals()
    keys = [*OUTPUT_COLUMNS, "releases_kg"]
    heads = [_short(p) for p in PATHWAYS] + [_("Total")]
    groups = _groups(inv)
    group_rows = [
        [clean(groups.get(x.source_group, x.source_group))] + [kg(getattr(x, k)) for k in keys]
        for x in g.itertuples()
    ]
    group_rows.append([_("National total")] + [kg(totals[k]) for k in keys])
    r = inv.results
    rows = [
        [x.code, clean(x.label)]
        + [kg(getattr(x, c)) for c in OUTPUT_COLUMNS]
        + [kg(sum(getattr(x, c) for c in OUTPUT_COLUMNS))]
        for x in r.itertuples(index=False)
    ]
    rows += _adjustment_rows(
        1, 2 + len(keys), [(2 + i, sums[k], totals[k]) for i, k in enumerate(keys)]
    )
    return [
        Heading(1, _("4 Summary of mercury releases")),
        Para(
            _(
                "The Hg input of each sub-category is distributed to six output pathways with "
                "the Toolkit's distribution factors. Air, water and land are releases to the "
                "environment. By-products and impurities, general waste and sector specific "
                "treatment/disposal are transfers: the mercury goes to products or to waste "
                "treatment, where part of it may be released later, and the waste "
                "sub-categories (landfills, incineration, wastewater) count it again. The "
                "executive summary therefore gives releases and transfers apart, and ranks "
                "sources by their releases, never by all outputs."
            )
        ),
        Table(
            _(
                "Mercury releases by source group and pathway, as counted in the national totals "
                "(kg Hg/y)"
            ),
            [_("Source group"), *heads],
            group_rows,
            set(range(1, 1 + len(keys))),
            total_rows=1,
            small=True,
        ),
        Figure(
            "groups",
            _(
                "Outputs by source group and pathway: releases to air, water and land, then "
                "transfers (kg Hg/y)"
            ),
        ),
        Landscape(),
        Table(
            _("Mercury releases by sub-category and pathway (kg Hg/y)"),
            [_("Code"), _("Sub-category"), *heads],
            rows,
            set(range(2, 2 + len(keys))),
            total_rows=3,
            small=True,
        ),
        Para(_release_note(inv), "note"),
        Heading(2, _("4.1 Uncertainty of the estimates")),
        *uncertainty_blocks(inv),
    ]


def uncertainty_blocks(inv: Inventory) -> list:
    """Render `inv.uncertainty` when a run computed it (a DataFrame or a dict); else say so."""
    u = getattr(inv, "uncertainty", None)
    if u is None:
        return [
            Para(
                _(
                    "Uncertainty ranges were not computed for this run. The Toolkit gives low "
                    "and high input factors for many sub-categories (Annex A); the real releases "
                    "may differ from the central estimates above by a factor of several."
                )
            )
        ]
    if isinstance(u, pd.DataFrame):
        frame = u.reset_index() if u.index.name else u
        numeric = {
            i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])
        }
        rows = [
            [kg(v) if i in numeric else clean(v) for i, v in enumerate(values)]
            for values in frame.itertuples(index=False)
        ]
        return [
            Table(
                _("Uncertainty ranges (kg Hg/y)"),
                [clean(c) for c in frame.columns],
                rows,
                numeric,
                small=True,
            )
        ]
    if isinstance(u, dict):
        rows = [[clean(k), kg(v) if isinstance(v, int | float) else clean(v)] for k, v in u.items()]
        return [Table(_("Uncertainty ranges (kg Hg/y)"), [_("Quantity"), _("Range")], rows)]
    if hasattr(u, "table"):
        return _monte_carlo_blocks(u, _groups(inv))
    return [Para(clean(u))]


UNCERTAINTY_NAMES = {
    "hg_input_kg": N_("Hg input"),
    **{f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS},
    "releases_kg": SUBTOTAL_LABELS["releases_kg"],
}


def _quantity(name) -> str:
    return _(UNCERTAINTY_NAMES[name]) if name in UNCERTAINTY_NAMES else clean(name)


def _monte_carlo_blocks(u, names: dict[str, str]) -> list:
    """The ranges of a run with --uncertainty: national totals, then source groups (`names`:
    English source-group name -> its name in the report's language)."""
    lang = get_language()
    head = [
        _("Quantity"),
        _("Point estimate"),
        _("2.5th percentile"),
        _("97.5th percentile"),
        _("Approach 1 U (%)"),
    ]
    total = u.table("total")
    rows = [
        [
            _quantity(x["quantity"]),
            kg(x["point"]),
            kg(x["p025"]),
            kg(x["p975"]),
            numbers.format_number(x["approach1_u_pct"], "percent", locale=lang),
        ]
        for _i, x in total.iterrows()
    ]
    group = u.table("group")
    group = group[group["quantity"].isin(["hg_input_kg", "releases_kg"])]
    group_rows = [
        [
            clean(names.get(x["label"], x["label"])),
            _quantity(x["quantity"]),
            kg(x["point"]),
            kg(x["p025"]),
            kg(x["p975"]),
        ]
        for _i, x in group.iterrows()
        if x["point"] or x["p975"]
    ]
    return [
        Para(
            _(
                "Monte Carlo analysis with {draws} draws (seed {seed}; the same seed gives the "
                "same numbers): input factors drawn within their low-high range, activity rates "
                "with their stated uncertainty, distribution factors around the defaults. The "
                "ranges are the 2.5th and 97.5th percentiles (the interval at 95 %); Approach 1 "
                "is the IPCC error propagation. Totals are counted as in the national totals."
            ).format(draws=numbers.format_number(u.draws, "count", locale=lang), seed=u.seed)
        ),
        Table(_("Uncertainty of the national totals (kg Hg/y)"), head, rows, {1, 2, 3, 4}),
        Table(
            _("Uncertainty by source group, as counted in the national totals (kg Hg/y)"),
            [
                _("Source group"),
                _("Quantity"),
                _("Point estimate"),
                _("2.5th percentile"),
                _("97.5th percentile"),
            ],
            group_rows,
            {2, 3, 4},
            small=True,
        ),
    ]


def crosscheck_blocks(inv: Inventory) -> list:
    """Annex: the comparison of air releases with the EMEP/EEA Guidebook (--crosscheck)."""
    from hginventory.write.option_sheets import word
    cc = getattr(inv, "crosscheck", None)
    if cc is None:
        return []
    mapped = cc.mapped
    rows = [
        [
            clean(x["code"]),
            _sub(x["code"], x["sub_category"])
            + (f" - {clean(x['facility'])}" if x.get("facility") else ""),
            kg(x["air_kg"]),
            kg(x["air_kg_emep"]),
            kg(x["air_kg_emep_low"]),
            kg(x["air_kg_emep_high"]),
            numbers.format_number(x["ratio"], "ratio", locale=get_language()),
            clean(word(x["flag"])),
        ]
        for x in mapped.to_dict("records")
    ]
    f = cc.factors
    return [
        Landscape(),
        Heading(
            1, _("Annex D Cross-check of air releases with the EMEP/EEA Guidebook"), annex=True
        ),
        Para(
            _(
                "{flagged} of the {mapped} sub-categories with a Guidebook row are flagged: their "
                "Toolkit air figure lies outside the Guidebook's interval at 95 %. Guidebook air "
                "= activity rate x conversion to the Guidebook's activity unit x emission factor "
                "({table}, {label}). Large gaps are expected where the Toolkit factor stands for "
                "plants with little abatement and the Guidebook factor for abated plants, or the "
                "reverse."
            ).format(
                flagged=cc.codes_flagged,
                mapped=cc.codes_mapped,
                table=clean(f.title),
                label=f.label,
            )
        ),
        Table(
            _("Air releases: Toolkit and EMEP/EEA Guidebook (kg Hg/y)"),
            [
                _("Code"),
                _("Sub-category"),
                _("Toolkit air"),
                _("Guidebook air"),
                _("Guidebook low, 95 % CI"),
                _("Guidebook high, 95 % CI"),
                _("Ratio"),
                _("Flag"),
            ],
            rows,
            {2, 3, 4, 5, 6},
            small=True,
        ),
    ]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _group_chapters(inv: Inventory, first_number: int = 5) -> list:
    groups = sorted(inv.factors.groups.values(), key=lambda g: g.get("order", 99))
    r, s = inv.results, sources_present(inv)
    blocks: list = []
    names = _groups(inv)
    for n, g in enumerate(groups, start=first_number):
        name = g["name"]
        rows = r[r["group_name"] == name]
        present = s[s["source_group"] == name]
        shown = _lower_first(clean(names.get(name, name)))
        blocks.append(Heading(1, _("{n} Data and inventory on {group}").format(n=n, group=shown)))
        if not len(rows):
            blocks.append(Para(_("No sub-category of this source group was quantified.")))
        else:
            blocks += _group_tables(inv, n, rows)
        gaps = present[present["presence"].isin(["NE", "not reported"])]
        blocks.append(Heading(2, _("{n}.{m} Data gaps").format(n=n, m=4 if len(rows) else 1)))
        if len(gaps):
            blocks.append(
                Table(
                    _("Sub-categories not estimated or not reported"),
                    [_("Code"), _("Sub-category"), _("Status"), _("Notes")],
                    [
                        [
                            x.code,
                            _sub(x.code, x.sub_category),
                            presence_word(x.presence),
                            clean(x.detail),
                        ]
                        for x in gaps.itertuples(index=False)
                    ],
                )
            )
        else:
            blocks.append(
                Para(_("None: every sub-category of this group was quantified or reported absent."))
            )
    return blocks


def _group_tables(inv: Inventory, n: int, rows: pd.DataFrame) -> list:
    from hginventory.tables.translations import sub_category_translations

    lang = get_language()
    own = sub_category_translations(lang)
    places = numbers.decimals(numbers.ACTIVITY, rows["activity"])
    activity = [
        [
            x.code,
            clean(x.label),
            numbers.format_number(x.activity, numbers.ACTIVITY, places, locale=lang),
            clean(x.activity_unit),
            clean(own.get(x.code, {}).get("activity_description") or x.activity_description),
            clean(x.notes),
        ]
        for x in rows.itertuples(index=False)
    ]
    headers = [
        _("Code"),
        _("Sub-category"),
        _("Activity rate"),
        _("Unit"),
        _("Activity"),
        _("Notes from the input"),
    ]
    from hginventory.write.submission_report import with_data_quality

    headers, activity = with_data_quality(inv, rows, headers, activity)
    factors = []
    for x in rows.itertuples(index=False):
        used = f"{factor(x.input_factor)} {x.input_factor_unit}"
        if x.scaling == "electrification":
            rate = inv.country.electrification_rate
            used += _(" (default {factor} x electrification {rate} %)").format(
                factor=factor(x.default_input_factor),
                rate=numbers.format_number(rate, numbers.ACTIVITY, locale=lang),
            )
        dist = ", ".join(
            f"{_short(p).lower()} {share(getattr(x, p))}" for p in PATHWAYS if getattr(x, p)
        )
        status = x.status + (f" ({x.confidence})" if x.status == "recalled" else "")
        factors.append(
            [
                x.code,
                used,
                dist,
                status.upper() if x.status == "recalled" else status,
                clean(x.factor_source),
            ]
        )
    results = [
        [x.code, clean(x.label), kg(x.hg_input_kg)] + [kg(getattr(x, c)) for c in OUTPUT_COLUMNS]
        for x in rows.itertuples(index=False)
    ]
    results.append(
        ["", _("Sum of the group"), kg(rows["hg_input_kg"].sum())]
        + [kg(rows[c].sum()) for c in OUTPUT_COLUMNS]
    )
    return [
        Heading(2, _("{n}.1 Activity data").format(n=n)),
        Table(
            _("Activity data"),
            headers,
            activity,
            {2},
            small=True,
        ),
        Heading(2, _("{n}.2 Factors used").format(n=n)),
        Table(
            _("Input factors and output distribution factors"),
            [
                _("Code"),
                _("Input factor used"),
                _("Distribution factors"),
                _("Status"),
                _("Source"),
            ],
            factors,
            small=True,
        ),
        Heading(2, _("{n}.3 Results").format(n=n)),
        Table(
            _("Hg input and releases per pathway, before adjustment for double counting (kg Hg/y)"),
            [_("Code"), _("Sub-category"), _("Hg input"), *(_short(p) for p in PATHWAYS)],
            results,
            set(range(2, 3 + len(PATHWAYS))),
            total_rows=1,
            small=True,
        ),
        *_worst_practice_lines(inv, rows),
    ]


def _worst_practice_lines(inv: Inventory, rows: pd.DataFrame) -> list:
    """A flagged line under the results of each facility of the group that uses a worst
    practice of Minamata Convention Annex C (cyanidation of mercury-contaminated tailings)."""
    from hginventory.engine.level2 import worst_practice_line, worst_practices

    flagged = worst_practices(inv)
    flagged = flagged[flagged["code"].isin(set(rows["code"]))]
    return [Para(clean(worst_practice_line(x)), "caution") for x in flagged.to_dict("records")]


def _annexes(inv: Inventory) -> list:
    f = inv.factors
    used = set(inv.results["code"])
    rows = []
    for x in f.rows:
        span = ""
        if x.input_factor_low is not None or x.input_factor_high is not None:
            span = f"{factor(x.input_factor_low)}-{factor(x.input_factor_high)}"
        status = x.status + (f" ({x.confidence})" if x.confidence else "")
        if x.split_status != x.status:
            status += "; " + _("split {status}").format(status=x.split_status)
        rows.append(
            [
                x.code + (" *" if x.code in used else ""),
                _sub(x.code, x.sub_category),
                factor(x.input_factor),
                span,
                x.input_factor_unit,
                *(share(getattr(x, p)) for p in PATHWAYS),
                status,
                clean(f.source(x)),
            ]
        )
    docs = [
        [clean(k), clean(d.get("title", "")), clean(d.get("version", "")), clean(d.get("address"))]
        for k, d in f.documents.items()
    ]
    meta = [[clean(k), _meta_value(k, v)] for k, v in inv.metadata.items()]
    blocks: list = [
        Landscape(),
        Heading(1, _("Annex A Factor table used"), annex=True),
        Para(
            _(
                "{table} ({label}, sha256 {sha256}). Rows marked * were used in this inventory. "
                "Each factor has one of four statuses: 'confirmed' (checked against the cited "
                "document, table and page), 'recalled' (a Toolkit value remembered with its "
                "table, not checked against a copy of the Toolkit; confidence hi/med/lo says "
                "how sure the recollection is), 'estimated' (no Toolkit default is known: the "
                "project's own value, its note says how it was derived; left out of the totals "
                "unless --include-estimates) and 'national' (a country's own value). A split "
                "status follows when the distribution factors stand differently from the input "
                "factor."
            ).format(table=clean(f.title), label=f.label, sha256=f.sha256),
        ),
        Table(
            _("Input factors (with low-high range) and output distribution factors"),
            [
                _("Code"),
                _("Sub-category"),
                _("Input factor"),
                _("Low-high"),
                _("Unit"),
                *(_short(p) for p in PATHWAYS),
                _("Status"),
                _("Source"),
            ],
            rows,
            set(range(2, 4)) | set(range(5, 5 + len(PATHWAYS))),
            small=True,
        ),
        Heading(1, _("Annex B Documents cited"), annex=True),
        Table(_("Documents"), [_("Id"), _("Title"), _("Version"), _("Address")], docs, small=True),
        Heading(1, _("Annex C Run metadata"), annex=True),
        Table(_("Run metadata"), [_("Field"), _("Value")], meta, small=True),
    ]
    if inv.warnings:
        blocks.append(Heading(2, _("Warnings from reading the activity workbook")))
        blocks += [Para(clean(w), "note") for w in inv.warnings]
    return blocks


def _meta_value(key: str, value) -> str:
    """A metadata value as text: numbers with separators (population 18,400,000), years,
    seeds and text as they are."""
    from hginventory.write.workbook import IDENTIFIERS

    if isinstance(value, bool) or not isinstance(value, int | float) or key in IDENTIFIERS:
        return clean(value)
    return numbers.format_number(value, numbers.ACTIVITY, locale=get_language())


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
                _sub(x.code, x.sub_category),
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
                _sub(x.code, x.sub_category),
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


def build_document(inv: Inventory, chapters=None) -> list:
    """The report as blocks, in the order of the Toolkit reporting template.

    `chapters(number)` gives more numbered chapters (such as the trend over the years), put
    after the source group chapters and before the annexes.
    """
    from hginventory.write import submission_report
    blocks = [
        *_cover(inv),
        *_executive_summary(inv),
        *_source_types(inv),
        *submission_report.presence_blocks(inv),
        *_inputs_summary(inv),
        *_releases_summary(inv),
        *_group_chapters(inv),
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
    return blocks + _annexes(inv) + cross + article21


def title(inv: Inventory) -> str:
    return _("National inventory of mercury releases in {country}").format(
        country=clean(inv.country.country)
    )


def subtitle(inv: Inventory) -> str:
    return _("Inventory year {year} - draft").format(year=inv.country.year)


COLOURS = ["#4e79a7", "#59a14f", "#9c755f", "#edc948", "#bab0ac", "#e15759"]


def _chart(inv: Inventory, name: str):
    """A matplotlib Figure (no pyplot, so no GUI backend and no global state)."""
    from matplotlib.figure import Figure as MplFigure

    totals = inv.totals()
    if name == "pathways":
        fig = MplFigure(figsize=(7, 3.6))
        ax = fig.add_subplot()
        keys = [
            *(f"{p}_kg" for p in RELEASE_PATHWAYS),
            "releases_awl_kg",
            *(f"{p}_kg" for p in TRANSFER_PATHWAYS),
            "transfers_kg",
        ]
        names = {f"{p}_kg": _pathway(p) for p in PATHWAYS}
        names |= {k: _(SUBTOTAL_LABELS[k]) for k in ("releases_awl_kg", "transfers_kg")}
        labels = [_wrap(names[k], 30, 2) for k in keys]
        values = [totals[k] for k in keys]
        colours = [*COLOURS[:3], "#2f4b7c", *COLOURS[3:], "#6b6b6b"]
        bars = ax.barh(labels, values, color=colours)
        outputs = totals["releases_kg"] or 1.0
        ax.bar_label(bars, labels=[f" {kg(v)} ({pct(v / outputs)})" for v in values], fontsize=8)
        ax.invert_yaxis()
    elif name == "groups":
        g = inv.group_summary()
        fig = MplFigure(figsize=(7, 0.45 * len(g) + 1.8))
        ax = fig.add_subplot()
        left = [0.0] * len(g)
        groups = _groups(inv)
        labels = [_wrap(groups.get(x, x)) for x in g["source_group"]]
        for p, colour in zip(PATHWAYS, COLOURS, strict=True):
            values = list(g[f"{p}_kg"])
            ax.barh(labels, values, left=left, color=colour, label=_pathway(p))
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.invert_yaxis()
        ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.4, -0.12))
    else:
        top = _top(inv)
        labels = [_wrap(f"{c} {s}") for c, s in zip(top["code"], top["sub_category"], strict=True)]
        tallest = max((label.count("\n") + 1 for label in labels), default=1)
        fig = MplFigure(figsize=(7, (0.1 + 0.125 * tallest) * len(top) + 1.2))
        ax = fig.add_subplot()
        bars = ax.barh(labels, top["releases_awl_kg"], color=COLOURS[0])
        ax.bar_label(bars, labels=[f" {kg(v)}" for v in top["releases_awl_kg"]], fontsize=8)
        ax.invert_yaxis()
    ax.set_xlabel(_("kg Hg/y"))
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(numbers.axis_formatter(locale=get_language())))
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.18)
    fig.set_layout_engine("tight")
    return fig


def _wrap(text: str, width: int = 42, lines: int = 3) -> str:
    """A chart label on at most `lines` lines, between words; a longer one ends with an
    ellipsis, never silently cut ('... concentrate amalgamation' lost 'without retort')."""
    import textwrap

    return "\n".join(textwrap.wrap(clean(text), width, max_lines=lines, placeholder=" \u2026"))


def chart_svg(inv: Inventory, name: str, draw=None) -> str:
    """The chart as an inline <svg> element (text kept as text, ids unique per chart)."""
    import matplotlib

    rc = {"svg.fonttype": "none", "svg.hashsalt": f"hginv-{name}", "text.parse_math": False}
    with matplotlib.rc_context(rc):  # input text such as '$x$' is text, never mathtext
        buf = io.StringIO()
        (draw() if draw else _chart(inv, name)).savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def chart_png(inv: Inventory, name: str, draw=None) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"text.parse_math": False}):  # input text is never mathtext
        (draw() if draw else _chart(inv, name)).savefig(buf, format="png", dpi=150)
    return buf.getvalue()


def core_property(text: str, limit: int = 255) -> str:
    """A .docx core property holds at most 255 characters: longer text is cut, with an
    ellipsis."""
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _docx_table(doc, block: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    caption = doc.add_paragraph(clean(block.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True  # never a caption alone at a page bottom
    table = doc.add_table(rows=1, cols=len(block.headers), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    size = Pt(7.5 if block.small else 9)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    last_body = len(block.rows) - block.total_rows
    grid = [header.cells]
    for i, (cell, text) in enumerate(zip(header.cells, block.headers, strict=True)):
        _docx_cell(cell, clean(text), size, bold=True, right=i in block.numeric, header=True)
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "DDEBF7")
        cell._tc.get_or_add_tcPr().append(shade)
    for cell in header.cells:  # the header row stays with the first row of data
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    for r, values in enumerate(block.rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = row.cells
        grid.append(cells)
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _docx_cell(cell, clean(text), size, bold=r >= last_body, right=i in block.numeric)
    section = doc.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin - Cm(0.5)
    widths = [Cm(w) for w in _column_widths(block, usable / Cm(1))]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice follows
    for cells in grid:
        for cell, width in zip(cells, widths, strict=True):  # the cell widths, which Word follows
            cell.width = width
    doc.add_paragraph()


WIDE_GLYPHS = frozenset("MWmw@%")
NARROW_GLYPHS = frozenset("fijlrtI.,;:'|!()[] ")


def text_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of `text` in cm at `size_pt`, measured for a wide font (the DejaVu that
    LibreOffice falls back to without Calibri is wider than Calibri): `MNm3` must fit its cell."""
    em = 0.0
    for ch in text:
        if ch in WIDE_GLYPHS:
            em += 1.05
        elif ch in NARROW_GLYPHS:
            em += 0.4
        elif ch.isupper():
            em += 0.8
        else:
            em += 0.66
    return em * size_pt * (1.08 if bold else 1.0) / 28.35


def _column_widths(block: Table, usable_cm: float) -> list[float]:
    """Column widths in cm: short columns as wide as their longest word or value, the long text
    columns share the rest of the page in proportion to their content; no column narrower
    than its longest word (units, codes), so that words are never broken in the middle."""
    size = 7.5 if block.small else 9
    margin = 0.6  # the cell's left and right margins, and some room
    last_body = len(block.rows) - block.total_rows
    natural, words = [], []
    for i, head in enumerate(block.headers):
        values = [(clean(r[i]), k >= last_body) for k, r in enumerate(block.rows)]  # bold totals
        head_words = clean(head).split() or [""]
        longest = max(
            [text_cm(v[:70], size, bold) for v, bold in values]
            + [text_cm(w, size, True) for w in head_words]
        )
        if i in block.numeric:  # a number is one word: "4 692,5" never breaks at its marks
            pieces = [text_cm(v, size, bold) for v, bold in values]
        else:
            pieces = [text_cm(w[:40], size, bold) for v, bold in values for w in v.split()]
        word = max(pieces + [text_cm(w[:40], size, True) for w in head_words])
        natural.append(longest + margin)
        words.append(word + margin)
    short = [w <= 3.2 for w in natural]
    fixed = sum(w for w, s in zip(natural, short, strict=True) if s)
    flexible = sum(w for w, s in zip(natural, short, strict=True) if not s)
    room = usable_cm - fixed
    if not flexible or room <= 0 or flexible <= room:
        scale = usable_cm / sum(natural) if sum(natural) > usable_cm else 1.0
        widths = [w * scale for w in natural]
    else:
        widths = [w if s else w * room / flexible for w, s in zip(natural, short, strict=True)]
    widths = [max(w, m) for w, m in zip(widths, words, strict=True)]
    slack = sum(w - m for w, m in zip(widths, words, strict=True))
    excess = sum(widths) - usable_cm
    if excess > 0 and slack > 0:
        cut = min(1.0, excess / slack)
        widths = [w - (w - m) * cut for w, m in zip(widths, words, strict=True)]
    return widths


def cell_text(text: str) -> str:
    """A table cell's text as printed: a per cent sign never starts a line ('95 %')."""
    return text.replace(" %", "\u00a0%")


def _docx_cell(cell, text: str, size, bold: bool, right: bool, header: bool = False) -> None:
    """A cell's text; a number (`right`, not a `header`) is aligned right and never wrapped."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    para = cell.paragraphs[0]
    run = para.add_run(cell_text(text))
    run.font.size = size
    run.bold = bold
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if right and not header:
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _docx_landscape(doc) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    if current.orientation == WD_ORIENT.LANDSCAPE:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = current.page_height, current.page_width


def _docx_portrait(doc) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    if current.orientation == WD_ORIENT.PORTRAIT:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = current.page_height, current.page_width


def build_docx(inv: Inventory, blocks: list | None = None):
    """The report as a python-docx Document: real headings (Heading 1/2) and real tables."""
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    blocks = build_document(inv) if blocks is None else blocks
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for s in ("left_margin", "right_margin"):
        setattr(section, s, Cm(2))
    doc.styles["Normal"].font.size = Pt(10)
    props = doc.core_properties
    props.title = core_property(title(inv))
    props.subject = core_property(
        _("Mercury release inventory {year}").format(year=inv.country.year)
    )
    props.language = get_language()
    props.author = "hginv"
    props.comments = core_property(
        _("Draft generated by hginv {version}").format(version=inv.metadata["hginv_version"])
    )
    doc.add_heading(title(inv), level=0)
    doc.add_paragraph(subtitle(inv), style="Subtitle")
    for block in blocks:
        if isinstance(block, Heading):
            if block.level == 1 and not block.annex:
                _docx_portrait(doc)
            doc.add_heading(clean(block.text), level=block.level)
        elif isinstance(block, Para):
            if block.kind == "caution":
                para = doc.add_paragraph(style="Intense Quote")
                run = para.add_run(clean(block.text))
                run.bold = True
                run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
            else:
                para = doc.add_paragraph(clean(block.text))
                if block.kind in ("note", "lead"):
                    para.runs[0].italic = True
        elif isinstance(block, Table):
            _docx_table(doc, block)
        elif isinstance(block, Figure):
            width = doc.sections[-1].page_width - Cm(4)
            picture = chart_png(inv, block.name, block.draw)
            doc.add_picture(io.BytesIO(picture), width=min(width, Cm(16)))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True  # with its caption
            doc.add_paragraph(clean(block.caption), style="Caption")
        elif isinstance(block, Landscape):
            _docx_landscape(doc)
    return doc


def write_docx(inv: Inventory, path: str | Path, protect=(), chapters=None) -> Path:
    doc = build_docx(inv, build_document(inv, chapters))
    return atomic_write(path, lambda tmp: doc.save(str(tmp)), protect)


CSS = """
body{font-family:Calibri,Carlito,'Segoe UI',Arial,sans-serif;max-width:64rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem;border-bottom:2px solid #2f5496;color:#2f5496;margin-top:2.5rem}
h1.title{font-size:2rem;border:0;margin-top:0}
h2{font-size:1.15rem;color:#2f5496}
table{border-collapse:collapse;margin:.3rem 0 1.2rem;font-size:.9rem}
table.small{font-size:.78rem}
th,td{border:1px solid #a6a6a6;padding:.2rem .4rem;vertical-align:top;text-align:left}
th{background:#ddebf7}
td.n,th.n{text-align:right}
td.n{white-space:nowrap}
.wide{overflow-x:auto}
tr.total td{font-weight:bold;background:#f2f2f2}
caption{caption-side:top;text-align:left;font-style:italic;color:#44546a;padding:.2rem 0}
.caution{border-left:6px solid #9c0006;background:#ffc7ce;color:#9c0006;font-weight:bold;
padding:.6rem 1rem;margin:1rem 0}
.note,.lead{font-style:italic;color:#404040}
figure{margin:1rem 0}
figure svg{max-width:100%;height:auto}
figcaption{font-style:italic;color:#44546a}
nav ol{columns:2;list-style:none;padding-left:0}
@media print{body{max-width:none;margin:0}.wide{overflow:visible}
h1{break-before:page}h1.title{break-before:auto}
.caution{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _anchor(text: str) -> str:
    return "s-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_html(inv: Inventory, blocks: list | None = None) -> str:
    """One self-contained page: inline CSS, inline SVG charts, no script, no external link."""
    esc = html.escape
    blocks = build_document(inv) if blocks is None else blocks
    heads = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{get_language()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="hginv {esc(str(inv.metadata["hginv_version"]))}">',
        f"<title>{esc(title(inv))} {inv.country.year}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<h1 class="title">{esc(title(inv))}</h1>',
        f'<p class="lead">{esc(subtitle(inv))}</p>',
    ]
    contents = "".join(
        f'<li><a href="#{_anchor(h.text)}">{esc(clean(h.text))}</a></li>' for h in heads
    )
    cover_done = False
    for block in blocks:
        if isinstance(block, Heading):
            if not cover_done:
                heading = esc(_("Contents"))
                out.append(f"<nav><h2>{heading}</h2><ol>{contents}</ol></nav>")
                cover_done = True
            tag = f"h{min(block.level, 6)}"
            anchor = f' id="{_anchor(block.text)}"' if block.level == 1 else ""
            out.append(f"<{tag}{anchor}>{esc(clean(block.text))}</{tag}>")
        elif isinstance(block, Para):
            klass = f' class="{block.kind}"' if block.kind != "normal" else ""
            tag = "div" if block.kind == "caution" else "p"
            role = ' role="note"' if block.kind == "caution" else ""
            out.append(f"<{tag}{klass}{role}>{esc(clean(block.text))}</{tag}>")
        elif isinstance(block, Table):
            out.append(_html_table(block))
        elif isinstance(block, Figure):
            out.append(
                f'<figure id="fig-{block.name}">{chart_svg(inv, block.name, block.draw)}'
                f"<figcaption>{esc(clean(block.caption))}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_table(block: Table) -> str:
    esc = html.escape
    klass = ' class="small"' if block.small else ""
    # a table wider than the page scrolls in its own box, never the whole page sideways
    parts = [
        f'<div class="wide"><table{klass}><caption>{esc(clean(block.caption))}</caption><thead><tr>'
    ]
    parts += [
        f'<th scope="col"{" class=n" if i in block.numeric else ""}>{esc(cell_text(clean(h)))}</th>'
        for i, h in enumerate(block.headers)
    ]
    parts.append("</tr></thead><tbody>")
    first_total = len(block.rows) - block.total_rows
    for r, values in enumerate(block.rows):
        parts.append('<tr class="total">' if r >= first_total else "<tr>")
        parts += [
            f"<td{' class=n' if i in block.numeric else ''}>{esc(cell_text(clean(v)))}</td>"
            for i, v in enumerate(values)
        ]
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def write_html(inv: Inventory, path: str | Path, protect=(), chapters=None) -> Path:
    text = build_html(inv, build_document(inv, chapters))
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), protect)


def check_report_path(path: str | Path) -> str:
    """The report format a file name asks for: 'docx' or 'html'; anything else is refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "docx"
    if suffix in (".html", ".htm"):
        return "html"
    raise OutputError(
        _(
            "{file}: unknown report format {suffix}; name the report .docx (Word) or .html "
            "(web page)"
        ).format(file=path, suffix=suffix or _("(no extension)"))
    )


def write_report(inv: Inventory, path: str | Path, protect=(), chapters=None) -> Path:
    """Write the report in the format its file name asks for (.docx or .html); `chapters` as
    for `build_document`."""
    if check_report_path(path) == "docx":
        return write_docx(inv, path, protect, chapters)
    return write_html(inv, path, protect, chapters)
