"""Admission: a server process works on a few requests at once and lets the others wait their turn, in order.

A request's work is mostly CPU on the one event loop, split by its database round trips. With every arriving
request let in at once, 32 requests interleave at each round trip and each finishes only when the others have
had their share: the slowest wait twice as long as the median. Let in a few at a time (about the connection
pool's worth), each finishes in a few round trips and the rest queue in arrival order, so the same throughput
comes with a short tail (HTTP benchmark, masked candidate list at c=32: p99 from 3.6x to 2.3x the bare app's).

Only the work is gated, never a slow client: a JSON body is read before the request takes its turn (up to the body
limit; a larger one passes ungated to be refused as too large), uploads and other streamed bodies are not gated,
and a request gives its turn up as its answer starts, so a slow reader of a large download holds nothing.
"""

from __future__ import annotations

import asyncio
from collections import deque

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.context import header

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self._turns = Turns(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in _BODILESS:
            if not (header(scope, b"content-type") or "application/json").startswith("application/json"):
                await self.app(scope, receive, send)  # an upload streams at the client's pace: never gated
                return
            receive, whole = await _read_ahead(receive, self.max_body_bytes)
            if not whole:
                await self.app(scope, receive, send)
                return
        await self._in_turn(scope, receive, send)

    async def _in_turn(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._turns.take()
        holding = True

        def give_up_turn() -> None:
            nonlocal holding
            if holding:
                holding = False
                self._turns.give_back()

        async def send_then_give_up(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_up_turn()
            await send(message)

        try:
            await self.app(scope, receive, send_then_give_up)
        finally:
            give_up_turn()


class Turns:
    """At most ``limit`` holders at once; the others wait in arrival order, and a turn given back passes straight to
    the longest waiting. What ``asyncio.Semaphore`` does, without its per-call bookkeeping (a loop lookup, a scan
    for fairness), which cost a 50-item list about 4 % of its CPU."""

    __slots__ = ("_free", "_waiting")

    def __init__(self, limit: int) -> None:
        self._free = limit
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def take(self) -> None:
        if self._free and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.cancelled():
                self._waiting.remove(turn)
            else:  # cancelled just after the turn was handed over: it is this request's to pass on
                self.give_back()
            raise

    def give_back(self) -> None:
        if self._waiting:
            self._waiting.popleft().set_result(None)
        else:
            self._free += 1


async def _read_ahead(receive: Receive, limit: int) -> tuple[Receive, bool]:
    """A ``receive`` replaying the body read so far, then the rest as it comes; and whether the body was all read
    within ``limit`` bytes."""
    buffered: list[Message] = []
    size = 0
    while True:
        message = await receive()
        buffered.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body") or size > limit:
            break
    whole = buffered[-1]["type"] == "http.request" and not buffered[-1].get("more_body") and size <= limit

    async def replay() -> Message:
        return buffered.pop(0) if buffered else await receive()

    return replay, whole  # type: ignore[return-value]
