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
