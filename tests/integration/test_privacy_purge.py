"""The retention purge, its certificates and legal holds, on SQLite and PostgreSQL: a rejected candidate past the
period is erased with their recording and history, one within it is kept, a held one is kept and counted as held;
the certificate names the counts, the policy and the audit entry it was recorded at; the audit entry holds no
personal value; a dry run changes nothing; the command line purges; another tenant's holds and purges answer like
missing ones.

Each test hires in a country of its own (the purge counts per country), so its counts are its own even though
the tests share a tenant and every purge looks at all of it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.jobs.service import wait_for_jobs
from domain.kernel.db import current_database, unit_of_work
from domain.kernel.errors import NotFound, UnknownReference
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.privacy import certificates, holds
from domain.privacy.purge import purge_tenant, schedule_daily_purges
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

HOLDS = "/v1/privacy/legal-holds"
PURGES = "/v1/privacy/purges"
CURRENCIES = {"BE": ("EUR", "Europe/Brussels"),
              "DE": ("EUR", "Europe/Berlin"), "NL": ("EUR", "Europe/Amsterdam"), "SE": ("SEK", "Europe/Stockholm"),
              "FR": ("EUR", "Europe/Paris"), "AT": ("EUR", "Europe/Vienna"), "IE": ("EUR", "Europe/Dublin")}


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    await schedule_daily_purges()  # today's scheduled purge is queued (the server may be queueing it too) ...
    await wait_for_jobs()  # ... and has run, so it purges nothing a test is about to look at
    return await token_for(tenant_a, "tenant_admin", "recruiter", subject="purge-admin")


async def _job_in(client: Any, admin: str, country: str) -> str:
    currency, zone = CURRENCIES[country]
    entity = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"{country} Purge {uuid.uuid4().hex[:6]}", "country": country, "currency": currency,
        "timezone": zone})
    assert entity.status_code == 201, entity.text
    job = await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity.json()["id"], "location": country, "title": {"en": "Engineer"},
        "description": {"en": "Python"}})
    assert job.status_code == 201, job.text
    return str(job.json()["id"])


class Applicant:
    def __init__(self, candidate: dict[str, Any], application: dict[str, Any], recording: dict[str, Any],
                 name: str) -> None:
        self.candidate, self.application, self.recording, self.name = candidate, application, recording, name

    @property
    def id(self) -> str:
        return str(self.candidate["id"])


async def _rejected(client: Any, admin: str, job_id: str, tenant: uuid.UUID, months_ago: int) -> Applicant:
    """A candidate with an application rejected ``months_ago`` months ago (the close is dated back in the
    database), a recording and a stage history."""
    name = f"Purge Person {uuid.uuid4().hex[:10]}"
    candidate = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": name, "email": f"{uuid.uuid4().hex[:12]}@example.org", "timezone": "Europe/Berlin"})
    assert candidate.status_code == 201, candidate.text
    created = await client.post("/v1/applications", headers=bearer(admin),
                                json={"candidate_id": candidate.json()["id"], "job_id": job_id})
    assert created.status_code == 201, created.text
    application = created.json()
    uploaded = await client.post(f"/v1/applications/{application['id']}/recordings?filename=interview.webm",
                                 content=b"RECORDING" * 100,
                                 headers=bearer(admin, **{"Content-Type": "video/webm"}))
    assert uploaded.status_code == 201, uploaded.text
    moved = await client.post(f"/v1/applications/{application['id']}/stage",
                              json={"stage": "rejected", "reason": "another candidate fitted better"},
                              headers=bearer(admin, **{"If-Match": created.headers["etag"]}))
    assert moved.status_code == 200, moved.text
    async with unit_of_work(tenant) as uow:
        await current_database().execute(
            "UPDATE applications SET updated_at = {} WHERE tenant_id = {} AND id = {}",
            utc_now() - timedelta(days=31 * months_ago), uow.tenant_id, uuid.UUID(application["id"]))
    return Applicant(candidate.json(), application, uploaded.json(), name)


async def _vendor_result(client: Any, admin: str, tenant: uuid.UUID, application_id: str) -> uuid.UUID:
    """An AI vendor's interview result for the application (stored as a delivery stores it, sealed payload and
    all; the signed delivery itself is tested in test_interview_results)."""
    vendor = await client.post("/v1/vendors", headers=bearer(admin), json={"name": f"Vendor {uuid.uuid4().hex[:6]}"})
    assert vendor.status_code == 201, vendor.text
    result_id, now = uuid.uuid4(), utc_now()
    async with unit_of_work(tenant) as uow:
        await current_database().execute(
            "INSERT INTO interview_results (id, tenant_id, vendor_id, vendor_result_id, status, application_id, "
            "payload_ciphertext, completed_at, received_at) VALUES ({}, {}, {}, {}, 'matched', {}, 'sealed', {}, {})",
            result_id, uow.tenant_id, uuid.UUID(vendor.json()["vendor"]["id"]), f"r-{result_id}",
            uuid.UUID(application_id), now, now)
    return result_id


async def _purged(tenant: uuid.UUID, person: Applicant) -> bool:
    async with unit_of_work(tenant, write=False) as uow:
        rows = await current_database().execute(
            "SELECT 1 AS noted FROM purged_subjects WHERE tenant_id = {} AND subject_kind = 'candidate' "
            "AND subject_id = {} AND data_class = 'candidate_profile'", uow.tenant_id, uuid.UUID(person.id))
    return bool(rows)


async def _intact(client: Any, admin: str, person: Applicant) -> bool:
    """Their recording still downloads and their profile still reads with their name."""
    download = await client.get(person.recording["download"], headers=bearer(admin))
    profile = await client.get(f"/v1/candidates/{person.id}", headers=bearer(admin))
    return download.status_code == 200 and profile.status_code == 200 and profile.json()["full_name"] == person.name


def _line(lines: list[dict[str, Any]], country: str, data_class: str, trigger: str) -> dict[str, Any]:
    return next(line for line in lines
                if (line["country"], line["data_class"], line["trigger"]) == (country, data_class, trigger))


async def test_a_rejected_candidate_past_the_period_is_erased_and_one_within_it_is_kept(
        client: Any, admin: str, tenant_a: uuid.UUID, settings: Any) -> None:
    job = await _job_in(client, admin, "DE")  # six months after the rejection (practice, AGG)
    old = await _rejected(client, admin, job, tenant_a, months_ago=7)
    recent = await _rejected(client, admin, job, tenant_a, months_ago=3)
    objects = Path(settings.data_dir) / "objects"
    stored_before = {p for p in objects.rglob("*") if p.is_file()}

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    assert await _purged(tenant_a, old) and not await _purged(tenant_a, recent)
    assert (await client.get(old.recording["download"], headers=bearer(admin))).status_code == 404
    listed = await client.get(f"/v1/applications/{old.application['id']}/recordings", headers=bearer(admin))
    assert listed.status_code == 200 and listed.json()["items"] == []
    profile = await client.get(f"/v1/candidates/{old.id}", headers=bearer(admin))
    assert profile.status_code == 404 or profile.json()["full_name"] != old.name
    history = await client.get(f"/v1/applications/{old.application['id']}/history", headers=bearer(admin))
    assert history.status_code in (200, 404)
    if history.status_code == 200:
        assert history.json()["items"] == []
    assert await _intact(client, admin, recent)
    assert len({p for p in objects.rglob("*") if p.is_file()}) == len(stored_before) - 1
    lines = outcome.lines
    de_recordings = next(line for line in lines if (line.country, line.data_class, line.trigger) == (
        "DE", "recording", "application_closed"))
    assert de_recordings.purged >= 1 and de_recordings.period_months == 6
    # A second run finds nothing more of these.
    again = await purge_tenant(tenant_a, requested_by="tests")
    assert await _intact(client, admin, recent)
    assert next(line for line in again.lines if (line.country, line.data_class, line.trigger) == (
        "DE", "candidate_profile", "application_closed")).purged == 0


async def test_a_recording_goes_at_the_next_purge_after_its_consent_is_withdrawn(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    job = await _job_in(client, admin, "BE")  # Meridian's default: a recording made on consent goes at once
    person = await _rejected(client, admin, job, tenant_a, months_ago=0)
    consent = await client.post(f"/v1/candidates/{person.id}/consents", headers=bearer(admin), json={
        "purpose": "recording", "given_at": "2026-01-05T09:00:00Z", "evidence": "signed form 17"})
    assert consent.status_code == 201, consent.text
    kept = await purge_tenant(tenant_a, requested_by="tests")
    assert _line([msgspec_line(line) for line in kept.lines], "BE", "recording", "consent_withdrawn")["purged"] == 0
    assert (await client.get(person.recording["download"], headers=bearer(admin))).status_code == 200
    withdrawn = await client.post(f"/v1/candidates/{person.id}/consents/{consent.json()['id']}/withdraw",
                                  headers=bearer(admin))
    assert withdrawn.status_code == 200, withdrawn.text

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    line = _line([msgspec_line(line) for line in outcome.lines], "BE", "recording", "consent_withdrawn")
    assert (line["purged"], line["period_months"]) == (1, 0)
    assert (await client.get(person.recording["download"], headers=bearer(admin))).status_code == 404
    profile = await client.get(f"/v1/candidates/{person.id}", headers=bearer(admin))
    assert profile.json()["full_name"] == person.name and not await _purged(tenant_a, person)


async def test_a_held_candidate_is_kept_and_counted_as_held_until_released(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    job = await _job_in(client, admin, "SE")
    held = await _rejected(client, admin, job, tenant_a, months_ago=13)
    case = await _rejected(client, admin, job, tenant_a, months_ago=13)
    person_hold = await client.post(HOLDS, headers=bearer(admin), json={
        "kind": "person", "person": {"kind": "candidate", "id": held.id}, "reason": "Pending tribunal claim"})
    assert person_hold.status_code == 201, person_hold.text
    assert person_hold.headers["location"] == f"{HOLDS}/{person_hold.json()['id']}"
    case_hold = await client.post(HOLDS, headers=bearer(admin), json={
        "kind": "case", "application_id": case.application["id"], "case_reference": "Inquiry 2026-17",
        "reason": "Regulator inquiry"})
    assert case_hold.status_code == 201, case_hold.text
    assert case_hold.json()["application_id"] == case.application["id"] and case_hold.json()["active"]

    outcome = await purge_tenant(tenant_a, requested_by="tests")
    assert await _intact(client, admin, held) and await _intact(client, admin, case)
    profiles = next(line for line in outcome.lines if (line.country, line.data_class, line.trigger) == (
        "SE", "candidate_profile", "application_closed"))
    recordings = next(line for line in outcome.lines if (line.country, line.data_class, line.trigger) == (
        "SE", "recording", "application_closed"))
    assert (profiles.purged, profiles.held) == (0, 2) and (recordings.purged, recordings.held) == (0, 2)
    certificate = (await client.get(f"{PURGES}/{outcome.purge_id}/certificate", headers=bearer(admin))).json()
    assert _line(certificate["purge"]["lines"], "SE", "candidate_profile", "application_closed")["held"] == 2

    no_reason = await client.post(f"{HOLDS}/{person_hold.json()['id']}/release", headers=bearer(admin), json={})
    assert no_reason.status_code == 400
    released = await client.post(f"{HOLDS}/{person_hold.json()['id']}/release", headers=bearer(admin),
                                 json={"reason": "Claim withdrawn"})
    assert released.status_code == 200, released.text
    assert not released.json()["active"] and released.json()["release_reason"] == "Claim withdrawn"
    twice = await client.post(f"{HOLDS}/{person_hold.json()['id']}/release", headers=bearer(admin),
                              json={"reason": "again"})
    assert twice.status_code == 409
    trail = (await client.get(f"/v1/audit/entries?entity_type=legal_hold&entity_id={person_hold.json()['id']}",
                              headers=bearer(admin))).json()["items"]
    assert [entry["action"] for entry in trail] == ["legal_hold.placed", "legal_hold.released"]
    active = (await client.get(f"{HOLDS}?active=true&limit=200", headers=bearer(admin))).json()["items"]
    assert case_hold.json()["id"] in {h["id"] for h in active}
    assert person_hold.json()["id"] not in {h["id"] for h in active}

    await purge_tenant(tenant_a, requested_by="tests")
    assert await _purged(tenant_a, held) and not await _purged(tenant_a, case)
    await client.post(f"{HOLDS}/{case_hold.json()['id']}/release", headers=bearer(admin),
                      json={"reason": "Inquiry closed"})


async def test_the_certificate_lists_counts_policy_and_audit_position_without_personal_values(
        client: Any, admin: str, tenant_a: uuid.UUID, token_for: Any) -> None:
    job = await _job_in(client, admin, "NL")  # Meridian's default schedule: 6 months, history 12
    people = [await _rejected(client, admin, job, tenant_a, months_ago=14) for _ in range(2)]
    result = await _vendor_result(client, admin, tenant_a, people[0].application["id"])

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    auditor = await token_for(tenant_a, "auditor", subject="purge-auditor")
    listed = (await client.get(f"{PURGES}?limit=5", headers=bearer(auditor))).json()["items"]
    assert listed[0]["id"] == str(outcome.purge_id)
    read = await client.get(f"{PURGES}/{outcome.purge_id}/certificate", headers=bearer(auditor))
    assert read.status_code == 200, read.text
    certificate = read.json()
    run = certificate["purge"]
    assert run["status"] == "completed" and run["requested_by"] == "tests" and run["trigger"] == "on_demand"
    for data_class, action in [("candidate_profile", "erased"), ("recording", "deleted"),
                               ("application_history", "deleted")]:
        line = _line(run["lines"], "NL", data_class, "application_closed")
        assert (line["purged"], line["held"], line["action"]) == (2, 0, action), data_class
        assert line["source"] == "product_default" and line["legal_basis"]["issuer"] == "Meridian"
    assert _line(run["lines"], "NL", "recording", "application_closed")["period_months"] == 6
    assert _line(run["lines"], "NL", "interview_result", "application_closed")["purged"] == 1
    async with unit_of_work(tenant_a, write=False) as uow:
        assert not await current_database().execute(
            "SELECT 1 AS found FROM interview_results WHERE tenant_id = {} AND id = {}", uow.tenant_id, result)
    assert _line(run["lines"], "NL", "application_history", "application_closed")["period_months"] == 12
    assert _line(run["lines"], "NL", "audit_trail", "pay_year_closed")["action"] == "kept"
    entries = (await client.get(f"/v1/audit/entries?entity_type=privacy_purge&entity_id={outcome.purge_id}",
                                headers=bearer(auditor))).json()["items"]
    assert len(entries) == 1 and entries[0]["action"] == "privacy.purged"
    assert (entries[0]["seq"], entries[0]["hash"]) == (run["audit"]["seq"], run["audit"]["hash"])
    recorded = str(entries[0]["after"]) + str(entries[0]["before"])
    for person in people:
        assert person.name not in recorded and person.id not in recorded
        assert person.candidate["email"] not in read.text and person.name not in read.text
    assert (await client.get("/v1/audit/verify", headers=bearer(auditor))).json()["valid"]

    page = await client.get(f"{PURGES}/{outcome.purge_id}/certificate?format=html",
                            headers=bearer(auditor, **{"Accept-Language": "ja"}))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "消去証明書" in page.text or "証明書" in page.text
    assert run["audit"]["hash"] in page.text and "NL" in page.text
    chinese = await client.get(f"{PURGES}/{outcome.purge_id}/certificate?format=html",
                               headers=bearer(auditor, **{"Accept-Language": "zh-CN"}))
    assert "证书" in chinese.text
    recruiter = await token_for(tenant_a, "recruiter", subject="purge-recruiter")
    assert (await client.get(PURGES, headers=bearer(recruiter))).status_code == 403


async def test_a_dry_run_changes_nothing(client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    job = await _job_in(client, admin, "FR")
    person = await _rejected(client, admin, job, tenant_a, months_ago=8)
    before = (await client.get(f"{PURGES}?limit=1", headers=bearer(admin))).json()["items"]
    audit_before = (await client.get("/v1/audit/verify", headers=bearer(admin))).json()["entries_checked"]
    job_count = await _queued_jobs()

    outcome = await purge_tenant(tenant_a, requested_by="tests", dry_run=True)

    assert outcome.purge_id is None and outcome.dry_run
    assert _line([msgspec_line(line) for line in outcome.lines], "FR", "candidate_profile",
                 "application_closed")["purged"] == 1
    assert await _intact(client, admin, person) and not await _purged(tenant_a, person)
    assert (await client.get(f"{PURGES}?limit=1", headers=bearer(admin))).json()["items"] == before
    since = (await client.get(f"/v1/audit/entries?cursor={_seq_cursor(audit_before)}&limit=200",
                              headers=bearer(admin))).json()["items"]
    assert [e["action"] for e in since if e["action"].startswith(("privacy.", "legal_hold.")) or e["action"].endswith(
        ("erased", "deleted", "purged"))] == []
    assert await _queued_jobs() == job_count


def _seq_cursor(seq: int) -> str:
    from domain.kernel.pagination import encode_cursor

    return encode_cursor(str(seq))


async def _queued_jobs() -> int:
    from domain.jobs.queries import unfinished_due_jobs

    return await unfinished_due_jobs()


def msgspec_line(line: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(line)  # type: ignore[no-any-return]


def _meridian(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "LANG": "en_US.UTF-8"}, check=False, timeout=300)


@pytest.mark.postgres  # the test database holds tenant B too, and an on-prem installation refuses several tenants
async def test_the_command_line_purges_a_tenant_and_a_dry_run_only_counts(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    job = await _job_in(client, admin, "AT")
    person = await _rejected(client, admin, job, tenant_a, months_ago=9)

    dry = _meridian("privacy", "purge", "--tenant", str(tenant_a), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stdout and await _intact(client, admin, person)

    done = _meridian("privacy", "purge", "--tenant", str(tenant_a))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "recorded in the audit chain" in done.stdout
    assert await _purged(tenant_a, person)
    latest = (await client.get(f"{PURGES}?limit=1", headers=bearer(admin))).json()["items"][0]
    assert latest["requested_by"] == "cli"
    assert _line(latest["lines"], "AT", "candidate_profile", "application_closed")["purged"] == 1

    unknown = _meridian("privacy", "purge", "--tenant", str(uuid.uuid4()))
    assert unknown.returncode == 1 and "no tenant" in unknown.stderr


async def test_another_tenants_holds_and_purges_answer_like_missing_ones(
        client: Any, admin: str, tenant_a: uuid.UUID, tenant_b: uuid.UUID) -> None:
    """Through the use cases as tenant B's admin (an on-prem SQLite installation takes no other tenant's token;
    tests/isolation probes the routes on PostgreSQL)."""
    job = await _job_in(client, admin, "IE")
    person = await _rejected(client, admin, job, tenant_a, months_ago=1)
    hold = (await client.post(HOLDS, headers=bearer(admin), json={
        "kind": "person", "person": {"kind": "candidate", "id": person.id}, "reason": "Audit"})).json()
    outcome = await purge_tenant(tenant_a, requested_by="tests")
    assert outcome.purge_id is not None
    other = Principal(tenant_id=tenant_b, subject="purge-other-admin", roles=frozenset({Role.TENANT_ADMIN}))
    hold_id, purge_id = uuid.UUID(hold["id"]), outcome.purge_id

    for foreign, random in [(holds.get_hold(other, hold_id), holds.get_hold(other, uuid.uuid4())),
                            (certificates.get_purge(other, purge_id), certificates.get_purge(other, uuid.uuid4())),
                            (certificates.certificate(other, purge_id, "en"),
                             certificates.certificate(other, uuid.uuid4(), "en")),
                            (holds.release_hold(other, hold_id, holds.HoldRelease(reason="x")),
                             holds.release_hold(other, uuid.uuid4(), holds.HoldRelease(reason="x")))]:
        answers = []
        for call in (foreign, random):
            with pytest.raises(NotFound) as raised:
                await call
            answers.append((raised.value.code, str(raised.value)))
        assert answers[0] == answers[1]
    assert hold["id"] not in {str(h.id) for h in (await holds.list_holds(other, None, 200)).items}
    assert purge_id not in {p.id for p in (await certificates.list_purges(other, None, 200)).items}
    probes = []
    for candidate in (uuid.UUID(person.id), uuid.uuid4()):
        with pytest.raises(UnknownReference) as raised:
            await holds.place_hold(other, holds.NewLegalHold(
                kind=holds.HoldKind.PERSON, reason="Probe",
                person=holds.PersonRef(kind=holds.PersonKind.CANDIDATE, id=candidate)))
        probes.append((raised.value.code, str(raised.value), raised.value.field))
    assert probes[0] == probes[1]
    still = (await client.get(f"{HOLDS}/{hold['id']}", headers=bearer(admin))).json()
    assert still["active"]
    await client.post(f"{HOLDS}/{hold['id']}/release", headers=bearer(admin), json={"reason": "done"})


async def test_the_daily_purge_is_queued_once_a_day_and_runs_on_the_job_queue(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    day = date(2099, 1, 1)  # a day of its own: the server queued today's run when it started
    assert await schedule_daily_purges(day) >= 1
    assert await schedule_daily_purges(day) == 0  # however often the schedule looks, once a day
    await wait_for_jobs()
    runs = (await client.get(f"{PURGES}?limit=200", headers=bearer(admin))).json()["items"]
    [run] = [run for run in runs if run["scheduled_for"] == day.isoformat()]
    assert (run["trigger"], run["status"], run["requested_by"]) == ("scheduled", "completed", "privacy-purge")
    assert run["audit"]["seq"] > 0 and len(run["audit"]["hash"]) == 64
