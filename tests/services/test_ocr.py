"""OCR (services/everywhere/ocr.py) on images rendered here with known text, with the real
RapidOCR models from the wheel; no Qt. The models load once for the module."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.ocr_images import LINES_EN, LINES_ZH, cer, render
from llmasos.errors import ImageInvalidError, OcrError, OcrUnavailableError
from llmasos.services.everywhere import ocr
from llmasos.services.everywhere.ocr import OcrEngine, OcrLine, OcrResult, in_reading_order

MAX_CER = 0.05  # issue 16's target on clean rendered text


@pytest.fixture(scope="module")
def engine() -> Iterator[OcrEngine]:
    engine = OcrEngine()
    engine.load()
    yield engine


def test_the_error_rate_tells_right_from_wrong() -> None:
    assert cer("今天天气很好，我们去公园散步吧。", "今天天气很好,我们去公园散步吧.") == 0
    assert cer(LINES_EN[0], LINES_EN[0].replace("w", "v", 1)) < MAX_CER  # 1 in 36
    assert cer("The quick brown fox", "Tho qu1ck brcwn f0x") > MAX_CER
    assert cer("今天天气很好", "") == 1 and cer("今天天气很好", "昨天下雨了") > 0.5


def test_english_and_chinese_lines_in_reading_order(engine: OcrEngine) -> None:
    lines = [LINES_EN[0], LINES_ZH[0], LINES_EN[1], LINES_ZH[1]]
    result = engine.read(render(lines))
    assert cer("\n".join(lines), result.text) <= MAX_CER, result.text
    rows = result.text.splitlines()
    assert len(rows) == 4, rows
    for want, got in zip(lines, rows, strict=True):
        assert cer(want, got) <= 0.1, (want, got)
    assert all(line.confidence > 0.8 for line in result.lines)
    tops = [line.top for line in result.lines]
    assert tops == sorted(tops)
    for line in result.lines:
        assert all(0 <= x <= result.width and 0 <= y <= result.height for x, y in line.box)
    assert result.elapsed_s > 0


def test_a_path_small_text_and_json(engine: OcrEngine, tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    path.write_bytes(render(LINES_ZH[2:], size=16))  # screen-sized Chinese
    result = engine.read(path)
    assert cer(LINES_ZH[2], result.text) <= MAX_CER, result.text
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert data["text"] == result.text and data["width"] == result.width
    line = data["lines"][0]
    assert len(line["box"]) == 4 and 0 < line["confidence"] <= 1


def test_a_blank_image_has_no_lines(engine: OcrEngine) -> None:
    result = engine.read(render([" "]))
    assert result.lines == () and result.text == ""


def test_pieces_of_one_row_read_left_to_right() -> None:
    def piece(text: str, x: int, y: int, h: int = 20) -> OcrLine:
        return OcrLine(text, ((x, y), (x + 50, y), (x + 50, y + h), (x, y + h)), 0.9)

    # the right-hand piece sits 3 px higher: still the same row, read after the left one
    found = [piece("right", 300, 97), piece("below", 10, 140), piece("left", 10, 100)]
    ordered = in_reading_order(found)
    assert [line.text for line in ordered] == ["left", "right", "below"]
    assert OcrResult(ordered, 400, 200, 0.1).text == "left right\nbelow"
    assert OcrResult(ordered, 400, 200, 0.1).confident(0.95).lines == ()


@pytest.mark.parametrize(
    ("image", "why"),
    [(b"", "empty"), (b"GIF89a not really", "not an image"), (b"<html>", "not an image")],
)
def test_what_is_not_an_image_is_refused_clearly(image: bytes, why: str) -> None:
    with pytest.raises(ImageInvalidError, match=why.split()[-1]) as info:
        OcrEngine().read(image)  # refused before any model loads
    assert isinstance(info.value, ValueError) and isinstance(info.value, OcrError)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageInvalidError, match="Cannot read"):
        OcrEngine().read(tmp_path / "nope.png")


def test_without_the_extra_the_error_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr.importlib.util, "find_spec", lambda name: None)
    assert not ocr.is_available()
    with pytest.raises(OcrUnavailableError, match=r"pip install 'llmasos\[ocr\]'") as info:
        OcrEngine().read(render(["x"]))
    assert isinstance(info.value, ImportError)


def test_it_runs_with_no_network_at_all(tmp_path: Path) -> None:
    """Every socket refused, in a fresh process: the models come from the wheel."""
    image = tmp_path / "net.png"
    image.write_bytes(render([LINES_EN[2]]))
    code = textwrap.dedent(
        f"""
        import socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network disabled by the test")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.getaddrinfo = refuse
        socket.create_connection = refuse
        from pathlib import Path
        from llmasos.services.everywhere.ocr import OcrEngine
        sys.stdout.write(OcrEngine().read(Path({str(image)!r})).text)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert cer(LINES_EN[2], done.stdout) <= MAX_CER, done.stdout
