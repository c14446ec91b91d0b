"""A vendor delivers up to 100 AI-interview results in one signed request: the signature covers the raw body, each
result is answered accepted, parked, duplicate or refused (with a code and a pointer), the valid ones are stored in
one transaction and audited, a replayed batch is refused, a resent one is answered as duplicates, another tenant's
references and vendors answer like missing ones, and more than 100 results are refused whole."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from domain.assessments import service as assessments
from domain.assessments.service import NewReference
from domain.assessments.signatures import sign
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from tests.conftest import bearer
from tests.integration.test_interview_results import hiring, map_application, result_body  # noqa: F401 (a fixture)
from tests.isolation.test_cross_tenant_probe import seed_tenant_b
from tests.pages import every_item

pytestmark = pytest.mark.anyio


def batch_of(*results: bytes) -> bytes:
    return b'{"schema": "meridian.interview-result-batch.v1", "results": [' + b", ".join(results) + b"]}"


def signed(hiring: dict[str, Any], body: bytes, timestamp: int | None = None) -> str:  # noqa: F811
    return sign(hiring["vendor"]["secret"].encode(), timestamp or int(time.time()), body)


async def deliver_batch(client: Any, hiring: dict[str, Any], body: bytes, *, header: str | None = None,  # noqa: F811
                        tenant: str | None = None, vendor: str | None = None, **headers: str) -> Any:
    url = (f"/v1/vendor-deliveries/{tenant or hiring['tenant']}/{vendor or hiring['vendor']['vendor']['id']}"
           "/result-batches")
    return await client.post(url, content=body, headers={
        "Meridian-Signature": header or signed(hiring, body), "Content-Type": "application/json", **headers})


async def stored_results(client: Any, hiring: dict[str, Any]) -> dict[str, dict[str, Any]]:  # noqa: F811
    vendor_id = hiring["vendor"]["vendor"]["id"]
    results = await every_item(client, "/v1/interview-results", bearer(hiring["hr"]))
    return {r["vendor_result_id"]: r for r in results if r["vendor_id"] == vendor_id}


async def audited_actions(client: Any, hiring: dict[str, Any], result_id: str) -> list[str]:  # noqa: F811
    entries = await every_item(client, f"/v1/audit/entries?entity_type=interview_result&entity_id={result_id}",
                               bearer(hiring["hr"]))
    return [entry["action"] for entry in entries]


def out_of_scale(result_id: str) -> bytes:
    """A result whose first competency scores 9 on a 1-5 scale."""
    return result_body(result_id, "app-batch", scores=("9", "8"))


async def test_a_batch_answers_each_result_and_stores_the_valid_ones_together(client: Any,
                                                                              hiring: dict[str, Any]) -> None:  # noqa: F811
    application = hiring["applications"][0]
    assert (await map_application(client, hiring, "app-batch", application)).status_code == 201
    body = batch_of(result_body("b-1", "app-batch"), result_body("b-2", "app-nobody-mapped"), out_of_scale("b-3"),
                    result_body("b-1", "app-batch"), b'{"schema": "meridian.interview-result.v1"}')
    response = await deliver_batch(client, hiring, body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["accepted"], answer["parked"], answer["duplicates"], answer["refused"]) == (1, 1, 1, 2)
    accepted, parked, refused, repeated, unnamed = answer["items"]
    assert [item["index"] for item in answer["items"]] == [0, 1, 2, 3, 4]

    assert accepted["outcome"] == "accepted" and accepted["result"]["status"] == "evaluated"
    assert accepted["result"]["application_id"] == application["id"]
    # communication 4 on 1-5 -> 75.00; problem solving 8 on 0-10 -> 80.00; 0.4*75 + 0.6*80 = 78.00
    assert accepted["evaluation"]["overall"] == "78.00" and accepted["evaluation"]["passed"] is True
    assert parked["outcome"] == "parked" and parked["parked_reason"] == "reference_not_mapped"
    assert parked["result"]["status"] == "parked" and parked["evaluation"] is None
    assert refused["outcome"] == "refused" and refused["result_id"] == "b-3" and refused["result"] is None
    assert refused["problem"]["code"] == "invalid_interview_result"
    assert refused["problem"]["pointer"] == "/results/2/competencies/0"
    assert "score" in refused["problem"]["detail"]
    # The same result_id twice in one batch is stored once; the second copy is answered as a duplicate of the first.
    assert repeated["outcome"] == "duplicate" and repeated["result"]["id"] == accepted["result"]["id"]
    assert unnamed["outcome"] == "refused" and unnamed["result_id"] is None
    assert unnamed["problem"]["pointer"] == "/results/4/result_id"  # the first required field it lacks

    stored = await stored_results(client, hiring)
    assert set(stored) == {"b-1", "b-2"}
    assert stored["b-1"]["id"] == accepted["result"]["id"] and stored["b-2"]["status"] == "parked"
    for result in (accepted, parked):
        assert await audited_actions(client, hiring, result["result"]["id"]) == ["interview_result.received"]
    evaluations = (await client.get(f"/v1/applications/{application['id']}/evaluations",
                                    headers=bearer(hiring["hr"]))).json()["items"]
    assert [e["id"] for e in evaluations] == [accepted["evaluation"]["id"]]
    verified = (await client.get("/v1/audit/verify", headers=bearer(hiring["hr"]))).json()
    assert verified["valid"] is True


async def test_the_parked_results_of_a_batch_are_evaluated_once_their_reference_is_mapped(
        client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    body = batch_of(*[result_body(f"late-{n}", "app-late", scores=(str(n + 2), "8")) for n in range(3)])
    answer = (await deliver_batch(client, hiring, body)).json()
    assert [item["outcome"] for item in answer["items"]] == ["parked"] * 3
    application = hiring["applications"][1]
    mapped = await map_application(client, hiring, "app-late", application)
    assert sorted(mapped.json()["resolved_results"]) == sorted(item["result"]["id"] for item in answer["items"])
    evaluations = (await client.get(f"/v1/applications/{application['id']}/evaluations",
                                    headers=bearer(hiring["hr"]))).json()["items"]
    # communication 2, 3, 4 on 1-5 -> 25, 50, 75; problem solving 80: 0.4 * c + 48
    assert sorted(e["overall"] for e in evaluations) == ["58.00", "68.00", "78.00"]
    assert {e["reason"] for e in evaluations} == {"mapped"}
    stored = await stored_results(client, hiring)
    assert {stored[f"late-{n}"]["status"] for n in range(3)} == {"evaluated"}


async def test_the_signature_covers_the_exact_bytes_of_the_batch(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    body = batch_of(result_body("sig-1", "app-sig"))
    reformatted = json.dumps(json.loads(body), indent=2).encode()
    response = await deliver_batch(client, hiring, reformatted, header=signed(hiring, body))
    assert response.status_code == 401 and response.json()["code"] == "vendor_signature_mismatch"
    forged = await deliver_batch(client, hiring, body, header=sign(b"mvs_not-the-secret", int(time.time()), body))
    assert forged.status_code == 401 and forged.json()["code"] == "vendor_signature_mismatch"
    assert "sig-1" not in await stored_results(client, hiring)
    log = (await client.get(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/refused-deliveries",
                            headers=bearer(hiring["hr"]))).json()["items"]
    assert [(window["reason"], window["refused"]) for window in log] == [("vendor_signature_mismatch", 2)]


async def test_a_replayed_batch_is_refused_and_a_batch_sent_again_is_answered_as_duplicates(
        client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    assert (await map_application(client, hiring, "app-again", hiring["applications"][2])).status_code == 201
    body = batch_of(result_body("again-1", "app-again"), result_body("again-2", "app-unmapped-again"))
    header = signed(hiring, body)
    first = await deliver_batch(client, hiring, body, header=header)
    assert first.status_code == 200 and first.json()["accepted"] == first.json()["parked"] == 1
    replayed = await deliver_batch(client, hiring, body, header=header)
    assert replayed.status_code == 401 and replayed.json()["code"] == "vendor_signature_replayed"

    again = await deliver_batch(client, hiring, body, header=signed(hiring, body, int(time.time()) + 1))
    assert again.status_code == 200, again.text
    assert again.json()["duplicates"] == 2 and again.json()["accepted"] == again.json()["parked"] == 0
    assert [i["result"]["id"] for i in again.json()["items"]] == [i["result"]["id"] for i in first.json()["items"]]
    assert again.json()["items"][0]["evaluation"]["id"] == first.json()["items"][0]["evaluation"]["id"]
    # A single delivery of a result a batch stored is a duplicate too: idempotent by result_id, whatever the route.
    single = result_body("again-1", "app-again")
    url = f"/v1/vendor-deliveries/{hiring['tenant']}/{hiring['vendor']['vendor']['id']}/results"
    alone = await client.post(url, content=single, headers={"Meridian-Signature": signed(hiring, single),
                                                            "Content-Type": "application/json"})
    assert alone.json()["duplicate"] is True
    assert alone.json()["result"]["id"] == first.json()["items"][0]["result"]["id"]
    evaluations = (await client.get(f"/v1/applications/{hiring['applications'][2]['id']}/evaluations",
                                    headers=bearer(hiring["hr"]))).json()["items"]
    assert len(evaluations) == 1


@pytest.mark.parametrize(("language", "title"), [("en", "Too many results in one batch"),
                                                 ("zh-CN", None), ("ja", None)])
async def test_more_than_100_results_are_refused_whole_in_the_readers_language(
        client: Any, hiring: dict[str, Any], language: str, title: str | None) -> None:  # noqa: F811
    body = batch_of(*[result_body(f"big-{language}-{n}", "app-big") for n in range(101)])
    response = await deliver_batch(client, hiring, body, **{"Accept-Language": language})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "result_batch_too_large"
    assert problem["type"] == "urn:meridian:problem:result_batch_too_large"
    assert [error["pointer"] for error in problem["errors"]] == ["/results"]
    assert "100" in problem["detail"] and "101" in problem["detail"]
    if title:
        assert problem["title"] == title
    else:
        assert problem["title"] != "Too many results in one batch" and problem["title"].isascii() is False
    assert not any(r.startswith(f"big-{language}") for r in await stored_results(client, hiring))
    exactly = await deliver_batch(client, hiring, batch_of(*[result_body(f"full-{language}-{n}", "app-big")
                                                             for n in range(100)]))
    assert exactly.status_code == 200 and exactly.json()["parked"] == 100


async def test_a_refused_item_is_explained_in_the_readers_language(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    english = (await deliver_batch(client, hiring, batch_of(out_of_scale("lang-1")))).json()["items"][0]["problem"]
    again = batch_of(out_of_scale("lang-1"))
    japanese = (await deliver_batch(client, hiring, again, header=signed(hiring, again, int(time.time()) + 1),
                                    **{"Accept-Language": "ja"})).json()["items"][0]["problem"]
    assert english["code"] == japanese["code"] == "invalid_interview_result"
    assert english["pointer"] == japanese["pointer"] and english["title"] != japanese["title"]


@pytest.mark.parametrize("document", [b'{"results": []}', b"[]", b'{"schema": "meridian.interview-result-batch.v1"}'])
async def test_a_document_that_is_not_a_batch_is_refused_whole(client: Any, hiring: dict[str, Any],  # noqa: F811
                                                               document: bytes) -> None:
    response = await deliver_batch(client, hiring, document)
    assert response.status_code == 400 and response.json()["code"] == "invalid_interview_result_batch"


async def test_a_batch_naming_a_key_twice_is_refused_whole(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    body = batch_of(result_body("dup-1", "app-dup")).replace(b'"vendor": "Acme Interviews"',
                                                             b'"vendor": "Acme Interviews", "vendor": "Evil"', 1)
    response = await deliver_batch(client, hiring, body)
    assert response.status_code == 400 and response.json()["code"] == "duplicate_json_key"
    assert "dup-1" not in await stored_results(client, hiring)


async def test_another_tenants_references_and_vendors_answer_like_missing_ones(
        client: Any, hiring: dict[str, Any], tenant_b: Any) -> None:  # noqa: F811
    seeded = await seed_tenant_b(tenant_b)
    owner_b = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    reference = f"b-only-{uuid.uuid4().hex[:8]}"
    await assessments.map_reference(owner_b, uuid.UUID(seeded["vendor_id"]), NewReference(
        kind="application", reference=reference, application_id=uuid.UUID(seeded["application_id"])))
    # Tenant B mapped this reference for its own vendor: tenant A's result under it is parked, as under any unknown one.
    answer = (await deliver_batch(client, hiring, batch_of(result_body("cross-1", reference)))).json()
    assert answer["items"][0]["outcome"] == "parked" and answer["items"][0]["result"]["application_id"] is None

    body = batch_of(result_body("cross-2", "app-cross"))
    answers = [await deliver_batch(client, hiring, body, vendor=seeded["vendor_id"]),
               await deliver_batch(client, hiring, body, tenant=str(tenant_b)),
               await deliver_batch(client, hiring, body, vendor=str(uuid.uuid4()))]
    assert {(r.status_code, r.json()["code"], r.json()["detail"]) for r in answers} == {
        (401, "vendor_signature_mismatch", answers[0].json()["detail"])}
    assert "cross-2" not in await stored_results(client, hiring)


async def test_a_batch_checks_against_the_contract_without_storing(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    body = json.loads(batch_of(result_body("check-1", "app-check")))
    checked = await client.post("/v1/interview-results/contract-checks/batches", headers=bearer(hiring["hr"]),
                                json=body)
    assert checked.status_code == 200 and checked.json()["results"][0]["result_id"] == "check-1"
    too_many = await client.post("/v1/interview-results/contract-checks/batches", headers=bearer(hiring["hr"]),
                                 json={**body, "results": body["results"] * 101})
    assert too_many.status_code == 400
    assert "check-1" not in await stored_results(client, hiring)
