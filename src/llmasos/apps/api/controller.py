"""Starting and stopping the API server inside the app or from ``llmasos serve``."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from llmasos.apps.api.bridge import KernelBridge
from llmasos.apps.api.protocol import Limits
from llmasos.apps.api.routes import ROUTES
from llmasos.apps.api.server import ApiServer, ServerConfig
from llmasos.errors import ApiServerError, LLMasOSError
from llmasos.foundation.settings.store import AppSettings
from llmasos.kernel.kernel import Kernel

log = logging.getLogger(__name__)


def config_from_settings(settings: AppSettings) -> ServerConfig:
    """The server's configuration from the app's settings (its ``api`` and ``sampling``)."""
    api = settings.api
    limits = Limits()
    limits = replace(
        limits, default_max_tokens=min(settings.sampling.max_tokens, limits.max_tokens)
    )
    return ServerConfig(
        embedding_model=_embedding_model(settings),
        host=api.host,
        port=api.port,
        api_key=api.api_key,
        cors_origins=api.cors_origins,
        limits=limits,
        sampling=settings.to_sampling_params(),
    )


def _embedding_model(settings: AppSettings) -> str:
    """The path of Settings › Knowledge's embedding model for ``/v1/embeddings`` ("" for
    none). A name that finds no file is passed on as it is: the first request then gets
    a 503 naming it, and the rest of the API keeps working."""
    from llmasos.foundation.models.store import embedder_file

    try:
        path = embedder_file(settings.knowledge.embedding_model)
    except LLMasOSError as exc:
        log.warning("embedding model for the API: %s", exc)
        return settings.knowledge.embedding_model
    return str(path) if path is not None else ""


class ApiServerController(QObject):
    """Owns the API server's thread; shares the app's kernel (and so its one model).

    Call its methods on the GUI thread (or the thread that made it).

    Signals:
        status_changed(str): a line for the status bar ("API on http://…", an error, "").
    """

    status_changed = Signal(str)

    def __init__(self, kernel: Kernel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self._server: ApiServer | None = None
        self._bridge: KernelBridge | None = None
        self._thread: threading.Thread | None = None
        self.config: ServerConfig | None = None
        self.error = ""

    @property
    def is_running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """The server's base address, e.g. ``http://127.0.0.1:8800`` ("" when stopped)."""
        if self._server is None or self.config is None:
            return ""
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"http://{host}:{self._server.port}"

    def start(self, config: ServerConfig) -> None:
        """Start serving with ``config`` (stopping a running server first).

        Raises:
            SettingsError: a non-local address without an API key.
            ApiServerError: the address cannot be used (port taken, no such address).
        """
        self.stop()
        config.checked()
        bridge = KernelBridge(self.kernel)
        try:
            server = ApiServer(config, bridge, ROUTES)
        except OSError as exc:
            bridge.close()
            raise ApiServerError(
                f"The API server cannot listen on {config.host}:"
                f"{config.port} ({exc.strerror or exc}). Pick another port "
                "or stop the program using it."
            ) from exc
        self._server, self._bridge, self.config = server, bridge, config
        self._thread = threading.Thread(
            target=server.serve_forever, name="llmasos-api", kwargs={"poll_interval": 0.2}
        )
        self._thread.start()
        self.error = ""
        log.info("API server listening on %s", self.url)
        self.status_changed.emit(f"API on {self.url}")

    def stop(self) -> None:
        """Stop serving: open requests are cancelled, then every thread is joined."""
        server, bridge, thread = self._server, self._bridge, self._thread
        if server is None or bridge is None or thread is None:
            return
        self._server = self._bridge = self._thread = None
        server.shutdown()  # serve_forever returns; no new connections are accepted
        bridge.close()  # wakes handler threads waiting on their queues
        server.server_close()  # joins handler threads
        thread.join()
        server.embeddings.close(self.kernel)  # on the kernel's worker, after its last job
        log.info("API server stopped")
        self.status_changed.emit("")

    def apply(self, settings: AppSettings) -> None:
        """Start, restart or stop to match ``settings.api``; a failure goes to ``error``."""
        wanted = config_from_settings(settings) if settings.api.enabled else None
        if wanted == self.config and self.is_running == (wanted is not None):
            return
        if wanted is None:
            self.stop()
            self.config = None
            return
        try:
            self.start(wanted)
        except LLMasOSError as exc:
            self.error = str(exc)
            self.config = None
            log.warning("%s", exc)
            self.status_changed.emit(self.error)
