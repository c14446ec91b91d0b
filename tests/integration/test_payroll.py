"""Pay runs end to end: a background calculation through the country packs, the enforced dual review
bound to the results hash, voided approvals on change, finalisation and the audited history."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from concurrent.futures.process import BrokenProcessPool
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.employees import read_model as employees_read_model
from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.employees.service import Departure
from domain.kernel.db import unit_of_work
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import pipeline, queries, workflow
from domain.payroll import service as payroll_service
from domain.payroll.service import wait_for_jobs
from domain.payroll.tables import PayRunCalculation, Payslip
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def payroll(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = Principal(tenant_id=tenant_a, subject="payroll-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Payroll SH {uuid.uuid4().hex[:6]}", country="CN", region="SH", currency="CNY", timezone="Asia/Shanghai"))
    staff = await hired(admin, entity, ("15000.00", "22000.00", "30000.00"))
    tokens = {
        "preparer": await token_for(tenant_a, "payroll_preparer", subject="prep-1"),
        "reviewer_1": await token_for(tenant_a, "payroll_reviewer", subject="rev-1"),
        "reviewer_2": await token_for(tenant_a, "payroll_reviewer", subject="rev-2"),
        "reviewer_elsewhere": await token_for(tenant_a, "payroll_reviewer", subject="rev-de"),
        "admin": await token_for(tenant_a, "tenant_admin", subject="payroll-admin"),
    }
    for subject, region in (("rev-1", "CN"), ("rev-2", "CN-SH"), ("rev-de", "DE")):
        await client.post("/v1/payroll/reviewer-regions", headers=bearer(tokens["admin"]),
                          json={"subject": subject, "region": region})
    group = await client.post("/v1/pay-groups", headers=bearer(tokens["preparer"]), json={
        "legal_entity_id": str(entity.id), "name": f"SH monthly {uuid.uuid4().hex[:6]}",
        "rule": {"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1}})
    assert group.status_code == 201, group.text
    return {"tokens": tokens, "group": group.json(), "staff": staff, "entity": entity}


async def hired(admin: Principal, entity: Any, pays: tuple[str, ...],
                tax_attributes: dict[str, Any] | None = None) -> list[Any]:
    """Staff hired at the entity on 1 January 2026, on these monthly pays in its currency, with the tax attributes
    its country's pack needs."""
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title={"en": "Analyst"},
                                                     location=entity.name), "en")
    staff = []
    for index, pay in enumerate(pays):
        candidate = await recruitment.create_candidate(admin, NewCandidate(full_name=f"Staff {index}"))
        application = await recruitment.create_application(admin, NewApplication(candidate_id=candidate.id,
                                                                                  job_id=job.id), "en")
        staff.append(await employees.hire(admin, application.id, HireRequest(
            legal_entity_id=entity.id, position="Analyst", start_date=date(2026, 1, 1),
            pay=Pay(amount=pay, currency=entity.currency, unit="month"), weekly_hours="40",
            tax_attributes=tax_attributes)))
    return staff


async def calculated_run(client: Any, payroll: dict[str, Any], period: int) -> dict[str, Any]:
    preparer = bearer(payroll["tokens"]["preparer"])
    run = await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": period})
    assert run.status_code == 201, run.text
    started = await client.post(f"/v1/pay-runs/{run.json()['id']}/calculation", headers=preparer)
    assert started.status_code == 202, started.text
    await wait_for_jobs()
    return (await client.get(f"/v1/pay-runs/{run.json()['id']}", headers=preparer)).json()


async def test_a_run_is_calculated_reviewed_by_two_others_and_finalised(client: Any,
                                                                       payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await calculated_run(client, payroll, period=3)
    assert run["state"] == "calculated" and run["job_status"] == "done" and run["progress_percent"] == 100
    assert run["employees_total"] == 3 and run["preparer"] == "prep-1"
    url = f"/v1/pay-runs/{run['id']}"
    slips = (await client.get(f"{url}/payslips", headers=bearer(tokens["preparer"]))).json()["items"]
    assert len(slips) == 3 and all(s["result"]["lines"] for s in slips)
    assert {line["code"] for line in slips[0]["result"]["lines"]} >= {"cn.iit", "cn.pension", "cn.housing_fund"}
    assert (await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))).status_code == 200
    approve = {"results_hash": run["results_hash"]}
    elsewhere = await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_elsewhere"]), json=approve)
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "payroll_region_not_assigned"
    stale = await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]),
                              json={"results_hash": "0" * 64})
    assert stale.status_code == 409
    first = await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]), json=approve)
    assert first.status_code == 200 and first.json()["state"] == "in_review"
    again = await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]), json=approve)
    assert again.status_code == 409
    early = await client.post(f"{url}/finalisation", headers=bearer(tokens["preparer"]))
    assert early.status_code == 409
    second = await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_2"]), json=approve)
    assert second.json()["state"] == "approved"
    final = await client.post(f"{url}/finalisation", headers=bearer(tokens["preparer"]))
    assert final.status_code == 200 and final.json()["state"] == "finalised"
    frozen = await client.post(f"{url}/inputs", headers=bearer(tokens["preparer"]), json={
        "employee_id": str(payroll["staff"][0].id), "kind": "bonus", "amount": "1000"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "payroll_run_finalised"
    history = (await client.get(f"{url}/history", headers=bearer(tokens["reviewer_1"]))).json()["items"]
    actions = [h["action"] for h in history]
    assert actions[0] == "pay_run.created" and actions[-1] == "pay_run.finalised"
    assert actions.count("pay_run.approved") == 2


async def test_the_preparer_cannot_approve_and_a_change_voids_approvals(client: Any,
                                                                        payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await calculated_run(client, payroll, period=4)
    url = f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))
    prep_reviewer = await client.post(f"{url}/approvals", headers=bearer(tokens["preparer"]),
                                      json={"results_hash": run["results_hash"]})
    assert prep_reviewer.status_code == 403
    await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]),
                      json={"results_hash": run["results_hash"]})
    changed = await client.post(f"{url}/inputs", headers=bearer(tokens["preparer"]), json={
        "employee_id": str(payroll["staff"][1].id), "kind": "bonus", "amount": "5000", "note": "spot bonus"})
    assert changed.json()["state"] == "draft" and changed.json()["approvals"] == []
    again = await client.post(f"{url}/calculation", headers=bearer(tokens["preparer"]))
    assert again.status_code == 202
    await wait_for_jobs()
    recalculated = (await client.get(url, headers=bearer(tokens["preparer"]))).json()
    assert recalculated["results_hash"] != run["results_hash"]
    slips = (await client.get(f"{url}/payslips", headers=bearer(tokens["preparer"]))).json()["items"]
    bonus = next(s for s in slips if s["employee_id"] == str(payroll["staff"][1].id))
    assert bonus["result"]["year_to_date"]["separate_bonus"] == "5000.00"


async def test_two_reviewers_approving_at_once_leave_a_consistent_run(client: Any,
                                                                      payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await calculated_run(client, payroll, period=5)
    url = f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))
    approve = {"results_hash": run["results_hash"]}
    both = await asyncio.gather(
        client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]), json=approve),
        client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_2"]), json=approve))
    assert sorted(r.status_code for r in both) == [200, 200]
    final = (await client.get(url, headers=bearer(tokens["preparer"]))).json()
    assert final["state"] == "approved" and sorted(a["reviewer"] for a in final["approvals"]) == ["rev-1", "rev-2"]


async def finalised_run(client: Any, payroll: dict[str, Any], period: int) -> dict[str, Any]:
    return await reviewed_and_finalised(client, payroll, await calculated_run(client, payroll, period))


async def reviewed_and_finalised(client: Any, payroll: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    tokens = payroll["tokens"]
    url = f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))
    for reviewer in ("reviewer_1", "reviewer_2"):
        await client.post(f"{url}/approvals", headers=bearer(tokens[reviewer]),
                          json={"results_hash": run["results_hash"]})
    final = await client.post(f"{url}/finalisation", headers=bearer(tokens["preparer"]))
    assert final.status_code == 200, final.text
    return final.json()


async def test_a_finalised_run_exports_a_balanced_journal_and_reconciles(client: Any,
                                                                         payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await finalised_run(client, payroll, period=6)
    url = f"/v1/pay-runs/{run['id']}"
    slips = (await client.get(f"{url}/payslips", headers=bearer(tokens["preparer"]))).json()["items"]
    codes = {line["code"] for slip in slips for line in slip["result"]["lines"]}
    accounts = {"gross_salary_expense": "6601", "net_pay_payable": "2211", "employer_expense": "6602",
                **{code: f"2241.{index}" for index, code in enumerate(sorted(codes))}}
    mapped = await client.put("/v1/payroll/account-mapping", headers=bearer(tokens["admin"]),
                              json={"accounts": accounts})
    assert mapped.status_code == 200, mapped.text
    entries = (await client.get(f"{url}/journal", headers=bearer(tokens["reviewer_1"]))).json()["entries"]
    debit = sum(Decimal(e["debit"]) for e in entries)
    credit = sum(Decimal(e["credit"]) for e in entries)
    assert debit == credit > 0
    gross = sum(Decimal(s["gross"]) for s in slips)
    assert next(Decimal(e["debit"]) for e in entries if e["account"] == "6601") == gross
    csv = await client.get(f"{url}/journal?format=csv", headers=bearer(tokens["reviewer_1"]))
    assert csv.text.startswith("account,currency,debit,credit,description")
    totals = (await client.get(f"{url}/control-totals", headers=bearer(tokens["reviewer_1"]))).json()
    assert totals["currencies"][0]["headcount"] == 3 and len(totals["checksum"]) == 64
    statement = "account,currency,debit,credit\n" + "\n".join(
        f"{e['account']},{e['currency']},{e['debit']},{e['credit']}" for e in entries)
    matched = await client.post(f"{url}/reconciliation", headers=bearer(tokens["reviewer_1"]),
                                content=statement.encode())
    assert matched.status_code == 200 and matched.json()["matched"] is True, matched.text
    off_by_one = statement + "\n9999,CNY,1.00,0.00"
    different = (await client.post(f"{url}/reconciliation", headers=bearer(tokens["reviewer_1"]),
                                   content=off_by_one.encode())).json()
    assert different["matched"] is False and different["differences"][0]["kind"] == "missing_in_journal"


async def test_employees_read_only_their_own_finalised_payslips(client: Any, payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await finalised_run(client, payroll, period=2)
    hr_admin = payroll["tokens"]["admin"]
    mine, theirs = payroll["staff"][0], payroll["staff"][1]
    token = (await client.post(f"/v1/employees/{mine.id}/portal-tokens", headers=bearer(hr_admin))).json()["token"]
    own = (await client.get("/v1/my/payslips", headers=bearer(token))).json()["items"]
    assert own and {s["employee_id"] for s in own} == {str(mine.id)}
    # how the law was applied and how well it is known is for payroll's reviewers, not for the employee
    assert all(s["earnings"] and s["deductions"] and "result" not in s and "employer_cost" not in s for s in own)
    page = await client.get(f"/v1/my/payslips/{own[-1]['id']}/document",
                            headers=bearer(token, **{"Accept-Language": "zh-CN"}))
    assert page.status_code == 200 and "Staff 0" in page.text and "¥" in page.text
    others = (await client.get(f"/v1/pay-runs/{run['id']}/payslips",
                               headers=bearer(tokens["preparer"]))).json()["items"]
    someone_else = next(s for s in others if s["employee_id"] == str(theirs.id))
    refused = await client.get(f"/v1/my/payslips/{someone_else['id']}/document", headers=bearer(token))
    assert refused.status_code == 404
    assert (await client.get(f"/v1/pay-runs/{run['id']}/payslips", headers=bearer(token))).status_code == 403
    hr_page = await client.get(f"/v1/payslips/{someone_else['id']}/document", headers=bearer(tokens["preparer"]))
    assert hr_page.status_code == 200


async def test_a_failed_calculation_shows_nothing_and_can_be_restarted(client: Any,
                                                                       payroll: dict[str, Any]) -> None:
    """Shanghai's contribution bases for July 2027 onwards are not published yet: the job stops at the
    first employee, names the problem, and the run shows no results; starting again is just as clean."""
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2027, "period": 8})).json()
    url = f"/v1/pay-runs/{run['id']}"
    for _ in range(2):
        assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
        await wait_for_jobs()
        failed = (await client.get(url, headers=preparer)).json()
        assert failed["job_status"] == "failed" and failed["job_error"].startswith("The payslip of Staff")
        assert failed["state"] == "draft" and failed["results_hash"] is None
        assert (await client.get(f"{url}/payslips", headers=preparer)).json()["items"] == []


async def test_a_run_of_many_pages_writes_each_payslip_once_and_hashes_them_in_employee_order(
        client: Any, payroll: dict[str, Any], tenant_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One employee a page: pages are read, calculated in the worker processes (several at once) and
    written concurrently, yet the stored payslips are exactly the staff, and the results hash taken while
    writing is the one taken again from storage."""
    monkeypatch.setattr(pipeline, "PAGE_SIZE", 1)
    run = await calculated_run(client, payroll, period=2)
    assert run["state"] == "calculated" and run["employees_done"] == run["employees_total"] == 3
    async with unit_of_work(tenant_a) as uow:
        row = await queries.run(uow, uuid.UUID(run["id"]))
        assert row is not None and row.results_batch is not None
        stored = await queries.payslips(uow, row.id, row.results_batch)
    assert sorted(s.employee_id for s in stored) == sorted(e.id for e in payroll["staff"])
    entries = [pipeline.hash_entry(s.employee_id, s.result) for s in stored]
    assert workflow.results_hash(entries) == run["results_hash"]


async def test_a_failure_with_pages_in_flight_lists_every_blocked_payslip_and_writes_none(
        client: Any, payroll: dict[str, Any], tenant_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page fails (no Shanghai figures from July 2027) while others are still being read or
    calculated: the job fails once, names the first employee, lists all three, and writes nothing."""
    monkeypatch.setattr(pipeline, "PAGE_SIZE", 1)
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2027, "period": 9})).json()
    assert (await client.post(f"/v1/pay-runs/{run['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    failed = (await client.get(f"/v1/pay-runs/{run['id']}", headers=preparer)).json()
    in_order = sorted(payroll["staff"], key=lambda employee: employee.id)
    assert failed["job_status"] == "failed" and failed["employees_done"] == 0
    assert failed["job_error"].startswith(f"The payslip of {in_order[0].full_name} ")
    assert failed["calculation_problems_total"] == 3
    assert [p["employee_id"] for p in failed["calculation_problems"]] == [str(e.id) for e in in_order]
    assert all("social_insurance" in p["problem"] for p in failed["calculation_problems"])
    in_japanese = await payroll_service.get_run(Principal(
        tenant_id=tenant_a, subject="rev-ja", roles=frozenset({Role.PAYROLL_REVIEWER}), locale="ja"), run["id"])
    reason = (f"CN の social_insurance について、{run['pay_date']} 時点の数値はまだ公表されていません（直近の版は "
              "2027-06-30 に終了）。給与管理者は直近の数値を暫定的に引き継ぐことを選択でき、"
              "新しい数値の公表後に差額を精算します。")
    assert in_japanese.job_error == f"{in_order[0].full_name} の給与明細を計算できません：{reason}"
    assert [p.problem for p in in_japanese.calculation_problems] == [reason] * 3
    async with unit_of_work(tenant_a):
        written = await Payslip.count().where((Payslip.tenant_id == tenant_a) & (Payslip.run_id == run["id"]))
    assert written == 0


async def test_one_blocked_payslip_is_named_while_the_others_calculate_and_a_fix_clears_it(
        client: Any, payroll: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Shanghai offers no tier-2 medical insurance: only that employee is listed; once their attributes are
    corrected, the next calculation completes and the problem list is empty."""
    monkeypatch.setattr(pipeline, "PAGE_SIZE", 1)
    preparer = bearer(payroll["tokens"]["preparer"])
    blocked = payroll["staff"][1]
    url = f"/v1/employees/{blocked.id}/tax-attributes"
    attributes = {"country": "CN", "effective_from": "2026-01-01", "attributes": {"medical_tier": "tier2"}}
    assert (await client.post(url, headers=preparer, json=attributes)).status_code == 201
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 3})).json()
    run_url = f"/v1/pay-runs/{run['id']}"
    assert (await client.post(f"{run_url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    failed = (await client.get(run_url, headers=preparer)).json()
    assert failed["job_status"] == "failed" and failed["calculation_problems_total"] == 1
    [problem] = failed["calculation_problems"]
    assert problem["employee_id"] == str(blocked.id) and "tier2" in problem["problem"]
    assert (await client.get(f"{run_url}/payslips", headers=preparer)).json()["items"] == []
    fixed = {**attributes, "effective_from": "2026-02-01", "attributes": {"medical_tier": "tier1"}}
    assert (await client.post(url, headers=preparer, json=fixed)).status_code == 201
    assert (await client.post(f"{run_url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(run_url, headers=preparer)).json()
    assert calculated["state"] == "calculated", calculated["job_error"]
    assert calculated["calculation_problems"] == [] and calculated["calculation_problems_total"] == 0
    assert len((await client.get(f"{run_url}/payslips", headers=preparer)).json()["items"]) == 3


async def test_a_worker_that_dies_fails_the_job_and_the_next_calculation_starts_fresh_workers(
        client: Any, payroll: dict[str, Any]) -> None:
    """A worker process killed under the pool (out of memory, an operator's kill) breaks it: the job fails
    with a clear reason, shows nothing, and the next calculation runs on new workers."""
    broken = pipeline._pool().submit(os._exit, 1)
    with pytest.raises(BrokenProcessPool):
        broken.result(timeout=60)
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 2})).json()
    url = f"/v1/pay-runs/{run['id']}"
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    failed = (await client.get(url, headers=preparer)).json()
    assert (failed["job_status"], failed["results_hash"]) == ("failed", None)
    assert failed["job_error"].startswith("The calculation stopped (BrokenProcessPool); nothing of it was saved")
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    recovered = (await client.get(url, headers=preparer)).json()
    assert recovered["state"] == "calculated" and recovered["employees_done"] == 3


async def test_a_leaver_is_paid_for_21_75ths_of_the_month_and_flagged_as_paid_after_leaving(
        client: Any, payroll: dict[str, Any], tenant_a: Any) -> None:
    """Leaving on Friday 20 March 2026: 15 paid days of 21.75 (劳社部发〔2008〕3号), paid on 10 April, after the
    last day, which a reviewer must acknowledge even in the group's first run."""
    admin = Principal(tenant_id=tenant_a, subject="payroll-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    leaver = payroll["staff"][2]
    await employees.record_departure(admin, leaver.id, Departure(left_on=date(2026, 3, 20), reason="resigned"))
    run = await calculated_run(client, payroll, period=4)  # March's work, paid on 10 April
    preparer = bearer(payroll["tokens"]["preparer"])
    slips = (await client.get(f"/v1/pay-runs/{run['id']}/payslips", headers=preparer)).json()["items"]
    assert Decimal(next(s for s in slips if s["employee_id"] == str(leaver.id))["gross"]) == Decimal("20689.65")
    exceptions = (await client.get(f"/v1/pay-runs/{run['id']}/exceptions", headers=preparer)).json()["items"]
    assert [(e["detail"]["kind"], e["detail"]["employee_id"]) for e in exceptions] == [
        ("paid_after_termination", str(leaver.id))]
    assert run["open_exceptions"] == 1


async def test_the_tenants_net_change_tolerance_decides_what_the_next_month_flags(
        client: Any, payroll: dict[str, Any]) -> None:
    """A 500.00 allowance moves Staff 0's net by about 4%: no exception at the default 20%, one at the
    tenant's 1% (where April's cumulative tax may flag others too). The tolerance is the tenant
    administrator's to set, and bad ratios are refused."""
    tokens = payroll["tokens"]
    url = "/v1/payroll/variance-thresholds"
    defaults = (await client.get(url, headers=bearer(tokens["reviewer_1"]))).json()
    assert defaults == {"net_change_ratio": "0.2", "line_change_ratio": "0.5"}
    await finalised_run(client, payroll, period=3)
    preparer = bearer(tokens["preparer"])
    april = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 4})).json()
    changed = str(payroll["staff"][0].id)
    await client.post(f"/v1/pay-runs/{april['id']}/inputs", headers=preparer, json={
        "employee_id": changed, "kind": "allowance", "amount": "500.00"})

    async def flagged() -> list[tuple[str, str]]:
        assert (await client.post(f"/v1/pay-runs/{april['id']}/calculation", headers=preparer)).status_code == 202
        await wait_for_jobs()
        found = (await client.get(f"/v1/pay-runs/{april['id']}/exceptions", headers=preparer)).json()["items"]
        return [(e["detail"]["kind"], e["detail"]["employee_id"]) for e in found if e["detail"]["kind"] == "net_change"]

    assert ("net_change", changed) not in await flagged()
    assert (await client.put(url, headers=preparer, json={"net_change_ratio": "0.01"})).status_code == 403
    bad = await client.put(url, headers=bearer(tokens["admin"]), json={"net_change_ratio": "-1"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/net_change_ratio"
    tight = await client.put(url, headers=bearer(tokens["admin"]), json={"net_change_ratio": "0.01"})
    try:
        assert tight.status_code == 200 and tight.json() == {"net_change_ratio": "0.01", "line_change_ratio": "0.5"}
        assert ("net_change", changed) in await flagged()
    finally:  # the tenant is shared with the other tests
        await client.put(url, headers=bearer(tokens["admin"]), json={})


async def test_each_payslip_lists_its_versions_what_changed_and_the_changes_behind_them(
        client: Any, payroll: dict[str, Any]) -> None:
    """修改留痕 per payslip: a bonus added after calculation makes a second version; the history shows both,
    the lines that moved, and the input that moved them, but not another employee's input."""
    preparer = bearer(payroll["tokens"]["preparer"])
    run = await calculated_run(client, payroll, period=5)
    url = f"/v1/pay-runs/{run['id']}"
    changed, other = (str(payroll["staff"][i].id) for i in (1, 0))
    await client.post(f"{url}/inputs", headers=preparer, json={
        "employee_id": changed, "kind": "bonus", "amount": "6000.00", "note": "spot bonus"})
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    history = (await client.get(f"{url}/payslips/{changed}/history",
                                headers=bearer(payroll["tokens"]["reviewer_1"]))).json()
    first, second = history["versions"]
    assert (first["current"], second["current"]) == (False, True)
    assert first["changes"] == [] and first["results_hash"] == run["results_hash"]
    assert Decimal(second["gross"]) - Decimal(first["gross"]) == Decimal("6000.00")
    [bonus_tax] = [c for c in second["changes"] if c["code"] == "cn.iit_bonus"]
    assert Decimal(bonus_tax["employee_before"]) == 0 and Decimal(bonus_tax["employee_after"]) > 0
    added = [e for e in history["events"] if e["action"] == "pay_run.input_added"]
    assert [e["after"]["amount"] for e in added] == ["6000.00"]
    assert [e["action"] for e in history["events"]].count("pay_run.calculated") == 2
    unaffected = (await client.get(f"{url}/payslips/{other}/history", headers=preparer)).json()
    assert [v["changes"] for v in unaffected["versions"]] == [[], []]
    assert not [e for e in unaffected["events"] if e["action"] == "pay_run.input_added"]
    missing = await client.get(f"{url}/payslips/{uuid.uuid4()}/history", headers=preparer)
    assert missing.status_code == 404 and missing.json()["code"] == "payslip_not_found"


async def test_a_german_bonus_is_taxed_on_the_projected_year(client: Any, tenant_a: Any, token_for: Any) -> None:
    """No expected annual pay is recorded: the pack projects it (R 39b.6 Abs. 2 LStR) from June's pay and the
    six months left, so the bonus is taxed as a sonstiger Bezug instead of stopping the run."""
    admin = Principal(tenant_id=tenant_a, subject="payroll-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Payroll NW {uuid.uuid4().hex[:6]}", country="DE", region="NW", currency="EUR",
        timezone="Europe/Berlin"))
    [employee] = await hired(admin, entity, ("5000.00",), tax_attributes={"tax_class": 1})
    preparer = bearer(await token_for(tenant_a, "payroll_preparer", subject="prep-de"))
    recorded = await client.post(f"/v1/employees/{employee.id}/tax-attributes", headers=preparer, json={
        "country": "DE", "effective_from": "2026-01-01", "attributes": {"tax_class": 1}})
    assert recorded.status_code == 201, recorded.text
    group = (await client.post("/v1/pay-groups", headers=preparer, json={
        "legal_entity_id": str(entity.id), "name": f"NW monthly {uuid.uuid4().hex[:6]}",
        "rule": {"frequency": "monthly", "pay_day": 25, "country": "DE"}})).json()
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": group["id"], "year": 2026, "period": 6})).json()
    url = f"/v1/pay-runs/{run['id']}"
    bonus = await client.post(f"{url}/inputs", headers=preparer, json={
        "employee_id": str(employee.id), "kind": "bonus", "amount": "3000.00"})
    assert bonus.status_code == 201, bonus.text
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(url, headers=preparer)).json()
    assert calculated["state"] == "calculated", calculated["job_error"]
    [slip] = (await client.get(f"{url}/payslips", headers=preparer)).json()["items"]
    trace = {step["step"]: step["value"] for step in slip["result"]["trace"]}
    assert trace["PAP JRE4 (expected annual pay, cents)"] == "3500000"
    assert Decimal(trace["PAP STS (wage tax on other payment, cents)"]) > 0
    assert Decimal(slip["gross"]) == Decimal("8000.00")


async def test_an_edit_racing_an_approval_never_leaves_a_stale_approval(client: Any,
                                                                        payroll: dict[str, Any]) -> None:
    tokens = payroll["tokens"]
    run = await calculated_run(client, payroll, period=2)
    url = f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))
    await client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_1"]),
                      json={"results_hash": run["results_hash"]})
    await asyncio.gather(
        client.post(f"{url}/approvals", headers=bearer(tokens["reviewer_2"]),
                    json={"results_hash": run["results_hash"]}),
        client.post(f"{url}/inputs", headers=bearer(tokens["preparer"]), json={
            "employee_id": str(payroll["staff"][0].id), "kind": "allowance", "amount": "300"}))
    final = (await client.get(url, headers=bearer(tokens["preparer"]))).json()
    assert final["state"] == "draft" and final["approvals"] == []  # the edit always voids, whichever came first
    assert (await client.post(f"{url}/finalisation", headers=bearer(tokens["preparer"]))).status_code == 409


async def map_every_account(client: Any, payroll: dict[str, Any], slips: list[dict[str, Any]]) -> None:
    codes = {line["code"] for slip in slips for line in slip["result"]["lines"]}
    accounts = {"gross_salary_expense": "6601", "net_pay_payable": "2211", "employer_expense": "6602",
                **{code: f"2241.{index}" for index, code in enumerate(sorted(codes))}}
    mapped = await client.put("/v1/payroll/account-mapping", headers=bearer(payroll["tokens"]["admin"]),
                              json={"accounts": accounts})
    assert mapped.status_code == 200, mapped.text


async def test_a_correction_pays_and_posts_the_difference_and_later_runs_build_on_it(
        client: Any, payroll: dict[str, Any]) -> None:
    preparer, reviewer = bearer(payroll["tokens"]["preparer"]), bearer(payroll["tokens"]["reviewer_1"])
    corrected_employee = str(payroll["staff"][0].id)
    january = await finalised_run(client, payroll, period=2)  # period 1 is December, paid in January
    url = f"/v1/pay-runs/{january['id']}/corrections"
    request = {"employee_ids": [corrected_employee], "pay_date": "2026-02-20", "reason": "Missed allowance"}
    early = await client.post(url, headers=preparer, json={**request, "pay_date": "2026-02-01"})
    assert early.status_code == 400 and early.json()["code"] == "pay_run_correction_pay_date"
    stranger = await client.post(url, headers=preparer, json={**request, "employee_ids": [str(uuid.uuid4())]})
    assert stranger.status_code == 400 and stranger.json()["code"] == "pay_run_employees_not_in_run"
    opened = await client.post(url, headers=preparer, json=request)
    assert opened.status_code == 201, opened.text
    correction = opened.json()
    assert correction["kind"] == "correction" and correction["corrects_run_id"] == january["id"]
    assert correction["employee_scope"] == [corrected_employee] and correction["state"] == "draft"
    second = await client.post(url, headers=preparer, json=request)
    assert second.status_code == 409 and second.json()["code"] == "pay_run_correction_open"
    cancelled = await client.post(f"/v1/pay-runs/{correction['id']}/cancellation", headers=preparer)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    correction = (await client.post(url, headers=preparer, json=request)).json()
    assert correction["state"] == "draft" and correction["corrects_run_id"] == january["id"]
    await client.post(f"/v1/pay-runs/{correction['id']}/inputs", headers=preparer, json={
        "employee_id": corrected_employee, "kind": "allowance", "amount": "1000.00", "note": "January allowance"})
    assert (await client.post(f"/v1/pay-runs/{correction['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(f"/v1/pay-runs/{correction['id']}", headers=preparer)).json()
    assert calculated["employees_total"] == 1 and calculated["state"] == "calculated", calculated
    february = await calculated_run(client, payroll, period=3)  # before the correction is final
    await reviewed_and_finalised(client, payroll, calculated)
    stale = (await client.get(f"/v1/pay-runs/{february['id']}", headers=preparer)).json()
    assert stale["state"] == "draft" and stale["results_hash"] is None

    originals = (await client.get(f"/v1/pay-runs/{january['id']}/payslips", headers=preparer)).json()["items"]
    original = next(s for s in originals if s["employee_id"] == corrected_employee)
    [replacement] = (await client.get(f"/v1/pay-runs/{correction['id']}/payslips", headers=preparer)).json()["items"]
    assert replacement["result"]["corrects"]["payslip_id"] == original["id"]
    assert Decimal(replacement["gross"]) - Decimal(original["gross"]) == Decimal("1000.00")
    await map_every_account(client, payroll, originals)
    entries = (await client.get(f"/v1/pay-runs/{correction['id']}/journal", headers=reviewer)).json()["entries"]
    assert sum(Decimal(e["debit"]) for e in entries) == sum(Decimal(e["credit"]) for e in entries)
    assert next(Decimal(e["debit"]) for e in entries if e["account"] == "6601") == Decimal("1000.00")
    net_paid = next(Decimal(e["credit"]) for e in entries if e["account"] == "2211")
    assert net_paid == Decimal(replacement["net"]) - Decimal(original["net"]) > 0
    totals = (await client.get(f"/v1/pay-runs/{correction['id']}/control-totals", headers=reviewer)).json()
    assert totals["currencies"][0]["headcount"] == 1

    assert (await client.post(f"/v1/pay-runs/{february['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    february = await reviewed_and_finalised(
        client, payroll, (await client.get(f"/v1/pay-runs/{february['id']}", headers=preparer)).json())
    slips = (await client.get(f"/v1/pay-runs/{february['id']}/payslips", headers=preparer)).json()["items"]
    year_so_far = next(s for s in slips if s["employee_id"] == corrected_employee)["result"]["year_to_date"]
    assert Decimal(year_so_far["income"]) == Decimal("31000.00") and year_so_far["months_employed"] == 2
    too_late = await client.post(url, headers=preparer, json=request)
    assert too_late.status_code == 409 and too_late.json()["code"] == "pay_run_later_period_finalised"
    history = (await client.get(f"/v1/pay-runs/{january['id']}/history", headers=reviewer)).json()["items"]
    assert "pay_run.correction_opened" in [h["action"] for h in history]


async def test_only_a_finalised_run_is_corrected(client: Any, payroll: dict[str, Any]) -> None:
    run = await calculated_run(client, payroll, period=2)
    refused = await client.post(f"/v1/pay-runs/{run['id']}/corrections", headers=bearer(payroll["tokens"]["preparer"]),
                                json={"employee_ids": [str(payroll["staff"][0].id)], "pay_date": "2026-09-01",
                                      "reason": "Too soon"})
    assert refused.status_code == 409 and refused.json()["code"] == "pay_run_correction_needs_finalised"


@pytest.mark.postgres  # shared mode: the session's on-prem SQLite database holds several tenants, which the CLI refuses
async def test_the_command_line_calculates_a_run_showing_progress(client: Any, payroll: dict[str, Any],
                                                                  tenant_a: Any, environment: dict[str, str]) -> None:
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 6})).json()
    command = [sys.executable, "-m", "api.cli", "payroll", "calculate", "--tenant", str(tenant_a),
               "--run", run["id"], "--subject", "prep-1"]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, check=False,
                                   timeout=120, env={**os.environ, **environment})
    assert done.returncode == 0, done.stderr
    assert "3 payslips" in done.stdout and "state calculated" in done.stdout
    calculated = (await client.get(f"/v1/pay-runs/{run['id']}", headers=preparer)).json()
    assert calculated["state"] == "calculated" and calculated["preparer"] == "prep-1"
    assert calculated["employees_total"] == 3 and calculated["progress_percent"] == 100
    missing = await asyncio.to_thread(subprocess.run, [*command[:-4], "--run", str(uuid.uuid4()), "--subject",
                                                       "prep-1"], capture_output=True, text=True, check=False,
                                      timeout=120, env={**os.environ, **environment})
    assert missing.returncode == 1 and "no pay run" in missing.stderr


async def test_a_change_during_a_calculation_never_leaves_its_results_showing(client: Any, payroll: dict[str, Any],
                                                                               tenant_a: Any) -> None:
    """Whichever finishes first, the job or the change, the run ends in draft without results, and the
    next calculation includes the change."""
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 4})).json()
    url = f"/v1/pay-runs/{run['id']}"
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    changed = await client.post(f"{url}/inputs", headers=preparer, json={
        "employee_id": str(payroll["staff"][2].id), "kind": "allowance", "amount": "800.00"})
    assert changed.status_code == 201, changed.text
    await wait_for_jobs()
    after = (await client.get(url, headers=preparer)).json()
    assert after["state"] == "draft" and after["results_hash"] is None and after["job_status"] != "running"
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    slips = (await client.get(f"{url}/payslips", headers=preparer)).json()["items"]
    allowance = next(s for s in slips if s["employee_id"] == str(payroll["staff"][2].id))
    assert Decimal(allowance["gross"]) == Decimal("30800.00")
    async with unit_of_work(tenant_a) as uow:
        employed = await employees_read_model.count_employed(uow, payroll["entity"].id, date(2026, 4, 30))
        assert employed == 3
        assert await employees_read_model.count_employed(uow, payroll["entity"].id, date(2025, 12, 31)) == 0
        stored = await Payslip.count().where((Payslip.tenant_id == tenant_a) & (Payslip.run_id == run["id"]))
        completed = await PayRunCalculation.count().where(
            (PayRunCalculation.tenant_id == tenant_a) & (PayRunCalculation.run_id == run["id"]))
    # whichever finished first, only completed calculations keep their payslips (as versions)
    assert completed >= 1 and stored == 3 * completed


async def test_a_job_that_stopped_with_its_process_can_be_started_again(client: Any, payroll: dict[str, Any],
                                                                        tenant_a: Any) -> None:
    preparer = bearer(payroll["tokens"]["preparer"])
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 5})).json()
    url = f"/v1/pay-runs/{run['id']}"
    for heartbeat, expected in ((utc_now(), 409), (utc_now() - timedelta(hours=1), 202)):
        async with unit_of_work(tenant_a) as uow:
            await queries.job_started(uow, uuid.UUID(run["id"]), uuid.uuid4(), heartbeat)
        started = await client.post(f"{url}/calculation", headers=preparer)
        assert started.status_code == expected, started.text
    await wait_for_jobs()
    finished = (await client.get(url, headers=preparer)).json()
    assert finished["state"] == "calculated" and finished["employees_total"] == 3
