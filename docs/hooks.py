"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`).

The navigation names the pages we know of; pages are added by several people at once, so the
build must not depend on which of them exist: a page named in `nav` but absent is dropped, and
a page of docs/ not named in `nav` is listed under "More". The command reference is generated
in English whatever the language of the machine building the site.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority

MORE = "More"


def _translations(config) -> set[str]:
    """The locales other than the default, whose pages are `NAME.<locale>.md` beside `NAME.md`."""
    for plugin in config.get("plugins", {}).values():
        languages = getattr(plugin, "config", {}).get("languages") if plugin else None
        if languages:
            return {lang["locale"] for lang in languages if not lang.get("default")}
    return set()


def _pages(docs: Path, locales: set[str]) -> list[str]:
    """The pages of docs/ in the default language, as paths relative to docs/."""
    suffix = re.compile(r"\.(" + "|".join(map(re.escape, sorted(locales))) + r")\.md$")
    found = []
    for path in sorted(docs.rglob("*.md")):
        name = path.relative_to(docs).as_posix()
        if not (locales and suffix.search(name)):
            found.append(name)
    return found


def _prune(items: list, present: set[str], listed: set[str]) -> list:
    """The nav without the pages that are absent (sections left empty go too)."""
    kept = []
    for item in items:
        if isinstance(item, dict):
            ((title, value),) = item.items()
        else:
            title, value = None, item
        if isinstance(value, list):
            value = _prune(value, present, listed)
            if not value:
                continue
        elif isinstance(value, str) and value.endswith(".md"):
            listed.add(value)
            if value not in present:
                continue
        kept.append({title: value} if title is not None else value)
    return kept


def _title(docs: Path, name: str) -> str:
    """The page's first heading, else its file name."""
    for line in (docs / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return Path(name).stem.replace("-", " ").capitalize()


def complete_nav(nav: list, docs: Path, locales: set[str]) -> list:
    """`nav` with absent pages dropped and unlisted pages added under "More"."""
    present = _pages(docs, locales)
    listed: set[str] = set()
    kept = _prune(nav, set(present), listed)
    extra = [{_title(docs, name): name} for name in present if name not in listed]
    if extra:
        kept.append({MORE: extra})
    return kept


@event_priority(100)  # before the plugins read the nav
def on_config(config):
    from hginventory.core.i18n import set_language

    set_language("en")  # the command reference is the English help
    if config.get("nav"):
        config["nav"] = complete_nav(config["nav"], Path(config["docs_dir"]), _translations(config))
    return config

