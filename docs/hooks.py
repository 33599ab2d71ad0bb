"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`).

The navigation names the pages we know of; pages are added by several people at once, so the
build must not depend on which of them exist: a page named in `nav` but absent is dropped, and
a page of docs/ not named in `nav` is listed under "More". The command reference is generated
in English whatever the language of the machine building the site. Without a hand-written
docs/problem-codes.md, that page is generated from the problems the code raises.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

MORE = "More"
CODES_PAGE = "problem-codes.md"
SOURCE = Path(__file__).resolve().parent.parent / "src" / "hginventory"
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


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


def complete_nav(nav: list, docs: Path, locales: set[str], generated=()) -> list:
    """`nav` with absent pages dropped and unlisted pages added under "More"; `generated`
    pages are present although not in docs/."""
    present = _pages(docs, locales) + [g for g in generated if not (docs / g).exists()]
    listed: set[str] = set()
    kept = _prune(nav, set(present), listed)
    unlisted = [name for name in present if name not in listed and name not in generated]
    extra = [{_title(docs, name): name} for name in unlisted]
    if extra:
        kept.append({MORE: extra})
    return kept


@event_priority(100)  # before the plugins read the nav
def on_config(config):
    from hginventory.core.i18n import set_language

    set_language("en")  # the command reference is the English help
    if config.get("nav"):
        docs, locales = Path(config["docs_dir"]), _translations(config)
        config["nav"] = complete_nav(config["nav"], docs, locales, generated=[CODES_PAGE])
    return config


def _message(node) -> str:
    """The English message of a call raising a problem: its first argument written
    `_("...")`, possibly followed by `.format(...)`."""
    for arg in node.args:
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
            arg = arg.func.value  # _("...").format(...)
        if (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Name)
            and arg.func.id in ("_", "N_")
            and arg.args
            and isinstance(arg.args[0], ast.Constant)
        ):
            return str(arg.args[0].value)
    return ""


def problem_codes(source: Path = SOURCE) -> list[tuple[str, str, str, str]]:
    """(code, severity, message, module) of every `code="..."` the code passes, by code."""
    found: dict[str, tuple[str, str, str, str]] = {}
    for path in sorted(source.rglob("*.py")):
        module = path.relative_to(source).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            words = {k.arg: k.value for k in node.keywords if k.arg}
            code = words.get("code")
            if not (isinstance(code, ast.Constant) and KEBAB.fullmatch(str(code.value))):
                continue
            severity = words.get("severity")
            level = severity.value if isinstance(severity, ast.Constant) else "error"
            found.setdefault(code.value, (code.value, str(level), _message(node), module))
    return [found[c] for c in sorted(found)]


def codes_page(codes) -> str:
    """The generated list of problem codes, as Markdown."""
    lines = [
        "# Problem codes",
        "",
        "Every problem hginv reports (`hginv validate --json`, `batch-report.csv`) carries a",
        "stable code, the same in every language. This list is generated from the code when the",
        "site is built: the severity the problem is raised with (`error` unless said), its",
        "message in English, and the module that raises it.",
        "",
    ]
    if not codes:
        return "\n".join([*lines, "No problem carries a code yet.", ""])
    lines += ["| code | severity | message | raised in |", "|---|---|---|---|"]
    for code, severity, message, module in codes:
        text = re.sub(r"([|*_\\[\]])", r"\\\1", message.replace("`", "'")).replace("<", "&lt;")
        lines.append(f"| `{code}` | {severity} | {text} | `{module}` |")
    return "\n".join([*lines, ""])


@event_priority(-200)  # after the i18n plugin has sorted the files of docs/ by language
def on_files(files, config):
    if files.get_file_from_path(CODES_PAGE) is None and not Path(
        config["docs_dir"], CODES_PAGE
    ).exists():
        files.append(File.generated(config, CODES_PAGE, content=codes_page(problem_codes())))
    return files
