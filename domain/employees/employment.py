"""Employment over time: each change is appended with the date it takes effect and checked against the
country's labour law; nothing recorded is rewritten. A departure ends the employment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.labour import Contract
from compliance.registry import pack_for
from domain.audit.service import record
from domain.employees import queries
from domain.employees.model import (
    ContractNotCompliant,
    EmployeeView,
    EmploymentChange,
    EmploymentView,
    OverrideNotPermitted,
    Pay,
    violations_as_details,
)
from domain.employees.payroll_needs import payable_change, record_payroll_inputs
from domain.employees.references import require_manager
from domain.employees.views import employee_view, employment_view, existing_employee
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import InvalidInput, NotFound
from domain.kernel.money import to_minor
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_keyed_cursor, keyed_position, page_of
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.webhooks import service as webhooks


class NoEmploymentYet(NotFound):
    code = "no_employment_in_force"
    template = "The employee has no employment in force on {on}."


class DepartureBeforeEmployment(InvalidInput):
    code = "departure_before_employment"
    title = "Departure before the employment"
    template = "The departure date must be on or after {since}, when the employment in force began."


class ChangeAfterDeparture(InvalidInput):
    code = "employment_change_after_departure"
    title = "Change after the departure"
    template = "The employee left on {left_on}; a change cannot take effect after that."


class Departure(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """That an employee leaves: their last day employed (`left_on`, on or after the start of the employment in force)
    and the reason. No employment change can take effect after it."""

    left_on: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


def contract_violations(country: str, region: str | None, start: date, pay: Pay, weekly_hours: str,
                        probation_months: int, fixed_term_months: int | None, birth: date | None) -> list[Any]:
    pack = pack_for(country)
    known_region = region if region in pack.regions else None
    return pack.check_contract(Contract(
        start_date=start, pay_amount=Decimal(pay.amount),
        pay_unit=pay.unit, weekly_hours=Decimal(weekly_hours),
        region=known_region, date_of_birth=birth, probation_months=probation_months,
        fixed_term_months=fixed_term_months))


def allow_or_refuse(principal: Principal, violations: list[Any], override_reason: str | None, country: str) -> None:
    if not violations:
        return
    if override_reason is None:
        raise ContractNotCompliant(count=len(violations), country=country, details=violations_as_details(violations))
    if Role.TENANT_ADMIN not in principal.roles:
        raise OverrideNotPermitted(field="override_reason", details=violations_as_details(violations))


def new_employment(*, effective_from: date, entity_id: UUID, country: str, region: str | None, position: str,
                     pay: Pay, weekly_hours: str, probation_months: int, fixed_term_months: int | None,
                     manager_id: UUID | None, reason: str, recorded_by: str, evaluation_id: UUID | None = None,
                     model_id: UUID | None = None, model_version: int | None = None) -> queries.NewEmployment:
    return queries.NewEmployment(
        effective_from=effective_from, legal_entity_id=entity_id, country=country, region=region, position=position,
        pay_minor=to_minor(Decimal(pay.amount), pay.currency), currency=pay.currency, pay_unit=pay.unit,
        weekly_hours=weekly_hours, probation_months=probation_months, fixed_term_months=fixed_term_months,
        manager_id=manager_id, reason=reason, recorded_by=recorded_by, evaluation_id=evaluation_id,
        model_id=model_id, model_version=model_version)


async def employment_history(principal: Principal, employee_id: UUID, cursor: str | None = None,
                             limit: int = DEFAULT_LIMIT) -> Page[EmploymentView]:
    """Every version, by the date it takes effect (then as recorded)."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await existing_employee(uow, employee_id)
        rows = await queries.employments(uow, employee_id, after=decode_keyed_cursor(cursor, date.fromisoformat),
                                         limit=limit + 1)
    return page_of([employment_view(row) for row in rows], limit,
                   lambda version: keyed_position(version.effective_from.isoformat(), version.id))


async def change_employment(principal: Principal, employee_id: UUID, change: EmploymentChange) -> EmploymentView:
    """Append the employment in force from ``change.effective_from``; earlier versions stay as recorded."""
    async with unit_of_work(principal.tenant_id) as uow:
        employee = await existing_employee(uow, employee_id)
        if employee.left_on is not None and change.effective_from > employee.left_on:
            raise ChangeAfterDeparture(field="effective_from", left_on=employee.left_on.isoformat())
        await require_manager(uow, change.manager_id, of=employee_id)
        current = await queries.employment_as_of(uow, employee_id, change.effective_from)
        if current is None:
            raise NoEmploymentYet(on=change.effective_from.isoformat())
        before = employment_view(current)
        pay = change.pay or before.pay.as_request()
        attributes = await payable_change(uow, employee_id, before, pay, change.tax_attributes, change.effective_from)
        weekly_hours = change.weekly_hours or before.weekly_hours
        violations = contract_violations(before.country, before.region, change.effective_from, pay, weekly_hours,
                                         0, before.fixed_term_months, None)
        allow_or_refuse(principal, violations, change.override_reason, before.country)
        recorded = await queries.append_employment(uow, employee_id, new_employment(
            effective_from=change.effective_from, entity_id=before.legal_entity_id, country=before.country,
            region=before.region, position=change.position or before.position, pay=pay, weekly_hours=weekly_hours,
            probation_months=before.probation_months, fixed_term_months=before.fixed_term_months,
            manager_id=change.manager_id or before.manager_id, reason=change.reason, recorded_by=principal.subject,
            evaluation_id=before.evaluation_id, model_id=before.model_id, model_version=before.model_version))
        await record_payroll_inputs(uow, principal, employee_id, before.country, change.effective_from, attributes)
        await record(uow, principal, "employment.changed", "employee", employee_id,
                     before=msgspec.to_builtins(before), after=msgspec.to_builtins(change))
        await webhooks.publish(uow, webhooks.EventType.EMPLOYEE_CHANGED, "employee", employee_id, {
            "effective_from": change.effective_from, "fields": sorted(webhooks.changed_fields(change))})
        return employment_view(recorded)


async def _require_within_employment(uow: UnitOfWork, employee_id: UUID, left_on: date) -> None:
    """Leaving before the latest recorded change took effect would leave facts dated after the departure."""
    history = await queries.employments(uow, employee_id)
    latest_start = max((version.effective_from for version in history), default=None)
    if latest_start is not None and left_on < latest_start:
        raise DepartureBeforeEmployment(field="left_on", since=latest_start.isoformat())


async def record_departure(principal: Principal, employee_id: UUID, departure: Departure) -> EmployeeView:
    async with unit_of_work(principal.tenant_id) as uow:
        await existing_employee(uow, employee_id)
        await _require_within_employment(uow, employee_id, departure.left_on)
        await queries.record_departure(uow, employee_id, departure.left_on)
        await record(uow, principal, "employee.departed", "employee", employee_id, after=departure)
        await webhooks.publish(uow, webhooks.EventType.EMPLOYEE_DEPARTED, "employee", employee_id,
                               {"departure_date": departure.left_on})
        return await employee_view(uow, principal, employee_id, departure.left_on, audit=False)
