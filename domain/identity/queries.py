from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import msgspec

from domain.identity.model import UserKind, UserStatus, UserView
from domain.identity.tables import User
from domain.kernel.access_cache import announce_access_change
from domain.kernel.db import UnitOfWork
from domain.kernel.i18n import locale_tag
from domain.kernel.permissions import Role
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned

_COLUMNS = (
    User.id, User.subject, User.display_name, User.kind, User.status, User.roles, User.scopes, User.timezone,
    User.locale, User.version, User.created_at, User.updated_at,
)


class UserRecord(msgspec.Struct, frozen=True):
    """A user as first stored."""

    subject: str
    display_name: str
    kind: UserKind
    status: UserStatus
    roles: list[Role]
    scopes: list[str]
    timezone: str
    locale: str


def _view(row: dict[str, Any]) -> UserView:
    return msgspec.convert({**row, "roles": json.loads(row["roles"]), "scopes": json.loads(row["scopes"]),
                            "locale": locale_tag(row["locale"])}, UserView)


def _encoded(values: dict[str, object]) -> dict[str, object]:
    """Roles and scopes, the user's lists, are stored as sorted JSON arrays."""
    return {name: _json_list(value) if isinstance(value, list) else value for name, value in values.items()}


def _json_list(values: Iterable[object]) -> str:
    return json.dumps(sorted(str(v) for v in values))


async def insert_user(uow: UnitOfWork, user_id: UUID, user: UserRecord) -> UserView:
    now = utc_now()
    await User.insert(User(
        id=user_id, tenant_id=uow.tenant_id, subject=user.subject, display_name=user.display_name,
        kind=user.kind.value, status=user.status.value, roles=_json_list(user.roles),
        scopes=_json_list(user.scopes), timezone=user.timezone, locale=user.locale, version=1, created_at=now,
        updated_at=now))
    return UserView(id=user_id, subject=user.subject, display_name=user.display_name, kind=user.kind,
                    status=user.status, roles=sorted(user.roles), scopes=sorted(user.scopes), timezone=user.timezone,
                    locale=user.locale, version=1, created_at=now, updated_at=now)


async def user(uow: UnitOfWork, user_id: UUID) -> UserView | None:
    row = await User.select(*_COLUMNS).where((User.tenant_id == uow.tenant_id) & (User.id == user_id)).first()
    return _view(row) if row else None


async def existing_user_ids(uow: UnitOfWork, user_ids: list[UUID]) -> set[UUID]:
    if not user_ids:
        return set()
    rows = await User.select(User.id).where((User.tenant_id == uow.tenant_id) & User.id.is_in(user_ids))
    return {row["id"] for row in rows}


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


async def update_user(uow: UnitOfWork, user_id: UUID, expected_version: int, values: dict[str, object]) -> None:
    await update_versioned(uow, User, user_id, expected_version, _encoded(values), "user")
    await announce_access_change(uow)  # status, roles and scopes decide every request of theirs
