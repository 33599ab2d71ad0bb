"""Every problem has a stable code: scripts and CI match on `validate --json`'s `code` and
batch-report.csv's `code` column, whatever the language of the messages."""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

from click.testing import CliRunner

from hginventory.cli import main
from hginventory.core.problems import CODES, markdown

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "hginventory"
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def sources():
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        yield path.relative_to(ROOT), ast.parse(text)


def problem_calls():
    """(file:line, call) of every `Problem(...)` built in src/."""
    for where, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "Problem":
                    yield f"{where}:{node.lineno}", node


def literal_codes() -> dict[str, str]:
    """Every literal code in src/, with where it is: `code="..."` arguments of calls, defaults
    of parameters named `code` (helpers that build problems) and `code = "..."` class
    attributes (the errors of core/errors.py)."""
    found: dict[str, str] = {}
    for where, tree in sources():
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "code"]
            elif isinstance(node, ast.FunctionDef):
                args = node.args
                positional = args.posonlyargs + args.args
                pairs = list(zip(positional[::-1], args.defaults[::-1], strict=False))
                pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
                values = [d for a, d in pairs if a.arg == "code" and d is not None]
            elif isinstance(node, ast.ClassDef):
                values = [
                    s.value
                    for s in node.body
                    if isinstance(s, ast.Assign)
                    and [getattr(x, "id", "") for x in s.targets] == ["code"]
                ]
            for value in values:
                if isinstance(value, ast.Constant) and value.value:  # '': the class's own
                    found.setdefault(value.value, f"{where}:{value.lineno}")
    return found


def test_every_problem_is_created_with_a_code():
    """A Problem without `code=` (or rebuilt from a problem's own fields with **) would reach
    --json and batch-report.csv with a blank code: a new check must name its code."""
    missing = [
        where
        for where, call in problem_calls()
        if not any(k.arg == "code" for k in call.keywords)
        and not any(k.arg is None for k in call.keywords)  # Problem(**problem.to_dict())
    ]
    assert not missing, f"Problem(...) without code= (add one to core/problems.py): {missing}"


def test_every_code_in_the_code_is_registered():
    unknown = {c: w for c, w in literal_codes().items() if c not in CODES}
    assert not unknown, f"codes not in hginventory.core.problems: {unknown}"


def test_every_registered_code_is_used_and_kebab_case():
    """The registry lists no code the code cannot emit (a literal somewhere outside it)."""
    strings = set()
    for where, tree in sources():
        if where.name == "problems.py":
            continue
        strings |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    assert all(KEBAB.fullmatch(c) for c in CODES), [c for c in CODES if not KEBAB.fullmatch(c)]
    unused = sorted(set(CODES) - strings)
    assert not unused, f"registered codes nothing emits: {unused}"


def test_the_problem_codes_page_is_written_from_the_registry():
    page = (ROOT / "docs" / "problem-codes.md").read_text(encoding="utf-8")
    assert page == markdown(), (
        "docs/problem-codes.md is stale: python -m hginventory.core.problems --markdown "
        "> docs/problem-codes.md"
    )


def several_problems(make_workbook):
    """A workbook a focal point might send: an unknown code, a code twice, a negative rate,
    text in a number cell, a unit of the wrong kind."""
    return make_workbook(
        [
            ("9.9.9", 10, "t"),
            ("5.1.1", -5, "t"),
            ("5.1.2", "abc", "t"),
            ("5.1.2", 3, "t"),
            ("5.3.1", 4, "m3"),
        ]
    )


EXPECTED = {
    "unknown-code",
    "activity-negative",
    "not-a-number",
    "duplicate-code",
    "unit-wrong-kind",
}


def test_validate_json_gives_every_problem_its_code(make_workbook):
    path = several_problems(make_workbook)
    result = CliRunner().invoke(main, ["validate", "--json", str(path)])
    assert result.exit_code == 1, result.output
    problems = json.loads(result.output)["problems"]
    codes = [p["code"] for p in problems]
    assert all(c in CODES for c in codes), codes
    assert EXPECTED <= set(codes), codes
    negative = next(p for p in problems if p["code"] == "activity-negative")
    assert negative["sheet"] == "activity" and negative["cell"] == "B3"


def test_the_codes_are_the_same_in_french(make_workbook):
    """The code is what a script matches on: the messages change with --lang, the codes do not."""
    path = several_problems(make_workbook)
    runs = {
        lang: CliRunner().invoke(main, ["validate", "--json", "--lang", lang, str(path)])
        for lang in ("en", "fr")
    }
    english, french = (json.loads(runs[lang].output)["problems"] for lang in ("en", "fr"))
    assert [p["code"] for p in english] == [p["code"] for p in french]
    assert [p["message"] for p in english] != [p["message"] for p in french]


def test_a_long_list_counts_what_it_leaves_out_by_code(make_workbook):
    rows = [(f"9.{i}.1", 1, "t") for i in range(300)]
    result = CliRunner().invoke(main, ["validate", str(make_workbook(rows))])
    assert result.exit_code == 1
    assert "more errors of the same kind: unknown-code" in " ".join(result.output.split())


def test_batch_report_csv_has_a_code_for_every_problem(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    several_problems(make_workbook).rename(folder / "bad.xlsx")
    make_workbook([("5.1.1", "1,5", "t")]).rename(folder / "warned.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", "1"])
    assert result.exit_code != 0  # a workbook failed
    with open(out / "batch-report.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["code"] in CODES for r in rows), [r["code"] for r in rows]
    bad = {r["code"] for r in rows if r["input_file"].endswith("bad.xlsx")}
    assert EXPECTED <= bad, bad
    warned = {r["code"] for r in rows if r["input_file"].endswith("warned.xlsx")}
    assert "number-as-text" in warned, warned
