"""Which addresses are this computer (for the Hub endpoint, the API server and settings)."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this computer: localhost (``*.localhost``) or a loopback IP."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["is_loopback_host"]
