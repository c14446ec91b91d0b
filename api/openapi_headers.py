"""The headers the middleware and the handlers read and write, declared once as document components so every
operation shows them: a client generated from the document sends and reads them by name."""

from __future__ import annotations

from litestar.enums import ParamType
from litestar.openapi.spec import OpenAPIHeader, OpenAPIType, Parameter, Reference, Schema

from api.context import _VALID_REQUEST_ID as VALID_REQUEST_ID
from api.http import _ETAG as ETAG
from api.idempotency import _VALID_KEY as VALID_IDEMPOTENCY_KEY
from domain.assessments.signatures import HEADER as SIGNATURE_HEADER
from domain.kernel.i18n import SUPPORTED

_SUPPORTED_TAGS = ", ".join(f"`{locale.replace('_', '-')}`" for locale in SUPPORTED)

#: Request headers, by component name.
PARAMETERS: dict[str, Parameter] = {
    "AcceptLanguage": Parameter(
        name="Accept-Language", param_in=ParamType.HEADER, required=False,
        schema=Schema(type=OpenAPIType.STRING, max_length=200, pattern=r"^[A-Za-z0-9*,;=. _-]*$"),
        example="ja",
        description=f"The language of error messages and of localised texts (job titles, reports): {_SUPPORTED_TAGS}, "
                    "with RFC 9110 quality values. Without it, your tenant's default language."),
    "RequestId": Parameter(
        name="X-Request-ID", param_in=ParamType.HEADER, required=False,
        schema=Schema(type=OpenAPIType.STRING, pattern=VALID_REQUEST_ID.pattern), example="req-7f3a9c2e",
        description="Your own id for this request (8-64 letters, digits, '.', '_' or '-'). It is echoed back and "
                    "logged; without one the server makes one."),
    "IdempotencyKey": Parameter(
        name="Idempotency-Key", param_in=ParamType.HEADER, required=False,
        schema=Schema(type=OpenAPIType.STRING, pattern=VALID_IDEMPOTENCY_KEY.pattern),
        example="3f1c2d9e-6b1a-4c55-9f0e-0c1d2e3f4a5b",
        description="Retrying with the same key and the same request replays the first answer for 24 hours; the "
                    "same key with another body or query string is refused with 422."),
    "IfMatch": Parameter(
        name="If-Match", param_in=ParamType.HEADER, required=False,
        schema=Schema(type=OpenAPIType.STRING, pattern=ETAG.pattern), example='"v3"',
        description="The ETag you read. Without it the answer is 428; when the resource changed since, 412."),
    "MeridianSignature": Parameter(
        name=SIGNATURE_HEADER, param_in=ParamType.HEADER, required=True,
        schema=Schema(type=OpenAPIType.STRING, max_length=1000),
        example="t=1796210400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        description="t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + the raw body> with the vendor's secret; "
                    "accepted within 5 minutes of t. During a secret rotation, a v1 for either secret is accepted."),
}


def _header(kind: OpenAPIType, description: str, example: str | int) -> OpenAPIHeader:
    return OpenAPIHeader(schema=Schema(type=kind), description=description, example=example)


#: Response headers, by component name.
HEADERS: dict[str, OpenAPIHeader] = {
    "RequestId": _header(OpenAPIType.STRING, "The request's id: yours from X-Request-ID, or one the server made. "
                                             "Quote it when reporting a problem.", "req-7f3a9c2e"),
    "ContentLanguage": _header(OpenAPIType.STRING, f"The language of the answer's texts: {_SUPPORTED_TAGS}.", "ja"),
    "RateLimitLimit": _header(OpenAPIType.INTEGER, "Requests allowed per window for your token's subject.", 600),
    "RateLimitRemaining": _header(OpenAPIType.INTEGER, "Requests left in the current window.", 599),
    "RateLimitReset": _header(OpenAPIType.INTEGER, "Seconds until the window resets.", 42),
    "RateLimitPolicy": _header(OpenAPIType.STRING, "The limit and its window in seconds (`<limit>;w=<seconds>`).",
                               "600;w=60"),
    "RetryAfter": _header(OpenAPIType.INTEGER, "Seconds to wait before trying again.", 42),
    "ETag": _header(OpenAPIType.STRING, "The resource's version; send it back as If-Match to change it.", '"v3"'),
    "Location": _header(OpenAPIType.STRING, "The path of the resource just created.",
                        "/v1/jobs/01936c3e-7a4b-7cde-8f01-23456789abcd"),
}


def parameter(name: str) -> Reference:
    return Reference(ref=f"#/components/parameters/{name}")


def header(name: str) -> Reference:
    return Reference(ref=f"#/components/headers/{name}")


#: Every answer, errors included: the request context middleware writes these.
EVERY_ANSWER = {"X-Request-ID": "RequestId", "Content-Language": "ContentLanguage"}
#: Answers that passed authentication: the rate limiter counts them.
RATE_LIMITED = {"RateLimit-Limit": "RateLimitLimit", "RateLimit-Remaining": "RateLimitRemaining",
                "RateLimit-Reset": "RateLimitReset", "RateLimit-Policy": "RateLimitPolicy"}
