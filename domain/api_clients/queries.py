from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.api_clients.model import ApiClientView, GrantType, public_client_id
from domain.api_clients.tables import ApiClient, RevokedToken
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.permissions import Role
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned

_COLUMNS = (
    ApiClient.id, ApiClient.name, ApiClient.confidential, ApiClient.grant_types, ApiClient.scopes, ApiClient.roles,
    ApiClient.redirect_uris, ApiClient.service_subject, ApiClient.previous_secret_until, ApiClient.version,
    ApiClient.created_at, ApiClient.updated_at,
)
_LISTS = ("grant_types", "scopes", "roles", "redirect_uris")


class ClientRecord(msgspec.Struct, frozen=True):
    """A client as first stored."""

    name: str
    confidential: bool
    grant_types: list[GrantType]
    scopes: list[str]
    roles: list[Role]
    redirect_uris: list[str]
    service_subject: str
    secret_hash: str | None


class ClientSecrets(msgspec.Struct, frozen=True):
    """A client with what the token endpoint checks its secret against."""

    client: ApiClientView
    secret_hash: str | None
    previous_secret_hash: str | None


def _json_list(values: Iterable[object]) -> str:
    return json.dumps(sorted({str(v) for v in values}))


def _redirects(values: Iterable[str]) -> str:
    return json.dumps(list(dict.fromkeys(values)))  # in the order given: the first is the default


def _view(uow: UnitOfWork, row: dict[str, Any]) -> ApiClientView:
    values = {**row, **{name: json.loads(row[name]) for name in _LISTS}}
    values["client_id"] = public_client_id(uow.tenant_id, row["id"])
    return msgspec.convert(values, ApiClientView)


def encoded(values: dict[str, object]) -> dict[str, object]:
    return {name: (_redirects(value) if name == "redirect_uris" else _json_list(value))  # type: ignore[arg-type]
            if isinstance(value, list) else value for name, value in values.items()}


async def insert_client(uow: UnitOfWork, client_id: UUID, record: ClientRecord) -> ApiClientView:
    now = utc_now()
    await ApiClient.insert(ApiClient(
        id=client_id, tenant_id=uow.tenant_id, name=record.name, confidential=record.confidential,
        grant_types=_json_list(record.grant_types), scopes=_json_list(record.scopes), roles=_json_list(record.roles),
        redirect_uris=_redirects(record.redirect_uris), service_subject=record.service_subject,
        secret_hash=record.secret_hash, previous_secret_hash=None, previous_secret_until=None, version=1,
        created_at=now, updated_at=now))
    view = await client(uow, client_id)
    assert view is not None
    return view


async def client(uow: UnitOfWork, client_id: UUID) -> ApiClientView | None:
    row = await ApiClient.select(*_COLUMNS).where(
        (ApiClient.tenant_id == uow.tenant_id) & (ApiClient.id == client_id)).first()
    return _view(uow, row) if row else None


async def client_secrets(uow: UnitOfWork, client_id: UUID) -> ClientSecrets | None:
    row = await ApiClient.select(*_COLUMNS, ApiClient.secret_hash, ApiClient.previous_secret_hash).where(
        (ApiClient.tenant_id == uow.tenant_id) & (ApiClient.id == client_id)).first()
    if row is None:
        return None
    secret_hash, previous = row.pop("secret_hash"), row.pop("previous_secret_hash")
    return ClientSecrets(client=_view(uow, row), secret_hash=secret_hash, previous_secret_hash=previous)


async def clients(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[ApiClientView]:
    query = ApiClient.select(*_COLUMNS).where(ApiClient.tenant_id == uow.tenant_id)
    if after:
        query = query.where(ApiClient.id > after)
    return [_view(uow, row) for row in await query.order_by(ApiClient.id).limit(limit)]


async def update_client(uow: UnitOfWork, client_id: UUID, expected_version: int, values: dict[str, object]) -> None:
    await update_versioned(uow, ApiClient, client_id, expected_version, encoded(values), "API client")


async def replace_secret(uow: UnitOfWork, client_id: UUID, expected_version: int, secret_hash: str,
                         previous_hash: str | None, previous_until: datetime | None) -> None:
    await update_versioned(uow, ApiClient, client_id, expected_version, {
        "secret_hash": secret_hash, "previous_secret_hash": previous_hash, "previous_secret_until": previous_until},
        "API client")


async def delete_client(uow: UnitOfWork, client_id: UUID) -> None:
    await ApiClient.delete().where((ApiClient.tenant_id == uow.tenant_id) & (ApiClient.id == client_id))


async def client_exists(uow: UnitOfWork, client_id: UUID) -> bool:
    return bool(await ApiClient.exists().where((ApiClient.tenant_id == uow.tenant_id) & (ApiClient.id == client_id)))


async def revoked(uow: UnitOfWork, jti: str) -> bool:
    return bool(await RevokedToken.exists().where(
        (RevokedToken.tenant_id == uow.tenant_id) & (RevokedToken.jti == jti)))


async def revoke(uow: UnitOfWork, jti: str, client_id: UUID, expires_at: datetime) -> bool:
    """Record ``jti`` as revoked; False when it already was."""
    if await revoked(uow, jti):
        return False
    await RevokedToken.insert(RevokedToken(id=new_id(), tenant_id=uow.tenant_id, jti=jti, client_id=client_id,
                                           expires_at=expires_at, revoked_at=utc_now()))
    return True


async def purge_revocations(uow: UnitOfWork, expired_before: datetime) -> int:
    """Forget revocations of tokens that have expired anyway (a token past ``exp`` is refused by its signature
    check); how many."""
    gone = await RevokedToken.delete().where(
        (RevokedToken.tenant_id == uow.tenant_id) & (RevokedToken.expires_at < expired_before)).returning(
        RevokedToken.id)
    return len(gone)
