"""OpenAPI 3.1 at /schema (Swagger UI at /schema/docs), with errors documented in the
problem+json shape they really have."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_type_hints
from uuid import UUID

import msgspec
from litestar import Controller, Litestar, Router
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
    Tag,
)
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router

from api.bodies import _CONTROL as CONTROL_CHARACTERS
from api.controllers.webhooks import TAG_TEXT as WEBHOOKS_TAG
from api.controllers.webhooks import document_webhooks
from api.deprecation import document_deprecation
from api.openapi_examples import add_examples
from api.openapi_headers import EVERY_ANSWER, HEADERS, PARAMETERS, RATE_LIMITED, header, parameter
from api.openapi_names import name_schemas
from api.problems import PROBLEM_MEDIA_TYPE, Problem
from compliance.numbers import MAX_DECIMAL_PLACES, MAX_DIGITS_BEFORE_POINT
from domain.kernel.date_range import EARLIEST, LATEST
from domain.kernel.permissions import MATRIX, Role

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

API_VERSION = "1.0.0"
DESCRIPTION = """Meridian is the HR core for multinational teams: recruitment, AI interview results,
employees, compliance rule packs and payroll. Every request carries a bearer token whose tenant
scopes everything it can see. Errors are RFC 9457 problem+json with a stable `code`, localised by
Accept-Language (en, zh-CN, ja). POSTs accept an Idempotency-Key; updates need If-Match. Text in a body or
query never holds control characters (tab and line breaks aside), and dates fall between 1900-01-01 and
2200-12-31.

**Money.** Every amount in an answer is a decimal string with exactly its currency's ISO 4217 minor-unit
digits: `"1440.00"` in CNY, EUR or USD, `"1260"` in JPY, `"0.00"` (never `"0"`) for nothing in CNY. Its
currency is the `currency` field of the object carrying it, or of its row in a list mixing currencies. Figures
with more digits (rates, ratios, factors) are not money and are named as what they are. Amounts you send may
leave trailing zeros out (`"1440"`).

**Languages.** Every language is a BCP 47 tag: `en`, `zh-CN` or `ja`, in bodies (a user's `locale`, a tenant's
`default_locale`, the keys of a text by language such as a job's `titles`) as in Accept-Language and
Content-Language. A request may also write `zh_CN`, in any letter case; answers always show `zh-CN`."""


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description,
                        generate_examples=False)


#: Every operation: the query string, the token, the permission matrix and the rate limit are checked first.
COMMON_RESPONSES: dict[int, ResponseSpec] = {
    400: _problem("Invalid input; `errors[]` points at each field"),
    401: _problem("Missing, invalid or expired bearer token, or a disabled user"),
    403: _problem("Your role or scopes do not allow this operation"),
    429: _problem("Rate limited; see Retry-After and the RateLimit headers"),
    500: _problem("Internal error; quote the request_id"),
}
#: Operations whose path or query names an object.
NOT_FOUND = _problem("Not found; another tenant's objects answer exactly like missing ones")
#: Lists filtered by a code from the tenant's own vocabulary (a pipeline stage): an unknown one is a mistake to
#: point at, unlike an unknown id, which answers an empty page.
UNKNOWN_FILTER_VALUE: dict[int, ResponseSpec] = {
    422: _problem("A filter names a code your organisation does not use; `errors[]` points at the parameter"),
}
#: Self-service operations, for a token whose subject is not (or no longer) the candidate or employee it reads.
OWN_RECORD_RESPONSES: dict[int, ResponseSpec] = {
    404: _problem("Your token's subject has no candidate or employee record in this organisation"),
}
#: Writes: the use case's own conflicts, and references the database refuses (``api.problems``).
WRITE_RESPONSES: dict[int, ResponseSpec] = {
    409: _problem("Conflicts with the resource's state or with an existing resource"),
    422: _problem("Names something that does not exist in your organisation, or breaks a business rule; "
                  "`errors[]` points at the field"),
}
#: POSTs: ``api.idempotency`` buffers the body of a request with an Idempotency-Key to fingerprint it.
IDEMPOTENT_RESPONSES: dict[int, ResponseSpec] = {
    413: _problem("Body larger than the configured limit"),
    422: _problem("Idempotency-Key reused with a different body or query string, or the request names something "
                  "that does not exist in your organisation or breaks a business rule; `errors[]` points at the "
                  "field"),
}
#: Operations taking a JSON body (``api.bodies``).
BODY_RESPONSES: dict[int, ResponseSpec] = {
    413: _problem("Body larger than the configured limit"),
    415: _problem("The body is not of the media type this operation takes (application/json unless it says otherwise)"),
}
#: Operations that read If-Match (``api.http.expected_version``).
IF_MATCH_RESPONSES: dict[int, ResponseSpec] = {
    412: _problem("The resource changed since you read it (stale If-Match)"),
    428: _problem("If-Match is required"),
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
            "OAuth2": oauth2_scheme(),
        }, parameters=dict(PARAMETERS), headers=dict(HEADERS)),
        security=[{"BearerToken": []}, {"OAuth2": []}],
        use_handler_docstrings=True,
    )


_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
JSON = "application/json"
#: What a ``format`` query value answers with, for the operations that offer other renderings than JSON.
FORMAT_MEDIA_TYPES = {"json": JSON, "html": "text/html", "csv": "text/csv"}
#: ``compliance.numbers.require_sane_decimals``, which every input Struct with decimals applies, as a pattern.
SANE_DECIMAL_PATTERN = rf"^-?\d{{1,{MAX_DIGITS_BEFORE_POINT}}}(\.\d{{1,{MAX_DECIMAL_PLACES}}})?$"


def oauth2_scheme() -> SecurityScheme:
    """The API clients' tokens: client credentials for servers, authorization code (with PKCE) for apps acting for
    a person; each flow offers the scope catalogue."""
    from litestar.openapi.spec import OAuthFlow, OAuthFlows

    from domain.kernel.permissions import SCOPE_MESSAGES

    return SecurityScheme(type="oauth2", description="Tokens of your API clients (`/v1/api-clients`), sent as "
                          "`Authorization: Bearer`; metadata at /.well-known/oauth-authorization-server.",
                          flows=OAuthFlows(
                              client_credentials=OAuthFlow(token_url=TOKEN_URL, scopes=dict(SCOPE_MESSAGES)),
                              authorization_code=OAuthFlow(authorization_url="/oauth/authorize",
                                                           token_url=TOKEN_URL, scopes=dict(SCOPE_MESSAGES))))


TOKEN_URL = "/oauth/token"  # noqa: S105 (the token endpoint's path)


def _escaped(characters: str) -> str:
    return re.sub(r"[^ -~]", lambda found: f"\\x{ord(found.group()):02x}", characters)


#: A character that is not one of the control characters ``api.bodies`` refuses in any text of a body or query.
TEXT_CHARACTER = f"[^{_escaped(CONTROL_CHARACTERS.pattern[1:-1])}]"
TEXT_PATTERN = f"^{TEXT_CHARACTER}*$"


#: Longer texts (5,000-character notes) say it in the API's description only: test generators (schemathesis,
#: Hypothesis) take minutes to build a value that long matching a pattern.
LONGEST_PATTERNED_TEXT = 2000


def text_pattern(shortest: int | None, longest: int | None) -> str | None:
    """Text of these lengths without control characters. The lengths are in the pattern too: a generator meeting
    an unbounded pattern and a large maxLength takes minutes to find the longest value."""
    if longest is not None and longest > LONGEST_PATTERNED_TEXT:
        return None
    if longest is None:
        return f"^{TEXT_CHARACTER}{{{shortest or 0},}}$" if shortest else TEXT_PATTERN
    return f"^{TEXT_CHARACTER}{{{shortest or 0},{longest}}}$"


def _years(first: int, last: int) -> str:
    parts, year = [], first
    while year <= last:
        whole_century = year % 100 == 0 and year + 99 <= last
        parts.append(f"{year // 100}\\d\\d" if whole_century else str(year))
        year += 100 if whole_century else 1
    return "|".join(parts)


#: The years of ``domain.kernel.date_range``, which the edge applies to every date of a body or query.
DATE_PATTERN = f"^({_years(EARLIEST.year, LATEST.year)})-"


def _handlers(route: type[Controller] | HTTPRouteHandler) -> Iterable[tuple[str, HTTPRouteHandler]]:
    """Each handler with the path prefix it is registered under."""
    if isinstance(route, HTTPRouteHandler):
        yield "", route
        return
    for value in vars(route).values():
        if isinstance(value, HTTPRouteHandler):
            yield route.path, value


def _takes_json_body(handler: HTTPRouteHandler) -> bool:
    """A ``data`` parameter, or a raw body the handler requires to be JSON (signed vendor deliveries)."""
    return "data" in inspect.signature(handler.fn).parameters or _calls(handler, "require_json_media_type")


def _checks_if_match(handler: HTTPRouteHandler) -> bool:
    """Handlers that read If-Match call ``api.http.expected_version``; it answers 428 without one, 412 when stale."""
    return _calls(handler, "expected_version")


def _calls(handler: HTTPRouteHandler, function: str) -> bool:
    code = getattr(handler.fn, "__code__", None)
    return code is not None and function in code.co_names


def _names_an_object(handler: HTTPRouteHandler, prefix: str) -> bool:
    """A path parameter, or an id in the query (``GET /v1/interviews?application_id=``), that may name nothing."""
    if any("{" in prefix + path for path in handler.paths):
        return True
    # Not handler.parsed_fn_signature: parsed before registration, it would break Litestar's copy of the handler.
    hints = get_type_hints(handler.fn, include_extras=True)
    return any(_mentions(UUID, hint) for name, hint in hints.items() if name not in ("data", "return"))


def _mentions(kind: type, hint: Any) -> bool:
    return hint is kind or any(_mentions(kind, arg) for arg in get_args(hint))


def responses_of(handler: HTTPRouteHandler, prefix: str) -> dict[int, ResponseSpec]:
    """Every error the edge and the use cases can answer for this handler, from what it takes and does."""
    methods = {m.upper() for m in handler.http_methods}
    found: dict[int, ResponseSpec] = dict(COMMON_RESPONSES)
    if _names_an_object(handler, prefix):
        found[404] = NOT_FOUND
    if methods & _WRITES:
        found.update(WRITE_RESPONSES)
    if "POST" in methods:
        found.update(IDEMPOTENT_RESPONSES)
    if _takes_json_body(handler):
        found.update(BODY_RESPONSES)
    if _checks_if_match(handler):
        found.update(IF_MATCH_RESPONSES)
    return found


def document_errors(routes: Iterable[type[Controller] | HTTPRouteHandler]) -> None:
    """Give every route its error responses before the OpenAPI document is built; a handler's own win."""
    for route in routes:
        for prefix, handler in _handlers(route):
            handler.responses = {**responses_of(handler, prefix), **(handler.responses or {})}


# -- after the document is built: what Litestar cannot derive from a handler's signature --------------------


#: The bounded contexts operations are grouped by, in the order the docs list them.
TAGS: dict[str, str] = {
    "Platform": "Health, and provisioning tenants (platform operators of a shared installation).",
    "Identity": "Who you are, the users of your organisation, their roles and scopes.",
    "Tenant": "Your organisation's settings: countries, time zone, default language.",
    "Legal entities": "The employing companies of your organisation, each with its country, currency and zone.",
    "Recruitment": "Jobs, competency models, candidates, consents, applications and the pipeline.",
    "Candidate portal": "What a candidate sees of their own applications, with a candidate token.",
    "AI interview results": "Interview-AI vendors, their signed deliveries, evaluations against competency models, "
                            "candidate comparisons.",
    "Employees": "Hiring with the evaluation, employments, onboarding plans, reviews, training, bank accounts and "
                 "tax attributes.",
    "Analytics": "How interview scores relate to later performance, and attrition risk.",
    "Payroll": "Pay groups, pay runs with dual review, payslips, variance, corrections and finance exports.",
    "Compliance": "Labour-law and tax rule packs with their citations, contract checks, holidays, and your "
                  "organisation's own law versions and choices.",
    "Reports": "Short-lived links that open a report in a browser without a bearer token.",
    "Audit": "The tamper-evident audit chain of every change and sensitive read.",
    "Privacy": "How long each kind of personal data is kept per country, the law it rests on, and your own "
               "periods within the law's bounds; the purge that erases what has passed its period, with a certificate "
               "per run, and the legal holds that stop it.",
    "API clients": "The OAuth clients of your partner integrations: grants, scopes, roles, redirect URIs, secrets.",
    "OAuth": "The authorisation server: tokens for API clients, revocation, introspection and its metadata.",
    "Sign-in": "How people sign in when a partner's app acts for them: your organisation's OpenID Connect provider, "
               "and one-time sign-in codes where there is none.",
    "Webhooks": WEBHOOKS_TAG,
    "Bulk": "Imports of employees and candidates from CSV or JSON Lines files as background jobs, and streamed "
            "exports; both count against the bulk rate limit, apart from the interactive one.",
}


def _declare_tags(document: OpenAPI) -> None:
    """Every tag an operation uses, described ones first in TAGS' order (a test requires every tag of the API to be
    described; an app built by a test may use its own)."""
    used = {tag for item in (document.paths or {}).values() for method in ("get", "put", "post", "delete", "patch")
            if isinstance(operation := getattr(item, method, None), Operation) for tag in operation.tags or ()}
    document.tags = [Tag(name=name, description=text) for name, text in TAGS.items() if name in used] + [
        Tag(name=name) for name in sorted(used - TAGS.keys())]


def finish_document(app: Litestar) -> None:
    """Headers the middleware and ``api.http`` read, and the renderings a ``format`` query selects."""
    document = app.openapi_schema
    for route in app.routes:
        item = (document.paths or {}).get(route.path_format) if isinstance(route, HTTPRoute) else None
        if item is None:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = getattr(item, str(method).lower(), None)
            if not isinstance(operation, Operation):
                continue
            for declared in operation.parameters or ():
                if isinstance(declared, Parameter):
                    _query_as_strict_as_the_edge(declared)
            operation.parameters = [*(operation.parameters or []), *_request_headers(method, handler)]
            _document_formats(operation, handler)
            _document_raw_bodies(operation, handler)
            _document_response_headers(operation, handler, document)
            operation.description = describe(handler)
            document_deprecation(operation, handler)
    name_schemas(document)
    _declare_tags(document)
    add_examples(document)
    document_webhooks(document)  # after the examples: the events carry their own


def _request_headers(method: str, handler: HTTPRouteHandler) -> list[Reference]:
    names = ["AcceptLanguage", "RequestId"]
    if method == "POST":
        names.append("IdempotencyKey")
    if _checks_if_match(handler):
        names.append("IfMatch")
    if handler.opt.get(SIGNED_BY_VENDOR):
        names.append("MeridianSignature")
    return [parameter(name) for name in names]


def _document_response_headers(operation: Operation, handler: HTTPRouteHandler, document: OpenAPI) -> None:
    for status, response in (operation.responses or {}).items():
        if not isinstance(response, OpenAPIResponse):
            continue
        names = dict(EVERY_ANSWER)
        if status.startswith("2") or status == "429":
            names.update(RATE_LIMITED)
        if status == "429":
            names["Retry-After"] = "RetryAfter"
        if status.startswith("2") and _sends_etag(handler, response, document):
            names["ETag"] = "ETag"
        if status == "201" and _calls(handler, "created"):
            names["Location"] = "Location"
        response.headers = {**(response.headers or {}), **{name: header(ref) for name, ref in names.items()}}


def _sends_etag(handler: HTTPRouteHandler, response: OpenAPIResponse, document: OpenAPI) -> bool:
    """``with_etag`` always sends one; ``created`` sends one for a view with a version."""
    if _calls(handler, "with_etag"):
        return True
    if not _calls(handler, "created"):
        return False
    media = (response.content or {}).get(JSON)
    reference = media.schema if media is not None else None
    if not isinstance(reference, Reference):
        return False
    schema = (document.components.schemas or {}).get(reference.ref.rsplit("/", 1)[-1])
    return isinstance(schema, Schema) and "version" in (schema.properties or {})


def describe(handler: HTTPRouteHandler) -> str:
    """The handler's docstring (or its summary), then who may call it: the reader should not need our code."""
    # Not inspect.getdoc: for a method without a docstring it answers with its class's.
    doc = inspect.cleandoc(handler.fn.__doc__) if handler.fn.__doc__ else handler.summary or ""
    return f"{doc}\n\n{_who_may_call(handler)}".strip()


def _who_may_call(handler: HTTPRouteHandler) -> str:
    if handler.opt.get(SIGNED_BY_VENDOR):
        return ("**Authentication**: no bearer token; the vendor signs the raw body with its HMAC secret "
                "(Meridian-Signature).")
    if handler.opt.get("public"):
        return "**Authentication**: none."
    operation = handler.opt["operation"]
    roles = ", ".join(f"`{role.value}`" for role in sorted(MATRIX[operation], key=list(Role).index))
    return (f"**Permission** `{operation.value}`, held by the roles {roles}. A partner token needs this "
            f"permission among its scopes as well.")


#: ``opt`` key of the public handler whose raw body a vendor signs (``Meridian-Signature``).
SIGNED_BY_VENDOR = "signed_by_vendor"


def signed_by_vendor(body: type) -> dict[str, Any]:
    """The ``opt`` of a public handler reading a raw JSON ``body`` whose bytes the vendor signed."""
    return {"public": True, SIGNED_BY_VENDOR: body.__name__}


def renders(model: Any, description: str) -> dict[int, ResponseSpec]:
    """The JSON answer of a handler that can also render HTML or CSV (``format``), which therefore returns a bare
    ``Response``: its schema, which Litestar cannot read from that annotation."""
    return {200: ResponseSpec(data_container=model, description=description, generate_examples=False)}


#: ``opt`` keys of handlers that stream a raw body in or out (uploads and downloads): the media types they take
#: or answer with, ranges allowed (``audio/*``).
TAKES = "takes_media_types"
ANSWERS = "answers_media_types"


def raw_body(*media_types: str) -> dict[str, tuple[str, ...]]:
    """The ``opt`` of a handler reading its raw request body in one of ``media_types``."""
    return {TAKES: media_types}


def raw_answer(*media_types: str) -> dict[str, tuple[str, ...]]:
    """The ``opt`` of a handler answering with a stored file of one of ``media_types``."""
    return {ANSWERS: media_types}


def _binary(media_types: Iterable[str]) -> dict[str, OpenAPIMediaType]:
    return {media_type: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
            for media_type in media_types}


#: ``opt`` key of a browser page's handler (``/oauth/authorize``): its own errors are pages too, beside problems.
HTML_ERRORS = "html_error_pages"


def _document_raw_bodies(operation: Operation, handler: HTTPRouteHandler) -> None:
    if handler.opt.get(HTML_ERRORS):
        for status, response in (operation.responses or {}).items():
            if status.startswith("4") and isinstance(response, OpenAPIResponse):
                response.content = {**(response.content or {}),
                                    "text/html": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))}
    if takes := handler.opt.get(TAKES):
        operation.request_body = RequestBody(content=_binary(takes), required=True)
    if form := handler.opt.get("form_body"):  # a form an OAuth endpoint reads itself (api.oauth.endpoints)
        operation.request_body = form
    if signed := handler.opt.get(SIGNED_BY_VENDOR):
        operation.request_body = RequestBody(required=True, content={
            JSON: OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{signed}"))})
    success = next((r for status, r in (operation.responses or {}).items() if status.startswith("2")), None)
    if (answers := handler.opt.get(ANSWERS)) and isinstance(success, OpenAPIResponse):
        success.content = _binary(answers)


def _document_formats(operation: Operation, handler: HTTPRouteHandler) -> None:
    parameter = handler.parsed_fn_signature.parameters.get("format")
    success = next((r for status, r in (operation.responses or {}).items() if status.startswith("2")), None)
    if parameter is None or not isinstance(success, OpenAPIResponse) or not success.content:
        return
    for value in get_args(parameter.annotation):
        media_type = FORMAT_MEDIA_TYPES.get(value)
        if media_type is not None and media_type not in success.content:
            success.content[media_type] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


# -- input Structs: the document is as strict as the decoder ---------------------------------------------------


class InputStructSchemaPlugin(StructSchemaPlugin):
    """Input Structs forbid unknown fields (see docs/architecture.md), their decimals pass
    ``require_sane_decimals``, and their mappings have bounds and key patterns that Litestar leaves out; the
    document says all of it, so a request made from the document is not refused for a reason it hides."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.origin or field_definition.annotation
        if schema.description is None and struct.__doc__:
            schema.description = inspect.cleandoc(struct.__doc__)  # Litestar reads an Enum's docstring, not a Struct's
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
            for field in info.fields:
                prop = (schema.properties or {}).get(field.encode_name)
                if isinstance(prop, Schema):
                    _as_strict_as_the_decoder(prop, field.type)
        return schema


def _as_strict_as_the_decoder(schema: Schema, kind: msgspec.inspect.Type) -> None:
    while isinstance(kind, msgspec.inspect.Metadata):
        kind = kind.type
    if isinstance(kind, msgspec.inspect.UnionType):
        for member in kind.types:
            nested = next((s for s in schema.one_of or () if isinstance(s, Schema) and s.type == _json_type(member)),
                          None)
            _as_strict_as_the_decoder(nested or schema, member)
    elif isinstance(kind, msgspec.inspect.DecimalType) and schema.pattern is None:
        schema.pattern = SANE_DECIMAL_PATTERN
    elif isinstance(kind, msgspec.inspect.StrType):
        schema.min_length = kind.min_length if schema.min_length is None else schema.min_length
        schema.max_length = kind.max_length if schema.max_length is None else schema.max_length
        schema.pattern = kind.pattern if schema.pattern is None else schema.pattern
        _refuse_control_characters(schema)
    elif isinstance(kind, msgspec.inspect.DateType | msgspec.inspect.DateTimeType) and schema.pattern is None:
        schema.pattern = DATE_PATTERN
    elif isinstance(kind, msgspec.inspect.ListType) and isinstance(schema.items, Schema):
        _as_strict_as_the_decoder(schema.items, kind.item_type)
    elif isinstance(kind, msgspec.inspect.DictType):
        _bound_mapping(schema, kind)


def _bound_mapping(schema: Schema, kind: msgspec.inspect.DictType) -> None:
    if schema.min_properties is None and kind.min_length is not None:
        schema.min_properties = kind.min_length
    if schema.max_properties is None and kind.max_length is not None:
        schema.max_properties = kind.max_length
    key = kind.key_type.type if isinstance(kind.key_type, msgspec.inspect.Metadata) else kind.key_type
    if schema.property_names is None and isinstance(key, msgspec.inspect.StrType):
        schema.property_names = Schema(type=OpenAPIType.STRING, pattern=key.pattern or TEXT_PATTERN)
    elif schema.property_names is None and isinstance(key, msgspec.inspect.LiteralType | msgspec.inspect.EnumType):
        values = key.values if isinstance(key, msgspec.inspect.LiteralType) else [m.value for m in key.cls]
        schema.property_names = Schema(type=OpenAPIType.STRING, enum=list(values))
    if isinstance(schema.additional_properties, Schema):
        _as_strict_as_the_decoder(schema.additional_properties, kind.value_type)


def _refuse_control_characters(schema: Schema, outer: Schema | None = None) -> None:
    if schema.pattern is None and schema.enum is None and schema.const is None and schema.format is None:
        shortest = schema.min_length if schema.min_length is not None else outer and outer.min_length
        longest = schema.max_length if schema.max_length is not None else outer and outer.max_length
        schema.pattern = text_pattern(shortest, longest)


def _query_as_strict_as_the_edge(parameter: Parameter) -> None:
    """``api.bodies.refuse_bad_query_values`` refuses control characters and out-of-range dates in any query value."""
    if parameter.param_in != ParamType.QUERY or not isinstance(parameter.schema, Schema):
        return
    for schema in [parameter.schema, *(s for s in parameter.schema.one_of or () if isinstance(s, Schema))]:
        if schema.type != OpenAPIType.STRING:
            continue
        if schema.format in (OpenAPIFormat.DATE, OpenAPIFormat.DATE_TIME) and schema.pattern is None:
            schema.pattern = DATE_PATTERN
        _refuse_control_characters(schema, parameter.schema)


def _json_type(kind: msgspec.inspect.Type) -> OpenAPIType | None:
    while isinstance(kind, msgspec.inspect.Metadata):
        kind = kind.type
    return {msgspec.inspect.DictType: OpenAPIType.OBJECT, msgspec.inspect.ListType: OpenAPIType.ARRAY,
            msgspec.inspect.DecimalType: OpenAPIType.STRING, msgspec.inspect.StrType: OpenAPIType.STRING,
            }.get(type(kind))
