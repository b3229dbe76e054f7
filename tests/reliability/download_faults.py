"""Downloads under faults: a fake Hub in a child process that can be killed, and a
downloader that can be killed, shared by the tests and ``scripts/reliability_report.py``.

Three ways a download is interrupted at a chosen byte offset, each followed by a
resume that must end with the right SHA-256:

* ``drop``: the CDN closes the connection mid-body (the fake Hub's ``drop_after``);
* ``restart``: the server process is SIGKILLed and a new one starts on the same ports;
* ``kill``: the downloading process (``python -c``) is SIGKILLed; the download is
  then resumed in this process from the partial file it left.

And a full disk: a real 20 MB tmpfs mounted in a private mount namespace
(``unshare``), with and without the free-space hook, or the hook alone where the
machine does not allow a mount.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent  # holds helpers/
REPO = "org/fault-GGUF"
NAME = "fault-Q4_1.gguf"
MODES = ("drop", "restart", "kill")

SERVER_CHILD = r"""
import sys, threading, time
from http.server import ThreadingHTTPServer
sys.path.insert(0, sys.argv[1])
from helpers import hub_server
content, repo, name, log_path = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ports = [int(sys.argv[6]), int(sys.argv[7])]
slow_s, drop_after = float(sys.argv[8]), int(sys.argv[9])

class Fixed(hub_server._Server):
    def __init__(self, hub, role):
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", ports.pop(0)), hub_server._Handler)
        self.hub, self.role = hub, role

class Logged(list):
    def append(self, item):
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(f"{item[0]}\t{item[1]}\t{item[2] or ''}\n")
        super().append(item)

hub_server._Server = Fixed
hub = hub_server.FakeHub()
hub.behaviour.requests = Logged()
hub.behaviour.slow_s = slow_s
if drop_after >= 0:
    hub.behaviour.drop_after, hub.behaviour.drops = drop_after, 1
from pathlib import Path
hub.add_repo(repo, {name: Path(content)})
hub.start()
print("ready", hub._servers[0].server_address[1], hub._servers[1].server_address[1], flush=True)
threading.Event().wait()
"""

CLIENT_CHILD = r"""
import sys
from pathlib import Path
from llmasos.foundation.hub.download import Downloader
from llmasos.foundation.hub.client import HubClient
endpoint, repo, store = sys.argv[1], sys.argv[2], Path(sys.argv[3])
client = HubClient(endpoint, timeout=10)
(entry,) = client.list_gguf(repo)
Downloader(client, store, chunk_size=64 * 1024, backoff_s=0.05).download(
    repo, entry, progress=lambda p: print("done", p.done, flush=True))
print("finished", flush=True)
"""


@dataclass(frozen=True)
class FaultOutcome:
    """One interrupted download and its resume."""

    mode: str
    offset: int  # where the fault was triggered (bytes received)
    size: int
    resumed_from: int  # Range start of the first resumed request (0: never resumed)
    sha_ok: bool
    calls: int  # download() calls it took in this process (a killed client's run not counted)
    seconds: float


class HubProcess:
    """The fake Hub in a child process, serving one file; SIGKILL it and start it again."""

    def __init__(
        self, content: Path, log: Path, *, slow_s: float = 0.02, drop_after: int = -1
    ) -> None:
        self.content, self.log, self.slow_s, self.drop_after = content, log, slow_s, drop_after
        self.ports = (0, 0)
        self.proc: subprocess.Popen[str] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def start(self) -> HubProcess:
        args = [
            sys.executable,
            "-c",
            SERVER_CHILD,
            str(TESTS),
            str(self.content),
            REPO,
            NAME,
            str(self.log),
            *map(str, self.ports),
            str(self.slow_s),
            str(self.drop_after),
        ]
        for _ in range(50):  # the old ports may take a moment to be free again
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
            line = _readline(self.proc, 30.0)
            if line.startswith("ready"):
                _, hub, cdn = line.split()
                self.ports = (int(hub), int(cdn))
                self.drop_after = -1  # drop once only, not again after a restart
                return self
            self.kill()
            time.sleep(0.1)
        raise RuntimeError("the fake Hub process did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None

    def resumed_from(self) -> int:
        """The first Range start > 0 the CDN was asked for (0 when none)."""
        if not self.log.exists():
            return 0
        for line in self.log.read_text(encoding="utf-8").splitlines():
            method, path, rng = ([*line.split("\t"), "", ""])[:3]
            if method == "GET" and path.startswith("/blobs/") and rng.startswith("bytes="):
                start = int(rng[len("bytes=") :].rstrip("-"))
                if start > 0:
                    return start
        return 0


def _readline(proc: subprocess.Popen[str], timeout_s: float) -> str:
    """One line of the child's stdout, or "" after ``timeout_s`` or at its end."""
    box: list[str] = []
    reader = threading.Thread(
        target=lambda: box.append(proc.stdout.readline() if proc.stdout else ""), daemon=True
    )
    reader.start()
    reader.join(timeout_s)
    return box[0] if box else ""


def slice_of(model: Path, size: int, folder: Path) -> Path:
    """The first ``size`` bytes of a real model file, as a file of its own."""
    target = folder / f"slice-{size}.bin"
    if not target.exists() or target.stat().st_size != size:
        with model.open("rb") as f:
            target.write_bytes(f.read(size))
    return target


def _client(endpoint: str) -> object:
    from llmasos.foundation.hub.client import HubClient

    return HubClient(endpoint, timeout=10)


def _download(endpoint: str, store: Path, on_progress: object = None) -> tuple[str, int]:
    """Run one in-process download call; return (status, calls) after retrying give-ups."""
    from llmasos.foundation.hub.download import Downloader
    from llmasos.foundation.hub.errors import OfflineError

    for calls in range(1, 6):
        client = _client(endpoint)
        (entry,) = client.list_gguf(REPO)  # type: ignore[attr-defined]
        try:
            result = Downloader(client, store, chunk_size=64 * 1024, backoff_s=0.1).download(  # type: ignore[arg-type]
                REPO, entry, progress=on_progress
            )  # type: ignore[arg-type]
        except OfflineError:
            time.sleep(0.2)  # the server is still restarting: the part is kept, try again
            continue
        return result.status, calls
    raise RuntimeError("the download did not complete after 5 tries")


def run_fault(mode: str, content: Path, offset: int, work: Path) -> FaultOutcome:
    """Download ``content`` with a fault of ``mode`` at ``offset``; resume; check SHA-256."""
    work.mkdir(parents=True, exist_ok=True)
    store = work / "models"
    t0 = time.perf_counter()
    hub = HubProcess(
        content, work / "requests.log", drop_after=offset if mode == "drop" else -1
    ).start()
    try:
        if mode == "kill":
            _kill_client_at(hub.endpoint, store, offset)
            status, calls = _download(hub.endpoint, store)
        elif mode == "restart":
            status, calls = _download(hub.endpoint, store, _restart_at(hub, offset))
        else:
            status, calls = _download(hub.endpoint, store)
        path = store / REPO / NAME
        ok = status == "completed" and _sha(path) == _sha(content)
        return FaultOutcome(
            mode,
            offset,
            content.stat().st_size,
            hub.resumed_from(),
            ok,
            calls,
            time.perf_counter() - t0,
        )
    finally:
        hub.kill()


def _restart_at(hub: HubProcess, offset: int) -> object:
    """A progress callback that SIGKILLs the server at ``offset`` and restarts it."""
    fired = threading.Event()

    def progress(p: object) -> None:
        if not fired.is_set() and getattr(p, "done", 0) >= offset:
            fired.set()
            hub.kill()
            threading.Thread(target=hub.start, name="hub-restart").start()

    return progress


def _kill_client_at(endpoint: str, store: Path, offset: int) -> None:
    """Run the downloader in a child and SIGKILL it once it reports ``offset`` bytes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT_CHILD, endpoint, REPO, str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = _readline(proc, 30.0)
            if not line or line.startswith("finished"):
                raise RuntimeError(f"the child download ended before the kill ({line!r})")
            if int(line.split()[1]) >= offset:
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -9


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- a full disk ---------------------------------------------------------------------------
DISK_CHILD = r"""
import json, shutil, sys
from pathlib import Path
from llmasos.foundation.hub import download
from llmasos.foundation.hub.download import Downloader
from llmasos.foundation.hub.client import HubClient
from llmasos.foundation.models.store import ModelStore
endpoint, repo, root, hook = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]
if hook == "plenty":
    download._free_bytes = lambda path: 1 << 40  # pass the early check; the disk fills up
elif hook == "tiny":
    download._free_bytes = lambda path: 10_000_000
store = root / "models"
out = {"fs_total": shutil.disk_usage(root).total, "error": None, "message": ""}
client = HubClient(endpoint, timeout=10)
(entry,) = client.list_gguf(repo)
try:
    Downloader(client, store, chunk_size=256 * 1024, max_retries=1, backoff_s=0.01).download(
        repo, entry)
except Exception as exc:
    out.update(error=type(exc).__name__, message=str(exc), is_oserror=isinstance(exc, OSError))
out["installed"] = sorted(p.name for p in store.rglob("*.gguf"))
out["kept_partial"] = sum(p.stat().st_size for p in (store / ".partial").rglob("*.part"))
# the index lives with the settings, which may be on another disk than the models
index = root.parent / (root.name + "-index.json")
out["registered"] = [m.name for m in ModelStore(store, index).models()]
try:  # and when it is on the full disk too
    out["registered_same_disk"] = [m.name for m in ModelStore(store, root / "i.json").models()]
    out["store_error"] = ""
except OSError as exc:
    out["store_error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""

DISK_MB = 20


def namespace_prefix() -> list[str]:
    """``unshare`` arguments for a private mount namespace (user namespace when not root)."""
    if shutil.which("unshare") is None:
        return []
    return ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]


def full_disk(endpoint: str, repo: str, root: Path, hook: str) -> tuple[bool, dict[str, object]]:
    """Download into ``root`` on a real 20 MB tmpfs when the machine allows a mount.

    ``hook``: "none" (the real free space), "plenty" (the early check passes and the
    write hits ENOSPC) or "tiny" (the hook says 10 MB free). Returns (real_fs, result).
    """
    root.mkdir(parents=True, exist_ok=True)
    child = [sys.executable, "-c", DISK_CHILD, endpoint, repo, str(root), hook]
    prefix = namespace_prefix()
    if prefix:
        mount = f'mount -t tmpfs -o size={DISK_MB}m tmpfs "$0" && exec "$@"'
        done = subprocess.run(
            [*prefix, "sh", "-c", mount, str(root), *child],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0:
            return True, json.loads(done.stdout.strip().splitlines()[-1])
    done = subprocess.run(
        [*child[:-1], "tiny"], capture_output=True, text=True, timeout=120, check=True
    )
    return False, json.loads(done.stdout.strip().splitlines()[-1])
