"""Proofreading quality (the service against a plain prompt) and speed (plain vs lookup decoding).

**Quality**: each sentence of :data:`SEEDED` has known errors (a wrong word and its fix).
It is proofread twice on the same model, greedy: by the app's path (``WriteJob``, action
``proofread``: delimited text, hygiene, the dropped-word check and its one retry) and by
a plain prompt ("Correct the spelling and grammar of the following text. Reply with the
corrected text only."). A seeded error is fixed when its fix appears as a word and the
error no longer does; dropped words are content words deleted without a counterpart
(:func:`~llmasos.services.text.diff.dropped_words`). Ratios are service/plain. The same
is done for :data:`SECOND`, a second set (``second_set`` in the JSON), and a line per
sentence shows each side's fixes.

**Speed** (``--reps``, 0 to skip):

Two engines load the same GGUF file (the Qwen test model by default) with the same
context and threads; one has ``EngineSettings(prompt_lookup=N)``. Each proofreads the
same ~300-word English text with errors through the app's own path
(:class:`~llmasos.services.writing.service.WriteJob`, action ``proofread``) at temperature 0.
Repetitions alternate which side goes first, and medians are reported, so machine
noise hits both alike. Before each run a throwaway request with another prompt evicts
the cached prefix, so every run evaluates the whole prompt afresh.

Figures: decode tokens/s (the engine's own ``GenerationStats``), wall time for the
whole action, the ratio lookup/plain, and whether both sides produced the identical
text. The last line of stdout is a JSON object with stable keys.

Run ``python bench/write.py [--reps 1] [--draft 10] [--model PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from common import quality_model  # bench/common.py
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware
from llmasos.services.text.diff import diff_texts
from llmasos.services.writing.service import WriteJob, WriteRequest

N_CTX = 512  # one paragraph per chunk: what a 135M model can proofread
TEXT = (
    "Travelling is one of the most rewarding experience a person can have. When we leave "
    "our home and visit a new place, we see how other people lives, what they eat, and "
    "how they spend there days. Many people says that travelling open the mind, and I "
    "think they is right.\n\n"
    "Last summer I went to a small village in the mountains with my freinds. The road was "
    "long and narow, and the bus were very old, but the view from the window was "
    "beautifull. We arrived late in the evening and the owner of the guesthouse give us "
    "a warm soup and fresh bread. Nobody in the village speaked English, so we used our "
    "hands and a few words from a phrase book to talk with them.\n\n"
    "During the week we walked to a lake, climbed a hill and helped a farmer to collect "
    "apples. Every evening the villagers gathered in the square to sing songs and tell "
    "stories. Even if we did not understood every word, we could feel the kindness in "
    "there voices. One old woman teached us how to make cheese, which was harder than it "
    "look.\n\n"
    "When it was time to leave, we was sad. The children run after the bus and waved "
    "untill we could not see them anymore. I learned that you do not need a expensive "
    "hotel or famous sights to have a good holiday. What matter most are the people you "
    "meet and the moments you share with them.\n\n"
    "Now, when I plan a trip, I try to stay with local families instead of big hotels. It "
    "is cheaper, it is more interesting, and it help the small communities that welcome "
    "travellers. I hope more people will try this kind of travel in the future, becuase "
    "it change the way we see the world and ourselfs."
)
EVICT = [ChatMessage("user", "Say hello.")]
QUALITY_CTX = 1024
PLAIN_PROOFREAD = (
    "Correct the spelling and grammar of the following text. Reply with the corrected text "
    "only.\n\n{text}"
)
#: Sentences with seeded errors: (text, ((error, fix), ...)); a fix may list correct
#: alternatives separated by "|". Written for this project.
SEEDED: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("I will go to the libary tomorow.", (("libary", "library"), ("tomorow", "tomorrow"))),
    ("She recieved the package yesterday.", (("recieved", "received"),)),
    ("We was late becuase the train broke down.", (("was", "were"), ("becuase", "because"))),
    ("The childs are playing in the garden.", (("childs", "children"),)),
    ("He dont like coffee in the morning.", (("dont", "doesn't|does not"),)),
    ("Their is a problem with the printer.", (("Their", "There"),)),
    ("I have wrote three letters this week.", (("wrote", "written"),)),
    ("The weather is beautifull and the sky is clear.", (("beautifull", "beautiful"),)),
    ("Please send me the adress of the hotel.", (("adress", "address"),)),
    ("My freind lives in a small vilage.", (("freind", "friend"), ("vilage", "village"))),
    ("The meeting will begin at noon, untill two.", (("untill", "until"),)),
    ("It is more cheaper to travel by bus.", (("more cheaper", "cheaper"),)),
    ("They goes to school every day.", (("goes", "go"),)),
    ("This is the most importent rule.", (("importent", "important"),)),
    ("I can not find my keys anywere.", (("anywere", "anywhere"),)),
    ("The reserch team published there results.", (("reserch", "research"), ("there", "their"))),
)

#: A second set, written in the same session as the proofread prompt's worked example
#: (services/writing/actions.py) to check that a change does not only fit SEEDED; the
#: example was picked among three that were tried on both sets, so it is not a blind test.
SECOND: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("She have two brothers and one sister.", (("have", "has"),)),
    ("I seen that film last week.", (("seen", "saw"),)),
    ("He is more taller than his father.", (("more taller", "taller"),)),
    ("This is the most easiest way to do it.", (("most easiest", "easiest"),)),
    ("We goed to the beach on Sunday.", (("goed", "went"),)),
    ("The goverment announced new rules.", (("goverment", "government"),)),
    ("I am agree with your proposal.", (("am agree", "agree"),)),
    ("Your welcome to join us tonight.", (("Your", "You're|You are"),)),
    ("She speaks english very good.", (("english", "English"), ("good", "well"))),
    ("I didn't went to work yesterday.", (("went", "go"),)),
    ("It's a beautifull day, isnt it?", (("beautifull", "beautiful"), ("isnt", "isn't|is not"))),
    ("He writed a long letter to his mother.", (("writed", "wrote"),)),
    ("I look forward to hear from you.", (("hear", "hearing"),)),
    ("The company announced it's results.", (("it's", "its"),)),
    ("We discussed about the plan for hours.", (("discussed about", "discussed"),)),
    ("My brother is more older than me.", (("more older", "older"),)),
)


@dataclass(frozen=True)
class Run:
    side: str
    text: str
    tokens: int
    decode_tps: float
    wall_s: float


@dataclass(frozen=True)
class Item:
    """One seeded sentence: errors fixed and content words dropped by each side."""

    text: str
    errors: int
    service: int
    service_dropped: int
    plain: int
    plain_dropped: int
    service_text: str
    plain_text: str


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, help="GGUF file (default: the Qwen test model)")
    p.add_argument("--reps", type=int, default=1, help="speed repetitions (0: quality only)")
    p.add_argument("--draft", type=int, default=10, help="prompt-lookup draft tokens")
    p.add_argument("--threads", type=int)
    return p.parse_args(argv)


def proofread(side: str, engine: LlamaEngine) -> Run:
    engine.chat(EVICT, SamplingParams(temperature=0.0, max_tokens=1)).text()
    params = SamplingParams(temperature=0.0, repeat_penalty=1.0)
    t0 = time.perf_counter()
    job = WriteJob(engine, WriteRequest("proofread", TEXT), params)
    for _ in job:
        pass
    wall = time.perf_counter() - t0
    assert job.stats is not None and job.done is not None
    return Run(side, job.done.text, job.stats.completion_tokens, job.stats.tokens_per_s, wall)


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def _fixed(output: str, error: str, fix: str) -> bool:
    """One of the fix's forms is there and the error is gone (unless a fix contains it)."""
    forms = fix.split("|")
    gone = any(error.lower() in f.lower() for f in forms) or not _has_word(output, error)
    return any(_has_word(output, f) for f in forms) and gone


def proofread_quality(
    engine: LlamaEngine, seeded: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = SEEDED
) -> dict[str, object]:
    """Seeded errors fixed and content words dropped, service vs plain prompt."""
    params = SamplingParams(temperature=0.0, repeat_penalty=1.0, seed=0)
    sides: dict[str, dict[str, float]] = {
        side: {"fixed": 0, "dropped": 0, "seconds": 0.0} for side in ("service", "plain")
    }
    errors = sum(len(fixes) for _, fixes in seeded)
    items: list[Item] = []
    for n, (text, fixes) in enumerate(seeded, 1):
        t0 = time.perf_counter()
        job = WriteJob(engine, WriteRequest("proofread", text), params)
        for _ in job:
            pass
        assert job.done is not None
        t1 = time.perf_counter()
        budget = int(1.5 * len(engine.tokenize(text))) + 64
        plain = engine.chat(
            [ChatMessage("user", PLAIN_PROOFREAD.format(text=text))],
            SamplingParams(temperature=0.0, repeat_penalty=1.0, seed=0, max_tokens=budget),
        ).text()
        t2 = time.perf_counter()
        found: dict[str, tuple[int, int]] = {}
        for side, out, secs in (("service", job.done.text, t1 - t0), ("plain", plain, t2 - t1)):
            found[side] = (
                sum(_fixed(out, e, f) for e, f in fixes),
                len(diff_texts(text, out, flag_dropped=True).dropped),
            )
            sides[side]["fixed"] += found[side][0]
            sides[side]["dropped"] += found[side][1]
            sides[side]["seconds"] += secs
        items.append(
            Item(text, len(fixes), *found["service"], *found["plain"], job.done.text, plain)
        )
        print(f"\rproofread quality: {n}/{len(seeded)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print_items(items)
    s, p = sides["service"], sides["plain"]
    return {
        "sentences": len(seeded),
        "errors": errors,
        "service_fixed": int(s["fixed"]),
        "plain_fixed": int(p["fixed"]),
        "fixes_ratio": round(s["fixed"] / p["fixed"], 3) if p["fixed"] else None,
        "service_dropped": int(s["dropped"]),
        "plain_dropped": int(p["dropped"]),
        "service_s": round(s["seconds"], 1),
        "plain_s": round(p["seconds"], 1),
        "items": [asdict(item) for item in items],
    }


def print_items(items: list[Item]) -> None:
    """One line per sentence: errors fixed by the service and by the plain prompt."""
    print(f"{'service':>7} {'plain':>5} {'of':>2}  sentence -> service's answer")
    for item in items:
        flag = "  <-- fewer" if item.service < item.plain else ""
        print(
            f"{item.service:>7} {item.plain:>5} {item.errors:>2}  "
            f"{item.text} -> {item.service_text}{flag}"
        )


def measure(plain: LlamaEngine, lookup: LlamaEngine, reps: int) -> list[tuple[Run, Run]]:
    pairs = []
    for rep in range(reps):
        order = [("plain", plain), ("lookup", lookup)]
        if rep % 2:
            order.reverse()
        runs = {side: proofread(side, eng) for side, eng in order}
        pairs.append((runs["plain"], runs["lookup"]))
        for run in (runs["plain"], runs["lookup"]):
            print(
                f"rep {rep + 1}  {run.side:<7} {run.tokens:>5} tokens  "
                f"{run.decode_tps:>7.1f} tok/s  {run.wall_s:>6.2f} s",
                flush=True,
            )
    return pairs


def speed(path: Path, threads: int, args: argparse.Namespace) -> dict[str, object]:
    """The speed figures (plain vs prompt-lookup decoding); None values with --reps 0."""
    keys = ("completion_tokens", "plain_decode_tps", "lookup_decode_tps", "decode_ratio")
    keys += ("plain_wall_s", "lookup_wall_s", "wall_ratio", "same_text", "faster")
    if args.reps <= 0:
        return dict.fromkeys(keys)
    base = EngineSettings(n_ctx=N_CTX, n_threads=threads, probe=False)
    plain, lookup = (
        LlamaEngine(base),
        LlamaEngine(
            EngineSettings(n_ctx=N_CTX, n_threads=threads, probe=False, prompt_lookup=args.draft)
        ),
    )
    plain.load(path)
    lookup.load(path)
    pairs = measure(plain, lookup, args.reps)
    plain.close()
    lookup.close()
    p_tps = statistics.median(p.decode_tps for p, _ in pairs)
    l_tps = statistics.median(lk.decode_tps for _, lk in pairs)
    p_wall = statistics.median(p.wall_s for p, _ in pairs)
    l_wall = statistics.median(lk.wall_s for _, lk in pairs)
    same = all(p.text == lk.text for p, lk in pairs)
    print()
    print(f"{'median':<16} {'plain':>10} {'lookup':>10} {'ratio':>7}")
    ratio = round(l_tps / p_tps, 3) if p_tps else 0.0
    print(f"{'decode tok/s':<16} {p_tps:>10.1f} {l_tps:>10.1f} {ratio:>7.3f}")
    wall_ratio = round(p_wall / l_wall, 3) if l_wall else 0.0
    print(
        f"{'wall s':<16} {p_wall:>10.2f} {l_wall:>10.2f} {wall_ratio:>7.3f}"
        "  (plain/lookup: > 1 means lookup is faster)"
    )
    print(f"identical text at temperature 0: {same}")
    values = (pairs[0][0].tokens, round(p_tps, 2), round(l_tps, 2), ratio, round(p_wall, 3))
    values += (round(l_wall, 3), wall_ratio, same, "lookup" if l_wall < p_wall else "plain")
    return dict(zip(keys, values, strict=True))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    path = args.model or quality_model()
    threads = args.threads or hardware.default_threads()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    t0 = time.perf_counter()
    engine = LlamaEngine(EngineSettings(n_ctx=QUALITY_CTX, n_threads=threads))
    engine.load(path)
    try:
        quality = proofread_quality(engine)
        second = proofread_quality(engine, SECOND)
    finally:
        engine.close()
    for name, part in (("SEEDED", quality), ("SECOND", second)):
        print(
            f"proofread {name}, {part['sentences']} sentences, {part['errors']} seeded errors: "
            f"fixed service {part['service_fixed']} / plain {part['plain_fixed']} "
            f"(ratio {part['fixes_ratio']}), dropped words service {part['service_dropped']}"
            f" / plain {part['plain_dropped']}"
        )
    result = {
        "bench": "write",
        "model": path.name,
        "threads": threads,
        "reps": args.reps,
        "draft_tokens": args.draft,
        "words": len(TEXT.split()),
        **speed(path, threads, args),
        "load_avg_1m": round(load, 2),
        "quality": quality,
        "fixes_ratio": quality["fixes_ratio"],
        "second_set": second,
        "second_fixes_ratio": second["fixes_ratio"],
        "wall_total_s": round(time.perf_counter() - t0, 1),
    }
    print(f"load average at start {load:.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
