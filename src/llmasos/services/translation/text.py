"""Keeping a text's form through translation: protect, restore, check, repair.

Before a chunk goes to the model, everything that must come back unchanged —
inline code, link targets, URLs, e-mail addresses, HTML tags and placeholders
(``{name}``, ``{{x}}``, ``${x}``, ``%s``, ``%(x)s``, ``%1$d``) — is swapped for a
sentinel ``⟦n⟧``. After, :func:`restore` puts the originals back (also from the
forms models like to produce, ``[[n]]`` or ``⟦ n ⟧``) and says which were lost;
:func:`repair_layout` puts lost sentinels, line breaks and Markdown line prefixes
(headings, lists, quotes, tables) back where the source had them when the lines
still correspond one to one. Numbers are not swapped (models must be free to move
them) but :func:`missing_numbers` checks each came through.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_PROTECT = re.compile(
    r"(?P<code>``[^\n]+?``|`[^`\n]+`)"
    r"|(?P<target>(?<=\])\([^()\s]+(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<url>(?:https?|ftp)://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]）。，、]"
    r"|www\.[\w-]+\.[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]）。，、])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<placeholder>\{\{[^{}\n]{1,40}\}\}|\$\{[^{}\n]{1,40}\}|\{[\w.:!\[\]<>^,+-]{0,40}\}"
    r"|%\([A-Za-z_]\w*\)[-#0+]*\d*(?:\.\d+)?[sdifgxXeEr]"
    r"|%(?:\d+\$)?[-#0+]*\d*(?:\.\d+)?[sdifgxXeEcu@])"
    r"|(?P<tag></?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>)"
)
SENTINEL = "⟦{}⟧"
# What models make of "⟦3⟧": itself, spaced, or ASCII double brackets.
_SENTINEL_RE = re.compile(r"(?:⟦|\[\[)\s*(\d{1,4})\s*(?:⟧|\]\])")
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

    def sentinel(self, index: int) -> str:
        """The sentinel for ``items[index]``."""
        return SENTINEL.format(index + 1)


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

    def swap(original: str) -> str:
        items.append(original)
        return SENTINEL.format(len(items))

    lines = [swap(line) if _RULE.match(line) else line for line in text.split("\n")]
    out = _PROTECT.sub(lambda m: swap(m.group()), "\n".join(lines))
    for literal in extra:
        if literal and literal in out:
            out = out.replace(literal, swap(literal))
    return Protected(out, tuple(items))


def restore(output: str, protected: Protected) -> Restored:
    """Put protected parts back into ``output`` and note what was lost or doubled."""
    seen: Counter[int] = Counter()
    unknown = 0

    def back(match: re.Match[str]) -> str:
        nonlocal unknown
        index = int(match.group(1)) - 1
        if 0 <= index < len(protected.items):
            seen[index] += 1
            return protected.items[index]
        unknown += 1
        return ""

    text = _SENTINEL_RE.sub(back, output)
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
        problem = (
            f"The translation has {len(out_lines)} lines where the source has "
            f"{len(src_lines)}; line breaks and Markdown may not match."
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
        repaired.append("Markdown line prefixes were put back as in the source.")
    if src_prefix.endswith("|") and src_body.count("|") != out_body.count("|"):
        repaired.append("A table row lost cells; check the table.")
    body = out_body.strip()
    present = {m.group(1) for m in _SENTINEL_RE.finditer(body)}
    for match in _SENTINEL_RE.finditer(src_body):
        if match.group(1) not in present:
            body = _insert_at(body, match.group(), _place(src_body, match))
            repaired.append("Protected items the model dropped were put back in place.")
    return src_prefix + body


def _place(line: str, match: re.Match[str]) -> float:
    """Where a sentinel sits in its line: 0 at the start, 1 at the end, else the share
    of the line's words (or characters, for text without spaces) before it."""
    before, after = line[: match.start()], line[match.end() :]
    if not before.strip():
        return 0.0
    if not after.strip(" \t.,;:!?。，！？、"):
        return 1.0
    if " " in line.strip():
        return len(before.split()) / max(1, len(before.split()) + len(after.split()))
    return len(before) / max(1, len(before) + len(after))


def _insert_at(body: str, token: str, where: float) -> str:
    """Insert ``token`` at the relative position ``where`` (0..1), between words."""
    if where <= 0.0:
        return f"{token} {body}".strip() if " " in body else token + body
    if where >= 1.0 or not body:
        return (f"{body} {token}" if " " in body else body + token).strip()
    words = body.split(" ")
    if len(words) > 1:
        at = max(1, min(len(words) - 1, round(where * len(words))))
        return " ".join([*words[:at], token, *words[at:]])
    pos = round(where * len(body))
    return body[:pos] + token + body[pos:]
