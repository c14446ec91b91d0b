"""Germany: wage tax, solidarity surcharge and church tax by the BMF Programmablaufplan, plus social insurance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.errors import INVALID_INPUT, InvalidCalculationInput
from compliance.pack import Pack
from compliance.packs.de_germany.pap import PapInput, PapResult, run_pap
from compliance.packs.de_germany.parameters import ChurchTaxParameters, SocialInsuranceParameters, WageTaxParameters
from compliance.packs.de_germany.schemas import Employee, YearToDate
from compliance.packs.de_germany.social import InsuranceStatus, contribution_bases, contributions
from compliance.parameters import ParameterVersion
from compliance.rounding import truncate

CHURCH_TAX_NEEDS_LAND = INVALID_INPUT + "church tax needs the region (Land)"
DAILY_BONUS_NEEDS_EXPECTED_PAY = INVALID_INPUT + (
    "year_to_date.expected_annual_current_pay is required with a bonus paid "
    "daily"
)
PROBLEM_MESSAGES = (CHURCH_TAX_NEEDS_LAND, DAILY_BONUS_NEEDS_EXPECTED_PAY,)

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT_UNIT = Decimal("1")
AGE_RELIEF_AGE = 64
SAXONY = "SN"

#: The PAP's Lohnzahlungszeitraum: 1 year, 2 month, 3 week, 4 day.
PAY_PERIODS = {PayFrequency.ANNUAL: 1, PayFrequency.MONTHLY: 2, PayFrequency.WEEKLY: 3, PayFrequency.DAILY: 4}

LANDER = {
    "BW": "Baden-Württemberg", "BY": "Bavaria", "BE": "Berlin", "BB": "Brandenburg", "HB": "Bremen",
    "HH": "Hamburg", "HE": "Hesse", "MV": "Mecklenburg-Western Pomerania", "NI": "Lower Saxony",
    "NW": "North Rhine-Westphalia", "RP": "Rhineland-Palatinate", "SL": "Saarland", "SN": "Saxony",
    "ST": "Saxony-Anhalt", "SH": "Schleswig-Holstein", "TH": "Thuringia",
}


def cents(euros: Decimal) -> Decimal:
    """The PAP works in whole cents."""
    return (euros * HUNDRED).quantize(CENT_UNIT, rounding=ROUND_HALF_UP)


def euros(amount_in_cents: Decimal) -> Decimal:
    return (amount_in_cents / HUNDRED).quantize(Decimal("0.01"))


def age_relief_year(birth: date) -> int:
    """PAP AJAHR: the calendar year after the one in which the 64th year of life is completed.

    A year of life is completed at the end of the day before the birthday (§ 187 Abs. 2, § 188 Abs. 2 BGB)."""
    try:
        birthday = birth.replace(year=birth.year + AGE_RELIEF_AGE)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        birthday = date(birth.year + AGE_RELIEF_AGE, 3, 1)
    return (birthday - timedelta(days=1)).year + 1


class GermanyPack(Pack):
    country = "DE"
    name = "Germany"
    currency = "EUR"
    pack_version = "de-2026.1"
    regions = LANDER
    holiday_subdivisions = {code: code for code in LANDER}
    frequencies = frozenset(PAY_PERIODS)
    employee_schema = Employee
    ytd_schema = YearToDate
    # The BMF publishes the next year's wage-tax program (PAP) and the contribution ceilings in November or
    # December; a January run before then goes provisional and is settled by the year's correction.
    carry_forward_series = frozenset({"wage_tax", "social_insurance"})
    series_types = {
        "wage_tax": WageTaxParameters,
        "social_insurance": SocialInsuranceParameters,
        "church_tax": ChurchTaxParameters,
    }
    line_labels = {
        "de.wage_tax": "Wage tax",
        "de.solidarity_surcharge": "Solidarity surcharge",
        "de.church_tax": "Church tax",
        "de.pension_insurance": "Pension insurance",
        "de.unemployment_insurance": "Unemployment insurance",
        "de.health_insurance": "Health insurance",
        "de.care_insurance": "Long-term care insurance",
    }
    year_to_date_labels = {
        "gross": "Gross pay", "wage_tax": "Wage tax", "solidarity_surcharge": "Solidarity surcharge",
        "church_tax": "Church tax",
    }

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        employee: Employee = request.employee
        ytd = self._year_so_far(request)
        out = self.results()
        tax = self._version("wage_tax", request, out)
        social = self._version("social_insurance", request, out)
        additional_rate = (
            employee.health_additional_rate_percent
            if employee.health_additional_rate_percent is not None
            else social.parameters.health_average_additional_percent.value
        )
        pap_input = self._pap_input(request, tax.parameters, ytd, additional_rate)
        result = run_pap(tax.parameters, pap_input)
        self._trace_pap(out, pap_input, result)
        wage_tax = euros(result.lstlzz + result.sts)
        surcharge = euros(result.solzlzz + result.solzs)
        out.line("de.wage_tax", employee=wage_tax)
        out.line("de.solidarity_surcharge", employee=surcharge)
        church = self._church_tax(request, result, out)
        bases = self._social_insurance(request, social.parameters, ytd, additional_rate, out)
        earnings = request.earnings
        next_ytd = YearToDate(
            tax_year=request.pay_date.year,
            expected_annual_current_pay=ytd.expected_annual_current_pay,
            other_payments=ytd.other_payments + earnings.bonus,
            gross=ytd.gross + earnings.gross,
            wage_tax=ytd.wage_tax + wage_tax,
            solidarity_surcharge=ytd.solidarity_surcharge + surcharge,
            church_tax=ytd.church_tax + church,
            pension_contribution_base=ytd.pension_contribution_base + bases[0],
            health_contribution_base=ytd.health_contribution_base + bases[1],
        )
        return out.build(request, next_ytd)

    # -- inputs --------------------------------------------------------------------------------

    def _version(self, series: str, request: CalculationRequest[Any, Any], out: ResultBuilder) -> ParameterVersion[Any]:
        version = self.series[series].in_force(request.pay_date, request.region)
        out.used(series, version)
        return version

    @staticmethod
    def _year_so_far(request: CalculationRequest[Any, Any]) -> YearToDate:
        """Figures of an earlier tax year do not count; a new year starts from nothing."""
        ytd: YearToDate = request.year_to_date
        if ytd.tax_year is not None and ytd.tax_year != request.pay_date.year:
            return YearToDate(tax_year=request.pay_date.year)
        return ytd

    def _pap_input(
        self, request: CalculationRequest[Any, Any], params: WageTaxParameters, ytd: YearToDate,
        additional_rate: Decimal,
    ) -> PapInput:
        employee: Employee = request.employee
        bonus = request.earnings.bonus
        if employee.church_member and request.region is None:
            raise InvalidCalculationInput(CHURCH_TAX_NEEDS_LAND, country=self.country)
        expected = (self._expected_annual_current_pay(request, ytd) if bonus else ZERO) + ytd.other_payments
        private = employee.health_insurance == "private"
        subsidy = employee.private_health_employer_subsidy_monthly
        age_year = age_relief_year(employee.date_of_birth) if employee.date_of_birth else 0
        return PapInput(
            stkl=employee.tax_class,
            lzz=PAY_PERIODS[request.pay_frequency],
            re4=cents(request.earnings.current),
            af=1 if employee.factor is not None else 0,
            f=employee.factor if employee.factor is not None else ONE,
            ajahr=age_year,
            alter1=1 if age_year and age_year <= request.pay_date.year else 0,
            alv=0 if employee.unemployment_insured else 1,
            jfreib=cents(employee.annual_tax_allowance),
            jhinzu=cents(employee.annual_tax_addition),
            jre4=cents(expected) if bonus else ZERO,
            krv=0 if employee.pension_insured else 1,
            kvz=additional_rate,
            lzzfreib=cents(employee.period_tax_allowance),
            lzzhinzu=cents(employee.period_tax_addition),
            pkpv=cents(employee.private_health_premium_monthly) if private else ZERO,
            pkpvagz=cents(subsidy) if private else ZERO,
            pkv=_private_health_code(params, private, subsidy),
            pva=Decimal(employee.care_child_discounts),
            pvs=1 if request.region == SAXONY else 0,
            pvz=1 if employee.care_childless_surcharge else 0,
            r=1 if employee.church_member else 0,
            sonstb=cents(bonus),
            zkf=employee.child_allowances,
        )

    def _expected_annual_current_pay(self, request: CalculationRequest[Any, Any], ytd: YearToDate) -> Decimal:
        """The year's expected current pay (voraussichtlicher Jahresarbeitslohn, the basis of a bonus's tax): as
        given, or else, per R 39b.6 Abs. 2 LStR, the current pay received so far this year plus this period's,
        plus this period's regular pay for each period left in the year."""
        if ytd.expected_annual_current_pay is not None:
            return ytd.expected_annual_current_pay
        later = periods_left_after(request.pay_date, request.pay_frequency)
        if later is None:
            raise InvalidCalculationInput(DAILY_BONUS_NEEDS_EXPECTED_PAY, country=self.country)
        received = ytd.gross - ytd.other_payments
        return received + request.earnings.current + request.earnings.regular * later

    # -- lines ---------------------------------------------------------------------------------

    def _church_tax(self, request: CalculationRequest[Any, Any], result: PapResult, out: ResultBuilder) -> Decimal:
        """Church wage tax on the PAP's Maßstabsteuer (BK + BKS), cut to whole cents."""
        if not request.employee.church_member:
            return ZERO
        rate = self._version("church_tax", request, out).parameters.rate.value
        base = euros(result.bk + result.bks)
        amount = truncate(base * rate)
        out.step("church tax base (BK + BKS)", base, f"church tax {rate * HUNDRED:.0f} % in {request.region}")
        out.line("de.church_tax", employee=amount, base=base)
        return amount

    def _social_insurance(
        self, request: CalculationRequest[Any, Any], params: SocialInsuranceParameters, ytd: YearToDate,
        additional_rate: Decimal, out: ResultBuilder,
    ) -> tuple[Decimal, Decimal]:
        employee: Employee = request.employee
        earnings = request.earnings
        bases = contribution_bases(
            params, request.pay_date, request.pay_frequency, earnings.current, earnings.bonus,
            ytd.pension_contribution_base, ytd.health_contribution_base,
        )
        out.step("contributory pay, pension/unemployment", bases.pension, "capped at the pro-rata ceiling")
        out.step("contributory pay, health/care", bases.health, "capped at the pro-rata ceiling")
        status = InsuranceStatus(
            pension=employee.pension_insured,
            unemployment=employee.unemployment_insured,
            statutory_health=employee.health_insurance == "statutory",
            additional_rate_percent=additional_rate,
            saxony=request.region == SAXONY,
            childless=employee.care_childless_surcharge,
            child_discounts=employee.care_child_discounts,
        )
        for item in contributions(params, bases, status):
            out.line(item.code, employee=item.employee, employer=item.employer, base=item.base)
        return bases.pension, bases.health

    @staticmethod
    def _trace_pap(out: ResultBuilder, given: PapInput, result: PapResult) -> None:
        out.step("PAP LZZ (pay period)", given.lzz, "1 year, 2 month, 3 week, 4 day")
        out.step("PAP RE4 (current pay, cents)", given.re4)
        out.step("PAP ZRE4J (annual current pay)", result.annual_wage, "§ 39b Abs. 2 Satz 2 EStG, cut to cents")
        out.step("PAP VSP (Vorsorgepauschale)", result.provision_allowance, "§ 39b Abs. 2 Satz 5 Nr. 3 EStG")
        out.step("PAP ZVE (taxable income)", result.taxable_income)
        out.step("PAP LSTJAHR (annual wage tax)", result.annual_wage_tax, "§ 32a EStG tariff, times factor")
        out.step("PAP LSTLZZ (wage tax of the period, cents)", result.lstlzz, "annual tax share cut to cents")
        out.step("PAP JBMG (surcharge and church-tax base)", result.annual_surcharge_base, "with child allowances")
        out.step("PAP SOLZLZZ (surcharge, cents)", result.solzlzz, "§§ 3, 4 SolZG")
        if given.sonstb:
            out.step("PAP SONSTB (other payment, cents)", given.sonstb, "taxed by § 39b Abs. 3 EStG")
            out.step("PAP JRE4 (expected annual pay, cents)", given.jre4, "incl. earlier other payments")
            out.step("PAP STS (wage tax on other payment, cents)", result.sts)
            out.step("PAP SOLZS (surcharge on other payment, cents)", result.solzs)


def periods_left_after(pay_date: date, frequency: PayFrequency) -> int | None:
    """The calendar year's pay periods after the one paid on ``pay_date``; None for daily pay, whose count
    depends on the days worked."""
    if frequency == PayFrequency.MONTHLY:
        return 12 - pay_date.month
    if frequency == PayFrequency.WEEKLY:
        return (date(pay_date.year, 12, 31) - pay_date).days // 7
    if frequency == PayFrequency.ANNUAL:
        return 0
    return None


def _private_health_code(params: WageTaxParameters, private: bool, subsidy: Decimal) -> int:
    """PAP PKV: 0 statutory, 1 private; the 2025 programme codes an employer subsidy as 2."""
    if not private:
        return 0
    return 2 if params.programme.value == "2025" and subsidy > ZERO else 1
