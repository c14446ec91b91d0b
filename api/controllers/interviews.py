"""Interview scheduling over HTTP: book, read in every participant's zone, export to calendars."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import caller, requires
from domain.identity.permissions import Operation
from domain.interviews import service
from domain.interviews.model import NewInterview
from domain.interviews.service import InterviewView

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"


class InterviewController(Controller):
    path = "/v1/interviews"
    tags = ["Recruitment"]

    @post("/", opt=requires(Operation.INTERVIEWS_WRITE),
          summary="Schedule an interview; an interviewer cannot be booked twice at once")
    async def schedule(self, request: Request[Any, Any, Any], data: JSONBody[NewInterview]) -> InterviewView:
        return await service.schedule(caller(request), data)

    @get("/{interview_id:uuid}", opt=requires(Operation.INTERVIEWS_READ),
         summary="An interview in UTC and in each participant's local time")
    async def read(self, request: Request[Any, Any, Any], interview_id: FromPath[UUID]) -> InterviewView:
        return await service.get_interview(caller(request), interview_id)

    @get("/{interview_id:uuid}/calendar.ics", opt=requires(Operation.INTERVIEWS_READ),
         summary="The interview as an iCalendar (RFC 5545) file", media_type=CALENDAR_MEDIA_TYPE)
    async def calendar(self, request: Request[Any, Any, Any], interview_id: FromPath[UUID]) -> Response[str]:
        content = await service.calendar_file(caller(request), interview_id)
        return Response(content, media_type=CALENDAR_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="interview-{interview_id}.ics"'})

    @get("/", opt=requires(Operation.INTERVIEWS_READ), summary="The interviews of one application")
    async def of_application(self, request: Request[Any, Any, Any],
                             application_id: FromQuery[UUID]) -> list[InterviewView]:
        return await service.interviews_of_application(caller(request), application_id)
