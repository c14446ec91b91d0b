"""What the employees context publishes for payroll to read inside its own unit of work: who is employed at
a legal entity in a period, on what terms, with which tax attributes. Rows are typed and read-only; the
tables stay private to this context.

Staff are read in pages by employee id, an index range each, so a page costs the same at 100,000 employees
as at 1,000."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from domain.employees.tables import Employee, Employment, TaxAttributes
from domain.kernel.db import UnitOfWork


class StaffMember(msgspec.Struct, frozen=True):
    id: UUID
    full_name: str
    left_on: date | None


class EmploymentTerms(msgspec.Struct, frozen=True):
    """One entry of an employee's employment history: where, and on what pay, from ``effective_from``."""

    employee_id: UUID
    effective_from: date
    country: str
    region: str | None
    pay_minor: int
    currency: str
    pay_unit: str
    #: an exact decimal, as recorded
    weekly_hours: str


class TaxAttributesRecord(msgspec.Struct, frozen=True):
    employee_id: UUID
    country: str
    #: the country pack's attributes, checked against its schema when a payslip is calculated
    attributes: dict[str, Any]


def _employed_at(uow: UnitOfWork, entity_id: UUID, period_end: date, only: list[UUID] | None,
                 query: Any = None) -> Any:
    query = (query if query is not None else Employment.select(Employment.employee_id)).where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.legal_entity_id == entity_id)
        & (Employment.effective_from <= period_end))
    return query.where(Employment.employee_id.is_in(only)) if only is not None else query


def _not_gone(uow: UnitOfWork, query: Any, period_start: date) -> Any:
    return query.where((Employee.tenant_id == uow.tenant_id)
                       & (Employee.left_on.is_null() | (Employee.left_on >= period_start)))


async def staff_page(uow: UnitOfWork, entity_id: UUID, period_start: date, period_end: date,
                     after: UUID | None, limit: int, only: list[UUID] | None = None
                     ) -> tuple[list[StaffMember], UUID | None]:
    """The next page of employees with an employment at the entity that began by the period's end, not gone
    before it began (``only`` these, if named), and where the following page starts (None: this was the last).

    Pages walk the entity's employments by employee id, an index range each, so a page costs the same at
    100,000 employees as at 1,000."""
    query = _employed_at(uow, entity_id, period_end, only).distinct()
    if after:
        query = query.where(Employment.employee_id > after)
    ids = [row["employee_id"] for row in await query.order_by(Employment.employee_id).limit(limit)]
    if not ids:
        return [], None
    wanted = set(ids)
    in_range = await _not_gone(uow, Employee.select(Employee.id, Employee.full_name, Employee.left_on).where(
        (Employee.id >= ids[0]) & (Employee.id <= ids[-1])), period_start).order_by(Employee.id)
    staff = [StaffMember(row["id"], row["full_name"], row["left_on"]) for row in in_range if row["id"] in wanted]
    return staff, (ids[-1] if len(ids) == limit else None)


async def count_employed(uow: UnitOfWork, entity_id: UUID, period_end: date, only: list[UUID] | None = None) -> int:
    """Everyone employed at the entity by the period's end: the most a run can hold (those gone before the
    period are skipped). Counted on the employments index alone; joined to employees, PostgreSQL under
    row-level security picks a plan that takes minutes at 100,000 employees."""
    counted = Employment.count(distinct=[Employment.employee_id])
    return int(await _employed_at(uow, entity_id, period_end, only, counted))


# The page readers below take the page's id range, not its ids: an index range scan whose plan does not
# depend on table statistics (a list of the page's ids let PostgreSQL, before ANALYZE, scan the whole tenant for
# each page). Rows of other entities' employees in the range are dropped by the caller's lookups.

async def employments_between(uow: UnitOfWork, first: UUID, last: UUID) -> list[EmploymentTerms]:
    """The employment history of the employees with ids in [first, last], oldest first."""
    rows = await Employment.select(
        Employment.employee_id, Employment.effective_from, Employment.country, Employment.region,
        Employment.pay_minor, Employment.currency, Employment.pay_unit, Employment.weekly_hours,
    ).where((Employment.tenant_id == uow.tenant_id) & (Employment.employee_id >= first)
            & (Employment.employee_id <= last)).order_by(Employment.effective_from).order_by(Employment.recorded_at)
    return [EmploymentTerms(**row) for row in rows]


async def tax_attributes_between(uow: UnitOfWork, first: UUID, last: UUID, on: date) -> list[TaxAttributesRecord]:
    """The tax attributes recorded by ``on`` for the employees with ids in [first, last], oldest first."""
    rows = await TaxAttributes.select(TaxAttributes.employee_id, TaxAttributes.country, TaxAttributes.attributes
                                      ).where(
        (TaxAttributes.tenant_id == uow.tenant_id) & (TaxAttributes.employee_id >= first)
        & (TaxAttributes.employee_id <= last) & (TaxAttributes.effective_from <= on)
    ).order_by(TaxAttributes.effective_from).order_by(TaxAttributes.recorded_at)
    return [TaxAttributesRecord(row["employee_id"], row["country"], json.loads(row["attributes"])) for row in rows]


async def employee_number_of(uow: UnitOfWork, employee_id: UUID) -> str | None:
    """The tenant's own number for the employee, printed on payslips; None when it gave none."""
    row = await Employee.select(Employee.employee_number).where(
        (Employee.tenant_id == uow.tenant_id) & (Employee.id == employee_id)).first()
    return row["employee_number"] if row else None


async def employed_among(uow: UnitOfWork, entity_id: UUID, period_end: date, only: list[UUID]) -> set[UUID]:
    """Those of ``only`` employed at the entity by the period's end (the same test as :func:`count_employed`)."""
    found: set[UUID] = set()
    for start in range(0, len(only), 500):
        rows = await _employed_at(uow, entity_id, period_end, only[start:start + 500],
                                  Employment.select(Employment.employee_id).distinct())
        found.update(row["employee_id"] for row in rows)
    return found


async def employees_numbered(uow: UnitOfWork, numbers: list[str]) -> dict[str, UUID]:
    """The tenant's employees among these employee numbers (another tenant's number finds nothing)."""
    found: dict[str, UUID] = {}
    for start in range(0, len(numbers), 500):
        rows = await Employee.select(Employee.id, Employee.employee_number).where(
            (Employee.tenant_id == uow.tenant_id) & Employee.employee_number.is_in(numbers[start:start + 500]))
        found.update({row["employee_number"]: row["id"] for row in rows})
    return found


async def employee_numbers(uow: UnitOfWork, ids: list[UUID]) -> dict[UUID, str | None]:
    """The tenant's own number of each of these employees (None where it gave none)."""
    found: dict[UUID, str | None] = {}
    for start in range(0, len(ids), 500):
        rows = await Employee.select(Employee.id, Employee.employee_number).where(
            (Employee.tenant_id == uow.tenant_id) & Employee.id.is_in(ids[start:start + 500]))
        found.update({row["id"]: row["employee_number"] for row in rows})
    return found
