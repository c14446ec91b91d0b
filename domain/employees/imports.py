"""Employees arriving in bulk (``POST /v1/imports`` of kind ``employees``): staff already employed, with their
employment, the country pack's tax attributes and a bank account, checked by the same rules as a hire through the
single-record API, and written many at a time.

Every row is checked as ``hire`` checks its request: the person's data as a candidate's (``NewCandidate``: the
formats, the national id with its country, the birth date, the time zone), the employment as a ``HireRequest`` (its
pattern and range checks), the legal entity in the caller's tenant, the region and pay currency and the tax
attributes the entity's payroll pack needs (``payable_hire``), the contract against the country's labour law with
only a tenant admin overriding it with a reason (``contract_violations``, ``allow_or_refuse``), a free employee
number and a known manager, and the bank account as a ``BankAccountRequest``. An imported bank account is recorded
as a *pending* change, which a second person confirms as any other.

Writing: the checked rows are sealed in one loop (each value bound to its employee's row, the chunk's person keys
made in one statement), inserted with one prepared statement per table for the whole chunk, audited with one chain
append (``record_all``, which seals the details under the keys just made without reading them back) and announced
with one ``employee.hired`` publication for the chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.registry import pack_for
from domain.audit.service import Entry, record_all
from domain.employees.employment import allow_or_refuse, contract_violations
from domain.employees.hiring import EmployeeNumberTaken
from domain.employees.model import HireRequest
from domain.employees.pay_details import BankAccountRequest
from domain.employees.payroll_needs import payable_hire
from domain.employees.references import ManagerUnknown
from domain.employees.tables import Employee
from domain.kernel.db import UnitOfWork, current_database, fetch
from domain.kernel.errors import Conflict, DomainError
from domain.kernel.ids import new_id
from domain.kernel.import_rows import RowRefused, converted, invalid_value, problems_of, row_digest
from domain.kernel.money import to_minor
from domain.kernel.personal_data import check_birth_date, normalise_email, normalise_national_id, normalise_phone
from domain.kernel.principal import Principal
from domain.kernel.time import require_timezone, utc_now
from domain.keys.service import person_ciphers
from domain.recruitment.model import NewCandidate
from domain.tenancy.model import LegalEntityView
from domain.tenancy.service import LegalEntityNotFound, legal_entities_in
from domain.webhooks import service as webhooks

PERSON_FIELDS = ("full_name", "email", "phone", "phone_region", "national_id", "national_id_country", "birth_date",
                 "timezone", "locale")
SEALED_FIELDS = ("email", "phone", "national_id", "birth_date")
#: Rows written at once from which PostgreSQL's plans are made again first (see ``write_employees_in``).
REPLAN_FROM = 50


class NumberTwiceInFile(Conflict):
    code = "employee_number_twice_in_import"
    title = "Employee number twice in the file"
    template = "The employee number {employee_number} is also on line {line} of this file."


@dataclass(frozen=True)
class CheckedEmployee:
    """A row that passed every check, ready to seal and write."""

    line: int
    external_id: str
    digest: str
    full_name: str
    national_id_country: str | None
    timezone: str
    locale: str
    personal: dict[str, str]
    hire: HireRequest
    entity: LegalEntityView
    region: str | None
    attributes: dict[str, Any] | None
    bank: BankAccountRequest | None


@dataclass
class EmployeeChecker:
    """Checks rows of one import; what the database knows (legal entities, numbers and managers on file) is read once
    per import or per chunk, never per row."""

    principal: Principal
    entities: dict[UUID, LegalEntityView]
    numbers_on_file: dict[str, UUID]
    employees_on_file: set[UUID]
    numbers_in_file: dict[str, int]

    @classmethod
    async def loaded(cls, uow: UnitOfWork, principal: Principal, rows: list[dict[str, Any]]) -> EmployeeChecker:
        numbers, managers = set(), set()
        for row in rows:
            employment = row.get("employment")
            if isinstance(employment, dict):
                if isinstance(employment.get("employee_number"), str):
                    numbers.add(employment["employee_number"])
                manager = _uuid(employment.get("manager_id"))
                if manager:
                    managers.add(manager)
        entities = {entity.id: entity for entity in await legal_entities_in(uow)}
        return cls(principal=principal, entities=entities, numbers_on_file=await _numbers_on_file(uow, numbers),
                   employees_on_file=await _employees_on_file(uow, managers), numbers_in_file={})

    def check(self, line: int, external_id: str, row: dict[str, Any]) -> CheckedEmployee:
        """The row checked as a hire is, or :class:`RowRefused` with its problems."""
        try:
            return self._check(line, external_id, row)
        except DomainError as exc:
            raise RowRefused(problems_of(exc)) from None
        except msgspec.ValidationError as exc:
            raise RowRefused([invalid_value(str(exc), "")]) from None

    def _check(self, line: int, external_id: str, row: dict[str, Any]) -> CheckedEmployee:
        fields = dict(row)
        employment = fields.pop("employment", None)
        bank = fields.pop("bank_account", None)
        unknown = sorted(set(fields) - set(PERSON_FIELDS))
        if unknown:
            raise RowRefused([invalid_value(f"Object contains unknown field `{unknown[0]}`", "")])
        person = converted(fields, NewCandidate, "")
        hire = converted(employment if employment is not None else {}, HireRequest, "employment")
        account = converted(bank, BankAccountRequest, "bank_account") if bank is not None else None
        personal = _normalised(person)
        entity = self.entities.get(hire.legal_entity_id)
        if entity is None:
            raise LegalEntityNotFound(field="employment.legal_entity_id")
        region = hire.region or entity.region
        try:
            attributes = payable_hire(entity, region, hire.pay, hire.tax_attributes)
            birth = date.fromisoformat(personal["birth_date"]) if "birth_date" in personal else None
            violations = contract_violations(entity.country, region, hire.start_date, hire.pay, hire.weekly_hours,
                                             hire.probation_months, hire.fixed_term_months, birth)
            allow_or_refuse(self.principal, violations, hire.override_reason, entity.country)
        except DomainError as exc:
            raise RowRefused(problems_of(exc, within="employment")) from None
        if hire.manager_id is not None and hire.manager_id not in self.employees_on_file:
            raise ManagerUnknown(field="employment.manager_id")
        number = hire.employee_number
        if number is not None:
            if number in self.numbers_on_file:
                raise EmployeeNumberTaken(field="employment.employee_number", employee_number=number,
                                          employee_id=str(self.numbers_on_file[number]))
            if number in self.numbers_in_file:
                raise NumberTwiceInFile(field="employment.employee_number", employee_number=number,
                                        line=str(self.numbers_in_file[number]))
            self.numbers_in_file[number] = line
        return CheckedEmployee(
            line=line, external_id=external_id, digest=row_digest(row), full_name=person.full_name,
            national_id_country=person.national_id_country,
            timezone=require_timezone(hire.timezone or person.timezone), locale=hire.locale or person.locale,
            personal=personal, hire=hire, entity=entity, region=region, attributes=attributes, bank=account)


def _normalised(person: NewCandidate) -> dict[str, str]:
    """The person's data as a candidate's is sealed (the kernel's one set of rules)."""
    values: dict[str, str] = {}
    if person.email is not None:
        values["email"] = normalise_email(person.email)
    if person.phone is not None:
        values["phone"] = normalise_phone(person.phone, person.phone_region)
    if person.national_id is not None and person.national_id_country is not None:
        values["national_id"] = normalise_national_id(person.national_id, person.national_id_country)
    if person.birth_date is not None:
        values["birth_date"] = check_birth_date(person.birth_date, utc_now().date()).isoformat()
    return values


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


_NUMBERS_ON_FILE = (
    "SELECT e.employee_number, e.id FROM unnest({}::text[]) AS wanted(employee_number) "
    "JOIN employees e ON e.tenant_id = {} AND e.employee_number = wanted.employee_number"
)


async def _numbers_on_file(uow: UnitOfWork, numbers: set[str]) -> dict[str, UUID]:
    ordered = sorted(numbers)
    if not current_database().is_sqlite:  # each number looked up in the index, whatever the table's statistics
        return {number: employee_id for number, employee_id in await fetch(uow, _NUMBERS_ON_FILE, ordered,
                                                                           uow.tenant_id)}
    found: dict[str, UUID] = {}
    for start in range(0, len(ordered), 500):
        rows = await Employee.select(Employee.id, Employee.employee_number).where(
            (Employee.tenant_id == uow.tenant_id) & Employee.employee_number.is_in(ordered[start:start + 500]))
        found.update({row["employee_number"]: row["id"] for row in rows})
    return found


async def _employees_on_file(uow: UnitOfWork, ids: set[UUID]) -> set[UUID]:
    found: set[UUID] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        rows = await Employee.select(Employee.id).where(
            (Employee.tenant_id == uow.tenant_id) & Employee.id.is_in(ordered[start:start + 500]))
        found.update(row["id"] for row in rows)
    return found


_EMPLOYEE_COLUMNS = ("id", "tenant_id", "candidate_id", "application_id", "full_name", "employee_number", "department",
                     "email_ciphertext", "phone_ciphertext", "national_id_ciphertext", "national_id_country",
                     "birth_date_ciphertext", "timezone", "locale", "version", "created_at", "updated_at")
_EMPLOYMENT_COLUMNS = ("id", "tenant_id", "employee_id", "effective_from", "legal_entity_id", "country", "region",
                       "position", "pay_minor", "currency", "pay_unit", "weekly_hours", "probation_months",
                       "fixed_term_months", "manager_id", "reason", "recorded_by", "recorded_at")
_TAX_COLUMNS = ("id", "tenant_id", "employee_id", "country", "effective_from", "attributes", "recorded_by",
                "recorded_at")
_BANK_COLUMNS = ("id", "tenant_id", "employee_id", "account_ciphertext", "masked", "status", "requested_by",
                 "requested_at")


async def write_employees_in(uow: UnitOfWork, principal: Principal, checked: list[CheckedEmployee]) -> list[UUID]:
    """The checked rows as employees, in ``uow``'s transaction: one statement per table and one audit append for
    the lot. The new employees' ids, in order."""
    if not checked:
        return []
    database = current_database()
    if not database.is_sqlite and len(checked) >= REPLAN_FROM:
        # PostgreSQL checks each employment's and bank change's reference to its employee with a plan it made once
        # per connection. Made while the tenant's employees were few and never analysed, that plan looked the
        # employee up by the (tenant, candidate) index, reading every imported employee (candidate NULL) per
        # check: 10,000 rows in one transaction cost 9 s of the server's CPU instead of 1.2. Plans made again for
        # each chunk see the table as it now is and take the primary key. (Not for a few rows, such as a refused
        # chunk written again one row at a time: a row written alone costs one check however it is planned.)
        await database.execute("DISCARD PLANS")
    ids = [new_id() for _ in checked]
    # Each employee's data under their own key, as a hire seals it (an erasure shreds the key); keys made in one go.
    ciphers = await person_ciphers(uow, [("employee", employee_id) for employee_id in ids], create=True)
    tenant, now, by = uow.tenant_id, utc_now(), principal.subject
    employees, employments, taxes, banks, entries = [], [], [], [], []
    for employee_id, row in zip(ids, checked, strict=True):
        cipher = ciphers[("employee", employee_id)]
        sealed = {name: cipher.seal(row.personal[name], "employees", name, employee_id) if name in row.personal
                  else None for name in SEALED_FIELDS}
        hire = row.hire
        employees.append((employee_id, tenant, None, None, row.full_name, hire.employee_number, hire.department,
                          sealed["email"], sealed["phone"], sealed["national_id"], row.national_id_country,
                          sealed["birth_date"], row.timezone, row.locale, 1, now, now))
        employments.append((new_id(), tenant, employee_id, hire.start_date, row.entity.id, row.entity.country,
                            row.region, hire.position, to_minor(Decimal(hire.pay.amount), hire.pay.currency),
                            hire.pay.currency, hire.pay.unit, hire.weekly_hours, hire.probation_months,
                            hire.fixed_term_months, hire.manager_id, "imported", by, now))
        after: dict[str, Any] = {
            "legal_entity_id": row.entity.id, "position": hire.position, "employee_number": hire.employee_number,
            "department": hire.department, "start_date": hire.start_date, "pay": msgspec.to_builtins(hire.pay)}
        if row.attributes is not None:
            country = pack_for(row.entity.country).country
            taxes.append((new_id(), tenant, employee_id, country, hire.start_date,
                          json.dumps(row.attributes, ensure_ascii=False), by, now))
            after["tax_attributes"] = {"country": country, "effective_from": hire.start_date}
        if row.bank is not None:
            change_id = new_id()
            account = "".join(row.bank.account.split()).upper()
            masked = f"{'*' * max(len(account) - 4, 0)}{account[-4:]}"
            banks.append((change_id, tenant, employee_id,
                          cipher.seal(msgspec.json.encode(row.bank).decode(), "bank_account_changes", "account",
                                      change_id), masked, "pending", by, now))
            after["bank_account"] = {"change": change_id, "account": masked, "status": "pending"}
        entries.append(Entry(action="employee.imported", entity_type="employee", entity_id=employee_id, after=after))
    await database.bulk_insert("employees", _EMPLOYEE_COLUMNS, employees)
    await database.bulk_insert("employments", _EMPLOYMENT_COLUMNS, employments)
    if taxes:
        await database.bulk_insert("tax_attributes", _TAX_COLUMNS, taxes)
    if banks:
        await database.bulk_insert("bank_account_changes", _BANK_COLUMNS, banks)
    await record_all(uow, principal, entries)
    await webhooks.publish_many(uow, webhooks.EventType.EMPLOYEE_HIRED, "employee", [
        (employee_id, {"legal_entity_id": row.entity.id, "application_id": None, "start_date": row.hire.start_date})
        for employee_id, row in zip(ids, checked, strict=True)])
    return ids

