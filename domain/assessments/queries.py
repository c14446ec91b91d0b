from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from domain.assessments.tables import EvaluationRecord, ExternalReference, InterviewResult, Vendor, VendorSignature
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned


async def insert_vendor(uow: UnitOfWork, vendor_id: UUID, name: str, secret_ciphertext: str) -> None:
    now = utc_now()
    await Vendor.insert(Vendor(id=vendor_id, tenant_id=uow.tenant_id, name=name, secret_ciphertext=secret_ciphertext,
                               version=1, created_at=now, updated_at=now))


async def vendor(uow: UnitOfWork, vendor_id: UUID) -> dict[str, Any] | None:
    return await Vendor.select().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.id == vendor_id)).first()


async def vendor_named(uow: UnitOfWork, name: str) -> bool:
    return await Vendor.exists().where((Vendor.tenant_id == uow.tenant_id) & (Vendor.name == name))


async def vendors(uow: UnitOfWork) -> list[dict[str, Any]]:
    return await Vendor.select().where(Vendor.tenant_id == uow.tenant_id).order_by(Vendor.name)


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


async def reference(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> dict[str, Any] | None:
    return await ExternalReference.select().where(
        (ExternalReference.tenant_id == uow.tenant_id) & (ExternalReference.vendor_id == vendor_id)
        & (ExternalReference.kind == kind) & (ExternalReference.reference == value)).first()


async def insert_reference(uow: UnitOfWork, values: dict[str, Any]) -> UUID:
    reference_id = new_id()
    await ExternalReference.insert(ExternalReference(id=reference_id, tenant_id=uow.tenant_id, created_at=utc_now(),
                                                     **values))
    return reference_id


async def result_by_vendor_id(uow: UnitOfWork, vendor_id: UUID, vendor_result_id: str) -> dict[str, Any] | None:
    return await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & (InterviewResult.vendor_result_id == vendor_result_id)).first()


async def insert_result(uow: UnitOfWork, result_id: UUID, values: dict[str, Any]) -> None:
    await InterviewResult.insert(InterviewResult(id=result_id, tenant_id=uow.tenant_id, received_at=utc_now(),
                                                 **values))


async def result(uow: UnitOfWork, result_id: UUID) -> dict[str, Any] | None:
    return await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.id == result_id)).first()


async def results(uow: UnitOfWork, status: str | None, application_id: UUID | None = None) -> list[dict[str, Any]]:
    query = InterviewResult.select().where(InterviewResult.tenant_id == uow.tenant_id)
    if status:
        query = query.where(InterviewResult.status == status)
    if application_id:
        query = query.where(InterviewResult.application_id == application_id)
    return await query.order_by(InterviewResult.received_at)


async def parked_for(uow: UnitOfWork, vendor_id: UUID, kind: str, value: str) -> list[dict[str, Any]]:
    column = InterviewResult.application_reference if kind == "application" else InterviewResult.candidate_reference
    return await InterviewResult.select().where(
        (InterviewResult.tenant_id == uow.tenant_id) & (InterviewResult.vendor_id == vendor_id)
        & (InterviewResult.status == "parked") & (column == value))


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


async def evaluations(uow: UnitOfWork, application_id: UUID) -> list[dict[str, Any]]:
    rows = await EvaluationRecord.select().where(
        (EvaluationRecord.tenant_id == uow.tenant_id) & (EvaluationRecord.application_id == application_id)
    ).order_by(EvaluationRecord.created_at)
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]
