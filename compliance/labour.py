"""Labour-law minimums every pack publishes, and the contract check built on them.

The rules are the same shape in every country (a minimum wage, hours, leave, probation,
notice and working age); only the figures differ, so they live in each pack's data files
and this one module checks a contract against them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

import msgspec

from compliance.parameters import Cited

WEEKS_PER_YEAR = Decimal("52")
MONTHS_PER_YEAR = Decimal("12")
WORKDAYS_PER_WEEK = Decimal("5")
OPEN_ENDED = 10_000

# The contract-check messages are gettext msgids; the API localises them.
MINIMUM_WAGE_MESSAGE = "Pay of {paid} {currency} per hour is below the minimum wage of {minimum} {currency} per hour."
WEEKLY_HOURS_MESSAGE = "Weekly hours of {hours} exceed the legal maximum of {maximum}."
PROBATION_MESSAGE = "A probation of {months} months exceeds the legal maximum of {maximum} months for this contract."
ANNUAL_LEAVE_MESSAGE = "Annual leave of {days} days is below the statutory minimum of {minimum} days."
NOTICE_MESSAGE = "A notice period of {days} days is below the statutory minimum of {minimum} days."
MINIMUM_AGE_MESSAGE = "The employee is {age} years old; the minimum working age is {minimum}."
VIOLATION_MESSAGES = (
    MINIMUM_WAGE_MESSAGE, WEEKLY_HOURS_MESSAGE, PROBATION_MESSAGE, ANNUAL_LEAVE_MESSAGE, NOTICE_MESSAGE,
    MINIMUM_AGE_MESSAGE,
)

PayUnit = Literal["hour", "day", "week", "month", "year"]


class MinimumWageRate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    amount: Decimal
    unit: Literal["hour", "day", "month"]
    region: str | None = None
    min_age: int | None = None
    max_age: int | None = None

    def applies(self, region: str | None, age: int | None) -> bool:
        if self.region is not None and self.region != region:
            return False
        if age is None:
            return self.min_age is None or self.max_age is None
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)


class ProbationLimit(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Longest probation allowed for contracts of at least ``contract_months`` (open-ended counts as longest)."""

    contract_months: int
    max_months: int


class NoticeTier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Minimum notice the employer must give after at least ``service_months`` of service."""

    service_months: int
    days: int


class ProrationMethod(StrEnum):
    """How pay for a whole period is cut to the part of it employed (a joiner, a leaver) and what one unpaid
    day is worth."""

    #: days employed / days in the period; an unpaid day is a working day's share
    CALENDAR_DAYS = "calendar_days"
    #: working days employed / working days in the period, public holidays excluded from both
    WORKING_DAYS = "working_days"
    #: weekdays employed / weekdays in the period: public holidays count, only the rest days of the five-day
    #: week (Saturday and Sunday) are left out
    WORKING_DAYS_WITH_HOLIDAYS = "working_days_with_holidays"
    #: weekdays employed / a fixed number of paid days a month, at most the whole (China's 21.75 is the year's
    #: 261 weekdays over 12 months; moved working Saturdays and their swapped weekdays off cancel out)
    PAID_DAYS = "paid_days"


class ProrationRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    method: ProrationMethod
    #: the fixed divisor of the paid-days method (China: 21.75)
    paid_days_per_month: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.method == ProrationMethod.PAID_DAYS) != (self.paid_days_per_month is not None):
            raise ValueError("paid_days_per_month is given with, and only with, the paid_days method")
        if self.paid_days_per_month is not None and not Decimal(1) <= self.paid_days_per_month <= Decimal(31):
            raise ValueError("paid_days_per_month must be between 1 and 31")


#: Where the law sets no method: days employed over days in the period.
CALENDAR_DAYS_PRORATION = ProrationRule(method=ProrationMethod.CALENDAR_DAYS)


class LabourLaw(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    currency: str
    minimum_wage: Cited[list[MinimumWageRate]]
    standard_weekly_hours: Cited[Decimal]
    overtime_multipliers: Cited[dict[str, Decimal]]
    annual_leave_days: Cited[Decimal]
    notice_periods: Cited[list[NoticeTier]]
    minimum_working_age: Cited[int]
    maximum_weekly_hours: Cited[Decimal] | None = None
    maximum_probation: Cited[list[ProbationLimit]] | None = None
    #: only where the law or its regulator sets the method; otherwise calendar days
    proration: Cited[ProrationRule] | None = None

    @property
    def proration_rule(self) -> ProrationRule:
        return self.proration.value if self.proration is not None else CALENDAR_DAYS_PRORATION


class Contract(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    start_date: date
    pay_amount: Decimal
    pay_unit: PayUnit
    weekly_hours: Decimal
    region: str | None = None
    date_of_birth: date | None = None
    probation_months: int = 0
    fixed_term_months: int | None = None
    annual_leave_days: Decimal | None = None
    notice_days: int | None = None

    def __post_init__(self) -> None:
        if self.pay_amount < 0:
            raise ValueError("pay_amount must not be negative")
        if not Decimal("0") < self.weekly_hours <= Decimal("168"):
            raise ValueError("weekly_hours must be above 0 and at most 168")
        if self.probation_months < 0:
            raise ValueError("probation_months must not be negative")


class Violation(msgspec.Struct, frozen=True):
    """``message`` is an English gettext msgid with ``{named}`` placeholders filled from ``params``."""

    code: str
    message: str
    params: dict[str, str]


def hourly(amount: Decimal, unit: PayUnit, weekly_hours: Decimal) -> Decimal:
    per_week = {
        "hour": amount * weekly_hours,
        "day": amount * WORKDAYS_PER_WEEK,
        "week": amount,
        "month": amount * MONTHS_PER_YEAR / WEEKS_PER_YEAR,
        "year": amount / WEEKS_PER_YEAR,
    }[unit]
    return per_week / weekly_hours


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_contract(law: LabourLaw, contract: Contract) -> list[Violation]:
    age = age_on(contract.date_of_birth, contract.start_date) if contract.date_of_birth else None
    checks = (
        _minimum_wage(law, contract, age),
        _weekly_hours(law, contract),
        _probation(law, contract),
        _annual_leave(law, contract),
        _notice(law, contract),
        _working_age(law, age),
    )
    return [violation for violation in checks if violation is not None]


def _minimum_wage(law: LabourLaw, contract: Contract, age: int | None) -> Violation | None:
    rates = [r for r in law.minimum_wage.value if r.applies(contract.region, age)]
    regional = [r for r in rates if r.region is not None]
    rates = regional or rates
    if not rates:
        return None
    standard = law.standard_weekly_hours.value
    minimum = max(hourly(r.amount, r.unit, standard) for r in rates)
    paid = hourly(contract.pay_amount, contract.pay_unit, contract.weekly_hours)
    if paid >= minimum:
        return None
    return Violation(
        code="labour.minimum_wage",
        message=MINIMUM_WAGE_MESSAGE,
        params={"paid": f"{paid:.2f}", "minimum": f"{minimum:.2f}", "currency": law.currency},
    )


def _weekly_hours(law: LabourLaw, contract: Contract) -> Violation | None:
    if law.maximum_weekly_hours is None or contract.weekly_hours <= law.maximum_weekly_hours.value:
        return None
    return Violation(
        code="labour.weekly_hours",
        message=WEEKLY_HOURS_MESSAGE,
        params={"hours": str(contract.weekly_hours), "maximum": str(law.maximum_weekly_hours.value)},
    )


def _probation(law: LabourLaw, contract: Contract) -> Violation | None:
    if law.maximum_probation is None or contract.probation_months == 0:
        return None
    length = contract.fixed_term_months if contract.fixed_term_months is not None else OPEN_ENDED
    tiers = [t for t in law.maximum_probation.value if t.contract_months <= length]
    allowed = max(tiers, key=lambda t: t.contract_months).max_months if tiers else 0
    if contract.probation_months <= allowed:
        return None
    return Violation(
        code="labour.probation",
        message=PROBATION_MESSAGE,
        params={"months": str(contract.probation_months), "maximum": str(allowed)},
    )


def _annual_leave(law: LabourLaw, contract: Contract) -> Violation | None:
    if contract.annual_leave_days is None or contract.annual_leave_days >= law.annual_leave_days.value:
        return None
    return Violation(
        code="labour.annual_leave",
        message=ANNUAL_LEAVE_MESSAGE,
        params={"days": str(contract.annual_leave_days), "minimum": str(law.annual_leave_days.value)},
    )


def _notice(law: LabourLaw, contract: Contract) -> Violation | None:
    tiers = law.notice_periods.value
    if contract.notice_days is None or not tiers:
        return None
    minimum = min(tiers, key=lambda t: t.service_months).days
    if contract.notice_days >= minimum:
        return None
    return Violation(
        code="labour.notice_period",
        message=NOTICE_MESSAGE,
        params={"days": str(contract.notice_days), "minimum": str(minimum)},
    )


def _working_age(law: LabourLaw, age: int | None) -> Violation | None:
    minimum = law.minimum_working_age.value
    if age is None or age >= minimum:
        return None
    return Violation(
        code="labour.minimum_age",
        message=MINIMUM_AGE_MESSAGE,
        params={"age": str(age), "minimum": str(minimum)},
    )
