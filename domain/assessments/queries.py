from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.assessments.model import Evaluation, StoredEvaluation
from domain.assessments.tables import EvaluationRecord, ExternalReference, InterviewResult, Vendor, VendorSignature
from domain.kernel.db import UnitOfWork
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


async def insert_vendor(uow: UnitOfWork, vendor_id: UUID, name: str, secret_ciphertext: str) -> None:
    now = utc_now()
    await Vendor.insert(Vendor(id=vendor_id, tenant_id=uow.tenant_id, name=name, secret_ciphertext=secret_ciphertext,
                               version=1, created_at=now, updated_at=now))


async def vendor(uow: UnitOfWork, vendor_id: UUID) -> VendorRow | None:
    row = await Vendor.select().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.id == vendor_id)).first()
    return VendorRow(**row) if row else None


async def vendor_named(uow: UnitOfWork, name: str) -> bool:
    return await Vendor.exists().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.name == name))


async def vendors(uow: UnitOfWork) -> list[VendorRow]:
    return [VendorRow(**row) for row in
            await Vendor.select().where(Vendor.tenant_id == uow.tenant_id).order_by(Vendor.name)]


async def replace_secret(uow: UnitOfWork, vendor_id: UUID, version: int, secret: str, previous: str) -> None:
    await update_versioned(uow, Vendor, vendor_id, version,
                           {"secret_ciphertext": secret, "previous_secret_ciphertext": previous}, "vendor")


async def remember_signature(uow: UnitOfWork, vendor_id: UUID, signature: str) -> bool:
    """False when this exact signed delivery was accepted before: a replay."""
    seen = await VendorSignature.exists().where(
        (VendorSignature.tenant_id == uow.tenant_id) & (VendorSignature.vendor_id == vendor_id)
        & (VendorSignature.signature == signature))
    if seen:
        return False
    await VendorSignature.insert(VendorSignature(id=new_id(), tenant_id=uow.tenant_id, vendor_id=vendor_id,
                                                 signature=signature, signed_at=utc_now()))
    return True


async def reference(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> ReferenceRow | None:
    row = await ExternalReference.select().where(
        (ExternalReference.tenant_id == uow.tenant_id) & (ExternalReference.vendor_id == vendor_id)
        & (ExternalReference.kind == kind) & (ExternalReference.reference == value)).first()
    return ReferenceRow(**row) if row else None


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


async def insert_result(uow: UnitOfWork, result_id: UUID, values: dict[str, Any]) -> None:
    await InterviewResult.insert(InterviewResult(id=result_id, tenant_id=uow.tenant_id, received_at=utc_now(),
                                                 **values))


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


async def parked_for(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> list[ResultRow]:
    column = InterviewResult.application_reference if kind == "application" else InterviewResult.candidate_reference
    rows = await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & (InterviewResult.status == "parked") & (column == value))
    return [ResultRow(**row) for row in rows]


async def attach_result(uow: UnitOfWork, result_id: UUID, application_id: UUID, status: str) -> None:
    changes = {InterviewResult.application_id: application_id, InterviewResult.status: status}
    await InterviewResult.update(changes).where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.id == result_id))


async def insert_evaluation(uow: UnitOfWork, values: dict[str, Any]) -> UUID:
    evaluation_id = new_id()
    await EvaluationRecord.insert(EvaluationRecord(
        id=evaluation_id, tenant_id=uow.tenant_id, created_at=utc_now(),
        **{**values, "detail": json.dumps(values["detail"], ensure_ascii=False)}))
    return evaluation_id


_detail = msgspec.json.Decoder(Evaluation)


def _evaluation(row: dict[str, Any]) -> StoredEvaluation:
    return StoredEvaluation(**{**row, "detail": _detail.decode(row["detail"])})


async def evaluation(uow: UnitOfWork, evaluation_id: UUID) -> StoredEvaluation | None:
    row = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.id == evaluation_id)).first()
    return _evaluation(row) if row else None


async def evaluations(uow: UnitOfWork, application_id: UUID) -> list[StoredEvaluation]:
    rows = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.application_id == application_id)
    ).order_by(EvaluationRecord.created_at)
    return [_evaluation(row) for row in rows]
