"""The reports of `hginv batch`: batch-report.csv (every problem found, with its file, sheet
and cell) and batch-report.txt (for people), and the notices every run prints.

`batch` is the run's BatchResult (`jobs.batch`): outdir, results (FileResult records),
tables, factor_label, seconds, estimates_counted.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _
from hginventory.core.i18n import ngettext
from hginventory.write.batch_tables import COUNTRIES

REPORT_CSV = "batch-report.csv"

REPORT_TXT = "batch-report.txt"

REPORT_COLUMNS = [
    "input_file",
    "name",
    "status",
    "severity",
    "file",
    "sheet",
    "cell",
    "found",
    "expected",
    "message",
    "code",  # the problem's stable code (docs/problem-codes.md)
]


def write_reports(batch) -> dict[str, Path]:
    """batch-report.csv (every problem, located) and batch-report.txt (for people)."""
    import pandas as pd

    from hginventory.core.files import atomic_write
    from hginventory.write.sheets import csv_safe

    rows = []
    for r in batch.results:
        for p in sorted(r.problems, key=lambda p: p["severity"] != "error"):
            rows.append(
                {
                    "input_file": r.input_file,
                    "name": r.name,
                    "status": r.status,
                    **{k: p.get(k, "") for k in REPORT_COLUMNS[3:]},
                }
            )
    frame = csv_safe(pd.DataFrame.from_records(rows, columns=REPORT_COLUMNS))
    csv_path = atomic_write(
        batch.outdir / REPORT_CSV,
        lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"),
    )
    txt_path = atomic_write(
        batch.outdir / REPORT_TXT, lambda tmp: tmp.write_text(report_text(batch), "utf-8")
    )
    return {REPORT_CSV: csv_path, REPORT_TXT: txt_path}


def recalled_notice(batch) -> str:
    """How many result rows of the batch rest on 'recalled' factors (every run says so)."""
    done = [r for r in batch.results if r.succeeded]
    recalled = sum(r.recalled for r in done)
    rows = sum(r.rows for r in done)
    if not recalled:
        return _("All {rows} result rows use factors confirmed against their cited source.").format(
            rows=rows
        )
    return _(
        "Notice: {recalled} of {rows} result rows, in {countries} of {inventories} inventories, "
        "use 'recalled' factors (not confirmed against the official Toolkit); column "
        "recalled_rows of summary.csv and status in all.csv."
    ).format(
        recalled=recalled,
        rows=rows,
        countries=sum(r.recalled > 0 for r in done),
        inventories=len(done),
    )


def estimates_line(batch) -> str:
    """Whether the totals of the batch count the project's estimates (every run says so)."""
    from hginventory.engine.inventory import estimates_sentence

    return estimates_sentence(batch.estimates_counted)


def quality_lines(batch) -> list[str]:
    """Per country, what the quality checks (plausibility, consistency) found, with codes."""
    from hginventory.check.quality import CONSISTENCY, PLAUSIBILITY

    lines = []
    for r in batch.results:
        found = [p for p in r.problems if p.get("kind") in (PLAUSIBILITY, CONSISTENCY)]
        if not r.succeeded or not found:
            continue
        if not lines:
            lines.append(_("Quality checks (docs/quality-checks.md):"))
        lines.append(
            "  "
            + ngettext(
                "{file}: {n} finding of the quality checks",
                "{file}: {n} findings of the quality checks",
                len(found),
            ).format(file=r.input_file, n=len(found))
        )
        for p in found:
            at = f"{p.get('sheet')}!{p.get('cell')}" if p.get("sheet") else p.get("cell", "")
            lines.append(f"    {p.get('code', '')}, {at}: {p.get('message', '')}")
    return [*lines, ""] if lines else []


def report_text(batch) -> str:
    """The readable summary: counts, then each failed workbook with its located errors."""
    from hginventory.core.numbers import format_number

    n = len(batch.results)
    head = ngettext(
        "hginv batch: {n} workbook, factor table {table}",
        "hginv batch: {n} workbooks, factor table {table}",
        n,
    )
    lines = [
        head.format(n=n, table=batch.factor_label),
        "  " + _("computed: {n}").format(n=batch.count("ok")),
        "  " + _("unchanged since the last run (skipped): {n}").format(n=batch.count("skipped")),
        "  " + _("failed: {n}").format(n=batch.count("failed")),
        "  " + _("time: {seconds} s").format(seconds=format_number(batch.seconds, places=1)),
        "",
    ]
    if batch.failed:
        lines.append(_("Failed workbooks (fix them and run the same command again):"))
        for r in batch.failed:
            lines.append("")
            n_err = len(r.errors)
            lines.append(
                ngettext("{file}: {n} error", "{file}: {n} errors", n_err).format(
                    file=r.input_file, n=n_err
                )
            )
            for p in r.errors + r.warnings:
                word = _("error") if p["severity"] == "error" else _("warning")
                lines.append(f"  {word}: {Problem(**p)}")
        lines.append("")
    lines += quality_lines(batch)
    warned = [r for r in batch.results if r.succeeded and r.warnings]
    if warned:
        lines.append(_("Computed with warnings (see batch-report.csv):"))
        lines += [
            "  "
            + ngettext("{file}: {n} warning", "{file}: {n} warnings", len(r.warnings)).format(
                file=r.input_file, n=len(r.warnings)
            )
            for r in warned
        ]
        lines.append("")
    done = [r for r in batch.results if r.succeeded]
    if done:
        lines.append(recalled_notice(batch))
        lines.append(estimates_line(batch))
        lines.append("")
    if batch.tables.get("all.csv"):
        lines.append(
            _(
                "Combined tables: all.csv, all.parquet, summary.csv; one CSV per country in "
                "{folder}/."
            ).format(folder=COUNTRIES)
        )
    else:
        lines.append(
            _("No workbook succeeded: no combined tables written; summary.csv lists each failure.")
        )
    return "\n".join(lines) + "\n"
