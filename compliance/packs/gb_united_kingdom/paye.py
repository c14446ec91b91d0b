"""PAYE income tax as HMRC's "Specification for PAYE Tax Table Routines" computes it.

The routine works in four stages (specification paragraphs 4.2 to 4.5):

1. pay to date P_n (cumulative) or the period's pay (week 1/month 1);
2. taxable pay to date U_n: pay less free pay (suffix codes) or plus additional pay (K codes), the
   Tables A figure for the code number times the period number;
3. tax due to date L_n on U_n rounded down to whole pounds, through the rate bands pro-rated to the
   period and held to 4 decimal places (rounded down), the result rounded down to the penny;
4. this period's tax L_n - L_n-1 (a negative result is a refund), never more than the overriding
   regulatory limit of 50% of the period's pay, which since 6 April 2015 covers every code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.packs.gb_united_kingdom.periods import WEEKS_IN_YEAR, TaxPeriod
from compliance.packs.gb_united_kingdom.schemas import PayeParameters, TaxBand, TaxRegime
from compliance.packs.gb_united_kingdom.tax_code import CodeKind, Regime, TaxCode
from compliance.rounding import CENT, UNIT, ceiling, floor, truncate

ZERO = Decimal("0")
FOUR_PLACES = Decimal("0.0001")
CODE_BLOCK = 500


@dataclass(frozen=True, slots=True)
class PayeResult:
    cumulative: bool
    #: Periods of allowance and band used: the tax week/month (cumulative) or the payment's span.
    periods: int
    #: Free pay (negative) or additional pay (positive K codes) to date; zero for BR, D, NT.
    pay_adjustment: Decimal
    pay_to_date: Decimal
    taxable_pay: Decimal
    tax_due: Decimal
    tax_before_limit: Decimal
    tax: Decimal
    limited: bool


def regime_of(params: PayeParameters, regime: Regime) -> TaxRegime:
    return {
        Regime.REST_OF_UK: params.rest_of_uk,
        Regime.SCOTLAND: params.scotland,
        Regime.WALES: params.wales,
    }[regime].value


def period_one_adjustment(code_number: int, base: int, per_500: Decimal) -> Decimal:
    """Tables A: free pay (or K-code additional pay) for week 1 or month 1 of a code number.

    Why: the code stands for an allowance of 10 x number + 9 pounds a year. Each complete block of 500
    (after taking 1 off the number) is the fixed figure per_500 (96.16 a week, 416.67 a month); the
    remainder's annual figure is divided by 52 or 12 and rounded up to the next penny (paragraph 4.3.1).
    """
    if code_number == 0:
        return ZERO
    blocks, remainder = divmod(code_number - 1, CODE_BLOCK)
    annual = Decimal((remainder + 1) * 10 + 9)
    return ceiling(annual / base, CENT) + blocks * per_500


def pro_rata(annual: Decimal, periods: int, base: int) -> Decimal:
    """An annual band figure for ``periods`` weeks or months, rounded down to 4 decimal places."""
    return truncate(annual * periods / base, FOUR_PLACES)


def tax_due_to_date(taxable: Decimal, bands: Sequence[TaxBand], periods: int, base: int) -> Decimal:
    """L_n: tax on taxable pay to date through the bands pro-rated to ``periods`` (paragraph 4.4).

    Why: the income test compares U_n with each pro-rated band limit rounded up to the pound; the tax is
    the pro-rated tax of the bands below plus the rate on the whole pounds of U_n above them.
    """
    if taxable <= 0:
        return ZERO
    whole_pounds = floor(taxable, UNIT)
    width_below = tax_below = limit_below = band_tax_below = ZERO
    for band in bands:
        if band.width is not None:
            limit = pro_rata(width_below + band.width, periods, base)
            if taxable > ceiling(limit, UNIT):
                width_below += band.width
                tax_below += band.width * band.rate
                limit_below, band_tax_below = limit, pro_rata(tax_below, periods, base)
                continue
        excess_tax = truncate((whole_pounds - limit_below) * band.rate, FOUR_PLACES)
        return truncate(band_tax_below + excess_tax, CENT)
    raise AssertionError("the top band is open-ended")  # guaranteed by TaxRegime validation


def flat_rate_tax(pay: Decimal, rate: Decimal) -> Decimal:
    """BR and D codes: all pay, rounded down to whole pounds, at one rate (paragraphs 5 and 6)."""
    return truncate(floor(pay, UNIT) * rate, CENT) if pay > 0 else ZERO


def flat_rate(regime: TaxRegime, code: TaxCode) -> Decimal:
    """BR is the basic rate; D0 the rate of the band above it, D1 the next, and so on."""
    if code.kind is CodeKind.BASIC_RATE:
        return regime.bands[regime.basic_rate_band].rate
    index = regime.basic_rate_band + 1 + code.number
    if index >= len(regime.bands):
        raise ValueError(f"employee.tax_code {code.text!r}: there is no D{code.number} rate for this tax year")
    return regime.bands[index].rate


def deduct(
    params: PayeParameters, code: TaxCode, period: TaxPeriod, *, week1_month1: bool,
    pay: Decimal, pay_before: Decimal, tax_paid_before: Decimal,
) -> PayeResult:
    """Tax to deduct (or refund, if negative) on one payment."""
    cumulative = not (week1_month1 or code.week1_month1 or period.after_week_52)
    periods = period.number if cumulative else period.span
    pay_to_date = pay_before + pay if cumulative else pay
    adjustment = pay_adjustment(params, code, period.base, periods)
    taxable, due = tax_due(regime_of(params, code.regime), code, pay_to_date + adjustment, periods, period.base)
    # An NT code neither deducts nor repays tax (PAYE Regulations 2003, regulation 33).
    before_limit = due - tax_paid_before if cumulative and code.kind is not CodeKind.NO_TAX else due
    limit = truncate(pay * params.regulatory_limit.value, CENT)
    tax = min(before_limit, limit) if before_limit > 0 else before_limit
    return PayeResult(
        cumulative=cumulative, periods=periods, pay_adjustment=adjustment, pay_to_date=pay_to_date,
        taxable_pay=taxable, tax_due=due, tax_before_limit=before_limit, tax=tax.quantize(CENT),
        limited=tax != before_limit,
    )


def pay_adjustment(params: PayeParameters, code: TaxCode, base: int, periods: int) -> Decimal:
    """Free pay to date (negative) for suffix codes, additional pay to date (positive) for K codes."""
    if code.kind not in (CodeKind.ALLOWANCE, CodeKind.K):
        return ZERO
    per_500 = params.weekly_adjustment_per_500 if base == WEEKS_IN_YEAR else params.monthly_adjustment_per_500
    adjustment = period_one_adjustment(code.number, base, per_500.value) * periods
    return -adjustment if code.kind is CodeKind.ALLOWANCE else adjustment


def tax_due(regime: TaxRegime, code: TaxCode, taxable: Decimal, periods: int, base: int) -> tuple[Decimal, Decimal]:
    """Taxable pay and tax due to date L_n under the code's kind."""
    if code.kind is CodeKind.NO_TAX:
        return ZERO, ZERO
    if code.kind in (CodeKind.BASIC_RATE, CodeKind.FLAT_HIGHER):
        return taxable, flat_rate_tax(taxable, flat_rate(regime, code))
    return taxable, tax_due_to_date(taxable, regime.bands, periods, base)
