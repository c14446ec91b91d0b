"""Each contract-check rule of the generic labour engine passes at its limit and fails just over it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from compliance.labour import (
    VIOLATION_MESSAGES,
    Contract,
    LabourLaw,
    check_contract,
    leave_for_service,
)

SOURCE = {"issuer": "Test", "document": "Test Act", "url": "https://example.org", "verification": "official"}


def cited(value: Any) -> dict[str, Any]:
    return {"value": value, "source": SOURCE}


BASE = {
    "currency": "XXX",
    "minimum_wage": cited([{"amount": "2000", "unit": "month"}, {"amount": "2600", "unit": "month", "region": "R1"}]),
    "standard_weekly_hours": cited("40"),
    "overtime_multipliers": cited({"weekday": "1.5"}),
    "annual_leave_days": cited("5"),
    "notice_periods": cited([{"service_months": 0, "days": 30}]),
    "minimum_working_age": cited(16),
}


def law(**extra: Any) -> LabourLaw:
    return msgspec.convert({**BASE, **{name: cited(value) for name, value in extra.items()}}, LabourLaw)


def contract(**fields: Any) -> Contract:
    base: dict[str, Any] = {"start_date": "2026-01-01", "pay_amount": "5000", "pay_unit": "month",
                            "weekly_hours": "40"}
    return msgspec.convert({**base, **fields}, Contract)


def codes(law_: LabourLaw, contract_: Contract) -> set[str]:
    return {v.code for v in check_contract(law_, contract_)}


CN_LEAVE = [{"service_years": "1", "days": "5"}, {"service_years": "10", "days": "10"},
            {"service_years": "20", "days": "15"}]
JP_LEAVE = [{"service_years": years, "days": days} for years, days in
            (("0.5", "10"), ("1.5", "11"), ("2.5", "12"), ("3.5", "14"), ("4.5", "16"), ("5.5", "18"), ("6.5", "20"))]
JP_CEILINGS = {"special_clause_per_year": "720", "special_clause_months": 6,
               "with_holiday_work_per_month_below": "100", "with_holiday_work_average": "80"}


def test_a_law_without_the_new_fields_still_loads_and_checks_as_before() -> None:
    plain = law()
    assert plain.annual_leave_by_service is None and plain.overtime_limits is None
    assert codes(plain, contract(daily_hours="12", overtime_hours_per_month="300", annual_leave_days="5",
                                 service_years_at_start="25")) == set()


@pytest.mark.parametrize(
    ("years", "required"),
    [("0", "0"), ("0.99", "0"), ("1", "5"), ("9.99", "5"), ("10", "10"), ("19", "10"), ("20", "15"), ("45", "15")],
)
def test_china_leave_by_cumulative_working_years(years: str, required: str) -> None:
    """职工带薪年休假条例 第三条: under 1 year none; 1-<10 years 5 days; 10-<20 10; 20 and more 15."""
    cn = law(annual_leave_by_service=CN_LEAVE)
    assert leave_for_service(cn.annual_leave_by_service.value, Decimal(years)) == Decimal(required)  # type: ignore[union-attr]
    at_limit = contract(service_years_at_start=years, annual_leave_days=required)
    assert codes(cn, at_limit) == set()
    if required != "0":
        short = contract(service_years_at_start=years, annual_leave_days=str(Decimal(required) - 1))
        [violation] = check_contract(cn, short)
        assert violation.code == "labour.annual_leave" and violation.params["minimum"] == required
        assert violation.params["years"] == years


@pytest.mark.parametrize(("years", "required"), [("0.49", "0"), ("0.5", "10"), ("1.5", "11"), ("2.5", "12"),
                                                 ("3.5", "14"), ("4.5", "16"), ("5.5", "18"), ("6.5", "20"),
                                                 ("30", "20")])
def test_japan_leave_by_continuous_service(years: str, required: str) -> None:
    """労働基準法 第39条: 10 days after half a year, rising to 20 after six and a half."""
    jp = law(annual_leave_by_service=JP_LEAVE)
    assert codes(jp, contract(service_years_at_start=years, annual_leave_days=required)) == set()
    if required != "0":
        assert codes(jp, contract(service_years_at_start=years, annual_leave_days=str(Decimal(required) - 1))) == {
            "labour.annual_leave"}


def test_without_the_service_the_flat_minimum_applies() -> None:
    cn = law(annual_leave_by_service=CN_LEAVE)
    assert codes(cn, contract(annual_leave_days="5")) == set()
    assert codes(cn, contract(annual_leave_days="4")) == {"labour.annual_leave"}


def test_daily_hours() -> None:
    daily = law(maximum_daily_hours="8")
    assert codes(daily, contract(daily_hours="8")) == set()
    assert codes(daily, contract(daily_hours="8.5")) == {"labour.daily_hours"}
    assert codes(daily, contract()) == set()


def test_china_overtime_caps_a_day_and_a_month() -> None:
    """劳动法 第四十一条: at most 3 hours a day (for special reasons) and 36 a month."""
    cn = law(overtime_limits={"per_day": "3", "per_month": "36"})
    assert codes(cn, contract(overtime_hours_per_day="3", overtime_hours_per_month="36")) == set()
    assert codes(cn, contract(overtime_hours_per_day="3.5")) == {"labour.overtime_day"}
    assert codes(cn, contract(overtime_hours_per_month="36.5")) == {"labour.overtime_month"}
    # China has no special clause: agreeing one changes nothing.
    assert codes(cn, contract(overtime_hours_per_month="37", special_clause=True)) == {"labour.overtime_month"}


def jp() -> LabourLaw:
    return law(overtime_limits={"per_month": "45", "per_year": "360"}, overtime_ceilings=JP_CEILINGS)


def test_japan_general_limits_without_a_special_clause() -> None:
    """労働基準法 第36条第4項: 45 hours a month and 360 a year."""
    assert codes(jp(), contract(overtime_hours_per_month="45", overtime_hours_per_year="360")) == set()
    assert codes(jp(), contract(overtime_hours_per_month="46")) == {"labour.overtime_month"}
    assert codes(jp(), contract(overtime_hours_per_year="361")) == {"labour.overtime_year"}


def test_japan_special_clause_allows_more_within_its_ceilings() -> None:
    """第36条第5項: at most 720 hours a year and at most 6 months above 45 hours."""
    within = contract(special_clause=True, overtime_hours_per_month="75", overtime_hours_per_year="720",
                      months_over_general_limit=6)
    assert codes(jp(), within) == set()
    over_year = contract(special_clause=True, overtime_hours_per_year="721")
    assert codes(jp(), over_year) == {"labour.overtime_special_clause_year"}
    seven_months = contract(special_clause=True, overtime_hours_per_month="60", months_over_general_limit=7)
    assert codes(jp(), seven_months) == {"labour.overtime_special_clause_months"}


def test_japan_special_clause_above_the_limit_every_month_is_too_many_months() -> None:
    assert codes(jp(), contract(special_clause=True, overtime_hours_per_month="46")) == {
        "labour.overtime_special_clause_months"}
    assert codes(jp(), contract(special_clause=True, overtime_hours_per_month="45")) == set()


def test_japan_overtime_and_holiday_work_stay_below_100_hours_a_month() -> None:
    """第36条第6項第2号: below 100 hours, so 100 itself breaks it; holiday work counts."""
    one_peak = {"special_clause": True, "months_over_general_limit": 1}
    below = contract(overtime_hours_per_month="89", holiday_work_hours_per_month="10.9", **one_peak)
    assert codes(jp(), below) == set()
    assert codes(jp(), contract(overtime_hours_per_month="90", holiday_work_hours_per_month="10", **one_peak)) == {
        "labour.overtime_with_holiday_work_month"}


def test_japan_overtime_and_holiday_work_average_at_most_80_hours() -> None:
    """第36条第6項第3号: the 2- to 6-month averages at most 80 hours, holiday work included."""
    sustained = {"special_clause": True, "months_over_general_limit": 2}
    assert codes(jp(), contract(overtime_hours_per_month="70", holiday_work_hours_per_month="10", **sustained)) == set()
    assert codes(jp(), contract(overtime_hours_per_month="70", holiday_work_hours_per_month="10.5", **sustained)) == {
        "labour.overtime_with_holiday_work_average"}
    # Without a special clause overtime stays at 45, but holiday work on top still counts towards the average.
    assert codes(jp(), contract(overtime_hours_per_month="45", holiday_work_hours_per_month="36")) == {
        "labour.overtime_with_holiday_work_average"}


SHANGHAI_EXCLUDES = ["overtime_pay", "employee_social_insurance", "employee_housing_fund"]


def test_the_minimum_wage_is_compared_after_what_the_law_leaves_out() -> None:
    """Shanghai: the employee's own social-insurance and housing-fund contributions are not part of the
    minimum wage; elsewhere they are, and pay is compared whole."""
    comparison = {"R1": cited({"excludes": SHANGHAI_EXCLUDES})}
    excluding = msgspec.convert({**BASE, "minimum_wage_comparison": comparison}, LabourLaw)
    contributions = {"employee_social_insurance": "300", "employee_housing_fund": "100"}
    at_minimum = contract(region="R1", pay_amount="3000", pay_components=contributions)
    assert codes(excluding, at_minimum) == set()
    [short] = check_contract(excluding, contract(region="R1", pay_amount="2999.99", pay_components=contributions))
    assert short.code == "labour.minimum_wage" and "leaves out" in short.message
    # The gross at the minimum wage passes where the law counts the contributions.
    assert codes(excluding, contract(region="R2", pay_amount="2600", pay_components=contributions)) == set()
    assert codes(law(), contract(region="R1", pay_amount="2600", pay_components=contributions)) == set()


def test_a_default_comparison_applies_to_regions_without_their_own() -> None:
    comparison = {"default": cited({"excludes": ["overtime_pay"]}), "R1": cited({"excludes": SHANGHAI_EXCLUDES})}
    excluding = msgspec.convert({**BASE, "minimum_wage_comparison": comparison}, LabourLaw)
    assert excluding.excluded_from_minimum_wage("R9") == {"overtime_pay"}
    assert excluding.excluded_from_minimum_wage(None) == {"overtime_pay"}
    overtime_inside = contract(pay_amount="2000", pay_components={"overtime_pay": "1", "employee_housing_fund": "9"})
    assert codes(excluding, overtime_inside) == {"labour.minimum_wage"}


@pytest.mark.parametrize(
    "bad",
    [{"service_years_at_start": "-1"}, {"service_years_at_start": "81"}, {"daily_hours": "0"}, {"daily_hours": "25"},
     {"overtime_hours_per_month": "-1"}, {"months_over_general_limit": 13},
     {"pay_components": {"employee_housing_fund": "-1"}}, {"pay_components": {"employee_housing_fund": "5001"}},
     {"pay_components": {"salary": "1"}}],
)
def test_implausible_contract_inputs_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        contract(**bad)


def test_every_rule_message_is_a_catalogue_msgid() -> None:
    assert len(set(VIOLATION_MESSAGES)) == len(VIOLATION_MESSAGES)
    cn = law(overtime_limits={"per_day": "3", "per_month": "36"}, maximum_daily_hours="8",
             annual_leave_by_service=CN_LEAVE)
    messy = contract(daily_hours="9", overtime_hours_per_day="4", overtime_hours_per_month="40",
                     annual_leave_days="1", service_years_at_start="12")
    found = check_contract(cn, messy)
    assert len(found) == 4 and {v.message for v in found} <= set(VIOLATION_MESSAGES)
