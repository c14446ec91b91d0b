"""What the JP pack needs to know about an employee, and what it carries from period to period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals

ZERO = Decimal("0")
YEN = Decimal("1")
MAX_YEN = Decimal("1000000000")

BusinessType = Literal["general", "agriculture", "construction"]
PremiumMonth = Literal["previous", "current"]


def require_yen(name: str, value: Decimal | None) -> None:
    """Yen has no subunit: every amount is a whole, non-negative number of yen within a sane bound."""
    if value is None:
        return
    if value < 0 or value > MAX_YEN:
        raise ValueError(f"{name} must be between 0 and {MAX_YEN} yen")
    if value != value.to_integral_value():
        raise ValueError(f"{name} must be a whole number of yen")


class ExplicitPremiums(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Employee shares of the social-insurance premiums, when the employer supplies them instead of the pack."""

    health_insurance: Decimal = ZERO
    long_term_care_insurance: Decimal = ZERO
    child_support_levy: Decimal = ZERO
    employees_pension: Decimal = ZERO
    employment_insurance: Decimal = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("health_insurance", "long_term_care_insurance", "child_support_levy",
                     "employees_pension", "employment_insurance"):
            require_yen(f"premiums.{name}", getattr(self, name))


class JapanEmployee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's withholding-tax and insurance attributes: the employee input of a Japan payroll calculation
    (dependants from the 扶養控除等申告書, insurance memberships, which month's premium a pay deducts). Amounts are
    whole yen."""

    dependants: Annotated[int, msgspec.Meta(
        ge=0, le=99,
        description="扶養親族等の数 from the 扶養控除等申告書: 源泉控除対象配偶者 and 源泉控除対象親族, "
                    "plus one for each 障害者/寡婦/ひとり親/勤労学生 addition.",
    )] = 0
    declaration_submitted: Annotated[bool, msgspec.Meta(
        description="Whether the employee submitted the 給与所得者の扶養控除等申告書 to this employer (甲欄). "
                    "Without it the 乙欄 applies, which this pack does not support.",
    )] = True
    date_of_birth: Annotated[date | None, msgspec.Meta(
        description="Needed when the pack computes premiums: 介護保険 applies from age 40 to 64.",
    )] = None
    standard_monthly_remuneration: Annotated[Decimal | None, msgspec.Meta(
        description="標準報酬月額 (health-insurance grade amount, yen). When absent the pack derives the grade "
                    "from this period's pay.",
    )] = None
    social_insurance: Annotated[bool, msgspec.Meta(
        description="Insured under 協会けんぽ health insurance and 厚生年金.",
    )] = True
    employment_insurance: Annotated[bool, msgspec.Meta(description="Insured under 雇用保険.")] = True
    business_type: Annotated[BusinessType, msgspec.Meta(
        description="雇用保険 business category: general, agriculture (農林水産・清酒製造) or construction.",
    )] = "general"
    premium_month: Annotated[PremiumMonth, msgspec.Meta(
        description="Which month's social-insurance premium this pay deducts: 'previous' (健康保険法167条, "
                    "厚生年金保険法84条: the previous month's premium, the usual practice) or 'current'.",
    )] = "previous"
    tax_exempt_commuting_allowance: Annotated[Decimal, msgspec.Meta(
        description="Part of earnings.allowances that is a tax-exempt commuting allowance (yen). It counts as "
                    "remuneration for social and employment insurance but not as taxable pay.",
    )] = ZERO
    premiums: Annotated[ExplicitPremiums | None, msgspec.Meta(
        description="Employee shares of the premiums given explicitly; the pack then computes none itself.",
    )] = None

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        require_yen("standard_monthly_remuneration", self.standard_monthly_remuneration)
        require_yen("tax_exempt_commuting_allowance", self.tax_exempt_commuting_allowance)


class JapanYearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Calendar-year totals (the 源泉徴収簿 year); a pay date in a new year starts them again."""

    year: Annotated[int, msgspec.Meta(ge=1900, le=2999, description="Calendar year of the totals.")] | None = None
    gross: Decimal = ZERO
    social_insurance: Decimal = ZERO
    income_tax: Decimal = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("gross", "social_insurance", "income_tax"):
            value = getattr(self, name)
            if value < 0 or value > MAX_YEN * 100:
                raise ValueError(f"year_to_date.{name} must be between 0 and {MAX_YEN * 100} yen")
