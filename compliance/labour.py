"""Labour-law minimums every pack publishes, and the contract check built on them.

The rules are the same shape in every country (a minimum wage, hours and overtime, leave, probation,
notice and working age); only the figures differ, so they live in each pack's data files
and this one module checks a contract against them. A rule whose figures a pack does not publish is
not checked, and a contract that leaves out the input a rule needs is not checked against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals
from compliance.parameters import Cited

WEEKS_PER_YEAR = Decimal("52")
MONTHS_PER_YEAR = Decimal("12")
WORKDAYS_PER_WEEK = Decimal("5")
OPEN_ENDED = 10_000
#: The region key of a ``minimum_wage_comparison`` that applies wherever a region has none of its own.
EVERY_REGION = "default"

# The contract-check messages are gettext msgids; the API localises them.
MINIMUM_WAGE_MESSAGE = "Pay of {paid} {currency} per hour is below the minimum wage of {minimum} {currency} per hour."
MINIMUM_WAGE_NET_MESSAGE = (
    "Pay of {paid} {currency} per hour, without the amounts the law leaves out of the comparison, is below the "
    "minimum wage of {minimum} {currency} per hour."
)
WEEKLY_HOURS_MESSAGE = "Weekly hours of {hours} exceed the legal maximum of {maximum}."
DAILY_HOURS_MESSAGE = "Daily hours of {hours} exceed the legal maximum of {maximum}."
OVERTIME_DAY_MESSAGE = "Overtime of {hours} hours a day exceeds the legal maximum of {maximum}."
OVERTIME_MONTH_MESSAGE = "Overtime of {hours} hours a month exceeds the legal maximum of {maximum}."
OVERTIME_YEAR_MESSAGE = "Overtime of {hours} hours a year exceeds the legal maximum of {maximum}."
SPECIAL_CLAUSE_YEAR_MESSAGE = (
    "Overtime of {hours} hours a year exceeds the maximum of {maximum} that even a special clause allows."
)
SPECIAL_CLAUSE_MONTHS_MESSAGE = (
    "Overtime above {limit} hours a month in {months} months of a year exceeds the {maximum} months a special "
    "clause allows."
)
WITH_HOLIDAY_WORK_MONTH_MESSAGE = (
    "Overtime and holiday work of {hours} hours a month must stay below {limit} hours."
)
WITH_HOLIDAY_WORK_AVERAGE_MESSAGE = (
    "Overtime and holiday work of {hours} hours a month, kept up over consecutive months, exceeds the average of "
    "{maximum} hours a month allowed."
)
PROBATION_MESSAGE = "A probation of {months} months exceeds the legal maximum of {maximum} months for this contract."
ANNUAL_LEAVE_MESSAGE = "Annual leave of {days} days is below the statutory minimum of {minimum} days."
ANNUAL_LEAVE_BY_SERVICE_MESSAGE = (
    "Annual leave of {days} days is below the statutory minimum of {minimum} days after {years} years of service."
)
NOTICE_MESSAGE = "A notice period of {days} days is below the statutory minimum of {minimum} days."
MINIMUM_AGE_MESSAGE = "The employee is {age} years old; the minimum working age is {minimum}."
VIOLATION_MESSAGES = (
    MINIMUM_WAGE_MESSAGE, MINIMUM_WAGE_NET_MESSAGE, WEEKLY_HOURS_MESSAGE, DAILY_HOURS_MESSAGE, OVERTIME_DAY_MESSAGE,
    OVERTIME_MONTH_MESSAGE, OVERTIME_YEAR_MESSAGE, SPECIAL_CLAUSE_YEAR_MESSAGE, SPECIAL_CLAUSE_MONTHS_MESSAGE,
    WITH_HOLIDAY_WORK_MONTH_MESSAGE, WITH_HOLIDAY_WORK_AVERAGE_MESSAGE, PROBATION_MESSAGE, ANNUAL_LEAVE_MESSAGE,
    ANNUAL_LEAVE_BY_SERVICE_MESSAGE, NOTICE_MESSAGE, MINIMUM_AGE_MESSAGE,
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


class PayComponent(StrEnum):
    """Parts of contractual pay that the law of some places leaves out when pay is compared with the minimum
    wage."""

    #: the employee's own social-insurance contributions, withheld from pay (CN: Shanghai, Beijing)
    EMPLOYEE_SOCIAL_INSURANCE = "employee_social_insurance"
    #: the employee's own housing-fund contribution, withheld from pay (CN: Shanghai, Beijing)
    EMPLOYEE_HOUSING_FUND = "employee_housing_fund"
    #: pay for hours beyond the normal working time
    OVERTIME_PAY = "overtime_pay"
    #: shift, night, heat, cold, underground and hazardous-work allowances
    SHIFT_AND_HARDSHIP_ALLOWANCES = "shift_and_hardship_allowances"
    #: meal, commuting and housing allowances
    MEAL_TRANSPORT_HOUSING_ALLOWANCES = "meal_transport_housing_allowances"
    #: family, attendance and other welfare allowances the law names
    WELFARE_ALLOWANCES = "welfare_allowances"
    #: bonuses paid beyond the month's wage
    BONUS = "bonus"


class MinimumWageComparison(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What the law leaves out of pay before comparing it with the minimum wage."""

    excludes: list[PayComponent]


class LeaveTier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Minimum paid annual leave once the employee has at least ``service_years`` of service."""

    service_years: Decimal
    days: Decimal


class OvertimeLimits(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The general limits on overtime (hours beyond the statutory daily and weekly hours), each at most."""

    per_day: Decimal | None = None
    per_month: Decimal | None = None
    per_year: Decimal | None = None


class OvertimeCeilings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ceilings above the general limits (JP 労働基準法 第36条第5項・第6項): how far an agreed special clause
    may go, and the caps on overtime plus holiday work that hold with or without one."""

    #: overtime a year under a special clause, at most
    special_clause_per_year: Decimal
    #: months a year in which overtime may exceed the general monthly limit under a special clause, at most
    special_clause_months: int
    #: overtime plus holiday work in any month stays strictly below this
    with_holiday_work_per_month_below: Decimal
    #: overtime plus holiday work averaged over any run of consecutive months, at most
    with_holiday_work_average: Decimal


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


class StatutoryRule(StrEnum):
    """The optional rules of :class:`LabourLaw`, by the name a data file gives them."""

    MAXIMUM_WEEKLY_HOURS = "maximum_weekly_hours"
    MAXIMUM_DAILY_HOURS = "maximum_daily_hours"
    MAXIMUM_PROBATION = "maximum_probation"
    ANNUAL_LEAVE_BY_SERVICE = "annual_leave_by_service"
    OVERTIME_LIMITS = "overtime_limits"
    MINIMUM_WAGE = "minimum_wage"
    OVERTIME_PREMIUM = "overtime_premium"


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
    #: leave rising with service; where given, it replaces ``annual_leave_days`` for a contract that states
    #: the employee's service (a contract that does not is checked against ``annual_leave_days``)
    annual_leave_by_service: Cited[list[LeaveTier]] | None = None
    maximum_daily_hours: Cited[Decimal] | None = None
    overtime_limits: Cited[OvertimeLimits] | None = None
    overtime_ceilings: Cited[OvertimeCeilings] | None = None
    #: by region code, or ``default`` for every region without its own; pay is compared whole where absent
    minimum_wage_comparison: dict[str, Cited[MinimumWageComparison]] | None = None
    #: rules this country's law does not set, each with the source that says so (a labour pack states what
    #: its law leaves to contracts or collective agreements instead of leaving the rule out)
    no_statutory_rule: dict[StatutoryRule, Cited[str]] | None = None
    #: the days of the normal working week, where the law's week is not five days (TH, PH: six eight-hour days), so
    #: that a daily wage is compared per hour as the law means it
    working_days_per_week: Cited[Decimal] | None = None

    def hourly_rate(self, amount: Decimal, unit: PayUnit, weekly_hours: Decimal) -> Decimal:
        """``amount`` per ``unit`` as pay per hour of a ``weekly_hours`` week, a day being a share of the country's
        normal working week (five days unless its law says otherwise)."""
        days = self.working_days_per_week.value if self.working_days_per_week else WORKDAYS_PER_WEEK
        return hourly(amount, unit, weekly_hours, days)

    @property
    def proration_rule(self) -> ProrationRule:
        return self.proration.value if self.proration is not None else CALENDAR_DAYS_PRORATION

    def excluded_from_minimum_wage(self, region: str | None) -> frozenset[PayComponent]:
        by_region = self.minimum_wage_comparison or {}
        comparison = by_region.get(region or EVERY_REGION) or by_region.get(EVERY_REGION)
        return frozenset(comparison.value.excludes) if comparison is not None else frozenset()


class Contract(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An employment contract to check against the labour law in force on `start_date` in the country (and `region`):
    minimum wage, weekly and daily hours, overtime, probation, annual leave, notice and working age. An input;
    `pay_amount` is a decimal amount in the country's currency per `pay_unit`, and hours and days are decimals."""

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
    service_years_at_start: Annotated[Decimal | None, msgspec.Meta(description=(
        "The employee's service on the start date, in years (0-80), that statutory leave rises with. China: "
        "cumulative working years with all employers (职工带薪年休假条例 第三条); Japan: continuous service with "
        "this employer (労働基準法 第三十九条). Without it, leave is checked against the flat statutory minimum."
    ))] = None
    daily_hours: Annotated[Decimal | None, msgspec.Meta(description=(
        "Normal working hours a working day, overtime not included."
    ))] = None
    overtime_hours_per_day: Annotated[Decimal | None, msgspec.Meta(description=(
        "The most overtime planned on one working day."
    ))] = None
    overtime_hours_per_month: Annotated[Decimal | None, msgspec.Meta(description=(
        "Overtime planned a month (hours beyond the statutory daily and weekly hours), holiday work not included: "
        "the level of every month, or with a special clause the level of the months above the general limit."
    ))] = None
    overtime_hours_per_year: Annotated[Decimal | None, msgspec.Meta(description=(
        "Overtime planned over a year, holiday work not included."
    ))] = None
    holiday_work_hours_per_month: Annotated[Decimal | None, msgspec.Meta(description=(
        "Work planned on statutory rest days a month; Japan counts it with overtime towards the 100-hour monthly "
        "and 80-hour average caps."
    ))] = None
    special_clause: Annotated[bool, msgspec.Meta(description=(
        "Japan: the 36協定 has an agreed special clause (特別条項), allowing overtime above 45 hours a month and 360 "
        "a year within the statutory ceilings."
    ))] = False
    months_over_general_limit: Annotated[int | None, msgspec.Meta(description=(
        "Japan, with a special clause: months a year in which overtime exceeds the general monthly limit. Without "
        "it, every month planned above the limit counts (12)."
    ))] = None
    pay_components: Annotated[dict[PayComponent, Decimal], msgspec.Meta(description=(
        "Amounts inside pay_amount, in the same pay unit, that the law of some places leaves out when pay is "
        "compared with the minimum wage. Shanghai and Beijing compare pay after the employee's own "
        "social-insurance and housing-fund contributions: give them as employee_social_insurance and "
        "employee_housing_fund. Where the law counts an amount, it stays in the comparison."
    ))] = {}

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        if self.pay_amount < 0:
            raise ValueError("pay_amount must not be negative")
        if not Decimal("0") < self.weekly_hours <= Decimal("168"):
            raise ValueError("weekly_hours must be above 0 and at most 168")
        if self.probation_months < 0:
            raise ValueError("probation_months must not be negative")
        if self.service_years_at_start is not None and not 0 <= self.service_years_at_start <= 80:
            raise ValueError("service_years_at_start must be between 0 and 80")
        if self.daily_hours is not None and not Decimal("0") < self.daily_hours <= Decimal("24"):
            raise ValueError("daily_hours must be above 0 and at most 24")
        self._check_overtime()
        if any(amount < 0 for amount in self.pay_components.values()):
            raise ValueError("pay_components must not be negative")
        if sum(self.pay_components.values(), Decimal("0")) > self.pay_amount:
            raise ValueError("pay_components must not add up to more than pay_amount")

    def _check_overtime(self) -> None:
        bounds = (("overtime_hours_per_day", self.overtime_hours_per_day, 24),
                  ("overtime_hours_per_month", self.overtime_hours_per_month, 744),
                  ("holiday_work_hours_per_month", self.holiday_work_hours_per_month, 744),
                  ("overtime_hours_per_year", self.overtime_hours_per_year, 8784))
        for name, hours, most in bounds:
            if hours is not None and not 0 <= hours <= most:
                raise ValueError(f"{name} must be between 0 and {most}")
        if self.months_over_general_limit is not None and not 0 <= self.months_over_general_limit <= 12:
            raise ValueError("months_over_general_limit must be between 0 and 12")


class Violation(msgspec.Struct, frozen=True):
    """``message`` is an English gettext msgid with ``{named}`` placeholders filled from ``params``."""

    code: str
    message: str
    params: dict[str, str]


def hourly(amount: Decimal, unit: PayUnit, weekly_hours: Decimal, days_per_week: Decimal = WORKDAYS_PER_WEEK
           ) -> Decimal:
    per_week = {
        "hour": amount * weekly_hours,
        "day": amount * days_per_week,
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
        _daily_hours(law, contract),
        *_overtime(law, contract),
        _probation(law, contract),
        _annual_leave(law, contract),
        _notice(law, contract),
        _working_age(law, age),
    )
    return [violation for violation in checks if violation is not None]


def _minimum_wage(law: LabourLaw, contract: Contract, age: int | None) -> Violation | None:
    # Where a national and a regional minimum both apply, the higher binds (a US state above the federal rate).
    rates = [r for r in law.minimum_wage.value if r.applies(contract.region, age)]
    if not rates:
        return None
    standard = law.standard_weekly_hours.value
    minimum = max(law.hourly_rate(r.amount, r.unit, standard) for r in rates)
    excluded = law.excluded_from_minimum_wage(contract.region)
    left_out = sum((amount for item, amount in contract.pay_components.items() if item in excluded), Decimal("0"))
    paid = law.hourly_rate(contract.pay_amount - left_out, contract.pay_unit, contract.weekly_hours)
    if paid >= minimum:
        return None
    return Violation(
        code="labour.minimum_wage",
        message=MINIMUM_WAGE_NET_MESSAGE if left_out else MINIMUM_WAGE_MESSAGE,
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


def _daily_hours(law: LabourLaw, contract: Contract) -> Violation | None:
    if law.maximum_daily_hours is None or contract.daily_hours is None:
        return None
    return _above("labour.daily_hours", DAILY_HOURS_MESSAGE, contract.daily_hours, law.maximum_daily_hours.value)


def _above(code: str, message: str, hours: Decimal | None, maximum: Decimal | None) -> Violation | None:
    if hours is None or maximum is None or hours <= maximum:
        return None
    return Violation(code=code, message=message, params={"hours": str(hours), "maximum": str(maximum)})


def _overtime(law: LabourLaw, contract: Contract) -> Iterator[Violation | None]:
    general = law.overtime_limits.value if law.overtime_limits is not None else OvertimeLimits()
    ceilings = law.overtime_ceilings.value if law.overtime_ceilings is not None else None
    yield _above("labour.overtime_day", OVERTIME_DAY_MESSAGE, contract.overtime_hours_per_day, general.per_day)
    if ceilings is not None and contract.special_clause:
        yield from _special_clause(ceilings, general, contract)
    else:
        yield _above("labour.overtime_month", OVERTIME_MONTH_MESSAGE, contract.overtime_hours_per_month,
                     general.per_month)
        yield _above("labour.overtime_year", OVERTIME_YEAR_MESSAGE, contract.overtime_hours_per_year,
                     general.per_year)
    if ceilings is not None:
        yield from _with_holiday_work(ceilings, general, contract)


def _months_over(general: OvertimeLimits, contract: Contract) -> int:
    """Months above the general limit; a plan that does not say keeps its monthly level all year."""
    if contract.months_over_general_limit is not None:
        return contract.months_over_general_limit
    above = (general.per_month is not None and contract.overtime_hours_per_month is not None
             and contract.overtime_hours_per_month > general.per_month)
    return 12 if above else 0


def _special_clause(ceilings: OvertimeCeilings, general: OvertimeLimits,
                    contract: Contract) -> Iterator[Violation | None]:
    yield _above("labour.overtime_special_clause_year", SPECIAL_CLAUSE_YEAR_MESSAGE, contract.overtime_hours_per_year,
                 ceilings.special_clause_per_year)
    months = _months_over(general, contract)
    if months > ceilings.special_clause_months:
        yield Violation(
            code="labour.overtime_special_clause_months",
            message=SPECIAL_CLAUSE_MONTHS_MESSAGE,
            params={"limit": str(general.per_month), "months": str(months),
                    "maximum": str(ceilings.special_clause_months)},
        )


def _with_holiday_work(ceilings: OvertimeCeilings, general: OvertimeLimits,
                       contract: Contract) -> Iterator[Violation | None]:
    if contract.overtime_hours_per_month is None and contract.holiday_work_hours_per_month is None:
        return
    hours = sum((h for h in (contract.overtime_hours_per_month, contract.holiday_work_hours_per_month) if h),
                Decimal("0"))
    if hours >= ceilings.with_holiday_work_per_month_below:
        yield Violation(
            code="labour.overtime_with_holiday_work_month",
            message=WITH_HOLIDAY_WORK_MONTH_MESSAGE,
            params={"hours": str(hours), "limit": str(ceilings.with_holiday_work_per_month_below)},
        )
    # A single month above the general limit sits between months at or under it, so no run of months averages
    # above the cap; a level kept up over two or more months averages itself.
    sustained = not contract.special_clause or _months_over(general, contract) != 1
    if sustained:
        yield _above("labour.overtime_with_holiday_work_average", WITH_HOLIDAY_WORK_AVERAGE_MESSAGE, hours,
                     ceilings.with_holiday_work_average)


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


def leave_for_service(tiers: list[LeaveTier], years: Decimal) -> Decimal:
    """The statutory minimum of the highest tier the service has reached; none before the first."""
    reached = [tier for tier in tiers if tier.service_years <= years]
    return max(reached, key=lambda tier: tier.service_years).days if reached else Decimal("0")


def _annual_leave(law: LabourLaw, contract: Contract) -> Violation | None:
    if contract.annual_leave_days is None:
        return None
    years = contract.service_years_at_start
    if law.annual_leave_by_service is not None and years is not None:
        minimum = leave_for_service(law.annual_leave_by_service.value, years)
        if contract.annual_leave_days >= minimum:
            return None
        return Violation(
            code="labour.annual_leave",
            message=ANNUAL_LEAVE_BY_SERVICE_MESSAGE,
            params={"days": str(contract.annual_leave_days), "minimum": str(minimum), "years": str(years)},
        )
    if contract.annual_leave_days >= law.annual_leave_days.value:
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
