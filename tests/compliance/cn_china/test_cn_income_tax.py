"""CN individual income tax: cumulative withholding (累计预扣法) and the annual one-off bonus."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput
from compliance.pack import Pack
from compliance.registry import pack_for


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("CN")


def pay(
    pack: Pack, month: int, ytd: dict[str, Any], *, year: int = 2019, regular: str = "10000", bonus: str = "0",
    employee: dict[str, Any] | None = None, region: str | None = None,
) -> CalculationResult:
    return pack.calculate_raw(
        pay_date=date(year, month, 25), pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": regular, "bonus": bonus}, employee=employee or {}, year_to_date=ytd, region=region,
    )


def tax(result: CalculationResult, code: str = "cn.iit") -> Decimal:
    return next(line.employee for line in result.lines if line.code == code)


def months(pack: Pack, count: int, **kwargs: Any) -> list[CalculationResult]:
    results: list[CalculationResult] = []
    ytd: dict[str, Any] = {}
    for month in range(1, count + 1):
        result = pay(pack, month, ytd, **kwargs)
        results.append(result)
        ytd = result.year_to_date
    return results


def test_sat_example_one_steady_three_percent(pack: Pack) -> None:
    """SAT 公告2018年第61号 解读, example 1: monthly wage 10,000, 三险一金 1,500, 子女教育 1,000 (2019 amount).

    Source: 国家税务总局公告2018年第61号 (个人所得税扣缴申报管理办法（试行）) and the SAT's
    official explanation (解读) of it, section on 累计预扣法, worked example;
    https://www.chinatax.gov.cn/chinatax/n810341/n810760/c3959585/content.html (URL from a third-party listing).
    January (10000−5000−1500−1000)×3% = 75; February and March also 75 each.
    """
    employee = {"external_special_deductions": "1500", "children_in_education": 1}
    results = months(pack, 3, regular="10000", employee=employee)
    assert [tax(r) for r in results] == [Decimal("75.00")] * 3
    assert results[-1].year_to_date["tax_withheld"] == Decimal("225.00")


def test_sat_example_two_crosses_into_ten_percent(pack: Pack) -> None:
    """SAT 公告2018年第61号 解读, example 2: wage 30,000, 三险一金 4,500, 专项附加扣除 2,000 a month.

    Source: 国家税务总局公告2018年第61号 (个人所得税扣缴申报管理办法（试行）) and the SAT's
    official explanation (解读) of it, section on 累计预扣法, worked example;
    https://www.chinatax.gov.cn/chinatax/n810341/n810760/c3959585/content.html (URL from a third-party listing).
    January (30000−5000−4500−2000)×3% = 555; February (60000−10000−9000−4000)×10% −2520 −555
    = 625; March (90000−15000−13500−6000)×10% −2520 −555 −625 = 1,850. The 2,000 is modelled as mortgage
    interest 1,000 plus a shared elderly-support deduction of 1,000 (2019 amounts).
    """
    employee = {
        "external_special_deductions": "4500", "housing_loan_interest": True,
        "elderly_support": "shared", "elderly_support_amount": "1000",
    }
    results = months(pack, 3, regular="30000", employee=employee)
    assert [tax(r) for r in results] == [Decimal("555.00"), Decimal("625.00"), Decimal("1850.00")]
    march = results[-1].year_to_date
    assert march["income"] == Decimal("90000")
    assert march["basic_deduction"] == Decimal("15000")
    assert march["special_deductions"] == Decimal("13500")
    assert march["special_additional_deductions"] == Decimal("6000")


def test_no_refund_within_the_year_when_cumulative_tax_falls(pack: Pack) -> None:
    """公告2018年第61号 第六条: 余额为负值时，暂不退税 — withhold 0 and keep the cumulative figures."""
    high = pay(pack, 1, {}, regular="20000")
    assert tax(high) == Decimal("450.00")  # (20000 − 5000) × 3%
    low = pay(pack, 2, high.year_to_date, regular="0")
    assert tax(low) == Decimal("0")
    assert low.year_to_date["tax_withheld"] == Decimal("450.00")
    # March: cumulative taxable (20000 − 15000) × 3% = 150 < 450 already withheld: still nothing.
    assert tax(pay(pack, 3, low.year_to_date, regular="0")) == Decimal("0")


def test_new_hire_counts_only_months_employed_here(pack: Pack) -> None:
    """累计减除费用 = 5,000 × months employed by this employer this year (公告2018年第61号 第六条)."""
    july = pay(pack, 7, {}, regular="8000")
    assert july.year_to_date["months_employed"] == 1
    assert july.year_to_date["basic_deduction"] == Decimal("5000")
    assert tax(july) == Decimal("90.00")  # (8000 − 5000) × 3%


def test_a_new_tax_year_starts_from_zero(pack: Pack) -> None:
    december = months(pack, 12, regular="20000")[-1]
    assert december.year_to_date["tax_withheld"] > 0
    january = pay(pack, 1, december.year_to_date, year=2020, regular="20000")
    assert tax(january) == Decimal("450.00")
    assert january.year_to_date["tax_year"] == 2020
    assert january.year_to_date["months_employed"] == 1


def test_a_second_payment_in_the_same_month_adds_no_month(pack: Pack) -> None:
    first = pay(pack, 3, {}, regular="10000")
    second = pay(pack, 3, first.year_to_date, regular="2000")
    assert second.year_to_date["months_employed"] == 1
    assert second.year_to_date["basic_deduction"] == Decimal("5000")
    assert tax(second) == Decimal("60.00")  # (12000 − 5000) × 3% − 150


def test_2023_special_additional_deduction_amounts(pack: Pack) -> None:
    """国发〔2023〕13号 第一条: 子女教育 and 婴幼儿照护 2,000 per child, 赡养老人 3,000 (only child), from 2023."""
    employee = {
        "children_in_education": 1, "children_under_three": 1, "elderly_support": "only_child",
        "housing_rent_tier": "major_city", "continuing_education": True,
    }
    result = pay(pack, 1, {}, year=2024, regular="20000", employee=employee)
    assert result.year_to_date["special_additional_deductions"] == Decimal("8900")  # 2000+2000+3000+1500+400
    assert tax(result) == Decimal("183.00")  # (20000 − 5000 − 8900) × 3%
    half = pay(pack, 1, {}, year=2024, regular="20000", employee={**employee, "child_deduction_share": "half"})
    assert half.year_to_date["special_additional_deductions"] == Decimal("6900")


def test_2022_infant_care_was_1000(pack: Pack) -> None:
    """国发〔2022〕8号: 3岁以下婴幼儿照护 1,000 per child from 1 January 2022; none before."""
    assert pay(pack, 1, {}, year=2022, employee={"children_under_three": 1}).year_to_date[
        "special_additional_deductions"] == Decimal("1000")
    assert pay(pack, 1, {}, year=2021, employee={"children_under_three": 1}).year_to_date[
        "special_additional_deductions"] == Decimal("0")


def test_shared_elderly_support_is_capped(pack: Pack) -> None:
    """国发〔2023〕13号: a sibling's share may not exceed 1,500 a month."""
    employee = {"elderly_support": "shared", "elderly_support_amount": "2500"}
    assert pay(pack, 1, {}, year=2024, employee=employee).year_to_date[
        "special_additional_deductions"] == Decimal("1500")


# -- annual one-off bonus --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("bonus", "expected"),
    [
        ("36000", "1080.00"),  # 3000/month: 3%
        ("36001", "3390.10"),  # 3000.08/month: 10% − 210 (the well-known 'blind zone')
        ("144000", "14190.00"),  # 12000/month: 10% − 210
        ("144001", "27390.20"),  # 20% − 1410
        ("1200000", "524840.00"),  # 100000/month: 45% − 15160
    ],
)
def test_annual_bonus_taxed_separately(pack: Pack, bonus: str, expected: str) -> None:
    """Computed from the rule text, not from a published example: 财政部 税务总局公告2023年第30号 第一条
    (应纳税额＝全年一次性奖金收入×适用税率－速算扣除数; rate from bonus ÷ 12 on the monthly table), as in
    财税〔2018〕164号 第一条第（一）项; https://fgk.chinatax.gov.cn/
    """
    result = pay(pack, 1, {}, year=2025, regular="0", bonus=bonus)
    assert tax(result, "cn.iit_bonus") == Decimal(expected)
    assert tax(result) == Decimal("0")
    assert result.year_to_date["separate_bonus"] == Decimal(bonus)
    assert result.year_to_date["income"] == Decimal("0")


def test_bonus_merged_when_not_elected(pack: Pack) -> None:
    result = pay(pack, 1, {}, year=2025, regular="10000", bonus="36000", employee={"separate_bonus_taxation": False})
    assert [line.code for line in result.lines] == ["cn.iit"]
    assert tax(result) == Decimal("1580.00")  # (46000 − 5000) × 10% − 2520
    assert result.year_to_date["income"] == Decimal("46000")


def test_separate_method_only_once_a_year(pack: Pack) -> None:
    """国税发〔2005〕9号 第三条 (referred to by 财税〔2018〕164号 and 公告2023年第30号): 在一个纳税年度内，
    对每一个纳税人，该计税办法只允许采用一次."""
    first = pay(pack, 1, {}, year=2025, regular="10000", bonus="12000")
    assert tax(first, "cn.iit_bonus") == Decimal("360.00")
    second = pay(pack, 2, first.year_to_date, year=2025, regular="10000", bonus="12000")
    assert "cn.iit_bonus" not in [line.code for line in second.lines]
    assert second.year_to_date["income"] == Decimal("32000")


def test_separate_method_ends_after_2027(pack: Pack) -> None:
    """公告2023年第30号 runs to 31 December 2027; from 2028 the bonus is merged (no later policy is loaded)."""
    result = pay(pack, 1, {}, year=2028, regular="10000", bonus="36000")
    assert "cn.iit_bonus" not in [line.code for line in result.lines]
    assert result.year_to_date["income"] == Decimal("46000")


def test_prior_year_low_earner_gets_60000_from_january(pack: Pack) -> None:
    """国家税务总局公告2020年第19号 第一条: 累计减除费用自1月份起直接按照全年6万元计算扣除."""
    results = months(pack, 8, year=2025, regular="8000", employee={"prior_year_low_income": True})
    assert results[0].year_to_date["basic_deduction"] == Decimal("60000")
    assert [tax(r) for r in results[:7]] == [Decimal("0")] * 7  # 56,000 of wages stay under 60,000
    assert tax(results[7]) == Decimal("120.00")  # (64000 − 60000) × 3%
    with pytest.raises(InvalidCalculationInput, match="before 2021"):
        pay(pack, 1, {}, year=2020, employee={"prior_year_low_income": True})


def test_first_job_of_the_year_counts_from_january(pack: Pack) -> None:
    """国家税务总局公告2020年第13号 第一条: first wages of the year, 累计减除费用自1月份起算 (5,000 × 7 in July)."""
    july = pay(pack, 7, {}, year=2025, regular="40000", employee={"first_job_this_year": True})
    assert july.year_to_date["basic_deduction"] == Decimal("35000")
    assert tax(july) == Decimal("150.00")  # (40000 − 35000) × 3%
    august = pay(pack, 8, july.year_to_date, year=2025, regular="40000", employee={"first_job_this_year": True})
    assert august.year_to_date["basic_deduction"] == Decimal("40000")
    with pytest.raises(InvalidCalculationInput, match="July 2020"):
        pay(pack, 3, {}, year=2020, employee={"first_job_this_year": True})
