"""Payslips as people read them, on the real app: every earning on its own line, adding up to gross pay in every
country; the year to date each country's payslips carry; an employee's own copy without the calculation's trace,
the law it read or the employer's costs; dates as the reader's region writes them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.model import OwnPayslipView
from domain.payroll.service import wait_for_jobs
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

#: country: (currency, region, time zone, monthly pay, tax attributes)
COUNTRIES: dict[str, tuple[str, str | None, str, str, dict[str, Any] | None]] = {
    "CN": ("CNY", "SH", "Asia/Shanghai", "18000.00", None),
    "DE": ("EUR", "NW", "Europe/Berlin", "5000.00", {"tax_class": 1}),
    "GB": ("GBP", None, "Europe/London", "3000.00", {"tax_code": "1257L"}),
    "IN": ("INR", None, "Asia/Kolkata", "90000.00", None),
    "JP": ("JPY", "13", "Asia/Tokyo", "300000", {"date_of_birth": "1990-01-01"}),
    "SG": ("SGD", None, "Asia/Singapore", "6000.00", {"date_of_birth": "1990-01-01"}),
    "US": ("USD", None, "America/New_York", "6000.00", None),
}


async def paying(client: Any, tenant: Any, token_for: Any, country: str, pay: str | None = None) -> dict[str, Any]:
    """A legal entity in ``country`` with one employee on monthly pay from 1 January 2026, a monthly pay group,
    the people who run it and the employee's own token."""
    currency, region, timezone, usual_pay, attributes = COUNTRIES[country]
    admin = Principal(tenant_id=tenant, subject="payslip-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Payslips {country} {uuid.uuid4().hex[:6]}", country=country, region=region, currency=currency,
        timezone=timezone))
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title={"en": "Analyst"},
                                                     location=entity.name), "en")
    candidate = await recruitment.create_candidate(admin, NewCandidate(full_name=f"Staff {country}"))
    application = await recruitment.create_application(admin, NewApplication(candidate_id=candidate.id,
                                                                              job_id=job.id), "en")
    employee = await employees.hire(admin, application.id, HireRequest(
        legal_entity_id=entity.id, position="Analyst", start_date=date(2026, 1, 1),
        pay=Pay(amount=pay or usual_pay, currency=currency, unit="month"), weekly_hours="40",
        tax_attributes=attributes, employee_number=f"P-{uuid.uuid4().hex[:8]}", department="Finance"))
    suffix = uuid.uuid4().hex[:6]
    tokens = {name: await token_for(tenant, role, subject=f"{name}-{suffix}") for name, role in (
        ("preparer", "payroll_preparer"), ("reviewer_1", "payroll_reviewer"), ("reviewer_2", "payroll_reviewer"),
        ("admin", "tenant_admin"))}
    for reviewer in ("reviewer_1", "reviewer_2"):
        await client.post("/v1/payroll/reviewer-regions", headers=bearer(tokens["admin"]),
                          json={"subject": f"{reviewer}-{suffix}", "region": country})
    group = await client.post("/v1/pay-groups", headers=bearer(tokens["preparer"]), json={
        "legal_entity_id": str(entity.id), "name": f"Payslips {country} {suffix}",
        "rule": {"frequency": "monthly", "pay_day": 25, "country": country}})
    assert group.status_code == 201, group.text
    portal = await client.post(f"/v1/employees/{employee.id}/portal-tokens", headers=bearer(tokens["admin"]))
    return {"tokens": tokens, "group": group.json(), "employee": employee, "entity": entity,
            "own": portal.json()["token"]}


async def calculated(client: Any, setup: dict[str, Any], period: int, **inputs: str) -> dict[str, Any]:
    """The group's run of ``period`` of 2026, calculated with these inputs for the employee."""
    preparer = bearer(setup["tokens"]["preparer"])
    run = await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": setup["group"]["id"], "year": 2026, "period": period})
    assert run.status_code == 201, run.text
    url = f"/v1/pay-runs/{run.json()['id']}"
    for kind, amount in inputs.items():
        added = await client.post(f"{url}/inputs", headers=preparer, json={
            "employee_id": str(setup["employee"].id), "kind": kind, "amount": amount})
        assert added.status_code == 201, added.text
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    shown = (await client.get(url, headers=preparer)).json()
    assert shown["state"] == "calculated", shown["calculation_problems"] or shown["job_error"]
    return shown


async def finalised(client: Any, setup: dict[str, Any], run: dict[str, Any]) -> None:
    tokens, url = setup["tokens"], f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/submission", headers=bearer(tokens["preparer"]))
    for reviewer in ("reviewer_1", "reviewer_2"):
        approved = await client.post(f"{url}/approvals", headers=bearer(tokens[reviewer]),
                                     json={"results_hash": run["results_hash"]})
        assert approved.status_code == 200, approved.text
    final = await client.post(f"{url}/finalisation", headers=bearer(tokens["preparer"]))
    assert final.status_code == 200, final.text


async def the_payslip(client: Any, setup: dict[str, Any], run: dict[str, Any], **headers: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/pay-runs/{run['id']}/payslips",
                              headers=bearer(setup["tokens"]["preparer"], **headers))
    [slip] = answer.json()["items"]
    return slip


def total(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(item["amount"]) for item in items), Decimal(0))


#: Series whose figures in force are unverified, which a tenant accepts in writing before paying on them.
UNVERIFIED = {"SG": "cpf"}


@asynccontextmanager
async def unverified_law_accepted(client: Any, setup: dict[str, Any], country: str) -> AsyncIterator[None]:
    if country not in UNVERIFIED:
        yield
        return
    admin = bearer(setup["tokens"]["admin"])
    choice = await client.post("/v1/law-choices", headers=admin, json={
        "country": country, "series": UNVERIFIED[country], "kind": "accept_unverified", "reason": "payslip test"})
    assert choice.status_code == 201, choice.text
    try:
        yield
    finally:
        await client.delete(f"/v1/law-choices/{choice.json()['id']}", headers=admin)


#: Japan's pack refuses a bonus through a monthly run (賞与 are paid and withheld apart).
INPUTS = {"overtime_hours": "10", "allowance": "300", "bonus": "1000", "unpaid_leave_days": "1"}


@pytest.mark.parametrize("country", sorted(COUNTRIES))
async def test_each_countrys_earnings_are_itemised_and_add_up_to_gross(client: Any, tenant_a: Any,
                                                                      token_for: Any, country: str) -> None:
    setup = await paying(client, tenant_a, token_for, country)
    inputs = {kind: amount for kind, amount in INPUTS.items() if not (country == "JP" and kind == "bonus")}
    async with unverified_law_accepted(client, setup, country):
        run = await calculated(client, setup, 3, **inputs)
    slip = await the_payslip(client, setup, run)
    earnings = slip["earnings"]
    expected = {"base", "unpaid_leave", "overtime", "allowances", "bonus"} - ({"bonus"} if country == "JP" else set())
    assert [e["code"] for e in earnings] == [c for c in ("base", "unpaid_leave", "overtime", "allowances", "bonus")
                                             if c in expected]
    assert total(earnings) == Decimal(slip["gross"]) == Decimal(slip["result"]["totals"]["gross"])
    overtime = next(e for e in earnings if e["code"] == "overtime")
    assert Decimal(overtime["hours"]) == 10 and Decimal(overtime["rate"]) > 0
    assert Decimal(overtime["amount"]) == (Decimal(10) * Decimal(overtime["rate"])
                                           * Decimal(overtime["multiplier"])).quantize(Decimal(overtime["amount"]))
    leave = next(e for e in earnings if e["code"] == "unpaid_leave")
    assert Decimal(leave["days"]) == 1 and Decimal(leave["amount"]) < 0
    # the earnings are what the calculation kept, the same in its stored result
    kept = slip["result"]["earnings"]
    assert [(e["code"], e["amount"]) for e in kept] == [(e["code"], e["amount"]) for e in earnings]
    page = await client.get(f"/v1/payslips/{slip['id']}/document", headers=bearer(setup["tokens"]["preparer"]))
    assert page.status_code == 200
    for earning in earnings:
        assert earning["label"] in page.text
    assert f"<dd>{setup['employee'].employee_number}</dd>" in page.text


async def test_a_chinese_bonus_is_its_own_line_beside_the_base_pay(client: Any, tenant_a: Any,
                                                                   token_for: Any) -> None:
    setup = await paying(client, tenant_a, token_for, "CN", pay="18000.00")
    run = await calculated(client, setup, 3, bonus="12000")
    slip = await the_payslip(client, setup, run, **{"Accept-Language": "zh-CN"})
    assert [(e["code"], e["label"], e["amount"]) for e in slip["earnings"]] == [
        ("base", "基本工资", "18000.00"), ("bonus", "奖金", "12000.00")]
    assert slip["gross"] == "30000.00"
    page = (await client.get(f"/v1/payslips/{slip['id']}/document",
                             headers=bearer(setup["tokens"]["preparer"], **{"Accept-Language": "zh-CN"}))).text
    for shown in ("基本工资", "¥18,000.00", "奖金", "¥12,000.00", "应发工资", "¥30,000.00"):
        assert shown in page
    assert page.index("应发项目") < page.index("扣款") < page.index("单位缴纳部分") < page.index("实发工资")


async def test_japanese_overtime_shows_its_hours_and_rate_in_the_attendance_pay_and_deduction_blocks(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    """300,000 a month over 40-hour weeks is 1,730.77 yen an hour, rounded to 1,731 (昭和63年基発第150号); 20 hours
    at 125% are 43,275 yen."""
    setup = await paying(client, tenant_a, token_for, "JP")
    run = await calculated(client, setup, 3, overtime_hours="20")
    slip = await the_payslip(client, setup, run, **{"Accept-Language": "ja"})
    base, overtime = slip["earnings"]
    assert (base["label"], base["amount"]) == ("基本給", "300000")
    assert (overtime["label"], overtime["amount"], overtime["hours"], overtime["rate"], overtime["multiplier"]) == (
        "時間外手当", "43275", "20", "1731", "1.25")
    assert slip["gross"] == "343275"
    page = (await client.get(f"/v1/payslips/{slip['id']}/document",
                             headers=bearer(setup["tokens"]["preparer"], **{"Accept-Language": "ja"}))).text
    assert "20 時間 × ￥1,731 × 125%" in page and "￥43,275" in page and "￥343,275" in page
    # 勤怠・支給・控除 side by side, then 差引支給額
    assert page.index('class="blocks"') < page.index("<h2>勤怠") < page.index("<h2>支給") < page.index("<h2>控除")
    assert page.index("<h2>控除") < page.index("差引支給額")


async def test_a_british_payslip_carries_the_tax_years_figures_to_date(client: Any, tenant_a: Any,
                                                                      token_for: Any) -> None:
    """9,000 a month from January: no tax in January (the tax year's allowance to date is 10,475 by then), tax in
    February; the figures to date add both."""
    setup = await paying(client, tenant_a, token_for, "GB", pay="9000.00")
    january = await calculated(client, setup, 1)
    await finalised(client, setup, january)
    first = await the_payslip(client, setup, january)
    february = await calculated(client, setup, 2)
    second = await the_payslip(client, setup, february)
    figures = {figure["code"]: Decimal(figure["amount"]) for figure in second["year_to_date"]}
    assert figures["taxable_pay"] == Decimal(first["gross"]) + Decimal(second["gross"])

    def tax(slip: dict[str, Any]) -> Decimal:
        return Decimal(next(line["employee"] for line in slip["result"]["lines"] if line["code"] == "gb.income_tax"))

    assert figures["tax_paid"] == tax(first) + tax(second) > 0
    assert figures["employer_nic"] > 0  # payroll sees the employer's figures too
    assert [figure["code"] for figure in second["year_to_date"]] == [
        "taxable_pay", "tax_paid", "employee_nic", "employer_nic"]
    # the employer's National Insurance is the employer's: not on the employee's copy
    [own] = (await client.get("/v1/my/payslips", headers=bearer(setup["own"]))).json()["items"]
    assert [figure["code"] for figure in own["year_to_date"]] == ["taxable_pay", "tax_paid", "employee_nic"]
    page = (await client.get(f"/v1/my/payslips/{own['id']}/document", headers=bearer(setup["own"]))).text
    assert "Employee National Insurance" in page and "Employer National Insurance" not in page
    assert page.index("<h2>Earnings") < page.index("<h2>Deductions") < page.index("Net pay")
    assert page.index("Net pay") < page.index("<h2>Year to date")


async def test_a_chinese_payslip_carries_the_cumulative_income_and_tax(client: Any, tenant_a: Any,
                                                                      token_for: Any) -> None:
    setup = await paying(client, tenant_a, token_for, "CN", pay="30000.00")
    january = await calculated(client, setup, 1)
    await finalised(client, setup, january)
    february = await calculated(client, setup, 2)
    await finalised(client, setup, february)
    slips = [await the_payslip(client, setup, run, **{"Accept-Language": "zh-CN"}) for run in (january, february)]
    figures = {figure["code"]: figure for figure in slips[1]["year_to_date"]}
    assert Decimal(figures["income"]["amount"]) == Decimal("60000.00")
    assert figures["income"]["label"] == "累计收入"
    withheld = sum(Decimal(line["employee"]) for slip in slips for line in slip["result"]["lines"]
                   if line["code"] == "cn.iit")
    assert Decimal(figures["tax_withheld"]["amount"]) == withheld > 0
    [_, own] = (await client.get("/v1/my/payslips", headers=bearer(setup["own"], **{"Accept-Language": "zh-CN"}))
                ).json()["items"]
    assert own["year_to_date"] == slips[1]["year_to_date"]  # China's cumulative figures are all the employee's
    page = (await client.get(f"/v1/my/payslips/{own['id']}/document",
                             headers=bearer(setup["own"], **{"Accept-Language": "zh-CN"}))).text
    assert "本年累计" in page and "累计收入" in page and "¥60,000.00" in page and "累计已预扣预缴税额" in page


async def test_an_employee_reads_their_payslip_without_the_trace_the_law_or_the_employers_cost(
        client: Any, tenant_a: Any, token_for: Any) -> None:
    """Singapore's CPF figures in force are unverified and the tenant accepted them: payroll's copy says so, the
    employee's carries none of it."""
    setup = await paying(client, tenant_a, token_for, "SG")
    async with unverified_law_accepted(client, setup, "SG"):
        run = await calculated(client, setup, 3, bonus="500")
    await finalised(client, setup, run)
    payroll_copy = await the_payslip(client, setup, run)
    assert payroll_copy["result"]["trace"] and payroll_copy["employer_cost"]
    assert "unverified" in {law["verification"] for law in payroll_copy["result"]["law"]}
    answer = await client.get("/v1/my/payslips", headers=bearer(setup["own"]))
    [own] = answer.json()["items"]
    assert set(own) == set(OwnPayslipView.__struct_fields__)
    for internal in ("employer_cost", "result", "trace", "law", "run_id", "employer_contributions"):
        assert internal not in own and f'"{internal}"' not in answer.text
    for step in payroll_copy["result"]["trace"]:  # not a word of the working: "UNVERIFIED: ...", rates, tables
        assert not step["note"] or step["note"] not in answer.text
    assert "unverified" not in answer.text.lower() and "verification" not in answer.text
    assert own["employer"] == setup["entity"].name and own["pay_date"] == run["pay_date"]
    assert (own["period_start"], own["period_end"]) == (run["period_start"], run["period_end"])
    assert own["gross"] == payroll_copy["gross"] and own["net"] == payroll_copy["net"]
    assert total(own["earnings"]) == Decimal(own["gross"])
    assert total(own["deductions"]) == Decimal(own["total_deductions"]) == (Decimal(own["gross"])
                                                                             - Decimal(own["net"]))
    assert own["year_to_date"] == payroll_copy["year_to_date"]  # Singapore's CPF wages are the employee's too
    page = (await client.get(f"/v1/my/payslips/{own['id']}/document", headers=bearer(setup["own"]))).text
    assert "unverified" not in page.lower() and 'class="employer"' not in page
    assert "Base pay" in page and "Bonus" in page and "Ordinary wages subject to CPF" in page


@pytest.mark.parametrize("accept_language, pay_date, period", [
    ("en-GB", "25 Mar 2026", "1–31 Mar 2026"),
    ("en-US", "Mar 25, 2026", "Mar 1\u2009–\u200931, 2026"),
    ("de-DE", "25 Mar 2026", "1–31 Mar 2026"),  # English pages, as Germany writes dates in English
    ("ja-JP", "2026年3月25日", "2026年3月1日～31日"),
])
async def test_dates_on_a_payslip_follow_the_readers_region(client: Any, tenant_a: Any, token_for: Any,
                                                           accept_language: str, pay_date: str,
                                                           period: str) -> None:
    setup = await paying(client, tenant_a, token_for, "GB")
    run = await calculated(client, setup, 3)
    assert run["pay_date"] == "2026-03-25"
    slip = await the_payslip(client, setup, run)
    page = await client.get(f"/v1/payslips/{slip['id']}/document",
                            headers=bearer(setup["tokens"]["preparer"], **{"Accept-Language": accept_language}))
    assert pay_date in page.text and period in page.text
    assert page.headers["content-language"] == ("ja" if accept_language == "ja-JP" else "en")
