from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork
from domain.recordings.tables import Recording


class RecordingRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    application_id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    uploaded_by: str
    created_at: datetime


async def insert_recording(uow: UnitOfWork, row: RecordingRow) -> None:
    await Recording.insert(Recording(**{**msgspec.structs.asdict(row), "tenant_id": uow.tenant_id}))


async def recordings_of_application(uow: UnitOfWork, application_id: UUID) -> list[RecordingRow]:
    rows = await Recording.select().where(
        (Recording.tenant_id == uow.tenant_id) & (Recording.application_id == application_id)
    ).order_by(Recording.created_at)
    return [RecordingRow(**row) for row in rows]


async def recording(uow: UnitOfWork, recording_id: UUID) -> RecordingRow | None:
    row = await Recording.select().where(
        (Recording.tenant_id == uow.tenant_id) & (Recording.id == recording_id)).first()
    return RecordingRow(**row) if row else None
