"""Issue 11's promise, checked on the shipped data: on 2 December 2026 a December payslip calculates for every
pack and every region, on official or corroborated figures, or on figures a tenant has carried forward or
accepted in writing. Which series still need that written acceptance is listed here, so a data update that
verifies one (or a change that makes one unverified) fails this test until the list says so."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from compliance.calculation import PayFrequency
from compliance.parameters import Verification
from compliance.registry import all_packs
from domain.regulation.model import LawLayers

PAY_DATE = date(2026, 12, 31)
EMPLOYEE: dict[str, dict[str, Any]] = {
    "CN": {}, "DE": {"tax_class": 1}, "GB": {"tax_code": "1257L"}, "IN": {},
    "JP": {"date_of_birth": "1990-01-01"}, "SG": {"date_of_birth": "1990-01-01"}, "US": {},
}
REGULAR_PAY = {"CN": "12000", "DE": "4200", "GB": "3100", "IN": "90000", "JP": "320000", "SG": "5200", "US": "6000"}

#: (country, region or None for every region, series) whose figures in force today are unverified: official pages
#: not in the stored sources and fewer than two independent secondary sources. Each source file says why.
NEEDS_WRITTEN_ACCEPTANCE = {
    ("CN", "CD", "social_insurance"), ("CN", "GZ", "social_insurance"), ("CN", "HZ", "social_insurance"),
    ("CN", "SZ", "social_insurance"), ("GB", None, "nic"), ("SG", None, "cpf"),
    # Issue 12's added cities: each rests on one secondary source so far (see each city's file).
    *(("CN", city, "social_insurance") for city in (
        "TJ", "CQ", "WH", "NJ", "XA", "CS", "ZZ", "JN", "QD", "XM", "FZ", "DL", "SY", "HF", "KM", "NC", "SJZ", "TY",
        "CC", "HEB", "NN", "HK", "GY", "LZ", "XN", "YC", "WLMQ", "HHHT", "LS", "NB",
    )),
}


def everywhere() -> list[tuple[str, str | None]]:
    return [(country, region) for country, pack in sorted(all_packs().items())
            for region in (sorted(pack.regions) or [None])]


def opted_in(country: str, accepted: frozenset[tuple[str, str]] = frozenset()) -> LawLayers:
    pack = all_packs()[country]
    return LawLayers(carried_forward=frozenset((country, series) for series in pack.carry_forward_series),
                     accepted_unverified=accepted)


def december(layers: LawLayers, country: str, region: str | None) -> Any:
    return layers.pack(country).calculate_raw(
        pay_date=PAY_DATE, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": REGULAR_PAY[country]},
        employee=EMPLOYEE[country], year_to_date={}, region=region)


@pytest.mark.parametrize("country, region", everywhere())
def test_a_december_payslip_calculates_with_the_tenants_written_choices(country: str, region: str | None) -> None:
    result = december(opted_in(country), country, region)
    unverified = {used.series for used in result.law if used.verification is Verification.UNVERIFIED}
    expected = {series for c, r, series in NEEDS_WRITTEN_ACCEPTANCE if c == country and r in (None, region)}
    assert unverified == expected, f"{country} {region}: update NEEDS_WRITTEN_ACCEPTANCE"
    refusal = opted_in(country).refusal(result)
    assert (refusal is None) == (not expected)
    accepted = opted_in(country, frozenset((country, series) for series in expected))
    assert accepted.refusal(december(accepted, country, region)) is None
    assert 0 < result.totals.net < result.totals.gross


def test_without_the_carry_forward_opt_in_a_city_past_its_contribution_year_is_refused_by_name() -> None:
    from compliance.errors import ComplianceError

    with pytest.raises(ComplianceError) as refused:
        december(LawLayers(), "CN", "SZ")
    assert "social_insurance" in str(refused.value.params) or "social_insurance" in str(refused.value)
