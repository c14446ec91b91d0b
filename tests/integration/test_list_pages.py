"""Every recruitment, interview, assessment and law list is a page: ``items`` and ``next_cursor``, ``limit`` 1 to
200, a stable order that paging walks to the end with every item exactly once, and the filters a list screen
needs. An application row carries its candidate's name and its job's title, read in the same query."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from compliance.registry import law_packs
from tests.conftest import bearer
from tests.integration.test_interview_results import (  # noqa: F401 (hiring is a fixture)
    deliver,
    hiring,
    map_application,
    result_body,
)
from tests.pages import every_item

pytestmark = pytest.mark.anyio

MODEL = {"effective_from": "2026-01-01", "overall_pass_threshold": "60", "competencies": [
    {"code": "coding", "names": {"en": "Coding"}, "weight": "1", "pass_threshold": "60"}]}


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def hr(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="lists-hr")


@pytest.fixture
async def job(client: Any, hr: str) -> dict[str, Any]:
    entity = await created(await client.post("/v1/legal-entities", headers=bearer(hr), json={
        "name": f"Lists Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY",
        "timezone": "Asia/Shanghai"}))
    return await created(await client.post("/v1/jobs", headers=bearer(hr), json={
        "legal_entity_id": entity["id"], "location": "Shanghai",
        "title": {"en": "Backend engineer", "zh_CN": "后端工程师"}}))


async def new_application(client: Any, hr: str, job: dict[str, Any], name: str = "Chen Jing") -> dict[str, Any]:
    candidate = await created(await client.post("/v1/candidates", headers=bearer(hr), json={
        "full_name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com", "timezone": "Asia/Shanghai"}))
    return await created(await client.post("/v1/applications", headers=bearer(hr), json={
        "candidate_id": candidate["id"], "job_id": job["id"]}))


async def walk(client: Any, url: str, token: str, limit: int) -> list[dict[str, Any]]:
    """Every item, ``limit`` per page; each page but the last is full."""
    items: list[dict[str, Any]] = []
    page_url = httpx.URL(url).copy_merge_params({"limit": limit})
    while True:
        page = (await client.get(page_url, headers=bearer(token))).json()
        assert set(page) == {"items", "next_cursor"}, page
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        assert len(page["items"]) == limit
        page_url = httpx.URL(url).copy_merge_params({"limit": limit, "cursor": page["next_cursor"]})


def assert_refused(response: httpx.Response, status: int, code: str, pointer: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code
    if pointer is not None:
        assert pointer in [error["pointer"] for error in response.json()["errors"]], response.text


async def interviewer(client: Any, tenant_a: Any, token_for: Any, hr: str) -> tuple[str, dict[str, Any]]:
    subject = f"lists-interviewer-{uuid.uuid4().hex[:6]}"
    token = await token_for(tenant_a, "interviewer", subject=subject)
    user = next(u for u in await every_item(client, "/v1/users", bearer(hr)) if u["subject"] == subject)
    return token, user


async def book(client: Any, hr: str, application: dict[str, Any], people: list[dict[str, Any]], start: str,
               end: str) -> dict[str, Any]:
    participants = [{"kind": "candidate", "person_id": application["candidate_id"], "display_name": "Chen Jing",
                     "timezone": "Asia/Shanghai"}]
    participants += [{"kind": "interviewer", "person_id": p["id"], "display_name": p["subject"],
                      "timezone": "Europe/Berlin"} for p in people]
    return await created(await client.post("/v1/interviews", headers=bearer(hr), json={
        "application_id": application["id"], "title": "Technical interview", "start": start, "end": end,
        "participants": participants}))


async def test_every_list_is_a_page_with_a_bounded_limit(client: Any, tenant_a: Any, token_for: Any, hr: str,
                                                         job: dict[str, Any]) -> None:
    application = await new_application(client, hr, job)
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(hr), json=MODEL)
    _, person = await interviewer(client, tenant_a, token_for, hr)
    interview = await book(client, hr, application, [person], "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z")
    lists = [
        "/v1/pipeline-stages", f"/v1/jobs/{job['id']}/competency-model-versions",
        f"/v1/candidates/{application['candidate_id']}/consents", f"/v1/applications/{application['id']}/history",
        f"/v1/interviews/{interview['id']}/feedback", "/v1/interviews", "/v1/vendors", "/v1/interview-results",
        f"/v1/applications/{application['id']}/evaluations", f"/v1/applications/{application['id']}/recordings",
        "/v1/compliance/packs", "/v1/compliance/packs/DE/changes?since=2026-01-01", "/v1/compliance/coverage",
        "/v1/law-choices",
    ]
    for url in lists:
        page = await client.get(url, headers=bearer(hr))
        assert page.status_code == 200, (url, page.text)
        assert set(page.json()) == {"items", "next_cursor"} and isinstance(page.json()["items"], list), url
        one = (await client.get(httpx.URL(url).copy_merge_params({"limit": 1}), headers=bearer(hr))).json()
        assert len(one["items"]) <= 1, url
        for limit in (0, 201):
            assert_refused(await client.get(httpx.URL(url).copy_merge_params({"limit": limit}), headers=bearer(hr)),
                           400, "", "/limit")
        forged = httpx.URL(url).copy_merge_params({"cursor": "bm90LWEtY3Vyc29y"})  # "not-a-cursor"
        assert_refused(await client.get(forged, headers=bearer(hr)), 400, "invalid_cursor", "/cursor")


async def test_paging_to_the_end_returns_every_item_once_in_a_stable_order(
        client: Any, tenant_a: Any, token_for: Any, hr: str, job: dict[str, Any]) -> None:
    application = await new_application(client, hr, job)
    stages = await walk(client, "/v1/pipeline-stages", hr, 3)
    assert [s["code"] for s in stages] == [s["code"] for s in await every_item(client, "/v1/pipeline-stages",
                                                                                  bearer(hr))]
    assert [s["position"] for s in stages] == sorted(s["position"] for s in stages)

    url = f"/v1/jobs/{job['id']}/competency-model-versions"
    for month in ("01", "04", "07"):
        await created(await client.post(url, headers=bearer(hr), json={**MODEL, "effective_from": f"2026-{month}-01"}))
    assert [v["number"] for v in await walk(client, url, hr, 1)] == [1, 2, 3]

    url = f"/v1/candidates/{application['candidate_id']}/consents"
    given = [(await created(await client.post(url, headers=bearer(hr), json={
        "purpose": purpose, "given_at": "2026-11-20T09:00:00+08:00", "evidence": "portal checkbox"})))["id"]
        for purpose in ("recruitment", "recording", "talent_pool")]
    assert [c["id"] for c in await walk(client, url, hr, 2)] == given

    etag = (await client.get(f"/v1/applications/{application['id']}", headers=bearer(hr))).headers["etag"]
    for stage in ("screening", "interview", "offer"):
        moved = await client.post(f"/v1/applications/{application['id']}/stage", headers=bearer(
            hr, **{"If-Match": etag}), json={"stage": stage, "reason": "next"})
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    history = await walk(client, f"/v1/applications/{application['id']}/history", hr, 1)
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "applied"), ("applied", "screening"), ("screening", "interview"), ("interview", "offer")]

    first_token, first = await interviewer(client, tenant_a, token_for, hr)
    second_token, second = await interviewer(client, tenant_a, token_for, hr)
    starts = ["2027-04-01T09:00:00Z", "2027-04-01T11:00:00Z", "2027-04-02T09:00:00Z"]
    booked = {start: await book(client, hr, application, [first, second], start, start.replace("T09", "T10")
                                .replace("T11", "T12")) for start in reversed(starts)}
    listed = await walk(client, f"/v1/interviews?application_id={application['id']}", hr, 1)
    assert [i["start_utc"] for i in listed] == starts and [i["id"] for i in listed] == [booked[s]["id"] for s in starts]
    assert {len(i["participants"]) for i in listed} == {3}
    url = f"/v1/interviews/{booked[starts[0]]['id']}/feedback"
    feedback = {"ratings": {"coding": "70"}, "recommendation": "yes"}
    given = [(await created(await client.post(url, headers=bearer(token), json=feedback)))["id"]
             for token in (first_token, second_token)]
    assert [f["id"] for f in await walk(client, url, hr, 1)] == given

    url = f"/v1/applications/{application['id']}/recordings"
    uploaded = [(await created(await client.post(f"{url}?filename=part-{n}.txt", content=f"part {n}".encode(),
                                                 headers=bearer(hr, **{"Content-Type": "text/plain"}))))["id"]
                for n in range(3)]
    assert [r["id"] for r in await walk(client, url, hr, 2)] == uploaded

    vendors = [(await created(await client.post("/v1/vendors", headers=bearer(hr), json={
        "name": f"Pager {n} {uuid.uuid4().hex[:6]}"})))["vendor"]["id"] for n in range(3)]
    every_vendor = [v["id"] for v in await walk(client, "/v1/vendors", hr, 2)]
    assert len(every_vendor) == len(set(every_vendor)) and [v for v in every_vendor if v in vendors] == vendors


async def test_in_memory_lists_page_like_tables(client: Any, hr: str) -> None:
    """Packs, the changes feed, coverage and written choices: walked in small pages, they equal one big page."""
    packs = await walk(client, "/v1/compliance/packs", hr, 7)
    assert [p["country"] for p in packs] == sorted(law_packs())
    url = "/v1/compliance/packs/CN/changes?since=2025-01-01"
    changes = await walk(client, url, hr, 5)
    assert changes == await every_item(client, url, bearer(hr)) and len(changes) > 5
    keys = [(c["effective_from"], c["series"], c["region"] or "", c["parameter"], c["origin"]) for c in changes]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    coverage = await walk(client, "/v1/compliance/coverage?on=2026-12-02", hr, 10)
    assert coverage == await every_item(client, "/v1/compliance/coverage?on=2026-12-02", bearer(hr))
    keys = [(r["country"], r["series"], r["region"] or "") for r in coverage]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    made = []
    try:
        for country in ("TH", "NL"):
            made.append((await created(await client.post("/v1/law-choices", headers=bearer(hr), json={
                "country": country, "series": "labour", "kind": "accept_unverified", "reason": "paging test"})))["id"])
        choices = [c["id"] for c in await walk(client, "/v1/law-choices", hr, 1)]
        assert [c for c in choices if c in made] == made and len(set(choices)) == len(choices)
    finally:
        for choice in made:
            await client.delete(f"/v1/law-choices/{choice}", headers=bearer(hr))


async def test_evaluations_page_oldest_first(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    application = hiring["applications"][0]
    reference = f"app-pages-{uuid.uuid4().hex[:6]}"
    assert (await map_application(client, hiring, reference, application)).status_code == 201
    delivered = await deliver(client, hiring, result_body(f"res-{reference}", reference), timestamp=int(time.time()))
    assert delivered.status_code == 200, delivered.text
    url = f"/v1/applications/{application['id']}/evaluations"
    recomputed = [(await created(await client.post(f"{url}/recompute", headers=bearer(hiring["hr"]))))["id"]
                  for _ in range(2)]
    evaluations = await walk(client, url, hiring["hr"], 1)
    assert [e["id"] for e in evaluations][1:] == recomputed
    assert [e["reason"] for e in evaluations] == ["received", "recomputed", "recomputed"]


async def test_applications_filter_by_job_stage_and_changes_since(client: Any, hr: str,
                                                                  job: dict[str, Any]) -> None:
    first, second = await new_application(client, hr, job), await new_application(client, hr, job, "Wu Fang")
    moved_since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 1))
    etag = (await client.get(f"/v1/applications/{second['id']}", headers=bearer(hr))).headers["etag"]
    moved = await client.post(f"/v1/applications/{second['id']}/stage", json={"stage": "screening", "reason": "cv"},
                              headers=bearer(hr, **{"If-Match": etag}))
    assert moved.status_code == 200, moved.text
    of_job = f"/v1/applications?job_id={job['id']}"
    assert [a["id"] for a in await walk(client, of_job, hr, 1)] == [first["id"], second["id"]]
    screening = await every_item(client, f"{of_job}&stage=screening", bearer(hr))
    assert [a["id"] for a in screening] == [second["id"]]
    applied = await every_item(client, f"{of_job}&stage=applied", bearer(hr))
    assert [a["id"] for a in applied] == [first["id"]]
    since = await every_item(client, str(httpx.URL(of_job).copy_merge_params({"updated_since": moved_since})),
                             bearer(hr))
    assert second["id"] in [a["id"] for a in since]
    later = await every_item(client, f"{of_job}&updated_since=2199-01-01T00:00:00Z", bearer(hr))
    assert later == []
    assert_refused(await client.get(f"{of_job}&updated_since=2026-01-01T00:00:00", headers=bearer(hr)),
                   400, "naive_datetime", "/updated_since")
    assert_refused(await client.get(f"{of_job}&stage=teleported", headers=bearer(hr)),
                   422, "stage_not_found", "/stage")
    assert_refused(await client.get(f"{of_job}&stage=Not-A-Code", headers=bearer(hr)), 400, "", "/stage")


async def test_jobs_filter_by_legal_entity_and_candidates_by_changes_since(client: Any, hr: str,
                                                                           job: dict[str, Any]) -> None:
    jobs = await every_item(client, f"/v1/jobs?legal_entity_id={job['legal_entity_id']}", bearer(hr))
    assert [j["id"] for j in jobs] == [job["id"]]
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    application = await new_application(client, hr, job)
    recent = await every_item(client, f"/v1/candidates?updated_since={since}", bearer(hr))
    assert application["candidate_id"] in [c["id"] for c in recent]
    assert await every_item(client, "/v1/candidates?updated_since=2199-01-01T00:00:00Z", bearer(hr)) == []
    assert_refused(await client.get("/v1/candidates?updated_since=2026-01-01T00:00:00", headers=bearer(hr)),
                   400, "naive_datetime", "/updated_since")


async def test_interviews_are_a_schedule_by_start_in_a_window(client: Any, tenant_a: Any, token_for: Any, hr: str,
                                                              job: dict[str, Any]) -> None:
    application = await new_application(client, hr, job)
    _, person = await interviewer(client, tenant_a, token_for, hr)
    late, early = (await book(client, hr, application, [person], "2027-05-03T09:00:00Z", "2027-05-03T10:00:00Z"),
                   await book(client, hr, application, [person], "2027-05-01T09:00:00Z", "2027-05-01T10:00:00Z"))
    # from is inclusive and to exclusive; offsets are honoured (11:00+02:00 is 09:00 UTC)
    window = {"from": "2027-05-01T11:00:00+02:00", "to": "2027-05-03T09:00:00Z"}
    mine = await every_item(client, str(httpx.URL("/v1/interviews").copy_merge_params(window)), bearer(hr))
    assert [i["id"] for i in mine if i["application_id"] == application["id"]] == [early["id"]]
    wider = {"from": "2027-05-01T00:00:00Z", "to": "2027-05-04T00:00:00Z"}
    schedule = await every_item(client, str(httpx.URL("/v1/interviews").copy_merge_params(wider)), bearer(hr))
    assert [i["id"] for i in schedule if i["application_id"] == application["id"]] == [early["id"], late["id"]]
    assert [i["start_utc"] for i in schedule] == sorted(i["start_utc"] for i in schedule)
    reversed_window = httpx.URL("/v1/interviews").copy_merge_params({"from": wider["to"], "to": wider["from"]})
    assert_refused(await client.get(reversed_window, headers=bearer(hr)), 400, "window_ends_before_start", "/to")
    assert_refused(await client.get("/v1/interviews?from=2027-05-01T00:00:00", headers=bearer(hr)),
                   400, "naive_datetime", "/from")
    assert (await client.get(f"/v1/interviews?application_id={uuid.uuid4()}", headers=bearer(hr))).status_code == 404


async def _clear_reads(client: Any, auditor: str, candidate_id: str) -> int:
    trail = await every_item(client, f"/v1/audit/entries?entity_type=candidate&entity_id={candidate_id}",
                             bearer(auditor))
    list_reads = await every_item(client, "/v1/audit/entries?entity_type=candidate&entity_id=list", bearer(auditor))
    return sum(1 for entry in trail + list_reads if entry["action"] == "candidate.personal_data_read"
               and (entry["entity_id"] == candidate_id or candidate_id in str(entry.get("after"))))


async def test_an_application_row_names_its_candidate_as_the_candidates_own_view_does_and_its_job_in_your_language(
        client: Any, tenant_a: Any, token_for: Any, hr: str, job: dict[str, Any]) -> None:
    application = await new_application(client, hr, job, name="Zhou Min")
    # A recruiter's partner app whose token is scoped without pii:read, and a recruiter holding it.
    scoped = await token_for(tenant_a, "recruiter", subject="lists-partner-app",
                             scopes=["applications:read", "candidates:read"])
    recruiter = await token_for(tenant_a, "recruiter", subject="lists-recruiter")
    auditor = await token_for(tenant_a, "auditor", subject="lists-auditor")
    url = f"/v1/applications?job_id={job['id']}"
    before = await _clear_reads(client, auditor, application["candidate_id"])
    for token, masked in ((scoped, True), (recruiter, False)):
        candidate = (await client.get(f"/v1/candidates/{application['candidate_id']}", headers=bearer(token))).json()
        assert candidate["masked"] is masked
        row = (await client.get(url, headers=bearer(token, **{"Accept-Language": "zh-CN"}))).json()["items"][0]
        assert (row["candidate_name"], row["job_title"]) == (candidate["full_name"], "后端工程师")
    # the name is not sealed personal data: a list of applications records no clear read; the candidate's own
    # clear read above (the recruiter's) is the one entry
    assert await _clear_reads(client, auditor, application["candidate_id"]) == before + 1
    japanese = (await client.get(url, headers=bearer(recruiter, **{"Accept-Language": "ja"}))).json()["items"][0]
    assert (japanese["job_title"], japanese["stage_name"]) == ("Backend engineer", "応募済み")  # the tenant default
    one = (await client.get(f"/v1/applications/{application['id']}", headers=bearer(recruiter))).json()
    assert (one["candidate_name"], one["job_title"]) == ("Zhou Min", "Backend engineer")
