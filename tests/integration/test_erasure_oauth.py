"""Erasing a person forgets the partner apps they allowed: their portal user's OAuth consents, refresh tokens,
unredeemed codes and sign-ins in progress go in the erasure's own transaction (a data-subject request's or the
retention purge's), the access tokens issued to the apps for them stop working, and the erasure's audit entry counts
what went without naming anything personal. Another person's consents to the same app stay."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.jobs.service import wait_for_jobs
from domain.kernel.db import current_database, unit_of_work
from domain.privacy.purge import purge_tenant, schedule_daily_purges
from tests.conftest import bearer
from tests.integration.test_erased_person_reads import _erased_by_request, _hired
from tests.integration.test_oauth_hardening import app_client, refresh_as, tokens_for
from tests.integration.test_oauth_pkce import set_provider
from tests.integration.test_privacy_purge import _job_in, _rejected

pytestmark = pytest.mark.anyio

#: Where sign-in keeps what a person granted apps, each row naming the person by their user's subject.
GRANT_TABLES = ("oauth_consents", "refresh_tokens", "authorization_codes", "sign_in_codes", "authorization_requests")


async def _grants_of(tenant_id: uuid.UUID, subject: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with unit_of_work(tenant_id, write=False):
        for table in GRANT_TABLES:
            rows = await current_database().execute(
                f"SELECT count(*) AS n FROM {table} WHERE tenant_id = {{}} AND subject = {{}}",
                str(tenant_id), subject)
            counts[table] = int(rows[0]["n"])
    return counts


async def _authorised(client: Any, admin: str, subject: str, client_id: str) -> dict[str, Any]:
    """The person allowed the app (tokens issued), and an admin issued them a sign-in code they have not used."""
    tokens = await tokens_for(client, admin, subject, client_id, None)
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200
    unused = await client.post("/v1/sign-in-codes", headers=bearer(admin), json={"subject": subject})
    assert unused.status_code == 201, unused.text
    return tokens


async def _refused(client: Any, tokens: dict[str, Any], client_id: str) -> None:
    refreshed = await refresh_as(client, tokens["refresh_token"], client_id, None)
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401


async def _erasure_entry(client: Any, admin: str, person_id: str) -> dict[str, Any]:
    entries = (await client.get("/v1/audit/entries", headers=bearer(admin), params={
        "entity_type": "erasure", "entity_id": person_id})).json()["items"]
    erased = [entry for entry in entries if entry["action"] == "privacy.person_erased"]
    assert len(erased) == 1
    return dict(erased[0])


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="erasure-oauth-admin")


async def test_an_erasure_request_forgets_the_apps_a_candidate_allowed(client: Any, admin: str, tenant_a: Any,
                                                                       token_for: Any) -> None:
    await set_provider(client, admin, None, enabled=False)
    name, email = f"Olga Auth {uuid.uuid4().hex[:6]}", f"olga.{uuid.uuid4().hex[:8]}@example.com"
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": name, "email": email})).json()
    applied = await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": await _job_in(client, admin, "DE")})  # the request's country
    assert applied.status_code == 201, applied.text
    portal = await client.post(f"/v1/candidates/{candidate['id']}/portal-tokens", headers=bearer(admin))
    assert portal.status_code == 201, portal.text
    subject = f"candidate:{candidate['id']}"
    client_id, _ = await app_client(client, admin, confidential=False, name="Candidate companion app")
    tokens = await _authorised(client, admin, subject, client_id)
    bystander = f"employee:{uuid.uuid4()}"
    await token_for(tenant_a, "employee", subject=bystander)
    kept = await tokens_for(client, admin, bystander, client_id, None)
    before = await _grants_of(tenant_a, subject)
    assert before["oauth_consents"] == 1 and before["refresh_tokens"] == 1 and before["sign_in_codes"] == 2

    await _erased_by_request(client, admin, "candidate", candidate["id"])

    assert await _grants_of(tenant_a, subject) == dict.fromkeys(GRANT_TABLES, 0)
    await _refused(client, tokens, client_id)
    assert (await _grants_of(tenant_a, bystander))["oauth_consents"] == 1
    assert (await client.get("/v1/me", headers=bearer(kept["access_token"]))).status_code == 200
    entry = await _erasure_entry(client, admin, candidate["id"])
    assert entry["after"]["oauth_consents"] == 1
    assert entry["after"]["oauth_tokens"] == sum(before.values()) - before["oauth_consents"]
    assert entry["after"]["access_tokens_revoked"] == 1
    assert name not in str(entry) and email not in str(entry) and client_id not in str(entry)
    requests = (await client.get("/v1/data-subject-requests", headers=bearer(admin), params={
        "kind": "erasure", "limit": 200})).json()["items"]
    outcome = next(r for r in requests if r["person_id"] == candidate["id"])["outcome"]["erased"]
    assert (outcome["oauth_consents"], outcome["access_tokens_revoked"]) == (1, 1)


async def test_the_retention_purge_forgets_the_apps_a_candidate_allowed(client: Any, admin: str,
                                                                        tenant_a: Any) -> None:
    await schedule_daily_purges()  # today's scheduled purge has run, so the one below is this test's
    await wait_for_jobs()
    await set_provider(client, admin, None, enabled=False)
    job = await _job_in(client, admin, "DE")  # six months after the rejection
    old = await _rejected(client, admin, job, tenant_a, months_ago=7)
    assert (await client.post(f"/v1/candidates/{old.id}/portal-tokens", headers=bearer(admin))).status_code == 201
    subject = f"candidate:{old.id}"
    client_id, _ = await app_client(client, admin, confidential=False, name="Purged candidate's app")
    tokens = await _authorised(client, admin, subject, client_id)
    before = await _grants_of(tenant_a, subject)

    await purge_tenant(tenant_a, requested_by="tests")

    assert await _grants_of(tenant_a, subject) == dict.fromkeys(GRANT_TABLES, 0)
    await _refused(client, tokens, client_id)
    entry = await _erasure_entry(client, admin, old.id)
    assert (entry["after"]["oauth_consents"], entry["after"]["access_tokens_revoked"]) == (1, 1)
    assert entry["after"]["oauth_tokens"] == sum(before.values()) - before["oauth_consents"]


async def test_an_employees_apps_go_with_the_erasure_and_stay_when_it_rolls_back(client: Any, admin: str,
                                                                               tenant_a: Any) -> None:
    from domain.privacy.erasure import erase_person

    await set_provider(client, admin, None, enabled=False)
    tag = uuid.uuid4().hex[:8]
    _, employee = await _hired(client, admin, tag, f"apps.{tag}@example.com")
    assert (await client.post(f"/v1/employees/{employee['id']}/portal-tokens",
                              headers=bearer(admin))).status_code == 201
    subject = f"employee:{employee['id']}"
    client_id, _ = await app_client(client, admin, confidential=False, name="Payslip companion app")
    tokens = await _authorised(client, admin, subject, client_id)
    before = await _grants_of(tenant_a, subject)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned):
        async with unit_of_work(tenant_a) as uow:
            await erase_person(uow, "employee", uuid.UUID(employee["id"]), reason="test erasure, rolled back")
            raise Abandoned
    assert await _grants_of(tenant_a, subject) == before
    refreshed = await refresh_as(client, tokens["refresh_token"], client_id, None)
    assert refreshed.status_code == 200, refreshed.text

    async with unit_of_work(tenant_a) as uow:
        outcome = await erase_person(uow, "employee", uuid.UUID(employee["id"]), reason="test erasure")
    # Both access tokens (the first, and the one issued beside its successor) are revoked.
    assert (outcome.oauth_consents, outcome.access_tokens_revoked) == (1, 2)
    assert await _grants_of(tenant_a, subject) == dict.fromkeys(GRANT_TABLES, 0)
    await _refused(client, refreshed.json(), client_id)
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401
