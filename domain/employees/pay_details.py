"""What payroll needs from the employee beyond the contract: tax attributes per country, effective-dated,
and the bank account, which changes only once a second person confirms it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.registry import pack_for
from domain.audit.service import record
from domain.employees import queries
from domain.employees.payroll_needs import InvalidTaxAttributes as InvalidTaxAttributes
from domain.employees.payroll_needs import checked_payroll_inputs
from domain.employees.views import existing_employee
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Forbidden, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.keys.service import person_cipher


class TaxAttributesChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's attributes for the country's payroll pack, validated against its input schema."""

    country: str
    effective_from: date
    attributes: dict[str, Any]


class TaxAttributesView(msgspec.Struct, frozen=True):
    """An employee's attributes for one country's payroll pack (following the pack's employee schema), in force from
    `effective_from` until the next change, and who recorded them (their subject)."""

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
    """A requested change of an employee's bank account: the account masked to its last four characters, its status
    (`pending` until a second person confirms it, then `confirmed`), who requested it and when, and who confirmed it and
    when."""

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



class NoTaxAttributes(NotFound):
    code = "tax_attributes_not_found"
    template = "The employee has no {country} tax attributes in force on {on}."


async def set_tax_attributes(principal: Principal, employee_id: UUID,
                             change: TaxAttributesChange) -> TaxAttributesView:
    pack = pack_for(change.country)
    # Complete for the pack, as at hire: a payslip must not be the first to find the date of birth missing.
    checked = checked_payroll_inputs(pack, change.attributes, None, field="attributes", region_field=None)
    async with unit_of_work(principal.tenant_id) as uow:
        await existing_employee(uow, employee_id)
        await queries.append_tax_attributes(uow, employee_id, pack.country, change.effective_from, checked,
                                            principal.subject)
        await record(uow, principal, "employee.tax_attributes_changed", "employee", employee_id,
                     after={"country": pack.country, "effective_from": change.effective_from})
    # The latest recorded on its date is what is in force from then on: the attributes just written.
    return TaxAttributesView(country=pack.country, effective_from=change.effective_from, attributes=checked,
                             recorded_by=principal.subject)


async def tax_attributes(principal: Principal, employee_id: UUID, country: str,
                         as_of: date | None) -> TaxAttributesView:
    on = as_of or utc_now().date()
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await existing_employee(uow, employee_id)
        row = await queries.tax_attributes_as_of(uow, employee_id, country.upper(), on)
    if row is None:
        raise NoTaxAttributes(country=country.upper(), on=on.isoformat())
    return TaxAttributesView(country=row.country, effective_from=row.effective_from, attributes=row.attributes,
                             recorded_by=row.recorded_by)


async def request_bank_account(principal: Principal, employee_id: UUID,
                               request: BankAccountRequest) -> BankAccountView:
    change_id = new_id()
    account = "".join(request.account.split()).upper()
    async with unit_of_work(principal.tenant_id) as uow:
        await existing_employee(uow, employee_id)
        sealed = (await person_cipher(uow, "employee", employee_id)).seal(
            msgspec.json.encode(request).decode(), "bank_account_changes", "account", change_id)
        masked = f"{'*' * max(len(account) - 4, 0)}{account[-4:]}"
        await queries.insert_bank_change(uow, change_id, employee_id, sealed, masked, principal.subject)
        await record(uow, principal, "employee.bank_account_requested", "employee", employee_id,
                     after={"change": change_id, "account": masked})
        return _bank_view(await _bank_change(uow, employee_id, change_id))


async def confirm_bank_account(principal: Principal, employee_id: UUID, change_id: UUID) -> BankAccountView:
    async with unit_of_work(principal.tenant_id) as uow:
        change = await _bank_change(uow, employee_id, change_id)
        if change.status != "pending":
            raise BankChangeNotPending()
        if change.requested_by == principal.subject:
            raise SecondPersonRequired()
        await queries.decide_bank_change(uow, change_id, "confirmed", principal.subject)
        await record(uow, principal, "employee.bank_account_confirmed", "employee", employee_id,
                     before={"status": "pending"}, after={"change": change_id, "status": "confirmed"})
        return _bank_view(await _bank_change(uow, employee_id, change_id))


async def bank_account(principal: Principal, employee_id: UUID, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> Page[BankAccountView]:
    """The changes in the order they were requested."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await existing_employee(uow, employee_id)
        rows = await queries.bank_changes(uow, employee_id, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of([_bank_view(row) for row in rows], limit, lambda change: str(change.id))


async def _bank_change(uow: UnitOfWork, employee_id: UUID, change_id: UUID) -> queries.BankChangeRow:
    change = await queries.bank_change(uow, employee_id, change_id)
    if change is None:
        raise BankChangeNotPending()
    return change


def _bank_view(row: queries.BankChangeRow) -> BankAccountView:
    return BankAccountView(id=row.id, masked=row.masked, status=row.status, requested_by=row.requested_by,
                           requested_at=row.requested_at, decided_by=row.decided_by, decided_at=row.decided_at)
