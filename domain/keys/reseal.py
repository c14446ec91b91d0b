"""Moving personal data sealed under a tenant's key (before per-person keys existed) to each person's own key, so
that erasing the person shreds it too. Idempotent and resumable: a value already under a person key is left alone,
and each batch commits on its own.

What moves: candidates' and employees' sealed fields, bank account changes, interview results attached to an
application (to its candidate's key), and recordings (the object is read under the tenant's object key and written
again under the candidate's). What does not: parked interview results (no candidate known yet) and audit entries
recorded before per-person keys (their text is what the chain hashes, so it cannot be re-sealed without breaking the
chain), and whatever is left of an erased person (no key is made for them: their recordings' objects are gone).

The tables belong to other contexts that stand above this one, so they are named here in SQL, as erasure does.
"""

from __future__ import annotations

import binascii
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.crypto import PERSON_FORMAT_VERSION
from domain.kernel.db import UnitOfWork, current_database, unit_of_work
from domain.kernel.storage import object_store
from domain.keys.person import cipher_for, living_person_ciphers

BATCH = 200  # rows per transaction (the SQL below spells it out)
_FIELDS = ("email", "phone", "national_id", "birth_date")


class ResealReport(msgspec.Struct, kw_only=True):
    """How many values moved to person keys (nothing personal)."""

    candidates: int = 0
    employees: int = 0
    bank_accounts: int = 0
    interview_results: int = 0
    recordings: int = 0


def _tenant_sealed(token: str | None) -> bool:
    """A value sealed under the tenant's key (format v1), not yet under a person's."""
    return bool(token) and binascii.a2b_base64(token[:4])[:1] != PERSON_FORMAT_VERSION


async def _execute(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await current_database().execute(sql, *args)


async def _reseal_people(uow: UnitOfWork, table: str, kind: str, after: str) -> tuple[int, str | None]:
    """One batch of ``table``'s rows after id ``after``: (rows re-sealed, the last id read, None at the end)."""
    columns = ", ".join(f"{name}_ciphertext" for name in _FIELDS)
    rows = await _execute(f"SELECT id, {columns} FROM {table} WHERE tenant_id = {{}} AND id > {{}} "  # noqa: S608
                          f"ORDER BY id LIMIT {BATCH}", str(uow.tenant_id), after)
    if not rows:
        return 0, None
    pending = [row for row in rows if any(_tenant_sealed(row[f"{name}_ciphertext"]) for name in _FIELDS)]
    tenant = await cipher_for(uow)
    people, _ = await living_person_ciphers(uow, [(kind, UUID(str(row["id"]))) for row in pending])
    for row in pending:
        row_id = UUID(str(row["id"]))
        person = people.get((kind, row_id))
        if person is None:
            continue
        values = {}
        for name in _FIELDS:
            token = row[f"{name}_ciphertext"]
            if _tenant_sealed(token):
                values[name] = person.seal(tenant.open(token, table, name, row_id), table, name, row_id)
        assignments = ", ".join(f"{name}_ciphertext = {{}}" for name in values)
        await _execute(f"UPDATE {table} SET {assignments} WHERE tenant_id = {{}} AND id = {{}}",  # noqa: S608
                       *values.values(), str(uow.tenant_id), str(row_id))
    return len(pending), str(rows[-1]["id"])


async def _reseal_bank_accounts(uow: UnitOfWork, after: str) -> tuple[int, str | None]:
    rows = await _execute("SELECT id, employee_id, account_ciphertext FROM bank_account_changes WHERE tenant_id = {} "
                          "AND id > {} ORDER BY id LIMIT 200", str(uow.tenant_id), after)
    if not rows:
        return 0, None
    pending = [row for row in rows if _tenant_sealed(row["account_ciphertext"])]
    tenant = await cipher_for(uow)
    people, _ = await living_person_ciphers(uow, [("employee", UUID(str(row["employee_id"]))) for row in pending])
    for row in pending:
        change_id = UUID(str(row["id"]))
        person = people.get(("employee", UUID(str(row["employee_id"]))))
        if person is None:
            continue
        opened = tenant.open(row["account_ciphertext"], "bank_account_changes", "account", change_id)
        await _execute("UPDATE bank_account_changes SET account_ciphertext = {} WHERE tenant_id = {} AND id = {}",
                       person.seal(opened, "bank_account_changes", "account", change_id), str(uow.tenant_id),
                       str(change_id))
    return len(pending), str(rows[-1]["id"])


async def _reseal_results(uow: UnitOfWork, after: str) -> tuple[int, str | None]:
    rows = await _execute(
        "SELECT r.id, r.payload_ciphertext, a.candidate_id FROM interview_results r JOIN applications a ON "
        "a.tenant_id = r.tenant_id AND a.id = r.application_id WHERE r.tenant_id = {} AND r.id > {} "
        "ORDER BY r.id LIMIT 200", str(uow.tenant_id), after)
    if not rows:
        return 0, None
    pending = [row for row in rows if _tenant_sealed(row["payload_ciphertext"])]
    tenant = await cipher_for(uow)
    people, _ = await living_person_ciphers(uow, [("candidate", UUID(str(row["candidate_id"]))) for row in pending])
    for row in pending:
        result_id = UUID(str(row["id"]))
        person = people.get(("candidate", UUID(str(row["candidate_id"]))))
        if person is None:
            continue
        opened = tenant.open(row["payload_ciphertext"], "interview_results", "payload", result_id)
        await _execute("UPDATE interview_results SET payload_ciphertext = {} WHERE tenant_id = {} AND id = {}",
                       person.seal(opened, "interview_results", "payload", result_id), str(uow.tenant_id),
                       str(result_id))
    return len(pending), str(rows[-1]["id"])


def _recording_context(tenant_id: UUID, recording_id: UUID) -> bytes:
    return f"tenant:{tenant_id}:recording:{recording_id}".encode()  # as domain.recordings seals them


async def _reseal_recordings(tenant_id: UUID, after: str) -> tuple[int, str | None]:
    """Recordings one at a time: the object is copied under the candidate's key, then the row names that key."""
    async with unit_of_work(tenant_id, write=False) as uow:
        rows = await _execute(
            "SELECT r.id, r.storage_key, a.candidate_id FROM recordings r JOIN applications a ON a.tenant_id = "
            "r.tenant_id AND a.id = r.application_id WHERE r.tenant_id = {} AND r.id > {} AND r.key_id IS NULL "
            "ORDER BY r.id LIMIT 200", str(tenant_id), after)
        tenant_key = (await cipher_for(uow)).object_key
    moved = 0
    for row in rows:
        recording_id, candidate_id = UUID(str(row["id"])), UUID(str(row["candidate_id"]))
        async with unit_of_work(tenant_id) as uow:
            person = (await living_person_ciphers(uow, [("candidate", candidate_id)]))[0].get(
                ("candidate", candidate_id))
        if person is None:
            continue
        context = _recording_context(tenant_id, recording_id)
        copy = f"{row['storage_key']}-reseal"
        await object_store().write(copy, _chunks(row["storage_key"], tenant_key, context),
                                   cipher_key=person.object_key, context=context, max_bytes=2**62)
        async with unit_of_work(tenant_id) as uow:
            await _execute("UPDATE recordings SET key_id = {}, storage_key = {} WHERE tenant_id = {} AND id = {}",
                           str(person.key_id), copy, str(tenant_id), str(recording_id))
        await object_store().delete(row["storage_key"])
        moved += 1
    return moved, (str(rows[-1]["id"]) if rows else None)


async def _chunks(key: str, cipher_key: bytes, context: bytes) -> AsyncIterator[bytes]:
    async for chunk in object_store().read(key, cipher_key=cipher_key, context=context):
        yield chunk


async def reseal_tenant(tenant_id: UUID) -> ResealReport:
    """Move one tenant's tenant-sealed personal data to person keys, a batch per transaction."""
    report = ResealReport()
    start = "00000000-0000-0000-0000-000000000000"
    for table, kind, counter in (("candidates", "candidate", "candidates"), ("employees", "employee", "employees")):
        after: str | None = start
        while after is not None:
            async with unit_of_work(tenant_id) as uow:
                moved, after = await _reseal_people(uow, table, kind, after)
            setattr(report, counter, getattr(report, counter) + moved)
    after = start
    while after is not None:
        async with unit_of_work(tenant_id) as uow:
            moved, after = await _reseal_bank_accounts(uow, after)
        report.bank_accounts += moved
    after = start
    while after is not None:
        async with unit_of_work(tenant_id) as uow:
            moved, after = await _reseal_results(uow, after)
        report.interview_results += moved
    after = start
    while after is not None:
        moved, after = await _reseal_recordings(tenant_id, after)
        report.recordings += moved
    return report
