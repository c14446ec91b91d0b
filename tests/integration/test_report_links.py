"""Report links: a logged-in client asks for a short-lived signed link, and a browser, which cannot send a bearer
token, opens the report with it. Single purpose (one report, its parameters), the creator's rights, audited."""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import msgspec
import pytest

from api.logs import JsonFormatter
from api.report_links import sign_link
from domain.kernel.i18n import translate
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll import service as payroll_service
from domain.payroll.service import NewPayGroup, NewPayRun
from domain.report_links.service import IssuedLink, NewReportLink, ReportKind
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer
from tests.integration.test_interview_results import hiring  # noqa: F401 (a fixture)
from tests.integration.test_payroll import calculated_run, finalised_run, payroll  # noqa: F401 (a fixture)
from tests.log_capture import capturing

pytestmark = pytest.mark.anyio


async def _link(client: Any, token: str, language: str = "en", **report: Any) -> Any:
    return await client.post("/v1/report-links", headers=bearer(token, **{"Accept-Language": language}),
                             json={key: str(value) if isinstance(value, uuid.UUID) else value
                                   for key, value in report.items()})


def _claims(url: str) -> dict[str, Any]:
    return jwt.decode(url.rsplit("/", 1)[1], options={"verify_signature": False})


def _signed_anyway(runtime: Any, principal: Principal, link: NewReportLink, minutes_ago: int = 0) -> str:
    """A link as the server signs one, for what the issue's own checks would have refused (or, with
    ``minutes_ago``, issued that long ago): what opening it does is the route's own business."""
    issued_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    issued = IssuedLink(id=uuid.uuid4(), issued_at=issued_at, expires_at=issued_at + timedelta(minutes=5))
    return "/v1/report-links/" + sign_link(runtime.settings, runtime.secret, principal, link, issued)


async def test_a_link_opens_its_report_in_a_browser_in_the_language_it_was_asked_in(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    run = await calculated_run(client, payroll, period=3)
    asked = await _link(client, payroll["tokens"]["reviewer_1"], "ja", report="pay_run_review", run_id=run["id"])
    assert asked.status_code == 201, asked.text
    link = asked.json()
    assert link["report"] == "pay_run_review" and asked.headers["location"] == link["url"]
    assert link["url"].startswith("/v1/report-links/")
    expires = datetime.fromisoformat(link["expires_at"])
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)

    page = await client.get(link["url"], headers={"Accept-Language": "en"})  # a browser: no bearer token
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html") and page.headers["content-language"] == "ja"
    assert '<html lang="ja">' in page.text and translate("Pay run review", "ja") in page.text
    assert run["results_hash"] in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    again = await client.get(link["url"])  # a reload, or the print preview, before it expires
    assert again.status_code == 200 and translate("Pay run review", "ja") in again.text


async def test_issuing_and_each_opening_are_in_the_audit_trail_by_the_links_id_never_its_token(
        client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    run = await calculated_run(client, payroll, period=3)
    link = (await _link(client, payroll["tokens"]["reviewer_1"], report="pay_run_review", run_id=run["id"])).json()
    for _ in range(2):
        assert (await client.get(link["url"])).status_code == 200
    link_id = _claims(link["url"])["jti"]
    answer = await client.get("/v1/audit/entries", headers=bearer(payroll["tokens"]["admin"]),
                              params={"entity_type": "report_link", "entity_id": link_id})
    entries = answer.json()["items"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("report_link.issued", "rev-1"), ("report_link.opened", "rev-1"), ("report_link.opened", "rev-1")]
    assert entries[0]["after"]["report"] == "pay_run_review"
    assert entries[0]["after"]["parameters"] == {"run_id": run["id"]}
    assert entries[0]["after"]["expires_at"].startswith(link["expires_at"][:16])
    token = link["url"].rsplit("/", 1)[1]
    assert token not in answer.text


async def test_an_expired_link_is_gone_and_says_so_in_the_browsers_language(
        client: Any, payroll: dict[str, Any], runtime: Any, tenant_a: Any) -> None:  # noqa: F811
    run = await calculated_run(client, payroll, period=3)
    reviewer = Principal(tenant_id=tenant_a, subject="rev-1", roles=frozenset({Role.PAYROLL_REVIEWER}))
    review = NewReportLink(report=ReportKind.PAY_RUN_REVIEW, run_id=uuid.UUID(run["id"]))
    assert (await client.get(_signed_anyway(runtime, reviewer, review, minutes_ago=4))).status_code == 200
    gone = await client.get(_signed_anyway(runtime, reviewer, review, minutes_ago=6),
                            headers={"Accept-Language": "zh-CN"})
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    problem = gone.json()
    assert problem["code"] == "report_link_expired"
    assert problem["title"] == translate("Report link expired", "zh_CN") != "Report link expired"
    assert "<html" not in gone.text


async def test_a_changed_or_cut_link_opens_nothing(client: Any, payroll: dict[str, Any]) -> None:  # noqa: F811
    mine = await calculated_run(client, payroll, period=3)
    other = await calculated_run(client, payroll, period=4)
    asked = await _link(client, payroll["tokens"]["reviewer_1"], report="pay_run_review", run_id=mine["id"])
    url = asked.json()["url"]
    head, payload, signature = url.rsplit("/", 1)[1].split(".")
    claims = _claims(url)
    for changed in ({**claims, "rpt": {"report": "pay_run_review", "run_id": other["id"]}},
                    {**claims, "roles": ["tenant_admin"]}, {**claims, "exp": claims["exp"] + 3600}):
        forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
        refused = await client.get(f"/v1/report-links/{head}.{forged}.{signature}")
        assert refused.status_code == 404 and refused.json()["code"] == "report_link_invalid", refused.text
    for broken in (f"{head}.{payload}.{signature[:-4]}", f"{head}.{payload}", "not-a-token"):
        refused = await client.get(f"/v1/report-links/{broken}", headers={"Accept-Language": "ja"})
        assert refused.status_code == 404 and refused.json()["code"] == "report_link_invalid"
        assert refused.json()["detail"] == translate(
            "This report link is not valid. Open the report from Meridian again to get a new link.", "ja")


async def test_a_link_is_no_bearer_token_and_a_bearer_token_is_no_link(client: Any,
                                                                       payroll: dict[str, Any]) -> None:  # noqa: F811
    run = await calculated_run(client, payroll, period=3)
    reviewer = payroll["tokens"]["reviewer_1"]
    url = (await _link(client, reviewer, report="pay_run_review", run_id=run["id"])).json()["url"]
    link_token = url.rsplit("/", 1)[1]
    as_bearer = await client.get(f"/v1/pay-runs/{run['id']}/review", headers=bearer(link_token))
    assert as_bearer.status_code == 401 and as_bearer.json()["code"] == "invalid_token"
    assert (await client.get("/v1/me", headers=bearer(link_token))).status_code == 401
    as_link = await client.get(f"/v1/report-links/{reviewer}")
    assert as_link.status_code == 404 and as_link.json()["code"] == "report_link_invalid"


async def test_another_tenants_report_is_not_reachable_through_a_link(
        client: Any, payroll: dict[str, Any], runtime: Any, tenant_a: Any, tenant_b: Any) -> None:  # noqa: F811
    theirs = Principal(tenant_id=tenant_b, subject="b-payroll", roles=frozenset({Role.TENANT_ADMIN,
                                                                                Role.PAYROLL_PREPARER}))
    entity = await create_legal_entity(theirs, NewLegalEntity(
        name=f"B Co {uuid.uuid4().hex[:6]}", country="CN", region="SH", currency="CNY", timezone="Asia/Shanghai"))
    group = await payroll_service.create_group(theirs, msgspec.convert({
        "legal_entity_id": str(entity.id), "name": f"B monthly {uuid.uuid4().hex[:6]}",
        "rule": {"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1}}, NewPayGroup))
    run = await payroll_service.create_run(theirs, NewPayRun(pay_group_id=group.id, year=2026, period=3))
    reviewer = payroll["tokens"]["reviewer_1"]
    theirs_asked = await _link(client, reviewer, "ja", report="pay_run_review", run_id=run.id)
    random_asked = await _link(client, reviewer, "ja", report="pay_run_review", run_id=uuid.uuid4())
    assert theirs_asked.status_code == random_asked.status_code == 422
    assert theirs_asked.json()["errors"] == random_asked.json()["errors"]
    assert theirs_asked.json()["code"] == "pay_run_not_found"
    assert theirs_asked.json()["errors"][0]["pointer"] == "/run_id"
    # Looked up again in the creator's tenant when it is opened, so even a link naming it opens nothing.
    ours = Principal(tenant_id=tenant_a, subject="rev-1", roles=frozenset({Role.PAYROLL_REVIEWER}))
    opened = await client.get(_signed_anyway(runtime, ours, NewReportLink(report=ReportKind.PAY_RUN_REVIEW,
                                                                          run_id=run.id)))
    assert opened.status_code == 404 and opened.json()["code"] == "pay_run_not_found"
    assert group.name not in opened.text and entity.name not in opened.text


async def test_a_link_needs_the_reports_own_permission_and_exactly_its_parameters(
        client: Any, payroll: dict[str, Any], tenant_a: Any, token_for: Any) -> None:  # noqa: F811
    run = await calculated_run(client, payroll, period=3)
    recruiter = await token_for(tenant_a, "recruiter", subject="links-recruiter")
    refused = await _link(client, recruiter, report="pay_run_review", run_id=run["id"])
    assert refused.status_code == 403  # payroll:read is the review's own permission
    assert (await _link(client, recruiter, report="attrition")).status_code == 403  # analytics:read
    candidate = await token_for(tenant_a, "candidate", subject="links-candidate")
    assert (await _link(client, candidate, report="attrition")).status_code == 403
    reviewer = payroll["tokens"]["reviewer_1"]
    wrong = await _link(client, reviewer, "ja", report="pay_run_review", job_id=uuid.uuid4())
    assert wrong.status_code == 400 and wrong.json()["code"] == "report_link_parameters"
    assert sorted(e["pointer"] for e in wrong.json()["errors"]) == ["/job_id", "/run_id"]
    assert wrong.json()["errors"][0]["detail"] == translate(
        "The {report} report needs {field}.", "ja", report="pay_run_review", field="run_id")
    unknown = await _link(client, reviewer, report="everything")
    assert unknown.status_code == 400


async def test_a_payslip_link_shows_what_its_creator_may_read(
        client: Any, payroll: dict[str, Any], runtime: Any, tenant_a: Any) -> None:  # noqa: F811
    run = await finalised_run(client, payroll, period=2)
    tokens = payroll["tokens"]
    mine, theirs = payroll["staff"][0], payroll["staff"][1]
    employee = (await client.post(f"/v1/employees/{mine.id}/portal-tokens",
                                  headers=bearer(tokens["admin"]))).json()["token"]
    own = (await client.get("/v1/my/payslips", headers=bearer(employee))).json()["items"][-1]
    assert own["pay_date"] == run["pay_date"]
    slips = (await client.get(f"/v1/pay-runs/{run['id']}/payslips", headers=bearer(tokens["preparer"]))).json()
    someone_else = next(s for s in slips["items"] if s["employee_id"] == str(theirs.id))
    employer_cost = translate("Employer cost", "zh_CN")

    own_link = (await _link(client, employee, "zh-CN", report="payslip", payslip_id=own["id"])).json()
    own_page = await client.get(own_link["url"])
    assert own_page.status_code == 200 and "Staff 0" in own_page.text and employer_cost not in own_page.text
    other_link = await _link(client, employee, report="payslip", payslip_id=someone_else["id"])
    assert other_link.status_code == 422 and other_link.json()["errors"][0]["pointer"] == "/payslip_id"
    as_employee = Principal(tenant_id=tenant_a, subject=_claims(own_link["url"])["sub"],
                            roles=frozenset({Role.EMPLOYEE}))
    other_page = await client.get(_signed_anyway(runtime, as_employee, NewReportLink(
        report=ReportKind.PAYSLIP, payslip_id=uuid.UUID(someone_else["id"]))))
    assert other_page.status_code == 404 and "Staff 1" not in other_page.text

    payroll_link = (await _link(client, tokens["preparer"], "zh-CN", report="payslip",
                                payslip_id=someone_else["id"])).json()
    payroll_page = await client.get(payroll_link["url"])
    assert payroll_page.status_code == 200 and "Staff 1" in payroll_page.text and employer_cost in payroll_page.text


async def test_a_comparison_which_is_a_post_opens_from_a_link(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    ids = [application["id"] for application in hiring["applications"][:2]]
    direct = await client.post(f"/v1/jobs/{hiring['job']['id']}/comparisons?format=html",
                               headers=bearer(hiring["hr"], **{"Accept-Language": "zh-CN"}),
                               json={"application_ids": ids})
    link = await _link(client, hiring["hr"], "zh-CN", report="comparison", job_id=hiring["job"]["id"],
                       application_ids=ids)
    assert link.status_code == 201, link.text
    page = await client.get(link.json()["url"])
    assert page.status_code == 200 and page.headers["content-language"] == "zh-CN"
    assert page.text.count("<svg") == direct.text.count("<svg") == 2
    assert "Zhang San" in page.text and "Support lead" in page.text
    missing = await _link(client, hiring["hr"], report="comparison", job_id=hiring["job"]["id"])
    assert missing.status_code == 400 and missing.json()["errors"][0]["pointer"] == "/application_ids"


class _Written(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.out = io.StringIO()
        self.routes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("httpx", "httpcore")):
            return  # the test's own client, which is the browser here: it knows the link
        self.out.write(self.format(record) + "\n" + f"{record.msg!s} {record.args!r} {vars(record)!r}\n")
        if hasattr(record, "route"):
            self.routes.append(record.route)


@pytest.fixture
def written() -> Iterator[_Written]:
    handler = _Written()
    with capturing(handler):
        yield handler


async def test_the_token_never_reaches_the_access_log(client: Any, payroll: dict[str, Any],  # noqa: F811
                                                      written: _Written) -> None:
    run = await calculated_run(client, payroll, period=3)
    asked = await _link(client, payroll["tokens"]["reviewer_1"], report="pay_run_review", run_id=run["id"])
    url = asked.json()["url"]
    token = url.rsplit("/", 1)[1]
    assert (await client.get(url)).status_code == 200
    assert (await client.post(url)).status_code == 405  # no route matched: the path is logged without the token
    assert (await client.get(f"/v1/report-link/{token}")).status_code == 404
    logged = written.out.getvalue()
    assert "/v1/report-links/{token}" in written.routes
    assert token not in logged and token.split(".")[2] not in logged
