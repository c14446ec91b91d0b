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
from compliance.errors import (
    InvalidCalculationInput,
    LawNotYetPublished,
    OverrideNotAllowed,
    OverrideOutOfRange,
)
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
    # Corrected law: the employer's 9% medical rate includes maternity (merged since 2020; 沪医保规〔2025〕2号 from
    # 2025-03-01), so the old separate 1% maternity line (73.84 here) is gone: 7,384 × 9% = 664.56.
    assert lines["cn.medical"] == (Decimal("147.68"), Decimal("664.56"), Decimal("7384"))
    assert "cn.maternity" not in lines


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


# -- the 2026 contribution year (figures as of 2 December 2026) -------------------------------------------------------

NOVEMBER_2026 = date(2026, 11, 25)


def test_shanghai_2026_band_with_maternity_inside_the_9_percent_medical_rate(pack: Pack) -> None:
    """Shanghai from 2026-07-01: base [7,546, 37,731], housing fund [2,740, 37,731] at the 7% default, medical 2% / 9%
    including maternity, work injury class I 0.2%.

    20,000 is inside both bands:
      pension 20,000 × 8% = 1,600.00 / × 16% = 3,200.00; medical × 2% = 400.00 / × 9% = 1,800.00 (no maternity line);
      unemployment × 0.5% = 100.00 / 100.00; work injury × 0.2% = 40.00; housing fund × 7% = 1,400 each side.
      三险一金 = 1,600 + 400 + 100 + 1,400 = 3,500; first month of the year here:
      (20,000 − 5,000 − 3,500) × 3% = 345.00.
    """
    result = pay(pack, "SH", "20000", on=NOVEMBER_2026)
    lines = amounts(result)
    assert result.parameter_versions["social_insurance"] == "cn-sh-si-2026"
    assert lines["cn.pension"] == (Decimal("1600.00"), Decimal("3200.00"), Decimal("20000"))
    assert lines["cn.medical"] == (Decimal("400.00"), Decimal("1800.00"), Decimal("20000"))
    assert "cn.maternity" not in lines
    assert lines["cn.unemployment"] == (Decimal("100.00"), Decimal("100.00"), Decimal("20000"))
    assert lines["cn.work_injury"] == (Decimal("0"), Decimal("40.00"), Decimal("20000"))
    assert lines["cn.housing_fund"] == (Decimal("1400"), Decimal("1400"), Decimal("20000"))
    assert lines["cn.iit"][0] == Decimal("345.00")
    used = {law.series: law for law in result.law}["social_insurance"]
    assert (used.verification, used.provisional) == ("corroborated", False)


def test_shanghai_2026_floor_and_ceiling(pack: Pack) -> None:
    """5,000: social-insurance base raised to the 7,546 floor (7,546 × 8% = 603.68, × 16% = 1,207.36; × 9% = 679.14),
    the housing fund stays on 5,000 (above its 2,740 floor: × 7% = 350). 80,000: both capped at 37,731
    (× 8% = 3,018.48; housing fund × 7% = 2,641.17, rounded to the yuan 2,641)."""
    low = amounts(pay(pack, "SH", "5000", on=NOVEMBER_2026))
    assert low["cn.pension"] == (Decimal("603.68"), Decimal("1207.36"), Decimal("7546"))
    assert low["cn.medical"][1] == Decimal("679.14")
    assert low["cn.housing_fund"] == (Decimal("350"), Decimal("350"), Decimal("5000"))
    high = amounts(pay(pack, "SH", "80000", on=NOVEMBER_2026))
    assert high["cn.pension"] == (Decimal("3018.48"), Decimal("6036.96"), Decimal("37731"))
    assert high["cn.housing_fund"] == (Decimal("2641"), Decimal("2641"), Decimal("37731"))


def test_beijing_2026_band(pack: Pack) -> None:
    """Beijing from 2026-07-01 (京人社发〔2026〕7号): base [7,270, 36,348]; medical 2% + 3 yuan / 9.8% including
    maternity 0.8% (no separate line); housing fund [2,540, 36,348] at the 12% default.

    20,000: pension 1,600.00 / 3,200.00; medical 400 + 3 = 403.00 / 20,000 × 9.8% = 1,960.00; unemployment
      100.00 / 100.00; work injury 40.00; housing fund 2,400 each side.
      三险一金 = 1,600 + 403 + 100 + 2,400 = 4,503; (20,000 − 5,000 − 4,503) × 3% = 314.91.
    80,000: capped at 36,348: pension × 8% = 2,907.84; medical 726.96 + 3 = 729.96 / × 9.8% = 3,562.10 (3,562.104);
      housing fund × 12% = 4,361.76, rounded to the yuan 4,362.
    """
    result = pay(pack, "BJ", "20000", on=NOVEMBER_2026)
    lines = amounts(result)
    assert result.parameter_versions["social_insurance"] == "cn-bj-si-2026"
    assert lines["cn.pension"] == (Decimal("1600.00"), Decimal("3200.00"), Decimal("20000"))
    assert lines["cn.medical"] == (Decimal("403.00"), Decimal("1960.00"), Decimal("20000"))
    assert "cn.maternity" not in lines
    assert lines["cn.unemployment"] == (Decimal("100.00"), Decimal("100.00"), Decimal("20000"))
    assert lines["cn.housing_fund"] == (Decimal("2400"), Decimal("2400"), Decimal("20000"))
    assert lines["cn.iit"][0] == Decimal("314.91")
    high = amounts(pay(pack, "BJ", "80000", on=NOVEMBER_2026))
    assert high["cn.pension"] == (Decimal("2907.84"), Decimal("5815.68"), Decimal("36348"))
    assert high["cn.medical"] == (Decimal("729.96"), Decimal("3562.10"), Decimal("36348"))
    assert high["cn.housing_fund"] == (Decimal("4362"), Decimal("4362"), Decimal("36348"))
    assert amounts(pay(pack, "BJ", "1", on=NOVEMBER_2026))["cn.pension"][2] == Decimal("7270")
    # Every figure, work injury included, rests on two independent secondary sources.
    assert {law.series: law for law in result.law}["social_insurance"].verification == "corroborated"


def test_work_injury_ranges_follow_the_industry_class_tables(pack: Pack) -> None:
    """Beijing uses the national eight-class table, class I 0.2% to class VIII 1.9% (人社部发〔2015〕71号);
    Guangdong's provincial table, in Guangzhou since 2021-05 and Shenzhen since 2024-07, stops at 1.4%.

    Beijing 20,000 × 1.9% = 380.00; Guangzhou and Shenzhen 10,000 × 1.4% = 140.00. Shenzhen's work-injury base is
    unverified (the sources conflict), so its 2026 version stays unverified.
    """
    beijing = amounts(pay(pack, "BJ", "20000", on=NOVEMBER_2026, overrides={"work_injury_rate": Decimal("0.019")}))
    assert beijing["cn.work_injury"] == (Decimal("0"), Decimal("380.00"), Decimal("20000"))
    on = date(2026, 3, 25)
    for region in ("GZ", "SZ"):
        top = amounts(pay(pack, region, "10000", on=on, overrides={"work_injury_rate": Decimal("0.014")}))
        assert top["cn.work_injury"] == (Decimal("0"), Decimal("140.00"), Decimal("10000"))
        with pytest.raises(OverrideOutOfRange):
            pay(pack, region, "10000", on=on, overrides={"work_injury_rate": Decimal("0.019")})
    shenzhen = pay(pack, "SZ", "10000", on=on)
    assert {law.series: law for law in shenzhen.law}["social_insurance"].verification == "unverified"

def test_chengdu_2026_calendar_year_band(pack: Pack) -> None:
    """Chengdu, calendar year 2026 (Sichuan's contribution year): base [4,699, 23,493] (unverified, one source);
    housing fund [2,330, 32,969] at the 12% default.

    10,000: pension 800.00 / 1,600.00; medical 200.00 / 650.00; unemployment 0.4% = 40.00 / 0.6% = 60.00;
      maternity 0.8% = 80.00; housing fund 1,200.00 each side.
    3,000: pension base raised to 4,699 (× 8% = 375.92, × 16% = 751.84); housing fund stays on 3,000 (× 12% = 360.00).
    40,000: pension base 23,493 (× 8% = 1,879.44); housing fund base 32,969 (× 12% = 3,956.28), not the pension cap.
    """
    result = pay(pack, "CD", "10000", on=NOVEMBER_2026)
    lines = amounts(result)
    assert result.parameter_versions["social_insurance"] == "cn-cd-si-2026"
    assert lines["cn.pension"] == (Decimal("800.00"), Decimal("1600.00"), Decimal("10000"))
    assert lines["cn.medical"] == (Decimal("200.00"), Decimal("650.00"), Decimal("10000"))
    assert lines["cn.unemployment"] == (Decimal("40.00"), Decimal("60.00"), Decimal("10000"))
    assert lines["cn.maternity"] == (Decimal("0.00"), Decimal("80.00"), Decimal("10000"))
    assert lines["cn.housing_fund"] == (Decimal("1200.00"), Decimal("1200.00"), Decimal("10000"))
    assert {law.series: law for law in result.law}["social_insurance"].verification == "unverified"
    low = amounts(pay(pack, "CD", "3000", on=NOVEMBER_2026))
    assert low["cn.pension"] == (Decimal("375.92"), Decimal("751.84"), Decimal("4699"))
    assert low["cn.housing_fund"] == (Decimal("360.00"), Decimal("360.00"), Decimal("3000"))
    high = amounts(pay(pack, "CD", "40000", on=NOVEMBER_2026))
    assert high["cn.pension"][0] == Decimal("1879.44") and high["cn.pension"][2] == Decimal("23493")
    assert high["cn.housing_fund"] == (Decimal("3956.28"), Decimal("3956.28"), Decimal("32969"))


def test_chengdu_follows_the_calendar_year(pack: Pack) -> None:
    """Sichuan's 2025 base (4,588) applies from 1 January 2025, not 1 July; 2026's (4,699) from 1 January 2026."""
    assert pay(pack, "CD", "1", on=date(2024, 12, 25)).parameter_versions["social_insurance"] == "cn-cd-si-2024"
    assert amounts(pay(pack, "CD", "1", on=date(2025, 1, 25)))["cn.pension"][2] == Decimal("4588")
    assert amounts(pay(pack, "CD", "1", on=date(2026, 1, 25)))["cn.pension"][2] == Decimal("4699")


def test_housing_fund_ceilings_are_the_funds_own(pack: Pack) -> None:
    """Guangzhou's and Hangzhou's housing-fund ceilings for the 2025 fund year are 39,828 and 40,694 (the funds' own,
    not the pension ceilings 27,549 / 25,299): 50,000 × 5% = 1,991.40 in Guangzhou; × 12% = 4,883.28 → 4,883 in
    Hangzhou (rounded to the yuan)."""
    on = date(2025, 10, 25)
    assert amounts(pay(pack, "GZ", "50000", on=on))["cn.housing_fund"] == (
        Decimal("1991.40"), Decimal("1991.40"), Decimal("39828"))
    assert amounts(pay(pack, "HZ", "50000", on=on))["cn.housing_fund"] == (
        Decimal("4883"), Decimal("4883"), Decimal("40694"))


def test_guangzhou_medical_has_its_own_calendar_year_base(pack: Pack) -> None:
    """Guangzhou medical and maternity use their own base (6,236 floor in 2025), not the 5,510 pension floor; the
    employer's medical rate is 6% from 2026-01-01: 6,236 × 6% = 374.16, maternity × 0.85% = 53.006 → 53.01."""
    lines = amounts(pay(pack, "GZ", "3000", on=date(2026, 3, 25)))
    assert lines["cn.pension"][2] == Decimal("5510")
    assert lines["cn.medical"] == (Decimal("124.72"), Decimal("374.16"), Decimal("6236"))
    assert lines["cn.maternity"] == (Decimal("0.00"), Decimal("53.01"), Decimal("6236"))


@pytest.mark.parametrize(("region", "last_known", "on"), [
    ("SZ", "cn-sz-si-2026", NOVEMBER_2026), ("GZ", "cn-gz-si-2026", NOVEMBER_2026),
    ("HZ", "cn-hz-si-2026", date(2027, 1, 25))])
def test_unpublished_bases_are_refused_unless_carried_forward(
    pack: Pack, region: str, last_known: str, on: date,
) -> None:
    """Guangdong (SZ, GZ) had not published its 2026 bases, and Hangzhou's data ends with 2026: without the opt-in the
    calculation is refused; with it, the last known version applies, marked provisional in the law used and in the
    trace."""
    with pytest.raises(LawNotYetPublished):
        pay(pack, region, "10000", on=on)
    opted_in = pack.layered({}, frozenset({"social_insurance"}))
    result = pay(opted_in, region, "10000", on=on)
    used = {law.series: law for law in result.law}["social_insurance"]
    assert (used.version, used.provisional) == (last_known, True)
    assert any(step.step == "social_insurance provisional" for step in result.trace)
    with pytest.raises(LawNotYetPublished):
        pay(pack, region, "10000", on=on)  # the shared pack is unchanged


JUNE_2026, TODAY = date(2026, 6, 25), date(2026, 12, 2)


@pytest.mark.parametrize(("on", "version", "fund_floor", "fund_ceiling"), [
    (JUNE_2026, "cn-hz-si-2026-h1", ("299", "2490"), ("4883", "40694")),
    (TODAY, "cn-hz-si-2026", ("319", "2660"), ("5058", "42151")),
])
def test_hangzhou_2026_is_collected_on_zhejiangs_2025_base(
    pack: Pack, on: date, version: str, fund_floor: tuple[str, str], fund_ceiling: tuple[str, str],
) -> None:
    """Zhejiang published no 2026 base, so 2026 is collected on the 2025 one, 4,986-25,299 (补差 later, not
    modelled); Hangzhou's housing-fund year turns on 1 July: 2,490-40,694 until June, 2,660-42,151 from July.

    At the ceiling (50,000): pension 25,299 × 8% = 2,023.92 / × 16% = 4,047.84; medical × 2% = 505.98 / × 9.5% =
    2,403.405 → 2,403.41 (maternity inside it, no line); unemployment × 0.5% = 126.495 → 126.50 each side; work
    injury × 0.2% = 50.598 → 50.60; housing fund × 12% to the yuan: 40,694 → 4,883.28 → 4,883 in June,
    42,151 → 5,058.12 → 5,058 from July.
    At the floors (2,000): pension 4,986 × 8% = 398.88 / × 16% = 797.76; medical × 2% = 99.72 / × 9.5% = 473.67;
    unemployment × 0.5% = 24.93 each side; work injury × 0.2% = 9.972 → 9.97; housing fund 2,490 × 12% = 298.80
    → 299 in June, 2,660 × 12% = 319.20 → 319 from July."""
    high = pay(pack, "HZ", "50000", on=on)
    lines = amounts(high)
    assert high.parameter_versions["social_insurance"] == version
    assert lines["cn.pension"] == (Decimal("2023.92"), Decimal("4047.84"), Decimal("25299"))
    assert lines["cn.medical"] == (Decimal("505.98"), Decimal("2403.41"), Decimal("25299"))
    assert "cn.maternity" not in lines
    assert lines["cn.unemployment"] == (Decimal("126.50"), Decimal("126.50"), Decimal("25299"))
    assert lines["cn.work_injury"] == (Decimal("0"), Decimal("50.60"), Decimal("25299"))
    assert lines["cn.housing_fund"] == (Decimal(fund_ceiling[0]), Decimal(fund_ceiling[0]), Decimal(fund_ceiling[1]))
    low = amounts(pay(pack, "HZ", "2000", on=on))
    assert low["cn.pension"] == (Decimal("398.88"), Decimal("797.76"), Decimal("4986"))
    assert low["cn.medical"] == (Decimal("99.72"), Decimal("473.67"), Decimal("4986"))
    assert low["cn.unemployment"] == (Decimal("24.93"), Decimal("24.93"), Decimal("4986"))
    assert low["cn.work_injury"] == (Decimal("0"), Decimal("9.97"), Decimal("4986"))
    assert low["cn.housing_fund"] == (Decimal(fund_floor[0]), Decimal(fund_floor[0]), Decimal(fund_floor[1]))
    used = {law.series: law for law in high.law}["social_insurance"]
    assert (used.version, used.verification, used.provisional) == (version, "unverified", False)


def test_a_hangzhou_pay_group_needs_no_carry_forward_in_2026_only_written_acceptance() -> None:
    """Hangzhou's 2026 figures are in force without the carry-forward opt-in; unemployment and work injury rest on
    one source each, so the tenant accepts the series in writing before a pay run uses them."""
    from domain.regulation.model import LawLayers

    plain = LawLayers()
    result = pay(plain.pack("CN"), "HZ", "12000", on=TODAY)
    assert result.parameter_versions["social_insurance"] == "cn-hz-si-2026"
    assert plain.refusal(result) is not None
    accepted = LawLayers(accepted_unverified=frozenset({("CN", "social_insurance")}))
    assert accepted.refusal(pay(accepted.pack("CN"), "HZ", "12000", on=TODAY)) is None
