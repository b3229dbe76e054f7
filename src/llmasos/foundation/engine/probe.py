"""Prove in a child process that llama.cpp can *run* a model before the app loads it.

A file can pass :func:`llmasos.foundation.gguf.file.read_model_info` and still make
llama.cpp abort: a damaged vocabulary, a format newer than this build, hyperparameters
that only fail at the first decode (zero layers, a NaN epsilon). And a sound file can
crash on one machine only: llama.cpp's AMX path (weights repacked into its "extra buffer
types") segfaults on the first batched decode on some Intel CPUs (ggml-org/llama.cpp#20824).

So the child loads the file with exactly the settings the app will use, evaluates a
batched prompt of a few dozen tokens and decodes a few tokens one by one. If it is
killed by a signal or times out, the next configuration of :data:`FALLBACKS` is tried
(repacking off, then the GPU off); the first that runs is used and remembered in
``probe.json`` in the cache folder, keyed by file identity (path, size, mtime), llama.cpp
version, backend, CPU and settings, so a normal start pays nothing.

An embedding model (``embedding=True``) is probed the same way, except that the child
embeds a few texts in one batch instead of generating; its verdicts are kept apart.

Run as ``python -m llmasos.foundation.engine.probe MODEL [--plan JSON]`` this module is the
child: it exits 0 when the model ran, or 3 with a one-line reason on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmasos.errors import ModelFileInvalid, ModelFileNotFound, ModelLoadError
from llmasos.foundation.engine.runtime import FULL, ResolvedSettings, RunConfig, resolve
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.platform import hardware

log = logging.getLogger(__name__)

EXIT_LOAD_FAILED = 3
_EXIT_IDLE = 75  # a spare child leaving without a job (never a verdict)
# Test hook: the child kills itself (SIGSEGV) where llama.cpp would crash on an AMX CPU.
# Comma-separated: "extra_bufts" (crash when repacking is on), "gpu", "always".
CRASH_HOOK_ENV = "LLMASOS_PROBE_CRASH"
_REASON_PREFIX = "probe-failed: "
_PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the folder holding ``llmasos``
_CALLBACKS: list[object] = []
_spare_lock = threading.Lock()
_LOG_CONT = 5  # GGML_LOG_LEVEL_CONT: continues the previous line
_KEEP_LOG_LINES = 200
_SINGLE_DECODES = 2
# A few dozen tokens in every tokenizer (both scripts and a code line): a batch > 1, so
# llama.cpp takes its batched (matrix-matrix, AMX tile) path, and small enough that a
# byte-level tokenizer (SmolLM2 spells Chinese in bytes) does not make it a long prefill.
PROBE_TEXT = (
    "The quick brown fox jumps over the lazy dog. 狐狸跳过了懒狗。 def add(a, b): return a + b"
)
# Two of AMX's 16-row tiles; each token more costs ~3.5 ms of SmolLM2 prefill on 2 cores.
_MAX_PROBE_TOKENS = 32
# A spare child (:func:`prestart`) that gets no job within this many seconds exits.
SPARE_IDLE_S = 300.0


@dataclass(frozen=True)
class Verdict:
    """What the probe found: the configuration to run with, and a line to tell the user."""

    config: RunConfig
    notice: str | None = None  # set when a fallback was needed
    probed: bool = False  # a child ran now (False: from the cache or without a probe)


def fallbacks(settings: ResolvedSettings) -> tuple[RunConfig, ...]:
    """Configurations to try in order: everything on, repacking off, then the GPU off."""
    chain = [FULL, RunConfig(extra_bufts=False)]
    if settings.n_gpu_layers != 0:
        chain.append(RunConfig(extra_bufts=False, gpu=False))
    return tuple(chain)


def notice_for(config: RunConfig) -> str | None:
    """The one plain line that says what LLMasOS turned off, or None."""
    if not config.gpu:
        return "llama.cpp crashes with this model on the GPU; LLMasOS runs it on the CPU (slower)."
    if not config.extra_bufts:
        if hardware.cpu_has_amx():
            return "llama.cpp's AMX acceleration crashes on this CPU; LLMasOS runs without it."
        return (
            "llama.cpp's repacked CPU weights crash with this model on this CPU; "
            "LLMasOS runs without them."
        )
    return None


def cache_key(path: Path, settings: ResolvedSettings, *, pooling: int | None = None) -> str:
    """File identity + llama.cpp version + backend + CPU + the settings that matter."""
    try:
        resolved = path.resolve(strict=True)
        st = resolved.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ModelFileNotFound(f"No model file at {path}. Check the path.") from exc
    return (
        f"{resolved}|{st.st_size}|{st.st_mtime_ns}|llama_cpp {_llama_version()}"
        f"|{'gpu' if hardware.has_gpu_backend() else 'cpu'}|{hardware.cpu_signature()}"
        f"|{settings.key()}{'' if pooling is None else f'|embedding pool{pooling}'}"
    )


def _llama_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return "unknown"


def cached(path: Path, settings: ResolvedSettings, *, pooling: int | None = None) -> Verdict | None:
    """The remembered verdict for ``path`` under ``settings``, or None.

    Raises:
        ModelFileInvalid: the file crashed llama.cpp in every configuration before.
    """
    from llmasos.foundation.engine.probe_cache import ProbeCache  # not in the child: 12 ms

    found = ProbeCache().get(cache_key(path, settings, pooling=pooling))
    if found is None:
        return None
    if found.get("crashed"):
        raise ModelFileInvalid(str(found["crashed"]))
    config = RunConfig(
        extra_bufts=bool(found.get("extra_bufts", True)), gpu=bool(found.get("gpu", True))
    )
    return Verdict(config, notice_for(config))


def probe(
    path: str | os.PathLike[str],
    settings: ResolvedSettings,
    *,
    timeout: float | None = None,
    pooling: int | None = None,
) -> Verdict:
    """Find a configuration under which llama.cpp runs ``path``; remember it.

    Args:
        path: A model file, normally one that passed ``read_model_info`` already.
        settings: The resolved settings the app will load it with.
        timeout: Seconds to wait for each child (default: grows with the file size).
        pooling: Run it as an embedding model (``embedding=True``, a batch of texts)
            with this ``llama_pooling_type``; None for a chat model.

    Raises:
        ModelFileNotFound: Nothing exists at ``path``.
        ModelFileInvalid: llama.cpp crashed running the file under every configuration.
        ModelLoadError: llama.cpp refused the file, or no child finished in time.
    """
    file_path = Path(os.fspath(path))
    key = cache_key(file_path, settings, pooling=pooling)
    known = cached(file_path, settings, pooling=pooling)
    if known is not None:
        return known
    limit = timeout if timeout is not None else 120.0 + file_path.stat().st_size / 25e6
    from llmasos.foundation.engine.probe_cache import ProbeCache

    crashes: list[str] = []
    for config in fallbacks(settings):
        crash = _run_child(file_path, settings, config, limit, pooling=pooling)
        if crash is None:
            ProbeCache().put(key, {"extra_bufts": config.extra_bufts, "gpu": config.gpu})
            notice = notice_for(config)
            if notice:
                log.warning(
                    "%s (%s: %s with %s)",
                    notice,
                    file_path.name,
                    "; ".join(crashes),
                    FULL.describe(),
                )
            return Verdict(config, notice, probed=True)
        crashes.append(f"{crash} with {config.describe()}")
        log.warning("llama.cpp died (%s) running %s with %s", crash, file_path, config.describe())
    if all(c.startswith("timed out") for c in crashes):
        raise ModelLoadError(
            f"llama.cpp took more than {limit:g} s to run {file_path}. The disk may be "
            "very slow or the file damaged; try again, or pick another model."
        )
    message = (
        f"llama.cpp crashed running {file_path} ({'; '.join(crashes)}); the file is "
        "damaged, has impossible settings, or is made for a newer llama.cpp. Download "
        "it again or try another model."
    )
    ProbeCache().put(key, {"crashed": message})  # the same file, llama.cpp and CPU: no retry
    raise ModelFileInvalid(message)


def probe_load(path: str | os.PathLike[str], *, timeout: float | None = None) -> Verdict:
    """:func:`probe` with the app's default engine settings for this file."""
    from llmasos.foundation.gguf.file import read_model_info

    info = read_model_info(path)
    return probe(info.path, resolve(EngineSettings(), info.context_length), timeout=timeout)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this package even when it is not installed (tests, source runs).
    extra = [str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in extra if p)
    return env


_spare: subprocess.Popen[str] | None = None


def prestart() -> None:
    """Start a spare child now, so that the next probe skips Python's start-up and the
    import of llama.cpp (~0.3 s of a probe's ~0.6 s). It waits for one job and exits after
    :data:`SPARE_IDLE_S` without one. Call it when a probe is likely soon: at start-up
    before a model loads, when a download finishes. Safe to call again; any thread."""
    global _spare
    with _spare_lock:
        if _spare is not None and _spare.poll() is None:
            return
        try:
            _spare = subprocess.Popen(
                [sys.executable, "-m", __name__, "--wait", f"{SPARE_IDLE_S:g}"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, errors="replace", env=_child_env(),
            )  # fmt: skip
        except OSError as exc:  # the probe will start its own child
            log.debug("could not start a spare probe child: %s", exc)
            _spare = None


def discard_spare() -> None:
    """Stop the spare child, if any (the next probe starts a fresh one)."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None:
        spare.kill()
        spare.communicate()


def _ask_spare(path: Path, plan: str, timeout: float) -> subprocess.CompletedProcess[str] | None:
    """Run the job in the spare child, if one is waiting; None when there is none (or it
    went away before taking the job). ``returncode`` None means it timed out."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is None or spare.poll() is not None:
        return None
    job = {"model": str(path), "plan": plan, "crash": os.environ.get(CRASH_HOOK_ENV, "")}
    try:
        _, stderr = spare.communicate(json.dumps(job) + "\n", timeout=timeout)
    except subprocess.TimeoutExpired:
        spare.kill()
        spare.wait()
        return subprocess.CompletedProcess(spare.args, None, "", "")  # type: ignore[arg-type]
    except OSError:  # it exited between poll() and the write
        spare.kill()
        spare.wait()
        return None
    if spare.returncode == _EXIT_IDLE:  # its idle timer won the race: not a verdict
        return None
    return subprocess.CompletedProcess(spare.args, spare.returncode, "", stderr)


def _run_child(
    path: Path,
    settings: ResolvedSettings,
    config: RunConfig,
    timeout: float,
    *,
    pooling: int | None,
) -> str | None:
    """Run one child; None when the model ran, or how it died ("SIGSEGV", "timed out …").

    Raises:
        ModelLoadError: llama.cpp refused the file (no other configuration would help).
    """
    plan = json.dumps(
        {
            "settings": settings.to_json(),
            "extra_bufts": config.extra_bufts,
            "gpu": config.gpu,
            "pooling": pooling,
        }
    )
    started = time.monotonic()
    done = _ask_spare(path, plan, timeout)
    if done is None:
        command = [sys.executable, "-m", __name__, str(path), "--plan", plan]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, errors="replace", timeout=timeout,
                env=_child_env(), stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:g} s"
        except OSError as exc:
            raise ModelLoadError(f"Could not start the model check ({exc}). Try again.") from exc
    elif done.returncode is None:
        return f"timed out after {timeout:g} s"
    log.debug("probe of %s with %s: exit %s after %.2f s", path, config.describe(),
              done.returncode, time.monotonic() - started)  # fmt: skip
    code = done.returncode
    if code == 0:
        return None
    if code < 0 or code >= 0xC0000000:  # POSIX signal, or a Windows NTSTATUS crash
        log.debug("probe child stderr: %s", done.stderr[-2000:])
        return _crash_name(code) if code < 0 else f"code {code:#x}"
    reason = _reason(done.stderr)
    if code == EXIT_LOAD_FAILED:
        raise ModelLoadError(
            f"llama.cpp could not load {path}: {reason}. Try another model, or update "
            "LLMasOS if the model is newer than this version."
        )
    raise ModelLoadError(f"The model check for {path} failed (exit {code}): {reason}")


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


# -- the child ---------------------------------------------------------------


def _pick_reason(logged: list[tuple[int, str]], fallback: str) -> str:
    """The most specific of llama.cpp's most severe log lines, without its function prefix."""
    levels = [level for level, _ in logged if level != _LOG_CONT]
    worst = [text for level, text in logged if levels and level == max(levels)]
    specific = [text for text in worst if "failed to load model" not in text]
    text = (specific or [fallback])[0].split("error loading model:", 1)[-1]
    text = re.sub(r"^\s*[A-Za-z_][A-Za-z0-9_]*: ", "", text)
    return " ".join(text.split()) or fallback


def _crash_hook(config: RunConfig) -> None:
    """Die as llama.cpp would on an AMX CPU, when a test asks for it."""
    wanted = {w.strip() for w in os.environ.get(CRASH_HOOK_ENV, "").split(",") if w.strip()}
    if (
        "always" in wanted
        or ("extra_bufts" in wanted and config.extra_bufts)
        or ("gpu" in wanted and config.gpu)
    ):
        os.kill(os.getpid(), signal.SIGSEGV)


def _run(
    model_path: str, settings: ResolvedSettings, config: RunConfig, pooling: int | None = None
) -> str | None:
    """Load and run the model; return None on success or the reason llama.cpp refused it."""
    import ctypes

    from llmasos.foundation.engine.native import bindings

    lib = bindings()  # for a chat model the C API alone: no numpy, jinja2 or chat formats
    direct = pooling is None and _maps_natively(lib, model_path, settings, config)
    if not direct:  # Llama() below; importing it sets its own log callback: first
        import llama_cpp  # noqa: F401
    logged: list[tuple[int, str]] = []

    def collect(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        # ERROR is the highest level in every ggml version, but its number changed.
        logged.append((level, text.decode("utf-8", "replace").strip()))
        del logged[:-_KEEP_LOG_LINES]

    callback = lib.llama_log_callback(collect)
    _CALLBACKS.append(callback)  # llama.cpp keeps the pointer; it must outlive the call
    lib.llama_log_set(callback, ctypes.c_void_p(0))
    if pooling is not None:
        return _run_embedding(model_path, settings, config, pooling, logged)
    try:
        if direct:
            _decode_natively(lib, model_path, settings, config)
        else:
            _decode_with_llama(model_path, settings, config)
    except Exception as exc:  # anything llama.cpp refuses is a reason to report
        return _pick_reason(logged, str(exc))
    return None


def _maps_natively(
    lib: Any, model_path: str, settings: ResolvedSettings, config: RunConfig
) -> bool:
    """Whether :func:`native.params` knows how this llama-cpp-python sets up ``Llama()``."""
    from llmasos.foundation.engine.native import NoNativeMapping, params
    from llmasos.foundation.engine.runtime import llama_kwargs

    try:
        params(lib, llama_kwargs(Path(model_path), settings, config))
    except NoNativeMapping as exc:
        log.debug("probe through Llama(): %s", exc)
        return False
    return True


def _decode_with_llama(model_path: str, settings: ResolvedSettings, config: RunConfig) -> None:
    """What :func:`_decode_natively` does, through ``Llama()`` and ``generate()``."""
    import llama_cpp

    from llmasos.foundation.engine.llama_hooks import model_params
    from llmasos.foundation.engine.runtime import llama_kwargs

    with model_params(extra_bufts=config.extra_bufts):
        llm = llama_cpp.Llama(**llama_kwargs(Path(model_path), settings, config))
    tokens = llm.tokenize(PROBE_TEXT.encode("utf-8"), add_bos=True, special=False)
    tokens = tokens[: max(2, _room(settings))]
    _crash_hook(config)
    steps = llm.generate(tokens, temp=0.0, reset=True)
    for _ in range(_SINGLE_DECODES):
        next(steps)


def _room(settings: ResolvedSettings) -> int:
    """Prompt tokens the probe evaluates in one batch."""
    return min(_MAX_PROBE_TOKENS, settings.n_batch, settings.n_ctx - _SINGLE_DECODES - 1)


def _decode_natively(
    lib: Any, model_path: str, settings: ResolvedSettings, config: RunConfig
) -> None:
    """What ``Llama(**llama_kwargs(...))`` then ``generate()`` make llama.cpp do, through
    its C API: load with the same parameters, evaluate the prompt as one batch (logits
    for its last token, or for all with ``logits_all``), sample greedily over the whole
    vocabulary, then decode :data:`_SINGLE_DECODES` tokens one at a time.

    Raises:
        RuntimeError: llama.cpp refused the file or a decode.
    """
    from llmasos.foundation.engine import native
    from llmasos.foundation.engine.llama_hooks import model_params
    from llmasos.foundation.engine.runtime import llama_kwargs

    kwargs = llama_kwargs(Path(model_path), settings, config)
    lib.llama_backend_init()
    with model_params(extra_bufts=config.extra_bufts):  # as around Llama() in the app
        model_p, context_p = native.params(lib, kwargs)
        model = lib.llama_model_load_from_file(model_path.encode("utf-8"), model_p)
        if not model:
            raise RuntimeError(f"Failed to load model from file: {model_path}")
        ctx = lib.llama_init_from_model(model, context_p)
        if not ctx:
            raise RuntimeError("Failed to create llama_context")
    text = PROBE_TEXT.encode("utf-8")
    buffer = (lib.llama_token * (len(text) + 8))()
    count = lib.llama_tokenize(
        lib.llama_model_get_vocab(model), text, len(text), buffer, len(buffer), True, False
    )
    tokens = list(buffer[: max(0, count)])[: max(2, _room(settings))]
    _crash_hook(config)
    every = bool(kwargs.get("logits_all"))
    batch = lib.llama_batch_init(len(tokens), 0, 1)
    sampler = lib.llama_sampler_init_greedy()
    position = 0
    for step in range(_SINGLE_DECODES + 1):
        batch.n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            batch.token[i] = token
            batch.pos[i] = position + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = every or i == len(tokens) - 1
        code = lib.llama_decode(ctx, batch)
        if code != 0:
            raise RuntimeError(f"llama_decode returned {code} at step {step}")
        position += len(tokens)
        tokens = [lib.llama_sampler_sample(sampler, ctx, -1)]
    # No frees: the child leaves through os._exit (see the end of this module), and the
    # operating system takes the memory back faster than llama.cpp frees it.


def _run_embedding(
    model_path: str,
    settings: ResolvedSettings,
    config: RunConfig,
    pooling: int,
    logged: list[tuple[int, str]],
) -> str | None:
    """Embed a few texts of different lengths in one batch, as :class:`LlamaEmbedder` does."""
    import llama_cpp

    from llmasos.foundation.engine.embed_batch import embed_batch
    from llmasos.foundation.engine.llama_hooks import model_params
    from llmasos.foundation.engine.runtime import embedding_kwargs

    try:
        with model_params(extra_bufts=config.extra_bufts):
            llm = llama_cpp.Llama(**embedding_kwargs(Path(model_path), settings, config, pooling))
        limit = max(1, settings.n_batch // 3)
        texts = (PROBE_TEXT, PROBE_TEXT[:60], "ok")
        batch = [llm.tokenize(t.encode("utf-8"), add_bos=True)[:limit] for t in texts]
        _crash_hook(config)
        embed_batch(llm, batch)  # no close(), as in _run
    except Exception as exc:  # anything llama_cpp raises is a refusal to report
        return _pick_reason(logged, str(exc))
    return None


def _parse_plan(args: list[str]) -> tuple[str, ResolvedSettings, RunConfig, int | None] | None:
    if len(args) == 1:  # bare MODEL: the app's defaults, everything on
        return args[0], resolve(EngineSettings(), None), FULL, None
    if len(args) == 3 and args[1] == "--plan":
        data: dict[str, Any] = json.loads(args[2])
        config = RunConfig(extra_bufts=bool(data["extra_bufts"]), gpu=bool(data["gpu"]))
        pooling = data.get("pooling")
        pooling = None if pooling is None else int(pooling)
        return args[0], ResolvedSettings.from_json(data["settings"]), config, pooling
    return None


def _wait_for_job(idle_s: float) -> list[str]:
    """The spare child: import what a probe needs now, then take one job from stdin."""
    from llmasos.foundation.engine import llama_hooks, native, runtime  # noqa: F401

    native.bindings()  # the point: imported before the job arrives

    timer = threading.Timer(idle_s, os._exit, args=(_EXIT_IDLE,))
    timer.daemon = True
    timer.start()
    line = sys.stdin.readline()
    timer.cancel()
    if not line.strip():  # the app went away
        os._exit(_EXIT_IDLE)
    job: dict[str, str] = json.loads(line)
    os.environ[CRASH_HOOK_ENV] = job.get("crash", "")
    return [job["model"], "--plan", job["plan"]]


def main(argv: list[str] | None = None) -> int:
    """Child entry point: exit 0 when llama.cpp ran the model, else 3 with a reason."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--wait":
        args = _wait_for_job(float(args[1]))
    plan = _parse_plan(args)
    if plan is None:
        sys.stderr.write(f"{_REASON_PREFIX}usage: python -m {__name__} MODEL [--plan JSON]\n")
        return 2
    reason = _run(*plan)
    if reason is None:
        return 0
    sys.stderr.write(f"{_REASON_PREFIX}{reason}\n")
    sys.stderr.flush()
    return EXIT_LOAD_FAILED


if __name__ == "__main__":
    # The verdict is the exit status, known once main() returns: skip the interpreter's
    # teardown (llama.cpp's backends, a model and its KV cache freed piece by piece),
    # which the app would otherwise wait for on every probe.
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
