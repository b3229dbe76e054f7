"""The log file behind the unexpected-error dialog: written, rotated by size, kept to N files."""

from __future__ import annotations

import logging
from pathlib import Path

from llmasos.apps.gui.common.errors import RotatingLog


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def test_rotates_at_the_size_and_keeps_the_newest_backups(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    handler = RotatingLog(path, max_bytes=1_000, backups=2)
    logger = _logger(handler, "llmasos-test-rotate")
    try:
        for i in range(100):  # ~5 kB in 50-byte lines: several rotations
            logger.info("line %03d %s", i, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["app.log", "app.log.1", "app.log.2"]  # no .3: two backups kept
    assert all(p.stat().st_size <= 1_000 for p in tmp_path.iterdir())
    newest = path.read_text("utf-8").splitlines()
    assert newest[-1].startswith("line 099")
    previous = (tmp_path / "app.log.1").read_text("utf-8").splitlines()
    # the backups hold the lines just before, in order, none lost between files
    assert int(previous[-1].split()[1]) + 1 == int(newest[0].split()[1])


def test_appends_to_an_existing_log_and_rotates_it_first_when_full(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text("old\n" * 300, "utf-8")  # 1,200 bytes, over the limit
    handler = RotatingLog(path, max_bytes=1_000, backups=1)
    logger = _logger(handler, "llmasos-test-append")
    try:
        logger.info("fresh")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert path.read_text("utf-8") == "fresh\n"
    assert (tmp_path / "app.log.1").read_text("utf-8").startswith("old\n")
