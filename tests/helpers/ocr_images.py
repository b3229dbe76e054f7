"""Images with known text for the OCR tests and bench: rendered here, measured here.

:func:`render` draws lines of English and Chinese with the Noto CJK font (Debian's
``fonts-noto-cjk``, which CI installs) onto a white PNG; :func:`cer` is the character
error rate of a recognized text against the rendered one (edit distance over the
expected length), after NFKC (full-width punctuation counts as its ASCII twin, 。 as .) and
with whitespace removed (Chinese has none, and a space lost between English words is not
what these tests are about).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

#: a small set of clean lines, both scripts, with digits and punctuation
LINES_EN = (
    "The quick brown fox jumps over the lazy dog.",
    "Invoice 2026-118: total 4,250.00 EUR, due 15 March.",
    "Offline assistants keep your documents private.",
)
LINES_ZH = (
    "今天天气很好，我们去公园散步吧。",
    "请在下周三之前提交季度报告。",
    "本地模型可以离线翻译和校对文本。",
)


def font_path() -> Path:
    assert NOTO_CJK.is_file(), f"{NOTO_CJK} is missing: install the Debian package fonts-noto-cjk"
    return NOTO_CJK


def render(lines: Sequence[str], size: int = 28, margin: int = 24) -> bytes:
    """A PNG (black on white) with one text line per entry of ``lines``."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), size)
    step = round(size * 1.9)
    width = max(round(font.getlength(line)) for line in lines) + 2 * margin
    image = Image.new("RGB", (width, step * len(lines) + margin), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((margin, margin + n * step), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


_STOPS = str.maketrans({"。": ".", "、": ","})  # NFKC keeps these two


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).translate(_STOPS).split())


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(expected: str, got: str) -> float:
    """Character error rate of ``got`` against ``expected`` (0: identical)."""
    want, have = normalize(expected), normalize(got)
    return distance(want, have) / max(1, len(want))
