"""The page reviewers approve a pay run from: its subject, net pay against the previous run with a chart, its
variance exceptions with their acknowledgements and its calculation problems, in the reader's language."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from domain.kernel.i18n import translate
from domain.payroll.service import wait_for_jobs
from tests.conftest import bearer
from tests.integration.test_payroll import calculated_run, finalised_run, payroll  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio


async def _bonus_month(client: Any, payroll: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """March finalised, then April with a 20,000.00 bonus for Staff 1: their net pay jumps."""
    await finalised_run(client, payroll, period=3)
    preparer = bearer(payroll["tokens"]["preparer"])
    april = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 4})).json()
    await client.post(f"/v1/pay-runs/{april['id']}/inputs", headers=preparer, json={
        "employee_id": str(payroll["staff"][1].id), "kind": "bonus", "amount": "20000.00"})
    assert (await client.post(f"/v1/pay-runs/{april['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    return (await client.get(f"/v1/pay-runs/{april['id']}", headers=preparer)).json()


async def test_the_review_names_its_run_and_compares_net_pay_with_the_previous_run(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    run = await _bonus_month(client, payroll)
    answer = await client.get(f"/v1/pay-runs/{run['id']}/review", headers=bearer(payroll["tokens"]["reviewer_1"]))
    assert answer.status_code == 200, answer.text
    review = answer.json()
    subject = review["subject"]
    assert subject["pay_group_name"] == payroll["group"]["name"] and subject["state"] == "calculated"
    assert subject["legal_entity_name"] == payroll["entity"].name
    assert (subject["period_start"], subject["pay_date"]) == ("2026-03-01", "2026-04-10")
    assert subject["calculated_by"] == "prep-1" and subject["results_hash"] == run["results_hash"]
    assert review["previous_run"]["period_start"] == "2026-02-01"
    bonus = str(payroll["staff"][1].id)
    largest = review["largest_net_changes"][0]
    assert largest["employee_id"] == bonus and Decimal(largest["change"]) > Decimal("10000")
    assert Decimal(largest["current"]) - Decimal(largest["previous"]) == Decimal(largest["change"])
    assert review["net_changes_total"] == 3
    [cny] = review["net_totals"]
    assert cny["currency"] == "CNY" and cny["employees"] == cny["previous_employees"] == 3
    kinds = {(e["detail"]["kind"], e["detail"]["employee_id"]) for e in review["exceptions"]}
    assert ("net_change", bonus) in kinds
    assert review["open_exceptions"] == review["exceptions_total"] == len(review["exceptions"])
    assert review["open_exceptions"] == run["open_exceptions"]
    assert review["calculation_problems"] == [] and review["produced"]["by"]["subject"] == "rev-1"


async def test_the_review_page_reads_in_japanese_with_its_chart_and_acknowledgements(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    run = await _bonus_month(client, payroll)
    url = f"/v1/pay-runs/{run['id']}"
    reviewer = bearer(payroll["tokens"]["reviewer_1"], **{"Accept-Language": "ja"})
    exceptions = (await client.get(f"{url}/exceptions", headers=reviewer)).json()["items"]
    first = exceptions[0]
    acknowledged = await client.post(f"{url}/exceptions/{first['id']}/acknowledgement", headers=reviewer,
                                     json={"note": "賞与は承認済み <確認>"})
    assert acknowledged.status_code == 200, acknowledged.text

    page = await client.get(f"{url}/review?format=html", headers=reviewer)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="ja">' in html and translate("Pay run review", "ja") in html
    assert translate("Largest net-pay changes", "ja") in html and "<svg" in html
    assert html.count("<rect") == 3  # a bar per employee paid in both runs
    assert "2026年4月10日" in html  # the pay date as a Japanese reader writes it
    assert "元37,155.50" in html  # Staff 1's net pay, in yuan as a Japanese reader writes it
    assert len(exceptions) >= 2  # the net pay moved, and a bonus tax line appeared
    for exception in exceptions:
        assert exception["detail"]["message"] in html  # in Japanese, as the exceptions list gives it
    assert re.search(r"\d{4}/\d\d/\d\d \d{1,2}:\d\d:\d\d \(UTC\) に rev-1 が確認", html)
    assert "賞与は承認済み &lt;確認&gt;" in html  # a reviewer's note is escaped
    assert html.count(translate("Open: to acknowledge before approval", "ja")) == len(exceptions) - 1
    assert run["results_hash"] in html and payroll["group"]["name"] in html
    assert not re.search(r"\{[a-z_]+\}", html), "a placeholder was left unfilled"


async def test_a_blocked_calculation_lists_its_problems_in_the_readers_language(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    preparer = bearer(payroll["tokens"]["preparer"])
    blocked = payroll["staff"][0]
    attributes = {"country": "CN", "effective_from": "2026-01-01", "attributes": {"medical_tier": "tier2"}}
    assert (await client.post(f"/v1/employees/{blocked.id}/tax-attributes", headers=preparer,
                              json=attributes)).status_code == 201
    run = await calculated_run(client, payroll, period=3)
    assert run["job_status"] == "failed"
    zh = bearer(payroll["tokens"]["reviewer_2"], **{"Accept-Language": "zh-CN"})
    review = (await client.get(f"/v1/pay-runs/{run['id']}/review", headers=zh)).json()
    assert review["previous_run"] is None and review["subject"]["calculated_by"] is None
    [problem] = review["calculation_problems"]
    assert problem["employee_id"] == str(blocked.id) and review["calculation_problems_total"] == 1
    page = (await client.get(f"/v1/pay-runs/{run['id']}/review?format=html", headers=zh)).text
    assert problem["problem"] in page and translate("Calculation problems", "zh_CN") in page
    assert translate("This is the group's first run: there is no previous run to compare with.", "zh_CN") in page
    assert translate("Not calculated yet", "zh_CN") in page and "<svg" not in page


async def test_only_payroll_roles_read_a_review(client: Any, payroll: dict[str, Any], tenant_a: Any,  # noqa: F811
                                                token_for: Any) -> None:
    run = await calculated_run(client, payroll, period=3)
    auditor = await token_for(tenant_a, "auditor", subject="review-auditor")
    recruiter = await token_for(tenant_a, "recruiter", subject="review-recruiter")
    url = f"/v1/pay-runs/{run['id']}/review"
    assert (await client.get(url, headers=bearer(auditor))).status_code == 200
    assert (await client.get(url, headers=bearer(recruiter))).status_code == 403
