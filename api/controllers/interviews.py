"""Interview scheduling over HTTP: book, read in every participant's zone, export to calendars."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.guards import Caller, requires
from api.http import Cursor, Limit, aware, created
from api.problems import locale_of
from domain.interviews import service
from domain.interviews.interviewer_view import InterviewerView, interviewer_view
from domain.interviews.model import InterviewFilter, NewInterview
from domain.interviews.service import FeedbackView, InterviewView, NewFeedback
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
StartsFrom = Annotated[datetime | None, QueryParameter(
    name="from", description="Only interviews starting at or after this instant (RFC 3339, with its UTC offset).")]
StartsBefore = Annotated[datetime | None, QueryParameter(
    name="to", description="Only interviews starting before this instant (RFC 3339, with its UTC offset).")]


class InterviewController(Controller):
    path = "/v1/interviews"
    tags = ["Recruitment"]

    @post("/", operation_id="scheduleInterview", opt=requires(Operation.INTERVIEWS_WRITE),
          summary="Schedule an interview; an interviewer cannot be booked twice at once")
    async def schedule(self, principal: Caller, data: JSONBody[NewInterview]) -> Response[InterviewView]:
        interview = await service.schedule(principal, data)
        return created(interview, f"/v1/interviews/{interview.id}")

    @get("/{interview_id:uuid}", operation_id="getInterview", opt=requires(Operation.INTERVIEWS_READ),
         summary="An interview in UTC and in each participant's local time")
    async def read(self, principal: Caller, interview_id: FromPath[UUID]) -> InterviewView:
        return await service.get_interview(principal, interview_id)

    @get("/{interview_id:uuid}/calendar.ics", operation_id="getInterviewCalendar",
         opt=requires(Operation.INTERVIEWS_READ),
         summary="The interview as an iCalendar (RFC 5545) file", media_type=CALENDAR_MEDIA_TYPE)
    async def calendar(self, principal: Caller, interview_id: FromPath[UUID]) -> Response[str]:
        content = await service.calendar_file(principal, interview_id)
        return Response(content, media_type=CALENDAR_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="interview-{interview_id}.ics"'})

    @get("/", operation_id="listInterviews", opt=requires(Operation.INTERVIEWS_READ),
         summary="Interviews by start time: one application's, or those starting in a from/to window")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   application_id: FromQuery[UUID | None] = None, starts_from: StartsFrom = None,
                   starts_before: StartsBefore = None) -> Page[InterviewView]:
        only = InterviewFilter(application_id=application_id, starts_from=aware(starts_from, "from"),
                               starts_before=aware(starts_before, "to"))
        return await service.list_interviews(principal, cursor, limit, only)

    @post("/{interview_id:uuid}/feedback", operation_id="giveInterviewFeedback",
          opt=requires(Operation.INTERVIEW_FEEDBACK_WRITE),
          summary="An interviewer of this interview gives their ratings, recommendation and notes, once")
    async def give_feedback(self, principal: Caller, interview_id: FromPath[UUID],
                            data: JSONBody[NewFeedback]) -> FeedbackView:
        return await service.give_feedback(principal, interview_id, data)

    @get("/{interview_id:uuid}/feedback", operation_id="listInterviewFeedback", opt=requires(Operation.INTERVIEWS_READ),
         summary="The interviewers' feedback on an interview, in the order given")
    async def feedback(self, principal: Caller, interview_id: FromPath[UUID], limit: Limit = 50,
                       cursor: Cursor = None) -> Page[FeedbackView]:
        return await service.list_feedback(principal, interview_id, cursor, limit)


class InterviewerViewController(Controller):
    path = "/v1/applications/{application_id:uuid}/interviewer-view"
    tags = ["Recruitment"]

    @get("/", operation_id="getInterviewerView", opt=requires(Operation.INTERVIEWS_READ),
         summary="Everything an interviewer needs: candidate (masked by role), history, AI evaluation against the "
                 "model, feedback and interviews")
    async def read(self, request: Request[Any, Any, Any], principal: Caller,
                   application_id: FromPath[UUID]) -> InterviewerView:
        return await interviewer_view(principal, application_id, locale_of(request))
