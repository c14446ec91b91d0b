"""Social security and Medicare taxes (FICA) on wages paid in the calendar year.

Each tax is computed on this payment's wages and rounded half-up to the cent, employee and employer
shares separately; the year-to-date wages carry the social security wage base and the $200,000
Additional Medicare Tax threshold from one payment to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compliance.calculation import ZERO, ResultBuilder
from compliance.packs.us_united_states.parameters import Fica
from compliance.packs.us_united_states.schemas import YearToDate
from compliance.rounding import half_up


@dataclass(frozen=True, slots=True)
class FicaTaxes:
    social_security_wages: Decimal
    social_security_employee: Decimal
    social_security_employer: Decimal
    medicare_wages: Decimal
    medicare_employee: Decimal
    medicare_employer: Decimal
    additional_medicare_wages: Decimal
    additional_medicare: Decimal

    @property
    def employee_total(self) -> Decimal:
        return self.social_security_employee + self.medicare_employee + self.additional_medicare


def fica_taxes(rates: Fica, wages: Decimal, ytd: YearToDate, out: ResultBuilder) -> FicaTaxes:
    base = rates.social_security_wage_base.value
    ss_wages = max(ZERO, min(wages, base - ytd.social_security_wages))
    out.step("social security wages", ss_wages, f"up to the wage base {base}; {ytd.social_security_wages} paid before")
    threshold = rates.additional_medicare_threshold.value
    over_threshold = max(ZERO, ytd.medicare_wages + wages - threshold) - max(ZERO, ytd.medicare_wages - threshold)
    out.step("Additional Medicare Tax wages", over_threshold, f"Medicare wages this year above {threshold}")
    return FicaTaxes(
        social_security_wages=ss_wages,
        social_security_employee=half_up(ss_wages * rates.social_security_employee_rate.value),
        social_security_employer=half_up(ss_wages * rates.social_security_employer_rate.value),
        medicare_wages=wages,
        medicare_employee=half_up(wages * rates.medicare_employee_rate.value),
        medicare_employer=half_up(wages * rates.medicare_employer_rate.value),
        additional_medicare_wages=over_threshold,
        additional_medicare=half_up(over_threshold * rates.additional_medicare_rate.value),
    )
