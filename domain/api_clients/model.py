"""OAuth clients: what a tenant admin registers for a partner integration, and the pure rules about them (redirect
URIs, grant types, scopes, secrets and their hashes, the public client id)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

import msgspec

from domain.kernel.errors import Detail, Forbidden, InvalidInput, NotFound
from domain.kernel.permissions import SCOPES, Role

#: How long a secret replaced by a rotation keeps working, unless the rotation says otherwise.
DEFAULT_OVERLAP_SECONDS = 24 * 3600
MAX_OVERLAP_SECONDS = 30 * 24 * 3600
#: scrypt work factors for client secrets (RFC 7914's interactive-login parameters: 16 MiB, ~50 ms).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
SECRET_PREFIX = "mcs_"  # noqa: S105 (a prefix naming what a secret is, not a secret)


class GrantType(StrEnum):
    """`client_credentials` (a server acting as the client's own service user), `authorization_code` (an app acting
    for a signed-in person, with PKCE), `refresh_token` (renewing an authorization-code token)."""

    CLIENT_CREDENTIALS = "client_credentials"
    AUTHORIZATION_CODE = "authorization_code"
    REFRESH_TOKEN = "refresh_token"  # noqa: S105


class ApiClientNotFound(NotFound):
    code = "api_client_not_found"
    title = "API client not found"
    template = "There is no API client with this id."


class InvalidRedirectUri(InvalidInput):
    code = "invalid_redirect_uri"
    title = "Invalid redirect URI"
    template = ("{uri} cannot be a redirect URI: use https, http on a loopback address (localhost, 127.0.0.1, [::1]) "
                "for a native app, or a private-use scheme such as com.example.app:/callback for a mobile app, "
                "without a fragment.")


class UnknownOAuthScope(InvalidInput):
    code = "unknown_oauth_scope"
    title = "Unknown scope"
    template = "{scopes} is not in the scope catalogue; GET /v1/api-clients/scopes lists the scopes."


class PublicClientGrant(InvalidInput):
    code = "public_client_grant"
    title = "Grant not allowed for a public client"
    template = ("A public client has no secret, so it cannot use client_credentials; it uses authorization_code "
                "with PKCE.")


class RedirectUriRequired(InvalidInput):
    code = "redirect_uri_required"
    title = "Redirect URI required"
    template = "A client allowed the authorization_code grant needs at least one redirect URI."


class ClientRoleExceedsYours(Forbidden):
    code = "client_role_exceeds_yours"
    title = "Role beyond your own"
    template = "You cannot give a client the role {role}: it allows operations your own roles do not."


RedirectUri = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
GrantTypes = Annotated[list[GrantType], msgspec.Meta(min_length=1, max_length=len(GrantType))]
ClientScopes = Annotated[list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=100)]
ClientRoles = Annotated[list[Role], msgspec.Meta(max_length=len(Role), description=(
    "The roles of the client's service user; a token never does more than these and its scopes allow. You cannot "
    "give a role that allows an operation your own roles do not."))]
RedirectUris = Annotated[list[RedirectUri], msgspec.Meta(max_length=20)]


class ApiClientView(msgspec.Struct, frozen=True):
    """An OAuth client of your tenant: its `client_id` (what it authenticates with at /oauth/token), name, whether
    it is confidential (has a secret) or public (PKCE only), allowed grant types, scopes and redirect URIs, the
    roles of the service user it acts as (`service_subject`), and when its previous secret stops working after a
    rotation. The secret itself is never shown again. `version` is what its ETag carries."""

    id: UUID
    client_id: str
    name: str
    confidential: bool
    grant_types: list[GrantType]
    scopes: list[str]
    roles: list[Role]
    redirect_uris: list[str]
    service_subject: str
    previous_secret_until: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ApiClientWithSecret(msgspec.Struct, frozen=True):
    """The client, and its secret: shown this once (null for a public client). Store it now; Meridian keeps only
    a hash."""

    client: ApiClientView
    client_secret: str | None


class NewApiClient(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A client to register: a name, the grant types and scopes it may ask for, its redirect URIs (for
    authorization_code), the roles its service user holds, and whether it is confidential (the default: it gets a
    secret) or public (a mobile or single-page app: no secret, authorization_code with PKCE only)."""

    name: Name
    grant_types: GrantTypes
    scopes: ClientScopes
    roles: ClientRoles = []
    redirect_uris: RedirectUris = []
    confidential: bool = True

    def __post_init__(self) -> None:
        check_client(self.confidential, self.grant_types, self.scopes, self.redirect_uris)


class ApiClientPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Changes to a client, sent with If-Match: only the fields given change. Narrowing its scopes or roles takes
    effect on its tokens' next request."""

    name: Name | None = None
    grant_types: GrantTypes | None = None
    scopes: ClientScopes | None = None
    roles: ClientRoles | None = None
    redirect_uris: RedirectUris | None = None


class SecretRotation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new secret for a confidential client. The one it replaces keeps working for `overlap_seconds` (24 hours
    unless given, 0 to stop it at once, at most 30 days), so deployments can switch without downtime."""

    overlap_seconds: Annotated[int, msgspec.Meta(ge=0, le=MAX_OVERLAP_SECONDS)] = DEFAULT_OVERLAP_SECONDS


class ScopeView(msgspec.Struct, frozen=True):
    """A scope a client may be granted, and what it lets the client do, in your language."""

    name: str
    description: str


class ScopeCatalogue(msgspec.Struct, frozen=True):
    """Every scope a client may be granted (`items`), in the catalogue's order."""

    items: list[ScopeView]


class NotConfidential(InvalidInput):
    code = "api_client_not_confidential"
    title = "Public client"
    template = "A public client has no secret to rotate."


def check_client(confidential: bool, grant_types: list[GrantType], scopes: list[str], redirect_uris: list[str]) -> None:
    """The rules a client's settings keep, on create and after every change."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise UnknownOAuthScope(scopes=", ".join(unknown), field="scopes")
    if not confidential and GrantType.CLIENT_CREDENTIALS in grant_types:
        raise PublicClientGrant(field="grant_types")
    if GrantType.AUTHORIZATION_CODE in grant_types and not redirect_uris:
        raise RedirectUriRequired(field="redirect_uris")
    problems = [Detail(f"redirect_uris[{i}]", InvalidRedirectUri.template, {"uri": uri})
                for i, uri in enumerate(redirect_uris) if not redirect_uri_allowed(uri)]
    if problems:
        raise InvalidRedirectUri(uri=redirect_uris[int(problems[0].field[14:-1])], field=problems[0].field,
                                 details=problems)


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def redirect_uri_allowed(uri: str) -> bool:
    """https anywhere; http only to a loopback host (RFC 8252 7.3); a private-use scheme with a dot in it, reverse
    domain style (RFC 8252 7.1). Never a fragment, never credentials, never javascript:/data:/file: and the like."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return False
    if parts.fragment or "#" in uri or any(c.isspace() for c in uri) or parts.username or parts.password:
        return False
    scheme = parts.scheme.lower()
    if scheme == "https":
        return bool(host)
    if scheme == "http":
        return host in _LOOPBACK
    return "." in scheme and bool(parts.path or parts.netloc) and scheme.replace(".", "").replace("-", "").isalnum()


def public_client_id(tenant_id: UUID, client_id: UUID) -> str:
    """The ``client_id`` a client authenticates with: its tenant and its id, so the token endpoint, which has no
    bearer token, knows which tenant's client to read."""
    return f"{tenant_id}.{client_id}"


def parse_client_id(text: str) -> tuple[UUID, UUID] | None:
    tenant, _, client = text.partition(".")
    try:
        return UUID(tenant), UUID(client)
    except ValueError:
        return None


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)  # type: ignore[arg-type]
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def secret_matches(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    kind, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if kind != "scrypt" or not salt or not digest:
        return False
    computed = hashlib.scrypt(secret.encode(), salt=_unb64(salt), **_SCRYPT)  # type: ignore[arg-type]
    return hmac.compare_digest(computed, _unb64(digest))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
