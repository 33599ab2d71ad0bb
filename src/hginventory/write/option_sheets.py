"""Workbook sheets written only when their option was used: Level 2 facilities, uncertainty,
the EMEP/EEA cross-check; and the Article 8 / NFR reporting view."""

from __future__ import annotations

from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS
from hginventory.core.i18n import N_, Texts
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import (
    ACTIVITY,
    COUNT,
    FACTOR,
    MASS,
    PERCENT,
    RATIO,
    format_number,
    plain,
)
from hginventory.engine.crosswalk import summarise
from hginventory.engine.inventory import REST, Inventory
from hginventory.engine.level2 import article8_table, worst_practice_line, worst_practices
from hginventory.engine.uncertainty import STATS
from hginventory.model.facilities import FACILITY_SHEET
from hginventory.tables.crosswalk import load_crosswalk
from hginventory.tables.translations import group_names, name_of
from hginventory.write.xlsx import Book

# the Annex C baseline's columns, the same on the Article 21 sheet and in the report's annex
PRESENCE_HEADERS = (
    N_("Code"),
    N_("Source category"),
    N_("Present (Y/N/?)"),
    N_("Based on"),
    N_("Activity"),
    N_("Unit"),
    N_("Data quality"),
    N_("Data source"),
)
"""The columns of the sources-present table: the workbook's sheet and the submission report."""


ANNEX_C_HEADERS = (
    N_("Code"),
    N_("Practice"),
    N_("Facility"),
    N_("Gold produced (kg/y)"),
    N_("Mercury used (kg/y)"),
    N_("Air"),
    N_("Water"),
    N_("Land"),
    N_("Worst practice (Annex C)"),
)

FACILITIES_SHEET = "Facilities"
ARTICLE8_SHEET = "Article 8 and NFR"
UNCERTAINTY_SHEET = "Uncertainty"
CROSSCHECK_SHEET = "Cross-check EMEP"

TEXT = Texts(
    {
        "facilities_title": N_("Level 2: facilities (kg Hg/y)"),
        "facilities_note": (
            N_(
                "Method 'measured': a stack measurement or plant mass balance replaced the "
                "factor. Rows of the same code without a facility are computed at Level 1 "
                "defaults (national activity minus the facilities). The Calculation sheet holds "
                "these rows too, live."
            )
        ),
        "article8_title": N_("Air emissions for reporting: Minamata Convention Article 8 and NFR"),
        "article8_heading": N_("Article 8: air emissions from Annex D sources (kg Hg/y)"),
        "article8_total": N_("Total, Annex D sources"),
        "crosswalk_heading": N_(
            "Air emissions as counted in the national totals, by Annex D "
            "category and by EMEP/EEA NFR code (kg Hg/y)"
        ),
        "crosswalk_note": (
            N_(
                "A sub-category with several NFR codes is summed under its primary code; the "
                "others are listed. Links from factors/crosswalk.csv; Convention links are "
                "recalled, not checked."
            )
        ),
        "uncertainty_title": N_("Uncertainty of the inventory (kg Hg/y)"),
        "uncertainty_mc": (
            N_(
                "Monte Carlo with {draws} draws, seed {seed} (the same seed gives the same "
                "numbers). Input factors: split lognormal with the default as median and the "
                "low/high range as 2.5th/97.5th percentiles, unless the factor table says "
                "otherwise. Activity rates: as given, or with their uncertainty_pct. Distribution "
                "factors: Dirichlet around the defaults (concentration {concentration}), "
                "summing to 1 in every draw."
            )
        ),
        "uncertainty_a1": (
            N_(
                "Approach 1: IPCC error propagation, U = half-width of the interval at 95 %, in "
                "per cent of the point estimate; U of a sum = sqrt(sum (U_i x_i)^2) / sum x_i; "
                "distribution factors taken as exact. National and source group figures are "
                "counted as in the summaries (double-counting adjustments applied); sub-category "
                "figures are as calculated."
            )
        ),
        "levels": {
            "total": N_("National totals"),
            "group": N_("By source group"),
            "sub_category": N_("By sub-category"),
        },
        "distributions": N_("Distributions used"),
        "crosscheck_title": N_("Cross-check of air releases with the EMEP/EEA Guidebook"),
        "crosscheck_flagged": (
            N_(
                "{flagged} of the {mapped} sub-categories with a Guidebook row are flagged: their "
                "Toolkit air figure lies outside the Guidebook's interval at 95 %."
            )
        ),
        "crosscheck_factors": (
            N_(
                "Guidebook factors: {title} ({label}, sha256 {sha}); status confirmed, with "
                "confidence intervals at 95 %."
            )
        ),
        "crosscheck_how": (
            N_(
                "Guidebook air = activity rate x conversion to the Guidebook's activity unit x "
                "emission factor (low and high: x the interval's bounds). Toolkit air = Hg input "
                "x air distribution factor, from recalled factors. Large gaps are expected where "
                "the Toolkit's factor stands for plants with little abatement and the Guidebook "
                "factor for abated (European) plants, or the reverse. Conversions marked as an "
                "assumption are defaults: give your country's value with `hginv compute ... "
                "--crosscheck emep --conversion CODE=VALUE`."
            )
        ),
        "crosscheck_sum": N_("Sum of the mapped sub-categories"),
        "crosscheck_unmapped": N_("Sub-categories without a Guidebook row (not compared)"),
        "crosscheck_detail": N_("How each Guidebook figure was obtained"),
    }
)

WORDS = Texts(
    {
        "within interval": N_("within interval"),
        "above interval": N_("above interval"),
        "below interval": N_("below interval"),
        "no interval": N_("no interval"),
        "not mapped": N_("not mapped"),
        "direct": N_("direct"),
        "proxy": N_("proxy"),
        "none": N_("none"),
        "not an Annex D source category": N_("not an Annex D source category"),
        "no NFR code": N_("no NFR code"),
        "National total": N_("National total"),
    }
)
"""Values the engine writes in English (CSV values, the machine contract), as people read
them: cross-check flags and matches, the crosswalk's catch-all rows, the national total."""


def word(value) -> str:
    """An engine value in the language of the run (other values as they are)."""
    return WORDS[value] if isinstance(value, str) and value in WORDS else value


def uncertainty_label(level: str, key: str, label: str, groups: dict[str, str]) -> str:
    """The name of a row of the uncertainty table in the language of the run: the
    sub-category (key: code, and facility for Level 2), the source group or the nation."""
    if level == "sub_category":
        return name_of(str(key).split(" ")[0], label)
    if level == "group":
        return groups.get(label, label)
    return word(label)


QUANTITY_NAMES = Texts(
    {
        "hg_input_kg": N_("Hg input"),
        **{f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS},
        "releases_kg": N_("Total outputs (releases and transfers)"),
    }
)

UNCERTAINTY_HEADERS = [
    N_("Point estimate"),
    N_("Monte Carlo mean"),
    N_("Median"),
    N_("2.5th percentile"),
    N_("97.5th percentile"),
    N_("Approach 1 U (%)"),
    N_("Approach 1 low"),
    N_("Approach 1 high"),
]
UNCERTAINTY_COLUMNS = ["point", *STATS, "approach1_u_pct", "approach1_low", "approach1_high"]

CROSSCHECK_MAIN = [
    (N_("Code"), "code", None),
    (N_("Sub-category"), "sub_category", None),
    (N_("Facility"), "facility", None),
    (N_("Toolkit air (kg Hg/y)"), "air_kg", MASS),
    (N_("Toolkit factor status"), "toolkit_status", None),
    (N_("Guidebook air (kg Hg/y)"), "air_kg_emep", MASS),
    (N_("Guidebook low, 95 % CI (kg Hg/y)"), "air_kg_emep_low", MASS),
    (N_("Guidebook high, 95 % CI (kg Hg/y)"), "air_kg_emep_high", MASS),
    (N_("Ratio Toolkit / Guidebook"), "ratio", RATIO),
    (N_("Flag"), "flag", None),
]
CROSSCHECK_DETAIL = [
    (N_("Code"), "code", None),
    (N_("Guidebook row"), "row_id", None),
    (N_("NFR and table"), "emep_ref", None),
    (N_("Tier and technology / fuel"), "description", None),
    (N_("Emission factor"), "ef", FACTOR),
    (N_("CI low"), "ef_low", FACTOR),
    (N_("CI high"), "ef_high", FACTOR),
    (N_("Factor unit"), "ef_unit", None),
    (N_("Activity rate"), "activity", ACTIVITY),
    (N_("Activity unit"), "activity_unit", None),
    (N_("Conversion"), "conversion", FACTOR),
    (N_("Conversion unit"), "conversion_unit", None),
    (N_("Conversion source"), "conversion_source", None),
    (N_("Conversion is an assumption"), "assumption", None),
    (N_("Match"), "match", None),
    (N_("Note"), "note", None),
]
"""The Guidebook chapter is in the CSV and on the terminal."""


def has_facilities(inv: Inventory) -> bool:
    r = inv.results
    return "facility" in r.columns and bool((r["facility"] != "").any())


def facilities(book: Book, inv: Inventory) -> None:
    """Every facility row with its input basis, configuration, measured values and factors."""
    ws = book.sheet(FACILITIES_SHEET)
    ws.max_width = 40
    ws.text(0, 0, TEXT["facilities_title"], "title", wrap=False)
    ws.note(1, TEXT["facilities_note"], span=12)
    flagged = [worst_practice_line(x) for x in worst_practices(inv).to_dict("records")]
    for i, line in enumerate(flagged):  # a worst practice of Annex C, flagged above the table
        ws.note(2 + i, line, "warn", span=12)
    top = 3 + len(flagged)
    r = inv.results
    fac = r[r["facility"] != ""]
    headers = [
        _("Code"),
        _("Sub-category"),
        _("Facility"),
        _("Method"),
        _("Activity"),
        _("Unit"),
        _("Input factor used (effective)"),
        _("Input factor unit"),
        _("Input basis"),
        _("Control configuration"),
        _("Measured Hg input (kg/y)"),
        _("Measured air (kg/y)"),
        _("Hg input (kg Hg/y)"),
        *[_("{name} (kg Hg/y)").format(name=_(PATHWAY_LABELS[p])) for p in PATHWAYS],
        _("Factor ids"),
        _("Status"),
        _("Input cell"),
        _("Notes"),
    ]
    rows = (
        [
            x.code,
            name_of(x.code, x.sub_category),
            x.facility,
            x.method,
            x.activity,
            x.activity_unit,
            x.input_factor,
            x.input_factor_unit,
            x.basis,
            x.control,
            x.measured_input_kg,
            x.measured_air_kg,
            x.hg_input_kg,
            *(getattr(x, f"{p}_kg") for p in PATHWAYS),
            x.factor_id,
            x.status,
            f"{FACILITY_SHEET}!{x.activity_cell}",
            x.notes,
        ]
        for x in fac.itertuples(index=False)
    )
    kinds = {4: ACTIVITY, 6: FACTOR, 10: MASS, 11: MASS, **{c: MASS for c in range(12, 19)}}
    ws.table(top, headers, rows, kinds)
    ws.freeze = (top + 1, 3)


def article8_nfr(book: Book, inv: Inventory) -> None:
    """Article 8 air emissions (Annex D sources, facilities and defaults), then the Annex D /
    NFR crosswalk view of the national air total."""
    ws = book.sheet(ARTICLE8_SHEET)
    ws.max_width = 50
    ws.text(0, 0, TEXT["article8_title"], "title", wrap=False)
    ws.text(2, 0, TEXT["article8_heading"], "bold", wrap=False)
    table = article8_table(inv)
    headers = [
        _("Annex D source category"),
        _("Toolkit codes"),
        _("Codes quantified"),
        _("Facilities"),
        _("Air, facilities (kg Hg/y)"),
        _("Air, Level 1 defaults (kg Hg/y)"),
        _("Air, total (kg Hg/y)"),
        _("Note"),
    ]
    rows = ([article8_source(x[0]), *x[1:]] for x in table.itertuples(index=False))
    nxt = ws.table(3, headers, rows, {3: "count", 4: MASS, 5: MASS, 6: MASS})
    ws.text(nxt, 0, TEXT["article8_total"], "total", wrap=False)
    for k, col in enumerate(("air_facilities_kg", "air_default_kg", "air_kg")):
        ws.number(nxt, 4 + k, float(table[col].sum()), MASS, style="total")
    ws.style_row(nxt, 0, 7, "total")
    links = load_crosswalk()
    r = nxt + 2
    ws.text(r, 0, TEXT["crosswalk_heading"], "bold", wrap=False)
    ws.note(r + 1, TEXT["crosswalk_note"], span=8)
    annex = summarise(inv, "annex-d", links)
    r = ws.table(
        r + 2,
        [_("Annex D source category"), _("Sub-categories"), _("Air (kg Hg/y)")],
        ([word(a), s.replace(";", ", "), v] for a, s, v in annex.itertuples(index=False)),
        {2: MASS},
    )
    nfr = summarise(inv, "nfr", links)
    ws.table(
        r + 1,
        [_("NFR code"), _("Sub-categories"), _("Air (kg Hg/y)"), _("Other NFR codes they touch")],
        (
            [word(a), s.replace(";", ", "), v, o.replace(";", ", ")]
            for a, s, v, o in nfr.itertuples(index=False)
        ),
        {2: MASS},
    )


def uncertainty(book: Book, inv: Inventory) -> None:
    """National totals, source groups and sub-categories with their ranges; distributions."""
    res = inv.uncertainty
    ws = book.sheet(UNCERTAINTY_SHEET)
    ws.max_width = 45
    ws.text(0, 0, TEXT["uncertainty_title"], "title", wrap=False)
    ws.note(
        2,
        TEXT["uncertainty_mc"].format(
            draws=format_number(res.draws, COUNT),
            seed=res.seed,
            concentration=plain(res.concentration),
        ),
        span=11,
    )
    ws.note(3, TEXT["uncertainty_a1"], span=11)
    kinds = {c: MASS for c in range(3, 11)}
    kinds[8] = PERCENT
    r = 5
    groups = group_names(inv.factors.groups)
    for level, title in TEXT["levels"].items():
        ws.text(r, 0, title, "bold", wrap=False)
        t = res.table(level)
        rows = [
            [
                row["key"] if level == "sub_category" else "",
                uncertainty_label(level, row["key"], row["label"], groups),
                QUANTITY_NAMES[row["quantity"]],
                *(row[c] for c in UNCERTAINTY_COLUMNS),
            ]
            for _i, row in t.iterrows()
            if level == "total" or row["point"] or row["p975"]  # pathways never used left out
        ]
        head = [
            _("Code") if level == "sub_category" else " ",
            _("Name"),
            _("Quantity"),
            *[_(h) for h in UNCERTAINTY_HEADERS],
        ]
        r = ws.table(r + 1, head, rows, kinds) + 1
    ws.text(r, 0, TEXT["distributions"], "bold", wrap=False)
    rows = (
        [
            x.code,
            name_of(x.code, x.sub_category),
            x.input_factor_distribution,
            x.input_factor_unit,
            x.factor_u_pct,
            x.activity_u_pct,
        ]
        for x in res.factors.itertuples(index=False)
    )
    ws.table(
        r + 1,
        [
            _("Code"),
            _("Sub-category"),
            _("Input factor distribution"),
            _("Unit"),
            _("Factor U (%)"),
            _("Activity U (%)"),
        ],
        rows,
        {4: PERCENT, 5: PERCENT},
    )
    ws.freeze = (0, 2)


def crosscheck(book: Book, inv: Inventory) -> None:
    """The comparison with the Guidebook, then how each Guidebook figure was obtained."""
    from hginventory.engine.crosscheck import FLAG_ABOVE, FLAG_BELOW  # EMEP only when used

    cc = inv.crosscheck
    ws = book.sheet(CROSSCHECK_SHEET)
    ws.max_width = 28  # many text columns: narrow ones that wrap keep the print readable
    ws.text(0, 0, TEXT["crosscheck_title"], "title", wrap=False)
    f = cc.factors
    lines = [
        TEXT["crosscheck_flagged"].format(flagged=cc.codes_flagged, mapped=cc.codes_mapped),
        TEXT["crosscheck_factors"].format(title=f.title, label=f.label, sha=f.sha256[:12]),
        TEXT["crosscheck_how"],
    ]
    for i, line in enumerate(lines, start=2):
        ws.note(i, line, span=10)
    records = cc.frame.to_dict("records")
    top = 3 + len(lines)
    kinds = {i: q for i, (_, _, q) in enumerate(CROSSCHECK_MAIN) if q}

    def main_row(rec):
        shown = {**rec, "sub_category": name_of(rec["code"], rec["sub_category"])}
        return [word(shown[c]) if c == "flag" else shown[c] for _h, c, _k in CROSSCHECK_MAIN]

    # the mapped rows, then their sum (the sum of the rows printed above it), then the
    # sub-categories without a Guidebook row in a table of their own
    headers = [_(h) for h, _c, _k in CROSSCHECK_MAIN]
    mapped_rows = [r for r in records if r["row_id"]]
    others = [r for r in records if not r["row_id"]]
    nxt = ws.table(top, headers, map(main_row, mapped_rows), kinds)
    flag = [c for _, c, _ in CROSSCHECK_MAIN].index("flag")
    for row, rec in enumerate(mapped_rows, start=top + 1):
        cell = ws.cells.get((row, flag))
        if cell is not None and rec["flag"] in (FLAG_ABOVE, FLAG_BELOW):
            cell.style = "warn"
    mapped = cc.mapped
    ws.text(nxt, 1, TEXT["crosscheck_sum"], "total")  # the code column stays narrow
    ws.number(nxt, 3, float(mapped["air_kg"].sum()), MASS, style="total")
    ws.number(nxt, 5, float(mapped["air_kg_emep"].sum()), MASS, style="total")
    ws.style_row(nxt, 0, len(CROSSCHECK_MAIN) - 1, "total")
    if others:
        ws.text(nxt + 2, 0, TEXT["crosscheck_unmapped"], "bold", wrap=False)
        nxt = ws.table(nxt + 3, headers, map(main_row, others), kinds) - 1
    ws.text(nxt + 2, 0, TEXT["crosscheck_detail"], "bold", wrap=False)

    def detail(rec):
        out = []
        for _h, col, _k in CROSSCHECK_DETAIL:
            v = rec[col]
            if col == "assumption":
                v = "" if v is None else (_("yes") if v else _("no"))
            out.append(word(v) if col == "match" else v)
        return out

    kinds = {i: q for i, (_, _, q) in enumerate(CROSSCHECK_DETAIL) if q}
    ws.table(
        nxt + 3, [_(h) for h, _c, _k in CROSSCHECK_DETAIL], (detail(r) for r in records), kinds
    )
    ws.freeze = (top + 1, 2)


# --- What a country submits (issue 26): presence, hot spots, data gaps; Article 21 ------------

PRESENCE_SHEET = "Presence and gaps"
ARTICLE21_SHEET = "Article 21"

SUBMIT = Texts(
    {
        "presence_title": N_("Source presence (Y/N/?), potential hot spots and data gaps"),
        "presence_heading": N_("Mercury release source types present, in the Toolkit's form"),
        "presence_note": N_(
            "Y: present (quantified, or included elsewhere); N: absent (NO, NA, or N in the "
            "presence column); ?: possibly present or not known (a blank row, NE, or ? in the "
            "presence column). A main category is Y when any of its sub-categories is. Data "
            "quality: A measured or plant data, B national statistics, C estimate from "
            "proxies, D expert judgement."
        ),
        "hotspots_heading": N_("Potential hot spots (potentially contaminated sites)"),
        "hotspots_none": N_(
            "No potential hot spot was listed (optional sheet 'hotspots' of the activity "
            "workbook)."
        ),
        "gaps_heading": N_("Data gaps and next steps"),
        "gaps_none": N_("No data gap: every sub-category is quantified or reported absent."),
        "article21_title": N_(
            "For the national report (Article 21): Article 8 by Annex D category, Article 9 "
            "releases to land and water, Annex C ASGM baseline"
        ),
        "a8_heading": N_("Article 8: air emissions by Annex D source category (kg Hg/y)"),
        "a9_heading": N_(
            "Article 9: releases to water and land by sub-category, largest first (kg Hg/y, as "
            "counted in the national totals)"
        ),
        "a9_none": N_("No release to water or land was quantified."),
        "ac_heading": N_(
            "Annex C: artisanal and small-scale gold mining baseline, by practice (kg/y)"
        ),
        "ac_note": N_(
            "Worst practices (Annex C, paragraph 1) flagged from the code and the Level 2 "
            "configuration. Burning amalgam in residential areas cannot be told from these "
            "figures: say it in the action plan if it occurs."
        ),
        "ac_none": N_("No gold extraction with mercury amalgamation was quantified."),
    }
)

ARTICLE8_LABELS = Texts(
    {
        "upper-bound": N_(
            "upper bound, includes other coal uses (households, coke, plants < 300 MW thermal): "
            "give coal_industrial_boilers_share on the country sheet to split it"
        ),
        "split": N_(
            "{share} per cent of the air emissions of 5.1.2 (coal_industrial_boilers_share)"
        ),
        "rest": N_("not an Annex D source: households, coke, plants < 300 MW thermal"),
    }
)


def mark_basis(basis: str) -> str:
    from hginventory.engine.submission import MARK_BASIS

    return _(MARK_BASIS[basis]) if basis in MARK_BASIS else basis


def article8_source(name: str) -> str:
    """An Annex D category (English in the tables) as people read it."""
    from hginventory.engine.submission import BOILERS

    words = {
        "Coal-fired power plants": N_("Coal-fired power plants"),
        BOILERS: N_("Coal-fired industrial boilers"),
        "Smelting and roasting processes used in the production of non-ferrous metals (lead, "
        "zinc, copper and industrial gold)": N_(
            "Smelting and roasting processes used in the production of non-ferrous metals "
            "(lead, zinc, copper and industrial gold)"
        ),
        "Waste incineration facilities": N_("Waste incineration facilities"),
        "Cement clinker production facilities": N_("Cement clinker production facilities"),
        "Other coal uses of 5.1.2 (not an Annex D source)": N_(
            "Other coal uses of 5.1.2 (not an Annex D source)"
        ),
    }
    return _(words[name]) if name in words else name


def article8_label(label: str, inv: Inventory) -> str:
    if not label:
        return ""
    from hginventory.engine.submission import submission

    share = submission(inv).coal_industrial_boilers_share
    from hginventory.core.i18n import get_language

    text = format_number(share or 0, ACTIVITY, locale=get_language())
    return ARTICLE8_LABELS[label].format(share=text)


def presence_gaps(book: Book, inv: Inventory) -> None:
    ws = book.sheet(PRESENCE_SHEET)
    _presence_gaps(ws, inv)
    ws.repeat = None  # several tables: not one's header on every printed page


def article21(book: Book, inv: Inventory) -> None:
    ws = book.sheet(ARTICLE21_SHEET)
    _article21(ws, inv)
    ws.repeat = None  # several tables: not one's header on every printed page


def _presence_gaps(ws, inv: Inventory) -> None:
    """The Toolkit's Y/N/? table with each activity figure and its data quality, the potential
    hot spots, and the data gaps with their next steps."""
    from hginventory.engine.submission import (
        GAP_REASONS,
        data_gaps,
        hotspot_table,
        presence_table,
        quality_label,
    )

    ws.max_width = 45
    ws.text(0, 0, SUBMIT["presence_title"], "title", wrap=False)
    ws.text(2, 0, SUBMIT["presence_heading"], "bold", wrap=False)
    ws.note(3, SUBMIT["presence_note"], span=8)
    table = presence_table(inv)
    groups = group_names(inv.factors.groups)
    headers = [_(h) for h in PRESENCE_HEADERS]

    def line(x) -> list:
        if x.level == "group":
            name = groups.get(x.name, x.name)
        elif x.level == "hotspots":
            name = _("Potential hot spots")
        else:
            name = "    " + name_of(x.code, x.name)
        activity = "" if x.activity is None or x.activity != x.activity else x.activity
        return [
            x.code,
            name,
            x.mark,
            mark_basis(x.basis),
            activity,
            x.unit,
            quality_label(x.data_quality),
            x.data_source,
        ]

    first = 4
    nxt = ws.table(first, headers, (line(x) for x in table.itertuples(index=False)), {4: ACTIVITY})
    for k, x in enumerate(table.itertuples(index=False)):
        if x.level != "sub":
            ws.style_row(first + 1 + k, 0, 3, "bold")
    r = nxt + 1
    ws.page_breaks = [r]  # printed: the hot spots and the gaps start a page
    ws.text(r, 0, SUBMIT["hotspots_heading"], "bold", wrap=False)
    spots = hotspot_table(inv)
    if spots.empty:
        ws.text(r + 1, 0, SUBMIT["hotspots_none"], wrap=False)
        r += 3
    else:
        r = (
            ws.table(
                r + 1,
                [_("Site"), _("Type"), _("Location"), _("Status"), _("Notes")],
                spots.itertuples(index=False),
            )
            + 1
        )
    ws.text(r, 0, SUBMIT["gaps_heading"], "bold", wrap=False)
    gaps = data_gaps(inv)
    if gaps.empty:
        ws.text(r + 1, 0, SUBMIT["gaps_none"], wrap=False)
    else:
        ws.table(
            r + 1,
            [_("Code"), _("Sub-category"), _("Gap"), _("Next step")],
            (
                [x.code, name_of(x.code, x.name), _(GAP_REASONS[x.reason]), _(x.step)]
                for x in gaps.itertuples(index=False)
            ),
        )
    ws.freeze = (first + 1, 2)


def _article21(ws, inv: Inventory) -> None:
    """Article 8 by Annex D category (5.1.2 split or labelled an upper bound), Article 9
    releases to water and land, and the Annex C ASGM baseline by practice and facility."""
    from hginventory.engine.submission import (
        annex_c_table,
        article8_split,
        article9_table,
        worst_words,
    )

    ws.max_width = 50
    ws.text(0, 0, SUBMIT["article21_title"], "title", wrap=False)
    ws.text(2, 0, SUBMIT["a8_heading"], "bold", wrap=False)
    a8 = article8_split(inv)
    counted = a8[a8["label"] != "rest"]
    rest = a8[a8["label"] == "rest"]  # not an Annex D source: after the total, never above it

    def a8_line(x):
        return [article8_source(x.annex_d_source), x.codes, x.air_kg, article8_label(x.label, inv)]

    nxt = ws.table(
        3,
        [_("Annex D source category"), _("Toolkit codes"), _("Air (kg Hg/y)"), _("Note")],
        (a8_line(x) for x in counted.itertuples(index=False)),
        {2: MASS},
    )
    ws.text(nxt, 0, TEXT["article8_total"], "total", wrap=False)
    ws.number(nxt, 2, float(counted["air_kg"].sum()), MASS, style="total")
    ws.style_row(nxt, 0, 3, "total")
    for x in rest.itertuples(index=False):
        nxt += 1
        line = a8_line(x)
        for c in (0, 1, 3):
            ws.text(nxt, c, line[c])
        ws.number(nxt, 2, float(line[2]), MASS)
    r = nxt + 2
    ws.text(r, 0, SUBMIT["a9_heading"], "bold", wrap=False)
    a9 = article9_table(inv)
    if a9.empty:
        ws.text(r + 1, 0, SUBMIT["a9_none"], wrap=False)
        r += 3
    else:
        nxt = ws.table(
            r + 1,
            [_("Code"), _("Sub-category"), _("Water"), _("Land"), _("Water and land")],
            (
                [x.code, name_of(x.code, x.name), x.water_kg, x.land_kg, x.total_kg]
                for x in a9.itertuples(index=False)
            ),
            {2: MASS, 3: MASS, 4: MASS},
        )
        ws.text(nxt, 0, _("Total"), "total", wrap=False)
        for k, col in enumerate(("water_kg", "land_kg", "total_kg")):
            ws.number(nxt, 2 + k, float(a9[col].sum()), MASS, style="total")
        ws.style_row(nxt, 0, 4, "total")
        r = nxt + 2
    ws.text(r, 0, SUBMIT["ac_heading"], "bold", wrap=False)
    ac = annex_c_table(inv)
    if ac.empty:
        ws.text(r + 1, 0, SUBMIT["ac_none"], wrap=False)
        return
    ws.note(r + 1, SUBMIT["ac_note"], span=8)
    nxt = ws.table(
        r + 2,
        [_(h) for h in ANNEX_C_HEADERS],
        (
            [
                x.code,
                _(x.practice),
                _(REST) if x.rest else x.facility,
                "" if x.gold_kg is None or x.gold_kg != x.gold_kg else x.gold_kg,
                x.mercury_kg,
                x.air_kg,
                x.water_kg,
                x.land_kg,
                worst_words(x.worst),
            ]
            for x in ac.itertuples(index=False)
        ),
        {3: ACTIVITY, 4: MASS, 5: MASS, 6: MASS, 7: MASS},
    )
    ws.text(nxt, 0, _("Total"), "total", wrap=False)
    for k, col in enumerate(("mercury_kg", "air_kg", "water_kg", "land_kg")):
        ws.number(nxt, 4 + k, float(ac[col].sum()), MASS, style="total")
    ws.style_row(nxt, 0, 8, "total")
