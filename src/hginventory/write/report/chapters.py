"""The numbered chapters of the Toolkit reporting template: the cover, the executive summary
(1), the source types present (2), the summaries of inputs (3) and releases (4), and one chapter
of activity data, factors, results and data gaps per source group (5 on)."""

from __future__ import annotations

import pandas as pd

from hginventory.core import numbers
from hginventory.core.columns import OUTPUT_COLUMNS, PATHWAYS, RELEASE_PATHWAYS
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import (
    EMPTY_WARNING,
    PRESENCE_TEXT,
    Inventory,
    presence_word,
    sources_by_presence,
    sources_present,
    top_sources,
)
from hginventory.write.blocks import (
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
from hginventory.write.report.names import (
    pathway_name,
    short_pathway,
    source_group_names,
    sub_category_name,
)
from hginventory.write.report.uncertainty import uncertainty_blocks

TO_COMPLETE = N_("[to be completed]")


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


def cover(inv: Inventory) -> list:
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


def executive_summary(inv: Inventory) -> list:
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
            f"{pathway_name(p).lower()} ({kg(t[f'{p}_kg'])} {_('kg Hg/y')}, "
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
    ranked = [
        (by, caption, head, whole, top_sources(inv, by=by)) for by, caption, head, whole in rankings
    ]
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


def source_types(inv: Inventory) -> list:
    counts = sources_by_presence(inv)
    groups = source_group_names(inv)
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
                    sub_category_name(r.code, r.sub_category),
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


def inputs_summary(inv: Inventory) -> list:
    """Chapter 3: each column's total is the sum of its rows; the counted column already
    holds each row's counted share, so no adjustment line is needed (the note says what the
    difference between the two columns is made of)."""
    s = inv.input_summary()
    r = inv.results
    calc = r.groupby(["group_order", "group_name"], sort=True)["hg_input_kg"].sum()
    counted = inv.group_summary().set_index("source_group")["hg_input_kg"]
    total_calc, total_counted = float(s["hg_input_kg"].sum()), float(s["counted_input_kg"].sum())
    groups = source_group_names(inv)
    group_rows = [
        [clean(groups.get(name, name)), kg(v), kg(counted.get(name, 0.0))]
        for (_order, name), v in calc.items()
    ]
    group_rows.append([_("Total"), kg(total_calc), kg(total_counted)])
    aside = set(inv.estimates_aside().index)
    rows = [
        [
            x.code,
            sub_category_name(x.code, x.sub_category),
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
                name=sub_category_name(x.code, x.sub_category),
                pathways=", ".join(
                    pathway_name(p).lower() for p in x.release_total_exclude.split(";")
                ),
            )
            for x in excluded.itertuples(index=False)
        )
    )


def releases_summary(inv: Inventory) -> list:
    g = inv.group_summary()
    sums, totals = inv.sums(), inv.totals()
    keys = [*OUTPUT_COLUMNS, "releases_kg"]
    heads = [short_pathway(p) for p in PATHWAYS] + [_("Total")]
    groups = source_group_names(inv)
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


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def group_chapters(inv: Inventory, first_number: int = 5) -> list:
    groups = sorted(inv.factors.groups.values(), key=lambda g: g.get("order", 99))
    r, s = inv.results, sources_present(inv)
    blocks: list = []
    names = source_group_names(inv)
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
                            sub_category_name(x.code, x.sub_category),
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
            f"{short_pathway(p).lower()} {share(getattr(x, p))}" for p in PATHWAYS if getattr(x, p)
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
            [_("Code"), _("Sub-category"), _("Hg input"), *(short_pathway(p) for p in PATHWAYS)],
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


