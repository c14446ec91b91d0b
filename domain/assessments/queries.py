from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.assessments.model import Evaluation, StoredEvaluation
from domain.assessments.tables import (
    DecisionRecord,
    DeliveryRefusal,
    DeliveryRefusalSample,
    EvaluationRecord,
    ExternalReference,
    HumanEvaluation,
    InterviewResult,
    Vendor,
    VendorSignature,
)
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned


class VendorRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    name: str
    secret_ciphertext: str
    previous_secret_ciphertext: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ReferenceRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    vendor_id: UUID
    kind: str
    reference: str
    application_id: UUID | None
    created_by: str
    created_at: datetime


class ResultRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    vendor_id: UUID
    vendor_result_id: str
    status: str
    application_id: UUID | None
    candidate_reference: str | None
    application_reference: str | None
    payload_ciphertext: str
    completed_at: datetime
    received_at: datetime
    #: why a parked result waits, when stored (``processing_restricted``); null: derived (see ``views.parked_reason``)
    parked_reason: str | None = None


async def insert_vendor(uow: UnitOfWork, vendor_id: UUID, name: str, secret_ciphertext: str) -> None:
    now = utc_now()
    await Vendor.insert(Vendor(id=vendor_id, tenant_id=uow.tenant_id, name=name, secret_ciphertext=secret_ciphertext,
                               version=1, created_at=now, updated_at=now))


async def vendor(uow: UnitOfWork, vendor_id: UUID) -> VendorRow | None:
    row = await Vendor.select().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.id == vendor_id)).first()
    return VendorRow(**row) if row else None


async def vendor_named(uow: UnitOfWork, name: str) -> bool:
    return await Vendor.exists().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.name == name))


async def vendors(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[VendorRow]:
    """In the order they were registered (ids are UUIDv7)."""
    query = Vendor.select().where(Vendor.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Vendor.id > after)
    return [VendorRow(**row) for row in await query.order_by(Vendor.id).limit(limit)]


async def replace_secret(uow: UnitOfWork, vendor_id: UUID, version: int, secret: str, previous: str) -> None:
    await update_versioned(uow, Vendor, vendor_id, version,
                           {"secret_ciphertext": secret, "previous_secret_ciphertext": previous}, "vendor")


async def remember_signature(uow: UnitOfWork, vendor_id: UUID, signature: str) -> bool:
    """False when this exact signed delivery was accepted before: a replay. One statement: the unique index on
    (tenant, vendor, signature) decides, so two copies racing each other cannot both be accepted."""
    inserted = await VendorSignature.insert(VendorSignature(
        id=new_id(), tenant_id=uow.tenant_id, vendor_id=vendor_id, signature=signature, signed_at=utc_now(),
    )).on_conflict(action="DO NOTHING").returning(VendorSignature.id)
    return bool(inserted)


async def reference(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> ReferenceRow | None:
    row = await ExternalReference.select().where(
        (ExternalReference.tenant_id == uow.tenant_id) & (ExternalReference.vendor_id == vendor_id)
        & (ExternalReference.kind == kind) & (ExternalReference.reference == value)).first()
    return ReferenceRow(**row) if row else None


async def references_named(uow: UnitOfWork, vendor_id: UUID, application_references: list[str],
                           candidate_references: list[str]) -> list[ReferenceRow]:
    """The vendor's mapped references among those named, of either kind, in one query."""
    wanted = [(kind, values) for kind, values in (("application", application_references),
                                                   ("candidate", candidate_references)) if values]
    if not wanted:
        return []
    kinds = [(ExternalReference.kind == kind) & ExternalReference.reference.is_in(values) for kind, values in wanted]
    either = kinds[0] if len(kinds) == 1 else (kinds[0] | kinds[1])
    rows = await ExternalReference.select().where(
        (ExternalReference.tenant_id == uow.tenant_id) & (ExternalReference.vendor_id == vendor_id) & either)
    return [ReferenceRow(**row) for row in rows]


async def insert_reference(uow: UnitOfWork, values: dict[str, Any]) -> UUID:
    reference_id = new_id()
    await ExternalReference.insert(ExternalReference(id=reference_id, tenant_id=uow.tenant_id, created_at=utc_now(),
                                                     **values))
    return reference_id


async def result_by_vendor_id(uow: UnitOfWork, vendor_id: UUID, vendor_result_id: str) -> ResultRow | None:
    row = await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & (InterviewResult.vendor_result_id == vendor_result_id)).first()
    return ResultRow(**row) if row else None


async def results_by_vendor_ids(uow: UnitOfWork, vendor_id: UUID, vendor_result_ids: list[str]) -> list[ResultRow]:
    if not vendor_result_ids:
        return []
    rows = await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & InterviewResult.vendor_result_id.is_in(vendor_result_ids))
    return [ResultRow(**row) for row in rows]


RESULT_COLUMNS = ("id", "tenant_id", "vendor_id", "vendor_result_id", "status", "application_id",
                  "candidate_reference", "application_reference", "payload_ciphertext", "completed_at", "received_at",
                  "parked_reason")


async def insert_results(uow: UnitOfWork, rows: list[ResultRow]) -> None:
    """Many results in one statement; each row's tenant is the unit of work's."""
    if rows:
        tenant = uow.tenant_id
        await current_database().bulk_insert("interview_results", RESULT_COLUMNS, [
            (r.id, tenant, r.vendor_id, r.vendor_result_id, r.status, r.application_id, r.candidate_reference,
             r.application_reference, r.payload_ciphertext, r.completed_at, r.received_at, r.parked_reason)
            for r in rows])


async def result(uow: UnitOfWork, result_id: UUID) -> ResultRow | None:
    row = await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.id == result_id)).first()
    return ResultRow(**row) if row else None


async def results(uow: UnitOfWork, status: str | None, application_id: UUID | None = None) -> list[ResultRow]:
    query = InterviewResult.select().where(InterviewResult.tenant_id == uow.tenant_id)
    if status:
        query = query.where(InterviewResult.status == status)
    if application_id:
        query = query.where(InterviewResult.application_id == application_id)
    return [ResultRow(**row) for row in await query.order_by(InterviewResult.received_at)]


async def results_page(uow: UnitOfWork, *, after: UUID | None, limit: int, status: str | None) -> list[ResultRow]:
    """In the order they were received (ids are UUIDv7)."""
    query = InterviewResult.select().where(InterviewResult.tenant_id == uow.tenant_id)
    if status:
        query = query.where(InterviewResult.status == status)
    if after:
        query = query.where(InterviewResult.id > after)
    return [ResultRow(**row) for row in await query.order_by(InterviewResult.id).limit(limit)]


async def parked_for(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> list[ResultRow]:
    column = InterviewResult.application_reference if kind == "application" else InterviewResult.candidate_reference
    rows = await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & (InterviewResult.status == "parked") & InterviewResult.application_id.is_null() & (column == value))
    return [ResultRow(**row) for row in rows]


async def attach_results(uow: UnitOfWork, result_ids: list[UUID], application_id: UUID, status: str,
                         parked_reason: str | None = None) -> None:
    if result_ids:
        changes = {InterviewResult.application_id: application_id, InterviewResult.status: status,
                   InterviewResult.parked_reason: parked_reason if status == "parked" else None}
        await InterviewResult.update(changes).where(
            (InterviewResult.tenant_id == uow.tenant_id) & InterviewResult.id.is_in(result_ids))


EVALUATION_COLUMNS = ("id", "tenant_id", "result_id", "application_id", "model_id", "model_version", "overall",
                      "passed", "detail", "reason", "created_by", "created_at")
_detail_text = msgspec.json.Encoder(decimal_format="string")


async def insert_evaluations(uow: UnitOfWork, rows: list[StoredEvaluation]) -> None:
    """Many evaluations in one statement; each row's tenant is the unit of work's."""
    if rows:
        tenant = uow.tenant_id
        await current_database().bulk_insert("evaluations", EVALUATION_COLUMNS, [
            (r.id, tenant, r.result_id, r.application_id, r.model_id, r.model_version, r.overall, r.passed,
             _detail_text.encode(r.detail).decode(), r.reason, r.created_by, r.created_at) for r in rows])


_detail = msgspec.json.Decoder(Evaluation)


def _evaluation(row: dict[str, Any]) -> StoredEvaluation:
    return StoredEvaluation(**{**row, "detail": _detail.decode(row["detail"])})


async def evaluation(uow: UnitOfWork, evaluation_id: UUID) -> StoredEvaluation | None:
    row = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.id == evaluation_id)).first()
    return _evaluation(row) if row else None


async def evaluations_page(uow: UnitOfWork, application_id: UUID, *, after: UUID | None,
                           limit: int) -> list[StoredEvaluation]:
    """In the order they were made (ids are UUIDv7)."""
    query = EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.application_id == application_id))
    if after:
        query = query.where(EvaluationRecord.id > after)
    return [_evaluation(row) for row in await query.order_by(EvaluationRecord.id).limit(limit)]


async def latest_evaluations(uow: UnitOfWork, application_ids: list[UUID]) -> dict[UUID, StoredEvaluation]:
    """Each application's latest evaluation, in one query."""
    if not application_ids:
        return {}
    rows = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & EvaluationRecord.application_id.is_in(application_ids)
    ).order_by(EvaluationRecord.created_at)
    return {evaluation.application_id: evaluation for evaluation in map(_evaluation, rows)}


async def evaluations(uow: UnitOfWork, application_id: UUID) -> list[StoredEvaluation]:
    rows = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.application_id == application_id)
    ).order_by(EvaluationRecord.created_at)
    return [_evaluation(row) for row in rows]


# -- the security log of refused deliveries ------------------------------------------------------


class RefusalRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    vendor_id: UUID
    reason: str
    window_start: datetime
    refused: int
    throttled: int
    first_at: datetime
    last_at: datetime


class RefusalSampleRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    refusal_id: UUID
    received_at: datetime
    source_ip: str | None
    body_bytes: int
    body_sha256: str


class CountedRefusal(msgspec.Struct, frozen=True):
    """The window's row after counting one more refusal: its id, its count, and whether this refusal opened it."""

    id: UUID
    refused: int
    opened: bool


async def refusals_in_window(uow: UnitOfWork, vendor_id: UUID, window_start: datetime) -> int:
    """The vendor's refusals of every reason counted so far in the window."""
    rows = await DeliveryRefusal.select(DeliveryRefusal.refused).where(
        (DeliveryRefusal.tenant_id == uow.tenant_id) & (DeliveryRefusal.vendor_id == vendor_id)
        & (DeliveryRefusal.window_start == window_start))
    return sum(row["refused"] for row in rows)


async def count_refusal(uow: UnitOfWork, vendor_id: UUID, reason: str, window_start: datetime, at: datetime,
                        *, throttled: bool) -> CountedRefusal:
    """One more refusal in the window's row, which is opened when this is its first. A refusal that only counts
    (the common case in a flood) is one UPDATE."""
    counted = await _increment_refusals(uow, vendor_id, reason, window_start, at, throttled)
    if counted is not None:
        return CountedRefusal(id=counted[0], refused=counted[1], opened=False)
    # Two first refusals at once: ON CONFLICT lets the second find the row the first one inserted.
    opened = await DeliveryRefusal.insert(DeliveryRefusal(
        id=new_id(), tenant_id=uow.tenant_id, vendor_id=vendor_id, reason=reason, window_start=window_start,
        refused=0, throttled=0, first_at=at, last_at=at,
    )).on_conflict(action="DO NOTHING").returning(DeliveryRefusal.id)
    counted = await _increment_refusals(uow, vendor_id, reason, window_start, at, throttled)
    if counted is None:
        raise LookupError("the refusal window just written cannot be read back")  # unreachable
    return CountedRefusal(id=counted[0], refused=counted[1], opened=bool(opened))


async def _increment_refusals(uow: UnitOfWork, vendor_id: UUID, reason: str, window_start: datetime,
                              at: datetime, throttled: bool) -> tuple[UUID, int] | None:
    rows = await DeliveryRefusal.update({
        DeliveryRefusal.refused: DeliveryRefusal.refused + 1,
        DeliveryRefusal.throttled: DeliveryRefusal.throttled + (1 if throttled else 0),
        DeliveryRefusal.last_at: at,
    }).where(
        (DeliveryRefusal.tenant_id == uow.tenant_id) & (DeliveryRefusal.vendor_id == vendor_id)
        & (DeliveryRefusal.window_start == window_start) & (DeliveryRefusal.reason == reason)
    ).returning(DeliveryRefusal.id, DeliveryRefusal.refused)
    return (rows[0]["id"], rows[0]["refused"]) if rows else None


async def add_refusal_sample(uow: UnitOfWork, refusal_id: UUID, received_at: datetime, source_ip: str | None,
                             body_bytes: int, body_sha256: str) -> None:
    await DeliveryRefusalSample.insert(DeliveryRefusalSample(
        id=new_id(), tenant_id=uow.tenant_id, refusal_id=refusal_id, received_at=received_at, source_ip=source_ip,
        body_bytes=body_bytes, body_sha256=body_sha256))


async def prune_refusals(uow: UnitOfWork, before: datetime) -> None:
    """Forget the tenant's refusal windows that started before ``before``, samples first."""
    old = [row["id"] for row in await DeliveryRefusal.select(DeliveryRefusal.id).where(
        (DeliveryRefusal.tenant_id == uow.tenant_id) & (DeliveryRefusal.window_start < before))]
    if not old:
        return
    await DeliveryRefusalSample.delete().where(
        (DeliveryRefusalSample.tenant_id == uow.tenant_id) & DeliveryRefusalSample.refusal_id.is_in(old))
    await DeliveryRefusal.delete().where((DeliveryRefusal.tenant_id == uow.tenant_id) & DeliveryRefusal.id.is_in(old))


async def refusal_windows(uow: UnitOfWork, vendor_id: UUID, before: UUID | None, limit: int) -> list[RefusalRow]:
    """The vendor's refusal windows, newest first (ids are UUIDv7, so they sort by when a window opened)."""
    query = DeliveryRefusal.select().where(
        (DeliveryRefusal.tenant_id == uow.tenant_id) & (DeliveryRefusal.vendor_id == vendor_id))
    if before is not None:
        query = query.where(DeliveryRefusal.id < before)
    return [RefusalRow(**row) for row in await query.order_by(DeliveryRefusal.id, ascending=False).limit(limit)]


async def refusal_samples(uow: UnitOfWork, refusal_ids: list[UUID]) -> list[RefusalSampleRow]:
    if not refusal_ids:
        return []
    rows = await DeliveryRefusalSample.select().where(
        (DeliveryRefusalSample.tenant_id == uow.tenant_id) & DeliveryRefusalSample.refusal_id.is_in(refusal_ids)
    ).order_by(DeliveryRefusalSample.received_at, DeliveryRefusalSample.id)
    return [RefusalSampleRow(**row) for row in rows]


# -- AI-evaluation safeguards: human evaluations and decisions by a person ---------------------------


class HumanEvaluationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    application_id: UUID
    competency_code: str
    score: str
    evidence_kind: str
    evaluated_by: str
    created_at: datetime


class DecisionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    subject_type: str
    subject_id: UUID
    automated_output: str
    based_on: str
    decision: str
    reason: str
    reviewed_by: str
    reviewed_at: datetime


async def insert_human_evaluations(uow: UnitOfWork, rows: list[HumanEvaluationRow]) -> None:
    for row in rows:
        await HumanEvaluation.insert(HumanEvaluation(**{**msgspec.structs.asdict(row), "tenant_id": uow.tenant_id}))


async def human_evaluations(uow: UnitOfWork, application_id: UUID) -> list[HumanEvaluationRow]:
    """The application's human evaluations, oldest first."""
    rows = await HumanEvaluation.select().where(
        (HumanEvaluation.tenant_id == uow.tenant_id) & (HumanEvaluation.application_id == application_id)
    ).order_by(HumanEvaluation.created_at, HumanEvaluation.id)
    return [HumanEvaluationRow(**row) for row in rows]


async def insert_decision(uow: UnitOfWork, row: DecisionRow) -> None:
    await DecisionRecord.insert(DecisionRecord(**{**msgspec.structs.asdict(row), "tenant_id": uow.tenant_id}))


async def decisions(uow: UnitOfWork, subject_type: str, subject_ids: list[UUID]) -> list[DecisionRow]:
    """The decisions on any of the subjects, oldest first."""
    if not subject_ids:
        return []
    rows = await DecisionRecord.select().where(
        (DecisionRecord.tenant_id == uow.tenant_id) & (DecisionRecord.subject_type == subject_type)
        & DecisionRecord.subject_id.is_in(subject_ids)
    ).order_by(DecisionRecord.reviewed_at, DecisionRecord.id)
    return [DecisionRow(**row) for row in rows]
