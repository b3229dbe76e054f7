"""The Settings form as laid out in the main window: one label column for every group,
fields at the width of what they hold (issue 18: fields 1,000 px wide, ragged edges)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLineEdit,
    QWidget,
)

from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

# what a number or a choice needs at most (the seed's "2,147,483,647" with its arrows)
VALUE_FIELD_MAX = 240
TEXT_FIELD_MAX = 480
FORM_MAX = 760  # the widest group: labels, a text field, margins


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = str(request.param)
    assert install_translator(qapp, lang) == (lang != "en")
    yield lang
    install_translator(qapp, "en")


def _rows(group: QGroupBox, role: QFormLayout.ItemRole) -> list[QWidget]:
    form = group.layout()
    assert isinstance(form, QFormLayout), group.title()
    items = [form.itemAt(row, role) for row in range(form.rowCount())]
    return [i.widget() for i in items if i is not None and i.widget() is not None]


def _left(widget: QWidget, page: QWidget) -> int:
    return widget.mapTo(page, QPoint(0, 0)).x()


@pytest.mark.parametrize("size", [(1366, 768), (960, 700)], ids=["1366x768", "960x700"])
def test_one_label_column_and_fields_at_their_width(
    qtbot, language: str, size: tuple[int, int]
) -> None:
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    page = window.settings_page
    window._show(page)
    qtbot.waitUntil(page.isVisible, timeout=2000)
    QApplication.processEvents()
    groups = page.findChildren(QGroupBox)
    assert len(groups) == 8
    fields = [w for g in groups for w in _rows(g, QFormLayout.ItemRole.FieldRole)]
    labels = [w for g in groups for w in _rows(g, QFormLayout.ItemRole.LabelRole)]
    assert len(fields) >= 30 and len(labels) >= 25
    lefts = sorted({_left(w, page) for w in fields if not w.isHidden()})
    assert lefts[-1] - lefts[0] <= 1, f"fields start at {lefts}"
    label_ends = sorted({_left(w, page) + w.width() for w in labels})
    assert label_ends[-1] - label_ends[0] <= 1, f"labels end at {label_ends}"
    assert label_ends[-1] <= lefts[0]
    values = [w for w in page.findChildren(QWidget) if isinstance(w, QAbstractSpinBox | QComboBox)]
    values += page.findChildren(QKeySequenceEdit)
    assert len(values) == 18
    for widget in values:
        assert widget.sizeHint().width() <= widget.width() <= VALUE_FIELD_MAX, (
            widget.accessibleName(),
            widget.width(),
        )
    for edit in page.findChildren(QLineEdit):
        assert edit.width() <= TEXT_FIELD_MAX, (edit.accessibleName(), edit.width())
    for group in groups:
        assert group.width() <= FORM_MAX, (group.title(), group.width())
    # Apply sits under the form's right edge, not at the far side of a wide window
    apply_end = _left(page.apply_button, page) + page.apply_button.width()
    form_end = _left(groups[0], page) + groups[0].width()
    assert abs(apply_end - form_end) <= 24, (apply_end, form_end)
    window.close()
