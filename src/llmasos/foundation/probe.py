"""Let llama.cpp read a model once in a child process before the app loads it.

A file can pass :func:`llmasos.foundation.gguf_file.read_model_info` and still make
llama.cpp abort (a damaged vocabulary, a format newer than this build). Loading
its vocabulary in a throwaway child process turns such a crash into an error
instead of taking the whole app down. Successful probes are remembered in
``probe-ok.json`` in the cache folder, keyed by path, size and modification
time, so each file is probed once.

Run as ``python -m llmasos.foundation.probe MODEL`` this module is the child:
it exits 0 when llama.cpp loads the file, or 3 with a one-line reason on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from llmasos.errors import ModelFileInvalid, ModelFileNotFound, ModelLoadError
from llmasos.foundation.paths import app_paths

log = logging.getLogger(__name__)

CACHE_FILE = "probe-ok.json"
EXIT_LOAD_FAILED = 3
_MAX_ENTRIES = 256
_REASON_PREFIX = "probe-failed: "
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding ``llmasos``
_CALLBACKS: list[object] = []
_LOG_CONT = 5  # GGML_LOG_LEVEL_CONT: continues the previous line
_KEEP_LOG_LINES = 200


def _cache_key(path: Path) -> str:
    try:
        resolved = path.resolve(strict=True)
        st = resolved.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ModelFileNotFound(f"No model file at {path}. Check the path.") from exc
    return f"{resolved}|{st.st_size}|{st.st_mtime_ns}"


def _cache_path() -> Path:
    return app_paths().cache / CACHE_FILE


def _load_cache() -> dict[str, float]:
    try:
        data: Any = json.loads(_cache_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("ignoring unreadable probe cache %s", _cache_path(), exc_info=True)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))}


def _remember(key: str) -> None:
    """Add ``key`` to the cache file, replacing the file atomically."""
    entries = _load_cache()
    entries[key] = time.time()
    newest = dict(sorted(entries.items(), key=lambda kv: kv[1])[-_MAX_ENTRIES:])
    target = _cache_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".probe-ok-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(newest, f, indent=0)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        # Only costs a repeat probe next time; not worth failing the load for.
        log.warning("could not write probe cache %s", target, exc_info=True)


def is_probe_cached(path: str | os.PathLike[str]) -> bool:
    """Return whether this exact file (same path, size and mtime) was probed successfully."""
    try:
        key = _cache_key(Path(os.fspath(path)))
    except ModelFileNotFound:
        return False
    return key in _load_cache()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this package even when it is not installed (tests, source runs).
    extra = [str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in extra if p)
    return env


def _crash_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    marked = [line[len(_REASON_PREFIX) :] for line in lines if line.startswith(_REASON_PREFIX)]
    if marked:
        return marked[-1]
    return lines[-1] if lines else "no reason given"


def probe_load(path: str | os.PathLike[str], *, timeout: float = 120.0) -> None:
    """Check that llama.cpp can read ``path`` by loading its vocabulary in a child process.

    Args:
        path: A model file, normally one that passed ``read_model_info`` already.
        timeout: Seconds to wait for the child before giving up.

    Raises:
        ModelFileNotFound: Nothing exists at ``path``.
        ModelFileInvalid: llama.cpp crashed reading the file.
        ModelLoadError: llama.cpp refused the file, or the probe did not finish in time.
    """
    file_path = Path(os.fspath(path))
    key = _cache_key(file_path)
    if key in _load_cache():
        return
    command = [sys.executable, "-m", __name__, str(file_path)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=timeout,
            env=_child_env(), stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise ModelLoadError(
            f"llama.cpp took more than {timeout:g} s to read {file_path}. The disk may be "
            "very slow or the file damaged; try again, or pick another model."
        ) from exc
    except OSError as exc:
        raise ModelLoadError(f"Could not start the model check ({exc}). Try again.") from exc
    log.debug("probe of %s: exit %s after %.2f s", file_path, done.returncode,
              time.monotonic() - started)  # fmt: skip
    _raise_for_exit(file_path, done.returncode, done.stderr)
    _remember(key)


def _raise_for_exit(path: Path, returncode: int, stderr: str) -> None:
    if returncode == 0:
        return
    if returncode < 0 or returncode >= 0xC0000000:  # POSIX signal, or a Windows NTSTATUS crash
        what = _crash_name(returncode) if returncode < 0 else f"code {returncode:#x}"
        log.warning("llama.cpp crashed (%s) reading %s; stderr: %s", what, path, stderr[-2000:])
        raise ModelFileInvalid(
            f"llama.cpp crashed while reading {path} ({what}); the file is damaged or made "
            "for a newer llama.cpp. Download it again or try another model."
        )
    reason = _reason(stderr)
    if returncode == EXIT_LOAD_FAILED:
        raise ModelLoadError(
            f"llama.cpp could not load {path}: {reason}. Try another model, or update "
            "LLMasOS if the model is newer than this version."
        )
    raise ModelLoadError(f"The model check for {path} failed (exit {returncode}): {reason}")


def _pick_reason(logged: list[tuple[int, str]], fallback: str) -> str:
    """The most specific of llama.cpp's most severe log lines, without its function prefix."""
    levels = [level for level, _ in logged if level != _LOG_CONT]
    worst = [text for level, text in logged if levels and level == max(levels)]
    specific = [text for text in worst if "failed to load model" not in text]
    text = (specific or [fallback])[0].split("error loading model:", 1)[-1]
    text = re.sub(r"^\s*[A-Za-z_][A-Za-z0-9_]*: ", "", text)
    return " ".join(text.split()) or fallback


def _load(model_path: str) -> str | None:
    """Load the vocabulary; return None on success or the reason it failed."""
    import ctypes

    import llama_cpp

    logged: list[tuple[int, str]] = []

    def collect(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        # ERROR is the highest level in every ggml version, but its number changed.
        logged.append((level, text.decode("utf-8", "replace").strip()))
        del logged[:-_KEEP_LOG_LINES]

    callback = llama_cpp.llama_log_callback(collect)
    _CALLBACKS.append(callback)  # llama.cpp keeps the pointer; it must outlive the call
    try:
        llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
        llama_cpp.Llama(model_path=model_path, vocab_only=True, verbose=False)
    except Exception as exc:  # anything llama_cpp raises is a refusal to report
        return _pick_reason(logged, str(exc))
    return None


def main(argv: list[str] | None = None) -> int:
    """Child entry point: exit 0 when llama.cpp loads the file, else 3 with a reason."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write(f"{_REASON_PREFIX}usage: python -m {__name__} MODEL\n")
        return 2
    reason = _load(args[0])
    if reason is None:
        return 0
    sys.stderr.write(f"{_REASON_PREFIX}{reason}\n")
    sys.stderr.flush()
    return EXIT_LOAD_FAILED


if __name__ == "__main__":
    sys.exit(main())
