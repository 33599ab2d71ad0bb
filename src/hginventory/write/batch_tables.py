"""The combined tables of `hginv batch`: all.csv and all.parquet (every country's result rows
in one long table) and summary.csv / summary.xlsx (national totals, one row per workbook).

They are rebuilt from the per-country CSVs in `countries/` at the end of every run, so a
resumed batch writes the same tables as an uninterrupted one. The per-country results are
the batch's FileResult records (`jobs.batch`): name, status, country, iso3, year, totals,
rows, recalled, problems, key.
"""

from __future__ import annotations

from pathlib import Path

from hginventory.core.columns import CSV_TEXT_COLUMNS
from hginventory.core.errors import HginvError, OutputError, Problem
from hginventory.core.i18n import gettext as _

COUNTRIES = "countries"

TABLES = ("all.csv", "all.parquet", "summary.csv", "summary.xlsx")

ID_COLUMNS = ["country", "iso3", "year", "input_file"]

TABLE_COLUMNS = ["factor_table_version", "factor_table_sha256"]

TEXT_COLUMNS = CSV_TEXT_COLUMNS  # the result CSV's text columns (core.columns)


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """A located OutputError for an OSError met writing or removing `path`, carrying its errno
    (a full disk or read-only file system stops the batch: every next file would fail too)."""
    error = OutputError(
        _("{file}: cannot write ({reason})").format(file=path, reason=exc.strerror or exc)
    )
    error.errno = exc.errno
    return error


def remove_output(path: Path) -> None:
    """An old output removed, or a located error saying why it could not be."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def _parse_results(data, header: list[str]):
    """Result CSV text as it was before writing: empty text stays empty text, empty numbers are
    NaN, and the apostrophe that kept text such as `=x` from being a formula in the CSV is taken
    off again (all.csv puts it back; all.parquet has the text as typed)."""
    import io

    import pandas as pd

    from hginventory.write.sheets import formula_like

    numeric = [c for c in header if c not in TEXT_COLUMNS]
    frame = pd.read_csv(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        dtype={c: str for c in header if c in TEXT_COLUMNS},
        keep_default_na=False,
        na_values={c: [""] for c in numeric},
    )
    for col in frame.columns.intersection(TEXT_COLUMNS):
        values = frame[col]
        if not any(isinstance(v, str) and v[:1] == "'" for v in set(values.tolist())):
            continue
        marked = values.map(lambda v: isinstance(v, str) and v[:1] == "'" and formula_like(v[1:]))
        if marked.any():
            frame[col] = values.where(~marked, values.str[1:])
    return frame


def combined_frame(results: list, outdir: Path, factors):
    """All successful countries' result rows in one long table, in input order.

    Read back from the per-country CSVs (so a resumed batch gives the same table as a fresh
    one), parsed in one go: the CSVs share their header, and the manifest knows each one's
    row count, which is checked against what was parsed.
    """
    import numpy as np
    import pandas as pd

    from hginventory.core.columns import CSV_COLUMNS

    done = [r for r in results if r.succeeded]
    if not done:
        return None
    import io

    header = None
    text = io.BytesIO()  # one copy of the CSV text of the batch, not a list and its join
    for r in done:
        path = outdir / COUNTRIES / f"{r.name}.csv"
        first, _newline, body = path.read_bytes().partition(b"\n")
        if header is None:
            header = first
            text.write(header + b"\n")
        elif first != header:
            raise HginvError(
                _("{file}: its columns differ from the other countries' CSVs").format(file=path)
            )
        text.write(body if body.endswith(b"\n") or not body else body + b"\n")
    columns = header.decode("utf-8").split(",")
    text.seek(0)
    frame = _parse_results(text, columns)
    del text
    counts = [r.rows for r in done]
    if len(frame) != sum(counts) or not set(CSV_COLUMNS) <= set(frame.columns):
        raise HginvError(
            _("{folder}: the per-country CSVs do not match the manifest").format(
                folder=outdir / COUNTRIES
            )
        )

    def repeat(values):
        return np.repeat(np.asarray(values, dtype=object), counts)

    ids = pd.DataFrame(
        {
            "country": pd.array(repeat([r.country for r in done]), dtype="str"),
            "iso3": pd.array(repeat([r.iso3 for r in done]), dtype="str"),
            "year": np.repeat(np.asarray([r.year for r in done], dtype="int64"), counts),
            "input_file": pd.array(repeat([r.input_file for r in done]), dtype="str"),
        }
    )
    out = pd.concat([ids, frame], axis=1)
    out["factor_table_version"] = factors.label
    out["factor_table_sha256"] = factors.sha256
    return out


def first_error(result) -> str:
    """The first line of a failed workbook's first error, located (the file is named apart)."""
    problems = result.errors or result.problems
    if not problems:
        return ""
    text = str(Problem(**{**problems[0], "file": ""}))
    return text.splitlines()[0] if text else ""


def summary_frame(results: list, factors):
    """National totals per pathway (after the double-counting adjustments), one row for each
    workbook of the run, in input order: `ok`, `empty` (no activity), or `failed` with the first
    line of its first error in `error` and no numbers (batch-report.csv has every problem)."""
    import pandas as pd

    from hginventory.core.columns import OUTPUT_COLUMNS

    quantities = [
        "hg_input_kg",
        *OUTPUT_COLUMNS,
        "releases_kg",  # all six outputs, as before
        "releases_awl_kg",
        "transfers_kg",
        "outputs_beyond_input_kg",
    ]
    rows = []
    for r in results:
        row = {
            "country": r.country,
            "iso3": r.iso3,
            "year": r.year,
            "input_file": r.input_file,
            "name": r.name,
            "factor_table_version": factors.label,
            "factor_table_sha256": factors.sha256,
            "estimates_counted": bool(factors.estimates_counted),
        }
        if r.succeeded:
            row.update(
                status="empty" if r.rows == 0 else "ok",
                error="",
                result_rows=r.rows,
                recalled_rows=r.recalled,
                **{q: r.totals[q] for q in quantities},
            )
        else:
            row.update(status="failed", error=first_error(r))
        rows.append(row)
    columns = [
        *ID_COLUMNS,
        "name",
        "status",
        "error",
        *quantities,
        "result_rows",
        "recalled_rows",
        *TABLE_COLUMNS,
        "estimates_counted",
    ]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for col in ("year", "result_rows", "recalled_rows"):  # whole numbers, blank when failed
        frame[col] = frame[col].astype("Int64")
    return frame


def write_parquet(frame, path: Path) -> None:
    """Parquet with fastparquet, called directly: pandas' own route needs pyarrow, which pandas
    3 then imports into every hginv command (0.1 s more for each `import pandas`)."""
    import fastparquet

    fastparquet.write(str(path), frame, write_index=False, compression="SNAPPY")


def write_tables(results: list, outdir: Path, factors) -> dict[str, Path]:
    """all.csv, all.parquet, summary.csv (and summary.xlsx when workbooks were asked for)."""
    from hginventory.core.files import atomic_write
    from hginventory.write.csv import csv_text

    written: dict[str, Path] = {}
    combined = combined_frame(results, outdir, factors)
    if combined is None:  # no workbook succeeded: summary.csv still lists every failure
        for name in ("all.csv", "all.parquet"):
            remove_output(outdir / name)
    else:
        written["all.csv"] = atomic_write(outdir / "all.csv", lambda tmp: csv_text(combined, tmp))
        written["all.parquet"] = atomic_write(
            outdir / "all.parquet", lambda tmp: write_parquet(combined, tmp)
        )
        del combined
    summary = summary_frame(results, factors)
    written["summary.csv"] = atomic_write(
        outdir / "summary.csv", lambda tmp: csv_text(summary, tmp)
    )
    if any(r.key.get("options", {}).get("xlsx") for r in results):
        written["summary.xlsx"] = atomic_write(
            outdir / "summary.xlsx", lambda tmp: _summary_workbook(summary, tmp)
        )
    else:
        remove_output(outdir / "summary.xlsx")
    return written


def _summary_workbook(summary, path: Path) -> None:
    """summary.xlsx: the summary table with the number policy of every hginv workbook."""
    import pandas as pd

    from hginventory.core.numbers import COUNT, MASS
    from hginventory.write.xlsx import Book

    book = Book(header="hginv batch")
    ws = book.sheet("Summary")
    headers = list(summary.columns)
    kinds = {i: MASS for i, c in enumerate(headers) if c.endswith("_kg")}
    kinds.update({i: COUNT for i, c in enumerate(headers) if c.endswith("_rows")})
    rows = (
        [
            None if v is None or v is pd.NA else str(v) if k == "year" else v
            for k, v in zip(headers, r, strict=True)
        ]
        for r in summary.astype(object).itertuples(index=False)
    )
    ws.table(0, headers, rows, kinds)
    ws.freeze = (1, 1)
    Path(path).write_bytes(book.to_bytes())
