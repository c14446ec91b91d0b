"""The idempotency store: a stored answer carries the personal data of what it created, so it is
sealed like the columns it came from and kept only for the 24-hour replay window."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import current_database, unit_of_work
from tests.conftest import bearer
from tests.integration.test_recruitment import unique_cn_id, unique_mobile

pytestmark = pytest.mark.anyio


@pytest.fixture
async def recruiter(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "recruiter", subject="idempotency-recruiter")


def _seeded() -> tuple[str, str, str]:
    return unique_mobile(), unique_cn_id(), f"idem-probe-{uuid.uuid4().hex[:8]}@example.com"


async def test_a_stored_answer_holds_no_personal_data_in_clear_in_any_table(
        client: Any, settings: Any, recruiter: str) -> None:
    phone, national_id, email = _seeded()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    created = await _create(client, recruiter, key, phone, national_id, email)
    assert created.status_code == 201, created.text
    needles = [phone.replace(" ", "").removeprefix("+86"), phone, national_id, email]
    found = await _tables_containing(settings, needles)
    assert found == [], found
    if current_database().is_sqlite:
        for name, content in _database_files(Path(settings.data_dir)).items():
            assert not [n for n in needles if n.encode() in content], name


async def test_a_replay_inside_the_window_returns_the_first_answer_and_after_it_is_a_new_request(
        client: Any, tenant_a: Any, recruiter: str) -> None:
    phone, national_id, email = _seeded()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await _create(client, recruiter, key, phone, national_id, email)
    assert first.status_code == 201, first.text
    again = await _create(client, recruiter, key, phone, national_id, email)
    assert again.headers.get("idempotent-replayed") == "true"
    assert (again.status_code, again.json()) == (first.status_code, first.json())

    await _claimed_hours_ago(tenant_a, key["Idempotency-Key"], 25)
    later = await _create(client, recruiter, key, phone, national_id, email)
    assert later.headers.get("idempotent-replayed") is None
    assert later.json().get("id") != first.json()["id"]
    async with unit_of_work(tenant_a, write=False) as uow:
        rows = await IdempotencyRecord.select(IdempotencyRecord.created_at).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key["Idempotency-Key"]))
    assert len(rows) == 1  # the expired claim was purged, not kept beside the new one


async def test_expired_rows_of_other_keys_are_purged_when_the_tenant_claims_a_key(
        client: Any, tenant_a: Any, recruiter: str) -> None:
    old = {"Idempotency-Key": uuid.uuid4().hex}
    assert (await _create(client, recruiter, old, *_seeded())).status_code == 201
    await _claimed_hours_ago(tenant_a, old["Idempotency-Key"], 25)
    assert (await _create(client, recruiter, {"Idempotency-Key": uuid.uuid4().hex}, *_seeded())).status_code == 201
    async with unit_of_work(tenant_a, write=False) as uow:
        left = await IdempotencyRecord.count().where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == old["Idempotency-Key"]))
    assert left == 0


async def _create(client: Any, token: str, key: dict[str, str], phone: str, national_id: str, email: str) -> Any:
    body = {"full_name": "Idem Probe", "email": email, "phone": phone, "national_id": national_id,
            "national_id_country": "CN", "birth_date": "1980-01-31", "timezone": "Asia/Shanghai", "locale": "zh_CN"}
    return await client.post("/v1/candidates", headers={**bearer(token), **key}, json=body)


async def _claimed_hours_ago(tenant_id: Any, key: str, hours: int) -> None:
    async with unit_of_work(tenant_id) as uow:
        row = await IdempotencyRecord.select(IdempotencyRecord.created_at).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key)).first()
        assert row is not None
        earlier = row["created_at"] - timedelta(hours=hours)
        await IdempotencyRecord.update({IdempotencyRecord.created_at: earlier}).where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.key == key))


def _database_files(folder: Path) -> dict[str, bytes]:
    """The SQLite database with its write-ahead log, as raw bytes on disk."""
    return {path.name: path.read_bytes() for path in folder.glob("meridian.sqlite3*")}


async def _tables_containing(settings: Any, needles: list[str]) -> list[tuple[str, str]]:
    """Every table's rows as text, read as the owner (past row-level security), searched for each value."""
    found: list[tuple[str, str]] = []
    for table, dump in (await _dumps(settings)).items():
        found.extend((table, n) for n in needles if n in dump)
    return found


async def _dumps(settings: Any) -> dict[str, str]:
    if current_database().is_sqlite:
        connection = sqlite3.connect(Path(settings.data_dir) / "meridian.sqlite3")
        try:
            tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: "\n".join(repr(row) for row in connection.execute(f'SELECT * FROM "{t}"')) for t in tables}
        finally:
            connection.close()
    from domain.kernel.db import Database

    owner = Database(settings.effective_migration_url)
    await owner.start()
    try:
        tables = [r["tablename"] for r in await owner.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: "\n".join(r["j"] for r in await owner.execute(f'SELECT row_to_json(t)::text AS j FROM "{t}" t'))
                for t in tables}
    finally:
        await owner.stop()
