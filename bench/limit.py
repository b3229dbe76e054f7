"""The engine against llama.cpp's own limit: ``llama-bench`` vs raw llama-cpp-python vs the engine.

On the same machine, in one run, with the same model, threads, batch sizes, flash-attention
and weight-repacking choice, three columns per model:

* ``llama_bench``: llama.cpp's C++ ``llama-bench`` (``-p 512 -n 128 -t T -b/-ub`` as the
  engine's context, ``-fa``/``--repack`` as the engine's, ``-o json``), built from the
  llama.cpp that the installed llama-cpp-python vendors, configured through
  llama-cpp-python's own top-level CMakeLists.txt (which forces shared libraries, the common
  library and no curl) with scikit-build-core's defaults (Release, Ninja) and
  ``$CMAKE_ARGS`` as pip used them. Only the ``llama-bench`` target is built; the build is
  cached in ``~/.cache/llmasos-bench/llama-bench-<version>/`` (``--llama-bench PATH`` uses a
  binary of your own). It runs once per repetition (``-r 1``, after its own warm-up runs),
  interleaved with the two Python sides: this VM's speed drifts by 10-20 % over minutes, so
  one ``-r 5`` block before the Python sides would compare different minutes.
* ``raw``: a bare ``llama_cpp.Llama`` with the engine's context parameters.
  pp512 = ``Llama.eval`` of 512 tokens after ``reset()``; tg128 = ``Llama.generate`` with
  the same sampler chain as the engine, 128 tokens, (n - 1) / (last - first token).
* ``engine``: the app's llama.cpp engine (``llmasos.foundation.engine``), loaded with the
  probe and driven through its own request path (``_start`` → ``Generation``, what
  ``chat``/``complete`` call after tokenizing; a 512-token prompt needs the exact tokens).
  pp512 = 512 / ``GenerationStats.ttft_s`` of a 512-token prompt with nothing cached
  (the first token of each repetition differs, ``cached_tokens`` is checked to be 0), so it
  includes the first sample and the engine's Python work before it — what a user waits for;
  tg128 = ``GenerationStats.tokens_per_s`` of 128 tokens after a short prompt (as
  ``llama-bench``'s tg128 runs on an empty context), app-default sampling, fixed seed; a
  repetition whose text ended early (end-of-generation token) is retried with another seed.

Sampling cost: the median time of one ``llama_sampler_sample`` with the app's default chain
and with greedy over the model's vocabulary (``llama-bench`` samples nothing).

Noise: every repetition runs the three sides back to back, in an order that rotates; a
repetition during which other processes used more than ``--quiet-max`` cores (from
``/proc/stat``, minus this process and its children) is thrown away and run again after
waiting for a quiet moment. Medians; ``*_ratio_paired`` is the median of per-repetition
ratios.

Probe cost (first model only): ``Engine.load()`` with an empty probe cache (a fresh
``LLMASOS_HOME``), the same load again with the cache warm, and a plain ``llama_cpp.Llama()``
with the same arguments; repetitions alternate; medians.

Run ``python bench/limit.py`` (``--help`` for options). The last line of stdout is a JSON
summary with stable keys. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import busy_cpu_s  # bench/common.py
from llmasos.foundation.engine.llama import LlamaEngine as Engine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware

N_PROMPT = 512
N_GEN = 128
N_CTX = 4096  # EngineSettings' default: what the app runs with
SEED = 1234
TARGET = 0.95
QUIET_MAX = 0.1  # cores other processes may use during a repetition before it is redone
MAX_REDO = 4  # at most this many redone repetitions per timed repetition
TG_PROMPT = "Once upon a time, in a small village by the sea, there lived"
MODEL_NAMES = ("smollm2", "gemma3")


def log(msg: str) -> None:
    print(f"[limit] {msg}", file=sys.stderr, flush=True)


def own_cpu_s() -> float:
    """CPU seconds of this process and its finished children (llama-bench, probe)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def wait_quiet(quiet_max: float, limit_s: float = 180.0) -> None:
    """Wait (at most ``limit_s``) until other processes stay under ``quiet_max`` cores for 4 s."""
    deadline, calm = time.monotonic() + limit_s, 0
    while time.monotonic() < deadline and calm < 2:
        with Others() as others:
            time.sleep(2.0)
        calm = calm + 1 if others.share <= quiet_max else 0


class Others:
    """Cores other processes kept busy while in the block (``share``; 0 off Linux)."""

    share = 0.0

    def __enter__(self) -> Others:
        self._busy, self._own, self._wall = busy_cpu_s(), own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        busy = busy_cpu_s()
        if busy is not None and self._busy is not None:
            wall = max(time.perf_counter() - self._wall, 1e-6)
            self.share = max(0.0, (busy - self._busy - (own_cpu_s() - self._own)) / wall)


# -- llama-bench: find or build ------------------------------------------------------


def llama_cpp_version() -> str:
    import llama_cpp

    return str(llama_cpp.__version__)


def cache_root() -> Path:
    return Path.home() / ".cache" / "llmasos-bench"


def cmake_configure_args() -> list[str]:
    """What scikit-build-core passed for llama-cpp-python's wheel, plus the tool switches.

    llama-cpp-python's CMakeLists.txt itself forces BUILD_SHARED_LIBS=ON,
    LLAMA_BUILD_COMMON=ON and LLAMA_CURL=OFF; GGML_NATIVE is left at ggml's default (ON
    for a native build), as in pip's build. ``LLAVA_BUILD=OFF`` only avoids adding
    tools/mtmd twice (the tools tree adds it too); it does not touch ggml or llama.
    """
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    return [
        *generator,
        "-DCMAKE_BUILD_TYPE=Release",
        "-DLLAVA_BUILD=OFF",
        "-DLLAMA_BUILD_TOOLS=ON",
        *shlex.split(os.environ.get("CMAKE_ARGS", "")),
    ]


def _run_logged(cmd: list[str], cwd: Path | None = None) -> None:
    log("$ " + shlex.join(cmd))
    done = subprocess.run(cmd, cwd=cwd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if done.returncode != 0:
        sys.exit(f"command failed (exit {done.returncode}): {shlex.join(cmd)}")


def _cmake_cache_values(build: Path, names: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        lines = (build / "CMakeCache.txt").read_text(errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        key, _, value = line.partition("=")
        name = key.split(":", 1)[0]
        if name in names:
            out[name] = value
    return out


CACHE_KEYS = (
    "CMAKE_BUILD_TYPE",
    "BUILD_SHARED_LIBS",
    "GGML_NATIVE",
    "GGML_OPENMP",
    "GGML_AVX512",
    "GGML_BLAS",
    "GGML_LLAMAFILE",
    "GGML_CPU_REPACK",
    "CMAKE_C_COMPILER",
    "CMAKE_C_FLAGS",
    "CMAKE_CXX_FLAGS",
)


def find_llama_bench(given: Path | None) -> tuple[Path, dict[str, Any]]:
    """The ``llama-bench`` binary and how it was built (built and cached if needed)."""
    if given is not None:
        if not given.is_file():
            sys.exit(f"--llama-bench {given}: no such file")
        build = next((p for p in given.resolve().parents if (p / "CMakeCache.txt").is_file()), None)
        cache = _cmake_cache_values(build, CACHE_KEYS) if build else {}
        return given, {
            "source": "given",
            "cmake_flags": "unknown (--llama-bench)",
            "cmake_cache": cache,
        }
    version = llama_cpp_version()
    args = cmake_configure_args()
    tag = hashlib.sha256("\0".join(args).encode()).hexdigest()[:8]
    root = cache_root() / f"llama-bench-{version}"
    build = root / f"build-{tag}"
    binary = build / "bin" / "llama-bench"
    info_file = build / "llmasos-build.json"
    if binary.is_file() and info_file.is_file():
        info = json.loads(info_file.read_text())
        info["source"] = "cache"
        log(f"llama-bench: cached build {binary}")
        return binary, info
    root.mkdir(parents=True, exist_ok=True)
    src = root / f"llama_cpp_python-{version}"
    if not (src / "vendor" / "llama.cpp" / "tools" / "llama-bench").is_dir():
        sdist = root / f"llama_cpp_python-{version}.tar.gz"
        if not sdist.is_file():
            log(f"llama-bench: downloading the llama-cpp-python {version} sdist")
            _run_logged(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    f"llama-cpp-python=={version}",
                    "-d",
                    str(root),
                ]
            )
        found = sorted(root.glob("llama_cpp_python-*.tar.gz")) + sorted(
            root.glob("llama-cpp-python-*.tar.gz")
        )
        if not found:
            sys.exit(f"no llama-cpp-python sdist in {root}")
        log(f"llama-bench: unpacking {found[0].name}")
        with tarfile.open(found[0]) as tar:
            top = tar.getmembers()[0].name.split("/", 1)[0]
            if hasattr(tarfile, "data_filter"):
                tar.extractall(root, filter="data")
            else:  # Pythons before 3.10.12 / 3.11.4 have no extraction filters
                tar.extractall(root)
        if (root / top) != src:
            shutil.rmtree(src, ignore_errors=True)
            (root / top).rename(src)
    configure = ["cmake", "-S", str(src), "-B", str(build), *args]
    _run_logged(configure)
    jobs = str(os.cpu_count() or 1)
    _run_logged(["cmake", "--build", str(build), "--target", "llama-bench", "-j", jobs])
    if not binary.is_file():
        sys.exit(f"the build did not produce {binary}")
    flags = (
        f"cmake -S llama_cpp_python-{version} {shlex.join(args)} "
        "(its CMakeLists.txt forces BUILD_SHARED_LIBS=ON LLAMA_BUILD_COMMON=ON "
        f"LLAMA_CURL=OFF); cmake --build --target llama-bench -j {jobs}"
    )
    info = {
        "cmake_flags": flags,
        "cmake_args": args,
        "cmake_cache": _cmake_cache_values(build, CACHE_KEYS),
    }
    info_file.write_text(json.dumps(info, indent=1))
    info["source"] = "built"
    return binary, info


def system_info(lib: Path) -> str:
    """``llama_print_system_info()`` of the libllama at ``lib``, from a child process."""
    code = (
        "import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); "
        "f=l.llama_print_system_info; f.restype=ctypes.c_char_p; "
        "print(f().decode().strip())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(lib)], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else f"unknown ({done.stderr[-200:]})"


def installed_libllama() -> Path:
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    return next(
        iter(
            sorted(folder.glob("libllama.so*"))
            + sorted(folder.glob("*llama.dylib"))
            + sorted(folder.glob("llama.dll"))
        )
    )


def built_libllama(binary: Path) -> Path | None:
    for name in ("libllama.so", "libllama.dylib", "llama.dll"):
        if (binary.parent / name).exists():
            return binary.parent / name
    return None


@dataclass
class RunParams:
    """The llama.cpp context/model parameters both sides use, read from the engine."""

    threads: int
    n_ctx: int
    n_batch: int
    n_ubatch: int
    flash_attn: int  # llama_flash_attn_type: -1 auto, 0 off, 1 on
    n_gpu_layers: int
    extra_bufts: bool


def run_llama_bench(
    binary: Path,
    model: Path,
    rp: RunParams,
    reps: int,
    n_prompt: int = N_PROMPT,
    n_gen: int = N_GEN,
) -> dict[str, Any]:
    """llama-bench's samples (tokens/s) by kind: ``pp`` (none when ``n_prompt`` is 0)
    and ``tg`` (none when ``n_gen`` is 0)."""
    fa = {-1: "auto", 0: "0", 1: "1"}[rp.flash_attn]
    cmd = [
        str(binary),
        "-m",
        str(model),
        "-p",
        str(n_prompt),
        "-n",
        str(n_gen),
        "-t",
        str(rp.threads),
        "-b",
        str(rp.n_batch),
        "-ub",
        str(rp.n_ubatch),
        "-fa",
        fa,
        "-ngl",
        str(rp.n_gpu_layers),
        "--repack",
        str(int(rp.extra_bufts)),
        "-r",
        str(reps),
        "-o",
        "json",
    ]
    log("$ " + shlex.join(cmd))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"llama-bench failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    results = json.loads(done.stdout)
    out: dict[str, Any] = {"cmd": shlex.join(cmd)}
    for r in results:
        kind = "pp" if r["n_gen"] == 0 else "tg"
        out[kind] = [float(x) for x in r["samples_ts"]]
        out["build_commit"] = r.get("build_commit")
        out["cpu_info"] = r.get("cpu_info")
    return out


# -- the Python sides ------------------------------------------------------------------


def repacking(extra_bufts: bool) -> Any:
    """``Llama()`` with llama.cpp's weight repacking on or off, as the engine loads."""
    from llmasos.foundation.engine.llama_hooks import model_params

    return model_params(extra_bufts=extra_bufts)


def plain_kwargs(path: Path, rp: RunParams) -> dict[str, Any]:
    return dict(
        model_path=str(path),
        n_ctx=rp.n_ctx,
        n_batch=rp.n_batch,
        n_ubatch=rp.n_ubatch,
        n_threads=rp.threads,
        n_threads_batch=rp.threads,
        n_gpu_layers=rp.n_gpu_layers,
        flash_attn=rp.flash_attn != 0,  # -1 (auto) is how the engine's 'on' loads
        verbose=False,
    )


def engine_settings(threads: int, n_ctx: int, flash_attn: bool) -> Any:
    return EngineSettings(n_ctx=n_ctx, n_threads=threads, flash_attn=flash_attn, probe=True)


def read_run_params(engine: Any, threads: int) -> RunParams:
    llm = engine._require()  # its llama_cpp.Llama
    cp = llm.context_params
    config = getattr(engine, "run_config", None)  # set by Engine.load() since the probe rework
    ngl = int(llm.model_params.n_gpu_layers)  # what the engine passed (0 on a CPU build)
    if cp.n_threads != threads or cp.n_threads_batch != threads:
        log(f"warning: engine threads {cp.n_threads}/{cp.n_threads_batch}, asked {threads}")
    return RunParams(
        threads=threads,
        n_ctx=int(cp.n_ctx),
        n_batch=int(cp.n_batch),
        n_ubatch=int(cp.n_ubatch),
        flash_attn=int(cp.flash_attn_type),
        n_gpu_layers=int(ngl),
        extra_bufts=bool(getattr(config, "extra_bufts", True)),
    )


@dataclass
class ModelRun:
    name: str
    path: Path
    n_vocab: int = 0
    # per side ("llama_bench", "raw", "engine"): tokens/s of each timed repetition
    pp: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    tg: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    build_commit: str | None = None
    retries: int = 0
    cached_tokens: int = 0
    sample_ms: float = 0.0
    sample_greedy_ms: float = 0.0
    sample_engine_ms: float = 0.0
    noisy_redone: int = 0
    others: list[float] = field(default_factory=list)


class Sides:
    """The engine (loaded with its probe) and a bare ``Llama`` with the same parameters.

    With ``raw=False`` only the engine is loaded (as in the app, one model in the process)
    and the raw side's methods are not available."""

    def __init__(
        self,
        path: Path,
        threads: int,
        n_ctx: int,
        params: Any,
        flash_attn: bool,
        *,
        raw: bool = True,
    ) -> None:
        import llama_cpp

        self.params = params
        self.engine = Engine(engine_settings(threads, n_ctx, flash_attn))
        self.engine.load(path)
        self.rp = read_run_params(self.engine, threads)
        if raw:
            with repacking(self.rp.extra_bufts):
                self.llm = llama_cpp.Llama(**plain_kwargs(path, self.rp))
        else:
            self.llm = None
        first = self.llm if self.llm is not None else self.engine._require()
        self.n_vocab = int(first.n_vocab())
        self._vocab = first._model.vocab
        self._is_eog = llama_cpp.llama_vocab_is_eog
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab))  # as llama-bench does
        self.tg_prompt = list(first.tokenize(TG_PROMPT.encode(), add_bos=add_bos, special=False))

    def close(self) -> None:
        if self.llm is not None:
            self.llm.close()
        self.engine.close()

    def prompt(self, rep: int) -> list[int]:
        """512 tokens, as llama-bench's (random ids), the first one different every rep."""
        rng = random.Random(SEED * 7919 + rep)
        avoid = {self.tg_prompt[0]}
        first = rng.randrange(self.n_vocab)
        while first in avoid:
            first = rng.randrange(self.n_vocab)
        return [first] + [rng.randrange(self.n_vocab) for _ in range(N_PROMPT - 1)]

    def raw_pp(self, tokens: list[int]) -> float:
        self.llm.reset()
        t0 = time.perf_counter()
        self.llm.eval(tokens)
        return N_PROMPT / (time.perf_counter() - t0)

    def engine_pp(self, tokens: list[int]) -> tuple[float, int]:
        gen = self.engine._start(tokens, SamplingParams(max_tokens=1, seed=SEED), None)
        for _ in gen:
            pass
        assert gen.stats is not None
        return N_PROMPT / gen.stats.ttft_s, gen.stats.cached_tokens

    def raw_tg(self, seed: int) -> tuple[float, int]:
        p = self.params
        self.llm.set_seed(seed)
        gen = self.llm.generate(
            self.tg_prompt,
            top_k=p.top_k,
            top_p=p.top_p,
            min_p=p.min_p,
            temp=p.temperature,
            repeat_penalty=p.repeat_penalty,
            reset=True,
        )
        n, t_first = 0, 0.0
        for token in gen:
            if n == 0:
                t_first = time.perf_counter()
            if self._is_eog(self._vocab, token):
                break
            n += 1
            if n >= N_GEN:
                break
        t_last = time.perf_counter()
        gen.close()
        return ((n - 1) / (t_last - t_first) if n > 1 else 0.0), n

    def engine_tg(self, seed: int) -> tuple[float, int]:
        p = self.params
        params = SamplingParams(
            temperature=p.temperature,
            top_p=p.top_p,
            top_k=p.top_k,
            min_p=p.min_p,
            repeat_penalty=p.repeat_penalty,
            seed=seed,
            max_tokens=N_GEN,
            stop=(),
        )
        gen = self.engine._start(list(self.tg_prompt), params, None)
        for _ in gen:
            pass
        assert gen.stats is not None
        return gen.stats.tokens_per_s, gen.stats.completion_tokens

    def sample_cost(self, n: int = 200) -> tuple[float, float, float]:
        """Median ms to sample one token: the app's default settings in llama-cpp-python's
        chain (``llama_sampler_sample``, the raw side's), greedy the same way, and the same
        settings as the engine samples (its chain, top-k ahead of the penalties, handed
        only the candidates that can pass its first cut: ``sampler.ChainSampler``)."""
        import llama_cpp
        import numpy as np

        from llmasos.foundation.engine.llama_hooks import top_k_first
        from llmasos.foundation.engine.sampler import ChainSampler

        self.llm.reset()
        self.llm.eval(self.prompt(10_000)[:64])
        d = SamplingParams()
        app = dict(
            top_k=d.top_k,
            top_p=d.top_p,
            min_p=d.min_p,
            temp=d.temperature,
            repeat_penalty=d.repeat_penalty,
        )
        out = []
        for kw in (app, dict(temp=0.0, repeat_penalty=1.0)):
            sampler = self.llm._init_sampler(**kw)
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                llama_cpp.llama_sampler_sample(sampler.sampler, self.llm._ctx.ctx, -1)
                times.append(time.perf_counter() - t0)
            out.append(statistics.median(times) * 1e3)
        top_k_first(self.llm)  # on this raw Llama for a moment; removed below
        try:
            engine_sampler = ChainSampler(self.llm._init_sampler(**app), self.n_vocab)
        finally:
            del self.llm._init_sampler
        floats = llama_cpp.llama_get_logits_ith(self.llm._ctx.ctx, -1)
        logits = np.ctypeslib.as_array(floats, shape=(self.n_vocab,))  # kept, as the engine does
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            engine_sampler.sample(logits)
            times.append(time.perf_counter() - t0)
        engine_sampler.close()
        out.append(statistics.median(times) * 1e3)
        return out[0], out[1], out[2]


SIDES = ("llama_bench", "raw", "engine")


def one_rep(
    sides: Sides, run: ModelRun, rep: int, binary: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """pp512 and tg128 of the three sides, in an order that rotates with ``rep``."""
    k = rep % len(SIDES)
    order = SIDES[k:] + SIDES[:k]
    tokens = sides.prompt(rep)
    pp: dict[str, float] = {}
    tg: dict[str, float] = {}
    for side in order:
        if side == "llama_bench":
            out = run_llama_bench(binary, run.path, sides.rp, 1)
            pp[side], tg[side] = out["pp"][0], out["tg"][0]
            run.build_commit = out.get("build_commit")
            continue
        if side == "raw":
            pp[side] = sides.raw_pp(tokens)
        else:
            pp[side], cached = sides.engine_pp(tokens)
            run.cached_tokens = max(run.cached_tokens, cached)
        for attempt in range(8):  # a seed whose text ends before 128 tokens is replaced
            seed = SEED + rep + 1000 * attempt
            tps, n = sides.raw_tg(seed) if side == "raw" else sides.engine_tg(seed)
            if n == N_GEN:
                tg[side] = tps
                break
            run.retries += 1
    return pp, tg


def measure_model(
    run: ModelRun, binary: Path, args: argparse.Namespace, threads: int, params: Any
) -> RunParams:
    reps, quiet_max = args.reps, args.quiet_max
    log(f"{run.name}: loading the engine (with its probe) and a bare Llama")
    sides = Sides(run.path, threads, args.ctx, params, args.flash_attn)
    run.n_vocab = sides.n_vocab
    rep = -1  # rep -1: untimed warm-up
    while rep < reps:
        with Others() as others:
            pp, tg = one_rep(sides, run, rep, binary)
        noisy = rep >= 0 and others.share > quiet_max and run.noisy_redone < MAX_REDO * reps
        log(
            f"{run.name} rep {rep}: pp "
            + " ".join(f"{k} {v:.1f}" for k, v in pp.items())
            + " | tg "
            + " ".join(f"{k} {v:.1f}" for k, v in tg.items())
            + f" | others {others.share:.2f} cores"
            + (" (noisy, again)" if noisy else "")
        )
        if noisy:
            run.noisy_redone += 1
            wait_quiet(quiet_max)
            continue
        if rep >= 0:
            for side in SIDES:
                run.pp[side].append(pp[side])
                run.tg[side].append(tg.get(side, 0.0))  # 0: every seed ended early
            run.others.append(others.share)
        rep += 1
    run.sample_ms, run.sample_greedy_ms, run.sample_engine_ms = sides.sample_cost()
    sides.close()
    return sides.rp


# -- probe cost --------------------------------------------------------------------------


# How long before a load the app's spare probe child was started in the "spare" case (a
# file dialog or a finished download comes seconds before the load; importing takes ~0.3 s).
SPARE_HEAD_START_S = 2.0


def probe_cost(
    path: Path, rp: RunParams, n_ctx: int, reps: int, quiet_max: float
) -> dict[str, float]:
    """Engine.load() with an empty / warm probe cache vs a plain Llama(); medians in s."""
    import llama_cpp

    def plain() -> float:
        t0 = time.perf_counter()
        with repacking(rp.extra_bufts):
            llm = llama_cpp.Llama(**plain_kwargs(path, rp))
        t = time.perf_counter() - t0
        llm.close()
        return t

    def engine_load() -> float:
        eng = Engine(engine_settings(rp.threads, n_ctx, rp.flash_attn != 0))
        t0 = time.perf_counter()
        eng.load(path)
        t = time.perf_counter() - t0
        eng.close()
        return t

    saved = os.environ.get("LLMASOS_HOME")
    times: dict[str, list[float]] = {"plain": [], "first": [], "cached": [], "spare": []}
    rep, redone = -1, 0  # rep -1: untimed warm-up
    try:
        while rep < reps:
            with (
                tempfile.TemporaryDirectory(prefix="llmasos-limit-probe-") as home,
                Others() as others,
            ):
                os.environ["LLMASOS_HOME"] = home  # an empty probe cache
                got = {}
                if rep % 2 == 0:
                    got["plain"] = plain()
                got["first"] = engine_load()
                got["cached"] = engine_load()
                with tempfile.TemporaryDirectory(prefix="llmasos-limit-probe-") as home2:
                    os.environ["LLMASOS_HOME"] = home2  # empty again, a spare child ready
                    from llmasos.foundation.engine.probe import prestart

                    prestart()
                    time.sleep(SPARE_HEAD_START_S)
                    got["spare"] = engine_load()
                if rep % 2 != 0:
                    got["plain"] = plain()
            noisy = rep >= 0 and others.share > quiet_max and redone < MAX_REDO * reps
            log(
                f"probe rep {rep}: plain {got['plain']:.3f} s, first {got['first']:.3f} s, "
                f"cached {got['cached']:.3f} s, with a spare child {got['spare']:.3f} s "
                f"| others {others.share:.2f} cores" + (" (noisy, again)" if noisy else "")
            )
            if noisy:
                redone += 1
                wait_quiet(quiet_max)
                continue
            if rep >= 0:
                for k, v in got.items():
                    times[k].append(v)
            rep += 1
    finally:
        if saved is None:
            os.environ.pop("LLMASOS_HOME", None)
        else:
            os.environ["LLMASOS_HOME"] = saved
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "probe_first_s": round(med["first"], 3),
        "plain_load_s": round(med["plain"], 3),
        "probe_extra_s": round(med["first"] - med["plain"], 3),
        "cached_load_s": round(med["cached"], 3),
        "cached_extra_s": round(med["cached"] - med["plain"], 3),
        "probe_spare_s": round(med["spare"], 3),
        "probe_spare_extra_s": round(med["spare"] - med["plain"], 3),
    }


# -- main --------------------------------------------------------------------------------


def resolve_models(spec: str) -> list[tuple[str, Path]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers import models  # tests/helpers/models.py

    known = {"smollm2": models.SMOLLM2, "gemma3": models.GEMMA3}
    out = []
    for item in (s.strip() for s in spec.split(",") if s.strip()):
        if item in known:
            out.append((item, Path(models.ensure(known[item]))))
        else:
            p = Path(item)
            if not p.is_file():
                sys.exit(f"--models: {item} is neither {'/'.join(known)} nor a file")
            out.append((p.stem, p))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--models",
        default=",".join(MODEL_NAMES),
        help="comma-separated: smollm2, gemma3 or GGUF paths (default: both)",
    )
    p.add_argument("--reps", type=int, default=5, help="repetitions per side (default 5)")
    p.add_argument("--threads", type=int, help="threads for every side (default: all cores)")
    p.add_argument(
        "--ctx", type=int, default=N_CTX, help=f"engine context length (default {N_CTX}, the app's)"
    )
    p.add_argument(
        "--greedy",
        action="store_true",
        help="decode greedily instead of with the app's default sampling",
    )
    p.add_argument(
        "--repeat-penalty",
        type=float,
        help="repeat penalty for both Python sides (default: the app's SamplingParams)",
    )
    p.add_argument(
        "--flash-attn",
        action=argparse.BooleanOptionalAction,
        default=EngineSettings().flash_attn,
        help="load the engine with flash attention or without (default: the app's setting; "
        "llama-bench and raw follow the engine)",
    )
    p.add_argument("--llama-bench", type=Path, help="use this llama-bench binary")
    p.add_argument("--no-probe-cost", action="store_true", help="skip the probe-cost part")
    p.add_argument(
        "--quiet-max",
        type=float,
        default=QUIET_MAX,
        help="redo a repetition when other processes used more cores than this "
        f"(default {QUIET_MAX}; a large value turns it off)",
    )
    return p.parse_args(argv)


def med(xs: list[float]) -> float:
    """Median of the measured values (0 marks a repetition without one)."""
    xs = [x for x in xs if x > 0]
    return statistics.median(xs) if xs else 0.0


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    threads = args.threads or hardware.default_threads()
    model_list = resolve_models(args.models)
    binary, build = find_llama_bench(args.llama_bench)
    built_lib = built_libllama(binary)
    info_py = system_info(installed_libllama())
    info_cpp = system_info(built_lib) if built_lib else "unknown"
    params = (
        SamplingParams(temperature=0.0, repeat_penalty=1.0)
        if args.greedy
        else SamplingParams(repeat_penalty=args.repeat_penalty)
        if args.repeat_penalty is not None
        else SamplingParams()
    )
    wait_quiet(args.quiet_max)
    load0 = os.getloadavg()[0]
    busy0, cpu0, wall0 = busy_cpu_s(), own_cpu_s(), time.perf_counter()
    saved_home = os.environ.get("LLMASOS_HOME")
    home = tempfile.mkdtemp(prefix="llmasos-limit-")
    os.environ["LLMASOS_HOME"] = home  # never the user's probe cache
    runs: list[ModelRun] = []
    rps: list[RunParams] = []
    try:
        for name, path in model_list:
            run = ModelRun(name, path)
            rps.append(measure_model(run, binary, args, threads, params))
            runs.append(run)
        probe = (
            {}
            if args.no_probe_cost
            else probe_cost(model_list[0][1], rps[0], args.ctx, args.reps, args.quiet_max)
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if saved_home is None:
            os.environ.pop("LLMASOS_HOME", None)
        else:
            os.environ["LLMASOS_HOME"] = saved_home
    busy1 = busy_cpu_s()
    wall = time.perf_counter() - wall0
    others = None
    if busy0 is not None and busy1 is not None:
        others = max(0.0, ((busy1 - busy0) - (own_cpu_s() - cpu0)) / wall)
    rp = rps[0]
    sampling = "greedy" if args.greedy else "default" if args.repeat_penalty is None else "custom"

    print(
        f"limit: llama-bench vs raw llama-cpp-python vs engine — {threads} threads, "
        f"n_ctx {rp.n_ctx} (llama-bench: {N_PROMPT + N_GEN}), n_batch {rp.n_batch}, "
        f"n_ubatch {rp.n_ubatch}, flash_attn {rp.flash_attn}, repack {rp.extra_bufts}, "
        f"sampling: temperature {params.temperature}, repeat penalty {params.repeat_penalty} "
        f"({sampling}); "
        f"{platform.machine()}, "
        f"llama-cpp-python {llama_cpp_version()}, load {load0:.2f}"
    )
    print(f"llama-bench: {binary} ({build['source']}), commit {runs[0].build_commit}")
    print(f"cmake: {build['cmake_flags']}")
    print(f"system info, wheel:  {info_py}")
    print(f"system info, C++:    {info_cpp}")
    models_out: dict[str, Any] = {}
    for run in runs:
        print()
        print(f"{run.name} ({run.path.name}, vocabulary {run.n_vocab}), tokens/s per repetition")
        print(
            f"{'rep':>3}  {'pp512 lb':>9} {'raw':>8} {'engine':>8}  {'tg128 lb':>9} "
            f"{'raw':>8} {'engine':>8}  others"
        )
        for i in range(len(run.pp["engine"])):
            cells = [run.pp[s][i] for s in SIDES] + [
                run.tg[s][i] if i < len(run.tg[s]) else 0.0 for s in SIDES
            ]
            print(
                f"{i:>3}  {cells[0]:>9.1f} {cells[1]:>8.1f} {cells[2]:>8.1f}  {cells[3]:>9.1f} "
                f"{cells[4]:>8.1f} {cells[5]:>8.1f}  {run.others[i]:.2f}"
            )
        row: dict[str, Any] = {"file": run.path.name, "n_vocab": run.n_vocab}
        for kind, data in (("pp512", run.pp), ("tg128", run.tg)):
            for side in SIDES:
                row[f"{side}_{kind}"] = round(med(data[side]), 2)
        for kind, data in (("pp", run.pp), ("tg", run.tg)):
            lb = row[f"llama_bench_{kind}{'512' if kind == 'pp' else '128'}"]
            for side, key in (("engine", f"{kind}_ratio"), ("raw", f"raw_{kind}_ratio")):
                value = row[f"{side}_{kind}{'512' if kind == 'pp' else '128'}"]
                row[key] = round(value / lb, 3) if lb else None
            pairs = [
                e / b for e, b in zip(data["engine"], data["llama_bench"], strict=True) if e and b
            ]
            row[f"{kind}_ratio_paired"] = round(med(pairs), 3)
        row["sample_ms"] = round(run.sample_ms, 4)
        row["sample_greedy_ms"] = round(run.sample_greedy_ms, 4)
        row["sample_engine_ms"] = round(run.sample_engine_ms, 4)
        row["tg_reps"] = sum(1 for x in run.tg["engine"] if x > 0)
        row["tg_retries"] = run.retries
        row["max_cached_tokens"] = run.cached_tokens
        row["noisy_redone"] = run.noisy_redone
        row["others_cores_max"] = round(max(run.others, default=0.0), 3)
        models_out[run.name] = row
        print(
            f"{'median':<10} {'llama-bench':>11} {'raw':>9} {'engine':>9} {'raw/lb':>7} "
            f"{'eng/lb':>7} {'paired':>7}  target"
        )
        for kind, n in (("pp", 512), ("tg", 128)):
            lb, raw, eng = (row[f"{s}_{kind}{n}"] for s in SIDES)
            print(
                f"{kind}{n:<8} {lb:>11.1f} {raw:>9.1f} {eng:>9.1f} "
                f"{row[f'raw_{kind}_ratio'] or 0:>7.3f} {row[f'{kind}_ratio'] or 0:>7.3f} "
                f"{row[f'{kind}_ratio_paired']:>7.3f}  ≥ {TARGET}"
            )
        print(
            f"sampling one token: app settings in llama-cpp-python's chain "
            f"{run.sample_ms:.3f} ms, as the engine samples {run.sample_engine_ms:.3f} ms, "
            f"greedy {run.sample_greedy_ms:.3f} ms; redone for noise: {run.noisy_redone}"
        )
    if probe:
        print()
        print(
            f"probe cost ({model_list[0][0]}): Engine.load() with an empty probe cache "
            f"{probe['probe_first_s']:.3f} s, plain Llama() {probe['plain_load_s']:.3f} s "
            f"(+{probe['probe_extra_s']:.3f} s, target ≤ +0.5 s); cached "
            f"{probe['cached_load_s']:.3f} s (+{probe['cached_extra_s']:.3f} s); new file with "
            f"the app's spare child ready {probe['probe_spare_s']:.3f} s "
            f"(+{probe['probe_spare_extra_s']:.3f} s)"
        )
    result: dict[str, Any] = {
        "bench": "limit",
        "threads": threads,
        "reps": args.reps,
        "n_ctx": rp.n_ctx,
        "n_batch": rp.n_batch,
        "n_ubatch": rp.n_ubatch,
        "flash_attn": rp.flash_attn,
        "extra_bufts": rp.extra_bufts,
        "sampling": sampling,
        "temperature": params.temperature,
        "repeat_penalty": params.repeat_penalty,
        "models": models_out,
        **{
            k: probe.get(k)
            for k in (
                "probe_first_s",
                "plain_load_s",
                "probe_extra_s",
                "cached_load_s",
                "cached_extra_s",
                "probe_spare_s",
                "probe_spare_extra_s",
            )
        },
        "targets_met": all(
            (m["pp_ratio"] or 0) >= TARGET and (m["tg_ratio"] or 0) >= TARGET
            for m in models_out.values()
        ),
        "cmake_flags": build["cmake_flags"],
        "llama_bench": str(binary),
        "same_system_info": info_py == info_cpp,
        "load_avg_start": round(load0, 2),
        "load_avg_end": round(os.getloadavg()[0], 2),
        "others_cpu_share": None if others is None else round(others, 3),
    }
    sys.stdout.flush()
    if others is not None and others > 0.1:
        log(
            f"warning: other processes used {others:.0%} of a core during the run; "
            "rerun on a quiet machine"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
