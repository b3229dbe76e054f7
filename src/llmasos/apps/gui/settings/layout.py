"""How the Settings form is laid out: one label column for every group, fields at the
width of what they hold, and a form no wider than it needs.

Each group box has its own :class:`QFormLayout`, and a form layout sizes its label
column to its own widest label, so the groups' fields started at different left edges,
and every field stretched to the page's width (1,000 px of spin box for "512"). Here
every label takes the width of the widest label of the page, in the language shown, so
the fields of all groups start on one line; numbers and choices are as wide as their
values, text fields (addresses, paths, commands) share one capped width, and the column
of groups is no wider than its labels and those text fields.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QWidget,
)

# the widest a text field (with the button beside it) may be: an address, a path or a
# command fits, and the eye can still run from its label to its end
TEXT_FIELD_WIDTH = 480


def form_of(group: QGroupBox) -> QFormLayout:
    """The form layout of a settings group."""
    form = group.layout()
    if not isinstance(form, QFormLayout):
        raise TypeError(f"{group.title()!r} has no form layout")
    return form


def fields_of(group: QGroupBox) -> list[QWidget]:
    """The widgets in the field column of ``group``'s form, top to bottom."""
    form = form_of(group)
    items = (form.itemAt(row, QFormLayout.ItemRole.FieldRole) for row in range(form.rowCount()))
    widgets = (item.widget() for item in items if item is not None)
    return [w for w in widgets if w is not None]


def labels_of(group: QGroupBox) -> list[QLabel]:
    """The labels in the label column of ``group``'s form."""
    form = form_of(group)
    items = (form.itemAt(row, QFormLayout.ItemRole.LabelRole) for row in range(form.rowCount()))
    widgets = (item.widget() for item in items if item is not None)
    return [w for w in widgets if isinstance(w, QLabel)]


def text_width(widget: QWidget, sample: str) -> int:
    """The width of a line edit that shows ``sample`` whole (its frame and margins added)."""
    probe = QLineEdit(sample)
    probe.setFont(widget.font())
    advance = probe.fontMetrics().horizontalAdvance(sample)
    # a line edit's size hint holds 17 "x"; its frame and margins are what is left of it
    frame = probe.sizeHint().width() - probe.fontMetrics().horizontalAdvance("x" * 17)
    return advance + max(frame, 8)


def _size_fields(groups: list[QGroupBox]) -> None:
    """Numbers and choices at the width of their values; text fields capped."""
    widgets = [w for group in groups for w in group.findChildren(QWidget)]
    spins = [w for w in widgets if isinstance(w, QAbstractSpinBox)]
    # one width for every number, the widest any of them needs, so they line up at
    # the right too
    spin_width = max((box.sizeHint().width() for box in spins), default=0)
    for box in spins:
        box.setFixedWidth(spin_width)
    fixed = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    for widget in widgets:
        if isinstance(widget, QComboBox):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            widget.setSizePolicy(fixed)
        elif isinstance(widget, QKeySequenceEdit):
            # its size hint leaves out the clear button until it is shown, and its inner
            # layout would let it grow: a long combination and that button
            icon = widget.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
            room = text_width(widget, "Ctrl+Alt+Shift+F12") + icon + 12  # + the button
            widget.setFixedWidth(room)
    for group in groups:
        for field in fields_of(group):
            if isinstance(field, QLineEdit) or field.layout() is not None:
                field.setMaximumWidth(min(field.maximumWidth(), TEXT_FIELD_WIDTH))


def _align_labels(groups: list[QGroupBox]) -> int:
    """Give every label the width of the widest; return that width."""
    labels = [label for group in groups for label in labels_of(group)]
    width = max((label.sizeHint().width() for label in labels), default=0)
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for group in groups:
        form_of(group).setLabelAlignment(right)
    for label in labels:
        label.setMinimumWidth(width)
        label.setAlignment(right)
    return width


def lay_out_groups(groups: list[QGroupBox]) -> int:
    """Line up the forms of ``groups`` (built, not yet shown) and size their fields.

    Returns:
        The width the column of groups should not grow past: a group's frame, its
        margins, the label column and a text field at :data:`TEXT_FIELD_WIDTH`.
    """
    for group in groups:
        group.ensurePolished()  # sizes as the style will draw them
    _size_fields(groups)
    label_width = _align_labels(groups)
    widest = 0
    for group in groups:
        form = form_of(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        margins = form.contentsMargins()
        frame = group.sizeHint().width() - form.sizeHint().width()
        spacing = max(form.horizontalSpacing(), 0)
        inner = margins.left() + label_width + spacing + TEXT_FIELD_WIDTH + margins.right()
        widest = max(widest, max(frame, 0) + inner)
    return widest
