"""A pay run's messages reach each reader in the language their request asks for (Accept-Language): its variance
exceptions and its calculation problems, every figure filled in, with the code and parameters a client may write
its own text from."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest

from domain.employees import service as employees
from domain.employees.service import Departure
from domain.kernel.i18n import translate
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.pipeline import CalculationBlocked
from domain.payroll.service import wait_for_jobs
from domain.payroll.variance import VARIANCE_MESSAGES
from tests.conftest import bearer
from tests.integration.test_payroll import finalised_run, payroll  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


async def run_with_exceptions_and_a_problem(client: Any, group: dict[str, Any], tenant_a: Any) -> str:
    """April's run, paid after February's was finalised: a leaver paid after leaving, a new one-off deduction;
    then recalculated after an employee was given a medical tier Shanghai does not offer, so the last
    calculation is blocked while the run keeps the exceptions of the one before."""
    admin = Principal(tenant_id=tenant_a, subject="payroll-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    preparer = bearer(group["tokens"]["preparer"])
    await finalised_run(client, group, period=3)
    stayer, blocked, leaver = group["staff"]
    await employees.record_departure(admin, leaver.id, Departure(left_on=date(2026, 3, 20), reason="resigned"))
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": group["group"]["id"], "year": 2026, "period": 4})).json()
    url = f"/v1/pay-runs/{run['id']}"
    await client.post(f"{url}/inputs", headers=preparer, json={
        "employee_id": str(stayer.id), "kind": "deduction", "amount": "300.00"})
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    assert (await client.post(f"/v1/employees/{blocked.id}/tax-attributes", headers=preparer, json={
        "country": "CN", "effective_from": "2026-01-01", "attributes": {"medical_tier": "tier2"}})).status_code == 201
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    return url


async def test_exceptions_and_calculation_problems_read_in_the_language_the_reader_asks_for(
        client: Any, payroll: dict[str, Any], tenant_a: Any) -> None:  # noqa: F811
    url = await run_with_exceptions_and_a_problem(client, payroll, tenant_a)
    stayer, blocked, leaver = payroll["staff"]
    token = payroll["tokens"]["reviewer_1"]
    english = (await client.get(url, headers=bearer(token))).json()
    assert english["job_status"] == "failed" and english["calculation_problems_total"] == 1
    [problem] = english["calculation_problems"]
    assert problem["employee_id"] == str(blocked.id) and "tier2" in problem["problem"]
    assert (problem["code"], problem["params"]) == ("compliance.invalid_input", {"country": "CN", "city": "Shanghai"})
    listed = (await client.get(f"{url}/exceptions", headers=bearer(token))).json()["items"]
    found = {(e["detail"]["employee_id"], e["detail"]["message_code"]): e["detail"] for e in listed}
    deduction = found[(str(stayer.id), "variance.line_new")]
    assert deduction["message"] == (f"One-off deduction of {stayer.full_name} is 300.00 CNY; the previous run had "
                                    "no amount for it.")
    left = found[(str(leaver.id), "variance.paid_after_termination")]
    assert left["message"].startswith(f"{leaver.full_name} left on 2026-03-20 but is paid ")

    for tag, locale in (("zh-CN", "zh_CN"), ("ja", "ja")):
        asking = bearer(token, **{"Accept-Language": tag})
        read = await client.get(url, headers=asking)
        assert read.headers["content-language"] == tag
        run = read.json()
        [shown] = run["calculation_problems"]
        assert (shown["code"], shown["params"]) == (problem["code"], problem["params"])
        assert CJK.search(shown["problem"]) and "tier2" in shown["problem"] and "{" not in shown["problem"]
        assert run["job_error"] == translate(CalculationBlocked.template, locale, employee=blocked.full_name,
                                             problem=shown["problem"])
        assert CJK.search(run["job_error"]) and "{" not in run["job_error"]
        exceptions = (await client.get(f"{url}/exceptions", headers=asking)).json()["items"]
        assert len(exceptions) == len(listed)
        for exception in exceptions:
            detail = exception["detail"]
            english_detail = found[(detail["employee_id"], detail["message_code"])]
            assert detail["message_code"] in VARIANCE_MESSAGES and detail["name"] in detail["message"]
            assert CJK.search(detail["message"]) and not re.search(r"[{}]", detail["message"])
            assert detail["message"] != english_detail["message"]
            assert {k: v for k, v in detail["params"].items() if k != "line"} == {
                k: v for k, v in english_detail["params"].items() if k != "line"}
        by_code = {(e["detail"]["employee_id"], e["detail"]["message_code"]): e["detail"] for e in exceptions}
        assert by_code[(str(stayer.id), "variance.line_new")]["message"] == stayer.full_name + {
            "zh_CN": "的一次性扣款为300.00 CNY；上一薪资批次中该项目没有金额。",
            "ja": "の一時控除は300.00 CNYですが、前回の給与計算回ではこの項目の金額がありませんでした。",
        }[locale]
        assert "2026-03-20" in by_code[(str(leaver.id), "variance.paid_after_termination")]["message"]
        slips = (await client.get(f"{url}/payslips", headers=asking)).json()["items"]
        labels = {line["code"]: line["label"] for slip in slips for line in slip["result"]["lines"]}
        assert labels["cn.iit"] == translate("Individual income tax", locale) != "Individual income tax"
        assert labels["payroll.deduction"] == translate("One-off deduction", locale) != "One-off deduction"


async def test_a_user_reads_in_their_own_language_unless_the_request_asks_for_another(
        client: Any, payroll: dict[str, Any], tenant_a: Any, token_for: Any) -> None:  # noqa: F811
    url = await run_with_exceptions_and_a_problem(client, payroll, tenant_a)
    subject = f"rev-ja-{uuid.uuid4().hex[:6]}"
    added = await client.post("/v1/users", headers=bearer(payroll["tokens"]["admin"]), json={
        "subject": subject, "display_name": "Reviewer reading Japanese", "roles": ["payroll_reviewer"],
        "locale": "ja"})
    assert added.status_code == 201, added.text
    japanese = await token_for(tenant_a, "payroll_reviewer", subject=subject)
    read = await client.get(url, headers=bearer(japanese))
    assert read.headers["content-language"] == "ja"
    assert CJK.search(read.json()["calculation_problems"][0]["problem"])
    missing = await client.get(f"/v1/pay-runs/{uuid.uuid4()}", headers=bearer(japanese))
    assert missing.headers["content-language"] == "ja" and CJK.search(missing.json()["detail"]), "problems too"
    asked = (await client.get(url, headers=bearer(japanese, **{"Accept-Language": "en"}))).json()
    assert not CJK.search(asked["calculation_problems"][0]["problem"])
    me = await client.get("/v1/me", headers=bearer(japanese, **{"Accept-Language": "en"}))
    assert me.json()["locale"] == "ja" and me.headers["content-language"] == "en", "the user's own, read in English"


async def test_attributes_that_do_not_fit_the_pack_are_refused_in_the_readers_language_at_the_field(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    """The pack's own validation message becomes the reader's: what is wrong, and where, in the attributes."""
    employee = payroll["staff"][0]
    url = f"/v1/employees/{employee.id}/tax-attributes"
    body = {"country": "CN", "effective_from": "2026-01-01", "attributes": {"separate_bonus_taxation": "yes"}}
    english = (await client.post(url, headers=bearer(payroll["tokens"]["preparer"]), json=body)).json()
    assert english["code"] == "invalid_tax_attributes"
    assert english["detail"] == ("These attributes do not fit the CN payroll pack: Expected a value of type bool, "
                                 "got str.")
    assert [e["pointer"] for e in english["errors"]] == ["/attributes/separate_bonus_taxation"]
    japanese = (await client.post(url, headers=bearer(payroll["tokens"]["preparer"], **{"Accept-Language": "ja"}),
                                  json=body)).json()
    assert CJK.search(japanese["detail"]) and "Expected" not in japanese["detail"] and "`" not in japanese["detail"]
    assert japanese["errors"][0]["detail"] == japanese["detail"]
