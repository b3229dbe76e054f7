"""Answers the single-instance requests inside the running app."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from llmasos.apps.gui.everywhere.hotkeys import GlobalHotkeys
from llmasos.apps.gui.everywhere.instance import InstanceServer, hand_over
from llmasos.apps.gui.everywhere.selection import has_selection_support, read_selection
from llmasos.apps.gui.everywhere.tray import Tray, keep_running_without_windows
from llmasos.foundation.settings.store import EverywhereConfig

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from llmasos.apps.gui.everywhere.ask import AskBox
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.apps.gui.everywhere.replace import Replacer
    from llmasos.apps.gui.everywhere.screen_ocr import Recognized, ScreenOcr
    from llmasos.kernel.kernel import Kernel


__all__ = ["ChatOpener", "Everywhere", "TextOpener", "hand_over", "serve"]

# the actions on a picked screen region, and what runs on its text ("": show it)
REGION_ACTIONS = {"ocr": "", "ocr-translate": "translate"}


class TextOpener(Protocol):
    """The main window's side of the popup's *Open in Write/Translate*: show ``tool``
    ("write" or "translate") holding ``text`` and ``answer`` (``action``, ``to``, ``tone``
    as the popup ran them)."""

    def __call__(
        self, tool: str, text: str, answer: str, action: str, to: str, tone: str
    ) -> None: ...


# the main window's side of the Ask box's *Continue in Chat*: a new conversation titled
# ``title`` holding ``prompt`` (the question as asked) and its ``answer``, on show
ChatOpener = Callable[[str, str, str], None]


class Everywhere(QObject):
    """The app's side of ``llmasos`` (second start), ``llmasos do`` and the global shortcuts.

    Signals (GUI thread):
        hotkeys_reported: the translated problems of the shortcuts (empty: all work).
    """

    hotkeys_reported = Signal(list)

    def __init__(
        self,
        window: QWidget,
        kernel: Kernel,
        open_model: Callable[[Path], None],
        parent: QObject | None = None,
        open_text: TextOpener | None = None,
        open_chat: ChatOpener | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_chat = open_chat
        self.window = window
        self.kernel = kernel
        self._open_model = open_model
        self._open_text = open_text
        self._popup: ActionPopup | None = None
        self._replacer: Replacer | None = None
        self.handled: list[str] = []  # the commands answered so far (``state`` reports them)
        self.server = InstanceServer(self.handle, self)
        self.config = EverywhereConfig()
        self.hotkeys = GlobalHotkeys(self)
        self.hotkeys.triggered.connect(self.on_hotkey)
        self.hotkeys.reported.connect(lambda: self.hotkeys_reported.emit(self.hotkeys.problems()))
        self._source_window = 0  # the X window that had the focus when the action started
        self.last_replace: dict[str, Any] = {}
        self.last_capture: dict[str, Any] = {}  # ms to read the focus and the selection
        self._ask: AskBox | None = None
        self._ocr: ScreenOcr | None = None
        self._ocr_follow: tuple[str, str] = ("", "formal")  # to, tone of the OCR's action
        self.last_ocr: dict[str, Any] = {}
        self.tray: Tray | None = None
        self.quitting = False  # Quit was chosen: closing the window ends the app
        self.on_tray_explained: Callable[[], None] | None = None  # remember it was said
        self._model_loading = False
        self._waiting: tuple[str, str, str, str, int, bool] | None = None  # run once loaded
        kernel.loading.connect(self._on_loading)
        kernel.loaded.connect(self._on_model_ready)
        kernel.load_failed.connect(self._on_model_ready)

    def _on_loading(self, _path: str) -> None:
        self._model_loading = True

    def _on_model_ready(self, _info: object) -> None:
        """The model loaded (or failed to): run the action that waited for it."""
        self._model_loading = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None and self._popup is not None and self._popup.isVisible():
            self.run_action(*waiting)

    @property
    def ask_box(self) -> AskBox:
        if self._ask is None:  # built on first use
            from llmasos.apps.gui.everywhere.ask import AskBox

            self._ask = AskBox(self.kernel)
            self._ask.continue_requested.connect(self._continue_in_chat)
        return self._ask

    def _continue_in_chat(self, title: str, prompt: str, answer: str) -> None:
        """The Ask box's *Continue in Chat*: the main window takes the exchange over."""
        self.ask_box.hide()
        if self._open_chat is not None:
            self._open_chat(title, prompt, answer)
        else:
            self.show_window()

    def open_ask(self, context: str) -> None:
        """Open the Ask box with ``context`` (the selection) for the question."""
        self.ask_box.open(context)

    # -- the tray ------------------------------------------------------------------------
    def start_tray(self, icon: QIcon) -> None:
        """Show the tray icon (where the desktop has a tray) and wire its menu."""
        self.tray = Tray(icon, self)
        self.tray.action_requested.connect(self._tray_action)
        self.tray.ask_requested.connect(lambda: self.open_ask(read_selection()))
        self.tray.last_answer_requested.connect(lambda: self.popup.show_last())
        self.tray.show_requested.connect(self.show_window)
        self.tray.quit_requested.connect(self.quit)
        self.tray.show()
        if self.tray.is_shown:
            keep_running_without_windows()  # the popup or Ask box closing must not quit

    def _tray_action(self, action: str) -> None:
        to = self.config.translate_to if action in ("translate", "ocr-translate") else ""
        self.handled.append(f"tray:{action}")
        self.run_action(action, read_selection(), to)

    def keeps_running_on_close(self) -> bool:
        """Asked when the main window closes: True hides it and keeps the app in the tray.

        The first time, a tray message says so. Otherwise the app quits with the window.
        """
        tray = self.tray
        if self.quitting or tray is None or not tray.is_shown or not self.config.keep_in_tray:
            if not QGuiApplication.quitOnLastWindowClosed():  # the tray turned that off
                QTimer.singleShot(0, QCoreApplication.quit)
            return False
        if not self.config.tray_explained:
            tray.explain()
            self.config = replace(self.config, tray_explained=True)
            if self.on_tray_explained is not None:
                self.on_tray_explained()
        return True

    def quit(self) -> None:
        """Quit for good (the tray's Quit): the main window closes and the app ends."""
        self.quitting = True
        self.window.close()
        QCoreApplication.quit()

    # -- text in images --------------------------------------------------------------
    @property
    def screen_ocr(self) -> ScreenOcr:
        if self._ocr is None:  # built on first use (the OCR models load with the first image)
            from llmasos.apps.gui.everywhere.screen_ocr import ScreenOcr

            self._ocr = ScreenOcr(self)
            self._ocr.started.connect(self._ocr_started)
            self._ocr.recognized.connect(self._ocr_done)
            self._ocr.failed.connect(self._ocr_failed)
        return self._ocr

    def start_region_ocr(self, follow: str = "", to: str = "") -> None:
        """Let the person pick a screen region, then show its text in the popup
        (``follow``: run that action on the text instead, e.g. translate into ``to``)."""
        if self._ocr is not None and self._ocr.is_picking:
            return  # a second press while picking: a new grab would show the overlay itself
        self._ocr_follow = (to, "formal")
        session = self.hotkeys.session
        if session is not None and session.is_wayland:
            # Wayland shows no program the screen: the desktop's own tool picks the region
            portal = self.hotkeys.portal
            if portal is not None and self.screen_ocr.pick_through(portal, follow):
                return
            why = QCoreApplication.translate(
                "Everywhere",
                "On Wayland, LLMasOS can read the screen only through the desktop's "
                "screenshot portal, which this desktop does not offer. Copy a screenshot "
                "with your desktop's tool, then use an action with nothing selected: it "
                "reads the text of the image on the clipboard.",
            )
        elif self.screen_ocr.pick(follow):
            return
        else:
            why = QCoreApplication.translate(
                "Everywhere", "The screen cannot be captured on this desktop."
            )
        self.popup.show_text(QCoreApplication.translate("Everywhere", "Text in the image"), "", why)

    def clipboard_image_ocr(self, action: str, to: str = "", tone: str = "formal") -> bool:
        """Run ``action`` on the text of the clipboard's image; False when it holds none."""
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            return False
        self._ocr_follow = (to, tone)
        self.screen_ocr.read(image, follow=action)
        return True

    def _ocr_started(self) -> None:
        self._source_window = 0  # text from an image: Replace has nowhere to paste
        self.popup.show_busy(
            QCoreApplication.translate("Everywhere", "Text in the image"),
            QCoreApplication.translate("Everywhere", "Recognizing text…"),
        )

    def _ocr_done(self, done: Recognized) -> None:
        result = done.result
        self.last_ocr = {
            "lines": len(result.lines),
            "elapsed_ms": result.elapsed_s * 1000,
            "note": done.note,
        }
        if done.follow and result.text.strip():
            to, tone = self._ocr_follow
            self.run_action(done.follow, result.text, to, tone, from_image=True)
            return
        status = (
            QCoreApplication.translate(
                "Everywhere", "{lines} lines recognized in {seconds:.1f} s."
            ).format(lines=len(result.lines), seconds=result.elapsed_s)
            if result.lines
            else QCoreApplication.translate("Everywhere", "No text was found in the image.")
        )
        if done.note:  # the desktop's screenshot file stayed: say where
            status = f"{status} {done.note}"
        self.popup.translate_to = self.config.translate_to
        self.popup.show_text(
            QCoreApplication.translate("Everywhere", "Text in the image"), result.text, status
        )

    def _ocr_failed(self, message: str, _follow: str) -> None:
        self.last_ocr = {"error": message}
        self.popup.show_text(
            QCoreApplication.translate("Everywhere", "Text in the image"), "", message
        )

    @property
    def popup(self) -> ActionPopup:
        if self._popup is None:  # built on first use: start-up stays light
            from llmasos.apps.gui.everywhere.popup import ActionPopup

            self._popup = ActionPopup(self.kernel)
            self._popup.replace_requested.connect(self.replace)
            self._popup.open_requested.connect(self._open_in_window)
        return self._popup

    def _open_in_window(self, tool: str, text: str, answer: str) -> None:
        """The popup's *Open in Write/Translate*: the main window takes the text over."""
        action, _text, to, tone = self.popup.job
        self.popup.hide()  # the window comes forward; the popup keeps its answer
        if self._open_text is not None:
            self._open_text(tool, text, answer, action, to, tone)
        else:
            self.show_window()

    def apply_settings(self, config: EverywhereConfig) -> list[str]:
        """Register the shortcuts of ``config``; return (and emit) what does not work."""
        self.config = config
        self.hotkeys.apply(config.hotkeys(), config.translate_to)
        problems = self.hotkeys.problems()
        self.hotkeys_reported.emit(problems)
        return problems

    def on_hotkey(self, action: str) -> None:
        """A global shortcut was pressed (GUI thread): act on the selection."""
        self.handled.append(f"hotkey:{action}")
        source, text = self._capture()
        if action == "ask":
            self.open_ask(text)
            return
        to = self.config.translate_to if action == "translate" else ""
        self.run_action(action, text, to, source_window=source)

    def _capture(self) -> tuple[int, str]:
        """The focused X window and the selection, timed (``state``'s ``capture``)."""
        started = time.perf_counter()
        source, text = self._focused_window(), read_selection()
        ms = (time.perf_counter() - started) * 1000
        self.last_capture = {"ms": round(ms, 2), "chars": len(text)}
        return source, text

    def _focused_window(self) -> int:
        x11 = self.hotkeys.x11
        if x11 is None:
            return 0
        window = x11.focused_window()
        QTimer.singleShot(0, self.hotkeys.drain)  # events read meanwhile (not re-entrantly)
        return window

    def replace(self, text: str) -> None:
        """Paste ``text`` into the window the selection came from; clipboard restored."""
        x11 = self.hotkeys.x11
        if x11 is None or not self._source_window or not self.popup.can_replace:
            return
        if self._replacer is None:
            from llmasos.apps.gui.everywhere.replace import Replacer

            self._replacer = Replacer(x11, self)
            self._replacer.finished.connect(self._replaced)
        self.popup.hide()  # the source window gets the focus back
        self._replacer.start(text, self._source_window)

    def _replaced(self, ok: bool, message: str) -> None:
        self.last_replace = {"ok": ok, "message": message}
        self.hotkeys.drain()  # shortcuts pressed while the paste used the X connection
        self.popup.replace_done(ok, message)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one (valid) request; the work itself runs after the reply is sent."""
        cmd = request["cmd"]
        if cmd == "state":
            state = self._popup.state() if self._popup is not None else {"visible": False}
            info = self.kernel.model_info
            model = info.display_name if info is not None else None
            hotkeys = [
                {
                    "action": r.action,
                    "shortcut": r.shortcut,
                    "status": r.status,
                    "message": r.message,
                }
                for r in self.hotkeys.reports
            ]
            return {
                "ok": True,
                "popup": state,
                "model": model,
                "handled": self.handled,
                "hotkeys": hotkeys,
                "session": self.hotkeys.session.kind.value if self.hotkeys.session else None,
                "problems": self.hotkeys.problems(),  # as Settings › Everywhere shows them
                "replace": self.last_replace,
                "capture": self.last_capture,
                "source_window": self._source_window,
                "ask": self._ask.state() if self._ask is not None else {"visible": False},
                "tray": self.tray is not None and self.tray.is_shown,
                "region": {"visible": self._ocr is not None and self._ocr.is_picking},
                "ocr": self.last_ocr,
                "pid": os.getpid(),
            }
        self.handled.append(cmd)
        if cmd == "show":
            QTimer.singleShot(0, self.show_window)
        elif cmd == "open_model":
            path = Path(request["path"])
            QTimer.singleShot(0, lambda: self._show_and_open(path))
        elif cmd == "do":
            action = str(request["action"])
            to, tone = str(request.get("to") or ""), str(request.get("tone") or "formal")
            # read the selection now, while it is still the one the person made
            source, text = self._capture()
            if action == "ask":  # the Ask box, the selection as context (as its shortcut)
                QTimer.singleShot(0, lambda: self.open_ask(text))
            elif not text.strip() and action not in REGION_ACTIONS and _clipboard_has_image():
                # nothing selected, an image on the clipboard: act on the image's text
                QTimer.singleShot(0, lambda: self.clipboard_image_ocr(action, to, tone))
            else:
                QTimer.singleShot(0, lambda: self.run_action(action, text, to, tone, source))
        return {"ok": True}

    def _show_and_open(self, path: Path) -> None:
        self.show_window()
        self._open_model(path)

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def run_action(
        self,
        action: str,
        text: str,
        to: str = "",
        tone: str = "formal",
        source_window: int = 0,
        from_image: bool = False,
    ) -> None:
        """Open the popup on ``text``; say why when there is nothing to work on.

        ``source_window``: the X window the text came from (0: unknown, no Replace).
        ``from_image``: the text was recognized in an image (the popup shows it, editable).
        ``"ocr"`` and ``"ocr-translate"`` ignore the text: they pick a screen region instead
        (``ocr-translate`` then translates its text into ``to``, by default the target of
        Settings › Everywhere).
        """
        if action in REGION_ACTIONS:
            follow = REGION_ACTIONS[action]
            self.start_region_ocr(follow, (to or self.config.translate_to) if follow else "")
            return
        popup = self.popup
        self._source_window = source_window
        popup.run(action, text, to, tone, can_replace=bool(source_window), from_image=from_image)
        if text.strip() and self.kernel.model_info is None and self._model_loading:
            # a start by llmasos do: the last model is still loading; answer once it is
            self._waiting = (action, text, to, tone, source_window, from_image)
            popup.status.setText(
                QCoreApplication.translate(
                    "Everywhere", "The model is still loading; the answer follows."
                )
            )
        if not text and not has_selection_support():
            popup.status.setText(
                QCoreApplication.translate(
                    "Everywhere", "This desktop has no text selection LLMasOS can read."
                )
            )

    def close(self) -> None:
        self.server.close()
        if self._ocr is not None:
            self._ocr.close()
            self._ocr = None
        self.hotkeys.close()
        if self.tray is not None:
            self.tray.close()
        if self._ask is not None:
            self._ask.close()
            self._ask.deleteLater()
            self._ask = None
        if self._popup is not None:
            self._popup.close()
            self._popup.deleteLater()
            self._popup = None


def serve(
    window: QWidget,
    kernel: Kernel,
    open_model: Callable[[Path], None],
    config: EverywhereConfig | None = None,
    icon: QIcon | None = None,
    open_text: TextOpener | None = None,
    open_chat: ChatOpener | None = None,
    model_loading: bool = False,
) -> Everywhere:
    """Start answering requests of later ``llmasos`` starts and ``llmasos do``, register
    the global shortcuts of ``config`` and show the tray icon (with ``icon``).
    ``open_text``: how the popup's *Open in Write/Translate* reaches the main window;
    ``open_chat``: how the Ask box's *Continue in Chat* does; ``model_loading``: a model
    load was queued before (the app's start-up load), so an action waits for it as for
    one seen starting."""
    everywhere = Everywhere(
        window, kernel, open_model, parent=window, open_text=open_text, open_chat=open_chat
    )
    everywhere._model_loading = model_loading
    everywhere.server.listen()
    everywhere.apply_settings(config or EverywhereConfig())
    if icon is not None:
        everywhere.start_tray(icon)
    return everywhere


def _clipboard_has_image() -> bool:
    mime = QGuiApplication.clipboard().mimeData()
    return mime is not None and mime.hasImage()
