"""Erasure by crypto-shredding: a person's data is made unreadable everywhere at once by destroying their key.

Every sealed field of a candidate or employee (email, phone, national id, birth date, name, bank account), their
interview results and their recordings are encrypted under a per-person data key (``domain.keys.person``), itself
stored only wrapped by the tenant's data key. Erasing the person:

- destroys the wrapped person key (the row is overwritten with nothing and kept as the mark that the person was
  erased, so no later read or write makes them a new key), so every ciphertext sealed under it, in the live
  database, in WAL files, backups and replicas, no longer opens; every server process drops its cached copy
  (``pg_notify`` on PostgreSQL);
- replaces the person's blind-index entries (email, phone, national id, name) with NULL, so duplicate detection and
  exact search no longer find them;
- deletes their recording objects from the object store (and the recording rows' file names);
- replaces the name with a pseudonym (``Erased candidate 3f2a9c1e``) wherever a name is kept for display, so
  records that must be kept (payroll totals, the audit chain) keep their non-personal parts and the pseudonym;
- forgets which partner apps the person allowed to act for them (their portal user's OAuth consents) and everything
  those apps, or a sign-in, still hold for them: refresh tokens, unredeemed authorization codes, one-time sign-in
  codes and sign-ins in progress are deleted, and each access token issued beside a refresh token goes on the
  revocation list, refused from its next request in every process once the erasure commits;
- keeps the audit chain verifiable: its personal parts were sealed under the person key when recorded, and the
  chain hashes the sealed text, so destroying the key leaves each entry verifiable but unreadable;
- writes an audit entry ``privacy.person_erased`` that holds no personal value (the kind, the id, the pseudonym,
  the reason as given by the caller, and counts).

The caller runs it inside its own unit of work (a purge job erases many people, a data-subject request one) so the
erasure commits with the caller's own records. Object deletions happen after the database writes are issued; a
rolled-back transaction may thus leave a recording row whose object is gone, which is harmless: its key no longer
matters, and a retried erasure finishes the job. Erasing someone already erased is a no-op that still returns an
outcome (``already_erased=True``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.kernel.access_cache import announce_access_change
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.errors import NotFound
from domain.kernel.ids import new_id
from domain.kernel.principal import Actor, SystemActor
from domain.kernel.storage import object_store
from domain.kernel.time import utc_now
from domain.keys.service import destroy_person_key

log = logging.getLogger("meridian.privacy.erasure")

PersonKind = Literal["candidate", "employee"]


class ErasureOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What an erasure did, with no personal value in it: safe to log, audit and show in a purge certificate."""

    kind: str
    person_id: UUID
    pseudonym: str
    already_erased: bool = False
    key_destroyed: bool = False
    #: fields whose ciphertext became unreadable (``email``, ``phone``, ...), summed over the person's rows
    sealed_fields: int = 0
    index_entries_cleared: int = 0
    recordings_deleted: int = 0
    interview_results: int = 0
    #: partner apps the person had allowed to act for them, forgotten
    oauth_consents: int = 0
    #: refresh tokens, unredeemed authorization and sign-in codes, and sign-ins in progress deleted
    oauth_tokens: int = 0
    #: access tokens issued to apps for the person, revoked
    access_tokens_revoked: int = 0
    audit_seq: int | None = None


class PersonNotFound(NotFound):
    code = "person_not_found"
    title = "Person not found"
    template = "There is no candidate or employee with this id."


def pseudonym_of(kind: PersonKind, person_id: UUID) -> str:
    """The stable, non-identifying name an erased person keeps in records that must be kept."""
    return f"Erased {kind} {person_id.hex[-8:]}"


async def erase_person(uow: UnitOfWork, kind: PersonKind, person_id: UUID, *, reason: str,
                       actor: Actor | None = None) -> ErasureOutcome:
    """Erase one candidate or employee of ``uow``'s tenant by crypto-shredding (see the module docstring).

    ``reason`` is recorded in the audit entry as given: it must not contain personal values (say "retention
    policy candidate_profile/DE expired" or "data-subject request <id>", not the person's name). ``actor`` is who
    asked (a principal for a data-subject request, the system for the purge job; the system by default).
    Raises ``PersonNotFound`` when no such person exists in the tenant. Must run in a writing unit of work.
    """
    database = current_database()
    tenant = str(uow.tenant_id)
    person = str(person_id)
    table = "candidates" if kind == "candidate" else "employees"
    found = await database.execute(f"SELECT full_name FROM {table} WHERE tenant_id = {{}} AND id = {{}}",  # noqa: S608
                                   tenant, person)
    if not found:
        raise PersonNotFound()
    pseudonym = pseudonym_of(kind, person_id)
    if database.is_sqlite:
        # Freed and overwritten cells are zeroed, not left behind in the file (this connection, this transaction).
        await database.execute("PRAGMA secure_delete = ON")
    already = found[0]["full_name"] == pseudonym
    key_destroyed = await destroy_person_key(uow, kind, person_id)
    counts: dict[str, int] = {"sealed_fields": 0, "index_entries_cleared": 0, "recordings_deleted": 0,
                              "interview_results": 0, "oauth_consents": 0, "oauth_tokens": 0,
                              "access_tokens_revoked": 0}
    if kind == "candidate":
        await _erase_candidate(uow, person_id, pseudonym, counts)
    else:
        await _erase_employee(uow, person_id, pseudonym, counts)
    await _execute("UPDATE users SET display_name = {} WHERE tenant_id = {} AND subject = {}",
                   pseudonym, tenant, f"{kind}:{person}")
    await _forget_authorised_apps(uow, f"{kind}:{person}", counts)
    await _execute("UPDATE notification_outbox SET destination = NULL WHERE tenant_id = {} AND recipient_kind = {} "
                   "AND recipient_id = {}", tenant, kind, person)
    outcome_counts = {**counts}
    # The entry names the person by id and pseudonym only; it is not sealed under the (destroyed) person key.
    seq = await record(uow, actor or SystemActor(), "privacy.person_erased", "erasure", person_id, after={
        "kind": kind, "pseudonym": pseudonym, "reason": reason, "key_destroyed": key_destroyed, **outcome_counts})
    log.debug("erased a %s (%s): key destroyed %s, %d recordings deleted", kind, pseudonym, key_destroyed,
             counts["recordings_deleted"])
    return ErasureOutcome(kind=kind, person_id=person_id, pseudonym=pseudonym, already_erased=already,
                          key_destroyed=key_destroyed, audit_seq=seq, **outcome_counts)


_CANDIDATE_SEALED = ("email", "phone", "national_id", "birth_date")
_INDEXED = ("email", "phone", "national_id")


async def _execute(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await current_database().execute(sql, *args)


async def _erase_candidate(uow: UnitOfWork, person_id: UUID, pseudonym: str, counts: dict[str, int]) -> None:
    """The candidate's row keeps its id, zone and language and the pseudonym; the sealed columns and blind indexes
    are cleared (the ciphertext would not open anyway); recordings' objects are deleted; interview results keep
    their scores' evaluations but lose the vendor's payload and references; consents lose their evidence text.
    A set-based statement per table, whatever the number of applications."""
    tenant, person = str(uow.tenant_id), str(person_id)
    row = (await _execute(
        "SELECT email_ciphertext, phone_ciphertext, national_id_ciphertext, birth_date_ciphertext, email_index, "
        "phone_index, national_id_index FROM candidates WHERE tenant_id = {} AND id = {}", tenant, person))[0]
    counts["sealed_fields"] += sum(1 for name in _CANDIDATE_SEALED if row[f"{name}_ciphertext"])
    counts["index_entries_cleared"] += sum(1 for name in _INDEXED if row[f"{name}_index"])
    await _execute(
        "UPDATE candidates SET full_name = {}, email_ciphertext = NULL, email_index = NULL, phone_ciphertext = NULL, "
        "phone_index = NULL, national_id_ciphertext = NULL, national_id_index = NULL, national_id_country = NULL, "
        "birth_date_ciphertext = NULL, notification_channel = 'none', version = version + 1 "
        "WHERE tenant_id = {} AND id = {}", pseudonym, tenant, person)
    await _execute("UPDATE consents SET evidence = 'erased' WHERE tenant_id = {} AND candidate_id = {}",
                   tenant, person)
    # Each statement reaches the candidate's applications through the same subquery.
    recordings = await _execute(
        "UPDATE recordings SET filename = 'erased' WHERE tenant_id = {} AND application_id IN "
        "(SELECT id FROM applications WHERE tenant_id = {} AND candidate_id = {}) RETURNING storage_key",
        tenant, tenant, person)
    for recording in recordings:
        await object_store().delete(recording["storage_key"])
    counts["recordings_deleted"] += len(recordings)
    results = await _execute(
        "UPDATE interview_results SET payload_ciphertext = '', candidate_reference = NULL, application_reference = "
        "NULL WHERE tenant_id = {} AND application_id IN (SELECT id FROM applications WHERE tenant_id = {} AND "
        "candidate_id = {}) RETURNING id", tenant, tenant, person)
    counts["interview_results"] += len(results)
    await _execute("DELETE FROM external_references WHERE tenant_id = {} AND application_id IN "
                   "(SELECT id FROM applications WHERE tenant_id = {} AND candidate_id = {})", tenant, tenant, person)


#: Where sign-in keeps a person's grants to partner apps, named by their portal user's subject.
_SIGN_IN_GRANTS = ("refresh_tokens", "authorization_codes", "sign_in_codes", "authorization_requests")


async def _forget_authorised_apps(uow: UnitOfWork, subject: str, counts: dict[str, int]) -> None:
    """The apps the person's portal user (``candidate:<id>`` or ``employee:<id>``, the subject their tokens carry)
    allowed, and what the apps and sign-ins hold for them: the access tokens issued beside refresh tokens revoked,
    then every grant row deleted, all in the erasure's transaction."""
    tenant = str(uow.tenant_id)
    issued = await _execute("SELECT client_id, access_jti, access_expires_at FROM refresh_tokens "
                            "WHERE tenant_id = {} AND subject = {}", tenant, subject)
    now = utc_now()
    for row in issued:
        client = _client_row_id(row["client_id"])
        if client is None or not row["access_jti"] or _instant(row["access_expires_at"]) <= now:
            continue  # an expired access token is refused by its own expiry
        revoked = await _execute(
            "INSERT INTO oauth_revoked_tokens (id, tenant_id, jti, client_id, expires_at, revoked_at) "
            "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING id", str(new_id()), tenant,
            row["access_jti"], str(client), _instant(row["access_expires_at"]), now)
        counts["access_tokens_revoked"] += len(revoked)
    if counts["access_tokens_revoked"]:
        await announce_access_change(uow)
    consents = await _execute("DELETE FROM oauth_consents WHERE tenant_id = {} AND subject = {} RETURNING id",
                              tenant, subject)
    counts["oauth_consents"] += len(consents)
    for table in _SIGN_IN_GRANTS:
        gone = await _execute(f"DELETE FROM {table} WHERE tenant_id = {{}} AND subject = {{}} RETURNING id",  # noqa: S608
                              tenant, subject)
        counts["oauth_tokens"] += len(gone)


def _client_row_id(public_id: str) -> UUID | None:
    """The API client's row id in its public client id (``<tenant id>.<client id>``), as the revocation list keeps
    it."""
    try:
        return UUID(public_id.partition(".")[2])
    except ValueError:
        return None


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def _erase_employee(uow: UnitOfWork, person_id: UUID, pseudonym: str, counts: dict[str, int]) -> None:
    """The employee's row keeps its id, number, department and contracts (payroll needs them) and the pseudonym;
    the sealed columns are cleared; bank account changes keep their status but not the account (even masked)."""
    tenant, person = str(uow.tenant_id), str(person_id)
    row = (await _execute(
        "SELECT email_ciphertext, phone_ciphertext, national_id_ciphertext, birth_date_ciphertext FROM employees "
        "WHERE tenant_id = {} AND id = {}", tenant, person))[0]
    counts["sealed_fields"] += sum(1 for name in _CANDIDATE_SEALED if row[f"{name}_ciphertext"])
    await _execute(
        "UPDATE employees SET full_name = {}, email_ciphertext = NULL, phone_ciphertext = NULL, "
        "national_id_ciphertext = NULL, national_id_country = NULL, birth_date_ciphertext = NULL, "
        "version = version + 1 WHERE tenant_id = {} AND id = {}", pseudonym, tenant, person)
    changed = await _execute(
        "UPDATE bank_account_changes SET account_ciphertext = '', masked = '****' WHERE tenant_id = {} AND "
        "employee_id = {} RETURNING id", tenant, person)
    counts["sealed_fields"] += len(changed)


async def checkpoint_after_erasure() -> None:
    """On SQLite, after the erasure's transaction committed: copy the WAL into the database file and truncate it, so
    no older page image (from before the erasure) stays in the -wal file. A no-op on PostgreSQL."""
    database = current_database()
    if database.is_sqlite:
        await database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
