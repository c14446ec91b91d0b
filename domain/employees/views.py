"""The employee as a reader sees them on a date: personal data opened, and masked unless they may read it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.audit.service import record
from domain.employees import queries
from domain.employees.model import EmployeeNotFound, EmployeeRow, EmployeeView, EmploymentRow, EmploymentView, PayView
from domain.kernel.db import UnitOfWork
from domain.kernel.money import from_minor
from domain.kernel.permissions import Operation
from domain.kernel.personal_data import mask_birth_date, mask_email, mask_national_id, mask_phone
from domain.kernel.principal import Principal
from domain.keys.service import keyring_for

PERSONAL_FIELDS = ("email", "phone", "national_id", "birth_date")
_MASKS = {"email": mask_email, "phone": mask_phone, "national_id": mask_national_id,
          "birth_date": lambda v: mask_birth_date(date.fromisoformat(v))}


async def existing_employee(uow: UnitOfWork, employee_id: UUID) -> EmployeeRow:
    """The caller's employee; another tenant's id reads as a random one."""
    row = await queries.employee(uow, employee_id)
    if row is None:
        raise EmployeeNotFound()
    return row


def employment_view(row: EmploymentRow) -> EmploymentView:
    pay = PayView(amount=from_minor(row.pay_minor, row.currency), currency=row.currency, unit=row.pay_unit)
    return EmploymentView(
        id=row.id, effective_from=row.effective_from, legal_entity_id=row.legal_entity_id, country=row.country,
        region=row.region, position=row.position, pay=pay, weekly_hours=row.weekly_hours,
        probation_months=row.probation_months, fixed_term_months=row.fixed_term_months, manager_id=row.manager_id,
        evaluation_id=row.evaluation_id, model_id=row.model_id, model_version=row.model_version, reason=row.reason,
        recorded_by=row.recorded_by, recorded_at=row.recorded_at)


async def employee_view(uow: UnitOfWork, principal: Principal, employee_id: UUID, on: date, *,
                        audit: bool) -> EmployeeView:
    row = await existing_employee(uow, employee_id)
    clear = principal.may(Operation.PII_READ)
    sealed = {"email": row.email_ciphertext, "phone": row.phone_ciphertext,
              "national_id": row.national_id_ciphertext, "birth_date": row.birth_date_ciphertext}
    cipher = await keyring_for(uow, sealed.values())
    personal = {name: cipher.open(text, "employees", name, employee_id) for name, text in sealed.items() if text}
    if not clear:
        personal = {name: _MASKS[name](value) for name, value in personal.items()}
    elif audit and personal:
        await record(uow, principal, "employee.personal_data_read", "employee", employee_id,
                     after={"fields": sorted(personal)})
    employment = await queries.employment_as_of(uow, employee_id, on)
    return EmployeeView(
        id=row.id, full_name=row.full_name, employee_number=row.employee_number, department=row.department,
        email=personal.get("email"), phone=personal.get("phone"),
        national_id=personal.get("national_id"), birth_date=personal.get("birth_date"), masked=not clear,
        timezone=row.timezone, locale=row.locale, candidate_id=row.candidate_id,
        application_id=row.application_id, as_of=on,
        employment=employment_view(employment) if employment else None, left_on=row.left_on,
        version=row.version, created_at=row.created_at)
