"""JSON request bodies and query strings as this API accepts them: bodies declared as JSON, valid UTF-8, nested
no deeper than any real request needs, and dates (in bodies and query parameters) within the calendar of
``domain.kernel.date_range``. Input that fails is a 400 or 415 problem before any handler sees it."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.types import Empty

from domain.kernel.date_range import DateOutOfRange, first_date_out_of_range, is_date_out_of_range
from domain.kernel.errors import InvalidInput

#: No request of this API nests anywhere near this deep; a body that does is an attack or a bug.
MAX_JSON_DEPTH = 64


class UndecodableBody(InvalidInput):
    code = "invalid_body"
    title = "Invalid request"
    template = "The body is not valid UTF-8 encoded JSON."


class TooDeeplyNested(InvalidInput):
    code = "invalid_body"
    title = "Invalid request"
    template = "The body nests objects and lists more than {limit} levels deep."


class ControlCharacter(InvalidInput):
    code = "control_character"
    title = "Control character in text"
    template = "Text must not contain control characters such as NUL; tabs and line breaks are allowed."


#: C0 controls but tab, line feed and carriage return; DEL; and the C1 controls. None belongs in a name or a note,
#: and NUL in particular ends a string early in C libraries, PostgreSQL text and many log viewers.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class UnsupportedMediaType(HTTPException):
    status_code = 415


def is_json_media_type(content_type: str, options: dict[str, str]) -> bool:
    """``application/json`` or a ``+json`` type, in UTF-8 (RFC 8259 allows no other encoding)."""
    charset = options.get("charset", "utf-8").lower()
    return (content_type == "application/json" or (content_type.startswith("application/")
            and content_type.endswith("+json"))) and charset in ("utf-8", "utf8")


def require_json_media_type(request: Request[Any, Any, Any]) -> None:
    if not is_json_media_type(*request.content_type):
        raise UnsupportedMediaType()


def first_text_with_control_characters(value: Any) -> str | None:
    """The dotted path of the first string (or object key) holding a control character, found iteratively."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if _CONTROL.search(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if _CONTROL.search(str(key)):
                    return path
                pending.append((child_path, child))
        elif isinstance(item, list):
            pending.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
    return None


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative, so that measuring a hostile body cannot itself exhaust the stack."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JsonRequest(Request[Any, Any, Any]):
    """Litestar reads a handler's ``data`` through ``json()``; the checks live here so that routes taking a
    raw body (uploads, CSV statements, signed deliveries) keep their own media types."""

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            require_json_media_type(self)
            try:
                value = await super().json()
            except UnicodeDecodeError:
                raise UndecodableBody() from None
            except RecursionError:
                raise TooDeeplyNested(limit=MAX_JSON_DEPTH) from None
            if json_depth_exceeds(value, MAX_JSON_DEPTH):
                raise TooDeeplyNested(limit=MAX_JSON_DEPTH)
            if (path := first_text_with_control_characters(value)) is not None:
                raise ControlCharacter(field=path or None)
            if (path := first_date_out_of_range(value)) is not None:
                raise DateOutOfRange(field=path)
            return value
        return await super().json()


async def refuse_bad_query_values(request: Request[Any, Any, Any]) -> None:
    """Runs before the query is parsed into a handler's parameters, so no calendar or search sees such a value."""
    for name, value in request.query_params.multi_items():
        if _CONTROL.search(value) or _CONTROL.search(name):
            raise ControlCharacter(field=None if _CONTROL.search(name) else name)
        if is_date_out_of_range(value):
            raise DateOutOfRange(field=name)
