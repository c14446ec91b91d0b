"""Pay calendars: periods, pay dates moved off weekends and holidays, cut-offs, and proration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec
import pytest

from domain.payroll.calendar import (
    HolidayRule,
    PayGroupRule,
    PayPeriod,
    ProrationMethod,
    ProrationRule,
    daily_rate_divisor,
    period_containing,
    periods,
    proration_factor,
)

D = Decimal


def by_month(rule: PayGroupRule, year: int) -> dict[int, PayPeriod]:
    return {period.nominal_pay_date.month: period for period in periods(rule, year)}


# -- China: pay on the 10th, National Day and the swapped working weekend days of 2026 ---------------
# holidays 0.109: 1-3, 5-7 October off (5 observed, 6-7 swapped), 20 September (Sun) and 10 October (Sat)
# worked instead; 1-2 and 4-5 May off with 9 May (Sat) worked.

CN_10TH = PayGroupRule(frequency="monthly", pay_day=10, country="CN", cut_off_days_before_pay=3)


def test_china_monthly_has_twelve_calendar_month_periods() -> None:
    result = periods(CN_10TH, 2026)
    assert [p.number for p in result] == list(range(1, 13))
    assert result[1].period_start == date(2026, 2, 1) and result[1].period_end == date(2026, 2, 28)
    assert all(p.nominal_pay_date.day == 10 for p in result)


def test_china_pays_on_a_swapped_working_saturday_and_cuts_off_before_national_day() -> None:
    october = by_month(CN_10TH, 2026)[10]
    # 10 October 2026 is a Saturday but an official working day (swapped for 7 October): no move.
    assert october.nominal_pay_date == october.pay_date == date(2026, 10, 10)
    # Three working days back: 9 Oct (Fri), 8 Oct (Thu), then over the 1-7 October holiday to 30 September.
    assert october.cut_off == date(2026, 9, 30)


def test_china_pay_date_on_a_weekend_moves_to_the_previous_working_day() -> None:
    months = by_month(CN_10TH, 2026)
    assert months[1].pay_date == date(2026, 1, 9)  # Saturday 10 January → Friday
    assert months[5].pay_date == date(2026, 5, 9)  # Sunday 10 May → Saturday 9 May, a swapped working day
    assert months[5].cut_off == date(2026, 5, 6)  # 8, 7, 6 May (4-5 May are holidays)
    assert months[9].pay_date == date(2026, 9, 10) and months[9].cut_off == date(2026, 9, 7)


def test_china_pay_date_in_national_day_moves_back_into_september() -> None:
    rule = msgspec.structs.replace(CN_10TH, pay_day=5, pay_month_offset=1)
    october = by_month(rule, 2026)[10]
    assert october.period_start == date(2026, 9, 1) and october.period_end == date(2026, 9, 30)
    assert october.nominal_pay_date == date(2026, 10, 5)
    assert october.pay_date == date(2026, 9, 30)  # 5, 4, 3, 2, 1 October are all off
    assert october.cut_off == date(2026, 9, 24)  # 29, 28, then 25 Sep is Mid-Autumn, 26-27 a weekend → 24


def test_china_next_working_day_rule_lands_after_the_holiday() -> None:
    rule = msgspec.structs.replace(CN_10TH, pay_day=5, holiday_rule=HolidayRule.NEXT_WORKING_DAY)
    assert by_month(rule, 2026)[10].pay_date == date(2026, 10, 8)


def test_paying_the_previous_month_puts_december_into_the_next_pay_year() -> None:
    rule = msgspec.structs.replace(CN_10TH, pay_month_offset=1)
    result = periods(rule, 2026)
    assert result[0].period_start == date(2025, 12, 1) and result[0].nominal_pay_date == date(2026, 1, 10)
    assert result[-1].period_start == date(2026, 11, 1)


# -- Germany: pay on the last day of the month ------------------------------------------------------

DE_LAST = PayGroupRule(frequency="monthly", pay_day="last", country="DE", cut_off_days_before_pay=5)


def test_germany_last_day_of_may_is_a_sunday_so_pay_moves_to_friday() -> None:
    may = by_month(DE_LAST, 2026)[5]
    assert may.nominal_pay_date == date(2026, 5, 31)
    assert may.pay_date == date(2026, 5, 29)
    # 28, 27, 26, 22, 21 May: Pentecost Monday (25 May) and the weekend are skipped.
    assert may.cut_off == date(2026, 5, 21)


def test_germany_next_working_day_rule() -> None:
    rule = msgspec.structs.replace(DE_LAST, holiday_rule="next_working_day")
    assert by_month(rule, 2026)[5].pay_date == date(2026, 6, 1)


def test_february_clamping_of_day_31() -> None:
    rule = PayGroupRule(frequency="monthly", pay_day=31, country="DE")
    months = by_month(rule, 2026)
    assert months[2].nominal_pay_date == date(2026, 2, 28)
    assert months[2].pay_date == date(2026, 2, 27)  # 28 February 2026 is a Saturday
    assert months[4].nominal_pay_date == date(2026, 4, 30)
    assert by_month(rule, 2028)[2].nominal_pay_date == date(2028, 2, 29)  # leap year


def test_semimonthly_pays_on_the_15th_and_the_last_day() -> None:
    rule = PayGroupRule(frequency="semimonthly", pay_day="last", country="US")
    result = periods(rule, 2026)
    assert len(result) == 24
    assert [(p.period_start, p.period_end, p.nominal_pay_date, p.pay_date) for p in result[2:4]] == [
        (date(2026, 2, 1), date(2026, 2, 15), date(2026, 2, 15), date(2026, 2, 13)),
        (date(2026, 2, 16), date(2026, 2, 28), date(2026, 2, 28), date(2026, 2, 27)),
    ]


# -- United States: biweekly Fridays across Independence Day (observed Friday 3 July 2026) -----------

US_BIWEEKLY = PayGroupRule(
    frequency="biweekly", pay_day=4, anchor=date(2026, 1, 2), pay_lag_days=6, country="US", cut_off_days_before_pay=2
)


def test_us_biweekly_pay_date_on_july_4th_observed_moves_to_thursday() -> None:
    result = periods(US_BIWEEKLY, 2026)
    assert len(result) == 26
    # The series reaches 1 January and 31 December 2027, so that pay year has 27 pay dates.
    assert len(periods(US_BIWEEKLY, 2027)) == 27
    july = next(p for p in result if p.nominal_pay_date == date(2026, 7, 3))
    assert july.pay_date == date(2026, 7, 2)
    assert (july.period_start, july.period_end) == (date(2026, 6, 14), date(2026, 6, 27))
    assert july.cut_off == date(2026, 6, 30)
    following = result[july.number]  # numbers are 1-based
    assert following.nominal_pay_date == following.pay_date == date(2026, 7, 17)
    assert following.period_start == date(2026, 6, 28)


def test_us_biweekly_next_working_day_rule_lands_on_monday() -> None:
    rule = msgspec.structs.replace(US_BIWEEKLY, holiday_rule=HolidayRule.NEXT_WORKING_DAY)
    july = next(p for p in periods(rule, 2026) if p.nominal_pay_date == date(2026, 7, 3))
    assert july.pay_date == date(2026, 7, 6)


def test_biweekly_periods_are_contiguous_across_years() -> None:
    last_2026 = periods(US_BIWEEKLY, 2026)[-1]
    first_2027 = periods(US_BIWEEKLY, 2027)[0]
    assert (first_2027.period_start - last_2026.period_end).days == 1
    assert (first_2027.nominal_pay_date - last_2026.nominal_pay_date).days == 14


def test_weekly_without_anchor() -> None:
    rule = PayGroupRule(frequency="weekly", pay_day=4, country="US")
    result = periods(rule, 2026)
    assert len(result) == 52
    assert result[0].nominal_pay_date == date(2026, 1, 2)
    assert (result[0].period_start, result[0].period_end) == (date(2025, 12, 27), date(2026, 1, 2))
    assert result[-1].nominal_pay_date == date(2026, 12, 25) and result[-1].pay_date == date(2026, 12, 24)


def test_period_containing_uses_the_entity_timezone() -> None:
    moment = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # already 1 October in Shanghai
    assert period_containing(CN_10TH, moment, "Asia/Shanghai").period_start == date(2026, 10, 1)
    assert period_containing(CN_10TH, moment, "UTC").period_start == date(2026, 9, 1)


def test_the_rule_round_trips_through_json() -> None:
    encoded = msgspec.json.encode(US_BIWEEKLY)
    assert msgspec.json.decode(encoded, type=PayGroupRule) == US_BIWEEKLY


@pytest.mark.parametrize(
    "fields",
    [
        {"frequency": "daily", "pay_day": 1},
        {"frequency": "monthly", "pay_day": 0},
        {"frequency": "monthly", "pay_day": 32},
        {"frequency": "monthly", "pay_day": 10, "cut_off_days_before_pay": -1},
        {"frequency": "semimonthly", "pay_day": 16},
        {"frequency": "weekly", "pay_day": 7},
        {"frequency": "weekly", "pay_day": "last"},
        {"frequency": "biweekly", "pay_day": 4},  # no anchor
        {"frequency": "biweekly", "pay_day": 4, "anchor": "2026-01-01"},  # a Thursday
        {"frequency": "monthly", "pay_day": 10, "holiday_rule": "nearest"},
    ],
)
def test_invalid_rules_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"country": "US", **fields}, PayGroupRule)


# -- Proration -------------------------------------------------------------------------------------
# June 2026 has 30 days and 22 weekdays (1 June is a Monday); no nationwide German holiday falls in it,
# Bavaria has Corpus Christi on Thursday 4 June.

JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def test_joiner_on_the_15th_calendar_days() -> None:
    # 15-30 June: 16 of 30 days.
    assert proration_factor(*JUNE, date(2026, 6, 15), None, "calendar_days") == D("0.533333")


def test_joiner_on_the_15th_working_days() -> None:
    # 15-19, 22-26, 29-30 June: 12 of 22 working days.
    factor = proration_factor(*JUNE, date(2026, 6, 15), None, ProrationMethod.WORKING_DAYS, country="DE")
    assert factor == D("0.545455")
    # Corpus Christi in Bavaria leaves 21 working days in the month, 12 of them after the 15th.
    bavaria = proration_factor(*JUNE, date(2026, 6, 15), None, "working_days", country="DE", subdivision="BY")
    assert bavaria == D("0.571429")


def test_leaver() -> None:
    # Last day 10 June: 10 of 30 days; 1-5 and 8-10 June are 8 of 22 working days.
    assert proration_factor(*JUNE, None, date(2026, 6, 10), "calendar_days") == D("0.333333")
    assert proration_factor(*JUNE, None, date(2026, 6, 10), "working_days", country="DE") == D("0.363636")


def test_joiner_and_leaver_in_the_same_period() -> None:
    assert proration_factor(*JUNE, date(2026, 6, 8), date(2026, 6, 12), "calendar_days") == D("0.166667")
    assert proration_factor(*JUNE, date(2026, 6, 8), date(2026, 6, 12), "working_days", country="DE") == D("0.227273")


@pytest.mark.parametrize("method", ["calendar_days", "working_days"])
def test_employed_the_whole_period_is_one(method: str) -> None:
    assert proration_factor(*JUNE, None, None, method, country="DE") == D(1)
    assert proration_factor(*JUNE, date(2020, 1, 1), date(2030, 1, 1), method, country="DE") == D(1)
    assert proration_factor(*JUNE, date(2026, 6, 1), date(2026, 6, 30), method, country="DE") == D(1)


@pytest.mark.parametrize("method", ["calendar_days", "working_days"])
def test_not_employed_in_the_period_is_zero(method: str) -> None:
    assert proration_factor(*JUNE, date(2026, 7, 1), None, method, country="DE") == D(0)
    assert proration_factor(*JUNE, None, date(2026, 5, 31), method, country="DE") == D(0)


def test_factor_has_six_places() -> None:
    factor = proration_factor(*JUNE, date(2026, 6, 15), None, "calendar_days")
    assert factor.as_tuple().exponent == -6
    assert proration_factor(*JUNE, None, None, "calendar_days").as_tuple().exponent == -6


def test_china_working_days_count_the_swapped_saturday() -> None:
    october = (date(2026, 10, 1), date(2026, 10, 31))
    # Working days: 8, 9, 10 (a swapped Saturday), 12-16, 19-23, 26-30 = 18; from the 10th: 16 of 18.
    assert proration_factor(*october, date(2026, 10, 10), None, "working_days", country="CN") == D("0.888889")


CHINA_PAID_DAYS = ProrationRule(method=ProrationMethod.PAID_DAYS, paid_days_per_month=D("21.75"))


def test_china_pays_part_months_by_21_75_paid_days() -> None:
    """劳社部发〔2008〕3号: daily wage = monthly wage / 21.75; statutory holidays are paid days. From 15 June 2026:
    15-19 (Dragon Boat Festival on the 19th is paid), 22-26, 29-30 = 12 paid days, 12 / 21.75."""
    assert proration_factor(*JUNE, date(2026, 6, 15), None, CHINA_PAID_DAYS, country="CN") == D("0.551724")
    # From 2 June: 21 paid days, 21 / 21.75.
    assert proration_factor(*JUNE, date(2026, 6, 2), None, CHINA_PAID_DAYS, country="CN") == D("0.965517")


def test_china_paid_days_are_weekdays_whatever_the_swaps() -> None:
    """21.75 is 261 weekdays over 12 months, so a swapped working Saturday (9 May 2026) does not add a paid day
    and its swapped weekday off (5 May) does not take one away: from 4 May, 4-8, 11-15, 18-22, 25-29 = 20."""
    may = (date(2026, 5, 1), date(2026, 5, 31))
    assert proration_factor(*may, date(2026, 5, 4), None, CHINA_PAID_DAYS, country="CN") == D("0.919540")


def test_china_paid_days_never_pay_more_than_the_month() -> None:
    # July 2026 has 23 weekdays: leaving on the 30th is 22 paid days, more than 21.75, so the whole month.
    july = (date(2026, 7, 1), date(2026, 7, 31))
    assert proration_factor(*july, None, date(2026, 7, 30), CHINA_PAID_DAYS, country="CN") == D(1)


def test_singapore_counts_public_holidays_as_working_days() -> None:
    """MOM, salary for an incomplete month: working days exclude rest days but include public holidays. In
    August 2026, National Day (Sun 9) is observed on Monday 10: 21 weekdays, all counted; from the 10th, 16."""
    august = (date(2026, 8, 1), date(2026, 8, 31))
    rule = ProrationRule(method=ProrationMethod.WORKING_DAYS_WITH_HOLIDAYS)
    assert proration_factor(*august, date(2026, 8, 10), None, rule, country="SG") == D("0.761905")
    assert proration_factor(*august, date(2026, 8, 10), None, "working_days", country="SG") == D("0.750000")


def test_an_unpaid_day_is_worth_the_rules_day() -> None:
    assert daily_rate_divisor(*JUNE, CHINA_PAID_DAYS, country="CN") == D("21.75")
    august = (date(2026, 8, 1), date(2026, 8, 31))
    assert daily_rate_divisor(*august, "working_days_with_holidays", country="SG") == D(21)
    # Calendar-day proration still takes unpaid leave per working day: 22 in June, 21 in Bavaria.
    assert daily_rate_divisor(*JUNE, "calendar_days", country="DE") == D(22)
    assert daily_rate_divisor(*JUNE, "calendar_days", country="DE", subdivision="BY") == D(21)


def test_a_proration_rule_has_a_divisor_exactly_when_it_counts_paid_days() -> None:
    with pytest.raises(ValueError, match="paid_days_per_month"):
        ProrationRule(method=ProrationMethod.PAID_DAYS)
    with pytest.raises(ValueError, match="paid_days_per_month"):
        ProrationRule(method=ProrationMethod.CALENDAR_DAYS, paid_days_per_month=D("21.75"))


def test_bad_proration_input() -> None:
    with pytest.raises(ValueError, match="left_on"):
        proration_factor(*JUNE, date(2026, 6, 20), date(2026, 6, 10), "calendar_days")
    with pytest.raises(ValueError, match="country"):
        proration_factor(*JUNE, date(2026, 6, 15), None, "working_days")
    with pytest.raises(ValueError):
        proration_factor(*JUNE, date(2026, 6, 15), None, "hours")
