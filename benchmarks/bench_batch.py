"""Benchmark `hginv compute`, `hginv --help` and `hginv batch` against what cannot be avoided.

Generates N synthetic country workbooks (every sub-category of the shipped table used across the
set, magnitudes of the Valdoria example scaled to countries of 0.4 to 150 million people, a
third of them with a `facilities` sheet), then measures, every command as a whole process:

- the floor: start Python, import pandas, read one workbook's sheets with calamine (the fastest
  reader installed); median of several runs;
- `hginv compute` of one workbook (median of several runs) and its ratio to the floor;
- `hginv --help`;
- the bare read of N workbooks (one process: start Python, import pandas, read every sheet of
  every workbook with calamine) and `hginv batch` over them, without and with `--xlsx`;
- the peak memory of the batch for 100 and N workbooks: the summed RSS of the batch process
  and its workers, sampled every 20 ms from /proc (Linux only).

Usage: python benchmarks/bench_batch.py [--count 1000] [--xlsx-count 1000] [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

from make_examples import (  # noqa: E402
    FACILITY_HEADER,
    VALDORIA_ACTIVITY,
    VALDORIA_COUNTRY,
    VALDORIA_FACILITIES,
)

BIN = Path(sys.executable).parent
HGINV = str(BIN / "hginv")
PYTHON = sys.executable
ALTERNATIVES = {"5.2.2a": "5.2.2d", "5.2.2b": "5.2.2e", "5.2.2c": "5.2.2f", "5.4.1a": "5.4.1b"}
READ_ONE = (
    "import sys, pandas\n"
    "from python_calamine import CalamineWorkbook\n"
    "for p in sys.argv[1:]:\n"
    "    wb = CalamineWorkbook.from_path(p)\n"
    "    [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n"
)


# --- synthetic workbooks ---------------------------------------------------------------------


def country_workbook(path: Path, i: int, rng: random.Random) -> None:
    """Valdoria scaled to another country size, with noise, notation keys and alternatives."""
    from openpyxl import Workbook

    scale = math.exp(rng.uniform(math.log(0.02), math.log(8)))
    population = round(18_400_000 * scale)
    with_facilities = i % 3 == 0
    facility_codes = {row[0] for row in VALDORIA_FACILITIES} if with_facilities else set()
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    ws.append(["field", "value"])
    fields = dict(VALDORIA_COUNTRY)
    fields.update(
        country=f"Benchland {i:04d}",
        iso3=f"X{i % 26 + 65:c}{i // 26 % 26 + 65:c}",
        year=2015 + i % 8,
        population=population,
        electrification_rate=round(rng.uniform(20, 100), 1),
    )
    for item in fields.items():
        ws.append(list(item))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes"])
    for code, value, unit, notes in VALDORIA_ACTIVITY:
        if unit == "inhabitants":
            value = population
        elif isinstance(value, str):
            value = value if rng.random() < 0.7 else round(rng.uniform(1, 5000) * scale, 3)
        elif code in facility_codes:
            value = value * scale
        elif rng.random() < 0.1:
            value = rng.choice(["NO", "NE"])
        else:
            value = round(value * scale * rng.lognormvariate(0, 0.4), 3)
        if code in ALTERNATIVES and code not in facility_codes and rng.random() < 0.3:
            ws.append([ALTERNATIVES[code], round(rng.uniform(100, 20_000) * scale, 1), "kg", ""])
            continue
        ws.append([code, value, unit, notes])
    if with_facilities:
        ws = wb.create_sheet("facilities")
        ws.append(FACILITY_HEADER)
        scaled = ("activity", "capacity", "measured_input_kg", "measured_air_kg")
        for row in VALDORIA_FACILITIES:
            rec = dict(zip(FACILITY_HEADER, row, strict=True))
            for name in scaled:
                if rec[name] is not None:
                    rec[name] = rec[name] * scale
            ws.append([rec[c] for c in FACILITY_HEADER])
    wb.save(path)


def make_workbooks(folder: Path, count: int, seed: int = 6) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        path = folder / f"benchland-{i:04d}.xlsx"
        if not path.exists():
            country_workbook(path, i, rng)
        else:
            rng.random()
        paths.append(path)
    return paths


# --- measuring ---------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Summed RSS (bytes) of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/statm") as fh:
                pages = int(fh.read().split()[1])
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(cmd: list[str], cwd: Path | None = None, sample: bool = False) -> dict:
    """Wall time of one whole process (and its peak tree RSS when `sample`)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sampler():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    thread = threading.Thread(target=sampler, daemon=True) if sample else None
    if thread:
        thread.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    if thread:
        thread.join()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.decode()[-2000:]}")
    return {"wall": wall, "tree_peak_mb": peak[0] / 2**20}


def median_wall(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float, float]:
    run(cmd, cwd)  # warm the file cache
    times = [run(cmd, cwd)["wall"] for _ in range(runs)]
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="workbooks in the big batch")
    parser.add_argument(
        "--xlsx-count",
        type=int,
        default=None,
        help="workbooks in the --xlsx batch [default: --count]",
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of each single-file command")
    parser.add_argument("--jobs", type=int, default=None, help="hginv batch --jobs")
    parser.add_argument("--workdir", type=Path, help="keep the generated workbooks here")
    parser.add_argument(
        "--quick", action="store_true", help="100 workbooks (20 with --xlsx), 3 runs: a smoke run"
    )
    args = parser.parse_args()
    if args.quick:
        args.count, args.runs = 100, 3
        args.xlsx_count = args.xlsx_count or 20
    xlsx_count = args.xlsx_count or args.count
    small = min(100, args.count)

    tmp = Path(tempfile.mkdtemp(prefix="hginv-bench-"))
    work = args.workdir or tmp / "inputs"
    try:
        t0 = time.perf_counter()
        books = make_workbooks(work, max(args.count, xlsx_count))
        print(
            f"{len(books)} synthetic workbooks in {work} ({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
        level2 = books[0]  # i % 3 == 0: has a facilities sheet
        rows = []
        floor, lo, hi = median_wall([PYTHON, "-c", READ_ONE, str(level2)], args.runs)
        rows.append(
            (
                "floor: python + import pandas + calamine read, 1 workbook",
                f"{floor:.3f} s",
                f"min {lo:.3f}, max {hi:.3f}",
                "",
            )
        )
        out = tmp / "single"
        out.mkdir()
        comp, lo, hi = median_wall(
            [HGINV, "compute", "-q", str(level2), "-o", str(out / "x.xlsx")], args.runs
        )
        rows.append(
            (
                "hginv compute, 1 workbook (CSV + workbook)",
                f"{comp:.3f} s",
                f"min {lo:.3f}, max {hi:.3f}",
                f"{comp / floor:.2f}x floor (target <= 1.3x)",
            )
        )
        helpt, lo, hi = median_wall([HGINV, "--help"], args.runs)
        rows.append(
            (
                "hginv --help",
                f"{helpt * 1000:.0f} ms",
                f"min {lo * 1000:.0f}, max {hi * 1000:.0f}",
                "target < 150 ms",
            )
        )

        def batch(n: int, xlsx: bool) -> dict:
            target = tmp / f"batch-{n}-{'xlsx' if xlsx else 'csv'}"
            files = [str(p) for p in books[:n]]
            cmd = [HGINV, "batch", *files, "-o", str(target)]
            cmd += ["--xlsx"] if xlsx else []
            cmd += ["--jobs", str(args.jobs)] if args.jobs else []
            result = run(cmd, sample=True)
            shutil.rmtree(target)
            return result

        read_n = run([PYTHON, "-c", READ_ONE, *[str(p) for p in books[: args.count]]])["wall"]
        rows.append(
            (
                f"bare read of {args.count} workbooks (1 process, calamine)",
                f"{read_n:.2f} s",
                "",
                "",
            )
        )
        big = batch(args.count, xlsx=False)
        rows.append(
            (
                f"hginv batch, {args.count} workbooks -> all.csv/all.parquet",
                f"{big['wall']:.2f} s",
                f"{big['wall'] / args.count * 1000:.1f} ms each",
                f"{big['wall'] / read_n:.2f}x bare read (target <= 3x, < 30 s)",
            )
        )
        with_xlsx = batch(xlsx_count, xlsx=True)
        rows.append(
            (
                f"hginv batch --xlsx, {xlsx_count} workbooks",
                f"{with_xlsx['wall']:.2f} s",
                f"{with_xlsx['wall'] / xlsx_count * 1000:.1f} ms each",
                "",
            )
        )
        few = batch(small, xlsx=False)
        rows.append(
            (
                f"peak memory, batch of {small} (summed RSS of the process tree)",
                f"{few['tree_peak_mb']:.0f} MB",
                "",
                "",
            )
        )
        rows.append(
            (
                f"peak memory, batch of {args.count} (summed RSS of the process tree)",
                f"{big['tree_peak_mb']:.0f} MB",
                "",
                f"+{big['tree_peak_mb'] - few['tree_peak_mb']:.0f} MB tree (target <= +50 MB)",
            )
        )
        width = max(len(r[0]) for r in rows)
        print(
            f"hginv benchmark on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"{args.runs} runs per single command (median)"
        )
        print(f"{'measure'.ljust(width)} | {'value':>10} | {'spread / detail':<22} | vs target")
        print(f"{'-' * width}-|-{'-' * 10}-|-{'-' * 22}-|-{'-' * 40}")
        for name, value, detail, note in rows:
            print(f"{name.ljust(width)} | {value:>10} | {detail:<22} | {note}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
