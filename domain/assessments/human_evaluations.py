"""The human-only evaluation path: a person scores an application's competencies (0-100) without any AI result.

Scores are recorded per competency with the kind of evidence they rest on; the latest score of each competency
counts. Scored against the job's competency model version with the same rules as a vendor's result, they rank and
compare like one, marked as human (``evaluation_source``), and they are used whatever the candidate's AI consent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.contract import (
    CompetencyScore,
    EvidenceKind,
    InterviewResultV1,
    ResultReference,
)
from domain.assessments.model import CompetencyCode, Evaluation, require_decimal
from domain.assessments.queries import HumanEvaluationRow
from domain.assessments.safeguards import require_unrestricted
from domain.assessments.scoring import ModelVersion, evaluate
from domain.audit.service import Entry, record_all
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, page_of_sorted
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.recruitment.service import ApplicationNotFound, application_in

HUNDRED = Decimal(100)


class HumanScore(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A person's score for one competency, on 0-100 (a decimal string, at most 2 places), and the kind of evidence
    it rests on (default structured_interview)."""

    code: CompetencyCode
    score: Annotated[Decimal, msgspec.Meta(description="0 to 100, at most 2 decimal places (a decimal string).")]
    evidence_kind: EvidenceKind = "structured_interview"

    def __post_init__(self) -> None:
        require_decimal(self.score, "score", low=Decimal(0), high=HUNDRED)
        if self.score.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("score has at most 2 decimal places")


class NewHumanEvaluation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A person's evaluation of an application, one score per competency (1-50, codes unique). A later score of the
    same competency replaces the earlier one in comparisons and explanations; both are kept."""

    competencies: Annotated[list[HumanScore], msgspec.Meta(min_length=1, max_length=50)]

    def __post_init__(self) -> None:
        codes = [c.code for c in self.competencies]
        if len(set(codes)) != len(codes):
            raise ValueError("competency codes must be unique")


class HumanEvaluationView(msgspec.Struct, frozen=True):
    """One competency scored by a person: the score (0-100), the evidence kind, who scored it and when (UTC)."""

    id: UUID
    application_id: UUID
    competency_code: str
    score: str
    evidence_kind: str
    evaluated_by: str
    created_at: datetime


class RecordedHumanEvaluation(msgspec.Struct, frozen=True):
    """The competencies a person just scored, one item each."""

    items: list[HumanEvaluationView]


def _view(row: HumanEvaluationRow) -> HumanEvaluationView:
    return HumanEvaluationView(id=row.id, application_id=row.application_id, competency_code=row.competency_code,
                               score=row.score, evidence_kind=row.evidence_kind, evaluated_by=row.evaluated_by,
                               created_at=row.created_at)


async def record_human_evaluation(principal: Principal, application_id: UUID,
                                  request: NewHumanEvaluation) -> RecordedHumanEvaluation:
    async with unit_of_work(principal.tenant_id) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        await require_unrestricted(uow, application_id)  # restricted: stored, not processed further
        now = utc_now()
        rows = [HumanEvaluationRow(id=new_id(), tenant_id=uow.tenant_id, application_id=application_id,
                                   competency_code=c.code, score=str(c.score.quantize(Decimal("0.01"))),
                                   evidence_kind=c.evidence_kind, evaluated_by=principal.subject, created_at=now)
                for c in request.competencies]
        await queries.insert_human_evaluations(uow, rows)
        await record_all(uow, principal, [Entry("human_evaluation.recorded", "application", application_id, after={
            "competencies": {row.competency_code: row.score for row in rows}})])
    return RecordedHumanEvaluation(items=[_view(row) for row in rows])


async def list_human_evaluations(principal: Principal, application_id: UUID, cursor: str | None,
                                 limit: int) -> Page[HumanEvaluationView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        rows = await queries.human_evaluations(uow, application_id)
    return page_of_sorted([_view(row) for row in rows], limit, cursor, lambda view: (str(view.id),))


def latest_human_scores(rows: list[HumanEvaluationRow]) -> dict[str, HumanEvaluationRow]:
    """Each competency's latest human score (rows oldest first)."""
    return {row.competency_code: row for row in rows}


def human_evaluation(application_id: UUID, rows: list[HumanEvaluationRow], model: ModelVersion) -> Evaluation | None:
    """The application's latest human scores evaluated against ``model`` by the rules a vendor's result follows
    (scores already on 0-100); None when no competency of the model was scored by a person."""
    latest = latest_human_scores(rows)
    scored = [latest[c.code] for c in model.competencies if c.code in latest]
    if not scored:
        return None
    result = InterviewResultV1(
        schema="meridian.interview-result.v1", result_id="human", vendor="Meridian", model="human",
        model_version="1", rubric_version="1", reference=ResultReference(application_reference=str(application_id)),
        interview_language="en", completed_at=max(row.created_at for row in scored).astimezone(UTC),
        competencies=[CompetencyScore(code=row.competency_code, name=row.competency_code, score=Decimal(row.score),
                                      scale_min=Decimal(0), scale_max=HUNDRED, evidence_kind=row.evidence_kind)  # type: ignore[arg-type]
                      for row in scored])
    evaluation = evaluate(result, model)
    # A person's score has no evidence passages to count: it rests on the person's own evidence kind.
    return msgspec.structs.replace(evaluation, competencies=[
        msgspec.structs.replace(c, evidence_count=1 if c.score is not None else 0) for c in evaluation.competencies])


async def human_evaluation_in(uow: UnitOfWork, application_id: UUID, model: ModelVersion) -> Evaluation | None:
    return human_evaluation(application_id, await queries.human_evaluations(uow, application_id), model)
