"""Text in images: offline OCR of Chinese and English, lines in reading order.

The recognizer is RapidOCR (PaddleOCR's PP-OCR models run by onnxruntime). Its wheel
carries the models it uses here (PP-OCRv6 small detection and recognition, one model for
Chinese and English together), so nothing is downloaded, ever: :func:`_params` names
only those defaults, and RapidOCR fetches a model only when asked for one it lacks.

It is an optional extra (``pip install 'llmasos[ocr]'``): with OpenCV and onnxruntime it
adds about 290 MB to an install. Without it, :func:`is_available` is False and
:meth:`OcrEngine.read` raises :class:`~llmasos.errors.OcrUnavailableError`, whose
message says how to install it.

Usage (any thread; one recognition at a time per engine, each using all cores)::

    result = shared_engine().read(Path("shot.png"))   # or the image's bytes
    print(result.text)                                # rows in reading order
    for line in result.lines: line.text, line.box, line.confidence

Loading takes about a second, so :func:`shared_engine` keeps one per process; the first
:meth:`OcrEngine.read` loads it (:meth:`OcrEngine.load` does so ahead of time).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from llmasos.errors import ImageInvalidError, OcrError, OcrUnavailableError

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'llmasos[ocr]'"
MAX_IMAGE_BYTES = 32 * 1024 * 1024  # a 4K screenshot as PNG is 5-15 MB
MAX_PIXELS = 40_000_000  # Pillow's decompression-bomb guard is at 89 M; we stop earlier

Point = tuple[int, int]


@dataclass(frozen=True)
class OcrLine:
    """One recognized line: its text, its box and how sure the recognizer is.

    ``box``: the four corners in image pixels, clockwise from the top left (the line
    may be slanted). ``confidence``: 0 to 1, the recognizer's mean character score.
    """

    text: str
    box: tuple[Point, Point, Point, Point]
    confidence: float

    @property
    def left(self) -> int:
        return min(x for x, _ in self.box)

    @property
    def top(self) -> int:
        return min(y for _, y in self.box)

    @property
    def bottom(self) -> int:
        return max(y for _, y in self.box)


@dataclass(frozen=True)
class OcrResult:
    """The lines of one image in reading order (rows top to bottom, left to right)."""

    lines: tuple[OcrLine, ...]
    width: int
    height: int
    elapsed_s: float

    @property
    def text(self) -> str:
        """The text, one row a line; pieces on one row joined by a space."""
        return "\n".join(" ".join(line.text for line in row) for row in rows(self.lines))

    def confident(self, floor: float) -> OcrResult:
        """The same result without the lines recognized with less than ``floor``."""
        kept = tuple(line for line in self.lines if line.confidence >= floor)
        return replace(self, lines=kept)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (the CLI's ``--json`` and ``/v1/ocr`` answer with it)."""
        return {
            "text": self.text,
            "width": self.width,
            "height": self.height,
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
            "lines": [
                {
                    "text": line.text,
                    "box": [list(point) for point in line.box],
                    "confidence": round(line.confidence, 4),
                }
                for line in self.lines
            ],
        }


def rows(lines: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Group ``lines`` into rows and order them as a person reads a page.

    Two boxes share a row when they overlap vertically by more than half the shorter
    one's height; rows go top to bottom, boxes in a row left to right. (A second column
    of a two-column page is read row by row with the first: screenshots rarely have one,
    and the popup keeps the line structure either way.)
    """
    result: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.top, item.left)):
        row = result[-1] if result else None
        if row is not None and _same_row(row[-1], line):
            row.append(line)
        else:
            result.append([line])
    for row in result:
        row.sort(key=lambda item: item.left)
    return result


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    shorter = min(a.bottom - a.top, b.bottom - b.top)
    return shorter > 0 and overlap > shorter / 2


def in_reading_order(lines: Sequence[OcrLine]) -> tuple[OcrLine, ...]:
    """``lines`` flattened in the order of :func:`rows`."""
    return tuple(line for row in rows(lines) for line in row)


def is_available() -> bool:
    """Whether the OCR extra is installed (checked without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "onnxruntime"))


def _params() -> dict[str, Any]:
    return {
        "Global.log_level": "error",  # RapidOCR logs every model path at INFO
        # Lines in screenshots are upright: the orientation classifier costs time and
        # once in a while turns a short line upside down.
        "Global.use_cls": False,
        # Scale small images up to 160 px on their short side (a crop of one or two
        # lines); larger ones are read at their own size, up to RapidOCR's 2000 px cap.
        # Its default (736 px) read a 700x160 crop at 3220x736: 4x slower, same text;
        # 320 px cost 2.3x the time of 160 px on one-line images with the same text
        # (CER 0 on rendered en/zh lines at 9-24 px either way; bench/everywhere.py).
        "Det.limit_type": "min",
        "Det.limit_side_len": 160,
    }


class OcrEngine:
    """One loaded recognizer; :meth:`read` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ocr: Any = None

    @property
    def is_loaded(self) -> bool:
        return self._ocr is not None

    def load(self) -> None:
        """Load the models now (about a second) instead of at the first :meth:`read`.

        Raises:
            OcrUnavailableError: the OCR extra is not installed.
            OcrError: the models could not be loaded.
        """
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> Any:
        if self._ocr is not None:
            return self._ocr
        if not is_available():
            raise OcrUnavailableError(
                f"Text recognition (OCR) is not installed. Install it with: {INSTALL_HINT}"
            )
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # installed but broken (a missing shared library)
            raise OcrUnavailableError(
                f"The OCR packages do not load ({exc}). Reinstall them with: {INSTALL_HINT}"
            ) from exc
        try:
            self._ocr = RapidOCR(params=_params())
        except Exception as exc:  # RapidOCR raises bare exceptions for model trouble
            raise OcrError(f"The OCR models could not be loaded: {exc}") from exc
        return self._ocr

    def read(self, image: bytes | Path) -> OcrResult:
        """Recognize the text in ``image`` (the bytes of a PNG, JPEG, BMP… or a path).

        Raises:
            ImageInvalidError: not an image, empty, or too large.
            OcrUnavailableError: the OCR extra is not installed.
            OcrError: the recognizer failed.
        """
        data = _image_bytes(image)
        width, height = _check_image(data)
        with self._lock:
            ocr = self._load_locked()
            start = time.perf_counter()  # the recognition only, not the first load
            try:
                output = ocr(data)
            except Exception as exc:  # onnxruntime and OpenCV errors are not typed
                raise OcrError(f"Text recognition failed: {exc}") from exc
            elapsed = time.perf_counter() - start
        lines = _lines(output)
        log.debug("OCR %dx%d: %d lines in %.2f s", width, height, len(lines), elapsed)
        return OcrResult(in_reading_order(lines), width, height, elapsed)


def _image_bytes(image: bytes | Path) -> bytes:
    if isinstance(image, bytes):
        data = image
    else:
        try:
            size = image.stat().st_size
            if size > MAX_IMAGE_BYTES:
                raise ImageInvalidError(_too_large(size))
            data = image.read_bytes()
        except OSError as exc:
            raise ImageInvalidError(f"Cannot read the image {image}: {exc.strerror}.") from exc
    if not data:
        raise ImageInvalidError("The image is empty (0 bytes).")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageInvalidError(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return f"The image is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}."


def _check_image(data: bytes) -> tuple[int, int]:
    """The image's size, read from its header; raise when it is not an image we read."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # Pillow comes with the OCR extra
        raise OcrUnavailableError(
            f"Text recognition (OCR) is not installed. Install it with: {INSTALL_HINT}"
        ) from exc
    try:
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageInvalidError(
            "This is not an image LLMasOS can read; use PNG, JPEG, BMP, GIF or WebP."
        ) from exc
    if width * height > MAX_PIXELS:
        raise ImageInvalidError(
            f"The image is {width}x{height} pixels; the limit is {MAX_PIXELS:,} pixels."
        )
    return width, height


def _lines(output: Any) -> list[OcrLine]:
    """RapidOCR's output (parallel arrays, or None where nothing was found) as lines."""
    texts = getattr(output, "txts", None) or ()
    scores = getattr(output, "scores", None) or ()
    boxes = getattr(output, "boxes", None)
    if boxes is None:
        return []
    lines = []
    for text, score, box in zip(texts, scores, boxes, strict=True):
        corners = [(round(float(x)), round(float(y))) for x, y in box]
        if len(corners) == 4 and text.strip():
            box4 = (corners[0], corners[1], corners[2], corners[3])
            lines.append(OcrLine(text.strip(), box4, float(score)))
    return lines


_shared: OcrEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> OcrEngine:
    """The process's one :class:`OcrEngine` (not loaded until first used)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OcrEngine()
        return _shared
