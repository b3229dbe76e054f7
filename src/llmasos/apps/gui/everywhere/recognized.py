"""The text an action runs on when it came from an image, shown above the popup's answer.

The person checks the recognition there and corrects a misread word, with the line
breaks the text was read with; Retry then runs the action on the text as corrected.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class RecognizedText(QWidget):
    """A label and an editable box with the recognized text; hidden until shown."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._popup = parent
        # the popup's strings, in its context
        self.label = QLabel(QCoreApplication.translate("ActionPopup", "Recognized text"), self)
        self.label.setAccessibleName(QCoreApplication.translate("ActionPopup", "Recognized text"))
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName(
            QCoreApplication.translate("ActionPopup", "Recognized text, editable")
        )
        self.editor.setToolTip(
            QCoreApplication.translate(
                "ActionPopup",
                "Correct a misread word here, then press Retry to run the action again",
            )
        )
        self.label.setBuddy(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.editor, 1)
        self.hide()

    @property
    def is_shown(self) -> bool:
        """Whether the box is part of the popup (even while the popup is hidden)."""
        return self.isVisibleTo(self._popup)

    def show_text(self, text: str | None) -> None:
        """Show ``text``, editable; None hides the box."""
        self.setVisible(text is not None)
        if text is not None:
            self.editor.setPlainText(text)

    def text_or(self, text: str) -> str:
        """The text as the person corrected it, while shown and not blank; else ``text``."""
        edited = self.editor.toPlainText()
        return edited if self.is_shown and edited.strip() else text
