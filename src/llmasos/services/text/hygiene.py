"""Output hygiene: turn a model's reply into just the text that was asked for.

Small models wrap their answer in chatter — "Here is the corrected text:",
"以下是修改后的文本：", quotes, code fences, ``<think>…</think>`` reasoning, an echo
of the prompt's ``<text>`` markers, or a closing "Let me know if…". The writing
assistant and the translator both pass every reply through :func:`clean_output`
before showing it, and use :func:`looks_like_chatter` to tell a refusal or an
off-task answer from real output.

Example:
    >>> clean_output("Sure! Here is the corrected text:\\n\\n\\"The cat sat.\\"")
    'The cat sat.'
"""

from __future__ import annotations

import re

__all__ = ["clean_output", "excerpt", "looks_like_chatter", "strip_think"]

_THINK = re.compile(r"<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_OPEN_THINK = re.compile(r"<think>.*\Z", re.DOTALL | re.IGNORECASE)
_MARKERS = re.compile(
    r"</?(?:text|input|output|result|document)>|^<<<$|^>>>$", re.IGNORECASE | re.MULTILINE
)
_FENCE = re.compile(r"\A```[\w+-]*[ \t]*\n(?P<body>.*?)\n?```\Z", re.DOTALL)

_EN_ACK = r"(?:(?:sure|certainly|of course|okay|ok|absolutely|great)[,.!]*\s*)?"
_EN_WHAT = (
    r"(?:text|version|passage|paragraph|sentence|summary|key points|points|"
    r"continuation|rewrite|result|translation|draft|answer|response|list)"
)
_EN_EDIT = (
    r"(?:corrected|revised|rewritten|proofread|edited|improved|polished|shortened|"
    r"shorter|expanded|longer|updated|summarized|condensed|translated|final|formal|"
    r"friendly|concise|confident|simpler|simple)"
)
_ZH_WHAT = r"(?:文本|版本|内容|段落|句子|结果|译文|摘要|要点|总结|翻译|改写|修改|续写|文章)"
_ZH_ACK = r"(?:(?:好的|当然|没问题|可以)[，,。.！!]*\s*)?"
# One table, so a new phrasing is one line: each pattern matches a whole lead-in line.
_LEAD_INS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        _EN_ACK + r"(?:here(?:'s| is| are)|below is|below are|the following is)\b[^\n]{0,60}?"
        rf"\b{_EN_WHAT}\b[^\n]{{0,60}}[:：]",
        _EN_ACK + rf"(?:the |your |a )?(?:{_EN_EDIT}\s+)+(?:{_EN_WHAT})?\s*[:：]",
        _EN_ACK + rf"(?:the |your |a )?(?:{_EN_EDIT}\s+)*{_EN_WHAT}"
        r"(?:\s+(?:is|reads|would be|could be))?\s*[:：]",
        r"(?:sure|certainly|of course|okay|ok|absolutely)[,.!]*",
        _ZH_ACK + rf"(?:以下是|下面是|这是|如下是)[^\n]{{0,40}}?{_ZH_WHAT}[^\n]{{0,20}}[:：]",
        _ZH_ACK
        + r"[^\n]{0,12}(?:修改|修正|校对|改写|润色|缩写|扩写|精简|续写|翻译|总结|概括)后?的?"
        r"(?:文本|版本|内容|段落|句子|结果|译文|摘要|要点)[:：]",
        _ZH_ACK + r"(?:译文|摘要|总结|要点|结果|正文)[:：]",
        r"(?:好的|当然|没问题)[，,。.！!]*",
    )
)
_TRAILERS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?:let me know|i hope|hope this|feel free|if you (?:need|have|want|would)|"
        r"is there anything|would you like|please note|note:)",
        r"(?:希望|如果您|如果你|如需|如有|请注意|注：|注意：)",
        # a whole last line in brackets that talks about the edit: "[no error, no need to
        # edit]", "(No changes needed.)", "（无需修改）" (SmolLM2 and Qwen write these)
        r"[\[(（【](?=[^\n]{0,50}[\])）】]\Z)[^\n]*?(?:no (?:errors?|mistakes?)\b|"
        r"no (?:changes?|edits?|corrections?) (?:are |were )?(?:needed|required|necessary)|"
        r"no need to (?:edit|change|correct)|unchanged|already correct|"
        r"无需|不需要修改|没有错误|无错误|未作?修改|无修改|已正确)[^\n]*[\])）】]\Z",
    )
)
_QUOTES = (
    ('"', '"'),
    ("'", "'"),
    ("“", "”"),
    ("‘", "’"),
    ("「", "」"),
    ("『", "』"),
    ("«", "»"),
    ("„", "“"),
)
_CHATTER = re.compile(
    r"\A\W*(?:i'?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:'|no| no)t|i cannot|"
    r"i'?m (?:not able|unable)|i am (?:not able|unable)|i won'?t|as an ai|as a language model|"
    r"as an assistant|i'?m an ai|i do not (?:have|understand)|i don'?t (?:have|understand)|"
    r"unfortunately,? i|"
    r"抱歉|对不起|很抱歉|我无法|我不能|作为(?:一个)?(?:ai|人工智能|语言模型|助手)|我是一个(?:ai|人工智能))",
    re.IGNORECASE,
)


def strip_think(text: str) -> str:
    """Remove ``<think>…</think>`` blocks; an unterminated one removes the rest."""
    return _OPEN_THINK.sub("", _THINK.sub("", text))


def _is_lead_in(line: str) -> bool:
    stripped = line.strip().strip("*_#").strip()
    return bool(stripped) and any(p.fullmatch(stripped) for p in _LEAD_INS)


def _drop_lead_in(text: str, source: str) -> str:
    """Drop a first line (or a first "…: " clause) that only announces the answer."""
    first, sep, rest = text.partition("\n")
    if _is_lead_in(first) and not (source and source.lstrip().startswith(first.strip())):
        return rest.lstrip("\n") if sep else ""
    head, colon, tail = _split_at_colon(first)
    if colon and _is_lead_in(head + colon) and not source.lstrip().startswith(head.strip()):
        return (tail.lstrip() + sep + rest).strip("\n")
    return text


def _split_at_colon(line: str) -> tuple[str, str, str]:
    match = re.search(r"[:：]", line)
    if match is None or match.start() > 120:
        return line, "", ""
    return line[: match.start()], match.group(), line[match.end() :]


def _drop_trailer(text: str, source: str = "") -> str:
    """Drop a last paragraph that only offers more help ("Let me know if…") or only says
    the text needed no edit, unless the source itself has that line."""
    body, sep, last = text.rstrip().rpartition("\n\n")
    if not sep:
        body, sep, last = text.rstrip().rpartition("\n")
    line = last.strip()
    if sep and body.strip() and any(p.match(line) for p in _TRAILERS) and line not in source:
        return body.rstrip()
    return text


def _unwrap(text: str) -> str:
    """Remove one pair of quotes or a code fence that wraps the whole text."""
    fence = _FENCE.match(text)
    if fence:
        return fence.group("body").strip("\n")
    for left, right in _QUOTES:
        inner = text[len(left) : len(text) - len(right)]
        if (
            len(text) > len(left) + len(right)
            and text.startswith(left)
            and text.endswith(right)
            and left not in inner
            and right not in inner
        ):
            return inner.strip()
    return text


def clean_output(text: str, source: str = "") -> str:
    """Return ``text`` without chatter around the answer.

    Removes ``<think>`` blocks, echoed ``<text>`` markers, a lead-in line such as
    "Here is the corrected text:" or "以下是修改后的文本：", a closing offer of more
    help, and quotes or a code fence wrapping the whole answer. Inner whitespace
    is kept; the ends are stripped.

    Args:
        text: The model's raw reply.
        source: The text the model worked on, if any. A lead-in or wrapper that the
            source itself has (a letter that starts "Here is my offer:", a quoted
            source) is kept.
    """
    out = _MARKERS.sub("", strip_think(text)).strip()
    for _ in range(3):  # "Sure!\nHere is the text:\n```…```" needs several passes
        before = out
        out = _drop_lead_in(out, source).strip()
        out = _drop_trailer(out, source).strip()
        if _unwrap(source.strip()) == source.strip():
            out = _unwrap(out).strip()
        if out == before:
            break
    return out


def looks_like_chatter(text: str) -> bool:
    """Whether ``text`` reads as the assistant talking (a refusal, an apology, a lead-in
    with nothing after it) rather than as the material that was asked for."""
    stripped = strip_think(text).strip()
    if not stripped:
        return False
    if _CHATTER.match(stripped):
        return True
    return _is_lead_in(stripped) and "\n" not in stripped


def excerpt(text: str, n: int = 80) -> str:
    """``text`` on one line, cut to ``n`` characters with "…" (to quote a reply in a message)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"
