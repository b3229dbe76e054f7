"""The layer contracts: imports point downward, and foundation/services never import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "llmasos"
ORDER = ["foundation", "services", "kernel", "apps"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_qt_below_kernel() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for layer in ("foundation", "services")
        for path in (SRC / layer).rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in ("PySide6", "shiboken6")
    ]
    assert not offenders, offenders


def test_imports_point_downward() -> None:
    offenders = []
    for i, layer in enumerate(ORDER):
        higher = {f"llmasos.{x}" for x in ORDER[i + 1 :]}
        for path in (SRC / layer).rglob("*.py"):
            for name in _imports(path):
                if any(name == h or name.startswith(h + ".") for h in higher):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert not offenders, offenders


def test_import_linter_contracts_hold() -> None:
    # the console script installed beside this interpreter by the test extra
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, timeout=300, cwd=SRC.parents[1]
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout


def _runtime_imports(path: Path, package: str) -> set[str]:
    """Modules of llmasos that ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks
    left out: they never execute). ``from a import b`` names module ``a.b`` when it is one
    (parent packages are implied by every import and not counted, as for ``import a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(test or node):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            subs = {f"{node.module}.{a.name}" for a in node.names} & MODULES
            names.update(subs)
            if len(subs) < len(node.names):  # some names are the package's own attributes
                names.add(node.module)
    return {n for n in names if n in MODULES and n != package}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p) for p in SRC.rglob("*.py")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_anywhere() -> None:
    """Over every import that runs (function-local ones too), no module reaches itself."""
    graph = {_module_name(p): _runtime_imports(p, _module_name(p)) for p in SRC.rglob("*.py")}
    assert sum(len(v) for v in graph.values()) > 300  # the graph really was read
    assert not _cycles(graph), _cycles(graph)


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_ruff_clean_and_formatted() -> None:
    """One style: ``ruff check`` passes and ``ruff format`` would change nothing."""
    ruff = Path(sys.executable).parent / "ruff"
    root = SRC.parents[1]
    targets = ["src", "tests", "bench", "scripts", "packaging"]
    for args in (["check", *targets], ["format", "--check", *targets]):
        proc = subprocess.run(
            [str(ruff), *args], capture_output=True, text=True, timeout=300, cwd=root
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
