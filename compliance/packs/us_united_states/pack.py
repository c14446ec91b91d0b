"""United States federal payroll: income tax withholding (Pub 15-T percentage method), FICA."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import holidays
import pycountry

from compliance.calculation import ZERO, CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput
from compliance.labour import LabourLaw
from compliance.pack import EARNING_LABELS, Pack
from compliance.packs.us_united_states.fica import FicaTaxes, fica_taxes
from compliance.packs.us_united_states.parameters import Fica, IncomeTaxWithholding
from compliance.packs.us_united_states.schemas import Employee, YearToDate
from compliance.packs.us_united_states.withholding import supplemental_split, worksheet_1a

YEAR_TO_DATE_OF_ANOTHER_YEAR = INVALID_INPUT + "year_to_date belongs to {ytd_year} but the pay date is in {pay_year}"
PROBLEM_MESSAGES = (YEAR_TO_DATE_OF_ANOTHER_YEAR,)

INCOME_TAX = "income_tax"
FICA = "fica"
STATE_OR_DISTRICT = frozenset({"State", "District"})


def _states_and_district() -> dict[str, str]:
    """The 50 states and the District of Columbia by ISO 3166-2 code without "US-" (CA California, DC District of
    Columbia). The outlying areas (PR, GU, ...) keep their own minimum wage regimes and are not regions here."""
    subdivisions = pycountry.subdivisions.get(country_code="US") or []
    return {s.code.removeprefix("US-"): s.name for s in sorted(subdivisions, key=lambda s: s.code)
            if s.type in STATE_OR_DISTRICT}


def _holiday_subdivisions(regions: dict[str, str]) -> dict[str, str | None]:
    """Each state's holidays are the ``holidays`` package's subdivision of the same code, where it knows it."""
    known = set(holidays.list_supported_countries().get("US", []))
    return {region: region if region in known else None for region in regions}


class UnitedStatesPack(Pack):
    country = "US"
    name = "United States (federal)"
    currency = "USD"
    pack_version = "us-2026.1"
    # The payroll is federal only (state and local income taxes are out of scope), but legal entities, hires and
    # contracts are placed in a state, whose own minimum wage the contract check applies.
    regions: dict[str, str] = _states_and_district()
    holiday_subdivisions: dict[str, str | None] = _holiday_subdivisions(regions)
    # The pay periods Pub 15-T Worksheet 1A lists; a four-weekly payroll has no Pub 15-T row.
    frequencies = frozenset({
        PayFrequency.DAILY, PayFrequency.WEEKLY, PayFrequency.BIWEEKLY, PayFrequency.SEMIMONTHLY,
        PayFrequency.MONTHLY, PayFrequency.QUARTERLY, PayFrequency.SEMIANNUAL, PayFrequency.ANNUAL,
    })
    employee_schema = Employee
    ytd_schema = YearToDate
    # The IRS publishes the next year's tables (Pub. 15-T) and wage base in the last weeks of the year.
    carry_forward_series = frozenset({INCOME_TAX, FICA})
    series_types = {INCOME_TAX: IncomeTaxWithholding, FICA: Fica}
    line_labels = {
        "us.federal_income_tax": "Federal income tax withholding",
        "us.social_security": "Social Security tax",
        "us.medicare": "Medicare tax",
        "us.additional_medicare": "Additional Medicare Tax",
    }
    earning_labels = {**EARNING_LABELS, "base": "Regular pay", "bonus": "Bonus (supplemental wages)"}
    #: as the W-2 boxes count them
    year_to_date_labels = {
        "medicare_wages": "Medicare wages", "social_security_wages": "Social Security wages",
        "federal_income_tax": "Federal income tax withholding", "social_security_tax": "Social Security tax",
        "medicare_tax": "Medicare tax",
    }

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """The FLSA's rate for hours over 40 in a workweek."""
        return law.overtime_multipliers.value["over_40_hours_in_workweek"]

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        ytd: YearToDate = request.year_to_date
        self._require_same_tax_year(request, ytd)
        tables = self.series[INCOME_TAX].in_force(request.pay_date)
        rates = self.series[FICA].in_force(request.pay_date)
        out = self.results()
        out.used(INCOME_TAX, tables)
        out.used(FICA, rates)
        gross = request.earnings.gross
        fica = fica_taxes(rates.parameters, gross, ytd, out)
        income_tax = self._income_tax(request, tables.parameters, gross - fica.employee_total, out)
        self._lines(out, gross, income_tax, fica)
        return out.build(request, self._next_year_to_date(request, ytd, income_tax, fica))

    def _require_same_tax_year(self, request: CalculationRequest[Any, Any], ytd: YearToDate) -> None:
        # FICA wage bases and the $200,000 / $1 million thresholds restart each calendar year.
        if ytd.tax_year is not None and ytd.tax_year != request.pay_date.year:
            raise InvalidCalculationInput(YEAR_TO_DATE_OF_ANOTHER_YEAR, country=self.country,
                                          ytd_year=ytd.tax_year, pay_year=request.pay_date.year)

    def _income_tax(
        self, request: CalculationRequest[Any, Any], tables: IncomeTaxWithholding, payable: Decimal,
        out: ResultBuilder,
    ) -> Decimal:
        employee: Employee = request.employee
        earnings = request.earnings
        on_bonus, aggregated = supplemental_split(
            tables, employee, earnings.bonus, request.year_to_date.supplemental_wages, out
        )
        wages = earnings.current + aggregated
        if wages:
            on_wages = worksheet_1a(tables, employee, str(request.pay_frequency), wages, out)
        else:
            # A bonus paid on its own at the flat rate is not a regular payroll: Worksheet 1A (and its
            # Step 4(c) extra amount) applies to regular wages only.
            out.step("no regular wages in this payment", "0", "Worksheet 1A not applied")
            on_wages = ZERO
        withheld = on_wages + on_bonus
        if withheld > payable:
            # An employer can only withhold from wages it actually pays (for example a large Step 4(c)
            # amount on a small payment); FICA is taken first.
            out.step("income tax limited to pay", max(ZERO, payable), f"{withheld} exceeds pay left after FICA")
            withheld = max(ZERO, payable)
        return withheld

    @staticmethod
    def _lines(out: ResultBuilder, gross: Decimal, income_tax: Decimal, fica: FicaTaxes) -> None:
        out.line("us.federal_income_tax", employee=income_tax, base=gross)
        out.line("us.social_security", employee=fica.social_security_employee,
            employer=fica.social_security_employer, base=fica.social_security_wages,
        )
        out.line("us.medicare", employee=fica.medicare_employee, employer=fica.medicare_employer,
            base=fica.medicare_wages,
        )
        out.line("us.additional_medicare", employee=fica.additional_medicare,
            base=fica.additional_medicare_wages,
        )

    @staticmethod
    def _next_year_to_date(
        request: CalculationRequest[Any, Any], ytd: YearToDate, income_tax: Decimal, fica: FicaTaxes
    ) -> YearToDate:
        return YearToDate(
            tax_year=request.pay_date.year,
            social_security_wages=ytd.social_security_wages + fica.social_security_wages,
            medicare_wages=ytd.medicare_wages + fica.medicare_wages,
            supplemental_wages=ytd.supplemental_wages + request.earnings.bonus,
            federal_income_tax=ytd.federal_income_tax + income_tax,
            social_security_tax=ytd.social_security_tax + fica.social_security_employee,
            medicare_tax=ytd.medicare_tax + fica.medicare_employee + fica.additional_medicare,
        )
