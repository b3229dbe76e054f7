"""From an answer's ``[1]``, ``[2]`` markers to the passages it cites, checked.

A model numbers its sources as the prompt numbered the passages. What it writes is not
trusted as is:

* markers are read in the forms small models use (``[1]``, ``[1, 2]``, ``[1][2]``,
  ``【1】``); a number that names no passage is **dropped** from the answer and reported
  (:attr:`CitedAnswer.unknown`);
* each cited passage is **checked**: the amounts in the sentences that cite it (digits,
  English number words, Chinese numerals — :func:`~llmasos.services.text.numbers.quantities`,
  so "4300" is found in "四千三百元") must be in the passage; a citation whose amounts are
  not there is kept but marked ``supported=False``, with the amounts the passage lacks
  (:attr:`Citation.missing`, what the windows warn about);
* an answer that cites nothing but is built from the passages gets the passage sharing the
  most of its terms, marked ``inferred`` (small models often forget the markers).

Pure functions: tests feed them crafted answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from llmasos.services.knowledge.query import coverage, parse_query
from llmasos.services.knowledge.search import Passage
from llmasos.services.text.numbers import quantities

__all__ = ["Citation", "CitedAnswer", "citation_json", "cite", "markers", "strip_markers"]

_NUMBERS = r"\d{1,3}(?:\s*[,，、]\s*\d{1,3})*"
MARKER = re.compile(rf"\[\s*({_NUMBERS})\s*\]|【\s*({_NUMBERS})\s*】")
# not at the point of "1.5万": the sentence "5万元 [1]" would be checked for 50,000
_SENTENCE_END = re.compile(r"(?<=[!?。！？；;\n])\s*|(?<=\.)(?!\d)\s*")
# an answer must share at least this much of its terms with a passage to be credited to it
_INFER_MIN = 0.3


@dataclass(frozen=True)
class Citation:
    """One passage the answer cites: ``number`` is its marker (``[number]``).

    ``supported`` is True when every amount in the sentences citing it is in the passage,
    False when one is not (``missing``: those amounts as the answer wrote them), None
    when those sentences hold no amount to check. ``inferred``: the answer had no
    marker; the passage was credited by shared terms."""

    number: int
    passage: Passage
    supported: bool | None
    inferred: bool = False
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitedAnswer:
    """The answer with unknown markers removed, its citations (in marker order) and
    the numbers of the markers that named no passage."""

    text: str
    citations: tuple[Citation, ...]
    unknown: tuple[int, ...]


def markers(text: str) -> list[int]:
    """The passage numbers ``text`` cites, in order of first use."""
    found: list[int] = []
    for match in MARKER.finditer(text):
        for number in re.findall(r"\d+", match.group(1) or match.group(2)):
            if int(number) not in found:
                found.append(int(number))
    return found


def _keep_known(match: re.Match[str], known: range) -> str:
    numbers = [int(n) for n in re.findall(r"\d+", match.group(1) or match.group(2))]
    kept = [n for n in numbers if n in known]
    return "[" + ", ".join(str(n) for n in kept) + "]" if kept else ""


def strip_markers(text: str, known: range | None = None) -> str:
    """``text`` without markers (``known`` None) or without the numbers outside ``known``;
    a space left doubled by a removed marker is closed up."""
    allowed = known if known is not None else range(0)
    out = MARKER.sub(lambda m: _keep_known(m, allowed), text)
    out = re.sub(r"[ \t]+([.,;:!?。，；：！？])", r"\1", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _checked(number: int, passage: Passage, sentences: list[str], inferred: bool) -> Citation:
    """The citation of ``passage``, checked: are the amounts of ``sentences`` (markers
    left out) all in it, and which are not."""
    amounts = [q for s in sentences for q in quantities(strip_markers(s))]
    if not amounts:
        return Citation(number, passage, None, inferred)
    in_passage = quantities(passage.text)
    missing = [a.text for a in amounts if not any(a.same_as(p) for p in in_passage)]
    unique = tuple(dict.fromkeys(missing))
    return Citation(number, passage, not unique, inferred, unique)


def cite(answer: str, passages: Sequence[Passage]) -> CitedAnswer:
    """Map ``answer``'s markers to ``passages`` (``[1]`` is ``passages[0]``), check them,
    and drop the markers that point nowhere (see the module doc)."""
    known = range(1, len(passages) + 1)
    used = markers(answer)
    unknown = tuple(n for n in used if n not in known)
    text = strip_markers(answer, known) if unknown else answer.strip()
    sentences = _sentences(answer)
    citations = []
    for number in (n for n in used if n in known):
        citing = [s for s in sentences if number in markers(s)]
        citations.append(_checked(number, passages[number - 1], citing, inferred=False))
    if not citations and passages and text:
        inferred = _infer(text, passages)
        if inferred is not None:
            citations.append(inferred)
    return CitedAnswer(text, tuple(citations), unknown)


def _infer(text: str, passages: Sequence[Passage]) -> Citation | None:
    """The passage sharing the most of ``text``'s terms, if it shares enough."""
    parsed = parse_query(strip_markers(text))
    scored = [(coverage(parsed, p.text), i) for i, p in enumerate(passages)]
    share, index = max(scored)
    if share < _INFER_MIN:
        return None
    return _checked(index + 1, passages[index], _sentences(text), inferred=True)


def citation_json(c: Citation) -> dict[str, Any]:
    """One citation as JSON (``llmasos ask --json`` and ``POST /v1/ask``): a stable shape."""
    p = c.passage
    return {
        "number": c.number,
        "file": p.file,
        "page": p.page,
        "heading": list(p.heading),
        "start": p.start,
        "end": p.end,
        "score": round(p.fused, 6),
        "vector": None if p.vector is None else round(p.vector, 4),
        "coverage": round(p.coverage, 3),
        "passage": p.text,
        "supported": c.supported,
        "missing": list(c.missing),
        "inferred": c.inferred,
    }
