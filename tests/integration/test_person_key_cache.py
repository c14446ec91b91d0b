"""Person keys remembered between requests are forgotten when another process erases a person: the erasure's
notification (sent in its own transaction) reaches every process listening, and none of them opens the person's
values afterwards from what it remembered."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import pytest

from domain.kernel.access_cache import CHANNEL, access_cache
from tests.conftest import bearer

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def test_an_erasure_in_another_process_empties_the_person_key_cache(client: Any, runtime: Any, tenant_a: Any,
                                                                          token_for: Any) -> None:
    from domain.kernel.crypto import PersonKeyDestroyed
    from domain.kernel.db import unit_of_work
    from domain.keys import person

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="key-cache-admin")
    email = f"cached-{uuid.uuid4().hex[:8]}@example.com"
    created = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Cached Person", "email": email})).json()
    candidate_id = uuid.UUID(created["id"])
    for _ in range(200):  # the listener opens at a request and is trusted once it hears its own probe
        assert (await client.get("/v1/me", headers=bearer(admin))).status_code == 200
        if access_cache.listening:
            break
        await asyncio.sleep(0.05)
    assert access_cache.listening

    async with unit_of_work(tenant_a, write=False) as uow:
        await person.person_ciphers(uow, [("candidate", candidate_id)])
    assert person._cache.key_of(tenant_a, "candidate", candidate_id) is not None  # remembered

    # Another process erases the candidate: the key's row goes, and the announcement, in one transaction.
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        async with connection.transaction():
            await connection.execute("DELETE FROM person_keys WHERE tenant_id = $1 AND person_id = $2", tenant_a,
                                     candidate_id)
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(tenant_a))
    finally:
        await connection.close()
    for _ in range(200):
        if person._cache.key_of(tenant_a, "candidate", candidate_id) is None:
            break
        await asyncio.sleep(0.05)
    assert person._cache.key_of(tenant_a, "candidate", candidate_id) is None

    async with unit_of_work(tenant_a, write=False) as uow:
        row = (await uow_rows(uow, candidate_id))
        ring = await person.keyring_for(uow, [row])
    with pytest.raises(PersonKeyDestroyed):
        ring.open(row, "candidates", "email", candidate_id)
    # Leave the candidate as an erasure would (nothing sealed under the gone key), so that later tests of the same
    # tenant that list or export candidates in clear do not meet a value that can never open.
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        await connection.execute("UPDATE candidates SET email_ciphertext = NULL, email_index = NULL "
                                 "WHERE tenant_id = $1 AND id = $2", tenant_a, candidate_id)
    finally:
        await connection.close()


async def uow_rows(uow: Any, candidate_id: uuid.UUID) -> str:
    from domain.kernel.db import current_database

    rows = await current_database().execute("SELECT email_ciphertext FROM candidates WHERE tenant_id = {} AND id = {}",
                                            str(uow.tenant_id), str(candidate_id))
    return rows[0]["email_ciphertext"]


async def test_a_masked_list_shows_remembered_masks_only_until_a_change_is_announced(
        client: Any, runtime: Any, tenant_a: Any, token_for: Any) -> None:
    from domain.kernel.db import unit_of_work
    from domain.keys import person
    from domain.recruitment import queries

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="mask-cache-admin")
    auditor = await token_for(tenant_a, "auditor", subject="mask-cache-auditor")
    email = f"masked-{uuid.uuid4().hex[:8]}@example.com"
    created = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Masked Person", "email": email})).json()
    candidate_id = uuid.UUID(created["id"])
    for _ in range(200):
        assert (await client.get("/v1/me", headers=bearer(admin))).status_code == 200
        if access_cache.listening:
            break
        await asyncio.sleep(0.05)
    assert access_cache.listening
    async with unit_of_work(tenant_a, write=False) as uow:
        row = next(listed.listing() for listed in await queries.listed_candidates(
            uow, after=None, limit=200, updated_since=datetime.fromisoformat(created["updated_at"]))
            if listed.id == candidate_id)

    async def listed() -> dict[str, Any]:
        # Only what changed since this candidate was created (the other test leaves a row whose key is gone).
        page = (await client.get("/v1/candidates", headers=bearer(auditor),
                                 params={"limit": 200, "updated_since": created["updated_at"]})).json()
        return next((c for c in page["items"] if c["id"] == str(candidate_id)), {})

    first, second = await listed(), await listed()
    assert first["masked"] and first["email"] == f"m***@{email.split('@')[1]}" and second == first
    another = msgspec.structs.replace(row, id=uuid.uuid4())
    changed = msgspec.structs.replace(row, row_version=row.row_version + "0")  # the row written since
    recalled, not_shown, not_it = person.recall_masked(tenant_a, "candidates", [row, another, changed])
    assert recalled.email == first["email"] and not_shown is None and not_it is None

    # Another process announces a change (as an erasure does when it destroys a key): what was remembered goes.
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(tenant_a))
    finally:
        await connection.close()
    for _ in range(200):
        if person.recall_masked(tenant_a, "candidates", [row]) == [None]:
            break
        await asyncio.sleep(0.05)
    assert person.recall_masked(tenant_a, "candidates", [row]) == [None]


async def test_a_masked_list_shows_a_sealed_value_changed_without_a_new_version(
        client: Any, runtime: Any, tenant_a: Any, token_for: Any) -> None:
    """A masked list reads only its rows' ids and row versions while it shows views it remembers; a value changed
    in place, without the row's ``version`` moving (as a retention purge clears one), still writes a new version of
    the row, so the next list shows the change, not the view remembered."""
    from domain.keys import person

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="mask-version-admin")
    auditor = await token_for(tenant_a, "auditor", subject="mask-version-auditor")
    created = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Row Version Person", "email": f"row-version-{uuid.uuid4().hex[:8]}@example.com",
        "phone": "+4930123456"})).json()
    for _ in range(200):
        assert (await client.get("/v1/me", headers=bearer(admin))).status_code == 200
        if access_cache.listening:
            break
        await asyncio.sleep(0.05)
    assert access_cache.listening and person.remembers_masked()

    async def listed() -> dict[str, Any]:
        page = (await client.get("/v1/candidates", headers=bearer(auditor),
                                 params={"limit": 200, "updated_since": created["updated_at"]})).json()
        return next(c for c in page["items"] if c["id"] == created["id"])

    before = await listed()
    assert before["email"] is not None and before["phone"] is not None and await listed() == before
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        await connection.execute("UPDATE candidates SET phone_ciphertext = NULL WHERE id = $1",
                                 uuid.UUID(created["id"]))
    finally:
        await connection.close()
    after = await listed()
    assert after["phone"] is None and after["email"] == before["email"] and after["version"] == before["version"]
