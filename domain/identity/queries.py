from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from domain.identity.model import UserView
from domain.identity.tables import User
from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned

_COLUMNS = (
    User.id, User.subject, User.display_name, User.kind, User.status, User.roles, User.scopes, User.timezone,
    User.locale, User.version, User.created_at, User.updated_at,
)


def _view(row: dict[str, Any]) -> UserView:
    return msgspec.convert({**row, "roles": json.loads(row["roles"]), "scopes": json.loads(row["scopes"])}, UserView)


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    encoded = dict(values)
    for name in ("roles", "scopes"):
        if name in encoded:
            encoded[name] = json.dumps(sorted(str(v) for v in encoded[name]))
    return encoded


async def insert_user(uow: UnitOfWork, user_id: UUID, values: dict[str, Any]) -> UserView:
    now = utc_now()
    await User.insert(User(id=user_id, tenant_id=uow.tenant_id, version=1, created_at=now, updated_at=now,
                           **_encoded(values)))
    return await user(uow, user_id)  # type: ignore[return-value]


async def user(uow: UnitOfWork, user_id: UUID) -> UserView | None:
    row = await User.select(*_COLUMNS).where((User.tenant_id == uow.tenant_id) & (User.id == user_id)).first()
    return _view(row) if row else None


async def user_by_subject(uow: UnitOfWork, subject: str) -> UserView | None:
    row = await User.select(*_COLUMNS).where((User.tenant_id == uow.tenant_id) & (User.subject == subject)).first()
    return _view(row) if row else None


async def users(uow: UnitOfWork, *, after: UUID | None, limit: int, role: str | None = None) -> list[UserView]:
    query = User.select(*_COLUMNS).where(User.tenant_id == uow.tenant_id)
    if after:
        query = query.where(User.id > after)
    if role:
        query = query.where(User.roles.like(f'%"{role}"%'))
    return [_view(r) for r in await query.order_by(User.id).limit(limit)]


async def update_user(uow: UnitOfWork, user_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    await update_versioned(uow, User, user_id, expected_version, _encoded(values), "user")
