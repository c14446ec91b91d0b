"""What the German pack needs to know about an employee, and what it carries from period to period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals

ZERO = Decimal("0")
HALF = Decimal("0.5")
MAX_MONEY = Decimal("100000000")
MAX_CHILD_ALLOWANCES = Decimal("30")
MAX_ADDITIONAL_RATE = Decimal("10")
FACTOR_STEP = Decimal("0.001")
CENT = Decimal("0.01")


def _money(value: Decimal, name: str) -> None:
    if not ZERO <= value <= MAX_MONEY:
        raise ValueError(f"{name} must be between 0 and {MAX_MONEY}")


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The wage-tax attributes (ELStAM) and social-insurance status of one employee."""

    tax_class: Annotated[int, msgspec.Meta(ge=1, le=6, description="Steuerklasse I-VI as 1-6 (PAP STKL).")]
    factor: Annotated[
        Decimal | None,
        msgspec.Meta(description="Faktor of the Faktorverfahren, tax class IV only, 0.001-0.999 (PAP f, af=1)."),
    ] = None
    child_allowances: Annotated[
        Decimal,
        msgspec.Meta(description="Number of child allowances (Kinderfreibetragszähler) in steps of 0.5, "
                     "tax classes I-IV only (PAP ZKF)."),
    ] = ZERO
    church_member: Annotated[
        bool, msgspec.Meta(description="Member of a church that levies church tax (PAP R > 0); needs the region.")
    ] = False
    health_insurance: Annotated[
        Literal["statutory", "private"],
        msgspec.Meta(description="Statutory (gesetzlich) or exclusively private health insurance (PAP PKV)."),
    ] = "statutory"
    health_additional_rate_percent: Annotated[
        Decimal | None,
        msgspec.Meta(description="The statutory fund's full additional contribution rate in percent, e.g. 2.5 "
                     "(PAP KVZ); defaults to the official average rate of the year."),
    ] = None
    private_health_premium_monthly: Annotated[
        Decimal,
        msgspec.Meta(description="Monthly basic private health and care premiums in euros notified to the employer "
                     "(PAP PKPV)."),
    ] = ZERO
    private_health_employer_subsidy_monthly: Annotated[
        Decimal,
        msgspec.Meta(description="Monthly employer subsidy to the private premiums in euros (2026: PAP PKPVAGZ; "
                     "2025: any subsidy sets PKV=2)."),
    ] = ZERO
    care_child_discounts: Annotated[
        int,
        msgspec.Meta(ge=0, le=4, description="Care-insurance discounts for the 2nd to 5th child under 25 (PAP PVA)."),
    ] = 0
    care_childless_surcharge: Annotated[
        bool, msgspec.Meta(description="Pays the care-insurance surcharge for the childless (PAP PVZ).")
    ] = False
    pension_insured: Annotated[
        bool, msgspec.Meta(description="Compulsorily insured in the statutory pension insurance (PAP KRV=0).")
    ] = True
    unemployment_insured: Annotated[
        bool, msgspec.Meta(description="Compulsorily insured in the unemployment insurance (PAP 2026 ALV=0).")
    ] = True
    date_of_birth: Annotated[
        date | None, msgspec.Meta(description="Date of birth, for the age relief of § 24a EStG (PAP ALTER1, AJAHR).")
    ] = None
    period_tax_allowance: Annotated[
        Decimal, msgspec.Meta(description="Tax-free allowance per pay period from the ELStAM, euros (PAP LZZFREIB).")
    ] = ZERO
    period_tax_addition: Annotated[
        Decimal, msgspec.Meta(description="Addition amount per pay period from the ELStAM, euros (PAP LZZHINZU).")
    ] = ZERO
    annual_tax_allowance: Annotated[
        Decimal, msgspec.Meta(description="Annual tax-free allowance for other payments, euros (PAP JFREIB).")
    ] = ZERO
    annual_tax_addition: Annotated[
        Decimal, msgspec.Meta(description="Annual addition amount for other payments, euros (PAP JHINZU).")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        self._check_factor()
        self._check_children()
        if self.health_additional_rate_percent is not None and not (
            ZERO <= self.health_additional_rate_percent <= MAX_ADDITIONAL_RATE
            and self.health_additional_rate_percent == self.health_additional_rate_percent.quantize(CENT)
        ):
            raise ValueError("health_additional_rate_percent must be 0-10 with at most two decimals")
        for name in (
            "private_health_premium_monthly", "private_health_employer_subsidy_monthly", "period_tax_allowance",
            "period_tax_addition", "annual_tax_allowance", "annual_tax_addition",
        ):
            _money(getattr(self, name), name)
        if self.care_childless_surcharge and self.care_child_discounts:
            raise ValueError("care_childless_surcharge and care_child_discounts exclude each other")

    def _check_factor(self) -> None:
        if self.factor is None:
            return
        if self.tax_class != 4:
            raise ValueError("factor applies only to tax class IV")
        if not (FACTOR_STEP <= self.factor < 1 and self.factor == self.factor.quantize(FACTOR_STEP)):
            raise ValueError("factor must be below 1 with at most three decimals")

    def _check_children(self) -> None:
        count = self.child_allowances
        if not (ZERO <= count <= MAX_CHILD_ALLOWANCES and (count / HALF) == (count / HALF).to_integral_value()):
            raise ValueError("child_allowances must be a multiple of 0.5 between 0 and 30")
        if count and self.tax_class > 4:
            raise ValueError("child_allowances apply only to tax classes I-IV")


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Figures of the tax year so far, before this period. A different ``tax_year`` starts the year afresh."""

    tax_year: Annotated[int, msgspec.Meta(ge=2000, le=2100, description="Tax year of these figures.")] | None = None
    expected_annual_current_pay: Annotated[
        Decimal | None,
        msgspec.Meta(description="Expected current (regular) pay for the whole year without other payments, euros "
                     "(basis of PAP JRE4 when a bonus is paid). Without it, the current pay received so far plus "
                     "this period's, plus this period's regular pay for each period left (R 39b.6 Abs. 2 LStR); "
                     "required for a bonus paid daily."),
    ] = None
    other_payments: Annotated[
        Decimal, msgspec.Meta(description="Other payments (sonstige Bezüge) already paid this year, euros.")
    ] = ZERO
    gross: Annotated[Decimal, msgspec.Meta(description="Gross pay so far this year, euros.")] = ZERO
    wage_tax: Annotated[Decimal, msgspec.Meta(description="Wage tax withheld so far this year, euros.")] = ZERO
    solidarity_surcharge: Annotated[
        Decimal, msgspec.Meta(description="Solidarity surcharge withheld so far this year, euros.")
    ] = ZERO
    church_tax: Annotated[Decimal, msgspec.Meta(description="Church tax withheld so far this year, euros.")] = ZERO
    pension_contribution_base: Annotated[
        Decimal, msgspec.Meta(description="Pay subject to pension/unemployment contributions so far, euros.")
    ] = ZERO
    health_contribution_base: Annotated[
        Decimal, msgspec.Meta(description="Pay subject to health/care contributions so far, euros.")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in (
            "other_payments", "gross", "wage_tax", "solidarity_surcharge", "church_tax",
            "pension_contribution_base", "health_contribution_base",
        ):
            _money(getattr(self, name), name)
        if self.expected_annual_current_pay is not None:
            _money(self.expected_annual_current_pay, "expected_annual_current_pay")
