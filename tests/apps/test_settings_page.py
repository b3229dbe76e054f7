"""The Settings page with real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from llmasos.apps.gui.common.theme import apply_theme, is_dark
from llmasos.apps.gui.settings.page import RELOAD_NOTE, RESTART_NOTE, SettingsPage
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.settings.store import AppSettings, HubConfig, ModelsConfig, SettingsStore


@pytest.fixture
def page(qtbot):
    widget = SettingsPage(SettingsStore())
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    apply_theme(QApplication.instance(), "system")


def test_shows_saved_values(qtbot):
    SettingsStore().save(
        AppSettings(hub=HubConfig(endpoint="https://hf-mirror.com", token="hf_abc"))
    )
    page = SettingsPage(SettingsStore())
    qtbot.addWidget(page)
    assert page.endpoint.text() == "https://hf-mirror.com"
    assert page.token.text() == "hf_abc"
    assert page.token.echoMode() == QLineEdit.EchoMode.Password
    assert page.threads.text() == "Auto" and page.gpu_layers.text() == "Auto"
    assert page.seed.text() == "Random"
    assert page.form_settings() == page.saved


def test_edit_apply_round_trips(page, qtbot):
    page.threads.setValue(4)
    page.gpu_layers.setValue(0)
    page.temperature.setValue(0.3)
    page.top_k.setValue(12)
    page.seed.setValue(1234)
    page.max_tokens.setValue(256)
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    page.enter_sends.setChecked(False)
    page.endpoint.setText("  https://hf-mirror.com  ")
    with qtbot.waitSignal(page.applied, timeout=2000) as blocker:
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    saved = blocker.args[0]
    assert isinstance(saved, AppSettings)
    loaded, warning = SettingsStore().load()
    assert warning is None and loaded == saved == page.saved
    assert loaded.engine.n_threads == 4 and loaded.engine.n_gpu_layers == 0
    assert loaded.sampling.temperature == pytest.approx(0.3)
    assert (loaded.sampling.top_k, loaded.sampling.seed, loaded.sampling.max_tokens) == (
        12,
        1234,
        256,
    )
    assert loaded.ui.theme == "dark" and loaded.ui.enter_sends is False
    assert loaded.hub.endpoint == "https://hf-mirror.com"
    assert page.notice_label.isVisible() and not page.error_label.isVisible()
    assert is_dark(QApplication.instance())  # the theme applies at once


def test_invalid_value_shows_error_and_keeps_file(page, qtbot):
    store = SettingsStore()
    store.save(AppSettings())
    before = store.path.read_bytes()
    page.endpoint.setText("ftp://x")
    with qtbot.assertNotEmitted(page.applied):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert page.error_label.isVisible()
    assert "hub.endpoint" in page.error_label.text()
    assert page.error_label.accessibleName() == "Error"
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["settings.json"]


def test_context_change_requests_reload(page, qtbot):
    page.n_ctx.setValue(2048)
    with qtbot.waitSignal(page.reload_requested, timeout=2000) as blocker:
        page.apply_button.click()
    engine = blocker.args[0]
    assert isinstance(engine, EngineSettings) and engine.n_ctx == 2048
    assert RELOAD_NOTE in page.notice_label.text()


def test_sampling_change_does_not_reload(page, qtbot):
    page.top_p.setValue(0.5)
    with (
        qtbot.assertNotEmitted(page.reload_requested),
        qtbot.waitSignal(page.applied, timeout=2000),
    ):
        page.apply_button.click()
    assert RELOAD_NOTE not in page.notice_label.text()


def test_language_change_asks_for_restart(page, qtbot):
    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    with qtbot.waitSignal(page.applied, timeout=2000):
        page.apply_button.click()
    assert RESTART_NOTE in page.notice_label.text()
    assert SettingsStore().load()[0].ui.language == "zh_CN"


def test_ctrl_s_applies(page, qtbot):
    page.activateWindow()
    page.max_tokens.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    page.max_tokens.setValue(77)
    with qtbot.waitSignal(page.applied, timeout=2000):
        qtbot.keyClick(page.max_tokens, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert SettingsStore().load()[0].sampling.max_tokens == 77


def test_restore_defaults_keeps_token_until_apply(page, qtbot):
    page.n_batch.setValue(64)
    page.token.setText("hf_keep")
    page.apply_button.click()
    page.restore_defaults()
    assert page.n_batch.value() == 512 and page.token.text() == "hf_keep"
    assert SettingsStore().load()[0].engine.n_batch == 64  # not saved yet
    with qtbot.waitSignal(page.reload_requested, timeout=2000):
        page.apply_button.click()
    assert SettingsStore().load()[0] == AppSettings(hub=HubConfig(token="hf_keep"))


def test_corrupt_file_warning_is_shown(qtbot):
    store = SettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{oops", encoding="utf-8")
    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert "default settings are in use" in page.error_label.text()
    assert page.form_settings() == AppSettings()


def test_preserves_fields_not_on_the_form(qtbot):
    store = SettingsStore()
    store.save(AppSettings(default_model="m.gguf", open_windows=("chat",)))
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.apply_button.click()
    loaded = store.load()[0]
    assert loaded.default_model == "m.gguf" and loaded.open_windows == ("chat",)


def test_every_control_is_named_and_explained(page):
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    controls = [w for w in page.findChildren(QWidget) if isinstance(w, kinds)]
    assert len(controls) >= 19
    for widget in controls:
        assert widget.accessibleName(), widget
        if not isinstance(widget.parent(), QAbstractSpinBox):  # not a spin box's own editor
            assert widget.toolTip(), widget.accessibleName()


def test_labels_have_mnemonics_and_buddies(page):
    labels = [lb for lb in page.findChildren(QLabel) if lb.buddy() is not None]
    assert len(labels) >= 13
    keys = [lb.text()[lb.text().index("&") + 1].lower() for lb in labels]
    keys += [
        b.text()[b.text().index("&") + 1].lower()
        for b in page.findChildren(QAbstractButton)
        if "&" in b.text()
    ]
    assert len(keys) == len(set(keys)), keys


def test_theme_switch_and_back(qtbot):
    app = QApplication.instance()
    apply_theme(app, "dark")
    assert is_dark(app)
    apply_theme(app, "light")
    assert not is_dark(app)
    apply_theme(app, "system")
    assert not is_dark(app)


def _wheel(widget: QWidget, notches: int = 1) -> QWheelEvent:
    """Turn the mouse wheel over the middle of ``widget`` (a real event); return it."""
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        at,
        QPointF(widget.mapToGlobal(at.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 * notches),  # towards the person: lower values, page scrolls down
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event


def test_the_wheel_scrolls_past_unfocused_fields(page, qtbot):
    page.activateWindow()
    page.apply_button.setFocus()
    page.min_p.setValue(0.05)
    page.top_k.setValue(40)
    page.theme.setCurrentIndex(1)
    boxes = (page.min_p, page.top_k, page.theme)
    assert not any(box.hasFocus() for box in boxes)
    events = [_wheel(box) for box in boxes]
    assert page.min_p.value() == pytest.approx(0.05)
    assert page.top_k.value() == 40 and page.theme.currentIndex() == 1
    assert not any(event.isAccepted() for event in events)  # passed on: the page scrolls
    for box in boxes:
        assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus
    page.min_p.setFocus()  # once the person clicked or tabbed into it, the wheel edits
    qtbot.waitUntil(page.min_p.hasFocus, timeout=2000)
    _wheel(page.min_p)
    assert page.min_p.value() == pytest.approx(0.04)


def test_load_last_model_is_shown_applied_and_restored_with_one_save(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore()
    store.save(AppSettings(models=ModelsConfig(recent=("/m/a.gguf",), load_last=False)))
    page = SettingsPage(store)
    qtbot.addWidget(page)
    box = page.load_last_model
    assert not box.isChecked()
    # while the page is open the main window records another model (it owns the list)
    store.save(replace(store.load()[0], models=ModelsConfig(recent=("/m/b.gguf", "/m/a.gguf"))))
    saves: list[AppSettings] = []
    real_save = store.save
    monkeypatch.setattr(store, "save", lambda s: (saves.append(s), real_save(s))[1])
    box.setChecked(True)
    with qtbot.waitSignal(page.applied, timeout=2000) as blocker:
        assert page.apply()
    assert len(saves) == 1
    expected = ModelsConfig(recent=("/m/b.gguf", "/m/a.gguf"), load_last=True)
    assert SettingsStore().load()[0].models == expected == blocker.args[0].models
    box.setChecked(False)
    page.restore_button.click()
    assert box.isChecked()  # the default is on
    assert page.apply() and len(saves) == 2
    assert SettingsStore().load()[0].models == expected


def test_apply_keeps_what_other_windows_saved_meanwhile(qtbot) -> None:
    store = SettingsStore()
    page = SettingsPage(store)
    qtbot.addWidget(page)
    latest = replace(store.load()[0], default_model="/m/c.gguf", open_windows=("translate",))
    store.save(latest)
    page.temperature.setValue(0.3)
    assert page.apply()
    saved = SettingsStore().load()[0]
    assert saved.default_model == "/m/c.gguf" and saved.open_windows == ("translate",)
    assert saved.sampling.temperature == pytest.approx(0.3)
