"""Data-subject requests' use cases: opening one (by the organisation's staff for a person, or by the person through
their own portal), listing and reading them, the review (assign a reviewer, approve, refuse) and what approving
does: an export is ready to download, a rectification goes through the existing change paths (an effective-dated
employment change, or the candidate update), an erasure crypto-shreds the person (``domain.privacy.erasure``), a
restriction marks the person so comparisons and automated steps leave them out. Every step is in the audit chain,
with no personal value in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec

from compliance.subject_requests import due_date
from domain.audit.service import record
from domain.employees.service import EmployeeNotFound, change_employment, employee_of, employments_in
from domain.identity.service import user_by_subject_in
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import StaleVersion
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.permissions import MATRIX, Operation, Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.privacy import erasure
from domain.recruitment.service import (
    applications_by_id_in,
    applications_in,
    candidate_in,
    get_candidate,
    job_in,
    update_candidate,
)
from domain.subject_requests import queries
from domain.subject_requests.model import (
    DECIDED,
    EXPORTING,
    CountryUnknown,
    Decision,
    DecisionAction,
    DueView,
    ExportNotReady,
    LiftReasonMissing,
    NewOwnSubjectRequest,
    NewSubjectRequest,
    PersonKind,
    PersonNotFound,
    PersonUnderLegalHold,
    ReceivedOnOutOfRange,
    Rectification,
    RectificationManagerUnknown,
    RectificationMissing,
    RectificationNotTaken,
    RefusalReasonMissing,
    RequestAlreadyDecided,
    RequestFilter,
    RequestKind,
    RequestStatus,
    RestrictionNotInForce,
    ReviewerUnknown,
    SubjectRequestNotFound,
    SubjectRequestView,
)
from domain.tenancy.service import legal_entity_in, own_tenant_in

__all__ = ["Decision", "ExportNotReady", "NewOwnSubjectRequest", "NewSubjectRequest", "PersonNotFound",
           "RequestFilter", "SubjectRequestNotFound", "SubjectRequestView", "decide", "export_ready", "export_request",
           "get_request", "list_requests", "open_own_request", "open_request", "own_person", "restricted_applications",
           "restricted_candidates", "restricted_employees"]

CANDIDATE_SUBJECT_PREFIX = "candidate:"
EMPLOYEE_SUBJECT_PREFIX = "employee:"
Person = tuple[PersonKind, UUID]
#: The GDPR applies from this day; no schedule in the law data starts later, so every day from here has a rule.
EARLIEST_RECEIVED = date(2018, 5, 25)


# -- whose request ------------------------------------------------------------------------------------------------


def own_person(principal: Principal) -> Person:
    """The one person a self-service token names: a candidate's portal token or an employee's token."""
    if Role.CANDIDATE in principal.roles and principal.subject.startswith(CANDIDATE_SUBJECT_PREFIX):
        try:
            return PersonKind.CANDIDATE, UUID(principal.subject.removeprefix(CANDIDATE_SUBJECT_PREFIX))
        except ValueError:
            raise PersonNotFound() from None
    try:
        return PersonKind.EMPLOYEE, employee_of(principal)
    except EmployeeNotFound:
        raise PersonNotFound() from None


def _key(person: Person | None) -> tuple[str, UUID] | None:
    return (person[0].value, person[1]) if person else None


# -- opening ------------------------------------------------------------------------------------------------------


async def open_request(principal: Principal, request: NewSubjectRequest) -> SubjectRequestView:
    """A request received for a person, opened by the organisation's staff."""
    return await _open(principal, request.kind, (request.person_kind, request.person_id), request.country,
                       request.received_on, request.rectification, self_service=False)


async def open_own_request(principal: Principal, request: NewOwnSubjectRequest) -> SubjectRequestView:
    """A request the person opens for themselves: the person is the one their token names; received today."""
    return await _open(principal, request.kind, own_person(principal), None, None, request.rectification,
                       self_service=True)


async def _open(principal: Principal, kind: RequestKind, person: Person, country: str | None,
                received_on: date | None, rectification: Rectification | None, *,
                self_service: bool) -> SubjectRequestView:
    _require_rectification(kind, person[0], rectification)
    async with unit_of_work(principal.tenant_id) as uow:
        found_country = await _country_of(uow, person)
        manager = rectification.employment.manager_id if rectification and rectification.employment else None
        if manager is not None and not await employments_in(uow, manager):
            raise RectificationManagerUnknown(field="rectification.employment.manager_id")
        country = country or found_country
        if country is None:
            raise CountryUnknown(field="country")
        today = await _today(uow)
        received = received_on or today
        if not EARLIEST_RECEIVED <= received <= today:
            raise ReceivedOnOutOfRange(field="received_on", earliest=EARLIEST_RECEIVED.isoformat(),
                                       received_on=received.isoformat())
        due = due_date(country, received)
        request_id = new_id()
        details = {"rectification": msgspec.to_builtins(rectification)} if rectification else {}
        await queries.insert_request(
            uow, request_id, kind=kind.value, person_kind=person[0].value, person_id=person[1], country=due.country,
            received_on=received, due_on=due.due_on, due_basis=due.basis.value, law_version=due.law_version,
            opened_by=principal.subject, self_service=self_service, details=details)
        await record(uow, principal, "data_subject_request.opened", "data_subject_request", request_id, after={
            "kind": kind.value, "person_kind": person[0].value, "person_id": person[1], "country": due.country,
            "received_on": received, "due_on": due.due_on, "due_basis": due.basis.value,
            "law_version": due.law_version, "self_service": self_service})
        row = await queries.request(uow, request_id)
        assert row is not None
        return _view(row)


def _require_rectification(kind: RequestKind, person_kind: PersonKind, rectification: Rectification | None) -> None:
    if kind is not RequestKind.RECTIFICATION:
        if rectification is not None:
            raise RectificationNotTaken(field="rectification")
        return
    wanted = rectification and (rectification.employment if person_kind is PersonKind.EMPLOYEE
                                else rectification.candidate)
    if not wanted:
        raise RectificationMissing(field="rectification")


async def _today(uow: UnitOfWork) -> date:
    import pytz

    tenant = await own_tenant_in(uow)
    zone = pytz.timezone(tenant.timezone) if tenant else pytz.UTC
    return datetime.now(UTC).astimezone(zone).date()


async def _country_of(uow: UnitOfWork, person: Person) -> str | None:
    """The person's country: an employee's current employment's; a candidate's national id's, else that of the
    legal entity of their latest application. Raises :class:`PersonNotFound` for no such person here."""
    kind, person_id = person
    if kind is PersonKind.EMPLOYEE:
        employments = await employments_in(uow, person_id)
        if not employments:
            raise PersonNotFound(field="person_id")
        today = utc_now().date()
        current = [e for e in employments if e.effective_from <= today] or employments
        return max(current, key=lambda e: e.effective_from).country
    candidate = await candidate_in(uow, person_id)
    if candidate is None:
        raise PersonNotFound(field="person_id")
    if candidate.national_id_country:
        return candidate.national_id_country
    applications = await applications_in(uow, 500, candidate_id=person_id)
    for application in sorted(applications, key=lambda a: a.created_at, reverse=True):
        job = await job_in(uow, application.job_id)
        entity = await legal_entity_in(uow, job.legal_entity_id) if job else None
        if entity is not None:
            return entity.country
    return None


# -- reading ------------------------------------------------------------------------------------------------------


async def list_requests(principal: Principal, cursor: str | None, limit: int, only: RequestFilter,
                        person: Person | None = None) -> Page[SubjectRequestView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.requests(
            uow, after=decode_uuid_cursor(cursor), limit=limit + 1, status=only.status.value if only.status else None,
            kind=only.kind.value if only.kind else None, due_before=only.due_before, person=_key(person))
    return page_of([_view(row) for row in rows], limit, lambda view: str(view.id))


async def get_request(principal: Principal, request_id: UUID, person: Person | None = None) -> SubjectRequestView:
    """The request; with ``person`` (a self-service caller), only if it is theirs: another's answers like none."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return _view(await _existing(uow, request_id, person))


async def _existing(uow: UnitOfWork, request_id: UUID, person: Person | None = None) -> queries.RequestRow:
    row = await queries.request(uow, request_id, _key(person))
    if row is None:
        raise SubjectRequestNotFound()
    return row


def _view(row: queries.RequestRow) -> SubjectRequestView:
    due = due_date(row.country, row.received_on)
    rectification = row.details.get("rectification")
    return SubjectRequestView(
        id=row.id, kind=RequestKind(row.kind), person_kind=PersonKind(row.person_kind), person_id=row.person_id,
        country=row.country, received_on=row.received_on, due_on=row.due_on,
        due=DueView(period=due.period, unit=due.unit, basis=due.basis, law_version=row.law_version,
                    verification=due.verification, citation=due.citation),
        status=RequestStatus(row.status), opened_by=row.opened_by, self_service=row.self_service,
        reviewer=row.reviewer, decided_by=row.decided_by, decided_at=row.decided_at,
        refusal_reason=row.refusal_reason,
        rectification=msgspec.convert(rectification, Rectification) if rectification else None,
        outcome=row.outcome, version=row.version, created_at=row.created_at, updated_at=row.updated_at)


# -- the review ---------------------------------------------------------------------------------------------------


async def decide(principal: Principal, request_id: UUID, decision: Decision,
                 expected_version: int) -> SubjectRequestView:
    """One step of the review, If-Match ``expected_version``: assign a reviewer, approve (carry it out) or refuse."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await _existing(uow, request_id)
    if decision.action is DecisionAction.LIFT:
        return await _lift(principal, row, decision, expected_version)
    if RequestStatus(row.status) in DECIDED:
        raise RequestAlreadyDecided(status=row.status)
    if row.version != expected_version:  # before anything is carried out, not only when the request is saved
        raise StaleVersion(resource="data-subject request")
    match decision.action:
        case DecisionAction.ASSIGN:
            return await _assign(principal, row, decision.reviewer or principal.subject, expected_version)
        case DecisionAction.REFUSE:
            if decision.reason is None:
                raise RefusalReasonMissing(field="reason")
            return await _conclude(principal, row, expected_version, RequestStatus.REFUSED, None, decision.reason)
        case _:
            return await _approve(principal, row, expected_version)


async def _assign(principal: Principal, row: queries.RequestRow, reviewer: str,
                  expected_version: int) -> SubjectRequestView:
    async with unit_of_work(principal.tenant_id) as uow:
        user = await user_by_subject_in(uow, reviewer)
        if user is None or not set(user.roles) & MATRIX[Operation.DATA_SUBJECT_REQUESTS_DECIDE]:
            raise ReviewerUnknown(field="reviewer")
        await queries.update_request(uow, row.id, expected_version,
                                     {"reviewer": reviewer, "status": RequestStatus.IN_REVIEW.value})
        await record(uow, principal, "data_subject_request.assigned", "data_subject_request", row.id,
                     before={"status": row.status, "reviewer": row.reviewer},
                     after={"status": RequestStatus.IN_REVIEW.value, "reviewer": reviewer})
        return _view(await _existing(uow, row.id))


async def _approve(principal: Principal, row: queries.RequestRow, expected_version: int) -> SubjectRequestView:
    kind = RequestKind(row.kind)
    person = (PersonKind(row.person_kind), row.person_id)
    outcome: dict[str, Any]
    if kind is RequestKind.RECTIFICATION:
        outcome = await _rectify(principal, row, person)
    elif kind is RequestKind.ERASURE:
        return await _conclude(principal, row, expected_version, RequestStatus.COMPLETED, None, None, erase=person)
    elif kind is RequestKind.RESTRICTION:
        outcome = {"restricted": True, "covers": ["comparisons", "rankings", "automated_evaluation",
                                                  "ai_results_parked", "human_evaluations", "attrition_risk"]}
    else:
        outcome = {"export": "ready"}
    return await _conclude(principal, row, expected_version, RequestStatus.COMPLETED, outcome, None)


async def _lift(principal: Principal, row: queries.RequestRow, decision: Decision,
                expected_version: int) -> SubjectRequestView:
    """A reviewer ends a completed restriction: the person's data is processed again (results parked meanwhile wait
    for a person to release them). Audited, with who lifted it, when and why."""
    if RequestKind(row.kind) is not RequestKind.RESTRICTION or row.status != RequestStatus.COMPLETED.value:
        raise RestrictionNotInForce(kind=row.kind, status=row.status)
    if decision.reason is None:
        raise LiftReasonMissing(field="reason")
    if row.version != expected_version:
        raise StaleVersion(resource="data-subject request")
    async with unit_of_work(principal.tenant_id) as uow:
        now = utc_now()
        outcome = {**(row.outcome or {}), "restricted": False,
                   "lifted": {"by": principal.subject, "at": now.isoformat(), "reason": decision.reason}}
        await queries.update_request(uow, row.id, expected_version,
                                     {"status": RequestStatus.LIFTED.value, "outcome": outcome})
        await record(uow, principal, "data_subject_request.restriction_lifted", "data_subject_request", row.id,
                     before={"status": row.status, "restricted": True},
                     after={"status": RequestStatus.LIFTED.value, "restricted": False, "reason": decision.reason,
                            "person_kind": row.person_kind, "person_id": row.person_id})
        return _view(await _existing(uow, row.id))


async def _rectify(principal: Principal, row: queries.RequestRow, person: Person) -> dict[str, Any]:
    """The correction through the existing change path, in its own audited transaction; the request names it."""
    rectification = msgspec.convert(row.details["rectification"], Rectification)
    if person[0] is PersonKind.EMPLOYEE and rectification.employment is not None:
        change = await change_employment(principal, person[1], rectification.employment)
        return {"change": {"type": "employment", "id": str(change.id),
                           "effective_from": change.effective_from.isoformat()}}
    if rectification.candidate is None:
        raise RectificationMissing(field="rectification")
    candidate = await get_candidate(principal, person[1])
    updated = await update_candidate(principal, person[1], rectification.candidate, candidate.version)
    return {"change": {"type": "candidate", "id": str(updated.id), "version": updated.version}}


async def _conclude(principal: Principal, row: queries.RequestRow, expected_version: int, status: RequestStatus,
                    outcome: dict[str, Any] | None, reason: str | None, *,
                    erase: Person | None = None) -> SubjectRequestView:
    async with unit_of_work(principal.tenant_id) as uow:
        if erase is not None:
            if await queries.under_legal_hold(uow, erase[0].value, erase[1]):
                raise PersonUnderLegalHold()
            erased = await erasure.erase_person(uow, erase[0].value, erase[1],
                                                reason=f"data-subject request {row.id}", actor=principal)
            outcome = {"erased": {name: value for name, value in msgspec.to_builtins(erased).items()
                                  if name not in ("kind", "person_id", "pseudonym")}}
        now = utc_now()
        await queries.update_request(uow, row.id, expected_version, {
            "status": status.value, "decided_by": principal.subject, "decided_at": now,
            "reviewer": row.reviewer or principal.subject, "refusal_reason": reason, "outcome": outcome})
        action = "data_subject_request.completed" if status is RequestStatus.COMPLETED else \
            "data_subject_request.refused"
        await record(uow, principal, action, "data_subject_request", row.id,
                     before={"status": row.status}, after={"status": status.value, "outcome": outcome,
                                                           "reason": reason})
        view = _view(await _existing(uow, row.id))
    if erase is not None:
        # Committed: on SQLite, no page from before the erasure stays in the WAL file (as after the purge).
        await erasure.checkpoint_after_erasure()
    return view


# -- the export ---------------------------------------------------------------------------------------------------


async def export_request(principal: Principal, request_id: UUID, locale: str,
                         person: Person | None = None) -> tuple[str, bytes]:
    """The ZIP archive of an approved access or portability request (its file name and bytes): everything held on
    the person, decrypted, as JSON and as an HTML page in ``locale``, recordings as files. Audited as a sensitive
    read before it is returned."""
    from domain.subject_requests.export import build_archive

    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await _existing(uow, request_id, person)
    if RequestKind(row.kind) not in EXPORTING or row.status != RequestStatus.COMPLETED.value:
        raise ExportNotReady()
    # The export reads every context's data in clear, as the person themselves may see it through this request
    # only: the reader holds the HR reading role for this one approved request and acts under the caller's subject,
    # so each read below is audited as theirs.
    reader = replace(principal, roles=frozenset({Role.HR_ADMIN}), scopes=None, locale=locale)
    archive, summary = await build_archive(reader, _view(row), locale)
    async with unit_of_work(principal.tenant_id) as uow:
        await record(uow, principal, "data_subject_request.exported", "data_subject_request", row.id,
                     after={"locale": locale, "contents": summary, "bytes": len(archive)})
    return f"meridian-data-{row.person_id}.zip", archive


async def export_ready(principal: Principal, request_id: UUID, person: Person | None = None) -> None:
    """Raises unless the request exists here (for ``person``) and has an export."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await _existing(uow, request_id, person)
    if RequestKind(row.kind) not in EXPORTING or row.status != RequestStatus.COMPLETED.value:
        raise ExportNotReady()


# -- restriction, for other contexts ------------------------------------------------------------------------------


async def restricted_candidates(principal: Principal, candidate_ids: list[UUID]) -> set[UUID]:
    """Those candidates whose processing is restricted (a completed restriction request)."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await queries.restricted_people(uow, PersonKind.CANDIDATE.value, candidate_ids)


async def restricted_applications(principal: Principal, application_ids: list[UUID]) -> set[UUID]:
    """Those applications whose candidate's processing is restricted: a comparison or ranking leaves them out."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        applications = await applications_by_id_in(uow, application_ids)
        restricted = await queries.restricted_people(uow, PersonKind.CANDIDATE.value,
                                                     list({a.candidate_id for a in applications.values()}))
    return {a.id for a in applications.values() if a.candidate_id in restricted}


async def restricted_employees(principal: Principal, employee_ids: list[UUID]) -> set[UUID]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await queries.restricted_people(uow, PersonKind.EMPLOYEE.value, employee_ids)
