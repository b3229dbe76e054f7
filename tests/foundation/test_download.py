"""Resumable, verified downloads from the fake Hub (real huggingface_hub, real sockets)."""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from pathlib import Path

import pytest

from helpers import models
from llmasos.errors import DiskFullError, ModelExistsError
from llmasos.foundation.gguf.file import read_model_info
from llmasos.foundation.hub import download
from llmasos.foundation.hub.client import GgufEntry, HubClient, RemoteFile
from llmasos.foundation.hub.download import DownloadControl, Downloader, DownloadProgress
from llmasos.foundation.hub.download_parts import unfinished_downloads
from llmasos.foundation.hub.errors import (
    ChecksumMismatch,
    GatedRepoError,
    HubNotFoundError,
    OfflineError,
)
from llmasos.foundation.models.store import ModelStore

REPO = "org/m-GGUF"
NAME = "m-Q4_K_M.gguf"
PARTIAL = Path("models", ".partial", "org", "m-GGUF", NAME + ".part")  # under tmp_path


def _setup(hub, content, **kw):
    hub.add_repo(REPO, {NAME: content}, **kw)
    client = HubClient(hub.endpoint, timeout=5)
    (entry,) = client.list_gguf(REPO)
    return client, entry


def _downloader(client, tmp_path, **kw):
    kw.setdefault("backoff_s", 0.01)
    return Downloader(client, tmp_path / "models", chunk_size=64 * 1024, **kw)


def _cdn_gets(hub):
    return [r for r in hub.behaviour.requests if r[0] == "GET" and r[1].startswith("/blobs/")]


def test_download_via_cdn_redirect(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    seen: list[DownloadProgress] = []
    result = _downloader(client, tmp_path).download(REPO, entry, progress=seen.append)
    assert result.is_complete and result.fetched == len(small_model)
    (path,) = result.paths
    assert path == tmp_path / "models" / "org" / "m-GGUF" / NAME
    assert path.read_bytes() == small_model
    assert (result.repo, result.revision, result.files) == (REPO, None, (NAME,))
    assert result.sha256 == (hashlib.sha256(small_model).hexdigest(),)
    assert seen[-1].done == seen[-1].total == len(small_model) and seen[-1].fraction == 1.0
    assert all(a.done <= b.done for a, b in itertools.pairwise(seen))
    heads = [r for r in fake_hub.behaviour.requests if r[0] == "HEAD"]
    assert heads and all("/resolve/main/" in r[1] for r in heads)
    assert len(_cdn_gets(fake_hub)) == 1
    assert not list((tmp_path / "models" / ".partial").rglob("*.part*"))


def test_token_sent_to_hub_never_to_cdn(fake_hub, small_model, tmp_path):
    fake_hub.add_repo(REPO, {NAME: small_model}, gated=True)
    client = HubClient(fake_hub.endpoint, token="hf_secret", timeout=5)
    (entry,) = client.list_gguf(REPO)
    assert _downloader(client, tmp_path).download(REPO, entry).is_complete
    reqs = fake_hub.behaviour.requests
    assert all(r[3] for r in reqs if r[0] == "HEAD")
    assert not any(r[3] for r in _cdn_gets(fake_hub))


def test_dropped_connection_is_resumed(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.drop_after, fake_hub.behaviour.drops = 1_000_000, 2
    result = _downloader(client, tmp_path).download(REPO, entry)
    assert result.is_complete
    assert result.paths[0].read_bytes() == small_model
    ranges = [r[2] for r in _cdn_gets(fake_hub)]
    assert ranges[0] is None and len(ranges) == 3
    # Each retry resumes where the last whole chunk ended (a torn chunk is fetched again).
    offsets = [int(r[len("bytes=") : -1]) for r in ranges[1:]]
    assert 1_000_000 - 64 * 1024 < offsets[0] <= 1_000_000
    assert offsets[0] + 1_000_000 - 64 * 1024 < offsets[1] <= offsets[0] + 1_000_000


def test_pause_then_resume_after_restart(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.slow_s = 0.01
    control = DownloadControl()

    def pause_soon(p: DownloadProgress) -> None:
        if p.done >= 1_000_000:
            control.pause()

    first = _downloader(client, tmp_path).download(
        REPO, entry, progress=pause_soon, control=control
    )
    assert first.status == "paused" and first.paths == ()
    partial = tmp_path / PARTIAL
    kept = partial.stat().st_size
    assert 1_000_000 <= kept < len(small_model)
    assert json.loads(partial.with_name(partial.name + ".json").read_text())["size"] == len(
        small_model
    )
    fake_hub.behaviour.slow_s = 0
    # "after a restart": the app finds the unfinished download from its record alone
    (left,) = unfinished_downloads(tmp_path / "models")
    assert (left.repo, left.entry, left.kept) == (REPO, entry, kept)
    assert left.fraction == pytest.approx(kept / len(small_model))
    fresh = _downloader(HubClient(fake_hub.endpoint, timeout=5), tmp_path)
    assert fresh.partial_bytes(entry) == kept
    second = fresh.download(left.repo, left.entry)
    assert second.is_complete and second.fetched == len(small_model) - kept
    assert second.paths[0].read_bytes() == small_model
    assert _cdn_gets(fake_hub)[-1][2] == f"bytes={kept}-"
    assert unfinished_downloads(tmp_path / "models") == []


def test_changed_remote_file_restarts(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    control = DownloadControl()
    control.pause()
    partial = tmp_path / PARTIAL
    _downloader(client, tmp_path).download(REPO, entry, control=control)  # writes the sidecar
    partial.write_bytes(small_model[:500_000])
    new = small_model[::-1]
    fake_hub.add_repo(REPO, {NAME: new})
    (entry2,) = client.list_gguf(REPO)
    result = _downloader(client, tmp_path).download(REPO, entry2)
    assert result.paths[0].read_bytes() == new
    assert _cdn_gets(fake_hub)[-1][2] is None


def test_server_ignoring_range_restarts_cleanly(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.drop_after, fake_hub.behaviour.drops = 700_000, 1
    fake_hub.behaviour.ignore_range = True
    result = _downloader(client, tmp_path).download(REPO, entry)
    assert result.paths[0].read_bytes() == small_model


def test_checksum_mismatch_deletes_and_registers_nothing(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.corrupt = True
    store_dir = tmp_path / "models"
    with pytest.raises(ChecksumMismatch, match="damaged") as info:
        _downloader(client, tmp_path).download(REPO, entry)
    assert isinstance(info.value, ValueError)
    assert not list(store_dir.rglob(NAME))
    assert not list((store_dir / ".partial").rglob("*.part*"))
    assert ModelStore(store_dir, tmp_path / "index.json").models() == []


def test_split_model_is_one_unit(fake_hub, small_model, tmp_path):
    half = len(small_model) // 2
    parts = {
        "s-Q4_K_M-00001-of-00002.gguf": small_model[:half],
        "s-Q4_K_M-00002-of-00002.gguf": small_model[half:],
    }
    fake_hub.add_repo("org/s-GGUF", parts)
    client = HubClient(fake_hub.endpoint, timeout=5)
    (entry,) = client.list_gguf("org/s-GGUF")
    fake_hub.behaviour.corrupt = True  # both parts arrive damaged: nothing may be installed
    with pytest.raises(ChecksumMismatch):
        _downloader(client, tmp_path).download("org/s-GGUF", entry)
    assert not list((tmp_path / "models").rglob("*.gguf"))
    fake_hub.behaviour.corrupt = False
    control = DownloadControl()
    control.pause()
    _downloader(client, tmp_path).download("org/s-GGUF", entry, control=control)
    (left,) = unfinished_downloads(tmp_path / "models")  # both parts, one entry
    assert left.entry == entry and left.repo == "org/s-GGUF" and left.kept == 0
    partial_dir = tmp_path / "models" / ".partial"
    assert (partial_dir / "org" / "s-GGUF" / "s-Q4_K_M-00001-of-00002.gguf.part.json").exists()
    (partial_dir / "stray.gguf.part.json").write_text("{not json")  # a damaged record
    (partial_dir / "old.gguf.part.json").write_text(
        json.dumps({"path": "old.gguf", "size": 1, "sha256": "0" * 64})
    )
    assert unfinished_downloads(tmp_path / "models") == [left]  # others ignored
    result = _downloader(client, tmp_path).download("org/s-GGUF", entry)
    assert [p.name for p in result.paths] == list(parts)
    assert b"".join(p.read_bytes() for p in result.paths) == small_model


def test_gated_download_needs_token(fake_hub, small_model, tmp_path):
    fake_hub.add_repo(REPO, {NAME: small_model}, gated=True)
    client = HubClient(fake_hub.endpoint, timeout=5)
    (entry,) = client.list_gguf(REPO)  # listing works, as on the real Hub
    with pytest.raises(GatedRepoError, match="Settings"):
        _downloader(client, tmp_path).download(REPO, entry)


def test_missing_file_is_not_found(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    del fake_hub.repos[REPO].files[NAME]
    with pytest.raises(HubNotFoundError):
        _downloader(client, tmp_path).download(REPO, entry)


def test_slow_server_cancel_from_another_thread(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.slow_s = 0.05
    control = DownloadControl()
    started = threading.Event()
    results = []

    def run() -> None:
        results.append(
            _downloader(client, tmp_path).download(
                REPO, entry, control=control, progress=lambda p: started.set()
            )
        )

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(10)
    control.pause()
    worker.join(timeout=10)  # a bounded wait, not a speed check
    assert not worker.is_alive()
    assert results[0].status == "paused"
    partial = tmp_path / PARTIAL
    assert 0 < partial.stat().st_size < len(small_model)
    control = DownloadControl()
    control.cancel()
    cancelled = _downloader(client, tmp_path).download(REPO, entry, control=control)
    assert cancelled.status == "cancelled" and not partial.exists()


def test_disk_too_small(fake_hub, small_model, tmp_path, monkeypatch):
    client, entry = _setup(fake_hub, small_model)
    monkeypatch.setattr(download, "_free_bytes", lambda path: 10_000_000)
    with pytest.raises(DiskFullError, match="Not enough disk space") as info:
        _downloader(client, tmp_path).download(REPO, entry)
    assert isinstance(info.value, OSError)
    assert _cdn_gets(fake_hub) == []


def test_existing_model_is_not_overwritten(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    installed = tmp_path / "models" / "org" / "m-GGUF" / NAME
    installed.parent.mkdir(parents=True)
    installed.write_bytes(b"mine")
    with pytest.raises(ModelExistsError, match=r"Another version of .* from org/m-GGUF"):
        _downloader(client, tmp_path).download(REPO, entry)
    assert installed.read_bytes() == b"mine"
    installed.write_bytes(small_model)
    with pytest.raises(ModelExistsError, match="already installed"):
        _downloader(client, tmp_path).download(REPO, entry)
    assert _cdn_gets(fake_hub) == []


def test_retries_give_up_with_offline_error(fake_hub, small_model, tmp_path):
    client, entry = _setup(fake_hub, small_model)
    fake_hub.behaviour.drop_after, fake_hub.behaviour.drops = 0, 100
    with pytest.raises(OfflineError):
        _downloader(client, tmp_path, max_retries=2).download(REPO, entry)
    assert len(_cdn_gets(fake_hub)) == 3
    assert (tmp_path / PARTIAL).exists()  # kept for later


def test_offline_download(offline, fake_hub, small_model, tmp_path):
    f = fake_hub.add_repo(REPO, {NAME: small_model}).files[NAME]
    entry = GgufEntry(NAME, "Q4_K_M", (RemoteFile(NAME, f.size, f.sha256),))  # listed earlier
    with pytest.raises(OfflineError):
        _downloader(HubClient(offline, timeout=0.5), tmp_path).download(REPO, entry)


def test_real_smollm2_end_to_end(fake_hub, smollm2_path: Path, tmp_path):
    fake_hub.add_repo(
        "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF",
        {"SmolLM2-135M-Instruct.Q4_1.gguf": smollm2_path},
    )
    client = HubClient(fake_hub.endpoint, timeout=10)
    (entry,) = client.list_gguf("HuggingFaceTB/SmolLM2-135M-Instruct-GGUF")
    assert entry.quantization == "Q4_1" and entry.parts[0].sha256 == models.SMOLLM2.sha256
    fake_hub.behaviour.drop_after, fake_hub.behaviour.drops = 40_000_000, 1
    result = Downloader(client, backoff_s=0.01).download(
        "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF", entry
    )
    assert result.sha256 == (models.SMOLLM2.sha256,)
    store = ModelStore()
    model = store.register(
        result.paths[0],
        source="hf:HuggingFaceTB/SmolLM2-135M-Instruct-GGUF",
        sha256=result.sha256[0],
    )
    assert model.architecture == "llama" and model.quantization == "Q4_1" and model.is_usable
    assert read_model_info(model.path).file_size == smollm2_path.stat().st_size
    assert store.get("SmolLM2-135M-Instruct.Q4_1").sha256 == models.SMOLLM2.sha256
