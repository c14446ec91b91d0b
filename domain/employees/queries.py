from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import CombinableMixin

from domain.employees.model import EmployeeRow, EmploymentRow, EmploymentStatus, ReviewRow, TrainingRow
from domain.employees.onboarding import OnboardingRule, PlanItem, StandardItem
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
from domain.kernel.pagination import rows_after
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned


class NewEmployee(msgspec.Struct, frozen=True, kw_only=True):
    candidate_id: UUID | None
    application_id: UUID | None
    full_name: str
    national_id_country: str | None
    timezone: str
    locale: str
    email_ciphertext: str | None = None
    phone_ciphertext: str | None = None
    national_id_ciphertext: str | None = None
    birth_date_ciphertext: str | None = None
    employee_number: str | None = None
    department: str | None = None


class NewEmployment(msgspec.Struct, frozen=True, kw_only=True):
    """What an employment version records, as appended."""

    effective_from: date
    legal_entity_id: UUID
    country: str
    region: str | None
    position: str
    pay_minor: int
    currency: str
    pay_unit: str
    weekly_hours: str
    probation_months: int
    fixed_term_months: int | None
    manager_id: UUID | None
    reason: str
    recorded_by: str
    evaluation_id: UUID | None = None
    model_id: UUID | None = None
    model_version: int | None = None


class OnboardingItemRow(msgspec.Struct, frozen=True):
    id: UUID
    due_date: date
    status: str
    plan_item: PlanItem
    version: int


class TaxAttributesRow(msgspec.Struct, frozen=True):
    country: str
    effective_from: date
    #: Shaped by the country pack's employee schema, which validated them when they were set.
    attributes: dict[str, Any]
    recorded_by: str


class BankChangeRow(msgspec.Struct, frozen=True):
    id: UUID
    masked: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class ModuleRow(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    title: dict[str, str]


_EMPLOYEE_COLUMNS = (
    Employee.id, Employee.candidate_id, Employee.application_id, Employee.full_name, Employee.email_ciphertext,
    Employee.phone_ciphertext, Employee.national_id_ciphertext, Employee.national_id_country,
    Employee.birth_date_ciphertext, Employee.timezone, Employee.locale, Employee.left_on, Employee.version,
    Employee.created_at, Employee.employee_number, Employee.department,
)


def _employee(row: dict[str, Any] | None) -> EmployeeRow | None:
    return msgspec.convert(row, EmployeeRow) if row else None


def _employment(row: dict[str, Any] | None) -> EmploymentRow | None:
    return msgspec.convert(row, EmploymentRow) if row else None


async def insert_employee(uow: UnitOfWork, employee_id: UUID, employee: NewEmployee) -> None:
    now = utc_now()
    await Employee.insert(Employee(id=employee_id, tenant_id=uow.tenant_id, version=1, created_at=now,
                                   updated_at=now, **msgspec.structs.asdict(employee)))


async def employee_numbered(uow: UnitOfWork, employee_number: str) -> UUID | None:
    row = await Employee.select(Employee.id).where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.employee_number == employee_number)).first()
    return row["id"] if row else None


async def employee(uow: UnitOfWork, employee_id: UUID) -> EmployeeRow | None:
    return _employee(await Employee.select(*_EMPLOYEE_COLUMNS).where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.id == employee_id)).first())


async def employee_of_application(uow: UnitOfWork, application_id: UUID) -> EmployeeRow | None:
    return _employee(await Employee.select(*_EMPLOYEE_COLUMNS).where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.application_id == application_id)).first())


async def employees(uow: UnitOfWork, *, after: UUID | None, limit: int, legal_entity_id: UUID | None = None,
                    status: EmploymentStatus | None = None, on: date | None = None) -> list[EmployeeRow]:
    """Employees in id order; ``status`` is where they stand on ``on`` (default today)."""
    query = Employee.select(*_EMPLOYEE_COLUMNS).where(Employee.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Employee.id > after)
    if legal_entity_id:
        # a change of employment keeps the legal entity, so every version of an employee names the same one
        query = query.where(Employee.id.is_in(Employment.select(Employment.employee_id).where(
            (Employment.tenant_id == uow.tenant_id) & (Employment.legal_entity_id == legal_entity_id))))
    if status:
        query = query.where(_standing(uow, status, on or utc_now().date()))
    return [msgspec.convert(row, EmployeeRow) for row in await query.order_by(Employee.id).limit(limit)]


def _standing(uow: UnitOfWork, status: EmploymentStatus, on: date) -> CombinableMixin:
    """An employee is employed through the day they leave, and starts on their first employment's first day."""
    started = Employment.select(Employment.employee_id).where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.effective_from <= on))
    if status is EmploymentStatus.LEFT:
        return Employee.left_on < on
    if status is EmploymentStatus.STARTING:
        return Employee.id.not_in(started)
    return Employee.id.is_in(started) & (Employee.left_on.is_null() | (Employee.left_on >= on))


async def append_employment(uow: UnitOfWork, employee_id: UUID, terms: NewEmployment) -> EmploymentRow:
    row = EmploymentRow(id=new_id(), employee_id=employee_id, recorded_at=utc_now(), **msgspec.structs.asdict(terms))
    await Employment.insert(Employment(tenant_id=uow.tenant_id, **msgspec.structs.asdict(row)))
    return row


async def employment_as_of(uow: UnitOfWork, employee_id: UUID, on: date) -> EmploymentRow | None:
    """The version in force on ``on``: the latest effective on or before it (the last recorded, on a tie)."""
    return _employment(await Employment.select().where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.employee_id == employee_id)
        & (Employment.effective_from <= on)
    ).order_by(Employment.effective_from, ascending=False).order_by(Employment.recorded_at, ascending=False).first())


async def employments(uow: UnitOfWork, employee_id: UUID, *, after: tuple[date, UUID] | None = None,
                      limit: int | None = None) -> list[EmploymentRow]:
    """By the date each takes effect, then as recorded (ids are in recording order)."""
    query = Employment.select().where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.employee_id == employee_id))
    if after is not None:
        query = query.where(rows_after(Employment, Employment.effective_from, after))
    query = query.order_by(Employment.effective_from).order_by(Employment.id)
    return [msgspec.convert(row, EmploymentRow) for row in await (query.limit(limit) if limit else query)]


async def active_rules(uow: UnitOfWork) -> list[OnboardingRule]:
    rows = await OnboardingRuleRecord.select(OnboardingRuleRecord.id, OnboardingRuleRecord.definition).where(
        (OnboardingRuleRecord.tenant_id == uow.tenant_id) & (OnboardingRuleRecord.active == True)  # noqa: E712
    ).order_by(OnboardingRuleRecord.created_at)
    return [msgspec.convert({**json.loads(row["definition"]), "id": row["id"]}, OnboardingRule) for row in rows]


async def insert_rule(uow: UnitOfWork, rule_id: UUID, definition: msgspec.Struct, created_by: str) -> None:
    await OnboardingRuleRecord.insert(OnboardingRuleRecord(
        id=rule_id, tenant_id=uow.tenant_id, definition=_json(definition), active=True, created_by=created_by,
        created_at=utc_now()))


async def standard_items(uow: UnitOfWork, legal_entity_id: UUID) -> list[StandardItem]:
    rows = await StandardItemRecord.select(StandardItemRecord.definition).where(
        (StandardItemRecord.tenant_id == uow.tenant_id) & (StandardItemRecord.legal_entity_id == legal_entity_id)
    ).order_by(StandardItemRecord.created_at)
    return [msgspec.convert(json.loads(row["definition"]), StandardItem) for row in rows]


async def insert_standard_item(uow: UnitOfWork, legal_entity_id: UUID, item: StandardItem) -> None:
    await StandardItemRecord.insert(StandardItemRecord(
        id=new_id(), tenant_id=uow.tenant_id, legal_entity_id=legal_entity_id, definition=_json(item),
        created_at=utc_now()))


async def insert_onboarding_item(uow: UnitOfWork, employee_id: UUID, plan_item: PlanItem) -> None:
    now = utc_now()
    await OnboardingItem.insert(OnboardingItem(
        id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, plan_item=_json(plan_item),
        due_date=plan_item.due_date, status="open", version=1, created_at=now, updated_at=now))


async def onboarding_items(uow: UnitOfWork, employee_id: UUID, *, after: tuple[date, UUID] | None = None,
                           limit: int | None = None, status: str | None = None) -> list[OnboardingItemRow]:
    """By due date, then as created."""
    query = OnboardingItem.select(
        OnboardingItem.id, OnboardingItem.due_date, OnboardingItem.status, OnboardingItem.plan_item,
        OnboardingItem.version,
    ).where(
        (OnboardingItem.tenant_id == uow.tenant_id) & (OnboardingItem.employee_id == employee_id))
    if after is not None:
        query = query.where(rows_after(OnboardingItem, OnboardingItem.due_date, after))
    if status:
        query = query.where(OnboardingItem.status == status)
    query = query.order_by(OnboardingItem.due_date).order_by(OnboardingItem.id)
    rows = await (query.limit(limit) if limit else query)
    return [OnboardingItemRow(id=row["id"], due_date=row["due_date"], status=row["status"],
                              plan_item=msgspec.convert(json.loads(row["plan_item"]), PlanItem),
                              version=row["version"]) for row in rows]


async def append_tax_attributes(uow: UnitOfWork, employee_id: UUID, country: str, effective_from: date,
                                attributes: dict[str, Any], recorded_by: str) -> None:
    await TaxAttributes.insert(TaxAttributes(
        id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, country=country,
        effective_from=effective_from, attributes=json.dumps(attributes, ensure_ascii=False),
        recorded_by=recorded_by, recorded_at=utc_now()))


async def tax_attributes_as_of(uow: UnitOfWork, employee_id: UUID, country: str, on: date) -> TaxAttributesRow | None:
    row = await TaxAttributes.select(
        TaxAttributes.country, TaxAttributes.effective_from, TaxAttributes.attributes, TaxAttributes.recorded_by,
    ).where(
        (TaxAttributes.tenant_id == uow.tenant_id) & (TaxAttributes.employee_id == employee_id)
        & (TaxAttributes.country == country) & (TaxAttributes.effective_from <= on)
    ).order_by(TaxAttributes.effective_from, ascending=False).order_by(TaxAttributes.recorded_at, ascending=False
                                                                         ).first()
    return msgspec.convert({**row, "attributes": json.loads(row["attributes"])}, TaxAttributesRow) if row else None


async def tax_attribute_rows(uow: UnitOfWork, employee_id: UUID) -> list[TaxAttributesRow]:
    """Every tax attribute set ever recorded for the employee, in every country, oldest first."""
    rows = await TaxAttributes.select(
        TaxAttributes.country, TaxAttributes.effective_from, TaxAttributes.attributes, TaxAttributes.recorded_by,
    ).where(
        (TaxAttributes.tenant_id == uow.tenant_id) & (TaxAttributes.employee_id == employee_id)
    ).order_by(TaxAttributes.effective_from).order_by(TaxAttributes.recorded_at)
    return [msgspec.convert({**row, "attributes": json.loads(row["attributes"])}, TaxAttributesRow) for row in rows]


_BANK_CHANGE_COLUMNS = (
    BankAccountChange.id, BankAccountChange.masked, BankAccountChange.status, BankAccountChange.requested_by,
    BankAccountChange.requested_at, BankAccountChange.decided_by, BankAccountChange.decided_at,
)


async def insert_bank_change(uow: UnitOfWork, change_id: UUID, employee_id: UUID, sealed: str, masked: str,
                             requested_by: str) -> None:
    await BankAccountChange.insert(BankAccountChange(
        id=change_id, tenant_id=uow.tenant_id, employee_id=employee_id, account_ciphertext=sealed, masked=masked,
        status="pending", requested_by=requested_by, requested_at=utc_now()))


async def bank_change(uow: UnitOfWork, employee_id: UUID, change_id: UUID) -> BankChangeRow | None:
    row = await BankAccountChange.select(*_BANK_CHANGE_COLUMNS).where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.employee_id == employee_id)
        & (BankAccountChange.id == change_id)).first()
    return msgspec.convert(row, BankChangeRow) if row else None


async def bank_changes(uow: UnitOfWork, employee_id: UUID, *, after: UUID | None, limit: int) -> list[BankChangeRow]:
    """In the order they were requested (ids are given at the request)."""
    query = BankAccountChange.select(*_BANK_CHANGE_COLUMNS).where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.employee_id == employee_id))
    if after:
        query = query.where(BankAccountChange.id > after)
    return [msgspec.convert(row, BankChangeRow) for row in await query.order_by(BankAccountChange.id).limit(limit)]


async def decide_bank_change(uow: UnitOfWork, change_id: UUID, status: str, decided_by: str) -> None:
    await BankAccountChange.update({BankAccountChange.status: status, BankAccountChange.decided_by: decided_by,
                                    BankAccountChange.decided_at: utc_now()}).where(
        (BankAccountChange.tenant_id == uow.tenant_id) & (BankAccountChange.id == change_id))


async def insert_review(uow: UnitOfWork, employee_id: UUID, period: str, model_id: UUID | None,
                        model_version: int | None, ratings: dict[str, str], overall: str, reviewer: str) -> UUID:
    review_id = new_id()
    await PerformanceReview.insert(PerformanceReview(
        id=review_id, tenant_id=uow.tenant_id, employee_id=employee_id, created_at=utc_now(), period=period,
        model_id=model_id, model_version=model_version, ratings=json.dumps(ratings), overall=overall,
        reviewer=reviewer))
    return review_id


async def reviews(uow: UnitOfWork, employee_id: UUID | None = None, *, after: UUID | None = None,
                  limit: int | None = None) -> list[ReviewRow]:
    """In the order they were given (ids are given with the review)."""
    query = PerformanceReview.select().where(PerformanceReview.tenant_id == uow.tenant_id)
    if employee_id:
        query = query.where(PerformanceReview.employee_id == employee_id)
    if after:
        query = query.where(PerformanceReview.id > after)
    query = query.order_by(PerformanceReview.id)
    rows = await (query.limit(limit) if limit else query)
    return [msgspec.convert({**row, "ratings": json.loads(row["ratings"])}, ReviewRow) for row in rows]


async def review_exists(uow: UnitOfWork, employee_id: UUID, period: str) -> bool:
    return await PerformanceReview.exists().where(
        (PerformanceReview.tenant_id == uow.tenant_id) & (PerformanceReview.employee_id == employee_id)
        & (PerformanceReview.period == period))


async def insert_module(uow: UnitOfWork, module_id: UUID, code: str, title: dict[str, str]) -> None:
    await TrainingModule.insert(TrainingModule(id=module_id, tenant_id=uow.tenant_id, code=code,
                                               title=json.dumps(title, ensure_ascii=False), created_at=utc_now()))


async def modules(uow: UnitOfWork, *, after: str | None, limit: int) -> list[ModuleRow]:
    """By code, which is unique in the tenant."""
    query = TrainingModule.select(TrainingModule.id, TrainingModule.code, TrainingModule.title).where(
        TrainingModule.tenant_id == uow.tenant_id)
    if after:
        query = query.where(TrainingModule.code > after)
    rows = await query.order_by(TrainingModule.code).limit(limit)
    return [ModuleRow(id=row["id"], code=row["code"], title=json.loads(row["title"])) for row in rows]


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


async def training_records(uow: UnitOfWork, employee_id: UUID | None = None) -> list[TrainingRow]:
    query = TrainingRecord.select().where(TrainingRecord.tenant_id == uow.tenant_id)
    if employee_id:
        query = query.where(TrainingRecord.employee_id == employee_id)
    return [msgspec.convert(row, TrainingRow) for row in await query.order_by(TrainingRecord.created_at)]


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


def _json(value: msgspec.Struct) -> str:
    return json.dumps(msgspec.to_builtins(value), ensure_ascii=False)


async def employee_timezones(uow: UnitOfWork, employee_ids: set[UUID]) -> dict[UUID, str]:
    """Each employee's time zone (IANA name), by id (webhooks: an onboarding item falls due on the employee's day)."""
    if not employee_ids:
        return {}
    rows = await Employee.select(Employee.id, Employee.timezone).where(
        (Employee.tenant_id == uow.tenant_id) & Employee.id.is_in(sorted(employee_ids, key=str)))
    return {row["id"]: row["timezone"] for row in rows}


async def due_onboarding_items(uow: UnitOfWork, since: date, until: date) -> list[dict[str, Any]]:
    """Open items (not done or skipped) falling due between ``since`` and ``until`` (webhooks' onboarding.item_due)."""
    return await OnboardingItem.select(OnboardingItem.id, OnboardingItem.employee_id, OnboardingItem.due_date).where(
        (OnboardingItem.tenant_id == uow.tenant_id) & (OnboardingItem.due_date >= since)
        & (OnboardingItem.due_date <= until) & OnboardingItem.status.is_in(["open", "in_progress"])).order_by(
        OnboardingItem.due_date).order_by(OnboardingItem.id)
