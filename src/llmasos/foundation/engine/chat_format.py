"""Turn a list of chat messages into the exact prompt text a model expects.

The model's own template (``tokenizer.chat_template``) is rendered in
llama-cpp-python's sandboxed Jinja environment. A model without one, or whose
template fails to render, gets a fallback chosen from its vocabulary and
architecture, and the choice is reported (``ChatFormat.name``, ``warning``) rather
than silently guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from llmasos.errors import ChatTemplateError
from llmasos.foundation.gguf.model_info import ModelInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation. ``role`` is "system", "user" or "assistant"."""

    role: str
    content: str


@dataclass(frozen=True)
class RenderedPrompt:
    """A conversation rendered for one model: text to tokenize with special tokens on."""

    text: str
    stop: tuple[str, ...]


Renderer = Callable[[Sequence[ChatMessage], str], str]


def _merge_system(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Fold a leading system message into the first user turn (for formats without one)."""
    msgs = list(messages)
    if msgs and msgs[0].role == "system":
        system, rest = msgs[0].content, msgs[1:]
        if rest and rest[0].role == "user":
            return [ChatMessage("user", f"{system}\n\n{rest[0].content}"), *rest[1:]]
        return [ChatMessage("user", system), *rest]
    return msgs


def _gemma(messages: Sequence[ChatMessage], bos: str) -> str:
    parts = [bos]
    for m in _merge_system(messages):
        role = "model" if m.role == "assistant" else "user"
        parts.append(f"<start_of_turn>{role}\n{m.content.strip()}<end_of_turn>\n")
    parts.append("<start_of_turn>model\n")
    return "".join(parts)


def _chatml(messages: Sequence[ChatMessage], bos: str) -> str:
    body = "".join(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages)
    return body + "<|im_start|>assistant\n"


def _llama3(messages: Sequence[ChatMessage], bos: str) -> str:
    body = "".join(
        f"<|start_header_id|>{m.role}<|end_header_id|>\n\n{m.content.strip()}<|eot_id|>"
        for m in messages
    )
    return f"{bos}{body}<|start_header_id|>assistant<|end_header_id|>\n\n"


def _inst(messages: Sequence[ChatMessage], bos: str) -> str:
    parts = [bos]
    for m in _merge_system(messages):
        if m.role == "user":
            parts.append(f"[INST] {m.content.strip()} [/INST]")
        else:
            parts.append(f" {m.content.strip()}</s>")
    return "".join(parts)


def _phi(messages: Sequence[ChatMessage], bos: str) -> str:
    body = "".join(f"<|{m.role}|>\n{m.content}<|end|>\n" for m in messages)
    return body + "<|assistant|>\n"


def _plain(messages: Sequence[ChatMessage], bos: str) -> str:
    names = {"system": "System", "user": "User", "assistant": "Assistant"}
    body = "".join(
        f"{names.get(m.role, m.role.title())}: {m.content.strip()}\n\n" for m in messages
    )
    return f"{bos}{body}Assistant:"


@dataclass(frozen=True)
class _Fallback:
    name: str
    marker: str | None  # vocabulary token that identifies the format
    render: Renderer
    stop: tuple[str, ...]


# Checked in order: the first whose marker token is in the vocabulary wins.
_FALLBACKS: tuple[_Fallback, ...] = (
    _Fallback("gemma", "<start_of_turn>", _gemma, ("<end_of_turn>",)),
    _Fallback("chatml", "<|im_start|>", _chatml, ("<|im_end|>",)),
    _Fallback("llama3", "<|start_header_id|>", _llama3, ("<|eot_id|>",)),
    _Fallback("phi", "<|assistant|>", _phi, ("<|end|>",)),
    _Fallback("inst", "[INST]", _inst, ("</s>",)),
)
_PLAIN = _Fallback("plain", None, _plain, ("\nUser:", "\nSystem:"))


def _pick_fallback(info: ModelInfo) -> _Fallback:
    """The format whose turn markers the vocabulary has (gemma3 → gemma, ChatML tokens → chatml)."""
    return next((fb for fb in _FALLBACKS if fb.marker in info.special_tokens), _PLAIN)


class ChatFormat:
    """Renders conversations for one model. Create once per loaded model."""

    def __init__(self, info: ModelInfo) -> None:
        self._bos = info.bos_token or ""
        self._eos = info.eos_token or ""
        self._fallback = _pick_fallback(info)
        self._jinja: Callable[..., object] | None = None
        self.warning: str | None = None
        if info.chat_template:
            try:
                self._jinja = self._compile(info.chat_template)
                self._render_jinja([ChatMessage("system", "s"), ChatMessage("user", "u")])
            except ChatTemplateError as exc:
                self._jinja = None
                self._note_fallback(str(exc))
        elif self._fallback is _PLAIN:
            self.warning = (
                "This model has no chat template and no known turn markers; "
                "LLMasOS uses a plain 'User:/Assistant:' transcript. Answers may be poor: "
                "prefer an instruct model with a chat template."
            )
            log.warning(self.warning)

    @property
    def name(self) -> str:
        """ "template" for the model's own template, else the fallback's name."""
        return "template" if self._jinja is not None else self._fallback.name

    def _compile(self, template: str) -> Callable[..., object]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        try:
            return Jinja2ChatFormatter(template, eos_token=self._eos, bos_token=self._bos)
        except Exception as exc:  # jinja2 syntax errors and friends
            raise ChatTemplateError(f"The model's chat template does not compile: {exc}") from exc

    def _render_jinja(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        assert self._jinja is not None
        payload = [{"role": m.role, "content": m.content} for m in messages]
        try:
            result = self._jinja(messages=payload)
        except Exception as exc:  # SecurityError, TemplateError, raise_exception(...)
            raise ChatTemplateError(
                f"The model's chat template failed to render ({type(exc).__name__}: {exc})."
            ) from exc
        prompt = str(getattr(result, "prompt", ""))
        stop = tuple(s for s in (getattr(result, "stop", None) or ()) if s)
        return RenderedPrompt(prompt, stop)

    def _note_fallback(self, reason: str) -> None:
        self.warning = f"{reason} Using the '{self._fallback.name}' format instead."
        log.warning(self.warning)

    def render(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        """Render ``messages`` plus the opening of the assistant's reply."""
        if not messages:
            raise ValueError("A chat needs at least one message.")
        if self._jinja is not None:
            try:
                return self._render_jinja(messages)
            except ChatTemplateError as exc:
                self._note_fallback(str(exc))
        fb = self._fallback
        return RenderedPrompt(fb.render(messages, self._bos), fb.stop)
