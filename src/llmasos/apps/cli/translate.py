"""``llmasos translate`` (see the README for the interface).

Reads UTF-8 text on stdin and writes the translation to stdout, chunk by chunk
as each is finished. Problems the checks found (a lost placeholder, output in
the wrong language) go to stderr as ``warning: …`` lines; ``--json`` prints one
object at the end instead.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmasos.apps.cli.common import (
    add_engine_args,
    make_engine,
    read_stdin_text,
    setting_option,
)


def register(subparsers: Any) -> None:
    """Add the ``translate`` command to the top-level parser's subparsers."""
    from llmasos.services.text.language import LANGUAGES

    codes = ", ".join(lang.code for lang in LANGUAGES)
    p = subparsers.add_parser(
        "translate",
        help="translate stdin into another language, writing stdout",
        description=f"Translate UTF-8 text from stdin. Languages: {codes}.",
    )
    p.add_argument("--to", required=True, metavar="LANG", help="target language code")
    p.add_argument(
        "--from",
        dest="source",
        default="auto",
        metavar="auto|LANG",
        help="source language (default: detect it)",
    )
    p.add_argument(
        "--glossary",
        type=Path,
        metavar="FILE.tsv",
        help="term<TAB>translation lines; used where the text has the term",
    )
    p.add_argument(
        "--model", "-m", help="GGUF path or installed model name (default: the app's default model)"
    )
    p.add_argument("--formality", choices=("formal", "informal"), help="register to use")
    p.add_argument("--ctx", **setting_option("engine.n_ctx", help="context length in tokens"))
    p.add_argument("--threads", **setting_option("engine.n_threads", help="CPU threads"))
    p.add_argument(
        "--seed",
        # 0, not random: the same text gives the same translation unless asked otherwise
        **setting_option("sampling.seed", default=0, help="random seed"),
    )
    p.add_argument(
        "--max-tokens",
        **setting_option(
            "sampling.max_tokens", help="most tokens the model may write for one part of the text"
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end (text, languages, checks, stats)",
    )
    add_engine_args(p)
    p.set_defaults(func=_cmd_translate)


def _cmd_translate(args: argparse.Namespace) -> int:
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.services.translation.glossary import load_glossary
    from llmasos.services.translation.service import (
        DEFAULT_SAMPLING,
        ChunkTranslated,
        TranslationRequest,
        resolve_languages,
        translate,
    )

    text = read_stdin_text(sys.stdin.buffer)
    glossary = load_glossary(args.glossary) if args.glossary else ()
    request = TranslationRequest(
        text=text,
        target=args.to,
        source=args.source,
        glossary=glossary,
        formality=args.formality or "",
        params=replace(DEFAULT_SAMPLING, seed=args.seed, max_tokens=args.max_tokens),
    )
    resolve_languages(request)  # a bad language code fails before the model loads
    cancel = CancelToken()
    settings = SettingsStore().load()[0]
    engine = make_engine(args, settings, EngineSettings(n_ctx=args.ctx, n_threads=args.threads))
    signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        job = translate(engine, request, cancel)
        for item in job:
            if isinstance(item, ChunkTranslated) and not args.json:
                sys.stdout.write(item.text)
                sys.stdout.flush()
    finally:
        engine.close()
    result = job.result
    assert result is not None
    if args.json:
        print(json.dumps(_json(job), ensure_ascii=False))
    else:
        if not result.text.endswith("\n"):
            sys.stdout.write("\n")
        for problem in result.problems:
            print(f"warning: {problem}", file=sys.stderr)
    return 130 if result.cancelled else 0


def _json(job: Any) -> dict[str, Any]:
    """The ``--json`` object: a stable interface (see the README)."""
    result, stats = job.result, job.stats
    detection = result.detection
    return {
        "text": result.text,
        "source_lang": result.source,
        "target_lang": result.target,
        "detected": (
            {"lang": detection.lang, "confidence": detection.confidence} if detection else None
        ),
        "output_lang": result.output_detection.lang,
        "wrong_language": result.wrong_language,
        "chatter": result.chatter,
        "problems": list(result.problems),
        "repaired": [n.message for n in result.notes if n.kind == "repaired"],
        "protected_total": result.protected_total,
        "protected_kept": result.protected_kept,
        "glossary_used": len(result.glossary_used),
        "glossary_hits": len(result.glossary_hit),
        "chunks": result.chunks_total,
        "chunks_done": result.chunks_done,
        "prompt_tokens": stats.prompt_tokens if stats else 0,
        "completion_tokens": stats.completion_tokens if stats else 0,
        "tokens_per_s": round(stats.tokens_per_s, 2) if stats else 0.0,
        "finish_reason": stats.finish_reason if stats else "stop",
        "model": stats.model if stats else "",
    }
