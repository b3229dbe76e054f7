"""The probe: a real load *and decode* in a child process, fallbacks when llama.cpp crashes,
verdicts remembered across restarts. Real llama.cpp, real child processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import gguf
import numpy as np
import pytest

from helpers.malformed_gguf import patched_field
from llmasos.errors import ModelFileInvalid, ModelFileNotFound, ModelLoadError
from llmasos.foundation.engine import probe as probe_module
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.probe import (
    CRASH_HOOK_ENV,
    cached,
    discard_spare,
    notice_for,
    prestart,
    probe,
    probe_load,
)
from llmasos.foundation.engine.probe_cache import ProbeCache
from llmasos.foundation.engine.runtime import FULL, RunConfig, resolve
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.gguf.file import read_model_info
from llmasos.foundation.platform import hardware

pytestmark = pytest.mark.real_model

SMALL = EngineSettings(n_ctx=512, n_batch=64, n_threads=1)
GREEDY = SamplingParams(temperature=0.0, max_tokens=8, seed=1)


def _settings(path: Path, settings: EngineSettings = SMALL):
    return resolve(settings, read_model_info(path).context_length)


class Spawns:
    """Counts the probe's child processes while letting them run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = subprocess.run

        def counting(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(subprocess, "run", counting)


@pytest.fixture(autouse=True)
def _no_spare_left_over() -> None:
    """A spare child started by an earlier test (a window's welcome page) would take the
    next probe's job, and these tests count the children they start."""
    discard_spare()


def _no_spawn(*_args, **_kwargs):
    raise AssertionError("a remembered verdict must not start a probe process")


@pytest.fixture(scope="module")
def zero_layers(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("zero-layers")
    return patched_field(smollm2_path, folder / "zero-layers.gguf", "llama.block_count", 0)


@pytest.fixture(scope="module")
def nan_epsilon(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nan-eps")
    return patched_field(
        smollm2_path,
        folder / "nan-eps.gguf",
        "llama.attention.layer_norm_rms_epsilon",
        float("nan"),
    )


def test_a_sound_file_runs_under_the_first_configuration_and_is_remembered(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawns = Spawns(monkeypatch)
    settings = _settings(smollm2_path)
    verdict = probe(smollm2_path, settings)
    assert verdict.probed and spawns.count >= 1
    if hardware.cpu_has_amx():  # llama.cpp's AMX path may crash: then the fallback ran
        assert verdict.config in (FULL, RunConfig(extra_bufts=False))
        assert verdict.notice == notice_for(verdict.config)
    else:
        assert verdict.config == FULL and verdict.notice is None and spawns.count == 1
    monkeypatch.setattr(subprocess, "run", _no_spawn)
    again = probe(smollm2_path, settings)
    assert again.config == verdict.config and not again.probed
    assert cached(smollm2_path, settings) == again


def test_the_verdict_depends_on_the_settings(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe(smollm2_path, _settings(smollm2_path))
    spawns = Spawns(monkeypatch)
    other = _settings(smollm2_path, EngineSettings(n_ctx=512, n_batch=64, n_threads=2))
    assert cached(smollm2_path, other) is None
    probe(smollm2_path, other)
    assert spawns.count >= 1


def test_a_crash_under_repacking_falls_back_and_real_text_follows(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The AMX case, forced by the test hook: the child dies with SIGSEGV while weights
    are repacked; the second configuration runs, for real, in this process."""
    monkeypatch.setenv(CRASH_HOOK_ENV, "extra_bufts")
    engine = LlamaEngine(SMALL)
    with caplog.at_level("WARNING", logger="llmasos.foundation.engine.probe"):
        engine.load(smollm2_path)
    try:
        assert engine.run_config == RunConfig(extra_bufts=False)
        expected = notice_for(RunConfig(extra_bufts=False))
        assert engine.notice == expected and expected is not None
        assert ("AMX" in expected) == hardware.cpu_has_amx()
        assert [r.getMessage() for r in caplog.records if expected in r.getMessage()]
        assert "SIGSEGV" in caplog.text
        text = engine.complete("The capital of France is", GREEDY).text()
        assert text.strip(), "the fallback configuration must generate real text"
    finally:
        engine.close()
    # A restart: a new engine (and a new cache reader) runs no probe and keeps the choice.
    monkeypatch.setattr(subprocess, "run", _no_spawn)
    second = LlamaEngine(SMALL)
    second.load(smollm2_path)
    try:
        assert second.run_config == RunConfig(extra_bufts=False)
        assert second.notice == expected
        assert second.complete("One, two,", GREEDY).text().strip()
    finally:
        second.close()


def test_the_gpu_goes_last(smollm2_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With layers offloaded, a crash with repacking off too leads to the GPU-off run."""
    monkeypatch.setenv(CRASH_HOOK_ENV, "extra_bufts,gpu")
    settings = EngineSettings(n_ctx=512, n_batch=64, n_threads=1, n_gpu_layers=-1)
    engine = LlamaEngine(settings)
    engine.load(smollm2_path)
    try:
        assert engine.run_config == RunConfig(extra_bufts=False, gpu=False)
        assert engine.notice is not None and "GPU" in engine.notice
        assert engine.complete("Hello", GREEDY).text().strip()
    finally:
        engine.close()


def test_crashing_everywhere_is_a_typed_error_and_remembered(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRASH_HOOK_ENV, "always")
    settings = _settings(smollm2_path)
    with pytest.raises(ModelFileInvalid, match=r"crashed running .*SmolLM2.*SIGSEGV") as first:
        probe(smollm2_path, settings)
    assert "repack=on" in str(first.value) and "repack=off" in str(first.value)
    monkeypatch.setattr(subprocess, "run", _no_spawn)
    with pytest.raises(ModelFileInvalid, match="crashed running"):
        probe(smollm2_path, settings)


@pytest.mark.parametrize("fixture", ["zero_layers", "nan_epsilon"])
def test_files_that_only_fail_at_the_first_decode(
    fixture: str, smollm2_path: Path, request: pytest.FixtureRequest
) -> None:
    """Header and tensors well formed, hyperparameters impossible: llama.cpp aborts at
    decode, so only a probe that decodes catches them. The previous model stays loaded."""
    bad: Path = request.getfixturevalue(fixture)
    read_model_info(bad)  # the header validator has nothing against it
    engine = LlamaEngine(SMALL)
    engine.load(smollm2_path)
    try:
        with pytest.raises((ModelFileInvalid, ModelLoadError), match=bad.name):
            engine.load(bad)
        assert engine.info is not None and engine.info.path == smollm2_path.resolve()
        assert engine.complete("Hello", GREEDY).text().strip()
    finally:
        engine.close()


@pytest.mark.parametrize("fixture", ["zero_layers", "nan_epsilon"])
def test_cli_says_error_and_exits_1(fixture: str, request: pytest.FixtureRequest) -> None:
    bad: Path = request.getfixturevalue(fixture)
    proc = subprocess.run(
        [sys.executable, "-m", "llmasos", "chat", "--model", str(bad), "--ctx", "512", "hi"],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and bad.name in lines[0], proc.stderr


def test_cli_notice_once_and_remembered_across_runs(smollm2_path: Path) -> None:
    """Two real ``llmasos chat`` runs: the first falls back and says so on stderr; the
    second, with every configuration set to crash, still answers: no probe ran."""
    env = dict(os.environ, **{CRASH_HOOK_ENV: "extra_bufts"})
    args = [
        sys.executable,
        "-m",
        "llmasos",
        "chat",
        "--model",
        str(smollm2_path),
        "--ctx",
        "512",
        "--threads",
        "1",
        "--max-tokens",
        "8",
        "--temperature",
        "0",
        "Name three colors.",
    ]
    first = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    notice = notice_for(RunConfig(extra_bufts=False))
    assert first.stderr.count(f"note: {notice}") == 1, first.stderr
    assert first.stdout.strip()
    env[CRASH_HOOK_ENV] = "always"
    second = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip()
    entries = json.loads(ProbeCache().path.read_text(encoding="utf-8"))
    assert [v for v in entries.values() if v.get("extra_bufts") is False]


def test_probe_refused_by_llama(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    writer = gguf.GGUFWriter(str(path), "nonexistent_arch")
    writer.add_tokenizer_model("llama")
    writer.add_token_list(["<unk>", "<s>", "</s>", "a", "b"])
    writer.add_tensor("x", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ModelLoadError, match="unknown model architecture: 'nonexistent_arch'"):
        probe_load(path)
    assert cached(path.resolve(), _settings(path, EngineSettings())) is None


def test_probe_child_crash_reads_as_damaged(
    smollm2_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in child that aborts itself: every configuration crashes."""
    fake_python = tmp_path / "python"
    fake_python.write_text("#!/bin/sh\nkill -ABRT $$\n")
    fake_python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", os.fspath(fake_python))
    with pytest.raises(ModelFileInvalid, match=r"crashed running .*SIGABRT"):
        probe_load(smollm2_path)


def test_probe_timeout(smollm2_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="took more than"):
        probe_load(smollm2_path, timeout=0.01)
    assert cached(smollm2_path, _settings(smollm2_path, EngineSettings())) is None


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileNotFound):
        probe_load(tmp_path / "nope.gguf")


def test_without_a_probe_the_cpu_decides(smollm2_path: Path) -> None:
    """``probe=False`` (tests, benches): repacking off exactly where the CPU has AMX."""
    engine = LlamaEngine(EngineSettings(n_ctx=512, n_batch=64, n_threads=1, probe=False))
    engine.load(smollm2_path)
    try:
        assert engine.run_config == RunConfig(extra_bufts=not hardware.cpu_has_amx())
        assert engine.complete("Hello", GREEDY).text().strip()
    finally:
        engine.close()


def test_amx_flags_are_read_from_the_cpu() -> None:
    flags = hardware.cpu_flags()
    if sys.platform.startswith("linux"):
        assert "fpu" in flags or "fp" in flags  # every x86 / arm64 Linux CPU lists one
    assert hardware.cpu_has_amx() == bool({"amx_tile", "amx_int8", "amx_bf16"} & flags)
    assert len(hardware.cpu_signature()) == 12


def _wait_for_spare_to_import() -> None:
    spare = probe_module._spare
    assert spare is not None and spare.poll() is None


def test_a_spare_child_takes_the_next_probe(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prestart()
    _wait_for_spare_to_import()
    monkeypatch.setattr(subprocess, "run", _no_spawn)  # only the spare may run it
    verdict = probe(smollm2_path, _settings(smollm2_path))
    assert verdict.probed and verdict.config == FULL and verdict.notice is None
    assert probe_module._spare is None  # used up; the next probe starts its own


def test_a_spare_child_crashing_falls_back_like_any_child(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prestart()  # started before the crash is asked for: the job carries it
    _wait_for_spare_to_import()
    monkeypatch.setenv(CRASH_HOOK_ENV, "extra_bufts")
    spawns = Spawns(monkeypatch)
    verdict = probe(smollm2_path, _settings(smollm2_path))
    assert verdict.config == RunConfig(extra_bufts=False)
    assert verdict.notice is not None
    assert spawns.count == 1  # the spare crashed under repacking; one fresh child after


def test_an_idle_spare_leaves_and_is_never_a_verdict(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe_module, "SPARE_IDLE_S", 0.2)
    prestart()
    spare = probe_module._spare
    assert spare is not None
    spare.wait(timeout=120)  # imports llama.cpp, waits 0.2 s, leaves
    assert spare.returncode == probe_module._EXIT_IDLE
    spawns = Spawns(monkeypatch)
    monkeypatch.setenv(CRASH_HOOK_ENV, "always")
    with pytest.raises(ModelFileInvalid):  # fresh children ran it, and it crashed
        probe(smollm2_path, _settings(smollm2_path))
    assert spawns.count == 2


@pytest.mark.parametrize(
    ("settings", "config"),
    [
        (EngineSettings(), FULL),
        (EngineSettings(flash_attn=False, n_ctx=256, n_batch=512, n_threads=1), FULL),
        (EngineSettings(prompt_lookup=4, n_gpu_layers=-1), RunConfig(extra_bufts=False)),
        (EngineSettings(n_gpu_layers=8), RunConfig(extra_bufts=False, gpu=False)),
    ],
)
def test_the_child_builds_the_parameters_llama_builds(
    smollm2_path: Path, settings: EngineSettings, config: RunConfig
) -> None:
    """The probe child loads through llama.cpp's C API to skip importing the high-level
    half; its model and context parameters must be what ``Llama()`` builds, every field."""
    import llama_cpp

    from llmasos.foundation.engine import native
    from llmasos.foundation.engine.llama_hooks import auto_flash_attn, model_params
    from llmasos.foundation.engine.runtime import llama_kwargs

    lib = native.bindings()
    kwargs = llama_kwargs(smollm2_path, _settings(smollm2_path, settings), config)
    with model_params(extra_bufts=config.extra_bufts):
        ours = native.params(lib, kwargs)
        llm = llama_cpp.Llama(**kwargs)
    auto_flash_attn(lib, ours[1])  # what the same hook does as the child creates its context
    try:
        assert native.fields(ours[0]) == native.fields(llm.model_params)
        assert native.fields(ours[1]) == native.fields(llm.context_params)
        assert native.fields(ours[0])["use_extra_bufts"] is config.extra_bufts
        wanted = lib.LLAMA_FLASH_ATTN_TYPE_AUTO if settings.flash_attn else 0
        assert llm.context_params.flash_attn_type == wanted
    finally:
        llm.close()


def test_the_mapping_refuses_arguments_it_does_not_know() -> None:
    from llmasos.foundation.engine import native

    with pytest.raises(ValueError, match="type_k"):
        native.params(native.bindings(), {"n_threads": 1, "n_threads_batch": 1, "type_k": 8})


def test_the_bindings_load_without_the_high_level_half() -> None:
    """In a fresh interpreter: the C API without numpy or ``Llama``; a later
    ``import llama_cpp`` still gets the whole package, sharing the same bindings."""
    script = (
        "import sys\n"
        "from llmasos.foundation.engine import native\n"
        "lib = native.bindings()\n"
        "light = sorted(m for m in ('numpy', 'jinja2', 'llama_cpp', 'llama_cpp.llama')"
        " if m in sys.modules)\n"
        "import llama_cpp\n"
        "print(light, lib is llama_cpp.llama_cpp, hasattr(llama_cpp, 'Llama'),"
        " lib.llama_max_devices() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["[]", "True", "True", "True"]


def test_a_llama_cpp_python_the_mapping_does_not_know_is_probed_through_llama(
    smollm2_path: Path, zero_layers: Path
) -> None:
    """When the parameter structures are not what the mapping sets (another
    llama-cpp-python), the child runs the model through ``Llama()`` instead: a sound
    file still passes, a file that aborts at the first decode still fails."""
    script = (
        "import json, sys\n"
        "from llmasos.foundation.engine import native, probe\n"
        "def refuse(lib, kwargs):\n"
        "    raise native.NoNativeMapping('test: pretend the fields differ')\n"
        "native.params = refuse\n"
        "code = probe.main(sys.argv[1:])\n"
        "print(json.dumps([code, 'llama_cpp.llama' in sys.modules]), flush=True)\n"
    )
    plan = probe_module._parse_plan([str(smollm2_path)])
    assert plan is not None
    args = ["--plan", json.dumps({"settings": plan[1].to_json(), "extra_bufts": True,
                                  "gpu": True, "pooling": None})]  # fmt: skip
    sound = subprocess.run(
        [sys.executable, "-c", script, str(smollm2_path), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert json.loads(sound.stdout.splitlines()[-1]) == [0, True], sound.stderr[-2000:]
    broken = subprocess.run(
        [sys.executable, "-c", script, str(zero_layers), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # llama.cpp refuses it (exit 3 with a reason) or aborts: never a pass
    assert broken.returncode != 0 or json.loads(broken.stdout.splitlines()[-1])[0] != 0
