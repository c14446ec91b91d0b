from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from compliance.retention import DataClass, Trigger
from domain.kernel.db import UnitOfWork, current_database
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


async def restricted_people(uow: UnitOfWork, person_kind: str, person_ids: list[UUID]) -> set[UUID]:
    """Those of ``person_ids`` whose processing is restricted: a completed (approved, not lifted) restriction request
    of ``domain.subject_requests`` names them. Read here, never written, so that the contexts below data-subject
    requests (assessments, recruitment) can leave a restricted person out without depending upwards."""
    if not person_ids:
        return set()
    wanted = sorted({str(person_id) for person_id in person_ids})
    marks = ", ".join("{}" for _ in wanted)
    rows = await current_database().execute(
        "SELECT DISTINCT person_id FROM data_subject_requests WHERE tenant_id = {} AND kind = 'restriction' AND "  # noqa: S608
        f"status = 'completed' AND person_kind = {{}} AND person_id IN ({marks})",
        str(uow.tenant_id), person_kind, *wanted)
    return {row["person_id"] if isinstance(row["person_id"], UUID) else UUID(str(row["person_id"])) for row in rows}
