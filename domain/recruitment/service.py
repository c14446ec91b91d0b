"""Recruitment use cases: pipeline, jobs, competency models, candidates, consents, applications. The
pipeline (``pipeline``) and consents (``consents``) have modules of their own; other contexts and the HTTP
edge import them from here.

Personal data is validated, sealed under the tenant's key and blind-indexed on the way in; on the
way out it is masked unless the caller holds ``pii:read``, and every clear read is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.identity.service import existing_users_in
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, NotFound, UnknownReference
from domain.kernel.i18n import locale_code, translate
from domain.kernel.ids import new_id
from domain.kernel.pagination import (
    Page,
    decode_keyed_cursor,
    decode_number_cursor,
    decode_uuid_cursor,
    instant,
    keyed_position,
    map_page,
    page_of,
)
from domain.kernel.permissions import Operation
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.keys.service import (
    cipher_for,
    keyring_for,
    masked_generation,
    person_cipher,
    recall_masked,
    remember_masked,
    remembers_masked,
)
from domain.notifications.model import Message, NotificationView
from domain.notifications.service import enqueue_in, notifications_about_in
from domain.recruitment import lookups, queries
from domain.recruitment.consents import (
    ConsentNotFound,
    add_consent,
    ai_consented_in,
    list_consents,
    withdraw_consent,
)
from domain.recruitment.imports import CandidateChecker, CheckedCandidate, write_candidates_in
from domain.recruitment.model import (
    ApplicationFilter,
    ApplicationRecord,
    ApplicationView,
    CandidateNotFound,
    CandidateSummary,
    CandidateView,
    JobPatch,
    JobRecord,
    JobStatus,
    JobView,
    ModelVersionView,
    NewApplication,
    NewCandidate,
    NewJob,
    NewModelVersion,
    StageChangeView,
    StageMove,
    StageOutcome,
    StageView,
    pick_text,
    require_language,
)
from domain.recruitment.notifying import (
    NotificationAddressMissing,
    notification_recipient_in,
    require_address,
    update_candidate,
)
from domain.recruitment.personal_data import (
    INDEXED_FIELDS,
    candidate_view,
    normalised,
    opened,
    sealed_columns,
)
from domain.recruitment.pipeline import StageCodeTaken, StageNotFound, add_stage, list_stages, stages_for
from domain.recruitment.queries import (
    CandidateRow,
    CompetencyModelRow,
    ListedApplication,
    ModelVersionRow,
    StageChangeRow,
)
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in, own_tenant_in
from domain.webhooks import service as webhooks

__all__ = [
    "CandidateChecker",
    "CandidateNotFound",
    "CheckedCandidate",
    "ConsentNotFound",
    "NotificationAddressMissing",
    "StageCodeTaken",
    "StageNotFound",
    "add_consent",
    "add_stage",
    "ai_consented_in",
    "list_consents",
    "list_stages",
    "notification_recipient_in",
    "stages_for",
    "update_candidate",
    "withdraw_consent",
    "write_candidates_in",
]
#: The AI-evaluation safeguards move an application in the same transaction as a person's decision record.
__all__ += ["StageMove", "move_application_in"]


class JobNotFound(NotFound):
    code = "job_not_found"
    template = "There is no job with this id."


class ApplicationNotFound(NotFound):
    code = "application_not_found"
    template = "There is no application with this id."


class DuplicateCandidate(Conflict):
    code = "duplicate_candidate"
    title = "Possible duplicate candidate"
    template = "A candidate with the same {fields} already exists: {candidate_id}."


class AlreadyApplied(Conflict):
    code = "already_applied"
    title = "Already applied"
    template = "This candidate already has an application for this job."


class HiringTeamMemberUnknown(UnknownReference):
    code = "hiring_team_member_not_found"
    template = "There is no user with this id."


class NoCompetencyModel(NotFound):
    code = "competency_model_not_found"
    template = "This job has no competency model yet."


STAGE_CHANGED_SUBJECT = "Your application for {job}"
STAGE_CHANGED_BODY = "Your application for {job} has moved to the stage: {stage}."


# -- jobs ----------------------------------------------------------------------------------------


async def tenant_default_locale(uow: UnitOfWork) -> str:
    tenant = await own_tenant_in(uow)
    return locale_code(tenant.default_locale) if tenant else "en"


def _job_view(row: JobRecord, locale: str, fallback: str) -> JobView:
    language = locale if locale in row.title else fallback if fallback in row.title else next(iter(row.title))
    return JobView(
        id=row.id, legal_entity_id=row.legal_entity_id, title=pick_text(row.title, locale, fallback),
        description=pick_text(row.description, locale, fallback), language=language, titles=row.title,
        descriptions=row.description, status=JobStatus(row.status), location=row.location,
        hiring_team=row.hiring_team, version=row.version, created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def create_job(principal: Principal, request: NewJob, locale: str) -> JobView:
    async with unit_of_work(principal.tenant_id) as uow:
        fallback = await tenant_default_locale(uow)
        require_language(request.title, fallback)
        if await legal_entity_in(uow, request.legal_entity_id) is None:
            raise LegalEntityNotFound(field="legal_entity_id")
        await _require_hiring_team(uow, request.hiring_team)
        job_id = new_id()
        await queries.insert_job(uow, job_id, msgspec.structs.asdict(request))
        row = await _existing_job(uow, job_id)
        await record(uow, principal, "job.created", "job", job_id, after=request)
    return _job_view(row, locale, fallback)


async def _require_hiring_team(uow: UnitOfWork, team: list[UUID]) -> None:
    """Each member is looked up in the caller's tenant, so another tenant's user answers like a random id."""
    known = await existing_users_in(uow, team)
    unknown = next((position for position, user_id in enumerate(team) if user_id not in known), None)
    if unknown is not None:
        raise HiringTeamMemberUnknown(field=f"hiring_team[{unknown}]")


async def _existing_job(uow: UnitOfWork, job_id: UUID) -> JobRecord:
    row = await queries.job(uow, job_id)
    if row is None:
        raise JobNotFound()
    return row


async def get_job(principal: Principal, job_id: UUID, locale: str) -> JobView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await _existing_job(uow, job_id)
        fallback = await tenant_default_locale(uow)
    return _job_view(row, locale, fallback)


async def list_jobs(principal: Principal, cursor: str | None, limit: int, status: str | None,
                    locale: str, *, legal_entity_id: UUID | None = None) -> Page[JobView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.jobs(uow, after=decode_uuid_cursor(cursor), limit=limit + 1, status=status,
                                  legal_entity_id=legal_entity_id)
        fallback = await tenant_default_locale(uow)
    return page_of([_job_view(r, locale, fallback) for r in rows], limit, lambda j: str(j.id))


async def update_job(principal: Principal, job_id: UUID, patch: JobPatch, expected_version: int,
                     locale: str) -> JobView:
    values = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not None}
    async with unit_of_work(principal.tenant_id) as uow:
        before = msgspec.structs.asdict(await _existing_job(uow, job_id))
        fallback = await tenant_default_locale(uow)
        if "title" in values:
            require_language(values["title"], fallback)
        await _require_hiring_team(uow, values.get("hiring_team", []))
        await queries.update_job(uow, job_id, expected_version, values)
        after = await _existing_job(uow, job_id)
        await record(uow, principal, "job.updated", "job", job_id,
                     before={k: before[k] for k in values}, after=values)
    return _job_view(after, locale, fallback)


# -- competency models ---------------------------------------------------------------------------


def _version_view(model: CompetencyModelRow, row: ModelVersionRow) -> ModelVersionView:
    return ModelVersionView(model_id=model.id, job_id=model.job_id, name=model.name, number=row.number,
                            effective_from=row.effective_from, competencies=row.competencies,
                            overall_pass_threshold=row.overall_pass_threshold, created_by=row.created_by,
                            created_at=row.created_at)


async def publish_model_version(principal: Principal, job_id: UUID, request: NewModelVersion) -> ModelVersionView:
    """A new version of the job's competency model; evaluations keep the version they were made with."""
    async with unit_of_work(principal.tenant_id) as uow:
        return await publish_in(uow, principal, job_id, request, "competency_model.version_published")


async def publish_in(uow: UnitOfWork, principal: Principal, job_id: UUID, request: NewModelVersion,
                     action: str) -> ModelVersionView:
    """Publish inside the caller's unit of work, audited as ``action`` with the competencies before and after."""
    job = await _existing_job(uow, job_id)
    model = await queries.competency_model(uow, job_id)
    if model is None:
        name = request.name or pick_text(job.title, "en", next(iter(job.title)))
        model = CompetencyModelRow(id=new_id(), tenant_id=uow.tenant_id, job_id=job_id, name=name,
                                   created_at=utc_now())
        await queries.insert_competency_model(uow, model.id, job_id, name)
    versions = await queries.model_versions(uow, model.id)
    values = {
        "number": len(versions) + 1, "effective_from": request.effective_from,
        "competencies": msgspec.to_builtins(request.competencies),
        "overall_pass_threshold": request.overall_pass_threshold, "created_by": principal.subject,
    }
    await queries.insert_model_version(uow, new_id(), model.id, values)
    published = (await queries.model_versions(uow, model.id))[-1]
    await record(uow, principal, action, "competency_model", model.id,
                 before=versions[-1].competencies if versions else None, after=values)
    return _version_view(model, published)


async def model_versions(principal: Principal, job_id: UUID) -> list[ModelVersionView]:
    """Every version of the job's competency model, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        model = await _existing_model(uow, job_id)
        return [_version_view(model, row) for row in await queries.model_versions(uow, model.id)]


async def list_model_versions(principal: Principal, job_id: UUID, cursor: str | None,
                              limit: int) -> Page[ModelVersionView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        model = await _existing_model(uow, job_id)
        rows = await queries.model_versions(uow, model.id, after=decode_number_cursor(cursor), limit=limit + 1)
    return page_of([_version_view(model, row) for row in rows], limit, lambda v: str(v.number))


async def _existing_model(uow: UnitOfWork, job_id: UUID) -> CompetencyModelRow:
    await _existing_job(uow, job_id)
    model = await queries.competency_model(uow, job_id)
    if model is None:
        raise NoCompetencyModel()
    return model


def version_in_force(versions: list[ModelVersionView], on: date) -> ModelVersionView | None:
    current = [v for v in versions if v.effective_from <= on]
    return max(current, key=lambda v: (v.effective_from, v.number)) if current else None


# -- candidates ----------------------------------------------------------------------------------


async def create_candidate(principal: Principal, request: NewCandidate) -> CandidateView:
    personal = normalised(request)
    require_address(request.notification_channel, set(personal))
    candidate_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        cipher = await cipher_for(uow)
        sealed = sealed_columns(cipher, await person_cipher(uow, "candidate", candidate_id), candidate_id, personal)
        indexes = {name: sealed[f"{name}_index"] for name in INDEXED_FIELDS if f"{name}_index" in sealed}
        duplicates = await queries.candidates_matching(uow, indexes)
        if duplicates:
            same = sorted(n for n, v in indexes.items() if any(d.indexes()[n] == v for d in duplicates))
            raise DuplicateCandidate(fields=", ".join(same), candidate_id=str(duplicates[0].id))
        await queries.insert_candidate(uow, candidate_id, {
            "full_name": request.full_name, "national_id_country": request.national_id_country,
            "timezone": request.timezone, "locale": request.locale, **sealed,
            "notification_channel": request.notification_channel.value if request.notification_channel else None})
        row = await _existing_candidate(uow, candidate_id)
        ring = await keyring_for(uow, row.ciphertexts().values())
        masked = candidate_view(ring, row, clear=False)
        # The trail keeps masked values only, and seals them under the candidate's key (an erasure shreds them).
        await record(uow, principal, "candidate.created", "candidate", candidate_id, after=masked)
    return candidate_view(ring, row, clear=principal.may(Operation.PII_READ))


async def _existing_candidate(uow: UnitOfWork, candidate_id: UUID) -> CandidateRow:
    row = await queries.candidate(uow, candidate_id)
    if row is None:
        raise CandidateNotFound()
    return row


async def get_candidate(principal: Principal, candidate_id: UUID) -> CandidateView:
    clear = principal.may(Operation.PII_READ)
    async with unit_of_work(principal.tenant_id, write=clear) as uow:
        row = await _existing_candidate(uow, candidate_id)
        cipher = await keyring_for(uow, row.ciphertexts().values())
        if clear:
            await record(uow, principal, "candidate.personal_data_read", "candidate", candidate_id,
                         after={"fields": [n for n, sealed in row.ciphertexts().items() if sealed]})
        return candidate_view(cipher, row, clear)


async def list_candidates(principal: Principal, cursor: str | None, limit: int,
                          updated_since: datetime | None = None) -> Page[CandidateView]:
    clear = principal.may(Operation.PII_READ)
    after = decode_uuid_cursor(cursor)
    async with unit_of_work(principal.tenant_id, write=clear) as uow:
        if not clear:
            return await _masked_page(uow, after, limit, updated_since)
        rows = await queries.candidates(uow, after=after, limit=limit + 1, updated_since=updated_since)
        cipher = await keyring_for(uow, [token for row in rows for token in row.ciphertexts().values()])
        shown = rows[:limit]
        if shown:
            await record(uow, principal, "candidate.personal_data_read", "candidate", "list",
                         after={"candidates": [str(r.id) for r in shown]})
        views = [candidate_view(cipher, row, True) for row in rows]
    return page_of(views, limit, lambda c: str(c.id))


async def _masked_page(uow: UnitOfWork, after: UUID | None, limit: int,
                       updated_since: datetime | None) -> Page[CandidateView]:
    """The page as a reader without pii:read sees it. Each row is first read as a listing, its id and its row's
    version only; where this process showed every listed row within the last minute, exactly as it is now
    (``recall_masked``, kept by the rule the person keys are kept by), those views are the page. Otherwise, or
    where the process remembers none (``remembers_masked``), the page is read whole, and the rows not shown are
    opened and masked, their keys read in one query."""
    tenant_id, generation = uow.tenant_id, masked_generation()
    if remembers_masked():
        listings = page_of(await queries.candidate_listings(uow, after=after, limit=limit + 1,
                                                            updated_since=updated_since), limit, lambda c: str(c.id))
        shown = recall_masked(tenant_id, "candidates", listings.items)
        if None not in shown:
            return Page(items=shown, next_cursor=listings.next_cursor)
    rows = page_of(await queries.listed_candidates(uow, after=after, limit=limit + 1, updated_since=updated_since),
                   limit, lambda c: str(c.id))
    listed = [row.listing() for row in rows.items]
    views = recall_masked(tenant_id, "candidates", listed)
    unknown = [row for row, view in zip(rows.items, views, strict=True) if view is None]
    if unknown:
        cipher = await keyring_for(uow, [token for row in unknown for token in row.ciphertexts().values()])
        for index, row in enumerate(rows.items):
            if views[index] is None:
                views[index] = view = candidate_view(cipher, row, False)
                remember_masked(tenant_id, "candidates", listed[index], view, generation)
    return Page(items=views, next_cursor=rows.next_cursor)  # type: ignore[arg-type]


# -- applications --------------------------------------------------------------------------------


class Reading(msgspec.Struct, frozen=True):
    """What an application is shown with: the pipeline in the reader's language, and the tenant's default
    language for a job title the reader's language lacks."""

    stages: list[StageView]
    locale: str
    fallback: str


async def _reading(uow: UnitOfWork, locale: str) -> Reading:
    return Reading(stages=await stages_for(uow, locale), locale=locale, fallback=await tenant_default_locale(uow))


def _application_view(listed: ListedApplication, reading: Reading) -> ApplicationView:
    """The candidate's name appears as the candidate's own view shows it to every reader: only the sealed fields
    (email, phone, national id, birth date) are masked without pii:read, and none of them is on an application."""
    row = listed.application
    name = next((s.name for s in reading.stages if s.code == row.stage), row.stage)
    return ApplicationView(id=row.id, candidate_id=row.candidate_id, candidate_name=listed.candidate_name,
                           job_id=row.job_id, job_title=pick_text(listed.job_titles, reading.locale, reading.fallback),
                           stage=row.stage, stage_name=name, version=row.version, created_at=row.created_at,
                           updated_at=row.updated_at)


async def _shown_application(uow: UnitOfWork, application_id: UUID, reading: Reading) -> ApplicationView:
    listed = await queries.listed_application(uow, application_id)
    if listed is None:
        raise ApplicationNotFound()
    return _application_view(listed, reading)


async def create_application(principal: Principal, request: NewApplication, locale: str) -> ApplicationView:
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.candidate(uow, request.candidate_id) is None:
            raise CandidateNotFound(field="candidate_id")
        if await queries.job(uow, request.job_id) is None:
            raise JobNotFound(field="job_id")
        if await queries.application_exists(uow, request.candidate_id, request.job_id):
            raise AlreadyApplied()
        reading = await _reading(uow, locale)
        application_id = new_id()
        first = reading.stages[0].code
        await queries.insert_application(uow, application_id, request.candidate_id, request.job_id, first)
        await queries.record_stage_change(uow, new_id(), application_id, {
            "from_stage": None, "to_stage": first, "moved_by": principal.subject, "reason": "application created"})
        await record(uow, principal, "application.created", "application", application_id, after=request)
        return await _shown_application(uow, application_id, reading)


async def _existing_application(uow: UnitOfWork, application_id: UUID) -> ApplicationRecord:
    row = await queries.application(uow, application_id)
    if row is None:
        raise ApplicationNotFound()
    return row


async def get_application(principal: Principal, application_id: UUID, locale: str) -> ApplicationView:
    async with unit_of_work(principal.tenant_id) as uow:
        return await _shown_application(uow, application_id, await _reading(uow, locale))


async def list_applications(principal: Principal, cursor: str | None, limit: int, only: ApplicationFilter,
                            locale: str) -> Page[ApplicationView]:
    """Each row with its candidate's name and its job's title, read with the applications in one query."""
    async with unit_of_work(principal.tenant_id) as uow:
        reading = await _reading(uow, locale)
        if only.stage and all(s.code != only.stage for s in reading.stages):
            raise StageNotFound(stage=only.stage, field="stage")
        rows = await queries.listed_applications(uow, after=decode_uuid_cursor(cursor), limit=limit + 1, only=only)
    return page_of([_application_view(row, reading) for row in rows], limit, lambda a: str(a.id))


async def move_application(principal: Principal, application_id: UUID, move: StageMove, expected_version: int,
                           locale: str) -> ApplicationView:
    """Move to another pipeline stage: history, audit and the candidate's notification in one transaction."""
    async with unit_of_work(principal.tenant_id) as uow:
        return await move_application_in(uow, principal, application_id, move, expected_version, locale)


async def move_application_in(uow: UnitOfWork, principal: Principal, application_id: UUID, move: StageMove,
                              expected_version: int, locale: str) -> ApplicationView:
    """The move inside the caller's unit of work (the AI-evaluation safeguards record a person's decision on the
    application's automated pass/fail in the same transaction)."""
    before = await _existing_application(uow, application_id)
    reading = await _reading(uow, locale)
    target = next((s for s in reading.stages if s.code == move.stage), None)
    if target is None:
        raise StageNotFound(stage=move.stage, field="stage")
    await queries.move_application(uow, application_id, expected_version, move.stage)
    await queries.record_stage_change(uow, new_id(), application_id, {
        "from_stage": before.stage, "to_stage": move.stage, "moved_by": principal.subject,
        "reason": move.reason})
    await notify_stage_change(uow, before, target)
    await record(uow, principal, "application.stage_changed", "application", application_id,
                 before={"stage": before.stage}, after={"stage": move.stage, "reason": move.reason})
    await webhooks.publish(uow, webhooks.EventType.APPLICATION_STAGE_CHANGED, "application", application_id, {
        "job_id": before.job_id, "candidate_id": before.candidate_id, "from_stage": before.stage,
        "to_stage": move.stage})
    return await _shown_application(uow, application_id, reading)


async def notify_stage_change(uow: UnitOfWork, application: ApplicationRecord, stage: StageView) -> None:
    candidate = await _existing_candidate(uow, application.candidate_id)
    job = await _existing_job(uow, application.job_id)
    locale = candidate.locale
    fallback = await tenant_default_locale(uow)
    params = {"job": pick_text(job.title, locale, fallback), "stage": pick_text(stage.names, locale, fallback)}
    await enqueue_in(uow, Message(
        recipient_kind="candidate", recipient_id=candidate.id, locale=locale,
        subject=translate(STAGE_CHANGED_SUBJECT, locale, **params),
        body=translate(STAGE_CHANGED_BODY, locale, **params), about_kind="application", about_id=application.id))


def _stage_change_view(row: StageChangeRow) -> StageChangeView:
    return StageChangeView(from_stage=row.from_stage, to_stage=row.to_stage, moved_by=row.moved_by,
                           reason=row.reason, moved_at=row.moved_at)


async def application_history(principal: Principal, application_id: UUID) -> list[StageChangeView]:
    """Every stage change of the application, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _existing_application(uow, application_id)
        return [_stage_change_view(row) for row in await queries.stage_history(uow, application_id)]


async def list_stage_changes(principal: Principal, application_id: UUID, cursor: str | None,
                             limit: int) -> Page[StageChangeView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _existing_application(uow, application_id)
        rows = await queries.stage_history(uow, application_id, after=decode_keyed_cursor(cursor, instant),
                                           limit=limit + 1)
    page = page_of(rows, limit, lambda row: keyed_position(row.moved_at.isoformat(), row.id))
    return map_page(page, _stage_change_view)


async def list_application_notifications(principal: Principal, application_id: UUID, cursor: str | None, limit: int,
                                         locale: str) -> Page[NotificationView]:
    """The messages the application sent its candidate, oldest first, with their delivery."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        application = await _existing_application(uow, application_id)
        candidate = await _existing_candidate(uow, application.candidate_id)
        return await notifications_about_in(uow, "application", application_id, cursor, limit,
                                            timezone=candidate.timezone, locale=locale)


# -- reads and steps other contexts run inside their own unit of work ----------------------------


async def job_in(uow: UnitOfWork, job_id: UUID) -> JobRecord | None:
    return await queries.job(uow, job_id)


async def stage_history_in(uow: UnitOfWork, application_id: UUID) -> list[StageChangeView]:
    """Every stage change of the application, oldest first: who moved it, when, why."""
    return [_stage_change_view(row) for row in await queries.stage_history(uow, application_id)]


async def candidate_in(uow: UnitOfWork, candidate_id: UUID) -> CandidateSummary | None:
    row = await queries.candidate(uow, candidate_id)
    if row is None:
        return None
    return CandidateSummary(id=row.id, full_name=row.full_name, national_id_country=row.national_id_country,
                            timezone=row.timezone, locale=row.locale)


async def personal_data_in(uow: UnitOfWork, candidate_id: UUID) -> dict[str, str]:
    """The candidate's personal data in clear, by field, for a context that seals it anew (a hire)."""
    row = await _existing_candidate(uow, candidate_id)
    return opened(await keyring_for(uow, row.ciphertexts().values()), row)


async def application_in(uow: UnitOfWork, application_id: UUID) -> ApplicationRecord | None:
    return await queries.application(uow, application_id)


async def applications_in(uow: UnitOfWork, limit: int, *, job_id: UUID | None = None,
                          candidate_id: UUID | None = None) -> list[ApplicationRecord]:
    return await queries.applications(uow, after=None, limit=limit, job_id=job_id, candidate_id=candidate_id)


async def model_versions_in(uow: UnitOfWork, job_id: UUID) -> list[ModelVersionView]:
    """Every version of the job's competency model, oldest first; none when the job has no model."""
    model = await queries.competency_model(uow, job_id)
    if model is None:
        return []
    return [_version_view(model, row) for row in await queries.model_versions(uow, model.id)]


async def applications_by_id_in(uow: UnitOfWork, application_ids: list[UUID]) -> dict[UUID, ApplicationRecord]:
    """The applications among ``application_ids`` that exist in the tenant, by id, in one query."""
    return {row.id: row for row in await lookups.applications_by_id(uow, application_ids)}


async def model_versions_of_jobs_in(uow: UnitOfWork, job_ids: list[UUID]) -> dict[UUID, list[ModelVersionView]]:
    """``model_versions_in`` for several jobs in two queries: each job's versions, oldest first (jobs without a
    model are left out)."""
    models = {model.id: model for model in await lookups.competency_models_of_jobs(uow, job_ids)}
    versions: dict[UUID, list[ModelVersionView]] = {model.job_id: [] for model in models.values()}
    for row in await lookups.versions_of_models(uow, list(models)):
        model = models[row.model_id]
        versions[model.job_id].append(_version_view(model, row))
    return versions


async def versions_of_model_in(uow: UnitOfWork, model_id: UUID) -> list[ModelVersionView]:
    model = await queries.competency_model_by_id(uow, model_id)
    if model is None:
        return []
    return [_version_view(model, row) for row in await queries.model_versions(uow, model.id)]


async def close_as_hired_in(uow: UnitOfWork, principal: Principal, application: ApplicationRecord) -> None:
    """Move the application to the pipeline's hired stage, if it has one, and tell the candidate."""
    stages = await stages_for(uow, "en")
    hired = next((s for s in stages if s.outcome is StageOutcome.HIRED), None)
    if hired is None or application.stage == hired.code:
        return
    await queries.move_application(uow, application.id, application.version, hired.code)
    await queries.record_stage_change(uow, new_id(), application.id, {
        "from_stage": application.stage, "to_stage": hired.code, "moved_by": principal.subject, "reason": "hired"})
    await notify_stage_change(uow, application, hired)
