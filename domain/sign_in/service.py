"""Sign-in use cases: the tenant's identity provider, one-time sign-in codes, a person's way through
``/oauth/authorize`` (sign in, consent), and the codes and refresh tokens the token endpoint trades.

Which app may ask for what (the client, its redirect URIs and allowed scopes) is the API clients' business; the edge
checks that before it calls :func:`begin`. This context remembers the person's answer and what it granted."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from domain.api_clients.model import parse_client_id
from domain.api_clients.service import client_in, revoke_token
from domain.audit.service import record
from domain.identity.model import UserKind, UserStatus, UserView
from domain.identity.service import user_by_subject_in
from domain.kernel import ssrf
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.keys.service import cipher_for
from domain.sign_in import oidc, queries
from domain.sign_in.model import (
    CODE_SECONDS,
    MAX_FAILED_SIGN_INS,
    PKCE_METHOD,
    REFRESH_DAYS,
    REQUEST_SECONDS,
    SIGN_IN_CODE_MINUTES,
    AuthorisedAppNotFound,
    AuthorisedAppView,
    IdentityProviderFailed,
    IdentityProviderIfMatchRequired,
    IdentityProviderNotSet,
    IdentityProviderSecretMissing,
    IdentityProviderSettings,
    IdentityProviderView,
    IssuerAddressNotAllowed,
    IssuerNotAllowed,
    NewSignInCode,
    NotAUserHere,
    NotThroughAnApp,
    SignInCodeView,
    SignInExpired,
    SignInRefused,
    UnknownSignInSubject,
    check_endpoint,
    digest,
    new_secret,
    new_sign_in_code,
    normalised_sign_in_code,
    s256,
    same,
    scope_list,
    with_query,
    within,
)
from domain.sign_in.tables import IdentityProvider

_TABLE = "identity_providers"
_SECRET_COLUMN = "client_secret_sealed"  # noqa: S105 - a column name


# -- the tenant's identity provider (tenant admins) -----------------------------------------------------------


def _provider_view(row: dict[str, Any]) -> IdentityProviderView:
    return IdentityProviderView(
        id=row["id"], issuer=row["issuer"], client_id=row["client_id"], client_secret_set=bool(row[_SECRET_COLUMN]),
        subject_claim=row["subject_claim"], enabled=row["enabled"], version=row["version"],
        created_at=row["created_at"], updated_at=row["updated_at"])


async def identity_provider(principal: Principal) -> IdentityProviderView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await queries.identity_provider(uow)
    if row is None:
        raise IdentityProviderNotSet()
    return _provider_view(row)


async def set_identity_provider(principal: Principal, settings: IdentityProviderSettings,
                                expected_version: int | None, allow_loopback_http: bool) -> IdentityProviderView:
    """Create (no version expected) or replace (``expected_version`` = the ETag's) the provider; audited without the
    secret, which is sealed under the tenant's data key bound to this row."""
    if not check_endpoint(settings.issuer, allow_loopback_http):
        raise IssuerNotAllowed(field="issuer")
    _require_callable(settings.issuer, allow_loopback_http)
    async with unit_of_work(principal.tenant_id) as uow:
        existing = await queries.identity_provider(uow)
        row_id = existing["id"] if existing else new_id()
        values: dict[str, Any] = {"issuer": settings.issuer, "client_id": settings.client_id,
                                  "subject_claim": settings.subject_claim, "enabled": settings.enabled}
        if settings.client_secret is not None:
            cipher = await cipher_for(uow)
            values[_SECRET_COLUMN] = cipher.seal(settings.client_secret, _TABLE, _SECRET_COLUMN, row_id)
        elif existing is None:
            raise IdentityProviderSecretMissing(field="client_secret")
        if existing is not None and expected_version is None:
            raise IdentityProviderIfMatchRequired()
        audited = {k: v for k, v in values.items() if k != _SECRET_COLUMN}
        audited["client_secret_changed"] = settings.client_secret is not None
        if existing is None:
            await queries.insert_identity_provider(uow, row_id, values)
            await record(uow, principal, "identity_provider.created", "identity_provider", row_id, after=audited)
        else:
            await update_versioned(uow, IdentityProvider, row_id, expected_version or 0, values, "identity provider")
            await record(uow, principal, "identity_provider.updated", "identity_provider", row_id,
                         before={k: existing[k] for k in ("issuer", "client_id", "subject_claim", "enabled")},
                         after=audited)
        stored = await queries.identity_provider(uow)
    assert stored is not None
    return _provider_view(stored)


def _require_callable(issuer: str, allow_loopback_http: bool) -> None:
    """The outbound policy every call to the provider passes, applied as far as the URL alone shows (no DNS, so
    saving does not depend on the network): a sign-in would never reach an issuer at an internal address."""
    try:
        ssrf.refused_before_resolving(issuer, oidc.policy(allow_loopback_http))
    except ssrf.TargetRefused as refused:
        raise IssuerAddressNotAllowed(field="issuer") from refused


async def provider_version(principal: Principal) -> int | None:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await queries.identity_provider(uow)
    return row["version"] if row else None


# -- one-time sign-in codes (tenant admins) -------------------------------------------------------------------


async def issue_sign_in_code(principal: Principal, request: NewSignInCode) -> SignInCodeView:
    code = new_sign_in_code()
    expires_at = utc_now() + timedelta(minutes=SIGN_IN_CODE_MINUTES)
    async with unit_of_work(principal.tenant_id) as uow:
        person = await user_by_subject_in(uow, request.subject)
        if not _is_active_person(person):
            raise UnknownSignInSubject(subject=request.subject, field="subject")
        row_id = new_id()
        await queries.insert_sign_in_code(uow, row_id, request.subject, digest(code), expires_at, principal.subject)
        await record(uow, principal, "sign_in_code.issued", "user", person.id,  # type: ignore[union-attr]
                     after={"expires_at": expires_at.isoformat()})
    return SignInCodeView(subject=request.subject, code=code, expires_at=expires_at)


def _is_active_person(user: UserView | None) -> bool:
    return user is not None and user.kind is UserKind.PERSON and user.status is UserStatus.ACTIVE


# -- a person's way through /oauth/authorize ------------------------------------------------------------------


class Ask(msgspec.Struct, frozen=True):
    """An app's authorisation request, already checked against its client (redirect URI registered, scopes allowed)."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str
    nonce: str | None
    locale: str


class Begun(NamedTuple):
    """The request's handle (tenant and id, in the page's forms and the provider's state), the secret the browser
    keeps in a cookie, and where to send the person: their provider, or (None) the local sign-in form."""

    handle: str
    browser_secret: str
    provider_url: str | None


class SignedIn(NamedTuple):
    """A person signed in on a request: what the consent page shows, and its CSRF token. ``remembered``: the person
    allowed this app these scopes (or more) before, so no consent page is shown (the edge answers at once)."""

    handle: str
    csrf: str
    client_id: str
    scopes: list[str]
    locale: str
    display_name: str
    remembered: bool = False


def _handle(tenant_id: UUID, request_id: UUID) -> str:
    return f"{tenant_id}.{request_id}"


def read_handle(handle: str) -> tuple[UUID, UUID]:
    try:
        tenant, request = handle.split(".")[:2]
        return UUID(tenant), UUID(request)
    except (ValueError, AttributeError) as exc:
        raise SignInExpired() from exc


async def begin(tenant_id: UUID, ask: Ask, callback_url: str, allow_loopback_http: bool) -> Begun:
    browser_secret = new_secret()
    request_id = new_id()
    values: dict[str, Any] = {
        "client_id": ask.client_id, "redirect_uri": ask.redirect_uri, "scope": " ".join(ask.scopes),
        "state": ask.state, "code_challenge": ask.code_challenge, "nonce": ask.nonce, "locale": ask.locale,
        "browser_hash": digest(browser_secret), "expires_at": utc_now() + timedelta(seconds=REQUEST_SECONDS)}
    async with unit_of_work(tenant_id, write=False) as uow:
        provider = await queries.identity_provider(uow)
    provider_url = None
    if provider is not None and provider["enabled"]:
        found = await oidc.discover(provider["issuer"], allow_loopback_http)
        idp_state, idp_nonce, verifier = new_secret(), new_secret(), new_secret()
        values.update(idp_state_hash=digest(idp_state), idp_nonce=idp_nonce, idp_verifier=verifier)
        provider_url = with_query(
            found.authorization_endpoint, response_type="code", client_id=provider["client_id"],
            redirect_uri=callback_url, scope="openid", state=f"{_handle(tenant_id, request_id)}.{idp_state}",
            nonce=idp_nonce, code_challenge=s256(verifier), code_challenge_method=PKCE_METHOD,
            ui_locales=ask.locale.replace("_", "-"))
    async with unit_of_work(tenant_id) as uow:
        await queries.insert_request(uow, request_id, values)
    return Begun(_handle(tenant_id, request_id), browser_secret, provider_url)


async def _open(uow: UnitOfWork, request_id: UUID, browser_secret: str | None) -> dict[str, Any]:
    """The request, open, and started in this browser; else :class:`SignInExpired`."""
    row = await queries.open_request(uow, request_id)
    if row is None or not same(browser_secret, row["browser_hash"]):
        raise SignInExpired()
    return row


async def provider_returned(state: str, code: str | None, browser_secret: str | None, callback_url: str,
                            allow_loopback_http: bool) -> SignedIn:
    """The provider sent the person back: check the state against this browser's request, trade the code for an ID
    token, verify it (nonce included) and find the user its subject claim names."""
    tenant_id, request_id = read_handle(state)
    idp_state = state.split(".")[-1]
    async with unit_of_work(tenant_id, write=False) as uow:
        row = await _open(uow, request_id, browser_secret)
        provider = await queries.identity_provider(uow)
        cipher = await cipher_for(uow)
    if row["subject"] is not None or not same(idp_state, row["idp_state_hash"]) or provider is None:
        raise SignInExpired()
    if not code:
        raise IdentityProviderFailed()
    secret = cipher.open(provider[_SECRET_COLUMN], _TABLE, _SECRET_COLUMN, provider["id"])
    found = await oidc.discover(provider["issuer"], allow_loopback_http)
    id_token = await oidc.exchange_code(found, code=code, redirect_uri=callback_url, client_id=provider["client_id"],
                                        client_secret=secret, code_verifier=row["idp_verifier"],
                                        allow_loopback_http=allow_loopback_http)
    claims = await oidc.verified_claims(found, id_token, client_id=provider["client_id"], nonce=row["idp_nonce"],
                                        allow_loopback_http=allow_loopback_http)
    subject = claims.get(provider["subject_claim"])
    if not isinstance(subject, str) or not subject:
        raise IdentityProviderFailed()
    return await _signed_in(tenant_id, request_id, browser_secret, subject)


class Pending(NamedTuple):
    client_id: str
    locale: str


async def pending(handle: str, browser_secret: str | None) -> Pending:
    """The open request this browser started (to show its sign-in form again)."""
    tenant_id, request_id = read_handle(handle)
    async with unit_of_work(tenant_id, write=False) as uow:
        row = await _open(uow, request_id, browser_secret)
    return Pending(row["client_id"], row["locale"])


async def local_sign_in(handle: str, browser_secret: str | None, subject: str, typed_code: str) -> SignedIn:
    """A person signs in with a one-time code; five wrong tries end the request."""
    tenant_id, request_id = read_handle(handle)
    async with unit_of_work(tenant_id) as uow:
        row = await _open(uow, request_id, browser_secret)
        if row["idp_state_hash"] is not None or row["subject"] is not None:
            raise SignInExpired()  # this request signs in through the provider, or is signed in already
        used = await queries.use_sign_in_code(uow, subject.strip(), digest(normalised_sign_in_code(typed_code)))
        if not used:
            failed = row["failed_attempts"] + 1
            await queries.update_request(uow, request_id, {"failed_attempts": failed})
            if failed >= MAX_FAILED_SIGN_INS:
                await queries.finish_request(uow, request_id)
    if not used:
        raise SignInRefused()
    return await _signed_in(tenant_id, request_id, browser_secret, subject.strip())


async def _signed_in(tenant_id: UUID, request_id: UUID, browser_secret: str | None, subject: str) -> SignedIn:
    csrf = new_secret()
    async with unit_of_work(tenant_id) as uow:
        row = await _open(uow, request_id, browser_secret)
        person = await user_by_subject_in(uow, subject)
        if not _is_active_person(person):
            await queries.finish_request(uow, request_id)
        else:
            await queries.update_request(uow, request_id, {"subject": subject, "csrf_hash": digest(csrf)})
        given = await queries.consent(uow, subject, row["client_id"])
    if person is None or not _is_active_person(person):
        raise NotAUserHere()
    asked = scope_list(row["scope"])
    remembered = given is not None and within(asked, scope_list(given["scope"]))
    return SignedIn(_handle(tenant_id, request_id), csrf, row["client_id"], asked, row["locale"],
                    person.display_name, remembered)


async def decide(handle: str, browser_secret: str | None, csrf: str, approve: bool, request_id_of_call: str,
                 remembered: bool = False) -> str:
    """The person's answer on the consent page: the app's redirect URI with a code (approve) or
    ``error=access_denied``, and the app's state. The form's CSRF token must be the one this sign-in drew. An
    approval is remembered (the scopes added to any allowed before) until the person revokes it; ``remembered``: no
    page was shown, as the person had allowed these scopes already (:attr:`SignedIn.remembered`)."""
    tenant_id, request_id = read_handle(handle)
    code = secrets.token_urlsafe(32)
    async with unit_of_work(tenant_id) as uow:
        row = await _open(uow, request_id, browser_secret)
        if row["subject"] is None or not same(csrf, row["csrf_hash"]) or not await queries.finish_request(
                uow, request_id):
            raise SignInExpired()
        actor = SystemActor(subject=row["subject"], request_id=request_id_of_call)
        if approve:
            await queries.insert_code(uow, new_id(), {
                "code_hash": digest(code), "client_id": row["client_id"], "redirect_uri": row["redirect_uri"],
                "scope": row["scope"], "subject": row["subject"], "code_challenge": row["code_challenge"],
                "code_challenge_method": PKCE_METHOD, "nonce": row["nonce"],
                "expires_at": utc_now() + timedelta(seconds=CODE_SECONDS)})
            await _remember_consent(uow, row["subject"], row["client_id"], scope_list(row["scope"]))
        action = "oauth.consent_remembered" if remembered else "oauth.consent_given"
        await record(uow, actor, action if approve else "oauth.consent_refused", "api_client",
                     row["client_id"], after={"scope": row["scope"]})
    if approve:
        return with_query(row["redirect_uri"], code=code, state=row["state"])
    return with_query(row["redirect_uri"], error="access_denied", state=row["state"])


async def _remember_consent(uow: UnitOfWork, subject: str, client_id: str, scopes: list[str]) -> None:
    parsed = parse_client_id(client_id)
    if parsed is None or parsed[0] != uow.tenant_id:
        return
    given = await queries.consent(uow, subject, client_id)
    merged = scope_list(" ".join([*scopes, *(scope_list(given["scope"]) if given else [])]))
    await queries.save_consent(uow, subject, parsed[1], client_id, " ".join(merged), new_id())


# -- the apps a person allowed (``/v1/my/authorised-apps``) ---------------------------------------------------


def _own(principal: Principal) -> str:
    """The person managing their authorised apps: with their own token, never through an app's."""
    if principal.client_id is not None:
        raise NotThroughAnApp()
    return principal.subject


async def _app_view(uow: UnitOfWork, row: dict[str, Any]) -> AuthorisedAppView | None:
    """The consent as the person sees it; None once its app is deleted (on PostgreSQL the consent goes with it)."""
    client = await client_in(uow, row["api_client_id"])
    if client is None:
        return None
    return AuthorisedAppView(id=row["id"], client_id=row["client_id"], name=client.name,
                             scopes=scope_list(row["scope"]), granted_at=row["granted_at"],
                             updated_at=row["updated_at"])


async def authorised_apps(principal: Principal, cursor: str | None, limit: int) -> Page[AuthorisedAppView]:
    subject = _own(principal)
    after = decode_uuid_cursor(cursor)
    views: list[AuthorisedAppView] = []
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        while len(views) <= limit:
            rows = await queries.consents_of(uow, subject, after, limit + 1)
            views += [view for row in rows if (view := await _app_view(uow, row)) is not None]
            if len(rows) <= limit:
                break
            after = rows[-1]["id"]
    return page_of(views[:limit + 1], limit, lambda v: str(v.id))


async def revoke_authorised_app(principal: Principal, authorisation_id: UUID) -> None:
    """The person withdraws an app's consent: the consent page is shown again next time, and every refresh token
    the app holds for them (and the access tokens issued beside them) stops working at once."""
    subject = _own(principal)
    revoked: list[tuple[str, str, datetime]] = []
    async with unit_of_work(principal.tenant_id) as uow:
        row = await queries.consent_of(uow, subject, authorisation_id)
        if row is None or not await queries.delete_consent(uow, authorisation_id):
            raise AuthorisedAppNotFound()
        families = await queries.live_families(uow, row["client_id"], subject)
        for family_id in families:
            revoked += await _revoke_family(uow, family_id, "consent_revoked")
        await record(uow, principal, "oauth.consent_revoked", "api_client", row["client_id"],
                     before={"scope": row["scope"]}, after={"refresh_families_revoked": len(families)})
    await _revoke_access(principal.tenant_id, revoked)


# -- what the token endpoint trades ---------------------------------------------------------------------------


class Grant(msgspec.Struct, frozen=True):
    """What a code or a refresh token grants: the client it was issued to, the person (subject, their roles now),
    the scopes; for a code also its redirect URI and PKCE challenge, for a refresh token its family."""

    id: UUID
    client_id: str
    subject: str
    roles: list[str]
    scopes: list[str]
    redirect_uri: str = ""
    code_challenge: str = ""
    code_challenge_method: str = PKCE_METHOD
    nonce: str | None = None
    family_id: UUID | None = None


async def _person_roles(uow: UnitOfWork, subject: str) -> list[str] | None:
    person = await user_by_subject_in(uow, subject)
    return [r.value for r in person.roles] if person is not None and _is_active_person(person) else None


async def take_code(tenant_id: UUID, code: str, client_id: str) -> Grant | None:
    """Spend a code presented by ``client_id``: its grant if it was this client's, unused and unexpired, for a person
    still active; None otherwise. Spent even if the token request then fails (wrong verifier or redirect URI): a code
    gets one try. A code presented again after it was used revokes the refresh tokens (and their access tokens)
    issued for it (RFC 6749, 4.1.2)."""
    revoked: list[tuple[str, str, datetime]] = []
    async with unit_of_work(tenant_id) as uow:
        row = await queries.code_by_hash(uow, digest(code))
        if row is None:
            return None
        spent = row["used_at"] is None and await queries.use_code(uow, row["id"])
        if not spent and row["family_id"] is not None:
            revoked = await _revoke_family(uow, row["family_id"], "reused_code")
        roles = await _person_roles(uow, row["subject"])
    if not spent:
        await _revoke_access(tenant_id, revoked)
        return None
    if row["expires_at"] <= utc_now() or roles is None or row["client_id"] != client_id:
        return None
    return Grant(id=row["id"], client_id=row["client_id"], subject=row["subject"], roles=roles,
                 scopes=scope_list(row["scope"]), redirect_uri=row["redirect_uri"],
                 code_challenge=row["code_challenge"], code_challenge_method=row["code_challenge_method"],
                 nonce=row["nonce"])


class Issued(NamedTuple):
    """An access token's id and expiry, kept with the refresh token issued beside it so a revoked family's access
    tokens can be revoked too."""

    jti: str
    expires_at: datetime


async def first_refresh_token(tenant_id: UUID, grant: Grant, token: str, access: Issued) -> None:
    """Store a new family's first refresh token (drawn by the caller with :func:`new_refresh_token`) for the grant
    of a code just spent."""
    family_id = new_id()
    async with unit_of_work(tenant_id) as uow:
        await queries.insert_refresh(uow, new_id(), _refresh_values(token, family_id, grant, access))
        await queries.set_code_family(uow, grant.id, family_id)


def new_refresh_token() -> str:
    return new_secret()


def _refresh_values(token: str, family_id: UUID, grant: Grant, access: Issued) -> dict[str, Any]:
    return {"family_id": family_id, "token_hash": digest(token), "client_id": grant.client_id,
            "subject": grant.subject, "scope": " ".join(grant.scopes), "access_jti": access.jti,
            "access_expires_at": access.expires_at, "expires_at": utc_now() + timedelta(days=REFRESH_DAYS)}


async def _revoke_family(uow: UnitOfWork, family_id: UUID, why: str) -> list[tuple[str, str, datetime]]:
    """Revoke a family's refresh tokens in ``uow``; the (client, jti, expiry) of its access tokens, which the caller
    revokes once ``uow`` has committed (:func:`_revoke_access`)."""
    issued = await queries.revoke_family(uow, family_id)
    await record(uow, SystemActor(subject="oauth"), "oauth.refresh_family_revoked", "refresh_token_family",
                 family_id, after={"reason": why, "access_tokens": len(issued)})
    return issued


async def _revoke_access(tenant_id: UUID, issued: list[tuple[str, str, datetime]]) -> None:
    """Each access token of a revoked family goes on the clients' revocation list: refused from its next request
    in every process, though its signature and expiry still hold."""
    for client_id, jti, expires_at in issued:
        if expires_at > utc_now():
            await revoke_token(SystemActor(subject="oauth"), tenant_id, client_id, jti, expires_at)


class Rotated(NamedTuple):
    """A refresh token just replaced: what it granted, and its successor (its access token recorded later)."""

    grant: Grant
    successor: str
    successor_id: UUID


async def take_refresh_token(tenant_id: UUID, token: str, client_id: str,
                             asked: list[str] | None = None) -> Rotated | None:
    """Replace a live refresh token of ``client_id`` by a successor of the same family, in one transaction, and
    return what it grants; None when it is unknown, another client's, revoked, expired or its person is no longer
    active. One already replaced revokes its family (it was stolen, or the app's copy was): neither it nor any
    successor works again, nor the access tokens issued beside them. Asking for scopes beyond the granted ones
    replaces nothing (the answer is ``invalid_scope`` and the token still works): the successor is then empty."""
    successor, successor_id = new_secret(), new_id()
    revoked: list[tuple[str, str, datetime]] = []
    async with unit_of_work(tenant_id) as uow:
        row = await queries.refresh_by_hash(uow, digest(token))
        if row is None or row["revoked_at"] is not None or row["client_id"] != client_id:
            return None
        roles = await _person_roles(uow, row["subject"])
        grant = Grant(id=row["id"], client_id=row["client_id"], subject=row["subject"], roles=roles or [],
                      scopes=scope_list(row["scope"]), family_id=row["family_id"])
        if asked and not set(asked) <= set(grant.scopes):
            return Rotated(grant, "", successor_id)
        rotated = row["expires_at"] > utc_now() and roles is not None and await queries.rotate_refresh(uow, row["id"])
        if rotated:
            await queries.insert_refresh(uow, successor_id, _refresh_values(
                successor, row["family_id"], grant, Issued("", utc_now())))
        elif row["rotated_at"] is not None or (row["expires_at"] > utc_now() and roles is not None):
            revoked = await _revoke_family(uow, row["family_id"], "reused_refresh_token")
    if not rotated:
        await _revoke_access(tenant_id, revoked)
        return None
    return Rotated(grant, successor, successor_id)


async def record_access(tenant_id: UUID, refresh_id: UUID, access: Issued) -> None:
    """The access token issued beside a successor refresh token."""
    async with unit_of_work(tenant_id) as uow:
        await queries.set_access(uow, refresh_id, access.jti, access.expires_at)


class RefreshTokenState(NamedTuple):
    """A refresh token presented to revocation or introspection: claims in the shape of an access token's, the
    client it was issued to, and whether it still works."""

    claims: dict[str, Any]
    client_id: str
    in_force: bool


async def refresh_token_state(tenant_id: UUID, token: str) -> RefreshTokenState | None:
    async with unit_of_work(tenant_id, write=False) as uow:
        row = await queries.refresh_by_hash(uow, digest(token))
    if row is None:
        return None
    in_force = row["revoked_at"] is None and row["rotated_at"] is None and row["expires_at"] > utc_now()
    claims = {"sub": row["subject"], "tid": str(tenant_id), "scope": row["scope"], "iss": None, "aud": None,
              "iat": int(row["created_at"].timestamp()), "exp": int(row["expires_at"].timestamp()),
              "jti": row["access_jti"] or f"refresh-{row['id']}"}
    return RefreshTokenState(claims, row["client_id"], in_force)


async def revoke_refresh_token(tenant_id: UUID, client_id: str, token: str) -> bool:
    """RFC 7009 for a refresh token: revoke its family (with its access tokens) if the token is this client's;
    False when it is not a refresh token of this client (the endpoint answers 200 either way)."""
    async with unit_of_work(tenant_id) as uow:
        row = await queries.refresh_by_hash(uow, digest(token))
        if row is None or row["client_id"] != client_id:
            return False
        revoked = await _revoke_family(uow, row["family_id"], "revoked_by_client")
    await _revoke_access(tenant_id, revoked)
    return True


#: How long after its expiry a sign-in row is kept (for support, and so a late replay still reads as expired).
KEEP_EXPIRED = timedelta(days=1)


async def purge_expired(tenant_id: UUID, now: datetime | None = None) -> int:
    """Housekeeping: delete the tenant's sign-ins, codes and refresh tokens that expired a day ago or more."""
    async with unit_of_work(tenant_id) as uow:
        return await queries.delete_expired(uow, (now or utc_now()) - KEEP_EXPIRED)
