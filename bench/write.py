"""Proofreading speed: plain decoding vs prompt-lookup decoding, in one run.

Two engines load the same GGUF file (SmolLM2 test model by default) with the same
context and threads; one has ``EngineSettings(prompt_lookup=N)``. Each proofreads the
same ~300-word English text with errors through the app's own path
(:class:`~llmasos.services.writing.service.WriteJob`, action ``proofread``) at temperature 0.
Repetitions alternate which side goes first, and medians are reported, so machine
noise hits both alike. Before each run a throwaway request with another prompt evicts
the cached prefix, so every run evaluates the whole prompt afresh.

Figures: decode tokens/s (the engine's own ``GenerationStats``), wall time for the
whole action, the ratio lookup/plain, and whether both sides produced the identical
text. The last line of stdout is a JSON object with stable keys.

Run ``python bench/write.py [--reps 3] [--draft 10] [--model PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from common import default_model  # bench/common.py
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware
from llmasos.services.writing.service import WriteJob, WriteRequest

N_CTX = 512  # one paragraph per chunk: what a 135M model can proofread
TEXT = (
    "Travelling is one of the most rewarding experience a person can have. When we leave "
    "our home and visit a new place, we see how other people lives, what they eat, and "
    "how they spend there days. Many people says that travelling open the mind, and I "
    "think they is right.\n\n"
    "Last summer I went to a small village in the mountains with my freinds. The road was "
    "long and narow, and the bus were very old, but the view from the window was "
    "beautifull. We arrived late in the evening and the owner of the guesthouse give us "
    "a warm soup and fresh bread. Nobody in the village speaked English, so we used our "
    "hands and a few words from a phrase book to talk with them.\n\n"
    "During the week we walked to a lake, climbed a hill and helped a farmer to collect "
    "apples. Every evening the villagers gathered in the square to sing songs and tell "
    "stories. Even if we did not understood every word, we could feel the kindness in "
    "there voices. One old woman teached us how to make cheese, which was harder than it "
    "look.\n\n"
    "When it was time to leave, we was sad. The children run after the bus and waved "
    "untill we could not see them anymore. I learned that you do not need a expensive "
    "hotel or famous sights to have a good holiday. What matter most are the people you "
    "meet and the moments you share with them.\n\n"
    "Now, when I plan a trip, I try to stay with local families instead of big hotels. It "
    "is cheaper, it is more interesting, and it help the small communities that welcome "
    "travellers. I hope more people will try this kind of travel in the future, becuase "
    "it change the way we see the world and ourselfs."
)
EVICT = [ChatMessage("user", "Say hello.")]


@dataclass(frozen=True)
class Run:
    side: str
    text: str
    tokens: int
    decode_tps: float
    wall_s: float


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, help="GGUF file (default: the SmolLM2 test model)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--draft", type=int, default=10, help="prompt-lookup draft tokens")
    p.add_argument("--threads", type=int)
    return p.parse_args(argv)


def proofread(side: str, engine: LlamaEngine) -> Run:
    engine.chat(EVICT, SamplingParams(temperature=0.0, max_tokens=1)).text()
    params = SamplingParams(temperature=0.0, repeat_penalty=1.0)
    t0 = time.perf_counter()
    job = WriteJob(engine, WriteRequest("proofread", TEXT), params)
    for _ in job:
        pass
    wall = time.perf_counter() - t0
    assert job.stats is not None and job.done is not None
    return Run(side, job.done.text, job.stats.completion_tokens, job.stats.tokens_per_s, wall)


def measure(plain: LlamaEngine, lookup: LlamaEngine, reps: int) -> list[tuple[Run, Run]]:
    pairs = []
    for rep in range(reps):
        order = [("plain", plain), ("lookup", lookup)]
        if rep % 2:
            order.reverse()
        runs = {side: proofread(side, eng) for side, eng in order}
        pairs.append((runs["plain"], runs["lookup"]))
        for run in (runs["plain"], runs["lookup"]):
            print(
                f"rep {rep + 1}  {run.side:<7} {run.tokens:>5} tokens  "
                f"{run.decode_tps:>7.1f} tok/s  {run.wall_s:>6.2f} s",
                flush=True,
            )
    return pairs


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    path = args.model or default_model()
    threads = args.threads or hardware.default_threads()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    base = EngineSettings(n_ctx=N_CTX, n_threads=threads, probe=False)
    plain, lookup = (
        LlamaEngine(base),
        LlamaEngine(
            EngineSettings(n_ctx=N_CTX, n_threads=threads, probe=False, prompt_lookup=args.draft)
        ),
    )
    plain.load(path)
    lookup.load(path)
    pairs = measure(plain, lookup, args.reps)
    plain.close()
    lookup.close()
    p_tps = statistics.median(p.decode_tps for p, _ in pairs)
    l_tps = statistics.median(lk.decode_tps for _, lk in pairs)
    p_wall = statistics.median(p.wall_s for p, _ in pairs)
    l_wall = statistics.median(lk.wall_s for _, lk in pairs)
    same = all(p.text == lk.text for p, lk in pairs)
    result = {
        "bench": "write",
        "model": path.name,
        "threads": threads,
        "reps": args.reps,
        "draft_tokens": args.draft,
        "words": len(TEXT.split()),
        "completion_tokens": pairs[0][0].tokens,
        "plain_decode_tps": round(p_tps, 2),
        "lookup_decode_tps": round(l_tps, 2),
        "decode_ratio": round(l_tps / p_tps, 3) if p_tps else 0.0,
        "plain_wall_s": round(p_wall, 3),
        "lookup_wall_s": round(l_wall, 3),
        "wall_ratio": round(p_wall / l_wall, 3) if l_wall else 0.0,
        "same_text": same,
        "load_avg_1m": round(load, 2),
        "faster": "lookup" if l_wall < p_wall else "plain",
    }
    print()
    print(f"{'median':<16} {'plain':>10} {'lookup':>10} {'ratio':>7}")
    print(f"{'decode tok/s':<16} {p_tps:>10.1f} {l_tps:>10.1f} {result['decode_ratio']:>7.3f}")
    print(
        f"{'wall s':<16} {p_wall:>10.2f} {l_wall:>10.2f} {result['wall_ratio']:>7.3f}"
        "  (plain/lookup: > 1 means lookup is faster)"
    )
    print(f"identical text at temperature 0: {same}; load average at start {load:.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
