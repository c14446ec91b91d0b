"""A real HTTP receiver for webhook tests: a small threaded server on a free local port that records every request
(headers, body, arrival order) and answers with the status the test sets. ``stop()`` closes its socket, so a sender
meets a refused connection as with a receiver that is down; ``start()`` opens the same port again."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio

from tests.workers import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    status: int = 200
    answer: bytes = b'{"ok": true}'
    #: path -> (status, Location): a redirect the receiver answers with
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body))
                redirect = receiver.redirects.get(self.path)
                if redirect:
                    self.send_response(redirect[0])
                    self.send_header("Location", redirect[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def do_GET(self) -> None:  # recorded too: a sender must never turn a POST into a GET
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      b"", "GET"))
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        ThreadingHTTPServer.request_queue_size = 128  # the default backlog (5) refuses a burst of connections
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self, path: str = "/hooks") -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    async def wait_for(self, count: int, seconds: float = 30.0, path: str = "/hooks") -> list[Received]:
        """Until ``count`` requests to ``path`` arrived (the sender works in the background, in this event loop)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.events(path)
            if len(found) >= count:
                return found
            await anyio.sleep(0.05)
        raise AssertionError(f"{len(self.events(path))} of {count} webhook requests arrived within {seconds} s")
