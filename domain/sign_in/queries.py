"""Every read and write of the sign-in context, each inside its tenant's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.sign_in.tables import (
    AuthorizationCode,
    AuthorizationRequest,
    IdentityProvider,
    OAuthConsent,
    RefreshToken,
    SignInCode,
)

# -- identity provider ----------------------------------------------------------------------------------------


async def identity_provider(uow: UnitOfWork) -> dict[str, Any] | None:
    return await IdentityProvider.select().where(IdentityProvider.tenant_id == uow.tenant_id).first()


async def insert_identity_provider(uow: UnitOfWork, row_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await IdentityProvider.insert(IdentityProvider(id=row_id, tenant_id=uow.tenant_id, version=1, created_at=now,
                                                   updated_at=now, **values))


# -- one-time sign-in codes -----------------------------------------------------------------------------------


async def insert_sign_in_code(uow: UnitOfWork, row_id: UUID, subject: str, code_hash: str, expires_at: datetime,
                              created_by: str) -> None:
    await SignInCode.insert(SignInCode(id=row_id, tenant_id=uow.tenant_id, subject=subject, code_hash=code_hash,
                                       expires_at=expires_at, created_by=created_by, created_at=utc_now()))


async def use_sign_in_code(uow: UnitOfWork, subject: str, code_hash: str) -> bool:
    """Mark the person's unused, unexpired code used; False when there is none (the update is the check, so two
    sign-ins racing with one code cannot both win)."""
    now = utc_now()
    used = await SignInCode.update({SignInCode.used_at: now}).where(
        (SignInCode.tenant_id == uow.tenant_id) & (SignInCode.code_hash == code_hash)
        & (SignInCode.subject == subject) & SignInCode.used_at.is_null() & (SignInCode.expires_at > now)
    ).returning(SignInCode.id)
    return bool(used)


# -- authorisation requests in progress -----------------------------------------------------------------------


async def insert_request(uow: UnitOfWork, row_id: UUID, values: dict[str, Any]) -> None:
    await AuthorizationRequest.insert(AuthorizationRequest(id=row_id, tenant_id=uow.tenant_id, failed_attempts=0,
                                                           created_at=utc_now(), **values))


async def open_request(uow: UnitOfWork, row_id: UUID) -> dict[str, Any] | None:
    """The request if it is neither finished nor expired."""
    return await AuthorizationRequest.select().where(
        (AuthorizationRequest.tenant_id == uow.tenant_id) & (AuthorizationRequest.id == row_id)
        & AuthorizationRequest.finished_at.is_null() & (AuthorizationRequest.expires_at > utc_now())
    ).first()


async def update_request(uow: UnitOfWork, row_id: UUID, values: dict[str, Any]) -> None:
    await AuthorizationRequest.update(values).where(
        (AuthorizationRequest.tenant_id == uow.tenant_id) & (AuthorizationRequest.id == row_id))


async def finish_request(uow: UnitOfWork, row_id: UUID) -> bool:
    """Mark the request finished; False when it already was (a double submit)."""
    done = await AuthorizationRequest.update({AuthorizationRequest.finished_at: utc_now()}).where(
        (AuthorizationRequest.tenant_id == uow.tenant_id) & (AuthorizationRequest.id == row_id)
        & AuthorizationRequest.finished_at.is_null()
    ).returning(AuthorizationRequest.id)
    return bool(done)


# -- authorization codes --------------------------------------------------------------------------------------


async def insert_code(uow: UnitOfWork, row_id: UUID, values: dict[str, Any]) -> None:
    await AuthorizationCode.insert(AuthorizationCode(id=row_id, tenant_id=uow.tenant_id, created_at=utc_now(),
                                                     **values))


async def code_by_hash(uow: UnitOfWork, code_hash: str) -> dict[str, Any] | None:
    return await AuthorizationCode.select().where(
        (AuthorizationCode.tenant_id == uow.tenant_id) & (AuthorizationCode.code_hash == code_hash)).first()


async def use_code(uow: UnitOfWork, row_id: UUID) -> bool:
    """Mark the code used; False when it already was."""
    used = await AuthorizationCode.update({AuthorizationCode.used_at: utc_now()}).where(
        (AuthorizationCode.tenant_id == uow.tenant_id) & (AuthorizationCode.id == row_id)
        & AuthorizationCode.used_at.is_null()
    ).returning(AuthorizationCode.id)
    return bool(used)


async def set_code_family(uow: UnitOfWork, row_id: UUID, family_id: UUID) -> None:
    await AuthorizationCode.update({AuthorizationCode.family_id: family_id}).where(
        (AuthorizationCode.tenant_id == uow.tenant_id) & (AuthorizationCode.id == row_id))


# -- refresh tokens -------------------------------------------------------------------------------------------


async def insert_refresh(uow: UnitOfWork, row_id: UUID, values: dict[str, Any]) -> None:
    await RefreshToken.insert(RefreshToken(id=row_id, tenant_id=uow.tenant_id, created_at=utc_now(), **values))


async def refresh_by_hash(uow: UnitOfWork, token_hash: str) -> dict[str, Any] | None:
    return await RefreshToken.select().where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.token_hash == token_hash)).first()


async def rotate_refresh(uow: UnitOfWork, row_id: UUID) -> bool:
    """Mark a live refresh token replaced; False when it was replaced or revoked already."""
    rotated = await RefreshToken.update({RefreshToken.rotated_at: utc_now()}).where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.id == row_id)
        & RefreshToken.rotated_at.is_null() & RefreshToken.revoked_at.is_null()
    ).returning(RefreshToken.id)
    return bool(rotated)


async def revoke_family(uow: UnitOfWork, family_id: UUID) -> list[tuple[str, str, datetime]]:
    """Revoke every token of a family; the access tokens' ids (jti) and expiries of the whole family, for the
    access-token revocation list."""
    await RefreshToken.update({RefreshToken.revoked_at: utc_now()}).where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.family_id == family_id)
        & RefreshToken.revoked_at.is_null())
    rows = await RefreshToken.select(RefreshToken.client_id, RefreshToken.access_jti,
                                     RefreshToken.access_expires_at).where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.family_id == family_id))
    return [(row["client_id"], row["access_jti"], row["access_expires_at"]) for row in rows]


async def set_access(uow: UnitOfWork, row_id: UUID, jti: str, expires_at: datetime) -> None:
    await RefreshToken.update({RefreshToken.access_jti: jti, RefreshToken.access_expires_at: expires_at}).where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.id == row_id))


async def live_families(uow: UnitOfWork, client_id: str, subject: str) -> list[UUID]:
    """The refresh-token families of a client for a person that still have a token not revoked."""
    rows = await RefreshToken.select(RefreshToken.family_id).where(
        (RefreshToken.tenant_id == uow.tenant_id) & (RefreshToken.client_id == client_id)
        & (RefreshToken.subject == subject) & RefreshToken.revoked_at.is_null())
    return sorted({row["family_id"] for row in rows}, key=str)


# -- consents -------------------------------------------------------------------------------------------------


async def consent(uow: UnitOfWork, subject: str, client_id: str) -> dict[str, Any] | None:
    return await OAuthConsent.select().where(
        (OAuthConsent.tenant_id == uow.tenant_id) & (OAuthConsent.subject == subject)
        & (OAuthConsent.client_id == client_id)).first()


async def save_consent(uow: UnitOfWork, subject: str, api_client_id: UUID, client_id: str, scope: str,
                       row_id: UUID) -> None:
    """Remember the scopes (already merged with any remembered before) the person allowed the client."""
    now = utc_now()
    existing = await consent(uow, subject, client_id)
    if existing is None:
        await OAuthConsent.insert(OAuthConsent(id=row_id, tenant_id=uow.tenant_id, subject=subject,
                                               api_client_id=api_client_id, client_id=client_id, scope=scope,
                                               granted_at=now, updated_at=now))
        return
    await OAuthConsent.update({OAuthConsent.scope: scope, OAuthConsent.updated_at: now}).where(
        (OAuthConsent.tenant_id == uow.tenant_id) & (OAuthConsent.id == existing["id"]))


async def consents_of(uow: UnitOfWork, subject: str, after: UUID | None, limit: int) -> list[dict[str, Any]]:
    query = OAuthConsent.select().where(
        (OAuthConsent.tenant_id == uow.tenant_id) & (OAuthConsent.subject == subject))
    if after is not None:
        query = query.where(OAuthConsent.id > after)
    return await query.order_by(OAuthConsent.id).limit(limit)


async def consent_of(uow: UnitOfWork, subject: str, row_id: UUID) -> dict[str, Any] | None:
    return await OAuthConsent.select().where(
        (OAuthConsent.tenant_id == uow.tenant_id) & (OAuthConsent.subject == subject)
        & (OAuthConsent.id == row_id)).first()


async def delete_consent(uow: UnitOfWork, row_id: UUID) -> bool:
    deleted = await OAuthConsent.delete().where(
        (OAuthConsent.tenant_id == uow.tenant_id) & (OAuthConsent.id == row_id)).returning(OAuthConsent.id)
    return bool(deleted)


async def delete_expired(uow: UnitOfWork, before: datetime) -> int:
    """Delete what expired before ``before``: sign-ins in progress, codes of both kinds, refresh tokens (a replaced
    one is kept until its own expiry, so its reuse is still caught until then)."""
    deleted = 0
    for table in (AuthorizationRequest, AuthorizationCode, SignInCode, RefreshToken):
        rows = await table.delete().where(
            (table.tenant_id == uow.tenant_id) & (table.expires_at < before)  # type: ignore[attr-defined]
        ).returning(table.id)  # type: ignore[attr-defined]
        deleted += len(rows)
    return deleted
