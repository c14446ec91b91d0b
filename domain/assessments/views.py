"""What a delivery answers: the stored result, its evaluation, and for a batch each item's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast
from uuid import UUID

import msgspec

from domain.assessments.model import StoredEvaluation
from domain.assessments.queries import ResultRow

ResultStatus = Literal["parked", "received", "evaluated"]
BatchOutcome = Literal["accepted", "parked", "duplicate", "refused"]
#: Why a result was parked: no mapped reference names its application yet.
REFERENCE_NOT_MAPPED = "reference_not_mapped"
#: Why a result was parked: its candidate has not consented (or withdrew consent) to AI-assisted evaluation.
NO_AI_CONSENT = "no_ai_consent"
#: Why a result was parked: its candidate's processing is restricted (an approved data-subject restriction request).
PROCESSING_RESTRICTED = "processing_restricted"
ParkedReason = Literal["reference_not_mapped", "no_ai_consent", "processing_restricted"]


def parked_reason(status: str, application_id: UUID | None, stored: str | None = None) -> ParkedReason | None:
    """A parked result keeps the reason stored with it (``processing_restricted``); otherwise one attached to an
    application waits for the candidate's consent, and one without waits for its reference to be mapped."""
    if status != "parked":
        return None
    if stored == PROCESSING_RESTRICTED:
        return PROCESSING_RESTRICTED
    return REFERENCE_NOT_MAPPED if application_id is None else NO_AI_CONSENT


class EvaluationView(msgspec.Struct, frozen=True):
    """An AI-interview result evaluated against a version of the job's competency model: the overall score (0-100, a
    decimal string; null when none of the model's competencies was scored), whether it passed, why it was made
    (`received`, `mapped` or `recomputed`), the per-competency detail, and who made it and when. An evaluation is never
    rewritten; a newer model version applies through a new, recomputed one."""

    id: UUID
    result_id: UUID
    application_id: UUID
    model_id: UUID
    model_version: int
    overall: str | None
    passed: bool
    reason: str
    detail: dict[str, Any]
    created_by: str
    created_at: datetime


class ResultView(msgspec.Struct, frozen=True):
    """An AI-interview result a vendor delivered: the vendor's own result id; its status (`parked` while no mapped
    reference names its application, `received` when attached but no competency model version was in force when the
    interview was completed, `evaluated`); the application; the vendor's references; when the interview was completed
    and when the result arrived."""

    id: UUID
    vendor_id: UUID
    vendor_result_id: str
    status: ResultStatus
    application_id: UUID | None
    candidate_reference: str | None
    application_reference: str | None
    completed_at: datetime
    received_at: datetime
    parked_reason: Annotated[ParkedReason | None, msgspec.Meta(description=(
        "Why a parked result waits: reference_not_mapped until the vendor's reference is mapped; no_ai_consent "
        "while the candidate has not consented to AI-assisted evaluation (or withdrew it). A result parked for "
        "no_ai_consent is used nowhere (no evaluation, comparison or ranking) until a person releases it after "
        "the candidate consents; processing_restricted while the candidate's processing is restricted (an approved "
        "data-subject restriction request), until a reviewer lifts the restriction and a person releases it."))] = None


class Delivery(msgspec.Struct, frozen=True):
    """The answer to a vendor's signed delivery: the stored result, whether it had been delivered before (`duplicate`:
    nothing new was stored), and its evaluation, when it could be evaluated."""

    result: ResultView
    duplicate: bool
    evaluation: EvaluationView | None



class ItemProblem(msgspec.Struct, frozen=True):
    """Why one result of a batch was refused: a stable `code`, its `title` and `detail` in the reader's language
    (Accept-Language), and an RFC 6901 `pointer` into the batch document (such as `/results/3/competencies/0/score`)."""

    code: str
    title: str
    detail: str
    pointer: str


class BatchItem(msgspec.Struct, frozen=True):
    """The outcome of one result of a batch, at its `index` in `results`: `accepted` (stored; evaluated when a
    competency model version applies), `parked` (stored, waiting for its reference to be mapped; `parked_reason`
    says why), `duplicate` (this result_id was delivered before, or earlier in this batch: nothing new stored, the
    stored result is shown) or `refused` (nothing stored; `problem` says why and where)."""

    index: int
    result_id: Annotated[str | None, msgspec.Meta(
        description="The vendor's result_id, when the item has a readable one.")]
    outcome: BatchOutcome
    result: ResultView | None = None
    evaluation: EvaluationView | None = None
    parked_reason: Annotated[ParkedReason | None, msgspec.Meta(
        description="Why a parked result waits: reference_not_mapped until the vendor's reference is mapped; "
                    "no_ai_consent while its candidate has not consented to AI-assisted evaluation; "
                    "processing_restricted while its candidate's processing is restricted.")] = None
    problem: ItemProblem | None = None


class BatchDelivery(msgspec.Struct, frozen=True):
    """The answer to a signed batch: how many results were accepted, parked, duplicates and refused, and each
    result's outcome in the order sent. The valid results were stored in one transaction; refused ones were not."""

    accepted: int
    parked: int
    duplicates: int
    refused: int
    items: list[BatchItem]


def result_view(row: ResultRow) -> ResultView:
    return ResultView(id=row.id, vendor_id=row.vendor_id, vendor_result_id=row.vendor_result_id,
                      status=cast(ResultStatus, row.status), application_id=row.application_id,
                      candidate_reference=row.candidate_reference, application_reference=row.application_reference,
                      completed_at=row.completed_at, received_at=row.received_at,
                      parked_reason=parked_reason(row.status, row.application_id, row.parked_reason))


def evaluation_view(row: StoredEvaluation) -> EvaluationView:
    return EvaluationView(id=row.id, result_id=row.result_id, application_id=row.application_id,
                          model_id=row.model_id, model_version=row.model_version, overall=row.overall,
                          passed=row.passed, reason=row.reason, detail=msgspec.to_builtins(row.detail),
                          created_by=row.created_by, created_at=row.created_at)


def batch_item(index: int, delivery: Delivery) -> BatchItem:
    """A stored (or already stored) result as a batch reports it."""
    status = delivery.result.status
    outcome: BatchOutcome = "duplicate" if delivery.duplicate else "parked" if status == "parked" else "accepted"
    return BatchItem(index=index, result_id=delivery.result.vendor_result_id, outcome=outcome,
                     result=delivery.result, evaluation=delivery.evaluation,
                     parked_reason=delivery.result.parked_reason if outcome == "parked" else None)


def batch_delivery(items: list[BatchItem]) -> BatchDelivery:
    counts = {outcome: sum(1 for item in items if item.outcome == outcome)
              for outcome in ("accepted", "parked", "duplicate", "refused")}
    return BatchDelivery(accepted=counts["accepted"], parked=counts["parked"], duplicates=counts["duplicate"],
                         refused=counts["refused"], items=items)

