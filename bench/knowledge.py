"""Answering from documents (issue 17): retrieval, the "not covered" decision, indexing
speed against raw llama-cpp-python, and query latency and memory at scale — one run.

    python bench/knowledge.py [--model QWEN.gguf | --no-model] [--answers]
                              [--copies 4] [--reps 2] [--sizes 10000 100000]

The evaluation set is bench/data/knowledge (CC0): 14 short documents, English and Chinese
(Markdown, text, HTML, and a PDF and a Word file written at run time from
``generated.json`` by tests/helpers/documents.py), ``questions.jsonl`` (each with the file
and a passage substring that answers it; ``x-`` questions are asked in the other language
than their document) and ``unanswerable.jsonl``. Embedder: the test model m3e-small; chat
model (query translation, answers): Qwen2.5-Coder-0.5B-Instruct, the content test model.

1. **Recall@5**: a question is found when one of the 5 best passages is from its file and
   holds its passage; lexical, vector and hybrid search of the question alone, and the
   answering pipeline's retrieval (hybrid over the question and, when the collection
   holds the other language, its translation by the chat model).
2. **Not covered**: the share of unanswerable questions for which no passage clears
   :data:`~llmasos.services.knowledge.answer.RELEVANCE` (accuracy) and of answerable ones
   for which none does (false refusals), with and without translation. ``--answers``
   also runs the whole answer (the model may decline too) and checks the expected fact
   is in the answer and in a cited passage — slow on a CPU.
3. **Indexing throughput**: ``sync`` of ``--copies`` copies of the documents (extraction,
   chunking, full text, vectors, SQLite) against raw ``Llama.embed`` of the same chunk
   texts (bench/embed.py's set-up: same file, context, batch, threads and repacking),
   alternating order; wall and CPU time.
4. **Scale**: bench/knowledge_index.py's ``measure`` at ``--sizes`` chunks (lexical,
   vector and hybrid latency, DB and matrix size) plus this process's peak RSS after each.

Last line of stdout: one JSON object (``bench: "knowledge"``).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embed import raw_model, test_model  # bench/embed.py
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
from llmasos.services.knowledge.answer import (
    RELEVANCE,
    AskDone,
    AskRequest,
    ask,
    holds_other_language,
    question_language,
    retrieve,
    translate_question,
)
from llmasos.services.knowledge.chunks import embedding_text
from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.search import Passage, Searcher
from llmasos.services.knowledge.store import KnowledgeStore
from llmasos.services.text.numbers import quantities

PARTS = ("eval", "throughput", "scale")
DATA = Path(__file__).resolve().parent / "data" / "knowledge"
K = 5  # recall@K
ANSWER_K = 3  # passages the answer is built from (AskRequest.k)


def load_jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_documents(folder: Path) -> None:
    """The evaluation documents in ``folder``: the stored ones and the generated PDF/Word."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers.documents import write_docx, write_pdf

    shutil.copytree(DATA / "docs", folder)
    spec = json.loads((DATA / "generated.json").read_text("utf-8"))
    write_pdf(folder / "warranty.pdf", spec["warranty.pdf"]["pages"])
    write_docx(folder / "zh_meeting.docx", [tuple(b) for b in spec["zh_meeting.docx"]["blocks"]])


def index(store: KnowledgeStore, name: str, folder: Path, embedder: LlamaEmbedder) -> SyncSummary:
    store.add_collection(name, [folder])
    last = list(sync(store, name, embedder))[-1]
    assert isinstance(last, SyncSummary)
    return last


def found(passages: Sequence[Passage], q: dict[str, str]) -> bool:
    return any(p.file.endswith("/" + q["file"]) and q["passage"] in p.text for p in passages)


# -- 1 and 2: retrieval and the relevance decision --------------------------------------------


def evaluate(
    store: KnowledgeStore,
    embedder: LlamaEmbedder,
    engine: Any,
    answerable: list[dict[str, str]],
    unanswerable: list[dict[str, str]],
) -> dict[str, Any]:
    searcher = Searcher(store)
    # pipeline_lexical / pipeline_vector: the pipeline's queries (question + translation)
    # searched in one mode only, so that hybrid is compared with both on the same queries
    recall: dict[str, list[bool]] = {
        m: []
        for m in ("lexical", "vector", "hybrid", "pipeline", "pipeline_lexical", "pipeline_vector")
    }
    covered: dict[str, dict[str, list[bool]]] = {
        "question": {"answerable": [], "unanswerable": []},
        "pipeline": {"answerable": [], "unanswerable": []},
    }
    per_question = []
    translate = holds_other_language(store, ["eval"], "en") and engine is not None
    translate_s: list[float] = []
    for q in answerable + unanswerable:
        kind = "answerable" if "file" in q else "unanswerable"
        row: dict[str, Any] = {"id": q["id"]}
        for mode in ("lexical", "vector", "hybrid"):
            passages = searcher.search(["eval"], q["question"], K, mode=mode, embedder=embedder)
            if kind == "answerable":
                recall[mode].append(found(passages, q))
        alone = retrieve(searcher, ["eval"], [q["question"]], ANSWER_K, embedder)
        covered["question"][kind].append(any(RELEVANCE.is_relevant(p) for p in alone))
        queries = [q["question"]]
        if translate:
            start = time.perf_counter()
            queries.append(
                translate_question(engine, q["question"], question_language(q["question"]))
            )
            translate_s.append(time.perf_counter() - start)
        passages = retrieve(searcher, ["eval"], queries, K, embedder)
        is_covered = any(RELEVANCE.is_relevant(p) for p in passages[:ANSWER_K])
        covered["pipeline"][kind].append(is_covered)
        if kind == "answerable":
            recall["pipeline"].append(found(passages, q))
            row["found"] = recall["pipeline"][-1]
            for mode in ("lexical", "vector"):
                alone_mode = retrieve(searcher, ["eval"], queries, K, embedder, mode=mode)
                recall[f"pipeline_{mode}"].append(found(alone_mode, q))
        best = passages[0] if passages else None
        row.update(queries=queries, covered=is_covered)
        if best is not None:
            row["top"] = [Path(best.file).name, round(best.vector or 0, 3), round(best.coverage, 2)]
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        per_question.append(row)
    cross = [i for i, q in enumerate(answerable) if q["id"].startswith("x-")]
    same = [i for i in range(len(answerable)) if i not in cross]
    out: dict[str, Any] = {
        f"recall_at_{K}": {m: round(_share(v), 3) for m, v in recall.items()},
        f"recall_at_{K}_same_language": {
            m: round(_share([v[i] for i in same]), 3) for m, v in recall.items()
        },
        f"recall_at_{K}_cross_language": {
            m: round(_share([v[i] for i in cross]), 3) for m, v in recall.items()
        },
        "translated_queries": translate,
        "translate_ms_median": round(statistics.median(translate_s) * 1000)
        if translate_s
        else None,
    }
    for side, split in covered.items():
        out[f"not_covered_accuracy_{side}"] = round(1 - _share(split["unanswerable"]), 3)
        out[f"false_refusal_{side}"] = round(1 - _share(split["answerable"]), 3)
    return out


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def _has_fact(text: str, fact: str) -> bool:
    """``fact`` in ``text`` as written, or as the same amount (digits vs Chinese numerals)."""
    if fact.lower() in text.lower():
        return True
    wanted = quantities(fact)
    return bool(wanted) and any(w.same_as(t) for w in wanted for t in quantities(text))


def answers(
    store: KnowledgeStore,
    embedder: LlamaEmbedder,
    engine: Any,
    answerable: list[dict[str, str]],
    unanswerable: list[dict[str, str]],
) -> dict[str, Any]:
    """Whole answers: refusals, the fact in the answer and in a cited passage."""
    rows = []
    for q in answerable + unanswerable:
        start = time.perf_counter()
        job = ask(engine, store, AskRequest(q["question"], ("eval",)), embedder)
        result = next(i.result for i in job if isinstance(i, AskDone))
        row: dict[str, Any] = {"id": q["id"], "covered": result.covered, "s": 0.0}
        row["declined"] = result.model_declined
        row["echoed"] = result.echoed_example  # copied the prompt's example: dropped
        if "file" in q:
            row["fact_in_answer"] = _has_fact(result.text, q["answer"])
            row["fact_in_citation"] = any(q["passage"] in c.passage.text for c in result.citations)
            row["unsupported"] = sum(c.supported is False for c in result.citations)
        row["s"] = round(time.perf_counter() - start, 1)
        row["text"] = result.text[:120]
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        rows.append(row)
    good = [r for r in rows if "fact_in_answer" in r]
    bad = [r for r in rows if "fact_in_answer" not in r]
    return {
        "answers_not_covered_accuracy": round(_share([not r["covered"] for r in bad]), 3),
        "answers_false_refusal": round(_share([not r["covered"] for r in good]), 3),
        "answers_model_declined": sum(r["declined"] for r in rows),
        "answers_echoed_example": sum(r["echoed"] for r in rows),
        "answers_fact_in_answer": round(_share([r["fact_in_answer"] for r in good]), 3),
        "answers_fact_in_cited_passage": round(_share([r["fact_in_citation"] for r in good]), 3),
        "answers_unsupported_citations": sum(r["unsupported"] for r in good),
        "answer_s_median": statistics.median(r["s"] for r in rows),
    }


# -- 3: indexing throughput --------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput(work: Path, embedder: LlamaEmbedder, copies: int, reps: int) -> dict[str, Any]:
    """``sync`` of ``copies`` copies of the documents vs raw ``Llama.embed`` of their chunks."""
    corpus = work / "copies"
    for i in range(copies):
        write_documents(corpus / f"copy{i}")
        # each copy's text files differ in their first line: no two share a hash (no renames)
        for f in (corpus / f"copy{i}").iterdir():
            if f.suffix in (".md", ".txt"):
                f.write_text(f"copy {i}\n\n" + f.read_text("utf-8"), "utf-8")
    raw = raw_model(Path(embedder.info.path), embedder)
    times: dict[str, list[tuple[float, float]]] = {"index": [], "raw": []}

    def run_index(rep: int) -> tuple[SyncSummary, list[str]]:
        done: list[SyncSummary] = []
        with KnowledgeStore(work / f"throughput{rep}.sqlite3") as store:
            times["index"].append(_timed(lambda: done.append(index(store, "c", corpus, embedder))))
            rows = store.read("SELECT heading, text FROM chunks ORDER BY id")
        return done[0], [embedding_text(tuple(json.loads(h)), t) for h, t in rows]

    def run_raw(texts: list[str]) -> None:
        times["raw"].append(_timed(lambda: np.asarray(raw.embed(texts, normalize=True))))

    summary, texts = run_index(-1)  # warms both sides, and gives the chunk texts
    run_raw(texts)
    times = {"index": [], "raw": []}
    for rep in range(reps):
        if rep % 2:
            run_raw(texts)
        run_index(rep)
        if not rep % 2:
            run_raw(texts)
    raw.close()
    med = {
        side: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for side, v in times.items()
    }
    return {
        "files": summary.files,
        "chunks": summary.chunks,
        "tokens": sum(len(embedder.tokenize(t)) for t in texts),
        "index_s": round(med["index"][0], 3),
        "raw_embed_s": round(med["raw"][0], 3),
        "index_chunks_per_s": round(summary.chunks / med["index"][0], 1),
        "raw_chunks_per_s": round(len(texts) / med["raw"][0], 1),
        "ratio_wall": round(med["raw"][0] / med["index"][0], 3),
        "ratio_cpu": round(med["raw"][1] / med["index"][1], 3),
    }


# -- 4: scale ------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale(work: Path, sizes: Sequence[int], repeat: int) -> list[dict[str, Any]]:
    from knowledge_index import measure  # bench/knowledge_index.py

    rows = []
    for size in sizes:
        row = measure(size, repeat, work)
        row["peak_rss_mb"] = round(peak_rss_mb(), 1)
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    return rows


# -- main -------------------------------------------------------------------------------------


def open_engine(path: Path | None) -> Any:
    if path is None:
        return None
    from llmasos.foundation.engine.llama import LlamaEngine
    from llmasos.foundation.engine.settings import EngineSettings

    engine = LlamaEngine(EngineSettings(n_ctx=2048, n_threads=2))
    engine.load(path)
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", type=Path, help="chat model (default: the Qwen test model)")
    parser.add_argument("--no-model", action="store_true", help="no query translation")
    parser.add_argument("--answers", action="store_true", help="also run whole answers (slow)")
    parser.add_argument("--copies", type=int, default=4, help="corpus copies for throughput")
    parser.add_argument("--reps", type=int, default=2, help="throughput repetitions per side")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=9, help="latency repetitions (scale)")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="what to measure (default: all, in one run)",
    )
    args = parser.parse_args()

    from common import quality_model  # bench/common.py

    answerable = load_jsonl(DATA / "questions.jsonl")
    unanswerable = load_jsonl(DATA / "unanswerable.jsonl")
    embedder = LlamaEmbedder(test_model(), probe=False, n_threads=1)
    wants_model = not args.no_model and "eval" in args.parts
    engine = open_engine(args.model or quality_model()) if wants_model else None
    summary: dict[str, Any] = {
        "bench": "knowledge",
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "relevance": {
            "min_vector": RELEVANCE.min_vector,
            "min_coverage": RELEVANCE.min_coverage,
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "eval" in args.parts:
            write_documents(work / "docs")
            with KnowledgeStore(work / "eval.sqlite3") as store:
                indexed = index(store, "eval", work / "docs", embedder)
                summary.update(files=indexed.files, chunks=indexed.chunks)
                summary.update(evaluate(store, embedder, engine, answerable, unanswerable))
                print(json.dumps(summary), file=sys.stderr, flush=True)
                if args.answers and engine is not None:
                    summary.update(answers(store, embedder, engine, answerable, unanswerable))
        if engine is not None:
            engine.close()
        if "throughput" in args.parts:
            summary["throughput"] = throughput(work, embedder, args.copies, args.reps)
            print(json.dumps(summary), file=sys.stderr, flush=True)
        embedder.close()
        if "scale" in args.parts:
            summary["scale"] = scale(work, args.sizes, args.repeat)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
