"""``llmasos ocr`` as a real subprocess and ``POST /v1/ocr`` over a real server on
127.0.0.1, on images rendered with known English and Chinese text (real OCR models)."""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.ocr_images import LINES_EN, LINES_ZH, cer, render
from llmasos.apps.api import ApiServerController, ServerConfig
from llmasos.kernel.kernel import Kernel

LLMASOS = [sys.executable, "-m", "llmasos"]
LINES = [LINES_EN[1], LINES_ZH[1]]


def _ocr(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*LLMASOS, "ocr", *args], input=stdin, capture_output=True, timeout=300)


def test_cli_prints_the_text_and_json(tmp_path: Path) -> None:
    image = tmp_path / "shot.png"
    image.write_bytes(render(LINES))
    done = _ocr(str(image))
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert len(text.splitlines()) == 2 and cer("\n".join(LINES), text) <= 0.05, text

    done = _ocr("--json", "-", stdin=image.read_bytes())  # from stdin
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert cer("\n".join(LINES), data["text"]) <= 0.05
    assert [len(line["box"]) for line in data["lines"]] == [4, 4]
    assert data["width"] > 0 and data["elapsed_ms"] > 0


def test_cli_fails_clearly_on_what_is_not_an_image(tmp_path: Path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("just text")
    done = _ocr(str(bad))
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().startswith("error: This is not an image"), done.stderr
    done = _ocr(str(tmp_path / "missing.png"))
    assert done.returncode == 1 and b"Cannot read the image" in done.stderr


@pytest.fixture
def api(qtbot: Any) -> Iterator[ApiServerController]:
    kernel = Kernel()  # no model: OCR does not need one
    controller = ApiServerController(kernel)
    controller.start(ServerConfig(port=0))
    yield controller
    controller.stop()
    assert kernel.shutdown(30)


def _post(api: ApiServerController, body: Any, raw: bytes | None = None) -> tuple[int, Any]:
    port = int(api.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        data = raw if raw is not None else json.dumps(body).encode()
        conn.request("POST", "/v1/ocr", body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_api_reads_a_base64_image(api: ApiServerController) -> None:
    png = render(LINES)
    status, data = _post(api, {"image": base64.b64encode(png).decode()})
    assert status == 200, data
    assert data["object"] == "ocr" and len(data["lines"]) == 2
    assert cer("\n".join(LINES), data["text"]) <= 0.05, data["text"]

    url = "data:image/png;base64," + base64.b64encode(png).decode()
    status, data = _post(api, {"image": url, "min_confidence": 1.0})  # nothing is that sure
    assert status == 200 and data["lines"] == [] and data["text"] == ""


def test_api_refuses_bad_requests_naming_the_field(api: ApiServerController) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({}, "image", "missing_required"),
        ({"image": "***"}, "image", "invalid_value"),
        ({"image": base64.b64encode(b"not an image").decode()}, "image", "invalid_image"),
        ({"image": base64.b64encode(b"x").decode(), "min_confidence": 2}, "min_confidence", ""),
    ]
    for body, param, code in cases:
        status, data = _post(api, body)
        assert status == 400, (body, data)
        assert data["error"]["param"] == param, data
        assert not code or data["error"]["code"] == code, data


def test_api_takes_a_screenshot_sized_body_and_lists_the_endpoint(
    api: ApiServerController,
) -> None:
    # 1.5 MB of JSON: over the other endpoints' limit (1 MB), under this one's
    padded = {"image": base64.b64encode(render(LINES[:1])).decode(), "pad": "x" * 1_500_000}
    status, data = _post(api, padded)
    assert status == 200 and data["lines"], data
    port = int(api.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/openapi.json")
    spec = json.loads(conn.getresponse().read())
    conn.close()
    assert "/v1/ocr" in spec["paths"] and "OcrRequest" in spec["components"]["schemas"]
