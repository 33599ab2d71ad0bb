"""Spreadsheet column letters, the one implementation every reader and writer names cells with
(openpyxl's `get_column_letter` would cost the reading path the import of openpyxl: half a
second, more than pandas)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """Column letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA (cached: every
    cell of a sheet is named)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based column index of column letters: A -> 0, AA -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
