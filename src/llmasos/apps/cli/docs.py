"""``llmasos docs``: collections of your documents, indexed for search (see the README).

``add`` makes a collection (or adds folders to one) and indexes it; ``reindex`` brings
collections in step with their folders (only changed files are read again); ``search``
prints the best passages. Progress and per-file problems go to stderr; stdout has the
result only, and ``--json`` makes it one JSON document. Ctrl+C stops indexing after the
current file: what is done is kept, the next ``reindex`` goes on from there (exit 130).

Without an embedding model the index is full-text only (Chinese and English); with
``--embedder FILE.gguf``, or the app's setting ``knowledge.embedding_model`` (Settings ›
Knowledge), chunks also get vectors and searches are hybrid. The collection remembers its
embedder, so later commands need not repeat it; a search embeds its query with the model
the collection was indexed with.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder
    from llmasos.services.knowledge.indexer import IndexEvent, SyncSummary
    from llmasos.services.knowledge.store import Collection, FileRecord, KnowledgeStore

_EMBEDDER_HELP = (
    "GGUF embedding model file; remembered by the collection (default: the one it was "
    "indexed with, else full-text search only)"
)


def register(subparsers: Any) -> None:
    """Add the ``docs`` command group to the top-level parser's subparsers."""
    from llmasos.apps.cli.common import setting_option

    threads = setting_option("engine.n_threads", help="CPU threads of the embedding model")
    p = subparsers.add_parser(
        "docs",
        help="index folders of documents and search them",
        description="Collections of documents (text, Markdown, HTML, PDF, Word, code), "
        "indexed for full-text and vector search.",
    )
    sub = p.add_subparsers(dest="docs_command", required=True, metavar="COMMAND")

    add = sub.add_parser("add", help="make a collection (or add to one) and index it")
    add.add_argument("name", help="the collection's name")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="folders or files")
    add.add_argument("--embedder", type=Path, metavar="FILE.gguf", help=_EMBEDDER_HELP)
    add.add_argument("--threads", **threads)
    add.add_argument("--json", action="store_true", help="print the summary as JSON")
    add.set_defaults(func=_cmd_add)

    ls = sub.add_parser("list", help="list collections, or one collection's files")
    ls.add_argument("name", nargs="?", help="list this collection's files and their status")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(func=_cmd_list)

    rm = sub.add_parser("remove", help="forget a collection (your files are not touched)")
    rm.add_argument("name")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=_cmd_remove)

    ri = sub.add_parser("reindex", help="index what changed (all collections by default)")
    ri.add_argument("name", nargs="?", help="only this collection")
    ri.add_argument("--embedder", type=Path, metavar="FILE.gguf", help=_EMBEDDER_HELP)
    ri.add_argument("--threads", **threads)
    ri.add_argument("--json", action="store_true", help="print the summaries as JSON")
    ri.set_defaults(func=_cmd_reindex)

    se = sub.add_parser("search", help="print the passages that best match a query")
    se.add_argument("name", help="the collection to search")
    se.add_argument("query", help="what to look for, in any language")
    se.add_argument("--k", type=int, default=5, metavar="N", help="how many passages (default 5)")
    se.add_argument(
        "--mode",
        choices=("hybrid", "lexical", "vector"),
        default="hybrid",
        help="full-text, vector or both fused (default: hybrid)",
    )
    se.add_argument("--embedder", type=Path, metavar="FILE.gguf", help=_EMBEDDER_HELP)
    se.add_argument("--threads", **threads)
    se.add_argument("--json", action="store_true", help="print the passages as JSON")
    se.set_defaults(func=_cmd_search)


def _store() -> KnowledgeStore:
    from llmasos.services.knowledge.store import KnowledgeStore

    return KnowledgeStore()


# -- embedder ---------------------------------------------------------------------------------


def _embedder_path(
    collection: Collection, given: Path | None, *, for_search: bool = False
) -> Path | None:
    """The embedding model to use: ``--embedder``, else for indexing the app's setting
    (Settings › Knowledge, ``knowledge.embedding_model``) before the one the collection
    was indexed with, and for searching the reverse (a query must be embedded by the
    model the collection's vectors came from)."""
    if given is not None:
        return given.expanduser().resolve()
    remembered = Path(collection.embedder) if collection.embedder else None
    setting = setting_embedder()
    first, second = (remembered, setting) if for_search else (setting, remembered)
    return first or second


def setting_embedder() -> Path | None:
    """The embedding model of the settings file (None: none set, or it names no file,
    which is said on stderr: the command goes on full-text only)."""
    from llmasos.errors import LLMasOSError
    from llmasos.foundation.models.store import embedder_file
    from llmasos.foundation.settings.store import SettingsStore

    try:
        return embedder_file(SettingsStore().load()[0].knowledge.embedding_model)
    except LLMasOSError as exc:
        print(f"note: knowledge.embedding_model is not used: {exc}", file=sys.stderr)
        return None


def open_embedder(path: Path, threads: int | None = None) -> Embedder:
    """The embedding model in ``path``, loaded (probed in a child process first)."""
    from llmasos.foundation.engine.llama_embedder import LlamaEmbedder

    embedder = LlamaEmbedder(path, n_threads=threads)
    if embedder.notice:
        print(f"note: {embedder.notice}", file=sys.stderr, flush=True)
    return embedder


# -- indexing ---------------------------------------------------------------------------------


def _index(
    store: KnowledgeStore, collection: Collection, given: Path | None, threads: int | None
) -> SyncSummary:
    """Sync one collection, progress on stderr; Ctrl+C stops it after the current file."""
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.services.knowledge.indexer import sync

    path = _embedder_path(collection, given)
    embedder = open_embedder(path, threads) if path else None
    if path is not None and str(path) != collection.embedder:
        store.set_embedder(collection.name, str(path))
    cancel = CancelToken()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        return _drive(sync(store, collection.name, embedder, cancel=cancel), collection.name)
    finally:
        signal.signal(signal.SIGINT, previous)
        if embedder is not None:
            embedder.close()


def _drive(events: Iterator[IndexEvent], name: str) -> SyncSummary:
    from llmasos.services.knowledge.indexer import FileChanged, IndexProgress, SyncSummary

    live = sys.stderr.isatty()
    for event in events:
        if isinstance(event, IndexProgress) and live:
            done, total = (
                (event.files_done, event.files_total)
                if event.phase != "embed"
                else (event.chunks_done, event.chunks_total)
            )
            what = "embedding" if event.phase == "embed" else "indexing"
            sys.stderr.write(f"\r\033[K{name}: {what} {done}/{total} {Path(event.current).name}")
        elif isinstance(event, FileChanged) and event.change == "failed":
            sys.stderr.write(("\r\033[K" if live else "") + f"warning: {event.error}\n")
        elif isinstance(event, SyncSummary):
            if live:
                sys.stderr.write("\r\033[K")
            return event
    raise AssertionError("sync ended without a summary")


def _summary_json(name: str, summary: SyncSummary) -> dict[str, Any]:
    out: dict[str, Any] = {"collection": name, **asdict(summary)}
    out["seconds"] = round(summary.seconds, 3)
    return out


def _summary_line(name: str, s: SyncSummary) -> str:
    changes = ", ".join(
        f"{n} {what}"
        for n, what in (
            (s.added, "added"),
            (s.updated, "updated"),
            (s.moved, "moved"),
            (s.removed, "removed"),
            (s.failed, "failed"),
            (s.embedded, "chunks embedded"),
        )
        if n
    )
    state = " (stopped; `llmasos docs reindex` goes on)" if s.cancelled else ""
    return f"{name}: {s.files} files, {s.chunks} chunks; {changes or 'no changes'}{state}"


def _report(summaries: list[tuple[str, SyncSummary]], as_json: bool) -> int:
    if as_json:
        data = [_summary_json(n, s) for n, s in summaries]
        _print_json(data[0] if len(data) == 1 else data)
    else:
        for name, summary in summaries:
            print(_summary_line(name, summary))
    return 130 if any(s.cancelled for _, s in summaries) else 0


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False))


# -- commands ---------------------------------------------------------------------------------


def _cmd_add(args: argparse.Namespace) -> int:
    from llmasos.errors import CollectionNotFound

    with _store() as store:
        try:
            collection = store.add_sources(args.name, args.paths)
        except CollectionNotFound:
            embedder = str(args.embedder.expanduser().resolve()) if args.embedder else ""
            collection = store.add_collection(args.name, args.paths, embedder=embedder)
        summary = _index(store, collection, args.embedder, args.threads)
        return _report([(collection.name, summary)], args.json)


def _cmd_reindex(args: argparse.Namespace) -> int:
    with _store() as store:
        collections = [store.collection(args.name)] if args.name else store.collections()
        summaries = []
        for collection in collections:
            summary = _index(store, collection, args.embedder, args.threads)
            summaries.append((collection.name, summary))
            if summary.cancelled:
                break
        if not summaries and not args.json:
            print("No collections yet: `llmasos docs add NAME PATH…` makes one.")
            return 0
        return _report(summaries, args.json)


def _cmd_remove(args: argparse.Namespace) -> int:
    with _store() as store:
        store.remove_collection(args.name)
    if args.json:
        _print_json({"removed": args.name})
    else:
        print(f"Removed collection {args.name!r} (your files are untouched).")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    with _store() as store:
        if args.name:
            return _list_files(store, args.name, args.json)
        rows = [_collection_json(store, c) for c in store.collections()]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No collections yet: `llmasos docs add NAME PATH…` makes one.")
    for r in rows:
        failed = f", {r['failed']} failed" if r["failed"] else ""
        embedder = Path(r["embedder"]).name if r["embedder"] else "full-text only"
        print(f"{r['name']}: {r['files']} files, {r['chunks']} chunks{failed}; {embedder}")
        for source in r["sources"]:
            print(f"  {source}")
    return 0


def _collection_json(store: KnowledgeStore, c: Collection) -> dict[str, Any]:
    """One collection of ``list --json``: a stable interface (see the README)."""
    files = store.files(c.id)
    return {
        "name": c.name,
        "sources": list(c.sources),
        "embedder": c.embedder,
        "files": len(files),
        "chunks": sum(f.chunks for f in files),
        "failed": sum(f.status == "error" for f in files),
    }


def _error_json(record: FileRecord) -> dict[str, Any]:
    """``error`` in English as before, plus its code and parameters (stored since the
    index's schema 2) for programs that say it in another language."""
    problem = record.problem
    if problem is None:
        return {"error": "", "error_code": "", "error_params": {}}
    return {"error": problem.text(), "error_code": problem.code, "error_params": problem.values}


def _list_files(store: KnowledgeStore, name: str, as_json: bool) -> int:
    files = store.files(store.collection(name).id)
    if as_json:
        keys = ("path", "kind", "size", "status")
        _print_json(
            [
                {**{k: getattr(f, k) for k in keys}, **_error_json(f), "chunks": f.chunks}
                for f in files
            ]
        )
        return 0
    for f in files:
        problem = f.problem
        detail = f"{f.chunks} chunks" if problem is None else f"{f.status}: {problem.text()}"
        print(f"{f.path}\t{f.kind}\t{detail}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from llmasos.errors import SettingsError
    from llmasos.services.knowledge.search import Searcher

    with _store() as store:
        collection = store.collection(args.name)
        path = (
            _embedder_path(collection, args.embedder, for_search=True)
            if args.mode != "lexical"
            else None
        )
        if args.mode == "vector" and path is None:
            raise SettingsError(
                f"{collection.name!r} has no embedding model: pass --embedder FILE.gguf, or "
                "search with --mode lexical."
            )
        embedder = open_embedder(path, args.threads) if path else None
        try:
            passages = Searcher(store).search(
                [collection.name], args.query, args.k, mode=args.mode, embedder=embedder
            )
        finally:
            if embedder is not None:
                embedder.close()
    if args.json:
        _print_json([_passage_json(p) for p in passages])
        return 0
    if not passages:
        print("No passage matches.", file=sys.stderr)
    for p in passages:
        where = f"page {p.page}" if p.page else " > ".join(p.heading)
        print(f"[{p.rank}] {p.file}" + (f" ({where})" if where else ""))
        print("    " + " ".join(p.text.split())[:300])
    return 0


def _passage_json(p: Any) -> dict[str, Any]:
    """One passage of ``search --json``: a stable interface (see the README)."""
    return {
        "rank": p.rank,
        "file": p.file,
        "page": p.page,
        "heading": list(p.heading),
        "start": p.start,
        "end": p.end,
        "text": p.text,
        "score": round(p.fused, 6),
        "lexical": None if p.lexical is None else round(p.lexical, 4),
        "vector": None if p.vector is None else round(p.vector, 4),
        "coverage": round(p.coverage, 3),
    }
