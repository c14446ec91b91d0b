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
