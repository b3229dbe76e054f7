"""ElidedLabel paints its cut text itself, in the palette colour its state asks for."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPalette

from llmasos.apps.gui.common.elide import ElidedLabel


def _pixels_near(image: QImage, colour: QColor) -> int:
    """Pixels whose colour is close to ``colour`` (antialiased edges excluded)."""
    near = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - colour.red())
                + abs(c.green() - colour.green())
                + abs(c.blue() - colour.blue())
                < 60
            ):
                near += 1
    return near


def _label(qtbot) -> ElidedLabel:  # type: ignore[no-untyped-def]
    label = ElidedLabel("MMMM " * 30)
    palette = label.palette()
    palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText, QColor("#d00000"))
    palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.WindowText, QColor("#d00000"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#0000d0"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.resize(160, 30)
    qtbot.addWidget(label)
    return label


def test_paints_the_cut_text_in_the_enabled_colour(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = _label(qtbot)
    assert label.shown_text().endswith("…")
    image = label.grab().toImage()
    assert _pixels_near(image, QColor("#d00000")) > 20
    assert _pixels_near(image, QColor("#0000d0")) == 0


def test_paints_in_the_disabled_colour_when_disabled(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = _label(qtbot)
    label.setEnabled(False)
    image = label.grab().toImage()
    assert _pixels_near(image, QColor("#0000d0")) > 20
    assert _pixels_near(image, QColor("#d00000")) == 0


def test_text_qt_could_take_for_rich_text_stays_plain(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    tagged = ElidedLabel("<b>model</b>")
    entity = ElidedLabel()
    qtbot.addWidget(tagged)
    qtbot.addWidget(entity)
    entity.setText("a &lt; b")
    assert tagged.textFormat() == entity.textFormat() == Qt.TextFormat.PlainText
    assert tagged.shown_text() == "<b>model</b>"


def test_paints_where_its_alignment_says(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    label = _label(qtbot)
    label.setText("MMMM")
    label.resize(300, 30)
    left = label.grab().toImage()
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    right = label.grab().toImage()
    red = QColor("#d00000")
    assert _pixels_near(left.copy(0, 0, 150, 30), red) > 10
    assert _pixels_near(left.copy(150, 0, 150, 30), red) == 0
    assert _pixels_near(right.copy(0, 0, 150, 30), red) == 0
    assert _pixels_near(right.copy(150, 0, 150, 30), red) > 10
