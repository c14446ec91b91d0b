"""A claim on an Idempotency-Key whose request died with its process (a killed worker) is not stuck for the day:
once it is older than any request takes, one retry takes it over and runs, and a second retry still waits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.idempotency.service import ABANDONED_AFTER, IdempotentRequestInProgress, claim_or_replay
from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import unit_of_work
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def claim(tenant: uuid.UUID, key: str) -> Any:
    return await claim_or_replay(tenant, "retrying-client", key, "same-request", cipher_for)


async def test_an_abandoned_claim_is_taken_over_by_one_retry(app: Any, tenant_a: uuid.UUID) -> None:
    key = uuid.uuid4().hex
    assert await claim(tenant_a, key) is None  # the first attempt claims it; its worker is then killed
    with pytest.raises(IdempotentRequestInProgress):
        await claim(tenant_a, key)  # a retry while the first might still be running waits

    async with unit_of_work(tenant_a) as uow:
        await IdempotencyRecord.update({IdempotencyRecord.created_at: utc_now() - ABANDONED_AFTER * 2}).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key))

    assert await claim(tenant_a, key) is None  # the retry after the bound runs the request
    with pytest.raises(IdempotentRequestInProgress):
        await claim(tenant_a, key)  # and a second retry waits for it, as for any request in progress


async def test_two_retries_at_once_never_both_take_an_abandoned_claim_over(app: Any, tenant_a: uuid.UUID) -> None:
    import asyncio

    key = uuid.uuid4().hex
    assert await claim(tenant_a, key) is None
    async with unit_of_work(tenant_a) as uow:
        await IdempotencyRecord.update({IdempotencyRecord.created_at: utc_now() - ABANDONED_AFTER * 2}).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key))

    outcomes = await asyncio.gather(claim(tenant_a, key), claim(tenant_a, key), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["IdempotentRequestInProgress", "NoneType"]


async def _answer_lost_with_worker(tenant: uuid.UUID, key: str) -> None:
    """The state a worker killed between its use case's commit and storing the answer leaves behind."""
    async with unit_of_work(tenant) as uow:
        await IdempotencyRecord.update({
            IdempotencyRecord.status_code: None, IdempotencyRecord.response_body: None,
            IdempotencyRecord.created_at: utc_now() - ABANDONED_AFTER * 2,
        }).where((IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key))


async def test_a_retry_after_a_committed_change_whose_answer_was_lost_is_told_and_never_runs_it_again(
        client: Any, tenant_a: uuid.UUID, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="takeover-admin")
    key = uuid.uuid4().hex
    body = {"name": f"Takeover {key[:8]} GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"}
    headers = {**bearer(admin), "Idempotency-Key": key}
    assert (await client.post("/v1/legal-entities", json=body, headers=headers)).status_code == 201
    await _answer_lost_with_worker(tenant_a, key)

    retried = await client.post("/v1/legal-entities", json=body, headers={**headers, "Accept-Language": "ja"})

    assert retried.status_code == 409, retried.text
    assert retried.json()["code"] == "idempotent_request_answer_lost"
    assert "Idempotency-Key" in retried.json()["detail"] and "リクエスト" in retried.json()["detail"]
    listed = await client.get("/v1/legal-entities?limit=200", headers=bearer(admin))
    assert [e["name"] for e in listed.json()["items"]].count(body["name"]) == 1


async def test_a_request_refused_before_any_change_leaves_its_claim_free_to_take_over(
        client: Any, tenant_a: uuid.UUID, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="takeover-admin")
    key = uuid.uuid4().hex
    headers = {**bearer(admin), "Idempotency-Key": key}
    refused = await client.post("/v1/legal-entities", headers=headers, json={
        "name": "No such country", "country": "XX", "currency": "EUR", "timezone": "UTC"})
    assert 400 <= refused.status_code < 500, refused.text
    async with unit_of_work(tenant_a, write=False) as uow:
        claim = await IdempotencyRecord.select(IdempotencyRecord.changed_at).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key)).first()
    assert claim is not None and claim["changed_at"] is None
