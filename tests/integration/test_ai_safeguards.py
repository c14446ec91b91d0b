"""AI-evaluation safeguards end to end: results used only with the candidate's consent (parked otherwise, released
by a person later), prohibited evidence kinds refused with a stable code, the human-only evaluation path, decisions
by a person before proposed weights change the model, and explanations in the reader's language."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.assessments.signatures import sign
from tests.conftest import bearer
from tests.integration.test_feedback_and_attrition import population  # noqa: F401 (a fixture)
from tests.isolation.test_cross_tenant_probe import seed_tenant_b

pytestmark = pytest.mark.anyio

MODEL = {"effective_from": "2026-01-01", "overall_pass_threshold": "60", "competencies": [
    {"code": "communication", "names": {"en": "Communication", "zh_CN": "沟通", "ja": "コミュニケーション"},
     "weight": "0.4", "pass_threshold": "50"},
    {"code": "problem_solving", "names": {"en": "Problem solving", "zh_CN": "解决问题", "ja": "問題解決"},
     "weight": "0.6", "pass_threshold": "55"}]}


def competency(code: str, score: str, scale_max: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": code.title(), "score": score, "scale_min": "0" if scale_max == "10" else "1",
            "scale_max": scale_max, "evidence": [{"start_seconds": "1", "end_seconds": "9", "quote": "An answer."}],
            **extra}


def result(result_id: str, reference: str, *first_extra: tuple[str, Any]) -> dict[str, Any]:
    """communication 4 on 1-5 (75.00), problem solving 8 on 0-10 (80.00): overall 0.4*75 + 0.6*80 = 78.00."""
    return {
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": "Acme Interviews",
        "model": "acme", "model_version": "2026.03", "rubric_version": "r7",
        "reference": {"application_reference": reference}, "interview_language": "en",
        "completed_at": "2026-03-29T09:00:00+08:00",
        "competencies": [competency("communication", "4", "5", **{"evidence_kind": "structured_interview",
                                                                   **dict(first_extra)}),
                         competency("problem_solving", "8", "10", evidence_kind="work_sample")]}


@pytest.fixture
async def hiring(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    """Three applications: the first candidate consents to AI-assisted evaluation, the second never did, the third
    consented and withdrew; every application's vendor reference is mapped."""
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", "auditor", subject="safeguards-hr")
    entity = (await client.post("/v1/legal-entities", headers=bearer(hr), json={
        "name": f"Safe Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(hr), json={
        "legal_entity_id": entity["id"], "location": "Shanghai",
        "title": {"en": "Support lead", "zh_CN": "支持主管", "ja": "サポートリーダー"}})).json()
    assert (await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(hr),
                              json=MODEL)).status_code == 201
    vendor = (await client.post("/v1/vendors", headers=bearer(hr),
                                json={"name": f"Acme {uuid.uuid4().hex[:6]}"})).json()
    tag = uuid.uuid4().hex[:8]
    applications, candidates = [], []
    for index, consent in enumerate(("given", "never", "withdrawn")):
        candidate = (await client.post("/v1/candidates", headers=bearer(hr), json={
            "full_name": f"Candidate {index}", "email": f"{uuid.uuid4().hex[:8]}@example.com",
            "locale": "zh-CN"})).json()
        if consent != "never":
            given = (await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(hr), json={
                "purpose": "ai_interview_analysis", "given_at": datetime.now(UTC).isoformat(),
                "evidence": "signed form"})).json()
            if consent == "withdrawn":
                assert (await client.post(f"/v1/candidates/{candidate['id']}/consents/{given['id']}/withdraw",
                                          headers=bearer(hr))).status_code in (200, 201)
        application = (await client.post("/v1/applications", headers=bearer(hr), json={
            "candidate_id": candidate["id"], "job_id": job["id"]})).json()
        assert (await client.post(f"/v1/vendors/{vendor['vendor']['id']}/references", headers=bearer(hr), json={
            "kind": "application", "reference": f"{tag}-{index}", "application_id": application["id"]})).status_code \
            == 201
        candidates.append(candidate)
        applications.append(application)
    return {"hr": hr, "job": job, "vendor": vendor, "tenant": str(tenant_a), "tag": tag,
            "applications": applications, "candidates": candidates}


def reference(hiring: dict[str, Any], index: int) -> str:
    return f"{hiring['tag']}-{index}"


async def post_signed(client: Any, hiring: dict[str, Any], path: str, body: bytes) -> Any:
    vendor = hiring["vendor"]
    return await client.post(
        f"/v1/vendor-deliveries/{hiring['tenant']}/{vendor['vendor']['id']}/{path}", content=body,
        headers={"Meridian-Signature": sign(vendor["secret"].encode(), int(time.time()), body),
                 "Content-Type": "application/json"})


async def deliver(client: Any, hiring: dict[str, Any], payload: dict[str, Any]) -> Any:
    return await post_signed(client, hiring, "results", json.dumps(payload).encode())


async def compare(client: Any, hiring: dict[str, Any], *indexes: int) -> dict[str, Any]:
    response = await client.post(f"/v1/jobs/{hiring['job']['id']}/comparisons", headers=bearer(hiring["hr"]), json={
        "application_ids": [hiring["applications"][i]["id"] for i in indexes]})
    assert response.status_code == 200, response.text
    return {c["application_id"]: c for c in response.json()["candidates"]}


async def refusal_reasons(client: Any, hiring: dict[str, Any]) -> dict[str, int]:
    log = (await client.get(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/refused-deliveries",
                            headers=bearer(hiring["hr"]))).json()["items"]
    return {window["reason"]: window["refused"] for window in log}


async def test_without_consent_a_result_is_parked_with_its_reason_and_left_out_of_comparisons(
        client: Any, hiring: dict[str, Any]) -> None:
    used = (await deliver(client, hiring, result(f"{hiring['tag']}-r0", reference(hiring, 0)))).json()
    assert used["result"]["status"] == "evaluated" and used["evaluation"]["overall"] == "78.00"
    for index in (1, 2):  # never consented; consented and withdrew
        answer = await deliver(client, hiring, result(f"{hiring['tag']}-r{index}", reference(hiring, index)))
        assert answer.status_code == 200, answer.text
        parked = answer.json()
        assert parked["result"]["status"] == "parked" and parked["result"]["parked_reason"] == "no_ai_consent"
        assert parked["result"]["application_id"] == hiring["applications"][index]["id"]
        assert parked["evaluation"] is None
    listed = (await client.get("/v1/interview-results?status=parked&limit=200", headers=bearer(hiring["hr"]))).json()
    assert {r["parked_reason"] for r in listed["items"] if r["vendor_result_id"].startswith(hiring["tag"])} == {
        "no_ai_consent"}
    compared = await compare(client, hiring, 0, 1, 2)
    first, second, third = (compared[a["id"]] for a in hiring["applications"])
    assert (first["evaluation_source"], first["overall"], first["rank"]) == ("ai", "78.00", 1)
    assert second["evaluation_source"] == third["evaluation_source"] == "none"
    assert second["overall"] is None and third["overall"] is None
    # The AI result cannot be brought in by recomputing either: the code says why, in the reader's language.
    refused = await client.post(f"/v1/applications/{hiring['applications'][1]['id']}/evaluations/recompute",
                                headers=bearer(hiring["hr"], **{"Accept-Language": "ja"}))
    assert refused.status_code in (404, 409)
    release = await client.post(f"/v1/interview-results/{listed['items'][-1]['id']}/release",
                                headers=bearer(hiring["hr"], **{"Accept-Language": "ja"}), json={"reason": "check"})
    assert release.status_code == 409 and release.json()["code"] == "no_ai_consent"
    assert release.json()["title"] != "No consent to AI-assisted evaluation"  # localised


async def test_a_parked_result_is_released_by_a_person_once_the_candidate_consents(
        client: Any, hiring: dict[str, Any]) -> None:
    parked = (await deliver(client, hiring, result(f"{hiring['tag']}-late", reference(hiring, 1)))).json()["result"]
    url = f"/v1/interview-results/{parked['id']}/release"
    before = await client.post(url, headers=bearer(hiring["hr"]), json={"reason": "asked the candidate"})
    assert before.status_code == 409 and before.json()["code"] == "no_ai_consent"
    candidate = hiring["candidates"][1]
    await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(hiring["hr"]), json={
        "purpose": "ai_interview_analysis", "given_at": datetime.now(UTC).isoformat(), "evidence": "email of consent"})
    # Consent alone releases nothing: the result stays out of comparisons until a person releases it.
    compared = await compare(client, hiring, 0, 1)
    assert compared[hiring["applications"][1]["id"]]["evaluation_source"] == "none"
    released = await client.post(url, headers=bearer(hiring["hr"]), json={"reason": "consent received by email"})
    assert released.status_code == 200, released.text
    answer = released.json()
    assert answer["result"]["status"] == "evaluated" and answer["result"]["parked_reason"] is None
    assert answer["evaluation"]["overall"] == "78.00" and answer["evaluation"]["reason"] == "released"
    decision = answer["decision"]
    assert decision["reviewed_by"] == "safeguards-hr" and decision["decision"] == "released"
    assert decision["automated_output"] == "ai_interview_result" and decision["based_on"]["model_version"] == 1
    again = await client.post(url, headers=bearer(hiring["hr"]), json={"reason": "twice"})
    assert again.status_code == 409 and again.json()["code"] == "result_not_waiting_for_consent"
    application_id = hiring["applications"][1]["id"]
    decisions = (await client.get(f"/v1/applications/{application_id}/decisions", headers=bearer(hiring["hr"]))).json()
    assert [d["id"] for d in decisions["items"]] == [decision["id"]]
    trail = (await client.get(f"/v1/audit/entries?entity_type=interview_result&entity_id={parked['id']}",
                              headers=bearer(hiring["hr"]))).json()["items"]
    assert {"interview_result.released", "decision.recorded"} <= {entry["action"] for entry in trail}
    compared = await compare(client, hiring, 0, 1)
    assert compared[application_id]["evaluation_source"] == "ai" and compared[application_id]["overall"] == "78.00"


async def test_a_person_evaluates_without_any_ai_result_and_the_comparison_ranks_it(
        client: Any, hiring: dict[str, Any]) -> None:
    await deliver(client, hiring, result(f"{hiring['tag']}-h0", reference(hiring, 0)))
    application_id = hiring["applications"][2]["id"]  # consent withdrawn: people evaluate
    recorded = await client.post(f"/v1/applications/{application_id}/human-evaluations", headers=bearer(hiring["hr"]),
                                 json={"competencies": [
                                     {"code": "communication", "score": "70", "evidence_kind": "structured_interview"},
                                     {"code": "problem_solving", "score": "90", "evidence_kind": "work_sample"}]})
    assert recorded.status_code == 201, recorded.text
    assert {(i["competency_code"], i["score"], i["evaluated_by"]) for i in recorded.json()["items"]} == {
        ("communication", "70.00", "safeguards-hr"), ("problem_solving", "90.00", "safeguards-hr")}
    compared = await compare(client, hiring, 0, 2)
    human = compared[application_id]
    # 0.4 * 70 + 0.6 * 90 = 82.00, above the AI-evaluated candidate's 78.00.
    assert (human["evaluation_source"], human["overall"], human["rank"], human["outcome"]) == (
        "human", "82.00", 1, "passed")
    refused = await client.post(f"/v1/applications/{application_id}/human-evaluations", headers=bearer(hiring["hr"]),
                                json={"competencies": [{"code": "communication", "score": "70",
                                                        "evidence_kind": "facial_expression"}]})
    assert refused.status_code == 400


async def test_prohibited_evidence_kinds_are_refused_with_a_stable_code(client: Any, hiring: dict[str, Any]) -> None:
    cases = [("emotion", {"joy": "0.7"}), ("evidence_kind", "facial_expression"), ("personality_from_voice", "0.3")]
    for index, (field, value) in enumerate(cases):
        payload = result(f"{hiring['tag']}-bad{index}", reference(hiring, 0), (field, value))
        answer = await deliver(client, hiring, payload)
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert problem["code"] == "prohibited_evidence_kind"
        assert "/competencies/0/" in problem["detail"] and "5(1)(f)" in problem["detail"]
    assert (await refusal_reasons(client, hiring))["prohibited_evidence_kind"] == 3
    # An allowed kind is stored and evaluated.
    fine = await deliver(client, hiring, result(f"{hiring['tag']}-fine", reference(hiring, 0),
                                                ("evidence_kind", "answer_content")))
    assert fine.status_code == 200 and fine.json()["result"]["status"] == "evaluated"
    stored = (await client.get("/v1/interview-results?limit=200", headers=bearer(hiring["hr"]))).json()["items"]
    assert not {r["vendor_result_id"] for r in stored} & {f"{hiring['tag']}-bad{i}" for i in range(3)}


async def test_a_batch_refuses_only_the_result_with_a_prohibited_kind(client: Any, hiring: dict[str, Any]) -> None:
    good = result(f"{hiring['tag']}-b0", reference(hiring, 0))
    bad = result(f"{hiring['tag']}-b1", reference(hiring, 0), ("sentiment_of_face", "0.2"))
    body = json.dumps({"schema": "meridian.interview-result-batch.v1", "results": [good, bad]}).encode()
    answer = await post_signed(client, hiring, "result-batches", body)
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    assert (batch["accepted"], batch["refused"]) == (1, 1)
    refused = batch["items"][1]
    assert refused["outcome"] == "refused" and refused["problem"]["code"] == "prohibited_evidence_kind"
    assert refused["problem"]["pointer"] == "/results/1/competencies/0/sentiment_of_face"
    assert batch["items"][0]["outcome"] == "accepted"
    assert (await refusal_reasons(client, hiring))["prohibited_evidence_kind"] == 1
    # Without consent, a batch's result is parked with its reason.
    parked = result(f"{hiring['tag']}-b2", reference(hiring, 1))
    body = json.dumps({"schema": "meridian.interview-result-batch.v1", "results": [parked]}).encode()
    item = (await post_signed(client, hiring, "result-batches", body)).json()["items"][0]
    assert (item["outcome"], item["parked_reason"]) == ("parked", "no_ai_consent")


async def test_proposed_weights_change_the_model_only_through_a_persons_acceptance(
        client: Any, tenant_a: Any, token_for: Any, population: dict[str, Any]) -> None:  # noqa: F811
    job_id = population["job"].id
    admin = await token_for(tenant_a, "tenant_admin", subject="weights-reviewer")
    url = f"/v1/jobs/{job_id}/feedback-loop"
    analysis = (await client.get(url, headers=bearer(admin))).json()
    assert (await client.get(f"{url}/decisions", headers=bearer(admin))).json()["items"] == []
    versions = (await client.get(f"/v1/jobs/{job_id}/competency-model-versions", headers=bearer(admin))).json()
    assert [v["number"] for v in versions["items"]] == [1]
    # A partner client's token acts for a system, not a person: it cannot accept.
    partner = await token_for(tenant_a, "tenant_admin", subject="weights-partner",
                              scopes=["feedback_loop:accept", "analytics:read"])
    refused = await client.post(f"{url}/acceptance", headers=bearer(partner))
    assert refused.status_code == 403 and refused.json()["code"] == "decision_needs_a_person"
    accepted = await client.post(f"{url}/acceptance", headers=bearer(admin))
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["number"] == 2
    decisions = (await client.get(f"{url}/decisions", headers=bearer(admin))).json()["items"]
    assert len(decisions) == 1
    decision = decisions[0]
    assert (decision["reviewed_by"], decision["automated_output"], decision["decision"]) == (
        "weights-reviewer", "proposed_weights", "accepted")
    assert decision["based_on"]["proposed_weights"] == analysis["proposed_weights"]
    assert decision["based_on"]["model_version"] == 1 and decision["based_on"]["hires"] == 24


@pytest.mark.parametrize(("language", "locale", "names", "phrase"), [
    ("ja", "ja", ("コミュニケーション", "問題解決"), "サポートリーダー"),
    ("zh-CN", "zh-CN", ("沟通", "解决问题"), "支持主管"),
])
async def test_the_explanation_is_in_the_readers_language_with_the_right_numbers(
        client: Any, hiring: dict[str, Any], language: str, locale: str, names: tuple[str, str], phrase: str) -> None:
    await deliver(client, hiring, result(f"{hiring['tag']}-x", reference(hiring, 0)))
    application_id = hiring["applications"][0]["id"]
    decided = await client.post(f"/v1/applications/{application_id}/decisions", headers=bearer(hiring["hr"]), json={
        "automated_output": "comparison_ranking", "decision": "advance", "reason": "strong answers", "rank": 1,
        "overall": "78.00"})
    assert decided.status_code == 201, decided.text
    url = f"/v1/applications/{application_id}/explanation"
    answer = await client.get(url, headers=bearer(hiring["hr"], **{"Accept-Language": language}))
    assert answer.status_code == 200, answer.text
    explained = answer.json()
    assert explained["locale"] == locale and explained["source"] == "ai" and explained["ai_consent"] is True
    assert explained["overall"] == "78.00" and explained["passed"] is True and explained["job_title"] == phrase
    rows = {c["code"]: c for c in explained["competencies"]}
    assert (rows["communication"]["name"], rows["problem_solving"]["name"]) == names
    assert (rows["communication"]["score"], rows["communication"]["weight_percent"]) == ("75.00", "40")
    assert (rows["problem_solving"]["score"], rows["problem_solving"]["weight_percent"]) == ("80.00", "60")
    assert rows["communication"]["evidence_kinds"] == ["structured_interview"]
    assert rows["problem_solving"]["source"] == "ai"
    text = " ".join(explained["summary"])
    for number in ("78.00", "75.00", "80.00", "40%", "60%", "55"):
        assert number in text, number
    assert "This explains" not in text  # written in the reader's language, not English
    assert [(d["decided_by"], d["decision"]) for d in explained["decisions"] if d["kind"] == "decision"] == [
        ("safeguards-hr", "advance")]
    page = await client.get(f"{url}?format=html", headers=bearer(hiring["hr"], **{"Accept-Language": language}))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'lang="{locale}"' in page.text and "78.00" in page.text and names[1] in page.text
    trail = (await client.get(f"/v1/audit/entries?entity_type=application&entity_id={application_id}&limit=200",
                              headers=bearer(hiring["hr"]))).json()["items"]
    assert "evaluation.explained" in {entry["action"] for entry in trail}


async def test_a_candidate_reads_only_their_own_explanation(client: Any, hiring: dict[str, Any]) -> None:
    await deliver(client, hiring, result(f"{hiring['tag']}-own", reference(hiring, 0)))
    own, other = hiring["applications"][0]["id"], hiring["applications"][1]["id"]
    token = (await client.post(f"/v1/candidates/{hiring['candidates'][0]['id']}/portal-tokens",
                               headers=bearer(hiring["hr"]))).json()["token"]
    mine = await client.get(f"/v1/candidate-portal/applications/{own}/explanation",
                            headers=bearer(token, **{"Accept-Language": "ja"}))
    assert mine.status_code == 200, mine.text
    assert mine.json()["overall"] == "78.00" and mine.json()["locale"] == "ja"
    staff = (await client.get(f"/v1/applications/{own}/explanation", headers=bearer(hiring["hr"]))).json()
    assert [c["score"] for c in staff["competencies"]] == [c["score"] for c in mine.json()["competencies"]]
    # Without Accept-Language, in the candidate's own language.
    own_language = (await client.get(f"/v1/candidate-portal/applications/{own}/explanation",
                                     headers=bearer(token))).json()
    assert own_language["locale"] == "zh-CN" and own_language["job_title"] == "支持主管"
    theirs = await client.get(f"/v1/candidate-portal/applications/{other}/explanation", headers=bearer(token))
    missing = await client.get(f"/v1/candidate-portal/applications/{uuid.uuid4()}/explanation", headers=bearer(token))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"]
    # A candidate token reaches no staff view, and staff do not read through the candidate's portal.
    assert (await client.get(f"/v1/applications/{own}/explanation", headers=bearer(token))).status_code == 403
    assert (await client.get(f"/v1/candidate-portal/applications/{own}/explanation",
                             headers=bearer(hiring["hr"]))).status_code == 403


async def test_another_tenants_applications_and_results_answer_like_missing_ones(
        client: Any, hiring: dict[str, Any], tenant_b: Any) -> None:
    seeded = await seed_tenant_b(tenant_b)
    foreign, hr = seeded["application_id"], bearer(hiring["hr"])
    for method, path, body in [
        ("GET", f"/v1/applications/{foreign}/explanation", None),
        ("GET", f"/v1/applications/{foreign}/human-evaluations", None),
        ("POST", f"/v1/applications/{foreign}/human-evaluations",
         {"competencies": [{"code": "coding", "score": "50"}]}),
        ("GET", f"/v1/applications/{foreign}/decisions", None),
        ("POST", f"/v1/applications/{foreign}/decisions",
         {"automated_output": "comparison_ranking", "decision": "hold", "reason": "x"}),
        ("POST", f"/v1/interview-results/{uuid.uuid4()}/release", {"reason": "x"}),
    ]:
        answer = await client.request(method, path, headers=hr, json=body)
        assert answer.status_code == 404, (path, answer.text)
    assert (await client.get(f"/v1/jobs/{seeded['job_id']}/feedback-loop/decisions", headers=hr)).status_code == 404


async def test_a_withdrawn_consent_takes_an_evaluated_result_out_of_comparisons_at_once(
        client: Any, hiring: dict[str, Any]) -> None:
    await deliver(client, hiring, result(f"{hiring['tag']}-w", reference(hiring, 0)))
    application_id = hiring["applications"][0]["id"]
    assert (await compare(client, hiring, 0, 1))[application_id]["evaluation_source"] == "ai"
    candidate_id = hiring["candidates"][0]["id"]
    consents = (await client.get(f"/v1/candidates/{candidate_id}/consents", headers=bearer(hiring["hr"]))).json()
    for consent in consents["items"]:
        await client.post(f"/v1/candidates/{candidate_id}/consents/{consent['id']}/withdraw",
                          headers=bearer(hiring["hr"]))
    compared = (await compare(client, hiring, 0, 1))[application_id]
    assert (compared["evaluation_source"], compared["overall"]) == ("none", None)
    explained = (await client.get(f"/v1/applications/{application_id}/explanation",
                                  headers=bearer(hiring["hr"]))).json()
    assert (explained["ai_consent"], explained["source"], explained["overall"]) == (False, "none", None)
    assert all(c["score"] is None for c in explained["competencies"])
    recompute = await client.post(f"/v1/applications/{application_id}/evaluations/recompute",
                                  headers=bearer(hiring["hr"]))
    assert recompute.status_code == 409 and recompute.json()["code"] == "no_ai_consent"


async def _restrict(client: Any, hiring: dict[str, Any], index: int) -> dict[str, Any]:
    """An approved data-subject restriction request for the ``index``th candidate."""
    opened = await client.post("/v1/data-subject-requests", headers=bearer(hiring["hr"]), json={
        "kind": "restriction", "person_kind": "candidate", "person_id": hiring["candidates"][index]["id"],
        "country": "CN"})
    assert opened.status_code == 201, opened.text
    approved = await client.post(f"/v1/data-subject-requests/{opened.json()['id']}/decisions",
                                 headers=bearer(hiring["hr"], **{"If-Match": '"v1"'}), json={"action": "approve"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed" and approved.json()["outcome"]["restricted"] is True
    return approved.json()


async def test_a_restricted_candidates_result_is_parked_until_a_reviewer_lifts_the_restriction(
        client: Any, hiring: dict[str, Any]) -> None:
    """The candidate consented to AI-assisted evaluation, then restricted processing: their vendor result is parked
    (processing_restricted), they are left out of comparisons, recomputes, person's evaluations and releases; once a
    reviewer lifts the restriction (audited), a person releases the parked result and it counts again."""
    application_id = hiring["applications"][0]["id"]
    request = await _restrict(client, hiring, 0)
    answer = await deliver(client, hiring, result(f"{hiring['tag']}-x0", reference(hiring, 0)))
    assert answer.status_code == 200, answer.text
    parked = answer.json()
    assert parked["result"]["status"] == "parked" and parked["result"]["parked_reason"] == "processing_restricted"
    assert parked["result"]["application_id"] == application_id and parked["evaluation"] is None
    listed = (await client.get("/v1/interview-results?status=parked&limit=200", headers=bearer(hiring["hr"]))).json()
    assert {r["parked_reason"] for r in listed["items"] if r["id"] == parked["result"]["id"]} == {
        "processing_restricted"}
    batch = await post_signed(client, hiring, "result-batches", json.dumps({
        "schema": "meridian.interview-result-batch.v1",
        "results": [result(f"{hiring['tag']}-x1", reference(hiring, 0))]}).encode())
    assert batch.status_code == 200, batch.text
    assert batch.json()["items"][0]["parked_reason"] == "processing_restricted"
    compared = await compare(client, hiring, 0, 1, 2)
    assert application_id not in compared and hiring["applications"][1]["id"] in compared
    ja = bearer(hiring["hr"], **{"Accept-Language": "ja"})
    recomputed = await client.post(f"/v1/applications/{application_id}/evaluations/recompute", headers=ja)
    assert recomputed.status_code == 409 and recomputed.json()["code"] == "processing_restricted"
    assert recomputed.json()["title"] != "Processing restricted"  # localised
    scored = await client.post(f"/v1/applications/{application_id}/human-evaluations", headers=bearer(hiring["hr"]),
                               json={"competencies": [{"code": "communication", "score": "70",
                                                       "evidence_kind": "structured_interview"}]})
    assert scored.status_code == 409 and scored.json()["code"] == "processing_restricted"
    url = f"/v1/interview-results/{parked['result']['id']}/release"
    early = await client.post(url, headers=bearer(hiring["hr"]), json={"reason": "asked"})
    assert early.status_code == 409 and early.json()["code"] == "processing_restricted"

    decisions = f"/v1/data-subject-requests/{request['id']}/decisions"
    current = {"If-Match": f'"v{request["version"]}"'}
    no_reason = await client.post(decisions, headers=bearer(hiring["hr"], **current), json={"action": "lift"})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "lift_reason_missing"
    lifted = await client.post(decisions, headers=bearer(hiring["hr"], **current), json={
        "action": "lift", "reason": "The candidate withdrew the objection in writing."})
    assert lifted.status_code == 200, lifted.text
    view = lifted.json()
    assert view["status"] == "lifted" and view["outcome"]["restricted"] is False
    assert view["outcome"]["lifted"]["by"] == "safeguards-hr"
    again = await client.post(decisions, headers=bearer(hiring["hr"], **{"If-Match": f'"v{view["version"]}"'}),
                              json={"action": "lift", "reason": "The candidate withdrew the objection again."})
    assert again.status_code == 409 and again.json()["code"] == "data_subject_restriction_not_in_force"
    trail = (await client.get("/v1/audit/entries", headers=bearer(hiring["hr"]), params={
        "entity_type": "data_subject_request", "entity_id": request["id"]})).json()["items"]
    assert "data_subject_request.restriction_lifted" in [entry["action"] for entry in trail]

    # Lifted: the result still waits for a person, who releases it with a decision record.
    assert application_id not in {c for c, v in (await compare(client, hiring, 0, 1, 2)).items()
                                  if v["evaluation_source"] == "ai"}
    released = await client.post(url, headers=bearer(hiring["hr"]), json={"reason": "restriction lifted"})
    assert released.status_code == 200, released.text
    assert released.json()["evaluation"]["overall"] == "78.00"
    assert released.json()["decision"]["based_on"]["parked_reason"] == "processing_restricted"
    compared = await compare(client, hiring, 0, 1, 2)
    assert compared[application_id]["evaluation_source"] == "ai" and compared[application_id]["overall"] == "78.00"


async def test_a_stage_move_on_an_ai_pass_fail_is_recorded_as_a_persons_decision(
        client: Any, hiring: dict[str, Any], tenant_a: Any, token_for: Any) -> None:
    """The first candidate's AI evaluation (78.00, passed) is in use: moving the application is a person's decision on
    that pass/fail, recorded in the same transaction; a partner client cannot make it. The second candidate never
    consented: no automated output is in use, so a move records nothing."""
    evaluated = (await deliver(client, hiring, result(f"{hiring['tag']}-m0", reference(hiring, 0)))).json()
    evaluation = evaluated["evaluation"]
    assert evaluation["passed"] is True
    first, second = hiring["applications"][0]["id"], hiring["applications"][1]["id"]
    partner = await token_for(tenant_a, "tenant_admin", subject="stage-partner",
                              scopes=["applications:write", "applications:read"])
    refused = await client.post(f"/v1/applications/{first}/stage", headers=bearer(partner, **{"If-Match": '"v1"'}),
                                json={"stage": "interview_passed", "reason": "Scored 78"})
    assert refused.status_code == 403 and refused.json()["code"] == "decision_needs_a_person"
    moved = await client.post(f"/v1/applications/{first}/stage", headers=bearer(hiring["hr"], **{"If-Match": '"v1"'}),
                              json={"stage": "interview_passed", "reason": "The interview result and my notes agree"})
    assert moved.status_code == 200, moved.text
    decisions = (await client.get(f"/v1/applications/{first}/decisions", headers=bearer(hiring["hr"]))).json()["items"]
    assert [(d["automated_output"], d["decision"], d["reviewed_by"], d["reason"]) for d in decisions] == [
        ("evaluation_pass_fail", "advance", "safeguards-hr", "The interview result and my notes agree")]
    based_on = decisions[0]["based_on"]
    assert (based_on["evaluation_id"], based_on["overall"], based_on["passed"]) == (evaluation["id"], "78.00", True)
    assert (based_on["from_stage"], based_on["to_stage"]) == ("applied", "interview_passed")
    rejected = await client.post(f"/v1/applications/{first}/stage",
                                 headers=bearer(hiring["hr"], **{"If-Match": f'"v{moved.json()["version"]}"'}),
                                 json={"stage": "rejected", "reason": "Another candidate was chosen"})
    assert rejected.status_code == 200, rejected.text
    decisions = (await client.get(f"/v1/applications/{first}/decisions", headers=bearer(hiring["hr"]))).json()["items"]
    assert [d["decision"] for d in decisions] == ["advance", "rejected"]
    stale = await client.post(f"/v1/applications/{first}/stage", headers=bearer(hiring["hr"], **{"If-Match": '"v1"'}),
                              json={"stage": "offer", "reason": "Stale"})
    assert stale.status_code == 412
    assert len((await client.get(f"/v1/applications/{first}/decisions",
                                 headers=bearer(hiring["hr"]))).json()["items"]) == 2  # nothing without the move
    await deliver(client, hiring, result(f"{hiring['tag']}-m1", reference(hiring, 1)))  # parked: no consent
    plain = await client.post(f"/v1/applications/{second}/stage", headers=bearer(hiring["hr"], **{"If-Match": '"v1"'}),
                              json={"stage": "screening", "reason": "CV read"})
    assert plain.status_code == 200, plain.text
    assert (await client.get(f"/v1/applications/{second}/decisions",
                             headers=bearer(hiring["hr"]))).json()["items"] == []


async def test_acting_on_an_attrition_risk_needs_a_persons_decision_record(
        client: Any, tenant_a: Any, token_for: Any, population: dict[str, Any]) -> None:  # noqa: F811
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="attrition-reviewer")
    report = (await client.get("/v1/analytics/attrition", headers=bearer(hr))).json()
    mine = {h.id for h in population["hires"]}
    row = next(r for r in report["employees"] if uuid.UUID(r["employee_id"]) in mine)
    url = f"/v1/analytics/attrition/{row['employee_id']}/decisions"
    assert (await client.get(url, headers=bearer(hr))).json()["items"] == []
    partner = await token_for(tenant_a, "tenant_admin", subject="attrition-partner",
                              scopes=["employees:write", "analytics:read"])
    refused = await client.post(url, headers=bearer(partner), json={"decision": "accepted", "reason": "Automated"})
    assert refused.status_code == 403 and refused.json()["code"] == "decision_needs_a_person"
    decided = await client.post(url, headers=bearer(hr), json={
        "decision": "accepted", "reason": "A retention conversation with the manager this month"})
    assert decided.status_code == 201, decided.text
    decision = decided.json()
    assert (decision["automated_output"], decision["decision"], decision["reviewed_by"], decision["subject_type"]) == (
        "attrition_risk", "accepted", "attrition-reviewer", "employee")
    assert decision["based_on"]["score"] == row["risk"]["score"] and decision["based_on"]["band"] == row["risk"]["band"]
    assert set(decision["based_on"]["top_factors"]) == {f["feature"] for f in row["risk"]["top_factors"]}
    assert [d["id"] for d in (await client.get(url, headers=bearer(hr))).json()["items"]] == [decision["id"]]
    trail = (await client.get("/v1/audit/entries", headers=bearer(hr), params={
        "entity_type": "employee", "entity_id": row["employee_id"]})).json()["items"]
    assert "decision.recorded" in [entry["action"] for entry in trail]
    unknown = await client.post(f"/v1/analytics/attrition/{uuid.uuid4()}/decisions", headers=bearer(hr),
                                json={"decision": "hold", "reason": "Nobody"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "employee_not_found"
    # Restricted (a data-subject request): not scored, so nothing to decide on.
    opened = await client.post("/v1/data-subject-requests", headers=bearer(hr), json={
        "kind": "restriction", "person_kind": "employee", "person_id": row["employee_id"]})
    assert opened.status_code == 201, opened.text
    approved = await client.post(f"/v1/data-subject-requests/{opened.json()['id']}/decisions",
                                 headers=bearer(hr, **{"If-Match": '"v1"'}), json={"action": "approve"})
    assert approved.status_code == 200, approved.text
    restricted = await client.post(url, headers=bearer(hr), json={"decision": "hold", "reason": "Watch"})
    assert restricted.status_code == 409 and restricted.json()["code"] == "processing_restricted"


async def test_a_result_mapped_to_a_restricted_candidate_stays_parked_for_the_restriction(
        client: Any, hiring: dict[str, Any]) -> None:
    """A result delivered under a reference nobody mapped yet waits (reference_not_mapped); mapping it to the
    application of a candidate whose processing is restricted attaches it but keeps it parked, now for that reason."""
    await _restrict(client, hiring, 0)
    late = f"{hiring['tag']}-late-ref"
    parked = (await deliver(client, hiring, result(f"{hiring['tag']}-u0", late))).json()["result"]
    assert parked["parked_reason"] == "reference_not_mapped" and parked["application_id"] is None
    mapped = await client.post(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/references",
                               headers=bearer(hiring["hr"]), json={
                                   "kind": "application", "reference": late,
                                   "application_id": hiring["applications"][0]["id"]})
    assert mapped.status_code == 201, mapped.text
    listed = (await client.get("/v1/interview-results?status=parked&limit=200", headers=bearer(hiring["hr"]))).json()
    shown = next(r for r in listed["items"] if r["id"] == parked["id"])
    assert (shown["application_id"], shown["parked_reason"]) == (hiring["applications"][0]["id"],
                                                                 "processing_restricted")
    evaluations = (await client.get(f"/v1/applications/{hiring['applications'][0]['id']}/evaluations",
                                    headers=bearer(hiring["hr"]))).json()
    assert evaluations["items"] == []


async def test_a_hire_uses_an_ai_evaluation_only_with_consent_and_records_the_persons_decision(
        client: Any, hiring: dict[str, Any]) -> None:
    """Hiring the first candidate (AI evaluation in use) records the hire as a person's decision on its pass/fail and
    links the employment to the evaluation; their second application was evaluated while they consented, but they
    withdrew before that hire: it neither uses the evaluation nor records a decision on it."""
    hr = hiring["hr"]
    entity_id = hiring["job"]["legal_entity_id"]
    body = {"legal_entity_id": entity_id, "position": "Support lead", "start_date": "2026-09-28",
            "weekly_hours": "40", "probation_months": 3, "fixed_term_months": 36,
            "pay": {"amount": "15000.00", "currency": "CNY", "unit": "month"}}
    evaluated = (await deliver(client, hiring, result(f"{hiring['tag']}-h0", reference(hiring, 0)))).json()
    first = hiring["applications"][0]["id"]
    hired = await client.post(f"/v1/applications/{first}/hire", headers=bearer(hr), json=body)
    assert hired.status_code == 201, hired.text
    employments = (await client.get(f"/v1/employees/{hired.json()['id']}/employments", headers=bearer(hr))).json()
    assert employments["items"][0]["evaluation_id"] == evaluated["evaluation"]["id"]
    decisions = (await client.get(f"/v1/applications/{first}/decisions", headers=bearer(hr))).json()["items"]
    assert [(d["automated_output"], d["decision"], d["reason"], d["based_on"]["evaluation_id"]) for d in decisions] \
        == [("evaluation_pass_fail", "advance", "hired", evaluated["evaluation"]["id"])]

    candidate_id = hiring["candidates"][0]["id"]
    # A second application of a consenting candidate, evaluated, then the consent withdrawn before the hire.
    second_job = (await client.post("/v1/jobs", headers=bearer(hr), json={
        "legal_entity_id": entity_id, "location": "Shanghai", "title": {"en": "Team lead"}})).json()
    assert (await client.post(f"/v1/jobs/{second_job['id']}/competency-model-versions", headers=bearer(hr),
                              json=MODEL)).status_code == 201
    third = (await client.post("/v1/applications", headers=bearer(hr), json={
        "candidate_id": candidate_id, "job_id": second_job["id"]})).json()["id"]
    assert (await client.post(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/references", headers=bearer(hr), json={
        "kind": "application", "reference": f"{hiring['tag']}-third", "application_id": third})).status_code == 201
    later = (await deliver(client, hiring, result(f"{hiring['tag']}-h3", f"{hiring['tag']}-third"))).json()
    assert later["result"]["status"] == "evaluated"
    consents = (await client.get(f"/v1/candidates/{candidate_id}/consents", headers=bearer(hr))).json()
    for consent in consents["items"]:
        await client.post(f"/v1/candidates/{candidate_id}/consents/{consent['id']}/withdraw", headers=bearer(hr))
    rehired = await client.post(f"/v1/applications/{third}/hire", headers=bearer(hr), json=body)
    assert rehired.status_code == 201, rehired.text
    employments = (await client.get(f"/v1/employees/{rehired.json()['id']}/employments", headers=bearer(hr))).json()
    assert employments["items"][0]["evaluation_id"] is None
    assert (await client.get(f"/v1/applications/{third}/decisions", headers=bearer(hr))).json()["items"] == []
