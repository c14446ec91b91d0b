"""The employees context's front door: the employee as of a date, the employee's own access, the use cases
of hiring, employment, onboarding and pay details, and the reads other contexts make inside their own
unit of work. Other contexts and the HTTP edge import from here (or from ``model``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.audit.service import record
from domain.employees import queries
from domain.employees.employment import (
    Departure,
    NoEmploymentYet,
    change_employment,
    employment_history,
    record_departure,
)
from domain.employees.hiring import AlreadyHired, hire
from domain.employees.imports import CheckedEmployee, EmployeeChecker, write_employees_in
from domain.employees.model import (
    EmployeeNotFound,
    EmployeeRow,
    EmployeeView,
    EmploymentRow,
    EmploymentStatus,
    ReviewRow,
    TrainingRow,
)
from domain.employees.onboarding_plans import (
    NewOnboardingRule,
    NewStandardItem,
    OnboardingItemNotFound,
    OnboardingItemUpdate,
    OnboardingItemView,
    OnboardingStatus,
    add_onboarding_rule,
    add_standard_item,
    onboarding_plan,
    publish_due_onboarding_items,
    update_onboarding_item,
)
from domain.employees.pay_details import (
    BankAccountRequest,
    BankAccountView,
    BankChangeNotPending,
    InvalidTaxAttributes,
    NoTaxAttributes,
    SecondPersonRequired,
    TaxAttributesChange,
    TaxAttributesView,
    bank_account,
    confirm_bank_account,
    request_bank_account,
    set_tax_attributes,
    tax_attributes,
)
from domain.employees.views import employee_view, existing_employee
from domain.identity.service import grant_self_service
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.permissions import Operation, Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now

__all__ = [
    "AlreadyHired", "BankAccountRequest", "BankAccountView", "BankChangeNotPending", "Departure",
    "EmployeeNotFound", "EmploymentStatus", "InvalidTaxAttributes", "NewOnboardingRule", "NewStandardItem",
    "NoEmploymentYet",
    "NoTaxAttributes", "OnboardingItemNotFound", "OnboardingItemUpdate", "OnboardingItemView", "OnboardingStatus",
    "SecondPersonRequired", "TaxAttributesChange", "TaxAttributesView", "add_onboarding_rule", "add_standard_item",
    "all_employees_in", "bank_account", "change_employment", "confirm_bank_account", "employee_of",
    "employee_of_application_in", "employee_subject", "employment_history", "employments_in", "get_employee",
    "grant_access", "hire", "list_employees", "onboarding_plan", "pay_of_position_in", "record_departure",
    "request_bank_account", "reviews_in", "set_tax_attributes", "tax_attributes", "tax_attributes_history_in",
    "training_records_in",
    "update_onboarding_item",
]
#: Webhooks' periodic pass (api.maintenance).
__all__ += ["publish_due_onboarding_items"]
#: Bulk imports (domain.employees.imports).
__all__ += ["CheckedEmployee", "EmployeeChecker", "write_employees_in"]


async def get_employee(principal: Principal, employee_id: UUID, as_of: date | None) -> EmployeeView:
    on = as_of or utc_now().date()
    async with unit_of_work(principal.tenant_id, write=principal.may(Operation.PII_READ)) as uow:
        return await employee_view(uow, principal, employee_id, on, audit=True)


async def list_employees(principal: Principal, cursor: str | None, limit: int, as_of: date | None = None,
                         legal_entity_id: UUID | None = None,
                         status: EmploymentStatus | None = None) -> Page[EmployeeView]:
    today = as_of or utc_now().date()
    async with unit_of_work(principal.tenant_id, write=principal.may(Operation.PII_READ)) as uow:
        rows = await queries.employees(uow, after=decode_uuid_cursor(cursor), limit=limit + 1,
                                       legal_entity_id=legal_entity_id, status=status, on=today)
        views = [await employee_view(uow, principal, row.id, today, audit=index < limit)
                 for index, row in enumerate(rows)]
    return page_of(views, limit, lambda e: str(e.id))


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
        employee = await existing_employee(uow, employee_id)
        await grant_self_service(uow, subject, employee.full_name, Role.EMPLOYEE, employee.timezone, employee.locale)
        await record(uow, principal, "employee.portal_access_granted", "employee", employee_id)
    return subject


# -- reads other contexts make inside their own unit of work (analytics) --------------------------


async def all_employees_in(uow: UnitOfWork, limit: int) -> list[EmployeeRow]:
    return await queries.employees(uow, after=None, limit=limit)


async def employee_of_application_in(uow: UnitOfWork, application_id: UUID) -> EmployeeRow | None:
    return await queries.employee_of_application(uow, application_id)


async def employments_in(uow: UnitOfWork, employee_id: UUID) -> list[EmploymentRow]:
    """Every employment version of the employee, oldest effective first."""
    return await queries.employments(uow, employee_id)


async def reviews_in(uow: UnitOfWork, employee_id: UUID) -> list[ReviewRow]:
    return await queries.reviews(uow, employee_id)


async def training_records_in(uow: UnitOfWork, employee_id: UUID) -> list[TrainingRow]:
    return await queries.training_records(uow, employee_id)


async def tax_attributes_history_in(uow: UnitOfWork, employee_id: UUID) -> list[queries.TaxAttributesRow]:
    """Every tax attribute set recorded for the employee (each country, each effective date), oldest first."""
    return await queries.tax_attribute_rows(uow, employee_id)


async def pay_of_position_in(uow: UnitOfWork, position: str, currency: str) -> list[int]:
    """The pay (minor units) of every employment version of this position and currency."""
    return await queries.current_pay_of_position(uow, position, currency)
