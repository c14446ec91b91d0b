"""The grants of an app acting for a person: Authlib's authorization code grant with PKCE (RFC 6749 4.1, RFC 7636,
S256 required of every client) and its refresh token grant, on the server of :mod:`api.oauth.server`; and refresh
tokens revoked through the same RFC 7009 endpoint as access tokens.

Authlib checks the protocol (client authentication, the code's client and redirect URI, the PKCE verifier, a
refresh's scope within the original); the database work is done around it, as the server's three steps say:

* the **prefetch** first authenticates the client (a stolen code or refresh token without the client's secret, or
  presented by another client, is refused and changes nothing), then spends a presented code at once (it gets one
  try, right or wrong) and replaces a presented refresh token by its successor in one transaction
  (:func:`prefetch_person_grants`); a code or refresh token presented again by its own client revokes its family,
  with the access tokens issued beside it;
* **Authlib** then answers from what was read, and the token it issues acts as the person (their subject and their
  roles now), with the granted scopes that the client is still allowed;
* **after** it answered, the new family's first refresh token (or the access token issued beside a successor) is
  stored, before the answer leaves.

Access tokens live 15 minutes, like every client token; refresh tokens 30 days, replaced on every use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7636 import CodeChallenge

from api.oauth.server import AUTH_METHODS, Exchange, OAuthClient, PresentedToken, TokenSubject, current_exchange
from domain.sign_in import service as sign_in
from domain.sign_in.model import PKCE_METHOD

_CODE = "person_code"
_REFRESH = "person_refresh"
_REVOKE = "person_refresh_revocation"


@dataclass
class PersonCode:
    """A spent code's grant, as Authlib's code grant asks about it."""

    grant: sign_in.Grant
    tenant_id: Any

    @property
    def code_challenge(self) -> str:
        return self.grant.code_challenge

    @property
    def code_challenge_method(self) -> str:
        return self.grant.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.grant.redirect_uri

    def get_scope(self) -> str:
        return " ".join(self.grant.scopes)

    def get_nonce(self) -> str | None:
        return self.grant.nonce

    def get_auth_time(self) -> None:
        return None


@dataclass
class PersonRefresh:
    """A refresh token just replaced (in the prefetch), as Authlib's refresh grant asks about it."""

    rotated: sign_in.Rotated
    tenant_id: Any

    def check_client(self, client: OAuthClient) -> bool:
        return client.get_client_id() == self.rotated.grant.client_id

    def get_scope(self) -> str:
        return " ".join(self.rotated.grant.scopes)

    def is_expired(self) -> bool:
        return False  # checked when it was taken

    def is_revoked(self) -> bool:
        return False


def _granted_scope(scope: str | None, client: OAuthClient) -> str:
    """The scopes asked for that the client is still allowed (an admin may have narrowed it since)."""
    allowed = set(client.view.scopes)
    return " ".join(sorted(s for s in (scope or "").split() if s in allowed))


def _issued(access_token: str) -> sign_in.Issued:
    """The jti and expiry of an access token just signed here (read back, not verified: it never left)."""
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return sign_in.Issued(str(claims["jti"]), datetime.fromtimestamp(int(claims["exp"]), UTC))


class PersonCodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    """Authorization code with PKCE for an app acting for a person (the code comes from ``GET /oauth/authorize``)."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def query_authorization_code(self, code: str, client: OAuthClient) -> PersonCode | None:
        found: PersonCode | None = current_exchange().extra.get(_CODE)
        if found is None or found.grant.client_id != client.get_client_id():
            return None
        return found

    def delete_authorization_code(self, authorization_code: PersonCode) -> None:
        """Spent already, in the prefetch."""

    def authenticate_user(self, authorization_code: PersonCode) -> TokenSubject:
        return TokenSubject(authorization_code.grant.subject, authorization_code.grant.roles)

    def generate_token(self, user: TokenSubject | None = None, scope: str | None = None, grant_type: str | None = None,
                       expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        return super().generate_token(user=user, scope=_granted_scope(scope, self.request.client),
                                      grant_type=grant_type, expires_in=expires_in,
                                      include_refresh_token=include_refresh_token)

    def save_token(self, token: dict[str, Any]) -> None:
        client: OAuthClient = self.request.client
        code: PersonCode = self.request.authorization_code
        if not client.check_grant_type("refresh_token"):
            return
        refresh = sign_in.new_refresh_token()
        token["refresh_token"] = refresh
        issued = _issued(token["access_token"])
        current_exchange().after.append(
            lambda: sign_in.first_refresh_token(code.tenant_id, code.grant, refresh, issued))


class PersonRefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    """A person's app renewing its access token; its refresh token is replaced by a new one on every use."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> PersonRefresh | None:
        return current_exchange().extra.get(_REFRESH)  # type: ignore[no-any-return]

    def authenticate_user(self, refresh_token: PersonRefresh) -> TokenSubject:
        return TokenSubject(refresh_token.rotated.grant.subject, refresh_token.rotated.grant.roles)

    def revoke_old_credential(self, refresh_token: PersonRefresh) -> None:
        """Replaced already, in the prefetch."""

    def generate_token(self, user: TokenSubject | None = None, scope: str | None = None, grant_type: str | None = None,
                       expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        return super().generate_token(user=user, scope=_granted_scope(scope, self.request.client),
                                      grant_type=grant_type, expires_in=expires_in,
                                      include_refresh_token=include_refresh_token)

    def save_token(self, token: dict[str, Any]) -> None:
        taken: PersonRefresh = self.request.refresh_token
        if not taken.rotated.successor:  # not replaced (scopes beyond the grant): never answered with a token
            raise InvalidGrantError()
        token["refresh_token"] = taken.rotated.successor
        issued = _issued(token["access_token"])
        current_exchange().after.append(
            lambda: sign_in.record_access(taken.tenant_id, taken.rotated.successor_id, issued))


def person_grants() -> list[tuple[type[Any], list[Any]]]:
    """The grants to register on the server, with their extensions (PKCE required, S256 only)."""
    return [(PersonCodeGrant, [S256Only(required=True)]), (PersonRefreshGrant, [])]


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 only: plain is refused (OAuth 2.1). Every code was issued with an S256 challenge, so a token
    request without a verifier is refused whatever the client's type."""

    SUPPORTED_CODE_CHALLENGE_METHOD = [PKCE_METHOD]  # noqa: RUF012
    DEFAULT_CODE_CHALLENGE_METHOD = PKCE_METHOD


# -- the prefetch hooks ----------------------------------------------------------------------------------------


def _one_client(exchange: Exchange) -> OAuthClient | None:
    """The client the form or HTTP Basic named, if exactly one was found (Authlib refuses anything else)."""
    clients = list(exchange.clients.values())
    return clients[0] if len(clients) == 1 else None


async def prefetch_person_grants(exchange: Exchange) -> None:
    """Read (and spend, or replace) the code or refresh token a token request presents; for revocation and
    introspection, a refresh token presented in place of an access token."""
    form = exchange.form
    grant_type = form.get("grant_type")
    # A code or refresh token is spent, replaced or (reused) revokes its family only for the client that proved
    # who it is: someone holding a stolen one without the client's secret, or another client, changes nothing.
    client = exchange.authenticated if grant_type in ("authorization_code", "refresh_token") \
        else _one_client(exchange)
    if client is None:
        return
    if grant_type == "authorization_code" and form.get("code"):
        grant = await sign_in.take_code(client.tenant_id, form["code"], client.get_client_id())
        if grant is not None:
            exchange.extra[_CODE] = PersonCode(grant, client.tenant_id)
    elif grant_type == "refresh_token" and form.get("refresh_token"):
        rotated = await sign_in.take_refresh_token(client.tenant_id, form["refresh_token"], client.get_client_id(),
                                                   (form.get("scope") or "").split())
        if rotated is not None:
            exchange.extra[_REFRESH] = PersonRefresh(rotated, client.tenant_id)
    elif grant_type is None and form.get("token") and exchange.token is None and "." not in form["token"]:
        await _presented_refresh_token(exchange, client, form["token"])


@dataclass
class PresentedRefreshToken(PresentedToken):
    """A refresh token presented to revocation or introspection. Revocation (the client proved it is the token's)
    revokes its family once Authlib answered; introspection only reads it."""

    revoked_family: bool = False
    accepted: bool = False
    introspected: bool = field(default=False)

    def check_client(self, client: Any) -> bool:
        self.accepted = super().check_client(client)
        return self.accepted

    def is_expired(self) -> bool:
        self.introspected = True
        return super().is_expired()


async def _presented_refresh_token(exchange: Exchange, client: OAuthClient, token: str) -> None:
    found = await sign_in.refresh_token_state(client.tenant_id, token)
    if found is None:
        return
    presented = PresentedRefreshToken(claims=found.claims, client_id=found.client_id, in_force=found.in_force)
    exchange.token = presented

    async def revoke_if_accepted() -> None:
        # Revocation authenticated the client and found the token its own; introspection would have asked
        # whether it expired, which revocation never does.
        if presented.accepted and not presented.introspected:
            await sign_in.revoke_refresh_token(client.tenant_id, client.get_client_id(), token)

    exchange.after.append(revoke_if_accepted)
