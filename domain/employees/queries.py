from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from domain.employees.tables import (
    BankAccountChange,
    Employee,
    Employment,
    OnboardingItem,
    OnboardingRuleRecord,
    PerformanceReview,
    StandardItemRecord,
    TaxAttributes,
    TrainingModule,
    TrainingRecord,
)
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned


async def insert_employee(uow: UnitOfWork, employee_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await Employee.insert(Employee(id=employee_id, tenant_id=uow.tenant_id, version=1, created_at=now,
                                   updated_at=now, **values))


async def employee(uow: UnitOfWork, employee_id: UUID) -> dict[str, Any] | None:
    return await Employee.select().where((Employee.tenant_id == uow.tenant_id) & (Employee.id == employee_id)).first()


async def employee_of_application(uow: UnitOfWork, application_id: UUID) -> dict[str, Any] | None:
    return await Employee.select().where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.application_id == application_id)).first()


async def employees(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[dict[str, Any]]:
    query = Employee.select().where(Employee.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Employee.id > after)
    return await query.order_by(Employee.id).limit(limit)


async def append_employment(uow: UnitOfWork, employee_id: UUID, values: dict[str, Any]) -> UUID:
    employment_id = new_id()
    await Employment.insert(Employment(id=employment_id, tenant_id=uow.tenant_id, employee_id=employee_id,
                                       recorded_at=utc_now(), **values))
    return employment_id


async def employment_as_of(uow: UnitOfWork, employee_id: UUID, on: date) -> dict[str, Any] | None:
    """The version in force on ``on``: the latest effective on or before it (the last recorded, on a tie)."""
    return await Employment.select().where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.employee_id == employee_id)
        & (Employment.effective_from <= on)
    ).order_by(Employment.effective_from, ascending=False).order_by(Employment.recorded_at, ascending=False).first()


async def employments(uow: UnitOfWork, employee_id: UUID) -> list[dict[str, Any]]:
    return await Employment.select().where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.employee_id == employee_id)
    ).order_by(Employment.effective_from).order_by(Employment.recorded_at)


async def active_rules(uow: UnitOfWork) -> list[dict[str, Any]]:
    rows = await OnboardingRuleRecord.select().where(
        (OnboardingRuleRecord.tenant_id == uow.tenant_id) & (OnboardingRuleRecord.active == True)  # noqa: E712
    ).order_by(OnboardingRuleRecord.created_at)
    return [{**row, "definition": json.loads(row["definition"])} for row in rows]


async def insert_rule(uow: UnitOfWork, rule_id: UUID, definition: dict[str, Any], created_by: str) -> None:
    await OnboardingRuleRecord.insert(OnboardingRuleRecord(
        id=rule_id, tenant_id=uow.tenant_id, definition=json.dumps(definition, ensure_ascii=False), active=True,
        created_by=created_by, created_at=utc_now()))


async def standard_items(uow: UnitOfWork, legal_entity_id: UUID) -> list[dict[str, Any]]:
    rows = await StandardItemRecord.select().where(
        (StandardItemRecord.tenant_id == uow.tenant_id) & (StandardItemRecord.legal_entity_id == legal_entity_id)
    ).order_by(StandardItemRecord.created_at)
    return [{**row, "definition": json.loads(row["definition"])} for row in rows]


async def insert_standard_item(uow: UnitOfWork, legal_entity_id: UUID, definition: dict[str, Any]) -> None:
    await StandardItemRecord.insert(StandardItemRecord(
        id=new_id(), tenant_id=uow.tenant_id, legal_entity_id=legal_entity_id,
        definition=json.dumps(definition, ensure_ascii=False), created_at=utc_now()))


async def insert_onboarding_item(uow: UnitOfWork, employee_id: UUID, plan_item: dict[str, Any],
                                 due_date: date) -> None:
    now = utc_now()
    await OnboardingItem.insert(OnboardingItem(
        id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id,
        plan_item=json.dumps(plan_item, ensure_ascii=False), due_date=due_date, status="open", version=1,
        created_at=now, updated_at=now))


async def onboarding_items(uow: UnitOfWork, employee_id: UUID) -> list[dict[str, Any]]:
    rows = await OnboardingItem.select().where(
        (OnboardingItem.tenant_id == uow.tenant_id) & (OnboardingItem.employee_id == employee_id)
    ).order_by(OnboardingItem.due_date)
    return [{**row, "plan_item": json.loads(row["plan_item"])} for row in rows]


async def append_tax_attributes(uow: UnitOfWork, employee_id: UUID, country: str, effective_from: date,
                                attributes: dict[str, Any], recorded_by: str) -> None:
    await TaxAttributes.insert(TaxAttributes(
        id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, country=country,
        effective_from=effective_from, attributes=json.dumps(attributes, ensure_ascii=False),
        recorded_by=recorded_by, recorded_at=utc_now()))


async def tax_attributes_as_of(uow: UnitOfWork, employee_id: UUID, country: str, on: date) -> dict[str, Any] | None:
    row = await TaxAttributes.select().where(
        (TaxAttributes.tenant_id == uow.tenant_id) & (TaxAttributes.employee_id == employee_id)
        & (TaxAttributes.country == country) & (TaxAttributes.effective_from <= on)
    ).order_by(TaxAttributes.effective_from, ascending=False).order_by(TaxAttributes.recorded_at, ascending=False
                                                                         ).first()
    return {**row, "attributes": json.loads(row["attributes"])} if row else None


async def insert_bank_change(uow: UnitOfWork, change_id: UUID, employee_id: UUID, sealed: str, masked: str,
                             requested_by: str) -> None:
    await BankAccountChange.insert(BankAccountChange(
        id=change_id, tenant_id=uow.tenant_id, employee_id=employee_id, account_ciphertext=sealed, masked=masked,
        status="pending", requested_by=requested_by, requested_at=utc_now()))


async def bank_change(uow: UnitOfWork, employee_id: UUID, change_id: UUID) -> dict[str, Any] | None:
    return await BankAccountChange.select().where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.employee_id == employee_id)
        & (BankAccountChange.id == change_id)).first()


async def bank_changes(uow: UnitOfWork, employee_id: UUID) -> list[dict[str, Any]]:
    return await BankAccountChange.select().where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.employee_id == employee_id)
    ).order_by(BankAccountChange.requested_at)


async def decide_bank_change(uow: UnitOfWork, change_id: UUID, status: str, decided_by: str) -> None:
    await BankAccountChange.update({BankAccountChange.status: status, BankAccountChange.decided_by: decided_by,
                                    BankAccountChange.decided_at: utc_now()}).where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.id == change_id))


async def insert_review(uow: UnitOfWork, employee_id: UUID, values: dict[str, Any]) -> UUID:
    review_id = new_id()
    await PerformanceReview.insert(PerformanceReview(
        id=review_id, tenant_id=uow.tenant_id, employee_id=employee_id, created_at=utc_now(),
        **{**values, "ratings": json.dumps(values["ratings"])}))
    return review_id


async def reviews(uow: UnitOfWork, employee_id: UUID | None = None) -> list[dict[str, Any]]:
    query = PerformanceReview.select().where(PerformanceReview.tenant_id == uow.tenant_id)
    if employee_id:
        query = query.where(PerformanceReview.employee_id == employee_id)
    rows = await query.order_by(PerformanceReview.created_at)
    return [{**row, "ratings": json.loads(row["ratings"])} for row in rows]


async def review_exists(uow: UnitOfWork, employee_id: UUID, period: str) -> bool:
    return await PerformanceReview.exists().where(
        (PerformanceReview.tenant_id == uow.tenant_id) & (PerformanceReview.employee_id == employee_id)
        & (PerformanceReview.period == period))


async def insert_module(uow: UnitOfWork, module_id: UUID, code: str, title: dict[str, str]) -> None:
    await TrainingModule.insert(TrainingModule(id=module_id, tenant_id=uow.tenant_id, code=code,
                                               title=json.dumps(title, ensure_ascii=False), created_at=utc_now()))


async def modules(uow: UnitOfWork) -> list[dict[str, Any]]:
    rows = await TrainingModule.select().where(TrainingModule.tenant_id == uow.tenant_id).order_by(TrainingModule.code)
    return [{**row, "title": json.loads(row["title"])} for row in rows]


async def module_exists(uow: UnitOfWork, module_id: UUID | None = None, code: str | None = None) -> bool:
    query = TrainingModule.exists().where(TrainingModule.tenant_id == uow.tenant_id)
    if module_id:
        query = query.where(TrainingModule.id == module_id)
    if code:
        query = query.where(TrainingModule.code == code)
    return await query


async def insert_training_record(uow: UnitOfWork, employee_id: UUID, module_id: UUID, status: str,
                                 completed_on: date | None) -> UUID:
    record_id = new_id()
    await TrainingRecord.insert(TrainingRecord(id=record_id, tenant_id=uow.tenant_id, employee_id=employee_id,
                                               module_id=module_id, status=status, completed_on=completed_on,
                                               created_at=utc_now()))
    return record_id


async def training_records(uow: UnitOfWork, employee_id: UUID | None = None) -> list[dict[str, Any]]:
    query = TrainingRecord.select().where(TrainingRecord.tenant_id == uow.tenant_id)
    if employee_id:
        query = query.where(TrainingRecord.employee_id == employee_id)
    return await query.order_by(TrainingRecord.created_at)


async def record_departure(uow: UnitOfWork, employee_id: UUID, left_on: date) -> None:
    await Employee.update({Employee.left_on: left_on, Employee.updated_at: utc_now(),
                           Employee.version: Employee.version + 1}).where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.id == employee_id))


async def current_pay_of_position(uow: UnitOfWork, position: str, currency: str) -> list[int]:
    """The pay (minor units) of every employment version of this position and currency, for a midpoint."""
    rows = await Employment.select(Employment.pay_minor).where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.position == position)
        & (Employment.currency == currency))
    return [row["pay_minor"] for row in rows]



async def set_onboarding_status(uow: UnitOfWork, item_id: UUID, expected_version: int, status: str) -> None:
    await update_versioned(uow, OnboardingItem, item_id, expected_version, {"status": status}, "onboarding item")
