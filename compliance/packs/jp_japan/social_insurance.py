"""Employee and employer shares of 健康保険, 介護保険, 子ども・子育て支援金, 厚生年金 and 雇用保険."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, Decimal

import msgspec

from compliance.packs.jp_japan.parameters import Grade

ZERO = Decimal("0")
YEN = Decimal("1")
HALF = Decimal("0.5")
CARE_FROM_AGE = 40
CARE_UNTIL_AGE = 65
PENSION_UNTIL_AGE = 70
HEALTH_UNTIL_AGE = 75


class Share(msgspec.Struct, frozen=True):
    employee: Decimal
    employer: Decimal


def employee_share(amount: Decimal) -> Decimal:
    """The share deducted from pay: 50銭以下は切り捨て、50銭を超えるものは切り上げ (通貨単位法 第3条).

    That is exactly round-half-down to the yen.
    """
    return amount.quantize(YEN, rounding=ROUND_HALF_DOWN)


def split(base: Decimal, rate: Decimal) -> Share:
    """Half each. The employer pays the whole premium (yen, fractions dropped) less what it deducted."""
    employee = employee_share(base * rate * HALF)
    whole = (base * rate).quantize(YEN, rounding=ROUND_FLOOR)
    return Share(employee=employee, employer=max(whole - employee, ZERO))


def health_and_care(standard: Decimal, health_rate: Decimal, care_rate: Decimal) -> tuple[Share, Share]:
    """協会けんぽ prints one combined amount for a 介護保険第2号被保険者, rounded once; the care part is shown
    as its own line and the health line carries the rest, so the two lines add up to the printed amount.
    """
    combined = split(standard, health_rate + care_rate)
    care = split(standard, care_rate) if care_rate else Share(ZERO, ZERO)
    health = Share(employee=combined.employee - care.employee, employer=combined.employer - care.employer)
    return health, care


def grade_for(grades: list[Grade], remuneration: Decimal) -> Grade:
    chosen = grades[0]
    for grade in grades:
        if remuneration >= grade.lower:
            chosen = grade
    return chosen


def pension_standard(health_standard: Decimal, minimum: Decimal, maximum: Decimal) -> Decimal:
    """厚生年金's 32 grades are 健康保険 grades 4 to 35; below and above, its first and last grade apply."""
    return min(max(health_standard, minimum), maximum)


def premium_month(pay_date: date, which: str) -> date:
    first = pay_date.replace(day=1)
    if which == "current":
        return first
    return (first - timedelta(days=1)).replace(day=1)


def _reaches_age(birth: date, age: int) -> date:
    """年齢計算ニ関スル法律: an age is reached the day before the birthday (29 Feb births: 28 Feb)."""
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:
        birthday = date(birth.year + age, 3, 1)
    return birthday - timedelta(days=1)


def care_insurance_applies(birth: date, month: date) -> bool:
    """介護保険第2号被保険者 (40 to 64): premiums are due from the month in which 40 is reached, and not for the
    month in which 65 is reached (then the municipality collects them instead).
    """
    starts = _reaches_age(birth, CARE_FROM_AGE).replace(day=1)
    ends = _reaches_age(birth, CARE_UNTIL_AGE).replace(day=1)
    return starts <= month < ends


def pension_applies(birth: date, month: date) -> bool:
    """厚生年金保険法第14条第5号: insurance ends on reaching 70; no premium for that month (第19条)."""
    return month < _reaches_age(birth, PENSION_UNTIL_AGE).replace(day=1)


def health_insurance_applies(birth: date, month: date) -> bool:
    """From the 75th birthday itself the 後期高齢者医療制度 insures the employee (高齢者医療確保法第50条),
    ending 健康保険 (健康保険法第36条); no premium for the month of loss.
    """
    return month < (_reaches_age(birth, HEALTH_UNTIL_AGE) + timedelta(days=1)).replace(day=1)


def employment_insurance(wages: Decimal, employee_rate: Decimal, employer_rate: Decimal) -> Share:
    """雇用保険 on the wages actually paid; the employer share here is this period's accrual, fractions dropped."""
    return Share(
        employee=employee_share(wages * employee_rate),
        employer=(wages * employer_rate).quantize(YEN, rounding=ROUND_FLOOR),
    )
