"""Data-subject requests: opened by HR or by the person through their portal, due per the law of the person's
country, reviewed and decided; an approved access request exports everything held on the person (decrypted) as a
ZIP of JSON, a localised page and the recordings, delivered through a short-lived signed link; a rectification
makes an effective-dated change; an erasure erases; a restriction leaves the person out of comparisons. Every
request is its tenant's and its person's only."""

from __future__ import annotations

import base64
import io
import json
import random
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest

from api.report_links import sign_link
from compliance.calendar import working_day_calendar
from domain.assessments.signatures import sign
from domain.kernel.i18n import translate
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.report_links import service as report_links
from domain.report_links.service import IssuedLink, NewReportLink, ReportKind
from domain.subject_requests import service as subject_requests
from domain.subject_requests.model import (
    Decision,
    DecisionAction,
    NewSubjectRequest,
    PersonKind,
    PersonNotFound,
    RequestFilter,
    RequestKind,
    SubjectRequestNotFound,
)
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def _entity(client: Any, admin: str, country: str, currency: str, zone: str) -> dict[str, Any]:
    answer = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"DSR {country} {uuid.uuid4().hex[:6]}", "country": country, "currency": currency, "timezone": zone})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _applicant(client: Any, admin: str, entity: dict[str, Any], name: str) -> dict[str, Any]:
    """A candidate with an email and phone, applied to a job of ``entity``."""
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "HQ", "title": {"en": "Analyst"}})).json()
    email = f"dsr-{uuid.uuid4().hex[:10]}@example.com"
    phone = f"+4930{random.randint(20000000, 99999999)}"
    candidate = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": name, "email": email, "phone": phone, "timezone": "Europe/Berlin", "locale": "ja"})
    assert candidate.status_code == 201, candidate.text
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate.json()["id"], "job_id": job["id"]})).json()
    return {"candidate": candidate.json(), "email": email, "phone": phone, "job": job, "application": application}


@pytest.fixture
async def people(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="dsr-admin")
    reviewer = await token_for(tenant_a, "hr_admin", subject="dsr-reviewer")
    de = await _entity(client, admin, "DE", "EUR", "Europe/Berlin")
    cn = await _entity(client, admin, "CN", "CNY", "Asia/Shanghai")
    return {"admin": admin, "reviewer": reviewer, "de": de, "cn": cn, "tenant": str(tenant_a),
            "anna": await _applicant(client, admin, de, "Anna Schmidt"),
            "li": await _applicant(client, admin, cn, "Li Wei")}


async def _open(client: Any, token: str, **body: Any) -> Any:
    return await client.post("/v1/data-subject-requests", headers=bearer(token), json=body)


async def _decide(client: Any, token: str, request: dict[str, Any], **body: Any) -> Any:
    return await client.post(f"/v1/data-subject-requests/{request['id']}/decisions",
                             headers=bearer(token, **{"If-Match": f'"v{request["version"]}"'}), json=body)


async def _approved(client: Any, people: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    assigned = await _decide(client, people["admin"], request, action="assign", reviewer="dsr-reviewer")
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "in_review" and assigned.json()["reviewer"] == "dsr-reviewer"
    approved = await _decide(client, people["reviewer"], assigned.json(), action="approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed" and approved.json()["decided_by"] == "dsr-reviewer"
    return approved.json()


async def test_hr_opens_a_request_due_one_month_later_under_the_gdpr(client: Any, people: dict[str, Any]) -> None:
    anna = people["anna"]["candidate"]
    opened = await _open(client, people["admin"], kind="access", person_kind="candidate", person_id=anna["id"],
                         received_on="2026-03-15")
    assert opened.status_code == 201, opened.text
    request = opened.json()
    assert opened.headers["location"] == f"/v1/data-subject-requests/{request['id']}"
    assert (request["country"], request["received_on"], request["due_on"]) == ("DE", "2026-03-15", "2026-04-15")
    assert request["due"]["unit"] == "months" and request["due"]["basis"] == "statutory"
    assert "Art. 12(3)" in request["due"]["citation"]["document"]
    assert request["status"] == "open" and request["self_service"] is False and request["opened_by"] == "dsr-admin"
    for bad_day in ("2199-01-01", "2010-06-30"):
        refused = await _open(client, people["admin"], kind="access", person_kind="candidate", person_id=anna["id"],
                              received_on=bad_day)
        assert refused.status_code == 400 and refused.json()["code"] == "data_subject_received_on_out_of_range"
    far = await _open(client, people["admin"], kind="access", person_kind="candidate", person_id=anna["id"],
                      received_on="9999-12-31")
    assert far.status_code == 400  # refused at the edge already, like every date near the end of the calendar
    end_of_month = (await _open(client, people["admin"], kind="access", person_kind="candidate",
                                person_id=anna["id"], received_on="2026-01-31")).json()
    assert end_of_month["due_on"] == "2026-02-28"
    read = await client.get(f"/v1/data-subject-requests/{request['id']}", headers=bearer(people["admin"]))
    assert read.status_code == 200 and read.headers["etag"] == '"v1"'
    trail = (await client.get("/v1/audit/entries", headers=bearer(people["admin"]), params={
        "entity_type": "data_subject_request", "entity_id": request["id"]})).json()["items"]
    assert [e["action"] for e in trail] == ["data_subject_request.opened"]
    assert people["anna"]["email"] not in json.dumps(trail)


async def test_a_chinese_request_is_due_in_15_working_days_skipping_national_day(client: Any,
                                                                                 people: dict[str, Any]) -> None:
    li = people["li"]["candidate"]
    opened = await _open(client, people["admin"], kind="erasure", person_kind="candidate", person_id=li["id"],
                         received_on="2026-09-25")
    assert opened.status_code == 201, opened.text
    request = opened.json()
    assert request["country"] == "CN" and request["due"]["unit"] == "working_days"
    assert request["due"]["basis"] == "practice" and request["due"]["period"] == 15
    calendar = working_day_calendar("CN")
    assert calendar.is_holiday(date(2026, 10, 1))  # National Day
    due = date.fromisoformat(request["due_on"])
    assert due == calendar.add_working_days(date(2026, 9, 25), 15)
    # Fifteen weekdays would have ended on 16 October; the National Day holidays push it later.
    assert due > date(2026, 10, 16)


async def test_the_list_filters_by_status_kind_and_due_date(client: Any, people: dict[str, Any]) -> None:
    li = people["li"]["candidate"]
    mine = (await _open(client, people["admin"], kind="restriction", person_kind="candidate", person_id=li["id"],
                        received_on="2022-01-10")).json()
    listed = await client.get("/v1/data-subject-requests", headers=bearer(people["admin"]), params={
        "status": "open", "kind": "restriction", "due_before": "2022-03-01", "limit": 200})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert mine["id"] in [i["id"] for i in items]
    assert all(i["kind"] == "restriction" and i["status"] == "open" and i["due_on"] < "2022-03-01" for i in items)
    later = (await client.get("/v1/data-subject-requests", headers=bearer(people["admin"]), params={
        "due_before": "2022-01-11", "limit": 200})).json()["items"]
    assert mine["id"] not in [i["id"] for i in later]
    bad = await client.get("/v1/data-subject-requests?status=pending", headers=bearer(people["admin"]))
    assert bad.status_code == 400


async def test_a_candidate_opens_their_own_request_and_sees_only_their_own(client: Any,
                                                                           people: dict[str, Any]) -> None:
    tokens = {}
    for who in ("anna", "li"):
        issued = await client.post(f"/v1/candidates/{people[who]['candidate']['id']}/portal-tokens",
                                   headers=bearer(people["admin"]))
        assert issued.status_code == 201, issued.text
        tokens[who] = issued.json()["token"]
    opened = await client.post("/v1/my/data-subject-requests", headers=bearer(tokens["anna"]),
                               json={"kind": "portability"})
    assert opened.status_code == 201, opened.text
    request = opened.json()
    assert request["person_id"] == people["anna"]["candidate"]["id"] and request["person_kind"] == "candidate"
    assert request["self_service"] is True and request["country"] == "DE"
    staff_view = await client.get(f"/v1/data-subject-requests/{request['id']}", headers=bearer(people["admin"]))
    assert staff_view.status_code == 200 and staff_view.json()["self_service"] is True
    own = await client.get(f"/v1/my/data-subject-requests/{request['id']}", headers=bearer(tokens["anna"]))
    assert own.status_code == 200
    other = await client.get(f"/v1/my/data-subject-requests/{request['id']}", headers=bearer(tokens["li"]))
    missing = await client.get(f"/v1/my/data-subject-requests/{uuid.uuid4()}", headers=bearer(tokens["li"]))
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"] == "data_subject_request_not_found"
    assert request["id"] not in (await client.get("/v1/my/data-subject-requests",
                                                  headers=bearer(tokens["li"]))).text
    assert request["id"] in (await client.get("/v1/my/data-subject-requests", headers=bearer(tokens["anna"]))).text
    # A candidate cannot read the staff's list, nor decide their own request.
    assert (await client.get("/v1/data-subject-requests", headers=bearer(tokens["anna"]))).status_code == 403
    assert (await _decide(client, tokens["anna"], request, action="approve")).status_code == 403


async def test_an_approved_access_request_exports_everything_decrypted_with_recordings_and_a_japanese_page(
        client: Any, people: dict[str, Any]) -> None:
    anna = people["anna"]
    recording = b"RECORDING-" + uuid.uuid4().bytes * 1000
    uploaded = await client.post(f"/v1/applications/{anna['application']['id']}/recordings?filename=interview.webm",
                                 content=recording, headers=bearer(people["admin"], **{"Content-Type": "video/webm"}))
    assert uploaded.status_code == 201, uploaded.text
    request = (await _open(client, people["admin"], kind="access", person_kind="candidate",
                           person_id=anna["candidate"]["id"])).json()
    early = await client.get(f"/v1/data-subject-requests/{request['id']}/export", headers=bearer(people["admin"]))
    assert early.status_code == 409 and early.json()["code"] == "data_subject_export_not_ready"
    await _approved(client, people, request)
    answer = await client.get(f"/v1/data-subject-requests/{request['id']}/export",
                              headers=bearer(people["reviewer"], **{"Accept-Language": "ja"}))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip" and answer.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    document = json.loads(archive.read("data.json"))
    assert document["format"] == "meridian.data-subject-export/1"
    profile = document["data"]["profile"]
    assert profile["email"] == anna["email"] and profile["phone"] == anna["phone"]
    assert profile["full_name"] == "Anna Schmidt"
    assert [a["id"] for a in document["data"]["applications"]] == [anna["application"]["id"]]
    files = [r["file"] for r in document["data"]["recordings"]]
    assert len(files) == 1 and archive.read(files[0]) == recording
    assert any(e["action"] == "candidate.created" for e in document["data"]["audit_entries"]) or \
        document["data"]["audit_entries"]
    page = archive.read("index.html").decode()
    assert '<html lang="ja">' in page
    assert translate("Your personal data", "ja") in page != "Your personal data"
    assert translate("Recordings", "ja") in page and anna["email"] in page
    trail = (await client.get("/v1/audit/entries", headers=bearer(people["admin"]), params={
        "entity_type": "data_subject_request", "entity_id": request["id"]})).json()["items"]
    assert [e["action"] for e in trail] == ["data_subject_request.opened", "data_subject_request.assigned",
                                            "data_subject_request.completed", "data_subject_request.exported"]
    exported = trail[-1]["after"]
    assert exported["contents"]["recordings"] == 1 and anna["email"] not in json.dumps(trail)


async def test_the_export_link_is_short_lived_signed_and_bound_to_its_tenant(
        client: Any, people: dict[str, Any], runtime: Any, tenant_a: Any, tenant_b: Any) -> None:
    anna = people["anna"]
    request = await _approved(client, people, (await _open(
        client, people["admin"], kind="portability", person_kind="candidate",
        person_id=anna["candidate"]["id"])).json())
    asked = await client.post("/v1/report-links", headers=bearer(people["reviewer"], **{"Accept-Language": "ja"}),
                              json={"report": "data_subject_export", "request_id": request["id"]})
    assert asked.status_code == 201, asked.text
    link = asked.json()
    assert timedelta(minutes=4) < datetime.fromisoformat(link["expires_at"]) - datetime.now(UTC) <= \
        timedelta(minutes=5)
    opened = await client.get(link["url"])  # a browser: no bearer token
    assert opened.status_code == 200, opened.text
    document = json.loads(zipfile.ZipFile(io.BytesIO(opened.content)).read("data.json"))
    assert document["data"]["profile"]["email"] == anna["email"]
    # Expired: issued six minutes ago.
    reviewer = Principal(tenant_id=tenant_a, subject="dsr-reviewer", roles=frozenset({Role.HR_ADMIN}))
    export = NewReportLink(report=ReportKind.DATA_SUBJECT_EXPORT, request_id=uuid.UUID(request["id"]))
    issued_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=6)
    old = sign_link(runtime.settings, runtime.secret, reviewer, export,
                    IssuedLink(id=uuid.uuid4(), issued_at=issued_at, expires_at=issued_at + timedelta(minutes=5)))
    gone = await client.get(f"/v1/report-links/{old}")
    assert gone.status_code == 410 and gone.json()["code"] == "report_link_expired"
    # Tenant-bound: a link whose tenant is changed no longer verifies; another tenant cannot get one for it.
    head, payload, signature = link["url"].rsplit("/", 1)[1].split(".")
    claims = jwt.decode(f"{head}.{payload}.{signature}", options={"verify_signature": False})
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "tid": str(tenant_b)}).encode()).rstrip(b"=").decode()
    refused = await client.get(f"/v1/report-links/{head}.{forged}.{signature}")
    assert refused.status_code == 404 and refused.json()["code"] == "report_link_invalid"
    b_admin = Principal(tenant_id=tenant_b, subject="dsr-admin-b", roles=frozenset({Role.TENANT_ADMIN}))
    for request_id in (request["id"], str(uuid.uuid4())):
        with pytest.raises(SubjectRequestNotFound):
            await report_links.link_issued(b_admin, NewReportLink(report=ReportKind.DATA_SUBJECT_EXPORT,
                                                                  request_id=uuid.UUID(request_id)), 5)
    # Signed for tenant B by the server itself, the link still finds nothing of tenant A's.
    b_reviewer = Principal(tenant_id=tenant_b, subject="dsr-admin-b", roles=frozenset({Role.HR_ADMIN}))
    now = datetime.now(UTC).replace(microsecond=0)
    crossing = sign_link(runtime.settings, runtime.secret, b_reviewer, export,
                         IssuedLink(id=uuid.uuid4(), issued_at=now, expires_at=now + timedelta(minutes=5)))
    assert (await client.get(f"/v1/report-links/{crossing}")).status_code == 404


async def test_a_person_gets_their_own_export_through_their_portal(client: Any, people: dict[str, Any]) -> None:
    anna = people["anna"]
    token = (await client.post(f"/v1/candidates/{anna['candidate']['id']}/portal-tokens",
                               headers=bearer(people["admin"]))).json()["token"]
    request = (await client.post("/v1/my/data-subject-requests", headers=bearer(token),
                                 json={"kind": "access"})).json()
    not_yet = await client.get(f"/v1/my/data-subject-requests/{request['id']}/export", headers=bearer(token))
    assert not_yet.status_code == 409
    await _approved(client, people, request)
    own = await client.get(f"/v1/my/data-subject-requests/{request['id']}/export",
                           headers=bearer(token, **{"Accept-Language": "zh-CN"}))
    assert own.status_code == 200, own.text
    archive = zipfile.ZipFile(io.BytesIO(own.content))
    assert json.loads(archive.read("data.json"))["data"]["profile"]["email"] == anna["email"]
    assert '<html lang="zh-CN">' in archive.read("index.html").decode()
    link = await client.post("/v1/report-links", headers=bearer(token),
                             json={"report": "data_subject_export", "request_id": request["id"]})
    assert link.status_code == 201, link.text
    assert (await client.get(link.json()["url"])).status_code == 200


async def test_rectification_of_an_employee_makes_an_effective_dated_change(client: Any,
                                                                            people: dict[str, Any]) -> None:
    li = people["li"]
    hired = await client.post(f"/v1/applications/{li['application']['id']}/hire", headers=bearer(people["admin"]),
                              json={"legal_entity_id": people["cn"]["id"], "position": "Analyst",
                                    "start_date": "2026-09-28", "weekly_hours": "40", "probation_months": 3,
                                    "fixed_term_months": 36,
                                    "pay": {"amount": "18000.00", "currency": "CNY", "unit": "month"}})
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    missing = await _open(client, people["admin"], kind="rectification", person_kind="employee",
                          person_id=employee["id"])
    assert missing.status_code == 400 and missing.json()["code"] == "rectification_missing"
    opened = await _open(client, people["admin"], kind="rectification", person_kind="employee",
                         person_id=employee["id"], rectification={"employment": {
                             "effective_from": "2026-11-01", "position": "Senior analyst",
                             "reason": "The employee's title was recorded wrongly"}})
    assert opened.status_code == 201, opened.text
    assert opened.json()["country"] == "CN"
    done = await _approved(client, people, opened.json())
    change = done["outcome"]["change"]
    assert change["type"] == "employment" and change["effective_from"] == "2026-11-01"
    history = (await client.get(f"/v1/employees/{employee['id']}/employments",
                                headers=bearer(people["admin"]))).json()["items"]
    assert [(v["effective_from"], v["position"]) for v in history] == [("2026-09-28", "Analyst"),
                                                                       ("2026-11-01", "Senior analyst")]
    assert change["id"] == history[1]["id"]
    again = await _decide(client, people["admin"], done, action="refuse", reason="Changed our mind about this")
    assert again.status_code == 409 and again.json()["code"] == "data_subject_request_decided"
    # The employee asks for their data through their own token and gets it, employment history included.
    token = (await client.post(f"/v1/employees/{employee['id']}/portal-tokens",
                               headers=bearer(people["admin"]))).json()["token"]
    own = await client.post("/v1/my/data-subject-requests", headers=bearer(token), json={"kind": "access"})
    assert own.status_code == 201, own.text
    assert (own.json()["person_kind"], own.json()["person_id"], own.json()["country"]) == (
        "employee", employee["id"], "CN")
    await _approved(client, people, own.json())
    archive = await client.get(f"/v1/my/data-subject-requests/{own.json()['id']}/export", headers=bearer(token))
    assert archive.status_code == 200, archive.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("data.json"))["data"]
    assert data["profile"]["kind"] == "employee" and data["profile"]["email"] == li["email"]
    assert [v["position"] for v in data["employment"]] == ["Analyst", "Senior analyst"]


async def test_a_refusal_needs_a_reason_and_is_recorded(client: Any, people: dict[str, Any]) -> None:
    request = (await _open(client, people["admin"], kind="erasure", person_kind="candidate",
                           person_id=people["anna"]["candidate"]["id"])).json()
    bare = await _decide(client, people["admin"], request, action="refuse")
    assert bare.status_code == 400 and bare.json()["code"] == "refusal_reason_missing"
    stale = await _decide(client, people["admin"], {**request, "version": 7}, action="refuse",
                          reason="Records are under a pending legal claim")
    assert stale.status_code == 412
    refused = await _decide(client, people["admin"], request, action="refuse",
                            reason="Records are under a pending legal claim")
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"
    assert refused.json()["refusal_reason"] == "Records are under a pending legal claim"
    unknown = await _decide(client, people["admin"], (await _open(
        client, people["admin"], kind="access", person_kind="candidate",
        person_id=people["anna"]["candidate"]["id"])).json(), action="assign", reviewer="nobody-here")
    assert unknown.status_code == 400 and unknown.json()["code"] == "reviewer_unknown"


async def test_an_approved_erasure_erases_the_person(client: Any, people: dict[str, Any]) -> None:
    li = people["li"]
    request = (await _open(client, people["admin"], kind="erasure", person_kind="candidate",
                           person_id=li["candidate"]["id"])).json()
    done = await _approved(client, people, request)
    assert done["outcome"]["erased"]["key_destroyed"] is True
    candidate = (await client.get(f"/v1/candidates/{li['candidate']['id']}", headers=bearer(people["admin"]))).json()
    assert candidate["full_name"].startswith("Erased candidate") and candidate.get("email") is None
    assert li["email"] not in json.dumps(candidate)


async def test_a_legal_hold_stops_an_erasure_until_it_is_released(client: Any, people: dict[str, Any]) -> None:
    anna = people["anna"]
    hold = await client.post("/v1/privacy/legal-holds", headers=bearer(people["admin"]), json={
        "kind": "case", "reason": "Pending AGG claim about this application",
        "application_id": anna["application"]["id"]})
    assert hold.status_code == 201, hold.text
    request = (await _open(client, people["admin"], kind="erasure", person_kind="candidate",
                           person_id=anna["candidate"]["id"])).json()
    held = await _decide(client, people["admin"], request, action="approve")
    assert held.status_code == 409 and held.json()["code"] == "data_subject_under_legal_hold"
    still = (await client.get(f"/v1/candidates/{anna['candidate']['id']}", headers=bearer(people["admin"]))).json()
    assert still["full_name"] == "Anna Schmidt"
    released = await client.post(f"/v1/privacy/legal-holds/{hold.json()['id']}/release",
                                 headers=bearer(people["admin"]), json={"reason": "The claim period has ended"})
    assert released.status_code == 200, released.text
    done = await _decide(client, people["admin"], request, action="approve")
    assert done.status_code == 200 and done.json()["status"] == "completed"


async def test_a_restricted_candidate_is_left_out_of_comparisons(client: Any, people: dict[str, Any]) -> None:
    admin = people["admin"]
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": people["de"]["id"], "location": "Berlin", "title": {"en": "Engineer"}})).json()
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "skills", "names": {"en": "Skills"}, "weight": "1", "pass_threshold": "50"}]})
    applications = []
    for name in ("Ada", "Bo", "Cy"):
        candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={"full_name": name})).json()
        applications.append((await client.post("/v1/applications", headers=bearer(admin), json={
            "candidate_id": candidate["id"], "job_id": job["id"]})).json())
    ids = [a["id"] for a in applications]
    before = await client.post(f"/v1/jobs/{job['id']}/comparisons", headers=bearer(admin),
                               json={"application_ids": ids})
    assert before.status_code == 200, before.text
    assert all(i in before.text for i in ids)
    await _approved(client, people, (await _open(client, admin, kind="restriction", person_kind="candidate",
                                                 person_id=applications[0]["candidate_id"],
                                                 country="DE")).json())
    after = await client.post(f"/v1/jobs/{job['id']}/comparisons", headers=bearer(admin),
                              json={"application_ids": ids})
    assert after.status_code == 200, after.text
    assert ids[0] not in after.text and ids[1] in after.text and ids[2] in after.text


async def test_another_tenants_request_answers_like_a_missing_one(client: Any, people: dict[str, Any],
                                                                  tenant_b: Any) -> None:
    request = (await _open(client, people["admin"], kind="access", person_kind="candidate",
                           person_id=people["anna"]["candidate"]["id"])).json()
    other = Principal(tenant_id=tenant_b, subject="dsr-admin-b", roles=frozenset({Role.TENANT_ADMIN}))
    for request_id in (uuid.UUID(request["id"]), uuid.uuid4()):
        with pytest.raises(SubjectRequestNotFound):
            await subject_requests.get_request(other, request_id)
        with pytest.raises(SubjectRequestNotFound):
            await subject_requests.decide(other, request_id, Decision(action=DecisionAction.APPROVE), 1)
        with pytest.raises(SubjectRequestNotFound):
            await subject_requests.export_request(other, request_id, "en")
    listed = await subject_requests.list_requests(other, None, 200, RequestFilter())
    assert uuid.UUID(request["id"]) not in [i.id for i in listed.items]
    for person_id in (uuid.UUID(people["anna"]["candidate"]["id"]), uuid.uuid4()):
        with pytest.raises(PersonNotFound):
            await subject_requests.open_request(other, NewSubjectRequest(
                kind=RequestKind.ACCESS, person_kind=PersonKind.CANDIDATE, person_id=person_id))


@pytest.mark.postgres
async def test_over_http_another_tenants_request_answers_like_a_missing_one(
        client: Any, people: dict[str, Any], tenant_b: Any, token_for: Any) -> None:
    request = (await _open(client, people["admin"], kind="access", person_kind="candidate",
                           person_id=people["anna"]["candidate"]["id"])).json()
    other = await token_for(tenant_b, "tenant_admin", "hr_admin", subject="dsr-admin-b")
    for path in (request["id"], str(uuid.uuid4())):
        read = await client.get(f"/v1/data-subject-requests/{path}", headers=bearer(other))
        assert read.status_code == 404 and read.json()["code"] == "data_subject_request_not_found"
        decided = await _decide(client, other, {"id": path, "version": 1}, action="approve")
        assert decided.status_code == 404 and decided.json()["code"] == "data_subject_request_not_found"
        link = await client.post("/v1/report-links", headers=bearer(other),
                                 json={"report": "data_subject_export", "request_id": path})
        # an id a body names that is not there answers 422, like every unknown reference in a body
        assert link.status_code == 422 and link.json()["code"] == "data_subject_request_not_found"
    assert request["id"] not in (await client.get("/v1/data-subject-requests?limit=200",
                                                  headers=bearer(other))).text
    foreign_person = await _open(client, other, kind="access", person_kind="candidate",
                                 person_id=people["anna"]["candidate"]["id"])
    random_person = await _open(client, other, kind="access", person_kind="candidate", person_id=str(uuid.uuid4()))
    assert foreign_person.status_code == random_person.status_code
    assert foreign_person.json()["code"] == random_person.json()["code"] == "data_subject_not_found"


async def test_an_employees_export_holds_tax_attributes_reviews_training_onboarding_and_requests(
        client: Any, people: dict[str, Any], tenant_a: Any, token_for: Any) -> None:
    admin = people["admin"]
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": people["cn"]["id"], "location": "Shanghai", "title": {"en": "Engineer"}})).json()
    assert (await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "skills", "names": {"en": "Skills"}, "weight": "1", "pass_threshold": "50"}]})).status_code == 201
    email = f"export-{uuid.uuid4().hex[:8]}@example.com"
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Wang Fang", "email": email})).json()
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    hired = await client.post(f"/v1/applications/{application['id']}/hire", headers=bearer(admin), json={
        "legal_entity_id": people["cn"]["id"], "position": "Engineer", "start_date": "2026-09-28",
        "weekly_hours": "40", "probation_months": 3, "fixed_term_months": 36,
        "pay": {"amount": "20000.00", "currency": "CNY", "unit": "month"}})
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    preparer = await token_for(tenant_a, "payroll_preparer", subject="export-preparer")
    taxes = f"/v1/employees/{employee['id']}/tax-attributes"
    for day, children in (("2026-09-28", 1), ("2027-01-01", 2)):
        assert (await client.post(taxes, headers=bearer(preparer), json={
            "country": "CN", "effective_from": day, "attributes": {"children_in_education": children}})).status_code \
            == 201
    reviewed = await client.post(f"/v1/employees/{employee['id']}/reviews", headers=bearer(admin), json={
        "period": "2026-H2", "ratings": {"skills": "4"}, "overall": "4"})
    assert reviewed.status_code == 201, reviewed.text
    module = (await client.post("/v1/training-modules", headers=bearer(admin), json={
        "code": f"privacy_{uuid.uuid4().hex[:4]}", "title": {"en": "Privacy basics"}})).json()
    assert (await client.post(f"/v1/employees/{employee['id']}/training-records", headers=bearer(admin), json={
        "module_id": module["id"], "status": "completed", "completed_on": "2026-10-01"})).status_code == 201

    request = (await _open(client, admin, kind="portability", person_kind="employee",
                           person_id=employee["id"])).json()
    await _approved(client, people, request)
    answer = await client.get(f"/v1/data-subject-requests/{request['id']}/export",
                              headers=bearer(people["reviewer"], **{"Accept-Language": "zh-CN"}))
    assert answer.status_code == 200, answer.text
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    data = json.loads(archive.read("data.json"))["data"]
    assert [(t["country"], t["effective_from"], t["attributes"]["children_in_education"])
            for t in data["tax_attributes"]] == [("CN", "2026-09-28", 1), ("CN", "2027-01-01", 2)]
    assert [(r["period"], r["ratings"], r["overall"]) for r in data["performance_reviews"]] == [
        ("2026-H2", {"skills": "4"}, "4")]
    assert [(t["module_id"], t["status"], t["completed_on"]) for t in data["training"]] == [
        (module["id"], "completed", "2026-10-01")]
    assert isinstance(data["onboarding"], list) and isinstance(data["notifications"], list)
    [risk] = data["attrition_risk"]  # the profiling they are subject to, as scored now, with its model card
    assert risk["band"] in ("low", "medium", "high") and risk["method"] in ("trained", "fallback")
    assert risk["model_card"] and risk["as_of"]
    assert [(r["id"], r["kind"], r["status"]) for r in data["data_subject_requests"]] == [
        (request["id"], "portability", "completed")]
    page = archive.read("index.html").decode()
    for heading in ("Tax attributes", "Performance reviews", "Training", "Attrition risk",
                    "Your data-subject requests"):
        assert translate(heading, "zh_CN") != heading and translate(heading, "zh_CN") in page
    trail = (await client.get("/v1/audit/entries", headers=bearer(admin), params={
        "entity_type": "data_subject_request", "entity_id": request["id"]})).json()["items"]
    contents = trail[-1]["after"]["contents"]
    assert trail[-1]["action"] == "data_subject_request.exported"
    assert (contents["tax_attributes"], contents["performance_reviews"], contents["training"]) == (2, 1, 1)
    # Gone again, so the tenant's attrition report (active employees only) never shows this test's training.
    assert (await client.post(f"/v1/employees/{employee['id']}/departure", headers=bearer(admin), json={
        "left_on": "2026-12-31", "reason": "end of the test"})).status_code == 200


async def test_a_candidates_export_holds_decisions_human_scores_and_messages(client: Any,
                                                                             people: dict[str, Any]) -> None:
    admin, anna = people["admin"], people["anna"]
    application_id = anna["application"]["id"]
    job_id = anna["job"]["id"]
    assert (await client.post(f"/v1/jobs/{job_id}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "skills", "names": {"en": "Skills"}, "weight": "1", "pass_threshold": "50"}]})).status_code == 201
    vendor = (await client.post("/v1/vendors", headers=bearer(admin),
                                json={"name": f"DSR vendor {uuid.uuid4().hex[:6]}"})).json()
    assert (await client.post(f"/v1/vendors/{vendor['vendor']['id']}/references", headers=bearer(admin), json={
        "kind": "application", "reference": f"dsr-{application_id}", "application_id": application_id})).status_code \
        == 201
    body = json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": f"dsr-{application_id}", "vendor": "V", "model": "m",
        "model_version": "1", "rubric_version": "1", "reference": {"application_reference": f"dsr-{application_id}"},
        "interview_language": "en", "completed_at": "2026-08-01T10:00:00+02:00", "competencies": [
            {"code": "skills", "name": "Skills", "score": "70", "scale_min": "0", "scale_max": "100",
             "evidence": [{"start_seconds": "1", "end_seconds": "5",
                           "quote": "I led the migration myself."}]}]}).encode()
    delivered = await client.post(
        f"/v1/vendor-deliveries/{people['tenant']}/{vendor['vendor']['id']}/results", content=body,
        headers={"Meridian-Signature": sign(vendor["secret"].encode(), int(time.time()), body),
                 "Content-Type": "application/json"})
    assert delivered.status_code == 200, delivered.text
    scored = await client.post(f"/v1/applications/{application_id}/human-evaluations", headers=bearer(admin),
                               json={"competencies": [{"code": "skills", "score": "80",
                                                       "evidence_kind": "structured_interview"}]})
    assert scored.status_code == 201, scored.text
    decided = await client.post(f"/v1/applications/{application_id}/decisions", headers=bearer(admin), json={
        "automated_output": "comparison_ranking", "decision": "advance", "reason": "Strong interview",
        "rank": 1, "overall": "80.00"})
    assert decided.status_code == 201, decided.text
    moved = await client.post(f"/v1/applications/{application_id}/stage",
                              headers=bearer(admin, **{"If-Match": f'"v{anna["application"]["version"]}"'}),
                              json={"stage": "screening", "reason": "CV read"})
    assert moved.status_code == 200, moved.text  # the candidate is told, in a message the export shows
    request = (await _open(client, admin, kind="access", person_kind="candidate",
                           person_id=anna["candidate"]["id"])).json()
    await _approved(client, people, request)
    answer = await client.get(f"/v1/data-subject-requests/{request['id']}/export", headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("data.json"))["data"]
    assert [(h["competency_code"], h["score"]) for h in data["human_evaluations"]] == [("skills", "80.00")]
    [delivered] = data["vendor_results"]  # parked (no consent), held all the same, with the quoted passage
    assert delivered["status"] == "parked" and delivered["vendor_result_id"] == f"dsr-{application_id}"
    assert delivered["payload"]["competencies"][0]["evidence"][0]["quote"] == "I led the migration myself."
    assert [(d["id"], d["automated_output"], d["decision"], d["reviewed_by"]) for d in data["decisions"]] == [
        (decided.json()["id"], "comparison_ranking", "advance", "dsr-admin")]
    messages = data["notifications"]
    assert messages and all(set(m) >= {"subject", "body", "channel", "status", "sent_at"} for m in messages)
    assert any(m["about_id"] == application_id and "claimed_until" not in m for m in messages)
    assert request["id"] in [r["id"] for r in data["data_subject_requests"]]
