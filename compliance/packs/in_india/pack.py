"""India: monthly TDS on salary under the new regime, and EPF/EPS/EDLI contributions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.labour import LabourLaw
from compliance.pack import Pack
from compliance.packs.in_india import income_tax, provident_fund
from compliance.packs.in_india.schemas import Employee, IncomeTaxParameters, ProvidentFundParameters, YearToDate
from compliance.rounding import CENT

TAX_SERIES = "income_tax"
PF_SERIES = "provident_fund"


class IndiaPack(Pack):
    country: ClassVar[str] = "IN"
    name: ClassVar[str] = "India"
    currency: ClassVar[str] = "INR"
    pack_version: ClassVar[str] = "in-2025.1"
    regions: ClassVar[dict[str, str]] = {}
    holiday_subdivisions: ClassVar[dict[str, str | None]] = {}
    # Section 192 spreads the year's tax over the months of the financial year.
    frequencies: ClassVar[frozenset[PayFrequency]] = frozenset({PayFrequency.MONTHLY})
    employee_schema: ClassVar[type[Employee]] = Employee
    ytd_schema: ClassVar[type[YearToDate]] = YearToDate
    law_year_starts = (4, 1)
    series_types: ClassVar[dict[str, type]] = {TAX_SERIES: IncomeTaxParameters, PF_SERIES: ProvidentFundParameters}
    line_labels = {
        "in.epf": "Employees' Provident Fund",
        "in.eps": "Employees' Pension Scheme",
        "in.edli": "Employees' Deposit Linked Insurance",
        "in.epf_admin": "EPF administrative charges",
        "in.tds": "Income tax (TDS on salary)",
    }
    year_to_date_labels = {"salary": "Taxable salary", "tds": "Income tax (TDS on salary)"}

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """The Factories Act's rate for overtime work."""
        return law.overtime_multipliers.value["overtime"]

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        out = self.results()
        self._provident_fund(out, request)
        year_to_date = self._income_tax(out, request)
        return out.build(request, year_to_date)

    def _provident_fund(self, out: ResultBuilder, request: CalculationRequest[Employee, YearToDate]) -> None:
        version = self.series[PF_SERIES].in_force(request.pay_date)
        out.used(PF_SERIES, version)
        if not request.employee.pf_member:
            out.step("provident fund", "not a member")
            return
        # Basic wages (basic pay and dearness allowance) are the regular pay; overtime, allowances such as HRA,
        # and bonus are outside "basic wages" (EPF & MP Act s.2(b)).
        pf = provident_fund.contributions(version.parameters, request.earnings.regular, request.employee)
        out.step("PF wages", pf.pf_wages, f"basis: {request.employee.pf_wage_basis}")
        out.step("pension wages", pf.pension_wages, "capped at the wage ceiling")
        out.line("in.epf", employee=_paise(pf.employee), employer=_paise(pf.employer_pf),
                 base=pf.pf_wages)
        out.line("in.eps", employer=_paise(pf.employer_pension), base=pf.pension_wages)
        out.line("in.edli", employer=_paise(pf.edli),
                 base=min(pf.pf_wages, version.parameters.wage_ceiling.value))
        out.line("in.epf_admin", employer=_paise(pf.admin_charges), base=pf.pf_wages)

    def _income_tax(self, out: ResultBuilder, request: CalculationRequest[Employee, YearToDate]) -> YearToDate:
        version = self.series[TAX_SERIES].in_force(request.pay_date)
        out.used(TAX_SERIES, version)
        params: IncomeTaxParameters = version.parameters
        resident = request.employee.resident
        so_far = self._this_years(request.year_to_date, request.pay_date)
        months_left = income_tax.months_left_including(request.pay_date.month)
        earnings = request.earnings

        regular_year = so_far.salary + earnings.current * months_left
        out.step("estimated salary of the year", regular_year,
                 f"{so_far.salary} paid so far + {earnings.current} x {months_left} months to March")
        regular = income_tax.annual_tax(params, regular_year, resident)
        self._trace_annual(out, "without this month's bonus", regular)
        with_bonus = regular
        if earnings.bonus:
            with_bonus = income_tax.annual_tax(params, regular_year + earnings.bonus, resident)
            self._trace_annual(out, "with this month's bonus", with_bonus)

        bonus_tax = with_bonus.payable - regular.payable
        tds = income_tax.monthly_deduction(regular.payable, bonus_tax, so_far.tds, months_left)
        out.step("TDS this month", tds,
                 f"({regular.payable} - {so_far.tds} deducted) / {months_left}, rounded to the rupee, + {bonus_tax}")
        out.line("in.tds", employee=_paise(tds), base=earnings.gross)
        return YearToDate(
            financial_year=income_tax.financial_year_of(request.pay_date.month, request.pay_date.year),
            salary=so_far.salary + earnings.gross,
            tds=so_far.tds + tds,
        )

    @staticmethod
    def _trace_annual(out: ResultBuilder, which: str, tax: income_tax.AnnualTax) -> None:
        out.step(f"total income ({which})", tax.total_income, "after the standard deduction, to the nearest 10")
        out.step(f"tax on slabs ({which})", _paise(tax.slab_tax))
        out.step(f"section 87A rebate ({which})", _paise(tax.rebate), "with marginal relief above the limit")
        out.step(f"surcharge ({which})", _paise(tax.surcharge), "with marginal relief")
        out.step(f"health and education cess ({which})", _paise(tax.cess))
        out.step(f"tax of the year ({which})", tax.payable, "rounded to the nearest 10 (s.288B)")

    @staticmethod
    def _this_years(totals: YearToDate, pay_date: date) -> YearToDate:
        """Figures of another financial year do not count: section 192 estimates each April-March year afresh.
        Figures without a year are taken as the pay date's."""
        year = income_tax.financial_year_of(pay_date.month, pay_date.year)
        return totals if totals.financial_year in (None, year) else YearToDate(financial_year=year)


def _paise(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)
