"""The .xls pre-scan (read.xls_scan.scan_xls): its time on a real .xls, in this process.

    python benchmarks/bench_xls_scan.py [--repeat 2000] [FILE.xls]

Without FILE, the example workbook (examples/valdoria-2021.xlsx) is saved as .xls by
LibreOffice (`soffice --headless --convert-to xls`) in a temporary folder. Prints the median
and the 95th percentile of `repeat` scans (each reads the file and walks its records), and the
median time of the read itself (calamine: open, every sheet to Python rows) for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from hginventory.read.xls_scan import scan_xls

ROOT = Path(__file__).resolve().parent.parent


def timings(work, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        out.append(time.perf_counter() - start)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("file", nargs="?", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            subprocess.run(
                ["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
                 "--headless", "--convert-to", "xls", "--outdir", tmp,
                 str(ROOT / "examples" / "valdoria-2021.xlsx")],
                check=True, capture_output=True, timeout=180,
            )  # fmt: skip
            path = Path(tmp) / "valdoria-2021.xls"
        from python_calamine import CalamineWorkbook

        scan = timings(lambda: scan_xls(path), args.repeat)

        def read_all():
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            book.close()

        read = timings(read_all, args.repeat // 10)
        print(f"{path.name}: {path.stat().st_size:,} bytes, {args.repeat} scans")
        print(f"pre-scan median {statistics.median(scan) * 1e3:.3f} ms, "
              f"95th percentile {scan[int(len(scan) * 0.95)] * 1e3:.3f} ms")  # fmt: skip
        print(f"calamine read median {statistics.median(read) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
