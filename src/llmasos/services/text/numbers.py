"""Quantities written in digits, English number words or Chinese numerals, and their value.

One amount has many spellings and one value: 8,000, 8k, eight thousand, 八千 and 8千 are
all 8,000; digits before Chinese units read like Chinese numerals (1.5万, 3万5千); a
lone Chinese digit is an amount before a measure word (两人份 is 2, 四个 is 4).

A translation may move a number, write it in words or in digits, but it must not
change how large it is: "两万公里" is 20,000 km, and "two million kilometers" is a
mistake a reader trusts. :func:`quantities` finds the amounts in a text with their
value, and :func:`magnitude_changes` pairs the amounts of a source with those of its
translation and names the ones whose size changed.

Example:
    >>> [q.value for q in quantities("全长两万多公里")]
    [20000.0]
    >>> magnitude_changes("全长两万多公里", "spanning over two million kilometers")[0].source.text
    '两万'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MagnitudeChange", "Quantity", "magnitude_changes", "quantities"]

_UNIT_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen"
_UNIT_WORDS += " fourteen fifteen sixteen seventeen eighteen nineteen"
_EN_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate(_TEN_WORDS.split())}
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_ZH_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}

_LARGE = 1000  # below this, unpaired amounts are more often unrelated than misread
_DIGITS = r"\d+(?:[,.\u00a0\u202f]\d{3})*(?:[.,]\d+)?"
_EN_WORD = "|".join([*_EN_UNITS, *_EN_TENS, "hundred", *_EN_SCALES, "a", "and"])
_HAN_DIGITS = "零〇一二两三四五六七八九"
_HAN = _HAN_DIGITS + "十百千万萬亿億"
# a Chinese unit after Arabic digits ("8千", "1.5万", "3万5千"); not 千 of 千米, 千克 …
_ZH_UNIT = "(?:[十百万萬亿億]|千(?![米克瓦卡]))"
_PATTERN = re.compile(
    rf"(?P<mixed>(?:\d+(?:\.\d+)?{_ZH_UNIT})+(?:{_ZH_UNIT}|[{_HAN_DIGITS}])*)"
    rf"|(?P<digits>{_DIGITS})(?:\s*(?P<scale>{'|'.join(_EN_SCALES)})s?\b|\s*(?P<zh>[万萬亿億]+)"
    rf"|(?P<k>k)(?![a-z]))?"
    rf"|(?P<words>\b(?:{_EN_WORD})(?:[\s-]+(?:{_EN_WORD}))*\b)"
    rf"|(?P<han>[{_HAN}]+)",
    re.IGNORECASE,
)
_MIXED_PART = re.compile(r"\d+(?:\.\d+)?|\D")
# A lone Chinese digit is a word more often than an amount (一起, 一些, 三明治, 统一) but
# an amount before a measure word: 两人份 (servings for two), 四个鸡蛋, 三天. 一 stays a
# word even there: 一个 is mostly "a".
_COUNTED_DIGITS = "二两三四五六七八九"
_MEASURE = re.compile(
    "[个人份位名次天年周岁本张件条只辆台杯碗瓶块元斤米克层间家种倍]|小时|分钟|公里|公斤"
)


@dataclass(frozen=True)
class Quantity:
    """An amount found in a text: its spelling, where it starts, and its value."""

    text: str
    start: int
    value: float
    other: float | None = None  # the other reading of "1.250" / "1,5" (German vs English)

    def same_as(self, other: Quantity) -> bool:
        """Whether both amounts can be the same number (one reading of each agrees)."""
        mine = {self.value, self.other} - {None}
        theirs = {other.value, other.other} - {None}
        return any(
            abs(a - b) < 1e-9 for a in mine for b in theirs if a is not None and b is not None
        )


@dataclass(frozen=True)
class MagnitudeChange:
    """A source amount whose translation is ten times larger or smaller (or more)."""

    source: Quantity
    output: Quantity


def _han_value(text: str, *, counted: bool = False) -> float | None:
    """The value of a Chinese numeral (两万 → 20000, 三千五百 → 3500), also with Arabic
    digits before its units (8千 → 8000, 1.5万 → 15000, 3万5千 → 35000); None if it is
    none. ``counted``: a measure word follows it (see ``_MEASURE``)."""
    total, section, digit = 0.0, 0.0, None
    for ch in _MIXED_PART.findall(text):
        if ch[0].isdigit():
            digit = float(ch)
        elif ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL:
            section += (1 if digit is None else digit) * _ZH_SMALL[ch]
            digit = None
        else:
            total = (total + section + (digit or 0)) * _ZH_BIG[ch]
            section, digit = 0.0, None
    value = total + section + (digit or 0)
    # a lone 一/二 … is usually a word (一起, 一些), not an amount; keep those with a unit
    if len(text) == 1 and text in _ZH_DIGITS and not (counted and text in _COUNTED_DIGITS):
        return None
    return value if value else None


def _words_value(text: str) -> float | None:
    """The value of English number words ("twenty thousand" → 20000); None if not a number."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not words or all(w == "a" for w in words):
        return None
    total, current, seen = 0.0, 0.0, False
    for w in words:
        if w == "a":
            current = current or 1
        elif w in _EN_UNITS:
            current += _EN_UNITS[w]
            seen = True
        elif w in _EN_TENS:
            current += _EN_TENS[w]
            seen = True
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        else:
            total += (current or 1) * _EN_SCALES[w]
            current, seen = 0.0, True
    return total + current if seen else None


_ENGLISH = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CONTINENTAL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def _digits_readings(digits: str) -> tuple[float, float | None]:
    """The English reading ("," groups, "." decimal) and, when it is another number, the
    continental one ("." groups, "," decimal): "1.250" is 1.25 or 1250."""
    plain = re.sub(r"[\u00a0\u202f]", "", digits)
    english = float(plain.replace(",", "")) if _ENGLISH.fullmatch(plain) else None
    continental = (
        float(plain.replace(".", "").replace(",", ".")) if _CONTINENTAL.fullmatch(plain) else None
    )
    if english is None:
        return (continental if continental is not None else float(re.sub(r"\D", "", plain))), None
    return english, continental if continental not in (None, english) else None


def _value(match: re.Match[str]) -> float | None:
    if match.group("digits"):
        value, _ = _digits_readings(match.group("digits"))
        scale = match.group("scale")
        if scale:
            value *= _EN_SCALES[scale.lower()]
        for ch in match.group("zh") or "":
            value *= _ZH_BIG[ch]
        return value * 1000 if match.group("k") else value
    if match.group("words"):
        return _words_value(match.group("words"))
    if match.group("mixed"):
        return _han_value(match.group("mixed"))
    counted = _MEASURE.match(match.string, match.end()) is not None
    return _han_value(match.group("han"), counted=counted)


def quantities(text: str) -> list[Quantity]:
    """The amounts in ``text``, in order, with their values."""
    found = []
    for match in _PATTERN.finditer(text):
        value = _value(match)
        if value is None:
            continue
        other = None
        if match.group("digits"):
            english, continental = _digits_readings(match.group("digits"))
            other = continental * value / english if continental is not None and english else None
        found.append(Quantity(match.group().strip(), match.start(), value, other))
    return found


def magnitude_changes(source: str, output: str) -> list[MagnitudeChange]:
    """Amounts of ``source`` that ``output`` has only at another order of magnitude.

    Amounts equal in both are paired off first; each source amount left is paired with
    the output amount left at the same rank, and reported when one is at least ten
    times the other and the larger is at least 1,000 (small unpaired amounts are
    mostly dates and ordinals written another way). An amount that is simply missing
    is not reported here.
    """
    src, out = quantities(source), quantities(output)
    left_out = list(out)
    unmatched = []
    for q in src:
        same = next((o for o in left_out if o.same_as(q)), None)
        if same is None:
            unmatched.append(q)
        else:
            left_out.remove(same)
    changes = []
    for q, o in zip(unmatched, left_out, strict=False):
        low, high = sorted((q.value, o.value))
        if low > 0 and high >= _LARGE and high / low >= 10:
            changes.append(MagnitudeChange(q, o))
    return changes
