"""The declared floors of the runtime dependencies are enough for the code.

``test_every_imported_package_is_declared`` (fast) checks that each third-party
package ``src/llmasos`` imports comes from a distribution listed in ``[project]
dependencies``.

The slow tests build a fresh virtual environment with every runtime dependency pinned
to its floor (``>=X`` becomes ``==X``, extras and markers kept; what those need in
turn resolves as pip likes), install LLMasOS itself without dependencies, and there:

* import every module of the package (the GUI ones on Qt's offscreen platform);
* resolve every name the code takes from a third-party package, including the
  imports made inside functions (``llama_cpp.llama_speculative``,
  ``py3langid.langid``) and ``module.attribute`` uses (``llama_cpp.llama_vocab_is_eog``),
  which importing the modules does not reach;
* check the facts behind a floor that are not names (:data:`PROBES`).

llama-cpp-python is an sdist: its floor is compiled the first time (measured on 2 cores:
16 minutes for the whole install while another llama.cpp build shared them; 0.3.36 alone
builds in about 7) and comes from pip's wheel cache afterwards (the whole test: ~30 s).
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # huggingface_hub brings tomli on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PIP_TIMEOUT_S = 2700  # a cold llama-cpp-python build on 2 busy cores, with room to spare


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    with pyproject.open("rb") as f:
        return [Requirement(text) for text in tomllib.load(f)["project"]["dependencies"]]


def floor(req: Requirement) -> str | None:
    """The lowest version ``req`` allows, from its ``>=``, ``==`` or ``~=`` clause."""
    found = [s.version for s in req.specifier if s.operator in (">=", "==", "~=", "===")]
    return found[0] if len(found) == 1 else None


def floor_pins(reqs: list[Requirement]) -> list[str]:
    """``name[extras]==floor ; marker`` for each requirement."""
    pins = []
    for req in reqs:
        low = floor(req)
        assert low is not None, f"{req} has no single lower bound (>=, == or ~=) to test"
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        marker = f" ; {req.marker}" if req.marker else ""
        pins.append(f"{req.name}{extras}=={low}{marker}")
    return pins


def third_party_uses(source: str) -> list[tuple[int, str, tuple[str, ...], bool]]:
    """What a module's source takes from other packages, as ``(line, module, names,
    optional)``: ``names`` is the attribute path looked up on ``module`` (empty for a
    plain import); ``optional`` marks imports inside ``try: … except ImportError`` and
    under ``if TYPE_CHECKING:`` (which only type checkers read).

    Covers ``import m``, ``from m import n``, and ``alias.attr`` where ``alias`` was
    bound by one of those in the same or an enclosing scope. Standard library,
    ``__future__`` and ``llmasos`` itself are left out. Self-contained: it also runs,
    as source, inside the floor environment.
    """
    import ast
    import sys

    skip = set(sys.stdlib_module_names) | {"__future__", "llmasos"}
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    scope_types = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

    def scope_of(node: ast.AST) -> ast.AST:
        node = parents[node]
        while not isinstance(node, scope_types):
            node = parents[node]
        return node

    def type_checking_only(branch: ast.If, child: ast.AST) -> bool:
        test = branch.test
        named = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        return named and child in branch.body

    def guarded(node: ast.AST) -> bool:
        while node in parents:
            child, node = node, parents[node]
            if isinstance(node, ast.If) and type_checking_only(node, child):
                return True  # read by type checkers only, never imported at run time
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    types = (
                        handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                    )
                    if any(
                        isinstance(t, ast.Name) and t.id in ("ImportError", "ModuleNotFoundError")
                        for t in types
                    ):
                        return True
        return False

    uses: list[tuple[int, str, tuple[str, ...], bool]] = []
    bindings: dict[ast.AST, dict[str, tuple[str, tuple[str, ...], bool]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in skip:
                    continue
                optional = guarded(node)
                uses.append((node.lineno, alias.name, (), optional))
                module = alias.name if alias.asname else alias.name.split(".")[0]
                bindings.setdefault(scope_of(node), {})[alias.asname or module] = (
                    module,
                    (),
                    optional,
                )
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in skip:
                continue
            optional = guarded(node)
            for alias in node.names:
                if alias.name == "*":
                    continue
                uses.append((node.lineno, node.module, (alias.name,), optional))
                bindings.setdefault(scope_of(node), {})[alias.asname or alias.name] = (
                    node.module,
                    (alias.name,),
                    optional,
                )
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
        ):
            continue
        scope: ast.AST | None = scope_of(node)
        while scope is not None:
            target = bindings.get(scope, {}).get(node.value.id)
            if target is not None:
                uses.append((node.lineno, target[0], (*target[1], node.attr), target[2]))
                break
            scope = scope_of(scope) if scope in parents else None
    return uses


def test_only_run_time_imports_are_required() -> None:
    """Imports a type checker alone reads, or guarded against ImportError, are optional."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import typing\n"
        "import numpy\n"
        "if TYPE_CHECKING:\n"
        "    from typing_extensions import dataclass_transform\n"
        "else:\n"
        "    import jinja2\n"
        "if typing.TYPE_CHECKING:\n"
        "    import httpx\n"
        "try:\n"
        "    import yaml\n"
        "except ImportError:\n"
        "    yaml = None\n"
    )
    optional = {module: flag for _line, module, _names, flag in third_party_uses(source)}
    assert optional == {
        "numpy": False,
        "typing_extensions": True,
        "jinja2": False,
        "httpx": True,
        "yaml": True,
    }


def test_every_imported_package_is_declared():
    """A package the code imports comes from a declared dependency, not by chance."""
    declared = {canonicalize_name(r.name) for r in runtime_requirements()}
    providers = importlib.metadata.packages_distributions()
    missing: dict[str, str] = {}
    for path in sorted((ROOT / "src" / "llmasos").rglob("*.py")):
        for line, module, _names, optional in third_party_uses(path.read_text("utf-8")):
            top = module.split(".")[0]
            dists = sorted(canonicalize_name(d) for d in providers.get(top, []))
            if not optional and not set(dists) & declared:
                where = path.relative_to(ROOT).as_posix()
                missing.setdefault(top, f"{top} ({where}:{line}, from {dists or 'nothing'})")
    assert not missing, "imported but not in [project] dependencies: " + ", ".join(missing.values())


def test_floor_pins_keep_extras_and_markers():
    reqs = [Requirement('a[x,y]>=1.2,<2 ; python_version < "3.12"'), Requirement("b~=3.1")]
    assert floor_pins(reqs) == ['a[x,y]==1.2 ; python_version < "3.12"', "b==3.1"]
    with pytest.raises(AssertionError, match="no single lower bound"):
        floor_pins([Requirement("c<2")])


# Facts a floor stands for that are not names, checked in the floor environment.
PROBES = {
    "llama_cpp's llama_model_params has the fields llama_hooks.model_params sets": """
import llama_cpp.llama_cpp as lib
fields = {f[0] for f in lib.llama_model_params._fields_}
missing = {"progress_callback", "use_extra_bufts"} - fields
assert not missing, f"no field {sorted(missing)} in {sorted(fields)}"
""",
    "huggingface_hub's HTTP client is an httpx2.Client (hub.py installs one, catches httpx2's "
    "errors)": """
import httpx2
from huggingface_hub.utils import get_session
session = get_session()
assert isinstance(session, httpx2.Client), f"get_session() gives a {type(session)}"
""",
    "llama-cpp-python ships libggml with the device API hardware.py calls": """
import ctypes
from pathlib import Path
import llama_cpp
name = {"darwin": "libggml.dylib", "win32": "ggml.dll"}.get(sys.platform, "libggml.so")
ggml = ctypes.CDLL(str(Path(llama_cpp.__file__).parent / "lib" / name))
for symbol in ("ggml_backend_dev_count", "ggml_backend_dev_get", "ggml_backend_dev_type",
               "ggml_backend_dev_memory"):
    getattr(ggml, symbol)
""",
}

CHECK = """
import importlib, json, pkgutil, sys, traceback
from pathlib import Path
from types import ModuleType

import llmasos

report = {"modules": [], "import_failures": {}, "name_failures": [], "probe_failures": {}}


def last_line(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def on_walk_error(name):
    report["import_failures"][name] = last_line(sys.exc_info()[1])


names = ["llmasos"] + [
    m.name for m in pkgutil.walk_packages(llmasos.__path__, "llmasos.", onerror=on_walk_error)
    if m.name.rsplit(".", 1)[-1] != "__main__"
]
for name in names:
    try:
        importlib.import_module(name)
        report["modules"].append(name)
    except BaseException as exc:
        report["import_failures"][name] = last_line(exc)


def resolve(module, path):
    obj = importlib.import_module(module)
    for name in path:
        if hasattr(obj, name):
            obj = getattr(obj, name)
            continue
        if isinstance(obj, ModuleType) and hasattr(obj, "__path__"):  # maybe a submodule
            full = f"{obj.__name__}.{name}"
            try:
                obj = importlib.import_module(full)
                continue
            except ModuleNotFoundError as exc:
                if exc.name != full:
                    raise
        owner = obj.__name__ if isinstance(obj, ModuleType) else repr(obj)
        raise AttributeError(f"{owner} has no {name!r}")


package_dir = Path(llmasos.__file__).parent
for path in sorted(package_dir.rglob("*.py")):
    for line, module, attrs, optional in third_party_uses(path.read_text("utf-8")):
        if optional:
            continue
        try:
            resolve(module, attrs)
        except BaseException as exc:
            what = ".".join((module, *attrs))
            where = f"llmasos/{path.relative_to(package_dir).as_posix()}:{line}"
            report["name_failures"].append(f"{where} {what}: {last_line(exc)}")

for title, code in PROBES.items():
    try:
        exec(code, {"sys": sys})
    except BaseException as exc:
        report["probe_failures"][title] = last_line(exc)

report["versions"] = {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}
Path(sys.argv[1]).write_text(json.dumps(report, indent=1), "utf-8")
"""


def check_script() -> str:
    """The check run inside the floor environment (stdlib only)."""
    return "\n".join(
        [
            "from __future__ import annotations",
            "import importlib.metadata",
            inspect.getsource(third_party_uses),
            f"PROBES = {PROBES!r}",
            CHECK,
        ]
    )


def _clean_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LLMASOS_HOME=str(home),
        HF_HUB_OFFLINE="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


def _run(cmd: list[str], what: str, env: dict[str, str], cwd: Path, timeout: float) -> None:
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        out = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
        pytest.fail(f"{what} took over {timeout:.0f} s:\n{out[-4000:]}")
    assert done.returncode == 0, (
        f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )


def floor_environment_report(work: Path, pins: list[str]) -> dict:
    """A venv in ``work`` with ``pins`` and this checkout: the check's report, with timings."""
    env = _clean_env(work / "home")
    python = work / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    timings: dict[str, float] = {}
    start = time.monotonic()
    _run([sys.executable, "-m", "venv", str(work / "venv")], "python -m venv", env, work, 300)
    timings["venv"] = time.monotonic() - start
    start = time.monotonic()
    _run(
        [str(python), "-m", "pip", "install", "--prefer-binary", *pins],
        f"pip install {' '.join(pins)}",
        env,
        work,
        PIP_TIMEOUT_S,
    )
    timings["dependencies"] = time.monotonic() - start
    # a copy of the project: building in the checkout would leave build/ and egg-info there
    project = work / "project"
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    start = time.monotonic()
    _run(
        [str(python), "-m", "pip", "install", "--no-deps", str(project)],
        "pip install --no-deps (LLMasOS)",
        env,
        work,
        600,
    )
    timings["project"] = time.monotonic() - start
    (work / "check_floors.py").write_text(check_script(), "utf-8")
    start = time.monotonic()
    _run(
        [str(python), str(work / "check_floors.py"), str(work / "report.json")],
        "the import check",
        env,
        work,
        600,
    )
    timings["check"] = time.monotonic() - start
    report = json.loads((work / "report.json").read_text("utf-8"))
    report["timings"] = timings
    print(
        f"floor environment: {pins}; timings (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in timings.items())
    )
    return report


@pytest.fixture(scope="module")
def floor_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    reqs = runtime_requirements()
    report = floor_environment_report(tmp_path_factory.mktemp("min-deps"), floor_pins(reqs))
    installed = {canonicalize_name(k): v for k, v in report["versions"].items()}
    wrong = []
    for req in reqs:
        if req.marker is not None and not req.marker.evaluate():
            continue
        got = installed.get(canonicalize_name(req.name))
        if got is None or got not in SpecifierSet(f"=={floor(req)}"):
            wrong.append(f"{req.name} {got} (floor {floor(req)})")
    assert not wrong, f"the floor environment did not get the floors: {wrong}"
    return report


@pytest.mark.slow
@pytest.mark.timeout(PIP_TIMEOUT_S + 1200)
def test_every_module_imports_at_the_floors(floor_report: dict):
    failures = floor_report["import_failures"]
    assert not failures, (
        "with every dependency at its declared floor, these modules do not import "
        "(raise the floor):\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(failures.items()))
    )
    assert "llmasos.apps.gui.shell.main" in floor_report["modules"]


@pytest.mark.slow
@pytest.mark.timeout(PIP_TIMEOUT_S + 1200)
def test_every_name_the_code_uses_exists_at_the_floors(floor_report: dict):
    failures = floor_report["name_failures"] + [
        f"{title}: {error}" for title, error in floor_report["probe_failures"].items()
    ]
    assert not failures, (
        "with every dependency at its declared floor, the code uses what is not there "
        "(raise the floor):\n" + "\n".join(f"  {f}" for f in failures)
    )
