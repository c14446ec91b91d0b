"""The relying-party side of OpenID Connect: a tenant's provider discovered from its issuer, the person's code traded
for an ID token at its token endpoint, and the ID token verified against its JWKS with a fixed algorithm list,
its issuer, our client id as audience, its expiry and the nonce this sign-in drew.

The provider's addresses are chosen by a tenant admin (the issuer) and by the provider (the endpoints its discovery
document names), so every call to them passes the same SSRF policy as a webhook (:mod:`domain.kernel.ssrf`): the
host resolved at the call, every address it resolves to public (or internal where the installation allows
webhooks to internal targets, or loopback where it allows a provider on this machine), the connection pinned to the
address checked, no redirect followed and no proxy read from the environment. A refused address is logged with
its reason and the sign-in fails like any other provider failure."""

from __future__ import annotations

import base64
import logging
import time
from typing import Any

import httpx
import jwt
import msgspec

from domain.kernel import ssrf
from domain.sign_in.model import Discovered, IdentityProviderFailed, check_endpoint
from domain.webhooks.service import current_config

log = logging.getLogger(__name__)

ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "PS256"]
CLOCK_SKEW_SECONDS = 30
CACHE_SECONDS = 300
TIMEOUT_SECONDS = 10

_discovered: dict[str, tuple[float, Discovered]] = {}
_jwks: dict[str, tuple[float, jwt.PyJWKSet]] = {}


async def discover(issuer: str, allow_loopback_http: bool) -> Discovered:
    """The provider's discovery document (cached five minutes); its endpoints must be https (or loopback http where
    allowed) and its issuer exactly the configured one (OpenID Connect Discovery 1.0, 4.3)."""
    remembered = _discovered.get(issuer)
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = msgspec.convert(await _get_json(url, allow_loopback_http), Discovered)
    endpoints = (document.authorization_endpoint, document.token_endpoint, document.jwks_uri)
    if document.issuer != issuer or not all(check_endpoint(e, allow_loopback_http) for e in endpoints):
        raise IdentityProviderFailed()
    _discovered[issuer] = (time.monotonic() + CACHE_SECONDS, document)
    return document


async def exchange_code(provider: Discovered, *, code: str, redirect_uri: str, client_id: str, client_secret: str,
                        code_verifier: str, allow_loopback_http: bool) -> str:
    """The ID token the provider gives for the person's code (client_secret_basic, with our PKCE verifier)."""
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    answer = await _call("POST", provider.token_endpoint, allow_loopback_http, {"Authorization": f"Basic {basic}"},
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                               "code_verifier": code_verifier})
    if answer.status_code != 200:
        raise IdentityProviderFailed()
    try:
        id_token = answer.json()["id_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IdentityProviderFailed() from exc
    if not isinstance(id_token, str):
        raise IdentityProviderFailed()
    return id_token


async def verified_claims(provider: Discovered, id_token: str, *, client_id: str, nonce: str,
                          allow_loopback_http: bool) -> dict[str, Any]:
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = await _signing_key(provider.jwks_uri, kid, allow_loopback_http)
        claims: dict[str, Any] = jwt.decode(
            id_token, key, algorithms=ID_TOKEN_ALGORITHMS, audience=client_id, issuer=provider.issuer,
            leeway=CLOCK_SKEW_SECONDS, options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]})
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise IdentityProviderFailed() from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdentityProviderFailed()
    if not isinstance(claims["nonce"], str) or claims["nonce"] != nonce:
        raise IdentityProviderFailed()
    return claims


async def _signing_key(jwks_uri: str, kid: str | None, allow_loopback_http: bool) -> Any:
    """The key named ``kid`` in the provider's JWKS (cached five minutes, read again once for a kid not seen)."""
    for fresh in (False, True):
        remembered = _jwks.get(jwks_uri)
        if fresh or remembered is None or remembered[0] <= time.monotonic():
            keys = jwt.PyJWKSet.from_dict(await _get_json(jwks_uri, allow_loopback_http))
            _jwks[jwks_uri] = (time.monotonic() + CACHE_SECONDS, keys)
        matching = [k for k in _jwks[jwks_uri][1].keys if k.key_id == kid]
        if len(matching) == 1:
            return matching[0].key
    raise IdentityProviderFailed()


async def _get_json(url: str, allow_loopback_http: bool) -> Any:
    answer = await _call("GET", url, allow_loopback_http, {"Accept": "application/json"})
    if answer.status_code != 200:
        raise IdentityProviderFailed()
    try:
        return answer.json()
    except ValueError as exc:
        raise IdentityProviderFailed() from exc


def policy(allow_loopback_http: bool) -> ssrf.TargetPolicy:
    """The webhooks' policy (internal targets only where an on-prem installation allows them), with loopback
    addresses where the installation lets a provider run on this machine."""
    return ssrf.TargetPolicy(internal=current_config().policy.internal, loopback=allow_loopback_http)


async def _call(method: str, url: str, allow_loopback_http: bool, headers: dict[str, str],
                **content: Any) -> httpx.Response:
    """One request to the provider, to an address checked now and pinned (see the module's note)."""
    if not check_endpoint(url, allow_loopback_http):
        raise IdentityProviderFailed()
    try:
        target = await ssrf.checked(url, policy(allow_loopback_http))
    except ssrf.TargetRefused as refused:
        log.warning("identity provider call refused (%s): %s", refused.reason, url.split("?", 1)[0])
        raise IdentityProviderFailed() from refused
    timeout = httpx.Timeout(TIMEOUT_SECONDS)
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as http:
            request = ssrf.pinned_request(http, method, target, headers, timeout, **content)
            return await http.send(request)
    except httpx.HTTPError as exc:
        raise IdentityProviderFailed() from exc
