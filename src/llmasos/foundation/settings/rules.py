"""What a valid setting is: one rule per field, keyed "group.field", and the cross-field rules.

Each rule returns None for a good value or a sentence naming the field, what it allows
and (except for secrets) what it got, so the Settings page and the loader can show it
as is. Used by :mod:`llmasos.foundation.settings.store`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmasos.foundation.platform.net import is_loopback_host

if TYPE_CHECKING:
    from llmasos.foundation.settings.store import AppSettings

THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
SEED_MAX = 2**31 - 1  # what a QSpinBox can show; llama.cpp takes any uint32

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
        return (
            f"{label} must use https:// (plain http:// is allowed only for this computer, "
            f"e.g. http://127.0.0.1:8080); got {value!r}."
        )
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
        return (
            f"API server address (api.host) must be an IP address such as 127.0.0.1 or "
            f"0.0.0.0, or localhost; got {value!r}."
        )
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
    return (
        f"Remote engine address (remote.url) must be empty or an http:// or https:// "
        f"address such as http://127.0.0.1:8080/v1; got {value!r}."
    )


def cross_problems(settings: AppSettings) -> list[str]:
    """Rules that involve two fields."""
    api = settings.api
    if not is_loopback_host(api.host) and not api.api_key:
        return [
            f"The API server may listen on {api.host} (not only this computer) only with "
            "an API key (api.api_key); set one or use 127.0.0.1."
        ]
    return []


def _windows_rule(value: Any) -> str | None:
    if all(name for name in value):
        return None
    return "Open windows (open_windows) must be a list of tool names."


RULES: dict[str, Rule] = {
    "engine.n_threads": _number_rule("Threads (engine.n_threads)", 1, 256, auto="Auto"),
    "engine.n_ctx": _number_rule("Context length (engine.n_ctx)", 256, 1_048_576),
    "engine.n_gpu_layers": _number_rule("GPU layers (engine.n_gpu_layers)", -1, 1000, auto="Auto"),
    "engine.n_batch": _number_rule("Batch size (engine.n_batch)", 1, 8192),
    "sampling.temperature": _number_rule("Temperature (sampling.temperature)", 0, 5),
    "sampling.top_p": _number_rule("Top-p (sampling.top_p)", 0, 1),
    "sampling.top_k": _number_rule("Top-k (sampling.top_k)", 0, 1000),
    "sampling.min_p": _number_rule("Min-p (sampling.min_p)", 0, 1),
    "sampling.repeat_penalty": _number_rule("Repeat penalty (sampling.repeat_penalty)", 0.5, 2.5),
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


__all__ = ["LANGUAGES", "RULES", "SEED_MAX", "THEMES", "Rule", "cross_problems"]
