"""The chat messages for an action on selected text (data in, messages out).

Translate is the one action that is no prompt here: it is the translator's own request
(:func:`translation_request`), as the Translate window runs it, so a popup translation
gets its protected items, checks and repairs, and keeps the source's lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from llmasos.errors import WritingError
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.services.text.hygiene import clean_output, excerpt, looks_like_chatter
from llmasos.services.text.language import same_language
from llmasos.services.text.notice import Notice
from llmasos.services.translation.service import (
    DEFAULT_SAMPLING,
    TranslationRequest,
    TranslationResult,
    alternate_target,
    resolve_languages,
)
from llmasos.services.writing.actions import build_messages, find_action, task_text, unshield

#: Stop sequences for the actions that delimit the text (small models echo the markers).
STOP = ("</text>", "<text>")
_MAX_TOKENS = 512  # a popup answer; a longer text belongs in the Write or Translate window

_TASKS = {
    "explain": "Explain what the text means, simply, in a few sentences.",
}


def ask_messages(question: str, context: str = "") -> Sequence[ChatMessage]:
    """The messages of the Ask box: ``question``, with the selected text as ``context``.

    The context is delimited as material, so a selection that reads like an instruction
    is not taken as one.
    """
    if not context.strip():
        return (ChatMessage("user", question),)
    return (
        ChatMessage(
            "user",
            "Here is some text I selected:\n\n<text>\n"
            f"{context}\n</text>\n\nAnswer my question about it: {question}",
        ),
    )


def action_messages(
    action: str, text: str, to: str = "", tone: str = "formal"
) -> Sequence[ChatMessage]:
    """The messages asking the model to run ``action`` on ``text``.

    ``rewrite`` uses ``tone``. ``ask`` sends the text as the question itself. Translate
    has a request of its own (:func:`translation_request`).

    Raises:
        WritingError: an unknown action or tone, or translate.
    """
    if action == "ask":
        return (ChatMessage("user", text),)
    if action in _TASKS:
        return build_messages(_TASKS[action], text)
    if action in ("proofread", "rewrite", "summarize"):
        spec = find_action(action)
        return build_messages(task_text(spec, tone), text, spec.example)
    if action == "translate":
        raise WritingError("Translate runs the translator: use translation_request().")
    raise WritingError(f"Unknown action {action!r}.")


def translation_request(
    text: str, to: str = "", attempt: int = 0, last_source: str = "en"
) -> TranslationRequest:
    """The translator's request for the popup's translation of ``text`` into ``to``
    (a language code or name; English when empty).

    Text already in ``to`` goes into another language, as in the Translate window
    (:func:`~llmasos.services.translation.service.alternate_target`: ``last_source``,
    the language last translated from, or Chinese ↔ English): the request's ``target``
    is then that language, for the popup to show. Only a confident detection switches;
    a short or mixed text goes into ``to`` as asked.

    The source's lines are kept (text from an image is line based, and so is a list or
    a poem), and the sampling is :func:`action_params`' (``attempt``: the Retry presses).

    Raises:
        UnknownLanguageError: ``to`` is no language LLMasOS knows.
    """
    request = TranslationRequest(
        text, target=to or "en", keep_lines=True, params=action_params("translate", attempt)
    )
    _source, target, detection = resolve_languages(request)  # an unknown language: now
    if (
        detection is not None
        and detection.is_confident
        and same_language(detection.lang, target.code)
    ):
        request = replace(request, target=alternate_target(last_source, target.code))
    return request


def finish_translation(result: TranslationResult) -> tuple[str, str]:
    """What the popup shows (and Replace pastes) for a finished translation, and why it
    should not be used ("" when it can): empty, talk instead of a translation, or
    another language than the one asked for. Its other problems (a number missing, a
    word left untranslated) are the person's to check: :attr:`TranslationResult.problems`."""
    text = result.text.strip()
    if not text:
        return "", Notice("The model gave an empty answer.")
    if result.wrong_language:  # its note is the last one (the check ends the run)
        return text, result.problems[-1]
    if result.chatter:
        return text, Notice("The model talked instead of translating.")
    return text, ""


def finish_answer(action: str, source: str, raw: str) -> tuple[str, str]:
    """What the popup shows (and Replace pastes) for the model's ``raw`` reply to
    ``action`` on ``source``, and why it should not be used ("" when it can).

    The same hygiene as the Write and Translate windows: a lead-in ("Here is the
    corrected text:"), wrapping quotes, a closing aside ("[no error, no need to edit]")
    go; a refusal or an answer to the text instead of work on it is reported. ``ask``
    answers a question, so its reply is kept as written."""
    if action == "ask":
        return raw.strip(), ""
    answer = unshield(clean_output(raw, source), source)
    if not answer:
        return raw.strip(), Notice("The model gave an empty answer.")
    if looks_like_chatter(answer) and not looks_like_chatter(source):
        return answer, Notice(
            "The model did not do the task; it answered: {answer}", answer=excerpt(answer)
        )
    return answer, ""


def action_params(action: str, attempt: int = 0) -> SamplingParams:
    """How the popup samples ``action``: the translator's calibrated near-greedy settings
    for work on the selection (the same text gives the same answer, as in the Translate
    window), the defaults for a question (``ask``). ``attempt`` (the Retry presses) moves
    the seed, so that Retry asks for another answer."""
    if action == "ask":
        return SamplingParams(max_tokens=_MAX_TOKENS)
    seed = (DEFAULT_SAMPLING.seed or 0) + attempt
    return replace(DEFAULT_SAMPLING, max_tokens=_MAX_TOKENS, stop=STOP, seed=seed)
