"""Regression: the example's results must not move unless a reviewed change says so.

To regenerate deliberately after a reviewed factor or code change:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden
"""

import io

import pandas as pd
import pytest

from hginventory import compute, read_activity
from hginventory.write.csv import write_csv

from .conftest import EXAMPLES, GOLDEN

CASES = sorted(p.stem for p in EXAMPLES.glob("*.xlsx") if not p.name.startswith("~$"))
TOLERANCE = 1e-9


def readable_diff(expected: pd.DataFrame, actual: pd.DataFrame) -> str:
    """Row-by-row, field-by-field differences a reviewer can read."""
    lines = []
    exp, act = _keyed(expected), _keyed(actual)
    for code in exp.index.difference(act.index):
        lines.append(f"  {code}: missing from the new results")
    for code in act.index.difference(exp.index):
        lines.append(f"  {code}: new in the results")
    for code in exp.index.intersection(act.index):
        for col in exp.columns:
            a, b = exp.at[code, col], act.at[code, col] if col in act.columns else None
            if isinstance(a, float) and isinstance(b, float):
                same = abs(a - b) <= TOLERANCE * max(1.0, abs(a)) or (a != a and b != b)
            else:
                same = str(a) == str(b)
            if not same:
                lines.append(f"  {code} {col}: {a!r} -> {b!r}")
    if list(expected.columns) != list(actual.columns):
        lines.append(f"  columns: {list(expected.columns)} -> {list(actual.columns)}")
    return "\n".join(lines)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows keyed by code, or by code and facility once Level 2 facility rows are present."""
    if "facility" not in frame.columns:
        return frame.set_index("code")
    key = frame["code"] + frame["facility"].map(lambda f: f" [{f}]" if isinstance(f, str) else "")
    return frame.set_index(key)


@pytest.mark.parametrize("case", CASES)
def test_example_matches_golden(case, tmp_path, update_golden):
    inv = compute(read_activity(EXAMPLES / f"{case}.xlsx"))
    out = write_csv(inv, tmp_path / "result.csv")
    golden = GOLDEN / f"{case}.csv"
    if update_golden:
        golden.write_bytes(out.read_bytes())
        pytest.skip(f"golden file {golden.name} rewritten")
    assert golden.is_file(), f"no golden file {golden}; run pytest --update-golden"
    expected = pd.read_csv(golden)
    actual = pd.read_csv(io.StringIO(out.read_text(encoding="utf-8")))
    diff = readable_diff(expected, actual)
    assert not diff, (
        f"results of {case} differ from {golden.name}:\n{diff}\n"
        "If the change is intended, regenerate with: pytest tests/test_golden.py --update-golden"
    )


def test_every_example_is_a_golden_case():
    """A new example workbook without a golden file fails above; none at all would pass silently."""
    assert CASES, "no example workbook found in examples/"
