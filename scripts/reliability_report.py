"""Run the reliability measurements and write ``docs/RELIABILITY.md``.

Usage: ``python scripts/reliability_report.py [--full] [--out docs/RELIABILITY.md]``

Without ``--full`` the counts are those of the tests (``tests/reliability/``), for a quick
look; with ``--full`` those of issue 10: 20 interrupted downloads, 20 SIGKILLs of the chat
service, 20 of the settings writer, 300 soak generations with a model switch every 50.
Everything runs on the real components: huggingface_hub against the fake Hub in a child
process, real SQLite, the real engine on the test models, real widgets (offscreen).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [
    str(ROOT / "tests"),
    str(ROOT / "tests" / "reliability"),
]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import bad_input as bi  # noqa: E402
import data_faults as dfa  # noqa: E402
import download_faults as dlf  # noqa: E402

from helpers import models  # noqa: E402

Lines = list[str]


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- 1. downloads --------------------------------------------------------------------------
def downloads(n: int, work: Path, smollm2: Path) -> Lines:
    from helpers.hub_server import FakeHub

    content = dlf.slice_of(smollm2, 8_000_000, work)
    rng = random.Random(100)
    out: dict[str, list[dlf.FaultOutcome]] = {m: [] for m in dlf.MODES}
    for i in range(n):
        mode = dlf.MODES[i % len(dlf.MODES)]
        offset = rng.randint(len(b"x") * 400_000, 7_600_000)
        out[mode].append(dlf.run_fault(mode, content, offset, work / f"dl-{i}"))
        _progress(f"download {i + 1}/{n}: {out[mode][-1]}")
    lines = [
        f"{n} downloads of an 8 MB slice of SmolLM2 from the fake Hub, each interrupted "
        "once at a random byte offset (5–95%), then resumed.",
        "",
        _row(
            "fault",
            "downloads",
            "correct SHA-256",
            "resumed from kept data",
            "resume point − fault offset (median)",
            "median time",
        ),
        _row(*["---"] * 6),
    ]
    for mode, runs in out.items():
        lag = statistics.median(r.resumed_from - r.offset for r in runs) if runs else 0
        lines.append(
            _row(
                _FAULTS[mode],
                len(runs),
                sum(r.sha_ok for r in runs),
                sum(r.resumed_from > 0 for r in runs),
                f"{lag / 1024:+.0f} KiB",
                f"{statistics.median(r.seconds for r in runs):.2f} s" if runs else "-",
            )
        )
    big = dlf.slice_of(smollm2, 30_000_000, work)
    lines += [
        "",
        "A full disk: a 30 MB download into a 20 MB filesystem.",
        "",
        _row("case", "real filesystem", "error", "message", "installed", "registered"),
        _row(*["---"] * 6),
    ]
    with FakeHub() as hub:
        hub.add_repo("org/big-GGUF", {"big-Q4_1.gguf": big})
        for hook, label in (
            ("none", "free space checked first"),
            ("plenty", "hook says plenty free: the write hits ENOSPC"),
        ):
            real, res = dlf.full_disk(hub.endpoint, "org/big-GGUF", work / f"disk-{hook}", hook)
            lines.append(
                _row(
                    label,
                    "tmpfs 20 MB (unshare)" if real else "no (hook only)",
                    res["error"],
                    str(res["message"])[:90] + "…",
                    res["installed"],
                    res["registered"],
                )
            )
            if res.get("store_error"):
                lines.append(
                    _row(
                        "↳ model index on the full disk",
                        "",
                        "",
                        res["store_error"],
                        "",
                        "see Findings",
                    )
                )
    return lines


_FAULTS = {
    "drop": "connection dropped",
    "restart": "server SIGKILLed and restarted",
    "kill": "client SIGKILLed, resumed in a new process",
}


# -- 2. data -------------------------------------------------------------------------------
def data(n_chat: int, n_settings: int, work: Path, smollm2: Path) -> Lines:
    rng = random.Random(200)
    completed: dict[int, str] = {}
    kills = []
    for i in range(n_chat):
        kills.append(dfa.kill_chat_once(smollm2, work / "chat.sqlite3", rng, completed))
        _progress(f"chat kill {i + 1}/{n_chat}: {kills[-1]}")
    settings = [
        dfa.kill_settings_once(work / "cfg" / "settings.json", rng) for _ in range(n_settings)
    ]
    last = kills[-1]
    return [
        f"The chat service (SmolLM2, replies streaming and saved every 0.05 s) in a child "
        f"process, SIGKILLed {n_chat} times at random moments on the same database:",
        "",
        _row(
            "kills",
            "integrity_check ok",
            "kills mid-reply",
            "completed replies checked",
            "completed replies missing or changed",
            "messages in the file",
        ),
        _row(*["---"] * 6),
        _row(
            n_chat,
            sum(k.integrity == "ok" for k in kills),
            sum(k.mid_reply for k in kills),
            last.completed,
            max(k.missing for k in kills),
            last.messages,
        ),
        "",
        f"A child saving settings in a tight loop, SIGKILLed {n_settings} times after 50–500 ms:",
        "",
        _row("kills", "file loads without a warning", "temporary files left behind"),
        _row("---", "---", "---"),
        _row(n_settings, sum(s.loads for s in settings), settings[-1].leftovers),
    ]


# -- 3. bad input --------------------------------------------------------------------------
def _cli_line(r: bi.CliResult) -> str:
    err = r.stderr.strip().splitlines()
    return (err[-1] if err else "(nothing on stderr)").replace("|", "\\|")[:140]


def bad_input_cli(smollm2: Path, work: Path) -> Lines:
    m = bi.model_args(smollm2)
    bad = work / "bad.tsv"
    bad.write_text("cat\t猫\n\nbroken line\n", encoding="utf-8")
    odd = " ".join(bi.ODD_TEXTS.values()).encode()
    big = bi.megabyte().encode()
    cases: list[tuple[str, list[str], bytes, bool]] = [
        ("chat: 1 MB on stdin", ["chat", *m, "--max-tokens", "4", "-"], big, False),
        ("write: 1 MB, Ctrl+C after the first part", ["write", "proofread", *m], big, True),
        (
            "translate: 1 MB, Ctrl+C after the first part",
            ["translate", "--to", "zh", *m],
            big,
            True,
        ),
        ("write: empty stdin", ["write", "proofread", *m], b"", False),
        ("write: whitespace only", ["write", "proofread", *m], b" \n\t\n", False),
        ("translate: empty stdin", ["translate", "--to", "en", *m], b"", False),
        (
            "chat: control chars, RTL, emoji, CJK",
            ["chat", *m, "--max-tokens", "8", "-"],
            odd,
            False,
        ),
        (
            "translate: control chars, RTL, emoji, CJK",
            ["translate", "--to", "en", "--max-tokens", "16", *m],
            odd,
            False,
        ),
        (
            "translate: malformed glossary",
            ["translate", "--to", "zh", "--glossary", str(bad), *m],
            b"a cat",
            False,
        ),
        ("translate: not UTF-8", ["translate", "--to", "en", *m], bi.NOT_UTF8, False),
        ("write: not UTF-8", ["write", "proofread", *m], bi.NOT_UTF8, False),
        ("chat: not UTF-8", ["chat", *m, "-"], bi.NOT_UTF8, False),
    ]
    lines = [
        _row("command line input", "exit", "stdout bytes", "stderr (last line)", "time"),
        _row(*["---"] * 5),
    ]
    for label, args, stdin, interrupt in cases:
        r = bi.run_cli(args, stdin, interrupt_after_output=interrupt)
        _progress(f"cli {label}: {r.returncode}")
        lines.append(_row(label, r.returncode, len(r.stdout), _cli_line(r), f"{r.seconds:.1f} s"))
    return lines


def bad_input_gui(smollm2: Path) -> Lines:
    from gui_faults import paste_megabyte, wait_until
    from PySide6.QtWidgets import QApplication
    from soak import SETTINGS

    from llmasos.kernel.kernel import Kernel

    app = QApplication.instance() or QApplication([])
    kernel = Kernel()
    kept: list[object] = []
    rid = kernel.load_model(smollm2, SETTINGS)
    done: list[int] = []
    kernel.finished.connect(lambda i, _s: done.append(i))
    wait_until(lambda: rid in done, 120)
    lines = [
        _row(
            "page (1 MB pasted, then run)",
            "notice shown",
            "timer ticks after paste",
            "longest GUI-thread stall",
            "ended in bounded wait",
        ),
        _row(*["---"] * 5),
    ]
    try:
        for page in ("chat", "write", "translate"):
            try:
                o = paste_megabyte(page, kernel, bi.megabyte(), kept.append)
            except Exception as exc:  # a page that crashes is a finding, not the end
                lines.append(_row(page, f"CRASHED: {type(exc).__name__}: {exc}", "", "", ""))
                continue
            lines.append(
                _row(
                    page,
                    o.notice.replace("\n", " ")[:110],
                    o.ticks_after,
                    f"{o.max_stall_s:.2f} s",
                    o.ended,
                )
            )
    finally:
        for w in kept:
            w.close()  # type: ignore[attr-defined]
        kernel.shutdown(30)
        del app
    return lines


# -- 4. security, 5. soak ----------------------------------------------------------------------
def security() -> Lines:
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "reliability" / "test_security.py"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return [
        f"`tests/reliability/test_security.py`: **{summary}** "
        f"({time.perf_counter() - t0:.0f} s). What it checks:",
        "",
        "- a chat message with `![x](http://127.0.0.1:PORT/pixel.png)`, a raw `<img>`, a "
        "reference-style image, a link and an autolink, rendered by the chat view "
        "(`MessageWidget` → `MarkdownBrowser`): the local server receives **no request**; "
        "`QDesktopServices.openUrl` (recorded) is called only after a real mouse click on "
        "the link, with that link only;",
        "- a Hub token in `settings.json`, a gated download through the fake Hub with a "
        "logged retry, every logger at DEBUG plus `llmasos.log`, a chat export (JSON and "
        "Markdown) and `llmasos --debug models download` (stdout + stderr): the token "
        "appears nowhere, and no request goes to huggingface.co;",
        "- the local API server with an API key: requests without a key, with a wrong "
        "key and with the right key at DEBUG — the key is never logged.",
    ]


def soak(n: int, every: int, smollm2: Path, gemma3: Path) -> Lines:
    from PySide6.QtCore import QCoreApplication
    from soak import run_soak

    app = QCoreApplication.instance() or QCoreApplication([])
    r = run_soak([smollm2, gemma3], generations=n, switch_every=every, seed=5)
    del app
    segs = ", ".join(f"{name.split('-')[0]} {rss / 2**20:.0f}" for name, rss in r.rss_by_segment)
    return [
        f"{n} generations through the `Kernel` (SmolLM2 and Gemma-3 alternating every "
        f"{every}; 1 thread, n_ctx 512): a third run to the end (24 tokens), a third are "
        "cancelled right after they start (prefill), a third after 0–0.3 s of tokens (decode). "
        "Every wait is bounded (120 s per request).",
        "",
        _row(
            "generations",
            "finished",
            "cancelled in prefill",
            "cancelled in decode",
            "failed",
            "model switches",
            "deadlocks",
            "threads left",
            "time",
        ),
        _row(*["---"] * 9),
        _row(
            r.generations,
            r.finished,
            r.cancelled_prefill,
            r.cancelled_decode,
            r.failed,
            r.switches,
            r.deadlocks,
            r.threads_after - r.threads_before + r.workers_after,
            f"{r.seconds:.0f} s",
        ),
        "",
        f"Resident memory after warm-up (end of segment 2, both models loaded once): "
        f"{r.rss_warm / 2**20:.0f} MiB; at the end (same model loaded): "
        f"{r.rss_end / 2**20:.0f} MiB; growth **{r.rss_growth * 100:+.1f}%** (goal < 5%).",
        f"RSS at the end of each segment (MiB): {segs}.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's counts (slower)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "RELIABILITY.md")
    args = parser.parse_args()
    n_dl, n_kill, n_soak, every = (20, 20, 300, 50) if args.full else (6, 5, 60, 15)
    smollm2, gemma3 = models.ensure(models.SMOLLM2), models.ensure(models.GEMMA3)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["LLMASOS_HOME"] = str(work / "home")
        sections: list[tuple[str, Callable[[], Lines]]] = [
            ("Downloads under faults", lambda: downloads(n_dl, work, smollm2)),
            ("Data under faults", lambda: data(n_kill, n_kill, work, smollm2)),
            ("Bad input: command line", lambda: bad_input_cli(smollm2, work)),
            ("Bad input: the app", lambda: bad_input_gui(smollm2)),
            ("Security", security),
            ("Soak", lambda: soak(n_soak, every, smollm2, gemma3)),
        ]
        body: Lines = []
        for title, run in sections:
            t0 = time.perf_counter()
            _progress(f"== {title}")
            body += [
                f"## {title}",
                "",
                *run(),
                "",
                f"<sub>section measured in {time.perf_counter() - t0:.0f} s</sub>",
                "",
            ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    head = [
        "# Reliability",
        "",
        "Produced by `python scripts/reliability_report.py"
        f"{' --full' if args.full else ''}` — do not edit by hand; the same checks run "
        "with smaller counts as `tests/reliability/`.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load:.1f} at the end, "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(head + body + FINDINGS), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


FINDINGS = [
    "## Findings",
    "",
    "Fixed with this report:",
    "",
    "- `foundation/hub/download_io.py` `HashingWriter.close()`: a full disk hit while flushing the "
    "last buffered bytes raised a bare `OSError` (Errno 28) that replaced the "
    "`DiskFullError`; now recorded and raised as `DiskFullError`.",
    "- `foundation/hub/client.py` `HubClient`: huggingface_hub 2.4 builds its user agent by "
    "fetching "
    "`https://huggingface.co/api/agent-harnesses` (whatever endpoint is set) on the first "
    "request; telemetry is now disabled, so nothing calls home.",
    "- `foundation/engine/llama.py`: an empty prompt (`complete('')`) or an empty chat raised a "
    "plain "
    '`ValueError` (an "unexpected" error in the kernel and the CLI); now `InvalidInputError`.',
    "- `llmasos write` and `llmasos chat -` read stdin with surrogate escapes, so bytes that "
    "are not UTF-8 ended in an unexpected `UnicodeEncodeError`; they now share "
    "`cli_common.read_stdin_text` with `llmasos translate` (the clear message above).",
    "- `ChatService._cut` (`services/chat/service.py`) reported the budget instead of the real "
    "size "
    "of a lone over-long message; it now reports the message's own token count.",
    "- Settings saves killed mid-write left `.settings.json.*.tmp` files behind; "
    "`SettingsStore.load` now removes ones older than 10 minutes (younger ones may belong "
    "to a save still running elsewhere), so the count in the table above does not grow.",
    "- The model store's index on a full disk raised a bare `OSError`; it is now "
    "`DiskFullError` (the row above), other write failures `ModelStoreError`.",
    "- Language detection ran over the whole text on the GUI thread (Translate page); it "
    "now judges a 6,000-character sample (start, middle, end): 2 ms for 1 MB.",
    "",
    "Open:",
    "",
    "- The Chat page renders a whole message as Markdown on the GUI thread "
    "(`apps/gui/chat/view.py`, `MessageWidget.set_text`): a 1 MB message stalls the window "
    "for about half a second once (the table above); no page froze.",
    "",
]

if __name__ == "__main__":
    raise SystemExit(main())
