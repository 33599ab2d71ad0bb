"""Limits of the factor tables, overlays, metadata and mappings a user gives, checked before
anything is parsed: an 88 MB overlay took about 1 GB and 20 s to be refused row by row.

The shipped tables are far below them (the largest, the Guidebook set, is 42 kB and 191 lines);
a country's complete table with every variant and long notes stays well within.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hginventory.core.errors import FactorTableError
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number

MAX_TABLE_BYTES = 2 * 2**20
"""Size of one factor table, overlay, its TOML metadata, or an EMEP mapping."""

MAX_TABLE_LINES = 10_000
"""Lines of one such file (every row takes at least one line)."""


def read_table_bytes(path: str | Path) -> bytes:
    """The bytes of a factor table (or its metadata, source groups, documents, an EMEP
    mapping), refused before it is parsed when it is larger than `MAX_TABLE_BYTES` or has
    more than `MAX_TABLE_LINES` lines. Special files (a pipe, a device) are read no further
    than the limit."""
    path = Path(path)
    name = str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, os.strerror(21))
        if info.st_size > MAX_TABLE_BYTES:
            raw = b"\0" * (MAX_TABLE_BYTES + 1)  # the size is known: nothing is read
        else:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise FactorTableError(
            _("{file}: cannot be read ({reason})").format(file=name, reason=exc.strerror)
        ) from None
    if len(raw) > MAX_TABLE_BYTES:
        size = max(info.st_size, len(raw))
        raise FactorTableError(
            _(
                "{file}: refused before reading: {size} MB, more than the {limit} MB a factor "
                "table or mapping may have"
            ).format(
                file=name,
                size=format_number(size / 2**20, places=1),
                limit=MAX_TABLE_BYTES // 2**20,
            )
        )
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
    if lines > MAX_TABLE_LINES:
        raise FactorTableError(
            _(
                "{file}: refused before reading: {lines} lines, more than the {limit} a factor "
                "table or mapping may have"
            ).format(
                file=name,
                lines=format_number(lines, COUNT),
                limit=format_number(MAX_TABLE_LINES, COUNT),
            )
        )
    return raw
