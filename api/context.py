"""The outermost middleware: request id, locale, access log, cache policy and deprecation notice for every response
(outside the router and every other middleware, so that errors, 401, 429 or 400, carry them too: a partner's client
sees a deprecation notice on whatever answer it gets)."""

from __future__ import annotations

import gc
import itertools
import os
import re
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.deprecation import deprecation_of
from api.logs import log_access
from domain.kernel.i18n import negotiate

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


#: A path segment longer than this is not logged when no route matched: it may be a token (a report link's).
_LONGEST_LOGGED_SEGMENT = 40


def logged_route(scope: Scope) -> str:
    """The matched route's template (``/v1/report-links/{token}``), never the path: a path may carry a secret.
    A path no route matched is logged with its long segments cut out."""
    template = scope.get("path_template")
    if template:
        return str(template)
    return "/".join(part if len(part) <= _LONGEST_LOGGED_SEGMENT else "…" for part in scope["path"].split("/"))


_process_prefix = uuid.uuid4().hex[:16]
_request_numbers = itertools.count(1)


def _draw_process_prefix() -> None:
    global _process_prefix, _request_numbers
    _process_prefix, _request_numbers = uuid.uuid4().hex[:16], itertools.count(1)


os.register_at_fork(after_in_child=_draw_process_prefix)


def new_request_id() -> str:
    """32 hex digits, unique across processes (a random prefix drawn once per process, again in a forked child)
    and restarts, without asking the kernel for fresh randomness on every request as ``uuid4`` does. Not a
    secret: it is echoed."""
    return f"{_process_prefix}{next(_request_numbers):016x}"


def freeze_what_startup_built() -> None:
    """At the first request, take what the process built to serve (routes, OpenAPI, law packs, the runtime: some
    190,000 objects that live as long as it does) out of the garbage collector's reach. Requests leave objects
    behind, and every few seconds that triggers a full collection, which walked all of them: ~200 ms during which
    every request in flight waited, the long tail of the p99. Frozen, a full collection walks a few thousand."""
    gc.collect()
    gc.freeze()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, default_locale: str = "en") -> None:
        self.app = app
        self.default_locale = default_locale
        self.serving = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.serving:
            self.serving = True
            freeze_what_startup_built()
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else new_request_id()
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id
        state["locale"] = negotiate(header(scope, b"accept-language"), self.default_locale)
        started = time.perf_counter()
        status = 500

        async def send_with_context(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"content-language", state["locale"].replace("_", "-").encode()))
                if b"cache-control" not in names:
                    # Personal data may appear in any API answer; nothing is cached unless a route says so.
                    headers.append((b"cache-control", b"no-store"))
                # The router names the handler in the scope before it runs it; unknown paths have none.
                notice = deprecation_of(scope.get("route_handler"))
                if notice is not None:
                    headers.extend(notice.headers())
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        finally:
            log_access(request_id, scope["method"], logged_route(scope), status,
                       round((time.perf_counter() - started) * 1000, 2),
                       str(state["principal"].tenant_id) if state.get("principal") else None)
