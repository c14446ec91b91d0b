"""Stored idempotency answers past their 24-hour window are deleted by a purge that runs by itself, for every
tenant, in bounded batches: a tenant that stops sending keys does not keep its last day's answers."""

from __future__ import annotations

import signal
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.maintenance import purge_expired
from domain.idempotency import service as idempotency
from domain.idempotency.service import StoredResponse
from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import unit_of_work
from domain.keys.service import cipher_for
from tests.integration.test_cli import meridian
from tests.integration.test_serve_process import answers, free_port, installation, serving, wait_until


async def _claim(tenant_id: Any) -> str:
    """A key claimed and answered, as the API claims one for a POST that carries it."""
    key = uuid.uuid4().hex
    assert await idempotency.claim_or_replay(tenant_id, "purge-tests", key, "0" * 64, cipher_for) is None
    await idempotency.remember(tenant_id, "purge-tests", key, StoredResponse(201, b"{}", {}), cipher_for)
    return key


async def _age(tenant_id: Any, keys: list[str], hours: int) -> None:
    async with unit_of_work(tenant_id) as uow:
        await IdempotencyRecord.update({IdempotencyRecord.created_at: datetime.now(UTC) - timedelta(hours=hours)}
                                       ).where((IdempotencyRecord.tenant_id == uow.tenant_id)
                                               & IdempotencyRecord.key.is_in(keys))


async def _kept(tenant_id: Any, keys: list[str]) -> set[str]:
    async with unit_of_work(tenant_id, write=False) as uow:
        rows = await IdempotencyRecord.select(IdempotencyRecord.key).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & IdempotencyRecord.key.is_in(keys))
    return {row["key"] for row in rows}


@pytest.mark.anyio
async def test_a_pass_deletes_every_tenants_expired_answers_without_a_new_claim(
        runtime: Any, tenant_a: Any, tenant_b: Any) -> None:
    expired = [await _claim(tenant_b) for _ in range(3)]
    recent = await _claim(tenant_b)
    await _age(tenant_b, expired, 25)
    elsewhere = await _claim(tenant_a)

    assert await purge_expired() >= len(expired)
    assert await _kept(tenant_b, [*expired, recent]) == {recent}
    assert await _kept(tenant_a, [elsewhere]) == {elsewhere}


@pytest.mark.anyio
async def test_a_tenants_purge_deletes_in_bounded_batches_until_none_is_left(runtime: Any, tenant_b: Any) -> None:
    expired = [await _claim(tenant_b) for _ in range(5)]
    await _age(tenant_b, expired, 25)
    assert await idempotency.purge_expired(tenant_b, batch=2) >= len(expired)
    assert await _kept(tenant_b, expired) == set()


def _store_claims(database: Path, ages: dict[str, timedelta]) -> None:
    """Answers claimed ``age`` ago by the installation's one tenant, written as the server writes them."""
    with sqlite3.connect(database) as db:
        (tenant,) = db.execute("SELECT id FROM tenants WHERE kind = 'customer'").fetchone()
        for key, age in ages.items():
            db.execute("INSERT INTO idempotency_keys (id, tenant_id, principal, key, request_hash, created_at) "
                       "VALUES (?, ?, 'ops', ?, ?, ?)",
                       (str(uuid.uuid4()), tenant, key, "0" * 64, datetime.now(UTC) - age))


def _keys_left(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {key for (key,) in db.execute("SELECT key FROM idempotency_keys")}


@pytest.mark.sqlite
def test_the_server_purges_by_itself_and_an_operator_can_purge_now(tmp_path: Path) -> None:
    env = installation(tmp_path / "install")
    database = tmp_path / "install" / "meridian.sqlite3"
    _store_claims(database, {"expired-1": timedelta(hours=25), "recent-1": timedelta(hours=1)})
    purged = meridian("maintenance", "purge", env=env)
    assert purged.returncode == 0, purged.stderr
    assert "Purged 1 " in purged.stdout and _keys_left(database) == {"recent-1"}

    _store_claims(database, {"expired-2": timedelta(hours=30)})
    port = free_port()
    with serving(env, port, tmp_path / "serve.log") as server:
        wait_until(lambda: answers(port), "the server to answer")
        wait_until(lambda: _keys_left(database) == {"recent-1"}, "the server's purge")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) is not None
