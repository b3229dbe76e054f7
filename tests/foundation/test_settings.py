"""Settings: values, validation and the settings.json file (no Qt)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from llmasos.errors import SettingsError
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.store import (
    AppSettings,
    EngineConfig,
    HubConfig,
    SamplingConfig,
    SettingsStore,
    UiConfig,
    needs_model_reload,
)

CUSTOM = AppSettings(
    engine=EngineConfig(n_threads=6, n_ctx=8192, n_gpu_layers=-1, n_batch=256, flash_attn=True),
    sampling=SamplingConfig(
        temperature=0.2, top_p=0.9, top_k=20, min_p=0.1, repeat_penalty=1.2, seed=42, max_tokens=300
    ),
    ui=UiConfig(theme="dark", language="zh_CN", enter_sends=False),
    hub=HubConfig(endpoint="https://hf-mirror.com", token="hf_SECRETtoken123"),
    default_model="SmolLM2-135M-Instruct-Q4_1.gguf",
    open_windows=("translate", "write"),
)


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_store_lives_in_config_folder():
    assert SettingsStore().path == app_paths().config / "settings.json"


def test_missing_file_gives_defaults_without_warning():
    assert SettingsStore().load() == (AppSettings(), None)


def test_round_trip_and_readable_file():
    store = SettingsStore()
    store.save(CUSTOM)
    assert SettingsStore().load() == (CUSTOM, None)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["engine"]["n_ctx"] == 8192
    assert data["open_windows"] == ["translate", "write"]
    assert "\n  " in store.path.read_text(encoding="utf-8")  # indented for people


def test_auto_values_round_trip_as_null():
    store = SettingsStore()
    store.save(AppSettings())
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["engine"]["n_threads"] is None and data["sampling"]["seed"] is None
    assert store.load() == (AppSettings(), None)


def test_atomic_write_leaves_no_temp_files():
    store = SettingsStore()
    store.save(CUSTOM)
    store.save(AppSettings())
    assert files(store.path.parent) == ["settings.json"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_file_is_private():
    store = SettingsStore()
    store.save(CUSTOM)
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_failed_write_keeps_old_file_and_no_temp(monkeypatch):
    store = SettingsStore()
    store.save(CUSTOM)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(AppSettings())
    monkeypatch.undo()
    assert files(store.path.parent) == ["settings.json"]
    assert store.load() == (CUSTOM, None)


def test_stray_temp_file_from_killed_write_is_ignored():
    store = SettingsStore()
    store.save(CUSTOM)
    stray = store.path.with_name(".settings.json.abc123.tmp")
    stray.write_text('{"engine": {"n_ctx": 2', encoding="utf-8")  # cut off mid-write
    assert store.load() == (CUSTOM, None)
    store.save(AppSettings())
    assert store.load() == (AppSettings(), None)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b""])
def test_corrupt_file_is_moved_aside(content):
    store = SettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_bytes(content)
    settings, warning = store.load()
    assert settings == AppSettings()
    assert warning is not None and "default settings are in use" in warning
    backups = [p for p in store.path.parent.iterdir() if p.name.startswith("settings.json.bad-")]
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert str(backups[0]) in warning
    assert not store.path.exists()
    assert store.load() == (AppSettings(), None)


def test_two_corrupt_files_in_one_second_keep_both_backups():
    store = SettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    for content in ("{", "}"):
        store.path.write_text(content, encoding="utf-8")
        store.load()
    backups = sorted(p.read_text() for p in store.path.parent.glob("settings.json.bad-*"))
    assert backups == ["{", "}"]


def write_json(store: SettingsStore, data: object) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps(data), encoding="utf-8")


def test_unknown_keys_ignored_and_missing_keys_default():
    store = SettingsStore()
    write_json(
        store, {"future": 1, "engine": {"n_ctx": 2048, "mystery": True}, "ui": {"theme": "dark"}}
    )
    settings, warning = store.load()
    assert warning is None
    assert settings == replace(
        AppSettings(), engine=EngineConfig(n_ctx=2048), ui=UiConfig(theme="dark")
    )


def test_invalid_values_reset_to_default_with_warning():
    store = SettingsStore()
    write_json(
        store,
        {
            "engine": {"n_ctx": 10, "n_threads": "many", "n_batch": 128, "flash_attn": 1},
            "sampling": {"temperature": 9, "top_k": 5, "max_tokens": True, "seed": 7},
            "ui": {"theme": "purple"},
            "hub": {"endpoint": "http://example.com", "token": "bad token"},
            "open_windows": "chat",
            "sampling_typo": {},
        },
    )
    settings, warning = store.load()
    assert settings.engine == EngineConfig(n_batch=128)
    assert settings.sampling == SamplingConfig(top_k=5, seed=7)
    assert settings.ui.theme == "system"
    assert settings.hub == HubConfig()
    assert settings.open_windows == ()
    assert warning is not None
    for name in (
        "engine.n_ctx",
        "engine.n_threads",
        "engine.flash_attn",
        "sampling.temperature",
        "sampling.max_tokens",
        "ui.theme",
        "hub.endpoint",
        "hub.token",
        "open_windows",
    ):
        assert name in warning
    assert "bad token" not in warning
    assert store.path.exists()  # a bad value is not a corrupt file


def test_section_of_wrong_type_defaults_with_warning():
    store = SettingsStore()
    write_json(store, {"engine": [1, 2], "sampling": {"top_k": 3}})
    settings, warning = store.load()
    assert settings.engine == EngineConfig() and settings.sampling.top_k == 3
    assert warning is not None and "'engine'" in warning


def test_integer_accepted_for_float_field():
    store = SettingsStore()
    write_json(store, {"sampling": {"temperature": 1}})
    settings, warning = store.load()
    assert warning is None and settings.sampling.temperature == 1.0
    assert isinstance(settings.sampling.temperature, float)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"engine": EngineConfig(n_threads=0)}, ["engine.n_threads", "1 and 256", "Auto"]),
        ({"engine": EngineConfig(n_threads=257)}, ["engine.n_threads", "1 and 256"]),
        ({"engine": EngineConfig(n_ctx=255)}, ["engine.n_ctx", "256 and 1,048,576"]),
        ({"engine": EngineConfig(n_ctx=2_000_000)}, ["engine.n_ctx", "1,048,576"]),
        ({"engine": EngineConfig(n_batch=0)}, ["engine.n_batch", "1 and 8,192"]),
        ({"engine": EngineConfig(n_gpu_layers=-2)}, ["engine.n_gpu_layers", "-1 and 1,000"]),
        ({"sampling": SamplingConfig(temperature=5.5)}, ["sampling.temperature", "0 and 5"]),
        ({"sampling": SamplingConfig(top_p=1.5)}, ["sampling.top_p", "0 and 1"]),
        ({"sampling": SamplingConfig(top_k=-1)}, ["sampling.top_k", "0 and 1,000"]),
        ({"sampling": SamplingConfig(min_p=-0.1)}, ["sampling.min_p", "0 and 1"]),
        (
            {"sampling": SamplingConfig(repeat_penalty=0.1)},
            ["sampling.repeat_penalty", "0.5 and 2.5"],
        ),
        ({"sampling": SamplingConfig(max_tokens=0)}, ["sampling.max_tokens", "1 and 131,072"]),
        ({"sampling": SamplingConfig(temperature=float("nan"))}, ["sampling.temperature"]),
        ({"ui": UiConfig(theme="blue")}, ["ui.theme", "system, light, dark"]),
        ({"ui": UiConfig(language="fr")}, ["ui.language", "system, en, zh_CN"]),
        ({"hub": HubConfig(endpoint="ftp://x")}, ["hub.endpoint", "http:// or https://"]),
        ({"hub": HubConfig(endpoint="huggingface.co")}, ["hub.endpoint"]),
        ({"hub": HubConfig(endpoint="http://hf-mirror.com")}, ["hub.endpoint", "https://"]),
    ],
)
def test_validate_names_field_and_range(change, words):
    with pytest.raises(SettingsError) as info:
        replace(AppSettings(), **change).validate()
    for word in words:
        assert word in str(info.value)


def test_validate_reports_every_problem():
    bad = AppSettings(engine=EngineConfig(n_ctx=1), hub=HubConfig(endpoint="ftp://x"))
    assert len(bad.problems()) == 2
    with pytest.raises(SettingsError, match=r"(?s)engine\.n_ctx.*hub\.endpoint"):
        bad.validate()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://huggingface.co",
        "https://hf-mirror.com/",
        "http://127.0.0.1:8080",
        "http://localhost:5000/hub",
        "http://[::1]:9000",
    ],
)
def test_valid_endpoints(endpoint):
    AppSettings(hub=HubConfig(endpoint=endpoint)).validate()


def test_save_refuses_invalid_settings_and_keeps_file():
    store = SettingsStore()
    store.save(CUSTOM)
    before = store.path.read_bytes()
    with pytest.raises(SettingsError):
        store.save(replace(CUSTOM, hub=HubConfig(endpoint="ftp://x")))
    assert store.path.read_bytes() == before
    assert files(store.path.parent) == ["settings.json"]


def test_defaults_and_custom_values_are_valid():
    assert AppSettings().validate() == AppSettings()
    CUSTOM.validate()


def test_needs_model_reload_only_for_engine_fields():
    base = AppSettings()
    assert not needs_model_reload(base, base)
    assert not needs_model_reload(
        base,
        replace(
            base,
            sampling=SamplingConfig(top_k=1),
            ui=UiConfig(theme="dark"),
            hub=HubConfig(token="x"),
        ),
    )
    for engine in (
        EngineConfig(n_ctx=2048),
        EngineConfig(n_threads=2),
        EngineConfig(n_gpu_layers=0),
        EngineConfig(n_batch=64),
        EngineConfig(flash_attn=False),
    ):
        assert needs_model_reload(base, replace(base, engine=engine))


def test_to_engine_settings_and_sampling_params():
    assert CUSTOM.to_engine_settings() == EngineSettings(
        n_ctx=8192, n_threads=6, n_batch=256, n_gpu_layers=-1, flash_attn=True
    )
    assert CUSTOM.to_sampling_params() == SamplingParams(
        temperature=0.2, top_p=0.9, top_k=20, min_p=0.1, repeat_penalty=1.2, seed=42, max_tokens=300
    )
    auto = AppSettings().to_engine_settings()
    assert auto.n_threads is None and auto.n_gpu_layers is None
    auto.validated()


def test_token_not_in_repr_or_logs(caplog):
    assert "hf_SECRETtoken123" not in repr(CUSTOM)
    assert "hf_SECRETtoken123" not in str(CUSTOM.hub)
    store = SettingsStore()
    with caplog.at_level("DEBUG", logger="llmasos"):
        store.save(CUSTOM)
        store.load()
    assert "hf_SECRETtoken123" not in caplog.text


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        CUSTOM.engine.n_ctx = 1  # type: ignore[misc]


def test_orphaned_temp_files_are_removed_but_fresh_ones_kept(tmp_path: Path) -> None:
    import os
    import time

    from llmasos.foundation.settings.store import STALE_TEMP_S

    store = SettingsStore(tmp_path / "settings.json")
    store.save(AppSettings())
    old = tmp_path / ".settings.json.abc.tmp"
    fresh = tmp_path / ".settings.json.def.tmp"
    old.write_text("{", encoding="utf-8")
    fresh.write_text("{", encoding="utf-8")
    past = time.time() - STALE_TEMP_S - 60
    os.utime(old, (past, past))
    store.load()
    assert not old.exists() and fresh.exists()


# --- one schema: defaults and ranges come from foundation/settings/schema.py ---------------


def _schema_defaults(group: str) -> dict[str, object]:
    from llmasos.foundation.settings.schema import FIELDS

    return {f.name: f.default for f in FIELDS.values() if f.group == group}


def _dataclass_defaults(obj: object) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]


@pytest.mark.parametrize("group", ["engine", "sampling", "ui", "hub", "api", "remote"])
def test_app_settings_sections_take_the_schema_defaults(group):
    from llmasos.foundation.settings.schema import FIELDS

    saved = {k: v for k, v in _schema_defaults(group).items() if FIELDS[f"{group}.{k}"].saved}
    assert _dataclass_defaults(getattr(AppSettings(), group)) == saved


def test_top_level_settings_take_the_schema_defaults():
    from llmasos.foundation.settings.schema import FIELDS

    top = {f.key: f.default for f in FIELDS.values() if not f.group}
    assert top == {"default_model": AppSettings().default_model, "open_windows": ()}


def test_engine_and_sampling_params_take_the_schema_defaults():
    assert _dataclass_defaults(EngineSettings()) == _schema_defaults("engine")
    params = _dataclass_defaults(SamplingParams())
    assert params.pop("stop") == ()  # per request, not a setting
    assert params == _schema_defaults("sampling")
    # the engine's request defaults are the app's: one max_tokens, one n_ctx
    assert AppSettings().to_sampling_params() == SamplingParams()
    assert AppSettings().to_engine_settings() == EngineSettings()


def test_every_ranged_field_is_checked_at_its_bounds():
    from llmasos.foundation.settings.rules import RULES
    from llmasos.foundation.settings.schema import FIELDS

    ranged = [f for f in FIELDS.values() if f.lo is not None and f.hi is not None]
    assert {f.key for f in ranged if f.saved} <= set(RULES)
    for f in ranged:
        assert f.lo is not None and f.hi is not None
        assert f.problem(f.kind(f.lo)) is None and f.problem(f.kind(f.hi)) is None
        step = 1 if f.kind is int else 0.01
        for bad in (f.lo - step, f.hi + step):
            message = f.problem(f.kind(bad))
            assert message and f.key in message and f.span().replace("–", " and ") in message
        assert (f.problem(None) is None) == bool(f.auto)
        if f.saved:
            assert f.default is None or f.problem(f.default) is None


@pytest.mark.parametrize(
    "change",
    [
        {"n_ctx": 255},
        {"n_ctx": 1_048_577},
        {"n_threads": 0},
        {"n_batch": 0},
        {"n_gpu_layers": -2},
        {"prompt_lookup": -1},
    ],
)
def test_engine_settings_use_the_schema_ranges(change):
    from dataclasses import fields

    (key,) = change
    with pytest.raises(SettingsError, match=rf"engine\.{key}"):
        EngineSettings(**change).validated()
    # the same value is refused in the settings file's section
    if key in {f.name for f in fields(EngineConfig)}:
        assert replace(AppSettings(), engine=EngineConfig(**change)).problems()


def test_engine_settings_floor_is_the_settings_floor():
    from llmasos.foundation.settings.schema import FIELDS

    floor = FIELDS["engine.n_ctx"].lo
    assert floor == 256
    EngineSettings(n_ctx=256, n_threads=1, n_gpu_layers=-1, n_batch=1).validated()
    with pytest.raises(SettingsError, match="256"):
        EngineSettings(n_ctx=64).validated()


def test_a_settings_file_of_the_first_format_still_loads():
    store = SettingsStore()
    write_json(
        store,
        {
            "version": 1,
            "engine": {
                "n_threads": None,
                "n_ctx": 8192,
                "n_gpu_layers": -1,
                "n_batch": 512,
                "flash_attn": False,
            },
            "sampling": {
                "temperature": 0.3,
                "top_p": 0.95,
                "top_k": 40,
                "min_p": 0.05,
                "repeat_penalty": 1.1,
                "seed": None,
                "max_tokens": 512,
            },
            "ui": {"theme": "dark", "language": "zh_CN", "enter_sends": True},
            "hub": {"endpoint": "https://huggingface.co", "token": ""},
            "api": {
                "enabled": False,
                "host": "127.0.0.1",
                "port": 8800,
                "api_key": "",
                "cors_origins": [],
            },
            "remote": {"url": "", "key": "", "model": ""},
            "default_model": "a.gguf",
            "open_windows": ["translate"],
        },
    )
    settings, warning = store.load()
    assert warning is None
    assert (settings.engine.n_ctx, settings.sampling.max_tokens) == (8192, 512)
    assert settings.ui.theme == "dark" and settings.open_windows == ("translate",)
