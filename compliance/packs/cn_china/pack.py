"""China (CN): wage withholding of individual income tax, city social insurance and housing fund.

Scope and choices:
- Resident individuals' wages only (工资、薪金所得, 居民个人); monthly pay. Non-residents are not supported.
- 大病医疗 and the 3,600 vocational-certificate deduction are annual and left to the annual settlement (汇算清缴).
- Contributions use the declared base (last year's average wage) or, when none is given, this month's current pay,
  clamped per item to the city's floor and ceiling; they are charged once a month.
- Without a region no city contributions are computed; ``external_special_deductions`` then carries 三险一金.
- Every city figure carries its verification status; see each data file's citations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput, NoParametersInForce
from compliance.labour import LabourLaw
from compliance.pack import Pack
from compliance.packs.cn_china.contributions import HOUSING_FUND_RATE, WORK_INJURY_RATE, Charge, city_charges
from compliance.packs.cn_china.iit import monthly_special_additional, separate_bonus_tax, tax_by_table
from compliance.packs.cn_china.schemas import (
    ZERO,
    BonusParameters,
    CitySocialInsurance,
    Employee,
    IncomeTaxParameters,
    PartTimeMinimumWage,
    SpecialAdditionalDeductions,
    YearToDate,
)

YEAR_TO_DATE_AFTER_PAY_DATE = INVALID_INPUT + "year_to_date.tax_year {ytd_year} is after the pay date"
LAST_PAY_MONTH_AFTER_PAY_DATE = INVALID_INPUT + "year_to_date.last_pay_month is after the pay date's month"
TIER2_NOT_OFFERED = INVALID_INPUT + "employee.medical_tier tier2 is not offered in {city}"
TIER2_NOT_FOR_LOCAL_HUKOU = INVALID_INPUT + "employee.medical_tier tier2 is only open to employees without local hukou"
FIRST_JOB_BEFORE_JULY_2020 = INVALID_INPUT + "employee.first_job_this_year is not available before July 2020"
LOW_INCOME_BEFORE_2021 = INVALID_INPUT + "employee.prior_year_low_income is not available before 2021"
PROBLEM_MESSAGES = (
    YEAR_TO_DATE_AFTER_PAY_DATE, LAST_PAY_MONTH_AFTER_PAY_DATE, TIER2_NOT_OFFERED, TIER2_NOT_FOR_LOCAL_HUKOU,
    FIRST_JOB_BEFORE_JULY_2020, LOW_INCOME_BEFORE_2021,
)

IIT = "iit"
BONUS = "annual_bonus"
SPECIAL_ADDITIONAL = "special_additional_deductions"
SOCIAL_INSURANCE = "social_insurance"
PART_TIME_MINIMUM_WAGE = "part_time_minimum_wage"
#: 三险一金: the employee's shares that are deductible as 专项扣除 (个人所得税法 第六条).
SPECIAL_DEDUCTION_CODES = frozenset({"cn.pension", "cn.medical", "cn.unemployment", "cn.housing_fund"})


class ChinaPack(Pack):
    country = "CN"
    name = "China"
    currency = "CNY"
    pack_version = "cn-2025.1"
    frequencies = frozenset({PayFrequency.MONTHLY})
    employee_schema = Employee
    ytd_schema = YearToDate
    # 社保年度 from 1 July; cities publish the new bases weeks or months late, and employers settle (补差).
    carry_forward_series = frozenset({SOCIAL_INSURANCE})
    series_year_starts = {SOCIAL_INSURANCE: (7, 1)}
    series_types = {
        IIT: IncomeTaxParameters,
        BONUS: BonusParameters,
        SPECIAL_ADDITIONAL: SpecialAdditionalDeductions,
        SOCIAL_INSURANCE: CitySocialInsurance,
        PART_TIME_MINIMUM_WAGE: PartTimeMinimumWage,
    }
    line_labels = {
        "cn.iit": "Individual income tax",
        "cn.iit_bonus": "Individual income tax on annual one-off bonus",
        "cn.pension": "Pension insurance",
        "cn.medical": "Medical insurance",
        "cn.unemployment": "Unemployment insurance",
        "cn.maternity": "Maternity insurance",
        "cn.local_supplementary_pension": "Local supplementary pension",
        "cn.work_injury": "Work injury insurance",
        "cn.housing_fund": "Housing provident fund",
    }
    #: the cumulative figures of the withholding method (累计预扣法)
    year_to_date_labels = {
        "income": "Cumulative income", "basic_deduction": "Cumulative basic deduction",
        "special_deductions": "Cumulative special deductions",
        "special_additional_deductions": "Cumulative special additional deductions",
        "tax_withheld": "Cumulative tax withheld", "separate_bonus": "Annual one-off bonus taxed separately",
        "separate_bonus_tax": "Individual income tax on annual one-off bonus",
    }
    occasional_year_to_date = frozenset({"separate_bonus", "separate_bonus_tax"})

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        # The cities are whatever the social-insurance data names: adding a city is adding its files.
        cities = {v.region: v.parameters.city for v in self.series[SOCIAL_INSURANCE].versions if v.region}
        self.regions = dict(sorted(cities.items()))
        # The holidays package has no CN subdivisions; every city keeps the national calendar.
        self.holiday_subdivisions = dict.fromkeys(self.regions)

    # -- employer-chosen rates ---------------------------------------------------------------

    def override_range(self, name: str, request: CalculationRequest[Any, Any]) -> tuple[Decimal, Decimal]:
        if name not in (HOUSING_FUND_RATE, WORK_INJURY_RATE) or request.region is None:
            return super().override_range(name, request)
        city = self.series[SOCIAL_INSURANCE].in_force(request.pay_date, request.region).parameters
        item = city.housing_fund.value if name == HOUSING_FUND_RATE else city.work_injury.value
        return item.min_rate, item.max_rate

    def part_time_minimum_wage(self, on: date, region: str) -> Decimal:
        """Hourly minimum wage for part-time work (非全日制用工, 劳动合同法 第七十二条)."""
        self.require_region(region)
        rates = self.series[PART_TIME_MINIMUM_WAGE].in_force(on).parameters.hourly.value
        if region not in rates:
            raise NoParametersInForce(country=self.country, series=f"{PART_TIME_MINIMUM_WAGE} {region}",
                                      on=on.isoformat())
        return rates[region]

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """Extended hours on a working day (延长工作时间); the rest-day and holiday rates are for work on
        those days, which a run's overtime hours do not name."""
        return law.overtime_multipliers.value["weekday"]

    # -- calculation -------------------------------------------------------------------------

    def calculate(self, request: CalculationRequest[Employee, YearToDate]) -> CalculationResult:
        out = self.results()
        ytd = self._year_so_far(request)
        new_month = request.pay_date.month != ytd.last_pay_month
        out.step("payment opens a new month", new_month, "months and monthly deductions count once per month")
        contributes = self._contributes_this_payment(request, ytd, out)
        charges = self._contributions(request, out) if contributes else []
        for charge in charges:
            out.line(charge.code, employee=charge.employee, employer=charge.employer, base=charge.base)
        special = self._special_deductions(request, charges, contributes, out)
        next_ytd = self._withhold_income_tax(request, ytd, special, new_month, out)
        if contributes:
            next_ytd = msgspec.structs.replace(next_ytd, last_contribution_month=request.pay_date.month)
        return out.build(request, next_ytd)

    def _contributes_this_payment(
        self, request: CalculationRequest[Employee, YearToDate], ytd: YearToDate, out: ResultBuilder,
    ) -> bool:
        """Contributions are monthly: charged with the month's first payment of current pay (or on a declared base),
        so a bonus paid on its own does not carry them, nor does a second run in the same month."""
        charged = request.pay_date.month == ytd.last_contribution_month
        has_base = request.earnings.current > 0 or request.employee.contribution_base is not None
        contributes = not charged and has_base
        out.step("monthly contributions charged with this payment", contributes)
        return contributes

    def _year_so_far(self, request: CalculationRequest[Employee, YearToDate]) -> YearToDate:
        ytd, year = request.year_to_date, request.pay_date.year
        if ytd.tax_year > year:
            raise self._invalid(YEAR_TO_DATE_AFTER_PAY_DATE, ytd_year=ytd.tax_year)
        if ytd.tax_year != year:
            return YearToDate(tax_year=year)
        if ytd.last_pay_month > request.pay_date.month:
            raise self._invalid(LAST_PAY_MONTH_AFTER_PAY_DATE)
        return ytd

    def _contributions(self, request: CalculationRequest[Employee, YearToDate], out: ResultBuilder) -> list[Charge]:
        if request.region is None:
            out.step("city contributions", "none", "no region given: 三险一金 comes from external_special_deductions")
            return []
        version = self.series[SOCIAL_INSURANCE].in_force(request.pay_date, request.region)
        out.used(SOCIAL_INSURANCE, version)
        city = version.parameters
        self._check_medical_tier(city, request.employee)
        out.step("city parameters", f"{city.city} {version.version}", version.verification)
        charges = city_charges(city, request.employee, request.earnings.current, request.overrides)
        for charge in charges:
            out.step(charge.code, f"{charge.employee} / {charge.employer}", charge.note)
        return charges

    def _check_medical_tier(self, city: CitySocialInsurance, employee: Employee) -> None:
        if employee.medical_tier == "tier1":
            return
        if city.medical_tier2 is None:
            raise self._invalid(TIER2_NOT_OFFERED, city=city.city)
        if employee.local_hukou:
            raise self._invalid(TIER2_NOT_FOR_LOCAL_HUKOU)

    def _special_deductions(
        self, request: CalculationRequest[Employee, YearToDate], charges: list[Charge], contributes: bool,
        out: ResultBuilder,
    ) -> Decimal:
        from_city = sum((c.employee for c in charges if c.code in SPECIAL_DEDUCTION_CODES), ZERO)
        external = request.employee.external_special_deductions if contributes and request.region is None else ZERO
        out.step("special deductions this month (三险一金)", from_city + external)
        return from_city + external

    # -- individual income tax ---------------------------------------------------------------

    def _withhold_income_tax(
        self, request: CalculationRequest[Employee, YearToDate], ytd: YearToDate, special: Decimal,
        new_month: bool, out: ResultBuilder,
    ) -> YearToDate:
        pay_date, employee, earnings = request.pay_date, request.employee, request.earnings
        law = self._in_force(IIT, pay_date, out)
        bonus_law = self._bonus_law(request, ytd, out)
        merged_bonus = earnings.bonus if bonus_law is None else ZERO
        deductions = self._in_force(SPECIAL_ADDITIONAL, pay_date, out)
        months = 1 if new_month else 0
        cumulative = msgspec.structs.replace(
            ytd,
            tax_year=pay_date.year,
            months_employed=ytd.months_employed + months,
            last_pay_month=pay_date.month,
            income=ytd.income + earnings.current + merged_bonus,
            basic_deduction=self._basic_deduction(request, ytd, law, months, out),
            special_deductions=ytd.special_deductions + special,
            special_additional_deductions=ytd.special_additional_deductions
            + months * monthly_special_additional(employee, deductions),
            other_deductions=ytd.other_deductions + months * employee.other_deductions,
        )
        tax = self._cumulative_tax(cumulative, law, out)
        cumulative = msgspec.structs.replace(cumulative, tax_withheld=ytd.tax_withheld + tax)
        out.line("cn.iit", employee=tax)
        if bonus_law is not None:
            cumulative = self._tax_bonus_separately(earnings.bonus, bonus_law, cumulative, out)
        return cumulative

    def _basic_deduction(
        self, request: CalculationRequest[Employee, YearToDate], ytd: YearToDate, law: IncomeTaxParameters,
        months: int, out: ResultBuilder,
    ) -> Decimal:
        """累计减除费用: 5,000 × months employed here, or more where a 2020 SAT announcement applies."""
        monthly = law.monthly_basic_deduction.value
        deduction = ytd.basic_deduction + months * monthly
        employee = request.employee
        if employee.first_job_this_year:
            if law.first_job_from_january is None or not law.first_job_from_january.value:
                raise self._invalid(FIRST_JOB_BEFORE_JULY_2020)
            deduction = max(deduction, monthly * request.pay_date.month)
            out.step("first job this year", deduction, "公告2020年第13号: basic deduction counted from January")
        if employee.prior_year_low_income:
            if law.low_income_annual_deduction is None:
                raise self._invalid(LOW_INCOME_BEFORE_2021)
            # The whole year's amount at once; 5,000 × 12 months never exceeds it.
            deduction = law.low_income_annual_deduction.value
            out.step("prior-year low income", deduction, "公告2020年第19号: 60,000 deducted from January")
        return deduction

    def _cumulative_tax(self, cumulative: YearToDate, law: IncomeTaxParameters, out: ResultBuilder) -> Decimal:
        taxable = max(
            cumulative.income - cumulative.basic_deduction - cumulative.special_deductions
            - cumulative.special_additional_deductions - cumulative.other_deductions,
            ZERO,
        )
        out.step("cumulative income", cumulative.income)
        out.step("cumulative basic deduction", cumulative.basic_deduction, f"{cumulative.months_employed} months")
        out.step("cumulative special deductions", cumulative.special_deductions)
        out.step("cumulative special additional deductions", cumulative.special_additional_deductions)
        out.step("cumulative other deductions", cumulative.other_deductions)
        out.step("cumulative taxable income", taxable)
        cumulative_tax, row = tax_by_table(taxable, law.cumulative_rates.value)
        out.step("cumulative tax", cumulative_tax, f"rate {row.rate}, quick deduction {row.quick_deduction}")
        due = cumulative_tax - cumulative.tax_withheld
        # 公告2018年第61号 第六条: a negative balance is not refunded during the year (暂不退税).
        tax = max(due, ZERO)
        out.step("tax to withhold", tax, f"cumulative tax {cumulative_tax} less {cumulative.tax_withheld} withheld")
        return tax

    def _bonus_law(
        self, request: CalculationRequest[Employee, YearToDate], ytd: YearToDate, out: ResultBuilder,
    ) -> BonusParameters | None:
        """The separate method applies on election, once a year (国税发〔2005〕9号 第三条), while the policy runs."""
        bonus = request.earnings.bonus
        if bonus <= 0:
            return None
        reason = ""
        if not request.employee.separate_bonus_taxation:
            reason = "employee did not elect separate taxation"
        elif ytd.separate_bonus > 0:
            reason = "the separate method was already used this year"
        else:
            try:
                return self._in_force(BONUS, request.pay_date, out)
            except NoParametersInForce:
                reason = "the separate method is not in force on the pay date"
        out.step("annual one-off bonus merged into cumulative income", bonus, reason)
        return None

    def _tax_bonus_separately(
        self, bonus: Decimal, law: BonusParameters, cumulative: YearToDate, out: ResultBuilder,
    ) -> YearToDate:
        tax, row = separate_bonus_tax(bonus, law)
        out.step("annual one-off bonus ÷ 12", bonus / law.months_divisor.value,
                 f"rate {row.rate}, quick deduction {row.quick_deduction}")
        out.step("tax on annual one-off bonus", tax, "bonus × rate − quick deduction")
        out.line("cn.iit_bonus", employee=tax, base=bonus)
        return msgspec.structs.replace(
            cumulative,
            separate_bonus=cumulative.separate_bonus + bonus,
            separate_bonus_tax=cumulative.separate_bonus_tax + tax,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _in_force(self, series: str, on: date, out: ResultBuilder) -> Any:
        version = self.series[series].in_force(on)
        out.used(series, version)
        return version.parameters

    def _invalid(self, template: str, **params: Any) -> InvalidCalculationInput:
        return InvalidCalculationInput(template, country=self.country, **params)
