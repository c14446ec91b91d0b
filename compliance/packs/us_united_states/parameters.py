"""The shapes of the US data files: Pub 15-T withholding tables and FICA rates."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import msgspec

from compliance.parameters import Cited

#: The three rate-schedule groups Pub 15-T publishes (Form W-4 Step 1(c)).
SCHEDULE_GROUPS = ("married_filing_jointly", "single", "head_of_household")


class ScheduleRow(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One row of an Annual Percentage Method table: columns A, C and D (B is the next row's A)."""

    at_least: Decimal
    tentative: Decimal
    rate: Decimal


Schedule = list[ScheduleRow]


class IncomeTaxWithholding(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Pub 15-T Worksheet 1A constants and tables, plus the Pub 15 supplemental-wage flat rates."""

    pay_periods: Cited[dict[str, int]]
    wage_adjustment: Cited[dict[str, Decimal]]
    allowance_amount: Cited[Decimal]
    standard_schedules: Cited[dict[str, Schedule]]
    checkbox_schedules: Cited[dict[str, Schedule]]
    supplemental_flat_rate: Cited[Decimal]
    supplemental_mandatory_rate: Cited[Decimal]
    supplemental_mandatory_threshold: Cited[Decimal]

    def __post_init__(self) -> None:
        for kind in (self.standard_schedules, self.checkbox_schedules):
            for group in SCHEDULE_GROUPS:
                _check_schedule(group, kind.value.get(group))
        if set(self.wage_adjustment.value) != {"married_filing_jointly", "other"}:
            raise ValueError("wage_adjustment needs exactly married_filing_jointly and other")


def _check_schedule(group: str, rows: Schedule | None) -> None:
    """A mistyped row would silently misplace wages, so the table must start at 0 and rise."""
    if not rows:
        raise ValueError(f"schedule {group} is missing")
    if rows[0].at_least != 0:
        raise ValueError(f"schedule {group} must start at 0")
    for lower, upper in pairwise(rows):
        if upper.at_least <= lower.at_least or upper.tentative < lower.tentative:
            raise ValueError(f"schedule {group} rows must rise: {lower} then {upper}")


class Fica(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    social_security_employee_rate: Cited[Decimal]
    social_security_employer_rate: Cited[Decimal]
    social_security_wage_base: Cited[Decimal]
    medicare_employee_rate: Cited[Decimal]
    medicare_employer_rate: Cited[Decimal]
    additional_medicare_rate: Cited[Decimal]
    additional_medicare_threshold: Cited[Decimal]
