"""Recruitment over HTTP: pipeline stages, jobs, competency models, candidates, consents, applications."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth import issue_token
from api.guards import Caller, requires
from api.http import Cursor, Limit, UpdatedSince, aware, created, expected_version, with_etag
from api.openapi import OWN_RECORD_RESPONSES, UNKNOWN_FILTER_VALUE
from api.problems import locale_of
from domain.assessments import safeguards
from domain.interviews import portal
from domain.interviews.portal import PortalOverview
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation, Role
from domain.notifications.model import NotificationView
from domain.recruitment import service
from domain.recruitment.model import (
    ApplicationFilter,
    ApplicationView,
    CandidatePatch,
    CandidateView,
    ConsentView,
    JobPatch,
    JobStatus,
    JobView,
    ModelVersionView,
    NewApplication,
    NewCandidate,
    NewConsent,
    NewJob,
    NewModelVersion,
    NewStage,
    StageChangeView,
    StageMove,
    StageView,
)


class PipelineController(Controller):
    path = "/v1/pipeline-stages"
    tags = ["Recruitment"]

    @get("/", operation_id="listPipelineStages",
         opt=requires(Operation.PIPELINE_READ), summary="The tenant's pipeline stages, in order")
    async def list(self, request: Request[Any, Any, Any], principal: Caller, limit: Limit = 50,
                   cursor: Cursor = None) -> Page[StageView]:
        return await service.list_stages(principal, locale_of(request), cursor, limit)

    @post("/", operation_id="addPipelineStage", opt=requires(Operation.PIPELINE_WRITE),
          summary="Add a pipeline stage; answers the stage added")
    async def add(self, request: Request[Any, Any, Any], principal: Caller,
                  data: JSONBody[NewStage]) -> StageView:
        return await service.add_stage(principal, data, locale_of(request))


class JobController(Controller):
    path = "/v1/jobs"
    tags = ["Recruitment"]

    @get("/", operation_id="listJobs", opt=requires(Operation.JOBS_READ), summary="List jobs, titles in your language")
    async def list(self, request: Request[Any, Any, Any], principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   status: FromQuery[JobStatus | None] = None,
                   legal_entity_id: FromQuery[UUID | None] = None) -> Page[JobView]:
        return await service.list_jobs(principal, cursor, limit, status, locale_of(request),
                                       legal_entity_id=legal_entity_id)

    @post("/", operation_id="createJob",
          opt=requires(Operation.JOBS_WRITE), summary="Open a job (requisition) for a legal entity")
    async def create(self, request: Request[Any, Any, Any], principal: Caller,
                     data: JSONBody[NewJob]) -> Response[JobView]:
        job = await service.create_job(principal, data, locale_of(request))
        return created(job, f"/v1/jobs/{job.id}")

    @get("/{job_id:uuid}", operation_id="getJob",
         opt=requires(Operation.JOBS_READ), summary="Read a job in your language")
    async def read(self, request: Request[Any, Any, Any], principal: Caller,
                   job_id: FromPath[UUID]) -> Response[JobView]:
        return with_etag(await service.get_job(principal, job_id, locale_of(request)))

    @patch("/{job_id:uuid}", operation_id="updateJob",
           opt=requires(Operation.JOBS_WRITE), summary="Change a job (If-Match)")
    async def update(self, request: Request[Any, Any, Any], principal: Caller, job_id: FromPath[UUID],
                     data: JSONBody[JobPatch]) -> Response[JobView]:
        return with_etag(await service.update_job(principal, job_id, data, expected_version(request),
                                                  locale_of(request)))

    @get("/{job_id:uuid}/competency-model-versions", operation_id="listCompetencyModelVersions",
         opt=requires(Operation.COMPETENCY_MODELS_READ),
         summary="Every version of the job's competency model, oldest first")
    async def model_versions(self, principal: Caller, job_id: FromPath[UUID], limit: Limit = 50,
                             cursor: Cursor = None) -> Page[ModelVersionView]:
        return await service.list_model_versions(principal, job_id, cursor, limit)

    @post("/{job_id:uuid}/competency-model-versions", operation_id="publishCompetencyModelVersion",
          opt=requires(Operation.COMPETENCY_MODELS_WRITE),
          summary="Publish a new competency model version (weights sum to 1)")
    async def publish(self, principal: Caller, job_id: FromPath[UUID],
                      data: JSONBody[NewModelVersion]) -> ModelVersionView:
        return await service.publish_model_version(principal, job_id, data)


class CandidateController(Controller):
    path = "/v1/candidates"
    tags = ["Recruitment"]

    @get("/", operation_id="listCandidates", opt=requires(Operation.CANDIDATES_READ),
         summary="List candidates (personal data masked unless you hold pii:read; clear reads are audited)")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   updated_since: UpdatedSince = None) -> Page[CandidateView]:
        return await service.list_candidates(principal, cursor, limit, aware(updated_since, "updated_since"))

    @post("/", operation_id="createCandidate", opt=requires(Operation.CANDIDATES_WRITE),
          summary="Add a candidate; duplicates by email, phone or national id are refused")
    async def create(self, principal: Caller, data: JSONBody[NewCandidate]) -> Response[CandidateView]:
        candidate = await service.create_candidate(principal, data)
        return created(candidate, f"/v1/candidates/{candidate.id}")

    @get("/{candidate_id:uuid}", operation_id="getCandidate",
         opt=requires(Operation.CANDIDATES_READ), summary="Read a candidate")
    async def read(self, principal: Caller, candidate_id: FromPath[UUID]) -> Response[CandidateView]:
        return with_etag(await service.get_candidate(principal, candidate_id))

    @patch("/{candidate_id:uuid}", operation_id="updateCandidate",
           opt=requires(Operation.CANDIDATES_WRITE), summary="Change a candidate's notification channel (If-Match)")
    async def update(self, request: Request[Any, Any, Any], principal: Caller, candidate_id: FromPath[UUID],
                     data: JSONBody[CandidatePatch]) -> Response[CandidateView]:
        """Choose how the candidate's progress messages reach them: `email` or `sms` (the address must be on
        file) or `none`. Audited with the channel before and after."""
        return with_etag(await service.update_candidate(principal, candidate_id, data, expected_version(request)))

    @post("/{candidate_id:uuid}/portal-tokens", operation_id="issueCandidatePortalToken",
          opt=requires(Operation.CANDIDATES_WRITE),
          summary="A token for the candidate's mobile app or portal, scoped to this one candidate (7 days)")
    async def portal_token(self, request: Request[Any, Any, Any], principal: Caller,
                           candidate_id: FromPath[UUID]) -> PortalToken:
        subject = await portal.grant_access(principal, candidate_id)
        runtime = request.app.state.runtime
        token = issue_token(runtime.settings, runtime.secret, tenant_id=principal.tenant_id, subject=subject,
                            roles=[Role.CANDIDATE.value], ttl_seconds=PORTAL_TOKEN_SECONDS)
        return PortalToken(token=token, expires_in=PORTAL_TOKEN_SECONDS, subject=subject)

    @get("/{candidate_id:uuid}/consents", operation_id="listConsents",
         opt=requires(Operation.CANDIDATES_READ), summary="The candidate's consents, oldest first")
    async def consents(self, principal: Caller, candidate_id: FromPath[UUID], limit: Limit = 50,
                       cursor: Cursor = None) -> Page[ConsentView]:
        return await service.list_consents(principal, candidate_id, cursor, limit)

    @post("/{candidate_id:uuid}/consents", operation_id="recordConsent", opt=requires(Operation.CANDIDATES_WRITE),
          summary="Record a consent: purpose, when given, evidence")
    async def consent(self, principal: Caller, candidate_id: FromPath[UUID],
                      data: JSONBody[NewConsent]) -> ConsentView:
        return await service.add_consent(principal, candidate_id, data)

    @post("/{candidate_id:uuid}/consents/{consent_id:uuid}/withdraw", operation_id="withdrawConsent",
          opt=requires(Operation.CANDIDATES_WRITE),
          status_code=200, summary="Withdraw a consent")
    async def withdraw(self, principal: Caller, candidate_id: FromPath[UUID],
                       consent_id: FromPath[UUID]) -> ConsentView:
        return await service.withdraw_consent(principal, candidate_id, consent_id)


class PortalToken(msgspec.Struct, frozen=True):
    """A bearer token for a candidate's or an employee's self-service, scoped to the one person it was issued for
    (`subject`) and valid for `expires_in` seconds (7 days)."""

    token: str
    expires_in: int
    subject: str


PORTAL_TOKEN_SECONDS = 7 * 24 * 3600


class CandidatePortalController(Controller):
    path = "/v1/candidate-portal"
    tags = ["Candidate portal"]

    @get("/", operation_id="getCandidatePortal",
         opt=requires(Operation.CANDIDATE_PORTAL_READ), responses=OWN_RECORD_RESPONSES,
         summary="The candidate's own applications, stages and interview times, in their language and zone")
    async def overview(self, principal: Caller) -> PortalOverview:
        return await portal.overview(principal)


StageFilter = Annotated[str | None, QueryParameter(
    pattern=r"^[a-z][a-z0-9_]{0,49}$", description="A stage code of the tenant's pipeline (applied, interview, ...)")]


class ApplicationController(Controller):
    path = "/v1/applications"
    tags = ["Recruitment"]

    @get("/", operation_id="listApplications",
         opt=requires(Operation.APPLICATIONS_READ), responses=UNKNOWN_FILTER_VALUE,
         summary="List applications, each with its candidate's name and job title; by job, stage or changes since")
    async def list(self, request: Request[Any, Any, Any], principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   job_id: FromQuery[UUID | None] = None, stage: StageFilter = None,
                   updated_since: UpdatedSince = None) -> Page[ApplicationView]:
        only = ApplicationFilter(job_id=job_id, stage=stage, updated_since=aware(updated_since, "updated_since"))
        return await service.list_applications(principal, cursor, limit, only, locale_of(request))

    @post("/", operation_id="createApplication",
          opt=requires(Operation.APPLICATIONS_WRITE), summary="Apply a candidate to a job")
    async def create(self, request: Request[Any, Any, Any], principal: Caller,
                     data: JSONBody[NewApplication]) -> Response[ApplicationView]:
        application = await service.create_application(principal, data, locale_of(request))
        return created(application, f"/v1/applications/{application.id}")

    @get("/{application_id:uuid}", operation_id="getApplication",
         opt=requires(Operation.APPLICATIONS_READ), summary="Read an application")
    async def read(self, request: Request[Any, Any, Any], principal: Caller,
                   application_id: FromPath[UUID]) -> Response[ApplicationView]:
        return with_etag(await service.get_application(principal, application_id, locale_of(request)))

    @post("/{application_id:uuid}/stage", operation_id="moveApplicationStage",
          opt=requires(Operation.APPLICATIONS_WRITE), status_code=200,
          summary="Move to another pipeline stage with a reason (If-Match); notifies the candidate")
    async def move(self, request: Request[Any, Any, Any], principal: Caller, application_id: FromPath[UUID],
                   data: JSONBody[StageMove]) -> Response[ApplicationView]:
        """When an AI evaluation's pass/fail is in use for the application (the candidate consented to AI-assisted
        evaluation), the move is recorded as a person's decision on it in the same transaction (listed by
        `listApplicationDecisions`: `evaluation_pass_fail`, `advance` or `rejected`, the evaluation, the stages and
        the reason); a partner client's token cannot make such a move (403 decision_needs_a_person)."""
        return with_etag(await safeguards.move_application(principal, application_id, data,
                                                           expected_version(request), locale_of(request)))

    @get("/{application_id:uuid}/history", operation_id="listApplicationHistory",
         opt=requires(Operation.APPLICATIONS_READ),
         summary="Every stage change: who, when, why (oldest first)")
    async def history(self, principal: Caller, application_id: FromPath[UUID], limit: Limit = 50,
                      cursor: Cursor = None) -> Page[StageChangeView]:
        return await service.list_stage_changes(principal, application_id, cursor, limit)

    @get("/{application_id:uuid}/notifications", operation_id="listApplicationNotifications",
         opt=requires(Operation.APPLICATIONS_READ),
         summary="The messages sent to the candidate about this application, with their delivery (oldest first)")
    async def notifications(self, request: Request[Any, Any, Any], principal: Caller,
                            application_id: FromPath[UUID], limit: Limit = 50,
                            cursor: Cursor = None) -> Page[NotificationView]:
        """Each message's channel, masked destination, delivery status (`pending`, `deferred` for the candidate's
        quiet hours, `sent`, `failed`, `suppressed` when the candidate has no channel), attempts and the next one,
        with every time in UTC and in the candidate's zone, and the last error in your language."""
        return await service.list_application_notifications(principal, application_id, cursor, limit,
                                                            locale_of(request))
