"""The Everywhere controller on a kernel with no model, for popup and tray tests that
bring the kernel's signals themselves.

Registered for every test by ``pytest_plugins`` in the root conftest: a test names
``idle_everywhere`` as an argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def idle_everywhere(qtbot: Any) -> Iterator[Any]:
    from PySide6.QtWidgets import QWidget

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    window = QWidget()
    qtbot.addWidget(window)
    where = Everywhere(window, kernel, lambda _path: None)
    yield where
    where.close()
    assert kernel.shutdown(timeout_s=10.0)
