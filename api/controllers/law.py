"""Law that stays current: coverage, the tenant's own law versions (four eyes) and its written choices."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream

from api.guards import Caller, requires
from api.http import Cursor, Limit, created
from api.openapi import raw_answer, raw_body
from api.uploads import UPLOAD_RESPONSES, upload_body
from compliance.coverage import CoverageRow
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.kernel.time import to_local, utc_now
from domain.regulation import service
from domain.regulation.model import (
    CountryCode,
    LawChoiceView,
    LawDecision,
    LawVersionStatus,
    LawVersionView,
    NewLawChoice,
    NewLawVersion,
)

#: What ``domain.regulation.service.DOCUMENT_TYPE`` accepts, as the API document lists it.
NOTICE_MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg")


class CoverageController(Controller):
    path = "/v1/compliance/coverage"
    tags = ["Compliance"]

    @get("/", operation_id="getLawCoverage", opt=requires(Operation.COMPLIANCE_READ),
         summary="What law is known, and how well: per country, series and region, as your tenant runs on it")
    async def coverage(self, principal: Caller, country: FromQuery[CountryCode | None] = None,
                       on: FromQuery[date | None] = None, limit: Limit = 50,
                       cursor: Cursor = None) -> Page[CoverageRow]:
        today = on or to_local(utc_now(), principal.timezone).date()
        return await service.list_coverage(principal, today, country, cursor, limit)


class LawVersionController(Controller):
    path = "/v1/law-versions"
    tags = ["Compliance"]

    @get("/", operation_id="listLawVersions",
         opt=requires(Operation.COMPLIANCE_READ), summary="Your tenant's own versions of statutory series")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   country: FromQuery[CountryCode | None] = None,
                   status: FromQuery[LawVersionStatus | None] = None) -> Page[LawVersionView]:
        return await service.list_versions(principal, cursor, limit, country, status)

    @post("/", operation_id="proposeLawVersion", opt=requires(Operation.LAW_VERSIONS_WRITE),
          summary="Propose your tenant's own version of a series (for example a city's new base); another "
                  "person approves it")
    async def propose(self, principal: Caller, data: JSONBody[NewLawVersion]) -> Response[LawVersionView]:
        version = await service.propose_version(principal, data)
        return created(version, f"/v1/law-versions/{version.id}")

    @get("/{version_id:uuid}", operation_id="getLawVersion",
         opt=requires(Operation.COMPLIANCE_READ), summary="Read one of your law versions")
    async def read(self, principal: Caller, version_id: FromPath[UUID]) -> LawVersionView:
        return await service.get_version(principal, version_id)

    @put("/{version_id:uuid}/document", operation_id="attachLawDocument",
         opt={**requires(Operation.LAW_VERSIONS_WRITE), **raw_body(*NOTICE_MEDIA_TYPES)},
         responses=UPLOAD_RESPONSES,
         summary="Attach the notice the figures come from (the raw body: PDF, PNG or JPEG), sealed at rest, "
                 "for the approver to read")
    async def attach(self, request: Request[Any, Any, Any], principal: Caller,
                     version_id: FromPath[UUID]) -> LawVersionView:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return await service.attach_document(principal, version_id, content_type, upload_body(request),
                                             request.app.state.settings.max_upload_bytes)

    @get("/{version_id:uuid}/document", operation_id="downloadLawDocument",
         opt={**requires(Operation.COMPLIANCE_READ), **raw_answer(*NOTICE_MEDIA_TYPES)},
         summary="Download a version's source document (audited)")
    async def document(self, principal: Caller, version_id: FromPath[UUID]) -> Stream:
        content_type, content = await service.open_document(principal, version_id)
        return Stream(content, media_type=content_type)

    @post("/{version_id:uuid}/approval", operation_id="approveLawVersion",
          opt=requires(Operation.LAW_VERSIONS_APPROVE), status_code=200,
          summary="Approve a proposed version (not its proposer); calculations use it from now on")
    async def approve(self, principal: Caller, version_id: FromPath[UUID],
                      data: JSONBody[LawDecision]) -> LawVersionView:
        return await service.approve_version(principal, version_id, data)

    @post("/{version_id:uuid}/rejection", operation_id="rejectLawVersion",
          opt=requires(Operation.LAW_VERSIONS_APPROVE), status_code=200,
          summary="Reject a proposed version")
    async def reject(self, principal: Caller, version_id: FromPath[UUID],
                     data: JSONBody[LawDecision]) -> LawVersionView:
        return await service.reject_version(principal, version_id, data)

    @post("/{version_id:uuid}/retirement", operation_id="retireLawVersion",
          opt=requires(Operation.LAW_VERSIONS_APPROVE), status_code=200,
          summary="Go back to the published law for an approved version's days")
    async def retire(self, principal: Caller, version_id: FromPath[UUID],
                     data: JSONBody[LawDecision]) -> LawVersionView:
        return await service.retire_version(principal, version_id, data)


class LawChoiceController(Controller):
    path = "/v1/law-choices"
    tags = ["Compliance"]

    @get("/", operation_id="listLawChoices", opt=requires(Operation.COMPLIANCE_READ),
         summary="Your written choices, in the order made: series carried forward provisionally, unverified "
                 "series accepted")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[LawChoiceView]:
        return await service.list_choices(principal, cursor, limit)

    @post("/", operation_id="makeLawChoice", opt=requires(Operation.PAYROLL_ADMIN),
          summary="Carry a late-published series forward provisionally, or accept an unverified one, with a reason")
    async def make(self, principal: Caller, data: JSONBody[NewLawChoice]) -> LawChoiceView:
        return await service.make_choice(principal, data)

    @delete("/{choice_id:uuid}", operation_id="withdrawLawChoice",
            opt=requires(Operation.PAYROLL_ADMIN), summary="Withdraw a choice")
    async def withdraw(self, principal: Caller, choice_id: FromPath[UUID]) -> None:
        await service.withdraw_choice(principal, choice_id)
