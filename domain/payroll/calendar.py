"""Pay calendars of a pay group: its periods, pay dates, cut-offs, and proration for joiners and leavers.

Pure date arithmetic, no database. Every date here is a calendar date in the legal entity's time zone;
:func:`period_containing` is the one place an instant is turned into such a date.

A pay group's :class:`PayGroupRule` says how often it pays and on which day. A nominal pay date that
is not a working day in the entity's country (weekend or public holiday, using
:mod:`compliance.calendar`, where China's swapped working weekend days count as working days) moves
to the previous or the next working day. The cut-off (the last day inputs are taken for the run) is
``cut_off_days_before_pay`` working days before the adjusted pay date.

The periods of a year are those whose *nominal* pay date falls in that year, so a period always
belongs to exactly one pay year, even when its adjusted pay date moves across New Year.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from compliance.calculation import PayFrequency
from compliance.calendar import SATURDAY, WorkingDayCalendar, working_day_calendar
from compliance.labour import CALENDAR_DAYS_PRORATION, ProrationMethod, ProrationRule
from compliance.registry import pack_for
from domain.kernel.time import to_local

SUPPORTED_FREQUENCIES = (
    PayFrequency.MONTHLY,
    PayFrequency.SEMIMONTHLY,
    PayFrequency.BIWEEKLY,
    PayFrequency.WEEKLY,
)
FRACTION = Decimal("0.000001")
ONE = Decimal(1)
ZERO = Decimal(0)
MAX_CUT_OFF_WORKING_DAYS = 23
_STEP_DAYS = {PayFrequency.WEEKLY: 7, PayFrequency.BIWEEKLY: 14}


class HolidayRule(StrEnum):
    """Where a pay date that falls on a weekend or public holiday goes."""

    PREVIOUS_WORKING_DAY = "previous_working_day"
    NEXT_WORKING_DAY = "next_working_day"


class PayGroupRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How a pay group pays: how often, on which day, on the working days of which country (and subdivision),
    what happens to a pay date on a weekend or public holiday, and how many working days before it inputs close.

    ``pay_day`` by frequency:

    * monthly: the day of the month, 1-31 (clamped to the month's last day, so 31 is 28 February)
      or ``"last"``. Periods are calendar months; ``pay_month_offset`` 1 pays a month in the next
      month (for example pay on the 10th for the previous month), 0 pays it within the month.
    * semimonthly: periods are the 1st-15th and the 16th-last day of each month; ``"last"`` pays on
      each period's last day (the 15th and the month's last day), a day ``d`` of 1-15 pays the first
      half on ``d`` and the second on ``d + 15`` (clamped to the month's last day).
    * weekly and biweekly: the weekday, 0 (Monday) to 6 (Sunday). ``anchor`` is one nominal pay date
      of the series (on that weekday; for biweekly it fixes which week pays, for weekly it may be
      omitted). A period ends ``pay_lag_days`` days before its nominal pay date and is 7 or 14 days long.
    """

    frequency: PayFrequency
    pay_day: int | Literal["last"]
    country: str
    subdivision: str | None = None
    #: the cut-off falls inside the month before pay at the latest: a larger count is a typing error, and an
    #: unbounded one made the calendar walk working days for seconds on the event loop
    cut_off_days_before_pay: Annotated[int, msgspec.Meta(ge=0, le=MAX_CUT_OFF_WORKING_DAYS)] = 0
    holiday_rule: HolidayRule = HolidayRule.PREVIOUS_WORKING_DAY
    anchor: date | None = None
    pay_lag_days: int = 0
    pay_month_offset: int = 0

    def __post_init__(self) -> None:
        if self.frequency not in SUPPORTED_FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(SUPPORTED_FREQUENCIES)}")
        if self.frequency in _STEP_DAYS:
            self._check_weekly()
        else:
            self._check_monthly()

    def _check_weekly(self) -> None:
        if self.pay_day == "last" or not 0 <= self.pay_day <= 6:
            raise ValueError("pay_day of a weekly or biweekly pay group is a weekday, 0 (Monday) to 6 (Sunday)")
        if self.frequency == PayFrequency.BIWEEKLY and self.anchor is None:
            raise ValueError("a biweekly pay group needs an anchor pay date")
        if self.anchor is not None and self.anchor.weekday() != self.pay_day:
            raise ValueError("anchor must fall on the pay_day weekday")
        if not 0 <= self.pay_lag_days <= 366:
            raise ValueError("pay_lag_days must be between 0 and 366")
        if self.pay_month_offset:
            raise ValueError("pay_month_offset applies to monthly pay groups only")

    def _check_monthly(self) -> None:
        highest = 31 if self.frequency == PayFrequency.MONTHLY else 15
        if self.pay_day != "last" and not 1 <= self.pay_day <= highest:
            raise ValueError(f"pay_day must be a day of the month from 1 to {highest}, or 'last'")
        if self.anchor is not None or self.pay_lag_days:
            raise ValueError("anchor and pay_lag_days apply to weekly and biweekly pay groups only")
        if self.pay_month_offset not in (0, 1) or (self.pay_month_offset and self.frequency != PayFrequency.MONTHLY):
            raise ValueError("pay_month_offset is 0 or 1, and only for monthly pay groups")

    @property
    def calendar(self) -> WorkingDayCalendar:
        """``subdivision`` is one of the pack's region codes, as a legal entity's region is; the pack maps it to
        the ``holidays`` subdivision whose holidays it keeps (none for China's cities and Japan's prefectures)."""
        return pack_for(self.country).calendar(self.subdivision)


class PayPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """One pay period of a pay group's year: its number in the pay year (from 1), its first and last day, the nominal
    pay date, the pay date (moved off a weekend or public holiday by the group's rule) and the cut-off, the last day
    inputs are taken for its run."""

    number: int  # 1-based within the pay year
    period_start: date
    period_end: date
    nominal_pay_date: date
    pay_date: date  # moved by the holiday rule when the nominal date is not a working day
    cut_off: date


def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, _gregorian.monthrange(year, month)[1])


def day_in_month(year: int, month: int, day: int | Literal["last"]) -> date:
    """``day`` of the month, clamped to its last day; ``"last"`` is the last day."""
    last = last_day_of_month(year, month)
    return last if day == "last" else last.replace(day=min(day, last.day))


def _month_shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _nominal_periods(rule: PayGroupRule, year: int) -> list[tuple[date, date, date]]:
    """(period start, period end, nominal pay date) of every period paid in ``year``."""
    if rule.frequency == PayFrequency.MONTHLY:
        periods = []
        for pay_month in range(1, 13):
            y, m = _month_shift(year, pay_month, -rule.pay_month_offset)
            periods.append((date(y, m, 1), last_day_of_month(y, m), day_in_month(year, pay_month, rule.pay_day)))
        return periods
    if rule.frequency == PayFrequency.SEMIMONTHLY:
        periods = []
        for month in range(1, 13):
            last = last_day_of_month(year, month)
            first_pay = date(year, month, 15) if rule.pay_day == "last" else date(year, month, rule.pay_day)
            second_pay = last if rule.pay_day == "last" else day_in_month(year, month, rule.pay_day + 15)
            periods.append((date(year, month, 1), date(year, month, 15), first_pay))
            periods.append((date(year, month, 16), last, second_pay))
        return periods
    step = _STEP_DAYS[rule.frequency]
    anchor = rule.anchor or date(year, 1, 1) + timedelta(days=(int(rule.pay_day) - date(year, 1, 1).weekday()) % 7)
    pay = anchor + timedelta(days=step * ((date(year, 1, 1) - anchor).days // step))
    if pay.year < year:
        pay += timedelta(days=step)
    periods = []
    while pay.year == year:
        end = pay - timedelta(days=rule.pay_lag_days)
        periods.append((end - timedelta(days=step - 1), end, pay))
        pay += timedelta(days=step)
    return periods


def adjusted_pay_date(rule: PayGroupRule, nominal: date) -> date:
    working = rule.calendar
    if rule.holiday_rule == HolidayRule.NEXT_WORKING_DAY:
        return working.next_working_day(nominal)
    return working.previous_working_day(nominal)


def periods(rule: PayGroupRule, year: int) -> list[PayPeriod]:
    """The pay periods whose nominal pay date falls in ``year``, in order."""
    working = rule.calendar
    result = []
    for number, (start, end, nominal) in enumerate(_nominal_periods(rule, year), 1):
        pay_date = adjusted_pay_date(rule, nominal)
        result.append(
            PayPeriod(
                number=number,
                period_start=start,
                period_end=end,
                nominal_pay_date=nominal,
                pay_date=pay_date,
                cut_off=working.add_working_days(pay_date, -rule.cut_off_days_before_pay),
            )
        )
    return result


def period_containing(rule: PayGroupRule, moment: datetime, timezone: str) -> PayPeriod:
    """The period that contains ``moment`` (an aware instant) as a date in the entity's ``timezone``."""
    day = to_local(moment, timezone).date()
    for year in (day.year, day.year + 1, day.year - 1):
        for period in periods(rule, year):
            if period.period_start <= day <= period.period_end:
                return period
    raise LookupError(f"no pay period contains {day}")  # unreachable for a valid rule


def proration_factor(
    period_start: date,
    period_end: date,
    joined_on: date | None,
    left_on: date | None,
    method: ProrationRule | ProrationMethod | str = CALENDAR_DAYS_PRORATION,
    *,
    country: str | None = None,
    subdivision: str | None = None,
) -> Decimal:
    """The fraction of the period's pay earned by an employee employed for part of it, quantized to 6 places
    (half up), by the country's rule (see :class:`ProrationMethod`).

    ``joined_on`` is the first day employed and ``left_on`` the last (both inclusive; None means before
    or after the period). The working-days method counts days on the calendar of ``country`` (and
    ``subdivision``), which it then requires. 1 when employed the whole period, 0 when not at all.
    """
    return proration(period_start, period_end, joined_on, left_on, method, country=country,
                     subdivision=subdivision).factor


class Proration(msgspec.Struct, frozen=True):
    """The part of a period's pay earned: ``factor``, and for part of a period the days it is made of
    (``days`` employed of ``days_in_period`` by the rule; None when employed the whole period or none of it)."""

    factor: Decimal
    days: Decimal | None = None
    days_in_period: Decimal | None = None


def proration(
    period_start: date,
    period_end: date,
    joined_on: date | None,
    left_on: date | None,
    method: ProrationRule | ProrationMethod | str = CALENDAR_DAYS_PRORATION,
    *,
    country: str | None = None,
    subdivision: str | None = None,
) -> Proration:
    """:func:`proration_factor` with the days behind it, which a payslip prints beside the prorated pay."""
    rule = _rule(method)
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    if joined_on is not None and left_on is not None and left_on < joined_on:
        raise ValueError("left_on is before joined_on")
    if rule.method == ProrationMethod.WORKING_DAYS and not country:
        raise ValueError(f"the {rule.method} method needs the country's calendar")
    first = max(period_start, joined_on) if joined_on else period_start
    last = min(period_end, left_on) if left_on else period_end
    if last < first:
        return Proration(ZERO.quantize(FRACTION))
    if first == period_start and last == period_end:
        return Proration(ONE.quantize(FRACTION))
    days = _day_counter(rule, country, subdivision)
    employed, total = Decimal(days(first, last)), _period_days(rule, days, period_start, period_end)
    if total == 0:  # a period without a working day: only the whole period counts
        return Proration(ZERO.quantize(FRACTION))
    factor = min(ONE, employed / total).quantize(FRACTION, rounding=ROUND_HALF_UP)
    return Proration(factor, days=min(employed, total), days_in_period=total)


def daily_rate_divisor(period_start: date, period_end: date, method: ProrationRule | ProrationMethod | str,
                       *, country: str, subdivision: str | None = None) -> Decimal:
    """What the period's pay is divided by for one unpaid day: the rule's days in the period (working days
    where it counts calendar days, since unpaid leave is taken on working days)."""
    rule = _rule(method)
    if rule.method == ProrationMethod.CALENDAR_DAYS:
        rule = ProrationRule(method=ProrationMethod.WORKING_DAYS)
    days = _day_counter(rule, country, subdivision)
    return max(_period_days(rule, days, period_start, period_end), ONE)


def _rule(method: ProrationRule | ProrationMethod | str) -> ProrationRule:
    return method if isinstance(method, ProrationRule) else ProrationRule(method=ProrationMethod(method))


def _period_days(rule: ProrationRule, days: Callable[[date, date], int], start: date, end: date) -> Decimal:
    if rule.paid_days_per_month is not None:  # the paid-days method, and only it, has one
        return rule.paid_days_per_month
    return Decimal(days(start, end))


def _day_counter(rule: ProrationRule, country: str | None, subdivision: str | None) -> Callable[[date, date], int]:
    """Counts the days of [first, last] that the rule counts."""
    if rule.method == ProrationMethod.CALENDAR_DAYS:
        return lambda first, last: (last - first).days + 1
    if rule.method == ProrationMethod.WORKING_DAYS:
        counted = working_day_calendar(country or "", subdivision).is_working_day
    else:
        def counted(day: date) -> bool:
            return day.weekday() < SATURDAY
    return lambda first, last: sum(1 for offset in range((last - first).days + 1)
                                   if counted(first + timedelta(days=offset)))
