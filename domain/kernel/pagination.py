"""Cursor pagination: opaque cursors over a stable sort key (UUIDv7 ids or sequence numbers)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.columns.combination import CombinableMixin
from piccolo.table import Table

from domain.kernel.errors import InvalidCursor

T = TypeVar("T")
K = TypeVar("K")
U = TypeVar("U")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T], frozen=True):
    """One page of a list: its `items` in the list's stable order, and `next_cursor`, null on the last page. To read the
    next page, send the same request with `cursor` set to `next_cursor`; `limit` (1-200, 50 by default) caps the items
    per page."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        # strict: a lenient decoder drops foreign characters, reading garbage as a position to start from
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor(field="cursor") from None


def page_of(rows: Sequence[T], limit: int, position_of: Callable[[T], str]) -> Page[T]:
    """``rows`` holds up to ``limit + 1`` items; the extra one only says that more exist."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(position_of(items[-1])) if more and items else None)


def keyed_position(key: str, row_id: UUID) -> str:
    """The position of a row in a list ordered by a key that several rows may share (a date), then by id."""
    return f"{key}|{row_id}"


def decode_keyed_cursor(cursor: str | None, parse: Callable[[str], K]) -> tuple[K, UUID] | None:
    """The (key, id) a :func:`keyed_position` cursor names, the key read back with ``parse``."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    key, _, row_id = position.rpartition("|")
    try:
        return parse(key), UUID(row_id)
    except ValueError:
        raise InvalidCursor(field="cursor") from None


def decode_uuid_cursor(cursor: str | None) -> UUID | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return UUID(position)
    except ValueError:
        raise InvalidCursor(field="cursor") from None


def decode_number_cursor(cursor: str | None) -> int | None:
    """The sequence number (a version's number) a cursor names."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return int(position)
    except ValueError:
        raise InvalidCursor(field="cursor") from None


def instant(text: str) -> datetime:
    """A cursor's time, as :func:`keyed_position` wrote it: with its offset, or not a cursor this API issued."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


def rows_after(table: type[Table], key: Column, position: tuple[Any, UUID]) -> CombinableMixin:
    """The keyset condition of a list ordered by (key, id): the rows after ``position``."""
    value, row_id = position
    return (key > value) | ((key == value) & (table.id > row_id))


def map_page(page: Page[T], convert: Callable[[T], U]) -> Page[U]:
    """The page's rows as their views, with the same cursor."""
    return Page(items=[convert(item) for item in page.items], next_cursor=page.next_cursor)


def page_of_sorted(items: Iterable[T], limit: int, cursor: str | None,
                   key: Callable[[T], tuple[str, ...]]) -> Page[T]:
    """A sequence held in memory (law packs, coverage, a changes feed) paged as a table is: in the order of
    ``key``, which is unique per item, resuming after the key the cursor names, so a page boundary holds where
    the sequence changes between two pages."""
    after = _key_of(cursor)
    ordered = sorted(items, key=key)
    rest = ordered if after is None else [item for item in ordered if key(item) > after]
    return page_of(rest[: limit + 1], limit, lambda item: json.dumps(key(item), ensure_ascii=False))


def _key_of(cursor: str | None) -> tuple[str, ...] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        parts = json.loads(position)
    except ValueError:
        raise InvalidCursor(field="cursor") from None
    if not isinstance(parts, list) or not all(isinstance(part, str) for part in parts):
        raise InvalidCursor(field="cursor")
    return tuple(parts)
