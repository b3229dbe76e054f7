"""``llmasos ask``: answer a question from your document collections, with sources.

The answer streams to stdout, then a blank line and the sources it cited (file, page or
heading, score and the quoted passage). When the collections do not cover the question
it says so, in the question's language (``--general`` adds a general answer, labelled as
not from the documents). Warnings (a marker that named no passage, an amount that is
not in the cited passage) go to stderr. ``--json`` prints one object at the end instead:
``question, answer, covered, general, language, queries, citations[{number, file, page,
heading, start, end, score, vector, coverage, passage, supported, inferred}],
unknown_markers, model_declined, usage`` — a stable interface (see the README).

The question is embedded with the model the collection was indexed with (``llmasos docs
add --embedder``); without one, retrieval is full-text only.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmasos.apps.cli.common import add_engine_args, make_engine, setting_option

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder
    from llmasos.services.knowledge.answer import AnswerResult, Asking
    from llmasos.services.knowledge.citations import Citation
    from llmasos.services.knowledge.store import KnowledgeStore


def register(subparsers: Any) -> None:
    """Add the ``ask`` command to the top-level parser's subparsers."""
    p = subparsers.add_parser(
        "ask",
        help="answer a question from document collections, citing the passages",
        description="Answer QUESTION from one or more collections (`llmasos docs add`), "
        "citing the passages used; says so when the documents do not cover it.",
    )
    p.add_argument("question", help="the question, in any language")
    p.add_argument(
        "--collection",
        "-c",
        action="append",
        required=True,
        metavar="NAME",
        help="a collection to answer from (repeat for several)",
    )
    p.add_argument(
        "--general",
        action="store_true",
        help="when the documents do not cover it, also answer from general knowledge (labelled)",
    )
    p.add_argument("--k", type=int, default=3, metavar="N", help="passages to answer from (3)")
    p.add_argument(
        "--model", "-m", help="GGUF path or installed model name (default: the app's default model)"
    )
    p.add_argument(
        "--embedder",
        type=Path,
        metavar="FILE.gguf",
        help="embedding model for the question (default: the one the collection was indexed with)",
    )
    p.add_argument("--ctx", **setting_option("engine.n_ctx", help="context length in tokens"))
    p.add_argument("--threads", **setting_option("engine.n_threads", help="CPU threads"))
    p.add_argument(
        "--max-tokens",
        **setting_option("sampling.max_tokens", default=256, help="longest answer in tokens"),
    )
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_engine_args(p)
    p.set_defaults(func=_cmd_ask)


def _embedder(store: KnowledgeStore, names: list[str], given: Path | None) -> Embedder | None:
    """``--embedder``, else the first collection's own embedding model (None: full text)."""
    from llmasos.apps.cli.docs import open_embedder

    if given is not None:
        return open_embedder(given.expanduser().resolve())
    for name in names:
        remembered = store.collection(name).embedder
        if remembered:
            return open_embedder(Path(remembered))
    return None


def _cmd_ask(args: argparse.Namespace) -> int:
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.services.knowledge.answer import DEFAULT_SAMPLING, AskRequest, ask
    from llmasos.services.knowledge.store import KnowledgeStore

    params = replace(DEFAULT_SAMPLING, max_tokens=args.max_tokens)
    request = AskRequest(args.question, tuple(args.collection), args.k, args.general, params=params)
    with KnowledgeStore() as store:
        for name in request.collections:  # a wrong name fails before any model loads
            store.collection(name)
        embedder = _embedder(store, args.collection, args.embedder)
        cancel = CancelToken()
        try:
            settings = SettingsStore().load()[0]
            engine = make_engine(
                args, settings, EngineSettings(n_ctx=args.ctx, n_threads=args.threads)
            )
            signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
            try:
                job = ask(engine, store, request, embedder, cancel)
                _drive(job, args.json)
            finally:
                engine.close()
        finally:
            if embedder is not None:
                embedder.close()
    result = job.result
    assert result is not None
    if args.json:
        print(json.dumps(_json(job), ensure_ascii=False))
    else:
        _print_sources(result)
    return 130 if result.cancelled else 0


def _drive(job: Asking, as_json: bool) -> None:
    for item in job:
        if isinstance(item, str) and not as_json:
            sys.stdout.write(item)
            sys.stdout.flush()


def _where(c: Citation) -> str:
    p = c.passage
    place = f"page {p.page}" if p.page else " > ".join(p.heading)
    return p.file + (f" ({place})" if place else "")


def _print_sources(result: AnswerResult) -> None:
    sys.stdout.write("\n")
    for number in result.unknown_markers:
        print(
            f"warning: the answer cited [{number}], which names no passage; removed",
            file=sys.stderr,
        )
    if not result.citations:
        return
    print("\nSources:" if result.language[:2] != "zh" else "\n来源：")
    for c in result.citations:
        note = " (not marked by the model)" if c.inferred else ""
        print(f"[{c.number}] {_where(c)} — score {c.passage.fused:.4f}{note}")
        print("    " + " ".join(c.passage.text.split())[:400])
        if c.supported is False:
            print(
                f"warning: [{c.number}]: an amount in the answer is not in this passage; "
                "check it against the source",
                file=sys.stderr,
            )


def _json(job: Asking) -> dict[str, Any]:
    """The ``--json`` object: a stable interface (see the module doc and the README)."""
    result, stats = job.result, job.stats
    assert result is not None
    return {
        **result.to_json(),
        "usage": {
            "prompt_tokens": stats.prompt_tokens if stats else 0,
            "completion_tokens": stats.completion_tokens if stats else 0,
        },
    }
