"""Candidate self-service: a token scoped to one candidate reads that candidate's own applications,
their stages and interview times in the candidate's language and time zone, and nothing else."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.identity.service import grant_self_service
from domain.interviews import queries
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.i18n import LocaleTag, show_locales
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.kernel.time import rfc3339, to_local
from domain.recruitment.model import ApplicationRecord, CandidateSummary, pick_text
from domain.recruitment.service import (
    CandidateNotFound,
    JobNotFound,
    applications_in,
    candidate_in,
    job_in,
    stages_for,
    tenant_default_locale,
)

SUBJECT_PREFIX = "candidate:"


class PortalInterview(msgspec.Struct, frozen=True):
    """An interview as the candidate sees it: its title, start and end in UTC and in the candidate's time zone (RFC 3339
    with its offset), and the video link, if any."""

    title: str
    start_utc: datetime
    end_utc: datetime
    start_local: str
    end_local: str
    timezone: str
    video_link: str | None


class PortalApplication(msgspec.Struct, frozen=True):
    """One of the candidate's applications as they see it: the job title and the stage's name in their language, when it
    last changed, and its interviews."""

    application_id: UUID
    job_title: str
    stage: str
    stage_name: str
    updated_at: datetime
    interviews: list[PortalInterview]


class PortalOverview(msgspec.Struct, frozen=True):
    """What a candidate sees through their portal token: their name, language and time zone, and their applications (up
    to 200)."""

    candidate_id: UUID
    full_name: str
    locale: LocaleTag
    timezone: str
    applications: list[PortalApplication]

    def __post_init__(self) -> None:
        show_locales(self, "locale")


def portal_subject(candidate_id: UUID) -> str:
    return f"{SUBJECT_PREFIX}{candidate_id}"


def candidate_of(principal: Principal) -> UUID:
    """The one candidate a candidate token may see: named by its verified subject."""
    if Role.CANDIDATE not in principal.roles or not principal.subject.startswith(SUBJECT_PREFIX):
        raise CandidateNotFound()  # a token that names no candidate has no candidate to show
    return UUID(principal.subject.removeprefix(SUBJECT_PREFIX))


async def grant_access(principal: Principal, candidate_id: UUID) -> str:
    """Let the candidate sign in to their portal: the subject their tokens carry."""
    subject = portal_subject(candidate_id)
    async with unit_of_work(principal.tenant_id) as uow:
        candidate = await _candidate(uow, candidate_id)
        await grant_self_service(uow, subject, candidate.full_name, Role.CANDIDATE, candidate.timezone,
                                 candidate.locale)
        await record(uow, principal, "candidate.portal_access_granted", "candidate", candidate_id)
    return subject


async def overview(principal: Principal) -> PortalOverview:
    candidate_id = candidate_of(principal)
    async with unit_of_work(principal.tenant_id) as uow:
        candidate = await _candidate(uow, candidate_id)
        fallback = await tenant_default_locale(uow)
        stages = {s.code: s.name for s in await stages_for(uow, candidate.locale)}
        applications = [await _application(uow, application, candidate, stages, fallback)
                        for application in await applications_in(uow, 200, candidate_id=candidate_id)]
    return PortalOverview(candidate_id=candidate_id, full_name=candidate.full_name, locale=candidate.locale,
                          timezone=candidate.timezone, applications=applications)


async def _candidate(uow: UnitOfWork, candidate_id: UUID) -> CandidateSummary:
    candidate = await candidate_in(uow, candidate_id)
    if candidate is None:
        raise CandidateNotFound()
    return candidate


async def _application(uow: UnitOfWork, application: ApplicationRecord, candidate: CandidateSummary,
                       stages: dict[str, str], fallback: str) -> PortalApplication:
    job = await job_in(uow, application.job_id)
    if job is None:
        raise JobNotFound()
    zone = candidate.timezone
    interviews = [
        PortalInterview(title=i.title, start_utc=i.start_utc, end_utc=i.end_utc,
                        start_local=rfc3339(to_local(i.start_utc, zone)), end_local=rfc3339(to_local(i.end_utc, zone)),
                        timezone=zone, video_link=i.video_link)
        for i in await queries.interviews_of_application(uow, application.id)
    ]
    return PortalApplication(
        application_id=application.id, job_title=pick_text(job.title, candidate.locale, fallback),
        stage=application.stage, stage_name=stages.get(application.stage, application.stage),
        updated_at=application.updated_at, interviews=interviews)
