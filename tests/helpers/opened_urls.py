"""A stand-in for the desktop's URL handler: tests register it for ``file`` URLs with
``QDesktopServices.setUrlHandler`` and read what the app asked to open."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot


class Opened(QObject):
    """Takes ``file:`` URLs instead of the desktop (no program is started in tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)
