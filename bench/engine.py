"""Streaming speed of the LLMasOS engine against raw llama-cpp-python, in one run.

Both sides load the same GGUF file with the same context length and thread count and
stream the same chat, greedy (temperature 0, repeat penalty 1.0), for ``--tokens``
tokens. Repetitions alternate between the two sides (and which side goes first), and
medians are reported, so machine noise hits both alike; the figures that matter are the
ratios engine/raw.

How each side is measured (the same way for both):

* TTFT: from just before the call (``create_chat_completion`` / ``LlamaEngine.chat``, so
  template rendering and tokenization count) to the first piece of text.
* decode tok/s: ``(n - 1) / (t_last_piece - t_first_piece)``, where ``n`` is the number
  of completion tokens counted by re-tokenizing the streamed text with the model's
  tokenizer, the same function for both sides (the engine's own count is shown too).
* cold cache: every repetition uses its own prompt, and both sides keep their previous
  request in their context, so each reuses exactly the same few template tokens
  (``<|im_start|>system\\n``…) and no more; the table shows the reuse.

Run ``python bench/engine.py`` (``--help`` for options). The last line of stdout is a
JSON summary with stable keys.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from common import busy_cpu_s, default_model, raw_llama  # bench/common.py
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware

N_CTX = 2048
SEED = 1234
SYSTEM = "You are a storyteller. You write long, detailed stories."
TOPICS = (
    "a lighthouse keeper who finds a message in a bottle",
    "a clockmaker who builds a clock that runs backwards",
    "a girl who trains a dragon to deliver letters",
    "an old sailor's last voyage across a frozen sea",
    "a robot gardener on an abandoned space station",
    "a baker whose bread makes people remember their dreams",
    "two rival wizards forced to share one small tower",
    "a detective cat solving a mystery in a busy market",
    "a village that wakes up one morning floating in the sky",
    "a boy who finds a door at the bottom of a lake",
    "a librarian who discovers a book that writes itself",
    "a fox and a crow who open a tea shop together",
)


@dataclass(frozen=True)
class Sample:
    """One streamed request, timed from outside the same way for both sides."""

    text: str
    n_tokens: int  # re-tokenized count (same function for both sides)
    own_tokens: int  # the side's own count: engine stats, or raw's finish-aware count
    ttft_s: float
    decode_tps: float
    reused: int  # prompt tokens served from the previous request's cache


def messages_for(rep: int) -> list[ChatMessage]:
    topic = TOPICS[rep % len(TOPICS)]
    # The repetition number goes first in the system message so prompts diverge early.
    system = f"Story number {rep + 1}. {SYSTEM}"
    user = f"Write a very long story, at least 1000 words, about {topic}."
    return [ChatMessage("system", system), ChatMessage("user", user)]


def timed(pieces: Iterable[str], t0: float) -> tuple[str, float, float]:
    """Consume ``pieces``; return (text, TTFT, first-to-last piece span) of the non-empty ones."""
    parts: list[str] = []
    t_first = t_last = 0.0
    for piece in pieces:
        if not piece:
            continue
        t_last = time.perf_counter()
        if not parts:
            t_first = t_last
        parts.append(piece)
    return "".join(parts), t_first - t0, t_last - t_first if parts else 0.0


def decode_rate(n_tokens: int, span_s: float) -> float:
    return (n_tokens - 1) / span_s if n_tokens > 1 and span_s > 0 else 0.0


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return min(n, len(b) - 1)


class RawSide:
    """llama-cpp-python used directly, as its README shows."""

    def __init__(self, path: Path, threads: int) -> None:

        self.llm = raw_llama(
            path, n_ctx=N_CTX, n_threads=threads, n_threads_batch=threads, verbose=False
        )

    def count(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def run(self, messages: list[ChatMessage], max_tokens: int, prompt_tokens: list[int]) -> Sample:
        llm = self.llm
        reused = common_prefix(list(llm.input_ids[: llm.n_tokens]), prompt_tokens)
        finish: list[str | None] = [None]

        def contents(stream: Iterable[dict]) -> Iterable[str]:
            for chunk in stream:
                choice = chunk["choices"][0]
                finish[0] = choice.get("finish_reason") or finish[0]
                yield choice["delta"].get("content") or ""

        msgs = [{"role": m.role, "content": m.content} for m in messages]
        llm.set_seed(SEED)
        t0 = time.perf_counter()
        stream = llm.create_chat_completion(
            msgs, stream=True, temperature=0, repeat_penalty=1.0, max_tokens=max_tokens
        )
        text, ttft, span = timed(contents(stream), t0)
        n = self.count(text)
        own = max_tokens if finish[0] == "length" else n
        return Sample(text, n, own, ttft, decode_rate(n, span), reused)


class EngineSide:
    """The LLMasOS engine, used as the services use it."""

    def __init__(self, path: Path, threads: int) -> None:
        self.engine = LlamaEngine(EngineSettings(n_ctx=N_CTX, n_threads=threads, probe=False))
        self.engine.load(path)

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        return self.engine.tokenize(self.engine.render_chat(messages).text, special=True)

    def run(
        self, messages: list[ChatMessage], max_tokens: int, count: Callable[[str], int]
    ) -> Sample:
        params = SamplingParams(temperature=0, repeat_penalty=1.0, max_tokens=max_tokens, seed=SEED)
        t0 = time.perf_counter()
        gen = self.engine.chat(messages, params)
        text, ttft, span = timed(gen, t0)
        assert gen.stats is not None
        n = count(text)
        return Sample(
            text,
            n,
            gen.stats.completion_tokens,
            ttft,
            decode_rate(n, span),
            gen.stats.cached_tokens,
        )


def warn_if_shared(busy0: float | None, cpu0: float, wall0: float) -> None:
    """Say on stderr when other processes took CPU during the run: the ratios then lie."""
    busy1 = busy_cpu_s()
    if busy0 is None or busy1 is None:
        return
    others = (busy1 - busy0) - (time.process_time() - cpu0)
    share = others / (time.perf_counter() - wall0)
    if share > 0.1:
        print(
            f"warning: other processes used {share:.0%} of a core during the run; "
            "rerun on a quiet machine",
            file=sys.stderr,
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, help="GGUF file (default: SmolLM2-135M-Instruct Q4_1)")
    p.add_argument("--reps", type=int, default=5, help="timed repetitions per side (default 5)")
    p.add_argument("--tokens", type=int, default=256, help="completion tokens (default 256)")
    p.add_argument("--threads", type=int, help="threads for both sides (default: all cores)")
    return p.parse_args(argv)


def measure(raw: RawSide, eng: EngineSide, reps: int, tokens: int) -> list[tuple[Sample, Sample]]:
    """Alternate the sides (and who goes first); repetition -1 is an untimed warm-up."""
    pairs = []
    for rep in range(-1, reps):
        msgs = messages_for(rep + 1)  # +1 keeps the warm-up prompt distinct from rep 0's
        prompt = eng.prompt_tokens(msgs)

        def run_raw(msgs: list[ChatMessage] = msgs, prompt: list[int] = prompt) -> Sample:
            return raw.run(msgs, tokens, prompt)

        def run_eng(msgs: list[ChatMessage] = msgs) -> Sample:
            return eng.run(msgs, tokens, raw.count)

        if rep % 2 == 0:
            r, e = run_raw(), run_eng()
        else:
            e, r = run_eng(), run_raw()
        if list(raw.llm.input_ids[: len(prompt)]) != prompt:
            sys.exit("raw llama-cpp-python and the engine rendered different prompts")
        if rep >= 0:
            pairs.append((r, e))
    return pairs


def report(pairs: list[tuple[Sample, Sample]], model: str, threads: int, tokens: int) -> dict:
    print(
        f"engine vs raw llama-cpp-python — {model}, {threads} threads, n_ctx {N_CTX}, "
        f"{tokens} tokens, greedy; {platform.machine()}, {hardware.default_threads()} cores"
    )
    print(
        f"{'rep':>3} {'side':<6} {'tokens':>6} {'own':>4} {'reused':>6} "
        f"{'TTFT ms':>8} {'decode tok/s':>12}  same text"
    )
    for i, (r, e) in enumerate(pairs):
        for name, s in (("raw", r), ("engine", e)):
            print(
                f"{i:>3} {name:<6} {s.n_tokens:>6} {s.own_tokens:>4} {s.reused:>6} "
                f"{s.ttft_s * 1000:>8.1f} {s.decode_tps:>12.1f}  {r.text == e.text}"
            )

    def med(side: int, attr: str) -> float:
        return statistics.median(getattr(p[side], attr) for p in pairs)

    result = {
        "bench": "engine",
        "model": model,
        "tokens": tokens,
        "raw_decode_tps": round(med(0, "decode_tps"), 2),
        "engine_decode_tps": round(med(1, "decode_tps"), 2),
        "decode_ratio": round(med(1, "decode_tps") / med(0, "decode_tps"), 3),
        "raw_ttft_s": round(med(0, "ttft_s"), 4),
        "engine_ttft_s": round(med(1, "ttft_s"), 4),
        "ttft_ratio": round(med(1, "ttft_s") / med(0, "ttft_s"), 3),
        "same_text": all(r.text == e.text for r, e in pairs),
        "reps": len(pairs),
        "threads": threads,
        "completion_tokens": min(min(r.n_tokens, e.n_tokens) for r, e in pairs),
    }
    print()
    print(f"{'median':<22} {'raw':>10} {'engine':>10} {'ratio':>7}  target")
    print(
        f"{'decode tok/s':<22} {result['raw_decode_tps']:>10.1f} "
        f"{result['engine_decode_tps']:>10.1f} {result['decode_ratio']:>7.3f}  ≥ 0.97"
    )
    print(
        f"{'TTFT ms':<22} {result['raw_ttft_s'] * 1000:>10.1f} "
        f"{result['engine_ttft_s'] * 1000:>10.1f} {result['ttft_ratio']:>7.3f}  ≤ 1.10"
    )
    print(f"same text at temperature 0: {result['same_text']}")
    return result


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    path = args.model or default_model()
    threads = args.threads or hardware.default_threads()
    busy0, cpu0, wall0 = busy_cpu_s(), time.process_time(), time.perf_counter()
    raw = RawSide(path, threads)
    eng = EngineSide(path, threads)
    pairs = measure(raw, eng, args.reps, args.tokens)
    result = report(pairs, path.name, threads, args.tokens)
    sys.stdout.flush()
    warn_if_shared(busy0, cpu0, wall0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
