"""GB PAYE and Class 1 NI worked by hand from HMRC's specification and the 2025 to 2026 / 2026 to 2027 figures.

Each docstring shows the steps: Tables A free pay (code 1257: £241.92 a week, £1,048.26 a month),
taxable pay rounded down to the pound, rate bands pro-rated to the period at 4 places (rounded down),
tax rounded down to the penny; NI by the exact percentage method (nearest penny, half a penny down).
Figures: HMRC "Rates and thresholds for employers 2025 to 2026",
https://www.gov.uk/guidance/rates-and-thresholds-for-employers-2025-to-2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.registry import pack_for

D = Decimal


def run(pay_date: date, frequency: PayFrequency, pay: str, code: str = "1257L", *,
        ytd: dict[str, Any] | None = None, bonus: str = "0", **employee: Any) -> CalculationResult:
    return pack_for("GB").calculate_raw(
        pay_date=pay_date, pay_frequency=frequency, earnings={"regular": pay, "bonus": bonus},
        employee={"tax_code": code, **employee}, year_to_date=ytd or {},
    )


def tax(result: CalculationResult) -> Decimal:
    return next(line.employee for line in result.lines if line.code == "gb.income_tax")


def nic(result: CalculationResult) -> tuple[Decimal, Decimal]:
    line = next(line for line in result.lines if line.code == "gb.class1_nic")
    return line.employee, line.employer


# -- income tax, rest of UK ------------------------------------------------------------------------------


def test_monthly_basic_rate_and_cumulative_chain() -> None:
    """1257L, £3,000 a month, months 1 and 2 of 2025/26.

    Month 1: 3,000 - 1,048.26 = 1,951.74 -> £1,951 x 20% = £390.20.
    Month 2: pay to date 6,000 - 2,096.52 = 3,903.48 -> £3,903 x 20% = 780.60, less 390.20 paid = £390.40.
    """
    first = run(date(2025, 4, 25), PayFrequency.MONTHLY, "3000")
    assert tax(first) == D("390.20")
    second = run(date(2025, 5, 23), PayFrequency.MONTHLY, "3000", ytd=first.year_to_date)
    assert tax(second) == D("390.40")
    assert second.year_to_date["taxable_pay"] == D("6000")
    assert second.year_to_date["tax_paid"] == D("780.60")
    assert second.year_to_date["tax_year"] == 2025


def test_twelve_chained_months_deduct_the_annual_tax_exactly() -> None:
    """1257L, £3,000 a month for the whole of 2025/26: month 12 taxable pay 36,000 - 12,579.12 = 23,420.88
    -> £23,420 x 20% = £4,684.00, which the twelve deductions must add up to."""
    ytd: dict[str, Any] = {}
    total = D("0")
    for month in range(12):
        pay_date = date(2025 + (month + 3) // 12, (month + 3) % 12 + 1, 25)
        result = run(pay_date, PayFrequency.MONTHLY, "3000", ytd=ytd)
        total += tax(result)
        ytd = result.year_to_date
    assert total == D("4684.00") == ytd["tax_paid"]


def test_monthly_higher_rate() -> None:
    """1257L, £6,000 in month 1: taxable 4,951.74 exceeds the month-1 basic limit 37,700/12 = 3,141.6666
    (rounded up £3,142) -> 628.3333 (37,700 x 20% / 12) + (4,951 - 3,141.6666) x 40% = 723.7333
    -> 1,352.0666 -> £1,352.06."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "6000")) == D("1352.06")


def test_weekly_week_one() -> None:
    """1257L, £600 in week 1: 600 - 241.92 = 358.08 -> £358 x 20% = £71.60."""
    assert tax(run(date(2025, 4, 11), PayFrequency.WEEKLY, "600")) == D("71.60")


def test_fortnightly_uses_the_week_number_of_the_pay_date() -> None:
    """1257L, £1,200 paid 18 April 2025 (week 2): free pay 2 x 241.92 = 483.84; 716.16 -> £716 x 20% = £143.20."""
    assert tax(run(date(2025, 4, 18), PayFrequency.BIWEEKLY, "1200")) == D("143.20")


def test_four_weekly_uses_the_week_number_of_the_pay_date() -> None:
    """1257L, £2,400 paid 2 May 2025 (week 4): free pay 4 x 241.92 = 967.68; 1,432.32 -> £1,432 x 20% = £286.40."""
    assert tax(run(date(2025, 5, 2), PayFrequency.FOUR_WEEKLY, "2400")) == D("286.40")


def test_annual_payment_in_month_twelve() -> None:
    """1257L, £60,000 paid 31 March 2026 (month 12): free pay 12 x 1,048.26 = 12,579.12; taxable £47,420:
    37,700 x 20% = 7,540 + (47,420 - 37,700) x 40% = 3,888 -> £11,428.00."""
    assert tax(run(date(2026, 3, 31), PayFrequency.ANNUAL, "60000")) == D("11428.00")


def test_bonus_is_taxed_with_the_period_pay() -> None:
    """1257L, £3,000 salary and £1,000 bonus in month 1: 4,000 - 1,048.26 -> £2,951 x 20% = £590.20."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "3000", bonus="1000")) == D("590.20")


@pytest.mark.parametrize("code", ["1257M", "1257N", "1257T"])
def test_other_suffixes_are_plain_allowance_codes(code: str) -> None:
    """M, N and T codes give the same free pay as L for the same number: £390.20 on £3,000 in month 1."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "3000", code)) == D("390.20")


def test_zero_t_gives_no_allowance() -> None:
    """0T, £1,000 in month 1: no free pay, £1,000 x 20% = £200.00."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "1000", "0T")) == D("200.00")


# -- week 1/month 1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "flag"), [("1257L M1", False), ("1257LX", False), ("1257L", True)])
def test_month_one_basis_ignores_the_year_to_date(code: str, flag: bool) -> None:
    """1257L on the month 1 basis in month 6 with £15,000 already paid: the payment is taxed alone with
    month-1 free pay and bands -> £390.20 on £3,000, as in month 1."""
    ytd = {"tax_year": 2025, "taxable_pay": "15000", "tax_paid": "1951.00"}
    result = run(date(2025, 9, 25), PayFrequency.MONTHLY, "3000", code, ytd=ytd, week1_month1=flag)
    assert tax(result) == D("390.20")
    assert result.year_to_date["tax_paid"] == D("2341.20")


def test_week_53_is_taxed_on_the_week_one_basis() -> None:
    """Weekly pay on 5 April 2026 falls in week 53 of 2025/26: taxed on the week 1 basis whatever the
    year to date -> £600 - 241.92 -> £358 x 20% = £71.60."""
    ytd = {"tax_year": 2025, "taxable_pay": "31200", "tax_paid": "3720.00"}
    result = run(date(2026, 4, 5), PayFrequency.WEEKLY, "600", ytd=ytd)
    assert tax(result) == D("71.60")
    assert any(step.step == "tax period" and step.value == "week 53" for step in result.trace)


def test_fortnightly_week_54_uses_two_weeks_of_allowance() -> None:
    """Fortnightly pay on 5 April 2026 (week 53, HMRC's "week 54"): week 1 basis for two weeks:
    1,200 - 2 x 241.92 = 716.16 -> £716 x 20% = £143.20 (bands 2 x 725)."""
    assert tax(run(date(2026, 4, 5), PayFrequency.BIWEEKLY, "1200", ytd={"taxable_pay": "31200"})) == D("143.20")


# -- refunds ---------------------------------------------------------------------------------------------


def test_cumulative_code_refunds_overpaid_tax() -> None:
    """1257L month 3, no pay, £6,000 paid to date with £780.60 tax: 6,000 - 3 x 1,048.26 = 2,855.22
    -> £2,855 x 20% = 571.00; 571.00 - 780.60 = a refund of £209.60."""
    ytd = {"tax_year": 2025, "taxable_pay": "6000", "tax_paid": "780.60"}
    result = run(date(2025, 6, 30), PayFrequency.MONTHLY, "0", ytd=ytd)
    assert tax(result) == D("-209.60")
    assert result.totals.net == D("209.60")


def test_refund_never_exceeds_tax_paid() -> None:
    """1257L month 2, no pay, £1,000 paid to date with £10 tax (an earlier emergency code): free pay
    2,096.52 exceeds pay, tax due is nil, and only the £10 paid comes back."""
    ytd = {"tax_year": 2025, "taxable_pay": "1000", "tax_paid": "10.00"}
    assert tax(run(date(2025, 5, 30), PayFrequency.MONTHLY, "0", ytd=ytd)) == D("-10.00")


def test_week_one_basis_never_refunds() -> None:
    """On the week 1/month 1 basis the payment stands alone: pay below free pay means nil tax, not a refund."""
    ytd = {"tax_year": 2025, "taxable_pay": "3000", "tax_paid": "390.20"}
    assert tax(run(date(2025, 5, 30), PayFrequency.MONTHLY, "500", ytd=ytd, week1_month1=True)) == D("0")


# -- K codes and the regulatory limit ---------------------------------------------------------------------


def test_k_code_adds_pay() -> None:
    """K475, £2,000 in month 1: additional pay (4,759 / 12 = 396.583.. -> 396.59); 2,396.59 -> £2,396 x 20%
    = £479.20, below the limit of 50% of £2,000."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "2000", "K475")) == D("479.20")


def test_k_code_is_capped_at_half_the_pay_and_the_shortfall_carries_forward() -> None:
    """K1000 on £500 a month. Additional pay: one block £416.67 + code 500 (5,009/12 -> 417.42) = 834.09.

    Month 1: 1,334.09 -> £1,334 x 20% = 266.80, capped at 50% x 500 = £250.00.
    Month 2: 1,000 + 1,668.18 = 2,668.18 -> 533.60 - 250.00 = 283.60, capped again at £250.00
    (the £16.80 not deducted in month 1 stays owed because tax paid to date is what was deducted).
    """
    first = run(date(2025, 4, 30), PayFrequency.MONTHLY, "500", "K1000")
    assert tax(first) == D("250.00")
    assert any(step.step == "regulatory limit" for step in first.trace)
    second = run(date(2025, 5, 30), PayFrequency.MONTHLY, "500", "K1000", ytd=first.year_to_date)
    assert tax(second) == D("250.00")


def test_regulatory_limit_covers_suffix_codes_too() -> None:
    """1257L month 6 after an underpayment (£15,000 paid, no tax deducted): tax due 15,600 - 6,289.56 ->
    £9,310 x 20% = 1,862.00, but on £600 of pay only 50% = £300.00 may be deducted."""
    ytd = {"tax_year": 2025, "taxable_pay": "15000", "tax_paid": "0"}
    assert tax(run(date(2025, 9, 30), PayFrequency.MONTHLY, "600", ytd=ytd)) == D("300.00")


# -- BR, D and NT ---------------------------------------------------------------------------------------


def test_basic_rate_code_cumulative() -> None:
    """BR: month 1 £1,000.75 -> £1,000 x 20% = 200.00; month 2 pay to date 2,001.50 -> £2,001 x 20%
    = 400.20 less 200.00 = £200.20."""
    first = run(date(2025, 4, 30), PayFrequency.MONTHLY, "1000.75", "BR")
    assert tax(first) == D("200.00")
    assert tax(run(date(2025, 5, 30), PayFrequency.MONTHLY, "1000.75", "BR", ytd=first.year_to_date)) == D("200.20")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("D0", "800.00"), ("D1", "900.00"), ("CD0", "800.00"), ("SBR", "400.00"), ("SD0", "420.00"),
     ("SD1", "840.00"), ("SD2", "900.00"), ("SD3", "960.00")],
)
def test_flat_rate_codes(code: str, expected: str) -> None:
    """£2,000 in month 1: D0 40%, D1 45% (rest of UK and Wales); SBR 20% (the Scottish basic rate, not the
    starter rate); SD0 intermediate 21%, SD1 higher 42%, SD2 advanced 45%, SD3 top 48%."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "2000", code)) == D(expected)


def test_nt_deducts_and_repays_nothing() -> None:
    """NT: no tax, and no refund of tax paid earlier (PAYE Regulations 2003, regulation 33)."""
    ytd = {"tax_year": 2025, "taxable_pay": "3000", "tax_paid": "390.20"}
    assert tax(run(date(2025, 5, 30), PayFrequency.MONTHLY, "5000", "NT", ytd=ytd)) == D("0")


# -- Scotland and Wales ---------------------------------------------------------------------------------


def test_scottish_code_uses_scottish_bands() -> None:
    """S1257L, £3,000 in month 1 of 2025/26: taxable £1,951 lies in the intermediate band (month-1 limits
    235.5833 / 1,243.4166 / 2,591). Tax of the bands below: (2,827 x 19% + 12,094 x 20%) / 12 = 246.3275;
    plus (1,951 - 1,243.4166) x 21% = 148.5925 -> 394.9200 -> £394.92."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "3000", "S1257L")) == D("394.92")


def test_scottish_2026_27_bands() -> None:
    """S1257L, £3,000 in month 1 of 2026/27: starter band 3,967, basic to 16,956 (month 1: 1,413 exactly).
    (3,967 x 19% + 12,989 x 20%) / 12 = 279.2941; (1,951 - 1,413) x 21% = 112.98 -> £392.27."""
    assert tax(run(date(2026, 4, 30), PayFrequency.MONTHLY, "3000", "S1257L")) == D("392.27")


def test_welsh_code_uses_welsh_rates_equal_to_the_rest_of_uk() -> None:
    """C1257L, £3,000 in month 1: Welsh rates are 20/40/45% for 2025/26 -> £390.20, as for 1257L."""
    assert tax(run(date(2025, 4, 30), PayFrequency.MONTHLY, "3000", "C1257L")) == D("390.20")


def test_region_does_not_choose_the_tax_regime() -> None:
    """An employee working in Scotland on a code without S pays rest-of-UK rates: the code decides."""
    result = pack_for("GB").calculate_raw(
        pay_date=date(2025, 4, 30), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "3000"},
        employee={"tax_code": "1257L"}, year_to_date={}, region="SCT",
    )
    assert tax(result) == D("390.20")


def test_a_new_tax_year_restarts_the_cumulative_figures() -> None:
    """Year-to-date figures of 2025/26 do not count in April 2026: month 1 of 2026/27 again gives £390.20."""
    ytd = {"tax_year": 2025, "taxable_pay": "36000", "tax_paid": "4684.00", "employee_nic": "1500"}
    result = run(date(2026, 4, 30), PayFrequency.MONTHLY, "3000", ytd=ytd)
    assert tax(result) == D("390.20")
    assert result.year_to_date["taxable_pay"] == D("3000")
    assert result.year_to_date["tax_year"] == 2026


# -- National Insurance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "employee", "employer"),
    [
        ("A", "58.66", "135.60"),  # 8% x 725 + 2% x 33; 15% x (1,000 - 96)
        ("B", "14.07", "135.60"),  # 1.85% x 725 = 13.4125 + 0.66 = 14.0725 -> 14.07
        ("C", "0.00", "135.60"),  # nothing for the employee over State Pension age
        ("H", "58.66", "4.95"),  # apprentice: employer 0% up to the AUST £967, 15% x 33
        ("J", "15.16", "135.60"),  # deferred: 2% x (1,000 - 242)
        ("M", "58.66", "4.95"),  # under 21: employer 0% up to the UST £967
        ("Z", "15.16", "4.95"),
    ],
)
def test_categories_on_1000_a_week(category: str, employee: str, employer: str) -> None:
    """£1,000 in a week of 2025/26: PT £242, ST £96, UEL/UST/AUST £967."""
    result = run(date(2025, 6, 6), PayFrequency.WEEKLY, "1000", ni_category=category)
    assert nic(result) == (D(employee), D(employer))


def test_monthly_nic_above_the_upper_earnings_limit() -> None:
    """£6,000 a month: employee 8% x (4,189 - 1,048) = 251.28 + 2% x 1,811 = 36.22 -> £287.50;
    employer 15% x (6,000 - 417) = £837.45."""
    assert nic(run(date(2025, 4, 30), PayFrequency.MONTHLY, "6000")) == (D("287.50"), D("837.45"))


def test_multi_week_periods_multiply_the_weekly_thresholds() -> None:
    """Fortnightly £1,200: PT 484, ST 192 -> 8% x 716 = 57.28, 15% x 1,008 = 151.20.
    Four-weekly £2,400: PT 968, ST 384 -> 8% x 1,432 = 114.56, 15% x 2,016 = 302.40."""
    assert nic(run(date(2025, 4, 18), PayFrequency.BIWEEKLY, "1200")) == (D("57.28"), D("151.20"))
    assert nic(run(date(2025, 5, 2), PayFrequency.FOUR_WEEKLY, "2400")) == (D("114.56"), D("302.40"))


def test_annual_earnings_period() -> None:
    """£60,000 in one annual period: 8% x (50,270 - 12,570) = 3,016.00 + 2% x 9,730 = 194.60 -> £3,210.60;
    employer 15% x 55,000 = £8,250.00."""
    assert nic(run(date(2026, 3, 31), PayFrequency.ANNUAL, "60000")) == (D("3210.60"), D("8250.00"))


def test_half_a_penny_is_disregarded() -> None:
    """Regulation 12(1): a halfpenny or less is dropped. Category B, £252 a week: 1.85% x 10 = 0.185 -> £0.18.
    Employer on £96.70: 15% x 0.70 = 0.105 -> £0.10. On £96.71: 0.1065 -> £0.11."""
    assert nic(run(date(2025, 6, 6), PayFrequency.WEEKLY, "252", ni_category="B"))[0] == D("0.18")
    assert nic(run(date(2025, 6, 6), PayFrequency.WEEKLY, "96.70"))[1] == D("0.10")
    assert nic(run(date(2025, 6, 6), PayFrequency.WEEKLY, "96.71"))[1] == D("0.11")


def test_earnings_below_the_thresholds_pay_nothing() -> None:
    """£90 a week is below the ST (£96) and the PT (£242): no contributions either side."""
    assert nic(run(date(2025, 6, 6), PayFrequency.WEEKLY, "90")) == (D("0"), D("0"))


def test_year_to_date_accumulates_nic() -> None:
    """Two monthly payments of £3,000: employee 8% x 1,952 = 156.16 each; employer 15% x 2,583 = 387.45 each."""
    first = run(date(2025, 4, 30), PayFrequency.MONTHLY, "3000")
    second = run(date(2025, 5, 30), PayFrequency.MONTHLY, "3000", ytd=first.year_to_date)
    assert second.year_to_date["employee_nic"] == D("312.32")
    assert second.year_to_date["employer_nic"] == D("774.90")
    assert second.parameter_versions == {"paye": "gb-paye-2025-26", "nic": "gb-nic-2025-26"}
