"""The report's charts, drawn with matplotlib: outputs by pathway, by source group, and the ten
largest sources; as inline SVG for the web page, as PNG for the Word document."""

from __future__ import annotations

import io

from hginventory.core import numbers
from hginventory.core.columns import PATHWAYS, RELEASE_PATHWAYS, SUBTOTAL_LABELS, TRANSFER_PATHWAYS
from hginventory.core.i18n import get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory, top_sources
from hginventory.write.blocks import clean, kg, pct
from hginventory.write.report.names import pathway_name, source_group_names

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
        names = {f"{p}_kg": pathway_name(p) for p in PATHWAYS}
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
        groups = source_group_names(inv)
        labels = [_wrap(groups.get(x, x)) for x in g["source_group"]]
        for p, colour in zip(PATHWAYS, COLOURS, strict=True):
            values = list(g[f"{p}_kg"])
            ax.barh(labels, values, left=left, color=colour, label=pathway_name(p))
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.invert_yaxis()
        ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.4, -0.12))
    else:
        top = top_sources(inv)
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

