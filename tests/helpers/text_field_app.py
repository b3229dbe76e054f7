"""A separate application with one editable text field, for the system-wide tests.

Run as ``python tests/helpers/text_field_app.py TEXT``: it shows a line edit holding
TEXT, takes the keyboard focus, selects all of it (so it owns the PRIMARY selection, as
a person's selection would) and prints ``ready <window id>`` then every change of the
field as ``text <json string>``, one per line, flushed.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit


def main() -> int:
    app = QApplication([sys.argv[0], "-name", "text-field-app"])
    field = QLineEdit(sys.argv[1] if len(sys.argv) > 1 else "")
    field.setWindowTitle("text-field-app")
    field.resize(400, 40)
    field.move(300, 300)

    def report(text: str) -> None:
        print("text", json.dumps(text), flush=True)

    def ready() -> None:
        field.activateWindow()
        field.setFocus()
        field.selectAll()
        # what a mouse selection does on X11: the selected text becomes PRIMARY
        QGuiApplication.clipboard().setText(field.selectedText(), QClipboard.Mode.Selection)
        print("ready", int(field.winId()), flush=True)

    field.textChanged.connect(report)
    field.show()
    from PySide6.QtCore import QTimer

    QTimer.singleShot(200, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
