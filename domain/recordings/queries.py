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
    key_id: UUID | None = None


async def insert_recording(uow: UnitOfWork, row: RecordingRow) -> None:
    await Recording.insert(Recording(**{**msgspec.structs.asdict(row), "tenant_id": uow.tenant_id}))


async def recordings_of_application(uow: UnitOfWork, application_id: UUID, *, after: UUID | None = None,
                                    limit: int | None = None) -> list[RecordingRow]:
    """In the order they were uploaded (ids are UUIDv7)."""
    query = Recording.select().where(
        (Recording.tenant_id == uow.tenant_id) & (Recording.application_id == application_id))
    if after:
        query = query.where(Recording.id > after)
    query = query.order_by(Recording.id)
    return [RecordingRow(**row) for row in await (query.limit(limit) if limit else query)]


async def recording(uow: UnitOfWork, recording_id: UUID) -> RecordingRow | None:
    row = await Recording.select().where(
        (Recording.tenant_id == uow.tenant_id) & (Recording.id == recording_id)).first()
    return RecordingRow(**row) if row else None
