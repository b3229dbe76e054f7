"""The one place that decides which engine runs: :func:`open_engine`.

The rule, the same for the app, the command line and ``llmasos serve``: a server named for
this run wins; else a model named for this run; else the server from Settings; else the
default model from Settings. The app, the CLI and the API server all ask here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from llmasos.records import record

if TYPE_CHECKING:
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.foundation.engine.settings import EngineSettings


@record
class RemoteTarget:
    """An OpenAI-compatible server: its address, key and the model to use ("" = its first)."""

    url: str
    key: str = ""
    model: str = ""


class Opened:
    """The chosen engine and what to load on it: a file or installed name for a local
    engine, a model name for a server ("" = its first), None when nothing is configured.

    The engine is built on first use (:attr:`engine`), so a window can hand :attr:`make`
    to the kernel and llama.cpp's modules load on the kernel's worker, not at start-up.
    """

    def __init__(self, make: Callable[[], Engine], target: str | None, *, is_remote: bool) -> None:
        self.make_engine = make
        self.target = target
        self.is_remote = is_remote
        self._engine: Engine | None = None

    def make(self) -> Engine:
        """The engine (built once)."""
        if self._engine is None:
            self._engine = self.make_engine()
        return self._engine

    @property
    def engine(self) -> Engine:
        return self.make()


def open_engine(
    settings: EngineSettings | None = None,
    *,
    model: str | os.PathLike[str] | None = None,
    remote: RemoteTarget | None = None,
    configured_remote: RemoteTarget | None = None,
    default_model: str = "",
) -> Opened:
    """Choose the engine for one run of the app or a command; nothing is loaded yet.

    Args:
        settings: How a local model is loaded (the local engine's defaults when None).
        model: A model named for this run (``--model``).
        remote: A server named for this run (``--remote``); wins over everything.
        configured_remote: The server from Settings, used when no model is named.
        default_model: The model from Settings, used when nothing else is.
    """
    chosen = remote if remote and remote.url else None
    if chosen is None and model is None and configured_remote and configured_remote.url:
        chosen = configured_remote
    if chosen is not None:
        server = chosen

        def remote_engine() -> Engine:
            from llmasos.foundation.engine.remote import RemoteEngine

            return RemoteEngine(server.url, server.key)

        return Opened(remote_engine, chosen.model, is_remote=True)

    def local_engine() -> Engine:
        from llmasos.foundation.engine.llama import LlamaEngine

        return LlamaEngine(settings)

    target = os.fspath(model) if model is not None else (default_model or None)
    return Opened(local_engine, target, is_remote=False)


__all__ = ["Opened", "RemoteTarget", "open_engine"]
