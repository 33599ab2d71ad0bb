"""The language of every word hginv shows a person: gettext catalogs and Babel dates.

Messages are written in English in the code, marked `_("... {name} ...").format(name=...)`
(named placeholders, so a translation may put them in another order) and looked up in the
catalog `locale/<lang>/LC_MESSAGES/hginv.mo` of the current language when they are built.
`N_` marks a text that is translated later, where it is shown (click help texts, tables of
constants). The language is chosen once per command (`set_language`): `--lang`, else the
`language` field of a workbook made by `hginv template --lang`, else the environment (`LC_ALL`,
`LC_MESSAGES`, `LANG`), else English.

Only human text is translated and locale-formatted. Machine outputs (CSV, Parquet, JSON keys,
sheet names, header keys, codes, units, notation keys) are the same in every language.

Numbers are formatted by core.numbers (the number policy; this module's language gives their
marks). This module imports nothing heavy: the stdlib `gettext` reads the compiled catalogs,
and Babel is imported only when a date is formatted.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "fr", "es")


DOMAIN = "hginv"


LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


_current: str | None = None  # None: from the environment, looked up when first needed


def language_from_env(environ=None) -> str:
    """The language of the environment as gettext sees it (LC_ALL, LC_MESSAGES, LANG), when
    hginv speaks it; English otherwise (also for C and POSIX)."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return normalise(value) or "en"
    return "en"


def normalise(value: str | None) -> str | None:
    """'fr_FR.UTF-8', 'FR', 'es-419' -> 'fr', 'fr', 'es'; None for a language hginv lacks."""
    if not value:
        return None
    code = str(value).strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def set_language(lang: str | None) -> None:
    """Use `lang` from now on; None goes back to the environment's language."""
    global _current
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    _current = lang


def get_language() -> str:
    return _current if _current is not None else language_from_env()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Within the block, speak `lang` (a notebook or a test rendering one report in French)."""
    global _current
    before = _current
    set_language(lang)
    try:
        yield get_language()
    finally:
        _current = before


@lru_cache(maxsize=8)
def catalog(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of `lang` (English is the source: no catalog)."""
    if lang == "en":
        return _gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with open(mo, "rb") as fh:
            return _gettext.GNUTranslations(fh)
    except OSError:  # a broken installation speaks English rather than failing
        return _gettext.NullTranslations()


def gettext(message: str) -> str:
    """`message` in the current language (itself when untranslated)."""
    lang = get_language()
    if lang == "en" or not message:
        return message
    return catalog(lang).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """`singular` or `plural` for the count `n`, by the plural rule of the current language."""
    lang = get_language()
    if lang == "en":
        return singular if n == 1 else plural
    return catalog(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here (it is translated where it
    is shown)."""
    return message


def date(value, lang: str | None = None) -> str:
    """A date for people: 2 December 2026, 2 décembre 2026, 2 de diciembre de 2026."""
    lang = lang or get_language()
    from babel.dates import format_date

    return format_date(value, format="long", locale=lang)


def join_list(items, lang: str | None = None) -> str:
    """Items joined as the language writes a list: `a and b`, `a, b and c` in French
    (`a, b et c`), Spanish (`a, b y c`) or English (`a, b, and c`): Babel's CLDR lists."""
    from babel.lists import format_list

    return format_list([str(i) for i in items], locale=lang or get_language())


class Texts(dict):
    """A table of English texts marked with N_, read in the current language: `TEXT["title"]`
    is the title in the language of the run (a nested table is a `Texts` too)."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if isinstance(value, dict):
            return Texts(value)
        if isinstance(value, list | tuple):
            return [gettext(v) if isinstance(v, str) else v for v in value]
        return gettext(value) if isinstance(value, str) else value

    def get(self, key, default=None):
        return self[key] if key in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]
