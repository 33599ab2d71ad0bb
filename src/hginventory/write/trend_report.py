"""The report's chapter on the trend over the years (`hginv report --trend OUTDIR`).

Built from the folder `hginv trend` wrote, as blocks of `write.blocks`: national totals per
year, a chart, which years and sub-categories were interpolated, and, when the trend was run
with a baseline, the recalculation of the submitted inventories (the rows that moved, and why).
"""

from __future__ import annotations

from hginventory.core.columns import PATHWAYS, SUBTOTAL_LABELS
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import axis_formatter
from hginventory.engine.recalculation import reason_text
from hginventory.model.trend import TrendOutputs
from hginventory.tables.translations import name_of
from hginventory.write.blocks import Figure, Heading, Para, Table, clean, kg
from hginventory.write.report.names import SHORT_PATHWAY

INTERPOLATED = "interpolated"


def trend_chapter(outputs: TrendOutputs, number: int) -> list:
    """Blocks of the chapter `number`: the series and its recalculation."""
    t = outputs.totals
    years = outputs.years
    blocks: list = [
        Heading(1, _("{number} Trend over the years").format(number=number)),
        Para(
            _(
                "The inventories of {first} to {last} computed with one factor table (hginv "
                "trend), so that the years can be compared. National totals as counted, after "
                "the double-counting adjustments (kg Hg/y)."
            ).format(first=years[0], last=years[-1]),
            "lead",
        ),
    ]
    headers = [
        _("Year"),
        _("Hg input"),
        *(_(SHORT_PATHWAY[p]) for p in PATHWAYS),
        _(SUBTOTAL_LABELS["releases_kg"]),  # all six outputs: releases and transfers
        _("Basis"),
    ]
    rows = []
    for r in t.itertuples(index=False):
        interpolated = _("{n} rows interpolated").format(n=int(r.filled_rows))
        if r.input_file == "(interpolated)":
            basis = _("no workbook: {rows}").format(rows=interpolated)
        else:
            basis = clean(r.input_file) + (f" ({interpolated})" if r.filled_rows else "")
        rows.append(
            [
                str(r.year),
                kg(r.hg_input_kg),
                *(kg(getattr(r, f"{p}_kg")) for p in PATHWAYS),
                kg(r.releases_kg),
                basis,
            ]
        )
    blocks.append(
        Table(
            _("National totals per year (kg Hg/y)"),
            headers,
            rows,
            set(range(1, 2 + len(PATHWAYS) + 1)),
            small=True,
        )
    )
    blocks.append(
        Figure(
            "trend",
            _("Hg input, releases and air emissions per year, as counted (kg Hg/y)"),
            draw=lambda: trend_figure(outputs),
        )
    )
    filled = outputs.trend[outputs.trend["filled"] == INTERPOLATED]
    if len(filled):
        no_workbook = [
            y for y in years if (t.loc[t["year"] == y, "input_file"] == "(interpolated)").any()
        ]
        blocks.append(
            Para(
                _(
                    "Gaps were filled by linear interpolation of the activity between two "
                    "reported years (never beyond the first or last reported year). Years "
                    "without a workbook: {years}."
                ).format(years=", ".join(map(str, no_workbook)) or _("none")),
                "note",
            )
        )
        for year, group in filled.groupby("year", sort=True):
            codes = ", ".join(dict.fromkeys(group["code"]))
            blocks.append(
                Para(_("{year}: interpolated {codes}.").format(year=year, codes=codes), "note")
            )
    else:
        blocks.append(
            Para(_("Every figure comes from a workbook of its year (no gap filled)."), "note")
        )
    if outputs.recalculation is not None:
        blocks += _recalculation(outputs, number)
    if outputs.checks is not None:
        blocks += _checks(outputs, number, 2 if outputs.recalculation is not None else 1)
    return blocks


def _checks(outputs: TrendOutputs, number: int, sub: int) -> list:
    """The time-series checks of checks.csv (engine.trend_checks.series_checks), in short."""
    from hginventory.engine.trend_checks import check_message

    checks = outputs.checks
    blocks: list = [
        Heading(2, _("{number}.{sub} Time-series checks").format(number=number, sub=sub)),
        Para(
            _(
                "Each sub-category was checked from one year of the series to the next: "
                "activity or implied input factor changing by more than the threshold of the "
                "run (trend-jump, trend-factor-jump), a change of method or factor table "
                "(trend-method-change), a sub-category present in some years only (trend-gap)."
            )
        ),
    ]
    if checks.empty:
        blocks.append(Para(_("The time-series checks found nothing to report.")))
        return blocks
    rows = [
        [clean(x.check), clean(x.code), clean(name_of(x.code, x.sub_category)), check_message(x)]
        for x in checks.itertuples(index=False)
    ]
    blocks.append(
        Table(
            _("Time-series checks (checks.csv)"),
            [_("Check"), _("Code"), _("Sub-category"), _("Finding")],
            rows,
            small=True,
        )
    )
    return blocks


def _recalculation(outputs: TrendOutputs, number: int) -> list:
    r = outputs.recalculation
    moved = r[r["reason"] != "unchanged"]
    blocks: list = [
        Heading(
            2, _("{number}.1 Recalculation of the submitted inventories").format(number=number)
        ),
        Para(
            _(
                "The inventories as submitted compared with the series, per year and "
                "sub-category: {moved} of {n} rows moved; the others are unchanged."
            ).format(moved=len(moved), n=len(r)),
        ),
    ]
    if len(moved):
        rows = [
            [
                str(x.year),
                clean(x.code),
                clean(name_of(x.code, x.sub_category)),
                kg(x.submitted_input_kg),
                kg(x.recalculated_input_kg),
                kg(x.submitted_air_kg),
                kg(x.recalculated_air_kg),
                clean(reason_text(x.reason)),
            ]
            for x in moved.itertuples(index=False)
        ]
        blocks.append(
            Table(
                _("Recalculated sub-categories (kg Hg/y)"),
                [
                    _("Year"),
                    _("Code"),
                    _("Sub-category"),
                    _("Input submitted"),
                    _("Input now"),
                    _("Air submitted"),
                    _("Air now"),
                    _("Why"),
                ],
                rows,
                {3, 4, 5, 6},
                small=True,
            )
        )
    return blocks


def trend_figure(outputs: TrendOutputs):
    """Lines of counted Hg input, releases and air per year; interpolated years hollow."""
    from matplotlib.figure import Figure as MplFigure

    t = outputs.totals.sort_values("year")
    fig = MplFigure(figsize=(7, 3))
    ax = fig.add_subplot()
    reported = t["input_file"] != "(interpolated)"
    for column, label, colour in (
        ("hg_input_kg", _("Hg input (counted)"), "#4e79a7"),
        ("releases_kg", _(SUBTOTAL_LABELS["releases_kg"]), "#e15759"),
        ("air_kg", _("Air"), "#59a14f"),
    ):
        ax.plot(t["year"], t[column], color=colour, label=label)
        ax.plot(t.loc[reported, "year"], t.loc[reported, column], "o", color=colour)
        ax.plot(
            t.loc[~reported, "year"],
            t.loc[~reported, column],
            "o",
            color=colour,
            markerfacecolor="white",
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_("kg Hg/y"))
    ax.set_xticks(list(t["year"]))
    ax.tick_params(labelsize=8)
    ax.yaxis.set_major_formatter(axis_formatter())
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        fontsize=7,
        ncols=3,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        title=_("hollow markers: years without a workbook (interpolated)"),
        title_fontsize=7,
    )
    fig.set_layout_engine("tight")
    return fig
