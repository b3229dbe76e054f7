"""Keeping a text's form through translation: protect, restore, check, repair.

Everything that must come back unchanged — inline code, link targets, URLs,
e-mail addresses, ISO dates, HTML tags and placeholders (``{name}``, ``{{x}}``,
``${x}``, ``%s``, ``%(x)s``, ``%1$d``) — is swapped for a sentinel ``⟦n⟧`` by
:func:`protect`, and the checks and repairs work on that form.

The model, though, sees most items as they are (:attr:`Protected.shown`): measured on
Qwen2.5-0.5B, a sentinel in running text is read as a number ("Your order ⟦1⟧" became
"Your order #1", the placeholder lost) while ``{order_id}`` or a URL is copied
verbatim. Only tags and Markdown rules (which could close the prompt's ``<text>``
block or vanish as blank lines) stay sentinels. :func:`adopt` turns the items found in
the reply back into sentinels — also slightly damaged copies such as ``{ order_id }``
or ``{orderid}`` — so :func:`repair_layout` can put lost ones back where the source
had them (at a word or clause boundary) and :func:`restore` can say which were lost.
Numbers are not swapped (models must be free to move them) but
:func:`missing_numbers` checks each came through.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from llmasos.services.text.notice import Notice

_PROTECT = re.compile(
    r"(?P<code>``[^\n]+?``|`[^`\n]+`)"
    r"|(?P<target>(?<=\])\([^()\s]+(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<url>(?:https?|ftp)://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]）。，、]"
    r"|www\.[\w-]+\.[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]）。，、])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<date>(?<![\w-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?![\w-]))"
    r"|(?P<placeholder>\{\{[^{}\n]{1,40}\}\}|\$\{[^{}\n]{1,40}\}|\{[\w.:!\[\]<>^,+-]{0,40}\}"
    r"|%\([A-Za-z_]\w*\)[-#0+]*\d*(?:\.\d+)?[sdifgxXeEr]"
    r"|%(?:\d+\$)?[-#0+]*\d*(?:\.\d+)?[sdifgxXeEcu@])"
    r"|(?P<tag></?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>)"
)
SENTINEL = "⟦{}⟧"
# What models make of "⟦3⟧": itself, spaced, or ASCII double brackets.
_SENTINEL_RE = re.compile(r"(?:⟦|\[\[)\s*(\d{1,4})\s*(?:⟧|\]\])")
_SPACED_SENTINEL = re.compile(r"([ \t]?)" + _SENTINEL_RE.pattern)
# Half a sentinel left behind once the whole ones are restored (never shown to a reader).
_STRAY = re.compile(r"[ \t]?(?:⟦\s*\d{0,4}\s*⟧?|⟧)")
# Kinds the model sees verbatim (it copies them better than sentinels); the rest stay hidden.
_SHOWN_KINDS = frozenset({"code", "target", "url", "email", "date", "placeholder"})
_CLAUSE_END = "，。；：！？、,.;:!?）)」』"
_PARTIAL_TAIL = re.compile(r"(?:⟦|\[\[?)\s*\d{0,4}\s*(?:\]|⟧)?\Z")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")
_PREFIX = re.compile(
    r"^(?P<indent>[ \t]*)(?P<mark>#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?"
    r"|\d{1,3}[.)][ \t]+|\|[ \t]*)?"
)
_RULE = re.compile(
    r"^\s*(?:[-*_][ \t]*){3,}$|^\s*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?"
    r"[ \t]*)*\|?\s*$"
)


@dataclass(frozen=True)
class Protected:
    """A text with its protected parts replaced by sentinels ``⟦1⟧``, ``⟦2⟧``, …"""

    text: str
    items: tuple[str, ...]  # items[i] is what sentinel i + 1 stands for
    shown_items: frozenset[int] = frozenset()  # indexes the model sees as they are

    def sentinel(self, index: int) -> str:
        """The sentinel for ``items[index]``."""
        return SENTINEL.format(index + 1)

    @property
    def shown(self) -> str:
        """The text as the model gets it: shown items in place, the others as sentinels."""

        def back(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return self.items[index] if index in self.shown_items else match.group()

        return _SENTINEL_RE.sub(back, self.text)


@dataclass(frozen=True)
class Restored:
    """Model output with sentinels turned back into the protected text."""

    text: str
    missing: tuple[int, ...]  # indexes into Protected.items that did not come back
    duplicated: tuple[int, ...] = ()
    unknown: int = 0  # sentinels with numbers that were never handed out (dropped)


def protect(text: str, extra: tuple[str, ...] = ()) -> Protected:
    """Swap code, links, addresses, tags and placeholders (and ``extra`` strings) for
    sentinels; whole lines that are Markdown rules or table separators too."""
    items: list[str] = []
    shown: set[int] = set()

    def swap(original: str, kind: str = "") -> str:
        items.append(original)
        if kind in _SHOWN_KINDS:
            shown.add(len(items) - 1)
        return SENTINEL.format(len(items))

    lines = [swap(line) if _RULE.match(line) else line for line in text.split("\n")]
    out = _PROTECT.sub(lambda m: swap(m.group(), m.lastgroup or ""), "\n".join(lines))
    for literal in extra:
        if literal and literal in out:
            out = out.replace(literal, swap(literal))
    return Protected(out, tuple(items), frozenset(shown))


def adopt(output: str, protected: Protected) -> str:
    """``output`` with the shown items it contains turned back into their sentinels.

    Exact copies first (longest item first, so a URL inside a longer one stays whole);
    then a copy the model damaged a little — spaces added, a character lost or changed
    (``{ order_id }``, ``{orderid}``, a URL without its last slash) — when exactly one
    such stretch is close enough to an item not found exactly.
    """
    order = sorted(protected.shown_items, key=lambda i: -len(protected.items[i]))
    found: set[int] = set()
    for index in order:
        item = protected.items[index]
        if item in output:
            output = output.replace(item, protected.sentinel(index))
            found.add(index)
    for index in order:
        if index not in found:
            item, sentinel = protected.items[index], protected.sentinel(index)
            output = _adopt_date(output, item, sentinel) or _adopt_damaged(output, item, sentinel)
    return output


_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")


def _adopt_date(output: str, item: str, sentinel: str) -> str | None:
    """``output`` with a spelled-out form of the ISO date ``item`` ("December 3, 2026",
    "3 December 2026", "2026年12月3日") turned into its sentinel; None if there is none."""
    match = _ISO_DATE.match(item)
    if match is None:
        return None
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    if not 1 <= month <= 12:
        return None
    name = _MONTHS[month - 1]
    forms = (
        rf"{name}\s+0?{day}(?:st|nd|rd|th)?,?\s+{year}",
        rf"0?{day}(?:st|nd|rd|th)?\s+(?:of\s+)?{name},?\s+{year}",
        rf"{year}\s*年\s*0?{month}\s*月\s*0?{day}\s*[日号]",
    )
    for form in forms:
        found = re.search(form, output, re.IGNORECASE)
        if found:
            return output[: found.start()] + sentinel + output[found.end() :]
    return None


def _adopt_damaged(output: str, item: str, sentinel: str) -> str:
    """Replace the one near copy of ``item`` in ``output`` by ``sentinel`` (if one)."""
    if len(item) < 4:
        return output  # "%s" and the like have no near copies worth trusting
    low, high = max(1, len(item) - 6), len(item) + 6
    edge = re.escape(item[0]) + rf"[^\n⟦⟧]{{{low},{high}}}?"
    pattern = re.compile(edge + (re.escape(item[-1]) if not item[-1].isalnum() else ""))
    close = [
        m
        for m in pattern.finditer(output)
        if difflib.SequenceMatcher(None, m.group(), item, autojunk=False).ratio() >= 0.85
    ]
    if len(close) != 1:
        return output
    m = close[0]
    return output[: m.start()] + sentinel + output[m.end() :]


def restore(output: str, protected: Protected) -> Restored:
    """Put protected parts back into ``output`` and note what was lost or doubled."""
    seen: Counter[int] = Counter()
    unknown = 0

    def back(match: re.Match[str]) -> str:
        nonlocal unknown
        index = int(match.group(2)) - 1
        if 0 <= index < len(protected.items):
            seen[index] += 1
            return match.group(1) + protected.items[index]
        unknown += 1
        return ""  # with the space before it, so no gap is left

    text = _STRAY.sub("", _SPACED_SENTINEL.sub(back, output))
    missing = tuple(i for i in range(len(protected.items)) if not seen[i])
    doubled = tuple(i for i, n in sorted(seen.items()) if n > 1)
    return Restored(text, missing, doubled, unknown)


class StreamRestorer:
    """Restores sentinels in streamed text, holding back a sentinel cut in half."""

    def __init__(self, protected: Protected) -> None:
        self._protected = protected
        self._pending = ""

    def feed(self, piece: str) -> str:
        """Add a piece of model output; return the text that is safe to show now."""
        self._pending += piece
        tail = _PARTIAL_TAIL.search(self._pending)
        cut = tail.start() if tail else len(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return restore(ready, self._protected).text

    def flush(self) -> str:
        """The rest of the held-back text."""
        ready, self._pending = self._pending, ""
        return restore(ready, self._protected).text


def missing_numbers(source: str, output: str) -> list[str]:
    """Numbers of ``source`` absent from ``output`` (separators ignored: 1,000 = 1000)."""

    def numbers(text: str) -> Counter[str]:
        return Counter(re.sub(r"\D", "", n) for n in _NUMBER.findall(text))

    have = numbers(output)
    lost = numbers(source) - have
    return sorted(lost.elements())


def strip_sentinels(text: str) -> str:
    """``text`` without sentinels (to detect its language or count its numbers)."""
    return _SENTINEL_RE.sub(" ", text)


@dataclass(frozen=True)
class Layout:
    """What :func:`repair_layout` did: the text and notes for the person."""

    text: str
    repaired: tuple[str, ...]
    problems: tuple[str, ...]


def _content_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _split_prefix(line: str) -> tuple[str, str]:
    match = _PREFIX.match(line)
    end = match.end() if match else 0
    return line[:end], line[end:]


def repair_layout(source: str, output: str) -> Layout:
    """Rebuild ``output`` on ``source``'s line skeleton when lines correspond one to one.

    Both are protected texts (sentinels in place). When the count of non-blank
    lines matches, blank lines and each line's Markdown prefix (indent, ``#``,
    ``-``, ``1.``, ``>``, ``|``) come from the source, and a sentinel the model
    dropped is put back at the same relative place in its line. Otherwise the
    output is kept and the change is reported.
    """
    src_lines, out_lines = _content_lines(source), _content_lines(output)
    if len(src_lines) != len(out_lines):
        problem = Notice(
            "The translation has {output} lines where the source has {source}; line breaks "
            "and Markdown may not match.",
            output=len(out_lines),
            source=len(src_lines),
        )
        return Layout(output.strip(), (), (problem,) if len(src_lines) > 1 else ())
    repaired: list[str] = []
    fixed = iter([_fix_line(s, o, repaired) for s, o in zip(src_lines, out_lines, strict=True)])
    rebuilt = [next(fixed) if line.strip() else line.strip() for line in source.split("\n")]
    return Layout("\n".join(rebuilt).strip("\n"), tuple(dict.fromkeys(repaired)), ())


def _fix_line(src: str, out: str, repaired: list[str]) -> str:
    src_prefix, src_body = _split_prefix(src)
    out_prefix, out_body = _split_prefix(out.strip())
    if src_prefix.strip() != out_prefix.strip():
        repaired.append(Notice("Markdown line prefixes were put back as in the source."))
    if src_prefix.endswith("|") and src_body.count("|") != out_body.count("|"):
        repaired.append(Notice("A table row lost cells; check the table."))
    body = out_body.strip()
    present = {m.group(1) for m in _SENTINEL_RE.finditer(body)}
    for match in _SENTINEL_RE.finditer(src_body):
        if match.group(1) not in present:
            body = _insert_at(body, match.group(), _place(src_body, match))
            repaired.append(Notice("Protected items the model dropped were put back in place."))
    return src_prefix + body


_BEFORE_END = 0.999  # "at the end, before the closing punctuation"
_END_PUNCT = " \t.,;:!?。，！？、"


def _place(line: str, match: re.Match[str]) -> float:
    """Where a sentinel sits in its line: 0 at the start, 1 at the end (just before
    the closing punctuation: :data:`_BEFORE_END`), else the share of the line's words
    (or characters, for text without spaces) before it."""
    before, after = line[: match.start()], line[match.end() :]
    if not before.strip():
        return 0.0
    if not after.strip():
        return 1.0
    if not after.strip(_END_PUNCT):
        return _BEFORE_END
    if " " in line.strip():
        return len(before.split()) / max(1, len(before.split()) + len(after.split()))
    return len(before) / max(1, len(before) + len(after))


def _insert_at(body: str, token: str, where: float) -> str:
    """Insert ``token`` at the relative position ``where`` (0..1), between words.

    Text without spaces (Chinese, Japanese) has no word boundaries to see, so the token
    goes to the nearest clause boundary (before a comma or full stop) instead of
    splitting a word ("并如https://…果" is what a character position gives).
    """
    if where <= 0.0:
        return f"{token} {body}".strip() if " " in body else token + body
    if where >= _BEFORE_END and body.rstrip(_END_PUNCT) != body.rstrip():
        core = body.rstrip(_END_PUNCT)
        return _join(core, token) + body[len(core) :].lstrip(" \t")
    if where >= 1.0 or not body:
        return (f"{body} {token}" if " " in body else body + token).strip()
    words = body.split(" ")
    if len(words) > 1:
        at = max(1, min(len(words) - 1, round(where * len(words))))
        return " ".join([*words[:at], token, *words[at:]])
    bounds = [i for i, ch in enumerate(body) if ch in _CLAUSE_END] or [len(body)]
    pos = min(bounds, key=lambda i: abs(i - where * len(body)))
    return _join(body[:pos], token) + body[pos:]


def _join(left: str, token: str) -> str:
    """``left`` then ``token``, a space between when both sides are letters or digits."""
    if left and left[-1].isalnum() and (token[:1].isalnum() or token.startswith("⟦")):
        return f"{left} {token}"
    return left + token
