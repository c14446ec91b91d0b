"""Hiring and employment: the hire carries the interview evaluation along, checks the contract
against the country's labour law, opens the onboarding plan and closes the application, all in one
transaction. Employment changes are appended with the date they take effect; nothing is rewritten.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.labour import Contract
from compliance.registry import pack_for
from domain.assessments.model import StoredEvaluation
from domain.assessments.service import latest_evaluation_in
from domain.audit.service import record
from domain.employees import queries
from domain.employees.model import (
    ContractNotCompliant,
    EmployeeView,
    EmploymentChange,
    EmploymentView,
    HireRequest,
    OverrideNotPermitted,
    Pay,
    violations_as_details,
)
from domain.employees.onboarding import OnboardingRule, PlanItem, StandardItem, generate_plan
from domain.identity.service import grant_self_service
from domain.kernel.crypto import TenantCipher
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.kernel.ids import new_id
from domain.kernel.money import from_minor, to_minor
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.permissions import Operation, Role
from domain.kernel.personal_data import mask_birth_date, mask_email, mask_national_id, mask_phone
from domain.kernel.principal import Principal
from domain.kernel.time import require_timezone, utc_now
from domain.keys.service import cipher_for
from domain.recruitment.service import (
    ApplicationNotFound,
    CandidateNotFound,
    LegalEntityUnknown,
    application_in,
    candidate_in,
    close_as_hired_in,
    personal_data_in,
)
from domain.tenancy.service import legal_entity_in

PERSONAL_FIELDS = ("email", "phone", "national_id", "birth_date")
_MASKS = {"email": mask_email, "phone": mask_phone, "national_id": mask_national_id,
          "birth_date": lambda v: mask_birth_date(date.fromisoformat(v))}


class EmployeeNotFound(NotFound):
    code = "employee_not_found"
    template = "There is no employee with this id."


class AlreadyHired(Conflict):
    code = "already_hired"
    title = "Already hired"
    template = "This application has already led to a hire."


class NoEmploymentYet(NotFound):
    code = "no_employment_in_force"
    template = "The employee has no employment in force on {on}."


# -- hire ----------------------------------------------------------------------------------------


async def hire(principal: Principal, application_id: UUID, request: HireRequest) -> EmployeeView:
    async with unit_of_work(principal.tenant_id) as uow:
        application = await application_in(uow, application_id)
        if application is None:
            raise ApplicationNotFound()
        if await queries.employee_of_application(uow, application_id):
            raise AlreadyHired()
        entity = await legal_entity_in(uow, request.legal_entity_id)
        if entity is None:
            raise LegalEntityUnknown(field="legal_entity_id")
        candidate = await candidate_in(uow, application.candidate_id)
        if candidate is None:
            raise CandidateNotFound()
        cipher = await cipher_for(uow)
        personal = await personal_data_in(uow, candidate.id)
        region = request.region or entity.region
        birth = date.fromisoformat(personal["birth_date"]) if "birth_date" in personal else None
        violations = _contract_violations(entity.country, region, request.start_date, request.pay,
                                          request.weekly_hours, request.probation_months, request.fixed_term_months,
                                          birth)
        _allow_or_refuse(principal, violations, request.override_reason, entity.country)
        employee_id = new_id()
        zone = require_timezone(request.timezone or candidate.timezone)
        await queries.insert_employee(uow, employee_id, {
            "candidate_id": candidate.id, "application_id": application_id, "full_name": candidate.full_name,
            "national_id_country": candidate.national_id_country, "timezone": zone,
            "locale": request.locale or candidate.locale, **_sealed(cipher, employee_id, personal)})
        evaluation = await latest_evaluation_in(uow, application_id)
        await queries.append_employment(uow, employee_id, {
            **_employment_values(entity.id, entity.country, region, request.position, request.pay,
                                 request.weekly_hours, request.probation_months, request.fixed_term_months,
                                 request.manager_id),
            "effective_from": request.start_date, "reason": "hired", "recorded_by": principal.subject,
            "evaluation_id": evaluation.id if evaluation else None,
            "model_id": evaluation.model_id if evaluation else None,
            "model_version": evaluation.model_version if evaluation else None})
        plan = await _onboarding_plan(uow, evaluation, entity.id, entity.country, region, request.start_date)
        for item in plan:
            await queries.insert_onboarding_item(uow, employee_id, msgspec.to_builtins(item), item.due_date)
        await close_as_hired_in(uow, principal, application)
        await record(uow, principal, "employee.hired", "employee", employee_id, after={
            "application_id": application_id, "legal_entity_id": entity.id, "position": request.position,
            "start_date": request.start_date, "pay": msgspec.to_builtins(request.pay),
            "evaluation_id": evaluation.id if evaluation else None, "onboarding_items": len(plan)})
        if violations:
            await record(uow, principal, "employee.contract_override", "employee", employee_id, after={
                "reason": request.override_reason, "violations": [v.code for v in violations]})
        return await _view(uow, principal, employee_id, request.start_date, audit=False)


def _contract_violations(country: str, region: str | None, start: date, pay: Pay, weekly_hours: str,
                         probation_months: int, fixed_term_months: int | None, birth: date | None) -> list[Any]:
    pack = pack_for(country)
    known_region = region if region in pack.regions else None
    return pack.check_contract(Contract(
        start_date=start, pay_amount=Decimal(pay.amount),
        pay_unit=pay.unit, weekly_hours=Decimal(weekly_hours),
        region=known_region, date_of_birth=birth, probation_months=probation_months,
        fixed_term_months=fixed_term_months))


def _allow_or_refuse(principal: Principal, violations: list[Any], override_reason: str | None, country: str) -> None:
    if not violations:
        return
    if override_reason is None:
        raise ContractNotCompliant(count=len(violations), country=country, details=violations_as_details(violations))
    if Role.TENANT_ADMIN not in principal.roles:
        raise OverrideNotPermitted(field="override_reason", details=violations_as_details(violations))


def _employment_values(entity_id: UUID, country: str, region: str | None, position: str, pay: Pay,
                       weekly_hours: str, probation_months: int, fixed_term_months: int | None,
                       manager_id: UUID | None) -> dict[str, Any]:
    return {
        "legal_entity_id": entity_id, "country": country, "region": region, "position": position,
        "pay_minor": to_minor(Decimal(pay.amount), pay.currency),
        "currency": pay.currency, "pay_unit": pay.unit, "weekly_hours": weekly_hours,
        "probation_months": probation_months, "fixed_term_months": fixed_term_months, "manager_id": manager_id,
    }


def _sealed(cipher: TenantCipher, employee_id: UUID, personal: dict[str, str]) -> dict[str, str]:
    """The candidate's personal data sealed anew for the employee's row: a ciphertext never moves rows."""
    return {f"{name}_ciphertext": cipher.seal(value, "employees", name, employee_id)
            for name, value in personal.items()}


async def _onboarding_plan(uow: UnitOfWork, evaluation: StoredEvaluation | None, entity_id: UUID, country: str,
                           region: str | None, start: date) -> list[PlanItem]:
    rules = [msgspec.convert({**row["definition"], "id": row["id"]}, OnboardingRule)
             for row in await queries.active_rules(uow)]
    standard = [msgspec.convert(row["definition"], StandardItem)
                for row in await queries.standard_items(uow, entity_id)]
    subdivision = pack_for(country).holiday_subdivisions.get(region) if region else None
    return generate_plan(evaluation.detail if evaluation else None, evaluation.id if evaluation else None, rules,
                         standard, start, country, subdivision)


# -- reading, as of a date -----------------------------------------------------------------------


def _employment_view(row: dict[str, Any]) -> EmploymentView:
    pay = Pay(amount=str(from_minor(row["pay_minor"], row["currency"])), currency=row["currency"],
              unit=row["pay_unit"])
    return msgspec.convert({**row, "pay": msgspec.to_builtins(pay)}, EmploymentView)


async def _view(uow: UnitOfWork, principal: Principal, employee_id: UUID, on: date, *, audit: bool) -> EmployeeView:
    row = await queries.employee(uow, employee_id)
    if row is None:
        raise EmployeeNotFound()
    cipher = await cipher_for(uow)
    clear = principal.may(Operation.PII_READ)
    personal = {name: cipher.open(row[f"{name}_ciphertext"], "employees", name, employee_id)
                for name in PERSONAL_FIELDS if row[f"{name}_ciphertext"]}
    if not clear:
        personal = {name: _MASKS[name](value) for name, value in personal.items()}
    elif audit and personal:
        await record(uow, principal, "employee.personal_data_read", "employee", employee_id,
                     after={"fields": sorted(personal)})
    employment = await queries.employment_as_of(uow, employee_id, on)
    return EmployeeView(
        id=row["id"], full_name=row["full_name"], email=personal.get("email"), phone=personal.get("phone"),
        national_id=personal.get("national_id"), birth_date=personal.get("birth_date"), masked=not clear,
        timezone=row["timezone"], locale=row["locale"], candidate_id=row["candidate_id"],
        application_id=row["application_id"], as_of=on,
        employment=_employment_view(employment) if employment else None, left_on=row["left_on"],
        version=row["version"], created_at=row["created_at"])


async def get_employee(principal: Principal, employee_id: UUID, as_of: date | None) -> EmployeeView:
    on = as_of or utc_now().date()
    async with unit_of_work(principal.tenant_id, write=principal.may(Operation.PII_READ)) as uow:
        return await _view(uow, principal, employee_id, on, audit=True)


async def list_employees(principal: Principal, cursor: str | None, limit: int,
                         as_of: date | None = None) -> Page[EmployeeView]:
    today = as_of or utc_now().date()
    async with unit_of_work(principal.tenant_id, write=principal.may(Operation.PII_READ)) as uow:
        rows = await queries.employees(uow, after=decode_uuid_cursor(cursor), limit=limit + 1)
        views = [await _view(uow, principal, row["id"], today, audit=index < limit)
                 for index, row in enumerate(rows)]
    return page_of(views, limit, lambda e: str(e.id))


async def employment_history(principal: Principal, employee_id: UUID) -> list[EmploymentView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        return [_employment_view(row) for row in await queries.employments(uow, employee_id)]


async def change_employment(principal: Principal, employee_id: UUID, change: EmploymentChange) -> EmploymentView:
    """Append the employment in force from ``change.effective_from``; earlier versions stay as recorded."""
    async with unit_of_work(principal.tenant_id) as uow:
        row = await queries.employee(uow, employee_id)
        if row is None:
            raise EmployeeNotFound()
        current = await queries.employment_as_of(uow, employee_id, change.effective_from)
        if current is None:
            raise NoEmploymentYet(on=change.effective_from.isoformat())
        before = _employment_view(current)
        pay = change.pay or before.pay
        weekly_hours = change.weekly_hours or before.weekly_hours
        violations = _contract_violations(before.country, before.region, change.effective_from, pay, weekly_hours,
                                          0, before.fixed_term_months, None)
        _allow_or_refuse(principal, violations, change.override_reason, before.country)
        values = {
            **_employment_values(before.legal_entity_id, before.country, before.region,
                                 change.position or before.position, pay, weekly_hours, before.probation_months,
                                 before.fixed_term_months, change.manager_id or before.manager_id),
            "effective_from": change.effective_from, "reason": change.reason, "recorded_by": principal.subject,
            "evaluation_id": before.evaluation_id, "model_id": before.model_id, "model_version": before.model_version,
        }
        employment_id = await queries.append_employment(uow, employee_id, values)
        await record(uow, principal, "employment.changed", "employee", employee_id,
                     before=msgspec.to_builtins(before), after=msgspec.to_builtins(change))
        recorded = [r for r in await queries.employments(uow, employee_id) if r["id"] == employment_id]
        return _employment_view(recorded[0])


# -- onboarding ----------------------------------------------------------------------------------


class NewOnboardingRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Evaluation results below ``below`` on ``competency`` add ``item`` to a new hire's plan. Changing
    rules later never rewrites plans already made."""

    competency: str
    below: str
    item: dict[str, str]
    owner_role: str
    due_in_working_days: int
    module_id: UUID | None = None


class NewStandardItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    legal_entity_id: UUID
    title: dict[str, str]
    owner_role: str
    due_in_working_days: int
    module_id: UUID | None = None


class OnboardingItemView(msgspec.Struct, frozen=True):
    id: UUID
    due_date: date
    status: str
    item: PlanItem
    version: int = 1


async def add_onboarding_rule(principal: Principal, request: NewOnboardingRule) -> OnboardingRule:
    rule_id = new_id()
    definition = msgspec.to_builtins(request)
    rule = msgspec.convert({**definition, "id": rule_id}, OnboardingRule)  # validated as the plan will read it
    async with unit_of_work(principal.tenant_id) as uow:
        await queries.insert_rule(uow, rule_id, definition, principal.subject)
        await record(uow, principal, "onboarding.rule_added", "onboarding_rule", rule_id, after=definition)
    return rule


async def add_standard_item(principal: Principal, request: NewStandardItem) -> StandardItem:
    definition = {k: v for k, v in msgspec.to_builtins(request).items() if k != "legal_entity_id"}
    item = msgspec.convert(definition, StandardItem)
    async with unit_of_work(principal.tenant_id) as uow:
        if await legal_entity_in(uow, request.legal_entity_id) is None:
            raise LegalEntityUnknown(field="legal_entity_id")
        await queries.insert_standard_item(uow, request.legal_entity_id, definition)
        await record(uow, principal, "onboarding.standard_item_added", "legal_entity", request.legal_entity_id,
                     after=definition)
    return item


async def onboarding_plan(principal: Principal, employee_id: UUID) -> list[OnboardingItemView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        rows = await queries.onboarding_items(uow, employee_id)
    return [OnboardingItemView(id=row["id"], due_date=row["due_date"], status=row["status"],
                               item=msgspec.convert(row["plan_item"], PlanItem), version=row["version"])
            for row in rows]


# -- tax attributes, bank account ----------------------------------------------------------------


class TaxAttributesChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's attributes for the country's payroll pack, validated against its input schema."""

    country: str
    effective_from: date
    attributes: dict[str, Any]


class TaxAttributesView(msgspec.Struct, frozen=True):
    country: str
    effective_from: date
    attributes: dict[str, Any]
    recorded_by: str


class BankAccountRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An IBAN or a domestic account (bank code and number); it takes effect only once a second person
    confirms it, so one compromised account cannot redirect pay."""

    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    account: Annotated[str, msgspec.Meta(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9 -]+$")]
    bank_code: Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[A-Za-z0-9 -]*$")] = ""


class BankAccountView(msgspec.Struct, frozen=True):
    id: UUID
    masked: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class SecondPersonRequired(Forbidden):
    code = "second_person_required"
    template = "A bank account change must be confirmed by someone other than the person who requested it."


class BankChangeNotPending(NotFound):
    code = "bank_account_change_not_pending"
    template = "There is no pending bank account change with this id."


class InvalidTaxAttributes(InvalidInput):
    code = "invalid_tax_attributes"
    title = "Invalid tax attributes"
    template = "These attributes do not fit the {country} payroll pack: {problem}"


async def set_tax_attributes(principal: Principal, employee_id: UUID,
                             change: TaxAttributesChange) -> TaxAttributesView:
    pack = pack_for(change.country)
    try:
        checked = msgspec.to_builtins(msgspec.convert(change.attributes, pack.employee_schema))
    except (msgspec.ValidationError, ValueError) as exc:
        raise InvalidTaxAttributes(country=pack.country, problem=str(exc), field="attributes") from None
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        await queries.append_tax_attributes(uow, employee_id, pack.country, change.effective_from, checked,
                                            principal.subject)
        await record(uow, principal, "employee.tax_attributes_changed", "employee", employee_id,
                     after={"country": pack.country, "effective_from": change.effective_from})
        row = await queries.tax_attributes_as_of(uow, employee_id, pack.country, change.effective_from)
    assert row is not None
    return msgspec.convert(row, TaxAttributesView)


class NoTaxAttributes(NotFound):
    code = "tax_attributes_not_found"
    template = "The employee has no {country} tax attributes in force on {on}."


async def tax_attributes(principal: Principal, employee_id: UUID, country: str,
                         as_of: date | None) -> TaxAttributesView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        row = await queries.tax_attributes_as_of(uow, employee_id, country.upper(), as_of or utc_now().date())
    if row is None:
        raise NoTaxAttributes(country=country.upper(), on=(as_of or utc_now().date()).isoformat())
    return msgspec.convert(row, TaxAttributesView)


async def request_bank_account(principal: Principal, employee_id: UUID,
                               request: BankAccountRequest) -> BankAccountView:
    change_id = new_id()
    account = "".join(request.account.split()).upper()
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        sealed = (await cipher_for(uow)).seal(msgspec.json.encode(request).decode(), "bank_account_changes",
                                              "account", change_id)
        masked = f"{'*' * max(len(account) - 4, 0)}{account[-4:]}"
        await queries.insert_bank_change(uow, change_id, employee_id, sealed, masked, principal.subject)
        await record(uow, principal, "employee.bank_account_requested", "employee", employee_id,
                     after={"change": change_id, "account": masked})
        return msgspec.convert(await queries.bank_change(uow, employee_id, change_id), BankAccountView)


async def confirm_bank_account(principal: Principal, employee_id: UUID, change_id: UUID) -> BankAccountView:
    async with unit_of_work(principal.tenant_id) as uow:
        change = await queries.bank_change(uow, employee_id, change_id)
        if change is None or change["status"] != "pending":
            raise BankChangeNotPending()
        if change["requested_by"] == principal.subject:
            raise SecondPersonRequired()
        await queries.decide_bank_change(uow, change_id, "confirmed", principal.subject)
        await record(uow, principal, "employee.bank_account_confirmed", "employee", employee_id,
                     before={"status": "pending"}, after={"change": change_id, "status": "confirmed"})
        return msgspec.convert(await queries.bank_change(uow, employee_id, change_id), BankAccountView)


async def bank_account(principal: Principal, employee_id: UUID) -> list[BankAccountView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        return [msgspec.convert(row, BankAccountView) for row in await queries.bank_changes(uow, employee_id)]


class Departure(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    left_on: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


async def record_departure(principal: Principal, employee_id: UUID, departure: Departure) -> EmployeeView:
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.employee(uow, employee_id) is None:
            raise EmployeeNotFound()
        await queries.record_departure(uow, employee_id, departure.left_on)
        await record(uow, principal, "employee.departed", "employee", employee_id, after=departure)
        return await _view(uow, principal, employee_id, departure.left_on, audit=False)


class OnboardingItemUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Annotated[str, msgspec.Meta(pattern=r"^(open|in_progress|done|skipped)$")]


class OnboardingItemNotFound(NotFound):
    code = "onboarding_item_not_found"
    template = "There is no onboarding item with this id."


async def update_onboarding_item(principal: Principal, employee_id: UUID, item_id: UUID,
                                 update: OnboardingItemUpdate, expected_version: int) -> OnboardingItemView:
    async with unit_of_work(principal.tenant_id) as uow:
        before = next((row for row in await queries.onboarding_items(uow, employee_id) if row["id"] == item_id), None)
        if before is None:
            raise OnboardingItemNotFound()
        await queries.set_onboarding_status(uow, item_id, expected_version, update.status)
        await record(uow, principal, "onboarding.item_updated", "employee", employee_id,
                     before={"item": item_id, "status": before["status"]}, after={"status": update.status})
        row = next(row for row in await queries.onboarding_items(uow, employee_id) if row["id"] == item_id)
    return OnboardingItemView(id=row["id"], due_date=row["due_date"], status=row["status"],
                              item=msgspec.convert(row["plan_item"], PlanItem), version=row["version"])


# -- the employee's own access --------------------------------------------------------------------

EMPLOYEE_SUBJECT_PREFIX = "employee:"


def employee_subject(employee_id: UUID) -> str:
    return f"{EMPLOYEE_SUBJECT_PREFIX}{employee_id}"


def employee_of(principal: Principal) -> UUID:
    """The one employee an employee token may see: named by its verified subject."""
    if Role.EMPLOYEE not in principal.roles or not principal.subject.startswith(EMPLOYEE_SUBJECT_PREFIX):
        raise EmployeeNotFound()  # a token that names no employee has no employee to show
    return UUID(principal.subject.removeprefix(EMPLOYEE_SUBJECT_PREFIX))


async def grant_access(principal: Principal, employee_id: UUID) -> str:
    subject = employee_subject(employee_id)
    async with unit_of_work(principal.tenant_id) as uow:
        employee = await queries.employee(uow, employee_id)
        if employee is None:
            raise EmployeeNotFound()
        await grant_self_service(uow, subject, employee["full_name"], Role.EMPLOYEE, employee["timezone"],
                                 employee["locale"])
        await record(uow, principal, "employee.portal_access_granted", "employee", employee_id)
    return subject
