"""LLMasOS everywhere: trigger-to-popup and trigger-to-first-token latency, and OCR.

Part 1 — latency (issue 16). The real app runs in a child process on a private Xvfb
with the test model loaded, exactly as a person's desktop runs it. Each repetition puts
a new Chinese sentence in the PRIMARY selection (xclip) and triggers "translate into
English" two ways: ``llmasos do translate --to en`` as a real subprocess (what a
desktop shortcut bound to the command runs: a Python start, the CLI, the local socket),
and the app's own global shortcut Ctrl+Alt+T pressed through XTEST (``xdotool key``).
The popup records when it showed and when its first text arrived (wall clock, read
back through the single-instance ``state``), so nothing is lost to polling. The
baseline is the same request (the translator's, ``translation_request``) run on an
``LlamaEngine`` in this process with the app's engine settings, right after each app run
(never at the same time). Each trigger gets a sentence neither side has seen, and the
engine then gets that same request, so both pay for the same uncached tokens. Ratios
are medians of trigger → first token over the engine's time to first token on the same
sentences.

Then the capture + replace round trip, in the same app: a separate Qt application with a
text field (tests/helpers/text_field_app.py) holds a selected sentence; Ctrl+Alt+T
translates it; the app reports how long reading the focused window and the selection
took (``state``'s ``capture``); Ctrl+Enter in the popup (Replace, through XTEST) starts
the clock that stops when the other application's field holds the answer (read back from
its output, polled every 2 ms). The model's own time is not part of either figure. (The
translated sentences are part 1's: the model has seen them, which does not matter here.
A sentence the model talks about instead of translating leaves nothing to Replace with;
the next one is tried, up to REPLACE_TRIES.)

Part 2 — OCR. The models load once; then lines rendered with Noto Sans CJK (English and
Chinese, 16/24/32 px) are recognized one image per line and as one block, plus a
1024x768 "screenshot" full of text: ms per image, ms per 100 characters, ms per
megapixel, and the character error rate per script (tests/helpers/ocr_images.py).

Run ``python bench/everywhere.py`` (``--help`` for options); needs Xvfb, xclip and
xdotool for part 1. The last line of stdout is a JSON summary with stable keys.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import busy_cpu_s, default_model  # bench/common.py
from helpers.ocr_images import LINES_EN, LINES_ZH, cer, font_path, render
from llmasos.foundation.platform.paths import HOME_ENV
from llmasos.foundation.settings.store import AppSettings
from llmasos.services.everywhere.ocr import OcrEngine
from llmasos.services.everywhere.prompts import translation_request
from llmasos.services.translation.service import translate

SENTENCES = (  # two per repetition, each used once: no side reuses a cached prompt
    "今天下午三点在二楼会议室开会。",
    "这家餐厅的饺子非常好吃。",
    "请把报告发到我的邮箱。",
    "明天早上的航班推迟了两个小时。",
    "图书馆周末开放到晚上九点。",
    "我们下个月去杭州旅行。",
    "这台电脑的电池可以用十个小时。",
    "孩子们在公园里放风筝。",
    "新的软件版本修复了很多问题。",
    "请在门口换鞋。",
    "他每天骑自行车上班。",
    "会议记录已经上传到共享文件夹。",
    "这本书的第三章讲的是城市历史。",
    "周五之前请确认你的出差安排。",
    "山上的空气比城里新鲜多了。",
    "这个问题我们下次再讨论。",
    "超市晚上十点关门。",
    "她用手机拍了很多照片。",
    "火车站离这里大约两公里。",
    "请把窗户关上，外面在下雨。",
)
TIMEOUT_S = 180.0


# -- part 1: latency -----------------------------------------------------------------
def _wait(predicate: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise TimeoutError(f"timed out waiting for {what}")


def _answered(since: float) -> dict[str, Any]:
    """The popup's state once the run started after ``since`` has finished."""
    from helpers.xdesktop import state

    def done() -> dict[str, Any] | None:
        popup = (state() or {}).get("popup", {})
        fresh = popup.get("shown_at", 0) > since and popup.get("first_text_at", 0) > since
        return popup if fresh and not popup.get("busy") else None

    result: dict[str, Any] = _wait(done, TIMEOUT_S, "the popup's answer")
    return result


def _trigger(env: dict[str, str], how: str, text: str) -> tuple[float, float]:
    """Select ``text``, trigger translate ``how``; (ms to popup shown, ms to first text)."""
    from helpers.xdesktop import xclip_set, xdotool

    xclip_set(env, "primary", text.encode())
    time.sleep(0.2)  # xclip owns PRIMARY before the trigger (not part of the timing)
    start = time.time()
    if how == "do":
        command = [sys.executable, "-m", "llmasos", "do", "translate", "--to", "en"]
        subprocess.run(command, env=env, check=True, timeout=60, capture_output=True)
    else:
        xdotool(env, "key", "ctrl+alt+t")
    popup = _answered(start)
    return (popup["shown_at"] - start) * 1000, (popup["first_text_at"] - start) * 1000


REPLACE_TRIES = 5  # sentences tried for one Replace before the bench gives up


class UnusableAnswer(RuntimeError):
    """The model's answer was no translation (the popup offers no Replace)."""

    def __init__(self, popup: dict[str, Any]) -> None:
        super().__init__(f"no answer to Replace with: {popup}")
        self.status = str(popup.get("status", ""))


def _replace_round_trip(env: dict[str, str], field: Any, text: str) -> tuple[float, float]:
    """Translate ``text``, selected in ``field``'s application, with Ctrl+Alt+T, then
    Replace: (ms the app took to capture the selection, ms from Replace to the answer
    in the field)."""
    from helpers.xdesktop import focused_window, state, xclip_get, xdotool

    _wait(lambda: field.window, 30, "the text field application")
    _wait(lambda: focused_window(env) == field.window, 10, "the field's focus")
    _wait(lambda: xclip_get(env, "primary") == text.encode(), 10, "the field's selection")
    start = time.time()
    xdotool(env, "key", "ctrl+alt+t")
    popup = _answered(start)
    if not popup.get("can_replace") or not popup.get("answer", "").strip():
        raise UnusableAnswer(popup)
    capture = (state() or {})["capture"]
    if capture.get("chars") != len(text):
        raise RuntimeError(f"the app captured {capture}, not the {len(text)} selected chars")
    answer = popup["answer"].split()
    start = time.perf_counter()
    xdotool(env, "key", "ctrl+Return")  # Replace, typed into the popup
    deadline = start + 30
    while field.text.split() != answer:  # a line edit turns the answer's newlines to spaces
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the field reads {field.text!r}, not the answer {answer!r}")
        time.sleep(0.002)
    return float(capture["ms"]), (time.perf_counter() - start) * 1000


def replace_round_trip(env: dict[str, str], reps: int) -> dict[str, Any]:
    """The capture and Replace figures, each with a new separate application holding a
    selected sentence in its text field."""
    from helpers.xdesktop import TextFieldApp

    captures, replaces = [], []
    for n in range(reps):
        # the rep's first sentence, or a next one when a small model talked instead of
        # translating it (the popup then rightly offers no Replace: nothing to time)
        for tries, text in enumerate((SENTENCES * 2)[2 * n : 2 * n + REPLACE_TRIES], 1):
            field = TextFieldApp(env, text)  # it takes the focus and selects its text
            try:
                capture, replace = _replace_round_trip(env, field, text)
                break
            except UnusableAnswer as exc:
                if tries == REPLACE_TRIES:
                    raise
                print(f"  replace {n + 1}: no usable answer to {text!r}: {exc.status}", flush=True)
            finally:
                field.stop()
        captures.append(capture)
        replaces.append(replace)
        print(f"  replace {n + 1}: capture {capture:.1f} ms, Replace {replace:.0f} ms", flush=True)
    return {
        "capture_ms": round(statistics.median(captures), 2),
        "replace_ms": round(statistics.median(replaces), 1),
        "capture_replace_ms": round(statistics.median(captures) + statistics.median(replaces), 1),
    }


def _engine_ttft(engine: Any, text: str) -> float:
    request = translation_request(text, "en")  # the popup's own request
    start = time.perf_counter()
    first = 0.0
    job = translate(engine, request)
    for piece in job:
        if isinstance(piece, str) and piece and not first:
            first = time.perf_counter() - start
            job.close()  # only the first token is timed
            break
    return first * 1000


def latency(model: Path, reps: int) -> dict[str, Any]:
    from helpers.xdesktop import App, start_xvfb, state
    from llmasos.foundation.engine.llama import LlamaEngine

    keys = ("do_shown", "do_first", "key_shown", "key_first", "engine", "engine_key")
    rows: dict[str, list[float]] = {k: [] for k in keys}
    with tempfile.TemporaryDirectory() as home, start_xvfb(Path(home)) as env:
        os.environ[HOME_ENV] = home  # state() talks to the instance of this home
        app = App(env, "--model", str(model))
        engine = LlamaEngine(AppSettings().to_engine_settings())
        try:
            _wait(lambda: (s := state()) and s["model"], TIMEOUT_S, "the app's model")
            hotkeys = (state() or {}).get("hotkeys", [])
            if not any(h["action"] == "translate" and h["status"] == "ok" for h in hotkeys):
                raise RuntimeError(f"Ctrl+Alt+T is not registered: {hotkeys}")
            engine.load(model)
            _trigger(env, "do", "预热。")  # warm-up: the first run pays for lazy imports
            _engine_ttft(engine, "预热。")
            for n in range(reps):
                # each trigger gets a sentence neither side has seen; the engine then
                # gets the same prompt (so both pay for the same uncached tokens)
                first_text, second_text = SENTENCES[2 * n], SENTENCES[2 * n + 1]
                shown, first = _trigger(env, "do", first_text)
                rows["do_shown"].append(shown)
                rows["do_first"].append(first)
                rows["engine"].append(_engine_ttft(engine, first_text))
                shown, first = _trigger(env, "hotkey", second_text)
                rows["key_shown"].append(shown)
                rows["key_first"].append(first)
                rows["engine_key"].append(_engine_ttft(engine, second_text))
                do = f"{rows['do_shown'][-1]:.0f}/{rows['do_first'][-1]:.0f}"
                print(
                    f"  rep {n + 1}: do {do} ms, hotkey {shown:.0f}/{first:.0f} ms, "
                    f"engine {rows['engine'][-1]:.0f}/{rows['engine_key'][-1]:.0f} ms",
                    flush=True,
                )
            round_trip = replace_round_trip(env, reps)
        finally:
            engine.close()
            app.clean_up()
    med = {k: statistics.median(v) for k, v in rows.items()}
    return {
        "do_popup_ms": round(med["do_shown"], 1),
        "do_first_token_ms": round(med["do_first"], 1),
        "hotkey_popup_ms": round(med["key_shown"], 1),
        "hotkey_first_token_ms": round(med["key_first"], 1),
        "engine_ttft_ms": round(statistics.median(rows["engine"] + rows["engine_key"]), 1),
        "ratio_do_first_token": round(med["do_first"] / med["engine"], 2),
        "ratio_hotkey_first_token": round(med["key_first"] / med["engine_key"], 2),
        **round_trip,
    }


# -- part 2: OCR -----------------------------------------------------------------------
def _screenshot() -> bytes:
    """A 1024x768 white screen full of both scripts at 18 px (about 30 lines)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), 18)
    image = Image.new("RGB", (1024, 768), "white")
    draw = ImageDraw.Draw(image)
    lines = [*LINES_EN, *LINES_ZH] * 6
    for n, line in enumerate(lines[:30]):
        draw.text((20, 12 + n * 25), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def ocr(reps: int) -> dict[str, Any]:
    engine = OcrEngine()
    start = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - start
    out: dict[str, Any] = {"load_s": round(load_s, 2)}
    for script, lines in (("en", LINES_EN), ("zh", LINES_ZH)):
        times, chars, errors = [], 0, []
        for size in (16, 24, 32):
            for line in lines:
                image = render([line], size=size)
                result = engine.read(image)
                again = [engine.read(image).elapsed_s for _ in range(reps - 1)]
                times.append(min([result.elapsed_s, *again]))
                chars += len(line)
                errors.append(cer(line, result.text))
        block = engine.read(render(list(lines), size=24))
        out[script] = {
            "images": len(times),
            "ms_per_line_image": round(statistics.median(times) * 1000, 1),
            "ms_per_100_chars": round(sum(times) * 1000 / chars * 100, 1),
            "cer": round(statistics.mean(errors), 4),
            "cer_max": round(max(errors), 4),
            "block_ms": round(block.elapsed_s * 1000, 1),
            "block_cer": round(cer("\n".join(lines), block.text), 4),
        }
    shot = _screenshot()
    best = min(engine.read(shot).elapsed_s for _ in range(max(1, reps)))
    result = engine.read(shot)
    out["screen_1024x768"] = {
        "ms": round(best * 1000, 1),
        "ms_per_megapixel": round(best * 1000 / (1024 * 768 / 1e6), 1),
        "lines": len(result.lines),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="GGUF model (default: SmolLM2-135M)")
    parser.add_argument(
        "--reps",
        type=int,
        default=5,
        help=f"latency repetitions (default 5, at most {len(SENTENCES) // 2})",
    )
    parser.add_argument("--ocr-reps", type=int, default=2, help="best of N per image")
    parser.add_argument("--skip-latency", action="store_true", help="only part 2 (no X)")
    args = parser.parse_args(argv)
    if not 1 <= args.reps <= len(SENTENCES) // 2:
        parser.error(f"--reps must be 1 to {len(SENTENCES) // 2} (one unseen sentence each)")
    busy0, wall0 = busy_cpu_s(), time.monotonic()
    summary: dict[str, Any] = {"bench": "everywhere"}
    if not args.skip_latency:
        model = args.model or default_model()
        print(f"part 1: latency, model {model.name}, {args.reps} reps (popup / first text)")
        summary.update(model=model.name, reps=args.reps, **latency(model, args.reps))
    print("part 2: OCR (RapidOCR, PP-OCRv6 small, onnxruntime)")
    summary["ocr"] = ocr(args.ocr_reps)
    busy1 = busy_cpu_s()
    if busy0 is not None and busy1 is not None:  # how busy the whole machine was
        summary["machine_busy_cores"] = round((busy1 - busy0) / (time.monotonic() - wall0), 2)
    for key, value in summary.items():
        print(f"  {key}: {value}")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
