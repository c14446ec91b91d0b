"""源泉徴収税額 by the 電算機計算の特例 (月額表甲欄), against the NTA's own worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.pack import Pack
from compliance.packs.jp_japan.withholding import monthly_withholding
from compliance.registry import pack_for


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("JP")


def withhold(pack: Pack, *, pay_date: date, pay_after_premiums: int, dependants: int) -> CalculationResult:
    """Feeds 社会保険料等控除後の給与等の金額 directly: premiums given explicitly as zero."""
    employee: dict[str, Any] = {"dependants": dependants, "premiums": {}}
    return pack.calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": str(pay_after_premiums)},
        employee=employee, year_to_date={},
    )


def tax_line(result: CalculationResult) -> Decimal:
    return next(line.employee for line in result.lines if line.code == "jp.income_tax")


@pytest.mark.parametrize(
    ("pay_after_premiums", "dependants", "expected"),
    [
        # (計算例1) 源泉控除対象配偶者と源泉控除対象親族1人 = 扶養親族等の数 2人; the 月額表 gives 250円.
        (175_000, 2, Decimal("210")),
        # (計算例2) 源泉控除対象配偶者と源泉控除対象親族7人 = 8人; the 月額表 gives 1,010円.
        (446_000, 8, Decimal("940")),
        # (計算例3) 源泉控除対象配偶者と源泉控除対象親族2人 = 3人, above the table's 740,000円 ceiling.
        (775_200, 3, Decimal("59470")),
    ],
)
def test_nta_worked_examples_r8(pack: Pack, pay_after_premiums: int, dependants: int, expected: Decimal) -> None:
    """NTA, 「令和8年分以降 月額表の甲欄を適用する給与等に対する税額の電算機計算の特例について」,
    計算例 (page 3), https://www.nta.go.jp/publication/pamph/gensen/zeigakuhyo2026/data/denshi_01.pdf
    """
    result = withhold(pack, pay_date=date(2026, 1, 25), pay_after_premiums=pay_after_premiums, dependants=dependants)
    assert tax_line(result) == expected
    assert result.parameter_versions["withholding"] == "jp-withholding-r8"


def test_nta_worked_example_r8_intermediate_amounts(pack: Pack) -> None:
    """Each step of 計算例1 of the same NTA document (denshi_01.pdf, page 3): 175,000円, 扶養親族等 2人.

    給与所得控除 175,000 × 30% + 6,667 = 59,167; 扶養控除等 31,667 × 2 = 63,334; 基礎控除 48,334;
    課税給与所得金額 4,165; 4,165 × 5.105% = 212.62... → 210円.
    """
    tables = pack.series["withholding"].in_force(date(2026, 1, 1)).parameters
    result = monthly_withholding(tables, Decimal("175000"), 2)
    assert result.employment_income_deduction == Decimal("59167")
    assert result.dependant_deduction == Decimal("63334")
    assert result.basic_deduction == Decimal("48334")
    assert result.taxable_income == Decimal("4165")
    assert result.tax == Decimal("210")


def test_r7_tables_apply_to_2025_pay(pack: Pack) -> None:
    """令和7年分 tables (告示 別表第一〜第四 as in force 2020-2025; NTA 電子計算機等を使用して
    源泉徴収税額を計算する方法 (令和2年分), https://www.nta.go.jp/publication/pamph/gensen/zeigakuhyo2019/data/18.pdf).
    Hand calculation, not an NTA example:
    A = 175,000: 給与所得控除 175,000 × 30% + 6,667 = 59,167; 扶養 2 × 31,667 = 63,334; 基礎控除 40,000;
    B = 12,499; 12,499 × 5.105% = 638.07 → 640円.
    """
    result = withhold(pack, pay_date=date(2025, 12, 25), pay_after_premiums=175_000, dependants=2)
    assert tax_line(result) == Decimal("640")
    assert result.parameter_versions["withholding"] == "jp-withholding-r7"


def test_r7_lowest_band_uses_the_45834_yen_minimum(pack: Pack) -> None:
    """別表第一 (令和7年分): up to 135,416円 the 給与所得控除 is 45,834円 and the 基礎控除 40,000円, so
    100,000円 with no dependants is taxed on 14,166円: × 5.105% = 723.17 → 720円 (hand calculation)."""
    result = withhold(pack, pay_date=date(2025, 3, 25), pay_after_premiums=100_000, dependants=0)
    assert tax_line(result) == Decimal("720")


def test_r8_raises_the_tax_free_threshold(pack: Pack) -> None:
    """令和8年分: 給与所得控除 54,167 + 基礎控除 48,334 = 102,501円 is untaxed (denshi_01.pdf 第1表・第3表)."""
    assert tax_line(withhold(pack, pay_date=date(2026, 2, 25), pay_after_premiums=102_501, dependants=0)) == 0
    assert tax_line(withhold(pack, pay_date=date(2026, 2, 25), pay_after_premiums=102_700, dependants=0)) == 10


def test_top_basic_deduction_band_is_zero(pack: Pack) -> None:
    """別表第三: no 基礎控除 above 2,245,833円; 別表第四 band 40.84% − 237,893 (hand calculation):
    3,000,000 − 162,500 = 2,837,500 → × 40.84% − 237,893 = 920,942 → 920,940円."""
    result = withhold(pack, pay_date=date(2026, 7, 25), pay_after_premiums=3_000_000, dependants=0)
    assert tax_line(result) == Decimal("920940")
