from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.interviews.model import InterviewFilter, InterviewSlot, ParticipantInput
from domain.interviews.tables import Feedback, Interview, InterviewParticipant
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.pagination import rows_after
from domain.kernel.time import utc_now


class InterviewRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    application_id: UUID
    title: str
    start_utc: datetime
    end_utc: datetime
    location: str | None
    video_link: str | None
    status: str
    sequence: int
    created_by: str
    created_at: datetime


class ParticipantRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    interview_id: UUID
    person_id: UUID
    kind: str
    display_name: str
    timezone: str
    start_utc: datetime
    end_utc: datetime


class Booking(msgspec.Struct, frozen=True, kw_only=True):
    """One of an interviewer's booked slots."""

    interview_id: UUID
    start_utc: datetime
    end_utc: datetime


class FeedbackRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    interview_id: UUID
    interviewer_id: UUID
    interviewer_name: str
    ratings: dict[str, str]
    recommendation: str
    notes: str
    created_at: datetime


async def lock_interviewer(uow: UnitOfWork, person_id: UUID) -> None:
    """Serialise bookings of one interviewer so two concurrent bookings cannot both pass the check."""
    database = current_database()
    if not database.is_sqlite:  # SQLite's write lock already serialises every booking
        await database.execute("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))",
                               f"interviewer:{uow.tenant_id}:{person_id}")


async def bookings_overlapping(uow: UnitOfWork, person_id: UUID, slot: InterviewSlot) -> list[Booking]:
    rows = await InterviewParticipant.select(
        InterviewParticipant.interview_id, InterviewParticipant.start_utc, InterviewParticipant.end_utc
    ).where(
        (InterviewParticipant.tenant_id == uow.tenant_id) & (InterviewParticipant.person_id == person_id)
        & (InterviewParticipant.start_utc < slot.end_utc) & (InterviewParticipant.end_utc > slot.start_utc)
    )
    return [Booking(**row) for row in rows]


async def insert_interview(uow: UnitOfWork, interview_id: UUID, values: dict[str, Any],
                           participants: list[ParticipantInput], slot: InterviewSlot) -> None:
    await Interview.insert(Interview(id=interview_id, tenant_id=uow.tenant_id, created_at=utc_now(), status="scheduled",
                                     sequence=0, start_utc=slot.start_utc, end_utc=slot.end_utc, **values))
    await InterviewParticipant.insert(*[
        InterviewParticipant(id=new_id(), tenant_id=uow.tenant_id, interview_id=interview_id, person_id=p.person_id,
                             kind=p.kind.value, display_name=p.display_name, timezone=p.timezone,
                             start_utc=slot.start_utc, end_utc=slot.end_utc)
        for p in participants
    ])


async def interview(uow: UnitOfWork, interview_id: UUID) -> InterviewRow | None:
    row = await Interview.select().where(
        (Interview.tenant_id == uow.tenant_id) & (Interview.id == interview_id)).first()
    return InterviewRow(**row) if row else None


async def participants(uow: UnitOfWork, interview_id: UUID) -> list[ParticipantRow]:
    rows = await InterviewParticipant.select().where(
        (InterviewParticipant.tenant_id == uow.tenant_id) & (InterviewParticipant.interview_id == interview_id)
    ).order_by(InterviewParticipant.kind).order_by(InterviewParticipant.display_name)
    return [ParticipantRow(**row) for row in rows]


async def participants_of(uow: UnitOfWork, interview_ids: list[UUID]) -> list[ParticipantRow]:
    """The participants of several interviews in one query, each interview's in the order ``participants`` gives."""
    if not interview_ids:
        return []
    rows = await InterviewParticipant.select().where(
        (InterviewParticipant.tenant_id == uow.tenant_id) & InterviewParticipant.interview_id.is_in(interview_ids)
    ).order_by(InterviewParticipant.kind).order_by(InterviewParticipant.display_name)
    return [ParticipantRow(**row) for row in rows]


async def interviews(uow: UnitOfWork, *, after: tuple[datetime, UUID] | None, limit: int,
                     only: InterviewFilter) -> list[InterviewRow]:
    """By start time, then id."""
    query = Interview.select().where(Interview.tenant_id == uow.tenant_id)
    if only.application_id:
        query = query.where(Interview.application_id == only.application_id)
    if only.starts_from:
        query = query.where(Interview.start_utc >= only.starts_from)
    if only.starts_before:
        query = query.where(Interview.start_utc < only.starts_before)
    if after is not None:
        query = query.where(rows_after(Interview, Interview.start_utc, after))
    rows = await query.order_by(Interview.start_utc).order_by(Interview.id).limit(limit)
    return [InterviewRow(**row) for row in rows]


async def interviews_of_application(uow: UnitOfWork, application_id: UUID) -> list[InterviewRow]:
    rows = await Interview.select().where(
        (Interview.tenant_id == uow.tenant_id) & (Interview.application_id == application_id)
    ).order_by(Interview.start_utc)
    return [InterviewRow(**row) for row in rows]


async def insert_feedback(uow: UnitOfWork, values: dict[str, Any]) -> UUID:
    feedback_id = new_id()
    await Feedback.insert(Feedback(id=feedback_id, tenant_id=uow.tenant_id, created_at=utc_now(),
                                   **{**values, "ratings": json.dumps(values["ratings"])}))
    return feedback_id


async def feedback_given(uow: UnitOfWork, interview_id: UUID, interviewer_id: UUID) -> bool:
    return await Feedback.exists().where(
        (Feedback.tenant_id == uow.tenant_id) & (Feedback.interview_id == interview_id)
        & (Feedback.interviewer_id == interviewer_id))


async def feedback(uow: UnitOfWork, interview_id: UUID, *, after: UUID | None = None,
                   limit: int | None = None) -> list[FeedbackRow]:
    """In the order it was given (ids are UUIDv7)."""
    query = Feedback.select().where((Feedback.tenant_id == uow.tenant_id) & (Feedback.interview_id == interview_id))
    if after:
        query = query.where(Feedback.id > after)
    query = query.order_by(Feedback.id)
    rows = await (query.limit(limit) if limit else query)
    return [FeedbackRow(**{**row, "ratings": json.loads(row["ratings"])}) for row in rows]
