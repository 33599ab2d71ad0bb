"""Where a command writes: `-o results/` as a folder, every output checked against the
inputs before any work, a file name quoted to paste into a shell."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from hginventory.core.i18n import gettext as _

OUTPUT_TYPE = click.Path(readable=False)
"""The type of an output option: the text as typed, so that `results/` stays a folder."""


def wants_folder(text: str | Path | None) -> bool:
    """An output typed with a trailing slash, or naming an existing folder: a folder to write
    the usual file names in (created if needed). Options keep the text as typed (a Path
    drops the slash)."""
    if text is None:
        return False
    text = str(text)
    try:
        return text.endswith(("/", os.sep)) or Path(text).is_dir()
    except OSError:  # a name too long: not a folder; the output check says why
        return False


def in_folder(path: str | Path | None, default: Path) -> Path:
    """The output file an option names: `default` when absent, inside it when it is a folder.

    A consultant types `-o results/` and expects the usual file names there, not a refusal.
    """
    if path is None:
        return default
    return Path(path) / default.name if wants_folder(path) else Path(path)


def output_folders(*texts) -> list[Path]:
    """The folders among the outputs as typed, to create once every output was checked."""
    return [Path(t) for t in texts if t is not None and wants_folder(t)]


def factor_inputs(path) -> list:
    """What a --factors option makes a command read: the CSV and its .toml, or a folder, and
    the shipped table laid under an overlay; no output may land on any of them."""
    from hginventory.core.files import table_files
    from hginventory.tables.factors import factors_dir

    return [factors_dir(), *table_files(path)]


def check_outputs(outputs, inputs, within=(), folders=()) -> None:
    """Every output of a command checked against its inputs and each other before any work
    (`core.files.check_paths`), and its folder known to exist unless it is one of the
    `folders` the user typed (`-o results/`, made later): a typo in a folder name is told
    at once, not after the computation."""
    from hginventory.core.errors import OutputError
    from hginventory.core.files import check_paths

    check_paths(outputs, inputs, within)
    made = {Path(f) for f in folders}
    for item in outputs:
        path = Path(item[1] if isinstance(item, tuple) else item)
        folder = path.parent
        if folder not in made and not folder.is_dir():
            raise OutputError(
                _("{file}: the folder {folder} does not exist").format(file=path, folder=folder)
            )


def paste_quote(path: Path | str) -> str:
    """A file name as it can be pasted into a command line on Windows as well as on Unix.

    Double quotes work in cmd, PowerShell and POSIX shells alike for a name without `"`, `$`,
    backquote, backslash, `!` or `%`; only such rare names get the POSIX shell's quoting.
    """
    text = str(path)
    if re.fullmatch(r"[\w./:+-]+", text):
        return text
    if not re.search(r'["$`\\!%]', text):
        return f'"{text}"'
    import shlex

    return shlex.quote(text)
