"""The chat messages for an action on selected text (data in, messages out)."""

from __future__ import annotations

from collections.abc import Sequence

from llmasos.errors import WritingError
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.services.text.language import find_language
from llmasos.services.writing.actions import build_messages, find_action, task_text

#: Stop sequences for the actions that delimit the text (small models echo the markers).
STOP = ("</text>", "<text>")

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

    ``translate`` uses ``to`` (a language code or name; English when empty), ``rewrite``
    uses ``tone``. ``ask`` sends the text as the question itself.

    Raises:
        WritingError: an unknown action, language or tone.
    """
    if action == "ask":
        return (ChatMessage("user", text),)
    if action == "translate":
        language = find_language(to or "en")
        if language is None:
            raise WritingError(f"Unknown language {to!r}; use a code such as zh, fr or en.")
        task = (
            f"Translate the text into {language.name}. "
            "Reply with the translation only, in the target language."
        )
        return build_messages(task, text)
    if action in _TASKS:
        return build_messages(_TASKS[action], text)
    if action in ("proofread", "rewrite", "summarize"):
        spec = find_action(action)
        return build_messages(task_text(spec, tone), text, spec.example)
    raise WritingError(f"Unknown action {action!r}.")
