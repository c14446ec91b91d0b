"""The domain's changes reach webhook endpoints: a hire (`employee.hired`), its onboarding items falling due
(`onboarding.item_due`, once per item however often the periodic pass runs), and a tenant's own law version
approved and retired (`compliance.parameters_changed`); each payload carries ids and no personal data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.employees.service import NewStandardItem
from domain.jobs import service as jobs
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.recruitment import service as recruitment
from domain.recruitment.model import ConsentPurpose, NewApplication, NewCandidate, NewConsent, NewJob
from domain.regulation import service as regulation
from domain.regulation.model import LawDecision, NewLawVersion
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity
from domain.webhooks import service as webhooks
from domain.webhooks.service import WebhookConfig
from domain.webhooks.ssrf import TargetPolicy
from tests.conftest import bearer
from tests.law_versions import shanghai_version
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def local_sender(app: Any) -> Iterator[None]:
    previous = webhooks.current_config()
    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True), retry_base_seconds=0.3,
                                     retry_max_seconds=0.6))
    yield
    webhooks.configure(previous)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def as_(tenant: uuid.UUID, subject: str, role: Role) -> Principal:
    return Principal(tenant_id=tenant, subject=subject, roles=frozenset({role}))


async def test_a_hire_and_its_onboarding_items_falling_due_are_published(
        client: Any, tenant_a: Any, token_for: Any, receiver: Receiver) -> None:
    token = await token_for(tenant_a, "tenant_admin", subject="webhook-events-admin")
    made = await client.post("/v1/webhook-endpoints", headers=bearer(token), json={
        "url": receiver.url, "events": ["employee.hired", "onboarding.item_due"]})
    secret, endpoint = made.json()["secret"], made.json()["endpoint"]
    owner = as_(tenant_a, "webhook-events-admin", Role.TENANT_ADMIN)
    entity = await tenancy.create_legal_entity(owner, NewLegalEntity(
        name=f"Hook GmbH {uuid.uuid4().hex[:6]}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    job = await recruitment.create_job(owner, NewJob(legal_entity_id=entity.id, title={"en": "Hooked role"},
                                                     location="Berlin"), "en")
    candidate = await recruitment.create_candidate(owner, NewCandidate(
        full_name="Hanna Hookmann", email=f"hook-{uuid.uuid4().hex[:8]}@example.com"))
    await recruitment.add_consent(owner, candidate.id, NewConsent(
        purpose=ConsentPurpose.RECRUITMENT, given_at=datetime.now(UTC), evidence="signed form"))
    application = await recruitment.create_application(owner, NewApplication(candidate_id=candidate.id,
                                                                             job_id=job.id), "en")
    await employees.add_standard_item(owner, NewStandardItem(
        legal_entity_id=entity.id, title={"en": "Laptop"}, owner_role="hr_admin", due_in_working_days=1))
    start = date.today() - timedelta(days=4)
    employee = await employees.hire(owner, application.id, HireRequest(
        legal_entity_id=entity.id, position="Engineer", start_date=start,
        pay=Pay(amount="6000.00", currency="EUR", unit="month"), weekly_hours="40", tax_attributes={"tax_class": 1}))
    [hired] = await receiver.wait_for(1)
    payload = dict(Webhook(secret).verify(hired.body, hired.headers))
    assert payload["type"] == "employee.hired" and payload["data"]["id"] == str(employee.id)
    assert payload["data"]["legal_entity_id"] == str(entity.id)
    assert payload["data"]["application_id"] == str(application.id)
    assert "Hookmann" not in hired.body.decode() and "6000" not in hired.body.decode()

    item = (await employees.onboarding_plan(owner, employee.id)).items[0]
    for _ in range(2):  # the periodic pass runs again: the item is announced once
        await employees.publish_due_onboarding_items(tenant_a)
        await jobs.wait_for_jobs()
    due = [r for r in await receiver.wait_for(2) if r.json["type"] == "onboarding.item_due"
           and r.json["data"]["employee_id"] == str(employee.id)]
    assert [r.json["data"]["id"] for r in due] == [str(item.id)]
    assert dict(Webhook(secret).verify(due[0].body, due[0].headers))["data"]["due_date"] == item.due_date.isoformat()
    current = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(token))
    await client.delete(f"/v1/webhook-endpoints/{endpoint['id']}",
                        headers=bearer(token, **{"If-Match": current.headers["etag"]}))


async def test_a_law_version_approved_and_retired_changes_the_parameters(
        client: Any, tenant_a: Any, token_for: Any, receiver: Receiver) -> None:
    token = await token_for(tenant_a, "tenant_admin", subject="webhook-law-admin")
    made = await client.post("/v1/webhook-endpoints", headers=bearer(token), json={
        "url": receiver.url, "events": ["compliance.parameters_changed"]})
    secret, endpoint = made.json()["secret"], made.json()["endpoint"]
    data = {**shanghai_version(f"hook-{uuid.uuid4().hex[:6]}", "7546", "37731"),
            "effective_from": "2041-07-01", "effective_to": "2042-06-30"}
    version = await regulation.propose_version(as_(tenant_a, "law-proposer", Role.PAYROLL_PREPARER), NewLawVersion(
        country="CN", series="social_insurance", data=data))
    reviewer = as_(tenant_a, "law-reviewer", Role.PAYROLL_REVIEWER)
    await regulation.approve_version(reviewer, version.id, LawDecision(reason="checked"))
    await regulation.retire_version(reviewer, version.id, LawDecision(reason="superseded"))
    arrived = await receiver.wait_for(2)
    payloads = [dict(Webhook(secret).verify(r.body, r.headers)) for r in arrived]
    assert [p["data"]["change"] for p in payloads] == ["law_version.approved", "law_version.retired"]
    assert {p["data"]["id"] for p in payloads} == {str(version.id)}
    assert payloads[0]["data"]["series"] == ["CN/social_insurance"]
    current = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(token))
    await client.delete(f"/v1/webhook-endpoints/{endpoint['id']}",
                        headers=bearer(token, **{"If-Match": current.headers["etag"]}))


async def test_an_onboarding_item_falls_due_on_the_employees_own_day(tenant_a: Any) -> None:
    """An item due on a day is announced when that day begins where the employee works: in Kiritimati (UTC+14)
    while it is still the day before in UTC, in Pago Pago (UTC-11) only once the day has begun there too."""
    from datetime import time

    from domain.kernel.db import current_database, unit_of_work

    owner = as_(tenant_a, "webhook-zone-admin", Role.TENANT_ADMIN)
    entity = await tenancy.create_legal_entity(owner, NewLegalEntity(
        name=f"Zone GmbH {uuid.uuid4().hex[:6]}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    job = await recruitment.create_job(owner, NewJob(legal_entity_id=entity.id, title={"en": "Zoned role"},
                                                     location="Berlin"), "en")
    await employees.add_standard_item(owner, NewStandardItem(
        legal_entity_id=entity.id, title={"en": "Badge"}, owner_role="hr_admin", due_in_working_days=1))

    async def hire(zone: str) -> Any:
        candidate = await recruitment.create_candidate(owner, NewCandidate(
            full_name="Zoe Zone", email=f"zone-{uuid.uuid4().hex[:8]}@example.com"))
        await recruitment.add_consent(owner, candidate.id, NewConsent(
            purpose=ConsentPurpose.RECRUITMENT, given_at=datetime.now(UTC), evidence="signed form"))
        application = await recruitment.create_application(owner, NewApplication(candidate_id=candidate.id,
                                                                                 job_id=job.id), "en")
        employee = await employees.hire(owner, application.id, HireRequest(
            legal_entity_id=entity.id, position="Engineer", start_date=date(2031, 3, 3), timezone=zone,
            pay=Pay(amount="6000.00", currency="EUR", unit="month"), weekly_hours="40",
            tax_attributes={"tax_class": 1}))
        return (await employees.onboarding_plan(owner, employee.id)).items[0]

    async def announced(item: Any) -> bool:
        async with unit_of_work(tenant_a, write=False):
            rows = await current_database().execute(
                "SELECT count(*) AS n FROM webhook_events WHERE tenant_id = {} AND once_key = {}", tenant_a,
                f"onboarding.item_due:{item.id}")
        return int(rows[0]["n"]) == 1

    east, west = await hire("Pacific/Kiritimati"), await hire("Pacific/Pago_Pago")
    day_before = datetime.combine(east.due_date - timedelta(days=1), time(0, 0), UTC)
    await employees.publish_due_onboarding_items(tenant_a, now=day_before + timedelta(hours=9))  # 23:00 there
    assert not await announced(east)
    await employees.publish_due_onboarding_items(tenant_a, now=day_before + timedelta(hours=10, minutes=30))
    assert await announced(east)  # 00:30 on the due date in Kiritimati, still the day before in UTC

    due_day = datetime.combine(west.due_date, time(0, 0), UTC)
    await employees.publish_due_onboarding_items(tenant_a, now=due_day + timedelta(hours=10, minutes=30))
    assert not await announced(west)  # the due date in UTC, but 23:30 the day before in Pago Pago
    await employees.publish_due_onboarding_items(tenant_a, now=due_day + timedelta(hours=11, minutes=30))
    assert await announced(west)
