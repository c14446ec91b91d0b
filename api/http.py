"""HTTP conventions every controller shares: ETags, If-Match, and bounded pagination parameters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response
from litestar.params import QueryParameter

from domain.kernel.errors import DomainError, ErrorKind, NaiveDateTime

#: Versions are 32-bit integer columns: a longer number cannot be one we issued, and PostgreSQL would refuse to
#: compare it (a 500); it is answered like a missing If-Match.
_ETAG = re.compile(r'^(?:W/)?"v(\d{1,9})"$')


class IfMatchRequired(DomainError):
    code = "if_match_required"
    kind = ErrorKind.PRECONDITION_REQUIRED
    title = "Precondition required"
    template = "Send If-Match with the ETag you read, so you cannot overwrite someone else's change."


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(request: Request[Any, Any, Any]) -> int:
    """The version the caller last read, from If-Match. A stale one fails later with 412."""
    value = request.headers.get("if-match")
    match = _ETAG.match(value.strip()) if value else None
    if match is None:
        raise IfMatchRequired()
    return int(match.group(1))


Limit = Annotated[int, QueryParameter(ge=1, le=200, description="Page size (1 to 200).")]
Cursor = Annotated[str | None, QueryParameter(max_length=200, description="The next_cursor of the previous page.")]
UpdatedSince = Annotated[datetime | None, QueryParameter(
    description="Only what was created or changed at or after this instant (RFC 3339, with its UTC offset).")]


def aware(moment: datetime | None, parameter: str) -> datetime | None:
    """A date-time query filter in UTC; one without its UTC offset names no instant and is refused."""
    if moment is None:
        return None
    if moment.utcoffset() is None:
        raise NaiveDateTime(field=parameter)
    return moment.astimezone(UTC)


def with_etag(view: Any, status_code: int = 200) -> Response[Any]:
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


def created(view: Any, location: str) -> Response[Any]:
    """201 Created for a resource readable at ``location`` (a path), with its ETag when it has a version."""
    headers = {"Location": location}
    if hasattr(view, "version"):
        headers["ETag"] = etag(view.version)
    return Response(view, status_code=201, headers=headers)
