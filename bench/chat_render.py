"""GUI-thread cost of showing one streamed token in the Chat page's message view.

No model: a fixed reply (Markdown with a list, bold text and a code block) is fed to
:class:`~llmasos.apps.gui.chat.view.MessageView` word by word, as the kernel's ``tokens``
signal does, below ``--history`` finished messages. Each step is timed from the append to
the end of a synchronous repaint of the window (``QWidget.repaint``), so layout, the
Markdown parse and the painting of the visible messages are all counted. Runs offscreen.

    python bench/chat_render.py [--tokens 400] [--history 20] [--reps 3]

Prints the median, p90 and max milliseconds per token over the repetitions, as wall time
and as this process's CPU time (steadier on a busy machine); the last line of stdout is a
JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.chat.view import MessageView
from llmasos.services.chat.conversations import DONE, STREAMING, StoredMessage

REPLY = (
    "Here are a few **tips** for sleeping well:\n\n"
    "1. Go to bed and get up at the *same time* every day.\n"
    "2. Keep the bedroom dark, quiet and cool.\n"
    "3. Avoid coffee after lunch.\n\n"
    "```python\nfor night in range(7):\n    sleep(hours=8)  # a week of rest\n```\n\n"
    "If you still cannot sleep, get up and read for a while. "
)


def words(n: int) -> list[str]:
    """``n`` pieces of the reply, each a word with its trailing space (a token's size)."""
    out: list[str] = []
    while len(out) < n:
        out += [w + " " for w in REPLY.split(" ")]
    return out[:n]


def history(n: int) -> list[StoredMessage]:
    return [
        StoredMessage(
            i, 1, "user" if i % 2 else "assistant", REPLY if i % 2 == 0 else "Hi?", DONE, 0
        )
        for i in range(1, n + 1)
    ]


def one_run(app: QApplication, tokens: int, n_history: int) -> list[tuple[float, float]]:
    view = MessageView()
    view.resize(900, 600)
    view.show()
    view.set_messages(history(n_history))
    view.add_message(StoredMessage(n_history + 1, 1, "assistant", "", STREAMING, 0), live=True)
    app.processEvents()
    times: list[tuple[float, float]] = []  # (wall ms, this process's CPU ms)
    for piece in words(tokens):
        t0, c0 = time.perf_counter(), time.process_time()
        view.append_to_last(piece)
        app.processEvents()
        view.window().repaint()
        times.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    view.close()
    view.deleteLater()
    app.processEvents()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    one_run(app, 50, args.history)  # warm-up: fonts, the style, the Markdown reader
    samples: list[tuple[float, float]] = []
    for _ in range(args.reps):
        samples += one_run(app, args.tokens, args.history)
    summary: dict[str, float] = {"tokens": args.tokens, "history": args.history, "reps": args.reps}
    for i, kind in enumerate(("wall", "cpu")):
        values = sorted(s[i] for s in samples)
        summary[f"{kind}_median_ms"] = round(statistics.median(values), 3)
        summary[f"{kind}_p90_ms"] = round(values[int(0.9 * (len(values) - 1))], 3)
        summary[f"{kind}_max_ms"] = round(values[-1], 3)
        print(
            f"per streamed token ({kind}): median {summary[f'{kind}_median_ms']} ms, "
            f"p90 {summary[f'{kind}_p90_ms']} ms, max {summary[f'{kind}_max_ms']} ms"
        )
    print(f"({args.reps} x {args.tokens} tokens, {args.history} messages above)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
