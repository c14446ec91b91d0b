"""Erasure by crypto-shredding, checked the way an auditor would: a candidate with an email, a phone, a national id,
a birth date, a recording and an interview result (and, hired, an employee with bank details) is erased; then the
database's files (SQLite: the file and its -wal; PostgreSQL: a pg_dump of the test database), the object store and
every log record written meanwhile are searched for each original personal value, raw and normalised, and as base64
and hex; and every sealed token left in the tenant is tried under the tenant's key and every person key that still
exists, in every context it could have been sealed for: nothing personal opens. The audit chain still verifies."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from api.logs import JsonFormatter
from domain.assessments.signatures import sign
from tests.conftest import bearer
from tests.integration.test_recruitment import unique_cn_id, unique_mobile
from tests.log_capture import capturing

pytestmark = pytest.mark.anyio


class _Written(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(JsonFormatter())
        self.out = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("httpx"):  # the test's own client, not the server
            return
        self.out.write(self.format(record) + "\n")
        self.out.write(f"{record.msg!s} {record.args!r}\n")


@pytest.fixture
def written() -> Iterator[_Written]:
    handler = _Written()
    with capturing(handler):
        yield handler


def _forms(values: list[str]) -> list[bytes]:
    """Each value as text (UTF-8 and UTF-16, as SQLite may store it), base64 and hex."""
    forms: list[bytes] = []
    for value in values:
        raw = value.encode()
        forms += [raw, value.encode("utf-16-le"), base64.b64encode(raw), raw.hex().encode(), raw.hex().upper().encode()]
    return forms


def _found(blob: bytes, forms: list[bytes]) -> list[bytes]:
    return [form for form in forms if form in blob]


def _postgres_dump(url: str) -> bytes:
    binary = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    parts = urlparse(url.replace("postgresql+asyncpg", "postgresql"))
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    command = [binary, "--no-owner", "--data-only", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
               "-U", parts.username or "postgres", parts.path.lstrip("/")]
    return subprocess.run(command, check=True, capture_output=True, env=env, timeout=300).stdout


async def _table_cells(settings: Any, tenant_id: uuid.UUID) -> list[tuple[str, str, dict[str, Any]]]:
    """Every text cell of every tenant row, with its table, column and whole row, read as the owner."""
    url = settings.effective_migration_url
    cells: list[tuple[str, str, dict[str, Any]]] = []
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.row_factory = sqlite3.Row
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            if "tenant_id" not in columns:
                continue
            for row in connection.execute(f'SELECT * FROM "{table}" WHERE tenant_id = ?', (str(tenant_id),)):
                record = dict(row)
                cells += [(table, column, record) for column, value in record.items() if isinstance(value, str)]
        connection.close()
        return cells
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        tables = [r["table_name"] for r in await connection.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND "
            "column_name = 'tenant_id'")]
        for table in tables:
            for row in await connection.fetch(f'SELECT * FROM "{table}" WHERE tenant_id = $1', tenant_id):
                record = {key: (str(value) if isinstance(value, uuid.UUID) else value) for key, value in row.items()}
                cells += [(table, column, record) for column, value in record.items() if isinstance(value, str)]
    finally:
        await connection.close()
    return cells


_TOKEN = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COLUMNS = ("payload", "account", "before", "after", "secret", "previous_secret", "wrapped_key", "body", "source")


async def _opened_tokens(settings: Any, tenant_id: uuid.UUID) -> list[tuple[str, str, str]]:
    """Every token in the tenant's rows that opens under the tenant's cipher or a person key that still exists, in
    any context (table, column, row id) it could have been sealed for, with what it opens to."""
    from domain.kernel.crypto import PERSON_FORMAT_VERSION, Keyring, SealedValueUnreadable
    from domain.kernel.db import unit_of_work
    from domain.keys.service import all_person_ciphers, cipher_for

    async with unit_of_work(tenant_id, write=False) as uow:
        ring = Keyring(await cipher_for(uow), {cipher.key_id: cipher for cipher in await all_person_ciphers(uow)})
    opened: list[tuple[str, str, str]] = []
    for table, column, row in await _table_cells(settings, tenant_id):
        value = row[column]
        row_ids = set(_UUID.findall(" ".join(str(v) for v in row.values())))
        contexts = {(table, name) for name in (column, column.removesuffix("_ciphertext"), *_COLUMNS)}
        for token in _TOKEN.findall(value):
            try:
                raw = binascii.a2b_base64(token)
            except binascii.Error:
                continue
            if raw[:1] not in (b"\x01", PERSON_FORMAT_VERSION):
                continue
            for (context_table, context_column) in contexts:
                for row_id in row_ids:
                    try:
                        text = ring.open(token, context_table, context_column, uuid.UUID(row_id))
                    except (SealedValueUnreadable, ValueError, UnicodeDecodeError):
                        continue
                    opened.append((table, column, text))
    return opened


async def test_an_erased_candidate_and_employee_leave_nothing_readable(
        client: Any, settings: Any, tenant_a: Any, token_for: Any, written: _Written) -> None:
    from domain.audit.service import verify_chain
    from domain.kernel.db import unit_of_work
    from domain.kernel.principal import SystemActor
    from domain.privacy.erasure import checkpoint_after_erasure, erase_person, pseudonym_of

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="erasure-admin")
    reviewer = await token_for(tenant_a, "payroll_reviewer", subject="erasure-reviewer")
    tag = uuid.uuid4().hex[:8]
    name, email = f"Erasmus Probe{tag}", f"Shred.Me.{tag}@Example.COM"
    phone, national_id = unique_mobile(), unique_cn_id()
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Erasure Co {tag}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Analyst"}})).json()
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "role_skills", "names": {"en": "Role skills"}, "weight": "1", "pass_threshold": "50"}]})
    created = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": name, "email": email, "phone": phone, "national_id": national_id, "national_id_country": "CN",
        "birth_date": "1991-07-19", "timezone": "Asia/Shanghai", "locale": "zh_CN"})
    assert created.status_code == 201, created.text
    candidate = created.json()
    assert candidate["email"] == f"Shred.Me.{tag}@example.com"  # normalised: the domain folded
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    bystander = f"stays-{tag}@example.com"  # not erased: proves the scan below opens what still exists
    assert (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": f"Bystander {tag}", "email": bystander})).status_code == 201

    consented = await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(admin), json={
        "purpose": "ai_interview_analysis", "given_at": "2026-07-20T09:00:00+08:00",
        "evidence": f"portal checkbox ticked by {name}"})
    assert consented.status_code == 201, consented.text

    marker = f"RECORDING-OF-{tag}-SPOKEN-WORDS"
    content = marker.encode() + bytes(range(256)) * 300 + marker.encode()
    uploaded = await client.post(f"/v1/applications/{application['id']}/recordings?filename={tag}-interview.webm",
                                 content=content, headers=bearer(admin, **{"Content-Type": "video/webm"}))
    assert uploaded.status_code == 201, uploaded.text

    quote = f"My name is {name} and I led the migration {tag}"
    vendor = (await client.post("/v1/vendors", headers=bearer(admin), json={"name": f"V {tag}"})).json()
    await client.post(f"/v1/vendors/{vendor['vendor']['id']}/references", headers=bearer(admin), json={
        "kind": "application", "reference": f"ref-{tag}", "application_id": application["id"]})
    body = json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": f"r-{tag}", "vendor": "V", "model": "m",
        "model_version": "1", "rubric_version": "1", "reference": {"application_reference": f"ref-{tag}"},
        "interview_language": "zh-CN", "completed_at": "2026-08-01T10:00:00+08:00", "competencies": [
            {"code": "role_skills", "name": "Role skills", "score": "70", "scale_min": "0", "scale_max": "100",
             "evidence": [{"start_seconds": "1", "end_seconds": "5", "quote": quote}]}]}).encode()
    delivered = await client.post(
        f"/v1/vendor-deliveries/{tenant_a}/{vendor['vendor']['id']}/results", content=body,
        headers={"Meridian-Signature": sign(vendor["secret"].encode(), int(time.time()), body),
                 "Content-Type": "application/json"})
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["result"]["status"] == "evaluated"
    assert await _payload_key(tenant_a, delivered.json()["result"]["id"]) is not None  # the candidate's key

    hired = await client.post(f"/v1/applications/{application['id']}/hire", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "position": "Analyst", "start_date": "2026-09-28",
        "pay": {"amount": "18000.00", "currency": "CNY", "unit": "month"}, "weekly_hours": "40",
        "probation_months": 3, "fixed_term_months": 36})
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    iban_digits = f"6222{int(tag, 16) % 10**15:015d}"
    changes = f"/v1/employees/{employee['id']}/bank-account-changes"
    requested = await client.post(changes, headers=bearer(admin), json={
        "holder": name, "account": iban_digits, "bank_code": "ICBC"})
    assert requested.status_code == 201, requested.text
    assert (await client.post(f"{changes}/{requested.json()['id']}/confirm", headers=bearer(reviewer))).status_code \
        == 200
    # Opened while the keys exist: the views show the values, the audit trail its (masked) details.
    shown = (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(admin))).json()
    assert shown["phone"] == candidate["phone"] and shown["national_id"] == national_id
    trail = (await client.get(f"/v1/audit/entries?entity_type=candidate&entity_id={candidate['id']}",
                              headers=bearer(admin))).json()["items"]
    assert trail[0]["after"]["full_name"] == name and trail[0]["after"]["email"].endswith("@example.com")

    async with unit_of_work(tenant_a) as uow:
        as_candidate = await erase_person(uow, "candidate", uuid.UUID(candidate["id"]), reason="test erasure")
        as_employee = await erase_person(uow, "employee", uuid.UUID(employee["id"]), reason="test erasure",
                                         actor=SystemActor(subject="erasure-test"))
    await checkpoint_after_erasure()
    assert as_candidate.key_destroyed and as_employee.key_destroyed
    assert (as_candidate.recordings_deleted, as_candidate.interview_results) == (1, 1)
    assert as_candidate.index_entries_cleared == 3 and as_candidate.sealed_fields == 4

    # What is kept reads as the pseudonym, with nothing to open.
    after = (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(admin))).json()
    assert after["full_name"] == pseudonym_of("candidate", uuid.UUID(candidate["id"]))
    assert (after["email"], after["phone"], after["national_id"], after["birth_date"]) == (None, None, None, None)
    kept = (await client.get(f"/v1/employees/{employee['id']}", headers=bearer(admin))).json()
    assert kept["full_name"] == pseudonym_of("employee", uuid.UUID(employee["id"])) and kept["email"] is None
    trail = (await client.get(f"/v1/audit/entries?entity_type=candidate&entity_id={candidate['id']}",
                              headers=bearer(admin))).json()["items"]
    before_erasure = [entry for entry in trail if entry["seq"] < as_candidate.audit_seq]
    assert before_erasure and all(entry["after"] in (None, {"erased": True}) for entry in before_erasure)
    recording = await client.get(uploaded.json()["download"], headers=bearer(admin))
    assert recording.status_code == 404
    # Duplicate detection no longer finds them: the same person may apply again as someone new.
    again = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Someone", "email": email, "phone": phone, "national_id": national_id,
        "national_id_country": "CN"})
    assert again.status_code == 201, again.text
    await _erase_again(tenant_a, uuid.UUID(again.json()["id"]))

    report = await verify_chain(tenant_a)
    assert report.valid, report

    phone_digits = re.sub(r"\D", "", phone)
    values = [name, email, email.lower(), f"Shred.Me.{tag}@example.com", phone, candidate["phone"], phone_digits,
              phone_digits[2:], national_id, "1991-07-19", marker, quote, iban_digits, f"{tag}-interview"]
    forms = _forms(values)
    if settings.effective_database_url.startswith("sqlite"):
        path = Path(settings.effective_database_url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        blob = b"".join(f.read_bytes() for f in files if f.exists())
    else:
        blob = await asyncio.to_thread(_postgres_dump, settings.effective_migration_url)
    assert f"Bystander {tag}".encode() in blob  # the scan reads the data (names are kept in clear until erased)
    assert _found(blob, forms) == []
    objects = Path(settings.data_path) / "objects"
    stored = b"".join(f.read_bytes() for f in objects.rglob("*") if f.is_file())
    assert _found(stored, forms) == []
    assert not list(objects.rglob(f"*{uploaded.json()['id']}*"))
    assert _found(written.out.getvalue().encode(), forms) == []

    opened = await _opened_tokens(settings, tenant_a)
    assert ("candidates", "email_ciphertext", bystander) in opened  # under its person key
    assert any(table == "vendors" for table, _, _ in opened)  # under the tenant's key
    leaked = [(table, column) for table, column, text in opened
              if any(value.lower() in text.lower() for value in values)]
    assert leaked == []


async def _payload_key(tenant_id: uuid.UUID, result_id: str) -> uuid.UUID | None:
    from domain.kernel.crypto import person_key_of
    from domain.kernel.db import current_database, unit_of_work

    async with unit_of_work(tenant_id, write=False):
        rows = await current_database().execute("SELECT payload_ciphertext FROM interview_results WHERE tenant_id = {} "
                                                "AND id = {}", str(tenant_id), result_id)
    return person_key_of(rows[0]["payload_ciphertext"])


async def _erase_again(tenant_id: uuid.UUID, candidate_id: uuid.UUID) -> None:
    from domain.kernel.db import unit_of_work
    from domain.privacy.erasure import erase_person

    async with unit_of_work(tenant_id) as uow:
        await erase_person(uow, "candidate", candidate_id, reason="test erasure of the second application")


async def test_data_sealed_under_the_tenant_key_moves_to_person_keys(
        client: Any, settings: Any, tenant_a: Any, token_for: Any) -> None:
    """Values sealed before per-person keys (format v1, the tenant's key) still open; the re-seal moves them, and
    the recording's object, to the candidate's key, so an erasure then shreds them too."""
    from domain.kernel.crypto import person_key_of
    from domain.kernel.db import current_database, unit_of_work
    from domain.kernel.storage import object_store
    from domain.keys.service import cipher_for, keyring_for, reseal_tenant
    from domain.privacy.erasure import erase_person

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="reseal-admin")
    tag = uuid.uuid4().hex[:8]
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Reseal Co {tag}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Clerk"}})).json()
    email, phone = f"old-{tag}@example.com", unique_mobile()
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": f"Old Timer {tag}", "email": email, "phone": phone})).json()
    candidate_id = uuid.UUID(candidate["id"])
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    content = f"OLD-RECORDING-{tag}".encode() * 100
    uploaded = (await client.post(f"/v1/applications/{application['id']}/recordings?filename=old.webm",
                                  content=content, headers=bearer(admin, **{"Content-Type": "video/webm"}))).json()
    recording_id = uuid.UUID(uploaded["id"])
    database = current_database()
    context = f"tenant:{tenant_a}:recording:{recording_id}".encode()

    async def chunks(data: bytes) -> Any:
        yield data

    # Put them back as they were before person keys: sealed under the tenant's key, the recording too.
    async with unit_of_work(tenant_a) as uow:
        tenant = await cipher_for(uow)
        row = (await database.execute("SELECT email_ciphertext, phone_ciphertext FROM candidates WHERE tenant_id = {} "
                                      "AND id = {}", str(tenant_a), str(candidate_id)))[0]
        ring = await keyring_for(uow, row.values())
        old = {name: tenant.seal(ring.open(row[f"{name}_ciphertext"], "candidates", name, candidate_id), "candidates",
                                 name, candidate_id) for name in ("email", "phone")}
        await database.execute("UPDATE candidates SET email_ciphertext = {}, phone_ciphertext = {} "
                               "WHERE tenant_id = {} AND id = {}", old["email"], old["phone"], str(tenant_a),
                               str(candidate_id))
        key = (await database.execute("SELECT storage_key FROM recordings WHERE tenant_id = {} AND id = {}",
                                      str(tenant_a), str(recording_id)))[0]["storage_key"]
        await object_store().write(key, chunks(content), cipher_key=tenant.object_key, context=context,
                                   max_bytes=len(content))
        await database.execute("UPDATE recordings SET key_id = NULL WHERE tenant_id = {} AND id = {}",
                               str(tenant_a), str(recording_id))
    assert person_key_of(old["email"]) is None
    shown = (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(admin))).json()
    assert shown["email"] == email  # the old format still opens
    assert (await client.get(uploaded["download"], headers=bearer(admin))).content == content

    report = await reseal_tenant(tenant_a)
    assert report.candidates >= 1 and report.recordings >= 1
    async with unit_of_work(tenant_a, write=False):
        row = (await database.execute("SELECT email_ciphertext, phone_ciphertext FROM candidates WHERE tenant_id = {} "
                                      "AND id = {}", str(tenant_a), str(candidate_id)))[0]
        moved = (await database.execute("SELECT key_id FROM recordings WHERE tenant_id = {} AND id = {}",
                                        str(tenant_a), str(recording_id)))[0]
    assert person_key_of(row["email_ciphertext"]) is not None and person_key_of(row["phone_ciphertext"]) is not None
    assert moved["key_id"] is not None
    assert (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(admin))).json()["email"] == email
    assert (await client.get(uploaded["download"], headers=bearer(admin))).content == content
    assert not (Path(settings.data_path) / "objects" / key).exists()  # the tenant-sealed copy is gone
    assert (await reseal_tenant(tenant_a)).recordings == 0  # nothing left to move: resumable, idempotent

    async with unit_of_work(tenant_a) as uow:
        outcome = await erase_person(uow, "candidate", candidate_id, reason="test erasure after re-seal")
    assert outcome.key_destroyed and outcome.recordings_deleted == 1
    assert (await client.get(uploaded["download"], headers=bearer(admin))).status_code == 404


async def test_an_erasure_through_a_data_subject_request_leaves_nothing_in_the_files(
        client: Any, settings: Any, tenant_a: Any, token_for: Any, written: _Written) -> None:
    """The same scan after an erasure carried out by approving a data-subject request over HTTP: the request's
    erasure checkpoints SQLite's WAL as the purge does, so no page image from before it (with the name, or a
    sealed value under the destroyed key) stays in the -wal file."""
    from domain.audit.service import verify_chain

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="dsr-erasure-admin")
    held = None
    if settings.effective_database_url.startswith("sqlite"):
        # A connection held open (as a server's pool or a second worker holds one) keeps the -wal file: SQLite
        # deletes it only when its last connection closes, which would hide a missing checkpoint.
        held = sqlite3.connect(settings.effective_database_url.removeprefix("sqlite:///"))
        held.execute("SELECT count(*) FROM sqlite_master").fetchall()
    tag = uuid.uuid4().hex[:8]
    name, email = f"Dora Request{tag}", f"dsr.erase.{tag}@example.com"
    phone, national_id = unique_mobile(), unique_cn_id()
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"DSR Erasure Co {tag}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Analyst"}})).json()
    created = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": name, "email": email, "phone": phone, "national_id": national_id, "national_id_country": "CN",
        "birth_date": "1990-02-14", "timezone": "Asia/Shanghai"})
    assert created.status_code == 201, created.text
    candidate = created.json()
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    assert (await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(admin), json={
        "purpose": "ai_interview_analysis", "given_at": "2026-07-20T09:00:00+08:00",
        "evidence": f"consent form signed by {name}"})).status_code == 201
    marker = f"DSR-RECORDING-{tag}-WORDS"
    uploaded = await client.post(f"/v1/applications/{application['id']}/recordings?filename={tag}-dsr.webm",
                                 content=marker.encode() * 200, headers=bearer(admin, **{"Content-Type": "video/webm"}))
    assert uploaded.status_code == 201, uploaded.text
    # Read while the key exists, so its pages pass through the WAL in clear where they ever are.
    assert (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(admin))).json()["email"] == email

    opened = await client.post("/v1/data-subject-requests", headers=bearer(admin), json={
        "kind": "erasure", "person_kind": "candidate", "person_id": candidate["id"]})
    assert opened.status_code == 201, opened.text
    done = await client.post(f"/v1/data-subject-requests/{opened.json()['id']}/decisions",
                             headers=bearer(admin, **{"If-Match": '"v1"'}), json={"action": "approve"})
    assert done.status_code == 200, done.text
    erased = done.json()["outcome"]["erased"]
    assert erased["key_destroyed"] is True and erased["recordings_deleted"] == 1
    assert (await verify_chain(tenant_a)).valid

    phone_digits = re.sub(r"\D", "", phone)
    values = [name, email, phone, candidate["phone"], phone_digits, national_id, "1990-02-14", marker,
              f"{tag}-dsr", f"consent form signed by {name}"]
    forms = _forms(values)
    if settings.effective_database_url.startswith("sqlite"):
        path = Path(settings.effective_database_url.removeprefix("sqlite:///"))
        blob = b"".join(f.read_bytes() for f in (path, path.with_name(path.name + "-wal")) if f.exists())
    else:
        blob = await asyncio.to_thread(_postgres_dump, settings.effective_migration_url)
    assert f"DSR Erasure Co {tag}".encode() in blob  # the scan reads the data
    assert _found(blob, forms) == []
    objects = Path(settings.data_path) / "objects"
    assert _found(b"".join(f.read_bytes() for f in objects.rglob("*") if f.is_file()), forms) == []
    assert _found(written.out.getvalue().encode(), forms) == []
    leaked = [(table, column) for table, column, text in await _opened_tokens(settings, tenant_a)
              if any(value.lower() in text.lower() for value in values)]
    assert leaked == []
    if held is not None:
        held.close()
