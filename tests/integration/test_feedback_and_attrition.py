"""The interview feedback loop on a seeded population with a known relationship, reviews and training,
departures, and attrition risk."""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.assessments import service as assessments
from domain.assessments.service import NewReference, NewVendor
from domain.assessments.signatures import sign
from domain.employees import development
from domain.employees import service as employees
from domain.employees.development import NewReview
from domain.employees.model import HireRequest, Pay
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.recruitment import service as recruitment
from domain.recruitment.model import (
    CompetencyDefinition,
    ConsentPurpose,
    NewApplication,
    NewCandidate,
    NewConsent,
    NewJob,
    NewModelVersion,
)
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


def result(result_id: str, reference: str, coding: float, teamwork: float) -> bytes:
    return json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": "Seed AI", "model": "m",
        "model_version": "1", "rubric_version": "1", "reference": {"application_reference": reference},
        "interview_language": "en", "completed_at": "2026-05-01T10:00:00Z", "competencies": [
            {"code": "coding", "name": "Coding", "score": f"{coding:.1f}", "scale_min": "0", "scale_max": "100"},
            {"code": "teamwork", "name": "Teamwork", "score": f"{teamwork:.1f}", "scale_min": "0",
             "scale_max": "100"}]}).encode()


@pytest.fixture
async def population(tenant_a: Any) -> dict[str, Any]:
    """24 hires: performance in coding follows the coding interview score; teamwork scores predict nothing."""
    hr = Principal(tenant_id=tenant_a, subject="seed-hr", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(hr, NewLegalEntity(name=f"Seed {uuid.uuid4().hex[:6]}", country="DE",
                                                          currency="EUR", timezone="Europe/Berlin"))
    job = await recruitment.create_job(hr, NewJob(legal_entity_id=entity.id, title={"en": "Engineer"},
                                                  location="Berlin"), "en")
    await recruitment.publish_model_version(hr, job.id, NewModelVersion(
        effective_from=date(2026, 1, 1), overall_pass_threshold="50", competencies=[
            CompetencyDefinition(code="coding", names={"en": "Coding"}, weight="0.5", pass_threshold="50"),
            CompetencyDefinition(code="teamwork", names={"en": "Teamwork"}, weight="0.5", pass_threshold="50")]))
    vendor = await assessments.register_vendor(hr, NewVendor(name=f"Seed AI {uuid.uuid4().hex[:6]}"))
    chance = random.Random(11)
    hires = []
    numbers = f"S{uuid.uuid4().hex[:6]}"  # unique per tenant, and the tenant may hold other tests' hires
    for index in range(24):
        candidate = await recruitment.create_candidate(hr, NewCandidate(full_name=f"Hire {index:02d}"))
        # Their interview results are used only with their consent to AI-assisted evaluation.
        await recruitment.add_consent(hr, candidate.id, NewConsent(
            purpose=ConsentPurpose.AI_INTERVIEW_ANALYSIS, given_at=datetime.now(UTC), evidence="signed form"))
        application = await recruitment.create_application(hr, NewApplication(candidate_id=candidate.id,
                                                                               job_id=job.id), "en")
        await assessments.map_reference(hr, vendor.vendor.id, NewReference(
            kind="application", reference=f"h{index}", application_id=application.id))
        coding, teamwork = chance.uniform(40, 95), chance.uniform(40, 95)
        body = result(f"r{index}", f"h{index}", coding, teamwork)
        await assessments.receive(tenant_a, vendor.vendor.id, sign(vendor.secret.encode(), int(time.time()), body),
                                  body, int(time.time()))
        employee = await employees.hire(hr, application.id, HireRequest(
            legal_entity_id=entity.id, position="Engineer", start_date=date(2026, 6, 1),
            pay=Pay(amount=f"{5000 + index * 50}.00", currency="EUR", unit="month"), weekly_hours="40",
            tax_attributes={"tax_class": 1}, employee_number=f"{numbers}-{index:02d}", department="Platform"))
        performance = min(5.0, max(1.0, 1 + 4 * (coding - 40) / 55 + chance.gauss(0, 0.25)))
        await development.add_review(hr, employee.id, NewReview(
            period="2027-H1", ratings={"coding": f"{performance:.1f}", "teamwork": f"{chance.uniform(1, 5):.1f}"},
            overall=f"{performance:.1f}"))
        hires.append(employee)
    return {"job": job, "hires": hires, "entity": entity}


async def test_the_feedback_loop_finds_the_relationship_and_moves_the_weights(
    client: Any, tenant_a: Any, token_for: Any, population: dict[str, Any]
) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "auditor", subject="loop-admin")
    url = f"/v1/jobs/{population['job'].id}/feedback-loop"
    analysis = (await client.get(url, headers=bearer(admin))).json()
    assert analysis["hires"] == 24 and analysis["insufficient_data"] is False
    stats = {c["code"]: c for c in analysis["competencies"]}
    assert float(stats["coding"]["correlation"]) > 0.8 and float(stats["coding"]["ci_low"]) > 0
    assert float(stats["teamwork"]["ci_low"]) < 0 < float(stats["teamwork"]["ci_high"])
    proposed = analysis["proposed_weights"]
    assert float(proposed["coding"]) > 0.5 > float(proposed["teamwork"])
    assert analysis["subject"]["job_title"] == "Engineer" and analysis["subject"]["model_version"] == 1
    assert analysis["subject"]["model_effective_from"] == "2026-01-01"
    assert analysis["produced"]["by"]["subject"] == "loop-admin"
    html = await client.get(f"{url}?format=html", headers=bearer(admin, **{"Accept-Language": "ja"}))
    assert html.status_code == 200 and "<svg" in html.text
    heading = html.text[html.text.index("<h1>") : html.text.index("</h1>")]
    assert "Engineer" in heading and "1" in heading
    accepted = await client.post(f"{url}/acceptance", headers=bearer(admin))
    assert accepted.status_code == 201, accepted.text
    weights = {c["code"]: c["weight"] for c in accepted.json()["competencies"]}
    assert weights == {k: str(v) for k, v in proposed.items()} and accepted.json()["number"] == 2
    trail = (await client.get(f"/v1/audit/entries?entity_type=competency_model&entity_id="
                              f"{accepted.json()['model_id']}", headers=bearer(admin))).json()["items"]
    last = trail[-1]
    assert last["action"] == "feedback_loop.proposal_accepted"
    assert [c["weight"] for c in last["before"]] == ["0.5", "0.5"]


async def test_with_too_little_data_the_loop_says_so(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="loop-admin-2")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Tiny {uuid.uuid4().hex[:6]}", "country": "DE", "currency": "EUR", "timezone": "UTC"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Berlin", "title": {"en": "Rare role"}})).json()
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "coding", "names": {"en": "Coding"}, "weight": "1", "pass_threshold": "50"}]})
    analysis = (await client.get(f"/v1/jobs/{job['id']}/feedback-loop", headers=bearer(admin))).json()
    assert analysis["insufficient_data"] is True and analysis["proposed_weights"] is None
    assert analysis["reason"] == "Fewer than 10 hires have both interview scores and performance ratings yet."
    chinese = (await client.get(f"/v1/jobs/{job['id']}/feedback-loop",
                                headers=bearer(admin, **{"Accept-Language": "zh-CN"}))).json()
    assert "10" in chinese["reason"] and "{" not in chinese["reason"] and chinese["reason"] != analysis["reason"]
    assert all(c["reason"] is None or "{" not in c["reason"] for c in chinese["competencies"])
    refused = await client.post(f"/v1/jobs/{job['id']}/feedback-loop/acceptance", headers=bearer(admin))
    assert refused.status_code == 409 and refused.json()["code"] == "feedback_loop_no_proposal"


async def test_attrition_risk_is_for_hr_only_and_explains_itself(
    client: Any, tenant_a: Any, token_for: Any, population: dict[str, Any]
) -> None:
    hr = await token_for(tenant_a, "hr_admin", subject="attrition-hr")
    manager = await token_for(tenant_a, "hiring_manager", subject="attrition-manager")
    leaver = population["hires"][0]
    departed = await client.post(f"/v1/employees/{leaver.id}/departure", headers=bearer(hr),
                                 json={"left_on": "2026-12-31", "reason": "moved abroad"})
    assert departed.status_code == 200, departed.text
    report = (await client.get("/v1/analytics/attrition", headers=bearer(hr))).json()
    risks = report["employees"]
    assert report["as_of"]
    assert risks and str(leaver.id) not in {r["employee_id"] for r in risks}
    first = risks[0]["risk"]
    assert first["method"] == "fallback" and 0 < len(first["top_factors"]) <= 3
    # No training was ever assigned: nobody is credited with completing it, and no factor contributes nothing.
    factors = [f for r in risks for f in r["risk"]["top_factors"]]
    assert all(f["contribution"] != "0.000" and f["effect"] for f in factors)
    assert not any(f["feature"] == "training_participation" for f in factors)
    ours = {str(hire.id) for hire in population["hires"]}
    assert {(r["position"], r["legal_entity"], r["department"]) for r in risks if r["employee_id"] in ours} == {
        ("Engineer", population["entity"].name, "Platform")}
    numbered = {r["employee_id"]: r["employee_number"] for r in risks if r["employee_id"] in ours}
    assert numbered == {str(hire.id): hire.employee_number for hire in population["hires"][1:]}
    assert len(set(numbered.values())) == len(numbered) and None not in numbered.values()
    card = report["model_card"]  # the tenant may hold other tests' hires too
    assert card["method"] == "fallback" and card["employees"] >= 24 and card["leavers"] >= 1
    assert card["employees"] == card["leavers"] + card["stayers"] and card["limits"]
    assert card["validation"]["method"] == "history" and card["validation"]["employees"] == card["employees"]
    assert report["produced"]["by"]["subject"] == "attrition-hr"
    assert [float(r["risk"]["score"]) for r in risks] == sorted((float(r["risk"]["score"]) for r in risks),
                                                               reverse=True)
    page = await client.get("/v1/analytics/attrition?format=html", headers=bearer(hr, **{"Accept-Language": "zh-CN"}))
    assert page.status_code == 200 and "<svg" in page.text
    # The page lists the highest risks: the tenant may hold other tests' employees, so look for the first one's.
    assert risks[0]["legal_entity"] in page.text and "attrition-hr" in page.text and "log-odds" not in page.text
    assert "<th>部门</th>" in page.text
    assert (risks[0]["employee_number"] or "") in page.text and (risks[0]["department"] or "") in page.text
    assert (await client.get("/v1/analytics/attrition", headers=bearer(manager))).status_code == 403
    assert "{" not in card["description"] and str(card["minimum_leavers"]) in card["description"]
    japanese = (await client.get("/v1/analytics/attrition", headers=bearer(hr, **{"Accept-Language": "ja"}))).json()
    in_japanese = japanese["model_card"]
    assert in_japanese["description"] != card["description"] and "{" not in in_japanese["description"]
    assert in_japanese["limits"] != card["limits"]
    explained = {f["explanation"] for r in japanese["employees"] for f in r["risk"]["top_factors"]}
    assert explained and not explained & {f["explanation"] for f in factors}, "every explanation in Japanese"


async def test_training_is_recorded_against_the_catalogue(client: Any, tenant_a: Any, token_for: Any,
                                                         population: dict[str, Any]) -> None:
    hr = await token_for(tenant_a, "hr_admin", subject="training-hr")
    code = f"safety_{uuid.uuid4().hex[:4]}"
    module = (await client.post("/v1/training-modules", headers=bearer(hr), json={
        "code": code, "title": {"en": "Safety basics", "ja": "安全の基本"}})).json()
    employee = population["hires"][1]
    recorded = await client.post(f"/v1/employees/{employee.id}/training-records", headers=bearer(hr), json={
        "module_id": module["id"], "status": "completed", "completed_on": "2026-07-01"})
    assert recorded.status_code == 201, recorded.text
    unknown = await client.post(f"/v1/employees/{employee.id}/training-records", headers=bearer(hr), json={
        "module_id": str(uuid.uuid4()), "status": "assigned"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/module_id"
    twice = await client.post(f"/v1/employees/{employee.id}/reviews", headers=bearer(hr), json={
        "period": "2027-H1", "ratings": {"coding": "3"}, "overall": "3"})
    assert twice.status_code == 409
    outside_model = await client.post(f"/v1/employees/{employee.id}/reviews", headers=bearer(hr), json={
        "period": "2027-H2", "ratings": {"juggling": "3"}, "overall": "3"})
    assert outside_model.status_code == 400 and outside_model.json()["code"] == "rating_not_in_model"
