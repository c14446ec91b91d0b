"""A candidate's consents: given with their evidence, withdrawn, listed."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.recruitment import queries
from domain.recruitment.model import CandidateNotFound, ConsentPurpose, ConsentView, NewConsent


class ConsentNotFound(NotFound):
    code = "consent_not_found"
    template = "There is no active consent with this id."


async def add_consent(principal: Principal, candidate_id: UUID, request: NewConsent) -> ConsentView:
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.candidate(uow, candidate_id) is None:
            raise CandidateNotFound()
        consent_id = new_id()
        await queries.insert_consent(uow, consent_id, candidate_id, msgspec.structs.asdict(request))
        await record(uow, principal, "consent.given", "candidate", candidate_id, after=request)
        return next(c for c in await _consents(uow, candidate_id) if c.id == consent_id)


async def withdraw_consent(principal: Principal, candidate_id: UUID, consent_id: UUID) -> ConsentView:
    async with unit_of_work(principal.tenant_id) as uow:
        if not await queries.withdraw_consent(uow, candidate_id, consent_id):
            raise ConsentNotFound()
        await record(uow, principal, "consent.withdrawn", "candidate", candidate_id, after={"consent": consent_id})
        return next(c for c in await _consents(uow, candidate_id) if c.id == consent_id)


async def list_consents(principal: Principal, candidate_id: UUID, cursor: str | None,
                        limit: int) -> Page[ConsentView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.candidate(uow, candidate_id) is None:
            raise CandidateNotFound()
        rows = await queries.consents(uow, candidate_id, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of([_consent_view(row) for row in rows], limit, lambda c: str(c.id))


def _consent_view(row: queries.ConsentRow) -> ConsentView:
    return ConsentView(id=row.id, candidate_id=row.candidate_id, purpose=ConsentPurpose(row.purpose),
                       given_at=row.given_at, withdrawn_at=row.withdrawn_at, evidence=row.evidence,
                       active=row.withdrawn_at is None)


async def _consents(uow: UnitOfWork, candidate_id: UUID) -> list[ConsentView]:
    return [_consent_view(row) for row in await queries.consents(uow, candidate_id)]


async def ai_consented_in(uow: UnitOfWork, candidate_ids: list[UUID]) -> set[UUID]:
    """The candidates among ``candidate_ids`` whose consent to AI-assisted evaluation of their interviews
    (``ai_interview_analysis``) is in force now: given, and not withdrawn."""
    return await queries.candidates_consenting(uow, sorted(set(candidate_ids)), ConsentPurpose.AI_INTERVIEW_ANALYSIS)
