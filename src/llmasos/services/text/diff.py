"""Tracked changes: what a rewrite changed, as hunks a person accepts or rejects.

Texts are compared word by word (Chinese, Japanese and Korean character by
character, since they have no spaces between words). Each :class:`Change` says
where it sits in the original text, so :func:`apply_changes` can build the text
with any subset of the changes accepted: all of them gives the new text, none
gives the original back.

With ``flag_dropped`` (edits that must keep every word, such as proofreading), each
change also names the content words it deletes without a counterpart
(:func:`dropped_words`): "libary tomorow" → "library" drops "tomorow", which a
reader accepting the fix would not see.

Example:
    >>> d = diff_texts("Teh cat sat.", "The cat sits.")
    >>> [(c.old, c.new) for c in d.changes]
    [('Teh', 'The'), ('sat', 'sits')]
    >>> apply_changes(d.source, d.changes, {1})
    'Teh cat sits.'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = [
    "Change",
    "Segment",
    "TextDiff",
    "apply_changes",
    "diff_texts",
    "dropped_words",
    "split_words",
]

# Han, kana, hangul, CJK punctuation and full-width forms: one token per character.
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(
    rf"[{_CJK}]"  # one CJK character
    rf"|[^\W{_CJK}]+(?:['’][^\W{_CJK}]+)*"  # a word, apostrophes inside it included
    r"|\s+"  # a run of whitespace
    rf"|[^\w\s{_CJK}]"  # one punctuation mark or symbol
)
# Grammar words a correction may rightly delete ("more cheaper" → "cheaper", "have wrote"
# → "wrote", "the the"): articles, auxiliaries, prepositions, pronouns, conjunctions and
# comparatives. Negations are not among them: dropping "not" changes the meaning.
_FUNCTION_WORDS = frozenset(
    " ".join(
        (
            "a an the of to in on at by for from with into onto about as than so",
            "and or but if then that which who whom whose this these those there here",
            "is are was were be been being am do does did have has had having",
            "will would shall should can could may might must",
            "it its i me my we us our you your he him his she her they them their",
            "more most much very quite rather too also just really still even",
        )
    ).split()
)
_SIMILAR = 0.6  # a replacement this close is the same word fixed ("tomorow" → "tomorrow")


@dataclass(frozen=True)
class Change:
    """One hunk: ``source[start:end]`` (== ``old``) becomes ``new``."""

    index: int
    start: int
    end: int
    old: str
    new: str
    dropped: tuple[str, ...] = ()  # content words deleted without a counterpart (if checked)

    @property
    def kind(self) -> str:
        """``"insert"``, ``"delete"`` or ``"replace"``."""
        if not self.old:
            return "insert"
        return "delete" if not self.new else "replace"


@dataclass(frozen=True)
class Segment:
    """A run of the merged view: unchanged text (``change`` is None) or one change."""

    text: str
    change: Change | None = None


@dataclass(frozen=True)
class TextDiff:
    """The changes from ``source`` to ``target``, in text order."""

    source: str
    target: str
    changes: tuple[Change, ...]

    @property
    def dropped(self) -> tuple[str, ...]:
        """All content words the changes drop (empty unless checked)."""
        return tuple(w for c in self.changes for w in c.dropped)

    def segments(self) -> list[Segment]:
        """Unchanged runs and changes alternating, covering all of ``source``."""
        out, pos = [], 0
        for change in self.changes:
            if change.start > pos:
                out.append(Segment(self.source[pos : change.start]))
            out.append(Segment(change.old, change))
            pos = change.end
        if pos < len(self.source):
            out.append(Segment(self.source[pos:]))
        return out


def split_words(text: str) -> list[str]:
    """Tokens the diff compares; ``"".join(split_words(t)) == t``."""
    return _TOKEN.findall(text)


def _offsets(tokens: Sequence[str]) -> list[int]:
    out, pos = [0], 0
    for token in tokens:
        pos += len(token)
        out.append(pos)
    return out


def dropped_words(old: str, new: str) -> tuple[str, ...]:
    """Content words of ``old`` that ``new`` drops: neither kept, nor fixed, nor replaced.

    Each word of ``old`` is paired first with a similar word of ``new`` (a spelling fix),
    then with any word left over (a replacement, "teached" → "taught"); content words
    still unpaired were deleted. Function words ("the", "a") and single CJK characters
    are not counted.
    """
    olds = [w for w in split_words(old) if _is_content(w)]
    news = [w.lower() for w in split_words(new) if w[:1].isalnum()]
    news += ["not" for w in news if w.endswith(("n't", "n’t"))]  # "can not" → "can't"
    unpaired = []
    for word in olds:
        near = [
            n
            for n in news
            if difflib.SequenceMatcher(None, word.lower(), n, autojunk=False).ratio() >= _SIMILAR
        ]
        if near:
            news.remove(near[0])
        else:
            unpaired.append(word)
    return tuple(unpaired[len(news) :])


def _is_content(word: str) -> bool:
    if not word[:1].isalnum() or word.lower() in _FUNCTION_WORDS:
        return False
    return len(word) > 1 or word.isdigit()


def diff_texts(source: str, target: str, *, flag_dropped: bool = False) -> TextDiff:
    """Compare ``source`` with ``target``; hunks separated only by spaces are merged.

    Merging keeps "the quick fox" → "a slow fox" one change ("the quick" → "a slow")
    instead of two, which is how a reader thinks of it. With ``flag_dropped``, each
    change's ``dropped`` names the content words it deletes (see :func:`dropped_words`).
    """
    a, b = split_words(source), split_words(target)
    a_at, b_at = _offsets(a), _offsets(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    spans: list[list[int]] = []  # [a_start, a_end, b_start, b_end] in token indices
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if spans and _only_space(a[spans[-1][1] : i1]) and _only_space(b[spans[-1][3] : j1]):
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    changes = []
    for n, (i1, i2, j1, j2) in enumerate(spans):
        old, new = source[a_at[i1] : a_at[i2]], target[b_at[j1] : b_at[j2]]
        dropped = dropped_words(old, new) if flag_dropped else ()
        if dropped:  # a doubled word removed ("very very" → "very") loses nothing
            beside = {_neighbour(a, i1, -1), _neighbour(a, i2, 1)}
            dropped = tuple(w for w in dropped if w.lower() not in beside)
        changes.append(Change(n, a_at[i1], a_at[i2], old, new, dropped))
    return TextDiff(source, target, tuple(changes))


def _neighbour(tokens: Sequence[str], at: int, step: int) -> str:
    """The word next to position ``at`` (before it for step -1), spaces skipped, lowercased."""
    i = at - 1 if step < 0 else at
    while 0 <= i < len(tokens) and tokens[i].isspace():
        i += step
    return tokens[i].lower() if 0 <= i < len(tokens) else ""


def _only_space(tokens: Sequence[str]) -> bool:
    return len(tokens) <= 1 and all(t.isspace() for t in tokens)


def apply_changes(source: str, changes: Sequence[Change], accepted: Collection[int]) -> str:
    """``source`` with the changes whose ``index`` is in ``accepted`` applied."""
    parts, pos = [], 0
    for change in sorted(changes, key=lambda c: c.start):
        if change.index not in accepted:
            continue
        parts.append(source[pos : change.start])
        parts.append(change.new)
        pos = change.end
    parts.append(source[pos:])
    return "".join(parts)
