"""The OAuth routes: the token endpoint, revocation (RFC 7009), introspection (RFC 7662) and the discovery document
(RFC 8414). Each reads its form, prefetches what Authlib will ask for, lets Authlib answer in a worker thread, then
writes what it asked to write (:mod:`api.oauth.server`). Errors are RFC 6749 JSON errors (``error``,
``error_description`` in the reader's language), not problem documents."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIType, RequestBody, Schema

from api.oauth.server import Answer, MeridianAuthorizationServer, Revocation
from domain.kernel.i18n import negotiate
from domain.kernel.i18n import translate as _translate
from domain.kernel.permissions import SCOPES

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
#: What each RFC 6749 / 7009 error code tells the client, in its language (``error_description``).
OAUTH_ERROR_MESSAGES: dict[str, str] = {
    "invalid_request": "The request is missing a parameter, repeats one, or is not a form "
                       "(application/x-www-form-urlencoded).",
    "invalid_client": "Client authentication failed: unknown client, wrong secret, or an authentication method "
                      "this client may not use.",
    "invalid_grant": "The grant or token was not issued to this client, or is no longer valid.",
    "unauthorized_client": "This client is not allowed to use this grant type.",
    "unsupported_grant_type": "This authorisation server does not support this grant type.",
    "invalid_scope": "The scope asked for is unknown or more than this client is allowed.",
    "unsupported_token_type": "This token type cannot be revoked or introspected here.",
    "access_denied": "The request was refused.",
    "server_error": "The authorisation server could not complete the request.",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenAnswer(msgspec.Struct, frozen=True):
    """An access token (RFC 6749 5.1): a JWT to send as `Authorization: Bearer`, valid `expires_in` seconds, with
    the scopes granted (space-separated)."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str


class OAuthError(msgspec.Struct, frozen=True):
    """An OAuth error (RFC 6749 5.2): a stable `error` code and a description in the reader's language."""

    error: str
    error_description: str


class IntrospectionAnswer(msgspec.Struct, frozen=True):
    """RFC 7662: whether the token is active and, when it is (and is your client's own), its claims. Another
    client's or tenant's token, an expired, revoked or forged one all answer `{"active": false}` alone."""

    active: bool
    scope: str | None = None
    client_id: str | None = None
    token_type: str | None = None
    sub: str | None = None
    tid: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    iss: str | None = None
    aud: str | None = None
    jti: str | None = None


class ServerMetadata(msgspec.Struct, frozen=True):
    """Authorisation server metadata (RFC 8414): the issuer the tokens carry as `iss` (the deployment's public https
    base URL), the endpoints (a person's sign-in and consent at `authorization_endpoint`, authorization code with
    PKCE S256), and what this server supports. `scopes_supported` is the scope catalogue (described in
    GET /v1/api-clients/scopes)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str
    introspection_endpoint: str
    grant_types_supported: list[str]
    response_types_supported: list[str]
    scopes_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    code_challenge_methods_supported: list[str]
    service_documentation: str


def _string(description: str, example: str | None = None) -> Schema:
    return Schema(type=OpenAPIType.STRING, description=description, max_length=4096, examples=[example] if example
                  else None)


def _form(properties: dict[str, Schema], required: list[str], example: dict[str, str]) -> dict[str, Any]:
    """The ``opt`` that documents a handler's form body (see :func:`document_form_bodies`)."""
    return {"form_body": RequestBody(required=True, content={FORM_MEDIA_TYPE: OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.OBJECT, properties=properties, required=required),  # type: ignore[arg-type]
        examples={"example": Example(value=example)})})}


_CLIENT_FIELDS = {
    "client_id": _string("With client_secret_post (or a public client): the client's id. Else send HTTP Basic."),
    "client_secret": _string("With client_secret_post: the client's secret. Else send HTTP Basic."),
}
_EXAMPLE_CLIENT = "01936c3e-7a4b-7cde-8f01-23456789abcd.01936c3e-7a4b-7cde-8f01-23456789abce"
_TOKEN_FORM = _form({
    "grant_type": _string("`client_credentials` (and the grants in the discovery document)."),
    "scope": _string("Space-separated scopes, each allowed to the client; all of them when left out."),
    **_CLIENT_FIELDS,
}, ["grant_type"], {"grant_type": "client_credentials", "scope": "recruitment:read candidates:read",
                    "client_id": _EXAMPLE_CLIENT, "client_secret": "mcs_..."})
_TOKEN_PRESENTED_FORM = {
    "token": _string("The access token."),
    "token_type_hint": _string("`access_token` or `refresh_token`, optional."),
    **_CLIENT_FIELDS,
}
_TOKEN_EXAMPLE = {"token": "eyJhbGciOiJIUzI1NiIs...", "token_type_hint": "access_token",
                  "client_id": _EXAMPLE_CLIENT, "client_secret": "mcs_..."}


def _error_spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=OAuthError, description=description, generate_examples=False, examples=[
        Example(value={"error": "invalid_client", "error_description": OAUTH_ERROR_MESSAGES["invalid_client"]})])


_ERRORS = {
    400: _error_spec("An OAuth error: invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, "
                     "invalid_scope"),
    401: _error_spec("invalid_client: unknown client or wrong secret (with WWW-Authenticate after HTTP Basic)"),
}


def _server(request: Request[Any, Any, Any]) -> MeridianAuthorizationServer:
    return request.app.state.oauth_server  # type: ignore[no-any-return]


async def _exchange(request: Request[Any, Any, Any], endpoint: str | None) -> Response[Any]:
    locale = negotiate(request.headers.get("accept-language"), request.app.state.settings.default_locale)
    request.scope["state"]["locale"] = locale  # type: ignore[typeddict-item]
    form = await _read_form(request)
    if form is None:
        return _answer(Answer(400, {"error": "invalid_request"}, []), locale)
    server = _server(request)
    headers = {"Authorization": request.headers.get("authorization", "")}
    oauth_request = server.request_for(str(request.url), headers, form)
    exchange = await server.prefetch(headers, form, with_token=endpoint is not None, request=oauth_request)
    if endpoint is None:
        call = lambda: server.create_token_response(oauth_request)  # noqa: E731
    else:
        call = lambda: server.create_endpoint_response(endpoint, oauth_request)  # noqa: E731
    answer = await anyio.to_thread.run_sync(server.run, exchange, call)
    for write in exchange.after:
        await write()
    return _answer(answer, locale)


async def _read_form(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    """The form, or None when the body is not one or repeats a parameter (RFC 6749 3.1, 3.2)."""
    if not (request.headers.get("content-type") or "").lower().startswith(FORM_MEDIA_TYPE):
        return None
    form = await request.form()
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        if key in values or not isinstance(value, str):
            return None
        values[key] = value
    return values


def _answer(answer: Answer, locale: str) -> Response[Any]:
    body = dict(answer.body)
    if "error" in body:
        code = str(body["error"])
        body = {"error": code, "error_description": _translate(
            OAUTH_ERROR_MESSAGES.get(code, OAUTH_ERROR_MESSAGES["invalid_request"]), locale)}
    headers = {name: value for name, value in answer.headers if name.lower() == "www-authenticate"}
    return Response(body, status_code=answer.status, headers={**headers, **NO_STORE},
                    media_type="application/json")


_OPT = {"public": True}


@post("/oauth/token", operation_id="createOAuthToken", tags=["OAuth"], security=[{}], status_code=200,
      opt={**_OPT, **_TOKEN_FORM}, responses={**_ERRORS},
      summary="An access token for an API client (client credentials, RFC 6749)")
async def token_endpoint(request: Request[Any, Any, Any]) -> TokenAnswer:
    """The client authenticates with its secret, by HTTP Basic (`client_secret_basic`) or in the form
    (`client_secret_post`), and asks for `grant_type=client_credentials` and, optionally, scopes it is allowed.
    The answer is a JWT access token for `Authorization: Bearer`, valid 15 minutes, verified like every other
    token: it acts as the client's service user, with its roles, and can never do more than both those roles and
    the token's scopes allow. A scope the client is not allowed is refused (`invalid_scope`), never narrowed.
    Errors are RFC 6749 JSON errors with a description in the reader's language."""
    return await _exchange(request, None)  # type: ignore[return-value]


@post("/oauth/revoke", operation_id="revokeOAuthToken", tags=["OAuth"], security=[{}], status_code=200,
      opt={**_OPT, **_form(_TOKEN_PRESENTED_FORM, ["token"], _TOKEN_EXAMPLE)}, responses={**_ERRORS},
      summary="Revoke one of your client's tokens (RFC 7009); refused from its next request everywhere")
async def revoke_endpoint(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The client authenticates as at the token endpoint and names one of its own tokens: from the next request,
    in every server process, it is refused (401 invalid_token). A token that does not verify (expired, forged)
    is answered 200 and changes nothing, as RFC 7009 says; another client's token is refused with
    `invalid_grant`. Deleting a client revokes all its tokens."""
    return await _exchange(request, Revocation.ENDPOINT_NAME)  # type: ignore[return-value]


@post("/oauth/introspect", operation_id="introspectOAuthToken", tags=["OAuth"], security=[{}], status_code=200,
      opt={**_OPT, **_form(_TOKEN_PRESENTED_FORM, ["token"], _TOKEN_EXAMPLE)}, responses={**_ERRORS},
      summary="Whether one of your client's tokens is active, and its claims (RFC 7662)")
async def introspect_endpoint(request: Request[Any, Any, Any]) -> IntrospectionAnswer:
    """The client authenticates as at the token endpoint and names a token. Its own token, unexpired and not
    revoked, answers `active: true` with its scope, subject, tenant, expiry and id; any other token (another
    client's, another tenant's, expired, revoked, forged) answers `{"active": false}` and nothing else."""
    return await _exchange(request, "introspection")  # type: ignore[return-value]


@get("/.well-known/oauth-authorization-server", operation_id="getOAuthServerMetadata", tags=["OAuth"],
     security=[{}], opt=_OPT, summary="The authorisation server's metadata (RFC 8414)")
async def metadata_endpoint(request: Request[Any, Any, Any]) -> ServerMetadata:
    """What a client library needs to talk to Meridian's authorisation server: the issuer its tokens carry as `iss`
    (the deployment's public https base URL, `MERIDIAN_PUBLIC_URL`), the authorization, token, revocation and
    introspection endpoints, the grant types, the scope catalogue, how clients authenticate, and PKCE's S256 (the
    only challenge method accepted)."""
    server = _server(request)
    settings = request.app.state.settings
    # The endpoints are under the public base URL when one is configured, else where this request came in.
    base = settings.oauth_issuer if settings.public_url else str(request.base_url).rstrip("/")
    grant_types = server.grant_types
    methods = ["client_secret_basic", "client_secret_post", "none"]
    return ServerMetadata(
        issuer=settings.oauth_issuer, authorization_endpoint=f"{base}/oauth/authorize",
        token_endpoint=f"{base}/oauth/token",
        revocation_endpoint=f"{base}/oauth/revoke", introspection_endpoint=f"{base}/oauth/introspect",
        grant_types_supported=grant_types,
        response_types_supported=["code"] if "authorization_code" in grant_types else [],
        scopes_supported=list(SCOPES), token_endpoint_auth_methods_supported=methods,
        revocation_endpoint_auth_methods_supported=methods, introspection_endpoint_auth_methods_supported=methods,
        code_challenge_methods_supported=["S256"], service_documentation=f"{base}/docs")


ROUTES = [token_endpoint, revoke_endpoint, introspect_endpoint, metadata_endpoint]
