"""The package's shape: one direction of flow, no circles, no borrowing of private names.

import-linter (in .ci/run and here) keeps the stages in order; these tests add what a layers
contract does not see: circles inside one stage and imports of another module's `_private` names.
"""

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hginventory"


def test_the_layers_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint)], cwd=SRC.parents[1], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph("hginventory")  # type-checking imports count too
    modules = sorted(m for m in graph.modules if m.count(".") >= 1)
    circles = []
    for m in modules:
        for imported in graph.find_modules_directly_imported_by(m):
            if imported != m and graph.find_shortest_chain(importer=imported, imported=m):
                circles.append((m, imported))
    assert circles == []


def _private_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hginventory"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{path.relative_to(SRC)}:{node.lineno} {node.module}.{alias.name}"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_another_modules_private_names(path):
    assert list(_private_imports(path)) == []
