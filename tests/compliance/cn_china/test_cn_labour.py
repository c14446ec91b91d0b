"""CN labour-law minimums: hours, overtime, leave, probation, notice, working age, minimum wages, calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec
import pytest

from compliance.errors import NoParametersInForce
from compliance.labour import Contract
from compliance.pack import Pack
from compliance.registry import pack_for

CITIES = ("BJ", "SH", "SZ", "GZ", "HZ", "CD")


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("CN")


def test_statutory_minimums(pack: Pack) -> None:
    """劳动法 第十五条/第四十四条; 国务院令第174号 第三条; 职工带薪年休假条例 第三条; 劳动合同法 第十九条/第四十条."""
    law = pack.labour_law(date(2025, 10, 1), "BJ")
    assert law.standard_weekly_hours.value == Decimal("40")
    assert law.overtime_multipliers.value == {
        "weekday": Decimal("1.5"), "rest_day": Decimal("2"), "public_holiday": Decimal("3")}
    assert law.annual_leave_days.value == Decimal("5")
    assert [(t.service_months, t.days) for t in law.notice_periods.value] == [(0, 30)]
    assert law.minimum_working_age.value == 16
    assert law.maximum_probation is not None
    assert [(t.contract_months, t.max_months) for t in law.maximum_probation.value] == [
        (0, 0), (3, 1), (12, 2), (36, 6)]
    assert "第四十四条" in (law.overtime_multipliers.source.article or "")


@pytest.mark.parametrize("region", CITIES)
def test_every_city_has_a_monthly_and_an_hourly_minimum_wage(pack: Pack, region: str) -> None:
    law = pack.labour_law(date(2025, 10, 1), region)
    monthly = [r for r in law.minimum_wage.value if r.region == region]
    assert len(monthly) == 1 and monthly[0].unit == "month" and monthly[0].amount > 2000
    assert pack.part_time_minimum_wage(date(2025, 10, 1), region) > Decimal("20")


def test_minimum_wage_changes_are_dated(pack: Pack) -> None:
    def beijing(on: date) -> Decimal:
        return next(r.amount for r in pack.labour_law(on, "BJ").minimum_wage.value if r.region == "BJ")

    assert beijing(date(2025, 8, 31)) == Decimal("2420")
    assert beijing(date(2025, 9, 1)) == Decimal("2540")


@pytest.mark.parametrize(
    ("fixed_term", "probation", "allowed"),
    [(2, 1, False), (6, 1, True), (6, 2, False), (24, 2, True), (24, 3, False), (36, 6, True), (None, 6, True),
     (None, 7, False)],
)
def test_probation_tiers(pack: Pack, fixed_term: int | None, probation: int, allowed: bool) -> None:
    """劳动合同法 第十九条: <3 months none; 3 months–1 year 1; 1–3 years 2; ≥3 years or open-ended 6."""
    contract = Contract(
        start_date=date(2025, 10, 1), pay_amount=Decimal("8000"), pay_unit="month", weekly_hours=Decimal("40"),
        region="SH", probation_months=probation, fixed_term_months=fixed_term,
    )
    codes = [v.code for v in pack.check_contract(contract)]
    assert ("labour.probation" not in codes) is allowed


def test_contract_check_flags_low_pay_short_notice_and_child_labour(pack: Pack) -> None:
    contract = Contract(
        start_date=date(2025, 10, 1), pay_amount=Decimal("2000"), pay_unit="month", weekly_hours=Decimal("40"),
        region="BJ", date_of_birth=date(2010, 1, 1), annual_leave_days=Decimal("3"), notice_days=15,
    )
    codes = [v.code for v in pack.check_contract(contract)]
    assert codes == ["labour.minimum_wage", "labour.annual_leave", "labour.notice_period", "labour.minimum_age"]
    fair = msgspec.structs.replace(
        contract, pay_amount=Decimal("2540"), date_of_birth=date(1990, 1, 1), annual_leave_days=Decimal("5"),
        notice_days=30,
    )
    assert pack.check_contract(fair) == []


def test_calendar_uses_the_national_holidays(pack: Pack) -> None:
    calendar = pack.calendar("SZ")
    assert calendar.is_holiday(date(2025, 10, 1))
    assert not calendar.is_working_day(date(2025, 10, 1))


def monthly_minimum(pack: Pack, on: date, region: str) -> Decimal:
    return next(r.amount for r in pack.labour_law(on, region).minimum_wage.value if r.region == region)


def test_guangdong_minimum_wages_rise_on_1_september_2026(pack: Pack) -> None:
    """粤府函〔2026〕188号, first tier: Shenzhen 2,520 → 2,700 and Guangzhou 2,500 → 2,680 a month, 25.4 an hour."""
    assert [monthly_minimum(pack, date(2026, 8, 31), city) for city in ("SZ", "GZ")] == [Decimal("2520"),
                                                                                            Decimal("2500")]
    assert [monthly_minimum(pack, date(2026, 9, 1), city) for city in ("SZ", "GZ")] == [Decimal("2700"),
                                                                                           Decimal("2680")]
    assert pack.part_time_minimum_wage(date(2026, 9, 1), "SZ") == Decimal("25.4")
    assert pack.part_time_minimum_wage(date(2026, 9, 1), "GZ") == Decimal("25.4")


def test_corrected_chengdu_and_shanghai_minimum_wages(pack: Pack) -> None:
    """Corrected law: Chengdu (Sichuan first tier) has been 2,330 a month and 23 an hour since 2025-01-01 (the files
    said 2,100 / 22); Shanghai's part-time hourly minimum rose with the monthly one to 25 on 2025-07-01 (was 24)."""
    assert monthly_minimum(pack, date(2024, 12, 31), "CD") == Decimal("2100")
    assert monthly_minimum(pack, date(2025, 1, 1), "CD") == Decimal("2330")
    assert monthly_minimum(pack, date(2026, 12, 2), "CD") == Decimal("2330")
    assert pack.part_time_minimum_wage(date(2025, 1, 1), "CD") == Decimal("23")
    assert pack.part_time_minimum_wage(date(2025, 6, 30), "SH") == Decimal("24")
    assert pack.part_time_minimum_wage(date(2025, 7, 1), "SH") == Decimal("25")


def test_part_month_pay_cites_the_2025_notice_that_repealed_the_2008_one(pack: Pack) -> None:
    """人社部发〔2025〕2号 keeps 21.75 paid days a month and repeals 劳社部发〔2008〕3号 from 2025-01-01."""
    before, after = pack.labour_law(date(2024, 6, 1)).proration, pack.labour_law(date(2026, 12, 2)).proration
    assert before is not None and after is not None
    assert before.value.paid_days_per_month == after.value.paid_days_per_month == Decimal("21.75")
    assert "劳社部发〔2008〕3号" in before.source.document
    assert "人社部发〔2025〕2号" in after.source.document
    assert after.source.verification == "corroborated" and len(after.source.corroboration) >= 2


def test_a_city_without_a_part_time_rate_in_force_is_refused_by_name(pack: Pack) -> None:
    """Wuhan joined the pack with the 2026 figures; before them there is no rate to read, and the answer says so."""
    with pytest.raises(NoParametersInForce) as missing:
        pack.part_time_minimum_wage(date(2024, 6, 1), "WH")
    assert "WH" in str(missing.value)
