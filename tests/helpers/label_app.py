"""A separate application showing known text on screen, for the region-OCR tests.

Run as ``python tests/helpers/label_app.py X Y LINE...``: a frameless window at (X, Y)
(exact under a bare Xvfb, which has no window manager to move it) shows the lines black
on white in Noto Sans CJK at 28 px, then prints ``ready <width> <height>``, flushed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel


def main() -> int:
    app = QApplication([sys.argv[0], "-name", "label-app"])
    x, y, lines = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    label = QLabel("\n".join(lines))
    label.setWindowFlags(Qt.WindowType.FramelessWindowHint)
    label.setStyleSheet("background: white; color: black; padding: 16px;")
    font = QFont("Noto Sans CJK SC")
    font.setPixelSize(28)
    label.setFont(font)
    label.move(x, y)
    label.adjustSize()
    label.show()

    def ready() -> None:
        print("ready", label.width(), label.height(), flush=True)

    QTimer.singleShot(300, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
