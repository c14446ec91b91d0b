"""Analytics over the tenant's own people: the interview feedback loop per job, and attrition risk.

The feedback loop relates each hire's interview evaluation to their latest performance review and may
propose new competency weights; accepting a proposal publishes a new model version (old evaluations keep
theirs) and is audited with the weights before and after. Attrition risk is scored per active employee
with the tenant's own model once its history allows, else the documented points model.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from domain.analytics.attrition import (
    AttritionFeatures,
    AttritionReport,
    EmployeeRisk,
    LabelledHistory,
    model_card,
    model_for,
    score,
)
from domain.analytics.feedback_loop import FeedbackLoopAnalysis, FeedbackLoopReport, HireOutcome, analyse
from domain.assessments.service import (
    DecisionView,
    ProcessingRestricted,
    consented_applications,
    decisions_in,
    evaluations_in,
    record_decision_in,
    require_person,
)
from domain.employees.model import EmployeeNotFound, EmployeeRow, EmploymentRow
from domain.employees.service import (
    all_employees_in,
    employee_of_application_in,
    employments_in,
    pay_of_position_in,
    reviews_in,
    training_records_in,
)
from domain.identity.service import user_by_subject_in
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict
from domain.kernel.pagination import Page, page_of_sorted
from domain.kernel.principal import Principal
from domain.kernel.reports import JobModelSubject, Produced, produced_now
from domain.kernel.time import utc_now
from domain.privacy.service import restricted_people_in
from domain.recruitment.model import ModelVersionView, NewModelVersion, pick_text
from domain.recruitment.service import (
    JobNotFound,
    NoCompetencyModel,
    applications_in,
    job_in,
    model_versions_in,
    publish_in,
    tenant_default_locale,
    version_in_force,
)
from domain.tenancy.service import legal_entities_in

CULTURE_FIT_CODES = ("culture_fit", "culture")
MANAGER_CHANGE_WINDOW = timedelta(days=183)


class NoProposal(Conflict):
    code = "feedback_loop_no_proposal"
    title = "No proposal to accept"
    template = "There is not enough data yet to propose new weights for this job's competency model."


# -- feedback loop -------------------------------------------------------------------------------


async def feedback_loop(principal: Principal, job_id: UUID,
                        locale: str | None = None) -> tuple[FeedbackLoopReport, ModelVersionView]:
    """The analysis as a report naming the job (in ``locale``, by default the caller's language), the model
    version it weighs and who produced it."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        analysis, version = await _analysis(uow, job_id)
        job = await job_in(uow, job_id)
        title = pick_text(job.title, locale or principal.locale, await tenant_default_locale(uow)) if job else ""
        subject = JobModelSubject(job_id=job_id, job_title=title, model_id=version.model_id, model_name=version.name,
                                  model_version=version.number, model_effective_from=version.effective_from)
        produced = await _produced(uow, principal)
    return FeedbackLoopReport(**msgspec.structs.asdict(analysis), subject=subject, produced=produced), version


async def _produced(uow: UnitOfWork, principal: Principal) -> Produced:
    user = await user_by_subject_in(uow, principal.subject)
    return produced_now(principal, user.display_name if user else None)


async def _analysis(uow: UnitOfWork, job_id: UUID) -> tuple[FeedbackLoopAnalysis, ModelVersionView]:
    if await job_in(uow, job_id) is None:
        raise JobNotFound()
    version = await _current_version(uow, job_id)
    weights = {c.code: Decimal(c.weight) for c in version.competencies}
    return analyse(await _outcomes(uow, job_id), weights), version


async def _current_version(uow: UnitOfWork, job_id: UUID) -> ModelVersionView:
    versions = await model_versions_in(uow, job_id)
    if not versions:
        raise NoCompetencyModel()
    return version_in_force(versions, utc_now().date()) or versions[-1]


async def _outcomes(uow: UnitOfWork, job_id: UUID) -> list[HireOutcome]:
    """Every hire of the job with both an interview evaluation and a performance review; an AI evaluation counts
    only while the person's consent to AI-assisted evaluation is in force."""
    outcomes = []
    applications = await applications_in(uow, 10_000, job_id=job_id)
    consented = await consented_applications(uow, {application.id for application in applications})
    for application in applications:
        employee = await employee_of_application_in(uow, application.id)
        evaluations = await evaluations_in(uow, application.id) if application.id in consented else []
        reviews = await reviews_in(uow, employee.id) if employee else []
        if employee is None or not evaluations or not reviews:
            continue
        scores = {c.code: c.score for c in evaluations[-1].detail.competencies if c.score is not None}
        latest = reviews[-1]
        outcomes.append(HireOutcome(
            employee_id=employee.id, label=employee.full_name, interview_scores=scores,
            performance={code: Decimal(value) for code, value in latest.ratings.items()},
            overall_performance=Decimal(latest.overall)))
    return outcomes


async def accept_proposal(principal: Principal, job_id: UUID) -> ModelVersionView:
    """Publish the proposed weights as the model's next version, effective today. The acceptance is a decision by a
    person, recorded (who, when, the proposal and the analysis it came from) in the same transaction as the new
    version: proposed weights never become the model without it."""
    require_person(principal)
    async with unit_of_work(principal.tenant_id) as uow:
        analysis, current = await _analysis(uow, job_id)
        if analysis.insufficient_data or not analysis.proposed_weights:
            raise NoProposal()
        await record_decision_in(
            uow, principal, subject_type="job", subject_id=job_id, automated_output="proposed_weights",
            decision="accepted", reason="feedback_loop.proposal_accepted",
            based_on={"model_id": current.model_id, "model_version": current.number, "hires": analysis.hires,
                      "min_sample": analysis.min_sample,
                      "current_weights": {c.code: str(c.weight) for c in current.competencies},
                      "proposed_weights": {code: str(w) for code, w in analysis.proposed_weights.items()},
                      "correlations": {c.code: c.correlation for c in analysis.competencies}})
        competencies = [
            msgspec.structs.replace(c, weight=str(analysis.proposed_weights.get(c.code, Decimal(c.weight))))
            for c in current.competencies
        ]
        request = NewModelVersion(effective_from=utc_now().date(), competencies=competencies,
                                  overall_pass_threshold=current.overall_pass_threshold)
        return await publish_in(uow, principal, job_id, request, "feedback_loop.proposal_accepted")


async def weight_decisions(principal: Principal, job_id: UUID, cursor: str | None,
                           limit: int) -> Page[DecisionView]:
    """Every acceptance of proposed weights for the job's competency model: who, when, and the proposal, oldest
    first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await job_in(uow, job_id) is None:
            raise JobNotFound()
        found = await decisions_in(uow, "job", [job_id])
    return page_of_sorted(found, limit, cursor, lambda d: (d.reviewed_at.isoformat(), str(d.id)))


def competency_names(version: ModelVersionView, locale: str) -> dict[str, str]:
    return {c.code: pick_text(c.names, locale, "en") for c in version.competencies}


# -- attrition -----------------------------------------------------------------------------------


async def attrition(principal: Principal) -> AttritionReport:
    """Every active employee's risk with the tenant's model (or the standard one), and that model's card."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        today = utc_now().date()
        employees = await all_employees_in(uow, 100_000)
        found = {e.id: await _features(uow, e, e.left_on or today) for e in employees}
        features = {k: v[0] for k, v in found.items() if v is not None}
        employments = {k: v[1] for k, v in found.items() if v is not None}
        history = [LabelledHistory(features=features[e.id], left=e.left_on is not None)
                   for e in employees if e.id in features]
        model = model_for(history)
        entities = {entity.id: entity.name for entity in await legal_entities_in(uow)}

        def row(employee: EmployeeRow) -> EmployeeRisk:
            employment = employments[employee.id]
            return EmployeeRisk(employee_id=employee.id, label=employee.full_name,
                                employee_number=employee.employee_number, department=employee.department,
                                position=employment.position,
                                legal_entity=entities.get(employment.legal_entity_id),
                                risk=score(features[employee.id], model))

        ranked = sorted((row(e) for e in employees if e.left_on is None and e.id in features),
                        key=lambda risk: risk.risk.score, reverse=True)
        produced = await _produced(uow, principal)
    return AttritionReport(as_of=today, produced=produced, model_card=model_card(history, model), employees=ranked)


class NewAttritionDecision(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A person's decision on an employee's attrition risk, recorded before anything is done about it (a retention
    conversation, a pay review): `accepted` (the risk is acted on), `hold` (watched) or `rejected` (dismissed), and
    the reason, which says what will be done. The risk it is based on is the one the report gives now."""

    decision: Literal["accepted", "hold", "rejected"]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


async def decide_on_attrition(principal: Principal, employee_id: UUID, request: NewAttritionDecision) -> DecisionView:
    """Record a person's decision on the employee's attrition risk as scored now (score, band, method, the factors
    behind it and the day), in the decision records the explanation and the data-subject export read. An employee
    whose processing is restricted is not scored, so nothing can be decided on it (409 processing_restricted)."""
    require_person(principal)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if not await employments_in(uow, employee_id):
            raise EmployeeNotFound()
        if await restricted_people_in(uow, "employee", [employee_id]):
            raise ProcessingRestricted()
    report = await attrition(principal)
    found = next((row for row in report.employees if row.employee_id == employee_id), None)
    if found is None:
        raise EmployeeNotScored()
    async with unit_of_work(principal.tenant_id) as uow:
        return await record_decision_in(
            uow, principal, subject_type="employee", subject_id=employee_id, automated_output="attrition_risk",
            decision=request.decision, reason=request.reason,
            based_on={"as_of": report.as_of, "score": found.risk.score, "band": found.risk.band,
                      "method": found.risk.method,
                      "top_factors": {f.feature: f.contribution for f in found.risk.top_factors}})


async def attrition_decisions(principal: Principal, employee_id: UUID, cursor: str | None,
                              limit: int) -> Page[DecisionView]:
    """Every decision by a person on the employee's attrition risk, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if not await employments_in(uow, employee_id):
            raise EmployeeNotFound()
        found = await decisions_in(uow, "employee", [employee_id])
    return page_of_sorted(found, limit, cursor, lambda d: (d.reviewed_at.isoformat(), str(d.id)))


class EmployeeNotScored(Conflict):
    code = "attrition_not_scored"
    title = "No attrition risk"
    template = ("The employee has no attrition risk to decide on: only active employees with an employment are "
                "scored.")


async def _features(uow: UnitOfWork, employee: EmployeeRow,
                    on: date) -> tuple[AttritionFeatures, EmploymentRow] | None:
    """The employee's features on ``on`` and the employment in force then; None without any employment."""
    employments = await employments_in(uow, employee.id)
    if not employments:
        return None
    current = [e for e in employments if e.effective_from <= on] or employments[:1]
    trainings = await training_records_in(uow, employee.id)
    reviews = await reviews_in(uow, employee.id)
    return AttritionFeatures(
        culture_fit=await _culture_fit(uow, employee),
        # None when no training was ever assigned: its own value, not "all of them completed".
        training_participation=(sum(1 for t in trainings if t.status == "completed") / len(trainings)
                                if trainings else None),
        tenure_months=max((on - employments[0].effective_from).days / 30.44, 0.0),
        review_trend=(Decimal(reviews[-1].overall) - Decimal(reviews[-2].overall)) if len(reviews) > 1 else 0,
        pay_position=await _pay_position(uow, current[-1]),
        recent_manager_change=_manager_changed(current, on),
    ), current[-1]


async def _culture_fit(uow: UnitOfWork, employee: EmployeeRow) -> Decimal | None:
    if employee.application_id is None or not await consented_applications(uow, {employee.application_id}):
        return None  # no AI evaluation is used without the person's consent to AI-assisted evaluation
    evaluations = await evaluations_in(uow, employee.application_id)
    if not evaluations:
        return None
    scores = {c.code: c.score for c in evaluations[-1].detail.competencies}
    return next((scores[code] for code in CULTURE_FIT_CODES if scores.get(code) is not None), None)


async def _pay_position(uow: UnitOfWork, employment: EmploymentRow) -> float:
    """Pay against the median of the same position and currency in the tenant: the range midpoint
    Meridian can know until pay ranges per position exist."""
    peers = await pay_of_position_in(uow, employment.position, employment.currency)
    midpoint = statistics.median(peers) if peers else employment.pay_minor
    return employment.pay_minor / midpoint if midpoint else 1.0


def _manager_changed(employments: list[EmploymentRow], on: date) -> bool:
    recent = [e for e in employments if on - MANAGER_CHANGE_WINDOW <= e.effective_from <= on]
    earlier = [e for e in employments if e.effective_from < on - MANAGER_CHANGE_WINDOW]
    managers = {e.manager_id for e in recent} | ({earlier[-1].manager_id} if earlier else set())
    return len(managers) > 1
