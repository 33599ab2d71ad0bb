"""Time `run_uncertainty` (10,000 Monte Carlo draws by default) on two inventories.

- Valdoria: the bundled example workbook (every source group touched);
- all sub-categories: every row of the shipped factor table quantified at once (a copy of the
  table without its `replaces` links, so that no row is dropped as included elsewhere), each
  activity with a 10 % uncertainty.

Prints the median and spread of several runs and the peak memory of one run (tracemalloc).
Usage: python benchmarks/bench_uncertainty.py [--draws 10000] [--runs 7]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook

from hginventory import compute
from hginventory.engine.uncertainty import run_uncertainty
from hginventory.read.activity import read_activity
from hginventory.tables.factors import factors_dir, load_factors

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.5


def all_rows_inventory(folder: Path):
    """An inventory with every sub-category of the factor table present."""
    table_dir = folder / "factors"
    shutil.copytree(factors_dir(), table_dir)
    path = table_dir / "toolkit_level1.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["replaces"] = ""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    factors = load_factors(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    for item in [
        ("field", "value"),
        ("country", "Benchland"),
        ("year", 2021),
        ("population", 10_000_000),
        ("electrification_rate", 80),
    ]:
        ws.append(item)
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes", "uncertainty_pct"])
    for row in factors.rows:
        ws.append([row.code, 1000, "", "", 10])
    book = folder / "all.xlsx"
    wb.save(book)
    return compute(read_activity(book), factors)


def bench(name: str, inv, draws: int, runs: int) -> float:
    run_uncertainty(inv, draws=draws)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_uncertainty(inv, draws=draws)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run_uncertainty(inv, draws=draws)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    median = statistics.median(times)
    print(
        f"{name}: {len(inv.results)} sub-categories, {draws:,} draws: median {median:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs); peak {peak:.0f} MiB; "
        f"{'within' if median < TARGET_S else 'ABOVE'} the {TARGET_S} s target"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    valdoria = compute(read_activity(ROOT / "examples" / "valdoria-2021.xlsx"))
    bench("Valdoria 2021", valdoria, args.draws, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        bench("All sub-categories", all_rows_inventory(Path(tmp)), args.draws, args.runs)


if __name__ == "__main__":
    main()
