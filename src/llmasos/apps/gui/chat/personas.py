"""The persona box: built-in personas by their name in the UI language, the person's
own ones by the name they gave. The box's item data is the stored name ("Assistant"),
which conversations keep whatever the UI language."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP

# the keys are services.chat.personas.BUILTIN_PERSONAS's (a test keeps them in step)
BUILTIN_LABELS = {
    "Assistant": QT_TRANSLATE_NOOP("PersonaBox", "Assistant"),
    "Translator": QT_TRANSLATE_NOOP("PersonaBox", "Translator"),
    "Coder": QT_TRANSLATE_NOOP("PersonaBox", "Coder"),
    "Tutor": QT_TRANSLATE_NOOP("PersonaBox", "Tutor"),
}


def persona_label(name: str) -> str:
    """What the box shows for the persona stored as ``name``."""
    source = BUILTIN_LABELS.get(name)
    return QCoreApplication.translate("PersonaBox", source) if source else name


class PersonaBox(QComboBox):
    """A choice of persona; :attr:`chosen` carries the stored name of the one picked."""

    chosen = Signal(str)

    def __init__(self, names: Iterable[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for name in names:
            self.addItem(persona_label(name), name)
        self.activated.connect(lambda _index: self.chosen.emit(self.name()))

    def name(self) -> str:
        """The stored name of the persona shown ("" when the box is empty)."""
        data = self.currentData()
        return data if isinstance(data, str) else ""

    def set_name(self, name: str) -> None:
        """Show the persona stored as ``name``; an unknown name leaves the box as it is."""
        index = self.findData(name)
        if index >= 0:
            self.setCurrentIndex(index)


__all__ = ["BUILTIN_LABELS", "PersonaBox", "persona_label"]
