"""Benchmark `hginv compute` against its floor: CPU time, median of paired rounds, per example.

The floor is what no implementation can avoid: start Python, `import pandas`, and read with
calamine the sheets compute reads (`country`, `activity`, `facilities`, `hotspots`, those the
workbook has). For each example workbook (default: every `examples/*.xlsx`) three whole
processes run in every round, their order rotated from round to round so that the machine's
load falls on all alike:

- floor: `python -c <import pandas + calamine read>`;
- `hginv compute WORKBOOK -o DIR` (CSV and workbook; target <= 1.3x floor);
- `hginv compute WORKBOOK --csv DIR --csv-only` (target <= 1.1x floor).

Each run writes to a fresh folder. CPU is user + system time of the process and its children
(hginv reads the workbook in a forked child, waited for at exit), from `getrusage` of this
process's children before and after. One warm-up round is not counted. Printed: the median
CPU and wall time of each command, the median of the per-round ratios to the floor (the
pairing that cancels the machine's drift) and the load average before and after. The bytecode
is compiled before every round (`python -m compileall src`): this machine may set
PYTHONDONTWRITEBYTECODE, and without it every run would compile the modules edited since.

Usage: python benchmarks/bench_floor.py [--rounds 11] [WORKBOOK ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HGINV = str(Path(sys.executable).parent / "hginv")
COMPUTE_SHEETS = ("country", "activity", "facilities", "hotspots")  # read.source.ACTIVITY_SHEETS
FLOOR = (
    "import sys, pandas\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "wanted = set(sys.argv[2:])\n"
    "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names if n.strip().lower() in wanted]\n"
)
TARGETS = {"compute": 1.3, "csv-only": 1.1}


def commands(workbook: Path) -> dict[str, callable]:
    """The three commands of one workbook, each given the fresh folder it may write in."""
    return {
        "floor": lambda out: [PYTHON, "-c", FLOOR, str(workbook), *COMPUTE_SHEETS],
        "compute": lambda out: [HGINV, "compute", str(workbook), "-o", f"{out}/"],
        "csv-only": lambda out: [HGINV, "compute", str(workbook), "--csv", f"{out}/", "--csv-only"],
    }


def compile_bytecode() -> None:
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src")], check=True)


def run(cmd: list[str]) -> tuple[float, float]:
    """CPU (user + system, waited-for children included) and wall seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def paired(workbook: Path, rounds: int, tmp: Path) -> dict[str, dict[str, list[float]]]:
    """CPU and wall times per command, one run of each per round, the order rotated."""
    cmds = commands(workbook)
    names = list(cmds)
    times = {name: {"cpu": [], "wall": []} for name in names}
    for i in range(rounds + 1):  # round 0 warms the file cache and is not counted
        compile_bytecode()  # a module edited meanwhile would be compiled by every run
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            out = tmp / f"{workbook.stem}-{i}-{name}"
            out.mkdir()
            cpu, wall = run(cmds[name](out))
            shutil.rmtree(out)
            if i:
                times[name]["cpu"].append(cpu)
                times[name]["wall"].append(wall)
    return times


def report(workbook: Path, times: dict[str, dict[str, list[float]]]) -> None:
    floor_cpu = times["floor"]["cpu"]
    print(f"\n{workbook.name}")
    print(
        f"| {'command':<9} | {'CPU s':>6} | {'wall s':>6} | {'CPU / floor':>26} | {'target':<14} |"
    )
    print(f"|-{'-' * 9}-|-{'-' * 6}:|-{'-' * 6}:|-{'-' * 26}:|-{'-' * 14}-|")
    for name, t in times.items():
        cpu, wall = statistics.median(t["cpu"]), statistics.median(t["wall"])
        if name == "floor":
            print(f"| {name:<9} | {cpu:6.3f} | {wall:6.3f} | {'1.00x':>26} | {'':<14} |")
            continue
        ratios = sorted(a / b for a, b in zip(t["cpu"], floor_cpu, strict=True))
        spread = f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"
        target = TARGETS[name]
        verdict = f"<= {target}x " + ("met" if statistics.median(ratios) <= target else "missed")
        print(f"| {name:<9} | {cpu:6.3f} | {wall:6.3f} | {spread:>26} | {verdict:<14} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbooks", nargs="*", type=Path, help="default: examples/*.xlsx")
    parser.add_argument("--rounds", type=int, default=11, help="paired rounds (median of them)")
    args = parser.parse_args()
    workbooks = args.workbooks or sorted((ROOT / "examples").glob("*.xlsx"))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"hginv compute against its floor on {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, bytecode compiled; CPU = user + sys with children; median of "
        f"{args.rounds} rounds (floor, compute, csv-only rotated); ratio = median of per-round "
        f"ratios (min-max)\nload average (1, 5, 15 min) before: {load}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="hginv-floor-"))
    try:
        for workbook in workbooks:
            report(workbook, paired(workbook.resolve(), args.rounds, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) after: {' '.join(f'{x:.2f}' for x in load)}")


if __name__ == "__main__":
    main()
