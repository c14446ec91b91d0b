"""``Idempotency-Key`` on POST: a retry with the same key, query string and body replays the first answer
(sealed under the tenant's key, for 24 hours); the same key with another body or query string (``?format=html``
after ``?format=json``) is refused with 422."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar.exceptions import ClientException, HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.context import header
from domain.idempotency.service import StoredResponse, changes_marked, claim_or_replay, release, remember
from domain.keys.service import cipher_for

_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_REPLAYED_HEADERS = (b"content-type", b"etag", b"location")


class InvalidIdempotencyKey(ClientException):
    detail = "Idempotency-Key must be 1 to 200 visible ASCII characters."


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, b"idempotency-key") if scope["type"] == "http" and scope["method"] == "POST" else None
        content_type = header(scope, b"content-type") or "application/json"
        if key is not None and not content_type.startswith("application/json"):
            key = None  # streamed uploads are never buffered for replay; a retried upload is a second recording
        principal: Any = scope.get("state", {}).get("principal") if key else None
        if key is None or principal is None:
            await self.app(scope, receive, send)
            return
        if not _VALID_KEY.match(key):
            raise InvalidIdempotencyKey()
        body = await self._read_body(receive)
        stored = await claim_or_replay(
            principal.tenant_id, principal.subject, key, fingerprint(scope, body), cipher_for)
        if stored is not None:
            await _replay(stored, send)
            return
        captured = _Capture(send)
        try:
            with changes_marked(principal.tenant_id, principal.subject, key):
                await self.app(scope, replaying(body), captured)
        except BaseException:
            await release(principal.tenant_id, principal.subject, key)
            raise
        if captured.status is not None and captured.status < 500:
            await remember(principal.tenant_id, principal.subject, key, captured.response(), cipher_for)
        else:
            await release(principal.tenant_id, principal.subject, key)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise HTTPException(status_code=413)
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def fingerprint(scope: Scope, body: bytes) -> str:
    """What makes a retry the same request: method, path, query string and body. The query string is compared
    by its parameters, ordered by name (each name's values keep their order) and percent-decoded, so
    ``?b=2&a=%41`` is ``?a=A&b=2``. Without a query string the hash is what it was before the query counted, so
    keys claimed before an upgrade still replay."""
    target = scope["path"]
    query = _normalised_query(scope.get("query_string", b""))
    if query:
        target += "?" + query
    return hashlib.sha256(b"%s\n%s\n%s" % (scope["method"].encode(), target.encode("utf-8", "surrogateescape"),
                                            body)).hexdigest()


def _normalised_query(raw: bytes) -> str:
    # surrogateescape: bytes that are not UTF-8 stay distinct instead of all becoming U+FFFD
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
    return urlencode(sorted(pairs, key=lambda pair: pair[0]), encoding="utf-8", errors="surrogateescape")


def replaying(body: bytes) -> Receive:
    """An ASGI ``receive`` that hands over ``body`` once, as a request already read."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive  # type: ignore[return-value]


class _Capture:
    def __init__(self, send: Send) -> None:
        self.send = send
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode(): v.decode() for k, v in message.get("headers", []) if k in _REPLAYED_HEADERS}
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))
        await self.send(message)

    def response(self) -> StoredResponse:
        return StoredResponse(status=self.status or 500, body=bytes(self.body), headers=self.headers)


async def _replay(stored: StoredResponse, send: Send) -> None:
    headers = [(k.encode(), v.encode()) for k, v in stored.headers.items()]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})
