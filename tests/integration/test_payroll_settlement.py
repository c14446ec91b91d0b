"""Provisional pay, then settled (补差), end to end: a Shenzhen group whose 2026 contribution year is not yet
published is refused, opts in to carry the last known figures forward, pays July to November on them, and,
once the tenant's own figures for July arrive, settles every month in one correction whose figures match a
hand calculation."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from compliance.registry import pack_for
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.service import LawChange, reach_of, wait_for_jobs
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer
from tests.integration.test_payroll import calculated_run, hired, map_every_account, reviewed_and_finalised

pytestmark = pytest.mark.anyio

MONTHS = (7, 8, 9, 10, 11)
#: Shenzhen's pension: 8% from the employee and 16% from the employer, on a base of at least 4,775 (the 2025
#: contribution year, carried forward) or 5,000 (the tenant's figures for the 2026 year, in this test).
OLD_FLOOR, NEW_FLOOR = Decimal("4775"), Decimal("5000")
EMPLOYEE_RATE, EMPLOYER_RATE = Decimal("0.08"), Decimal("0.16")
MORE_EMPLOYEE_PENSION = (NEW_FLOOR - OLD_FLOOR) * EMPLOYEE_RATE  # 18.00 a month
MORE_EMPLOYER_PENSION = (NEW_FLOOR - OLD_FLOOR) * EMPLOYER_RATE  # 36.00 a month
#: What a 4,000 a month employee in Shenzhen pays monthly into 三险一金 on the carried-forward figures: pension
#: 8% of 4,775, medical 2% of 6,727, unemployment 0.2% of 4,000 and housing fund 5% of 4,000.
SPECIAL_DEDUCTIONS_BEFORE = Decimal("382.00") + Decimal("134.54") + Decimal("8.00") + Decimal("200.00")


@pytest.fixture
async def shenzhen(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = Principal(tenant_id=tenant_a, subject="payroll-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Payroll SZ {uuid.uuid4().hex[:6]}", country="CN", region="SZ", currency="CNY",
        timezone="Asia/Shanghai"))
    staff = await hired(admin, entity, ("4000.00", "12000.00"))
    tokens = {
        "preparer": await token_for(tenant_a, "payroll_preparer", subject="prep-sz"),
        "reviewer_1": await token_for(tenant_a, "payroll_reviewer", subject="rev-sz-1"),
        "reviewer_2": await token_for(tenant_a, "payroll_reviewer", subject="rev-sz-2"),
        "admin": await token_for(tenant_a, "tenant_admin", subject="payroll-admin-sz"),
    }
    for subject, region in (("rev-sz-1", "CN"), ("rev-sz-2", "CN-SZ")):
        await client.post("/v1/payroll/reviewer-regions", headers=bearer(tokens["admin"]),
                          json={"subject": subject, "region": region})
    group = await client.post("/v1/pay-groups", headers=bearer(tokens["preparer"]), json={
        "legal_entity_id": str(entity.id), "name": f"SZ monthly {uuid.uuid4().hex[:6]}",
        "rule": {"frequency": "monthly", "pay_day": "last", "country": "CN"}})
    assert group.status_code == 201, group.text
    return {"tokens": tokens, "group": group.json(), "staff": staff, "entity": entity}


def shenzhen_2026(name: str) -> dict[str, Any]:
    """The shipped Shenzhen figures as a tenant version from 1 July 2026, with only the pension floor raised."""
    [shipped] = [v for v in pack_for("CN").series["social_insurance"].versions if v.version == "cn-sz-si-2026"]
    data = msgspec.to_builtins(shipped)
    for derived in ("verification", "origin", "provisional"):
        data.pop(derived)
    pension = data["parameters"]["pension"]
    pension["value"]["base_floor"] = str(NEW_FLOOR)
    pension["source"] = {"issuer": "广东省人力资源和社会保障厅", "url": "https://hrss.gd.gov.cn/",
                         "document": "2026年度企业职工基本养老保险缴费基数上下限", "verification": "official"}
    return {**data, "version": name, "effective_from": "2026-07-01", "effective_to": "2027-06-30"}


async def test_pay_on_carried_forward_figures_is_settled_period_by_period_when_the_law_arrives(
        client: Any, shenzhen: dict[str, Any], tenant_a: Any) -> None:
    tokens, group = shenzhen["tokens"], shenzhen["group"]
    preparer, admin = bearer(tokens["preparer"]), bearer(tokens["admin"])
    low, high = (str(employee.id) for employee in shenzhen["staff"])
    gaps = (await client.get(f"/v1/pay-groups/{group['id']}", headers=preparer)).json()["law_gaps"]
    assert {(g["series"], g["region"], g["kind"]) for g in gaps} >= {("social_insurance", "SZ", "not_yet_published")}
    assert "carry_forward" in next(g for g in gaps if g["series"] == "social_insurance")["actions"]

    july = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": group["id"], "year": 2026, "period": 7})).json()
    assert (await client.post(f"/v1/pay-runs/{july['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    refused = (await client.get(f"/v1/pay-runs/{july['id']}", headers=preparer)).json()
    assert refused["job_status"] == "failed" and refused["calculation_problems_total"] == 2
    assert all("social_insurance" in p["problem"] and "opt in to carry the last known figures forward" in p["problem"]
               for p in refused["calculation_problems"])

    choices = []
    version_id = None
    try:
        for kind, reason in (("carry_forward", "Shenzhen has not published its 2026 base; we settle when it does"),
                             ("accept_unverified", "Shenzhen's minor figures rest on single sources; accepted")):
            made = await client.post("/v1/law-choices", headers=admin, json={
                "country": "CN", "series": "social_insurance", "kind": kind, "reason": reason})
            assert made.status_code == 201, made.text
            choices.append(made.json()["id"])
        gaps = (await client.get(f"/v1/pay-groups/{group['id']}", headers=preparer)).json()["law_gaps"]
        assert {(g["series"], g["kind"], g["version"]) for g in gaps} == {
            ("social_insurance", "provisional", "cn-sz-si-2026")}

        assert (await client.post(f"/v1/pay-runs/{july['id']}/calculation", headers=preparer)).status_code == 202
        await wait_for_jobs()
        july = (await client.get(f"/v1/pay-runs/{july['id']}", headers=preparer)).json()
        assert july["state"] == "calculated", july["job_error"]
        assert july["provisional_law"] == [{"country": "CN", "series": "social_insurance",
                                            "version": "cn-sz-si-2026", "region": "SZ"}]
        slips = (await client.get(f"/v1/pay-runs/{july['id']}/payslips", headers=preparer)).json()["items"]
        assert all(any(u["series"] == "social_insurance" and u["provisional"] for u in s["result"]["law"])
                   for s in slips)
        runs = {7: await reviewed_and_finalised(client, shenzhen, july)}
        for month in MONTHS[1:]:
            runs[month] = await reviewed_and_finalised(client, shenzhen, await calculated_run(client, shenzhen, month))
        nothing_yet = (await client.get(f"/v1/pay-groups/{group['id']}/settlement-proposal", headers=preparer)).json()
        assert nothing_yet["employees"] == [] and Decimal(nothing_yet["net_difference"]) == 0
        # what a law bundle's dry run reports of Shenzhen's 2026 base from 1 July, before it is installed
        reached = await reach_of(tenant_a, [LawChange("CN", "social_insurance", "SZ", date(2026, 7, 1))])
        [ours] = [g for g in reached if str(g.group_id) == group["id"]]
        assert [(p.period_start.month, p.settlement_expected) for p in ours.finalised_periods] == [
            (month, True) for month in MONTHS]
        assert not any(str(g.group_id) == group["id"] for g in await reach_of(
            tenant_a, [LawChange("CN", "social_insurance", "SH", date(2026, 7, 1))]))

        version_id = await approved_tenant_version(client, tokens)
        proposal = (await client.get(f"/v1/pay-groups/{group['id']}/settlement-proposal", headers=preparer)).json()
        assert proposal["settles_from"] == "2026-07-01" and proposal["corrects_run_id"] == runs[11]["id"]
        assert proposal["problems"] == [] and proposal["currency"] == "CNY"
        by_employee = {e["employee_id"]: e for e in proposal["employees"]}
        assert set(by_employee) == {low, high}
        below_floor = by_employee[low]
        assert [p["period_start"] for p in below_floor["periods"]] == [f"2026-{m:02d}-01" for m in MONTHS]
        for period in below_floor["periods"]:
            assert Decimal(period["net_difference"]) == -MORE_EMPLOYEE_PENSION == Decimal("-18.00")
            assert Decimal(period["employer_cost_difference"]) == MORE_EMPLOYER_PENSION == Decimal("36.00")
            [pension] = period["lines"]
            assert pension["code"] == "cn.pension"
            assert (Decimal(pension["employee_before"]), Decimal(pension["employee_after"])) == (
                OLD_FLOOR * EMPLOYEE_RATE, NEW_FLOOR * EMPLOYEE_RATE)
            assert (Decimal(pension["employer_before"]), Decimal(pension["employer_after"])) == (
                OLD_FLOOR * EMPLOYER_RATE, NEW_FLOOR * EMPLOYER_RATE)
            assert Decimal(period["paid_net"]) - Decimal(period["corrected_net"]) == Decimal("18.00")
        assert Decimal(below_floor["net_difference"]) == -5 * MORE_EMPLOYEE_PENSION == Decimal("-90.00")
        assert all(Decimal(p["net_difference"]) == 0 for p in by_employee[high]["periods"])
        assert Decimal(proposal["net_difference"]) == Decimal("-90.00")
        assert Decimal(proposal["employer_cost_difference"]) == Decimal("180.00")
        [law] = proposal["law"]
        assert (law["series"], law["region"], law["provisional_version"], law["replaced_by_origin"]) == (
            "social_insurance", "SZ", "cn-sz-si-2026", "tenant")
        assert law["pay_dates"] == [run["pay_date"] for run in runs.values()]

        settlement = await settled(client, shenzhen, runs)
        slips = (await client.get(f"/v1/pay-runs/{settlement['id']}/payslips", headers=preparer)).json()["items"]
        slip = next(s for s in slips if s["employee_id"] == low)
        november = (await client.get(f"/v1/pay-runs/{runs[11]['id']}/payslips", headers=preparer)).json()["items"]
        assert slip["result"]["corrects"]["payslip_id"] == next(s["id"] for s in november if s["employee_id"] == low)
        assert [Decimal(p["net_difference"]) for p in slip["result"]["settlement"]] == [Decimal("-18.00")] * 5
        assert not any(u["provisional"] for u in slip["result"]["law"])
        year_so_far = slip["result"]["year_to_date"]
        assert Decimal(year_so_far["special_deductions"]) == 5 * (SPECIAL_DEDUCTIONS_BEFORE + MORE_EMPLOYEE_PENSION)
        assert Decimal(year_so_far["special_deductions"]) == Decimal("3712.70")
        assert (Decimal(year_so_far["income"]), year_so_far["months_employed"]) == (Decimal("20000.00"), 5)
        assert Decimal(year_so_far["tax_withheld"]) == 0

        await map_every_account(client, shenzhen, november)
        reviewer = bearer(tokens["reviewer_1"])
        totals = (await client.get(f"/v1/pay-runs/{settlement['id']}/control-totals", headers=reviewer)).json()
        [cny] = totals["currencies"]
        assert (Decimal(cny["net"]), Decimal(cny["employer_cost"]), Decimal(cny["gross"])) == (
            Decimal("-90.00"), Decimal("180.00"), Decimal(0))
        assert Decimal(cny["lines"]["cn.pension"]["employee"]) == Decimal("90.00")
        entries = (await client.get(f"/v1/pay-runs/{settlement['id']}/journal", headers=reviewer)).json()["entries"]
        assert sum(Decimal(e["debit"]) for e in entries) == sum(Decimal(e["credit"]) for e in entries)

        settled_now = (await client.get(f"/v1/pay-groups/{group['id']}/settlement-proposal", headers=preparer)).json()
        assert settled_now["employees"] == [] and settled_now["problems"] == []

        december = await calculated_run(client, shenzhen, 12)
        assert december["state"] == "calculated", december["job_error"]
        assert december["provisional_law"] == []
        slips = (await client.get(f"/v1/pay-runs/{december['id']}/payslips", headers=preparer)).json()["items"]
        year_so_far = next(s for s in slips if s["employee_id"] == low)["result"]["year_to_date"]
        assert Decimal(year_so_far["special_deductions"]) == 6 * (SPECIAL_DEDUCTIONS_BEFORE + MORE_EMPLOYEE_PENSION)
    finally:
        for choice in choices:
            await client.delete(f"/v1/law-choices/{choice}", headers=admin)
        if version_id:
            await client.post(f"/v1/law-versions/{version_id}/retirement", headers=bearer(tokens["reviewer_1"]),
                              json={"reason": "test over"})


async def approved_tenant_version(client: Any, tokens: dict[str, str]) -> str:
    """Shenzhen's 2026 figures, proposed by the preparer and approved by a reviewer."""
    proposed = await client.post("/v1/law-versions", headers=bearer(tokens["preparer"]), json={
        "country": "CN", "series": "social_insurance", "data": shenzhen_2026(f"tenant-sz-{uuid.uuid4().hex[:6]}")})
    assert proposed.status_code == 201, proposed.text
    approved = await client.post(f"/v1/law-versions/{proposed.json()['id']}/approval",
                                 headers=bearer(tokens["reviewer_1"]), json={"reason": "matches the notice"})
    assert approved.status_code == 200, approved.text
    return str(proposed.json()["id"])


async def settled(client: Any, shenzhen: dict[str, Any], runs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The settlement opened, calculated, approved by two reviewers and finalised."""
    preparer, group = bearer(shenzhen["tokens"]["preparer"]), shenzhen["group"]
    url = f"/v1/pay-groups/{group['id']}/settlements"
    early = await client.post(url, headers=preparer, json={"pay_date": "2026-11-02", "reason": "补差"})
    assert (early.status_code, early.json()["code"]) == (400, "pay_run_settlement_pay_date")
    across = await client.post(f"/v1/pay-runs/{runs[7]['id']}/corrections", headers=preparer, json={
        "employee_ids": [str(shenzhen["staff"][0].id)], "pay_date": "2026-12-15", "reason": "补差"})
    assert across.json()["code"] == "pay_run_later_period_finalised"
    opened = await client.post(url, headers=preparer, json={"pay_date": "2026-12-15", "reason": "补差 2026 base"})
    assert opened.status_code == 201, opened.text
    settlement = opened.json()
    assert (settlement["kind"], settlement["corrects_run_id"], settlement["settles_from"]) == (
        "correction", runs[11]["id"], "2026-07-01")
    assert settlement["employee_scope"] == sorted(str(e.id) for e in shenzhen["staff"])
    again = await client.post(url, headers=preparer, json={"pay_date": "2026-12-15", "reason": "twice"})
    assert (again.status_code, again.json()["code"]) == (409, "pay_group_settlement_open")
    assert (await client.post(f"/v1/pay-runs/{settlement['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(f"/v1/pay-runs/{settlement['id']}", headers=preparer)).json()
    assert calculated["state"] == "calculated", calculated["job_error"]
    assert [(p["period_start"], p["employees"], Decimal(p["net_difference"]), Decimal(p["employer_cost_difference"]))
            for p in calculated["settlement_periods"]] == [
        (f"2026-{m:02d}-01", 2, Decimal("-18.00"), Decimal("36.00")) for m in MONTHS]
    final = await reviewed_and_finalised(client, shenzhen, calculated)
    assert final["state"] == "finalised"
    history = (await client.get(f"/v1/pay-runs/{runs[11]['id']}/history", headers=preparer)).json()["items"]
    assert "pay_run.settlement_opened" in [h["action"] for h in history]
    return final
