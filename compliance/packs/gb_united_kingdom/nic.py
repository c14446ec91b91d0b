"""Class 1 National Insurance by the exact percentage method, on the earnings of one earnings period.

Employee (primary) contributions are due on earnings above the primary threshold, at the main rate up to
the upper earnings limit and the additional rate above it; employer (secondary) contributions on earnings
above the secondary threshold, or for under 21s and apprentices under 25 above the upper secondary
thresholds. Earnings between the lower earnings limit and the thresholds are charged at 0%.

Rounding (Social Security (Contributions) Regulations 2001, regulation 12(1); NIM11002): primary and
secondary contributions are worked out separately and each rounded to the nearest penny, a halfpenny or
less being disregarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, Decimal

from compliance.calculation import PayFrequency
from compliance.packs.gb_united_kingdom.schemas import EmployeeRates, EmployerRate, NicParameters, NicThresholds
from compliance.rounding import CENT

ZERO = Decimal("0")

#: Earnings periods that are multiples of a week use the weekly thresholds times the number of weeks.
_WEEKS = {PayFrequency.WEEKLY: 1, PayFrequency.BIWEEKLY: 2, PayFrequency.FOUR_WEEKLY: 4}


@dataclass(frozen=True, slots=True)
class Contributions:
    thresholds: NicThresholds
    employee: Decimal
    employer: Decimal


def period_thresholds(params: NicParameters, frequency: PayFrequency) -> NicThresholds:
    if frequency in _WEEKS:
        weekly, weeks = params.weekly.value, Decimal(_WEEKS[frequency])
        return NicThresholds(
            lel=weekly.lel * weeks, pt=weekly.pt * weeks, st=weekly.st * weeks,
            uel=weekly.uel * weeks, ust=weekly.ust * weeks, aust=weekly.aust * weeks,
        )
    if frequency is PayFrequency.MONTHLY:
        return params.monthly.value
    return params.annual.value


def band(earnings: Decimal, lower: Decimal, upper: Decimal | None = None) -> Decimal:
    """The part of ``earnings`` above ``lower`` and (if given) up to ``upper``."""
    top = earnings if upper is None else min(earnings, upper)
    return max(top - lower, ZERO)


def round_contribution(amount: Decimal) -> Decimal:
    """Nearest penny, a halfpenny or less disregarded (regulation 12(1))."""
    return amount.quantize(CENT, rounding=ROUND_HALF_DOWN)


def primary(earnings: Decimal, limits: NicThresholds, rates: EmployeeRates) -> Decimal:
    main = band(earnings, limits.pt, limits.uel) * rates.main
    additional = band(earnings, max(limits.uel, limits.pt)) * rates.above_uel
    return round_contribution(main + additional)


def secondary(earnings: Decimal, limits: NicThresholds, rate: EmployerRate) -> Decimal:
    threshold = {"st": limits.st, "ust": limits.ust, "aust": limits.aust}[rate.above]
    return round_contribution(band(earnings, threshold) * rate.rate)


def contributions(params: NicParameters, frequency: PayFrequency, category: str, earnings: Decimal) -> Contributions:
    limits = period_thresholds(params, frequency)
    return Contributions(
        thresholds=limits,
        employee=primary(earnings, limits, params.employee_rates.value[category]),
        employer=secondary(earnings, limits, params.employer_rates.value[category]),
    )
