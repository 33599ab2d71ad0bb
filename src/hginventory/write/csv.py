"""CSV outputs: the inventory and inventory diffs, with the formula guard.

`csv_text` is the one place a table becomes CSV text: `compute`'s result CSV, batch's
per-country CSVs (`result_csvs`, many inventories in one go) and its all.csv and summary.csv,
trend's tables and the diff all go through it, so their bytes cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hginventory.core.files import atomic_write
from hginventory.engine.inventory import Inventory
from hginventory.write.sheets import csv_safe


def floats_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its float columns as `%.12g` text (NaN as empty), formatted in one pass
    per column: pandas' own `float_format` calls a function per value, most of a big batch's
    CSV time."""
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if not pd.api.types.is_float_dtype(dtype):
            continue
        values = out[col] if isinstance(dtype, np.dtype) else out[col].astype("float64")
        out[col] = pd.Series(
            ["" if v != v else "%.12g" % v for v in values.tolist()],  # noqa: UP031
            index=out.index,
            dtype=object,
        )
    return out


def csv_text(frame: pd.DataFrame, out=None) -> str | None:
    """A table as every hginv CSV is written: text that a spreadsheet would read as a formula
    behind an apostrophe, numbers as `%.12g`, empty for NaN, no index, `\\n` line ends.
    Written to `out` (a path or text buffer), or returned as text when `out` is None."""
    return floats_as_text(csv_safe(frame)).to_csv(out, index=False, lineterminator="\n")


def result_csvs(frame: pd.DataFrame, spans: list[tuple[int, int]]) -> list[bytes]:
    """The result CSV (UTF-8) of each inventory in a long table of several, `spans` the
    (start, end) positions of each one's rows, ascending; each as `csv_text` writes it alone.

    The rows are formatted in one `csv_text` call and its lines cut apart; an inventory with a
    text holding a line break (its row would span lines) is written on its own.
    """
    broken = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        if not (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])):
            continue
        values = frame[c].tolist()
        if any("\n" in v or "\r" in v for v in set(values) if isinstance(v, str)):
            broken |= [isinstance(v, str) and ("\n" in v or "\r" in v) for v in values]
    whole = frame[~broken] if broken.any() else frame
    lines = csv_text(whole).encode("utf-8").split(b"\n")
    header = lines[0] + b"\n"
    out = []
    for a, b in spans:
        if broken[a:b].any():
            out.append(csv_text(frame.iloc[a:b]).encode("utf-8"))
            continue
        skip = int(broken[:a].sum())
        body = b"\n".join(lines[1 + a - skip : 1 + b - skip])
        out.append(header + body + (b"\n" if b > a else b""))
    return out


def write_table(frame: pd.DataFrame, path: str | Path, protect=()) -> Path:
    """Any table as `csv_text` writes it (text never becomes a formula), written atomically:
    the diff's comparison, compute's --by summary."""
    return atomic_write(path, lambda tmp: csv_text(frame, tmp), protect)


def write_changes(diff: pd.DataFrame, path: str | Path, protect=()) -> Path:
    """The long comparison table as CSV (text never becomes a formula)."""
    return write_table(diff, path, protect)


def write_csv(inventory: Inventory, path: str | Path, protect=(), sync: bool = True) -> Path:
    """The machine-readable contract: one row per sub-category present, kg Hg per year.
    `sync=False` leaves flushing to disk to the caller (a batch syncs once at the end)."""
    frame = inventory.csv_frame()
    return atomic_write(path, lambda tmp: csv_text(frame, tmp), protect, sync=sync)
