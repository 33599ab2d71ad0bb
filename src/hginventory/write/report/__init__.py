"""The draft national inventory report, as an editable Word document or a self-contained web page.

The chapters follow the Toolkit's reporting template (executive summary, source types present,
summary of inputs, summary of releases, one chapter per source group, annexes). The content is
built once as a list of plain blocks (`write.blocks`: headings, paragraphs, tables, figures) by
`contents.build_document`, from `chapters`, `uncertainty`, `quality` and `annexes`; two
renderers turn it into .docx (`docx`, python-docx) and .html (`html`, inline CSS, charts as
inline SVG from `charts`). python-docx and matplotlib are imported only inside the functions that
need them.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import OutputError
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.report.docx import write_docx
from hginventory.write.report.html import write_html


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
