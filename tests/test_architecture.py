"""The shape of the code: imports run one way, no cycles, `newsbot --help` loads nothing heavy.

The layers, lowest first; a module may import its own unit and any lower layer, never a unit
beside or above it. Function-level imports count too (they may defer a heavy import, not dodge
a cycle), and each says why in a comment.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "ingest", "retrieval", "bot")
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config",),
    (
        "retrieval",
        "retrieval.text",
        "retrieval.results",
        "retrieval.errors",
        "retrieval.connections",
    ),
    ("retrieval.archive",),
    ("retrieval.question", "retrieval.citations"),
    ("retrieval.search",),
    ("retrieval.topics",),
    ("retrieval.coverage",),
    ("retrieval.answering",),
    ("retrieval.generation",),
    ("retrieval.responder", "retrieval.retriever"),
    ("retrieval.evaluation",),
    ("ingest",),
    ("bot",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
HEAVY = (
    "chromadb", "torch", "llama_index", "telegram", "sentence_transformers", "transformers",
    "dateparser",  # only a question or article in another language needs its language data
    "py3langid",  # only detecting a language needs its model
)  # fmt: skip


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unit(module: str) -> str:
    matches = [u for u in RANK if module == u or module.startswith(u + ".")]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches, key=len)


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for each import of our own packages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, nested))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, nested) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return [(m, line, nested) for m, line, nested in found if m.split(".")[0] in PACKAGES]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            graph[_module_name(path)] = {m for m, _, _ in _imports(path)}
    return graph


def test_imports_run_one_way() -> None:
    wrong = []
    for module, imported in _graph().items():
        here = _unit(module)
        for target in imported:
            there = _unit(target)
            if there != here and RANK[there] >= RANK[here]:
                wrong.append(f"{module} imports {target} ({here} may not import {there})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    # A module importing a package also runs the package's __init__.
    state: dict[str, int] = {}
    cycles: list[str] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                walk(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not cycles, "\n".join(cycles)


def test_function_level_imports_say_why() -> None:
    """A run of imports inside a function carries a comment on one of its lines or just above."""
    silent = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for node in ast.walk(ast.parse("\n".join(lines))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                runs: list[list[ast.stmt]] = []
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        if runs and inner.lineno <= (runs[-1][-1].end_lineno or 0) + 1:
                            runs[-1].append(inner)
                        else:
                            runs.append([inner])
                for run in runs:
                    first, last = run[0].lineno, run[-1].end_lineno or run[-1].lineno
                    text = lines[max(first - 2, 0) : last]
                    if not any("#" in line for line in text):
                        silent.append(f"{path.relative_to(ROOT)}:{first}")
    assert not silent, "deferred imports without a comment saying why:\n" + "\n".join(silent)


@pytest.mark.parametrize("module", ["bot.cli"])
def test_cli_import_loads_nothing_heavy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert out == "[]", f"importing {module} loads {out}"
