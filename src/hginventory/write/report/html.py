"""The report as one self-contained web page: inline CSS, charts as inline SVG, no script and no
external link, so that it can be sent as one file and opened offline."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hginventory.core.files import atomic_write
from hginventory.core.i18n import get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Figure, Heading, Para, Table, clean
from hginventory.write.report.charts import chart_svg
from hginventory.write.report.contents import build_document, cell_text, subtitle, title

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

