"""Employees: the shapes of a hire, of each employment version, and of the employee as of a date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.kernel.errors import Detail, InvalidInput, NotFound
from domain.kernel.i18n import LocaleCode, LocaleTag, read_locales, show_locales
from domain.kernel.money import Money

DecimalText = Annotated[str, msgspec.Meta(pattern=r"^\d{1,12}(\.\d{1,4})?$", description="a decimal string")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
EmployeeNumber = Annotated[str, msgspec.Meta(
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
    description="The tenant's own number for the employee (E-1001), unique within the tenant")]
#: Stored as text of at most 10 characters; no week has more than 168 hours, so three digits are plenty.
WeeklyHours = Annotated[str, msgspec.Meta(pattern=r"^\d{1,3}(\.\d{1,4})?$",
                                          description="hours a week, a decimal string")]
TaxAttributeValues = Annotated[dict[str, Any], msgspec.Meta(
    description="The attributes the country pack's employee schema defines (GET /v1/compliance/packs)")]


class Pay(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Pay to record, an input: `amount`, a decimal string with at most the currency's minor-unit digits, per `unit` (an
    hour, a month or a year), in `currency` (ISO 4217)."""

    #: at most the currency's minor-unit digits (whole yen, cents of a euro)
    amount: DecimalText
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
    unit: Literal["hour", "month", "year"]


class PayView(msgspec.Struct, frozen=True):
    """Pay as recorded: ``amount`` a ``unit`` (an hour, a month, a year), in ``currency``."""

    amount: Money
    currency: str
    unit: Literal["hour", "month", "year"]

    def as_request(self) -> Pay:
        return Pay(amount=format(self.amount, "f"), currency=self.currency, unit=self.unit)


class HireRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The first employment of the application's candidate. The contract is checked against the country's
    labour law; a tenant admin may hire despite violations only by giving a reason, which is audited."""

    legal_entity_id: UUID
    position: ShortText
    start_date: date
    pay: Pay
    weekly_hours: WeeklyHours
    probation_months: Annotated[int, msgspec.Meta(ge=0, le=24)] = 0
    fixed_term_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    region: Annotated[str, msgspec.Meta(
        pattern=r"^[A-Za-z0-9-]{1,16}$",
        description="Where the employee works, when not the legal entity's region: one of the region codes "
                    "GET /v1/compliance/packs lists for the entity's country")] | None = None
    #: the country pack's attributes (its employee schema), in force from the start date; required where the pack
    #: needs some (DE tax_class, GB tax_code, SG date_of_birth, JP date_of_birth when it computes premiums)
    tax_attributes: TaxAttributeValues | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    locale: LocaleCode | None = None
    manager_id: UUID | None = None
    override_reason: Annotated[str, msgspec.Meta(min_length=10, max_length=1000)] | None = None
    employee_number: EmployeeNumber | None = None
    department: ShortText | None = None

    def __post_init__(self) -> None:
        read_locales(self, "locale")


class EmploymentChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What changes from ``effective_from`` on; everything not named stays as it was."""

    effective_from: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    position: ShortText | None = None
    pay: Pay | None = None
    weekly_hours: WeeklyHours | None = None
    manager_id: UUID | None = None
    override_reason: Annotated[str, msgspec.Meta(min_length=10, max_length=1000)] | None = None
    #: new tax attributes in force from ``effective_from``; without them, those in force then must already give
    #: the country pack all it needs
    tax_attributes: TaxAttributeValues | None = None


class EmploymentView(msgspec.Struct, frozen=True):
    """One version of an employee's employment, in force from `effective_from` until the next: legal entity, country and
    region, position, pay, weekly hours (a decimal string), probation and fixed term in months, manager, the interview
    evaluation the hire was made on with its competency model and version (kept on later versions), and why it was
    recorded, by whom (their subject) and when."""

    id: UUID
    effective_from: date
    legal_entity_id: UUID
    country: str
    region: str | None
    position: str
    pay: PayView
    weekly_hours: str
    probation_months: int
    fixed_term_months: int | None
    manager_id: UUID | None
    evaluation_id: UUID | None
    model_id: UUID | None
    model_version: int | None
    reason: str
    recorded_by: str
    recorded_at: datetime


class EmploymentStatus(StrEnum):
    """Where an employee stands on a date: employed through the day they leave, from their first day."""

    STARTING = "starting"
    ACTIVE = "active"
    LEFT = "left"


class EmployeeView(msgspec.Struct, frozen=True):
    """The employee as of a date: personal data masked unless the caller may read it in clear."""

    id: UUID
    full_name: str
    employee_number: str | None
    department: str | None
    email: str | None
    phone: str | None
    national_id: str | None
    birth_date: str | None
    masked: bool
    timezone: str
    locale: LocaleTag
    candidate_id: UUID | None
    application_id: UUID | None
    as_of: date
    employment: EmploymentView | None
    left_on: date | None
    version: int
    created_at: datetime

    def __post_init__(self) -> None:
        show_locales(self, "locale")


# -- stored rows other contexts read (analytics) through the service's ``*_in`` reads ---------------


class EmployeeRow(msgspec.Struct, frozen=True):
    """An employee as stored; personal data stays sealed, bound to this row."""

    id: UUID
    candidate_id: UUID | None
    application_id: UUID | None
    full_name: str
    email_ciphertext: str | None
    phone_ciphertext: str | None
    national_id_ciphertext: str | None
    national_id_country: str | None
    birth_date_ciphertext: str | None
    timezone: str
    locale: str
    left_on: date | None
    version: int
    created_at: datetime
    employee_number: str | None = None
    department: str | None = None


class EmploymentRow(msgspec.Struct, frozen=True):
    """One stored employment version; pay in minor units of ``currency``."""

    id: UUID
    employee_id: UUID
    effective_from: date
    legal_entity_id: UUID
    country: str
    region: str | None
    position: str
    pay_minor: int
    currency: str
    pay_unit: str
    weekly_hours: str
    probation_months: int
    fixed_term_months: int | None
    manager_id: UUID | None
    evaluation_id: UUID | None
    model_id: UUID | None
    model_version: int | None
    reason: str
    recorded_by: str
    recorded_at: datetime


class ReviewRow(msgspec.Struct, frozen=True):
    id: UUID
    employee_id: UUID
    period: str
    model_id: UUID | None
    model_version: int | None
    ratings: dict[str, str]
    overall: str
    reviewer: str
    created_at: datetime


class TrainingRow(msgspec.Struct, frozen=True):
    id: UUID
    employee_id: UUID
    module_id: UUID
    status: str
    completed_on: date | None
    created_at: datetime


class EmployeeNotFound(NotFound):
    code = "employee_not_found"
    template = "There is no employee with this id."


class ContractNotCompliant(InvalidInput):
    code = "contract_not_compliant"
    title = "Contract breaks labour law"
    template = "The contract breaks {count} rule(s) of {country} labour law; fix it, or a tenant admin may hire " \
               "with an override reason."


class OverrideNotPermitted(InvalidInput):
    code = "contract_override_not_permitted"
    title = "Override not permitted"
    template = "Only a tenant admin may hire against a labour-law rule, and only with a reason."


def violations_as_details(violations: list[msgspec.Struct]) -> list[Detail]:
    return [Detail(field="contract", template=v.message, params=v.params) for v in violations]  # type: ignore[attr-defined]


def pay_decimal(pay: Pay) -> Decimal:
    return Decimal(pay.amount)
