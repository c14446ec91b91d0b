"""Japan (JP): monthly 源泉徴収 (電算機計算の特例, 甲欄), social and employment insurance, labour minimums."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput
from compliance.labour import LabourLaw
from compliance.pack import LABOUR_SERIES, Pack
from compliance.packs.jp_japan import social_insurance as si
from compliance.packs.jp_japan.parameters import (
    ChildSupport,
    EmploymentInsurance,
    HealthInsurance,
    Pension,
    StandardRemuneration,
    WithholdingTables,
)
from compliance.packs.jp_japan.regions import PREFECTURES
from compliance.packs.jp_japan.schemas import ExplicitPremiums, JapanEmployee, JapanYearToDate
from compliance.packs.jp_japan.withholding import monthly_withholding

BONUS_NOT_SUPPORTED = INVALID_INPUT + (
    "a bonus (賞与) is not supported yet; calculate it separately with the NTA's "
    "賞与に対する源泉徴収税額の算出率の表"
)
OTSU_NOT_SUPPORTED = INVALID_INPUT + (
    "the employee has not submitted the 扶養控除等申告書, so the 乙欄 applies; this pack computes the 甲欄 "
    "only"
)
COMMUTING_ABOVE_ALLOWANCES = INVALID_INPUT + "tax_exempt_commuting_allowance cannot exceed earnings.allowances"
NOT_WHOLE_YEN = INVALID_INPUT + "earnings.{name} must be a whole number of yen"
PREFECTURE_NEEDED = INVALID_INPUT + "region (prefecture code) is required to compute 協会けんぽ premiums"
BIRTH_DATE_NEEDED = INVALID_INPUT + "date_of_birth is required to compute premiums (介護保険 applies from 40 to 64)"
NO_RATE_FOR_PREFECTURE = INVALID_INPUT + "no 協会けんぽ rate for prefecture {region}"
NOT_A_GRADE_AMOUNT = INVALID_INPUT + "standard_monthly_remuneration {given} is not a 標準報酬月額 grade amount"
PROBLEM_MESSAGES = (
    BONUS_NOT_SUPPORTED, OTSU_NOT_SUPPORTED, COMMUTING_ABOVE_ALLOWANCES, NOT_WHOLE_YEN, PREFECTURE_NEEDED,
    BIRTH_DATE_NEEDED, NO_RATE_FOR_PREFECTURE, NOT_A_GRADE_AMOUNT,
)

ZERO = Decimal("0")

WITHHOLDING = "withholding"
HEALTH = "health_insurance"
CHILD_SUPPORT = "child_support"
PENSION = "pension"
GRADES = "standard_remuneration"
EMPLOYMENT = "employment_insurance"

LINE_LABELS = {
    "jp.health_insurance": "Health insurance",
    "jp.long_term_care_insurance": "Long-term care insurance",
    "jp.child_support_levy": "Child and childcare support levy",
    "jp.employees_pension": "Employees' pension insurance",
    "jp.employment_insurance": "Employment insurance",
    "jp.income_tax": "Income tax withheld (incl. reconstruction surtax)",
}


class JapanPack(Pack):
    country = "JP"
    name = "Japan"
    currency = "JPY"
    pack_version = "jp-2026.1"
    regions: ClassVar[Mapping[str, str]] = PREFECTURES
    holiday_subdivisions: ClassVar[Mapping[str, str | None]] = dict.fromkeys(PREFECTURES)
    frequencies = frozenset({PayFrequency.MONTHLY})
    employee_schema = JapanEmployee
    ytd_schema = JapanYearToDate
    # 地域別最低賃金 are revised each October; health-insurance rates each March (令和 fiscal practice).
    series_year_starts = {LABOUR_SERIES: (10, 1), "health_insurance": (3, 1), "child_support": (4, 1)}
    series_types: ClassVar[Mapping[str, type]] = {
        WITHHOLDING: WithholdingTables,
        HEALTH: HealthInsurance,
        CHILD_SUPPORT: ChildSupport,
        PENSION: Pension,
        GRADES: StandardRemuneration,
        EMPLOYMENT: EmploymentInsurance,
    }
    line_labels = LINE_LABELS
    year_to_date_labels = {
        "gross": "Gross pay", "social_insurance": "Social insurance premiums",
        "income_tax": "Income tax withheld (incl. reconstruction surtax)",
    }

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """Overtime work (時間外労働); the higher rate beyond 60 hours a month and the late-night addition
        depend on when the hours were worked, which a run's overtime hours do not say."""
        return law.overtime_multipliers.value["overtime"]

    def calculate(self, request: CalculationRequest[JapanEmployee, JapanYearToDate]) -> CalculationResult:
        employee = request.employee
        self._refuse_unsupported(request)
        out = self.results()
        earnings = request.earnings
        taxable_pay = earnings.current - employee.tax_exempt_commuting_allowance
        out.step("Current pay (給与等の金額)", earnings.current)
        out.step("Taxable pay (非課税通勤手当を除く)", taxable_pay)

        if employee.premiums is not None:
            premiums = self._explicit_premiums(employee.premiums, out)
        else:
            premiums = self._computed_premiums(request, out)

        tables = self._in_force(WITHHOLDING, request.pay_date, out)
        result = monthly_withholding(tables, taxable_pay - premiums, employee.dependants)
        out.step("社会保険料等控除後の給与等の金額 (A)", result.taxable_pay, "taxable pay less employee premiums")
        out.step("給与所得控除の額 (別表第一)", result.employment_income_deduction, "1円未満切上げ")
        per_person = tables.deduction_per_dependant.value
        out.step("扶養控除等の額 (別表第二)", result.dependant_deduction, f"{employee.dependants} × {per_person}")
        out.step("基礎控除の額 (別表第三)", result.basic_deduction)
        out.step("課税給与所得金額 (B)", result.taxable_income)
        out.step("税額 before rounding (別表第四)", result.tax_before_rounding)
        out.step("源泉徴収税額", result.tax, "10円未満四捨五入; includes 復興特別所得税")
        out.line("jp.income_tax", employee=result.tax, base=result.taxable_pay)
        return out.build(request, self._year_to_date(request, premiums, result.tax))

    # -- refusals ------------------------------------------------------------------------------

    def _refuse_unsupported(self, request: CalculationRequest[JapanEmployee, JapanYearToDate]) -> None:
        employee, earnings = request.employee, request.earnings
        if earnings.bonus:
            self._invalid(BONUS_NOT_SUPPORTED)
        if not employee.declaration_submitted:
            self._invalid(OTSU_NOT_SUPPORTED)
        if employee.tax_exempt_commuting_allowance > earnings.allowances:
            self._invalid(COMMUTING_ABOVE_ALLOWANCES)
        for name in ("regular", "overtime", "allowances"):
            amount = getattr(earnings, name)
            if amount != amount.to_integral_value():
                self._invalid(NOT_WHOLE_YEN, name=name)

    def _invalid(self, template: str, **params: Any) -> NoReturn:
        raise InvalidCalculationInput(template, country=self.country, **params)

    def employee_needs(self, employee: JapanEmployee, region: str | None) -> list[str]:
        """Premiums the pack computes (協会けんぽ by prefecture, 介護保険 from age 40 to 64) need the prefecture and
        the date of birth; premiums given explicitly, or no social insurance, need neither."""
        if employee.premiums is not None or not employee.social_insurance:
            return []
        return [name for name, value in (("date_of_birth", employee.date_of_birth), ("region", region))
                if value is None]

    # -- premiums ------------------------------------------------------------------------------

    def _explicit_premiums(self, given: ExplicitPremiums, out: ResultBuilder) -> Decimal:
        out.step("Social-insurance premiums", "given", "employee shares supplied by the employer")
        lines = (
            ("jp.health_insurance", given.health_insurance),
            ("jp.long_term_care_insurance", given.long_term_care_insurance),
            ("jp.child_support_levy", given.child_support_levy),
            ("jp.employees_pension", given.employees_pension),
            ("jp.employment_insurance", given.employment_insurance),
        )
        for code, amount in lines:
            if amount:
                out.line(code, employee=amount)
        return sum((amount for _, amount in lines), ZERO)

    def _computed_premiums(
        self, request: CalculationRequest[JapanEmployee, JapanYearToDate], out: ResultBuilder
    ) -> Decimal:
        employee = request.employee
        total = ZERO
        if employee.social_insurance:
            total += self._social_insurance(request, out)
        if employee.employment_insurance:
            total += self._employment_insurance(request, out)
        return total

    def _social_insurance(
        self, request: CalculationRequest[JapanEmployee, JapanYearToDate], out: ResultBuilder
    ) -> Decimal:
        birth = request.employee.date_of_birth
        if request.region is None:
            self._invalid(PREFECTURE_NEEDED)
        if birth is None:
            self._invalid(BIRTH_DATE_NEEDED)
        month = si.premium_month(request.pay_date, request.employee.premium_month)
        out.step("Premium month (保険料の対象月)", month.strftime("%Y-%m"), request.employee.premium_month)
        grades = self._in_force(GRADES, month, out)
        standard = self._standard_remuneration(grades, request, out)
        total = ZERO
        if si.health_insurance_applies(birth, month):
            total += self._health_and_care(month, request.region, birth, standard, out)
            total += self._child_support(month, standard, out)
        else:
            out.step("Health insurance", "none", "75 or over: 後期高齢者医療制度")
        if si.pension_applies(birth, month):
            total += self._pension(grades, month, standard, out)
        else:
            out.step("Employees' pension", "none", "70 or over")
        return total

    def _pension(self, grades: StandardRemuneration, month: date, standard: Decimal, out: ResultBuilder) -> Decimal:
        pension_standard = si.pension_standard(standard, grades.pension_minimum.value, grades.pension_maximum.value)
        pension = si.split(pension_standard, self._in_force(PENSION, month, out).rate.value)
        out.step("Pension standard remuneration (厚生年金)", pension_standard)
        out.line("jp.employees_pension", employee=pension.employee, employer=pension.employer,
                 base=pension_standard)
        return pension.employee

    def _health_and_care(self, month: date, region: str, birth: date, standard: Decimal, out: ResultBuilder) -> Decimal:
        rates = self._in_force(HEALTH, month, out)
        health_rate = rates.rates.value.get(region)
        if health_rate is None:
            self._invalid(NO_RATE_FOR_PREFECTURE, region=region)
        care_applies = si.care_insurance_applies(birth, month)
        care_rate = rates.long_term_care_rate.value if care_applies else ZERO
        out.step("Health insurance rate", health_rate, f"協会けんぽ prefecture {region}")
        out.step("Long-term care insurance rate", care_rate, "age 40-64" if care_applies else "not 40-64")
        health, care = si.health_and_care(standard, health_rate, care_rate)
        out.line("jp.health_insurance", employee=health.employee, employer=health.employer,
                 base=standard)
        if care_applies:
            out.line("jp.long_term_care_insurance", employee=care.employee, employer=care.employer,
                     base=standard)
        return health.employee + care.employee

    def _child_support(self, month: date, standard: Decimal, out: ResultBuilder) -> Decimal:
        rate = self._in_force(CHILD_SUPPORT, month, out).rate.value
        if not rate:
            return ZERO
        share = si.split(standard, rate)
        out.step("Child and childcare support levy rate", rate)
        out.line("jp.child_support_levy", employee=share.employee, employer=share.employer,
                 base=standard)
        return share.employee

    def _standard_remuneration(
        self, grades: StandardRemuneration, request: CalculationRequest[JapanEmployee, JapanYearToDate],
        out: ResultBuilder,
    ) -> Decimal:
        given = request.employee.standard_monthly_remuneration
        table = grades.health_grades.value
        if given is not None:
            if given not in {grade.standard for grade in table}:
                self._invalid(NOT_A_GRADE_AMOUNT, given=given)
            out.step("標準報酬月額 (health)", given, "given")
            return given
        # The statute fixes the grade from April-June pay (定時決定) or on hiring; without it, this period's
        # remuneration (including commuting allowances) stands in for it.
        grade = si.grade_for(table, request.earnings.current)
        out.step("標準報酬月額 (health)", grade.standard, f"grade {grade.grade}, derived from this period's pay")
        return grade.standard

    def _employment_insurance(
        self, request: CalculationRequest[JapanEmployee, JapanYearToDate], out: ResultBuilder
    ) -> Decimal:
        # A new fiscal year's rate applies from the first 賃金締切日 on or after 1 April; the pay date stands in
        # for the closing date, which the request does not carry.
        rates = self._in_force(EMPLOYMENT, request.pay_date, out).rates.value[request.employee.business_type]
        wages = request.earnings.gross
        share = si.employment_insurance(wages, rates.employee, rates.employer)
        out.step("Employment insurance rates", f"{rates.employee} / {rates.employer}", request.employee.business_type)
        out.line("jp.employment_insurance", employee=share.employee, employer=share.employer,
                 base=wages)
        return share.employee

    # -- helpers -------------------------------------------------------------------------------

    def _in_force(self, series: str, on: date, out: ResultBuilder) -> Any:
        version = self.series[series].in_force(on)
        out.used(series, version)
        return version.parameters

    def _year_to_date(
        self, request: CalculationRequest[JapanEmployee, JapanYearToDate], premiums: Decimal, tax: Decimal
    ) -> JapanYearToDate:
        year = request.pay_date.year
        before = request.year_to_date
        if before.year != year:
            before = JapanYearToDate(year=year)
        return JapanYearToDate(
            year=year,
            gross=before.gross + request.earnings.gross,
            social_insurance=before.social_insurance + premiums,
            income_tax=before.income_tax + tax,
        )
