"""Download throughput and memory of the model manager vs a plain streaming HTTP GET.

Serves the two real test models (SmolLM2 98 MB, Gemma 3 270M 253 MB) from the
fake Hub of ``tests/helpers/hub_server.py`` on 127.0.0.1 (the Hub redirects to
a second "CDN" server, as the real one does). Each measurement runs in a fresh
child process, so peak RSS is that download's alone:

* ``plain``: ``urllib`` GET of the resolve URL (following the redirect), streamed to
  a file in 1 MiB reads;
* ``manager``: :class:`llmasos.foundation.hub.download.Downloader` (HEAD, Range GET,
  SHA-256 while streaming, verification, atomic move).

Throughput is the best of ``--repeat`` runs per method and file; the ratio is
manager ÷ plain. The same files are also served at 100 MB/s (a fast real link).
Memory runs repeat the manager download under ``tracemalloc``.

The verification ceiling: SHA-256 of one stream cannot be split across cores, so no
verifying download is faster than ``hashlib.sha256`` on this CPU. The run measures that
speed (1 MiB blocks, best of 3 × 256 MiB) and prints ``verify_ceiling_ratio`` =
SHA-256 speed ÷ plain GET speed: the highest ratio any verifying downloader could
reach against this plain GET here.
Prints a table, then one JSON line with stable keys.

Usage: ``python bench/download.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import models  # noqa: E402
from helpers.hub_server import SEND_CHUNK, FakeHub  # noqa: E402

THROTTLE_MB_S = 100.0  # a fast home/office link: the case users actually meet

REPO = "bench/models-GGUF"


def _child(method: str, endpoint: str, file_name: str, trace: bool) -> dict[str, float]:
    """One download in this (child) process; returns seconds, bytes and memory peaks."""
    out_dir = Path(tempfile.mkdtemp(prefix="llmasos-bench-"))
    if trace:
        tracemalloc.start()
    if method == "plain":
        url = f"{endpoint}/{REPO}/resolve/main/{file_name}"
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r, (out_dir / file_name).open("wb") as f:
            size = 0
            for block in iter(lambda: r.read(1 << 20), b""):
                f.write(block)
                size += len(block)
        seconds = time.perf_counter() - t0
    else:
        from llmasos.foundation.hub.client import HubClient
        from llmasos.foundation.hub.download import Downloader

        client = HubClient(endpoint)
        entry = next(e for e in client.list_gguf(REPO) if e.name == file_name)
        t0 = time.perf_counter()
        result = Downloader(client, out_dir).download(REPO, entry)
        seconds = time.perf_counter() - t0
        size = result.paths[0].stat().st_size
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    for p in out_dir.rglob("*"):
        if p.is_file():
            p.unlink()
    return {
        "seconds": seconds,
        "bytes": size,
        "tracemalloc_peak": peak,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def sha256_mb_s() -> float:
    """Best MB/s of hashlib.sha256 over 256 MiB in 1 MiB blocks (one core)."""
    import hashlib

    block = bytes(range(256)) * 4096
    best = 0.0
    for _ in range(3):
        digest = hashlib.sha256()
        t0 = time.perf_counter()
        for _ in range(256):
            digest.update(block)
        best = max(best, 256 * len(block) / (time.perf_counter() - t0) / 1e6)
    return best


def _measure(method: str, endpoint: str, file_name: str, trace: bool = False) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        method,
        "--endpoint",
        endpoint,
        "--file",
        file_name,
    ] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(hub: FakeHub, name: str, repeat: int) -> dict[str, float]:
    best = {"plain": 0.0, "manager": 0.0}
    for _ in range(repeat):
        for method in ("plain", "manager"):
            r = _measure(method, hub.endpoint, name)
            best[method] = max(best[method], r["bytes"] / r["seconds"] / 1e6)
    return best


def _bench(repeat: int) -> dict[str, dict[str, float]]:
    files = {"small": models.ensure(models.SMOLLM2), "large": models.ensure(models.GEMMA3)}
    rows: dict[str, dict[str, float]] = {}
    with FakeHub() as hub:
        hub.add_repo(REPO, {p.name: p for p in files.values()})
        for label, path in files.items():
            best = _best(hub, path.name, repeat)
            hub.behaviour.slow_s = SEND_CHUNK / (THROTTLE_MB_S * 1e6)
            slow = _best(hub, path.name, 1)
            hub.behaviour.slow_s = 0.0
            mem = _measure("manager", hub.endpoint, path.name, trace=True)
            plain_mem = _measure("plain", hub.endpoint, path.name, trace=True)
            rows[label] = {
                "size_mb": path.stat().st_size / 1e6,
                "plain_mb_s": best["plain"],
                "manager_mb_s": best["manager"],
                "ratio": best["manager"] / best["plain"],
                "plain_mb_s_at_100": slow["plain"],
                "manager_mb_s_at_100": slow["manager"],
                "ratio_at_100": slow["manager"] / slow["plain"],
                "manager_peak_rss_mb": mem["peak_rss"] / 1e6,
                "plain_peak_rss_mb": plain_mem["peak_rss"] / 1e6,
                "manager_tracemalloc_peak_mb": mem["tracemalloc_peak"] / 1e6,
            }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=("plain", "manager"))
    parser.add_argument("--endpoint")
    parser.add_argument("--file")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.endpoint, args.file, args.trace)))
        return
    rows = _bench(args.repeat)
    sha = sha256_mb_s()
    print(
        f"{'file':<6} {'size MB':>8} {'plain MB/s':>11} {'manager MB/s':>13} {'ratio':>6} "
        f"{'ratio@100MB/s':>14} {'mgr RSS MB':>11} {'plain RSS MB':>13} "
        f"{'mgr tracemalloc MB':>19}"
    )
    for label, r in rows.items():
        print(
            f"{label:<6} {r['size_mb']:>8.1f} {r['plain_mb_s']:>11.1f} "
            f"{r['manager_mb_s']:>13.1f} {r['ratio']:>6.2f} {r['ratio_at_100']:>14.2f} "
            f"{r['manager_peak_rss_mb']:>11.1f} "
            f"{r['plain_peak_rss_mb']:>13.1f} {r['manager_tracemalloc_peak_mb']:>19.2f}"
        )
    print(
        f"SHA-256 on one core: {sha:.0f} MB/s; the highest ratio a verifying download can "
        f"reach against the plain GET: "
        + ", ".join(f"{label} {min(1.0, sha / r['plain_mb_s']):.2f}" for label, r in rows.items())
    )
    ratio = min(r["ratio"] for r in rows.values())
    ratio_100 = min(r["ratio_at_100"] for r in rows.values())
    growth = rows["large"]["manager_peak_rss_mb"] - rows["small"]["manager_peak_rss_mb"]
    summary = {
        "bench": "download",
        "ratio_min": round(ratio, 3),
        "target_ratio": 0.9,
        "ratio_at_100_min": round(ratio_100, 3),
        "ratio_ok": ratio >= 0.9,
        "ratio_at_100_ok": ratio_100 >= 0.9,
        "files": {k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in rows.items()},
        "rss_growth_mb": round(growth, 2),
        "sha256_mb_s": round(sha, 1),
        "verify_ceiling_ratio": round(
            min(min(1.0, sha / r["plain_mb_s"]) for r in rows.values()), 3
        ),
        "size_growth_mb": round(rows["large"]["size_mb"] - rows["small"]["size_mb"], 1),
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
