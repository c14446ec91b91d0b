"""United Kingdom: PAYE income tax by tax code and Class 1 National Insurance, payment by payment.

The PAYE regime (rest of UK, Scottish or Welsh rates) follows the tax code's S or C prefix, not the
employee's region: HMRC decides who is a Scottish or Welsh taxpayer and tells the employer by the code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput
from compliance.pack import EARNING_LABELS, Pack
from compliance.packs.gb_united_kingdom import nic, paye, tax_code
from compliance.packs.gb_united_kingdom.periods import TaxPeriod, tax_period
from compliance.packs.gb_united_kingdom.schemas import Employee, NicParameters, PayeParameters, YearToDate

YEAR_TO_DATE_AFTER_TAX_YEAR = INVALID_INPUT + (
    "year_to_date.tax_year {ytd_year} is after the pay date's tax year "
    "{tax_year}"
)
PROBLEM_MESSAGES = (YEAR_TO_DATE_AFTER_TAX_YEAR,)

PAYE_SERIES = "paye"
NIC_SERIES = "nic"


class UnitedKingdomPack(Pack):
    country: ClassVar[str] = "GB"
    name: ClassVar[str] = "United Kingdom"
    currency: ClassVar[str] = "GBP"
    pack_version: ClassVar[str] = "gb-2026.1"
    # Employment law and bank holidays differ by nation; income tax does not follow these regions.
    regions: ClassVar[dict[str, str]] = {
        "ENG": "England",
        "NIR": "Northern Ireland",
        "SCT": "Scotland",
        "WLS": "Wales",
    }
    holiday_subdivisions: ClassVar[dict[str, str | None]] = {
        "ENG": "ENG", "NIR": "NIR", "SCT": "SCT", "WLS": "WLS",
    }
    frequencies: ClassVar[frozenset[PayFrequency]] = frozenset({
        PayFrequency.WEEKLY, PayFrequency.BIWEEKLY, PayFrequency.FOUR_WEEKLY,
        PayFrequency.MONTHLY, PayFrequency.ANNUAL,
    })
    employee_schema: ClassVar[type[Employee]] = Employee
    ytd_schema: ClassVar[type[YearToDate]] = YearToDate
    law_year_starts = (4, 6)
    series_types: ClassVar[dict[str, type]] = {PAYE_SERIES: PayeParameters, NIC_SERIES: NicParameters}
    line_labels = {
        "gb.income_tax": "Income tax (PAYE)",
        "gb.class1_nic": "Class 1 National Insurance",
    }
    earning_labels = {**EARNING_LABELS, "base": "Basic pay", "unpaid_leave": "Unpaid absence"}
    year_to_date_labels = {
        "taxable_pay": "Taxable pay", "tax_paid": "Income tax (PAYE)", "employee_nic": "Employee National Insurance",
        "employer_nic": "Employer National Insurance",
    }
    employer_year_to_date = frozenset({"employer_nic"})

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        employee: Employee = request.employee
        code = self._tax_code(employee.tax_code)
        period = tax_period(request.pay_date, request.pay_frequency)
        so_far = self._this_years(request.year_to_date, period)
        out = self.results()
        pay = request.earnings.gross
        out.step("tax period", period.label, f"tax year {period.tax_year}/{(period.tax_year + 1) % 100:02d}")

        tax = self._income_tax(out, request, code, period, so_far)
        contributions = self._national_insurance(out, request, employee)

        return out.build(request, YearToDate(
            tax_year=period.tax_year,
            taxable_pay=so_far.taxable_pay + pay,
            tax_paid=so_far.tax_paid + tax,
            employee_nic=so_far.employee_nic + contributions.employee,
            employer_nic=so_far.employer_nic + contributions.employer,
        ))

    def _income_tax(
        self, out: ResultBuilder, request: CalculationRequest[Any, Any], code: tax_code.TaxCode,
        period: TaxPeriod, so_far: YearToDate,
    ) -> Decimal:
        version = self.series[PAYE_SERIES].in_force(request.pay_date)
        out.used(PAYE_SERIES, version)
        pay = request.earnings.gross
        try:
            result = paye.deduct(
                version.parameters, code, period, week1_month1=request.employee.week1_month1,
                pay=pay, pay_before=so_far.taxable_pay, tax_paid_before=so_far.tax_paid,
            )
        except ValueError as exc:
            raise InvalidCalculationInput(country=self.country, problem=str(exc)) from exc
        basis = "cumulative" if result.cumulative else "week 1/month 1"
        out.step("tax code", code.text, f"{code.kind.value}, {code.regime.value} rates, {basis} basis")
        out.step("pay for PAYE", result.pay_to_date,
                 "pay to date" if result.cumulative else "this payment only")
        if code.kind in (tax_code.CodeKind.ALLOWANCE, tax_code.CodeKind.K):
            out.step("free pay" if code.kind is tax_code.CodeKind.ALLOWANCE else "additional pay",
                     abs(result.pay_adjustment),
                     f"Tables A for code number {code.number} x {result.periods} period(s)")
        out.step("taxable pay", result.taxable_pay, "tax is charged on whole pounds (rounded down)")
        out.step("tax due", result.tax_due, "bands pro-rated to 4 places, result rounded down to the penny")
        if result.cumulative:
            out.step("tax paid to date", so_far.tax_paid)
        if result.limited:
            out.step("regulatory limit", result.tax, f"50% of this payment's pay caps {result.tax_before_limit}")
        out.step("tax this period", result.tax, "a negative figure is a refund")
        out.line("gb.income_tax", employee=result.tax, base=pay)
        return result.tax

    def _national_insurance(
        self, out: ResultBuilder, request: CalculationRequest[Any, Any], employee: Employee,
    ) -> nic.Contributions:
        version = self.series[NIC_SERIES].in_force(request.pay_date)
        out.used(NIC_SERIES, version)
        earnings = request.earnings.gross
        result = nic.contributions(version.parameters, request.pay_frequency, employee.ni_category, earnings)
        limits = result.thresholds
        out.step("NI thresholds", f"LEL {limits.lel} PT {limits.pt} ST {limits.st} UEL {limits.uel}",
                 f"{request.pay_frequency.value} earnings period")
        out.step("employee NI", result.employee,
                 f"category {employee.ni_category}; nearest penny, a halfpenny or less disregarded")
        out.step("employer NI", result.employer, f"category {employee.ni_category}")
        out.line("gb.class1_nic", employee=result.employee,
                 employer=result.employer, base=earnings)
        return result

    def _tax_code(self, text: str) -> tax_code.TaxCode:
        try:
            return tax_code.parse(text)
        except ValueError as exc:
            raise InvalidCalculationInput(country=self.country, problem=str(exc)) from exc

    def _this_years(self, totals: YearToDate, period: TaxPeriod) -> YearToDate:
        """Totals of an earlier tax year do not count: PAYE starts again on 6 April."""
        if totals.tax_year is None or totals.tax_year == period.tax_year:
            return totals
        if totals.tax_year > period.tax_year:
            raise InvalidCalculationInput(YEAR_TO_DATE_AFTER_TAX_YEAR, country=self.country,
                                          ytd_year=totals.tax_year, tax_year=period.tax_year)
        return YearToDate(tax_year=period.tax_year)
