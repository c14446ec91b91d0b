"""What payroll will need of an employee, checked when it is recorded rather than found when a payslip is
calculated: a region of the country's one vocabulary, pay in the legal entity's currency, and the tax attributes
the country's pack says its payslips read (``Pack.missing_employee_inputs``: a German tax class, a Japanese date
of birth where the pack computes social insurance). Pay in another currency is refused, never converted: that
would need dated, audited exchange rates, which Meridian does not keep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from compliance.errors import InvalidCalculationInput
from compliance.pack import Pack
from domain.audit.service import record
from domain.employees import queries
from domain.employees.model import EmploymentView, Pay
from domain.kernel.db import UnitOfWork
from domain.kernel.errors import Detail, ErrorKind, InvalidInput
from domain.kernel.money import require_currency
from domain.kernel.places import payroll_pack, require_region
from domain.kernel.principal import Principal
from domain.tenancy.model import LegalEntityView
from domain.tenancy.service import legal_entity_in

MISSING_INPUT = "The {country} payroll needs {name} for this employee."
PAYROLL_NEEDS_MESSAGES = (MISSING_INPUT,)


class PayCurrencyNotEntityCurrency(InvalidInput):
    code = "pay_currency_not_entity_currency"
    kind = ErrorKind.UNPROCESSABLE
    title = "Not the legal entity's currency"
    template = "The pay is in {currency}, but {entity} pays in {entity_currency}: record the pay in " \
               "{entity_currency}. Meridian does not convert pay between currencies."


class InvalidTaxAttributes(InvalidInput):
    code = "invalid_tax_attributes"
    title = "Invalid tax attributes"
    template = "These attributes do not fit the {country} payroll pack: {problem}"


class PayrollInputMissing(InvalidInput):
    code = "payroll_input_missing"
    kind = ErrorKind.UNPROCESSABLE
    title = "Payroll input missing"
    template = "The {country} payroll cannot calculate this employee's payslips without {names}."


def require_pay_in_entity_currency(pay: Pay, entity: LegalEntityView, field: str = "pay") -> None:
    require_currency(pay.currency, f"{field}.currency")
    if pay.currency != entity.currency:
        raise PayCurrencyNotEntityCurrency(currency=pay.currency, entity=entity.name,
                                           entity_currency=entity.currency, field=f"{field}.currency")


def checked_payroll_inputs(pack: Pack, attributes: Mapping[str, Any], region: str | None, *, field: str,
                           region_field: str | None) -> dict[str, Any]:
    """``attributes`` as the pack's schema reads them, once the pack has all it needs; else 422 pointing at each
    missing attribute (under ``field``) or at ``region_field`` (None: the caller cannot give a region here)."""
    try:
        missing = pack.missing_employee_inputs(attributes, region)
    except InvalidCalculationInput as exc:
        raise InvalidTaxAttributes(country=pack.country, problem=exc.params["problem"], field=field) from None
    missing = [name for name in missing if name != "region" or region_field is not None]
    if missing:
        raise PayrollInputMissing(country=pack.country, names=", ".join(missing), details=[
            Detail(field=str(region_field) if name == "region" else f"{field}.{name}", template=MISSING_INPUT,
                   params={"country": pack.country, "name": name}) for name in missing])
    return msgspec.to_builtins(msgspec.convert(dict(attributes), pack.employee_schema))


def payable_hire(entity: LegalEntityView, region: str | None, pay: Pay,
                 attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A hire the entity's payroll can pay: the tax attributes to record with it (None where none were given and
    the pack needs none)."""
    pack = payroll_pack(entity.country, "legal_entity_id")
    require_region(entity.country, region, "region")
    require_pay_in_entity_currency(pay, entity)
    checked = checked_payroll_inputs(pack, attributes or {}, region, field="tax_attributes", region_field="region")
    return checked if attributes is not None else None


async def payable_change(uow: UnitOfWork, employee_id: UUID, before: EmploymentView, pay: Pay,
                         attributes: Mapping[str, Any] | None, on: date) -> dict[str, Any] | None:
    """An employment change the payroll can pay from ``on``: pay in the entity's currency, and the tax attributes
    given with the change, or else those in force then, complete for the pack. The attributes to record (None
    where none were given)."""
    entity = await legal_entity_in(uow, before.legal_entity_id)
    if entity is not None:
        require_pay_in_entity_currency(pay, entity)
    pack = payroll_pack(before.country, "legal_entity_id")
    if attributes is None:
        in_force = await queries.tax_attributes_as_of(uow, employee_id, pack.country, on)
        # The region is the employment's own and cannot change here, so only the attributes are asked for.
        checked_payroll_inputs(pack, in_force.attributes if in_force else {}, before.region, field="tax_attributes",
                               region_field=None)
        return None
    return checked_payroll_inputs(pack, attributes, before.region, field="tax_attributes", region_field=None)


async def record_payroll_inputs(uow: UnitOfWork, principal: Principal, employee_id: UUID, country: str,
                                effective_from: date, attributes: dict[str, Any] | None) -> None:
    """The tax attributes given with a hire or an employment change, effective with it and audited as any."""
    if attributes is None:
        return
    await queries.append_tax_attributes(uow, employee_id, country, effective_from, attributes, principal.subject)
    await record(uow, principal, "employee.tax_attributes_changed", "employee", employee_id,
                 after={"country": country, "effective_from": effective_from})
