"""Downloads under faults: dropped connections, a killed server, a killed client, a full disk.

Real huggingface_hub client, real sockets, the fake Hub in a child process that is
SIGKILLed; ``scripts/reliability_report.py`` runs the same with more downloads.
"""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import random
from pathlib import Path

import download_faults as df
import pytest

SLICE = 6_000_000  # a real 6 MB slice of SmolLM2: quick, and still many chunks


@pytest.fixture(scope="module")
def content(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return df.slice_of(smollm2_path, SLICE, tmp_path_factory.mktemp("slice"))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("mode", df.MODES)
def test_interrupted_download_resumes_with_right_sha(
    mode: str, seed: int, content: Path, tmp_path: Path
) -> None:
    offset = random.Random(f"{mode}-{seed}").randint(SLICE // 20, SLICE * 9 // 10)
    outcome = df.run_fault(mode, content, offset, tmp_path)
    assert outcome.sha_ok, outcome
    # it resumed from kept data (not from the start), at most a chunk or two before the fault
    assert 0 < outcome.resumed_from <= offset + 256 * 1024, outcome
    assert outcome.resumed_from >= offset - 2 * 256 * 1024, outcome


@pytest.fixture(scope="module")
def big(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 MB: more than the 20 MB filesystem holds."""
    return df.slice_of(smollm2_path, 30_000_000, tmp_path_factory.mktemp("big"))


@pytest.mark.parametrize("hook", ["none", "plenty"])
def test_full_disk_is_a_clear_error_and_registers_nothing(
    hook: str, fake_hub, big: Path, tmp_path: Path
) -> None:
    fake_hub.add_repo("org/big-GGUF", {"big-Q4_1.gguf": big})
    real_fs, out = df.full_disk(fake_hub.endpoint, "org/big-GGUF", tmp_path / "disk", hook)
    assert out["error"] == "DiskFullError" and out["is_oserror"], out
    assert "space" in str(out["message"]).lower() and "Free some space" in str(out["message"])
    assert out["installed"] == [] and out["registered"] == [], out
    if real_fs:
        assert out["fs_total"] == df.DISK_MB << 20
        if hook == "plenty":  # the write itself hit ENOSPC: what arrived is kept to resume
            assert "filled up" in str(out["message"]) and int(out["kept_partial"]) > 0
        else:  # the early check refused before a byte was fetched
            assert int(out["kept_partial"]) == 0
