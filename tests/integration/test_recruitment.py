"""Recruitment: multilingual jobs, versioned competency models, candidates whose personal data is
sealed, masked and audited, duplicate detection without a cross-tenant oracle, consents, and
applications moving through the pipeline with history and a localised notification."""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from domain.kernel.db import current_database, unit_of_work
from domain.kernel.i18n import translate
from domain.notifications.service import messages_to_in
from domain.recruitment import queries
from domain.recruitment.service import STAGE_CHANGED_BODY
from tests.conftest import bearer

pytestmark = pytest.mark.anyio
CN_ID = "11010519491231002X"  # a valid 居民身份证号码 (GB 11643 check digit X)


def unique_email() -> str:
    return f"cand-{uuid.uuid4().hex[:10]}@example.com"


def unique_cn_id() -> str:
    """A valid 居民身份证号码 no other test uses: Beijing Dongcheng, a random birth date and sequence."""
    from stdnum.cn import ric

    body = f"110101{random.randint(1960, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    body += f"{random.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder where the digit goes


def unique_mobile() -> str:
    return f"+86 139{random.randint(0, 99_999_999):08d}"


@pytest.fixture
async def recruiter(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "recruiter", subject="recruiter-1")


@pytest.fixture
async def manager(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "hiring_manager", subject="manager-1")


@pytest.fixture
async def entity(client: Any, tenant_a: Any, token_for: Any) -> str:
    admin = await token_for(tenant_a, "tenant_admin", subject="recruitment-admin")
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Hiring Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"})
    return response.json()["id"]


async def new_job(client: Any, token: str, entity: str) -> dict[str, Any]:
    response = await client.post("/v1/jobs", headers=bearer(token), json={
        "legal_entity_id": entity, "location": "Shanghai",
        "title": {"en": "Backend engineer", "zh_CN": "后端工程师"}, "description": {"en": "Python and SQL"}})
    assert response.status_code == 201, response.text
    return response.json()


async def new_candidate(client: Any, token: str, **extra: Any) -> Any:
    body = {"full_name": "Li Wei", "email": unique_email(), "phone": unique_mobile(),
            "national_id": unique_cn_id(), "national_id_country": "CN", "birth_date": "1949-12-31",
            "timezone": "Asia/Shanghai", "locale": "zh_CN", **extra}
    return await client.post("/v1/candidates", headers=bearer(token), json=body)


async def test_jobs_speak_the_readers_language_and_fall_back(client: Any, recruiter: str, entity: str) -> None:
    job = await new_job(client, recruiter, entity)
    chinese = (await client.get(f"/v1/jobs/{job['id']}", headers=bearer(recruiter, **{"Accept-Language": "zh-CN"})))
    assert chinese.json()["title"] == "后端工程师" and chinese.json()["language"] == "zh-CN"
    assert chinese.json()["titles"] == {"en": "Backend engineer", "zh-CN": "后端工程师"}
    japanese = (await client.get(f"/v1/jobs/{job['id']}", headers=bearer(recruiter, **{"Accept-Language": "ja"})))
    assert japanese.json()["title"] == "Backend engineer"  # no Japanese title: the tenant's default
    assert japanese.json()["description"] == "Python and SQL"
    no_default = await client.post("/v1/jobs", headers=bearer(recruiter), json={
        "legal_entity_id": entity, "location": "Tokyo", "title": {"ja": "エンジニア"}})
    assert no_default.status_code == 400 and no_default.json()["code"] == "missing_default_language"


async def test_competency_models_are_versioned_and_weights_sum_to_one(client: Any, tenant_a: Any, token_for: Any,
                                                                      recruiter: str, entity: str) -> None:
    hr = await token_for(tenant_a, "hr_admin", subject="hr-1")
    job = await new_job(client, recruiter, entity)
    url = f"/v1/jobs/{job['id']}/competency-model-versions"
    model = {"effective_from": "2026-01-01", "overall_pass_threshold": "65", "competencies": [
        {"code": "coding", "names": {"en": "Coding", "zh_CN": "编码"}, "weight": "0.6", "pass_threshold": "60"},
        {"code": "problem_solving", "names": {"en": "Problem solving"}, "weight": "0.4", "pass_threshold": "55"}]}
    first = await client.post(url, headers=bearer(hr), json=model)
    assert first.status_code == 201, first.text
    second = await client.post(url, headers=bearer(hr), json={**model, "effective_from": "2026-07-01"})
    assert second.json()["number"] == 2 and second.json()["model_id"] == first.json()["model_id"]
    versions = (await client.get(url, headers=bearer(recruiter))).json()["items"]
    assert [v["number"] for v in versions] == [1, 2]
    unbalanced = {**model, "competencies": [{**model["competencies"][0], "weight": "0.7"}, model["competencies"][1]]}
    refused = await client.post(url, headers=bearer(hr), json=unbalanced)
    assert refused.status_code == 400 and refused.json()["code"] == "competency_weights_must_sum_to_one"
    assert (await client.post(url, headers=bearer(recruiter), json=model)).status_code == 403


async def test_personal_data_is_validated(client: Any, recruiter: str) -> None:
    checks = {
        "invalid_national_id": {"national_id": "110105194912310021"},
        "invalid_phone": {"phone": "12345"},
        "invalid_email": {"email": "not-an-email"},
        "invalid_birth_date": {"birth_date": "2199-01-01"},  # in the future, inside the calendar the edge accepts
        "unsupported_national_id_country": {"national_id_country": "ZW"},
        "national_id_needs_country": {"national_id_country": None},
    }
    for code, change in checks.items():
        response = await new_candidate(client, recruiter, **change)
        assert response.status_code == 400, (code, response.text)
        assert response.json()["code"] == code


async def test_personal_data_is_masked_by_role_and_every_clear_read_is_audited(
    client: Any, tenant_a: Any, token_for: Any, recruiter: str, manager: str
) -> None:
    auditor = await token_for(tenant_a, "auditor", subject="auditor-1")
    local = f"Li.Wei.{uuid.uuid4().hex[:6]}"
    phone = unique_mobile()
    national_digits = phone.replace(" ", "").removeprefix("+86")
    created = await new_candidate(client, recruiter, email=f"{local}@Example.COM", phone=national_digits,
                                  phone_region="CN", national_id=CN_ID)
    assert created.status_code == 201, created.text
    candidate = created.json()
    assert candidate["masked"] is False
    assert candidate["email"] == f"{local}@example.com" and candidate["phone"] == f"+86{national_digits}"
    assert candidate["national_id"] == CN_ID
    masked = (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(manager))).json()
    assert masked["masked"] is True
    assert masked["national_id"] == "110105********002X"
    assert masked["phone"] == f"+86 {national_digits[:3]}****{national_digits[-4:]}"
    assert masked["email"] == "L***@example.com" and masked["birth_date"] == "1949-**-**"
    before = await _clear_reads(client, auditor, candidate["id"])
    clear = (await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(recruiter))).json()
    assert clear["national_id"] == CN_ID
    assert await _clear_reads(client, auditor, candidate["id"]) == before + 1
    await client.get(f"/v1/candidates/{candidate['id']}", headers=bearer(manager))
    assert await _clear_reads(client, auditor, candidate["id"]) == before + 1  # masked reads are not


async def _clear_reads(client: Any, auditor: str, candidate_id: str) -> int:
    trail = (await client.get(f"/v1/audit/entries?entity_type=candidate&entity_id={candidate_id}&limit=200",
                              headers=bearer(auditor))).json()["items"]
    return sum(1 for entry in trail if entry["action"] == "candidate.personal_data_read")


async def test_duplicates_are_found_within_a_tenant_and_never_across(
    client: Any, tenant_b: Any, token_for: Any, recruiter: str
) -> None:
    email = unique_email()
    first = await new_candidate(client, recruiter, email=email, national_id=None, national_id_country=None,
                                phone=None)
    assert first.status_code == 201
    again = await new_candidate(client, recruiter, email=email.upper(), national_id=None, national_id_country=None,
                                phone=None)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_candidate" and first.json()["id"] in again.json()["detail"]
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.recruitment.model import NewCandidate
    from domain.recruitment.service import create_candidate

    other_tenant = Principal(tenant_id=tenant_b, subject="b-recruiter", roles=frozenset({Role.RECRUITER}))
    elsewhere = await create_candidate(other_tenant, NewCandidate(full_name="Same Email", email=email))
    assert str(elsewhere.id) != first.json()["id"]  # the same email in another tenant is no duplicate, no oracle


async def test_sealed_data_is_bound_to_its_row_and_tenant(client: Any, runtime: Any, tenant_a: Any,
                                                          recruiter: str) -> None:
    from domain.kernel.crypto import SealedValueUnreadable
    from domain.keys.service import cipher_for

    one = (await new_candidate(client, recruiter)).json()
    two = (await new_candidate(client, recruiter, national_id=None, national_id_country=None,
                               phone="+81 90-1234-5678")).json()
    async with unit_of_work(tenant_a, write=False) as uow:
        row_one = await queries.candidate(uow, uuid.UUID(one["id"]))
        cipher = await cipher_for(uow)
    assert row_one is not None
    with pytest.raises(SealedValueUnreadable):
        cipher.open(row_one.national_id_ciphertext, "candidates", "national_id", uuid.UUID(two["id"]))
    with pytest.raises(SealedValueUnreadable):
        cipher.open(row_one.phone_ciphertext, "candidates", "email", uuid.UUID(one["id"]))


async def test_no_plaintext_personal_data_at_rest(client: Any, settings: Any, recruiter: str) -> None:
    phone, national_id, email = unique_mobile(), unique_cn_id(), f"plaintext-probe-{uuid.uuid4().hex[:8]}"
    created = await new_candidate(client, recruiter, phone=phone, national_id=national_id,
                                  email=f"{email}@example.com")
    assert created.status_code == 201, created.text
    needles = [phone.replace(" ", "").removeprefix("+86").encode(), national_id.encode(), email.encode()]
    database = current_database()
    if database.is_sqlite:
        for name, content in _database_files(Path(settings.data_dir)).items():
            assert not [n for n in needles if n in content], name
    else:
        for table in ("candidates", "audit_entries", "notification_outbox", "consents"):
            dump = await _owner_dump(settings, table)
            assert not [n for n in needles if n.decode() in dump], table


def _database_files(folder: Path) -> dict[str, bytes]:
    """The SQLite database with its write-ahead log, as raw bytes on disk."""
    return {path.name: path.read_bytes() for path in folder.glob("meridian.sqlite3*")}


async def _owner_dump(settings: Any, table: str) -> str:
    from domain.kernel.db import Database

    owner = Database(settings.effective_migration_url)
    await owner.start()
    try:
        rows = await owner.execute(f"SELECT row_to_json(t)::text AS j FROM {table} t")
    finally:
        await owner.stop()
    return "\n".join(r["j"] for r in rows)


async def test_consents_are_recorded_and_withdrawn(client: Any, recruiter: str) -> None:
    candidate = (await new_candidate(client, recruiter)).json()
    url = f"/v1/candidates/{candidate['id']}/consents"
    given = await client.post(url, headers=bearer(recruiter), json={
        "purpose": "ai_interview_analysis", "given_at": "2026-11-20T09:00:00+08:00", "evidence": "portal checkbox v3"})
    assert given.status_code == 201, given.text
    withdrawn = await client.post(f"{url}/{given.json()['id']}/withdraw", headers=bearer(recruiter))
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    again = await client.post(f"{url}/{given.json()['id']}/withdraw", headers=bearer(recruiter))
    assert again.status_code == 404
    listed = (await client.get(url, headers=bearer(recruiter))).json()["items"]
    assert [c["purpose"] for c in listed] == ["ai_interview_analysis"]


async def test_an_application_moves_through_the_pipeline_with_history_and_notification(
    client: Any, tenant_a: Any, recruiter: str, manager: str, entity: str
) -> None:
    job = await new_job(client, recruiter, entity)
    candidate = (await new_candidate(client, recruiter)).json()
    created = await client.post("/v1/applications", headers=bearer(recruiter),
                                json={"candidate_id": candidate["id"], "job_id": job["id"]})
    assert created.status_code == 201, created.text
    application = created.json()
    assert application["stage"] == "applied"
    twice = await client.post("/v1/applications", headers=bearer(recruiter),
                              json={"candidate_id": candidate["id"], "job_id": job["id"]})
    assert twice.status_code == 409
    url = f"/v1/applications/{application['id']}/stage"
    moved = await client.post(url, json={"stage": "interview_passed", "reason": "strong AI interview"},
                              headers=bearer(manager, **{"If-Match": created.headers["etag"],
                                                         "Accept-Language": "ja"}))
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage_name"] == "面接合格"
    stale = await client.post(url, json={"stage": "offer", "reason": "x"},
                              headers=bearer(manager, **{"If-Match": created.headers["etag"]}))
    assert stale.status_code == 412
    unknown = await client.post(url, json={"stage": "teleported", "reason": "x"},
                                headers=bearer(manager, **{"If-Match": moved.headers["etag"]}))
    assert unknown.status_code == 422 and unknown.json()["code"] == "stage_not_found"
    history = (await client.get(f"/v1/applications/{application['id']}/history",
                                headers=bearer(manager))).json()["items"]
    assert [(h["from_stage"], h["to_stage"], h["moved_by"]) for h in history] == [
        (None, "applied", "recruiter-1"), ("applied", "interview_passed", "manager-1")]
    assert history[1]["reason"] == "strong AI interview"
    async with unit_of_work(tenant_a, write=False) as uow:
        messages = await messages_to_in(uow, uuid.UUID(candidate["id"]))
    assert len(messages) == 1 and messages[0].locale == "zh_CN"
    assert messages[0].body == translate(STAGE_CHANGED_BODY, "zh_CN", job="后端工程师", stage="面试通过")


async def test_tenants_add_their_own_pipeline_stages(client: Any, tenant_a: Any, token_for: Any) -> None:
    hr = await token_for(tenant_a, "hr_admin", subject="hr-stages")
    code = f"case_study_{uuid.uuid4().hex[:4]}"
    added = await client.post("/v1/pipeline-stages", headers=bearer(hr), json={
        "code": code, "names": {"en": "Case study", "zh_CN": "案例分析", "ja": "ケーススタディ"}, "position": 35})
    assert added.status_code == 201, added.text
    assert added.json()["code"] == code and added.json()["name"] == "Case study"
    stages = (await client.get("/v1/pipeline-stages?limit=200",
                               headers=bearer(hr, **{"Accept-Language": "ja"}))).json()["items"]
    codes = [s["code"] for s in stages]
    assert codes.index("interview") < codes.index(code) < codes.index("interview_passed")
    assert next(s for s in stages if s["code"] == code)["name"] == "ケーススタディ"
    again = await client.post("/v1/pipeline-stages", headers=bearer(hr), json={
        "code": code, "names": {"en": "Again"}, "position": 36})
    assert again.status_code == 409


async def test_recordings_are_streamed_in_sealed_and_downloaded_by_permitted_roles_only(
    client: Any, settings: Any, tenant_a: Any, token_for: Any, recruiter: str, manager: str, entity: str
) -> None:
    auditor = await token_for(tenant_a, "auditor", subject="auditor-recordings")
    job = await new_job(client, recruiter, entity)
    candidate = (await new_candidate(client, recruiter)).json()
    application = (await client.post("/v1/applications", headers=bearer(recruiter),
                                      json={"candidate_id": candidate["id"], "job_id": job["id"]})).json()
    marker = f"RECORDING-PLAINTEXT-{uuid.uuid4().hex}".encode()
    content = marker + bytes(range(256)) * 800 + marker  # ~200 KiB: several encrypted chunks
    url = f"/v1/applications/{application['id']}/recordings?filename=interview%201.webm"
    uploaded = await client.post(url, content=content, headers=bearer(recruiter, **{"Content-Type": "video/webm"}))
    assert uploaded.status_code == 201, uploaded.text
    recording = uploaded.json()
    assert recording["size"] == len(content) and recording["filename"] == "interview 1.webm"
    downloaded = await client.get(recording["download"], headers=bearer(manager))
    assert downloaded.status_code == 200 and downloaded.content == content
    assert downloaded.headers["content-type"].startswith("video/webm")
    assert (await client.get(recording["download"], headers=bearer(auditor))).status_code == 403
    stored = _object_files(Path(settings.data_dir) / "objects")
    assert stored and not [name for name, data in stored.items() if marker in data]
    trail = (await client.get(f"/v1/audit/entries?entity_type=recording&entity_id={recording['id']}",
                              headers=bearer(auditor))).json()["items"]
    assert [e["action"] for e in trail] == ["recording.uploaded", "recording.downloaded"]
    refused = await client.post(url, content=b"#!/bin/sh", headers=bearer(recruiter, **{
        "Content-Type": "application/x-sh"}))
    assert refused.status_code == 400 and refused.json()["code"] == "unsupported_recording_type"


def _object_files(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
