"""CSV outputs: the inventory and inventory diffs, with the formula guard."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hginventory.core.files import atomic_write
from hginventory.engine.inventory import Inventory
from hginventory.write.sheets import csv_safe


def write_changes(diff: pd.DataFrame, path: str | Path, protect=()) -> Path:
    """The long comparison table as CSV (text never becomes a formula)."""
    from hginventory.core.files import atomic_write
    from hginventory.write.sheets import csv_safe

    frame = csv_safe(diff)

    def write(tmp: Path) -> None:
        frame.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")

    return atomic_write(path, write, protect)


def write_csv(inventory: Inventory, path: str | Path, protect=(), sync: bool = True) -> Path:
    """The machine-readable contract: one row per sub-category present, kg Hg per year.
    `sync=False` leaves flushing to disk to the caller (a batch syncs once at the end)."""
    frame = csv_safe(inventory.csv_frame())

    def write(tmp: Path) -> None:
        frame.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")

    return atomic_write(path, write, protect, sync=sync)
