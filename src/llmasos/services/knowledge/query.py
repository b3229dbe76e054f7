"""From a person's query to FTS5 expressions, and how much of it a passage covers.

A query is cut into *terms*: Latin-script words (and numbers) and runs of CJK
characters. Each index gets the expression it can answer:

* ``chunks_words`` (Porter-stemmed words, one token per CJK character): every word, and
  for each CJK run of one or two characters that run as a phrase, for longer runs each
  overlapping two-character phrase (Chinese words are mostly two characters, so bigrams
  find "向量检索" in "检索向量" and in a sentence that splits the word differently);
* ``chunks_trigram`` (substrings): every term of three or more characters as written, so
  exact terms and identifiers (``getUserName``, ``v2.3``) rank first.

All terms are OR-ed: ``bm25`` rewards passages holding more and rarer ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ParsedQuery", "coverage", "parse_query", "spaced"]

_CJK_CHARS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_ONE = re.compile(f"([{_CJK_CHARS}])")
_TERM = re.compile(f"[{_CJK_CHARS}]+|[^\\W{_CJK_CHARS}]+(?:[.'_-][^\\W{_CJK_CHARS}]+)*")
_CJK_RUN = re.compile(f"^[{_CJK_CHARS}]+$")
# Words too common to say anything about relevance; left out of coverage only.
_STOPWORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for"),
        *("from", "how", "i", "in", "is", "it", "of", "on", "or", "that", "the", "this"),
        *("to", "was", "what", "when", "where", "which", "who", "why", "will", "with"),
        *("you", "your"),
    }
)
# Light suffix stripping for the coverage check (the index itself uses Porter).
_SUFFIX = re.compile(r"(?:ing|ed|es|s|ly|er|ers|ment|ments|ion|ions)$")


def spaced(text: str) -> str:
    """``text`` with a space around every CJK character: what ``chunks_words`` indexes."""
    return _CJK_ONE.sub(r" \1 ", text)


@dataclass(frozen=True)
class ParsedQuery:
    """A query's terms and the FTS5 expressions built from them (``""`` = nothing to ask)."""

    terms: tuple[str, ...]
    words_match: str
    trigram_match: str


def _quoted(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _cjk_phrases(run: str) -> list[str]:
    if len(run) <= 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def parse_query(query: str) -> ParsedQuery:
    """The terms of ``query`` and the expressions for both full-text indexes."""
    terms = tuple(dict.fromkeys(t.lower() for t in _TERM.findall(query)))
    words: list[str] = []
    trigrams: list[str] = []
    for term in terms:
        if _CJK_RUN.match(term):
            words.extend(_quoted(" ".join(p)) for p in _cjk_phrases(term))
        else:
            words.append(_quoted(term))
        if len(term) >= 3 and term not in _STOPWORDS:
            trigrams.append(_quoted(term))
    return ParsedQuery(
        terms,
        " OR ".join(dict.fromkeys(words)),
        " OR ".join(trigrams),
    )


def _probes(terms: tuple[str, ...]) -> list[str]:
    """What must appear in a passage for each term to count as covered."""
    probes: list[str] = []
    for term in terms:
        if _CJK_RUN.match(term):
            probes.extend(_cjk_phrases(term))
        elif term not in _STOPWORDS:
            stem = _SUFFIX.sub("", term)
            probes.append(stem if len(stem) >= 3 else term)
    return probes


def coverage(parsed: ParsedQuery, text: str) -> float:
    """The share (0 to 1) of the query's meaningful terms found in ``text``.

    A lexical relevance signal that does not depend on the collection's size (``bm25``
    does): 1.0 when every word stem and every Chinese bigram of the query is there."""
    probes = _probes(parsed.terms)
    if not probes:
        return 0.0
    lowered = text.lower()
    return sum(probe in lowered for probe in probes) / len(probes)
