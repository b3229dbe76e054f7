"""``llmasos chat``: answer one prompt with a model, streaming to stdout."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add ``chat`` to the ``llmasos`` subcommands."""
    _add_chat(sub)


def _add_chat(sub: Any) -> None:
    p = sub.add_parser("chat", help="answer one prompt with a model, streaming to stdout")
    p.add_argument("prompt", help="the user's message ('-' reads it from stdin)")
    p.add_argument("--model", "-m", help="GGUF path or installed model name")
    p.add_argument("--system", help="system prompt")
    from llmasos.apps.cli.common import add_engine_args, setting_option

    p.add_argument("--max-tokens", **setting_option("sampling.max_tokens"))
    p.add_argument("--temperature", **setting_option("sampling.temperature"))
    p.add_argument("--top-p", **setting_option("sampling.top_p"))
    p.add_argument("--top-k", **setting_option("sampling.top_k"))
    p.add_argument("--min-p", **setting_option("sampling.min_p"))
    p.add_argument("--repeat-penalty", **setting_option("sampling.repeat_penalty"))
    p.add_argument("--seed", **setting_option("sampling.seed"))
    p.add_argument("--ctx", **setting_option("engine.n_ctx", help="context length in tokens"))
    p.add_argument("--threads", **setting_option("engine.n_threads", help="CPU threads"))
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_engine_args(p)
    p.set_defaults(func=_cmd_chat)


def _cmd_chat(args: argparse.Namespace) -> int:
    from llmasos.apps.cli.common import make_engine, read_stdin_text
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.chat_format import ChatMessage
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.foundation.settings.store import SettingsStore

    prompt = read_stdin_text(sys.stdin.buffer) if args.prompt == "-" else args.prompt
    engine = make_engine(args, SettingsStore().load()[0])
    info = engine.info
    assert info is not None
    messages = [ChatMessage("system", args.system)] if args.system else []
    messages.append(ChatMessage("user", prompt))
    params = SamplingParams(
        temperature=args.temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        min_p=args.min_p,
        repeat_penalty=args.repeat_penalty,
        seed=args.seed,
        max_tokens=args.max_tokens,
    )
    cancel = CancelToken()
    signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    gen = engine.chat(messages, params, cancel)
    try:
        if args.json:
            text = gen.text()
        else:
            for piece in gen:
                sys.stdout.write(piece)
                sys.stdout.flush()
            sys.stdout.write("\n")
            text = ""
    finally:
        engine.close()
    stats = gen.stats
    assert stats is not None
    if args.json:
        out = {
            "text": text,
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "ttft_s": round(stats.ttft_s, 4),
            "tokens_per_s": round(stats.tokens_per_s, 2),
            "finish_reason": stats.finish_reason,
            "model": info.display_name,
        }
        print(json.dumps(out, ensure_ascii=False))
    return 130 if stats.finish_reason == "cancelled" else 0
