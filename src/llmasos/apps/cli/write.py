"""``llmasos write ACTION``: run a writing action on stdin, print the result to stdout.

Edit actions (proofread, rewrite, shorten, expand, custom) print each part of a long
text as soon as it is done; summaries and continuations print at the end. Answers
the model got wrong (a refusal, another language, …) are reported on stderr and the
text of that part is printed unchanged. Ctrl+C stops: the parts already done are
printed, the rest as it was, and the exit status is 130.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from typing import Any

from llmasos.apps.cli.common import (
    add_engine_args,
    make_engine,
    read_stdin_text,
    setting_option,
)
from llmasos.errors import WritingError


def register(subparsers: Any) -> None:
    """Add the ``write`` command to the top-level parser's subparsers."""
    from llmasos.services.writing.service import ACTIONS, TONES

    p = subparsers.add_parser("write", help="proofread, rewrite or summarize text from stdin")
    p.add_argument("action", choices=[a.name for a in ACTIONS], help="what to do with the text")
    p.add_argument("--tone", choices=list(TONES), default="formal", help="tone for rewrite")
    p.add_argument("--instruction", default="", help="your instruction (for custom)")
    p.add_argument(
        "--model",
        "-m",
        help="GGUF path or installed model name (default: the default model in Settings)",
    )
    p.add_argument(
        "--temperature",
        **setting_option(
            "sampling.temperature",
            default=None,
            help="sampling temperature",
            shown="the app's setting",
        ),
    )
    p.add_argument("--ctx", **setting_option("engine.n_ctx", help="context length in tokens"))
    p.add_argument("--threads", **setting_option("engine.n_threads", help="CPU threads"))
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_engine_args(p)
    p.set_defaults(func=_cmd_write)


def _cmd_write(args: argparse.Namespace) -> int:
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.services.writing.service import (
        PROMPT_LOOKUP_DEFAULT,
        WriteJob,
        WriteRequest,
        find_action,
    )

    request = WriteRequest(
        args.action, read_stdin_text(sys.stdin.buffer), args.tone, args.instruction
    )
    if args.action == "custom" and not args.instruction.strip():
        raise WritingError(
            'custom needs --instruction TEXT, e.g. --instruction "Turn this into a polite email".'
        )
    if not request.text.strip():
        raise WritingError(
            "There is no text on stdin. Pipe the text in, e.g. "
            "`llmasos write proofread < letter.txt`."
        )
    settings = SettingsStore().load()[0]
    engine = make_engine(
        args,
        settings,
        EngineSettings(n_ctx=args.ctx, n_threads=args.threads, prompt_lookup=PROMPT_LOOKUP_DEFAULT),
    )
    assert engine.info is not None
    path = engine.info.path
    cancel = CancelToken()
    signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    params = settings.to_sampling_params()
    if args.temperature is not None:
        params = replace(params, temperature=args.temperature)
    job = WriteJob(engine, request, params, cancel)
    streaming = not args.json and find_action(args.action).kind == "edit"
    try:
        written = _drain(job, streaming)
    finally:
        engine.close()
    done = job.done
    assert done is not None
    for problem in done.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if done.completed and not done.is_usable and not done.is_cancelled:
        raise WritingError(
            "The model's answer could not be used, so nothing was changed. "
            "Try again, or a larger model."
        )
    if args.json:
        print(json.dumps(_json(job, path.name), ensure_ascii=False))
    else:
        rest = done.text[len(written) :] if streaming else done.text
        sys.stdout.write(rest if rest.endswith("\n") else rest + "\n")
    return 130 if done.is_cancelled else 0


def _drain(job: Any, streaming: bool) -> str:
    """Run ``job``; when ``streaming``, print each finished part at once. Return what
    was printed."""
    from llmasos.services.writing.service import ChunkDone

    written = []
    for item in job:
        if streaming and isinstance(item, ChunkDone):
            sys.stdout.write(item.result)
            sys.stdout.flush()
            written.append(item.result)
    return "".join(written)


def _json(job: Any, model: str) -> dict[str, Any]:
    done, stats = job.done, job.stats
    return {
        "text": done.text,
        "action": done.request.action,
        "chunks": done.total,
        "completed": done.completed,
        "problems": list(done.problems),
        "prompt_tokens": stats.prompt_tokens if stats else 0,
        "completion_tokens": stats.completion_tokens if stats else 0,
        "tokens_per_s": round(stats.tokens_per_s, 2) if stats else 0.0,
        "finish_reason": stats.finish_reason if stats else "stop",
        "model": model,
    }
