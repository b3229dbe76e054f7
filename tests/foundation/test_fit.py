"""Memory fit estimates and the recommended quantization."""

from __future__ import annotations

import pytest

from llmasos.foundation.gguf.file import read_model_info
from llmasos.foundation.hub.client import GgufEntry, RemoteFile
from llmasos.foundation.models import fit

GB = 1_000_000_000


def _entry(name: str, size: int) -> GgufEntry:
    from llmasos.foundation.hub.client import parse_quantization

    return GgufEntry(name, parse_quantization(name), (RemoteFile(name, size, "0" * 64),))


def test_kv_cache_formula():
    # Llama 3.1 8B: 32 layers, 8 KV heads of 128 -> 128 KiB per token in f16.
    assert fit.kv_cache_bytes(32, 1, 8, 128) == 128 * 1024
    assert fit.kv_cache_bytes(32, 8192, 8, 128) == 1024 * 1024 * 1024


def test_judge_thresholds():
    assert fit.judge(75, 100) == "fits"
    assert fit.judge(76, 100) == "tight"
    assert fit.judge(100, 100) == "tight"
    assert fit.judge(101, 100) == "too_big"


def test_estimate_from_real_metadata(smollm2_path):
    info = read_model_info(smollm2_path)
    est = fit.estimate_for_model(info, 2048, available=16 * GB)
    head_dim = info.embedding_length // info.head_count
    expected_kv = info.block_count * 2048 * info.head_count_kv * head_dim * 2 * 2
    assert est.basis == "metadata" and est.kv_cache == expected_kv
    assert est.weights == info.file_size
    assert est.overhead == fit.OVERHEAD_FIXED + int(info.file_size * fit.OVERHEAD_SHARE)
    assert est.total == est.weights + est.kv_cache + est.overhead
    assert est.verdict == "fits" and "fits:" in est.describe()
    small = fit.estimate_for_model(info, 2048, available=est.total - 1)
    assert small.verdict == "too_big" and "too big" in small.describe()


def test_estimate_uses_this_machine_by_default(smollm2_path):
    from llmasos.foundation.platform.hardware import snapshot

    est = fit.estimate_for_model(read_model_info(smollm2_path))
    assert est.available > 0 and abs(est.available - snapshot().available_ram) < GB


@pytest.mark.parametrize(
    ("name", "billions"),
    [
        ("Qwen/Qwen2.5-0.5B-Instruct-GGUF", 0.5),
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M", 8.0),
        ("SmolLM2-135M-Instruct.Q4_1.gguf", 0.135),
        ("gemma-2-2b-it", 2.0),
    ],
)
def test_parameters_from_name(name, billions):
    assert fit.guess_parameters(name, 1, None) == pytest.approx(billions)


def test_parameters_from_size_when_name_is_silent():
    # 4.85 bits per weight at Q4_K_M: 4.85 GB of file is 8 billion weights.
    assert fit.guess_parameters("phi-mini", int(4.85 * GB), "Q4_K_M") == pytest.approx(8.0)


def test_rule_before_download():
    est = fit.estimate_for_file(4 * GB, 4096, name="x-7B", available=32 * GB)
    assert est.basis == "rule"
    assert est.kv_cache == int(fit.KV_BYTES_PER_TOKEN_PER_B * 7 * 4096)
    assert "estimated before download" in est.describe()


def test_recommend_for_a_7b_repo():
    entries = [
        _entry("m-7B-Q2_K.gguf", int(3.0 * GB)),
        _entry("m-7B-Q4_K_M.gguf", int(4.7 * GB)),
        _entry("m-7B-Q8_0.gguf", int(8.1 * GB)),
        _entry("m-7B-F16.gguf", int(15.2 * GB)),
    ]
    assert fit.recommend(entries, available=32 * GB).quantization == "Q4_K_M"
    assert fit.recommend(entries, available=6 * GB).quantization == "Q2_K"
    assert fit.recommend(entries, available=4_300_000_000).quantization == "Q2_K"  # tight
    assert fit.recommend(entries, available=1 * GB) is None


def test_small_models_prefer_q8():
    entries = [_entry("m-0.5B-Q4_K_M.gguf", 400_000_000), _entry("m-0.5B-Q8_0.gguf", 530_000_000)]
    assert fit.recommend(entries, available=8 * GB).quantization == "Q8_0"


def test_a_gpu_build_is_judged_against_free_gpu_memory(smollm2_path):
    info = read_model_info(smollm2_path)
    plenty_ram = 64 * GB
    on_cpu = fit.estimate_for_model(info, 2048, available=plenty_ram, vram=None)
    assert on_cpu.vram is None and on_cpu.verdict == "fits" and "GPU" not in on_cpu.describe()
    small_gpu = fit.estimate_for_model(info, 2048, available=plenty_ram, vram=on_cpu.total - 1)
    assert small_gpu.verdict == "too_big"  # all layers go to the GPU by default
    assert "free GPU memory" in small_gpu.describe() and "GPU layers" in small_gpu.describe()
    big_gpu = fit.estimate_for_model(info, 2048, available=1 * GB // 10, vram=24 * GB)
    assert big_gpu.verdict == "fits"  # RAM no longer decides
    entries = [_entry("m-7B-Q4_K_M.gguf", int(4.7 * GB)), _entry("m-7B-Q8_0.gguf", int(8.1 * GB))]
    assert fit.recommend(entries, available=64 * GB, vram=5 * GB) is None  # nothing fits 5 GB
    assert fit.recommend(entries, available=1 * GB, vram=80 * GB).quantization == "Q4_K_M"


def test_this_cpu_build_reports_no_gpu_memory_without_loading_llama_cpp():
    import subprocess
    import sys

    code = (
        "import sys; from llmasos.foundation.platform import hardware; "
        "from llmasos.foundation.models import fit; "
        "print(hardware.has_gpu_backend(), hardware.gpu_memory(), "
        "fit.estimate_for_file(10**9, available=8 * 10**9).vram, "
        "'llama_cpp' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    # the development and CI machines run llama-cpp-python's CPU build
    assert out == ["False", "None", "None", "False"]


# -- speed ---------------------------------------------------------------------------------


def test_speed_estimate_is_bandwidth_over_weights():
    # 10 GB/s of copy bandwidth, 30 % of it reached by decode, 1 GB of weights: 3 tokens/s
    assert fit.estimate_tokens_per_s(1 * GB, 10 * GB) == pytest.approx(10 * fit.DECODE_EFFICIENCY)
    assert fit.estimate_tokens_per_s(2 * GB, 10 * GB) == pytest.approx(
        fit.estimate_tokens_per_s(1 * GB, 10 * GB) / 2
    )
    profile = fit.SpeedProfile(10 * GB, correction=2.0)
    assert profile.tokens_per_s(1 * GB) == pytest.approx(20 * fit.DECODE_EFFICIENCY)
    assert fit.is_pleasant(fit.PLEASANT_TOKENS_PER_S)
    assert not fit.is_pleasant(fit.PLEASANT_TOKENS_PER_S - 0.1)


def test_an_8b_model_is_slow_on_a_2_core_laptop():
    slow = fit.SpeedProfile(20 * GB)  # a 2-core machine copying 20 GB/s
    q4_8b = int(8 * GB * fit.BITS_PER_WEIGHT["Q4_K_M"] / 8)  # 4.85 GB
    assert slow.tokens_per_s(q4_8b) < 2 and not fit.is_pleasant(slow.tokens_per_s(q4_8b))
    assert fit.is_pleasant(slow.tokens_per_s(100_000_000))


def test_bandwidth_is_measured_once_and_cached(monkeypatch):
    from llmasos.foundation.platform import hardware

    assert fit.cached_speed_profile() is None  # each test has its own cache folder
    calls = []
    real = hardware.measure_memory_bandwidth

    def measure() -> float:
        calls.append(1)
        return real(8 * 1024 * 1024, 1)  # a small buffer keeps the test quick

    monkeypatch.setattr(hardware, "measure_memory_bandwidth", measure)
    first = fit.speed_profile()
    assert first.bandwidth > 0 and first.correction == 1.0 and calls == [1]
    assert fit.speed_profile() == first and calls == [1]  # read back from the cache
    assert fit.cached_speed_profile() == first


def test_observed_speed_corrects_the_estimate(monkeypatch):
    from llmasos.foundation.platform import hardware

    monkeypatch.setattr(hardware, "measure_memory_bandwidth", lambda: 10.0 * GB)
    assert fit.record_observed_speed(100_000_000, 15.0) is None  # kept until measured
    profile = fit.speed_profile()
    estimate = fit.estimate_tokens_per_s(100_000_000, 10 * GB)  # 30 tokens/s
    assert profile.correction == pytest.approx(15.0 / estimate)  # the earlier run counts
    corrected = fit.record_observed_speed(250_000_000, 6.0)
    assert corrected is not None
    ratios = [15.0 / estimate, 6.0 / fit.estimate_tokens_per_s(250_000_000, 10 * GB)]
    assert corrected.correction == pytest.approx((ratios[0] * ratios[1]) ** 0.5)
    assert fit.cached_speed_profile() == corrected
    assert fit.record_observed_speed(100_000_000, 0.0) == corrected  # no speed: ignored
    for size in range(1, fit.MAX_OBSERVATIONS + 3):  # only the latest few are kept
        fit.record_observed_speed(size * 10**8, 30.0 / size)  # each exactly as estimated
    latest = fit.cached_speed_profile()
    assert latest is not None and latest.correction == pytest.approx(1.0)


def test_a_damaged_speed_file_means_measure_again(monkeypatch):
    from llmasos.foundation.platform import hardware
    from llmasos.foundation.platform.paths import app_paths

    path = app_paths().cache / fit.SPEED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert fit.cached_speed_profile() is None
    monkeypatch.setattr(hardware, "measure_memory_bandwidth", lambda: 5.0 * GB)
    assert fit.speed_profile().bandwidth == 5.0 * GB


def test_memory_bandwidth_measurement_is_positive():
    from llmasos.foundation.platform.hardware import measure_memory_bandwidth

    assert measure_memory_bandwidth(4 * 1024 * 1024, 2) > 0
