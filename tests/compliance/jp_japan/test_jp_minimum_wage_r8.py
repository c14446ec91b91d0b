"""令和8年度 地域別最低賃金: each prefecture's amount from its own effective date, and how well each is known."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import msgspec
import pytest

from compliance.labour import Contract
from compliance.pack import LABOUR_SERIES, Pack
from compliance.parameters import Verification
from compliance.registry import pack_for

#: code: (円/時間, 発効年月日, whether the date is given by two independent sources as well as the amount).
R8: dict[str, tuple[str, date, bool]] = {
    "01": ("1131", date(2026, 10, 1), True),  # 北海道
    "02": ("1090", date(2026, 10, 29), False),  # 青森県
    "03": ("1090", date(2026, 12, 1), False),  # 岩手県
    "04": ("1098", date(2026, 10, 1), True),  # 宮城県
    "05": ("1090", date(2026, 10, 14), False),  # 秋田県
    "06": ("1092", date(2026, 10, 30), False),  # 山形県
    "07": ("1094", date(2026, 10, 16), False),  # 福島県
    "08": ("1136", date(2026, 10, 18), False),  # 茨城県
    "09": ("1125", date(2026, 10, 1), False),  # 栃木県
    "10": ("1120", date(2026, 10, 3), False),  # 群馬県
    "11": ("1196", date(2026, 10, 1), True),  # 埼玉県
    "12": ("1195", date(2026, 10, 1), False),  # 千葉県
    "13": ("1280", date(2026, 10, 1), True),  # 東京都
    "14": ("1279", date(2026, 10, 1), True),  # 神奈川県
    "15": ("1108", date(2026, 10, 1), True),  # 新潟県
    "16": ("1119", date(2026, 10, 1), True),  # 富山県
    "17": ("1113", date(2026, 10, 3), True),  # 石川県
    "18": ("1112", date(2026, 10, 4), False),  # 福井県
    "19": ("1113", date(2026, 11, 1), False),  # 山梨県
    "20": ("1117", date(2026, 10, 2), True),  # 長野県
    "21": ("1121", date(2026, 10, 1), True),  # 岐阜県
    "22": ("1154", date(2026, 10, 15), False),  # 静岡県
    "23": ("1195", date(2026, 10, 1), True),  # 愛知県
    "24": ("1143", date(2026, 10, 1), True),  # 三重県
    "25": ("1136", date(2026, 10, 3), True),  # 滋賀県
    "26": ("1180", date(2026, 11, 16), True),  # 京都府
    "27": ("1231", date(2026, 10, 1), True),  # 大阪府
    "28": ("1172", date(2026, 10, 1), True),  # 兵庫県
    "29": ("1107", date(2026, 10, 4), False),  # 奈良県
    "30": ("1101", date(2026, 10, 3), False),  # 和歌山県
    "31": ("1090", date(2026, 10, 3), True),  # 鳥取県
    "32": ("1092", date(2026, 10, 10), False),  # 島根県
    "33": ("1104", date(2026, 10, 2), False),  # 岡山県
    "34": ("1141", date(2026, 10, 11), False),  # 広島県
    "35": ("1101", date(2026, 10, 8), False),  # 山口県
    "36": ("1103", date(2026, 11, 1), False),  # 徳島県
    "37": ("1092", date(2026, 10, 1), False),  # 香川県
    "38": ("1093", date(2026, 11, 1), False),  # 愛媛県
    "39": ("1086", date(2026, 10, 29), False),  # 高知県
    "40": ("1114", date(2026, 10, 4), False),  # 福岡県
    "41": ("1095", date(2026, 11, 15), True),  # 佐賀県
    "42": ("1087", date(2026, 11, 2), False),  # 長崎県
    "43": ("1092", date(2026, 12, 1), False),  # 熊本県
    "44": ("1096", date(2026, 11, 1), False),  # 大分県
    "45": ("1085", date(2026, 10, 24), True),  # 宮崎県
    "46": ("1090", date(2026, 10, 25), False),  # 鹿児島県
    "47": ("1086", date(2026, 12, 2), True),  # 沖縄県
}


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("JP")


def hourly_minimum(pack: Pack, region: str, on: date) -> Decimal:
    rates = [rate for rate in pack.labour_law(on, region).minimum_wage.value if rate.region == region]
    assert len(rates) == 1 and rates[0].unit == "hour"
    return rates[0].amount


def tokyo_contract(start: date, pay: str) -> Contract:
    return Contract(
        start_date=start, pay_amount=Decimal(pay), pay_unit="hour", weekly_hours=Decimal("40"), region="13",
        date_of_birth=date(1990, 1, 1), annual_leave_days=Decimal("10"), notice_days=30,
    )


def test_tokyo_minimum_on_1_november_2026_is_1280_yen(pack: Pack) -> None:
    assert hourly_minimum(pack, "13", date(2026, 11, 1)) == Decimal("1280")
    assert [v.code for v in pack.check_contract(tokyo_contract(date(2026, 11, 1), "1279"))] == [
        "labour.minimum_wage"]
    assert pack.check_contract(tokyo_contract(date(2026, 11, 1), "1280")) == []
    # 1,226円 (令和7年度) was still the minimum on 30 September 2026.
    assert pack.check_contract(tokyo_contract(date(2026, 9, 30), "1226")) == []


@pytest.mark.parametrize(("region", "before", "after", "effective"), [
    ("26", "1122", "1180", date(2026, 11, 16)),  # 京都
    ("41", "1030", "1095", date(2026, 11, 15)),  # 佐賀
    ("47", "1023", "1086", date(2026, 12, 2)),  # 沖縄
])
def test_a_late_revision_keeps_the_r7_amount_until_the_day_before(
        pack: Pack, region: str, before: str, after: str, effective: date) -> None:
    assert hourly_minimum(pack, region, effective - timedelta(days=1)) == Decimal(before)
    assert hourly_minimum(pack, region, effective) == Decimal(after)


@pytest.mark.parametrize("region", sorted(R8))
def test_every_prefecture_has_its_r8_amount_from_its_own_date(pack: Pack, region: str) -> None:
    amount, effective, _ = R8[region]
    assert hourly_minimum(pack, region, effective) == Decimal(amount)
    assert hourly_minimum(pack, region, effective - timedelta(days=1)) < Decimal(amount)
    assert hourly_minimum(pack, region, date(2026, 12, 2)) == Decimal(amount)


def test_each_r8_version_is_as_well_known_as_its_weaker_figure(pack: Pack) -> None:
    """Amounts agree in two GitHub data sets; a date that only one of them gives leaves the version unverified."""
    versions = {v.region: v for v in pack.series[LABOUR_SERIES].versions if v.version.startswith("jp-labour-r8-")}
    assert sorted(versions) == sorted(R8)
    for region, (_, effective, date_corroborated) in R8.items():
        version = versions[region]
        assert version.effective_from == effective and version.effective_to is None
        expected = Verification.CORROBORATED if date_corroborated else Verification.UNVERIFIED
        assert version.verification is expected, region
        source = version.parameters.minimum_wage.source
        assert source.verification is expected
        assert len(source.corroboration) >= (3 if date_corroborated else 2)
    assert sum(corroborated for _, _, corroborated in R8.values()) == 20
    assert versions["13"].verification is Verification.CORROBORATED
    assert versions["46"].verification is Verification.UNVERIFIED


def test_no_minimum_wage_figure_claims_to_be_read_in_the_official_list(pack: Pack) -> None:
    """The MHLW 全国一覧 could not be read; R6 and R7 amounts are corroborated by two independent lists each."""
    for version in pack.series[LABOUR_SERIES].versions:
        source = version.parameters.minimum_wage.source
        assert source.verification is not Verification.OFFICIAL, version.version
        if version.version.startswith(("jp-labour-r6", "jp-labour-r7")):
            assert source.verification is Verification.CORROBORATED
            assert len({s.publisher for s in source.corroboration}) >= 2


def test_r7_versions_end_the_day_before_r8(pack: Pack) -> None:
    versions = {v.version: v for v in pack.series[LABOUR_SERIES].versions}
    for region, (_, effective, _) in R8.items():
        assert versions[f"jp-labour-r7-{region}"].effective_to == effective - timedelta(days=1)


def test_statutory_minimums_carry_on_unchanged(pack: Pack) -> None:
    r7 = pack.labour_law(date(2026, 9, 30), "13")
    r8 = pack.labour_law(date(2026, 10, 1), "13")
    for name in ("standard_weekly_hours", "overtime_multipliers", "annual_leave_days", "notice_periods",
                 "minimum_working_age"):
        assert msgspec.to_builtins(getattr(r7, name)) == msgspec.to_builtins(getattr(r8, name)), name
