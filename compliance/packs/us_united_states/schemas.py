"""What the US pack needs to know about an employee (Form W-4) and the year so far."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals

ZERO = Decimal("0")
#: Generous ceiling on any one W-4 or year-to-date amount, so a typo cannot reach the tables.
MAX_AMOUNT = Decimal("1000000000")

FilingStatus = Literal[
    "single", "married_filing_separately", "married_filing_jointly", "qualifying_surviving_spouse", "head_of_household"
]
FormVersion = Literal["2020_or_later", "2019_or_earlier"]
SupplementalMethod = Literal["flat_rate", "aggregate"]

#: Form W-4 Step 1(c) boxes -> the Pub 15-T rate schedule each one uses.
SCHEDULE_FOR_STATUS: dict[str, str] = {
    "single": "single",
    "married_filing_separately": "single",
    "married_filing_jointly": "married_filing_jointly",
    "qualifying_surviving_spouse": "married_filing_jointly",
    "head_of_household": "head_of_household",
}


def _check_amount(owner: str, name: str, value: Decimal) -> None:
    if not value.is_finite() or not ZERO <= value <= MAX_AMOUNT:
        raise ValueError(f"{owner}.{name} must be between 0 and {MAX_AMOUNT}")


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The employee's Form W-4, as Pub 15-T Worksheet 1A reads it. No W-4 on file: leave the defaults
    (Pub 15-T treats the employee as single with no other entries)."""

    filing_status: Annotated[
        FilingStatus,
        msgspec.Meta(description="Form W-4 Step 1(c) (or, for a 2019-or-earlier W-4, line 3: single or "
                                 "married_filing_jointly). Married filing separately uses the single schedule; "
                                 "qualifying surviving spouse uses the married-filing-jointly schedule."),
    ] = "single"
    multiple_jobs: Annotated[
        bool, msgspec.Meta(description="Form W-4 Step 2(c) box checked (two jobs / spouse works).")
    ] = False
    dependents_amount: Annotated[
        Decimal, msgspec.Meta(description="Form W-4 Step 3: annual credit for dependents and other credits, USD.")
    ] = ZERO
    other_income: Annotated[
        Decimal, msgspec.Meta(description="Form W-4 Step 4(a): annual other income (not from jobs), USD.")
    ] = ZERO
    deductions: Annotated[
        Decimal, msgspec.Meta(description="Form W-4 Step 4(b): annual deductions, USD.")
    ] = ZERO
    extra_withholding: Annotated[
        Decimal, msgspec.Meta(description="Form W-4 Step 4(c) (line 6 of a 2019-or-earlier W-4): extra "
                                          "withholding each pay period, USD.")
    ] = ZERO
    exempt: Annotated[
        bool, msgspec.Meta(description="The employee claimed exemption from federal income tax withholding.")
    ] = False
    form_version: Annotated[
        FormVersion, msgspec.Meta(description="Which Form W-4 design is on file.")
    ] = "2020_or_later"
    allowances: Annotated[
        int, msgspec.Meta(ge=0, le=99, description="Withholding allowances on a 2019-or-earlier Form W-4.")
    ] = 0
    supplemental_method: Annotated[
        SupplementalMethod,
        msgspec.Meta(description="How the employer withholds on supplemental wages (bonus) up to $1 million: "
                                 "flat_rate (Pub 15 section 7 optional flat rate, 22%) or aggregate (added to "
                                 "this period's regular wages and run through Worksheet 1A)."),
    ] = "flat_rate"

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("dependents_amount", "other_income", "deductions", "extra_withholding"):
            _check_amount("employee", name, getattr(self, name))
        if self.form_version == "2019_or_earlier":
            self._check_pre_2020_form()
        elif self.allowances:
            raise ValueError("employee.allowances exist only on a 2019-or-earlier Form W-4")

    def _check_pre_2020_form(self) -> None:
        # Worksheet 1A: the head-of-household table and Steps 2 to 4(b) exist only on the 2020 redesign.
        if self.filing_status not in ("single", "married_filing_jointly"):
            raise ValueError("a 2019-or-earlier Form W-4 is single or married (married_filing_jointly)")
        if self.multiple_jobs or self.dependents_amount or self.other_income or self.deductions:
            raise ValueError("Steps 2, 3, 4(a) and 4(b) do not exist on a 2019-or-earlier Form W-4")


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Calendar-year totals from this employer before this payment (Form W-2 boxes)."""

    tax_year: (
        Annotated[int, msgspec.Meta(ge=2000, le=2100, description="Calendar year these totals belong to; must "
                                                                  "match the pay date.")]
        | None
    ) = None
    social_security_wages: Annotated[
        Decimal,
        msgspec.Meta(description="Wages subject to social security tax so far, up to the wage base (W-2 box 3)."),
    ] = ZERO
    medicare_wages: Annotated[
        Decimal, msgspec.Meta(description="Wages subject to Medicare tax so far (W-2 box 5); drives the $200,000 "
                                          "Additional Medicare Tax threshold.")
    ] = ZERO
    supplemental_wages: Annotated[
        Decimal, msgspec.Meta(description="Supplemental wages (bonuses) paid so far; drives the $1 million "
                                          "mandatory 37% withholding.")
    ] = ZERO
    federal_income_tax: Annotated[
        Decimal, msgspec.Meta(description="Federal income tax withheld so far (W-2 box 2).")
    ] = ZERO
    social_security_tax: Annotated[
        Decimal, msgspec.Meta(description="Employee social security tax withheld so far (W-2 box 4).")
    ] = ZERO
    medicare_tax: Annotated[
        Decimal, msgspec.Meta(description="Employee Medicare tax withheld so far, including Additional Medicare Tax "
                                          "(W-2 box 6).")
    ] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("social_security_wages", "medicare_wages", "supplemental_wages", "federal_income_tax",
                     "social_security_tax", "medicare_tax"):
            _check_amount("year_to_date", name, getattr(self, name))
