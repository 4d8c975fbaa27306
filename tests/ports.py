"""Free loopback ports for the bots and servers the tests start."""

from __future__ import annotations

import socket

_given: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, never one given before in this run: the kernel may hand the same free
    port to two binds in a row, and two bots told the same port would fail to start."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port
