"""Imports point one way: ingest <- vectorstore <- assistant <- ui. A lower layer never
imports an upper one (also not lazily inside a function), so it cannot call back into it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["ingest", "vectorstore", "assistant", "ui"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):  # every import, module level or inside a function
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", ORDER[:-1])
def test_no_lower_layer_imports_an_upper_one(layer: str) -> None:
    upper = set(ORDER[ORDER.index(layer) + 1 :])
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & upper)
        for path in (ROOT / layer).rglob("*.py")
        if imported_packages(path) & upper
    }
    assert offenders == {}
