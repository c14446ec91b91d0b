"""A country Meridian checks labour law for but does not pay in: listed with what it covers, checked through the
same contract-check route as any payroll country (in the reader's language), in the coverage list, and a
payroll calculation for it refused with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.registry import labour_packs
from tests.conftest import bearer
from tests.pages import every_item

pytestmark = pytest.mark.anyio


@pytest.fixture
async def reader(tenant_a: Any, token_for: Any) -> dict[str, str]:
    return bearer(await token_for(tenant_a, "hr_admin", "payroll_preparer", subject="labour-pack-reader"))


def a_labour_only_country() -> str:
    countries = sorted(labour_packs())
    assert countries, "no labour-only pack is shipped"
    return countries[0]


async def test_labour_only_countries_are_listed_with_what_they_cover(client: Any, reader: dict[str, str]) -> None:
    listed = {p["country"]: p for p in await every_item(client, "/v1/compliance/packs", reader)}
    assert set(labour_packs()) <= set(listed)
    country = a_labour_only_country()
    assert listed[country]["covers"] == ["labour"] and listed[country]["pay_frequencies"] == []
    assert "labour" in listed["DE"]["covers"] and "wage_tax" in listed["DE"]["covers"]
    coverage = await every_item(client, f"/v1/compliance/coverage?country={country}", reader)
    assert {row["series"] for row in coverage} == {"labour"}


async def test_a_contract_is_checked_against_a_labour_only_country_in_the_readers_language(
    client: Any, reader: dict[str, str]
) -> None:
    country = a_labour_only_country()
    contract = {"start_date": "2026-12-01", "pay_amount": "0.50", "pay_unit": "hour", "weekly_hours": "40",
                "annual_leave_days": "0"}
    checked = await client.post("/v1/compliance/contract-checks", headers={**reader, "Accept-Language": "ja"},
                                json={"country": country, "contract": contract})
    assert checked.status_code == 200, checked.text
    found = {v["code"]: v["message"] for v in checked.json()["violations"]}
    assert "labour.annual_leave" in found and "{" not in found["labour.annual_leave"]
    assert "年次" in found["labour.annual_leave"] or "休暇" in found["labour.annual_leave"]


async def test_payroll_is_refused_for_a_labour_only_country(client: Any, reader: dict[str, str]) -> None:
    refused = await client.post("/v1/compliance/payroll-calculations", headers=reader, json={
        "country": a_labour_only_country(), "pay_date": "2026-12-31", "pay_frequency": "monthly",
        "earnings": {"regular": "3000"}, "employee": {}})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "compliance.no_payroll_for_country"
