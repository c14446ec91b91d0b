"""Employee and employer social-insurance contributions (pension, unemployment, health, long-term care).

Deliberately simple: one employment from 1 January, no Midijob/Minijob rules, no employer-only levies.
Ceilings: the period's share of the annual Beitragsbemessungsgrenze, 30 contribution days a month
(1/360 of the year per day). A one-off payment is contributory up to the pro-rata annual ceiling less
the contributory pay so far (§ 23a Abs. 3 SGB IV); the March clause (§ 23a Abs. 4) is not applied.
Each share is its base times its rate, rounded half up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.calculation import PayFrequency
from compliance.packs.de_germany.parameters import SocialInsuranceParameters
from compliance.rounding import half_up

ZERO = Decimal("0")
TWO = Decimal("2")
HUNDRED = Decimal("100")
DAYS_PER_YEAR = Decimal("360")
DAYS_PER_MONTH = 30
PERIOD_DAYS = {PayFrequency.ANNUAL: 360, PayFrequency.MONTHLY: 30, PayFrequency.WEEKLY: 7, PayFrequency.DAILY: 1}


@dataclass(frozen=True, slots=True)
class Contribution:
    code: str
    base: Decimal
    employee: Decimal
    employer: Decimal


@dataclass(frozen=True, slots=True)
class ContributionBases:
    pension: Decimal
    health: Decimal


@dataclass(frozen=True, slots=True)
class InsuranceStatus:
    pension: bool
    unemployment: bool
    statutory_health: bool
    additional_rate_percent: Decimal
    saxony: bool
    childless: bool
    child_discounts: int


def contribution_days_so_far(pay_date: date, frequency: PayFrequency) -> int:
    """Contribution days from 1 January to the end of this period, 30 per month (§ 223 Abs. 2 SGB V)."""
    if frequency is PayFrequency.ANNUAL:
        return 360
    day_in_month = DAYS_PER_MONTH if frequency is PayFrequency.MONTHLY else min(pay_date.day, DAYS_PER_MONTH)
    return DAYS_PER_MONTH * (pay_date.month - 1) + day_in_month


def period_ceiling(annual: Decimal, frequency: PayFrequency) -> Decimal:
    if frequency is PayFrequency.ANNUAL:
        return annual
    return half_up(annual * PERIOD_DAYS[frequency] / DAYS_PER_YEAR)


def contributory_pay(
    annual_ceiling: Decimal, frequency: PayFrequency, days_so_far: int, current: Decimal, bonus: Decimal,
    base_so_far: Decimal,
) -> Decimal:
    """Current pay up to the period ceiling, plus the one-off payment up to the pro-rata annual ceiling left."""
    regular = min(current, period_ceiling(annual_ceiling, frequency))
    if not bonus:
        return regular
    room = half_up(annual_ceiling * days_so_far / DAYS_PER_YEAR) - base_so_far - regular
    return regular + min(bonus, max(room, ZERO))


def contribution_bases(
    params: SocialInsuranceParameters, pay_date: date, frequency: PayFrequency, current: Decimal, bonus: Decimal,
    pension_so_far: Decimal, health_so_far: Decimal,
) -> ContributionBases:
    ceilings = params.ceilings.value
    days = contribution_days_so_far(pay_date, frequency)
    return ContributionBases(
        pension=contributory_pay(ceilings.pension_unemployment, frequency, days, current, bonus, pension_so_far),
        health=contributory_pay(ceilings.health_care, frequency, days, current, bonus, health_so_far),
    )


def contributions(
    params: SocialInsuranceParameters, bases: ContributionBases, status: InsuranceStatus
) -> list[Contribution]:
    lines: list[Contribution] = []
    if status.pension:
        lines.append(_shared("de.pension_insurance", bases.pension, params.pension_rate.value))
    if status.unemployment:
        rate = params.unemployment_rate.value
        lines.append(_shared("de.unemployment_insurance", bases.pension, rate))
    if status.statutory_health:
        health_rate = params.health_general_rate.value + status.additional_rate_percent / HUNDRED
        lines.append(_shared("de.health_insurance", bases.health, health_rate))
        lines.append(_care(params, bases.health, status))
    return lines


def _shared(code: str, base: Decimal, total_rate: Decimal) -> Contribution:
    """Employee and employer each bear half the rate (§ 168 SGB VI, § 346 SGB III, § 249 SGB V)."""
    share = half_up(base * total_rate / TWO)
    return Contribution(code=code, base=base, employee=share, employer=share)


def _care(params: SocialInsuranceParameters, base: Decimal, status: InsuranceStatus) -> Contribution:
    """§ 58 SGB XI: half each, except Saxony (employer 1.3 %); surcharge and child discounts only on the employee."""
    total = params.care_rate.value
    employer_rate = params.care_employer_rate_saxony.value if status.saxony else total / TWO
    employee_rate = total - employer_rate
    if status.childless:
        employee_rate += params.care_childless_surcharge.value
    employee_rate -= params.care_child_discount.value * status.child_discounts
    return Contribution(
        code="de.care_insurance", base=base,
        employee=half_up(base * employee_rate), employer=half_up(base * employer_rate),
    )
