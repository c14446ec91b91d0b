"""AI interview results end to end: a vendor's signed delivery arrives once, is mapped to the
right application, evaluated against the job's competency model version, and compared."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from domain.assessments.signatures import sign
from tests.conftest import bearer
from tests.pages import every_item

pytestmark = pytest.mark.anyio

MODEL = {"effective_from": "2026-01-01", "overall_pass_threshold": "60", "competencies": [
    {"code": "communication", "names": {"en": "Communication", "zh_CN": "沟通"}, "weight": "0.4",
     "pass_threshold": "50"},
    {"code": "problem_solving", "names": {"en": "Problem solving", "ja": "問題解決"}, "weight": "0.6",
     "pass_threshold": "55"}]}


def result_body(result_id: str, application_reference: str | None, scores: tuple[str, str] = ("4", "8"),
                candidate_reference: str | None = None) -> bytes:
    reference = {k: v for k, v in {"application_reference": application_reference,
                                   "candidate_reference": candidate_reference}.items() if v}
    return json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": "Acme Interviews",
        "model": "acme-interviewer", "model_version": "2026.03", "rubric_version": "r7", "reference": reference,
        "interview_language": "zh-CN", "completed_at": "2026-03-29T09:00:00+08:00",
        "recording": {"reference": "acme://recordings/abc", "duration_seconds": "1834"},
        "competencies": [
            {"code": "communication", "name": "Communication", "score": scores[0], "scale_min": "1", "scale_max": "5",
             "confidence": "0.8", "evidence": [{"start_seconds": "10", "end_seconds": "40", "quote": "I listened."}]},
            {"code": "problem_solving", "name": "Problem solving", "score": scores[1], "scale_min": "0",
             "scale_max": "10", "evidence": []}],
    }).encode()


@pytest.fixture
async def hiring(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", "auditor", subject="results-hr")
    entity = (await client.post("/v1/legal-entities", headers=bearer(hr), json={
        "name": f"AI Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(hr), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Support lead"}})).json()
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(hr), json=MODEL)
    applications = []
    for name in ("Zhang San", "Li Si", "Wang Wu"):
        candidate = (await client.post("/v1/candidates", headers=bearer(hr), json={
            "full_name": name, "email": f"{uuid.uuid4().hex[:8]}@example.com"})).json()
        # Results are used only with the candidate's consent to AI-assisted evaluation (test_ai_safeguards).
        await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(hr), json={
            "purpose": "ai_interview_analysis", "given_at": "2026-01-01T00:00:00Z", "evidence": "signed form"})
        applications.append((await client.post("/v1/applications", headers=bearer(hr), json={
            "candidate_id": candidate["id"], "job_id": job["id"]})).json())
    vendor = (await client.post("/v1/vendors", headers=bearer(hr), json={"name": f"Acme {uuid.uuid4().hex[:6]}"}))
    assert vendor.status_code == 201, vendor.text
    return {"hr": hr, "job": job, "applications": applications, "vendor": vendor.json(), "tenant": str(tenant_a)}


async def deliver(client: Any, hiring: dict[str, Any], body: bytes, *, secret: str | None = None,
                  timestamp: int | None = None, header: str | None = None) -> Any:
    vendor = hiring["vendor"]
    signed = header or sign((secret or vendor["secret"]).encode(), timestamp or int(time.time()), body)
    return await client.post(f"/v1/vendor-deliveries/{hiring['tenant']}/{vendor['vendor']['id']}/results",
                             content=body, headers={"Meridian-Signature": signed, "Content-Type": "application/json"})


async def map_application(client: Any, hiring: dict[str, Any], reference: str, application: dict[str, Any]) -> Any:
    return await client.post(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/references", headers=bearer(hiring["hr"]),
                             json={"kind": "application", "reference": reference, "application_id": application["id"]})


async def test_the_secret_is_shown_once(client: Any, hiring: dict[str, Any]) -> None:
    assert hiring["vendor"]["secret"].startswith("mvs_")
    listed = await client.get("/v1/vendors", headers=bearer(hiring["hr"]))
    assert hiring["vendor"]["secret"] not in listed.text


async def test_a_signed_result_for_a_mapped_application_is_evaluated_once(client: Any, hiring: dict[str, Any]) -> None:
    application = hiring["applications"][0]
    assert (await map_application(client, hiring, "app-zhang", application)).status_code == 201
    body = result_body("res-1", "app-zhang")
    first = await deliver(client, hiring, body)
    assert first.status_code == 200, first.text
    delivery = first.json()
    assert delivery["duplicate"] is False and delivery["result"]["status"] == "evaluated"
    evaluation = delivery["evaluation"]
    # communication 4 on 1-5 -> 75.00; problem solving 8 on 0-10 -> 80.00; 0.4*75 + 0.6*80 = 78.00
    assert evaluation["overall"] == "78.00" and evaluation["passed"] is True and evaluation["model_version"] == 1
    again = await deliver(client, hiring, body, timestamp=int(time.time()) + 1)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["result"]["id"] == delivery["result"]["id"]
    listed = await client.get(f"/v1/applications/{application['id']}/evaluations", headers=bearer(hiring["hr"]))
    assert len(listed.json()["items"]) == 1


@pytest.mark.parametrize("case", ["bad signature", "stale", "future", "missing", "malformed", "replay"])
async def test_bad_deliveries_are_refused_clearly_and_logged(client: Any, hiring: dict[str, Any], case: str) -> None:
    body = result_body(f"res-{case}", f"unmapped-{case}")
    now = int(time.time())
    if case == "replay":
        header = sign(hiring["vendor"]["secret"].encode(), now, body)
        assert (await deliver(client, hiring, body, header=header)).status_code == 200
        response = await deliver(client, hiring, body, header=header)
    else:
        header = {
            "bad signature": sign(b"mvs_not-the-secret", now, body),
            "stale": sign(hiring["vendor"]["secret"].encode(), now - 301, body),
            "future": sign(hiring["vendor"]["secret"].encode(), now + 301, body),
            "missing": "",
            "malformed": "v1=abc",
        }[case]
        response = await deliver(client, hiring, body, header=header or " ")
    expected = {"bad signature": "vendor_signature_mismatch", "stale": "vendor_signature_expired",
                "future": "vendor_signature_expired", "missing": "vendor_signature_missing",
                "malformed": "vendor_signature_malformed", "replay": "vendor_signature_replayed"}[case]
    assert response.status_code == 401, response.text
    assert response.json()["code"] in (expected, "vendor_signature_malformed" if case == "missing" else expected)
    # Counted in the vendor's security log, not in the audit chain anyone could otherwise grow without credentials.
    trail = (await client.get(f"/v1/audit/entries?entity_type=vendor&entity_id={hiring['vendor']['vendor']['id']}"
                              "&limit=200", headers=bearer(hiring["hr"]))).json()["items"]
    assert "vendor_delivery.refused" not in {entry["action"] for entry in trail}
    log = (await client.get(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/refused-deliveries",
                            headers=bearer(hiring["hr"]))).json()["items"]
    assert [(window["reason"], window["refused"]) for window in log] == [(response.json()["code"], 1)]


async def test_an_unknown_reference_is_parked_until_mapped(client: Any, hiring: dict[str, Any]) -> None:
    delivered = (await deliver(client, hiring, result_body("res-parked", "app-unknown"))).json()
    assert delivered["result"]["status"] == "parked" and delivered["evaluation"] is None
    parked = await every_item(client, "/v1/interview-results?status=parked", bearer(hiring["hr"]))
    assert delivered["result"]["id"] in {r["id"] for r in parked} and {r["status"] for r in parked} == {"parked"}
    application = hiring["applications"][1]
    mapped = await map_application(client, hiring, "app-unknown", application)
    assert mapped.json()["resolved_results"] == [delivered["result"]["id"]]
    evaluations = (await client.get(f"/v1/applications/{application['id']}/evaluations",
                                    headers=bearer(hiring["hr"]))).json()["items"]
    assert [e["reason"] for e in evaluations] == ["mapped"]


async def test_a_rotated_secret_keeps_the_previous_one_valid_until_the_next(client: Any,
                                                                            hiring: dict[str, Any]) -> None:
    old = hiring["vendor"]["secret"]
    rotated = (await client.post(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/rotate-secret",
                                 headers=bearer(hiring["hr"]))).json()
    assert rotated["secret"] != old
    with_old = await deliver(client, hiring, result_body("res-old", "unmapped-old"), secret=old)
    with_new = await deliver(client, hiring, result_body("res-new", "unmapped-new"), secret=rotated["secret"])
    assert with_old.status_code == with_new.status_code == 200


async def test_a_new_model_version_changes_nothing_until_recomputed(client: Any, hiring: dict[str, Any]) -> None:
    application = hiring["applications"][2]
    await map_application(client, hiring, "app-wang", application)
    await deliver(client, hiring, result_body("res-wang", "app-wang", scores=("2", "9")))
    heavier = {**MODEL, "effective_from": "2026-06-01", "competencies": [
        {**MODEL["competencies"][0], "weight": "0.8"}, {**MODEL["competencies"][1], "weight": "0.2"}]}
    await client.post(f"/v1/jobs/{hiring['job']['id']}/competency-model-versions", headers=bearer(hiring["hr"]),
                      json=heavier)
    url = f"/v1/applications/{application['id']}/evaluations"
    assert [e["model_version"] for e in (await client.get(url, headers=bearer(hiring["hr"]))).json()["items"]] == [1]
    recomputed = await client.post(f"{url}/recompute", headers=bearer(hiring["hr"]))
    assert recomputed.status_code == 201, recomputed.text
    # communication 2 on 1-5 -> 25.00, problem solving 9 -> 90.00: v1 0.4/0.6 = 64.00, v2 0.8/0.2 = 38.00
    assert recomputed.json()["model_version"] == 2 and recomputed.json()["overall"] == "38.00"
    history = (await client.get(url, headers=bearer(hiring["hr"]))).json()["items"]
    assert [(e["model_version"], e["overall"], e["reason"]) for e in history] == [
        (1, "64.00", "received"), (2, "38.00", "recomputed")]


async def test_a_comparison_ranks_candidates_and_renders_a_localised_report(client: Any,
                                                                            hiring: dict[str, Any]) -> None:
    first, second, third = hiring["applications"]
    for reference, application, scores in (("c-1", first, ("5", "6")), ("c-2", second, ("3", "9"))):
        await map_application(client, hiring, reference, application)
        await deliver(client, hiring, result_body(f"res-{reference}", reference, scores=scores))
    ids = [first["id"], second["id"], third["id"]]
    url = f"/v1/jobs/{hiring['job']['id']}/comparisons"
    comparison = (await client.post(url, headers=bearer(hiring["hr"]), json={"application_ids": ids})).json()
    ranked = [(c["candidate_label"], c["overall"]) for c in comparison["candidates"]]
    # Zhang: 100*0.4 + 60*0.6 = 76.00; Li: 50*0.4 + 90*0.6 = 74.00; Wang: not evaluated, last
    assert ranked == [("Zhang San", "76.00"), ("Li Si", "74.00"), ("Wang Wu", None)]
    assert comparison["candidates"][2]["missing_evidence"] == ["communication", "problem_solving"]
    # Wang was never scored: not scored, not failed.
    assert [(c["outcome"], c["passes_all_thresholds"]) for c in comparison["candidates"]] == [
        ("passed", True), ("passed", True), ("not_scored", False)]
    assert {s["scored"] for s in comparison["candidates"][2]["scores"]} == {False}
    assert comparison["subject"] == {
        "job_id": hiring["job"]["id"], "job_title": "Support lead", "model_id": comparison["model_id"],
        "model_name": comparison["subject"]["model_name"], "model_version": 1, "model_effective_from": "2026-01-01"}
    assert comparison["produced"]["by"]["subject"] == "results-hr" and comparison["produced"]["at"]
    html = await client.post(f"{url}?format=html", headers=bearer(hiring["hr"], **{"Accept-Language": "zh-CN"}),
                             json={"application_ids": ids})
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.count("<svg") == 3 and "沟通" in html.text
    assert "Support lead" in html.text and "results-hr" in html.text
    too_few = await client.post(url, headers=bearer(hiring["hr"]), json={"application_ids": ids[:1]})
    assert too_few.status_code == 400


async def test_a_tenant_rates_a_competency_on_its_own_scale(client: Any, hiring: dict[str, Any]) -> None:
    """A hospital weights clinical experience highly and rates it 1-5 with 4 to pass (75 on 0-100)."""
    hospital_model = {"effective_from": "2026-01-01", "overall_pass_threshold": "70", "competencies": [
        {"code": "communication", "names": {"en": "Bedside manner"}, "weight": "0.3", "pass_threshold": "3",
         "scale_min": "1", "scale_max": "5"},
        {"code": "problem_solving", "names": {"en": "Clinical experience"}, "weight": "0.7", "pass_threshold": "4",
         "scale_min": "1", "scale_max": "5"}]}
    url = f"/v1/jobs/{hiring['job']['id']}/competency-model-versions"
    assert (await client.post(url, headers=bearer(hiring["hr"]), json=hospital_model)).status_code == 201
    off_scale = {**hospital_model, "competencies": [{**hospital_model["competencies"][0], "pass_threshold": "6"},
                                                    hospital_model["competencies"][1]]}
    refused = await client.post(url, headers=bearer(hiring["hr"]), json=off_scale)
    assert refused.status_code == 400 and refused.json()["code"] == "threshold_out_of_range"
    application = hiring["applications"][0]
    await map_application(client, hiring, "app-hospital", application)
    # communication 4/5 -> 75.00 (passes 50.00); problem solving 7/10 -> 70.00 (fails 75.00): overall 71.50
    delivered = (await deliver(client, hiring, result_body("res-hospital", "app-hospital", scores=("4", "7")))).json()
    evaluation = delivered["evaluation"]
    assert evaluation["model_version"] == 2 and evaluation["overall"] == "71.50"
    thresholds = {c["code"]: c["pass_threshold"] for c in evaluation["detail"]["competencies"]}
    assert thresholds == {"communication": "50.00", "problem_solving": "75.00"}
    assert evaluation["passed"] is False
