"""From a person's query to FTS5 expressions, and how much of it a passage covers.

``chunks_words`` indexes :func:`words_text` of each chunk: Latin-script text as it is
(FTS5's ``porter unicode61`` stems it), and every run of CJK characters as its
overlapping two-character tokens plus its last character alone — "知识库" becomes
"知识 识库 库". That is the usual way to search Chinese without a dictionary (Lucene's
CJK analyzer does the same), and it answers every query length from one posting list
or a few:

* one character: a prefix query (``"库" *``): every token starting with it, and since
  each character starts a token, every place it occurs;
* two characters (most Chinese words): one token;
* more: the exact phrase of its bigrams (adjacent tokens) OR-ed with each bigram, so the
  exact phrase ranks first and a question whose words are spread out still matches.

Latin words are OR-ed; stop words are dropped when other terms remain (their posting
lists are the longest and say the least). ``chunks_trigram`` gets every term of three or
more characters as a substring phrase; the searcher asks it only when the word index
finds too little (a part of a word or an identifier: ``UserName`` in ``getUserName``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["ParsedQuery", "cjk_share", "coverage", "parse_query", "words_text"]

_CJK_CHARS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUNS = re.compile(f"[{_CJK_CHARS}]+")
_TERM = re.compile(f"[{_CJK_CHARS}]+|[^\\W{_CJK_CHARS}]+(?:[.'_-][^\\W{_CJK_CHARS}]+)*")
_CJK_RUN = re.compile(f"^[{_CJK_CHARS}]+$")
_CJK_CHAR = re.compile(f"[{_CJK_CHARS}]")
_LETTER = re.compile(r"[^\W\d_]")
# Words too common to say anything about relevance.
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


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] or [run]


def _run_tokens(match: re.Match[str]) -> str:
    run = match.group()
    tokens = _bigrams(run) + ([run[-1]] if len(run) > 1 else [])
    return " " + " ".join(tokens) + " "


def cjk_share(text: str) -> float:
    """The share (0 to 1) of ``text``'s letters that are CJK characters."""
    letters = len(_LETTER.findall(text))
    return len(_CJK_CHAR.findall(text)) / letters if letters else 0.0


def words_text(text: str) -> str:
    """What ``chunks_words`` indexes for ``text``: CJK runs as bigram tokens (see above)."""
    return _CJK_RUNS.sub(_run_tokens, text)


@dataclass(frozen=True)
class ParsedQuery:
    """A query's terms and the FTS5 expressions built from them (``""`` = nothing to ask).

    ``clauses`` holds each meaningful term with its clauses of ``words_match``, so that a
    searcher can ask the word index without some of them (:meth:`words_match_without`)."""

    terms: tuple[str, ...]
    words_match: str
    trigram_match: str
    clauses: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def latin_terms(self) -> list[str]:
        """The meaningful terms that are words of a Latin (non-CJK) script."""
        return [term for term, _ in self.clauses if not _CJK_RUN.match(term)]

    def words_match_without(self, dropped: Collection[str]) -> str:
        """``words_match`` without the clauses of the ``dropped`` terms."""
        kept = [c for term, clauses in self.clauses if term not in dropped for c in clauses]
        return " OR ".join(dict.fromkeys(kept))

    def every_term_match(self, dropped: Collection[str] = ()) -> str:
        """The rows holding every term (but the ``dropped``) as a whole: a word, a Chinese
        run's exact phrase (its first clause; one character: its prefix), AND-ed."""
        return " AND ".join(clauses[0] for term, clauses in self.clauses if term not in dropped)

    def trigram_match_without(self, dropped: Collection[str]) -> str:
        """``trigram_match`` without the ``dropped`` terms."""
        return _trigram_match(term for term, _ in self.clauses if term not in dropped)


def _quoted(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _cjk_clauses(run: str) -> list[str]:
    if len(run) == 1:
        return [_quoted(run) + " *"]
    grams = _bigrams(run)
    exact = [_quoted(" ".join(grams))] if len(grams) > 1 else []
    return exact + [_quoted(g) for g in grams]


def parse_query(query: str) -> ParsedQuery:
    """The terms of ``query`` and the expressions for both full-text indexes."""
    terms = tuple(dict.fromkeys(t.lower() for t in _TERM.findall(query)))
    meaningful = [t for t in terms if t not in _STOPWORDS] or list(terms)
    clauses = tuple(
        (term, tuple(_cjk_clauses(term) if _CJK_RUN.match(term) else [_quoted(term)]))
        for term in meaningful
    )
    words = [c for _, term_clauses in clauses for c in term_clauses]
    return ParsedQuery(
        terms, " OR ".join(dict.fromkeys(words)), _trigram_match(meaningful), clauses
    )


def _trigram_match(terms: Iterable[str]) -> str:
    return " OR ".join(_quoted(t) for t in terms if len(t) >= 3)


def _probes(terms: tuple[str, ...]) -> list[str]:
    """What must appear in a passage for each term to count as covered."""
    probes: list[str] = []
    for term in terms:
        if _CJK_RUN.match(term):
            probes.extend(_bigrams(term))
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
