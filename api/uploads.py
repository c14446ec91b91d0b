"""Raw request bodies streamed into the object store (recordings, attachments, law documents), and what a client
that goes away in the middle of one is: an abort on its side, not an error on ours.

Litestar's ``Request.stream()`` reports a client that disconnects as a 500 ``InternalServerException``, which the
error log cannot tell from a fault of the store; this reader reads the same ASGI messages and raises
:class:`ClientAborted` instead. The store discards the part it has written when the stream raises.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, Response
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.datastructures import ResponseSpec

from api.problems import PROBLEM_MEDIA_TYPE, Problem, request_id_of

log = logging.getLogger("meridian.uploads")
#: nginx's code for a request the client closed before the answer; no client ever reads it, the access log does.
CLIENT_CLOSED_REQUEST = 499

#: The operations that stream a body into the object store answer 413 ``upload_too_large`` past
#: MERIDIAN_MAX_UPLOAD_BYTES (``request_too_large`` past the route's own body limit).
UPLOAD_RESPONSES: dict[int, ResponseSpec] = {
    413: ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, generate_examples=False,
                      description="The upload is larger than the installation accepts: `upload_too_large` past "
                                  "MERIDIAN_MAX_UPLOAD_BYTES; nothing is stored"),
}


class ClientAborted(Exception):
    """The client closed the connection before its request body ended."""


async def upload_body(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    """The request body as it arrives, within the route's body limit (as ``Request.stream()`` enforces it);
    raises :class:`ClientAborted` when the client disconnects before the end."""
    limit = request.route_handler.resolve_request_max_body_size() or math.inf
    announced = request.content_length
    if announced is not None and announced > limit:
        raise RequestEntityTooLarge
    received = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientAborted()
        chunk: bytes = message.get("body", b"")  # type: ignore[assignment]
        received += len(chunk)
        if received > limit:
            raise RequestEntityTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def on_client_abort(request: Request[Any, Any, Any], exc: ClientAborted) -> Response[None]:
    """Routine on mobile networks and closed laptops: one line at info, no traceback, and no 500 in the logs."""
    log.info("client closed the connection during the upload", extra={"request_id": request_id_of(request)})
    return Response(None, status_code=CLIENT_CLOSED_REQUEST)
