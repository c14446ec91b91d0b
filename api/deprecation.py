"""Retiring an operation the way docs/api-versioning.md promises partners: every answer of a deprecated operation
says so in its headers (``Deprecation``, RFC 9745; ``Sunset``, RFC 8594; a ``successor-version`` Link), the
OpenAPI document marks it, and a sunset closer than six months to the announcement stops the server from starting.

A handler declares it in its ``opt``::

    @get("/v1/old", opt={**requires(Operation.X), **deprecated(announced=date(2026, 7, 1),
                                                               sunset=date(2027, 1, 1), successor="/v1/new")})
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIHeader, OpenAPIResponse, OpenAPIType, Operation, Schema

#: The notice partners are owed between the announcement and the removal of anything in /v1.
MINIMUM_NOTICE_MONTHS = 6
#: The handler ``opt`` key that holds an operation's :class:`Deprecation`.
DEPRECATION = "deprecation"


class NoticeTooShort(ValueError):
    """A deprecation whose sunset leaves partners less than the notice the policy promises."""


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 August + 6 = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


class Deprecation:
    """When an operation was announced deprecated, when it stops answering, and what replaces it."""

    def __init__(self, announced: date, sunset: date, successor: str | None = None) -> None:
        earliest = months_after(announced, MINIMUM_NOTICE_MONTHS)
        if sunset < earliest:
            raise NoticeTooShort(
                f"a deprecation announced on {announced} cannot sunset on {sunset}: partners are owed "
                f"{MINIMUM_NOTICE_MONTHS} months' notice, so the earliest sunset is {earliest} "
                "(docs/api-versioning.md)")
        if successor is not None and (not successor.strip() or any(c in successor for c in '<> "\r\n')):
            raise ValueError(f"the successor of a deprecated operation must be a bare URI reference: {successor!r}")
        self.announced, self.sunset, self.successor = announced, sunset, successor

    @property
    def deprecation_header(self) -> str:
        """RFC 9745: a structured-field Date, ``@`` and the Unix time of the announcement."""
        return f"@{int(_midnight_utc(self.announced).timestamp())}"

    @property
    def sunset_header(self) -> str:
        """RFC 8594: the HTTP-date from which the operation may stop answering."""
        return format_datetime(_midnight_utc(self.sunset), usegmt=True)

    @property
    def link_header(self) -> str | None:
        return f'<{self.successor}>; rel="successor-version"' if self.successor else None

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [(b"deprecation", self.deprecation_header), (b"sunset", self.sunset_header),
                 (b"link", self.link_header)]
        return [(name, value.encode("latin-1")) for name, value in found if value is not None]

    def notice(self) -> str:
        successor = f" Use `{self.successor}` instead." if self.successor else ""
        return (f"**Deprecated** since {self.announced}; it may stop answering from {self.sunset} "
                f"(see the `Deprecation` and `Sunset` headers).{successor}")


def deprecated(*, announced: date, sunset: date, successor: str | None = None) -> dict[str, Any]:
    """The ``opt`` of a deprecated handler; merge it with the handler's other ``opt`` (``requires(...)``)."""
    return {DEPRECATION: Deprecation(announced, sunset, successor)}


def deprecation_of(handler: Any) -> Deprecation | None:
    notice = getattr(handler, "opt", {}).get(DEPRECATION)
    return notice if isinstance(notice, Deprecation) else None


def document_deprecation(operation: Operation, handler: HTTPRouteHandler) -> None:
    """``deprecated: true``, the notice in the description, and both headers on every response."""
    notice = deprecation_of(handler)
    if notice is None:
        return
    operation.deprecated = True
    operation.description = f"{operation.description}\n\n{notice.notice()}" if operation.description \
        else notice.notice()
    headers = {
        "Deprecation": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING, const=notice.deprecation_header),
            description=f"RFC 9745: this operation is deprecated since {notice.announced}.", required=True),
        "Sunset": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING, const=notice.sunset_header),
            description=f"RFC 8594: this operation may stop answering from {notice.sunset}.", required=True),
    }
    if notice.link_header:
        headers["Link"] = OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING, examples=[notice.link_header]),
            description="The operation that replaces this one (RFC 8288 `successor-version`).", required=True)
    for response in (operation.responses or {}).values():
        if isinstance(response, OpenAPIResponse):
            response.headers = {**(response.headers or {}), **headers}
