"""A factor review from start to end: the workbook of `hginv factors review`, and the table
folder `hginv factors apply-review` writes from it (usable with `--factors FOLDER`).

The folder holds `toolkit_level1.csv` and `.toml` (the reviewed table, its version bumped), with
the `source_groups.csv` and `documents.csv` of the table reviewed. With nothing typed in the
review, the folder's table is the input table, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hginventory.core.errors import FactorTableError, OutputError, Problem
from hginventory.core.files import atomic_write
from hginventory.core.i18n import gettext as _
from hginventory.tables.review import ReviewOutcome

KNOWN_STATUSES = ("confirmed", "recalled", "estimated", "national")
"""Statuses a review can select, with any other status found in the table."""

DEFAULT_STATUSES = ("recalled", "estimated")


def review_statuses(text: str | None, table) -> list[str]:
    """The statuses of `--status` (comma-separated); FactorTableError for an unknown one.
    A known status no row has (yet) selects nothing, without complaint."""
    names = [s.strip().lower() for s in (text or ",".join(DEFAULT_STATUSES)).split(",")]
    names = [s for s in names if s]
    allowed = list(dict.fromkeys([*KNOWN_STATUSES, *(r.status for r in table.rows)]))
    unknown = [s for s in names if s not in allowed]
    if unknown or not names:
        raise FactorTableError(
            _("unknown status {status}; expected some of {statuses}, separated by commas").format(
                status=", ".join(repr(s) for s in unknown) or "''", statuses=", ".join(allowed)
            )
        )
    return names


@dataclass
class ReviewMade:
    path: Path
    rows: int
    table: str


def make_review(output: Path, factors_path=None, statuses=None, force=False) -> ReviewMade:
    """Write the review workbook of the rows of the table whose status is in `statuses`."""
    from hginventory.tables.factors import factors_dir, load_table
    from hginventory.write.review import write_review

    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise OutputError(
            _("{file}: the review is an Excel workbook; name it .xlsx").format(file=output)
        )
    if output.exists() and not force:
        raise OutputError(
            _("{file}: already exists; choose another name or add --force").format(file=output)
        )
    table = load_table(factors_path)
    chosen = review_statuses(",".join(statuses) if statuses else None, table)
    source = str(factors_path or factors_dir())
    write_review(table, output, chosen, source, protect=_inputs(table))
    return ReviewMade(output, sum(r.status in chosen for r in table.rows), table.label)


def _inputs(table) -> list[str]:
    paths = [table.path, getattr(table, "overlay_path", "")]
    paths = [p for p in paths if p]
    return paths + [str(Path(p).with_suffix(".toml")) for p in paths]


@dataclass
class ReviewApplied:
    """What apply-review did: the outcome, the tables before and after, the folder written."""

    outcome: ReviewOutcome
    old_label: str
    new_label: str
    folder: Path
    warnings: list[Problem]


def apply_review_file(
    review_path, output_dir, factors_path=None, version=None, force=False
) -> ReviewApplied:
    """Check the filled review against its table and write the reviewed table folder."""
    from hginventory.read.review import read_review
    from hginventory.tables.factor_model import FactorRowModel, ValidationError
    from hginventory.tables.factors import DEFAULT_TABLE, factors_dir, load_table
    from hginventory.tables.review import (
        apply_review,
        bumped_version,
        reviewed_csv,
        reviewed_toml,
    )
    from hginventory.tables.rows import validation_message

    folder = Path(output_dir)
    csv_out = folder / f"{DEFAULT_TABLE}.csv"
    if folder.exists() and not folder.is_dir():
        raise OutputError(_("{file}: is a file, expected a folder").format(file=folder))
    if csv_out.exists() and not force:
        raise OutputError(
            _("{file}: already exists; choose another folder or add --force").format(file=csv_out)
        )
    table = load_table(factors_path)
    review = read_review(review_path)
    outcome = apply_review(table, review)
    by_code = {r.code: r for r in outcome.rows}
    problems = []
    cells = {e.code: e.cells.get("code", "") for e in review.entries}
    for code in outcome.confirmed:
        try:
            FactorRowModel(**by_code[code].model_dump())
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(
                    Problem(
                        f"{code}: {validation_message(err)}",
                        file=str(review_path),
                        sheet="review",
                        cell=cells.get(code, ""),
                        kind="review",
                        code="review-invalid",
                    )
                )
    if problems:
        raise FactorTableError(
            _("{file}: the review cannot be applied").format(file=review_path), problems
        )
    source_csv = Path(table.path)
    source_toml = source_csv.with_suffix(".toml")
    changed = set(outcome.confirmed) | set(getattr(table, "origins", {}))
    raw = source_csv.read_bytes()
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    csv_text = bom + reviewed_csv(raw.decode("utf-8-sig"), outcome.rows, changed)
    toml_text = source_toml.read_text("utf-8") if source_toml.is_file() else ""
    new_version = table.version
    if outcome.confirmed or changed:  # an overlay folded in is a new table too
        new_version = version or bumped_version(table.version)
        toml_text = reviewed_toml(toml_text, table, new_version)
    protect = [*_inputs(table), str(review_path)]
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in ((csv_out, csv_text), (csv_out.with_suffix(".toml"), toml_text)):
        data = text.encode("utf-8")  # as written, on every platform (no newline translation)
        atomic_write(path, lambda tmp, d=data: tmp.write_bytes(d), protect)
    for name in ("source_groups.csv", "documents.csv"):
        given = source_csv.parent / name
        given = given if given.is_file() else factors_dir() / name
        if given.is_file() and given.resolve() != (folder / name).resolve():
            data = given.read_bytes()
            atomic_write(folder / name, lambda tmp, d=data: tmp.write_bytes(d), protect)
    return ReviewApplied(
        outcome,
        table.label,
        f"{table.id}@{new_version}",
        folder,
        [p for p in review.problems if p.severity == "warning"],
    )

