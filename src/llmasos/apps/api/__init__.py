"""The local OpenAI-compatible API server (``llmasos serve``, or inside the app).

:class:`ApiServerController` starts and stops it on a kernel; requests become
background-priority kernel jobs, so the window a person is using always goes first.
"""

from __future__ import annotations

from .controller import ApiServerController, config_from_settings
from .protocol import ApiError, Limits
from .server import ServerConfig

__all__ = ["ApiError", "ApiServerController", "Limits", "ServerConfig", "config_from_settings"]
