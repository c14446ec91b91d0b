"""Rate limits per tenant and client (not per IP: many users share a corporate NAT), with the
IETF RateLimit headers, in fixed windows.

Where one process serves (SQLite, one worker on-prem) the counts live in that process (:class:`FixedWindow`).
Where several do (``meridian serve --workers N``, replicas, shared mode) they lease quota from a counter all of
them share (:class:`LeasedWindow`): a process takes a block of a key's quota for the window in one statement,
admits requests from it without asking again, and leases the next block when it runs out. The database is asked
about once per block (a twentieth of the limit, less as the window's budget shrinks), never once per request, and
the total admitted across processes never exceeds the limit.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import msgspec
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.kernel.settings import Mode, Settings
from domain.rate_limits.model import Lease
from domain.rate_limits.redis_counter import RedisCounter
from domain.rate_limits.service import forget_past_windows, lease_quota

WINDOW_SECONDS = 60
#: Past this many keys a process forgets those of earlier windows.
KEYS_KEPT = 100_000
log = logging.getLogger("meridian.ratelimit")


class Decision(NamedTuple):
    allowed: bool
    remaining: int
    #: seconds until the window resets
    reset: int


class Limiter(Protocol):
    limit: int
    window: int

    async def take(self, key: str) -> Decision: ...


def _window_of(now: float, window: int) -> tuple[int, int]:
    """(the window's start in epoch seconds, seconds until it ends)."""
    start = int(now // window) * window
    return start, math.ceil(start + window - now)


class FixedWindow:
    """Counts in this process: exact where this process is the only one serving."""

    def __init__(self, limit: int, window: int = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, now: float | None = None) -> Decision:
        """Count one request for ``key``."""
        start, reset = _window_of(time.time() if now is None else now, self.window)
        if len(self._counts) > KEYS_KEPT:
            self._counts = {k: v for k, v in self._counts.items() if k[1] == start}
        count = self._counts.get((key, start), 0) + 1
        self._counts[(key, start)] = count
        return Decision(count <= self.limit, max(self.limit - count, 0), reset)

    async def take(self, key: str) -> Decision:
        return self.hit(key)


#: (policy, key, window start, limit) -> the lease taken from the shared counter
LeaseSource = Callable[[str, str, int, int], Awaitable[Lease]]
#: (window start, window seconds): delete the shared counters of past windows
Forget = Callable[[int, int], Awaitable[None]]


@dataclass
class _LocalLease:
    window_start: int
    #: units leased to this process and not yet used
    available: int = 0
    #: units no process has leased yet, as of this process's last lease
    unleased: int = 0
    #: the shared counter said the window's quota is all leased: refuse without asking again until the window ends
    exhausted: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class LeasedWindow:
    """Admits from blocks of quota leased from the counter every process shares."""

    def __init__(self, limit: int, window: int = WINDOW_SECONDS, lease: LeaseSource = lease_quota,
                 forget: Forget = forget_past_windows) -> None:
        self.limit = limit
        self.window = window
        self.policy = f"{limit};w={window}"
        self._lease, self._forget = lease, forget
        self._leases: dict[str, _LocalLease] = {}
        self._pruned_before = 0
        self._background: set[asyncio.Task[None]] = set()

    async def take(self, key: str) -> Decision:
        start, reset = _window_of(time.time(), self.window)
        local = self._local(key, start)
        if local.available == 0 and not local.exhausted:
            async with local.lock:  # one lease at a time per key; requests queued behind it use what it brings
                if local.available == 0 and not local.exhausted:
                    await self._lease_more(key, local)
        if local.available == 0:
            return Decision(False, 0, reset)
        local.available -= 1
        return Decision(True, local.unleased + local.available, reset)

    def _local(self, key: str, start: int) -> _LocalLease:
        local = self._leases.get(key)
        if local is None or local.window_start != start:
            if len(self._leases) > KEYS_KEPT:
                self._leases = {k: v for k, v in self._leases.items() if v.window_start == start}
            local = self._leases[key] = _LocalLease(window_start=start, unleased=self.limit)
            self._forget_past_windows(start)
        return local

    async def _lease_more(self, key: str, local: _LocalLease) -> None:
        try:
            lease = await self._lease(self.policy, key, local.window_start, self.limit)
        except Exception:  # the shared counter being away must not take the API down with it
            log.warning("rate limit store unavailable; admitting this request uncounted", exc_info=True)
            local.available += 1
            return
        local.available += lease.leased
        local.unleased = max(self.limit - lease.granted, 0)
        local.exhausted = local.unleased == 0

    def _forget_past_windows(self, start: int) -> None:
        """Once per window per process, off the request's path: delete counters of windows before the previous."""
        if start <= self._pruned_before:
            return
        self._pruned_before = start
        task = asyncio.get_running_loop().create_task(self._forget_quietly(start))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _forget_quietly(self, start: int) -> None:
        try:
            await self._forget(start, self.window)
        except Exception:  # pruning is retried next window
            log.warning("could not prune past rate limit windows", exc_info=True)


def limiter_for(settings: Settings, workers: int = 1) -> Limiter:
    """In this process where it is the only one serving; shared where other processes or replicas serve too, in
    Redis where ``MERIDIAN_REDIS_URL`` names one, else in the database."""
    if settings.redis_url and (workers > 1 or settings.mode is Mode.SHARED):
        counter = RedisCounter(settings.redis_url)

        async def lease_from_redis(policy: str, key: str, window_start: int, limit: int) -> Lease:
            return await counter.lease(policy, key, window_start, limit, WINDOW_SECONDS)

        return LeasedWindow(settings.rate_limit_per_minute, lease=lease_from_redis, forget=_keys_expire_by_themselves)
    if settings.is_sqlite or (workers == 1 and settings.mode is Mode.ONPREM):
        return FixedWindow(settings.rate_limit_per_minute)
    return LeasedWindow(settings.rate_limit_per_minute)


async def _keys_expire_by_themselves(window_start: int, window_seconds: int) -> None:
    del window_start, window_seconds


#: Paths whose requests count against the bulk budget (``MERIDIAN_BULK_RATE_LIMIT_PER_MINUTE``) instead of the
#: interactive one: a partner's imports and exports never use up what its users' screens need, and back again.
BULK_PATHS = ("/v1/imports", "/v1/exports")


def bulk_limiter_for(settings: Settings, workers: int = 1) -> Limiter:
    """The bulk budget's limiter, counted where the interactive one is (in process, PostgreSQL or Redis)."""
    return limiter_for(msgspec.structs.replace(settings, rate_limit_per_minute=settings.bulk_rate_limit_per_minute),
                       workers)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: Limiter, bulk_limiter: Limiter | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.bulk_limiter = bulk_limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bulk = self.bulk_limiter is not None and scope["path"].startswith(BULK_PATHS)
        limiter = self.bulk_limiter if bulk and self.bulk_limiter is not None else self.limiter
        key = _client_key(scope)
        allowed, remaining, reset = await limiter.take(f"bulk:{key}" if bulk else key)
        headers = [
            (b"ratelimit-limit", str(limiter.limit).encode()),
            (b"ratelimit-remaining", str(remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
            (b"ratelimit-policy", f"{limiter.limit};w={limiter.window}".encode()),
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
    """The tenant and the OAuth client where the token names one (its ``client_id``), else the tenant and subject;
    an address for callers with no token."""
    principal: Any = scope.get("state", {}).get("principal")
    if principal is not None:
        client_id = getattr(principal, "client_id", None)
        if client_id:
            return f"{principal.tenant_id}:client:{client_id}"
        return f"{principal.tenant_id}:{principal.subject}"
    client = scope.get("client")
    return f"anonymous:{client[0] if client else '-'}"
