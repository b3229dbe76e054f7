"""``llmasos serve``: the local OpenAI-compatible API on one model (see the README).

Threads: the kernel's worker runs the model, the HTTP server runs on its own thread
with one thread per request, and the main thread only waits for Ctrl+C or SIGTERM.
No Qt event loop is needed because the API's bridge receives the kernel's signals
with direct connections (see :mod:`llmasos.apps.api.bridge`); a QCoreApplication
still exists so Qt objects have their application.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from llmasos.apps.cli.common import (
    add_engine_args,
    engine_settings,
    open_for,
    report_run_config,
    setting_option,
)
from llmasos.errors import ModelLoadError, SettingsError
from llmasos.foundation.settings.schema import FIELDS
from llmasos.foundation.settings.store import AppSettings

API_KEY_ENV = "LLMASOS_API_KEY"


def register(subparsers: Any) -> None:
    """Add the ``serve`` command to the top-level parser's subparsers."""
    p = subparsers.add_parser("serve", help="serve a model over an OpenAI-compatible HTTP API")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; others need --api-key)",
    )
    p.add_argument("--port", type=int, default=8800, help="port (default 8800; 0: any free)")
    p.add_argument("--model", "-m", help="GGUF path or installed model name")
    p.add_argument(
        "--embedding-model",
        metavar="PATH_OR_NAME",
        help="a GGUF embedding model to serve POST /v1/embeddings with (default: none)",
    )
    p.add_argument(
        "--api-key",
        metavar="KEY",
        help=f"require 'Authorization: Bearer KEY' (or set {API_KEY_ENV})",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser pages from ORIGIN (repeatable; '*' for any)",
    )
    p.add_argument(
        "--max-tokens-limit",
        # a server limit, not a setting: the setting's range, a default of its own
        **setting_option(
            "sampling.max_tokens", default=4096, help="the most tokens one request may ask for"
        ),
    )
    p.add_argument("--ctx", **setting_option("engine.n_ctx", help="context length in tokens"))
    p.add_argument("--threads", **setting_option("engine.n_threads", help="CPU threads"))
    add_engine_args(p)
    p.set_defaults(func=_cmd_serve)


def _config(args: argparse.Namespace, settings: AppSettings) -> Any:
    from dataclasses import replace

    from llmasos.apps.api import Limits, ServerConfig

    limit = FIELDS["sampling.max_tokens"]
    if limit.problem(args.max_tokens_limit):
        raise SettingsError(f"--max-tokens-limit must be {limit.span()}.")
    limits = replace(
        Limits(),
        max_tokens=args.max_tokens_limit,
        default_max_tokens=min(settings.sampling.max_tokens, args.max_tokens_limit),
    )
    key = args.api_key or os.environ.get(API_KEY_ENV, "")
    return ServerConfig(
        embedding_model=_embedding_model(args.embedding_model),
        host=args.host,
        port=args.port,
        api_key=key,
        cors_origins=tuple(args.cors_origin),
        limits=limits,
        sampling=settings.to_sampling_params(),
    ).checked()


def _embedding_model(name: str | None) -> str:
    """The checked path of ``--embedding-model`` ("" without one), so that a wrong name
    or a damaged file stops the command now rather than failing the first request."""
    if not name:
        return ""
    from llmasos.foundation.gguf.file import read_model_info
    from llmasos.foundation.models.store import resolve_model

    return str(read_model_info(resolve_model(name)).path)


def _load(kernel: Any, target: Path, args: argparse.Namespace) -> None:
    """Load ``target`` through the kernel and wait until it is loaded."""
    from llmasos.apps.api.bridge import Ended, KernelBridge

    bridge = KernelBridge(kernel)
    try:
        ticket = bridge.track(lambda: kernel.load_model(target, engine_settings(args)))
        while True:
            event = ticket.events.get()
            if isinstance(event, Ended):
                break
    finally:
        bridge.close()
    if event.kind != "finished":
        raise ModelLoadError(event.message or "The model could not be loaded.")


def _make_kernel(args: argparse.Namespace, settings: AppSettings) -> tuple[Any, Path]:
    """The kernel (on a local or remote engine) and the model to load on it."""
    from llmasos.foundation.models.store import resolve_model
    from llmasos.kernel.kernel import Kernel

    opened = open_for(args, settings)
    if opened.is_remote:  # "" loads the server's first model
        return Kernel(opened.engine), Path(opened.target or "")
    if not opened.target:
        raise SettingsError("No model given: pass --model PATH_OR_NAME, or --remote URL.")
    return Kernel(opened.engine), resolve_model(opened.target)


def _cmd_serve(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from llmasos.apps.api import ApiServerController
    from llmasos.foundation.settings.store import SettingsStore

    settings = SettingsStore().load()[0]
    config = _config(args, settings)
    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    kernel, target = _make_kernel(args, settings)
    controller = ApiServerController(kernel)
    stop = threading.Event()
    try:
        _load(kernel, target, args)
        report_run_config(kernel.run_config)
        controller.start(config)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        info = kernel.model_info
        name = info.display_name if info else target.name
        print(f"Serving {name} on {controller.url}/v1 (Ctrl+C stops)", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        controller.stop()
        kernel.shutdown()
    return 0
