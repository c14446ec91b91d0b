from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.time import utc_now
from domain.regulation.model import ChoiceKind, LawChoiceView, LawVersionStatus, LawVersionView
from domain.regulation.tables import LawChoice, LawVersion


async def insert_version(uow: UnitOfWork, view: LawVersionView) -> None:
    await LawVersion.insert(LawVersion(
        id=view.id, tenant_id=uow.tenant_id, country=view.country, series=view.series, region=view.region,
        version=view.version, effective_from=view.effective_from, effective_to=view.effective_to,
        data=json.dumps(view.data), verification=view.verification.value, status=view.status.value,
        proposed_by=view.proposed_by, proposed_at=view.proposed_at, version_number=view.version_number))


async def version(uow: UnitOfWork, version_id: UUID, *, lock: bool = False) -> LawVersionView | None:
    query = LawVersion.select().where((LawVersion.tenant_id == uow.tenant_id) & (LawVersion.id == version_id))
    if lock and not current_database().is_sqlite:
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return _version_view(row) if row else None


async def version_named(uow: UnitOfWork, country: str, series: str, name: str) -> bool:
    return await LawVersion.exists().where(
        (LawVersion.tenant_id == uow.tenant_id) & (LawVersion.country == country) & (LawVersion.series == series)
        & (LawVersion.version == name))


async def versions(uow: UnitOfWork, *, country: str | None = None, status: LawVersionStatus | None = None,
                   after: UUID | None = None, limit: int = 200) -> list[LawVersionView]:
    query = LawVersion.select().where(LawVersion.tenant_id == uow.tenant_id)
    if country:
        query = query.where(LawVersion.country == country)
    if status:
        query = query.where(LawVersion.status == status.value)
    if after:
        query = query.where(LawVersion.id > after)
    return [_version_view(row) for row in await query.order_by(LawVersion.id).limit(limit)]


async def decide(uow: UnitOfWork, version_id: UUID, status: LawVersionStatus, by: str, reason: str) -> None:
    await LawVersion.update({
        LawVersion.status: status.value, LawVersion.decided_by: by, LawVersion.decided_at: utc_now(),
        LawVersion.decision_reason: reason, LawVersion.version_number: LawVersion.version_number + 1,
    }).where((LawVersion.tenant_id == uow.tenant_id) & (LawVersion.id == version_id))


async def attach_document(uow: UnitOfWork, version_id: UUID, document_id: UUID, content_type: str) -> None:
    await LawVersion.update({LawVersion.document_id: document_id, LawVersion.document_type: content_type,
                             LawVersion.version_number: LawVersion.version_number + 1}).where(
        (LawVersion.tenant_id == uow.tenant_id) & (LawVersion.id == version_id))


def _version_view(row: dict[str, Any]) -> LawVersionView:
    fields = {k: v for k, v in row.items() if k != "tenant_id"}
    return msgspec.convert({**fields, "data": json.loads(row["data"])}, LawVersionView, strict=False)


async def choices(uow: UnitOfWork, country: str | None = None) -> list[LawChoiceView]:
    query = LawChoice.select().where(LawChoice.tenant_id == uow.tenant_id)
    if country:
        query = query.where(LawChoice.country == country)
    rows = await query.order_by(LawChoice.country).order_by(LawChoice.series)
    return [_choice_view(r) for r in rows]


async def choices_page(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[LawChoiceView]:
    """In the order they were made (ids are UUIDv7)."""
    query = LawChoice.select().where(LawChoice.tenant_id == uow.tenant_id)
    if after:
        query = query.where(LawChoice.id > after)
    return [_choice_view(row) for row in await query.order_by(LawChoice.id).limit(limit)]


async def choice(uow: UnitOfWork, country: str, series: str, kind: ChoiceKind) -> LawChoiceView | None:
    row = await LawChoice.select().where(
        (LawChoice.tenant_id == uow.tenant_id) & (LawChoice.country == country) & (LawChoice.series == series)
        & (LawChoice.kind == kind.value)).first()
    return _choice_view(row) if row else None


async def choice_by_id(uow: UnitOfWork, choice_id: UUID) -> LawChoiceView | None:
    row = await LawChoice.select().where((LawChoice.tenant_id == uow.tenant_id) & (LawChoice.id == choice_id)).first()
    return _choice_view(row) if row else None


def _choice_view(row: dict[str, Any]) -> LawChoiceView:
    return msgspec.convert({k: v for k, v in row.items() if k != "tenant_id"}, LawChoiceView, strict=False)


async def insert_choice(uow: UnitOfWork, view: LawChoiceView) -> None:
    await LawChoice.insert(LawChoice(
        id=view.id, tenant_id=uow.tenant_id, country=view.country, series=view.series, kind=view.kind.value,
        reason=view.reason, chosen_by=view.chosen_by, chosen_at=view.chosen_at))


async def delete_choice(uow: UnitOfWork, choice_id: UUID) -> None:
    await LawChoice.delete().where((LawChoice.tenant_id == uow.tenant_id) & (LawChoice.id == choice_id))
