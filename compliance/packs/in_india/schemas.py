"""What the IN pack reads: the employee's tax and provident-fund attributes, year-to-date figures, statutory rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals
from compliance.parameters import Cited

ZERO = Decimal("0")
MOST_RUPEES = Decimal("10000000000")  # 1,000 crore: far above any salary, keeps the inputs bounded


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's income-tax regime and residence and their provident-fund and pension membership: the employee
    input of an India payroll calculation. The defaults fit a resident provident-fund member on the new regime."""

    tax_regime: Annotated[
        Literal["new"],
        msgspec.Meta(description="Income-tax regime: the new regime of section 115BAC (the default; the old "
                                 "regime is not supported by this pack)."),
    ] = "new"
    resident: Annotated[
        bool, msgspec.Meta(description="Resident in India (only residents get the section 87A rebate).")
    ] = True
    pf_member: Annotated[
        bool, msgspec.Meta(description="Member of the Employees' Provident Fund through this employer.")
    ] = True
    pension_member: Annotated[
        bool,
        msgspec.Meta(description="Member of the Employees' Pension Scheme (false for members who joined after "
                                 "1 September 2014 above the wage ceiling, or who are 58 or older)."),
    ] = True
    pf_wage_basis: Annotated[
        Literal["ceiling", "actual"],
        msgspec.Meta(description="Provident-fund contributions on basic wages capped at the Rs 15,000 wage ceiling "
                                 "(the statutory minimum) or on the actual basic wages."),
    ] = "ceiling"


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Figures of the financial year (April to March) before the current month.

    Another financial year's figures are ignored; figures without a year are taken as the pay date's. Salary and
    tax of a previous employer in the same year (declared under section 192(2)) belong in ``salary`` and ``tds``.
    """

    financial_year: Annotated[
        int, msgspec.Meta(ge=1900, le=2200, description="Year in which the financial year began (2025 = FY 2025-26).")
    ] | None = None
    salary: Annotated[
        Decimal, msgspec.Meta(description="Taxable salary paid so far in the financial year, bonuses included.")
    ] = ZERO
    tds: Annotated[
        Decimal, msgspec.Meta(description="Income tax deducted at source from salary so far in the financial year.")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("salary", "tds"):
            if not ZERO <= getattr(self, name) <= MOST_RUPEES:
                raise ValueError(f"year_to_date.{name} must be between 0 and {MOST_RUPEES}")


class Slab(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    above: Decimal
    rate: Decimal


class Rebate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    income_limit: Decimal
    maximum: Decimal


class IncomeTaxParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slabs: Cited[list[Slab]]
    standard_deduction: Cited[Decimal]
    rebate: Cited[Rebate]
    surcharge: Cited[list[Slab]]
    cess_rate: Cited[Decimal]

    def __post_init__(self) -> None:
        for name in ("slabs", "surcharge"):
            bounds = [slab.above for slab in getattr(self, name).value]
            if not bounds or bounds != sorted(set(bounds)):
                raise ValueError(f"{name} must rise strictly")
        if self.slabs.value[0].above != ZERO:
            raise ValueError("slabs must start at 0")


class ProvidentFundParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee_rate: Cited[Decimal]
    employer_rate: Cited[Decimal]
    pension_rate: Cited[Decimal]
    wage_ceiling: Cited[Decimal]
    edli_rate: Cited[Decimal]
    admin_charge_rate: Cited[Decimal]
