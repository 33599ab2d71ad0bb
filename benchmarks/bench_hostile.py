"""Hostile and huge inputs: whole-process time and peak memory of `hginv validate` (and
`compute`, `report`) on 10,000 bad activity rows and on the files that crashed the reader.

    python -m compileall -q src && python benchmarks/bench_hostile.py [--repeat 3]

Each command runs as its own process (python -c "...main()"), timed with a wall clock; the peak
resident memory is the larger of the process's and its children's (the reader runs in a forked
child), from getrusage. Files are generated in a temporary folder; the crash corpus is read from
tests/data/bad/. The limits the issue sets: 10,000 bad rows in under 2 s; every file under 5 s
and 300 MB; a workbook at the facility-row limit (20,000 rows, issue 21) under 20 s and 500 MB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
CODE = (
    "import resource, sys\n"
    "from hginventory.cli import main\n"
    "try:\n    main(sys.argv[1:])\n"
    "finally:\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    sys.stderr.write(f'PEAK_KB {max(own, kids)}\\n')\n"
)


def activity_csv(path: Path, rows: list[str]) -> Path:
    head = [
        "field;value",
        "country;Testland",
        "year;2021",
        "population;1000000",
        "electrification_rate;50",
        "",
        "code;activity;unit;notes",
    ]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return path


def facilities_workbook(path: Path, rows: int = 20_000) -> Path:
    """The Level 2 example with `rows` coal plants on its facilities sheet (the stated limit)."""
    from openpyxl import load_workbook

    wb = load_workbook(ROOT / "examples" / "valdoria-2021-level2.xlsx")
    ws = wb["facilities"]
    header = [c.value for c in ws[1]]
    ws.delete_rows(2, ws.max_row)
    for i in range(rows):
        values = {"code": "5.1.1", "facility": f"Plant {i}", "activity": 100, "unit": "t"}
        values["control"] = "coal-esp"
        ws.append([values.get(h) for h in header])
    wb.save(path)
    return path


def run(args: list[str], cwd: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CODE, *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    seconds = time.perf_counter() - start
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
    return seconds, int(peak[-1].split()[1]) / 1024 if peak else float("nan"), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = {
            "10k unknown codes": activity_csv(
                tmp / "unknown.csv", [f"9.{i}.1;1000;t;" for i in range(10_000)]
            ),
            "10k text in number": activity_csv(
                tmp / "text.csv", [f"5.1.1;abc{i};t;" for i in range(10_000)]
            ),
            "10k duplicates": activity_csv(tmp / "dup.csv", ["5.1.1;1000;t;"] * 10_000),
        }
        for name in (
            "biff-huge-dimensions.xls",
            "biff-bad-sheet-offset.xls",
            "far-corner-cell.xlsx",
            "row-beyond-excel.xlsx",
            "ods-repeated-rows.ods",
            "zip-bomb-lying-sizes.xlsx",
        ):
            cases[name] = BAD / name
        cases["20k facility rows"] = facilities_workbook(tmp / "facilities-20000.xlsx")
        print(
            f"{'input':28} {'command':16} {'exit':>4} {'median s':>9} {'max s':>7} {'peak MB':>8}"
        )
        for label, path in cases.items():
            commands = [["validate", "--json"], ["validate"]]
            if label.startswith("20k"):
                commands = [["validate"], ["compute"]]
            elif not label.startswith("10k"):
                commands += [["compute"], ["report"]]
            for command in commands:
                runs = [run([*command, str(path)], tmp) for _ in range(repeat)]
                secs = [r[0] for r in runs]
                print(
                    f"{label:28} {' '.join(command):16} {runs[0][2]:>4} "
                    f"{statistics.median(secs):>9.2f} {max(secs):>7.2f} "
                    f"{max(r[1] for r in runs):>8.0f}"
                )


if __name__ == "__main__":
    main()
