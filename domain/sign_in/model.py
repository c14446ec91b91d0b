"""Signing a person in for a partner's app: the rules that need no database.

The app sends the person to ``/oauth/authorize`` (authorization code with PKCE, S256 only). The person proves who
they are through the tenant's OpenID Connect provider or, on an installation without one, with a one-time sign-in
code a tenant admin issued them; they then approve or deny the scopes on a consent page. An approval gives the app a
code that works once, for 60 seconds, only for the same client, redirect URI and PKCE verifier; the token endpoint
trades it for an access token and a refresh token. A refresh token is opaque, stored as its SHA-256 digest and
replaced on every use; presenting one that was already replaced revokes its whole family.

Why one-time sign-in codes rather than passwords for the local sign-in: the code is drawn by the server (60 random
bits), lives an hour and works once, so there is nothing a person reuses from another site, nothing worth guessing
(five wrong tries end the sign-in) and nothing worth stealing from the database (a digest of a used or expired code
opens nothing). The app keeps the person signed in with its rotating refresh token, so a person needs a new code only
when they sign in on a new device; the admin hands it over as they would a first password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode, urlsplit, urlunsplit
from uuid import UUID

import msgspec

from domain.kernel.errors import DomainError, ErrorKind, Forbidden, InvalidInput, NotFound

#: An authorization code works once, within this long of the person's approval.
CODE_SECONDS = 60
#: How long a person has from the app's /oauth/authorize to their answer on the consent page.
REQUEST_SECONDS = 600
#: A refresh token works until it is used (then its successor does), for at most this long.
REFRESH_DAYS = 30
#: A one-time local sign-in code works for this long after the admin issued it.
SIGN_IN_CODE_MINUTES = 60
#: Wrong sign-in codes one authorisation request accepts before it ends.
MAX_FAILED_SIGN_INS = 5
#: The one PKCE method accepted (plain is refused: OAuth 2.1).
PKCE_METHOD = "S256"

_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U


def digest(secret: str) -> str:
    """How a code, a token or a browser's secret is stored: its SHA-256, hex. They are all drawn at random with at
    least 60 bits, so a fast digest suffices (nothing to guess offline)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(secret: str | None, stored_digest: str | None) -> bool:
    return secret is not None and stored_digest is not None and hmac.compare_digest(digest(secret), stored_digest)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_sign_in_code() -> str:
    """12 letters and digits in three groups (about 59 bits), easy to read out and type."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalised_sign_in_code(typed: str) -> str:
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def scope_list(scope: str | None) -> list[str]:
    return sorted({part for part in (scope or "").split() if part})


def with_query(url: str, **params: str | None) -> str:
    """``url`` with ``params`` added to its query (a redirect URI may carry a query of its own)."""
    parts = urlsplit(url)
    added = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


# -- the tenant's identity provider ---------------------------------------------------------------------------

Issuer = Annotated[str, msgspec.Meta(min_length=8, max_length=500, examples=["https://login.example.com/"])]


class IdentityProviderSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Your organisation's OpenID Connect provider, through which people sign in to partner apps: its issuer (its
    `/.well-known/openid-configuration` is read from there), the client id and secret Meridian was registered with
    (the secret is stored sealed and never shown again; leave it out to keep the stored one), the ID token claim
    that names a user's `subject` (`sub` unless given) and whether it is used (`enabled`). Register
    `<this server>/oauth/callback` as the redirect URI at the provider."""

    issuer: Issuer
    client_id: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    client_secret: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None
    subject_claim: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")] = "sub"
    enabled: bool = True


class IdentityProviderView(msgspec.Struct, frozen=True):
    """The organisation's OpenID Connect provider as configured: never the client secret, only whether one is
    stored. `version` is what its ETag carries."""

    id: UUID
    issuer: str
    client_id: str
    client_secret_set: bool
    subject_claim: str
    enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime


class NewSignInCode(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The person (a user's `subject`) to give a one-time sign-in code, for signing in to a partner app on an
    installation without an identity provider."""

    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\s]+$")]


class SignInCodeView(msgspec.Struct, frozen=True):
    """A one-time sign-in code, shown this once: hand it to the person. It works once, until `expires_at`."""

    subject: str
    code: str
    expires_at: datetime


class Discovered(msgspec.Struct, frozen=True):
    """What an OpenID provider's discovery document says, of what Meridian uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def check_endpoint(url: str, allow_loopback_http: bool) -> bool:
    """An identity provider's address Meridian will call: https, or http to this machine where the operator allowed
    it (a provider on the same host, and the tests' own)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and allow_loopback_http and is_loopback(url))


class AuthorisedAppView(msgspec.Struct, frozen=True):
    """A partner app you allowed to act for you: the app (its `client_id` and name), the scopes you allowed it
    (the consent page is not shown again while it asks for these or fewer), when you first allowed it and when you
    last widened what it may do."""

    id: UUID
    client_id: str
    name: str
    scopes: list[str]
    granted_at: datetime
    updated_at: datetime


def within(asked: list[str], allowed: list[str]) -> bool:
    """Whether an app asks for no more than the person allowed it already."""
    return set(asked) <= set(allowed)


# -- errors ---------------------------------------------------------------------------------------------------


class IssuerNotAllowed(InvalidInput):
    code = "identity_provider_issuer_not_https"
    title = "Issuer not allowed"
    template = "The issuer must be an https URL without user name or password."


class IssuerAddressNotAllowed(DomainError):
    """An issuer at an address Meridian's outbound policy never calls: refused when it is saved, not only when a
    sign-in would call it."""

    code = "identity_provider_issuer_address_not_allowed"
    kind = ErrorKind.UNPROCESSABLE
    title = "Issuer address not allowed"
    template = ("Meridian does not call an identity provider at a private, loopback, link-local or other internal "
                "address; give the provider's public https URL.")


class IdentityProviderNotSet(NotFound):
    code = "identity_provider_not_set"
    title = "No identity provider"
    template = "Your organisation has no identity provider configured."


class IdentityProviderSecretMissing(InvalidInput):
    code = "identity_provider_secret_missing"
    title = "Client secret missing"
    template = "Send the client secret the first time you configure the identity provider."


class SignInError(DomainError):
    """Something wrong in the browser's sign-in, shown to the person on a page, never redirected to the app."""

    code = "sign_in_failed"
    kind = ErrorKind.INVALID
    title = "Sign-in failed"
    template = "The sign-in could not be completed; start again from the app."


class UnknownClient(SignInError):
    code = "sign_in_unknown_client"
    title = "Unknown app"
    template = "The app asking you to sign in is not known here."


class RedirectNotRegistered(SignInError):
    code = "sign_in_redirect_not_registered"
    title = "Unknown return address"
    template = "The app's return address is not one registered for it, so you are not sent back to it."


class SignInExpired(SignInError):
    code = "sign_in_expired"
    kind = ErrorKind.GONE
    title = "Sign-in expired"
    template = "This sign-in took too long, was finished already or was started in another browser; start again " \
               "from the app."


class SignInRefused(SignInError):
    code = "sign_in_refused"
    kind = ErrorKind.UNAUTHENTICATED
    title = "Sign-in refused"
    template = "The name or sign-in code is wrong, used or expired."


class IdentityProviderFailed(SignInError):
    code = "sign_in_identity_provider_failed"
    kind = ErrorKind.UNAUTHENTICATED
    title = "Sign-in not confirmed"
    template = "Your organisation's sign-in service did not confirm who you are; start again from the app."


class NotAUserHere(SignInError):
    code = "sign_in_not_a_user"
    kind = ErrorKind.FORBIDDEN
    title = "Not a user here"
    template = "You signed in, but you are not an active user of this organisation."


class UnknownSignInSubject(NotFound):
    code = "sign_in_code_unknown_subject"
    kind = ErrorKind.UNPROCESSABLE
    title = "Unknown person"
    template = "There is no active person with the subject {subject} in your organisation."


class IdentityProviderIfMatchRequired(DomainError):
    code = "if_match_required"
    kind = ErrorKind.PRECONDITION_REQUIRED
    title = "Precondition required"
    template = "Send If-Match with the ETag you read, so you cannot overwrite someone else's change."


class AuthorisedAppNotFound(NotFound):
    code = "authorised_app_not_found"
    title = "No such authorised app"
    template = "You have not allowed this app to act for you, or you revoked it already."


class NotThroughAnApp(Forbidden):
    code = "authorised_apps_not_through_an_app"
    title = "Not through an app"
    template = "The apps allowed to act for you are managed with your own sign-in, not through an app's token."
