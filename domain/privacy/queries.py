from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from compliance.retention import DataClass, Trigger
from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.privacy.model import RetentionOverrideView
from domain.privacy.tables import RetentionOverride

RuleKey = tuple[str, DataClass, Trigger]


@dataclass(frozen=True)
class StoredOverride:
    """A tenant's row for one rule: its id and version, and its period where one is set (None: the default)."""

    id: UUID
    version: int
    key: RuleKey
    view: RetentionOverrideView | None


def _stored(row: dict[str, Any]) -> StoredOverride:
    view = RetentionOverrideView(period_months=row["period_months"], reason=row["reason"], set_by=row["set_by"],
                                 set_at=row["updated_at"]) if row["period_months"] is not None else None
    key = (row["country"], DataClass(row["data_class"]), Trigger(row["trigger_event"]))
    return StoredOverride(id=row["id"], version=row["version"], key=key, view=view)


def _own(uow: UnitOfWork) -> Any:
    return RetentionOverride.tenant_id == uow.tenant_id


async def overrides(uow: UnitOfWork, country: str | None = None) -> dict[RuleKey, StoredOverride]:
    query = RetentionOverride.select().where(_own(uow))
    if country:
        query = query.where(RetentionOverride.country == country)
    return {stored.key: stored for stored in map(_stored, await query)}


async def override_of(uow: UnitOfWork, key: RuleKey) -> StoredOverride | None:
    country, data_class, trigger = key
    row = await RetentionOverride.select().where(
        _own(uow) & (RetentionOverride.country == country) & (RetentionOverride.data_class == data_class.value)
        & (RetentionOverride.trigger_event == trigger.value)).first()
    return _stored(row) if row else None


async def insert_override(uow: UnitOfWork, override_id: UUID, key: RuleKey, period_months: int | None,
                          reason: str, set_by: str) -> None:
    country, data_class, trigger = key
    now = utc_now()
    await RetentionOverride.insert(RetentionOverride(
        id=override_id, tenant_id=uow.tenant_id, country=country, data_class=data_class.value,
        trigger_event=trigger.value, period_months=period_months, reason=reason, set_by=set_by, version=1,
        created_at=now, updated_at=now))


async def update_override(uow: UnitOfWork, override_id: UUID, expected_version: int, period_months: int | None,
                          reason: str, set_by: str) -> None:
    await update_versioned(uow, RetentionOverride, override_id, expected_version,
                           {"period_months": period_months, "reason": reason, "set_by": set_by},
                           "retention policy")
