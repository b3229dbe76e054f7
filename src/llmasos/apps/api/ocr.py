"""``POST /v1/ocr``: the text in an image, offline (Chinese and English).

Body (JSON, as every other endpoint, so the server's one content-type rule holds):
``{"image": "<base64 of the PNG/JPEG/BMP/GIF/WebP file>", "min_confidence": 0.5}``;
``image`` may also be a ``data:image/...;base64,`` URL. ``min_confidence`` (0-1,
default 0) leaves out less certain lines. The answer is
:meth:`~llmasos.services.everywhere.ocr.OcrResult.to_json` with ``"object": "ocr"``:
``text`` (rows in reading order), ``width``, ``height``, ``elapsed_ms`` and ``lines``
(``text``, ``box``: four [x, y] corners clockwise from the top left, ``confidence``).

Design choice: base64 in JSON rather than multipart. It costs a third more bytes, but
keeps one body format for the whole API (and its CSRF reasoning: a page cannot send
``application/json`` cross-site without CORS) and needs no multipart parser. The body
limit here is :data:`MAX_BODY_BYTES`, above the other endpoints', for screenshots.

The recognition runs on the request's own thread, not on the kernel's worker: it does
not touch the language model, so it neither waits behind a generation nor holds one up.
The process's one :class:`~llmasos.services.everywhere.ocr.OcrEngine` takes one image
at a time.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from llmasos.apps.api.protocol import ApiError, bad
from llmasos.errors import ImageInvalidError, OcrError, OcrUnavailableError
from llmasos.services.everywhere.ocr import MAX_IMAGE_BYTES, shared_engine

if TYPE_CHECKING:
    from llmasos.apps.api.server import Handler

#: base64 makes 4 bytes of 3, plus the JSON around it
MAX_BODY_BYTES = MAX_IMAGE_BYTES * 4 // 3 + 4096


def parse_ocr(body: dict[str, Any]) -> tuple[bytes, float]:
    """The image's bytes and the confidence floor; a 400 names the bad field."""
    image = body.get("image")
    if not isinstance(image, str) or not image:
        raise bad("'image' is required: the image file in base64.", "image", "missing_required")
    if image.startswith("data:"):
        image = image.partition(",")[2]
    try:
        data = base64.b64decode(image, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad(f"'image' is not valid base64 ({exc}).", "image", "invalid_value") from exc
    floor = body.get("min_confidence", 0.0)
    if isinstance(floor, bool) or not isinstance(floor, int | float) or not 0 <= floor <= 1:
        raise bad("'min_confidence' must be a number from 0 to 1.", "min_confidence")
    return data, float(floor)


def ocr(h: Handler) -> None:
    """Answer ``POST /v1/ocr`` (on the request's thread)."""
    data, floor = parse_ocr(h.read_json(limit=MAX_BODY_BYTES))
    try:
        result = shared_engine().read(data)
    except ImageInvalidError as exc:
        raise bad(str(exc), "image", "invalid_image") from exc
    except OcrUnavailableError as exc:
        raise ApiError(501, str(exc), type="server_error", code="ocr_not_installed") from exc
    except OcrError as exc:
        raise ApiError(500, str(exc), type="server_error", code="ocr_failed") from exc
    h.send_json(200, {"object": "ocr", **result.confident(floor).to_json()})


def openapi_schemas() -> dict[str, Any]:
    """``OcrRequest`` and ``OcrResponse`` for the OpenAPI document."""
    point = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
    line = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "box": {
                "type": "array",
                "items": point,
                "minItems": 4,
                "maxItems": 4,
                "description": "Corners in pixels, clockwise from the top left.",
            },
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }
    return {
        "OcrRequest": {
            "type": "object",
            "required": ["image"],
            "properties": {
                "image": {
                    "type": "string",
                    "contentEncoding": "base64",
                    "description": "The image file (PNG, JPEG, BMP, GIF, WebP) in base64, "
                    f"or a data: URL; at most {MAX_IMAGE_BYTES:,} bytes decoded.",
                },
                "min_confidence": {"type": "number", "minimum": 0, "maximum": 1, "default": 0},
            },
        },
        "OcrResponse": {
            "type": "object",
            "properties": {
                "object": {"type": "string", "const": "ocr"},
                "text": {"type": "string", "description": "Rows in reading order."},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
                "elapsed_ms": {"type": "number"},
                "lines": {"type": "array", "items": line},
            },
        },
    }
