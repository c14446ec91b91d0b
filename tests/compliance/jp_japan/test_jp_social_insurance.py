"""Premiums against the 協会けんぽ 保険料額表, 日本年金機構 and MHLW 雇用保険料率 figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.pack import Pack
from compliance.packs.jp_japan.social_insurance import (
    care_insurance_applies,
    employee_share,
    health_insurance_applies,
    pension_applies,
)
from compliance.registry import pack_for


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("JP")


def payslip(pack: Pack, *, pay_date: date, pay: int, region: str = "13", **employee: Any) -> CalculationResult:
    attributes: dict[str, Any] = {"date_of_birth": "1990-04-15", **employee}
    return pack.calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": str(pay)},
        employee=attributes, year_to_date={}, region=region,
    )


def line(result: CalculationResult, code: str) -> tuple[Decimal, Decimal]:
    found = next(item for item in result.lines if item.code == code)
    return found.employee, found.employer


def test_tokyo_r7_grade_22_with_care_insurance(pack: Pack) -> None:
    """協会けんぽ「令和7年3月分（4月納付分）からの健康保険・厚生年金保険の保険料額表」(東京都), 等級22
    (標準報酬月額 300,000円): 健康保険 介護該当 11.50% 全額 34,500 / 折半額 17,250 (of which 介護 1.59%:
    2,385), 厚生年金 18.300% 全額 54,900 / 折半額 27,450.
    https://www.kyoukaikenpo.or.jp/g7/cat330/sb3150/r07/r7ryougakuhyou3gatukara/
    雇用保険 (令和7年度, 一般の事業) 5.5/1000: 1,650円, https://www.mhlw.go.jp/content/001401966.pdf
    """
    result = payslip(pack, pay_date=date(2025, 6, 25), pay=300_000, date_of_birth="1980-01-10")
    assert line(result, "jp.health_insurance") == (Decimal("14865"), Decimal("14865"))
    assert line(result, "jp.long_term_care_insurance") == (Decimal("2385"), Decimal("2385"))
    assert line(result, "jp.employees_pension") == (Decimal("27450"), Decimal("27450"))
    assert line(result, "jp.employment_insurance") == (Decimal("1650"), Decimal("2700"))
    # 社会保険料等控除後 253,650: 給与所得控除 82,762, 基礎控除 40,000, B = 130,888 → 6,681.8 → 6,680円.
    assert line(result, "jp.income_tax") == (Decimal("6680"), Decimal("0"))
    assert result.totals.employee_deductions == Decimal("53030")
    assert result.totals.net == Decimal("246970")


def test_tokyo_r7_grade_1_rounds_the_employee_half(pack: Pack) -> None:
    """Same 保険料額表, 等級1 (58,000円), no 介護: 全額 5,747.8 / 折半額 2,873.9 → the employee's deduction is
    2,874円 (50銭を超える端数は切り上げ, the table's 備考); the employer pays 5,747 − 2,874 = 2,873円.
    https://www.kyoukaikenpo.or.jp/g7/cat330/sb3150/r07/r7ryougakuhyou3gatukara/
    """
    result = payslip(pack, pay_date=date(2025, 9, 25), pay=60_000)
    assert line(result, "jp.health_insurance") == (Decimal("2874"), Decimal("2873"))
    # 厚生年金 has no grade below 88,000円: 88,000 × 9.15% = 8,052円.
    assert line(result, "jp.employees_pension") == (Decimal("8052"), Decimal("8052"))


def test_osaka_r8_with_child_support_levy(pack: Pack) -> None:
    """協会けんぽ「令和8年3月分（4月納付分）からの保険料額表」(大阪府 10.13%, 介護 1.62%, 子ども・子育て支援金
    0.23% from the April 2026 premium month), 標準報酬月額 410,000円 (等級27):
    健康保険+介護 11.75% → 48,175 / 24,087.5 → 24,087 (50銭以下切捨て); 介護 6,642 / 3,321;
    支援金 943 / 471.5 → 471; 厚生年金 75,030 / 37,515.
    https://www.kyoukaikenpo.or.jp/g7/cat330/sb3150/r08/r8ryougakuhyou3gatukara/
    """
    result = payslip(pack, pay_date=date(2026, 5, 25), pay=410_000, region="27", date_of_birth="1975-05-05")
    assert line(result, "jp.health_insurance") == (Decimal("20766"), Decimal("20767"))
    assert line(result, "jp.long_term_care_insurance") == (Decimal("3321"), Decimal("3321"))
    assert line(result, "jp.child_support_levy") == (Decimal("471"), Decimal("472"))
    assert line(result, "jp.employees_pension") == (Decimal("37515"), Decimal("37515"))
    # 雇用保険 令和8年度 一般 5/1000: 2,050円, https://www.mhlw.go.jp/content/001692566.pdf
    assert line(result, "jp.employment_insurance")[0] == Decimal("2050")


def test_child_support_levy_starts_with_the_april_2026_premium_month(pack: Pack) -> None:
    """子ども・子育て支援金 is collected from the 令和8年4月分 premium; the April pay deducts March's premium."""
    april = payslip(pack, pay_date=date(2026, 4, 24), pay=300_000)
    may = payslip(pack, pay_date=date(2026, 5, 25), pay=300_000)
    assert "jp.child_support_levy" not in {item.code for item in april.lines}
    assert line(may, "jp.child_support_levy") == (Decimal("345"), Decimal("345"))
    assert april.parameter_versions["health_insurance"] == "kyoukaikenpo-r8"


def test_current_month_collection_uses_the_current_premium_month(pack: Pack) -> None:
    result = payslip(pack, pay_date=date(2026, 4, 24), pay=300_000, premium_month="current")
    assert line(result, "jp.child_support_levy") == (Decimal("345"), Decimal("345"))


def test_given_standard_remuneration_and_pension_ceiling(pack: Pack) -> None:
    """厚生年金 stops at 等級32 (650,000円): 650,000 × 9.15% = 59,475円 (日本年金機構 厚生年金保険料額表)."""
    result = payslip(pack, pay_date=date(2025, 7, 25), pay=500_000, standard_monthly_remuneration="980000")
    assert line(result, "jp.employees_pension") == (Decimal("59475"), Decimal("59475"))
    assert line(result, "jp.health_insurance") == (Decimal("48559"), Decimal("48559"))


def test_grade_is_derived_from_pay_including_commuting_allowance(pack: Pack) -> None:
    """報酬月額 295,000 + 15,000 通勤手当 = 310,000円 falls in 等級23 (310,000 to 330,000 → 320,000円)."""
    result = pack.calculate_raw(
        pay_date=date(2025, 7, 25), pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": "295000", "allowances": "15000"},
        employee={"date_of_birth": "1990-01-01", "tax_exempt_commuting_allowance": "15000"},
        year_to_date={}, region="13",
    )
    health = next(item for item in result.lines if item.code == "jp.health_insurance")
    assert health.base == Decimal("320000")
    tax = next(item for item in result.lines if item.code == "jp.income_tax")
    # Taxable pay excludes the exempt allowance: 295,000 − premiums.
    premiums = sum(item.employee for item in result.lines if item.code != "jp.income_tax")
    assert tax.base == Decimal("295000") - premiums


@pytest.mark.parametrize(
    ("birth", "month", "applies"),
    [
        (date(1985, 6, 15), date(2025, 6, 1), True),  # 40 reached on 14 June 2025: June's premium is due
        (date(1985, 6, 15), date(2025, 5, 1), False),
        (date(1985, 6, 1), date(2025, 5, 1), True),  # born on the 1st: 40 reached on 31 May
        (date(1961, 6, 15), date(2026, 6, 1), False),  # 65 reached in June 2026: none for June
        (date(1961, 6, 15), date(2026, 5, 1), True),
        (date(1984, 2, 29), date(2024, 2, 1), True),  # 40 reached on 28 Feb 2024
    ],
)
def test_care_insurance_months(birth: date, month: date, applies: bool) -> None:
    """介護保険法第9条第2号 (40歳以上65歳未満), 年齢計算ニ関スル法律: the age is reached the day before the
    birthday, and premiums run from that month to the month before 65 is reached."""
    assert care_insurance_applies(birth, month) is applies


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("550.50", "550"), ("550.51", "551"), ("2873.9", "2874"), ("14865.0", "14865")],
)
def test_employee_share_rounding(amount: str, expected: str) -> None:
    """協会けんぽ 保険料額表 備考: 被保険者負担分の端数が50銭以下の場合は切り捨て、50銭を超える場合は切り上げ."""
    assert employee_share(Decimal(amount)) == Decimal(expected)


def test_employment_insurance_on_actual_wages_and_business_type(pack: Pack) -> None:
    """令和7年度 建設の事業: 労働者 6.5/1000, 事業主 11/1000 (https://www.mhlw.go.jp/content/001401966.pdf):
    231,000 × 6.5/1000 = 1,501.5 → 1,501円 (50銭以下切捨て); 事業主 2,541円."""
    result = payslip(pack, pay_date=date(2025, 10, 24), pay=231_000, business_type="construction")
    assert line(result, "jp.employment_insurance") == (Decimal("1501"), Decimal("2541"))


def test_uninsured_employee_pays_only_tax(pack: Pack) -> None:
    result = payslip(pack, pay_date=date(2025, 10, 24), pay=120_000, social_insurance=False,
                     employment_insurance=False)
    assert [item.code for item in result.lines] == ["jp.income_tax"]


@pytest.mark.parametrize(
    ("birth", "month", "pension", "health"),
    [
        (date(1956, 6, 15), date(2026, 5, 1), True, True),
        (date(1956, 6, 15), date(2026, 6, 1), False, True),  # 70 reached on 14 June 2026
        (date(1951, 6, 15), date(2026, 5, 1), False, True),
        (date(1951, 6, 15), date(2026, 6, 1), False, False),  # 75th birthday: 後期高齢者医療 from 15 June
        (date(1951, 6, 1), date(2026, 5, 1), False, True),  # birthday on the 1st: still May's premium
    ],
)
def test_pension_ends_at_70_and_health_insurance_at_75(birth: date, month: date, pension: bool, health: bool) -> None:
    """厚生年金保険法第14条第5号 (70歳に達したとき), 高齢者医療確保法第50条 (75歳の誕生日から後期高齢者医療)."""
    assert pension_applies(birth, month) is pension
    assert health_insurance_applies(birth, month) is health


def test_employee_over_70_pays_health_but_not_pension(pack: Pack) -> None:
    result = payslip(pack, pay_date=date(2026, 7, 24), pay=300_000, date_of_birth="1955-01-20")
    codes = {item.code for item in result.lines}
    assert "jp.health_insurance" in codes
    assert "jp.employees_pension" not in codes
    assert "jp.long_term_care_insurance" not in codes
