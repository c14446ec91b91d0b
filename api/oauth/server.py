"""The OAuth 2.1 authorisation server: Authlib's RFC 6749 ``AuthorizationServer``, its grants and its RFC 7009 and
RFC 7662 endpoints, behind a small Litestar adapter. The protocol (client authentication, grant and parameter
checks, error answers) is Authlib's; Meridian supplies the clients, the tokens and the storage.

Authlib is synchronous and our database is not, so every request to ``/oauth/*`` runs in three steps:

1. **prefetch** (async, :func:`prefetch`): read the form, find the ``client_id`` (HTTP Basic or the form) and read
   that client; for a grant that spends something (a code, a refresh token) authenticate the client first, with
   Authlib's own client authentication, so nothing is spent, rotated or revoked for a caller that is not the
   client; for revocation and introspection also verify the presented token and read whether it is still in
   force; then run every grant's own prefetch hook (:func:`prefetchers`);
2. **Authlib** (sync, in a worker thread, because client secrets are checked with scrypt): ``query_client`` and
   ``query_token`` answer from the prefetched :class:`Exchange`; ``save_token`` and ``revoke_token`` write
   nothing, they add coroutines to ``exchange.after``;
3. **persist** (async): the coroutines in ``exchange.after`` run in order before the answer is sent.

Access tokens are JWTs from :func:`api.auth.issue_token`, verified by the same :class:`api.auth.TokenVerifier` as
every other token; their ``iss`` is the server's issuer (``Settings.oauth_issuer``, the deployment's public base URL,
as the discovery document says); they carry ``tid``, ``sub``, ``roles``, ``scope``, ``client_id`` and ``jti``.

How to add a grant (authorization code with PKCE, refresh tokens, ...):

* write the grant class, subclassing Authlib's (``AuthorizationCodeGrant``, ``RefreshTokenGrant``) and
  :class:`ScopeWithinClient`; its sync storage methods read what an async prefetch hook put in
  ``current_exchange().extra`` and add their writes as coroutine factories to ``current_exchange().after``;
* add the grant to :func:`grants` (one line: the class and its extensions, e.g.
  ``(CodeGrant, [CodeChallenge(required=True)])``) and, if it reads the database, its hook to :func:`prefetchers`;
* the token it issues: call ``self.generate_token(user=TokenSubject(subject, roles), scope=...)``; the registered
  generator signs it on the shared path (a refresh token, if the grant issues one, is the grant's to add);
* ``grant_types_supported`` in the discovery document follows the grants registered here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from uuid import UUID

import anyio.to_thread
from authlib.oauth2 import AuthorizationServer, ClientAuthentication, OAuth2Error
from authlib.oauth2.rfc6749 import (
    BaseGrant,
    ClientMixin,
    InvalidScopeError,
    OAuth2Request,
    TokenMixin,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from api.auth import InvalidToken, TokenVerifier, issue_token
from domain.api_clients.model import GrantType
from domain.api_clients.service import TokenEndpointClient, client_for_token_endpoint, revoke_token, token_in_force
from domain.kernel.permissions import SCOPES
from domain.kernel.principal import SystemActor
from domain.kernel.settings import Mode, Settings

#: How long a client-credentials access token lives.
ACCESS_TOKEN_SECONDS = 900
#: How a client may authenticate: confidential clients with their secret, public ones (PKCE) with none.
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
AUTH_METHODS = [*SECRET_METHODS, "none"]
#: Grants whose prefetch spends or replaces what the form presents: the client is authenticated before that.
SPENDING_GRANTS = frozenset({"authorization_code", "refresh_token"})


# -- what one request prefetched -------------------------------------------------------------------------------


@dataclass
class PresentedToken(TokenMixin):  # type: ignore[misc]
    """A token presented to revocation or introspection, verified on the shared path, with its state."""

    claims: dict[str, Any]
    client_id: str | None
    in_force: bool

    def check_client(self, client: ClientMixin) -> bool:
        return self.client_id is not None and self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return str(self.claims.get("scope", ""))

    def get_expires_in(self) -> int:
        return int(self.claims["exp"]) - int(self.claims["iat"])

    def is_expired(self) -> bool:
        return int(self.claims["exp"]) <= datetime.now(UTC).timestamp()

    def is_revoked(self) -> bool:
        return not self.in_force


@dataclass
class Exchange:
    """What the async prefetch read for one request, and what Authlib asked to write (run after it answers)."""

    form: dict[str, str]
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    token: PresentedToken | None = None
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: For a grant in :data:`SPENDING_GRANTS`: the client, once it proved who it is (None: it did not, or could not).
    authenticated: OAuthClient | None = None
    #: A grant's own prefetched data (an authorization code, a refresh token), by a key the grant chooses.
    extra: dict[str, Any] = field(default_factory=dict)


_exchange: ContextVar[Exchange] = ContextVar("oauth_exchange")


def current_exchange() -> Exchange:
    """The exchange of the request Authlib is working on (set around the call into Authlib)."""
    return _exchange.get()


@dataclass(frozen=True)
class TokenSubject:
    """Who a token acts for, as a grant passes it to ``generate_token(user=...)``: a person (authorization code)
    or, by default, the client's own service user (client credentials)."""

    subject: str
    roles: list[str]


class OAuthClient(ClientMixin):  # type: ignore[misc]
    """A registered API client as Authlib sees it."""

    def __init__(self, found: TokenEndpointClient) -> None:
        self.found = found
        self.view = found.client
        self.tenant_id: UUID = found.tenant_id
        self._secrets_checked: dict[str, bool] = {}

    def get_client_id(self) -> str:
        return self.view.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.view.redirect_uris[0] if self.view.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.view.scopes)
        if not scope:
            return " ".join(sorted(allowed))
        return " ".join(s for s in scope_to_list(scope) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.view.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """Checked once per request (an scrypt): the prefetch authenticates a spending grant's client, then
        Authlib does again."""
        if client_secret not in self._secrets_checked:
            self._secrets_checked[client_secret] = self.view.confidential and self.found.secret_matches(client_secret)
        return self._secrets_checked[client_secret]

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.view.confidential:
            return method in SECRET_METHODS
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and GrantType.AUTHORIZATION_CODE in self.view.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.view.grant_types


# -- grants ----------------------------------------------------------------------------------------------------


class ScopeWithinClient:
    """A grant mixin: a scope the client was not allowed is refused with ``invalid_scope`` (never silently
    narrowed), and asking for none gets every scope the client is allowed."""

    request: OAuth2Request
    server: AuthorizationServer

    def validate_requested_scope(self) -> None:
        requested = self.request.payload.scope
        self.server.validate_requested_scope(requested)  # in the catalogue
        client: OAuthClient = self.request.client
        if not set(scope_to_list(requested) or []) <= set(client.view.scopes):
            raise InvalidScopeError()
        if not requested:
            self.request.payload.data["scope"] = client.get_allowed_scope(None)


class ClientCredentials(ScopeWithinClient, ClientCredentialsGrant):  # type: ignore[misc]
    """A server-to-server client acting as its own service user (RFC 6749 4.4)."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS


def grants() -> list[tuple[type[BaseGrant], list[Any]]]:
    """Every grant the server offers, with its Authlib extensions. Add a grant here."""
    from api.oauth.grants import person_grants  # authorization code with PKCE, refresh tokens
    return [
        (ClientCredentials, []),
        *person_grants(),
    ]


Prefetch = Callable[[Exchange], Awaitable[None]]


def prefetchers() -> list[Prefetch]:
    """Async hooks that read what a grant's sync storage methods need into ``exchange.extra``. Add yours here."""
    from api.oauth.grants import prefetch_person_grants  # codes, refresh tokens
    return [prefetch_person_grants]


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009. A client may revoke only its own tokens: another client's (or tenant's) is refused by Authlib with
    ``invalid_grant``; a token that does not verify is answered 200, as the RFC says, and nothing changes."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> PresentedToken | None:
        return current_exchange().token

    def revoke_token(self, token: PresentedToken, request: OAuth2Request) -> None:
        client: OAuthClient = request.client
        expires = datetime.fromtimestamp(int(token.claims["exp"]), UTC)
        jti = str(token.claims["jti"])
        current_exchange().after.append(
            lambda: revoke_token(SystemActor(subject=client.view.service_subject), client.tenant_id,
                                 client.get_client_id(), jti, expires))


class Introspection(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662. A client may introspect only its own tokens; any other answers ``{"active": false}``."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> PresentedToken | None:
        return current_exchange().token

    def check_permission(self, token: PresentedToken, client: OAuthClient, request: OAuth2Request) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: PresentedToken) -> dict[str, Any]:
        claims = token.claims
        return {"active": True, "scope": token.get_scope(), "client_id": token.client_id, "token_type": "Bearer",
                "sub": claims["sub"], "tid": claims["tid"], "exp": claims["exp"], "iat": claims["iat"],
                "nbf": claims.get("nbf"), "iss": claims["iss"], "aud": claims["aud"], "jti": claims["jti"]}


# -- the server ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


class FormRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(self, method: str, uri: str, headers: dict[str, str], form: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


class MeridianAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, settings: Settings, secret: bytes, verifier: TokenVerifier) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.settings = settings
        self.secret = secret
        self.verifier = verifier
        self._client_auth = ClientAuthentication(self.query_client)
        for grant, extensions in grants():
            self.register_grant(grant, extensions)
        self.register_token_generator("default", self._access_token)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    @property
    def grant_types(self) -> list[str]:
        return [grant.GRANT_TYPE for grant, _ in self._token_grants if grant.GRANT_TYPE]

    def query_client(self, client_id: str) -> OAuthClient | None:
        return current_exchange().clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are self-contained JWTs: nothing to store (a grant issuing refresh tokens stores those)."""

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Answer:
        return Answer(status, dict(body or {}), list(headers or []))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def _access_token(self, grant_type: str, client: OAuthClient, user: TokenSubject | None = None,
                      scope: str | None = None, expires_in: int | None = None,
                      include_refresh_token: bool = True) -> dict[str, Any]:
        acting = user or TokenSubject(client.view.service_subject, [r.value for r in client.view.roles])
        scopes = scope_to_list(scope) or []
        ttl = expires_in or ACCESS_TOKEN_SECONDS
        access = issue_token(self.settings, self.secret, tenant_id=client.tenant_id, subject=acting.subject,
                             roles=acting.roles, ttl_seconds=ttl, scopes=scopes,
                             extra={"client_id": client.get_client_id()}, issuer=self.settings.oauth_issuer)
        return {"token_type": "Bearer", "access_token": access, "expires_in": ttl, "scope": " ".join(scopes)}

    # -- the three steps ----------------------------------------------------------------------------------------

    def request_for(self, url: str, headers: dict[str, str], form: dict[str, str]) -> FormRequest:
        # Authlib refuses a plain-http URI; TLS ends at the proxy in front of Meridian, so the URI it sees is https.
        secure = "https://" + url.split("://", 1)[-1]
        return FormRequest("POST", secure, headers, form)

    async def prefetch(self, headers: dict[str, str], form: dict[str, str], with_token: bool,
                       request: FormRequest | None = None) -> Exchange:
        exchange = Exchange(form=form)
        home = self.verifier.onprem_tenant if self.settings.mode is Mode.ONPREM else None
        for client_id in {basic_client_id(headers.get("Authorization")), form.get("client_id")} - {None, ""}:
            found = await client_for_token_endpoint(str(client_id), home)
            if found is not None:
                exchange.clients[str(client_id)] = OAuthClient(found)
        if not with_token and request is not None and form.get("grant_type") in SPENDING_GRANTS:
            exchange.authenticated = await anyio.to_thread.run_sync(self.run, exchange,
                                                                    lambda: self._authenticated(request))
        if with_token and form.get("token"):
            exchange.token = await self._presented(form["token"], exchange)
        for hook in prefetchers():
            await hook(exchange)
        return exchange

    def _authenticated(self, request: FormRequest) -> OAuthClient | None:
        """The client, if the request authenticates it (a secret for a confidential client, none for a public one),
        by Authlib's own client authentication; None otherwise (Authlib then answers ``invalid_client`` itself)."""
        if not current_exchange().clients:
            return None
        try:
            client: OAuthClient = self.authenticate_client(request, AUTH_METHODS)
        except OAuth2Error:
            return None
        request.auth_method = None  # Authlib authenticates again, with the grant's own methods
        return client

    async def _presented(self, token: str, exchange: Exchange) -> PresentedToken | None:
        """The presented token, verified; whether it is in force is read only for a token of the client asking
        (never in another client's or tenant's data: Authlib refuses those without looking further)."""
        try:
            verified, claims = self.verifier.decoded(token)
        except InvalidToken:
            return None
        if verified.client_id is None or verified.client_id not in exchange.clients:
            return PresentedToken(claims=claims, client_id=verified.client_id, in_force=False)
        in_force = await token_in_force(verified.tenant_id, verified.client_id, verified.jti)
        return PresentedToken(claims=claims, client_id=verified.client_id, in_force=in_force)

    def run(self, exchange: Exchange, call: Callable[[], Answer]) -> Answer:
        """Call into Authlib with the exchange in context (runs in a worker thread)."""
        reset = _exchange.set(exchange)
        try:
            return call()
        finally:
            _exchange.reset(reset)


def basic_client_id(authorization: str | None) -> str | None:
    if not authorization or " " not in authorization:
        return None
    kind, value = authorization.split(None, 1)
    if kind.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote(decoded.split(":", 1)[0])
