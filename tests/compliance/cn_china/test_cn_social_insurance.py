"""CN city social insurance and housing fund: floors, ceilings, employer-chosen rates, Shenzhen tiers.

The expected amounts are computed by hand from the pack's data files (rate × base clamped to the city's
band), not taken from an official worked example: the cities publish none. The bands' verification status
is in each data file's citation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, OverrideNotAllowed, OverrideOutOfRange
from compliance.pack import Pack
from compliance.registry import pack_for


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("CN")


def pay(
    pack: Pack, region: str | None, regular: str, *, on: date = date(2025, 3, 25),
    employee: dict[str, Any] | None = None, overrides: dict[str, Decimal] | None = None,
) -> CalculationResult:
    return pack.calculate_raw(
        pay_date=on, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": regular},
        employee=employee or {}, year_to_date={}, region=region, overrides=overrides,
    )


def amounts(result: CalculationResult) -> dict[str, tuple[Decimal, Decimal, Decimal | None]]:
    return {line.code: (line.employee, line.employer, line.base) for line in result.lines}


def test_beijing_mid_band() -> None:
    """Beijing 2024-07 to 2025-06, base 20,000 within [6,821, 35,283]; housing fund at the 12% default."""
    result = pay(pack_for("CN"), "BJ", "20000")
    lines = amounts(result)
    assert lines["cn.pension"] == (Decimal("1600.00"), Decimal("3200.00"), Decimal("20000"))
    assert lines["cn.medical"] == (Decimal("403.00"), Decimal("1800.00"), Decimal("20000"))  # 2% + 3 yuan
    assert lines["cn.unemployment"] == (Decimal("100.00"), Decimal("100.00"), Decimal("20000"))
    assert lines["cn.maternity"][1] == Decimal("160.00")
    assert lines["cn.work_injury"] == (Decimal("0"), Decimal("40.00"), Decimal("20000"))
    assert lines["cn.housing_fund"] == (Decimal("2400"), Decimal("2400"), Decimal("20000"))
    # 三险一金 = 1600 + 403 + 100 + 2400 = 4503; (20000 − 5000 − 4503) × 3% = 314.91
    assert lines["cn.iit"][0] == Decimal("314.91")
    assert result.year_to_date["special_deductions"] == Decimal("4503.00")


def test_beijing_floor_and_ceiling(pack: Pack) -> None:
    low = amounts(pay(pack, "BJ", "3000"))
    assert low["cn.pension"] == (Decimal("545.68"), Decimal("1091.36"), Decimal("6821"))
    assert low["cn.housing_fund"] == (Decimal("360"), Decimal("360"), Decimal("3000"))  # above the 2,420 floor
    high = amounts(pay(pack, "BJ", "80000"))
    assert high["cn.pension"] == (Decimal("2822.64"), Decimal("5645.28"), Decimal("35283"))
    assert high["cn.housing_fund"] == (Decimal("4234"), Decimal("4234"), Decimal("35283"))  # 4233.96 to the yuan


def test_the_contribution_year_switches_on_1_july(pack: Pack) -> None:
    june = amounts(pay(pack, "BJ", "80000", on=date(2025, 6, 25)))
    july = amounts(pay(pack, "BJ", "80000", on=date(2025, 7, 25)))
    assert june["cn.pension"][2] == Decimal("35283")
    assert july["cn.pension"][2] == Decimal("35811")
    assert pay(pack, "BJ", "1", on=date(2025, 7, 25)).lines[0].base == Decimal("7162")


def test_shanghai_housing_fund_rate_is_employer_chosen_within_5_to_7_percent(pack: Pack) -> None:
    result = pay(pack, "SH", "10000", overrides={"housing_fund_rate": Decimal("0.05")})
    assert amounts(result)["cn.housing_fund"] == (Decimal("500"), Decimal("500"), Decimal("10000"))
    assert pack.override_range("housing_fund_rate", pack.request(
        pay_date=date(2025, 3, 25), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "1"},
        employee={}, year_to_date={}, region="SH",
    )) == (Decimal("0.05"), Decimal("0.07"))
    with pytest.raises(OverrideOutOfRange):
        pay(pack, "SH", "10000", overrides={"housing_fund_rate": Decimal("0.12")})
    with pytest.raises(OverrideOutOfRange):
        pay(pack, "BJ", "10000", overrides={"housing_fund_rate": Decimal("0.04")})


def test_shanghai_floor_uses_the_2024_band(pack: Pack) -> None:
    lines = amounts(pay(pack, "SH", "5000"))
    assert lines["cn.pension"] == (Decimal("590.72"), Decimal("1181.44"), Decimal("7384"))
    assert lines["cn.maternity"][1] == Decimal("73.84")


def test_work_injury_rate_override(pack: Pack) -> None:
    lines = amounts(pay(pack, "GZ", "10000", overrides={"work_injury_rate": Decimal("0.01")}))
    assert lines["cn.work_injury"] == (Decimal("0"), Decimal("100.00"), Decimal("10000"))
    with pytest.raises(OverrideOutOfRange):
        pay(pack, "GZ", "10000", overrides={"work_injury_rate": Decimal("0.05")})


def test_overrides_need_a_city(pack: Pack) -> None:
    with pytest.raises(OverrideNotAllowed):
        pay(pack, None, "10000", overrides={"housing_fund_rate": Decimal("0.1")})
    with pytest.raises(OverrideNotAllowed):
        pay(pack, "BJ", "10000", overrides={"pension_rate": Decimal("0.1")})


def test_shenzhen_hukou_differences(pack: Pack) -> None:
    """Shenzhen, 2025-07 to 2025-12: medical base [6,727, 33,633] apart from the pension band [4,775, 27,549];
    tier 1 medical 2% / 5% for every Shenzhen hukou holder, tier 2 (0.5% / 1.5%) open only to non-hukou employees;
    the 1% employer local supplementary pension only for hukou holders."""
    on = date(2025, 9, 25)
    local = amounts(pay(pack, "SZ", "3000", on=on))
    assert local["cn.pension"] == (Decimal("382.00"), Decimal("764.00"), Decimal("4775"))
    assert local["cn.medical"] == (Decimal("134.54"), Decimal("336.35"), Decimal("6727"))
    assert local["cn.local_supplementary_pension"] == (Decimal("0.00"), Decimal("47.75"), Decimal("4775"))
    migrant = amounts(pay(pack, "SZ", "10000", on=on, employee={"local_hukou": False, "medical_tier": "tier2"}))
    assert migrant["cn.medical"] == (Decimal("50.00"), Decimal("150.00"), Decimal("10000"))
    assert "cn.local_supplementary_pension" not in migrant
    with pytest.raises(InvalidCalculationInput, match="hukou"):
        pay(pack, "SZ", "10000", employee={"medical_tier": "tier2"})
    with pytest.raises(InvalidCalculationInput, match="not offered"):
        pay(pack, "BJ", "10000", employee={"local_hukou": False, "medical_tier": "tier2"})


def test_shenzhen_tier_one_employer_rate_is_6_percent_from_2026(pack: Pack) -> None:
    assert amounts(pay(pack, "SZ", "10000", on=date(2026, 1, 25)))["cn.medical"][1] == Decimal("600.00")


def test_declared_bases_are_used_instead_of_current_pay(pack: Pack) -> None:
    lines = amounts(pay(pack, "CD", "30000", employee={"contribution_base": "9000", "housing_fund_base": "8000"}))
    assert lines["cn.pension"][2] == Decimal("9000")
    assert lines["cn.housing_fund"] == (Decimal("960.00"), Decimal("960.00"), Decimal("8000"))


@pytest.mark.parametrize("region", ["BJ", "SH", "SZ", "GZ", "HZ", "CD"])
def test_every_city_has_a_2025_26_contribution_year(pack: Pack, region: str) -> None:
    result = pay(pack, region, "10000", on=date(2025, 12, 25))
    assert result.parameter_versions["social_insurance"].endswith("-si-2025")
    assert {"cn.pension", "cn.medical", "cn.unemployment", "cn.work_injury", "cn.housing_fund"} <= {
        line.code for line in result.lines}
    used = {law.series: law for law in result.law}["social_insurance"]
    in_force = pack.series["social_insurance"].in_force(date(2025, 12, 25), region)
    assert (used.version, used.verification, used.provisional) == (in_force.version, in_force.verification, False)
    assert any(step.note == in_force.verification for step in result.trace)


def test_no_contributions_on_a_second_payment_in_the_same_month(pack: Pack) -> None:
    first = pay(pack, "BJ", "20000")
    second = pack.calculate_raw(
        pay_date=date(2025, 3, 28), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "0", "bonus": "5000"},
        employee={}, year_to_date=first.year_to_date, region="BJ",
    )
    assert [line.code for line in second.lines] == ["cn.iit", "cn.iit_bonus"]


def test_a_bonus_paid_alone_carries_no_contributions(pack: Pack) -> None:
    """Social insurance is monthly on the wage base; a bonus run before payroll must not charge it at the floor."""
    bonus_first = pack.calculate_raw(
        pay_date=date(2025, 3, 10), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "0", "bonus": "30000"},
        employee={}, year_to_date={}, region="BJ",
    )
    assert [line.code for line in bonus_first.lines] == ["cn.iit", "cn.iit_bonus"]
    salary = pack.calculate_raw(
        pay_date=date(2025, 3, 25), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "20000"},
        employee={}, year_to_date=bonus_first.year_to_date, region="BJ",
    )
    assert amounts(salary)["cn.pension"] == (Decimal("1600.00"), Decimal("3200.00"), Decimal("20000"))
    assert salary.year_to_date["months_employed"] == 1
    assert salary.year_to_date["last_contribution_month"] == 3
