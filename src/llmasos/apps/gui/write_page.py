"""The Write page: proofread, rewrite, shorten or summarize a text."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QWidget

from llmasos.foundation.engine import SamplingParams
from llmasos.kernel.kernel import Kernel

from .tool_pages import SourceTargetPage

WRITE_ACTIONS = {
    "Proofread": "Correct the spelling, grammar and punctuation of the text. Keep its meaning, "
                 "style and language. Reply with the corrected text only.",
    "Rewrite (formal)": "Rewrite the text in a formal tone, in the same language. Reply with "
                        "the rewritten text only.",
    "Shorten": "Make the text shorter, keeping its key points and its language. Reply with the "
               "shorter text only.",
    "Summarize": "Summarize the text in a few sentences, in the same language. Reply with the "
                 "summary only.",
}

class WritePage(SourceTargetPage):
    """Proofread, rewrite, shorten or summarize a text."""

    tool = "write"

    def __init__(self, kernel: Kernel, params: Callable[[], SamplingParams],
                 parent: QWidget | None = None) -> None:
        actions = QComboBox()
        actions.addItems(list(WRITE_ACTIONS))
        actions.setAccessibleName("Writing action")
        super().__init__(kernel, params, actions, "&Run", parent)

    def instruction(self) -> str:
        return WRITE_ACTIONS[self.options.currentText()]
