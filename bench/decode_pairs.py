"""Decode speed against llama.cpp's own limit, in many short pairs, and where a token goes.

``limit.py`` times whole repetitions (pp512 and tg128 of three sides, ~10 s each); on a
shared VM whose speed drifts by 10-20 % within minutes its tg ratio moves by ±3-5 % from
run to run. This bench measures only decode and pairs it tightly: each pair is one
``llama-bench -p 0 -n 128 -r 1`` (a fresh process, its own warm-up) and one 128-token
request of the engine (``limit.Sides.engine_tg``: the app's request path, app-default
sampling), in an order that alternates. The ratio of each pair is taken, and the median
of those ratios is given with a bootstrap 95 % interval.

In the same run, the engine's token is taken apart with timers around ``llama_decode`` and
the sampler: the milliseconds inside llama.cpp's decode per call, and those outside it per
token (sampling, then the engine's Python), next to a bare loop of ``llama_decode`` calls on
the engine's own context (random tokens, nothing read back: what llama-bench does).

Run ``python bench/decode_pairs.py [--model smollm2] [--pairs 60]``. The last line of
stdout is a JSON summary with stable keys: ``bench, model, threads, pairs, tg_ratio_median,
tg_ratio_ci95_low, tg_ratio_ci95_high, llama_bench_tg_median, engine_tg_median,
decode_ms_engine, decode_ms_bare, sample_ms, python_ms, outside_share, target, met``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import limit  # bench/limit.py
from llmasos.foundation.engine import sampler as sampler_module
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.platform import hardware


def llama_bench_tg(binary: Path, model: Path, rp: limit.RunParams) -> float:
    """One ``llama-bench -p 0 -n 128 -r 1`` (limit.py's command, no prompt test)."""
    return float(limit.run_llama_bench(binary, model, rp, 1, n_prompt=0)["tg"][0])


class Timers:
    """Seconds spent in ``llama_decode`` (and how many calls) and in the engine's sampler,
    by wrapping both inside a ``with`` block only: the wrappers cost time of their own, so
    the paired requests run without them."""

    def __init__(self) -> None:
        import llama_cpp

        self.decode_s = 0.0
        self.decode_calls = 0
        self.sample_s = 0.0
        self._llama_cpp = llama_cpp
        self._decode = llama_cpp.llama_decode
        self._sample = sampler_module.ChainSampler.sample

    def __enter__(self) -> Timers:
        self.decode_s, self.decode_calls, self.sample_s = 0.0, 0, 0.0
        llama_cpp = self._llama_cpp
        timers = self

        def decode(ctx: Any, batch: Any) -> int:
            t = time.perf_counter()
            code = timers._decode(ctx, batch)
            timers.decode_s += time.perf_counter() - t
            timers.decode_calls += 1
            return int(code)

        def sample(self: Any, *args: Any) -> int:
            t = time.perf_counter()
            token = timers._sample(self, *args)
            timers.sample_s += time.perf_counter() - t
            return int(token)

        llama_cpp.llama_decode = decode
        sampler_module.ChainSampler.sample = sample  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self._llama_cpp.llama_decode = self._decode
        sampler_module.ChainSampler.sample = self._sample  # type: ignore[method-assign]


def bare_decode_ms(sides: limit.Sides, n: int = limit.N_GEN) -> float:
    """Median ms of one ``llama_decode`` of one random token on the engine's context,
    nothing read back (llama-bench's tg loop). The engine's cache is cleared afterwards."""
    import llama_cpp

    llm = sides.engine._require()
    tok = (llama_cpp.llama_token * 1)()
    rng = random.Random(limit.SEED)
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), False)
    tok[0] = sides.tg_prompt[0]
    times = []
    for _ in range(n):
        batch = llama_cpp.llama_batch_get_one(tok, 1)
        t = time.perf_counter()
        llama_cpp.llama_decode(llm.ctx, batch)
        times.append(time.perf_counter() - t)
        tok[0] = rng.randrange(sides.n_vocab)
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), False)
    llm.n_tokens = 0  # the engine's next request finds nothing cached and evaluates it all
    return statistics.median(times[1:]) * 1e3


def engine_tg(sides: limit.Sides, seed: int) -> float:
    for attempt in range(8):  # a seed whose text ends before 128 tokens is replaced
        tps, n = sides.engine_tg(seed + 1000 * attempt)
        if n == limit.N_GEN:
            return tps
    sys.exit("every seed ended before 128 tokens")


def bootstrap_ci(xs: list[float], rounds: int = 2000) -> tuple[float, float]:
    rng = random.Random(limit.SEED)
    medians = sorted(statistics.median(rng.choices(xs, k=len(xs))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975) - 1]


def parse_args(argv: list[str] | None, doc: str | None = __doc__) -> argparse.Namespace:
    """The pair benches' options (this one's and ``prefill_pairs.py``'s)."""
    p = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    p.add_argument("--model", default="smollm2", help="smollm2, gemma3 or a GGUF path")
    p.add_argument("--pairs", type=int, default=60, help="llama-bench/engine pairs (default 60)")
    p.add_argument("--threads", type=int, help="threads for both sides (default: all cores)")
    p.add_argument("--llama-bench", type=Path, help="use this llama-bench binary")
    return p.parse_args(argv)


def open_pair(args: argparse.Namespace) -> tuple[str, Path, Path, int, limit.Sides]:
    """Model name and path, the llama-bench binary, threads, and the engine loaded on
    its own, as in the app (a second model in the process cost ~1 %)."""
    threads = args.threads or hardware.default_threads()
    ((name, path),) = limit.resolve_models(args.model)
    binary, _build = limit.find_llama_bench(args.llama_bench)
    sides = limit.Sides(path, threads, limit.N_CTX, SamplingParams(), True, raw=False)
    return name, path, binary, threads, sides


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    name, path, binary, threads, sides = open_pair(args)
    rp = sides.rp
    timers = Timers()
    lb: list[float] = []
    eng: list[float] = []
    decode_ms: list[float] = []
    sample_ms: list[float] = []
    python_ms: list[float] = []
    bare_ms: list[float] = []
    try:
        engine_tg(sides, 0)  # warm-up
        llama_bench_tg(binary, path, rp)
        for i in range(args.pairs):
            if i % 2:
                lb.append(llama_bench_tg(binary, path, rp))
                eng.append(engine_tg(sides, i))
            else:
                eng.append(engine_tg(sides, i))
                lb.append(llama_bench_tg(binary, path, rp))
            with timers:
                t0 = time.perf_counter()
                engine_tg(sides, 10_000 + i)  # the same request again, timed part by part
                total = time.perf_counter() - t0
            n = timers.decode_calls
            decode_ms.append(timers.decode_s / n * 1e3)
            sample_ms.append(timers.sample_s / n * 1e3)
            python_ms.append((total - timers.decode_s - timers.sample_s) / n * 1e3)
            if i % 5 == 0:
                bare_ms.append(bare_decode_ms(sides))
            limit.log(
                f"pair {i}: llama-bench {lb[-1]:.1f}, engine {eng[-1]:.1f} tok/s "
                f"(ratio {eng[-1] / lb[-1]:.3f}); decode {decode_ms[-1]:.2f} ms, "
                f"sample {sample_ms[-1]:.3f}, Python {python_ms[-1]:.3f}"
            )
    finally:
        sides.close()
    ratios = [e / b for e, b in zip(eng, lb, strict=True)]
    low, high = bootstrap_ci(ratios)
    outside = statistics.median(sample_ms) + statistics.median(python_ms)
    summary = {
        "bench": "decode_pairs",
        "model": name,
        "threads": threads,
        "pairs": len(ratios),
        "tg_ratio_median": round(statistics.median(ratios), 4),
        "tg_ratio_ci95_low": round(low, 4),
        "tg_ratio_ci95_high": round(high, 4),
        "llama_bench_tg_median": round(statistics.median(lb), 2),
        "engine_tg_median": round(statistics.median(eng), 2),
        "decode_ms_engine": round(statistics.median(decode_ms), 3),
        "decode_ms_bare": round(statistics.median(bare_ms), 3),
        "sample_ms": round(statistics.median(sample_ms), 4),
        "python_ms": round(statistics.median(python_ms), 4),
        "outside_share": round(outside / (statistics.median(decode_ms) + outside), 4),
        "target": limit.TARGET,
        "met": low >= limit.TARGET,
    }
    print(
        f"{name}: engine / llama-bench tg128, median of {len(ratios)} pairs "
        f"{summary['tg_ratio_median']} (95 % CI {summary['tg_ratio_ci95_low']}–"
        f"{summary['tg_ratio_ci95_high']}); per token: decode {summary['decode_ms_engine']} ms "
        f"(bare loop {summary['decode_ms_bare']}), sampling {summary['sample_ms']} ms, "
        f"Python {summary['python_ms']} ms ({summary['outside_share']:.1%} outside decode)"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
