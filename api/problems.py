"""RFC 9457 problem+json for every error: a stable ``type`` per code, localised title and detail,
field problems in ``errors[]``, the request id, and never a stack trace."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from compliance.errors import ComplianceError
from domain.kernel.errors import DomainError, ErrorKind
from domain.kernel.i18n import translate

PROBLEM_MEDIA_TYPE = "application/problem+json"
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="meridian"'}
TYPE_PREFIX = "urn:meridian:problem:"
log = logging.getLogger("meridian.errors")

STATUS_OF_KIND = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.GONE: 410,
    ErrorKind.CONFLICT: 409,
    ErrorKind.PRECONDITION_FAILED: 412,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNPROCESSABLE: 422,
    ErrorKind.PRECONDITION_REQUIRED: 428,
    ErrorKind.RATE_LIMITED: 429,
}


class FieldProblem(msgspec.Struct, frozen=True):
    """One invalid input of a problem's `errors[]`: an RFC 6901 JSON Pointer to the field (such as
    `/employee/tax_class`) and what is wrong with it, in the caller's language."""

    pointer: str
    detail: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem detail, as every error of this API is answered."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str
    instance: str | None = None
    errors: list[FieldProblem] = []


#: HTTP-level problems that do not come from the domain: code -> (status, title, detail).
HTTP_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "unauthenticated": (401, "Authentication required", "A valid bearer token is required."),
    "forbidden": (403, "Forbidden", "Your role does not allow this operation."),
    "route_not_found": (404, "Not found", "There is no such resource."),
    "method_not_allowed": (405, "Method not allowed", "This resource does not support that method."),
    "request_too_large": (413, "Request too large", "The request body is larger than this API accepts."),
    "unsupported_media_type": (415, "Unsupported media type", "Send the request body as application/json."),
    "invalid_body": (400, "Invalid request", "The request is not valid."),
    "rate_limited": (429, "Too many requests", "You sent too many requests; wait and retry."),
    "internal_error": (500, "Internal error", "Something went wrong on our side. Quote the request id to support."),
    "if_match_required": (428, "Precondition required",
                          "Send If-Match with the ETag you read, so you cannot overwrite someone else's change."),
    "bad_request": (400, "Bad request", "The request could not be understood."),
    "unknown_reference": (422, "Unknown reference",
                          "The request names something that does not exist in your organisation."),
    "conflict": (409, "Conflict", "The request conflicts with data saved meanwhile; read it again and retry."),
}


def locale_of(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("locale", "en"))


def request_id_of(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    params: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    locale = locale_of(request)
    body = Problem(
        type=TYPE_PREFIX + code,
        title=translate(title, locale),
        status=status,
        detail=translate(detail, locale, **(params or {})),
        code=code,
        request_id=request_id_of(request),
        instance=request.url.path,
        errors=errors or [],
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                    headers={"Cache-Control": "no-store", **(headers or {})})


def http_problem(request: Request[Any, Any, Any], code: str, *, headers: dict[str, str] | None = None,
                 errors: list[FieldProblem] | None = None) -> Response[Problem]:
    status, title, detail = HTTP_PROBLEMS[code]
    return problem(request, status, code, title, detail, headers=headers, errors=errors)


def status_of(exc: DomainError) -> int:
    """Something missing that the path names is 404; something missing that a body field names (the error
    points at the field) is 422, since the resource asked for exists and the request's content is wrong."""
    if exc.kind is ErrorKind.NOT_FOUND and exc.field:
        return STATUS_OF_KIND[ErrorKind.UNPROCESSABLE]
    return STATUS_OF_KIND[exc.kind]


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    locale = locale_of(request)
    params, within = _described(exc.params, locale)
    errors = [FieldProblem(pointer=_pointer(exc.field) + within, detail=translate(exc.template, locale, **params))
              ] if exc.field else []
    errors += [FieldProblem(pointer=_pointer(d.field), detail=translate(d.template, locale, **d.params))
               for d in exc.details]
    headers = WWW_AUTHENTICATE if exc.kind is ErrorKind.UNAUTHENTICATED else None
    if exc.kind is ErrorKind.RATE_LIMITED and "retry_after" in exc.params:
        headers = {"Retry-After": str(exc.params["retry_after"])}
    return problem(request, status_of(exc), exc.code, exc.title, exc.template, params=params,
                   errors=errors or None, headers=headers)


COMPLIANCE_TITLE = "Invalid compliance request"
FALLBACK_FIELD_DETAIL = "The value is not valid."


def on_compliance_error(request: Request[Any, Any, Any], exc: ComplianceError) -> Response[Problem]:
    params, _ = _described(exc.params, locale_of(request))
    return problem(request, 400, exc.code, COMPLIANCE_TITLE, exc.template, params=params)


def _described(params: dict[str, Any], locale: str) -> tuple[dict[str, Any], str]:
    """An error's ``problem`` that is a validation message of msgspec (a pack's employee attributes, an uploaded
    law version) in the reader's language, as a body's own would be, and the JSON pointer of what it names
    within the error's field."""
    found = _matched(params["problem"], "", locale) if isinstance(params.get("problem"), str) else None
    if found is None:
        return params, ""
    return {**params, "problem": found.detail}, found.pointer


def on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    locale = locale_of(request)
    errors = [_field_problem(item, locale) for item in _extra_items(exc)]
    if not errors and exc.detail:
        errors = [_describe_message(str(exc.detail), "", locale)]
    return http_problem(request, "invalid_body", errors=errors)


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    code = {
        401: "unauthenticated", 403: "forbidden", 404: "route_not_found", 405: "method_not_allowed",
        413: "request_too_large", 415: "unsupported_media_type", 429: "rate_limited",
    }.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
    if code == "internal_error":
        log.error("http error %s", exc.status_code, extra={"request_id": request_id_of(request)})
    headers = dict(exc.headers or {})
    return http_problem(request, code, headers=headers)


def on_integrity_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The database's own refusal of a reference or a duplicate that no use case check caught first (a race,
    or a check still missing): a client error, logged by kind so the missing check is found."""
    foreign_key = isinstance(exc, asyncpg.ForeignKeyViolationError) or "FOREIGN KEY" in str(exc)
    log.warning("database refused a write: %s", type(exc).__name__, extra={"request_id": request_id_of(request)})
    return http_problem(request, "unknown_reference" if foreign_key else "conflict")


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    # The traceback goes to the log (no request data in it); the caller sees only the request id.
    log.exception("unhandled %s", type(exc).__name__, extra={"request_id": request_id_of(request)})
    return http_problem(request, "internal_error")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    ComplianceError: on_compliance_error,
    ValidationException: on_validation_error,
    NotAuthorizedException: on_http_exception,
    PermissionDeniedException: on_http_exception,
    NotFoundException: on_http_exception,
    MethodNotAllowedException: on_http_exception,
    HTTPException: on_http_exception,
    sqlite3.IntegrityError: on_integrity_error,
    asyncpg.IntegrityConstraintViolationError: on_integrity_error,
    HTTP_500_INTERNAL_SERVER_ERROR: on_unexpected,
    Exception: on_unexpected,
}


# -- msgspec's validation messages, turned into localisable field problems --------------------

_MSGSPEC_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Object missing required field `(?P<field>[^`]+)`"), "The field {field} is required."),
    (re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"), "The field {field} is not part of this request."),
    (re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`"),
     "Expected a value of type {expected}, got {got}."),
    (re.compile(r"Expected `str` of length <= (?P<limit>\d+)"), "The text must be at most {limit} characters long."),
    (re.compile(r"Expected `str` of length >= (?P<limit>\d+)"), "The text must be at least {limit} characters long."),
    (re.compile(r"Expected `str` matching regex"), "The text is not in the expected format."),
    (re.compile(r"Expected `array` of length <= (?P<limit>\d+)"), "The list must have at most {limit} items."),
    (re.compile(r"Expected `array` of length >= (?P<limit>\d+)"), "The list must have at least {limit} items."),
    (re.compile(r"Expected `int` >= (?P<limit>-?\d+)"), "The number must be at least {limit}."),
    (re.compile(r"Expected `int` <= (?P<limit>-?\d+)"), "The number must be at most {limit}."),
    (re.compile(r"`(?P<field>[^`]+)` must be a finite number under (?P<limit>\d+) with at most (?P<places>\d+) "
                r"decimal places"),
     "The field {field} must be a finite number under {limit} with at most {places} decimal places."),
    (re.compile(r"Invalid enum value '(?P<value>[^']*)'"), "{value} is not one of the allowed values."),
    (re.compile(r"Invalid (?P<kind>RFC 3339 encoded datetime|ISO 8601 date|decimal string|UUID)"),
     "The value is not a valid {kind}."),
    (re.compile(r"JSON is malformed"), "The body is not valid JSON."),
    (re.compile(r"Input data was truncated"), "The body is not valid JSON."),
]

MSGSPEC_MESSAGES = tuple(template for _, template in _MSGSPEC_PATTERNS)
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")


def _extra_items(exc: ValidationException) -> list[dict[str, Any]]:
    extra = exc.extra
    if isinstance(extra, list):
        return [item for item in extra if isinstance(item, dict)]
    return []


def _field_problem(item: dict[str, Any], locale: str) -> FieldProblem:
    message = str(item.get("message", ""))
    # Litestar names the body's root "data" and its fields by their dotted path, without the "data.".
    key = "" if item.get("key") == "data" else str(item.get("key") or "")
    return _describe_message(message, key, locale)


def _describe_message(message: str, key: str, locale: str) -> FieldProblem:
    at = _AT.search(message)
    return _matched(message, key, locale) or FieldProblem(
        pointer=_pointer(at.group("path").lstrip(".") if at else key), detail=translate(FALLBACK_FIELD_DETAIL, locale))


def _matched(message: str, key: str, locale: str) -> FieldProblem | None:
    path = key
    at = _AT.search(message)
    if at:
        path = at.group("path").lstrip(".")
        message = message[: at.start()]
    for pattern, template in _MSGSPEC_PATTERNS:
        match = pattern.search(message)
        if match:
            named = match.groupdict().get("field")
            pointer = _pointer(f"{path}.{named}" if named and path else named or path)
            return FieldProblem(pointer=pointer, detail=translate(template, locale, **match.groupdict()))
    return None


def _pointer(path: str) -> str:
    """``employee.tax_class`` or ``items[2].name`` as an RFC 6901 JSON pointer."""
    parts = re.findall(r"[^.\[\]]+", path)
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""
