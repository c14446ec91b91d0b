"""GB pack: invariants over many inputs, refusal of bad input, labour-law minimums and calendars."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, UnknownRegion, UnsupportedPayFrequency
from compliance.labour import Contract
from compliance.registry import pack_for

FREQUENCIES = [PayFrequency.WEEKLY, PayFrequency.BIWEEKLY, PayFrequency.FOUR_WEEKLY, PayFrequency.MONTHLY,
               PayFrequency.ANNUAL]
CODES = ["1257L", "S1257L", "C1257L", "K475", "SK1000", "BR", "SBR", "D0", "D1", "SD3", "NT", "0T", "500T",
         "1257L M1", "S1257L W1"]
CATEGORIES = ["A", "B", "C", "H", "J", "M", "Z"]
pennies = st.integers(min_value=0, max_value=50_000_000).map(lambda p: Decimal(p) / 100)
pay_dates = st.dates(min_value=date(2025, 4, 6), max_value=date(2027, 4, 5))


def run(pay: Decimal, *, pay_date: date = date(2025, 7, 31), frequency: PayFrequency = PayFrequency.MONTHLY,
        code: str = "1257L", category: str = "A", ytd: dict[str, Any] | None = None) -> CalculationResult:
    return pack_for("GB").calculate_raw(
        pay_date=pay_date, pay_frequency=frequency, earnings={"regular": pay},
        employee={"tax_code": code, "ni_category": category}, year_to_date=ytd or {},
    )


def deductions(result: CalculationResult) -> dict[str, Decimal]:
    return {line.code: line.employee for line in result.lines}


@settings(max_examples=300, deadline=None)
@given(pay=pennies, pay_date=pay_dates, frequency=st.sampled_from(FREQUENCIES), code=st.sampled_from(CODES),
       category=st.sampled_from(CATEGORIES))
def test_no_negative_tax_and_net_never_above_gross(
    pay: Decimal, pay_date: date, frequency: PayFrequency, code: str, category: str,
) -> None:
    """With nothing paid before, nothing can be refunded: every deduction is >= 0 and net <= gross."""
    result = run(pay, pay_date=pay_date, frequency=frequency, code=code, category=category)
    assert all(line.employee >= 0 and line.employer >= 0 for line in result.lines)
    assert result.totals.net <= result.totals.gross
    assert deductions(result)["gb.income_tax"] <= pay / 2  # the regulatory limit


@settings(max_examples=300, deadline=None)
@given(low=pennies, extra=pennies, pay_date=pay_dates, frequency=st.sampled_from(FREQUENCIES),
       code=st.sampled_from(CODES), category=st.sampled_from(CATEGORIES))
def test_tax_and_nic_never_fall_as_pay_rises(
    low: Decimal, extra: Decimal, pay_date: date, frequency: PayFrequency, code: str, category: str,
) -> None:
    lower = run(low, pay_date=pay_date, frequency=frequency, code=code, category=category)
    higher = run(low + extra, pay_date=pay_date, frequency=frequency, code=code, category=category)
    for line in lower.lines:
        other = next(item for item in higher.lines if item.code == line.code)
        assert other.employee >= line.employee
        assert other.employer >= line.employer


@settings(max_examples=100, deadline=None)
@given(pays=st.lists(st.integers(min_value=0, max_value=2_000_000).map(lambda p: Decimal(p) / 100),
                     min_size=12, max_size=12), code=st.sampled_from(["1257L", "S1257L", "K300", "BR", "0T"]))
def test_a_chained_year_deducts_exactly_the_tax_due_at_month_twelve(pays: list[Decimal], code: str) -> None:
    """Cumulative PAYE with the year to date chained: without the regulatory limit biting, the deductions add up
    to the tax due on the year's pay, whatever the monthly pattern (refunds included)."""
    ytd: dict[str, Any] = {}
    total = Decimal("0")
    limited = False
    for month, pay in enumerate(pays):
        pay_date = date(2025 + (month + 3) // 12, (month + 3) % 12 + 1, 20)
        result = run(pay, pay_date=pay_date, code=code, ytd=ytd)
        total += deductions(result)["gb.income_tax"]
        limited = limited or any(step.step == "regulatory limit" for step in result.trace)
        ytd = result.year_to_date
    assert ytd["tax_paid"] == total
    whole_year_at_once = run(sum(pays, Decimal("0")), pay_date=date(2026, 3, 20), code=code)
    at_once_limited = any(step.step == "regulatory limit" for step in whole_year_at_once.trace)
    if not (limited or at_once_limited):
        assert total == deductions(whole_year_at_once)["gb.income_tax"]


# -- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employee", "match"),
    [
        ({}, "tax_code"),
        ({"tax_code": "XYZ"}, "not a valid PAYE tax code"),
        ({"tax_code": "K0"}, "K1 to K9999"),
        ({"tax_code": "1257Q"}, "not a valid PAYE tax code"),
        ({"tax_code": "1257L", "ni_category": "X"}, "ni_category"),
        ({"tax_code": "1257L", "unknown": 1}, "unknown"),
        ({"tax_code": "1257L", "week1_month1": "yes"}, "week1_month1"),
    ],
)
def test_bad_employee_attributes_are_refused(employee: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=match):
        pack_for("GB").calculate_raw(
            pay_date=date(2025, 7, 31), pay_frequency=PayFrequency.MONTHLY, earnings={"regular": "1000"},
            employee=employee, year_to_date={},
        )


@pytest.mark.parametrize("code", ["D2", "CD2", "SD4"])
def test_d_codes_without_a_rate_are_refused(code: str) -> None:
    """Rest of UK and Wales have D0 and D1 only; Scotland SD0 to SD3."""
    with pytest.raises(InvalidCalculationInput, match=f"no D{code[-1]} rate"):
        run(Decimal("1000"), code=code)


@pytest.mark.parametrize(
    ("ytd", "match"),
    [
        ({"tax_paid": "-1"}, "tax_paid"),
        ({"taxable_pay": "abc"}, "taxable_pay"),
        ({"tax_year": 2027}, "after the pay date's tax year"),
        ({"gross": "1"}, "gross"),
    ],
)
def test_bad_year_to_date_is_refused(ytd: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=match):
        run(Decimal("1000"), ytd=ytd)


def test_unsupported_frequency_region_and_negative_pay_are_refused() -> None:
    pack = pack_for("GB")
    with pytest.raises(UnsupportedPayFrequency):
        run(Decimal("100"), frequency=PayFrequency.SEMIMONTHLY)
    with pytest.raises(UnknownRegion):
        pack.calculate_raw(pay_date=date(2025, 7, 31), pay_frequency=PayFrequency.MONTHLY,
                           earnings={"regular": "1"}, employee={"tax_code": "1257L"}, year_to_date={}, region="LDN")
    with pytest.raises(InvalidCalculationInput, match="negative"):
        run(Decimal("-1"))


def test_the_schema_is_publishable() -> None:
    """Every employee attribute carries a description for the OpenAPI document."""
    pack = pack_for("GB")
    schema = msgspec.json.schema(pack.employee_schema)
    properties = schema["$defs"]["Employee"]["properties"]
    assert set(properties) == {"tax_code", "week1_month1", "ni_category"}
    assert all("description" in value for value in properties.values())


# -- labour law, regions, calendars ----------------------------------------------------------------------


def contract(**changes: Any) -> Contract:
    fair = Contract(
        start_date=date(2025, 6, 1), pay_amount=Decimal("12.21"), pay_unit="hour", weekly_hours=Decimal("37.5"),
        region="ENG", date_of_birth=date(1990, 1, 1), annual_leave_days=Decimal("28"), notice_days=7,
    )
    return msgspec.structs.replace(fair, **changes)


def test_a_fair_contract_passes() -> None:
    assert pack_for("GB").check_contract(contract()) == []


def test_contract_violations_are_reported() -> None:
    """National Living Wage £12.21 (April 2025), 48-hour average week, 28 days' leave, one week's notice,
    minimum age 16."""
    unfair = contract(pay_amount=Decimal("12.00"), weekly_hours=Decimal("50"), annual_leave_days=Decimal("20"),
                      notice_days=3)
    codes = [v.code for v in pack_for("GB").check_contract(unfair)]
    assert codes == ["labour.minimum_wage", "labour.weekly_hours", "labour.annual_leave", "labour.notice_period"]
    child = contract(date_of_birth=date(2010, 1, 1))
    assert [v.code for v in pack_for("GB").check_contract(child)] == ["labour.minimum_age"]


@pytest.mark.parametrize(
    ("start", "born", "pay", "ok"),
    [
        (date(2025, 6, 1), date(2006, 1, 1), "10.00", True),  # 19: 18 to 20 rate £10
        (date(2025, 6, 1), date(2008, 7, 1), "7.55", True),  # 16: under 18 rate £7.55
        (date(2026, 4, 1), date(1990, 1, 1), "12.21", False),  # April 2026 NLW is £12.71
        (date(2026, 4, 1), date(1990, 1, 1), "12.71", True),
        (date(2026, 4, 1), date(2007, 1, 1), "10.85", True),  # 19 in 2026: £10.85
    ],
)
def test_minimum_wage_by_age_and_year(start: date, born: date, pay: str, ok: bool) -> None:
    """gov.uk "National Minimum Wage and National Living Wage rates": April 2025 £12.21 / £10 / £7.55;
    April 2026 £12.71 / £10.85 / £8."""
    result = pack_for("GB").check_contract(contract(start_date=start, date_of_birth=born, pay_amount=Decimal(pay)))
    assert (result == []) is ok


def test_labour_law_has_no_maximum_probation_and_no_overtime_premium() -> None:
    law = pack_for("GB").labour_law(date(2025, 6, 1))
    assert law.maximum_probation is None
    assert law.overtime_multipliers.value == {}
    assert law.annual_leave_days.value == Decimal("28")
    assert law.maximum_weekly_hours is not None and law.maximum_weekly_hours.value == Decimal("48")


def test_bank_holidays_follow_the_nation() -> None:
    """St Andrew's Day (30 November) is a bank holiday in Scotland only; St Patrick's Day in Northern Ireland."""
    pack = pack_for("GB")
    assert pack.calendar("SCT").is_holiday(date(2026, 11, 30))
    assert not pack.calendar("ENG").is_holiday(date(2026, 11, 30))
    assert pack.calendar("NIR").is_holiday(date(2026, 3, 17))


def test_every_tax_week_of_a_year_maps_to_its_period() -> None:
    """6 April is week 1 and month 1; 5 April of the next year is week 53 and month 12."""
    from compliance.packs.gb_united_kingdom.periods import tax_period

    start = date(2025, 4, 6)
    for offset in range(365):
        day = start + timedelta(days=offset)
        weekly = tax_period(day, PayFrequency.WEEKLY)
        monthly = tax_period(day, PayFrequency.MONTHLY)
        assert weekly.tax_year == monthly.tax_year == 2025
        assert weekly.number == offset // 7 + 1
        assert 1 <= monthly.number <= 12
    assert tax_period(date(2026, 4, 5), PayFrequency.MONTHLY).number == 12
    assert tax_period(date(2026, 3, 6), PayFrequency.MONTHLY).number == 12
    assert tax_period(date(2026, 3, 5), PayFrequency.MONTHLY).number == 11
    assert tax_period(date(2026, 4, 6), PayFrequency.MONTHLY).tax_year == 2026


@pytest.mark.parametrize(
    ("text", "regime", "kind", "number", "week1"),
    [
        ("1257L", "rest_of_uk", "allowance", 1257, False),
        ("s1257l", "scotland", "allowance", 1257, False),
        ("C1257L W1", "wales", "allowance", 1257, True),
        ("1257L/M1", "rest_of_uk", "allowance", 1257, True),
        ("999999T", "rest_of_uk", "allowance", 999999, False),
        ("SK9999", "scotland", "k", 9999, False),
        ("0T", "rest_of_uk", "allowance", 0, False),
        ("C0T", "wales", "allowance", 0, False),
        ("SBR", "scotland", "basic_rate", 0, False),
        ("SD3", "scotland", "flat_higher", 3, False),
        ("NT", "rest_of_uk", "no_tax", 0, False),
    ],
)
def test_tax_codes_are_read_as_hmrc_writes_them(text: str, regime: str, kind: str, number: int, week1: bool) -> None:
    """HMRC PAYE Manual PAYE11015 and gov.uk "Tax codes": prefixes S and C, suffixes L, M, N, T, K1 to K9999,
    BR, D0 and up, NT, 0T; W1, M1 or X for the week 1/month 1 basis."""
    from compliance.packs.gb_united_kingdom.tax_code import parse

    code = parse(text)
    assert (code.regime.value, code.kind.value, code.number, code.week1_month1) == (regime, kind, number, week1)


@pytest.mark.parametrize("text", ["K10000", "1257", "L", "1257LL", "SS1257L", "1234567L", "D", "BR1"])
def test_malformed_tax_codes_are_refused(text: str) -> None:
    from compliance.packs.gb_united_kingdom.tax_code import parse

    with pytest.raises(ValueError, match="tax_code"):
        parse(text)


def test_2026_27_figures_apply_from_6_april_2026() -> None:
    """HMRC "Rates and thresholds for employers 2026 to 2027": the weekly LEL rises to £129; the other
    thresholds and all rates stay as in 2025 to 2026."""
    before = run(Decimal("1000"), pay_date=date(2026, 4, 5), frequency=PayFrequency.WEEKLY)
    after = run(Decimal("1000"), pay_date=date(2026, 4, 6), frequency=PayFrequency.WEEKLY)
    assert before.parameter_versions == {"paye": "gb-paye-2025-26", "nic": "gb-nic-2025-26"}
    assert after.parameter_versions == {"paye": "gb-paye-2026-27", "nic": "gb-nic-2026-27"}
    assert deductions(after)["gb.class1_nic"] == deductions(before)["gb.class1_nic"] == Decimal("58.66")
    assert any(step.step == "NI thresholds" and step.value.startswith("LEL 129") for step in after.trace)
