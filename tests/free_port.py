"""A free TCP port on 127.0.0.1, for tests that start a real server (gunicorn, granian)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; another process could take it before the
    server binds it, which on a test machine does not happen in practice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
