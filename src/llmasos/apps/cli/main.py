"""The ``llmasos`` command line.

``llmasos`` alone opens the app. Subcommands print to stdout; every failure ends
with exit status 1 and one ``error: …`` line on stderr (``--debug`` adds the
traceback). The commands and their ``--json`` output are a stable interface,
documented in the README.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from llmasos import __version__
from llmasos.errors import LLMasOSError

Handler = Callable[[argparse.Namespace], int]


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


def _add_models(sub: Any) -> None:
    p = sub.add_parser("models", help="inspect model files")
    msub = p.add_subparsers(dest="models_cmd", required=True)
    info = msub.add_parser("info", help="print a GGUF file's metadata")
    info.add_argument("path", help="GGUF path or installed model name")
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=_cmd_models_info)
    from llmasos.apps.cli import models as cli_models

    cli_models.register(msub)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the README and tests)."""
    parser = argparse.ArgumentParser(
        prog="llmasos",
        description="LLMasOS: offline chat, writing help and translation on a local model. "
        "Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"llmasos {__version__}")
    parser.add_argument("--debug", action="store_true", help="log to stderr, show tracebacks")
    parser.add_argument(
        "--model", dest="gui_model", metavar="PATH", help="(app) open with this model loaded"
    )
    sub = parser.add_subparsers(dest="command")
    _add_chat(sub)
    _add_models(sub)
    from llmasos.apps.cli import do as cli_do
    from llmasos.apps.cli import serve as cli_serve
    from llmasos.apps.cli import translate as cli_translate
    from llmasos.apps.cli import write as cli_write

    for module in (cli_write, cli_translate, cli_serve, cli_do):
        module.register(sub)
    return parser


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


def _cmd_models_info(args: argparse.Namespace) -> int:
    from llmasos.foundation.gguf.file import read_model_info
    from llmasos.foundation.models.store import resolve_model

    info = read_model_info(resolve_model(args.path))
    data = asdict(info)
    data["path"] = str(info.path)
    data["special_tokens"] = sorted(info.special_tokens)
    data["has_chat_template"] = info.has_chat_template
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    rows = [
        ("File", info.path.name),
        ("Architecture", info.architecture),
        ("Name", info.name or "-"),
        ("Size label", info.size_label or "-"),
        ("Parameters", f"{info.parameter_count:,}" if info.parameter_count else "-"),
        ("Quantization", info.quantization),
        ("Context length", str(info.context_length or "-")),
        ("Layers", str(info.block_count or "-")),
        ("Embedding size", str(info.embedding_length or "-")),
        ("Vocabulary", str(info.vocab_size or "-")),
        ("Chat template", "yes" if info.has_chat_template else "no"),
        ("File size", f"{info.file_size / 1e6:.1f} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _open_app(args: argparse.Namespace) -> int:
    from llmasos.apps.gui.shell.main import run_app

    return run_app(model=Path(args.gui_model) if args.gui_model else None)


def _setup_logging(debug: bool) -> None:
    """Log to stderr: everything with ``--debug``, otherwise errors only.

    The level is set on the handler too, not only on the root logger: records of
    loggers with a level of their own (the app's ``llmasos`` when it runs the window,
    huggingface_hub's) reach the root's handlers whatever the root's level is. Like
    ``logging.basicConfig``, nothing changes where the root already has a handler.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    level = logging.DEBUG if debug else logging.ERROR
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``llmasos`` and ``python -m llmasos``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug)
    handler: Handler = getattr(args, "func", _open_app)
    try:
        return handler(args)
    except LLMasOSError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details "
            "and report it)",
            file=sys.stderr,
        )
        return 1
