"""Decode speed on a busy machine: fixed thread counts against "Threads: Auto".

For 0, 1, … busy background programs (each a real process spinning on one core), decode
tokens/s of the same request with every fixed thread count from 1 to the cores this
process may use, and with the engine's automatic choice
(:class:`llmasos.foundation.platform.cpu_load.ThreadAdvisor`: cores minus the cores other
programs keep busy, re-evaluated before each request). Each setting is its own engine,
loaded once; repetitions rotate the order of the settings.

    python bench/threads.py [--model PATH] [--busy 0,1,2] [--tokens 64] [--reps 3]

Last line (JSON): bench, model, cores, tokens, reps, rule, results{<busy>: {t<N>: tok/s,
auto: tok/s, auto_threads: [chosen per rep], best: "t<N>"}}, auto_vs_best{<busy>: ratio},
load_avg_start, load_avg_end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import default_model
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform.cpu_load import SLACK_CORES
from llmasos.foundation.platform.hardware import default_threads

PROMPT = "Once upon a time, in a small village by the sea, there lived an old fisherman who"


def spinners(n: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def decode_rate(engine: LlamaEngine, tokens: int, seed: int) -> float:
    params = SamplingParams(temperature=0.7, seed=seed, max_tokens=tokens)
    gen = engine.complete(PROMPT, params)
    gen.text()
    assert gen.stats is not None
    return gen.stats.tokens_per_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--busy", default="0,1,2", help="background busy programs, comma-separated")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    model = args.model or default_model()
    cores = default_threads()
    busy_levels = [int(b) for b in args.busy.split(",")]
    names = [f"t{n}" for n in range(1, cores + 1)] + ["auto"]
    engines: dict[str, LlamaEngine] = {}
    for name in names:
        threads = None if name == "auto" else int(name[1:])
        engines[name] = LlamaEngine(EngineSettings(n_ctx=1024, n_threads=threads))
        engines[name].load(model)
        decode_rate(engines[name], 8, 0)  # warm-up
    load_start = os.getloadavg()[0]
    results: dict[str, dict[str, object]] = {}
    auto_vs_best: dict[str, float] = {}
    for busy in busy_levels:
        procs = spinners(busy)
        try:
            time.sleep(0.5)
            rates: dict[str, list[float]] = {name: [] for name in names}
            chosen: list[int] = []
            for rep in range(args.reps):
                order = names[rep % len(names) :] + names[: rep % len(names)]
                for name in order:
                    rate = decode_rate(engines[name], args.tokens, 100 + rep)
                    rates[name].append(rate)
                    if name == "auto":
                        chosen.append(engines[name].threads or 0)
                    print(
                        f"busy {busy} rep {rep} {name}: {rate:.1f} tok/s"
                        + (f" ({chosen[-1]} threads)" if name == "auto" else ""),
                        file=sys.stderr,
                    )
        finally:
            for proc in procs:
                proc.kill()
                proc.wait()
        medians = {name: round(statistics.median(v), 2) for name, v in rates.items()}
        best = max((n for n in names if n != "auto"), key=lambda n: medians[n])
        results[str(busy)] = {**medians, "auto_threads": chosen, "best": best}
        auto_vs_best[str(busy)] = round(medians["auto"] / medians[best], 3)
    for engine in engines.values():
        engine.close()
    print(f"{'busy':>4} " + " ".join(f"{n:>8}" for n in names) + "  auto threads  auto/best")
    for busy, row in results.items():
        cells = " ".join(f"{row[n]:>8}" for n in names)
        print(f"{busy:>4} {cells}  {row['auto_threads']!s:>12}  {auto_vs_best[busy]:>9}")
    print(
        json.dumps(
            {
                "bench": "threads",
                "model": model.name,
                "cores": cores,
                "tokens": args.tokens,
                "reps": args.reps,
                "rule": f"cores - ceil(others_busy - {SLACK_CORES}), at least 1",
                "results": results,
                "auto_vs_best": auto_vs_best,
                "load_avg_start": round(load_start, 2),
                "load_avg_end": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
