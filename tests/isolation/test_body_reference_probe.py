"""The cross-tenant probe for ids in request bodies: every id-typed field of every request body in the OpenAPI
document is sent once with tenant B's object and once with a random id, inside an otherwise valid request of
tenant A. Both must be refused, identically, and never with a server error: the lookup runs in the caller's
tenant, so B's id is as unknown to A as a random one.

A new id field in a request body fails here until it has a template below."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.employees import development
from domain.employees import service as employees
from domain.employees.development import NewModule
from domain.employees.model import HireRequest, Pay
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll import service as payroll
from domain.payroll.calendar import PayGroupRule
from domain.payroll.service import NewPayGroup, NewPayRun
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity
from tests.conftest import bearer
from tests.isolation.test_cross_tenant_probe import _comparable, seed_tenant_b

pytestmark = pytest.mark.anyio
#: Every language, so the tenant's default language (which other tests may change) is always among them.
TITLE = {"en": "Probe", "zh_CN": "探针", "ja": "プローブ"}

#: Which of B's seeded objects each body field names.
KIND_OF_FIELD = {
    "legal_entity_id": "entity_id", "hiring_team[]": "user_id", "candidate_id": "candidate_id", "job_id": "job_id",
    "application_id": "application_id", "participants[].person_id": "candidate_id",
    "application_ids[]": "application_id", "manager_id": "employee_id", "module_id": "module_id",
    "employee_id": "employee_id", "employee_ids[]": "employee_id", "pay_group_id": "group_id",
    "run_id": "run_id", "payslip_id": "payslip_id", "evaluation_id": "evaluation_id",
    "person_id": "candidate_id", "rectification.employment.manager_id": "employee_id", "request_id": "request_id",
    "person.id": "candidate_id", "persons[].id": "candidate_id",
}


def templates(a: dict[str, str]) -> dict[tuple[str, ...], tuple[str, dict[str, Any]]]:
    """(method, OpenAPI path) -> (URL in tenant A, a body valid but for the probed field); (method, path, field)
    where the field belongs to another shape of the same body."""
    interview = {"application_id": a["application_id"], "title": "Probe", "start": "2027-03-01T09:00:00Z",
                 "end": "2027-03-01T10:00:00Z", "participants": [
                     {"kind": "candidate", "person_id": a["candidate_id"], "display_name": "Probe Person",
                      "timezone": "Europe/Berlin"},
                     {"kind": "interviewer", "person_id": a["user_id"], "display_name": "Probe Interviewer",
                      "timezone": "Asia/Tokyo"}]}
    hire = {"legal_entity_id": a["entity_id"], "position": "Probe", "start_date": "2027-01-04",
            "pay": {"amount": "6000.00", "currency": "EUR", "unit": "month"}, "weekly_hours": "40",
            "manager_id": a["employee_id"], "tax_attributes": {"tax_class": 1}}
    return {
        ("POST", "/v1/jobs"): ("/v1/jobs", {"legal_entity_id": a["entity_id"], "title": TITLE,
                                            "location": "Berlin", "hiring_team": [a["user_id"]]}),
        ("PATCH", "/v1/jobs/{job_id}"): (f"/v1/jobs/{a['job_id']}", {"hiring_team": [a["user_id"]]}),
        ("POST", "/v1/applications"): ("/v1/applications", {"candidate_id": a["spare_candidate_id"],
                                                            "job_id": a["job_id"]}),
        ("POST", "/v1/interviews"): ("/v1/interviews", interview),
        ("POST", "/v1/vendors/{vendor_id}/references"): (
            f"/v1/vendors/{a['vendor_id']}/references",
            {"kind": "application", "reference": f"probe-{uuid.uuid4().hex[:8]}",
             "application_id": a["application_id"]}),
        ("POST", "/v1/applications/{application_id}/decisions"): (
            f"/v1/applications/{a['application_id']}/decisions",
            {"automated_output": "evaluation_pass_fail", "decision": "hold", "reason": "Probe",
             "evaluation_id": str(uuid.uuid4())}),
        ("POST", "/v1/jobs/{job_id}/comparisons"): (f"/v1/jobs/{a['job_id']}/comparisons",
                                                    {"application_ids": [a["application_id"],
                                                                         a["spare_application_id"]]}),
        ("POST", "/v1/applications/{application_id}/hire"): (f"/v1/applications/{a['spare_application_id']}/hire",
                                                              hire),
        ("POST", "/v1/employees/{employee_id}/employment-changes"): (
            f"/v1/employees/{a['employee_id']}/employment-changes",
            {"effective_from": "2027-02-01", "reason": "Probe", "manager_id": a["other_employee_id"]}),
        ("POST", "/v1/onboarding/rules"): ("/v1/onboarding/rules", {
            "competency": "coding", "below": "60", "item": TITLE, "owner_role": "hr_admin",
            "due_in_working_days": 5, "module_id": a["module_id"]}),
        ("POST", "/v1/onboarding/standard-items"): ("/v1/onboarding/standard-items", {
            "legal_entity_id": a["entity_id"], "title": TITLE, "owner_role": "hr_admin",
            "due_in_working_days": 1, "module_id": a["module_id"]}),
        ("POST", "/v1/employees/{employee_id}/training-records"): (
            f"/v1/employees/{a['employee_id']}/training-records", {"module_id": a["module_id"], "status": "assigned"}),
        ("POST", "/v1/pay-groups"): ("/v1/pay-groups", {"legal_entity_id": a["entity_id"], "name": "Probe group",
                                                        "rule": {"frequency": "monthly", "pay_day": 25,
                                                                 "country": "DE"}}),
        ("POST", "/v1/pay-runs/{run_id}/inputs"): (f"/v1/pay-runs/{a['run_id']}/inputs", {
            "employee_id": a["employee_id"], "kind": "bonus", "amount": "100"}),
        ("POST", "/v1/pay-runs/{run_id}/corrections"): (f"/v1/pay-runs/{a['run_id']}/corrections", {
            "employee_ids": [a["employee_id"]], "pay_date": "2027-02-26", "reason": "Probe"}),
        ("POST", "/v1/pay-runs"): ("/v1/pay-runs", {"pay_group_id": a["group_id"], "year": 2027, "period": 1}),
        ("POST", "/v1/data-subject-requests"): ("/v1/data-subject-requests", {
            "kind": "rectification", "person_kind": "employee", "person_id": a["employee_id"],
            "rectification": {"employment": {"effective_from": "2027-02-01", "reason": "Probe",
                                             "manager_id": a["other_employee_id"]}}}),
        # The body-probe token names no person of its own: whatever the ids, there is no one to open it for.
        ("POST", "/v1/my/data-subject-requests"): ("/v1/my/data-subject-requests", {
            "kind": "rectification", "rectification": {"employment": {
                "effective_from": "2027-02-01", "reason": "Probe", "manager_id": a["other_employee_id"]}}}),
        # A link names one report's parameters: the ids of the others are refused as parameters it does not take.
        ("POST", "/v1/report-links"): ("/v1/report-links", {
            "report": "comparison", "job_id": a["job_id"],
            "application_ids": [a["application_id"], a["spare_application_id"]]}),
        ("POST", "/v1/privacy/legal-holds"): ("/v1/privacy/legal-holds", {
            "kind": "case", "reason": "Probe", "application_id": a["application_id"],
            "case_reference": "PROBE-1", "persons": [{"kind": "candidate", "id": a["candidate_id"]}]}),
        ("POST", "/v1/privacy/legal-holds", "person.id"): ("/v1/privacy/legal-holds", {
            "kind": "person", "reason": "Probe", "person": {"kind": "candidate", "id": a["candidate_id"]}}),
    }


async def seed_tenant_a(tenant_a: uuid.UUID) -> dict[str, str]:
    """Tenant A's own objects, so each probed request is valid but for the one field it probes."""
    admin = Principal(tenant_id=tenant_a, subject="probe-seeder", roles=frozenset({Role.TENANT_ADMIN}))
    suffix = uuid.uuid4().hex[:6]
    entity = await tenancy.create_legal_entity(admin, NewLegalEntity(
        name=f"A Probe GmbH {suffix}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title=TITLE,
                                                     location="Berlin"), "en")

    async def application() -> tuple[str, str]:
        candidate = await recruitment.create_candidate(admin, NewCandidate(
            full_name="A Probe Person", email=f"a-{uuid.uuid4().hex[:8]}@example.com"))
        applied = await recruitment.create_application(admin, NewApplication(candidate_id=candidate.id,
                                                                             job_id=job.id), "en")
        return str(candidate.id), str(applied.id)

    async def hired() -> str:
        _, application_id = await application()
        return str((await employees.hire(admin, uuid.UUID(application_id), HireRequest(
            legal_entity_id=entity.id, position="Probe", start_date=date(2026, 1, 5),
            pay=Pay(amount="6000.00", currency="EUR", unit="month"), weekly_hours="40",
            tax_attributes={"tax_class": 1}))).id)

    candidate_id, application_id = await application()
    spare_candidate = await recruitment.create_candidate(admin, NewCandidate(
        full_name="A Spare Person", email=f"a-{uuid.uuid4().hex[:8]}@example.com"))
    _, spare_application_id = await application()
    module = await development.add_module(admin, NewModule(code=f"probe-{suffix}", title=TITLE))
    group = await payroll.create_group(admin, NewPayGroup(legal_entity_id=entity.id, name=f"A probe {suffix}", rule=(
        PayGroupRule(frequency="monthly", pay_day=25, country="DE"))))  # type: ignore[arg-type]
    run = await payroll.create_run(admin, NewPayRun(pay_group_id=group.id, year=2026, period=11))
    vendor = await _vendor(admin)
    return {"entity_id": str(entity.id), "job_id": str(job.id), "candidate_id": candidate_id,
            "application_id": application_id, "spare_candidate_id": str(spare_candidate.id),
            "spare_application_id": spare_application_id, "employee_id": await hired(),
            "other_employee_id": await hired(), "module_id": str(module.id), "group_id": str(group.id),
            "run_id": str(run.id), "vendor_id": vendor, "user_id": await _user(tenant_a)}


async def _vendor(admin: Principal) -> str:
    from domain.assessments import service as assessments
    from domain.assessments.service import NewVendor

    return str((await assessments.register_vendor(admin, NewVendor(name=f"A vendor {uuid.uuid4().hex[:6]}"))).vendor.id)


async def _user(tenant_a: uuid.UUID) -> str:
    from domain.identity.service import ensure_user
    from domain.kernel.principal import SystemActor

    return str((await ensure_user(SystemActor(subject="tests"), tenant_a, "a-probe-user", [Role.HR_ADMIN])).id)


def id_fields(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(method, path, field) for every uuid-typed field of every JSON request body in the document."""
    schemas = document["components"]["schemas"]

    def walk(schema: dict[str, Any], at: str, seen: frozenset[str]) -> list[str]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return [] if name in seen else walk(schemas[name], at, seen | {name})
        found = [at] if schema.get("format") == "uuid" else []
        for key in ("oneOf", "anyOf", "allOf"):
            for option in schema.get(key, []):
                found += walk(option, at, seen)
        for name, child in schema.get("properties", {}).items():
            found += walk(child, f"{at}.{name}" if at else name, seen)
        if "items" in schema:
            found += walk(schema["items"], f"{at}[]", seen)
        return found

    return {(method.upper(), path, field)
            for path, item in document["paths"].items() for method, operation in item.items()
            if isinstance(operation, dict) and "requestBody" in operation
            for content in operation["requestBody"]["content"].values()
            for field in walk(content.get("schema", {}), "", frozenset())}


def with_value(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    """The body with ``field`` (``a.b``, ``list[]``, ``list[].key``) set to ``value`` (a list's first item)."""
    changed = copy.deepcopy(body)
    target: Any = changed
    parts = field.split(".")
    for part in parts[:-1]:
        target = target[part.removesuffix("[]")][0] if part.endswith("[]") else target[part]
    last = parts[-1]
    if last.endswith("[]"):
        target[last.removesuffix("[]")][0] = value
    else:
        target[last] = value
    return changed


async def test_ids_in_bodies_are_looked_up_in_the_callers_tenant(
    client: Any, runtime: Any, tenant_a: Any, tenant_b: Any, token_for: Any
) -> None:
    b_objects = await seed_tenant_b(tenant_b)
    owner_b = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    b_objects["module_id"] = str((await development.add_module(owner_b, NewModule(
        code=f"b-secret-{uuid.uuid4().hex[:6]}", title={"en": "B secret module"}))).id)
    a_objects = await seed_tenant_a(tenant_a)
    document = (await client.get("/schema/openapi.json")).json()
    cases = templates(a_objects)
    fields = id_fields(document)
    uncovered = {(m, p, f) for m, p, f in fields if (m, p) not in cases or f not in KIND_OF_FIELD}
    assert not uncovered, f"add a probe template for {sorted(uncovered)}"
    token = await token_for(tenant_a, *[r.value for r in Role if r is not Role.PLATFORM_OPERATOR],
                            subject="body-probe")
    headers = bearer(token, **{"If-Match": '"v1"'})
    secrets = set(b_objects.values())
    for method, path, field in sorted(fields):
        url, body = cases.get((method, path, field)) or cases[(method, path)]
        against_b = await client.request(method, url, headers=headers,
                                         json=with_value(body, field, b_objects[KIND_OF_FIELD[field]]))
        random = await client.request(method, url, headers=headers, json=with_value(body, field, str(uuid.uuid4())))
        where = f"{method} {path} {field}"
        assert against_b.status_code < 500 and random.status_code < 500, f"{where}: {against_b.text} {random.text}"
        assert not 200 <= against_b.status_code < 300, f"{where} accepted tenant B's id: {against_b.text}"
        assert _comparable(against_b) == _comparable(random), f"{where}: {against_b.text} / {random.text}"
        assert not [s for s in secrets if s in against_b.text], f"{where} leaked one of B's ids"
    print(f"probed {len(fields)} body id fields, each with B's id and a random one, at "
          f"{datetime.now(UTC):%H:%M:%S}")
