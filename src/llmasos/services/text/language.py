"""Offline language detection and the table of languages LLMasOS translates.

:func:`detect` first looks at the writing system: kana means Japanese, hangul
Korean, Han characters Chinese (Simplified or Traditional, told apart by a small
table of characters that differ), Thai, Hebrew and Greek are one language each.
Latin, Cyrillic, Arabic and Devanagari text goes to py3langid, whose n-gram model
ships inside its wheel, restricted to the languages of that script.

Confidence is low for very short or mixed text (``Detection.is_confident`` is
False below :data:`CONFIDENT`); callers then fall back to the person's last choice.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

CONFIDENT = 0.5  # below this a detection is a guess; use the person's last choice
UNDETERMINED = "und"


@dataclass(frozen=True)
class Language:
    """A language LLMasOS can translate from and into."""

    code: str  # BCP 47, e.g. "zh-Hans"
    name: str  # English name, used in prompts
    native: str  # the language's own name, shown in pickers
    formality: str = ""  # how formal/informal address works, "" where it hardly matters


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English"),
    Language("zh-Hans", "Simplified Chinese", "简体中文", "您 vs 你"),
    Language("zh-Hant", "Traditional Chinese", "繁體中文", "您 vs 你"),
    Language("ja", "Japanese", "日本語", "keigo (です/ます) vs plain form"),
    Language("ko", "Korean", "한국어", "합니다/해요 vs 해"),
    Language("fr", "French", "Français", "vous vs tu"),
    Language("de", "German", "Deutsch", "Sie vs du"),
    Language("es", "Spanish", "Español", "usted vs tú"),
    Language("pt", "Portuguese", "Português", "o senhor/você vs tu"),
    Language("it", "Italian", "Italiano", "Lei vs tu"),
    Language("ru", "Russian", "Русский", "вы vs ты"),
    Language("ar", "Arabic", "العربية"),
    Language("nl", "Dutch", "Nederlands", "u vs jij"),
    Language("pl", "Polish", "Polski", "Pan/Pani vs ty"),
    Language("tr", "Turkish", "Türkçe", "siz vs sen"),
    Language("uk", "Ukrainian", "Українська", "ви vs ти"),
    Language("vi", "Vietnamese", "Tiếng Việt"),
    Language("th", "Thai", "ไทย"),
    Language("id", "Indonesian", "Bahasa Indonesia", "Anda vs kamu"),
    Language("hi", "Hindi", "हिन्दी", "आप vs तुम"),
    Language("sv", "Swedish", "Svenska"),
    Language("cs", "Czech", "Čeština", "vy vs ty"),
    Language("el", "Greek", "Ελληνικά", "εσείς vs εσύ"),
    Language("he", "Hebrew", "עברית"),
    Language("fa", "Persian", "فارسی", "شما vs تو"),
    Language("ro", "Romanian", "Română", "dumneavoastră vs tu"),
    Language("hu", "Hungarian", "Magyar", "Ön vs te"),
    Language("da", "Danish", "Dansk"),
    Language("fi", "Finnish", "Suomi"),
    Language("no", "Norwegian", "Norsk"),
)
_BY_CODE = {lang.code.lower(): lang for lang in LANGUAGES}
_ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "cn": "zh-Hans",
    "nb": "no",
    "pt-br": "pt",
    "iw": "he",
}


def find_language(name: str) -> Language | None:
    """Return the language for a code (``fr``, ``zh-TW``) or name (``French``), or None."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key).lower()
    if key in _BY_CODE:
        return _BY_CODE[key]
    for lang in LANGUAGES:
        if key in (lang.name.lower(), lang.native.lower()):
            return lang
    return None


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` found: a language code and how sure it is (0..1)."""

    lang: str
    confidence: float
    script: str = ""

    @property
    def is_confident(self) -> bool:
        return self.confidence >= CONFIDENT


# (first code point, last code point, script) — sorted by the first
_RANGES = sorted(
    [
        (0x0041, 0x024F, "latin"),
        (0x1E00, 0x1EFF, "latin"),
        (0x0370, 0x03FF, "greek"),
        (0x1F00, 0x1FFF, "greek"),
        (0x0400, 0x052F, "cyrillic"),
        (0x0590, 0x05FF, "hebrew"),
        (0x0600, 0x06FF, "arabic"),
        (0x0750, 0x077F, "arabic"),
        (0xFB50, 0xFDFF, "arabic"),
        (0xFE70, 0xFEFF, "arabic"),
        (0x0900, 0x097F, "devanagari"),
        (0x0E00, 0x0E7F, "thai"),
        (0x1100, 0x11FF, "hangul"),
        (0x3130, 0x318F, "hangul"),
        (0xAC00, 0xD7AF, "hangul"),
        (0x3040, 0x309F, "kana"),
        (0x30A0, 0x30FF, "kana"),
        (0x31F0, 0x31FF, "kana"),
        (0xFF66, 0xFF9D, "kana"),
        (0x3400, 0x4DBF, "han"),
        (0x4E00, 0x9FFF, "han"),
        (0xF900, 0xFAFF, "han"),
        (0x20000, 0x2FFFF, "han"),
    ]
)
_STARTS = [r[0] for r in _RANGES]

# Scripts that name one language outright, and how many letters make a sure guess.
_SINGLE = {"kana": "ja", "hangul": "ko", "thai": "th", "hebrew": "he", "greek": "el"}
_SURE_AT = {
    "han": 6,
    "kana": 4,
    "hangul": 4,
    "thai": 6,
    "hebrew": 6,
    "greek": 6,
    "latin": 18,
    "cyrillic": 14,
    "arabic": 10,
    "devanagari": 10,
}
_PRIOR = 2.0  # the script's main language (Russian for Cyrillic, …) is that much likelier
# Scripts py3langid decides, with the candidate languages (py3langid codes).
_CANDIDATES = {
    "latin": (
        "en",
        "fr",
        "de",
        "es",
        "pt",
        "it",
        "nl",
        "pl",
        "tr",
        "vi",
        "id",
        "ms",
        "sv",
        "cs",
        "sk",
        "ro",
        "hu",
        "da",
        "fi",
        "no",
        "nn",
        "ca",
        "hr",
        "sl",
        "et",
        "lv",
        "lt",
        "tl",
        "sw",
        "af",
        "eo",
        "la",
        "ga",
        "cy",
        "sq",
        "eu",
        "gl",
        "is",
    ),
    "cyrillic": ("ru", "uk", "bg", "sr", "mk", "be", "kk"),
    "arabic": ("ar", "fa", "ur", "ps"),
    "devanagari": ("hi", "mr", "ne"),
}
_DEFAULT = {"latin": "en", "cyrillic": "ru", "arabic": "ar", "devanagari": "hi"}
_FROM_LANGID = {"nn": "no", "ms": "id"}

# Frequent characters whose Simplified and Traditional forms differ: pairs (simplified,
# traditional). Neither form of a pair is used by the other standard.
_ZH_PAIRS = (
    "这這们們个個来來时時为為说說国國对對会會发發经經过過还還进進动動现現样樣关關开開"
    "长長门門问問间間点點东東车車书書给給头頭实實话話没沒让讓应應从從产產业業学學习習"
    "觉覺认認识識边邊体體电電视視乐樂买買卖賣钱錢马馬鸟鳥鱼魚语語读讀写寫请請谢謝员員"
    "图圖万萬气氣无無见見风風飞飛龙龍爱愛条條岁歲号號机機术術结結线線红紅级級纪紀约約"
    "总總变變达達运運远遠连連选選钟鐘难難题題颜顏饭飯鸡雞节節华華乱亂优優儿兒农農办辦"
    "务務区區医醫单單历歷县縣双雙吗嗎团團园園圆圓场場块塊报報数數断斷旧舊显顯杂雜权權"
    "极極欢歡汉漢满滿灯燈热熱环環画畫确確礼禮种種称稱简簡类類紧緊组組细細织織终終维維"
    "网網罗羅义義联聯脑腦艺藝药藥虽雖补補观觀规規计計记記讲講许許论論设設访訪证證评評"
    "试試诗詩该該课課谁誰调調谈談贵貴费費资資赛賽转轉轻輕较較辆輛违違钢鋼铁鐵错錯键鍵"
    "镜鏡闻聞阅閱队隊阳陽阴陰际際陆陸险險随隨页頁项項顺順须須预預领領频頻饮飲馆館验驗"
    "齐齊龄齡广廣厂廠么麼几幾们們处處备備复復当當归歸众眾"
)
_SIMPLIFIED = frozenset(_ZH_PAIRS[0::2])
_TRADITIONAL = frozenset(_ZH_PAIRS[1::2])

# Things that are not language: code, links, addresses, numbers, placeholders.
_NOISE = re.compile(
    r"```.*?(```|$)|`[^`\n]*`|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|\{\{?[^{}\s]*\}?\}|%\(\w+\)[sd]|%[sd]|\d+",
    re.DOTALL,
)


def script_of(ch: str) -> str:
    """The writing system of one character ("" for digits, punctuation, symbols)."""
    if not ch.isalpha():
        return ""
    i = bisect.bisect_right(_STARTS, ord(ch)) - 1
    if i >= 0 and _RANGES[i][0] <= ord(ch) <= _RANGES[i][1]:
        return _RANGES[i][2]
    return "other"


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in unicodedata.normalize("NFC", text):
        script = script_of(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return counts


SAMPLE_CHARS = 6000  # enough text to be sure of a language; more only costs time


def _sample(text: str, size: int = SAMPLE_CHARS) -> str:
    """``text``, or three stretches of it (start, middle, end) when it is long."""
    if len(text) <= size:
        return text
    part = size // 3
    mid = len(text) // 2 - part // 2
    return "\n".join((text[:part], text[mid : mid + part], text[-part:]))


def detect(text: str) -> Detection:
    """Guess the language of ``text`` offline; ``confidence`` is 0..1.

    Very short or mixed-script text gets a low confidence (see :data:`CONFIDENT`).
    Empty text, or text with no letters, is ``Detection("und", 0.0)``. Long text is
    judged on an evenly spread sample of :data:`SAMPLE_CHARS`, so a 1 MB paste costs
    milliseconds (callers run this on the GUI thread).
    """
    clean = _NOISE.sub(" ", _sample(text))
    counts = _script_counts(clean)
    letters = sum(counts.values())
    if not letters:
        return Detection(UNDETERMINED, 0.0)
    cjk = counts.get("han", 0) + counts.get("kana", 0)
    if counts.get("kana", 0) and counts["kana"] * 20 >= cjk and cjk * 2 >= letters:
        script = "kana"
        n = cjk
    else:
        script = max(counts, key=lambda s: counts[s])
        n = counts[script]
    share = n / letters
    if script == "han":
        lang, sure = _chinese_variant(clean)
        return Detection(lang, _scaled(sure * share, n, _SURE_AT["han"]), script)
    if script in _SINGLE:
        return Detection(_SINGLE[script], _scaled(share, n, _SURE_AT[script]), script)
    if script in _CANDIDATES:
        lang, prob = _ngram_guess(clean, script)
        return Detection(lang, _scaled(prob * share, n, _SURE_AT[script]), script)
    return Detection(UNDETERMINED, 0.0, script)


def _scaled(confidence: float, letters: int, sure_at: int) -> float:
    """Shrink confidence for short input: full only from ``sure_at`` letters on."""
    return round(max(0.0, min(1.0, confidence * min(1.0, letters / sure_at))), 4)


def _chinese_variant(text: str) -> tuple[str, float]:
    """Simplified or Traditional, and how sure (unsure when no telling character occurs)."""
    simp = sum(1 for ch in text if ch in _SIMPLIFIED)
    trad = sum(1 for ch in text if ch in _TRADITIONAL)
    if simp == trad:
        return "zh-Hans", 0.8 if simp == 0 else 0.6
    lang = "zh-Hant" if trad > simp else "zh-Hans"
    return lang, 0.7 + 0.3 * abs(simp - trad) / (simp + trad)


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _ngram_guess(text: str, script: str) -> tuple[str, float]:
    """py3langid's best language among the script's candidates, renormalised."""
    allowed = _CANDIDATES[script]
    weight = {_DEFAULT[script]: _PRIOR if script != "latin" else 1.0}
    ranked = [
        (code, p * weight.get(code, 1.0)) for code, p in _identifier().rank(text) if code in allowed
    ]
    ranked.sort(key=lambda item: -item[1])
    total = sum(p for _, p in ranked)
    if not ranked or total <= 0.0:
        return _DEFAULT[script], 0.0
    code, prob = ranked[0]
    return _FROM_LANGID.get(code, code), float(prob / total)


def same_language(a: str, b: str) -> bool:
    """Whether two codes name the same language, treating both Chinese scripts as one."""

    def base(code: str) -> str:
        return code.split("-")[0].lower()

    return base(a) == base(b)
