"""Cursor pagination: opaque cursors over a stable sort key (UUIDv7 ids or sequence numbers)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from domain.kernel.errors import InvalidCursor

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: list[T]
    next_cursor: str | None


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor(field="cursor") from None


def page_of(rows: Sequence[T], limit: int, position_of: Callable[[T], str]) -> Page[T]:
    """``rows`` holds up to ``limit + 1`` items; the extra one only says that more exist."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(position_of(items[-1])) if more and items else None)



def decode_uuid_cursor(cursor: str | None) -> UUID | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return UUID(position)
    except ValueError:
        raise InvalidCursor(field="cursor") from None
