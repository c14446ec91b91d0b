"""Interview recordings and attachments: streamed in, sealed in the object store, streamed out only
to permitted roles, every access audited.

The upload is streamed to storage before any write transaction opens, so a long upload never holds
the database's write lock; the metadata row and its audit entry then commit together, and the object
is removed again if they cannot.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import InvalidInput, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.storage import object_store
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for, ciphers_by_key_id, person_ciphers
from domain.recordings import queries
from domain.recordings.queries import RecordingRow
from domain.recruitment.service import ApplicationNotFound, application_in

ALLOWED_TYPES = re.compile(r"^(audio|video)/[a-z0-9.+-]+$|^application/pdf$|^text/plain$")


class RecordingNotFound(NotFound):
    code = "recording_not_found"
    template = "There is no recording with this id."


class UnsupportedRecordingType(InvalidInput):
    code = "unsupported_recording_type"
    title = "Unsupported file type"
    template = "Recordings and attachments must be audio, video, PDF or plain text, not {content_type}."


class RecordingView(msgspec.Struct, frozen=True):
    """An interview recording or attachment of an application, sealed at rest: its file name, media type, size in bytes,
    SHA-256 (hex), who uploaded it and when, and the path to download it (`download`); every download is audited."""

    id: UUID
    application_id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    download: str


def _view(row: RecordingRow) -> RecordingView:
    return RecordingView(id=row.id, application_id=row.application_id, filename=row.filename,
                         content_type=row.content_type, size=row.size, sha256=row.sha256, uploaded_by=row.uploaded_by,
                         created_at=row.created_at, download=f"/v1/recordings/{row.id}/content")


def _context(tenant_id: UUID, recording_id: UUID) -> bytes:
    return f"tenant:{tenant_id}:recording:{recording_id}".encode()


async def _object_key(uow: UnitOfWork, row: RecordingRow) -> bytes:
    if row.key_id is None:
        return (await cipher_for(uow)).object_key
    person = (await ciphers_by_key_id(uow, [row.key_id])).get(row.key_id)
    if person is None:  # the candidate was erased: the object is deleted with the key
        raise RecordingNotFound()
    return person.object_key


async def upload(principal: Principal, application_id: UUID, filename: str, content_type: str,
                 chunks: AsyncIterator[bytes], max_bytes: int) -> RecordingView:
    if not ALLOWED_TYPES.match(content_type):
        raise UnsupportedRecordingType(content_type=content_type)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        application = await application_in(uow, application_id)
        if application is None:
            raise ApplicationNotFound()
        # Sealed under the candidate's own key, so erasing the candidate shreds it (a candidate from before person
        # keys has none until re-sealed: the tenant's object key then, as before).
        person = (await person_ciphers(uow, [("candidate", application.candidate_id)])).get(
            ("candidate", application.candidate_id))
        object_key = person.object_key if person else (await cipher_for(uow)).object_key
    recording_id = new_id()
    key = f"{principal.tenant_id}/recordings/{recording_id}"
    stored = await object_store().write(key, chunks, cipher_key=object_key,
                                         context=_context(principal.tenant_id, recording_id), max_bytes=max_bytes)
    try:
        async with unit_of_work(principal.tenant_id) as uow:
            row = RecordingRow(id=recording_id, tenant_id=uow.tenant_id, application_id=application_id,
                               filename=filename, content_type=content_type, size=stored.size, sha256=stored.sha256,
                               storage_key=key, uploaded_by=principal.subject, created_at=utc_now(),
                               key_id=person.key_id if person else None)
            await queries.insert_recording(uow, row)
            await record(uow, principal, "recording.uploaded", "recording", recording_id,
                         person=("candidate", application.candidate_id),
                         after={"application_id": row.application_id, "filename": row.filename,
                                "content_type": row.content_type, "size": row.size, "sha256": row.sha256})
    except BaseException:
        await object_store().delete(key)
        raise
    return _view(row)


async def recordings_of(principal: Principal, application_id: UUID) -> list[RecordingView]:
    """Every recording of the application, in the order uploaded."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        rows = await queries.recordings_of_application(uow, application_id)
    return [_view(row) for row in rows]


async def list_recordings(principal: Principal, application_id: UUID, cursor: str | None,
                          limit: int) -> Page[RecordingView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        rows = await queries.recordings_of_application(uow, application_id, after=decode_uuid_cursor(cursor),
                                                       limit=limit + 1)
    return page_of([_view(row) for row in rows], limit, lambda recording: str(recording.id))


async def open_for_download(principal: Principal, recording_id: UUID) -> tuple[RecordingView, AsyncIterator[bytes]]:
    """The recording and its decrypted content; the access is audited before a byte is sent."""
    async with unit_of_work(principal.tenant_id) as uow:
        row = await queries.recording(uow, recording_id)
        if row is None:
            raise RecordingNotFound()
        object_key = await _object_key(uow, row)
        await record(uow, principal, "recording.downloaded", "recording", recording_id)
    content = object_store().read(row.storage_key, cipher_key=object_key,
                                   context=_context(principal.tenant_id, recording_id))
    return _view(row), content
