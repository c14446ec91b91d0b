"""CPF contributions in the CPF Board's own words: age bands, wage bands, the OW and AW ceilings, and its rounding.

Every function is pure and works on Decimal dollars; the pack strings them together and writes the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.packs.sg_singapore.schemas import AgeBand, WageBands
from compliance.rounding import UNIT, half_up, truncate

ZERO = Decimal("0")
DECEMBER = 12


@dataclass(frozen=True, slots=True)
class Contribution:
    total: Decimal
    employee: Decimal
    wage_band: str

    @property
    def employer(self) -> Decimal:
        # The Board derives the employer's share as what is left of the total, never from its own rate.
        return self.total - self.employee


def cpf_age(birth: date, wage_month: date) -> int:
    """Birthdays that fell in a month before the wage month.

    Why: a new age band applies "from the first day of the month after the birthday month", so a
    birthday counts only once its month is over.
    """
    return wage_month.year - birth.year - (1 if wage_month.month <= birth.month else 0)


def age_band(bands: list[AgeBand], age: int) -> AgeBand:
    """The last row whose threshold the employee has passed ("above 55" means from the month after turning 55)."""
    chosen = bands[0]
    for band in bands:
        if age >= band.above_age:
            chosen = band
    return chosen


def ordinary_wages_subject(ordinary_wages: Decimal, ceiling: Decimal) -> Decimal:
    return min(ordinary_wages, ceiling)


def is_final_month(wage_month: date, last_month_of_employment: bool) -> bool:
    """December or the last month of employment, when the Board has the AW ceiling recomputed on actual OW."""
    return last_month_of_employment or wage_month.month == DECEMBER


def additional_wage_ceiling(
    annual_ceiling: Decimal, ordinary_subject_so_far: Decimal, ordinary_subject_now: Decimal,
    wage_month: date, final_month: bool,
) -> Decimal:
    """$102,000 less the year's OW subject to CPF.

    Why the estimate: before the year's OW are known the Board has employers use the current year's OW,
    so this month's OW subject to CPF stands in for each month still to come.
    """
    months_to_come = 0 if final_month else DECEMBER - wage_month.month
    estimated_year_ow = ordinary_subject_so_far + ordinary_subject_now * (1 + months_to_come)
    return max(ZERO, annual_ceiling - estimated_year_ow)


def additional_wages_subject(
    additional_wages: Decimal, paid_so_far: Decimal, subject_so_far: Decimal, ceiling: Decimal, final_month: bool,
) -> Decimal:
    """The part of this month's AW that attracts CPF.

    In the final month the ceiling is known, so any AW of earlier months left out by a too-low estimate is
    brought back in (the Board has the shortfall paid with December's or the last month's contributions).
    An over-estimate is not refunded here: that is a refund claim to the Board, not a payroll line.
    """
    if final_month:
        return max(ZERO, min(paid_so_far + additional_wages, ceiling) - subject_so_far)
    return min(additional_wages, max(ZERO, ceiling - subject_so_far))


def contribution(band: AgeBand, bands: WageBands, total_wages: Decimal, wages_subject: Decimal) -> Contribution:
    """Table 1 by wage band, rounded as the Board prescribes.

    Rounding: the total to the nearest dollar (50 cents counts as a dollar); the employee's share has its
    cents dropped; the employer pays the difference.
    """
    if total_wages <= bands.no_contribution_up_to:
        return Contribution(ZERO, ZERO, "no contribution")
    if total_wages <= bands.employer_only_up_to:
        return Contribution(half_up(band.employer_rate * wages_subject, UNIT), ZERO, "employer only")
    if total_wages <= bands.phase_in_up_to:
        phased = band.phase_in_factor * max(ZERO, wages_subject - bands.employer_only_up_to)
        total = half_up(band.employer_rate * wages_subject + phased, UNIT)
        return Contribution(total, truncate(phased, UNIT), "employee share phased in")
    total = half_up(band.total_rate * wages_subject, UNIT)
    return Contribution(total, truncate(band.employee_rate * wages_subject, UNIT), "full rates")
