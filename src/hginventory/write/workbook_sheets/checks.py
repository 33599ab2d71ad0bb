"""The Checks sheet: what the quality checks of the activity data (check.quality) looked at,
their thresholds, and what they found."""

from __future__ import annotations

from hginventory.check.quality import CHECKS
from hginventory.core.i18n import N_, Texts, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.xlsx import Book

CHECKS_SHEET = "Checks"

CHECKS_TEXT = Texts(
    {
        "title": N_("Quality checks of the activity data"),
        "intro": N_(
            "Before computing, every activity was screened against the world's annual total and "
            "a band per inhabitant (plausibility), and the rows against each other "
            "(consistency). The thresholds are screening thresholds, never factors; a warning "
            "asks for a look, not necessarily a correction. Codes and sources: "
            "docs/quality-checks.md of hginv; screens: {table} version {version}."
        ),
        "run": N_("Checks run"),
        "found": N_("Findings"),
        "none": N_("The checks found nothing to report."),
        "code": N_("Code"),
        "check": N_("Check"),
        "threshold": N_("Threshold"),
        "source": N_("Source"),
        "result": N_("Result"),
        "passed": N_("nothing found"),
        "severity": N_("Severity"),
        "cell": N_("Sheet!cell"),
        "problem": N_("Problem"),
        "found_value": N_("Found"),
        "expected": N_("Expected"),
        "warning": N_("warning"),
        "error": N_("error"),
    }
)


def checks_sheet(book: Book, inv: Inventory) -> None:
    """What the quality checks (check/quality.py) looked at, and what they found."""
    from hginventory.tables.plausibility import load_screens

    found = list(getattr(inv, "quality_checks", []) or [])
    screens = load_screens()
    ws = book.sheet(CHECKS_SHEET)
    ws.max_width = 60
    t = CHECKS_TEXT
    ws.text(0, 0, t["title"], "title", wrap=False)
    ws.note(2, t["intro"].format(table=screens.id, version=screens.version), span=5)
    ws.text(4, 0, t["run"], "bold", wrap=False)
    counts: dict[str, int] = {}
    for p in found:
        counts[p.code] = counts.get(p.code, 0) + 1
    rows = [
        (
            code,
            _(what),
            _(threshold),
            _(source),
            ngettext("{n} finding", "{n} findings", counts[code]).format(n=counts[code])
            if counts.get(code)
            else t["passed"],
        )
        for code, _kind, what, threshold, source in CHECKS
    ]
    nxt = ws.table(5, [t["code"], t["check"], t["threshold"], t["source"], t["result"]], rows)
    for row, (code, *_rest) in enumerate(CHECKS, start=6):
        if counts.get(code):
            ws.cells[row, 4].style = "warn"
    ws.text(nxt + 1, 0, t["found"], "bold", wrap=False)
    if not found:
        ws.text(nxt + 2, 0, t["none"], wrap=False)
    else:
        ws.table(
            nxt + 2,
            [t["severity"], t["code"], t["cell"], t["problem"], t["found_value"], t["expected"]],
            (
                (
                    t[p.severity],
                    p.code,
                    f"{p.sheet}!{p.cell}" if p.sheet and p.cell else p.sheet or p.cell,
                    p.message,
                    p.found,
                    p.expected,
                )
                for p in found
            ),
        )
    ws.freeze = (6, 1)
