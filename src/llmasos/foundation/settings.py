"""The person's settings: what they are, which values are allowed, and the file they live in.

:class:`AppSettings` is plain frozen data in groups (engine, sampling, ui, hub, api, remote)
plus the default model and the tool windows to reopen. :class:`SettingsStore` keeps
it in ``settings.json`` in the config folder, a file people can read and edit.

The Hugging Face token is stored in that file in plain text, as the ``huggingface_hub``
client does with its own token file; on POSIX the file is readable by its owner only
(mode 600). The token never appears in ``repr()``, in log lines or in warnings.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_type_hints
from urllib.parse import urlsplit

from llmasos.errors import SettingsError
from llmasos.foundation.hub_types import is_loopback_host
from llmasos.foundation.paths import app_paths

if TYPE_CHECKING:
    from llmasos.foundation.engine import EngineSettings, SamplingParams

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
FORMAT_VERSION = 1
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
SEED_MAX = 2**31 - 1  # what a QSpinBox can show; llama.cpp takes any uint32


@dataclass(frozen=True)
class EngineConfig:
    """How the model is loaded. ``None`` means "Auto": chosen for this machine."""

    n_threads: int | None = None
    n_ctx: int = 4096
    n_gpu_layers: int | None = None  # -1: every layer on the GPU, 0: CPU only
    n_batch: int = 512
    flash_attn: bool = False


@dataclass(frozen=True)
class SamplingConfig:
    """Default sampling for new requests. ``seed=None`` picks a random seed each time."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    max_tokens: int = 1024


@dataclass(frozen=True)
class UiConfig:
    """Look and feel. ``theme`` is one of :data:`THEMES`, ``language`` of :data:`LANGUAGES`."""

    theme: str = "system"
    language: str = "system"
    enter_sends: bool = True  # Enter sends a message; Shift+Enter starts a new line


@dataclass(frozen=True)
class HubConfig:
    """Where models are downloaded from. ``token`` is kept out of ``repr()``."""

    endpoint: str = "https://huggingface.co"
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class ApiConfig:
    """The local OpenAI-compatible API server. ``api_key`` is kept out of ``repr()``.

    Any ``host`` other than this computer (127.0.0.1, ::1, localhost) needs an API key.
    ``cors_origins`` lists web origins allowed to call it from a browser (empty: none).
    """

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8800
    api_key: str = field(default="", repr=False)
    cors_origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemoteConfig:
    """An OpenAI-compatible server used as the engine; ``url`` empty means the local model."""

    url: str = ""
    key: str = field(default="", repr=False)
    model: str = ""  # "" means the server's first model


@dataclass(frozen=True)
class AppSettings:
    """Every setting the app keeps between runs."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    remote: RemoteConfig = field(default_factory=RemoteConfig)
    default_model: str = ""  # a model name or path; "" means none chosen
    open_windows: tuple[str, ...] = ()  # tool windows to reopen, e.g. ("translate",)

    def to_engine_settings(self) -> EngineSettings:
        """Return the engine's load settings for these values."""
        from llmasos.foundation.engine import EngineSettings

        return EngineSettings(**asdict(self.engine))

    def to_sampling_params(self) -> SamplingParams:
        """Return sampling parameters for a request that uses the defaults."""
        from llmasos.foundation.engine import SamplingParams

        return SamplingParams(**asdict(self.sampling))

    def problems(self) -> list[str]:
        """Return one message per invalid value (empty when all are valid)."""
        found = []
        for section, value in _values(self):
            message = _check(section, value)
            if message:
                found.append(message)
        found.extend(_cross_problems(self))
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


# --- validation: one rule per field, keyed "group.field" ---------------------------------

Rule = Callable[[Any], "str | None"]


def _number_rule(label: str, lo: float, hi: float, *, auto: str = "") -> Rule:
    """A rule for a number in ``lo..hi``; ``auto`` names what ``None`` means, if allowed."""
    allowed = f"between {lo:,} and {hi:,}"
    if auto:
        allowed = f"{auto} or {allowed}"

    def rule(value: Any) -> str | None:
        if value is None and auto:
            return None
        if value is not None and lo <= value <= hi:
            return None
        return f"{label} must be {allowed}; got {value!r}."

    return rule


def _choice_rule(label: str, allowed: tuple[str, ...]) -> Rule:
    def rule(value: Any) -> str | None:
        if value in allowed:
            return None
        return f"{label} must be one of {', '.join(allowed)}; got {value!r}."

    return rule


def _endpoint_rule(value: Any) -> str | None:
    label = "Hub endpoint (hub.endpoint)"
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:  # e.g. a malformed IPv6 address
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        return f"{label} must be an http:// or https:// address; got {value!r}."
    if scheme == "http" and not is_loopback_host(host):
        return (f"{label} must use https:// (plain http:// is allowed only for this computer, "
                f"e.g. http://127.0.0.1:8080); got {value!r}.")
    return None


def _token_rule(value: Any) -> str | None:
    # The token goes into an HTTP header: printable ASCII only. Never echo it.
    if all(33 <= ord(ch) <= 126 for ch in value):
        return None
    return "Hub token (hub.token) must not contain spaces or non-ASCII characters."


def _key_rule(label: str) -> Rule:
    def rule(value: Any) -> str | None:
        # keys go into an HTTP header: printable ASCII only. Never echo them.
        if all(33 <= ord(ch) <= 126 for ch in value):
            return None
        return f"{label} must not contain spaces or non-ASCII characters."

    return rule


def _host_rule(value: Any) -> str | None:
    if value == "localhost":
        return None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (f"API server address (api.host) must be an IP address such as 127.0.0.1 or "
                f"0.0.0.0, or localhost; got {value!r}.")
    return None


def _remote_url_rule(value: Any) -> str | None:
    if value == "":
        return None
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    if scheme in ("http", "https") and host:
        return None
    return (f"Remote engine address (remote.url) must be empty or an http:// or https:// "
            f"address such as http://127.0.0.1:8080/v1; got {value!r}.")


def _cross_problems(settings: AppSettings) -> list[str]:
    """Rules that involve two fields."""
    api = settings.api
    if not is_loopback_host(api.host) and not api.api_key:
        return [f"The API server may listen on {api.host} (not only this computer) only with "
                "an API key (api.api_key); set one or use 127.0.0.1."]
    return []


def _windows_rule(value: Any) -> str | None:
    if all(name for name in value):
        return None
    return "Open windows (open_windows) must be a list of tool names."


_RULES: dict[str, Rule] = {
    "engine.n_threads": _number_rule("Threads (engine.n_threads)", 1, 256, auto="Auto"),
    "engine.n_ctx": _number_rule("Context length (engine.n_ctx)", 256, 1_048_576),
    "engine.n_gpu_layers": _number_rule("GPU layers (engine.n_gpu_layers)", -1, 1000,
                                        auto="Auto"),
    "engine.n_batch": _number_rule("Batch size (engine.n_batch)", 1, 8192),
    "sampling.temperature": _number_rule("Temperature (sampling.temperature)", 0, 5),
    "sampling.top_p": _number_rule("Top-p (sampling.top_p)", 0, 1),
    "sampling.top_k": _number_rule("Top-k (sampling.top_k)", 0, 1000),
    "sampling.min_p": _number_rule("Min-p (sampling.min_p)", 0, 1),
    "sampling.repeat_penalty": _number_rule("Repeat penalty (sampling.repeat_penalty)",
                                            0.5, 2.5),
    "sampling.seed": _number_rule("Seed (sampling.seed)", 0, SEED_MAX, auto="Random"),
    "sampling.max_tokens": _number_rule("Max tokens (sampling.max_tokens)", 1, 131_072),
    "ui.theme": _choice_rule("Theme (ui.theme)", THEMES),
    "ui.language": _choice_rule("Language (ui.language)", LANGUAGES),
    "hub.endpoint": _endpoint_rule,
    "hub.token": _token_rule,
    "open_windows": _windows_rule,
    "api.host": _host_rule,
    "api.port": _number_rule("API server port (api.port)", 1, 65535),
    "api.api_key": _key_rule("API key (api.api_key)"),
    "remote.url": _remote_url_rule,
    "remote.key": _key_rule("Remote engine key (remote.key)"),
}

_GROUPS: dict[str, type[Any]] = {
    "engine": EngineConfig, "sampling": SamplingConfig, "ui": UiConfig, "hub": HubConfig,
    "api": ApiConfig, "remote": RemoteConfig,
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
    rule = _RULES.get(key)
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
        f.name: _read_field(f"{name}.{f.name}", hints[f.name], raw[f.name],
                            getattr(default, f.name), warnings)
        for f in fields(cls) if f.name in raw
    }
    return cls(**values)


def settings_from_dict(data: Mapping[str, Any]) -> tuple[AppSettings, list[str]]:
    """Build settings from parsed JSON: unknown keys ignored, missing or bad values defaulted.

    Returns:
        The settings and one warning per value that was replaced by its default.
    """
    warnings: list[str] = []
    groups = {name: _read_group(cls, name, data.get(name), warnings)
              for name, cls in _GROUPS.items()}
    hints = get_type_hints(AppSettings)
    defaults = AppSettings()
    extra = {
        name: _read_field(name, hints[name], data[name], getattr(defaults, name), warnings)
        for name in ("default_model", "open_windows") if name in data
    }
    return AppSettings(**groups, **extra), warnings


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    """Return the JSON object written to ``settings.json``."""
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    data.update(asdict(settings))
    data["open_windows"] = list(settings.open_windows)
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
            problems)
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
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                   suffix=".tmp")
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
            warning = (f"Your settings file {self.path} was ignored because {why}, and it "
                       f"could not be moved aside ({exc}). Default settings are in use.")
        else:
            warning = (f"Your settings file was ignored because {why}. It was kept as "
                       f"{backup}; default settings are in use.")
        log.warning("%s", warning)
        return warning
