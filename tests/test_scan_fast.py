"""The safety scan's fast path (a byte search before the XML walk) finds exactly what the full
walk finds: on every workbook of tests/data/bad and the examples, and on mutated workbooks."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hginventory.core.errors import HginvError
from hginventory.read.scan import _scan_archive

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted(
    p
    for p in [*(ROOT / "tests" / "data" / "bad").iterdir(), *(ROOT / "examples").iterdir()]
    if p.suffix in (".xlsx", ".ods") and zipfile.is_zipfile(p)
)


def outcome(data: bytes, fast: bool):
    """The scan's findings, or the error it raises (type and message)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _scan_archive(archive, "x.xlsx", fast=fast)
    except HginvError as exc:
        return (type(exc).__name__, str(exc))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        return (type(exc).__name__, "")


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_fast_path_finds_what_the_walk_finds(path):
    data = path.read_bytes()
    assert outcome(data, fast=True) == outcome(data, fast=False)


def test_the_fuzz_starts_from_workbooks_with_findings():
    """The fuzz below starts from workbooks where the walk does find something."""
    found = [outcome(p.read_bytes(), fast=False) for p in WORKBOOKS]
    assert any(isinstance(f, tuple) for f in found)
    assert any(
        not isinstance(f, tuple)
        and any(s.merged or s.hidden_rows or s.formulas_without_value for s in f.sheets.values())
        for f in found
    )


FRAGMENTS = [
    b'<c r="B7"><f>1+1</f></c>',
    b'<c r="C3" t="e"><v>#DIV/0!</v></c>',
    b"<c r='D2' t='e'><v>#N/A</v></c>",
    b'<c r="E2" t="&#101;"><v>#REF!</v></c>',
    b'<row r="41" hidden="&#49;"><c r="A41"><v>1</v></c></row>',
    b'<c r="F2"><x:f>A1</x:f></c>',
    b'<row r="40" hidden="1"><c r="A40"><v>1</v></c></row>',
    b'<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>',
    b'<x:f t="shared" si="0"/>',
    b"<f/>",
    b"<!-- a comment -->",
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b"hidden",
    b"\x00\xff",
    b"<",
    b">",
    b"&a;",
]


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """The workbook with fragments spliced into (or bytes cut from) its worksheet parts."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            try:
                body = src.read(info)
            except (zipfile.BadZipFile, zlib.error):
                continue
            if info.filename.startswith("xl/worksheets/") and body:
                for where, which, cut in edits:
                    at = where % len(body)
                    if where % 2 and b"<sheetData>" in body:  # a well-formed place half the time
                        at, cut = body.index(b"<sheetData>") + len(b"<sheetData>"), 0
                    body = body[:at] + FRAGMENTS[which % len(FRAGMENTS)] + body[at + cut :]
            dst.writestr(info.filename, body)
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    book=st.sampled_from([p for p in WORKBOOKS if p.suffix == ".xlsx"]),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, len(FRAGMENTS) - 1), st.integers(0, 3)),
        max_size=4,
    ),
)
def test_fast_path_on_mutated_workbooks(book, edits):
    data = mutate(book.read_bytes(), edits)
    assert outcome(data, fast=True) == outcome(data, fast=False)


def test_mutations_reach_the_walk():
    """The fragments, put in a well-formed place, give findings (the fuzz is not vacuous)."""
    book = ROOT / "examples" / "valdoria-2021.xlsx"
    for which in (0, 1, 2, 3, 4, 6, 7):
        found = outcome(mutate(book.read_bytes(), [(1, which, 0)]), fast=True)
        assert not isinstance(found, tuple)
        facts = [f for f in found.sheets.values()]
        assert any(
            f.formulas_without_value or f.error_values or f.merged or f.hidden_rows for f in facts
        ), FRAGMENTS[which]
