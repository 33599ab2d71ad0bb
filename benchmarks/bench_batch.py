"""Benchmark hginv against what cannot be avoided: every figure a ratio, side by side in one run.

Compiles the bytecode first (`python -m compileall src`; this machine may set
PYTHONDONTWRITEBYTECODE), generates N synthetic country workbooks (every sub-category of the
shipped table used across the set, magnitudes of the Valdoria example scaled to countries of 0.4
to 150 million people, a third of them with a `facilities` sheet), then measures whole processes:

- the floor: start Python, import pandas, read the example's sheets with calamine (the fastest
  reader installed);
- `hginv compute examples/valdoria-2021.xlsx --csv-only` (target <= 1.1x floor), the full
  `hginv compute` with its workbook (target <= 1.3x floor), `hginv --help` (<= 100 ms) and
  `hginv validate` (<= 1.2x floor). These run in rounds, one of each command per round in turn,
  so that they share the machine's state; the median of `--runs` rounds (>= 7) is reported;
- the bare read of N workbooks (one process: start Python, import pandas, read every sheet of
  every workbook with calamine) and `hginv batch` over them to all.csv + all.parquet (target
  <= 3x), alternated `--batch-runs` times, median;
- the peak memory of the batch for M (default 200) and N workbooks: the summed RSS of the batch
  process and its workers, sampled every 20 ms from /proc (Linux only; target: grows < 50 MB).

Usage: python benchmarks/bench_batch.py [--count 1000] [--runs 9] [--batch-runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
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
    """Wall time and CPU time (user + system, its workers included) of one whole process,
    and its peak tree RSS when `sample`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    if thread:
        thread.join()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.decode()[-2000:]}")
    return {"wall": wall, "cpu": cpu, "tree_peak_mb": peak[0] / 2**20}


def median_wall(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float, float]:
    run(cmd, cwd)  # warm the file cache
    times = [run(cmd, cwd)["wall"] for _ in range(runs)]
    return statistics.median(times), min(times), max(times)


def rounds(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, list[float]]:
    """Each command once per round, in turn, after one warm-up round; wall times per command."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs + 1):
        for name, cmd in commands.items():
            result = run(cmd, cwd)
            if i:
                times[name].append(result["wall"])
                cpus[name].append(result["cpu"])
    return times, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="workbooks in the big batch")
    parser.add_argument("--small", type=int, default=200, help="workbooks in the small batch")
    parser.add_argument("--runs", type=int, default=9, help="rounds of the single commands")
    parser.add_argument("--batch-runs", type=int, default=3, help="rounds of batch vs bare read")
    parser.add_argument("--jobs", type=int, default=None, help="hginv batch --jobs")
    parser.add_argument("--workdir", type=Path, help="keep the generated workbooks here")
    parser.add_argument(
        "--quick", action="store_true", help="100 workbooks (50 small), 3 rounds: a smoke run"
    )
    args = parser.parse_args()
    if args.quick:
        args.count, args.small, args.runs, args.batch_runs = 100, 50, 3, 1
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src")], check=True)

    tmp = Path(tempfile.mkdtemp(prefix="hginv-bench-"))
    work = args.workdir or tmp / "inputs"
    example = ROOT / "examples" / "valdoria-2021.xlsx"
    try:
        t0 = time.perf_counter()
        books = make_workbooks(work, args.count)
        print(
            f"{len(books)} synthetic workbooks in {work} ({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
        out = tmp / "single"
        out.mkdir()
        single, single_cpu = rounds(
            {
                "floor": [PYTHON, "-c", READ_ONE, str(example)],
                "csv-only": [HGINV, "compute", str(example), "--csv-only", "--csv", "x.csv"],
                "compute": [HGINV, "compute", str(example), "-o", "x.xlsx"],
                "help": [HGINV, "--help"],
                "validate": [HGINV, "validate", str(example)],
            },
            args.runs,
            out,
        )
        med = {name: statistics.median(t) for name, t in single.items()}
        cpu = {name: statistics.median(t) for name, t in single_cpu.items()}
        floor = med["floor"]
        spread = {
            name: f"min {min(t):.3f}, max {max(t):.3f}; cpu {cpu[name]:.3f} s = "
            f"{cpu[name] / cpu['floor']:.2f}x"
            for name, t in single.items()
        }
        rows = [
            (
                "floor: python + import pandas + calamine read of the example",
                f"{floor:.3f} s",
                spread["floor"],
                "1.00x",
            )
        ]
        for name, label, target in (
            ("csv-only", "hginv compute valdoria-2021.xlsx --csv-only", 1.1),
            ("compute", "hginv compute valdoria-2021.xlsx (CSV + workbook)", 1.3),
            ("validate", "hginv validate valdoria-2021.xlsx", 1.2),
        ):
            rows.append(
                (
                    label,
                    f"{med[name]:.3f} s",
                    spread[name],
                    f"{med[name] / floor:.2f}x floor (target <= {target}x)",
                )
            )
        rows.append(
            (
                "hginv --help",
                f"{med['help'] * 1000:.0f} ms",
                spread["help"],
                f"{med['help'] / floor:.2f}x floor (target <= 100 ms)",
            )
        )

        def batch(n: int, tag: str) -> dict:
            target = tmp / f"batch-{n}-{tag}"
            cmd = [HGINV, "batch", *[str(p) for p in books[:n]], "-o", str(target)]
            cmd += ["--jobs", str(args.jobs)] if args.jobs else []
            result = run(cmd, sample=True)
            shutil.rmtree(target)
            return result

        bare_cmd = [PYTHON, "-c", READ_ONE, *[str(p) for p in books[: args.count]]]
        run(bare_cmd)  # warm the file cache
        bare, big = [], []
        bare_cpu = []
        for i in range(args.batch_runs):
            result = run(bare_cmd)
            bare.append(result["wall"])
            bare_cpu.append(result["cpu"])
            big.append(batch(args.count, str(i)))
        read_n = statistics.median(bare)
        read_cpu = statistics.median(bare_cpu)
        big_cpu = statistics.median(b["cpu"] for b in big)
        walls = [b["wall"] for b in big]
        wall = statistics.median(walls)
        rows.append(
            (
                f"bare read of {args.count} workbooks (1 process, calamine)",
                f"{read_n:.2f} s",
                f"min {min(bare):.2f}, max {max(bare):.2f}; cpu {read_cpu:.2f} s",
                "",
            )
        )
        rows.append(
            (
                f"hginv batch, {args.count} workbooks -> all.csv + all.parquet",
                f"{wall:.2f} s",
                f"min {min(walls):.2f}, max {max(walls):.2f}; cpu {big_cpu:.2f} s = "
                f"{big_cpu / read_cpu:.2f}x",
                f"{wall / read_n:.2f}x bare read (target <= 3x)",
            )
        )
        few = batch(args.small, "small")
        peak_big = max(b["tree_peak_mb"] for b in big)
        rows.append(
            (
                f"peak memory, batch of {args.small} (summed RSS of the process tree)",
                f"{few['tree_peak_mb']:.0f} MB",
                "",
                "",
            )
        )
        rows.append(
            (
                f"peak memory, batch of {args.count} (summed RSS of the process tree)",
                f"{peak_big:.0f} MB",
                "highest of the runs",
                f"+{peak_big - few['tree_peak_mb']:.0f} MB (target < +50 MB)",
            )
        )
        width = max(len(r[0]) for r in rows)
        print(
            f"hginv benchmark on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"bytecode compiled; single commands: median of {args.runs} rounds; batch: median of "
            f"{args.batch_runs} alternated runs"
        )
        print(
            f"| {'measure'.ljust(width)} | {'median':>9} | {'spread; cpu (user+sys)':<46} | ratio |"
        )
        print(f"|-{'-' * width}-|-{'-' * 9}-|-{'-' * 46}-|-------|")
        for name, value, detail, note in rows:
            print(f"| {name.ljust(width)} | {value:>9} | {detail:<46} | {note} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
