"""The local API's streaming speed against the engine used directly, and 4 concurrent clients.

Part 1 — overhead. The same model runs twice: an :class:`LlamaEngine` used directly in this
process, and ``llmasos serve`` (kernel + API server) in a child process on 127.0.0.1,
as a real deployment runs it — so the client's own JSON parsing does not share a GIL
with the server. Both load the same file with the same context and threads. Each
repetition streams the same greedy chat once through each side (which side goes first
alternates; every repetition has its own prompt, so both start cold), and medians are
compared. Timing is taken from outside, the same way for both: TTFT from just before
the call (for the API: before sending the request) to the first text, decode tok/s =
(n − 1) / (last text − first text), where n is the engine's own completion-token
count (``GenerationStats`` directly, ``usage`` through the API, which reports the same
stats).

Part 2 — fairness. Four clients send a streamed chat 50 ms apart. The kernel serves API
requests first-come, first-served, so they should start in arrival order; the table
shows each client's arrival, wait (arrival → first text), finish and tokens.

Run ``python bench/api.py`` (``--help`` for options). The last line of stdout is a
JSON summary with stable keys.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import busy_cpu_s, default_model
from engine import TOPICS, warn_if_shared

N_CTX = 2048
SEED = 1234
TARGET = 0.95


@dataclass(frozen=True)
class Sample:
    text: str
    n_tokens: int
    ttft_s: float
    decode_tps: float


def messages_for(rep: int) -> list[ChatMessage]:
    return [
        ChatMessage("system", f"Story number {rep + 1}. You write long stories."),
        ChatMessage("user", f"Write a very long story about {TOPICS[rep % len(TOPICS)]}."),
    ]


def rate(n: int, span: float) -> float:
    return (n - 1) / span if n > 1 and span > 0 else 0.0


def direct(engine: LlamaEngine, messages: list[ChatMessage], tokens: int) -> Sample:
    params = SamplingParams(temperature=0, repeat_penalty=1.0, max_tokens=tokens, seed=SEED)
    t0 = time.perf_counter()
    gen = engine.chat(messages, params)
    parts, t_first, t_last = [], 0.0, 0.0
    for piece in gen:
        if piece:
            t_last = time.perf_counter()
            t_first = t_first or t_last
            parts.append(piece)
    assert gen.stats is not None
    n = gen.stats.completion_tokens
    return Sample("".join(parts), n, t_first - t0, rate(n, t_last - t_first))


def stream(
    port: int, messages: list[ChatMessage], tokens: int, stamps: dict[str, float] | None = None
) -> Sample:
    """One streamed request through the API, parsing SSE as a client would."""
    body = {
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "max_tokens": tokens,
        "temperature": 0,
        "repeat_penalty": 1.0,
        "seed": SEED,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request(
        "POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"}
    )
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {resp.read()[:200]!r}")
    parts, t_first, t_last, n = [], 0.0, 0.0, 0
    for line in resp:
        if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
            continue
        event = json.loads(line[6:])
        if event.get("usage"):
            n = event["usage"]["completion_tokens"]
        piece = event["choices"][0]["delta"].get("content") if event["choices"] else None
        if piece:
            t_last = time.perf_counter()
            t_first = t_first or t_last
            parts.append(piece)
    conn.close()
    if stamps is not None:
        stamps.update(t0=t0, first=t_first, done=time.perf_counter())
    return Sample("".join(parts), n, t_first - t0, rate(n, t_last - t_first))


def start_server(path: Path, threads: int | None, home: str) -> tuple[subprocess.Popen[str], int]:
    """``llmasos serve`` on a free port (default settings in a scratch LLMASOS_HOME)."""
    cmd = [
        sys.executable,
        "-m",
        "llmasos",
        "serve",
        "--model",
        str(path),
        "--port",
        "0",
        "--ctx",
        str(N_CTX),
    ] + (["--threads", str(threads)] if threads else [])
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "LLMASOS_HOME": home}
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "127.0.0.1:" not in line:
        proc.kill()
        raise RuntimeError(f"llmasos serve did not start: {line!r}")
    return proc, int(line.split("127.0.0.1:")[1].split("/")[0])


def overhead(engine: LlamaEngine, port: int, reps: int, tokens: int) -> dict[str, Any]:
    direct_s: list[Sample] = []
    api_s: list[Sample] = []
    same = 0
    print(
        f"{'rep':>3} {'first':>6} {'direct tok/s':>12} {'api tok/s':>10} {'direct ttft':>11} "
        f"{'api ttft':>9} {'tokens':>7} {'same text':>9}"
    )
    for rep in range(reps + 1):  # rep 0 warms both sides up and is not counted
        msgs = messages_for(rep)
        if rep % 2:
            a = stream(port, msgs, tokens)
            d = direct(engine, msgs, tokens)
        else:
            d = direct(engine, msgs, tokens)
            a = stream(port, msgs, tokens)
        if rep == 0:
            continue
        direct_s.append(d)
        api_s.append(a)
        same += d.text == a.text
        print(
            f"{rep:>3} {'api' if rep % 2 else 'direct':>6} {d.decode_tps:>12.1f} "
            f"{a.decode_tps:>10.1f} {d.ttft_s:>11.3f} {a.ttft_s:>9.3f} "
            f"{d.n_tokens:>3}/{a.n_tokens:<3} {d.text == a.text!s:>9}"
        )
    tps_d = statistics.median(s.decode_tps for s in direct_s)
    tps_a = statistics.median(s.decode_tps for s in api_s)
    ttft_d = statistics.median(s.ttft_s for s in direct_s)
    ttft_a = statistics.median(s.ttft_s for s in api_s)
    print(
        f"median decode tok/s: direct {tps_d:.1f}, API {tps_a:.1f}, ratio {tps_a / tps_d:.3f}; "
        f"TTFT direct {ttft_d * 1000:.0f} ms, API {ttft_a * 1000:.0f} ms"
    )
    return {
        "tps_direct": round(tps_d, 2),
        "tps_api": round(tps_a, 2),
        "ratio": round(tps_a / tps_d, 3),
        "ttft_direct_s": round(ttft_d, 4),
        "ttft_api_s": round(ttft_a, 4),
        "same_text": f"{same}/{reps}",
    }


def fairness(port: int, clients: int, tokens: int) -> dict[str, Any]:
    stamps: list[dict[str, float]] = [{} for _ in range(clients)]
    results: list[Sample | None] = [None] * clients
    errors: list[str] = []

    def client(i: int) -> None:
        try:
            results[i] = stream(port, messages_for(100 + i), tokens, stamps[i])
        except Exception as exc:
            errors.append(f"client {i}: {exc}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    base = min(s["t0"] for s in stamps if s) if any(stamps) else 0.0
    print(f"\n{'client':>6} {'arrived s':>9} {'wait s':>7} {'done s':>7} {'tokens':>6}")
    for i, (s, r) in enumerate(zip(stamps, results, strict=True)):
        if s and r:
            print(
                f"{i:>6} {s['t0'] - base:>9.2f} {s['first'] - s['t0']:>7.2f} "
                f"{s['done'] - base:>7.2f} {r.n_tokens:>6}"
            )
    ok = [i for i, r in enumerate(results) if r is not None and r.n_tokens > 0]
    order = sorted(ok, key=lambda i: stamps[i]["first"])
    fifo = order == sorted(ok, key=lambda i: stamps[i]["t0"])
    waits = [stamps[i]["first"] - stamps[i]["t0"] for i in ok]
    print(
        f"start order {order} (arrival order {sorted(ok)}): "
        f"{'first come, first served' if fifo else 'NOT in arrival order'}; errors: "
        f"{len(errors)}"
    )
    for e in errors:
        print("  " + e)
    return {
        "clients": clients,
        "completed": len(ok),
        "errors": len(errors),
        "fifo": fifo,
        "waits_s": [round(w, 2) for w in waits],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, help="GGUF file (default: SmolLM2-135M-Instruct Q4_1)")
    p.add_argument("--reps", type=int, default=5, help="timed repetitions per side (default 5)")
    p.add_argument("--tokens", type=int, default=256, help="completion tokens (default 256)")
    p.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    p.add_argument("--threads", type=int, help="threads for both sides (default: all cores)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = args.model or default_model()
    engine = LlamaEngine(EngineSettings(n_ctx=N_CTX, n_threads=args.threads, probe=False))
    engine.load(path)
    home = tempfile.TemporaryDirectory(prefix="llmasos-bench-")
    proc, port = start_server(path, args.threads, home.name)
    busy0, cpu0, wall0 = busy_cpu_s(), time.process_time(), time.perf_counter()
    try:
        print(f"model {path.name}, {args.tokens} tokens, {args.reps} reps, API on port {port}\n")
        speed = overhead(engine, port, args.reps, args.tokens)
        fair = fairness(port, args.clients, min(args.tokens, 64))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        engine.close()
        home.cleanup()
    warn_if_shared(busy0, cpu0, wall0)
    summary = {
        "bench": "api",
        **speed,
        "target_ratio": TARGET,
        "ratio_ok": speed["ratio"] >= TARGET,
        **fair,
        "concurrent_ok": fair["completed"] == fair["clients"] and not fair["errors"],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
