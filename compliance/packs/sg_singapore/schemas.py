"""What the SG pack reads: the employee's CPF attributes, year-to-date wages and the CPF Board's tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals
from compliance.parameters import Cited

ZERO = Decimal("0")
EARLIEST_BIRTH = date(1900, 1, 1)

Residency = Literal["citizen", "spr_first_year", "spr_second_year", "spr_third_year_onwards"]
SprRates = Literal["graduated", "full_employer", "full"]


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's CPF attributes: the employee input of a Singapore payroll calculation (date of birth for the age
    band, residency status, and the rates elected by a Singapore Permanent Resident in the first two years)."""

    date_of_birth: Annotated[
        date,
        msgspec.Meta(description="Date of birth; the CPF age band changes the month after the 55th, 60th, 65th "
                                 "and 70th birthday."),
    ]
    residency: Annotated[
        Residency,
        msgspec.Meta(description="CPF status: a Singapore Citizen, or a Singapore Permanent Resident (SPR) in the "
                                 "first, second, or third and later year of SPR status."),
    ] = "citizen"
    spr_rates: Annotated[
        SprRates,
        msgspec.Meta(description="For an SPR in the first or second year: graduated employer and employee rates "
                                 "(the default), full employer and graduated employee rates, or full rates, as "
                                 "jointly elected by employer and employee."),
    ] = "graduated"
    last_month_of_employment: Annotated[
        bool,
        msgspec.Meta(description="True in the employee's last month with this employer: the Additional Wage "
                                 "ceiling is then recomputed on actual Ordinary Wages instead of an estimate."),
    ] = False

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        if self.date_of_birth < EARLIEST_BIRTH:
            raise ValueError("employee.date_of_birth must not be before 1900-01-01")


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """CPF wage totals of the calendar year so far with this employer, before the current month.

    Figures of another ``year`` are ignored (the Additional Wage ceiling restarts every January); figures without
    a year are taken as the pay date's year.
    """

    year: Annotated[int, msgspec.Meta(ge=1900, le=2200, description="Calendar year of these totals.")] | None = None
    ordinary_wages_subject: Annotated[
        Decimal, msgspec.Meta(description="Ordinary Wages subject to CPF so far this year (after the OW ceiling).")
    ] = ZERO
    additional_wages_paid: Annotated[
        Decimal, msgspec.Meta(description="Additional Wages (bonuses) paid so far this year.")
    ] = ZERO
    additional_wages_subject: Annotated[
        Decimal, msgspec.Meta(description="Additional Wages subject to CPF so far this year (after the AW ceiling).")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("ordinary_wages_subject", "additional_wages_paid", "additional_wages_subject"):
            value = getattr(self, name)
            if not ZERO <= value <= Decimal("100000000"):
                raise ValueError(f"year_to_date.{name} must be between 0 and 100000000")


class AgeBand(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One row of Table 1. ``above_age`` is the birthday after whose month the row applies (0 = from the start)."""

    above_age: int
    employer_rate: Decimal
    employee_rate: Decimal
    total_rate: Decimal
    #: The employee share for total wages above $500 to $750 is phase_in_factor × (TW − $500).
    phase_in_factor: Decimal

    def __post_init__(self) -> None:
        if self.employer_rate + self.employee_rate != self.total_rate:
            raise ValueError(f"age band above {self.above_age}: employer + employee rates must equal the total rate")


class WageBands(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    no_contribution_up_to: Decimal
    employer_only_up_to: Decimal
    phase_in_up_to: Decimal


class CpfParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The OW/AW ceilings, the wage bands and the CPF Board's rate tables by age.

    ``age_bands`` is Table 1 (citizens, SPRs from the third year, and SPRs on full rates by joint election);
    the ``spr_*`` tables are Tables 2 to 5 for SPRs in their first two years.
    """

    ordinary_wage_ceiling: Cited[Decimal]
    annual_salary_ceiling: Cited[Decimal]
    wage_bands: Cited[WageBands]
    age_bands: Cited[list[AgeBand]]
    spr_first_year_graduated: Cited[list[AgeBand]]
    spr_second_year_graduated: Cited[list[AgeBand]]
    spr_first_year_full_employer: Cited[list[AgeBand]]
    spr_second_year_full_employer: Cited[list[AgeBand]]

    def __post_init__(self) -> None:
        for name in TABLES:
            ages = [band.above_age for band in getattr(self, name).value]
            if not ages or ages[0] != 0 or ages != sorted(set(ages)):
                raise ValueError(f"{name} must start at above_age 0 and rise strictly")

    def table_for(self, employee: Employee) -> tuple[str, list[AgeBand]]:
        """Table 1 unless an SPR in the first two years has not elected full rates."""
        stage = {"spr_first_year": "first_year", "spr_second_year": "second_year"}.get(employee.residency)
        if stage is None or employee.spr_rates == "full":
            return "age_bands", self.age_bands.value
        kind = "graduated" if employee.spr_rates == "graduated" else "full_employer"
        name = f"spr_{stage}_{kind}"
        return name, getattr(self, name).value


TABLES = (
    "age_bands", "spr_first_year_graduated", "spr_second_year_graduated",
    "spr_first_year_full_employer", "spr_second_year_full_employer",
)
