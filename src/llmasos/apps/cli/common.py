"""Command-line options every engine-using command shares: the local model or a remote server.

``add_engine_args(parser)`` adds ``--remote URL``, ``--remote-key KEY`` and
``--remote-model NAME``; :func:`make_engine` returns a loaded engine — the local
llama.cpp one for ``--model``, or a :class:`RemoteEngine` when ``--remote`` (or the
Settings' remote engine) is given. The key may also come from ``LLMASOS_REMOTE_KEY``
so it stays out of the process list.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import BinaryIO

from llmasos.errors import InvalidInputError, SettingsError
from llmasos.foundation.engine.llama import Engine, EngineSettings
from llmasos.foundation.engine.remote import RemoteEngine
from llmasos.foundation.engine.runtime import RunConfig
from llmasos.foundation.settings.store import AppSettings

REMOTE_KEY_ENV = "LLMASOS_REMOTE_KEY"


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
        n_ctx=getattr(args, "ctx", None) or 4096, n_threads=getattr(args, "threads", None)
    )


def remote_engine(args: argparse.Namespace, settings: AppSettings) -> RemoteEngine | None:
    """An unloaded :class:`RemoteEngine` if the options or settings ask for one.

    A ``--model`` on the command line wins over a remote engine from the settings.
    """
    url = getattr(args, "remote", None)
    if not url and not getattr(args, "model", None):
        url = settings.remote.url
    if not url:
        return None
    key = getattr(args, "remote_key", None) or os.environ.get(REMOTE_KEY_ENV) or settings.remote.key
    return RemoteEngine(url, key or "")


def remote_model_name(args: argparse.Namespace, settings: AppSettings) -> str:
    """The remote model to use ("" means the server's first)."""
    return getattr(args, "remote_model", None) or settings.remote.model


def make_engine(args: argparse.Namespace, settings: AppSettings) -> Engine | RemoteEngine:
    """A loaded engine for ``args``: remote (``--remote`` or Settings) or ``--model``.

    Raises:
        SettingsError: neither a model nor a remote server was given.
        LLMasOSError: the model or the server could not be used.
    """
    remote = remote_engine(args, settings)
    if remote is not None:
        remote.load(remote_model_name(args, settings))
        return remote
    from llmasos.foundation.models.store import resolve_model

    model = getattr(args, "model", None) or settings.default_model
    if not model:
        raise SettingsError(
            "No model given: pass --model PATH_OR_NAME, or --remote URL for "
            "an OpenAI-compatible server."
        )
    engine = Engine(engine_settings(args))
    load_local(engine, resolve_model(model))
    return engine


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
