"""Report links at the edge: their signed tokens, and opening one as its report's own route.

A link's token is an HS256 JWT like the on-prem bearer tokens (``api.auth``), but signed with a key of its own
derived from the server secret, for its own audience, with ``purpose: report_link``: a link never verifies as a
bearer token and a bearer token never as a link. It names the tenant, its creator (subject, roles, scopes), the
language it was asked in, the report and its parameters, and lasts ``report_link_minutes``.

A link opens its report by running the report's own route (``compareCandidates``, ``getPayRunReview``, ...) with
``format=html`` as its creator, inside this process: the same permission from the matrix, the same lookups in the
creator's tenant, the same masking and the same page as the route gives them, with no second copy to drift."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

import jwt
import msgspec
from litestar import Litestar, Request
from litestar.exceptions import NotFoundException
from litestar.types import Message

from api.idempotency import replaying
from domain.kernel.errors import DomainError
from domain.kernel.i18n import locale_code, locale_tag
from domain.kernel.permissions import Operation
from domain.kernel.principal import Principal
from domain.kernel.settings import Settings
from domain.report_links.service import IssuedLink, NewReportLink, ReportKind, ReportLinkExpired, ReportLinkInvalid

LINK_AUDIENCE = "meridian-report-link"
PURPOSE = "report_link"
_KEY_CONTEXT = b"meridian report links v1"
_REQUIRED = ["iss", "aud", "sub", "tid", "roles", "iat", "exp", "jti", "purpose", "rpt", "loc"]


def link_key(secret: bytes) -> bytes:
    """The links' own signing key, derived from the server secret (HMAC-SHA256 with a fixed context)."""
    return hmac.new(secret, _KEY_CONTEXT, hashlib.sha256).digest()


def sign_link(settings: Settings, secret: bytes, principal: Principal, link: NewReportLink,
              issued: IssuedLink) -> str:
    report = {name: value for name, value in msgspec.to_builtins(link).items() if value is not None}
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer, "aud": LINK_AUDIENCE, "purpose": PURPOSE, "sub": principal.subject,
        "tid": str(principal.tenant_id), "roles": sorted(principal.roles), "loc": principal.locale, "rpt": report,
        "jti": str(issued.id), "iat": int(issued.issued_at.timestamp()), "exp": int(issued.expires_at.timestamp()),
    }
    if principal.scopes is not None:
        claims["scope"] = " ".join(sorted(principal.scopes))
    return jwt.encode(claims, link_key(secret), algorithm="HS256")


class OpenedLink(NamedTuple):
    """A link's token, verified: whose it is and what it opens."""

    id: UUID
    tenant_id: UUID
    subject: str
    roles: frozenset[str]
    scopes: frozenset[str] | None
    locale: str
    report: NewReportLink
    expires_at: datetime


def read_link(settings: Settings, secret: bytes, token: str) -> OpenedLink:
    """The link a token is, or :class:`ReportLinkExpired` for one this installation signed whose minutes are over,
    or :class:`ReportLinkInvalid` for anything else (a changed token, a bearer token, another installation's)."""
    try:
        claims = jwt.decode(token, link_key(secret), algorithms=["HS256"], audience=LINK_AUDIENCE,
                            issuer=settings.jwt_issuer, options={"require": _REQUIRED})
    except jwt.ExpiredSignatureError as exc:  # PyJWT checks the signature before the expiry
        raise ReportLinkExpired() from exc
    except jwt.PyJWTError as exc:
        raise ReportLinkInvalid() from exc
    try:
        if claims["purpose"] != PURPOSE or not isinstance(claims["sub"], str):
            raise ValueError("not a report link")
        report = msgspec.convert(claims["rpt"], NewReportLink)
        report.require_its_parameters()
        scope = claims.get("scope")
        return OpenedLink(
            id=UUID(claims["jti"]), tenant_id=UUID(claims["tid"]), subject=claims["sub"],
            roles=frozenset(str(role) for role in claims["roles"]),
            scopes=frozenset(str(scope).split()) if scope is not None else None, locale=locale_code(claims["loc"]),
            report=report, expires_at=datetime.fromtimestamp(claims["exp"], UTC))
    except (msgspec.ValidationError, ValueError, TypeError, KeyError, DomainError) as exc:
        raise ReportLinkInvalid() from exc


# -- the report's own route ---------------------------------------------------------------------------------


class Target(NamedTuple):
    """The request the report's own route answers with its page."""

    method: str
    path: str
    body: bytes | None = None


def target_of(link: NewReportLink, principal: Principal) -> Target:
    """A payslip opens as payroll reads it (with employer costs) for payroll roles, else as its employee's own
    copy, which the route gives only to that employee."""
    match link.report:
        case ReportKind.COMPARISON:
            body = msgspec.json.encode({"application_ids": link.application_ids})
            return Target("POST", f"/v1/jobs/{link.job_id}/comparisons", body)
        case ReportKind.FEEDBACK_LOOP:
            return Target("GET", f"/v1/jobs/{link.job_id}/feedback-loop")
        case ReportKind.ATTRITION:
            return Target("GET", "/v1/analytics/attrition")
        case ReportKind.PAYSLIP if principal.may(Operation.PAYROLL_READ):
            return Target("GET", f"/v1/payslips/{link.payslip_id}/document")
        case ReportKind.PAYSLIP:
            return Target("GET", f"/v1/my/payslips/{link.payslip_id}/document")
        case ReportKind.PAY_RUN_REVIEW:
            return Target("GET", f"/v1/pay-runs/{link.run_id}/review")
        case ReportKind.DATA_SUBJECT_EXPORT if principal.may(Operation.DATA_SUBJECT_REQUESTS_DECIDE):
            return Target("GET", f"/v1/data-subject-requests/{link.request_id}/export")
        case ReportKind.DATA_SUBJECT_EXPORT:
            return Target("GET", f"/v1/my/data-subject-requests/{link.request_id}/export")


def operation_of(app: Litestar, target: Target) -> Operation:
    """The permission the report's route requires, as the matrix names it."""
    try:
        handler = app.asgi_router.handle_routing(target.path, target.method)[1]
    except NotFoundException as exc:  # a report whose route was renamed: a bug, never the caller's fault
        raise LookupError(f"no route answers {target.method} {target.path}") from exc
    operation = handler.opt.get("operation")
    if not isinstance(operation, Operation):
        raise LookupError(f"{target.method} {target.path} names no permission")
    return operation


class Rendered(NamedTuple):
    status: int
    content_type: str
    body: bytes


async def render(request: Request[Any, Any, Any], principal: Principal, target: Target) -> Rendered:
    """The report's route's answer to ``target`` with ``format=html``, asked by ``principal`` in their language,
    run through the app's router with its guard, middleware and error handling, as a request of their own."""
    outer = request.scope
    body = target.body or b""
    headers = [(b"accept-language", locale_tag(principal.locale).encode()),
               *((name, value) for name, value in outer.get("headers", ()) if name == b"host")]
    if target.body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    state = {"request_id": outer.get("state", {}).get("request_id", "-"), "locale": principal.locale,
             "principal": principal}
    scope: Any = {
        **{key: outer[key] for key in ("asgi", "http_version", "scheme", "client", "server", "app", "litestar_app")
           if key in outer},
        "type": "http", "method": target.method, "path": target.path, "raw_path": target.path.encode(),
        "root_path": "", "query_string": b"format=html", "headers": headers, "state": state, "path_params": {},
    }
    captured = _Captured()
    await request.app.asgi_router(scope, replaying(body), captured.send)  # type: ignore[arg-type]
    return Rendered(captured.status, captured.content_type, b"".join(captured.chunks))


class _Captured:
    def __init__(self) -> None:
        self.status = 500
        self.content_type = "application/octet-stream"
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                if name.lower() == b"content-type":
                    self.content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
