"""From an employment and the run's inputs to the earnings handed to the pack: part periods and unpaid leave
by each country's proration rule."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.calculation import PayFrequency
from compliance.registry import pack_for
from domain.payroll.engine import INPUT_KINDS, PayContext, calculate

D = Decimal


def context(country: str, region: str | None, pay: str, **changes: Any) -> PayContext:
    values: dict[str, Any] = {
        "employee_id": uuid.uuid4(), "country": country, "region": region, "pay_amount": D(pay), "pay_unit": "month",
        "weekly_hours": D(40), "joined_on": date(2025, 1, 1), "left_on": None,
        "period_start": date(2026, 6, 1), "period_end": date(2026, 6, 30), "pay_date": date(2026, 6, 30),
        "frequency": PayFrequency.MONTHLY, "attributes": {}, "year_to_date": {},
        "inputs": dict.fromkeys(INPUT_KINDS, D(0)),
    }
    values.update(changes)
    return PayContext(**values)


def regular_pay(figures: Any) -> Decimal:
    return Decimal(figures.result.totals.gross)


def test_a_chinese_joiner_is_paid_by_21_75_paid_days() -> None:
    """12,000 a month from 15 June 2026: 12 paid days at 12,000 / 21.75 (劳社部发〔2008〕3号)."""
    figures = calculate(context("CN", "SH", "12000.00", joined_on=date(2026, 6, 15)))
    assert figures.proration == D("0.551724")
    assert regular_pay(figures) == D("6620.69")


def test_a_chinese_unpaid_day_is_a_21_75th_of_the_month() -> None:
    inputs = {**dict.fromkeys(INPUT_KINDS, D(0)), "unpaid_leave_days": D(2)}
    figures = calculate(context("CN", "SH", "12000.00", inputs=inputs))
    assert regular_pay(figures) == D("12000.00") - D("1103.45")  # 2 × 12,000 / 21.75 = 1,103.448…


def test_a_singapore_joiner_counts_public_holidays_as_working_days() -> None:
    """MOM's incomplete-month formula: 6,000 from 10 August 2026 is 16 of 21 working days."""
    figures = calculate(context("SG", None, "6000.00", joined_on=date(2026, 8, 10), period_start=date(2026, 8, 1),
                                period_end=date(2026, 8, 31), pay_date=date(2026, 8, 31),
                                attributes={"date_of_birth": "1990-01-01"}))
    assert regular_pay(figures) == D("4571.43")


def test_a_british_leaver_is_paid_by_calendar_days() -> None:
    """Apportionment Act 1870: salary accrues from day to day. Leaving on 10 June: 10 of 30 days."""
    figures = calculate(context("GB", None, "3000.00", left_on=date(2026, 6, 10),
                                attributes={"tax_code": "1257L"}))
    assert figures.proration == D("0.333333")
    assert regular_pay(figures) == D("1000.00")


def test_each_pack_names_its_ordinary_overtime_rate() -> None:
    """The statutory rate for extra hours on a working day, or time and a half where the law sets none."""
    expected = {"CN": D("1.5"), "DE": D("1.5"), "GB": D("1.5"), "IN": D("2"), "JP": D("1.25"), "SG": D("1.5"),
                "US": D("1.5")}
    for country, multiplier in expected.items():
        pack = pack_for(country)
        assert pack.overtime_multiplier(pack.labour_law(date(2025, 12, 31))) == multiplier, country


def test_overtime_hours_are_paid_at_the_packs_rate() -> None:
    """10 hours at 12,000 a month over 40-hour weeks (12,000 × 12 / 2,080 = 69.23 an hour, as the payslip prints
    it) at China's 150%."""
    inputs = {**dict.fromkeys(INPUT_KINDS, D(0)), "overtime_hours": D(10)}
    figures = calculate(context("CN", "SH", "12000.00", inputs=inputs))
    assert regular_pay(figures) == D("12000.00") + D("69.23") * 10 * D("1.5")
    overtime = next(earning for earning in figures.earnings if earning.code == "overtime")
    assert (overtime.hours, overtime.rate, overtime.multiplier, overtime.amount) == (
        D(10), D("69.23"), D("1.5"), D("1038.45"))


def test_japanese_overtime_is_paid_on_the_hourly_rate_rounded_to_the_yen() -> None:
    """300,000 yen a month is 1,730.769… an hour; 昭和63年基発第150号 lets it be rounded to 1,731 yen: 20 hours at
    125% are 43,275 yen."""
    inputs = {**dict.fromkeys(INPUT_KINDS, D(0)), "overtime_hours": D(20)}
    figures = calculate(context("JP", "13", "300000", inputs=inputs, attributes={"date_of_birth": "1990-01-01"}))
    assert [(e.code, e.amount) for e in figures.earnings] == [("base", D(300000)), ("overtime", D(43275))]
    assert regular_pay(figures) == D(343275)


def test_earnings_add_up_to_gross_pay_item_by_item() -> None:
    """A joiner with a day of unpaid leave, overtime, an allowance and a bonus: each item rounded as printed, and
    gross pay is their sum."""
    inputs = {**dict.fromkeys(INPUT_KINDS, D(0)), "overtime_hours": D("7.5"), "allowance": D("333.333"),
              "bonus": D(1000), "unpaid_leave_days": D("1.5")}
    figures = calculate(context("CN", "SH", "12345.67", joined_on=date(2026, 6, 10), inputs=inputs))
    items = {earning.code: earning for earning in figures.earnings}
    assert list(items) == ["base", "unpaid_leave", "overtime", "allowances", "bonus"]
    assert (items["base"].days, items["base"].days_in_period) == (D(15), D("21.75"))
    assert items["unpaid_leave"].days == D("1.5") and items["unpaid_leave"].amount < 0
    assert sum(earning.amount for earning in figures.earnings) == regular_pay(figures)
