"""Names of sub-categories and source groups in French and Spanish, beside the factor table.

`factors/toolkit_level1.<lang>.csv` (columns `code`, `sub_category`, `activity_description`,
`status`) and `factors/source_groups.<lang>.csv` (`id`, `name`, `status`) are reviewable text
like the factors themselves. `status` says whose words they are: `hginv` marks the project's
own translation, not yet checked against the official French or Spanish Toolkit; whoever checks
a row against it sets `toolkit` and may correct the wording. Only what people read is
translated: codes, units and the English names in CSV outputs stay as they are.

A code without a translation (a variant added by a user's factor CSV) keeps its English text.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from hginventory.core.i18n import get_language

TRANSLATION_STATUS = ("hginv", "toolkit")


def translation_path(lang: str, table: str = "toolkit_level1", folder: Path | None = None) -> Path:
    from hginventory.tables.factors import factors_dir

    return (folder or factors_dir()) / f"{table}.{lang}.csv"


@lru_cache(maxsize=16)
def _read(path: Path, key: str) -> dict[str, dict]:
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {row[key].strip(): row for row in csv.DictReader(fh)}


def sub_category_translations(lang: str, folder: Path | None = None) -> dict[str, dict]:
    """code -> {sub_category, activity_description, status} in `lang` (empty for English)."""
    if lang == "en":
        return {}
    return _read(translation_path(lang, folder=folder), "code")


def group_translations(lang: str, folder: Path | None = None) -> dict[str, dict]:
    """source group id -> {name, status} in `lang` (empty for English)."""
    if lang == "en":
        return {}
    return _read(translation_path(lang, "source_groups", folder), "id")


def _text(row, column: str, lang: str | None) -> str:
    own = sub_category_translations(lang or get_language()).get(row.code, {})
    return own.get(column) or getattr(row, column)


def sub_category_name(row, lang: str | None = None) -> str:
    """The name of a factor row's sub-category in `lang` (the current language)."""
    return _text(row, "sub_category", lang)


def activity_description(row, lang: str | None = None) -> str:
    """What to count for a factor row (its activity rate), in `lang`."""
    return _text(row, "activity_description", lang)


def group_name(group: str, english: str, lang: str | None = None) -> str:
    """The name of a source group in `lang`; `english` when there is no translation."""
    return group_translations(lang or get_language()).get(group, {}).get("name") or english


def name_of(code: str, english: str, lang: str | None = None) -> str:
    """The name of sub-category `code` in `lang` (the current language); `english` when there
    is no translation (a variant added by a user's factor CSV)."""
    own = sub_category_translations(lang or get_language()).get(str(code), {})
    return own.get("sub_category") or english


def group_names(groups: dict, lang: str | None = None) -> dict[str, str]:
    """English source-group name -> its name in `lang`, for a factor table's `groups`."""
    return {g.get("name", k): group_name(k, g.get("name", k), lang) for k, g in groups.items()}
