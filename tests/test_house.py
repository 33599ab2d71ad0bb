"""The house rules a reader relies on, kept by tests: modules small enough to read, functions
simple enough to follow, and the result CSV's written contract the same as the code's."""

import re
from pathlib import Path

import pytest
from radon.complexity import cc_visit

from hginventory.core.columns import RESULT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hginventory"
MODULES = sorted(SRC.rglob("*.py"))

MAX_LINES = 800
MAX_COMPLEXITY = 30  # radon's grade E starts at 31


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_is_over_800_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_is_over_complexity_30(path):
    blocks = cc_visit(path.read_text(encoding="utf-8"))
    too_complex = [b for b in blocks if b.complexity > MAX_COMPLEXITY]
    assert [f"{b.fullname} ({b.complexity})" for b in too_complex] == []


def test_the_csv_contract_page_lists_the_result_columns_in_order():
    page = (ROOT / "docs" / "csv-contract.md").read_text(encoding="utf-8")
    table = page.split("## Columns", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \|", table, re.M)
    assert rows == [(c.name, c.kind) for c in RESULT_COLUMNS]
