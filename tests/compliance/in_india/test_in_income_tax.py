"""IN income tax under the new regime (s.115BAC) for FY 2025-26 and its monthly TDS (s.192), to the rupee.

Sources:
- SPEECH: Union Budget 2025-26, Budget Speech of the Finance Minister, 1 February 2025, Annexure to Part B,
  "Tax benefit at different income levels" (tax on slabs under the proposed rates and tax after rebate),
  https://www.indiabudget.gov.in/doc/budget_speech.pdf
- MEMO: Memorandum Explaining the Provisions in the Finance Bill, 2025, "Rates of income-tax" and "Rebate under
  section 87A" (rebate up to Rs 60,000 for total income up to Rs 12 lakh; marginal relief above it),
  https://www.indiabudget.gov.in/doc/memo.pdf
- FA2025: Finance Act, 2025 (No. 7 of 2025), First Schedule Part III (rates for deduction at source from salaries
  in FY 2025-26: slabs, surcharge with marginal relief, Health and Education Cess at 4%),
  https://incometaxindia.gov.in/pages/acts/finance-acts.aspx
- ACT: Income-tax Act 1961 s.16(ia) (standard deduction Rs 75,000 under s.115BAC), s.192 (TDS on the estimated
  income of the year), ss.288A/288B (income and tax rounded to the nearest ten rupees),
  https://incometaxindia.gov.in/pages/acts/income-tax-act.aspx
Rounding choice: the year's tax is rounded to Rs 10 (s.288B); each month's TDS is rounded to the rupee, and
March absorbs the remainder so the year's deductions equal the year's tax.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.packs.in_india import income_tax
from compliance.packs.in_india.pack import TAX_SERIES
from compliance.parameters import Verification
from compliance.registry import pack_for

STANDARD_DEDUCTION = Decimal("75000")


def pay(pay_date: date, regular: Decimal | str, *, bonus: Decimal | str = "0", ytd: dict[str, Any] | None = None,
        **employee: Any) -> CalculationResult:
    return pack_for("IN").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": regular, "bonus": bonus}, employee={"pf_member": False, **employee},
        year_to_date=ytd or {},
    )


def tds(result: CalculationResult) -> Decimal:
    (line,) = [line for line in result.lines if line.code == "in.tds"]
    return line.employee


def year_in_march(total_income: Decimal, **employee: Any) -> Decimal:
    """The TDS of March for a year whose salary is total income + the standard deduction and nothing deducted yet:
    with one month left, March's deduction is the whole year's tax."""
    salary = total_income + STANDARD_DEDUCTION
    march = Decimal("100000")
    return tds(pay(date(2026, 3, 31), march, ytd={"financial_year": 2025, "salary": salary - march}, **employee))


def tax_params() -> Any:
    return pack_for("IN").series["income_tax"].in_force(date(2025, 4, 1)).parameters


@pytest.mark.parametrize(
    ("income", "slab_tax", "after_rebate"),
    [
        ("800000", "20000", "0"),
        ("900000", "30000", "0"),
        ("1000000", "40000", "0"),
        ("1100000", "50000", "0"),
        ("1200000", "60000", "0"),
        ("1600000", "120000", "120000"),
        ("2000000", "200000", "200000"),
        ("2400000", "300000", "300000"),
        ("5000000", "1080000", "1080000"),
    ],
)
def test_budget_speech_table_of_tax_at_different_incomes(income: str, slab_tax: str, after_rebate: str) -> None:
    """SPEECH, Annexure to Part B: "Tax on slabs and rates (proposed)" and the tax after the s.87A rebate."""
    result = income_tax.annual_tax(tax_params(), Decimal(income) + STANDARD_DEDUCTION, resident=True)
    assert result.total_income == Decimal(income)
    assert result.slab_tax == Decimal(slab_tax)
    assert result.slab_tax - result.rebate == Decimal(after_rebate)


@pytest.mark.parametrize(
    ("income", "year_tds"),
    [
        ("1200000", "0"),          # rebate wipes out the 60,000
        ("1600000", "124800"),     # 1,20,000 + 4% cess
        ("2000000", "208000"),
        ("2400000", "312000"),
        ("5000000", "1123200"),    # 10,80,000 + 43,200; surcharge starts only above 50 lakh
    ],
)
def test_year_tax_with_cess_deducted_in_march(income: str, year_tds: str) -> None:
    """SPEECH table figures plus the 4% Health and Education Cess of FA2025, deducted through s.192 payroll."""
    assert year_in_march(Decimal(income)) == Decimal(year_tds)


def test_marginal_relief_just_above_twelve_lakh() -> None:
    """MEMO (s.87A marginal relief): total income Rs 12,10,000 -> tax on slabs 61,500, but the tax may not exceed
    the Rs 10,000 of income above Rs 12 lakh: rebate 51,500, tax 10,000, + 4% cess = Rs 10,400."""
    result = income_tax.annual_tax(tax_params(), Decimal("1285000"), resident=True)
    assert (result.total_income, result.slab_tax, result.rebate) == (Decimal("1210000"), Decimal("61500"),
                                                                       Decimal("51500"))
    assert result.payable == Decimal("10400")
    assert year_in_march(Decimal("1210000")) == Decimal("10400")


def test_marginal_relief_ends_where_slab_tax_is_below_the_excess() -> None:
    """MEMO: at Rs 12,75,000 total income the slab tax (71,250) is below the excess (75,000): no relief."""
    assert year_in_march(Decimal("1275000")) == Decimal("74100")  # 71,250 + 2,850 cess


def test_non_residents_get_no_rebate() -> None:
    """ACT s.87A: the rebate is for a resident individual. Rs 12 lakh -> 60,000 + 2,400 cess."""
    assert year_in_march(Decimal("1200000"), resident=False) == Decimal("62400")


@pytest.mark.parametrize(
    ("income", "year_tds"),
    [
        # 50,10,000: slabs 10,83,000; +10% = 11,91,300, but may exceed the tax on 50 lakh (10,80,000) by no more
        # than 10,000 -> 10,90,000; cess 43,600.
        ("5010000", "1133600"),
        # 1,00,10,000: slabs 25,83,000; +15% = 29,70,450; capped at 1 crore's 25,80,000 x 1.10 + 10,000 = 28,48,000.
        ("10010000", "2961920"),
        # 5 crore: slabs 1,45,80,000; +25% (the new regime's highest) = 1,82,25,000; cess 7,29,000.
        ("50000000", "18954000"),
    ],
)
def test_surcharge_with_marginal_relief(income: str, year_tds: str) -> None:
    """FA2025, First Schedule Part III para A: surcharge 10% above 50 lakh, 15% above 1 crore, 25% above 2 crore
    (37% does not apply under s.115BAC), each with marginal relief."""
    assert year_in_march(Decimal(income)) == Decimal(year_tds)


def test_monthly_tds_spreads_the_year_and_chains_to_the_year_tax() -> None:
    """ACT s.192: salary of Rs 1,50,000 a month from April 2025 -> estimated salary 18,00,000, total income
    17,25,000, tax 1,45,000 + 5,800 cess = 1,50,800; 12,567 a month, March absorbing the rounding."""
    ytd: dict[str, Any] = {}
    deductions = []
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        result = pay(date(2025 if month >= 4 else 2026, month, 28), "150000", ytd=ytd)
        deductions.append(tds(result))
        ytd = result.year_to_date
    assert deductions[0] == Decimal("12567")
    assert sum(deductions) == Decimal("150800")
    assert ytd == {"financial_year": 2025, "salary": Decimal("1800000"), "tds": Decimal("150800")}


def test_bonus_tax_is_deducted_in_the_month_paid() -> None:
    """ACT s.192: a bonus adds to the year's estimate in the month it is paid. 1,00,000 a month plus a 3,00,000
    bonus in October: year 15,00,000 -> 14,25,000 income -> 93,750 + cess = 97,500 (to the nearest 10: 97,500);
    without the bonus 12,00,000 -> 11,25,000 income -> nil after rebate. The whole 97,500 falls in October."""
    ytd = {"financial_year": 2025, "salary": "600000", "tds": "0"}
    october = pay(date(2025, 10, 31), "100000", bonus="300000", ytd=ytd)
    assert tds(october) == Decimal("97500")
    november = pay(date(2025, 11, 30), "100000", ytd=october.year_to_date)
    assert tds(november) == Decimal("0")


def test_a_new_financial_year_starts_from_nothing() -> None:
    """ACT s.192: the estimate is of the income of the financial year (April to March)."""
    last_year = {"financial_year": 2024, "salary": "1650000", "tds": "200000"}
    april = pay(date(2025, 4, 30), "150000", ytd=last_year)
    assert tds(april) == Decimal("12567")
    assert april.year_to_date["financial_year"] == 2025


def test_tax_year_2026_27_keeps_the_rates_under_the_income_tax_act_2025() -> None:
    """Finance Act 2026: the new-regime slabs, standard deduction, rebate, surcharge and cess of FY 2025-26 carry
    over to the tax year 2026-27, the first under the Income-tax Act, 2025. The chain restarts in April 2026."""
    march = pay(date(2026, 3, 31), "150000", ytd={"financial_year": 2025, "salary": "1650000", "tds": "138233"})
    april = pay(date(2026, 4, 30), "150000", ytd=march.year_to_date)
    assert april.parameter_versions["income_tax"] == "in-income-tax-ty2026-27"
    assert tds(march) == Decimal("12567")
    assert tds(april) == Decimal("12567")
    assert april.year_to_date == {"financial_year": 2026, "salary": Decimal("150000"), "tds": Decimal("12567")}


def test_tax_year_2026_27_is_corroborated_not_official() -> None:
    """Neither the Finance Act, 2026 nor the Income-tax Act, 2025 was read; the Budget 2026-27 press and tax
    publishers (CIOL, The Sunday Guardian, Outlook Money, Oorja Shakti, TaxTMI's Finance Bill 2026 notes, Gazette
    Tracker's summary of the Finance Act, 2026) agree every figure of FY 2025-26 carries over."""
    version = pack_for("IN").series[TAX_SERIES].in_force(date(2026, 12, 2))
    assert version.version == "in-income-tax-ty2026-27"
    parameters = version.parameters
    for name in parameters.__struct_fields__:
        source = getattr(parameters, name).source
        assert source.verification is Verification.CORROBORATED, name
        assert len({secondary.publisher for secondary in source.corroboration}) >= 2, name
    assert version.verification is Verification.CORROBORATED
