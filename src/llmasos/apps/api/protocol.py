"""The API's request checking and response shapes (OpenAI-compatible), as plain data.

Every ``parse_*`` function takes a decoded JSON body and returns a frozen request
object, or raises :class:`ApiError` (HTTP 400 with an OpenAI-style error body naming
the bad parameter). Unknown keys are ignored, as OpenAI-compatible servers do, so
stock clients work unchanged.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import GenerationStats
from llmasos.foundation.settings.schema import FIELDS
from llmasos.services.text.language import find_language
from llmasos.services.writing.actions import TONES, find_action, task_text

ROLES = frozenset({"system", "user", "assistant"})
MAX_STOP = 4
SEED_MAX = 2**32 - 1  # any uint32, as llama.cpp takes: wider than the Settings' seed
MAX_TOKENS = FIELDS["sampling.max_tokens"]  # a request's max_tokens: its range and default


class ApiError(Exception):
    """An error answered as ``{"error": {"message", "type", "param", "code"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type = status, message, type
        self.param, self.code = param, code

    def body(self) -> dict[str, Any]:
        """The JSON error object."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def bad(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """A 400 for a bad parameter."""
    return ApiError(400, message, param=param, code=code)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may ask for."""

    max_body_bytes: int = 1_000_000
    max_tokens: int = 4096  # the most a request may ask for (within MAX_TOKENS' range)
    default_max_tokens: int = MAX_TOKENS.default  # when a request does not say
    max_text_chars: int = 200_000  # translate/rewrite input


@dataclass(frozen=True)
class GenerateRequest:
    """A chat or completion request: ``messages`` for chat, ``prompt`` for completion."""

    params: SamplingParams
    stream: bool
    include_usage: bool
    messages: tuple[ChatMessage, ...] = ()
    prompt: str = ""


@dataclass(frozen=True)
class TranslateRequest:
    """Translate ``text`` into ``target`` (an English language name, e.g. "French")."""

    text: str
    target: str
    source: str  # "" when not given
    params: SamplingParams


@dataclass(frozen=True)
class RewriteRequest:
    """A writing action (``rewrite``, ``proofread``, ``shorten`` …) on ``text``."""

    text: str
    action: str
    tone: str
    instruction: str
    params: SamplingParams


# --- field readers -------------------------------------------------------------------------


def _number(body: dict[str, Any], name: str, kind: type, lo: float, hi: float) -> Any:
    value = body[name]
    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise bad(f"'{name}' must be a whole number; got {value!r}.", name, "invalid_type")
    if not is_num:
        raise bad(f"'{name}' must be a number; got {value!r}.", name, "invalid_type")
    if not lo <= value <= hi:
        raise bad(
            f"'{name}' must be between {lo:g} and {hi:g}; got {value!r}.", name, "invalid_value"
        )
    return kind(value)


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise bad(f"'{name}' must be true or false; got {value!r}.", name, "invalid_type")
    return value


def _text(body: dict[str, Any], name: str, limits: Limits, *, required: bool = True) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise bad(f"'{name}' must be a string.", name, "invalid_type")
    if required and not value.strip():
        raise bad(f"'{name}' is required and must not be empty.", name, "missing_required")
    if len(value) > limits.max_text_chars:
        raise bad(
            f"'{name}' is longer than {limits.max_text_chars:,} characters.", name, "too_long"
        )
    return value


def _setting_range(name: str) -> tuple[str, str, type, float, float]:
    """A row of :data:`_SAMPLING` with the type and range of the setting ``sampling.<name>``."""
    field = FIELDS[f"sampling.{name}"]
    if field.lo is None or field.hi is None:
        raise ValueError(f"{field.key} has no range")
    return name, name, field.kind, field.lo, field.hi


# (JSON name, SamplingParams field, type, lowest, highest): the Settings' ranges
_SAMPLING: tuple[tuple[str, str, type, float, float], ...] = (
    _setting_range("temperature"),
    _setting_range("top_p"),
    _setting_range("top_k"),
    _setting_range("min_p"),
    _setting_range("repeat_penalty"),
    ("seed", "seed", int, 0, SEED_MAX),
)


def sampling(body: dict[str, Any], base: SamplingParams, limits: Limits) -> SamplingParams:
    """Sampling parameters from a request body, starting from ``base`` (the app defaults)."""
    changes: dict[str, Any] = {}
    for name, attr, kind, lo, hi in _SAMPLING:
        if body.get(name) is not None:
            changes[attr] = _number(body, name, kind, lo, hi)
    for name in ("max_completion_tokens", "max_tokens"):  # the newer name wins
        if body.get(name) is not None:
            changes["max_tokens"] = _max_tokens(body, name, limits)
            break
    else:
        changes["max_tokens"] = min(base.max_tokens, limits.default_max_tokens)
    if body.get("stop") is not None:
        changes["stop"] = _stop(body["stop"])
    if body.get("n") not in (None, 1):
        raise bad(
            "Only one choice per request is supported ('n' must be 1).", "n", "unsupported_value"
        )
    return replace(base, **changes)


def _max_tokens(body: dict[str, Any], name: str, limits: Limits) -> int:
    value = body[name]
    lowest = 1 if MAX_TOKENS.lo is None else int(MAX_TOKENS.lo)
    if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
        raise bad(
            f"'{name}' must be a whole number of at least {lowest}; got {value!r}.",
            name,
            "invalid_value",
        )
    if value > limits.max_tokens:
        raise bad(
            f"'{name}' may be at most {limits.max_tokens} on this server; got {value}.",
            name,
            "invalid_value",
        )
    return value


def _stop(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or len(items) > MAX_STOP
        or not all(isinstance(s, str) and s for s in items)
    ):
        raise bad(
            f"'stop' must be a non-empty string or a list of at most {MAX_STOP} of them.",
            "stop",
            "invalid_value",
        )
    return tuple(items)


def _stream_flags(body: dict[str, Any]) -> tuple[bool, bool]:
    stream = _flag(body, "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad("'stream_options' must be an object.", "stream_options", "invalid_type")
    include = options.get("include_usage", False)
    if not isinstance(include, bool):
        raise bad(
            "'stream_options.include_usage' must be true or false.",
            "stream_options.include_usage",
            "invalid_type",
        )
    return stream, include


def _content(value: Any, where: str) -> str:
    """A message's content: a string, or a list of text parts joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for part in value:
            if not (
                isinstance(part, dict)
                and part.get("type") == "text"
                and isinstance(part.get("text"), str)
            ):
                raise bad(
                    f"{where}: only text content parts are supported.", where, "unsupported_content"
                )
            texts.append(part["text"])
        return "".join(texts)
    raise bad(f"{where} must be a string or a list of text parts.", where, "invalid_type")


def _messages(value: Any) -> tuple[ChatMessage, ...]:
    if not isinstance(value, list) or not value:
        raise bad("'messages' must be a non-empty list.", "messages", "missing_required")
    out = []
    for i, msg in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise bad(
                f"{where} must be an object with 'role' and 'content'.", where, "invalid_type"
            )
        role = "system" if msg.get("role") == "developer" else msg.get("role")
        if role not in ROLES:
            raise bad(
                f"{where}.role must be one of system, user, assistant; got {msg.get('role')!r}.",
                f"{where}.role",
                "invalid_value",
            )
        out.append(ChatMessage(str(role), _content(msg.get("content"), f"{where}.content")))
    return tuple(out)


# --- request parsers ------------------------------------------------------------------------


def parse_chat(body: dict[str, Any], base: SamplingParams, limits: Limits) -> GenerateRequest:
    """Check a ``/v1/chat/completions`` body."""
    for unsupported in ("tools", "functions", "response_format"):
        if body.get(unsupported):
            raise bad(
                f"'{unsupported}' is not supported by this server.",
                unsupported,
                "unsupported_parameter",
            )
    messages = _messages(body.get("messages"))
    stream, include = _stream_flags(body)
    return GenerateRequest(sampling(body, base, limits), stream, include, messages=messages)


def parse_completion(body: dict[str, Any], base: SamplingParams, limits: Limits) -> GenerateRequest:
    """Check a ``/v1/completions`` body (one prompt string)."""
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str) or not prompt:
        raise bad("'prompt' must be a non-empty string.", "prompt", "missing_required")
    if len(prompt) > limits.max_text_chars:
        raise bad(
            f"'prompt' is longer than {limits.max_text_chars:,} characters.", "prompt", "too_long"
        )
    stream, include = _stream_flags(body)
    return GenerateRequest(sampling(body, base, limits), stream, include, prompt=prompt)


def parse_translate(body: dict[str, Any], base: SamplingParams, limits: Limits) -> TranslateRequest:
    """Check a ``/v1/translate`` body: ``text``, ``target_language``, ``source_language``."""
    text = _text(body, "text", limits)
    names = {}
    for key in ("target_language", "source_language"):
        raw = _text(body, key, limits, required=key == "target_language")
        lang = find_language(raw) if raw.strip() else None
        if raw.strip() and lang is None:
            raise bad(
                f"Unknown language {raw!r} in '{key}'; use a code such as 'en', "
                "'zh-Hans', 'fr' or an English name.",
                key,
                "invalid_value",
            )
        names[key] = lang.name if lang else ""
    params = sampling(body, replace(base, temperature=0.2), limits)
    return TranslateRequest(text, names["target_language"], names["source_language"], params)


def parse_rewrite(body: dict[str, Any], base: SamplingParams, limits: Limits) -> RewriteRequest:
    """Check a ``/v1/rewrite`` body: ``text``, ``action``, ``tone``, ``instruction``."""
    text = _text(body, "text", limits)
    action = _text(body, "action", limits, required=False) or "rewrite"
    tone = _text(body, "tone", limits, required=False) or "formal"
    instruction = _text(body, "instruction", limits, required=False)
    try:
        spec = find_action(action)
    except ValueError as exc:
        raise bad(str(exc), "action", "invalid_value") from exc
    try:
        task_text(spec, tone, instruction)
    except ValueError as exc:
        param = "tone" if tone not in TONES else "instruction"
        raise bad(str(exc), param, "invalid_value") from exc
    params = sampling(body, replace(base, temperature=0.2), limits)
    return RewriteRequest(text, spec.name, tone, instruction, params)


# --- responses ------------------------------------------------------------------------------


def new_id(prefix: str) -> str:
    """An id like ``chatcmpl-3f2a…``."""
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def usage(stats: GenerationStats | None) -> dict[str, int]:
    """OpenAI ``usage`` from the engine's stats."""
    p = stats.prompt_tokens if stats else 0
    c = stats.completion_tokens if stats else 0
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def finish_reason(stats: GenerationStats | None) -> str:
    return "length" if stats is not None and stats.finish_reason == "length" else "stop"


@dataclass(frozen=True)
class Shape:
    """How one kind of generation is written: ids, object names, where the text goes."""

    id_prefix: str
    object: str
    chunk_object: str
    whole: Callable[[str], dict[str, Any]]  # text → the choice's content fields
    part: Callable[[str], dict[str, Any]]  # piece → the chunk choice's content fields


CHAT = Shape(
    "chatcmpl",
    "chat.completion",
    "chat.completion.chunk",
    lambda t: {"message": {"role": "assistant", "content": t}},
    lambda t: {"delta": {"content": t}},
)
COMPLETION = Shape(
    "cmpl", "text_completion", "text_completion", lambda t: {"text": t}, lambda t: {"text": t}
)


def response(
    shape: Shape, rid: str, model: str, text: str, stats: GenerationStats | None
) -> dict[str, Any]:
    """A whole (non-streamed) completion object."""
    choice = {
        "index": 0,
        **shape.whole(text),
        "logprobs": None,
        "finish_reason": finish_reason(stats),
    }
    return {
        "id": rid,
        "object": shape.object,
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": usage(stats),
    }


def chunk(
    shape: Shape, rid: str, model: str, piece: str | None, finish: str | None = None
) -> dict[str, Any]:
    """One streamed chunk: a text piece, or (``piece=None``) the final empty delta."""
    fields: dict[str, Any]
    if piece is not None:
        fields = shape.part(piece)
    else:
        fields = {"delta": {}} if shape is CHAT else {"text": ""}
    choice = {"index": 0, **fields, "logprobs": None, "finish_reason": finish}
    return {
        "id": rid,
        "object": shape.chunk_object,
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }


def usage_chunk(
    shape: Shape, rid: str, model: str, stats: GenerationStats | None
) -> dict[str, Any]:
    """The extra last chunk sent when ``stream_options.include_usage`` is true."""
    return {
        "id": rid,
        "object": shape.chunk_object,
        "created": int(time.time()),
        "model": model,
        "choices": [],
        "usage": usage(stats),
    }
