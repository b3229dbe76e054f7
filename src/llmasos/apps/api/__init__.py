"""The local OpenAI-compatible API server (``llmasos serve``, or inside the app).

:class:`ApiServerController` starts and stops it on a kernel; requests become
background-priority kernel jobs, so the window a person is using always goes first.
"""

from __future__ import annotations

from llmasos.apps.api.controller import ApiServerController, config_from_settings
from llmasos.apps.api.protocol import ApiError, Limits
from llmasos.apps.api.server import ServerConfig

__all__ = ["ApiError", "ApiServerController", "Limits", "ServerConfig", "config_from_settings"]
