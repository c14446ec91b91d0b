"""Every country's labour law, read from its data: a contract exactly at each limit the law sets in force today
passes, and one just past each limit is refused with that limit's code. The limits come from the pack, so a new
country or a new figure is tested by adding its data, and a figure that the check would not enforce fails here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.labour import Contract, LabourLaw, StatutoryRule, leave_for_service
from compliance.pack import Pack
from compliance.registry import labour_packs, law_packs

TODAY = date(2026, 12, 2)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Place:
    pack: Pack
    region: str | None

    def __str__(self) -> str:
        return f"{self.pack.country}-{self.region}" if self.region else self.pack.country

    @property
    def law(self) -> LabourLaw:
        return self.pack.labour_law(TODAY, self.region)


def places() -> list[Place]:
    return [Place(pack, region) for pack in law_packs().values() for region in (sorted(pack.regions) or [None])]


def minimum_hourly(law: LabourLaw, region: str | None) -> Decimal | None:
    """The highest minimum that applies to an adult in the region, per hour at the standard week."""
    rates = [r for r in law.minimum_wage.value if r.applies(region, 30)]
    if not rates:
        return None
    return max(law.hourly_rate(r.amount, r.unit, law.standard_weekly_hours.value) for r in rates)


def at_limits(place: Place) -> dict[str, Any]:
    """A contract that meets every limit exactly: the least pay, the most hours, the least leave and notice."""
    law = place.law
    hours = law.maximum_weekly_hours.value if law.maximum_weekly_hours else law.standard_weekly_hours.value
    pay = minimum_hourly(law, place.region)
    contract: dict[str, Any] = {
        "start_date": TODAY, "region": place.region, "weekly_hours": hours, "pay_unit": "hour",
        "pay_amount": pay.quantize(CENT, rounding="ROUND_CEILING") if pay else Decimal("1000"),
        "annual_leave_days": law.annual_leave_days.value, "notice_days": law.notice_periods.value[0].days
        if law.notice_periods.value else 0,
        "date_of_birth": date(TODAY.year - 30, 1, 1),
    }
    if law.maximum_daily_hours:
        contract["daily_hours"] = law.maximum_daily_hours.value
    if law.maximum_probation and law.maximum_probation.value:
        contract["probation_months"] = max(t.max_months for t in law.maximum_probation.value)
    if law.annual_leave_by_service:
        first_paid = min(t.service_years for t in law.annual_leave_by_service.value if t.days > 0)
        contract["service_years_at_start"] = first_paid
        contract["annual_leave_days"] = leave_for_service(law.annual_leave_by_service.value, first_paid)
    return contract


def violations(place: Place, contract: dict[str, Any]) -> set[str]:
    return {v.code for v in place.pack.check_contract(Contract(**contract))}


@pytest.mark.parametrize("place", places(), ids=str)
def test_a_contract_at_every_limit_passes(place: Place) -> None:
    assert violations(place, at_limits(place)) == set()
    youngest = date(TODAY.year - place.law.minimum_working_age.value, 1, 1)
    assert "labour.minimum_age" not in violations(place, {**at_limits(place), "date_of_birth": youngest})


@pytest.mark.parametrize("place", places(), ids=str)
def test_a_contract_just_past_each_limit_is_refused_with_its_code(place: Place) -> None:
    law, limits = place.law, at_limits(place)
    past: list[tuple[str, dict[str, Any]]] = [
        ("labour.annual_leave", {"annual_leave_days": limits["annual_leave_days"] - Decimal("0.5")}),
        ("labour.minimum_age", {"date_of_birth": date(TODAY.year - law.minimum_working_age.value, 12, 31)}),
    ]
    if minimum_hourly(law, place.region) is not None:
        past.append(("labour.minimum_wage", {"pay_amount": limits["pay_amount"] - CENT * 5}))
    if law.maximum_weekly_hours:
        past.append(("labour.weekly_hours", {"weekly_hours": limits["weekly_hours"] + Decimal("0.5")}))
    if law.maximum_daily_hours:
        past.append(("labour.daily_hours", {"daily_hours": limits["daily_hours"] + Decimal("0.5")}))
    if "probation_months" in limits:
        past.append(("labour.probation", {"probation_months": limits["probation_months"] + 1}))
    if limits["notice_days"] > 0:
        past.append(("labour.notice_period", {"notice_days": limits["notice_days"] - 1}))
    for code, change in past:
        assert code in violations(place, {**limits, **change}), f"{place}: {code} not enforced by {change}"


@pytest.mark.parametrize("pack", list(labour_packs().values()), ids=lambda p: p.country)
def test_a_labour_pack_says_which_rules_its_law_does_not_set(pack: Pack) -> None:
    """A rule left out of a labour pack is declared absent with a source, never silently missing."""
    for region in sorted(pack.regions) or [None]:
        law = pack.labour_law(TODAY, region)
        declared = set(law.no_statutory_rule or {})
        given = {StatutoryRule.MAXIMUM_WEEKLY_HOURS: law.maximum_weekly_hours,
                 StatutoryRule.MAXIMUM_PROBATION: law.maximum_probation,
                 StatutoryRule.MAXIMUM_DAILY_HOURS: law.maximum_daily_hours,
                 StatutoryRule.OVERTIME_LIMITS: law.overtime_limits}
        silent = [rule.value for rule, value in given.items() if value is None and rule not in declared]
        assert not silent, f"{pack.country} {region}: declare {silent} under no_statutory_rule or give them"
        if not law.minimum_wage.value:
            assert StatutoryRule.MINIMUM_WAGE in declared, f"{pack.country}: no minimum wage and no declaration"


@pytest.mark.parametrize("hourly_pay, refused", [("49.99", True), ("50.00", False)])
def test_a_daily_minimum_wage_is_a_day_of_the_countrys_own_week(hourly_pay: str, refused: bool) -> None:
    """Bangkok's 400 baht a day is per day of Thailand's six-day, 48-hour week: 50 baht an hour, not 41.67."""
    contract = Contract(start_date=TODAY, region="10", pay_amount=Decimal(hourly_pay), pay_unit="hour",
                        weekly_hours=Decimal(48))
    codes = {v.code for v in law_packs()["TH"].check_contract(contract)}
    assert ("labour.minimum_wage" in codes) is refused
