"""The person's settings: what they are, which values are allowed, and the file they live in.

:class:`AppSettings` is plain frozen data in groups (engine, sampling, ui, hub, api, remote,
models, everywhere, knowledge) plus the default model and the tool windows to reopen; every
default and range is in :data:`~llmasos.foundation.settings.schema.FIELDS`.
:class:`SettingsStore` keeps it in ``settings.json`` in the config folder, a file people can
read and edit.

The Hugging Face token is stored in that file in plain text, as the ``huggingface_hub``
client does with its own token file; on POSIX the file is readable by its owner only
(mode 600). The token never appears in ``repr()``, in log lines or in warnings.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_type_hints

from llmasos.errors import SettingsError
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.rules import RULES, cross_problems
from llmasos.foundation.settings.schema import RECENT_MODELS_MAX, default
from llmasos.records import record

if TYPE_CHECKING:
    from llmasos.foundation.engine.settings import EngineSettings, SamplingParams

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
FORMAT_VERSION = 1


@record
class EngineConfig:
    """How the model is loaded. ``None`` means "Auto": chosen for this machine."""

    n_threads: int | None = default("engine.n_threads")
    n_ctx: int = default("engine.n_ctx")
    n_gpu_layers: int | None = default("engine.n_gpu_layers")  # -1: all on the GPU, 0: CPU only
    n_batch: int = default("engine.n_batch")
    flash_attn: bool = default("engine.flash_attn")


@record
class SamplingConfig:
    """Default sampling for new requests. ``seed=None`` picks a random seed each time."""

    temperature: float = default("sampling.temperature")
    top_p: float = default("sampling.top_p")
    top_k: int = default("sampling.top_k")
    min_p: float = default("sampling.min_p")
    repeat_penalty: float = default("sampling.repeat_penalty")
    seed: int | None = default("sampling.seed")
    max_tokens: int = default("sampling.max_tokens")


@record
class UiConfig:
    """Look and feel. ``theme`` is one of :data:`THEMES`, ``language`` of :data:`LANGUAGES`."""

    theme: str = default("ui.theme")
    language: str = default("ui.language")
    enter_sends: bool = default("ui.enter_sends")  # Enter sends; Shift+Enter starts a new line


@record
class HubConfig:
    """Where models are downloaded from. ``token`` is kept out of ``repr()``."""

    endpoint: str = default("hub.endpoint")
    token: str = field(default=default("hub.token"), repr=False)


@record
class ApiConfig:
    """The local OpenAI-compatible API server. ``api_key`` is kept out of ``repr()``.

    Any ``host`` other than this computer (127.0.0.1, ::1, localhost) needs an API key.
    ``cors_origins`` lists web origins allowed to call it from a browser (empty: none).
    """

    enabled: bool = default("api.enabled")
    host: str = default("api.host")
    port: int = default("api.port")
    api_key: str = field(default=default("api.api_key"), repr=False)
    cors_origins: tuple[str, ...] = default("api.cors_origins")


@record
class RemoteConfig:
    """An OpenAI-compatible server used as the engine; ``url`` empty means the local model."""

    url: str = default("remote.url")
    key: str = field(default=default("remote.key"), repr=False)
    model: str = default("remote.model")  # "" means the server's first model


@record
class ModelsConfig:
    """The model files opened lately (absolute paths, the latest first), and whether the
    app loads the last one at start when it is given no model and has no default."""

    recent: tuple[str, ...] = default("models.recent")
    load_last: bool = default("models.load_last")


@record
class EverywhereConfig:
    """LLMasOS in other applications: the system-wide shortcuts (Qt's portable text,
    e.g. ``"Ctrl+Alt+T"``; empty: none), the translate target, and the tray."""

    hotkey_translate: str = default("everywhere.hotkey_translate")
    hotkey_proofread: str = default("everywhere.hotkey_proofread")
    hotkey_ask: str = default("everywhere.hotkey_ask")
    hotkey_ocr: str = default("everywhere.hotkey_ocr")
    translate_to: str = default("everywhere.translate_to")
    keep_in_tray: bool = default("everywhere.keep_in_tray")
    tray_explained: bool = default("everywhere.tray_explained")  # told once, then quiet

    def hotkeys(self) -> dict[str, str]:
        """Each action with a shortcut and its shortcut text (``"ask"`` is the Ask box,
        ``"ocr"`` the screen-region picker)."""
        pairs = {
            "translate": self.hotkey_translate,
            "proofread": self.hotkey_proofread,
            "ask": self.hotkey_ask,
            "ocr": self.hotkey_ocr,
        }
        return {action: text for action, text in pairs.items() if text}


@record
class KnowledgeConfig:
    """Knowledge (search over the person's documents): the embedding model every
    collection is indexed and searched with, a GGUF path or an installed model's name
    ("": full-text search only). The app, ``llmasos docs``/``ask`` and the in-app API
    server read this one value (:func:`llmasos.foundation.models.store.embedder_file`
    turns it into a file). ``editor_command`` opens a cited text file at its line
    (``{file}``, ``{line}``; apps/gui/common/open_source.py)."""

    embedding_model: str = default("knowledge.embedding_model")
    editor_command: str = default("knowledge.editor_command")


@record
class AppSettings:
    """Every setting the app keeps between runs."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    remote: RemoteConfig = field(default_factory=RemoteConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    everywhere: EverywhereConfig = field(default_factory=EverywhereConfig)
    knowledge: KnowledgeConfig = field(default_factory=KnowledgeConfig)
    default_model: str = default("default_model")  # a model name or path; "" means none chosen
    open_windows: tuple[str, ...] = default("open_windows")  # e.g. ("translate",)

    def to_engine_settings(self) -> EngineSettings:
        """Return the engine's load settings for these values."""
        from llmasos.foundation.engine.settings import EngineSettings

        return EngineSettings(**asdict(self.engine))

    def to_sampling_params(self) -> SamplingParams:
        """Return sampling parameters for a request that uses the defaults."""
        from llmasos.foundation.engine.settings import SamplingParams

        return SamplingParams(**asdict(self.sampling))

    def problems(self) -> list[str]:
        """Return one message per invalid value (empty when all are valid)."""
        found = []
        for section, value in _values(self):
            message = _check(section, value)
            if message:
                found.append(message)
        found.extend(cross_problems(self))
        return found

    def validate(self) -> AppSettings:
        """Return self, or raise :class:`SettingsError` naming each bad field and its range."""
        found = self.problems()
        if found:
            raise SettingsError("\n".join(found))
        return self


def needs_model_reload(old: AppSettings, new: AppSettings) -> bool:
    """Return whether going from ``old`` to ``new`` changes how the model is loaded."""
    return old.engine != new.engine


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def remember_model(settings: AppSettings, path: str | os.PathLike[str]) -> AppSettings:
    """``settings`` with ``path`` first among the recent models (once; at most
    :data:`~llmasos.foundation.settings.schema.RECENT_MODELS_MAX` of them)."""
    text = os.path.abspath(os.fspath(path))
    rest = [p for p in settings.models.recent if not _same_path(p, text)]
    recent = (text, *rest)[:RECENT_MODELS_MAX]
    return replace(settings, models=replace(settings.models, recent=recent))


def forget_model(settings: AppSettings, path: str | os.PathLike[str] | None = None) -> AppSettings:
    """``settings`` without ``path`` among the recent models (None: without any)."""
    if path is None:
        recent: tuple[str, ...] = ()
    else:
        recent = tuple(p for p in settings.models.recent if not _same_path(p, os.fspath(path)))
    return replace(settings, models=replace(settings.models, recent=recent))


_GROUPS: dict[str, type[Any]] = {
    "engine": EngineConfig,
    "sampling": SamplingConfig,
    "ui": UiConfig,
    "hub": HubConfig,
    "api": ApiConfig,
    "remote": RemoteConfig,
    "models": ModelsConfig,
    "everywhere": EverywhereConfig,
    "knowledge": KnowledgeConfig,
}
_SECRETS = frozenset({"hub.token", "api.api_key", "remote.key"})


def _values(settings: AppSettings) -> list[tuple[str, Any]]:
    """Every leaf value as ("group.field", value)."""
    out: list[tuple[str, Any]] = []
    for group in _GROUPS:
        obj = getattr(settings, group)
        out.extend((f"{group}.{f.name}", getattr(obj, f.name)) for f in fields(obj))
    out.extend((name, getattr(settings, name)) for name in ("default_model", "open_windows"))
    return out


def _check(key: str, value: Any) -> str | None:
    rule = RULES.get(key)
    return rule(value) if rule else None


# --- reading a JSON value back into a typed field ----------------------------------------


def _coerce(hint: Any, value: Any) -> tuple[bool, Any]:
    """Return (ok, value converted to ``hint``) for a value read from JSON."""
    if hint is bool:
        return isinstance(value, bool), value
    if hint is int or hint == (int | None):
        if value is None:
            return hint is not int, None
        return isinstance(value, int) and not isinstance(value, bool), value
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if hint is str:
        return isinstance(value, str), value
    if hint == tuple[str, ...]:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return ok, tuple(value) if ok else value
    raise TypeError(f"no JSON conversion for {hint!r}")


_TYPE_NAMES: tuple[tuple[Any, str], ...] = (
    (bool, "true or false"),
    (int, "a whole number"),
    (int | None, "a whole number or null"),
    (float, "a number"),
    (str, "a string"),
    (tuple[str, ...], "a list of strings"),
)


def _read_field(key: str, hint: Any, raw: Any, default: Any, warnings: list[str]) -> Any:
    """Convert and check one value; on a problem, warn and return ``default``."""
    ok, value = _coerce(hint, raw)
    if ok:
        problem = _check(key, value)
    else:
        expected = next(text for h, text in _TYPE_NAMES if h == hint)
        shown = "" if key in _SECRETS else f"; got {raw!r}"
        problem = f"{key} must be {expected}{shown}."
    if problem is None:
        return value
    tail = "" if key in _SECRETS else f", {default!r}"
    warnings.append(f"{problem} Using the default{tail}.")
    return default


def _read_group(cls: type[Any], name: str, raw: Any, warnings: list[str]) -> Any:
    default = cls()
    if raw is None:
        return default
    if not isinstance(raw, dict):
        warnings.append(f"Section {name!r} is not an object; using its defaults.")
        return default
    hints = get_type_hints(cls)
    values = {
        f.name: _read_field(
            f"{name}.{f.name}", hints[f.name], raw[f.name], getattr(default, f.name), warnings
        )
        for f in fields(cls)
        if f.name in raw
    }
    return cls(**values)


def settings_from_dict(data: Mapping[str, Any]) -> tuple[AppSettings, list[str]]:
    """Build settings from parsed JSON: unknown keys ignored, missing or bad values defaulted.

    Returns:
        The settings and one warning per value that was replaced by its default.
    """
    warnings: list[str] = []
    groups = {
        name: _read_group(cls, name, data.get(name), warnings) for name, cls in _GROUPS.items()
    }
    hints = get_type_hints(AppSettings)
    defaults = AppSettings()
    extra = {
        name: _read_field(name, hints[name], data[name], getattr(defaults, name), warnings)
        for name in ("default_model", "open_windows")
        if name in data
    }
    return AppSettings(**groups, **extra), warnings


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    """Return the JSON object written to ``settings.json``."""
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    data.update(asdict(settings))
    data["open_windows"] = list(settings.open_windows)
    data["models"]["recent"] = list(settings.models.recent)
    return data


STALE_TEMP_S = 600  # a save takes milliseconds; a temp file this old was orphaned


class SettingsStore:
    """Reads and writes :class:`AppSettings` as ``settings.json`` in the config folder.

    Writes are atomic (a temporary file in the same folder, flushed, fsynced and
    renamed over the old one), so a crash mid-write leaves the old file intact. The
    file holds the Hub token in plain text; on POSIX it is created with mode 600.
    """

    def __init__(self, path: Path | None = None) -> None:
        """Use ``path``, or ``settings.json`` in :func:`app_paths` ``().config``."""
        self.path = path if path is not None else app_paths().config / SETTINGS_FILE

    def load(self) -> tuple[AppSettings, str | None]:
        """Read the settings file.

        Returns:
            The settings and a warning for the person, or ``None`` when all was well.
            A missing file gives the defaults. An unreadable or corrupt file is moved
            aside to ``settings.json.bad-<timestamp>`` and gives the defaults. A bad
            value gives that field's default.
        """
        self._remove_stale_temp_files()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return AppSettings(), None
        except (OSError, UnicodeDecodeError) as exc:
            return AppSettings(), self._set_aside(f"it could not be read ({exc})")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return AppSettings(), self._set_aside(f"it is not valid JSON ({exc})")
        if not isinstance(data, dict):
            return AppSettings(), self._set_aside("it does not hold a JSON object")
        settings, problems = settings_from_dict(data)
        if not problems:
            return settings, None
        warning = f"Some settings in {self.path} were invalid and were reset:\n" + "\n".join(
            problems
        )
        log.warning("%s", warning)
        return settings, warning

    def _remove_stale_temp_files(self) -> None:
        """Delete temp files left by saves that were killed mid-write.

        Only files older than :data:`STALE_TEMP_S` go: a younger one may belong to a
        save still running in another process.
        """
        cutoff = time.time() - STALE_TEMP_S
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:  # gone already, or not ours to delete
                continue

    def save(self, settings: AppSettings) -> None:
        """Validate and write ``settings`` atomically.

        Raises:
            SettingsError: a value is invalid; nothing is written.
            OSError: the file could not be written; the old file is left as it was.
        """
        settings.validate()
        text = json.dumps(settings_to_dict(settings), indent=2, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if os.name == "posix":
                os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        log.info("Settings saved to %s", self.path)

    def _set_aside(self, why: str) -> str:
        """Move the bad file out of the way; return the warning to show."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            warning = (
                f"Your settings file {self.path} was ignored because {why}, and it "
                f"could not be moved aside ({exc}). Default settings are in use."
            )
        else:
            warning = (
                f"Your settings file was ignored because {why}. It was kept as "
                f"{backup}; default settings are in use."
            )
        log.warning("%s", warning)
        return warning
