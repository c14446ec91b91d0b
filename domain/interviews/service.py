"""Scheduling interviews: one booking per interviewer at a time, times shown in every participant's zone."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.identity.service import user_by_subject_in, user_in
from domain.interviews import queries
from domain.interviews.calendar_export import to_ics
from domain.interviews.model import (
    InterviewerDoubleBooked,
    InterviewFilter,
    InterviewSlot,
    InterviewTimes,
    NewInterview,
    ParticipantKind,
    ParticipantTime,
    times_for,
)
from domain.interviews.queries import FeedbackRow, InterviewRow, ParticipantRow
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import (
    Page,
    decode_keyed_cursor,
    decode_uuid_cursor,
    instant,
    keyed_position,
    map_page,
    page_of,
)
from domain.kernel.principal import Principal
from domain.kernel.time import rfc3339, utc_now
from domain.recruitment.service import ApplicationNotFound, application_in


class InterviewNotFound(NotFound):
    code = "interview_not_found"
    template = "There is no interview with this id."


class NotThisApplicationsCandidate(InvalidInput):
    code = "interview_candidate_mismatch"
    title = "Wrong candidate"
    template = "The candidate of an interview must be the candidate of its application."


class InterviewerUnknown(InvalidInput):
    code = "interviewer_unknown"
    title = "Unknown interviewer"
    template = "Interviewers must be users of this tenant; {person_id} is not."


class InterviewView(msgspec.Struct, frozen=True):
    """A scheduled interview: its application, title, status (`scheduled`), location or video link, start and end in
    UTC, each participant's local times, and who scheduled it (their subject) and when."""

    id: UUID
    application_id: UUID
    title: str
    status: str
    location: str | None
    video_link: str | None
    start_utc: datetime
    end_utc: datetime
    participants: list[ParticipantTime]
    created_by: str
    created_at: datetime


class _Participant(msgspec.Struct, frozen=True):
    person_id: UUID
    kind: ParticipantKind
    display_name: str
    timezone: str


async def schedule(principal: Principal, request: NewInterview) -> InterviewView:
    slot = request.slot
    async with unit_of_work(principal.tenant_id) as uow:
        application = await application_in(uow, request.application_id)
        if application is None:
            raise ApplicationNotFound(field="application_id")
        if application.candidate_id != request.candidate.person_id:
            raise NotThisApplicationsCandidate(field="participants")
        for interviewer in request.interviewers:
            await _require_free(uow, interviewer.person_id, interviewer.display_name, slot)
        interview_id = new_id()
        values = {"application_id": request.application_id, "title": request.title, "location": request.location,
                  "video_link": request.video_link, "created_by": principal.subject}
        await queries.insert_interview(uow, interview_id, values, request.participants, slot)
        await record(uow, principal, "interview.scheduled", "interview", interview_id,
                     after={**values, "start_utc": slot.start_utc, "end_utc": slot.end_utc,
                            "participants": [str(p.person_id) for p in request.participants]})
        return await _view(uow, interview_id)


async def _require_free(uow: UnitOfWork, person_id: UUID, name: str, slot: InterviewSlot) -> None:
    if await user_in(uow, person_id) is None:
        raise InterviewerUnknown(person_id=str(person_id), field="participants")
    await queries.lock_interviewer(uow, person_id)
    clash = await queries.bookings_overlapping(uow, person_id, slot)
    if clash:
        raise InterviewerDoubleBooked(interviewer=name, start=rfc3339(clash[0].start_utc),
                                      end=rfc3339(clash[0].end_utc), field="participants")


async def get_interview(principal: Principal, interview_id: UUID) -> InterviewView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _view(uow, interview_id)


async def interviews_of_application(principal: Principal, application_id: UUID) -> list[InterviewView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        return await _views(uow, await queries.interviews_of_application(uow, application_id))


async def list_interviews(principal: Principal, cursor: str | None, limit: int,
                          only: InterviewFilter) -> Page[InterviewView]:
    """By start time; an application the filter names must exist."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if only.application_id and await application_in(uow, only.application_id) is None:
            raise ApplicationNotFound()
        rows = await queries.interviews(uow, after=decode_keyed_cursor(cursor, instant), limit=limit + 1, only=only)
        page = page_of(rows, limit, lambda row: keyed_position(row.start_utc.isoformat(), row.id))
        views = await _views(uow, page.items)
    return Page(items=views, next_cursor=page.next_cursor)


async def calendar_file(principal: Principal, interview_id: UUID) -> str:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, people = await _load(uow, interview_id)
    slot = InterviewSlot(row.start_utc, row.end_utc)
    return to_ics(interview_id, row.title, slot, people, None, row.location, None, utc_now(),
                  url=row.video_link, sequence=row.sequence)


def _participant(row: ParticipantRow) -> _Participant:
    return _Participant(person_id=row.person_id, kind=ParticipantKind(row.kind), display_name=row.display_name,
                        timezone=row.timezone)


async def _load(uow: UnitOfWork, interview_id: UUID) -> tuple[InterviewRow, list[_Participant]]:
    row = await queries.interview(uow, interview_id)
    if row is None:
        raise InterviewNotFound()
    return row, [_participant(p) for p in await queries.participants(uow, row.id)]


async def _view(uow: UnitOfWork, interview_id: UUID) -> InterviewView:
    row, people = await _load(uow, interview_id)
    return _shown(row, people)


async def _views(uow: UnitOfWork, rows: list[InterviewRow]) -> list[InterviewView]:
    """Several interviews, their participants read in one query."""
    people: dict[UUID, list[_Participant]] = {}
    for participant in await queries.participants_of(uow, [row.id for row in rows]):
        people.setdefault(participant.interview_id, []).append(_participant(participant))
    return [_shown(row, people.get(row.id, [])) for row in rows]


def _shown(row: InterviewRow, people: list[_Participant]) -> InterviewView:
    times: InterviewTimes = times_for(InterviewSlot(row.start_utc, row.end_utc), people)
    return InterviewView(
        id=row.id, application_id=row.application_id, title=row.title, status=row.status,
        location=row.location, video_link=row.video_link, start_utc=times.start_utc, end_utc=times.end_utc,
        participants=times.participants, created_by=row.created_by, created_at=row.created_at,
    )


# -- interviewers' feedback ----------------------------------------------------------------------


class Recommendation(StrEnum):
    """An interviewer's hiring recommendation: `strong_yes`, `yes`, `no` or `strong_no`."""

    STRONG_YES = "strong_yes"
    YES = "yes"
    NO = "no"
    STRONG_NO = "strong_no"


RatingScore = Annotated[str, msgspec.Meta(pattern=r"^\d{1,3}(\.\d{1,2})?$", description="0 to 100")]


class NewFeedback(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An interviewer's own ratings per competency (0-100), recommendation and notes."""

    ratings: Annotated[dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,64}$")], RatingScore],
                       msgspec.Meta(max_length=50)]
    recommendation: Recommendation
    notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""

    def __post_init__(self) -> None:
        if any(Decimal(score) > 100 for score in self.ratings.values()):
            raise RatingOutOfRange(field="ratings")


class RatingOutOfRange(InvalidInput):
    code = "rating_out_of_range"
    title = "Rating out of range"
    template = "Ratings are scores between 0 and 100."


class NotAnInterviewerHere(Forbidden):
    code = "not_an_interviewer_of_this_interview"
    template = "Only the interviewers of this interview can give feedback on it."


class FeedbackAlreadyGiven(Conflict):
    code = "feedback_already_given"
    title = "Feedback already given"
    template = "You have already given feedback on this interview."


class FeedbackView(msgspec.Struct, frozen=True):
    """One interviewer's feedback on an interview, given once: their ratings per competency (0-100, decimal strings),
    recommendation and notes, and when it was given."""

    id: UUID
    interview_id: UUID
    interviewer_id: UUID
    interviewer_name: str
    ratings: dict[str, str]
    recommendation: Recommendation
    notes: str
    created_at: datetime


async def give_feedback(principal: Principal, interview_id: UUID, request: NewFeedback) -> FeedbackView:
    async with unit_of_work(principal.tenant_id) as uow:
        row, people = await _load(uow, interview_id)
        me = await user_by_subject_in(uow, principal.subject)
        mine = next((p for p in people if me and p.person_id == me.id and p.kind is ParticipantKind.INTERVIEWER),
                    None)
        if me is None or mine is None:
            raise NotAnInterviewerHere()
        if await queries.feedback_given(uow, interview_id, me.id):
            raise FeedbackAlreadyGiven()
        feedback_id = await queries.insert_feedback(uow, {
            "interview_id": interview_id, "interviewer_id": me.id, "interviewer_name": mine.display_name,
            "ratings": request.ratings, "recommendation": request.recommendation.value, "notes": request.notes})
        await record(uow, principal, "interview.feedback_given", "interview", interview_id,
                     after={"feedback": feedback_id, "recommendation": request.recommendation,
                            "ratings": request.ratings})
        return next(f for f in await _feedback(uow, row.id) if f.id == feedback_id)


async def feedback_on(principal: Principal, interview_id: UUID) -> list[FeedbackView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, _ = await _load(uow, interview_id)
        return await _feedback(uow, row.id)


async def list_feedback(principal: Principal, interview_id: UUID, cursor: str | None,
                        limit: int) -> Page[FeedbackView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.interview(uow, interview_id) is None:
            raise InterviewNotFound()
        rows = await queries.feedback(uow, interview_id, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return map_page(page_of(rows, limit, lambda row: str(row.id)), _feedback_view)


def _feedback_view(row: FeedbackRow) -> FeedbackView:
    return FeedbackView(id=row.id, interview_id=row.interview_id, interviewer_id=row.interviewer_id,
                        interviewer_name=row.interviewer_name, ratings=row.ratings,
                        recommendation=Recommendation(row.recommendation), notes=row.notes, created_at=row.created_at)


async def _feedback(uow: UnitOfWork, interview_id: UUID) -> list[FeedbackView]:
    return [_feedback_view(row) for row in await queries.feedback(uow, interview_id)]
