"""A year outside the years the holiday calendar knows is refused, naming those years, instead of being answered
with no holidays (which reads as a year without any)."""

from __future__ import annotations

from typing import Any

import holidays
import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def reader(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "payroll_preparer", subject="holiday-reader")


@pytest.mark.parametrize(("country", "subdivision", "place"), [("DE", None, "DE"), ("DE", "BY", "DE-BY"),
                                                               ("JP", None, "JP")])
async def test_a_year_the_calendar_does_not_cover_is_refused_naming_the_years_it_does(
        client: Any, reader: str, country: str, subdivision: str | None, place: str) -> None:
    known = holidays.country_holidays(country, subdiv=subdivision)
    first, last = known.start_year, known.end_year
    outside = first - 1 if first > 1950 else last + 1  # the route takes 1950 to 2100
    query = f"country={country}&year={outside}" + (f"&subdivision={subdivision}" if subdivision else "")
    refused = await client.get(f"/v1/compliance/holidays?{query}", headers=bearer(reader))
    assert refused.status_code == 400, refused.text
    problem = refused.json()
    assert problem["code"] == "compliance.holidays_not_covered"
    assert f"{place} are known from {first} to {last}; {outside} is outside" in problem["detail"]
    inside = await client.get(f"/v1/compliance/holidays?country={country}&year={first + 1}", headers=bearer(reader))
    assert inside.status_code == 200 and inside.json()["holidays"]


async def test_the_refusal_is_in_the_readers_language(client: Any, reader: str) -> None:
    refused = await client.get("/v1/compliance/holidays?country=DE&year=1950",
                               headers=bearer(reader, **{"Accept-Language": "ja"}))
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "1991" in detail and "2100" in detail and "1950" in detail and "known" not in detail
