"""Law that stays current: coverage, the tenant's own versions under four eyes, and written choices."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer
from tests.law_versions import shanghai_version
from tests.pages import every_item

pytestmark = pytest.mark.anyio

async def test_coverage_lists_every_series_with_its_level_and_warns_before_it_runs_out(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    token = await token_for(tenant_a, "payroll_reviewer", subject="coverage-reader")
    rows = await every_item(client, "/v1/compliance/coverage?on=2026-12-02", bearer(token), limit=50)
    by_key = {(r["country"], r["series"], r["region"]): r for r in rows}
    germany = by_key[("DE", "wage_tax", None)]
    assert (germany["status"], germany["known_until"], germany["verification"]) == (
        "expiring", "2026-12-31", "official")
    assert germany["next_expected_change"] == "2027-01-01" and germany["carry_forward"] is True
    assert by_key[("CN", "social_insurance", "SZ")]["status"] == "not_in_force"
    # Shenzhen's 2026 base was due on 1 July 2026 and has not been published: the coverage says since when
    assert by_key[("CN", "social_insurance", "SZ")]["next_expected_change"] == "2026-07-01"
    assert all(r["status"] != "current" or r["known_until"] is None or r["known_until"] > "2027-01-31"
               for r in rows)


async def test_a_tenant_version_needs_a_second_person_and_then_changes_the_calculation(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    proposer = await token_for(tenant_a, "payroll_preparer", subject="law-proposer")
    approver = await token_for(tenant_a, "payroll_reviewer", subject="law-approver")
    name = f"tenant-sh-{uuid.uuid4().hex[:6]}"
    proposed = await client.post("/v1/law-versions", headers=bearer(proposer), json={
        "country": "CN", "series": "social_insurance", "data": shanghai_version(name, "8000", "37731")})
    assert proposed.status_code == 201, proposed.text
    version = proposed.json()
    assert (version["status"], version["verification"], version["region"]) == ("proposed", "official", "SH")
    notice = b"%PDF-1.4 the 2026 Shanghai base notice"
    attached = await client.put(f"/v1/law-versions/{version['id']}/document", content=notice,
                                headers=bearer(proposer, **{"Content-Type": "application/pdf"}))
    assert attached.status_code == 200 and attached.json()["document_type"] == "application/pdf", attached.text
    read_back = await client.get(f"/v1/law-versions/{version['id']}/document", headers=bearer(approver))
    assert (read_back.status_code, read_back.content) == (200, notice)
    not_a_notice = await client.put(f"/v1/law-versions/{version['id']}/document", content=b"<html>",
                                    headers=bearer(proposer, **{"Content-Type": "text/html"}))
    assert not_a_notice.json()["code"] == "unsupported_law_document_type"

    async def shanghai_pension_base(pay_date: str) -> str:
        coverage = await every_item(client, f"/v1/compliance/coverage?country=CN&on={pay_date}", bearer(approver))
        row = next(r for r in coverage if r["series"] == "social_insurance" and r["region"] == "SH")
        return f"{row['status']}:{row['version']}:{row['origin']}"

    async def shanghai_pension(pay_date: str) -> str:
        """The employee's pension on 5,000 CNY: below every floor, so the pension is 8 % of the floor."""
        calculated = await client.post("/v1/compliance/payroll-calculations", headers=bearer(approver), json={
            "country": "CN", "region": "SH", "pay_date": pay_date, "pay_frequency": "monthly",
            "earnings": {"regular": "5000.00"}, "employee": {}, "year_to_date": {}})
        assert calculated.status_code == 200, calculated.text
        return next(line["employee"] for line in calculated.json()["lines"] if line["code"] == "cn.pension")

    assert not (await shanghai_pension_base("2026-11-25")).endswith(":tenant")
    assert await shanghai_pension("2026-11-25") == "603.68"  # 7,546 × 8 %, the published 2026 floor
    both_roles = await token_for(tenant_a, "payroll_preparer", "payroll_reviewer", subject="law-proposer")
    alone = await client.post(f"/v1/law-versions/{version['id']}/approval", headers=bearer(both_roles),
                              json={"reason": "I checked it myself"})
    assert (alone.status_code, alone.json()["code"]) == (403, "law_version_four_eyes")
    assert not (await shanghai_pension_base("2026-11-25")).endswith(":tenant")
    assert await shanghai_pension("2026-11-25") == "603.68"  # one person alone changes nothing
    approved = await client.post(f"/v1/law-versions/{version['id']}/approval", headers=bearer(approver),
                                 json={"reason": "matches the notice"})
    try:
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "law-approver"
        assert await shanghai_pension_base("2026-11-25") == f"current:{name}:tenant"
        assert await shanghai_pension("2026-11-25") == "640.00"  # 8,000 × 8 %, the tenant's approved floor
        assert await shanghai_pension("2026-06-25") == "596.80"  # 7,460 × 8 %: before the version's first day
        changes = await every_item(client, "/v1/compliance/packs/CN/changes?since=2026-07-01", bearer(approver))
        assert any(c["version"] == name and c["origin"] == "tenant" for c in changes)
    finally:
        await client.post(f"/v1/law-versions/{version['id']}/retirement", headers=bearer(approver),
                          json={"reason": "test over"})


async def test_carrying_a_series_forward_is_a_written_audited_choice(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "auditor", subject="law-admin")
    refused = await client.post("/v1/law-choices", headers=bearer(admin), json={
        "country": "CN", "series": "iit", "kind": "carry_forward", "reason": "not offered for tax tables"})
    assert refused.status_code == 400 and refused.json()["code"] == "carry_forward_not_offered"
    made = await client.post("/v1/law-choices", headers=bearer(admin), json={
        "country": "CN", "series": "social_insurance", "kind": "carry_forward",
        "reason": "Shenzhen has not published its 2026 base; we settle when it does"})
    assert made.status_code == 201, made.text
    try:
        rows = await every_item(client, "/v1/compliance/coverage?country=CN&on=2026-11-25", bearer(admin))
        shenzhen = next(r for r in rows if r["series"] == "social_insurance" and r["region"] == "SZ")
        assert (shenzhen["status"], shenzhen["version"]) == ("provisional", "cn-sz-si-2026")
        trail = (await client.get(f"/v1/audit/entries?entity_type=law_choice&entity_id={made.json()['id']}",
                                  headers=bearer(admin))).json()["items"]
        assert [e["action"] for e in trail] == ["law_choice.made"]
    finally:
        await client.delete(f"/v1/law-choices/{made.json()['id']}", headers=bearer(admin))


async def test_the_pack_list_shows_each_versions_level(client: Any, tenant_a: Any, token_for: Any) -> None:
    token = await token_for(tenant_a, "payroll_reviewer", subject="coverage-reader")
    packs = {p["country"]: p for p in await every_item(client, "/v1/compliance/packs", bearer(token))}
    german = {v["version"]: v for v in packs["DE"]["versions"]}
    assert german["de-wage-tax-2026"]["verification"] == "official"
    assert german["de-wage-tax-2026"]["carry_forward"] is True
    assert german["de-labour-2026"]["carry_forward"] is False
    levels = {v["verification"] for p in packs.values() for v in p["versions"]}
    assert levels <= {"official", "corroborated", "unverified"} and "corroborated" in levels


async def test_a_version_or_choice_the_law_cannot_take_is_refused_in_the_readers_language(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    proposer = bearer(await token_for(tenant_a, "payroll_preparer", subject="law-proposer"),
                      **{"Accept-Language": "zh-CN"})
    elsewhere = {**shanghai_version(f"tenant-xx-{uuid.uuid4().hex[:6]}", "8000", "37731"), "region": "XX"}
    refused = await client.post("/v1/law-versions", headers=proposer, json={
        "country": "CN", "series": "social_insurance", "data": elsewhere})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_law_version"
    assert refused.json()["detail"] == "CN social_insurance 版本指定的地区XX不在该规则包的地区之内。"
    assert refused.json()["errors"][0]["pointer"] == "/data/region"
    admin = bearer(await token_for(tenant_a, "tenant_admin", subject="law-admin"), **{"Accept-Language": "zh-CN"})
    nowhere = await client.post("/v1/law-choices", headers=admin, json={
        "country": "AQ", "series": "social_insurance", "kind": "carry_forward", "reason": "no such law"})
    assert nowhere.status_code == 400 and nowhere.json()["code"] == "no_law_pack", nowhere.text
    assert nowhere.json()["detail"] == "没有适用于国家AQ的规则包。"
