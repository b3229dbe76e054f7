"""Split a long document into pieces that each fit a token budget.

Cuts go at paragraph boundaries; a paragraph too big on its own is cut between
sentences, and a sentence too big on its own is cut wherever the budget ends.
Every separator stays attached to the chunk before it, so ``"".join(chunks)`` is
exactly the input — a caller can process some chunks, keep the rest as they are,
and reassemble without losing a character.

Example:
    >>> split_text("One.\\n\\nTwo.\\n\\nThree.", 2, lambda s: len(s.split()))
    ['One.\\n\\nTwo.\\n\\n', 'Three.']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = [
    "approx_tokens",
    "paragraphs",
    "sentences",
    "split_margins",
    "split_spans",
    "split_text",
]

CountTokens = Callable[[str], int]

# A paragraph ends at a blank line (spaces allowed on it); the blank lines stay with it.
_PARAGRAPH_END = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A sentence ends at . ! ? … or their CJK forms, plus closing quotes/brackets and spaces,
# or at a single line break (lists, verse).
_SENTENCE_END = re.compile(r"(?:[.!?…]+[\"'”’)\]]*\s+|[。！？；]+[”’」』）]*\s*|\n\s*)")
# Han, kana, Hangul and CJK punctuation: about one token each in multilingual vocabularies.
_CJK = re.compile(
    r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    out, start = [], 0
    for match in pattern.finditer(text):
        if match.end() > start:
            out.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def paragraphs(text: str) -> list[str]:
    """``text`` cut after each blank line, separators kept (``"".join`` gives it back)."""
    return _pieces(text, _PARAGRAPH_END)


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence or line break, separators kept."""
    return _pieces(text, _SENTENCE_END)


def split_margins(chunk: str) -> tuple[str, str, str]:
    """``(leading whitespace, core, trailing whitespace)`` of ``chunk``.

    Process the core and put the margins back, so paragraph breaks survive a model
    that strips or adds blank lines.
    """
    core = chunk.strip()
    if not core:
        return chunk, "", ""
    start = chunk.index(core)
    return chunk[:start], core, chunk[start + len(core) :]


def _hard_split(text: str, budget: int, count: CountTokens) -> list[str]:
    """Cut ``text`` into the longest prefixes that fit ``budget`` (binary search)."""
    out = []
    while text:
        if count(text) <= budget:
            out.append(text)
            break
        lo, hi = 1, len(text)  # the longest fitting prefix length lies in [lo, hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if count(text[:mid]) <= budget:
                lo = mid
            else:
                hi = mid
        cut = _back_to_space(text, lo)
        out.append(text[:cut])
        text = text[cut:]
    return out


def _back_to_space(text: str, cut: int) -> int:
    """Move ``cut`` back to just after a space in the last fifth of the piece, if any."""
    space = text.rfind(" ", cut * 4 // 5, cut)
    return space + 1 if space > 0 else cut


def _pack(
    pieces: Iterable[str], budget: int, count: CountTokens, too_big: Callable[[str], list[str]]
) -> list[str]:
    """Greedily join consecutive pieces while the joined text fits ``budget``."""
    out: list[str] = []
    current = ""
    for piece in pieces:
        if current and count(current + piece) <= budget:
            current += piece
            continue
        if current:
            out.append(current)
        if count(piece) <= budget:
            current = piece
        else:
            out.extend(too_big(piece))
            current = ""
    if current:
        out.append(current)
    return out


def split_text(text: str, budget: int, count_tokens: CountTokens) -> list[str]:
    """Split ``text`` into chunks of at most ``budget`` tokens each.

    Args:
        text: The document.
        budget: Most tokens one chunk may take, as ``count_tokens`` counts them.
        count_tokens: Tokens in a string, e.g. ``lambda s: len(engine.tokenize(s))``.

    Returns:
        The chunks in order; ``"".join(result) == text``. Empty text gives ``[]``.

    Raises:
        ValueError: ``budget`` is below 1.
    """
    if budget < 1:
        raise ValueError(f"The token budget must be at least 1 (got {budget}).")

    def split_sentence_group(paragraph: str) -> list[str]:
        return _pack(
            sentences(paragraph),
            budget,
            count_tokens,
            lambda s: _hard_split(s, budget, count_tokens),
        )

    return _pack(paragraphs(text), budget, count_tokens, split_sentence_group)


def approx_tokens(text: str) -> int:
    """A tokenizer-free estimate of ``text``'s tokens: one per CJK character, one per four
    other characters.

    For budgets that must hold before any model is loaded (indexing documents whose
    embedder may change later); real counts for English run a little lower, for Chinese
    about the same.
    """
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def split_spans(text: str, budget: int, count_tokens: CountTokens) -> list[tuple[int, int]]:
    """:func:`split_text`, as ``(start, end)`` offsets into ``text`` instead of strings.

    The spans are contiguous and cover ``text``: ``text[start:end]`` is each chunk.
    """
    spans, start = [], 0
    for chunk in split_text(text, budget, count_tokens):
        spans.append((start, start + len(chunk)))
        start += len(chunk)
    return spans
