"""The cross-tenant probe: every operation in the OpenAPI document, called with tenant A's
tokens for every role, against tenant B's seeded objects. Nothing of B may leak: B's objects
answer exactly like objects that do not exist, and no listing shows them.

A new route is covered automatically; a route whose path names an object kind the probe has
not seeded in tenant B fails here until it is added to ``seed_tenant_b``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from compliance.calculation import PayFrequency
from domain.api_clients import service as api_clients
from domain.api_clients.model import GrantType, NewApiClient
from domain.assessments import service as assessments
from domain.assessments.service import NewReference, NewVendor
from domain.assessments.signatures import sign
from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.employees.service import BankAccountRequest, NewStandardItem, TaxAttributesChange
from domain.identity.service import ensure_user
from domain.interviews import service as interviews
from domain.interviews.model import NewInterview, ParticipantInput, ParticipantKind
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.settings import Mode
from domain.payroll import service as payroll
from domain.payroll.calendar import PayGroupRule
from domain.payroll.service import Approve, NewPayGroup, NewPayInput, NewPayRun, RegionAssignment
from domain.privacy import holds
from domain.privacy.purge import purge_tenant
from domain.recordings import service as recordings
from domain.recruitment import service as recruitment
from domain.recruitment.model import (
    CompetencyDefinition,
    ConsentPurpose,
    NewApplication,
    NewCandidate,
    NewConsent,
    NewJob,
    NewModelVersion,
)
from domain.regulation import service as regulation
from domain.regulation.model import ChoiceKind, NewLawChoice, NewLawVersion
from domain.subject_requests import service as subject_requests
from domain.subject_requests.model import NewSubjectRequest, PersonKind, RequestKind
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity
from domain.webhooks import service as webhooks
from domain.webhooks.model import EventType, NewWebhookEndpoint
from domain.webhooks.service import WebhookConfig
from domain.webhooks.ssrf import TargetPolicy
from tests.conftest import bearer
from tests.law_versions import shanghai_version
from tests.routes import BODY_FOR_METHOD, NEUTRAL_VALUES, QUERY_FOR, RouteCase, query_for
from tests.seeds import SEEDED

pytestmark = pytest.mark.anyio
OPENAPI_PARAM = re.compile(r"\{(\w+)\}")


async def seed_tenant_b(tenant_b: uuid.UUID) -> dict[str, str]:
    """One object of every kind a path can name, owned by tenant B; seeded once per test session, as both the
    path and the body probes use them."""
    if ("tenant_b", tenant_b) not in SEEDED:
        SEEDED[("tenant_b", tenant_b)] = await _seed(tenant_b)
    return dict(SEEDED[("tenant_b", tenant_b)])


async def _seed(tenant_b: uuid.UUID) -> dict[str, str]:
    owner = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    entity = await tenancy.create_legal_entity(owner, NewLegalEntity(
        name=f"B Secret GmbH {uuid.uuid4().hex[:6]}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    # A user of its own per seeding, so that seeding again in the session books no interviewer twice.
    user = await ensure_user(SystemActor(subject="tests"), tenant_b, f"b-secret-user-{uuid.uuid4().hex[:6]}",
                             [Role.HR_ADMIN])
    job = await recruitment.create_job(owner, NewJob(legal_entity_id=entity.id, title={"en": "B secret role"},
                                                     location="Berlin"), "en")
    candidate = await recruitment.create_candidate(owner, NewCandidate(
        full_name="B Secret Person", email=f"b-{uuid.uuid4().hex[:8]}@example.com"))
    consent = await recruitment.add_consent(owner, candidate.id, NewConsent(
        purpose=ConsentPurpose.RECRUITMENT, given_at=datetime.now(UTC), evidence="signed form"))
    application = await recruitment.create_application(owner, NewApplication(candidate_id=candidate.id,
                                                                             job_id=job.id), "en")
    await recruitment.publish_model_version(owner, job.id, NewModelVersion(
        effective_from=date(2026, 1, 1), overall_pass_threshold="60",
        competencies=[CompetencyDefinition(code="coding", names={"en": "Coding"}, weight="1", pass_threshold="60")]))
    interview = await interviews.schedule(owner, NewInterview(
        application_id=application.id, title="B secret interview",
        start=datetime(2026, 12, 1, 9, tzinfo=UTC), end=datetime(2026, 12, 1, 10, tzinfo=UTC), participants=[
            ParticipantInput(kind=ParticipantKind.CANDIDATE, person_id=candidate.id, display_name="B Secret Person",
                             timezone="Europe/Berlin"),
            ParticipantInput(kind=ParticipantKind.INTERVIEWER, person_id=user.id, display_name="B Interviewer",
                             timezone="Asia/Tokyo")]))
    vendor = await assessments.register_vendor(owner, NewVendor(name=f"B secret vendor {uuid.uuid4().hex[:6]}"))
    evaluation = await _seed_evaluation(owner, vendor, candidate.id, application.id)
    await employees.add_standard_item(owner, NewStandardItem(
        legal_entity_id=entity.id, title={"en": "B secret onboarding"}, owner_role="hr_admin", due_in_working_days=1))
    employee = await employees.hire(owner, application.id, HireRequest(
        legal_entity_id=entity.id, position="B secret position", start_date=date(2026, 3, 2),
        pay=Pay(amount="9000.00", currency="EUR", unit="month"), weekly_hours="40", tax_attributes={"tax_class": 1}))
    bank_change = await employees.request_bank_account(owner, employee.id, BankAccountRequest(
        holder="B Secret Person", account="DE89370400440532013000"))
    recording = await recordings.upload(owner, application.id, "b-secret.webm", "video/webm", _chunks(b"B secret"),
                                        1_000_000)
    api_client = await api_clients.create_client(owner, NewApiClient(
        name=f"B secret partner {uuid.uuid4().hex[:6]}", grant_types=[GrantType.CLIENT_CREDENTIALS],
        scopes=["organisation:read"], roles=[Role.TENANT_ADMIN]))
    subject_request = await subject_requests.open_request(owner, NewSubjectRequest(
        kind=RequestKind.ACCESS, person_kind=PersonKind.CANDIDATE, person_id=candidate.id))
    return {"vendor_id": str(vendor.vendor.id), "entity_id": str(entity.id), "user_id": str(user.id),
            "request_id": str(subject_request.id), "tenant_id": str(tenant_b), "job_id": str(job.id),
            "candidate_id": str(candidate.id), "consent_id": str(consent.id), "application_id": str(application.id),
            "interview_id": str(interview.id), "recording_id": str(recording.id), "employee_id": str(employee.id),
            "change_id": str(bank_change.id), **evaluation, "client_id": str(api_client.client.id),
            "item_id": str((await employees.onboarding_plan(owner, employee.id)).items[0].id),
            **await _seed_payroll(tenant_b, entity.id, employee.id), **await _seed_law(tenant_b),
            **await _seed_webhooks(owner), **await _seed_privacy(owner, candidate.id), **await _seed_import(owner),
            **await _seed_authorised_app(tenant_b, api_client.client.id, api_client.client.client_id)}


async def _seed_authorised_app(tenant_b: uuid.UUID, api_client_id: uuid.UUID, client_id: str) -> dict[str, str]:
    """A tenant B person's remembered consent to a B app (what approving on the consent page stores)."""
    from domain.kernel.db import unit_of_work
    from domain.kernel.ids import new_id
    from domain.sign_in import queries as sign_in_queries

    row_id = new_id()
    async with unit_of_work(tenant_b) as uow:
        await sign_in_queries.save_consent(uow, "b-admin", api_client_id, client_id, "organisation:read", row_id)
    return {"authorisation_id": str(row_id)}


async def _seed_import(owner: Principal) -> dict[str, str]:
    """A finished import of tenant B (a dry run of one candidate), with its row."""
    from domain.bulk import service as bulk
    from domain.bulk.model import ImportFormat, ImportKind, ImportMode

    started = await bulk.start_import(owner, ImportKind.CANDIDATES, ImportFormat.JSONL, ImportMode.ROW_BY_ROW, True,
                                      b'{"external_id": "b-secret-1", "full_name": "B Secret Import"}\n')
    await bulk.wait_for_imports()
    return {"import_id": str(started.id)}


async def _seed_privacy(owner: Principal, candidate_id: uuid.UUID) -> dict[str, str]:
    """A legal hold on B's candidate and a completed purge run of B (with its certificate)."""
    hold = await holds.place_hold(owner, holds.NewLegalHold(
        kind=holds.HoldKind.PERSON, reason="B secret hold",
        person=holds.PersonRef(kind=holds.PersonKind.CANDIDATE, id=candidate_id)))
    purge = await purge_tenant(owner.tenant_id, requested_by="b-admin")
    return {"hold_id": str(hold.id), "purge_id": str(purge.purge_id)}


async def _seed_webhooks(owner: Principal) -> dict[str, str]:
    """A webhook endpoint of tenant B and one delivery (a ping). The endpoint is saved as an on-prem installation
    allowing internal targets would; the ping is then refused at send time under the configured rules, so nothing
    leaves the machine."""
    previous = webhooks.current_config()
    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True)))
    try:
        made = await webhooks.create_endpoint(owner, NewWebhookEndpoint(
            url="https://127.0.0.1:9/b-secret-hooks", events=[EventType.EMPLOYEE_HIRED]))
    finally:
        webhooks.configure(previous)
    delivery = await webhooks.ping(owner, made.endpoint.id)
    return {"endpoint_id": str(made.endpoint.id), "delivery_id": str(delivery.id)}


async def _seed_evaluation(owner: Principal, vendor: Any, candidate_id: uuid.UUID,
                           application_id: uuid.UUID) -> dict[str, str]:
    """An AI interview result of tenant B's consenting candidate, delivered signed and evaluated."""
    await recruitment.add_consent(owner, candidate_id, NewConsent(
        purpose=ConsentPurpose.AI_INTERVIEW_ANALYSIS, given_at=datetime.now(UTC), evidence="signed form"))
    reference = f"b-secret-{uuid.uuid4().hex[:8]}"
    await assessments.map_reference(owner, vendor.vendor.id, NewReference(
        kind="application", reference=reference, application_id=application_id))
    body = json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": reference, "vendor": "B", "model": "m",
        "model_version": "1", "rubric_version": "1", "reference": {"application_reference": reference},
        "interview_language": "en", "completed_at": "2026-05-01T10:00:00Z", "competencies": [
            {"code": "coding", "name": "Coding", "score": "70", "scale_min": "0", "scale_max": "100"}]}).encode()
    now = int(time.time())
    delivered = await assessments.receive(owner.tenant_id, vendor.vendor.id, sign(vendor.secret.encode(), now, body),
                                          body, now)
    assert delivered.evaluation is not None
    return {"result_id": str(delivered.result.id), "evaluation_id": str(delivered.evaluation.id)}


async def _seed_law(tenant_b: uuid.UUID) -> dict[str, str]:
    """A proposed law version and a written choice, in tenant B."""
    admin = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    version = await regulation.propose_version(admin, NewLawVersion(
        country="CN", series="social_insurance", data=shanghai_version("b-secret-sh", "7546", "37731")))
    choice = await regulation.make_choice(admin, NewLawChoice(
        country="CN", series="social_insurance", kind=ChoiceKind.CARRY_FORWARD, reason="B's secret choice"))
    return {"version_id": str(version.id), "choice_id": str(choice.id)}


async def _seed_payroll(tenant_b: uuid.UUID, entity_id: uuid.UUID, employee_id: uuid.UUID) -> dict[str, str]:
    """A finalised run and a second run with a variance exception against it, in tenant B."""
    def as_(subject: str, role: Role) -> Principal:
        return Principal(tenant_id=tenant_b, subject=subject, roles=frozenset({role}))

    admin, preparer = as_("b-admin", Role.TENANT_ADMIN), as_("b-prep", Role.PAYROLL_PREPARER)
    await employees.set_tax_attributes(admin, employee_id, TaxAttributesChange(
        country="DE", effective_from=date(2026, 1, 1), attributes={"tax_class": 1}))
    reviewers = [as_("b-rev-1", Role.PAYROLL_REVIEWER), as_("b-rev-2", Role.PAYROLL_REVIEWER)]
    for reviewer in reviewers:
        await payroll.assign_region(admin, RegionAssignment(subject=reviewer.subject, region="DE"))
    group = await payroll.create_group(preparer, NewPayGroup(legal_entity_id=entity_id, name="B payroll", rule=(
        PayGroupRule(frequency=PayFrequency.MONTHLY, pay_day=25, country="DE"))))
    first = await payroll.create_run(preparer, NewPayRun(pay_group_id=group.id, year=2026, period=4))
    await payroll.calculate_in_foreground(preparer, first.id, lambda done, total: None)
    await payroll.submit(preparer, first.id)
    digest = (await payroll.get_run(preparer, first.id)).results_hash
    for reviewer in reviewers:
        await payroll.approve(reviewer, first.id, Approve(results_hash=digest or ""))
    await payroll.finalise(preparer, first.id)
    second = await payroll.create_run(preparer, NewPayRun(pay_group_id=group.id, year=2026, period=5))
    await payroll.add_input(preparer, second.id, NewPayInput(employee_id=employee_id, kind="allowance", amount="20000"))
    await payroll.calculate_in_foreground(preparer, second.id, lambda done, total: None)
    exception = (await payroll.exceptions_of(preparer, second.id)).items[0]
    payslip = (await payroll.payslips_of(preparer, first.id)).items[0]
    return {"group_id": str(group.id), "run_id": str(second.id), "exception_id": str(exception.id),
            "payslip_id": str(payslip.id)}


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    yield content


def operations(document: dict[str, Any]) -> list[RouteCase]:
    cases = []
    for path, item in document["paths"].items():
        for method in item:
            if method.upper() in ("GET", "POST", "PATCH", "PUT", "DELETE") and path.startswith("/v1/"):
                typed = OPENAPI_PARAM.sub(lambda m: "{" + m.group(1) + ":x}", path)
                cases.append(RouteCase(method=method.upper(), path=typed, operation=None, public=False))
    return cases


async def test_tenant_a_sees_nothing_of_tenant_b(
    app: Any, client: Any, runtime: Any, tenant_a: Any, tenant_b: Any, token_for: Any
) -> None:
    b_objects = await seed_tenant_b(tenant_b)
    secrets = set(b_objects.values())
    document = (await client.get("/schema/openapi.json")).json()
    roles = [r for r in Role if r is not Role.PLATFORM_OPERATOR]
    tokens = {role: await token_for(tenant_a, role.value, subject=f"probe-{role.value}") for role in roles}
    tokens_all = await token_for(tenant_a, *[r.value for r in roles], subject="probe-all-roles")
    client_token = await every_scope_client_token(client, tenant_a, roles)
    probed = 0
    for case in operations(document):
        names = [name for name, _ in case.params]
        unknown = [n for n in names if n not in b_objects and n not in NEUTRAL_VALUES]
        assert not unknown, f"{case}: seed an object of tenant B for {unknown} in seed_tenant_b"
        targets_b = any(n in b_objects for n in names)
        b_values = {**NEUTRAL_VALUES, **b_objects}
        missing_values = {**NEUTRAL_VALUES, **{n: str(uuid.uuid4()) for n in b_objects}}
        b_url = case.url(b_values) + query_for(_typed(case.path), b_values)
        missing_url = case.url(missing_values) + query_for(_typed(case.path), missing_values)
        targets_b = targets_b or "{" in QUERY_FOR.get(_typed(case.path), "")
        for label, token in [*tokens.items(), ("all roles", tokens_all), ("client token, every scope", client_token)]:
            headers = bearer(token, **{"If-Match": '"v1"'})
            body = BODY_FOR_METHOD.get(case.method)
            against_b = await client.request(case.method, b_url, headers=headers, json=body)
            probed += 1
            # The ids the caller sent (echoed in the problem's `instance`) are no leak; anything else is.
            leaked = [s for s in secrets - set(b_url.split("/")) if s in against_b.text]
            assert not leaked, f"{label} {case} leaked {leaked}"
            if targets_b:
                assert not 200 <= against_b.status_code < 300, f"{label} {case}: {against_b.status_code}"
                missing = await client.request(case.method, missing_url, headers=headers, json=body)
                assert _comparable(against_b) == _comparable(missing), f"{label} {case}"
    assert probed >= len(operations(document)) * len(roles)
    print(f"probed {probed} requests over {len(operations(document))} operations x {len(roles) + 1} role sets")


async def every_scope_client_token(client: Any, tenant_a: uuid.UUID, roles: list[Role]) -> str:
    """A client-credentials token of a tenant A client holding every role and every scope of the catalogue."""
    from domain.kernel.permissions import SCOPES

    owner = Principal(tenant_id=tenant_a, subject="probe-client-owner", roles=frozenset(roles))
    made = await api_clients.create_client(owner, NewApiClient(
        name=f"Probe partner {uuid.uuid4().hex[:6]}", grant_types=[GrantType.CLIENT_CREDENTIALS],
        scopes=list(SCOPES), roles=roles))
    answer = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(
        made.client.client_id, made.client_secret))
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]  # type: ignore[no-any-return]


def _typed(openapi_path: str) -> str:
    return openapi_path.replace(":x}", ":uuid}").replace("{country:uuid}", "{country:str}")


def _comparable(response: Any) -> tuple[int, Any]:
    """The answer without what differs per request (its id and the URL asked for)."""
    try:
        body = response.json()
    except ValueError:
        return response.status_code, response.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("request_id", "instance")}
    return response.status_code, body


async def test_platform_tenant_routes_from_a_customer_tenant_are_forbidden(
    client: Any, runtime: Any, tenant_a: Any, tenant_b: Any, token_for: Any
) -> None:
    if runtime.settings.mode is Mode.ONPREM:
        return
    token = await token_for(tenant_a, "tenant_admin", subject="not-an-operator")
    response = await client.post(f"/v1/platform/tenants/{tenant_b}/suspend", headers=bearer(token))
    assert response.status_code == 403
