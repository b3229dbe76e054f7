"""Prefill speed against llama.cpp's own limit, in many short pairs.

The prefill half of ``decode_pairs.py``: each pair is one ``llama-bench -p 512 -n 0 -r 1``
(a fresh process, its own warm-up) and one 512-token prompt through the engine's request
path (``limit.Sides.engine_pp``: random tokens, the first one different every time so that
nothing is cached, timed to the first token, first sample included: what a user waits
for), in an order that alternates. The median of the per-pair ratios is given with a
bootstrap 95 % interval. Only the engine's model is loaded, as in the app.

Run ``python bench/prefill_pairs.py [--model smollm2] [--pairs 60]``. The last line of
stdout is a JSON summary with stable keys: ``bench, model, threads, pairs,
pp_ratio_median, pp_ratio_ci95_low, pp_ratio_ci95_high, llama_bench_pp_median,
engine_pp_median, max_cached_tokens, target, met``.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import limit  # bench/limit.py
from decode_pairs import bootstrap_ci, open_pair, parse_args  # bench/decode_pairs.py


def llama_bench_pp(binary: Path, model: Path, rp: limit.RunParams) -> float:
    """One ``llama-bench -p 512 -n 0 -r 1`` (limit.py's command, no generation test)."""
    return float(limit.run_llama_bench(binary, model, rp, 1, n_gen=0)["pp"][0])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__)
    name, path, binary, threads, sides = open_pair(args)
    rp = sides.rp
    lb: list[float] = []
    eng: list[float] = []
    max_cached = 0

    def engine_pp(rep: int) -> float:
        nonlocal max_cached
        tps, cached = sides.engine_pp(sides.prompt(rep))
        max_cached = max(max_cached, cached)
        return tps

    try:
        engine_pp(-1)  # warm-up
        llama_bench_pp(binary, path, rp)
        for i in range(args.pairs):
            if i % 2:
                lb.append(llama_bench_pp(binary, path, rp))
                eng.append(engine_pp(i))
            else:
                eng.append(engine_pp(i))
                lb.append(llama_bench_pp(binary, path, rp))
            limit.log(
                f"pair {i}: llama-bench {lb[-1]:.1f}, engine {eng[-1]:.1f} tok/s "
                f"(ratio {eng[-1] / lb[-1]:.3f})"
            )
    finally:
        sides.close()
    ratios = [e / b for e, b in zip(eng, lb, strict=True)]
    low, high = bootstrap_ci(ratios)
    summary = {
        "bench": "prefill_pairs",
        "model": name,
        "threads": threads,
        "pairs": len(ratios),
        "pp_ratio_median": round(statistics.median(ratios), 4),
        "pp_ratio_ci95_low": round(low, 4),
        "pp_ratio_ci95_high": round(high, 4),
        "llama_bench_pp_median": round(statistics.median(lb), 2),
        "engine_pp_median": round(statistics.median(eng), 2),
        "max_cached_tokens": max_cached,
        "target": limit.TARGET,
        "met": low >= limit.TARGET and max_cached == 0,
    }
    print(
        f"{name}: engine / llama-bench pp512, median of {len(ratios)} pairs "
        f"{summary['pp_ratio_median']} (95 % CI {summary['pp_ratio_ci95_low']}–"
        f"{summary['pp_ratio_ci95_high']}); llama-bench {summary['llama_bench_pp_median']}, "
        f"engine {summary['engine_pp_median']} tok/s"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
