"""The tax year and the tax week or month of a pay date.

The tax year runs from 6 April to 5 April. Tax week 1 is 6 to 12 April and so on; the one or two days
left after week 52 form week 53. Tax month 1 is 6 April to 5 May, month 12 is 6 March to 5 April.
Employers use the week or month that contains the pay date (HMRC, "Specification for PAYE Tax Table
Routines", paragraph 3; PAYE Regulations 2003, regulation 2 "tax week", "tax month").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compliance.calculation import PayFrequency

WEEKS_IN_YEAR = 52
MONTHS_IN_YEAR = 12

#: Weeks (or months, for monthly and annual pay) that one payment covers.
SPAN = {
    PayFrequency.WEEKLY: 1,
    PayFrequency.BIWEEKLY: 2,
    PayFrequency.FOUR_WEEKLY: 4,
    PayFrequency.MONTHLY: 1,
    PayFrequency.ANNUAL: 12,
}
WEEK_BASED = frozenset({PayFrequency.WEEKLY, PayFrequency.BIWEEKLY, PayFrequency.FOUR_WEEKLY})


@dataclass(frozen=True, slots=True)
class TaxPeriod:
    tax_year: int
    #: The tax week (week-based pay) or tax month (monthly and annual pay) of the pay date.
    number: int
    #: 52 for week-based pay, 12 for monthly and annual pay: the divisor of every annual figure.
    base: int
    #: Weeks or months one payment covers; a week 1/month 1 payment uses this many periods of allowance.
    span: int

    @property
    def label(self) -> str:
        return f"{'week' if self.base == WEEKS_IN_YEAR else 'month'} {self.number}"

    @property
    def after_week_52(self) -> bool:
        """Weeks 53, 54 and 56 are taxed on the week 1 basis (specification paragraph 14)."""
        return self.base == WEEKS_IN_YEAR and self.number > WEEKS_IN_YEAR


def tax_year_of(pay_date: date) -> int:
    """The calendar year in which the pay date's tax year began."""
    return pay_date.year if (pay_date.month, pay_date.day) >= (4, 6) else pay_date.year - 1


def tax_period(pay_date: date, frequency: PayFrequency) -> TaxPeriod:
    year = tax_year_of(pay_date)
    if frequency in WEEK_BASED:
        week = (pay_date - date(year, 4, 6)).days // 7 + 1
        return TaxPeriod(year, week, WEEKS_IN_YEAR, SPAN[frequency])
    month = (pay_date.year - year) * 12 + pay_date.month - 4 + (pay_date.day >= 6)
    return TaxPeriod(year, month, MONTHS_IN_YEAR, SPAN[frequency])
