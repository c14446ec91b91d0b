"""Ningbo's contribution years and minimum wage, and Guiyang's 2026 medical base starting in August.

Expected amounts are rate × base clamped to the band of the data files (nb-*.toml, gy-2026*.toml), computed by
hand; every figure there is unverified (see each file's citations).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import LawNotYetPublished, NoParametersInForce
from compliance.pack import Pack
from compliance.registry import pack_for

DECEMBER_2026 = date(2026, 12, 25)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("CN")


def pay(pack: Pack, region: str, regular: str, on: date) -> CalculationResult:
    return pack.calculate_raw(
        pay_date=on, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": regular},
        employee={}, year_to_date={}, region=region,
    )


def amounts(result: CalculationResult) -> dict[str, tuple[Decimal, Decimal, Decimal | None]]:
    return {line.code: (line.employee, line.employer, line.base) for line in result.lines}


def social_insurance_version(result: CalculationResult) -> str:
    return {law.series: law for law in result.law}["social_insurance"].version


def test_ningbo_pays_on_the_zhejiang_ceiling_and_its_own_housing_fund_ceiling(pack: Pack) -> None:
    """50,000 caps at Zhejiang's 25,299 for social insurance and at Ningbo's 38,947 for the fund:
    38,947 × 12% = 4,673.64 → 4,674 to the yuan; medical 8.5% of 25,299 = 2,150.415 → 2,150.42."""
    result = pay(pack, "NB", "50000", DECEMBER_2026)
    lines = amounts(result)
    assert social_insurance_version(result) == "cn-nb-si-2026"
    assert lines["cn.pension"] == (Decimal("2023.92"), Decimal("4047.84"), Decimal("25299"))
    assert lines["cn.medical"] == (Decimal("505.98"), Decimal("2150.42"), Decimal("25299"))
    assert lines["cn.unemployment"] == (Decimal("126.50"), Decimal("126.50"), Decimal("25299"))
    assert lines["cn.work_injury"] == (Decimal("0"), Decimal("50.60"), Decimal("25299"))
    assert lines["cn.housing_fund"] == (Decimal("4674"), Decimal("4674"), Decimal("38947"))
    assert "cn.maternity" not in lines  # merged into medical


def test_ningbo_low_pay_is_charged_on_the_floor(pack: Pack) -> None:
    lines = amounts(pay(pack, "NB", "3000", DECEMBER_2026))
    assert lines["cn.pension"] == (Decimal("398.88"), Decimal("797.76"), Decimal("4986"))
    assert lines["cn.housing_fund"] == (Decimal("360"), Decimal("360"), Decimal("3000"))  # above the 2,660 floor


@pytest.mark.parametrize("on", [date(2025, 7, 25), date(2025, 12, 25), date(2026, 6, 25)])
def test_ningbo_previous_year_runs_from_july_2025_to_june_2026(pack: Pack, on: date) -> None:
    result = pay(pack, "NB", "10000", on)
    assert social_insurance_version(result) == "cn-nb-si-2025-26"
    assert amounts(result)["cn.pension"] == (Decimal("800.00"), Decimal("1600.00"), Decimal("10000"))


def test_ningbo_after_2026_needs_the_carry_forward_opt_in(pack: Pack) -> None:
    with pytest.raises(LawNotYetPublished):
        pay(pack, "NB", "10000", date(2027, 1, 25))
    carried = pay(pack.layered({}, frozenset({"social_insurance"})), "NB", "10000", date(2027, 1, 25))
    used = {law.series: law for law in carried.law}["social_insurance"]
    assert (used.version, used.provisional) == ("cn-nb-si-2026", True)


def test_ningbo_minimum_wage_is_zhejiangs_first_tier_from_december_2025(pack: Pack) -> None:
    for on in (date(2025, 12, 1), date(2026, 12, 1)):
        monthly = [r for r in pack.labour_law(on, "NB").minimum_wage.value if r.region == "NB"]
        assert [(r.amount, r.unit) for r in monthly] == [(Decimal("2660"), "month")]
        assert pack.part_time_minimum_wage(on, "NB") == Decimal("25")
    with pytest.raises(NoParametersInForce):
        pack.part_time_minimum_wage(date(2025, 11, 30), "NB")  # Zhejiang's earlier tiers are not entered for Ningbo


def test_guiyang_medical_base_changes_in_august_not_july(pack: Pack) -> None:
    """July 2026 already has the 2026 pension floor 4,426.05 but keeps the previous medical floor 5,859.6:
    2% = 117.19 + 8 大额, 8.5% = 498.07; from August the 2026 floor 5,901.40: 118.03 + 8 and 501.62."""
    july = pay(pack, "GY", "3000", date(2026, 7, 25))
    august = pay(pack, "GY", "3000", date(2026, 8, 25))
    assert social_insurance_version(july) == "cn-gy-si-2026-07"
    assert social_insurance_version(august) == "cn-gy-si-2026"
    assert amounts(july)["cn.pension"][2] == amounts(august)["cn.pension"][2] == Decimal("4426.05")
    assert amounts(july)["cn.medical"] == (Decimal("125.19"), Decimal("498.07"), Decimal("5859.6"))
    assert amounts(august)["cn.medical"] == (Decimal("126.03"), Decimal("501.62"), Decimal("5901.40"))
