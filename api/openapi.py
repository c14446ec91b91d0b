"""OpenAPI 3.1 at /schema (Swagger UI at /schema/docs), with errors documented in the
problem+json shape they really have."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from litestar import Controller, Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from api.problems import PROBLEM_MEDIA_TYPE, Problem

API_VERSION = "1.0.0"
DESCRIPTION = """Meridian is the HR core for multinational teams: recruitment, AI interview results,
employees, compliance rule packs and payroll. Every request carries a bearer token whose tenant
scopes everything it can see. Errors are RFC 9457 problem+json with a stable `code`, localised by
Accept-Language (en, zh-CN, ja). POSTs accept an Idempotency-Key; updates need If-Match."""


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description,
                        generate_examples=False)


COMMON_RESPONSES: dict[int, ResponseSpec] = {
    400: _problem("Invalid input; `errors[]` points at each field"),
    401: _problem("Missing, invalid or expired bearer token, or a disabled user"),
    403: _problem("Your role or scopes do not allow this operation"),
    404: _problem("Not found; another tenant's objects answer exactly like missing ones"),
    429: _problem("Rate limited; see Retry-After and the RateLimit headers"),
    500: _problem("Internal error; quote the request_id"),
}
CREATE_RESPONSES: dict[int, ResponseSpec] = {
    409: _problem("Conflicts with an existing resource"),
    413: _problem("Body larger than the configured limit"),
    422: _problem("Idempotency-Key reused with a different body or query string"),
}
UPDATE_RESPONSES: dict[int, ResponseSpec] = {
    409: _problem("Conflicts with an existing resource"),
    412: _problem("The resource changed since you read it (stale If-Match)"),
    428: _problem("If-Match is required"),
}
BODY_RESPONSES: dict[int, ResponseSpec] = {
    415: _problem("The body is not of the media type this operation takes (application/json unless it says otherwise)"),
}


DOCS_ASSETS = "/schema/assets"


def docs_assets() -> Router:
    """Swagger UI's files from the installed package, so the docs page works offline (on-prem)."""
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(path=DOCS_ASSETS, directories=[Path(str(swagger_ui_path))],
                                      opt={"public": True}, name="docs-assets")


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Meridian HR Platform API",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(
            path="/docs",
            js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
            favicon="",
        )],
        components=Components(security_schemes={
            "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
        }),
        security=[{"BearerToken": []}],
        use_handler_docstrings=True,
    )


_CHANGES = frozenset({"PATCH", "PUT", "DELETE"})
_WITH_BODY = frozenset({"POST", "PATCH", "PUT"})


def document_errors(routes: Iterable[type[Controller] | HTTPRouteHandler]) -> None:
    """Give every route its error responses, by method, before the OpenAPI document is built."""
    for route in routes:
        handlers = [route] if isinstance(route, HTTPRouteHandler) else list(vars(route).values())
        for value in handlers:
            if not isinstance(value, HTTPRouteHandler):
                continue
            methods = {m.upper() for m in value.http_methods}
            extra = CREATE_RESPONSES if "POST" in methods else UPDATE_RESPONSES if methods & _CHANGES else {}
            body = BODY_RESPONSES if methods & _WITH_BODY else {}
            value.responses = {**COMMON_RESPONSES, **extra, **body, **(value.responses or {})}
