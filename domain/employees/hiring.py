"""Hiring: the hire carries the interview evaluation along, checks the contract against the country's
labour law, opens the onboarding plan and closes the application, all in one transaction."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from compliance.registry import pack_for
from domain.assessments.model import StoredEvaluation
from domain.assessments.service import evaluation_in_use, record_decision_in, require_person
from domain.audit.service import record
from domain.employees import queries
from domain.employees.employment import allow_or_refuse, contract_violations, new_employment
from domain.employees.model import EmployeeView, HireRequest
from domain.employees.onboarding import PlanItem, generate_plan
from domain.employees.payroll_needs import payable_hire, record_payroll_inputs
from domain.employees.references import require_manager
from domain.employees.views import employee_view
from domain.kernel.crypto import PersonCipher
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict
from domain.kernel.ids import new_id
from domain.kernel.principal import Principal
from domain.kernel.time import require_timezone
from domain.keys.service import person_cipher
from domain.recruitment.service import (
    ApplicationNotFound,
    CandidateNotFound,
    application_in,
    candidate_in,
    close_as_hired_in,
    personal_data_in,
)
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in
from domain.webhooks import service as webhooks


class AlreadyHired(Conflict):
    code = "already_hired"
    title = "Already hired"
    template = "This application has already led to a hire."


class EmployeeNumberTaken(Conflict):
    code = "employee_number_taken"
    title = "Employee number already in use"
    template = "Another employee already has the number {employee_number}: {employee_id}."


async def hire(principal: Principal, application_id: UUID, request: HireRequest) -> EmployeeView:
    async with unit_of_work(principal.tenant_id) as uow:
        application = await application_in(uow, application_id)
        if application is None:
            raise ApplicationNotFound()
        if await queries.employee_of_application(uow, application_id):
            raise AlreadyHired()
        entity = await legal_entity_in(uow, request.legal_entity_id)
        if entity is None:
            raise LegalEntityNotFound(field="legal_entity_id")
        await require_manager(uow, request.manager_id)
        await _require_free_number(uow, request.employee_number)
        candidate = await candidate_in(uow, application.candidate_id)
        if candidate is None:
            raise CandidateNotFound()
        personal = await personal_data_in(uow, candidate.id)
        region = request.region or entity.region
        attributes = payable_hire(entity, region, request.pay, request.tax_attributes)
        birth = date.fromisoformat(personal["birth_date"]) if "birth_date" in personal else None
        violations = contract_violations(entity.country, region, request.start_date, request.pay,
                                         request.weekly_hours, request.probation_months, request.fixed_term_months,
                                         birth)
        allow_or_refuse(principal, violations, request.override_reason, entity.country)
        employee_id = new_id()
        cipher = await person_cipher(uow, "employee", employee_id)  # the employee's own key, not the candidate's
        await queries.insert_employee(uow, employee_id, queries.NewEmployee(
            candidate_id=candidate.id, application_id=application_id, full_name=candidate.full_name,
            national_id_country=candidate.national_id_country,
            timezone=require_timezone(request.timezone or candidate.timezone),
            locale=request.locale or candidate.locale, employee_number=request.employee_number,
            department=request.department, **_sealed(cipher, employee_id, personal)))
        # The AI evaluation counts (linked to the employment, shaping the onboarding plan) only while the candidate's
        # consent is in force and their processing is not restricted, and then the hire is a person's decision on it.
        evaluation = await evaluation_in_use(uow, application_id)
        if evaluation is not None:
            require_person(principal)
            await record_decision_in(
                uow, principal, subject_type="application", subject_id=application_id,
                automated_output="evaluation_pass_fail", decision="advance", reason="hired",
                based_on={"evaluation_id": evaluation.id, "model_version": evaluation.model_version,
                          "overall": evaluation.overall, "passed": evaluation.passed, "from_stage": application.stage,
                          "to_stage": "hired"})
        await queries.append_employment(uow, employee_id, new_employment(
            effective_from=request.start_date, entity_id=entity.id, country=entity.country, region=region,
            position=request.position, pay=request.pay, weekly_hours=request.weekly_hours,
            probation_months=request.probation_months, fixed_term_months=request.fixed_term_months,
            manager_id=request.manager_id, reason="hired", recorded_by=principal.subject,
            evaluation_id=evaluation.id if evaluation else None,
            model_id=evaluation.model_id if evaluation else None,
            model_version=evaluation.model_version if evaluation else None))
        await record_payroll_inputs(uow, principal, employee_id, entity.country, request.start_date, attributes)
        plan = await _onboarding_plan(uow, evaluation, entity.id, entity.country, region, request.start_date)
        for item in plan:
            await queries.insert_onboarding_item(uow, employee_id, item)
        await close_as_hired_in(uow, principal, application)
        await record(uow, principal, "employee.hired", "employee", employee_id, after={
            "application_id": application_id, "legal_entity_id": entity.id, "position": request.position,
            "employee_number": request.employee_number, "department": request.department,
            "start_date": request.start_date, "pay": msgspec.to_builtins(request.pay),
            "evaluation_id": evaluation.id if evaluation else None, "onboarding_items": len(plan)})
        await webhooks.publish(uow, webhooks.EventType.EMPLOYEE_HIRED, "employee", employee_id, {
            "legal_entity_id": entity.id, "application_id": application_id, "start_date": request.start_date})
        if violations:
            await record(uow, principal, "employee.contract_override", "employee", employee_id, after={
                "reason": request.override_reason, "violations": [v.code for v in violations]})
        return await employee_view(uow, principal, employee_id, request.start_date, audit=False)


async def _require_free_number(uow: UnitOfWork, employee_number: str | None) -> None:
    holder = await queries.employee_numbered(uow, employee_number) if employee_number else None
    if holder:
        raise EmployeeNumberTaken(field="employee_number", employee_number=employee_number, employee_id=str(holder))


def _sealed(cipher: PersonCipher, employee_id: UUID, personal: dict[str, str]) -> dict[str, str]:
    """The candidate's personal data sealed anew for the employee's row: a ciphertext never moves rows."""
    return {f"{name}_ciphertext": cipher.seal(value, "employees", name, employee_id)
            for name, value in personal.items()}


async def _onboarding_plan(uow: UnitOfWork, evaluation: StoredEvaluation | None, entity_id: UUID, country: str,
                           region: str | None, start: date) -> list[PlanItem]:
    rules = await queries.active_rules(uow)
    standard = await queries.standard_items(uow, entity_id)
    subdivision = pack_for(country).holiday_subdivisions.get(region) if region else None
    return generate_plan(evaluation.detail if evaluation else None, evaluation.id if evaluation else None, rules,
                         standard, start, country, subdivision)
