"""労働基準法 minimums and the 令和7年度 地域別最低賃金, each from its own effective date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import msgspec
import pytest

from compliance.labour import Contract
from compliance.pack import Pack
from compliance.registry import pack_for

MINIMUM_WAGE_LIST = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/koyou_roudou/roudoukijun/minimumichiran/"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("JP")


def hourly_minimum(pack: Pack, region: str, on: date) -> Decimal:
    rates = [rate for rate in pack.labour_law(on, region).minimum_wage.value if rate.region == region]
    assert len(rates) == 1 and rates[0].unit == "hour"
    return rates[0].amount


@pytest.mark.parametrize(
    ("region", "amount", "effective"),
    [
        ("13", "1226", date(2025, 10, 3)),  # 東京
        ("27", "1177", date(2025, 10, 16)),  # 大阪
        ("23", "1140", date(2025, 10, 18)),  # 愛知
        ("40", "1057", date(2025, 11, 16)),  # 福岡
        ("07", "1033", date(2026, 1, 1)),  # 福島
        ("10", "1063", date(2026, 3, 1)),  # 群馬
        ("05", "1031", date(2026, 3, 31)),  # 秋田
    ],
)
def test_r7_minimum_wage_takes_effect_on_its_own_date(pack: Pack, region: str, amount: str, effective: date) -> None:
    """厚生労働省「地域別最低賃金の全国一覧」(令和7年度), with each prefecture's 発効年月日. """
    assert hourly_minimum(pack, region, effective) == Decimal(amount)
    assert hourly_minimum(pack, region, effective - timedelta(days=1)) < Decimal(amount)


def test_every_prefecture_has_an_r7_minimum_wage(pack: Pack) -> None:
    assert len(pack.regions) == 47
    for region in pack.regions:
        assert hourly_minimum(pack, region, date(2026, 4, 1)) >= Decimal("1023")


def test_statutory_minimums(pack: Pack) -> None:
    """労働基準法 第32条 (40 hours), 第37条 (割増賃金), 第39条 (10 days), 第20条 (30 days), 第56条 (15)."""
    law = pack.labour_law(date(2025, 12, 1), "13")
    assert law.standard_weekly_hours.value == Decimal("40")
    assert law.overtime_multipliers.value == {
        "overtime": Decimal("1.25"), "rest_day": Decimal("1.35"), "overtime_over_60h_month": Decimal("1.5"),
        "late_night_addition": Decimal("0.25"),
    }
    assert law.annual_leave_days.value == Decimal("10")
    assert [tier.days for tier in law.notice_periods.value] == [30]
    assert law.minimum_working_age.value == 15
    assert law.maximum_probation is None
    assert law.minimum_wage.source.url == MINIMUM_WAGE_LIST


def test_contract_below_the_tokyo_minimum_is_flagged(pack: Pack) -> None:
    contract = Contract(
        start_date=date(2025, 10, 3), pay_amount=Decimal("1200"), pay_unit="hour", weekly_hours=Decimal("40"),
        region="13", date_of_birth=date(2000, 1, 1), annual_leave_days=Decimal("10"), notice_days=30,
    )
    assert [v.code for v in pack.check_contract(contract)] == ["labour.minimum_wage"]
    fair = msgspec.structs.replace(contract, pay_amount=Decimal("1226"))
    assert pack.check_contract(fair) == []
    # The day before, the 令和6年度 rate (1,163円) was in force.
    assert pack.check_contract(msgspec.structs.replace(contract, start_date=date(2025, 10, 2))) == []


def test_holidays_calendar_is_national(pack: Pack) -> None:
    assert pack.calendar("13").is_holiday(date(2026, 1, 1))
