"""Bearer tokens: issuing the on-prem HS256 ones, and verifying every token with a fixed algorithm
list chosen by the issuer we trust, never by the token's own header."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from litestar.types import ASGIApp, Receive, Scope, Send

from api.context import header
from domain.api_clients.service import token_in_force
from domain.identity.service import NotAuthenticated, authenticate
from domain.kernel.settings import Mode, Settings

LOCAL_ALGORITHMS = ["HS256"]
IDP_ALGORITHMS = ["RS256", "ES256"]
REQUIRED_CLAIMS = ["sub", "tid", "roles", "exp", "iat", "aud", "iss"]
CLOCK_SKEW_SECONDS = 30
#: The authorisation server's endpoints, where Authorization carries a client's credentials, read by Authlib.
OAUTH_PATH = "/oauth/"
VERIFIED_FOR_SECONDS = 300
VERIFIED_TOKENS_KEPT = 10_000


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    template = "The bearer token is invalid or expired."


@dataclass(frozen=True)
class VerifiedClaims:
    subject: str
    tenant_id: UUID
    roles: frozenset[str]
    scopes: frozenset[str] | None
    #: An OAuth client's token: its client_id and its jti, checked against revocation on every request.
    client_id: str | None = None
    jti: str | None = None


def load_or_create_secret(data_dir: Path) -> bytes:
    """The on-prem signing secret: generated once, readable by the service's user only."""
    path = data_dir / "keys" / "jwt-hs256.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


class TokenVerifier:
    def __init__(self, settings: Settings, secret: bytes, onprem_tenant: UUID | None = None) -> None:
        self.settings = settings
        self.secret = secret
        self._jwks = _jwks_source(settings.idp_jwks) if settings.idp_jwks else None
        self._verified: dict[str, tuple[float, VerifiedClaims]] = {}
        self.onprem_tenant = onprem_tenant

    @property
    def onprem_tenant(self) -> UUID | None:
        return self._onprem_tenant

    @onprem_tenant.setter
    def onprem_tenant(self, tenant_id: UUID | None) -> None:
        self._onprem_tenant = tenant_id
        self._verified.clear()  # a token verified for no tenant in particular is checked again

    def verify(self, token: str) -> VerifiedClaims:
        remembered = self._verified.get(token)
        if remembered is not None and time.time() < remembered[0]:
            return remembered[1]
        try:
            claims = self._decode(token)
            verified = self._claims(claims)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken() from exc
        self._remember(token, verified, float(claims["exp"]))
        return verified

    def decoded(self, token: str) -> tuple[VerifiedClaims, dict[str, Any]]:
        """Verify like :meth:`verify` (not remembered) and also return the token's claims, which introspection
        shows."""
        try:
            claims = self._decode(token)
            return self._claims(claims), claims
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken() from exc

    def _remember(self, token: str, verified: VerifiedClaims, expires: float) -> None:
        """A token verified once verifies the same until it expires: its signature and claims cannot change, only
        the clock, so it is remembered until ``exp`` (with the same leeway) or for at most
        :data:`VERIFIED_FOR_SECONDS`, within which a key taken out of the identity provider's JWKS still counts
        anyway (the JWKS is fetched every 5 minutes). Only tokens that verified are remembered."""
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        until = min(expires + CLOCK_SKEW_SECONDS, time.time() + VERIFIED_FOR_SECONDS)
        self._verified[token] = (until, verified)

    def _decode(self, token: str) -> dict[str, Any]:
        # Reading iss unverified only picks which key and algorithms to verify with.
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        options = {"require": REQUIRED_CLAIMS}
        if issuer in (self.settings.jwt_issuer, self.settings.oauth_issuer):  # the OAuth server's tokens too
            return jwt.decode(token, self.secret, algorithms=LOCAL_ALGORITHMS, audience=self.settings.jwt_audience,
                              issuer=issuer, options=options, leeway=CLOCK_SKEW_SECONDS)
        if self._jwks is not None and issuer == self.settings.idp_issuer:
            key = self._jwks(token)
            return jwt.decode(token, key, algorithms=IDP_ALGORITHMS,
                              audience=self.settings.idp_audience or self.settings.jwt_audience,
                              issuer=issuer, options=options, leeway=CLOCK_SKEW_SECONDS)
        raise jwt.InvalidIssuerError("untrusted issuer")

    def _claims(self, claims: dict[str, Any]) -> VerifiedClaims:
        if "purpose" in claims:  # a single-purpose token (a report link) is never a bearer token
            raise ValueError("a token with a purpose is not a bearer token")
        tenant_id = UUID(str(claims["tid"]))
        if self.settings.mode is Mode.ONPREM and self.onprem_tenant and tenant_id != self.onprem_tenant:
            raise ValueError("token names another tenant than this installation's")
        roles = claims["roles"]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("roles must be a list of strings")
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise ValueError("sub must be a string")
        scope = claims.get("scope")
        scopes = frozenset(str(scope).split()) if scope is not None else None
        client_id = claims.get("client_id")
        if client_id is not None and (not isinstance(client_id, str) or not isinstance(claims.get("jti"), str)):
            raise ValueError("a client's token names its client_id and jti as strings")
        return VerifiedClaims(subject=subject, tenant_id=tenant_id, roles=frozenset(roles), scopes=scopes,
                              client_id=client_id, jti=claims.get("jti") if client_id else None)


def _jwks_source(location: str) -> Any:
    if location.startswith("https://"):
        client = jwt.PyJWKClient(location, cache_keys=True, lifespan=300)
        return lambda token: client.get_signing_key_from_jwt(token).key
    keys = jwt.PyJWKSet.from_dict(json.loads(Path(location).read_text()))

    def by_kid(token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        matching = [k for k in keys.keys if k.key_id == kid]
        if len(matching) != 1:
            raise jwt.InvalidKeyError("no single key in the JWKS matches the token's kid")
        return matching[0].key

    return by_kid


def issue_token(settings: Settings, secret: bytes, *, tenant_id: UUID, subject: str, roles: list[str],
                ttl_seconds: int = 3600, scopes: list[str] | None = None, extra: dict[str, Any] | None = None,
                issuer: str | None = None) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer or settings.jwt_issuer, "aud": settings.jwt_audience, "sub": subject, "tid": str(tenant_id),
        "roles": roles, "iat": now, "nbf": now, "exp": now + ttl_seconds, "jti": secrets.token_hex(8),
        **(extra or {}),
    }
    if scopes is not None:
        claims["scope"] = " ".join(scopes)
    return jwt.encode(claims, secret, algorithm="HS256")


class AuthenticationMiddleware:
    """Turns a bearer token into a principal in the request state. Whether a route needs one is
    the guard's decision; a bad token on any route is refused here."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = header(scope, b"authorization") if scope["type"] == "http" else None
        if authorization and scope["path"].startswith(OAUTH_PATH):
            authorization = None  # the authorisation server's own client authentication (HTTP Basic), not a bearer
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidToken()
            claims = self.verifier.verify(token.strip())
            state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
            principal = await authenticate(
                claims.tenant_id, claims.subject, claims.roles, claims.scopes, state.get("request_id", "-")
            )
            if claims.client_id is not None:
                # A client's token is refused from the moment it is revoked or its client deleted, in every process:
                # the signature check above is remembered per token, this answer only until the change is announced.
                if not await token_in_force(claims.tenant_id, claims.client_id, claims.jti):
                    raise InvalidToken()
                principal = replace(principal, client_id=claims.client_id)
            state["principal"] = principal
        await self.app(scope, receive, send)
