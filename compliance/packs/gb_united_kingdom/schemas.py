"""What the GB pack reads: the employee's tax code and NI category, the tax year's PAYE figures so far,
and HMRC's rates and thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals
from compliance.packs.gb_united_kingdom.tax_code import parse as parse_tax_code
from compliance.parameters import Cited

ZERO = Decimal("0")
MONEY_LIMIT = Decimal("1000000000")

NiCategory = Literal["A", "B", "C", "H", "J", "M", "Z"]
#: Where the employer's 0% band ends: the secondary threshold, the upper secondary threshold (under 21s)
#: or the apprentice upper secondary threshold (apprentices under 25).
SecondaryFrom = Literal["st", "ust", "aust"]


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's PAYE tax code as HMRC issued it, whether it operates on the week 1/month 1 basis, and their
    National Insurance category letter: the employee input of a United Kingdom payroll calculation."""

    tax_code: Annotated[
        str,
        msgspec.Meta(
            min_length=2, max_length=16, pattern=r"^[A-Za-z0-9 /]+$",
            description="The PAYE tax code HMRC issued, for example 1257L, S1257L (Scottish), C1257L (Welsh), "
                        "K475, BR, D0, D1, NT or 0T. A trailing W1, M1 or X marks the week 1/month 1 basis.",
        ),
    ]
    week1_month1: Annotated[
        bool,
        msgspec.Meta(description="Operate the code on the week 1/month 1 (non-cumulative) basis, as HMRC "
                                 "instructs for some new starters and code changes."),
    ] = False
    ni_category: Annotated[
        NiCategory,
        msgspec.Meta(description="Class 1 National Insurance category letter: A standard, B married woman's "
                                 "reduced rate, C over State Pension age, H apprentice under 25, J deferred, "
                                 "M under 21, Z under 21 deferred."),
    ] = "A"

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        parse_tax_code(self.tax_code)  # raises ValueError naming the code


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """PAYE figures of the tax year so far (before this payment), including any previous employment's P45
    figures the employer was told to use. Figures of an earlier ``tax_year`` are ignored: PAYE restarts on 6 April.
    """

    tax_year: Annotated[
        int, msgspec.Meta(ge=2000, le=2200, description="The year in which the tax year began (2025 for 2025/26).")
    ] | None = None
    taxable_pay: Annotated[
        Decimal, msgspec.Meta(description="Pay for PAYE purposes to date in the tax year (P_n-1 of HMRC's routine).")
    ] = ZERO
    tax_paid: Annotated[
        Decimal, msgspec.Meta(description="Income tax deducted to date in the tax year, net of refunds.")
    ] = ZERO
    employee_nic: Annotated[
        Decimal, msgspec.Meta(description="Employee Class 1 National Insurance deducted to date in the tax year.")
    ] = ZERO
    employer_nic: Annotated[
        Decimal, msgspec.Meta(description="Employer Class 1 National Insurance paid to date in the tax year.")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("taxable_pay", "tax_paid", "employee_nic", "employer_nic"):
            value = getattr(self, name)
            if not ZERO <= value <= MONEY_LIMIT:
                raise ValueError(f"year_to_date.{name} must be between 0 and {MONEY_LIMIT}")


# -- parameters --------------------------------------------------------------------------------


class TaxBand(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rate band, as HMRC's specification lists it: a rate and its annual width (none for the top band)."""

    rate: Decimal
    width: Decimal | None = None


class TaxRegime(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bands: list[TaxBand]
    #: Index of the basic-rate band: BR codes use its rate and D0 the rate of the band above it.
    basic_rate_band: int

    def __post_init__(self) -> None:
        if not self.bands or self.bands[-1].width is not None:
            raise ValueError("the last tax band must be open-ended (no width)")
        if any(band.width is None or band.width <= 0 for band in self.bands[:-1]):
            raise ValueError("every tax band but the last needs a positive width")
        if not 0 <= self.basic_rate_band < len(self.bands):
            raise ValueError("basic_rate_band must point at one of the bands")


class PayeParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: Codes without a prefix: England and Northern Ireland.
    rest_of_uk: Cited[TaxRegime]
    #: Prefix S codes.
    scotland: Cited[TaxRegime]
    #: Prefix C codes.
    wales: Cited[TaxRegime]
    #: Tables A: pay adjustment of each complete 500 of a code number, per week and per month.
    weekly_adjustment_per_500: Cited[Decimal]
    monthly_adjustment_per_500: Cited[Decimal]
    #: The overriding limit: tax deducted on a pay day may not exceed this share of the pay.
    regulatory_limit: Cited[Decimal]


class NicThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lel: Decimal
    pt: Decimal
    st: Decimal
    uel: Decimal
    ust: Decimal
    aust: Decimal

    def __post_init__(self) -> None:
        if not ZERO < self.lel <= self.pt <= self.uel or not self.st >= ZERO:
            raise ValueError("thresholds must satisfy 0 < LEL <= PT <= UEL and ST >= 0")


class EmployeeRates(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: Rate on earnings above the primary threshold up to the upper earnings limit.
    main: Decimal
    #: Rate on earnings above the upper earnings limit.
    above_uel: Decimal


class EmployerRate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rate: Decimal
    #: Secondary contributions are due on earnings above this threshold.
    above: SecondaryFrom


class NicParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    weekly: Cited[NicThresholds]
    monthly: Cited[NicThresholds]
    annual: Cited[NicThresholds]
    employee_rates: Cited[dict[str, EmployeeRates]]
    employer_rates: Cited[dict[str, EmployerRate]]

    def __post_init__(self) -> None:
        categories = set(NiCategory.__args__)  # type: ignore[attr-defined]
        tables = {"employee_rates": self.employee_rates.value, "employer_rates": self.employer_rates.value}
        for name, table in tables.items():
            if missing := categories - table.keys():
                raise ValueError(f"{name} lacks categories {sorted(missing)}")
