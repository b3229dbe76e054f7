"""Command-line options every engine-using command shares: the local model or a remote server.

``add_engine_args(parser)`` adds ``--remote URL``, ``--remote-key KEY`` and
``--remote-model NAME``; :func:`make_engine` returns a loaded engine, chosen by
:func:`~llmasos.foundation.engine.factory.open_engine` (the same rule as the app's).
The key may also come from ``LLMASOS_REMOTE_KEY`` so it stays out of the process list.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from llmasos.errors import InvalidInputError, SettingsError
from llmasos.foundation.engine.factory import Opened, RemoteTarget, open_engine
from llmasos.foundation.engine.protocol import Engine
from llmasos.foundation.engine.runtime import RunConfig
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.settings.schema import FIELDS
from llmasos.foundation.settings.store import AppSettings

REMOTE_KEY_ENV = "LLMASOS_REMOTE_KEY"
_SCHEMA = object()  # setting_option's "the schema's default"


def setting_option(
    key: str, *, default: Any = _SCHEMA, help: str = "", shown: str = ""
) -> dict[str, Any]:
    """``add_argument`` keywords for an option that sets the schema field ``key``: its
    type, its default (``default`` overrides the schema's) and help naming its range and
    default (``help`` overrides the schema's text, ``shown`` how the default reads)."""
    field = FIELDS[key]
    value = field.default if default is _SCHEMA else default
    if not shown and default is not _SCHEMA:
        shown = f"{value}"
    return {"type": field.kind, "default": value, "help": field.cli_help(help, shown)}


def add_engine_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--remote``, ``--remote-key`` and ``--remote-model`` to ``parser``."""
    group = parser.add_argument_group("remote engine (any OpenAI-compatible server)")
    group.add_argument(
        "--remote",
        metavar="URL",
        help="use this server instead of a local model, e.g. http://127.0.0.1:8080/v1",
    )
    group.add_argument(
        "--remote-key", metavar="KEY", help=f"the server's API key (or set {REMOTE_KEY_ENV})"
    )
    group.add_argument(
        "--remote-model", metavar="NAME", help="the server's model to use (default: its first)"
    )


def engine_settings(args: argparse.Namespace) -> EngineSettings:
    """Local load settings from ``--ctx`` / ``--threads`` where the command has them."""
    return EngineSettings(
        n_ctx=getattr(args, "ctx", None) or FIELDS["engine.n_ctx"].default,
        n_threads=getattr(args, "threads", None),
    )


def open_for(
    args: argparse.Namespace, settings: AppSettings, local: EngineSettings | None = None
) -> Opened:
    """The engine for this command (see :func:`open_engine` for the rule), not loaded."""
    key = getattr(args, "remote_key", None) or os.environ.get(REMOTE_KEY_ENV) or settings.remote.key
    model_name = getattr(args, "remote_model", None) or settings.remote.model
    url = getattr(args, "remote", None)
    return open_engine(
        local or engine_settings(args),
        model=getattr(args, "model", None),
        remote=RemoteTarget(url, key, model_name) if url else None,
        configured_remote=RemoteTarget(settings.remote.url, key, model_name),
        default_model=settings.default_model,
    )


def make_engine(
    args: argparse.Namespace, settings: AppSettings, local: EngineSettings | None = None
) -> Engine:
    """A loaded engine for ``args``: a server (``--remote`` or Settings) or ``--model``.

    Raises:
        SettingsError: neither a model nor a remote server was given.
        LLMasOSError: the model or the server could not be used.
    """
    opened = open_for(args, settings, local)
    if opened.is_remote:
        opened.engine.load(opened.target or "")
        return opened.engine
    if not opened.target:
        raise SettingsError(
            "No model given: pass --model PATH_OR_NAME, or --remote URL for "
            "an OpenAI-compatible server, or choose a default model in the app's Settings."
        )
    from llmasos.foundation.models.store import resolve_model

    load_local(opened.engine, resolve_model(opened.target))
    return opened.engine


def load_local(engine: Engine, path: Path) -> None:
    """Load ``path`` (through the probe) and say on stderr what had to be turned off."""
    engine.load(path)
    report_run_config(engine.run_config)


def report_run_config(config: RunConfig | None) -> None:
    """One ``note:`` line on stderr when llama.cpp runs the model with a path turned off."""
    from llmasos.foundation.engine.probe import notice_for

    notice = notice_for(config) if config is not None else None
    if notice:
        print(f"note: {notice}", file=sys.stderr, flush=True)


def read_stdin_text(stream: BinaryIO) -> str:
    """Read all of ``stream`` as UTF-8 (a BOM is dropped).

    Raises:
        InvalidInputError: the bytes are not UTF-8, with where and how to convert.
    """
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"stdin is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}). "
            "Convert it first, e.g. `iconv -f GBK -t UTF-8 file.txt | llmasos …`."
        ) from exc
