"""Income tax under the new regime (section 115BAC) and its monthly deduction at source (section 192).

Amounts are Decimal rupees. The annual figure follows the Act's own rounding: total income to the nearest
ten rupees (section 288A) and the tax payable to the nearest ten rupees (section 288B).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

from compliance.packs.in_india.schemas import IncomeTaxParameters, Slab
from compliance.rounding import UNIT, half_up

ZERO = Decimal("0")
TEN = Decimal("10")
MONTHS = 12
APRIL = 4


@dataclass(frozen=True, slots=True)
class AnnualTax:
    total_income: Decimal
    slab_tax: Decimal
    rebate: Decimal
    surcharge: Decimal
    cess: Decimal
    payable: Decimal


def nearest_ten(amount: Decimal) -> Decimal:
    """Sections 288A/288B: ignore the paise, then round to the nearest multiple of ten (a last figure of 5 goes up)."""
    return half_up(amount.quantize(UNIT, rounding=ROUND_DOWN) / TEN, UNIT) * TEN


def financial_year_of(month: int, year: int) -> int:
    return year if month >= APRIL else year - 1


def months_left_including(month: int) -> int:
    """Months from ``month`` to March inclusive: April leaves 12, March leaves 1."""
    return MONTHS - (month - APRIL) % MONTHS


def slab_tax(slabs: list[Slab], income: Decimal) -> Decimal:
    tax = ZERO
    bounds = [*slabs, Slab(above=max(income, slabs[-1].above), rate=ZERO)]
    for slab, upper in pairwise(bounds):
        if income > slab.above:
            tax += (min(income, upper.above) - slab.above) * slab.rate
    return tax


def rebate_87a(params: IncomeTaxParameters, income: Decimal, tax: Decimal, resident: bool) -> Decimal:
    """Up to the maximum where income is within the limit; just above it, marginal relief keeps the tax from
    exceeding the income above the limit (Finance Act 2025 proviso to section 87A)."""
    if not resident:
        return ZERO
    limit = params.rebate.value.income_limit
    if income <= limit:
        return min(tax, params.rebate.value.maximum)
    return max(ZERO, tax - (income - limit))


def surcharge(params: IncomeTaxParameters, income: Decimal, tax: Decimal) -> Decimal:
    """Surcharge at the rate of the highest threshold passed, with marginal relief.

    Marginal relief: tax plus surcharge may exceed the tax plus surcharge payable at the threshold by no more
    than the income above the threshold.
    """
    tiers = params.surcharge.value
    passed = [i for i, tier in enumerate(tiers) if income > tier.above]
    if not passed:
        return ZERO
    index = passed[-1]
    tier = tiers[index]
    below_rate = tiers[index - 1].rate if index else ZERO
    at_threshold = slab_tax(params.slabs.value, tier.above) * (1 + below_rate)
    capped = min(tax * (1 + tier.rate), at_threshold + (income - tier.above))
    return max(ZERO, capped - tax)


def annual_tax(params: IncomeTaxParameters, salary: Decimal, resident: bool) -> AnnualTax:
    deduction = min(salary, params.standard_deduction.value)
    income = nearest_ten(max(ZERO, salary - deduction))
    gross = slab_tax(params.slabs.value, income)
    rebate = rebate_87a(params, income, gross, resident)
    tax = gross - rebate
    extra = surcharge(params, income, tax)
    cess = (tax + extra) * params.cess_rate.value
    return AnnualTax(income, gross, rebate, extra, cess, nearest_ten(tax + extra + cess))


def monthly_deduction(regular_year_tax: Decimal, bonus_tax: Decimal, deducted: Decimal, months_left: int) -> Decimal:
    """Section 192: the year's estimated tax, less what was already deducted, spread over the months left.

    The extra tax a bonus causes is deducted in the month it is paid, so that later months do not carry it.
    Rounded to the rupee (half up); the last month of the year absorbs any rounding.
    """
    regular = max(ZERO, regular_year_tax - deducted) / months_left
    return half_up(regular, UNIT) + bonus_tax
