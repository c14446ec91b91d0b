"""Admission: a server process works on a bounded number of requests at once, in arrival order, and never lets
a slow client (a body sent slowly, an upload, an answer read slowly) hold one of those turns."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.admission import AdmissionMiddleware, Turns

pytestmark = pytest.mark.anyio


class Downstream:
    """An ASGI app that records how many requests it works on at once and answers when told to."""

    def __init__(self) -> None:
        self.working = 0
        self.most = 0
        self.started: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        name = scope["path"]
        self.working += 1
        self.most = max(self.most, self.working)
        self.started.append(name)
        body = b""
        if scope["method"] == "POST":
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
        await self.release.setdefault(name, asyncio.Event()).wait()
        self.working -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def request(path: str, method: str = "GET", content_type: bytes = b"application/json") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "headers": [(b"content-type", content_type)]}


def body_in(*chunks: bytes, then: asyncio.Event | None = None) -> Any:
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        if pending:
            chunk = pending.pop(0)
            if not pending and then is not None:
                await then.wait()
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await asyncio.Event().wait()
        return {}

    return receive


async def sent(messages: list[dict[str, Any]], message: dict[str, Any]) -> None:
    messages.append(message)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_no_more_than_the_limit_are_worked_on_and_the_rest_go_in_arrival_order() -> None:
    downstream = Downstream()
    admission = AdmissionMiddleware(downstream, limit=2, max_body_bytes=1024)
    names = [f"/r{i}" for i in range(5)]
    tasks = [asyncio.create_task(admission(request(n), body_in(b""), lambda m: sent([], m))) for n in names]
    await settle()
    assert downstream.started == names[:2]
    for name in names:
        downstream.release.setdefault(name, asyncio.Event()).set()
        await settle()
    await asyncio.gather(*tasks)
    assert downstream.started == names and downstream.most == 2


async def test_a_body_sent_slowly_is_read_before_its_request_takes_a_turn() -> None:
    downstream = Downstream()
    admission = AdmissionMiddleware(downstream, limit=1, max_body_bytes=1024)
    rest_of_body = asyncio.Event()
    answer: list[dict[str, Any]] = []
    slow = asyncio.create_task(admission(request("/slow", "POST"), body_in(b'{"a":', b"1}", then=rest_of_body),
                                         lambda m: sent(answer, m)))
    fast = asyncio.create_task(admission(request("/fast"), body_in(b""), lambda m: sent([], m)))
    await settle()
    assert downstream.started == ["/fast"]  # the slow sender holds no turn while its body is still coming
    downstream.release["/fast"].set()
    rest_of_body.set()
    downstream.release.setdefault("/slow", asyncio.Event()).set()
    await asyncio.gather(slow, fast)
    assert answer[-1]["body"] == b'{"a":1}'  # and its body reaches the route whole


async def test_an_upload_is_never_gated_and_an_answer_gives_its_turn_up_as_it_starts() -> None:
    downstream = Downstream()
    admission = AdmissionMiddleware(downstream, limit=1, max_body_bytes=1024)
    held = asyncio.create_task(admission(request("/held"), body_in(b""), lambda m: sent([], m)))
    await settle()
    upload = asyncio.create_task(admission(request("/upload", "POST", b"audio/webm"), body_in(b"\x00"),
                                           lambda m: sent([], m)))
    await settle()
    assert downstream.started == ["/held", "/upload"]
    downstream.release["/upload"].set()
    await upload

    slow_reader = asyncio.Event()

    async def read_slowly(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            await slow_reader.wait()

    downstream.release["/held"].set()
    answering = asyncio.create_task(admission(request("/download"), body_in(b""), read_slowly))
    await held
    downstream.release.setdefault("/download", asyncio.Event()).set()
    await settle()
    after = asyncio.create_task(admission(request("/after"), body_in(b""), lambda m: sent([], m)))
    downstream.release.setdefault("/after", asyncio.Event()).set()
    await asyncio.wait_for(after, 5)  # the download's slow reader holds no turn
    slow_reader.set()
    await answering


async def test_a_body_over_the_limit_passes_ungated_to_be_refused_whole() -> None:
    downstream = Downstream()
    admission = AdmissionMiddleware(downstream, limit=1, max_body_bytes=4)
    held = asyncio.create_task(admission(request("/held"), body_in(b""), lambda m: sent([], m)))
    await settle()
    answer: list[dict[str, Any]] = []
    big = asyncio.create_task(admission(request("/big", "POST"), body_in(b"12345", b"678"), lambda m: sent(answer, m)))
    await settle()
    assert downstream.started == ["/held", "/big"]
    downstream.release["/big"].set()
    await big
    assert answer[-1]["body"] == b"12345678"  # what was read ahead reaches the app first, then the rest
    downstream.release["/held"].set()
    await held


async def test_a_request_cancelled_while_it_waits_for_its_turn_takes_none() -> None:
    turns = Turns(1)
    await turns.take()
    waiting = [asyncio.create_task(turns.take()) for _ in range(3)]
    await settle()
    waiting[0].cancel()  # the client went away while its request queued
    await settle()
    turns.give_back()
    await settle()
    assert [t.done() for t in waiting] == [True, True, False] and waiting[0].cancelled()
    turns.give_back()
    await settle()
    assert waiting[2].done()
    turns.give_back()
    await turns.take()  # the one turn there is, free again: nothing was lost on the way


async def test_a_turn_handed_to_a_request_cancelled_before_it_ran_passes_on() -> None:
    turns = Turns(1)
    await turns.take()
    first, second = asyncio.create_task(turns.take()), asyncio.create_task(turns.take())
    await settle()
    turns.give_back()  # the turn is handed to the first waiter...
    first.cancel()  # ...which is cancelled before it resumes
    await settle()
    assert first.cancelled() and second.done()
