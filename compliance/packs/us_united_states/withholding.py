"""Federal income tax withholding: Pub 15-T Worksheet 1A and the Pub 15 section 7 supplemental-wage rules.

Rounding: Pub 15-T prescribes none inside Worksheet 1A, so each worksheet line that can produce a fraction
of a cent (2f, 2h, 3b) is entered rounded half-up to the cent, as a person completing the worksheet in
dollars and cents would. Flat-rate supplemental withholding is rounded half-up to the cent.
"""

from __future__ import annotations

from decimal import Decimal

from compliance.calculation import ZERO, ResultBuilder
from compliance.packs.us_united_states.parameters import IncomeTaxWithholding, ScheduleRow
from compliance.packs.us_united_states.schemas import SCHEDULE_FOR_STATUS, Employee
from compliance.rounding import half_up


def worksheet_1a(
    tables: IncomeTaxWithholding, employee: Employee, frequency: str, wages: Decimal, out: ResultBuilder
) -> Decimal:
    """Pub 15-T Worksheet 1A: the amount to withhold from this period's wages (line 4b)."""
    if employee.exempt:
        out.step("W-4 exempt", "0", "employee claimed exemption; no Worksheet 1A withholding")
        return ZERO
    periods = Decimal(tables.pay_periods.value[frequency])
    out.step("1a taxable wages this period", wages)
    out.step("1b pay periods per year", periods, frequency)
    adjusted = _adjusted_annual_wage(tables, employee, wages * periods, out)
    annual_tax = _annual_tentative_tax(tables, employee, adjusted, out)
    tentative = half_up(annual_tax / periods)
    out.step("2h tentative withholding amount", tentative, "2g / 1b, rounded half-up to the cent")
    after_credits = _after_credits(employee, tentative, periods, out)
    amount = after_credits + employee.extra_withholding
    out.step("4b amount to withhold", amount, "3c + 4a (Form W-4 Step 4(c))")
    return amount


def _adjusted_annual_wage(
    tables: IncomeTaxWithholding, employee: Employee, annual_wages: Decimal, out: ResultBuilder
) -> Decimal:
    out.step("1c annual wages", annual_wages, "1a x 1b")
    if employee.form_version == "2019_or_earlier":
        allowances = tables.allowance_amount.value * employee.allowances
        out.step("1k allowances", allowances, f"{employee.allowances} x {tables.allowance_amount.value}")
        adjusted = max(ZERO, annual_wages - allowances)
        out.step("1l adjusted annual wage amount", adjusted, "1c - 1k, not below 0")
        return adjusted
    with_other_income = annual_wages + employee.other_income
    out.step("1e annual wages plus other income", with_other_income, "1c + 1d (Form W-4 Step 4(a))")
    adjustment = ZERO if employee.multiple_jobs else _wage_adjustment(tables, employee)
    out.step("1g wage adjustment", adjustment, "0 when the Step 2 box is checked")
    reductions = employee.deductions + adjustment
    out.step("1h deductions plus adjustment", reductions, "1f (Form W-4 Step 4(b)) + 1g")
    adjusted = max(ZERO, with_other_income - reductions)
    out.step("1i adjusted annual wage amount", adjusted, "1e - 1h, not below 0")
    return adjusted


def _wage_adjustment(tables: IncomeTaxWithholding, employee: Employee) -> Decimal:
    joint = SCHEDULE_FOR_STATUS[employee.filing_status] == "married_filing_jointly"
    return tables.wage_adjustment.value["married_filing_jointly" if joint else "other"]


def _annual_tentative_tax(
    tables: IncomeTaxWithholding, employee: Employee, adjusted: Decimal, out: ResultBuilder
) -> Decimal:
    # Pre-2020 forms have no Step 2 box, so they always read the STANDARD schedules.
    checkbox = employee.multiple_jobs and employee.form_version == "2020_or_later"
    group = SCHEDULE_FOR_STATUS[employee.filing_status]
    schedules = tables.checkbox_schedules if checkbox else tables.standard_schedules
    row = schedule_row(schedules.value[group], adjusted)
    kind = "Step 2 checkbox" if checkbox else "STANDARD"
    out.step("2b-2d schedule row", f"{row.at_least} / {row.tentative} / {row.rate}", f"{kind} {group}: A / C / D")
    excess_tax = half_up((adjusted - row.at_least) * row.rate)
    out.step("2f tax on the excess", excess_tax, "(2a - 2b) x 2d, rounded half-up to the cent")
    annual_tax = row.tentative + excess_tax
    out.step("2g annual tentative withholding", annual_tax, "2c + 2f")
    return annual_tax


def schedule_row(rows: list[ScheduleRow], adjusted: Decimal) -> ScheduleRow:
    """The row whose column A is at most the amount and whose column B (the next row's A) exceeds it."""
    chosen = rows[0]
    for row in rows:
        if row.at_least > adjusted:
            break
        chosen = row
    return chosen


def _after_credits(employee: Employee, tentative: Decimal, periods: Decimal, out: ResultBuilder) -> Decimal:
    credit = half_up(employee.dependents_amount / periods)
    out.step("3b credits per period", credit, "Form W-4 Step 3 / 1b, rounded half-up to the cent")
    after_credits = max(ZERO, tentative - credit)
    out.step("3c withholding after credits", after_credits, "2h - 3b, not below 0")
    return after_credits


def supplemental_split(
    tables: IncomeTaxWithholding, employee: Employee, bonus: Decimal, paid_before: Decimal, out: ResultBuilder
) -> tuple[Decimal, Decimal]:
    """Withholding on this bonus outside Worksheet 1A, and the part of the bonus to aggregate into it.

    Pub 15 section 7: the part of the year's supplemental wages over $1 million is withheld at the
    mandatory 37% whatever the Form W-4 says; up to $1 million the employer uses the optional flat
    rate (22%) or the aggregate method, as ``employee.supplemental_method`` records.
    """
    if not bonus:
        return ZERO, ZERO
    threshold = tables.supplemental_mandatory_threshold.value
    over = max(ZERO, paid_before + bonus - threshold) - max(ZERO, paid_before - threshold)
    within = bonus - over
    mandatory = half_up(over * tables.supplemental_mandatory_rate.value)
    out.step("supplemental wages over $1 million", over, f"{paid_before} paid before this payment")
    out.step("supplemental mandatory withholding", mandatory, f"{over} x {tables.supplemental_mandatory_rate.value}")
    if employee.supplemental_method == "aggregate" or employee.exempt:
        # An exempt employee has no regular withholding, so the flat rate may not be used (Pub 15 section 7);
        # aggregating with exempt wages withholds nothing.
        out.step("supplemental wages aggregated", within, "added to this period's wages for Worksheet 1A")
        return mandatory, within
    flat = half_up(within * tables.supplemental_flat_rate.value)
    out.step("supplemental flat-rate withholding", flat, f"{within} x {tables.supplemental_flat_rate.value}")
    return mandatory + flat, ZERO
