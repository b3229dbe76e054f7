"""What a valid setting is: one rule per field, keyed "group.field", and the cross-field rules.

Each rule returns None for a good value or a sentence naming the field, what it allows
and (except for secrets) what it got, so the Settings page and the loader can show it
as is. The ranges and choices come from :data:`~llmasos.foundation.settings.schema.FIELDS`;
the rules for addresses and keys are here. Used by :mod:`llmasos.foundation.settings.store`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmasos.foundation.platform.net import is_loopback_host
from llmasos.foundation.settings.schema import FIELDS, LANGUAGES, SEED_MAX, THEMES

if TYPE_CHECKING:
    from llmasos.foundation.settings.store import AppSettings

Rule = Callable[[Any], "str | None"]


def _endpoint_rule(value: Any) -> str | None:
    label = FIELDS["hub.endpoint"].title
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
    return f"{FIELDS['hub.token'].title} must not contain spaces or non-ASCII characters."


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
            f"{FIELDS['api.host'].title} must be an IP address such as 127.0.0.1 or "
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
        f"{FIELDS['remote.url'].title} must be empty or an http:// or https:// "
        f"address such as http://127.0.0.1:8080/v1; got {value!r}."
    )


def _hotkey_rule(key: str) -> Rule:
    def rule(value: Any) -> str | None:
        # the shortcut parser loads with the first shortcut checked: a first start (no
        # settings file) checks none before its window shows
        from llmasos.foundation.platform.hotkeys import hotkey_problem

        problem = hotkey_problem(value)
        return f"{FIELDS[key].title}: {problem}" if problem else None

    return rule


def _same_hotkeys(settings: AppSettings) -> list[str]:
    """Two actions on one shortcut: the second would never run."""
    from llmasos.foundation.platform.hotkeys import parse_hotkey

    seen: dict[object, str] = {}
    found = []
    for action, text in settings.everywhere.hotkeys().items():
        try:
            hotkey = parse_hotkey(text)
        except ValueError:
            continue  # reported by its own rule
        if hotkey in seen:
            found.append(
                f"The shortcut {hotkey} is set for both {seen[hotkey]} and {action}; "
                "give one of them another shortcut."
            )
        seen[hotkey] = action
    return found


def cross_problems(settings: AppSettings) -> list[str]:
    """Rules that involve two fields."""
    found = _same_hotkeys(settings)
    api = settings.api
    if not is_loopback_host(api.host) and not api.api_key:
        found.append(
            f"The API server may listen on {api.host} (not only this computer) only with "
            "an API key (api.api_key); set one or use 127.0.0.1."
        )
    return found


def _windows_rule(value: Any) -> str | None:
    if all(name for name in value):
        return None
    return f"{FIELDS['open_windows'].title} must be a list of tool names."


def _recent_rule(value: Any) -> str | None:
    if all(path.strip() for path in value):
        return None
    return f"{FIELDS['models.recent'].title} must be a list of file paths."


# every range and choice of the schema, then the rules it cannot express
RULES: dict[str, Rule] = {
    **{key: f.problem for key, f in FIELDS.items() if f.saved and (f.choices or f.hi is not None)},
    "hub.endpoint": _endpoint_rule,
    "hub.token": _token_rule,
    "open_windows": _windows_rule,
    "models.recent": _recent_rule,
    "api.host": _host_rule,
    "api.api_key": _key_rule(FIELDS["api.api_key"].title),
    "remote.url": _remote_url_rule,
    "remote.key": _key_rule(FIELDS["remote.key"].title),
    **{key: _hotkey_rule(key) for key in FIELDS if key.startswith("everywhere.hotkey_")},
}


__all__ = ["LANGUAGES", "RULES", "SEED_MAX", "THEMES", "Rule", "cross_problems"]
