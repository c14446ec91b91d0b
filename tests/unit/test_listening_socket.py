"""The socket ``meridian serve`` takes serves each connection with Nagle's algorithm off: an answer written in
parts (headers, then body) leaves at once instead of waiting ~40 ms for the client's delayed ACK on every request
of a kept-alive connection."""

from __future__ import annotations

import asyncio
import socket

import pytest

from api.serving import listening_socket

pytestmark = pytest.mark.anyio


async def test_a_served_connection_sends_without_waiting_for_acks() -> None:
    listener = listening_socket("127.0.0.1", 0)
    accepted: asyncio.Queue[int] = asyncio.Queue()

    async def on_connection(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = writer.get_extra_info("socket")
        await accepted.put(served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connection, sock=listener)
    async with server:
        _, client = await asyncio.open_connection(*listener.getsockname()[:2])
        nodelay = await asyncio.wait_for(accepted.get(), 5)
        client.close()
    assert nodelay != 0
