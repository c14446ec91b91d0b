"""``meridian serve``: the listening socket is taken first, then uvicorn serves the app on it.

Taking the port before anything else means an operator whose port is busy reads one line saying so, instead
of start-up output followed by uvicorn's bind error; and the port checked is the port served, with no window
for another program to take it in between.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import uvicorn

PORT_IN_USE = "Port {port} on {host} is already in use by another program: stop it, or choose another port with --port."
CANNOT_LISTEN = "Cannot listen on {host} port {port}: {reason}"
SERVE_MESSAGES = (PORT_IN_USE, CANNOT_LISTEN)


class CannotListen(Exception):
    """The port cannot be taken; ``template`` and ``params`` say why, for the operator's language."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template.format(**params))


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening, as uvicorn would bind it (IPv6 for a literal with a
    colon, SO_REUSEADDR so a restart does not wait for the last connections' TIME_WAIT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(socket.SOMAXCONN)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(PORT_IN_USE, host=host, port=port) from exc
        raise CannotListen(CANNOT_LISTEN, host=host, port=port, reason=exc.strerror or str(exc)) from exc
    listener.set_inheritable(True)
    return listener


def serve_on(app: Any, listener: socket.socket) -> None:
    """Serve ``app`` on the socket taken by :func:`listening_socket`, in this one process."""
    config = uvicorn.Config(app, workers=1, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[listener])
