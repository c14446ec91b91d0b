"""Rate limits per tenant and client (not per IP: many users share a corporate NAT), with the
IETF RateLimit headers. Counts live in this process; run one worker per limit domain or put a
shared store behind :class:`FixedWindow` when scaling out."""

from __future__ import annotations

import math
import time
from typing import Any

from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

WINDOW_SECONDS = 60


class FixedWindow:
    def __init__(self, limit: int, window: int = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, now: float | None = None) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until reset) after counting one request for ``key``."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        reset = math.ceil((window + 1) * self.window - now)
        return count <= self.limit, max(self.limit - count, 0), reset


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: FixedWindow) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed, remaining, reset = self.limiter.hit(_client_key(scope))
        headers = [
            (b"ratelimit-limit", str(self.limiter.limit).encode()),
            (b"ratelimit-remaining", str(remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
            (b"ratelimit-policy", f"{self.limiter.limit};w={self.limiter.window}".encode()),
        ]
        if not allowed:
            raise TooManyRequestsException(headers={"Retry-After": str(reset), **{
                k.decode(): v.decode() for k, v in headers}})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _client_key(scope: Scope) -> str:
    principal: Any = scope.get("state", {}).get("principal")
    if principal is not None:
        return f"{principal.tenant_id}:{principal.subject}"
    client = scope.get("client")
    return f"anonymous:{client[0] if client else '-'}"
