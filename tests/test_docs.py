"""The README stays a short front door, and the documentation site builds with every command,
every CSV column and every page in it (mkdocs.yml, docs/)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def fenced_blocks(text: str, heading: str) -> list[str]:
    """The code blocks of the section `## heading` of a Markdown text."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\w*\n(.*?)\n```", section, re.S)


def two_commands() -> list[str]:
    blocks = fenced_blocks(README.read_text(encoding="utf-8"), "Two commands")
    return blocks[:2]


def test_readme_is_a_short_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines; move text to docs/"


def test_readme_test_command_is_what_ci_runs():
    run, test = two_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci, "the README's test command must be a line of .ci/run, byte for byte"
    assert "'.[test]'" in test and "pytest" in test


def test_readme_run_command_computes_the_bundled_example():
    run, _ = two_commands()
    assert run.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e . && ")
    example = run.rsplit(" ", 1)[1]
    assert run.endswith(f".venv/bin/hginv compute {example}")
    assert (ROOT / example).is_file(), example


def test_install_page_repeats_the_readme_commands():
    page = (DOCS / "install.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\w*\n(.*?)\n```", page, re.S)
    assert blocks[:2] == two_commands()


def test_ci_builds_the_site_strictly_after_the_tests():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_line = ci.index(two_commands()[1])
    build = re.search(r"mkdocs build --strict", ci)
    assert build and build.start() > test_line


def test_readme_links_point_to_existing_files():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert local, "the README points to the documentation"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, missing


def load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nav_drops_absent_pages_and_lists_new_ones(tmp_path):
    """Helpers add pages at the same time: the build must not depend on which exist."""
    pytest.importorskip("mkdocs")
    hooks = load_hooks()
    for name, title in [("index.md", "Home"), ("guide.md", "Guide"), ("new-topic.md", "New")]:
        (tmp_path / name).write_text(f"# {title}\n", encoding="utf-8")
    (tmp_path / "guide.fr.md").write_text("# Guide (fr)\n", encoding="utf-8")
    nav = [
        {"Home": "index.md"},
        {"Use": [{"Guide": "guide.md"}, {"Not yet written": "absent.md"}]},
        {"Empty": [{"Also absent": "gone.md"}]},
    ]
    got = hooks.complete_nav(nav, tmp_path, {"fr", "es"})
    assert got == [
        {"Home": "index.md"},
        {"Use": [{"Guide": "guide.md"}]},
        {"More": [{"New": "new-topic.md"}]},
    ]


def commands(group: click.Group, prefix: str = "hginv") -> list[str]:
    """Every command path of the CLI: `hginv compute`, `hginv factors list`, ..."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append(path)
        if isinstance(command, click.Group):
            found += commands(command, path)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built as .ci/run builds it (strict: any warning fails)."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocs_click")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    yield out
    shutil.rmtree(out, ignore_errors=True)


def test_reference_documents_every_command(site):
    from hginventory.cli import main

    html = (site / "cli" / "index.html").read_text(encoding="utf-8")
    headings = set(re.findall(r"<h[1-6] id=\"[^\"]*\">([^<]+)", html))
    every = commands(main)
    assert "hginv factors review" in every
    missing = [c for c in every if c not in headings]
    assert not missing, f"not in the command reference: {missing}"


def test_reference_shows_real_defaults(site):
    """Defaults as `--help` prints them, never click's internal placeholder."""
    html = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "default: 10000" in html
    assert "UNSET" not in html


def test_every_page_is_in_the_site(site):
    pages = [p.relative_to(DOCS) for p in DOCS.rglob("*.md")]
    translated = [p for p in pages if re.search(r"\.(fr|es)\.md$", p.name)]
    english = [p for p in pages if p not in translated]
    for page in english:
        built = site / ("index.html" if page.name == "index.md" else page.with_suffix(""))
        assert built.exists(), f"{page} was not built"
    assert translated, "the focal point's guide has French and Spanish pages"
    for page in translated:
        lang = page.name.split(".")[-2]
        stem = page.name.split(".")[0]
        html = (site / lang / stem / "index.html").read_text(encoding="utf-8")
        assert f'lang="{lang}"' in html


def test_french_and_spanish_guides_have_the_five_steps():
    english = re.findall(r"^## (\d)\. ", (DOCS / "guide.md").read_text(encoding="utf-8"), re.M)
    assert english == ["1", "2", "3", "4", "5"]
    for lang in ("fr", "es"):
        text = (DOCS / f"guide.{lang}.md").read_text(encoding="utf-8")
        assert re.findall(r"^## (\d)\. ", text, re.M) == english, lang
        assert text.count("```bash") == 4, lang


def test_csv_contract_lists_every_column():
    from hginventory.core.columns import CSV_COLUMNS, OUTPUT_COLUMNS
    from hginventory.engine.crosscheck import CSV_EXTRA_COLUMNS

    page = (DOCS / "csv-contract.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `([a-z_0-9]+)` \|", page, re.M)
    assert table == list(CSV_COLUMNS), "the columns table must list CSV_COLUMNS in order"
    for column in [*CSV_EXTRA_COLUMNS, "hg_input_kg_p025", "hg_input_kg_p975"]:
        assert f"`{column}`" in page, column
    assert all(c in page for c in OUTPUT_COLUMNS)


KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def problem_codes_in_source() -> dict[str, str]:
    """Every stable problem code the code can emit, with the file naming it: the literal
    `code="..."` arguments anywhere in src/, and the keys of a registry of codes (a dict
    literal) in core/."""
    import ast

    src = ROOT / "src" / "hginventory"
    found: dict[str, str] = {}
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        registry = path.parent.name == "core"
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "code"]
            elif registry and isinstance(node, ast.Dict):
                values = [k for k in node.keys if k is not None]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if KEBAB.fullmatch(value.value):
                        found.setdefault(value.value, str(path.relative_to(ROOT)))
    return found


def test_every_problem_code_is_documented():
    """`--json`, batch-report.csv and the docs speak of the same codes: each one the code can
    emit is named on a documentation page (docs/problem-codes.md, or the page of its
    feature)."""
    codes = problem_codes_in_source()
    if not codes:
        pytest.skip("no problem code in the code yet")
    pages = [p for p in DOCS.rglob("*.md") if not re.search(r"\.(fr|es)\.md$", p.name)]
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    missing = {c: where for c, where in codes.items() if f"`{c}`" not in text}
    assert not missing, f"problem codes on no page of docs/: {missing}"

