"""The house: the package tree is the pipeline and stays so.

Imports go one way, down the layers of ``pyproject.toml`` (checked with import-linter, function-
level imports included); every module is in a layer; ``docs/architecture.md`` names the same
layers in the same order; nothing imports through ``importlib`` or ``__import__``; no modules
import each other in a circle; no module passes 400 lines.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gekiban"
MAX_LINES = 400


def layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [[name.strip() for name in line.split("|")] for line in contract["layers"]]


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_imports_go_down_the_layers():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_every_module_is_in_a_layer():
    named = {name.removeprefix("gekiban.") for line in layers() for name in line}
    top = {p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    top |= {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert top == named


def test_the_architecture_page_lists_the_same_layers_in_order():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`gekiban\.[^|]*`(?: \\\| `gekiban\.[^|]*`)*) \|", text, re.M)
    documented = [re.findall(r"`(gekiban\.[a-z_]+)`", row) for row in rows]
    assert documented == layers()


def test_nothing_imports_through_importlib():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name not in ("importlib.import_module", "import_module", "__import__"), f"{path}:{node.lineno}"


def test_no_import_cycles():
    graph = grimp.build_graph("gekiban")
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m) if d != "gekiban"} for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:  # Tarjan's strongly connected components
        index[m] = low[m] = len(index)
        stack.append(m)
        for d in edges.get(m, ()):
            if d not in index:
                visit(d)
                low[m] = min(low[m], low[d])
            elif d in stack:
                low[m] = min(low[m], index[d])
        if low[m] == index[m]:
            group = []
            while True:
                x = stack.pop()
                group.append(x)
                if x == m:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    assert cycles == []


def test_modules_stay_short():
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
