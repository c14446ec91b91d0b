"""Tenants lengthen within legal bounds and shorten where no statutory minimum applies, on SQLite and PostgreSQL:
every change that is made is audited, going back to the default too; a refused one changes nothing and writes no
audit entry; each refusal has its stable problem code."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.anyio

BASE = "/v1/privacy/retention-policies"
SG_PAYROLL = f"{BASE}/SG/payroll_records/pay_year_closed"


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="retention-changer")


async def _trail(client: Any, admin: str, rule: str) -> list[dict[str, Any]]:
    answer = await client.get(
        "/v1/audit/entries", headers=bearer(admin), params={"entity_type": "retention_policy", "entity_id": rule}
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_every_change_is_audited_and_a_refused_one_changes_nothing(client: Any, admin: str) -> None:
    rule = "SG/payroll_records/pay_year_closed"
    read = await client.get(SG_PAYROLL, headers=bearer(admin))
    assert (read.json()["period_months"], read.json()["source"], read.json()["minimum_months"]) == (
        24,
        "statutory",
        24,
    )
    longer = await client.put(
        SG_PAYROLL,
        json={"period_months": 36, "reason": "Group policy: three years"},
        headers=bearer(admin, **{"If-Match": read.headers["etag"]}),
    )
    assert longer.status_code == 200, longer.text
    shorter = await client.put(
        SG_PAYROLL,
        json={"period_months": 12, "reason": "less"},
        headers=bearer(admin, **{"If-Match": longer.headers["etag"]}),
    )
    assert shorter.status_code == 422 and shorter.json()["code"] == "retention_below_statutory_minimum"
    assert (await client.get(SG_PAYROLL, headers=bearer(admin))).json()["period_months"] == 36
    assert len(await _trail(client, admin, rule)) == 1  # the refusal wrote nothing
    back = await client.put(
        SG_PAYROLL,
        json={"period_months": None, "reason": "Back to the Employment Act"},
        headers=bearer(admin, **{"If-Match": longer.headers["etag"]}),
    )
    assert back.status_code == 200, back.text
    assert (back.json()["period_months"], back.json()["source"]) == (24, "statutory")
    trail = await _trail(client, admin, rule)
    assert [entry["action"] for entry in trail] == ["retention_policy.changed"] * 2
    newest = trail[0] if trail[0]["after"]["period_months"] == 24 else trail[1]
    assert (newest["before"]["period_months"], newest["before"]["source"]) == (36, "tenant")
    assert (newest["after"]["source"], newest["after"]["reason"]) == ("statutory", "Back to the Employment Act")


async def test_shortening_to_nothing_where_no_minimum_applies_is_allowed_and_audited(client: Any, admin: str) -> None:
    url = f"{BASE}/CN/candidate_profile/consent_withdrawn"
    read = (await client.get(url, headers=bearer(admin))).json()
    assert (read["minimum_months"], read["source"], read["country_law_recorded"]) == (None, "product_default", False)
    changed = await client.put(
        url, json={"period_months": 0, "reason": "At once"}, headers=bearer(admin, **{"If-Match": '"v0"'})
    )
    assert changed.status_code == 200 and changed.json()["period_months"] == 0, changed.text
    trail = await _trail(client, admin, "CN/candidate_profile/consent_withdrawn")
    assert trail[0]["after"]["period_months"] == 0 and trail[0]["actor"] == "retention-changer"


async def test_a_pair_without_a_rule_and_a_country_that_is_none_have_their_own_codes(client: Any, admin: str) -> None:
    missing = await client.put(
        f"{BASE}/DE/bank_details/pay_year_closed",
        json={"period_months": 1, "reason": "x"},
        headers=bearer(admin, **{"If-Match": '"v0"'}),
    )
    assert missing.status_code == 404 and missing.json()["code"] == "retention_policy_not_found"
    nowhere = await client.get(f"{BASE}/XX/payroll_records/pay_year_closed", headers=bearer(admin))
    assert nowhere.status_code == 404
    unknown_class = await client.get(f"{BASE}/DE/tattoos/pay_year_closed", headers=bearer(admin))
    assert unknown_class.status_code in (400, 404)
