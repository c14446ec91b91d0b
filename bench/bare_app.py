"""The framework's ceiling: a bare Litestar app answering the same page of 50 legal entities from memory, served by
uvicorn exactly as ``meridian serve`` serves Meridian (one worker, the same uvicorn settings).

    .venv/bin/python bench/bare_app.py --port 8101     # GET /items
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime

import msgspec
from litestar import Litestar, get

from api.serving import listening_socket, serve_on


class Item(msgspec.Struct, frozen=True):
    """The shape of a legal entity as Meridian answers it."""

    id: uuid.UUID
    name: str
    country: str
    region: str | None
    currency: str
    timezone: str
    version: int
    created_at: datetime
    updated_at: datetime


class ItemPage(msgspec.Struct, frozen=True):
    items: list[Item]
    next_cursor: str | None


_NOW = datetime.now(UTC)
PAGE = ItemPage(items=[Item(id=uuid.uuid4(), name=f"Entity {i:02d} GmbH", country="DE", region=None, currency="EUR",
                            timezone="Europe/Berlin", version=1, created_at=_NOW, updated_at=_NOW)
                       for i in range(50)], next_cursor=None)


@get("/items", sync_to_thread=False)
def items() -> ItemPage:
    return PAGE


app = Litestar(route_handlers=[items], debug=False)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    arguments = parser.parse_args()
    serve_on(app, listening_socket(arguments.host, arguments.port))
