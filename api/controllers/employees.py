"""Employees over HTTP: hire from an application, read as of a date, change employment, onboarding."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth import issue_token
from api.controllers.recruitment import PORTAL_TOKEN_SECONDS, PortalToken
from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from domain.employees import service
from domain.employees.model import EmployeeView, EmploymentChange, EmploymentStatus, EmploymentView, HireRequest
from domain.employees.onboarding import OnboardingRule, StandardItem
from domain.employees.service import (
    BankAccountRequest,
    BankAccountView,
    NewOnboardingRule,
    NewStandardItem,
    OnboardingItemUpdate,
    OnboardingItemView,
    OnboardingStatus,
    TaxAttributesChange,
    TaxAttributesView,
)
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation, Role


class HireController(Controller):
    path = "/v1/applications/{application_id:uuid}/hire"
    tags = ["Employees"]

    @post("/", operation_id="hireCandidate", opt=requires(Operation.EMPLOYEES_WRITE),
          summary="Hire the candidate: employee, first employment with the evaluation, onboarding plan, in one "
                  "transaction; the contract is checked against the country's labour law")
    async def hire(self, principal: Caller, application_id: FromPath[UUID],
                   data: JSONBody[HireRequest]) -> Response[EmployeeView]:
        employee = await service.hire(principal, application_id, data)
        return created(employee, f"/v1/employees/{employee.id}")


class EmployeeController(Controller):
    path = "/v1/employees"
    tags = ["Employees"]

    @get("/", operation_id="listEmployees", opt=requires(Operation.EMPLOYEES_READ),
         summary="List employees with the employment in force on as_of (personal data masked by role)")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   as_of: FromQuery[date | None] = None, legal_entity_id: FromQuery[UUID | None] = None,
                   status: FromQuery[EmploymentStatus | None] = None) -> Page[EmployeeView]:
        """Employees in the order they were hired. `legal_entity_id` keeps those employed by one legal entity;
        `status` keeps those `starting` (hired, first day after `as_of`), `active` (employed on
        `as_of`, which includes the day they leave) or `left` (gone before `as_of`)."""
        return await service.list_employees(principal, cursor, limit, as_of, legal_entity_id, status)

    @get("/{employee_id:uuid}", operation_id="getEmployee", opt=requires(Operation.EMPLOYEES_READ),
         summary="An employee with the employment in force on as_of (default today)")
    async def read(self, principal: Caller, employee_id: FromPath[UUID],
                   as_of: FromQuery[date | None] = None) -> EmployeeView:
        return await service.get_employee(principal, employee_id, as_of)

    @get("/{employee_id:uuid}/employments", operation_id="listEmployments", opt=requires(Operation.EMPLOYEES_READ),
         summary="Every employment version, by the date it takes effect")
    async def employments(self, principal: Caller, employee_id: FromPath[UUID], limit: Limit = 50,
                          cursor: Cursor = None) -> Page[EmploymentView]:
        """A page of the employee's employment versions, by the date each takes effect, then as recorded."""
        return await service.employment_history(principal, employee_id, cursor, limit)

    @post("/{employee_id:uuid}/employment-changes", operation_id="changeEmployment",
          opt=requires(Operation.EMPLOYEES_WRITE),
          summary="A change of position, pay or hours taking effect on a date; the past is never rewritten")
    async def change(self, principal: Caller, employee_id: FromPath[UUID],
                     data: JSONBody[EmploymentChange]) -> EmploymentView:
        return await service.change_employment(principal, employee_id, data)

    @post("/{employee_id:uuid}/portal-tokens", operation_id="issueEmployeePortalToken",
          opt=requires(Operation.EMPLOYEES_WRITE),
          summary="A token for the employee's own payslips (7 days), scoped to this one employee")
    async def portal_token(self, request: Request[Any, Any, Any], principal: Caller,
                           employee_id: FromPath[UUID]) -> PortalToken:
        subject = await service.grant_access(principal, employee_id)
        runtime = request.app.state.runtime
        token = issue_token(runtime.settings, runtime.secret, tenant_id=principal.tenant_id, subject=subject,
                            roles=[Role.EMPLOYEE.value], ttl_seconds=PORTAL_TOKEN_SECONDS)
        return PortalToken(token=token, expires_in=PORTAL_TOKEN_SECONDS, subject=subject)

    @get("/{employee_id:uuid}/onboarding", operation_id="getOnboardingPlan", opt=requires(Operation.EMPLOYEES_READ),
         summary="The onboarding plan made at hire, each item linked to the evidence that triggered it")
    async def onboarding(self, principal: Caller, employee_id: FromPath[UUID], limit: Limit = 50,
                         cursor: Cursor = None,
                         status: FromQuery[OnboardingStatus | None] = None) -> Page[OnboardingItemView]:
        """A page of the plan's items by due date; `status` keeps the items in one state (`open` for the
        work still to do)."""
        return await service.onboarding_plan(principal, employee_id, cursor, limit, status)


class OnboardingItemController(Controller):
    path = "/v1/employees/{employee_id:uuid}/onboarding/{item_id:uuid}"
    tags = ["Employees"]

    @patch("/", operation_id="updateOnboardingItem",
           opt=requires(Operation.EMPLOYEES_WRITE), summary="Move an onboarding item on (If-Match)")
    async def update(self, request: Request[Any, Any, Any], principal: Caller,
                     employee_id: FromPath[UUID], item_id: FromPath[UUID],
                     data: JSONBody[OnboardingItemUpdate]) -> Response[OnboardingItemView]:
        return with_etag(await service.update_onboarding_item(principal, employee_id, item_id, data,
                                                              expected_version(request)))


class EmployeeRecordsController(Controller):
    path = "/v1/employees/{employee_id:uuid}"
    tags = ["Employees"]

    @post("/tax-attributes", operation_id="setTaxAttributes", opt=requires(Operation.TAX_ATTRIBUTES_WRITE),
          summary="The employee's attributes for a country's payroll pack, validated against its input schema")
    async def set_tax_attributes(self, principal: Caller, employee_id: FromPath[UUID],
                                 data: JSONBody[TaxAttributesChange]) -> Response[TaxAttributesView]:
        attributes = await service.set_tax_attributes(principal, employee_id, data)
        return created(attributes, f"/v1/employees/{employee_id}/tax-attributes/{attributes.country}")

    @get("/tax-attributes/{country:str}", operation_id="getTaxAttributes", opt=requires(Operation.EMPLOYEES_READ),
         summary="The tax attributes in force on as_of (default today)")
    async def tax_attributes(self, principal: Caller, employee_id: FromPath[UUID],
                             country: FromPath[str], as_of: FromQuery[date | None] = None) -> TaxAttributesView:
        return await service.tax_attributes(principal, employee_id, country, as_of)

    @post("/bank-account-changes", operation_id="requestBankAccountChange", opt=requires(Operation.BANK_ACCOUNTS_WRITE),
          summary="Request a new bank account; it takes effect only when another person confirms it")
    async def request_bank_account(self, principal: Caller, employee_id: FromPath[UUID],
                                   data: JSONBody[BankAccountRequest]) -> BankAccountView:
        return await service.request_bank_account(principal, employee_id, data)

    @post("/bank-account-changes/{change_id:uuid}/confirm", operation_id="confirmBankAccountChange",
          opt=requires(Operation.BANK_ACCOUNTS_WRITE),
          status_code=200, summary="Confirm a requested bank account change (not by its requester)")
    async def confirm_bank_account(self, principal: Caller, employee_id: FromPath[UUID],
                                   change_id: FromPath[UUID]) -> BankAccountView:
        return await service.confirm_bank_account(principal, employee_id, change_id)

    @get("/bank-account-changes", operation_id="listBankAccountChanges", opt=requires(Operation.EMPLOYEES_READ),
         summary="Bank account changes, masked, with who requested and who confirmed")
    async def bank_account(self, principal: Caller, employee_id: FromPath[UUID], limit: Limit = 50,
                           cursor: Cursor = None) -> Page[BankAccountView]:
        """A page of the employee's bank account changes, in the order they were requested."""
        return await service.bank_account(principal, employee_id, cursor, limit)


class OnboardingController(Controller):
    path = "/v1/onboarding"
    tags = ["Employees"]

    @post("/rules", operation_id="addOnboardingRule", opt=requires(Operation.ONBOARDING_WRITE),
          summary="A rule: an interview score below a threshold adds an item to new hires' plans")
    async def add_rule(self, principal: Caller, data: JSONBody[NewOnboardingRule]) -> OnboardingRule:
        return await service.add_onboarding_rule(principal, data)

    @post("/standard-items", operation_id="addOnboardingStandardItem", opt=requires(Operation.ONBOARDING_WRITE),
          summary="An item every new hire of a legal entity gets")
    async def add_standard_item(self, principal: Caller,
                                data: JSONBody[NewStandardItem]) -> StandardItem:
        return await service.add_standard_item(principal, data)
