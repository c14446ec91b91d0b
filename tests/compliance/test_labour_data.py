"""The shipped CN and JP labour data carry the hours, overtime, leave-by-service and minimum-wage-comparison rules
in every version in force from 2025, so a version added later without them fails here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.labour import LabourLaw, PayComponent, leave_for_service
from compliance.pack import LABOUR_SERIES
from compliance.parameters import Verification
from compliance.registry import pack_for

SINCE = date(2025, 1, 1)


def versions_since(country: str) -> list[tuple[str, LabourLaw]]:
    series = pack_for(country).series[LABOUR_SERIES]
    found = [(v.version, v.parameters) for v in series.versions if v.effective_to is None or v.effective_to >= SINCE]
    assert found
    return found


@pytest.mark.parametrize(("version", "law"), versions_since("CN"))
def test_china_hours_overtime_and_leave(version: str, law: LabourLaw) -> None:
    """劳动法 第三十六条, 第四十一条; 国务院令第174号 第三条; 职工带薪年休假条例 第三条."""
    assert law.maximum_daily_hours is not None and law.maximum_daily_hours.value == Decimal("8"), version
    assert law.maximum_weekly_hours is not None and law.maximum_weekly_hours.value == Decimal("40"), version
    assert law.overtime_limits is not None, version
    limits = law.overtime_limits.value
    assert (limits.per_day, limits.per_month, limits.per_year) == (Decimal("3"), Decimal("36"), None)
    assert law.overtime_ceilings is None
    assert law.annual_leave_by_service is not None, version
    tiers = law.annual_leave_by_service.value
    assert [leave_for_service(tiers, Decimal(y)) for y in ("0.9", "1", "9", "10", "19", "20", "40")] == [
        0, 5, 5, 10, 10, 15, 15]


@pytest.mark.parametrize(("version", "law"), versions_since("CN"))
def test_shanghai_and_beijing_leave_out_the_employees_own_contributions(version: str, law: LabourLaw) -> None:
    own = {PayComponent.EMPLOYEE_SOCIAL_INSURANCE, PayComponent.EMPLOYEE_HOUSING_FUND}
    assert own <= law.excluded_from_minimum_wage("SH"), version
    assert own <= law.excluded_from_minimum_wage("BJ"), version
    assert not own & law.excluded_from_minimum_wage("SZ"), version


@pytest.mark.parametrize(("version", "law"), versions_since("JP"))
def test_japan_hours_36_agreement_and_leave(version: str, law: LabourLaw) -> None:
    """労働基準法 第32条, 第36条第4項～第6項, 第39条."""
    assert law.maximum_daily_hours is not None and law.maximum_daily_hours.value == Decimal("8"), version
    assert law.overtime_limits is not None and law.overtime_ceilings is not None, version
    limits, ceilings = law.overtime_limits.value, law.overtime_ceilings.value
    assert (limits.per_month, limits.per_year) == (Decimal("45"), Decimal("360"))
    assert (ceilings.special_clause_per_year, ceilings.special_clause_months) == (Decimal("720"), 6)
    assert (ceilings.with_holiday_work_per_month_below, ceilings.with_holiday_work_average) == (
        Decimal("100"), Decimal("80"))
    assert law.annual_leave_by_service is not None, version
    tiers = law.annual_leave_by_service.value
    assert [leave_for_service(tiers, Decimal(y)) for y in ("0.4", "0.5", "1.5", "2.5", "3.5", "4.5", "5.5", "6.5",
                                                           "20")] == [0, 10, 11, 12, 14, 16, 18, 20, 20]


@pytest.mark.parametrize("country", ["CN", "JP"])
def test_the_new_figures_are_official_or_corroborated(country: str) -> None:
    for version, law in versions_since(country):
        cited = [law.maximum_daily_hours, law.overtime_limits, law.overtime_ceilings, law.annual_leave_by_service,
                 *(law.minimum_wage_comparison or {}).values()]
        for figure in (c for c in cited if c is not None):
            assert figure.source.verification is not Verification.UNVERIFIED, version
            if figure.source.verification is Verification.CORROBORATED:
                assert len({s.url for s in figure.source.corroboration}) >= 2, version
