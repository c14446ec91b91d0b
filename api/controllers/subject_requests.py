"""Data-subject requests over HTTP: staff open and decide them for candidates and employees; a candidate or an
employee opens and follows their own through their portal token."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from api.openapi import OWN_RECORD_RESPONSES, UNKNOWN_FILTER_VALUE, raw_answer
from api.problems import locale_of
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.subject_requests import service
from domain.subject_requests.model import (
    Decision,
    NewOwnSubjectRequest,
    NewSubjectRequest,
    RequestFilter,
    RequestKind,
    RequestStatus,
    SubjectRequestView,
)

ZIP = "application/zip"


def _archive(name: str, data: bytes) -> Response[bytes]:
    return Response(data, media_type=ZIP, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})


def _language(request: Request[Any, Any, Any], fallback: str) -> str:
    return locale_of(request) if request.headers.get("accept-language") else fallback


class SubjectRequestController(Controller):
    path = "/v1/data-subject-requests"
    tags = ["Privacy"]

    @post("/", operation_id="createDataSubjectRequest", opt=requires(Operation.DATA_SUBJECT_REQUESTS_WRITE),
          summary="Open a data-subject request (access, portability, rectification, erasure, restriction) for a "
                  "candidate or an employee, due per the law of their country (audited)")
    async def create(self, principal: Caller, data: JSONBody[NewSubjectRequest]) -> Response[SubjectRequestView]:
        """Record a request a person made (by mail, phone, at the desk): the due date follows the law of the
        person's country (GDPR and UK GDPR: one month; China: 15 working days, practice under PIPL Art. 50;
        Singapore: 30 days; US: 45 days, California's CCPA; others per `due.basis`), counted from `received_on`.
        A rectification names the correction it asks for; it is made when the request is approved."""
        view = await service.open_request(principal, data)
        return created(view, f"{self.path}/{view.id}")

    @get("/", operation_id="listDataSubjectRequests", opt=requires(Operation.DATA_SUBJECT_REQUESTS_READ),
         responses=UNKNOWN_FILTER_VALUE,
         summary="List data-subject requests, by status, kind or due before a day")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   status: FromQuery[RequestStatus | None] = None, kind: FromQuery[RequestKind | None] = None,
                   due_before: FromQuery[date | None] = None) -> Page[SubjectRequestView]:
        """A page of requests in the order received (by id); `due_before` keeps those due before that day, so
        `status=open&due_before=<next week>` lists what needs an answer soon."""
        only = RequestFilter(status=status, kind=kind, due_before=due_before)
        return await service.list_requests(principal, cursor, limit, only)

    @get("/{request_id:uuid}", operation_id="getDataSubjectRequest",
         opt=requires(Operation.DATA_SUBJECT_REQUESTS_READ), summary="Read a data-subject request")
    async def read(self, principal: Caller, request_id: FromPath[UUID]) -> Response[SubjectRequestView]:
        """The request with its due date and the law behind it, its status, reviewer and decision."""
        return with_etag(await service.get_request(principal, request_id))

    @post("/{request_id:uuid}/decisions", operation_id="decideDataSubjectRequest",
          opt=requires(Operation.DATA_SUBJECT_REQUESTS_DECIDE),
          summary="Assign a reviewer, approve (and carry out) or refuse a data-subject request (If-Match; audited)")
    async def decide(self, request: Request[Any, Any, Any], principal: Caller, request_id: FromPath[UUID],
                     data: JSONBody[Decision]) -> Response[SubjectRequestView]:
        """`assign` puts the request `in_review` with its reviewer (a user who may decide). `approve` carries it
        out and completes it: an access or portability request's export becomes downloadable
        (`exportDataSubjectRequest`, or a report link for a browser); a rectification makes its correction
        through the existing change path (an employee's effective-dated employment change, a candidate's update)
        and `outcome.change` names it; an erasure crypto-shreds the person; a restriction marks them so their
        results are left out of comparisons and automated evaluation. `refuse` needs the `reason` the person is
        told. A decided request cannot change any more."""
        view = await service.decide(principal, request_id, data, expected_version(request))
        return with_etag(view)

    @get("/{request_id:uuid}/export", operation_id="exportDataSubjectRequest",
         opt={**requires(Operation.DATA_SUBJECT_REQUESTS_DECIDE), **raw_answer(ZIP)},
         summary="Download everything held on the person of an approved access or portability request, as a ZIP "
                 "archive (JSON, a readable page, recordings; audited)")
    async def export(self, request: Request[Any, Any, Any], principal: Caller,
                     request_id: FromPath[UUID]) -> Response[bytes]:
        """The archive holds `data.json` (everything Meridian holds on the person, decrypted, machine-readable),
        `index.html` (the same as a page in the language of this request: en, zh-CN or ja) and each recording
        under `recordings/`. Built when asked, never stored; every read is audited. A browser opens it through a
        report link (`createReportLink` with `data_subject_export`)."""
        name, data = await service.export_request(principal, request_id, locale_of(request))
        return _archive(name, data)


class OwnSubjectRequestController(Controller):
    path = "/v1/my/data-subject-requests"
    tags = ["Privacy"]

    @post("/", operation_id="createMyDataSubjectRequest", opt=requires(Operation.OWN_DATA_SUBJECT_REQUESTS_WRITE),
          responses=OWN_RECORD_RESPONSES,
          summary="Ask for a copy of your data, its correction, its erasure or a stop to its use (your portal)")
    async def create(self, principal: Caller, data: JSONBody[NewOwnSubjectRequest]) -> Response[SubjectRequestView]:
        """A candidate (portal token) or an employee (employee token) opens a request about themselves, received
        today; the organisation's reviewers decide it by its due date."""
        view = await service.open_own_request(principal, data)
        return created(view, f"{self.path}/{view.id}")

    @get("/", operation_id="listMyDataSubjectRequests", opt=requires(Operation.OWN_DATA_SUBJECT_REQUESTS_READ),
         responses=OWN_RECORD_RESPONSES, summary="Your own data-subject requests")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[SubjectRequestView]:
        """Your requests, in the order you made them, with their due dates and decisions."""
        return await service.list_requests(principal, cursor, limit, RequestFilter(),
                                           service.own_person(principal))

    @get("/{request_id:uuid}", operation_id="getMyDataSubjectRequest",
         opt=requires(Operation.OWN_DATA_SUBJECT_REQUESTS_READ), responses=OWN_RECORD_RESPONSES,
         summary="Read one of your data-subject requests")
    async def read(self, principal: Caller, request_id: FromPath[UUID]) -> Response[SubjectRequestView]:
        """Your request; someone else's answers 404, like one that does not exist."""
        return with_etag(await service.get_request(principal, request_id, service.own_person(principal)))

    @get("/{request_id:uuid}/export", operation_id="exportMyDataSubjectRequest",
         opt={**requires(Operation.OWN_DATA_SUBJECT_REQUESTS_READ), **raw_answer(ZIP)},
         responses=OWN_RECORD_RESPONSES,
         summary="Download your data of an approved access or portability request, as a ZIP archive")
    async def export(self, request: Request[Any, Any, Any], principal: Caller,
                     request_id: FromPath[UUID]) -> Response[bytes]:
        """Everything Meridian holds about you, as `data.json`, a page in your language (`index.html`) and your
        recordings; audited. In a browser, open it through a report link (`createReportLink` with
        `data_subject_export`)."""
        name, data = await service.export_request(principal, request_id, _language(request, principal.locale),
                                                  service.own_person(principal))
        return _archive(name, data)
