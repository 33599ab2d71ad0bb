"""The annexes: A the factor table used, B the documents cited, C the run metadata, and D the
cross-check of air releases with the EMEP/EEA Guidebook (--crosscheck). The Article 21 annex
comes from `write.submission_report`."""

from __future__ import annotations

from hginventory.core import numbers
from hginventory.core.columns import PATHWAYS
from hginventory.core.i18n import get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Heading, Landscape, Para, Table, clean, factor, kg, share
from hginventory.write.report.names import short_pathway, sub_category_name


def annexes(inv: Inventory) -> list:
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
                sub_category_name(x.code, x.sub_category),
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
                *(short_pathway(p) for p in PATHWAYS),
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
            sub_category_name(x["code"], x["sub_category"])
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

