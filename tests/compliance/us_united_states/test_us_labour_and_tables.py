"""Federal labour minimums, federal holidays, and an independent check of the transcribed Pub 15-T tables.

The Pub 15-T Annual Percentage Method tables are built from the year's tax-rate brackets and standard
deduction: a STANDARD row starts at (bracket start + standard deduction - Worksheet 1A line 1g amount), and
a Step 2 Checkbox row starts at (bracket start + standard deduction) / 2, rounded to the dollar, with half
the tentative amount. Checking every transcribed row against those published inputs catches a mistyped row:
- 2025 brackets: Rev. Proc. 2024-40 section 2.01, https://www.irs.gov/pub/irs-drop/rp-24-40.pdf; the 2025
  tables use that Rev. Proc.'s standard deduction (section 2.15: $30,000 / $15,000 / $22,500), the figures in
  force when Pub 15-T (2025) was issued.
- 2026 brackets and standard deduction ($32,200 / $16,100 / $24,150): Rev. Proc. 2025-32 sections 4.01
  and 4.14, https://www.irs.gov/pub/irs-drop/rp-25-32.pdf
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from compliance.labour import Contract
from compliance.registry import pack_for

D = Decimal

BRACKETS = {  # year -> group -> bracket starts for 10%, 12%, 22%, 24%, 32%, 35%, 37%
    2025: {
        "married_filing_jointly": [0, 23850, 96950, 206700, 394600, 501050, 751600],
        "single": [0, 11925, 48475, 103350, 197300, 250525, 626350],
        "head_of_household": [0, 17000, 64850, 103350, 197300, 250500, 626350],
    },
    2026: {
        "married_filing_jointly": [0, 24800, 100800, 211400, 403550, 512450, 768700],
        "single": [0, 12400, 50400, 105700, 201775, 256225, 640600],
        "head_of_household": [0, 17700, 67450, 105700, 201750, 256200, 640600],
    },
}
STANDARD_DEDUCTION = {
    2025: {"married_filing_jointly": 30000, "single": 15000, "head_of_household": 22500},
    2026: {"married_filing_jointly": 32200, "single": 16100, "head_of_household": 24150},
}
RATES = [D("0.10"), D("0.12"), D("0.22"), D("0.24"), D("0.32"), D("0.35"), D("0.37")]


def tables(year: int):  # type: ignore[no-untyped-def]
    return pack_for("US").series["income_tax"].in_force(date(year, 7, 1)).parameters


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("group", ["married_filing_jointly", "single", "head_of_household"])
def test_standard_schedules_match_the_rev_proc_brackets(year: int, group: str) -> None:
    params = tables(year)
    joint = group == "married_filing_jointly"
    adjustment = params.wage_adjustment.value["married_filing_jointly" if joint else "other"]
    shift = STANDARD_DEDUCTION[year][group] - adjustment
    rows = params.standard_schedules.value[group]
    assert [row.at_least for row in rows] == [0] + [start + shift for start in BRACKETS[year][group]]
    assert [row.rate for row in rows] == [0, *RATES]
    tax = D(0)
    for index, row in enumerate(rows[1:]):
        assert row.tentative == tax, (group, row)
        if index + 1 < len(BRACKETS[year][group]):
            tax += (BRACKETS[year][group][index + 1] - BRACKETS[year][group][index]) * RATES[index]


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("group", ["married_filing_jointly", "single", "head_of_household"])
def test_checkbox_schedules_halve_the_standard_ones(year: int, group: str) -> None:
    params = tables(year)
    deduction = STANDARD_DEDUCTION[year][group]
    rows = params.checkbox_schedules.value[group]
    standard = params.standard_schedules.value[group]
    starts = [D(start + deduction) / 2 for start in BRACKETS[year][group]]
    assert [row.at_least for row in rows] == [0] + [s.quantize(D(1), ROUND_HALF_UP) for s in starts]
    halves = [(row.tentative / 2).quantize(D("0.01"), ROUND_HALF_UP) for row in standard]
    assert [row.tentative for row in rows] == halves
    assert [row.rate for row in rows] == [row.rate for row in standard]


def labour(day: date = date(2026, 1, 1)):  # type: ignore[no-untyped-def]
    return pack_for("US").labour_law(day)


def test_flsa_figures() -> None:
    """FLSA: $7.25/h (29 U.S.C. 206(a)(1)(C), since 24 July 2009), overtime 1.5x over 40 h a week
    (29 U.S.C. 207(a)(1)), no statutory vacation or notice, minimum working age 14 (29 CFR 570.2),
    no federal cap on adult hours or on probation."""
    law = labour()
    assert [(r.amount, r.unit) for r in law.minimum_wage.value if r.region is None] == [(D("7.25"), "hour")]
    assert law.standard_weekly_hours.value == 40
    assert law.overtime_multipliers.value == {"over_40_hours_in_workweek": D("1.5")}
    assert law.annual_leave_days.value == 0
    assert [t.days for t in law.notice_periods.value] == [0]
    assert law.minimum_working_age.value == 14
    assert law.maximum_weekly_hours is None and law.maximum_probation is None
    assert law.minimum_wage.source.url.startswith("https://www.dol.gov/")


def test_contract_check_against_federal_minimums() -> None:
    pack = pack_for("US")
    low = Contract(start_date=date(2025, 3, 1), pay_amount=D("7.00"), pay_unit="hour", weekly_hours=D("40"),
                   date_of_birth=date(2012, 1, 1))
    assert [v.code for v in pack.check_contract(low)] == ["labour.minimum_wage", "labour.minimum_age"]
    fair = Contract(start_date=date(2025, 3, 1), pay_amount=D("15080"), pay_unit="year", weekly_hours=D("40"),
                    date_of_birth=date(2000, 1, 1), annual_leave_days=D("0"), notice_days=0, probation_months=6)
    assert pack.check_contract(fair) == []


def contract_in(state: str | None, hourly: str, start: date = date(2026, 3, 2)) -> Contract:
    return Contract(start_date=start, pay_amount=D(hourly), pay_unit="hour", weekly_hours=D("40"), region=state,
                    date_of_birth=date(1990, 1, 1))


def minimum_wage_refused(contract: Contract) -> bool:
    return "labour.minimum_wage" in [v.code for v in pack_for("US").check_contract(contract)]


@pytest.mark.parametrize(("state", "minimum"), [
    ("CA", "16.90"), ("WA", "17.13"), ("DC", "17.95"), ("NY", "16.00"), ("OR", "14.05"), ("WV", "8.75"),
    ("AK", "13.00"), ("FL", "14.00"),
])
def test_a_contract_in_a_state_meets_that_states_minimum_wage(state: str, minimum: str) -> None:
    """2026 state rates (see data/labour/2026.toml for the sources): at the rate passes, a cent below is refused."""
    assert not minimum_wage_refused(contract_in(state, minimum))
    assert minimum_wage_refused(contract_in(state, str(D(minimum) - D("0.01"))))


@pytest.mark.parametrize("state", ["TX", "GA", "WY", "PA", None])
def test_where_the_state_rate_is_at_or_below_the_federal_one_the_federal_rate_binds(state: str | None) -> None:
    assert not minimum_wage_refused(contract_in(state, "7.25"))
    assert minimum_wage_refused(contract_in(state, "7.24"))


def test_state_rates_follow_their_dates() -> None:
    """Alaska $14 from 1 July 2026 (Ballot Measure 1), Florida $15 from 30 September 2026 (Amendment 2 of 2020);
    before 2026 only the federal rate is carried."""
    assert minimum_wage_refused(contract_in("AK", "13.50", date(2026, 7, 1)))
    assert not minimum_wage_refused(contract_in("AK", "13.50", date(2026, 6, 30)))
    assert minimum_wage_refused(contract_in("FL", "14.50", date(2026, 9, 30)))
    assert not minimum_wage_refused(contract_in("FL", "14.50", date(2026, 9, 29)))
    assert not minimum_wage_refused(contract_in("CA", "7.25", date(2025, 12, 31)))
    # DC and Oregon's yearly inflation adjustments of 1 July 2026: $18.40, and $14.55 in Oregon's non-urban counties.
    for start in (date(2026, 7, 1), date(2026, 12, 2)):
        assert minimum_wage_refused(contract_in("DC", "18.39", start))
        assert not minimum_wage_refused(contract_in("DC", "18.40", start))
        assert minimum_wage_refused(contract_in("OR", "14.54", start))
        assert not minimum_wage_refused(contract_in("OR", "14.55", start))
    assert not minimum_wage_refused(contract_in("DC", "17.95", date(2026, 6, 30)))


def test_every_state_and_dc_is_a_region_with_its_own_holidays() -> None:
    pack = pack_for("US")
    assert len(pack.regions) == 51 and {"CA", "DC", "NY", "WY"} <= set(pack.regions) and "PR" not in pack.regions
    assert all(pack.holiday_subdivisions[code] == code for code in pack.regions)
    # César Chávez Day (31 March) is a California state holiday, not a federal one.
    assert pack.calendar("CA").is_holiday(date(2026, 3, 31)) and not pack.calendar().is_holiday(date(2026, 3, 31))


def test_federal_holidays() -> None:
    calendar = pack_for("US").calendar()
    names = dict(calendar.holidays_in(2026))
    assert names[date(2026, 7, 3)].startswith("Independence Day")  # 4 July 2026 is a Saturday: observed Friday
    assert calendar.is_holiday(date(2026, 11, 26))  # Thanksgiving, fourth Thursday of November
    assert calendar.next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)
