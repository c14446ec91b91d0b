"""Releasing an AI result parked for want of consent (``no_ai_consent``) or while the candidate's processing was
restricted (``processing_restricted``): by a person, once the candidate consents and no restriction is in force,
audited, with a decision record made in the same transaction as the release."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.contract import decode_result
from domain.assessments.deliveries import _model_versions_for, _ScoringModels, evaluation_of
from domain.assessments.safeguards import (
    DecisionView,
    NoAiConsent,
    consented_applications,
    record_decision_in,
    require_person,
    require_unrestricted,
)
from domain.assessments.views import EvaluationView, ResultView, evaluation_view, parked_reason, result_view
from domain.audit.service import Entry, record_all
from domain.kernel.db import unit_of_work
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.principal import Principal
from domain.keys.service import keyring_for


class InterviewResultNotFound(NotFound):
    code = "interview_result_not_found"
    template = "There is no interview result with this id."


class ResultNotWaitingForConsent(Conflict):
    code = "result_not_waiting_for_consent"
    title = "Result not waiting for consent"
    template = ("Only a result parked with the reason no_ai_consent or processing_restricted can be released; this "
                "one is {status} ({reason}).")


class ReleaseRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the person releases the parked result (the candidate's consent is checked, not taken on trust)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class Release(msgspec.Struct, frozen=True):
    """A released result: the result (now `evaluated`, or `received` when no model version applies), its evaluation,
    and the decision by a person that released it."""

    result: ResultView
    evaluation: EvaluationView | None
    decision: DecisionView


async def release_result(principal: Principal, result_id: UUID, request: ReleaseRequest) -> Release:
    require_person(principal)
    async with unit_of_work(principal.tenant_id) as uow:
        row = await queries.result(uow, result_id)
        if row is None:
            raise InterviewResultNotFound()
        reason = parked_reason(row.status, row.application_id, row.parked_reason)
        if reason not in ("no_ai_consent", "processing_restricted") or row.application_id is None:
            raise ResultNotWaitingForConsent(status=row.status, reason=reason or "-")
        application_id = row.application_id
        await require_unrestricted(uow, application_id)
        if application_id not in await consented_applications(uow, {application_id}):
            raise NoAiConsent()
        cipher = await keyring_for(uow, [row.payload_ciphertext])
        result = decode_result(cipher.open(row.payload_ciphertext, "interview_results", "payload", row.id).encode())
        versions = (await _model_versions_for(uow, {application_id}))[application_id]
        model = _ScoringModels().in_force(versions, result.completed_at)
        decision = await record_decision_in(
            uow, principal, subject_type="interview_result", subject_id=row.id,
            automated_output="ai_interview_result", decision="released", reason=request.reason,
            based_on={"vendor_result_id": row.vendor_result_id, "application_id": application_id,
                      "consent_purpose": "ai_interview_analysis", "parked_reason": reason,
                      "model_version": model.number if model else None})
        await queries.attach_results(uow, [row.id], application_id, "evaluated" if model else "received")
        evaluation = None
        entries = [Entry("interview_result.released", "interview_result", row.id,
                         before={"status": "parked", "parked_reason": reason},
                         after={"status": "evaluated" if model else "received", "decision_id": decision.id})]
        if model is not None:
            stored, entry = evaluation_of(uow, principal, row.id, application_id, result, model, "released")
            await queries.insert_evaluations(uow, [stored])
            entries.append(entry)
            evaluation = evaluation_view(stored)
        await record_all(uow, principal, entries)
        released = await queries.result(uow, row.id)
    assert released is not None
    return Release(result=result_view(released), evaluation=evaluation, decision=decision)
