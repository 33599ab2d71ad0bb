"""The batch manifest, `batch-manifest.jsonl`: what was computed from which input hash, factor
table and options, one JSON line per finished file, so that a re-run skips what is unchanged
and an interrupted run resumes."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hginventory import __version__
from hginventory.read.source import sha256_of
from hginventory.write.batch_tables import cannot_write

MANIFEST = "batch-manifest.jsonl"

MANIFEST_FORMAT = "hginv-batch-manifest/3"  # 2: recalled count; 3: releases apart from transfers


def table_key(factors) -> dict:
    """Identity of everything besides the input that the numbers depend on."""
    from hginventory.tables.level2 import default_tables

    return {
        "hginv_version": __version__,
        "factor_table": factors.label,
        "factor_table_sha256": factors.sha256,
        "overlay": getattr(factors, "overlay_label", ""),
        "overlay_sha256": getattr(factors, "overlay_sha256", ""),
        "level2_sha256": default_tables().sha256,
        # a resumed batch never mixes totals with and without the project's estimates
        "estimates_counted": bool(getattr(factors, "estimates_counted", False)),
    }


class Manifest:
    """One JSON line per finished file, appended and flushed as each file finishes.

    A line is written with a single write after the file's outputs are in place (themselves
    written atomically), so a run stopped at any moment leaves at worst a torn last line, which
    is ignored on reading: that file is simply computed again. At the end of a batch the
    manifest is rewritten atomically with one line per input.
    """

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        self.outdated = False
        if path.is_file():
            with open(path, encoding="utf-8", errors="replace") as fh:  # a torn last line
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if not isinstance(entry, dict):
                        continue
                    if entry.get("format", MANIFEST_FORMAT) != MANIFEST_FORMAT:
                        self.entries.clear()  # written by another hginv: compute it all again
                        self.outdated = True
                        break
                    if "resolved" in entry:
                        self.entries[entry["resolved"]] = entry
        self._fh = None

    def record(self, resolved: str, result) -> None:
        """The line of one finished input (`result`, a FileResult of `jobs.batch`)."""
        entry = {"resolved": resolved, **result.to_json()}
        self.entries[resolved] = entry
        try:
            if self._fh is None:  # kept open for the whole run
                self._fh = open(self.path, "w" if self.outdated else "a", encoding="utf-8")
                if self.outdated:
                    self._fh.write(json.dumps({"format": MANIFEST_FORMAT}) + "\n")
                    self.outdated = False
            self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._fh.flush()
        except OSError as exc:  # a full disk: a torn last line is ignored on reading
            raise cannot_write(self.path, exc) from None

    def close(self) -> None:
        """Closed; a line that could not be written was reported when it was recorded."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    def rewrite(self, keep: list[str]) -> None:
        from hginventory.core.files import atomic_write

        self.close()
        lines = [json.dumps({"format": MANIFEST_FORMAT})]
        kept = [self.entries[k] for k in keep if k in self.entries]
        lines += [json.dumps(e, ensure_ascii=False) for e in kept]
        atomic_write(self.path, lambda tmp: tmp.write_text("\n".join(lines) + "\n", "utf-8"))


def unchanged(entry: dict | None, key: dict, outdir: Path) -> bool:
    """The recorded result of an input is still valid: same key, outputs as written."""
    if not entry or entry.get("status") not in ("ok", "skipped") or entry.get("key") != key:
        return False
    for rel, digest in entry.get("outputs", {}).items():
        path = outdir / rel
        if not path.is_file() or sha256_of(path) != digest:
            return False
    return bool(entry.get("outputs"))
