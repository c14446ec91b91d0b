"""AI-evaluation safeguards: consent gating of vendors' results, and "decided by a person" records.

An AI-interview result is used (evaluated, compared, ranked, explained as a score) only while its candidate's
consent to AI-assisted evaluation (``ai_interview_analysis``) is in force. Without it the result is stored but
parked with the reason ``no_ai_consent``; once the candidate consents, a person releases it (audited, with a
decision record). A consent withdrawn later takes the AI evaluations out of comparisons and explanations at once.

Every automated output that would change something (proposed interview weights becoming the model, a parked
result being used, a ranking or pass/fail behind a stage move) needs a decision record first: who reviewed it, when,
what they decided, and a snapshot of the automated output it was based on (no personal values).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.model import StoredEvaluation
from domain.assessments.queries import DecisionRow
from domain.audit.service import Entry, record_all
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, Forbidden, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, page_of_sorted
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.privacy.service import restricted_people_in
from domain.recruitment.model import ApplicationView, StageOutcome
from domain.recruitment.service import (
    ApplicationNotFound,
    StageMove,
    ai_consented_in,
    application_in,
    applications_by_id_in,
    move_application_in,
    stages_for,
)

SubjectType = Literal["application", "interview_result", "job", "employee"]
AutomatedOutput = Literal["ai_interview_result", "evaluation_pass_fail", "comparison_ranking",
                          "proposed_weights", "attrition_risk"]
DecisionKind = Literal["released", "accepted", "rejected", "advance", "hold"]


class NoAiConsent(Conflict):
    code = "no_ai_consent"
    title = "No consent to AI-assisted evaluation"
    template = ("The candidate has not consented to AI-assisted evaluation of their interviews, or withdrew that "
                "consent: the AI result stays parked and is not used. Record the candidate's consent (purpose "
                "ai_interview_analysis) first, or evaluate the application by a person.")


class ProcessingRestricted(Conflict):
    code = "processing_restricted"
    title = "Processing restricted"
    template = ("The candidate asked for their processing to be restricted (an approved data-subject restriction "
                "request): their data is not evaluated, compared or ranked, and AI results for them stay parked, until "
                "a reviewer lifts the restriction.")


class DecisionNeedsAPerson(Forbidden):
    code = "decision_needs_a_person"
    title = "A person must decide"
    template = ("An automated output changes nothing until a person decides on it: sign in as a person, not as a "
                "partner client, to record this decision.")


class DecisionAutomatedOutputUnknown(NotFound):
    code = "decision_output_not_found"
    template = "The automated output this decision names does not exist for this application."


class DecisionView(msgspec.Struct, frozen=True):
    """A decision by a person on an automated output: what the output was (`automated_output`: ai_interview_result,
    evaluation_pass_fail, comparison_ranking, proposed_weights or attrition_risk) and a snapshot of it (`based_on`),
    what the person decided, why, who (`reviewed_by`, the subject of their token) and when (UTC). Recorded before the
    output changes anything; never rewritten."""

    id: UUID
    subject_type: str
    subject_id: UUID
    automated_output: str
    based_on: dict[str, Any]
    decision: str
    reason: str
    reviewed_by: str
    reviewed_at: datetime


class NewDecision(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A person's decision on an automated recommendation about an application, recorded before acting on it (a stage
    move that follows names it in its reason): the output (`evaluation_pass_fail` of an evaluation, named by
    `evaluation_id`, or `comparison_ranking`, with the `rank` and `overall` the person saw), the decision (`advance`,
    `hold` or `rejected`) and the reason."""

    automated_output: Literal["evaluation_pass_fail", "comparison_ranking"]
    decision: Literal["advance", "hold", "rejected"]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    evaluation_id: UUID | None = None
    rank: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    overall: Annotated[str, msgspec.Meta(pattern=r"^\d{1,3}(\.\d{1,2})?$", max_length=6)] | None = None


_based_on = msgspec.json.Decoder(dict[str, Any])
_encoder = msgspec.json.Encoder(decimal_format="string")


def decision_view(row: DecisionRow) -> DecisionView:
    return DecisionView(id=row.id, subject_type=row.subject_type, subject_id=row.subject_id,
                        automated_output=row.automated_output, based_on=_based_on.decode(row.based_on),
                        decision=row.decision, reason=row.reason, reviewed_by=row.reviewed_by,
                        reviewed_at=row.reviewed_at)


def require_person(principal: Principal) -> None:
    """A partner client's token acts for a system, not a person: it cannot record a decision."""
    if principal.scopes is not None:
        raise DecisionNeedsAPerson()


async def record_decision_in(uow: UnitOfWork, principal: Principal, *, subject_type: SubjectType, subject_id: UUID,
                             automated_output: AutomatedOutput, based_on: dict[str, Any], decision: DecisionKind,
                             reason: str) -> DecisionView:
    """Record a person's decision, and its audit entry, inside the caller's unit of work: the change it allows is
    made in the same transaction, so the change never exists without the record."""
    require_person(principal)
    row = DecisionRow(id=new_id(), tenant_id=uow.tenant_id, subject_type=subject_type, subject_id=subject_id,
                      automated_output=automated_output, based_on=_encoder.encode(based_on).decode(),
                      decision=decision, reason=reason, reviewed_by=principal.subject, reviewed_at=utc_now())
    await queries.insert_decision(uow, row)
    await record_all(uow, principal, [Entry("decision.recorded", subject_type, subject_id, after={
        "decision_id": row.id, "automated_output": automated_output, "decision": decision})])
    return decision_view(row)


async def decisions_in(uow: UnitOfWork, subject_type: SubjectType, subject_ids: list[UUID]) -> list[DecisionView]:
    return [decision_view(row) for row in await queries.decisions(uow, subject_type, subject_ids)]


async def consented_applications(uow: UnitOfWork, application_ids: set[UUID]) -> set[UUID]:
    """The applications among ``application_ids`` whose candidate's consent to AI-assisted evaluation is in force."""
    if not application_ids:
        return set()
    applications = await applications_by_id_in(uow, sorted(application_ids))
    consenting = await ai_consented_in(uow, [a.candidate_id for a in applications.values()])
    return {a.id for a in applications.values() if a.candidate_id in consenting}


async def restricted_applications_in(uow: UnitOfWork, application_ids: set[UUID]) -> set[UUID]:
    """The applications among ``application_ids`` whose candidate's processing is restricted (an approved
    data-subject restriction request not lifted): nothing automated may use them."""
    if not application_ids:
        return set()
    applications = await applications_by_id_in(uow, sorted(application_ids))
    restricted = await restricted_people_in(uow, "candidate", sorted({a.candidate_id for a in applications.values()}))
    return {a.id for a in applications.values() if a.candidate_id in restricted}


async def require_unrestricted(uow: UnitOfWork, application_id: UUID) -> None:
    if await restricted_applications_in(uow, {application_id}):
        raise ProcessingRestricted()


# -- decisions on an application's recommendations ---------------------------------------------------


async def decide_on_application(principal: Principal, application_id: UUID, request: NewDecision) -> DecisionView:
    """Record a person's decision on an application's pass/fail or ranking, with the output it was based on."""
    require_person(principal)
    async with unit_of_work(principal.tenant_id) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        based_on: dict[str, Any] = {"rank": request.rank, "overall": request.overall}
        if request.evaluation_id is not None:
            evaluation = await queries.evaluation(uow, request.evaluation_id)
            if evaluation is None or evaluation.application_id != application_id:
                raise DecisionAutomatedOutputUnknown(field="evaluation_id")
            based_on = {**based_on, "evaluation_id": evaluation.id, "model_version": evaluation.model_version,
                        "overall": evaluation.overall, "passed": evaluation.passed}
        elif request.automated_output == "evaluation_pass_fail":
            raise DecisionAutomatedOutputUnknown(field="evaluation_id")
        return await record_decision_in(uow, principal, subject_type="application", subject_id=application_id,
                                        automated_output=request.automated_output, based_on=based_on,
                                        decision=request.decision, reason=request.reason)


async def move_application(principal: Principal, application_id: UUID, move: StageMove, expected_version: int,
                           locale: str) -> ApplicationView:
    """Move the application to another stage. When an automated pass/fail is in use for it (its latest AI evaluation,
    with the candidate's consent in force and processing not restricted), the move is a person's decision on that
    output: recorded (who, when, the evaluation, its overall and pass/fail, the stages, the reason) in the same
    transaction as the move, and refused to a partner client's token. A move to a withdrawn stage is the
    candidate's own choice and records none."""
    async with unit_of_work(principal.tenant_id) as uow:
        before = await application_in(uow, application_id)
        if before is None:
            raise ApplicationNotFound()
        evaluation = await evaluation_in_use(uow, application_id)
        target = next((s for s in await stages_for(uow, locale) if s.code == move.stage), None)
        if evaluation is not None and target is not None and target.outcome is not StageOutcome.WITHDRAWN:
            await record_decision_in(
                uow, principal, subject_type="application", subject_id=application_id,
                automated_output="evaluation_pass_fail",
                decision="rejected" if target.outcome is StageOutcome.REJECTED else "advance", reason=move.reason,
                based_on={"evaluation_id": evaluation.id, "model_version": evaluation.model_version,
                          "overall": evaluation.overall, "passed": evaluation.passed,
                          "from_stage": before.stage, "to_stage": move.stage})
        return await move_application_in(uow, principal, application_id, move, expected_version, locale)


async def evaluation_in_use(uow: UnitOfWork, application_id: UUID) -> StoredEvaluation | None:
    """The application's latest AI evaluation, while it may be used: its candidate's consent to AI-assisted evaluation
    in force and their processing not restricted; else None."""
    if application_id not in await consented_applications(uow, {application_id}):
        return None
    if await restricted_applications_in(uow, {application_id}):
        return None
    evaluations = await queries.evaluations(uow, application_id)
    return evaluations[-1] if evaluations else None


async def application_decisions(principal: Principal, application_id: UUID, cursor: str | None,
                                limit: int) -> Page[DecisionView]:
    """Every decision by a person about the application and its AI results, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        found = await application_decisions_in(uow, application_id)
    return page_of_sorted(found, limit, cursor, lambda d: (d.reviewed_at.isoformat(), str(d.id)))


async def application_decisions_in(uow: UnitOfWork, application_id: UUID) -> list[DecisionView]:
    results = [row.id for row in await queries.results(uow, None, application_id)]
    found = [*await decisions_in(uow, "application", [application_id]),
             *await decisions_in(uow, "interview_result", results)]
    return sorted(found, key=lambda decision: (decision.reviewed_at, str(decision.id)))
