"""Singapore: CPF contributions for Singapore Citizens and Permanent Residents, month by month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput
from compliance.labour import LabourLaw
from compliance.pack import Pack
from compliance.packs.sg_singapore import cpf
from compliance.packs.sg_singapore.schemas import AgeBand, CpfParameters, Employee, YearToDate
from compliance.rounding import CENT

BORN_AFTER_PAY_MONTH = INVALID_INPUT + "employee.date_of_birth is after the pay month"
PROBLEM_MESSAGES = (BORN_AFTER_PAY_MONTH,)

CPF_SERIES = "cpf"


class SingaporePack(Pack):
    country: ClassVar[str] = "SG"
    name: ClassVar[str] = "Singapore"
    currency: ClassVar[str] = "SGD"
    pack_version: ClassVar[str] = "sg-2026.1"
    regions: ClassVar[dict[str, str]] = {}
    holiday_subdivisions: ClassVar[dict[str, str | None]] = {}
    # CPF is assessed on the wages of a calendar month.
    frequencies: ClassVar[frozenset[PayFrequency]] = frozenset({PayFrequency.MONTHLY})
    employee_schema: ClassVar[type[Employee]] = Employee
    ytd_schema: ClassVar[type[YearToDate]] = YearToDate
    series_types: ClassVar[dict[str, type]] = {CPF_SERIES: CpfParameters}
    line_labels = {
        "sg.cpf": "CPF contributions",
    }
    year_to_date_labels = {
        "ordinary_wages_subject": "Ordinary wages subject to CPF", "additional_wages_paid": "Additional wages paid",
        "additional_wages_subject": "Additional wages subject to CPF",
    }

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """The Employment Act's rate for overtime work."""
        return law.overtime_multipliers.value["overtime"]

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        employee: Employee = request.employee
        month = request.pay_date.replace(day=1)
        version = self.series[CPF_SERIES].in_force(request.pay_date)
        table: CpfParameters = version.parameters
        out = self.results()
        out.used(CPF_SERIES, version)

        band = self._age_band(out, table, employee, month)
        so_far = self._this_years(request.year_to_date, month)
        final = cpf.is_final_month(month, employee.last_month_of_employment)

        ordinary = request.earnings.current
        additional = request.earnings.bonus
        ordinary_subject = cpf.ordinary_wages_subject(ordinary, table.ordinary_wage_ceiling.value)
        out.step("ordinary wages subject to CPF", ordinary_subject,
                 f"OW {ordinary} capped at the OW ceiling {table.ordinary_wage_ceiling.value}")
        additional_subject = self._additional_wages_subject(
            out, table, so_far, ordinary_subject, additional, month, final,
        )

        wages_subject = ordinary_subject + additional_subject
        share = cpf.contribution(band, table.wage_bands.value, ordinary + additional, wages_subject)
        out.step("wage band", share.wage_band, f"total wages {ordinary + additional}")
        out.step("total CPF contribution", share.total, "rounded to the nearest dollar, 50 cents up")
        out.step("employee's share", share.employee, "cents dropped")
        out.step("employer's share", share.employer, "total less the employee's share")
        out.line("sg.cpf", employee=share.employee.quantize(CENT),
                 employer=share.employer.quantize(CENT), base=wages_subject)

        return out.build(request, YearToDate(
            year=month.year,
            ordinary_wages_subject=so_far.ordinary_wages_subject + ordinary_subject,
            additional_wages_paid=so_far.additional_wages_paid + additional,
            additional_wages_subject=so_far.additional_wages_subject + additional_subject,
        ))

    @staticmethod
    def _additional_wages_subject(
        out: ResultBuilder, table: CpfParameters, so_far: YearToDate, ordinary_subject: Decimal,
        additional: Decimal, month: date, final: bool,
    ) -> Decimal:
        ceiling = cpf.additional_wage_ceiling(
            table.annual_salary_ceiling.value, so_far.ordinary_wages_subject, ordinary_subject, month, final,
        )
        out.step("additional wage ceiling", ceiling,
                 "actual OW of the year" if final else "OW so far plus this month's OW for each month to come")
        subject = cpf.additional_wages_subject(
            additional, so_far.additional_wages_paid, so_far.additional_wages_subject, ceiling, final,
        )
        out.step("additional wages subject to CPF", subject,
                 f"AW {additional}; {so_far.additional_wages_subject} already subject this year")
        return subject

    def _age_band(self, out: ResultBuilder, table: CpfParameters, employee: Employee, month: date) -> AgeBand:
        birth = employee.date_of_birth
        if (birth.year, birth.month) > (month.year, month.month):
            raise InvalidCalculationInput(BORN_AFTER_PAY_MONTH, country=self.country)
        age = cpf.cpf_age(birth, month)
        name, bands = table.table_for(employee)
        band = cpf.age_band(bands, age)
        out.step("rate table", name, f"residency {employee.residency}, SPR rates {employee.spr_rates}")
        out.step("CPF age", age, "birthdays in months before the wage month")
        out.step("age band", f"above {band.above_age}" if band.above_age else "55 and below",
                 f"total {band.total_rate}, employee {band.employee_rate}")
        return band

    @staticmethod
    def _this_years(totals: YearToDate, month: date) -> YearToDate:
        """Totals of another year do not count: the AW ceiling restarts each January. Totals without a year are
        taken as this year's."""
        return totals if totals.year in (None, month.year) else YearToDate(year=month.year)
