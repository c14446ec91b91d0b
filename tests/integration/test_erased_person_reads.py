"""An erased person stays erased when they are read: every way the API reads a candidate or an employee after the
erasure (the record, the lists, consents, applications and their history, the audit trail, the portal, a
data-subject request and its export) answers with the pseudonymised record, never a 5xx, and none of them gives the
person a new key: a key made then would hold whatever was sealed next, readable again, about someone erased. A
write that would seal a new value for them is refused by name instead."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def _keys_of(tenant_id: uuid.UUID, kind: str, person_id: str) -> int:
    """How many live keys (a wrapped key in the row) the person has."""
    from domain.kernel.db import current_database, unit_of_work

    async with unit_of_work(tenant_id, write=False):
        rows = await current_database().execute(
            "SELECT count(*) AS n FROM person_keys WHERE tenant_id = {} AND person_kind = {} AND person_id = {} "
            "AND wrapped_key <> ''", str(tenant_id), kind, person_id)
    return int(rows[0]["n"])


async def _approved_request(client: Any, admin: str, request_kind: str, kind: str, person_id: str) -> dict[str, Any]:
    """A data-subject request of ``request_kind`` about the person, opened and approved: the decided request."""
    opened = await client.post("/v1/data-subject-requests", headers=bearer(admin), json={
        "kind": request_kind, "person_kind": kind, "person_id": person_id})
    assert opened.status_code == 201, opened.text
    approved = await client.post(f"/v1/data-subject-requests/{opened.json()['id']}/decisions",
                                 headers=bearer(admin, **{"If-Match": '"v1"'}), json={"action": "approve"})
    assert approved.status_code == 200, approved.text
    decided: dict[str, Any] = approved.json()
    return decided


async def _erased_by_request(client: Any, admin: str, kind: str, person_id: str) -> None:
    done = await _approved_request(client, admin, "erasure", kind, person_id)
    assert done["outcome"]["erased"]["key_destroyed"] is True


async def _export_of(client: Any, admin: str, kind: str, person_id: str) -> dict[str, Any]:
    """An access request about the erased person, approved and exported: the archive's data."""
    request = await _approved_request(client, admin, "access", kind, person_id)
    answer = await client.get(f"/v1/data-subject-requests/{request['id']}/export", headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    return dict(json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("data.json"))["data"])


async def test_reading_an_erased_candidate_in_every_way_makes_no_new_key(client: Any, tenant_a: Any,
                                                                        token_for: Any) -> None:
    from domain.privacy.erasure import pseudonym_of

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="erased-reads-admin")
    tag = uuid.uuid4().hex[:8]
    email = f"erased.reads.{tag}@example.com"
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Erased Reads Co {tag}", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Berlin", "title": {"en": "Analyst"}})).json()
    created = await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": f"Erna Reads {tag}", "email": email, "timezone": "Europe/Berlin"})
    assert created.status_code == 201, created.text
    candidate_id = created.json()["id"]
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate_id, "job_id": job["id"]})).json()
    assert (await client.post(f"/v1/candidates/{candidate_id}/consents", headers=bearer(admin), json={
        "purpose": "ai_interview_analysis", "given_at": "2026-07-20T09:00:00+02:00",
        "evidence": "portal checkbox"})).status_code == 201
    portal = (await client.post(f"/v1/candidates/{candidate_id}/portal-tokens", headers=bearer(admin))).json()["token"]
    assert await _keys_of(tenant_a, "candidate", candidate_id) == 1

    await _erased_by_request(client, admin, "candidate", candidate_id)
    assert await _keys_of(tenant_a, "candidate", candidate_id) == 0
    pseudonym = pseudonym_of("candidate", uuid.UUID(candidate_id))

    one = await client.get(f"/v1/candidates/{candidate_id}", headers=bearer(admin))
    assert one.status_code == 200, one.text
    assert one.json()["full_name"] == pseudonym and one.json()["email"] is None
    listed = await client.get("/v1/candidates?limit=200", headers=bearer(admin))
    assert listed.status_code == 200, listed.text
    shown = [item for item in listed.json()["items"] if item["id"] == candidate_id]
    assert shown and shown[0]["full_name"] == pseudonym and shown[0]["email"] is None
    assert email not in listed.text
    assert await _keys_of(tenant_a, "candidate", candidate_id) == 0, "the record and the list"
    consents = await client.get(f"/v1/candidates/{candidate_id}/consents", headers=bearer(admin))
    assert consents.status_code == 200, consents.text
    assert [item["evidence"] for item in consents.json()["items"]] == ["erased"]
    for path in (f"/v1/applications?candidate_id={candidate_id}", f"/v1/applications/{application['id']}",
                 f"/v1/applications/{application['id']}/history",
                 f"/v1/audit/entries?entity_type=candidate&entity_id={candidate_id}"):
        answer = await client.get(path, headers=bearer(admin))
        assert answer.status_code == 200, (path, answer.text)
        assert email not in answer.text
        assert await _keys_of(tenant_a, "candidate", candidate_id) == 0, path
    own = await client.get("/v1/candidate-portal", headers=bearer(portal))
    assert own.status_code < 500, own.text
    assert email not in own.text
    if own.status_code == 200:
        assert own.json()["full_name"] == pseudonym
    assert await _keys_of(tenant_a, "candidate", candidate_id) == 0, "the portal"
    exported = await _export_of(client, admin, "candidate", candidate_id)
    assert exported["profile"]["full_name"] == pseudonym and exported["profile"].get("email") is None
    assert email not in json.dumps(exported)

    assert await _keys_of(tenant_a, "candidate", candidate_id) == 0


async def _hired(client: Any, admin: str, tag: str, email: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A candidate hired by a Chinese entity: (the legal entity, the employee)."""
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Erased Staff Co {tag}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Clerk"}})).json()
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": f"Emil Reads {tag}", "email": email, "timezone": "Asia/Shanghai"})).json()
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    hired = await client.post(f"/v1/applications/{application['id']}/hire", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "position": "Clerk", "start_date": "2026-09-28",
        "pay": {"amount": "18000.00", "currency": "CNY", "unit": "month"}, "weekly_hours": "40",
        "probation_months": 3, "fixed_term_months": 36})
    assert hired.status_code == 201, hired.text
    return entity, hired.json()


async def test_reading_an_erased_employee_makes_no_new_key(client: Any, tenant_a: Any, token_for: Any) -> None:
    from domain.privacy.erasure import pseudonym_of

    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="erased-reads-admin")
    tag = uuid.uuid4().hex[:8]
    email = f"erased.employee.{tag}@example.com"
    entity, employee = await _hired(client, admin, tag, email)
    employee_id = employee["id"]
    assert await _keys_of(tenant_a, "employee", employee_id) == 1

    await _erased_by_request(client, admin, "employee", employee_id)
    pseudonym = pseudonym_of("employee", uuid.UUID(employee_id))
    one = await client.get(f"/v1/employees/{employee_id}", headers=bearer(admin))
    assert one.status_code == 200, one.text
    assert one.json()["full_name"] == pseudonym and one.json()["email"] is None
    listed = await client.get(f"/v1/employees?legal_entity_id={entity['id']}", headers=bearer(admin))
    assert listed.status_code == 200, listed.text
    assert [item["full_name"] for item in listed.json()["items"]] == [pseudonym]
    assert await _keys_of(tenant_a, "employee", employee_id) == 0, "the record and the list"
    exported = await _export_of(client, admin, "employee", employee_id)
    assert email not in json.dumps(exported)

    assert await _keys_of(tenant_a, "employee", employee_id) == 0


async def test_sealing_a_new_value_for_an_erased_employee_is_refused(client: Any, tenant_a: Any,
                                                                     token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="erased-reads-admin")
    tag = uuid.uuid4().hex[:8]
    _, employee = await _hired(client, admin, tag, f"erased.bank.{tag}@example.com")
    await _erased_by_request(client, admin, "employee", employee["id"])
    requested = await client.post(f"/v1/employees/{employee['id']}/bank-account-changes", headers=bearer(
        admin, **{"Accept-Language": "ja"}), json={"holder": "Someone", "account": "6222020200112233445",
                                                   "bank_code": "ICBC"})
    assert requested.status_code == 409, requested.text
    assert requested.json()["code"] == "person_erased"
    assert requested.json()["detail"] == "この人物は消去済みのため、新たな情報は記録できません。"
    assert "6222" not in requested.text
    assert await _keys_of(tenant_a, "employee", employee["id"]) == 0
