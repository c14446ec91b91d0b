"""The retention purge of payroll records, leavers and profile-only candidates, on SQLite and PostgreSQL.

- A payslip past its period, counted from the end of the pay year in the country's tax year (the UK's starts on 6
  April), keeps its amounts (what the results hash covers, the control totals) and loses the name and the working;
  one a few days later, in the next tax year, is kept whole.
- A German leaver past the employee-record period (48 months, practice) is kept while a payslip of theirs is within
  the Lohnkonto's six years (EStG § 41); their bank details go at their own period; a legal hold stops the payslip's
  purge and the erasure; once released, the payslip is pseudonymised and the employee erased (with the candidate
  record they were hired from) in the same run.
- A candidate who never applied is erased after the candidate-profile period counted from their last activity, or
  after consent withdrawn; a held one is counted as held.

The tests share a tenant; each asserts on its own people, and on the lines of countries no other purge test dates
back. Dates are moved back in the database, as the other purge tests do."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from domain.jobs.service import wait_for_jobs
from domain.kernel.db import current_database, unit_of_work
from domain.kernel.time import utc_now
from domain.privacy.erasure import pseudonym_of
from domain.privacy.purge import PurgeOutcome, months_before, purge_tenant, schedule_daily_purges
from tests.conftest import bearer
from tests.integration.test_payslip_itemised import calculated, finalised, paying

pytestmark = pytest.mark.anyio

HOLDS = "/v1/privacy/legal-holds"
PURGES = "/v1/privacy/purges"


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    await schedule_daily_purges()  # today's scheduled purge has run, so it purges nothing a test looks at
    await wait_for_jobs()
    return await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="payroll-purge-admin")


async def _sql(tenant: uuid.UUID, statement: str, *params: Any) -> list[dict[str, Any]]:
    async with unit_of_work(tenant) as uow:
        return await current_database().execute(statement, *params, uow.tenant_id)


async def _date_run(tenant: uuid.UUID, run_id: str, pay_date: date) -> None:
    """The run paid on ``pay_date``, for the month it falls in."""
    start = pay_date.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    await _sql(
        tenant,
        "UPDATE pay_runs SET pay_date = {}, period_start = {}, period_end = {} WHERE id = {} AND tenant_id = {}",
        pay_date,
        start,
        end,
        uuid.UUID(run_id),
    )


async def _slip(tenant: uuid.UUID, run_id: str) -> dict[str, Any]:
    [row] = await _sql(
        tenant,
        "SELECT result, summary, pseudonymised_at FROM payslips WHERE run_id = {} AND tenant_id = {}",
        uuid.UUID(run_id),
    )
    return {
        "result": json.loads(row["result"]),
        "summary": json.loads(row["summary"]),
        "pseudonymised": row["pseudonymised_at"] is not None,
    }


def _line(outcome: PurgeOutcome, country: str, data_class: str, trigger: str) -> Any:
    return next(
        line
        for line in outcome.lines
        if (line.country, line.data_class.value, line.trigger.value) == (country, data_class, trigger)
    )


def _hashed(result: dict[str, Any]) -> list[Any]:
    """What the pay run's results hash and the journal read of a payslip."""
    return [
        result["lines"],
        result["totals"],
        result.get("earnings"),
        result.get("settlement"),
        result["year_to_date"],
        result["currency"],
    ]


async def test_a_payslip_past_its_uk_tax_years_period_keeps_its_amounts_and_loses_the_name(
    client: Any, admin: str, tenant_a: uuid.UUID, token_for: Any
) -> None:
    setup = await paying(client, tenant_a, token_for, "GB")
    employee = setup["employee"]
    old = await calculated(client, setup, 1, allowance="250")
    await finalised(client, setup, old)
    later = await calculated(client, setup, 2)
    # PAYE records: 3 years after the end of the tax year (6 April to 5 April). The last year end whose period
    # has passed, and two pay dates in one calendar year: before it (past), and after it (in the next tax year).
    cut = months_before(utc_now(), 36).date()
    year_end = date(cut.year, 4, 5) if cut >= date(cut.year, 4, 5) else date(cut.year - 1, 4, 5)
    await _date_run(tenant_a, old["id"], year_end - timedelta(days=2))
    await _date_run(tenant_a, later["id"], year_end + timedelta(days=5))
    before = await _slip(tenant_a, old["id"])
    preparer = bearer(setup["tokens"]["preparer"])
    totals_before = (await client.get(f"/v1/pay-runs/{old['id']}/control-totals", headers=preparer)).json()
    assert before["result"]["name"] == employee.full_name and before["result"]["trace"]

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    line = _line(outcome, "GB", "payroll_records", "pay_year_closed")
    assert (line.action, line.purged, line.held, line.period_months, line.source) == (
        "pseudonymised",
        1,
        0,
        36,
        "statutory",
    )
    after = await _slip(tenant_a, old["id"])
    pseudonym = pseudonym_of("employee", employee.id)
    assert after["pseudonymised"] and after["result"]["name"] == pseudonym and after["result"]["trace"] == []
    assert after["summary"]["name"] == pseudonym
    assert _hashed(after["result"]) == _hashed(before["result"])
    assert employee.full_name not in json.dumps(after)
    totals_after = (await client.get(f"/v1/pay-runs/{old['id']}/control-totals", headers=preparer)).json()
    assert totals_after == totals_before
    shown = (await client.get(f"/v1/pay-runs/{old['id']}/payslips", headers=preparer)).json()["items"]
    assert [slip["gross"] for slip in shown] == [before["result"]["totals"]["gross"]]
    kept = await _slip(tenant_a, later["id"])
    assert not kept["pseudonymised"] and kept["result"]["name"] == employee.full_name and kept["result"]["trace"]
    profile = await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))
    assert profile.json()["full_name"] == employee.full_name  # still employed: only the old payslip went
    again = await purge_tenant(tenant_a, requested_by="tests")
    assert _line(again, "GB", "payroll_records", "pay_year_closed").purged == 0

    certificate = (await client.get(f"{PURGES}/{outcome.purge_id}/certificate", headers=bearer(admin))).json()
    listed = next(
        c
        for c in certificate["purge"]["lines"]
        if (c["country"], c["data_class"], c["trigger"]) == ("GB", "payroll_records", "pay_year_closed")
    )
    assert (listed["action"], listed["purged"]) == ("pseudonymised", 1)
    page = await client.get(f"{PURGES}/{outcome.purge_id}/certificate?format=html", headers=bearer(admin))
    assert "Pseudonymised (amounts kept)" in page.text and employee.full_name not in page.text
    entry = (
        await client.get(
            "/v1/audit/entries",
            headers=bearer(admin),
            params={"entity_type": "privacy_purge", "entity_id": str(outcome.purge_id)},
        )
    ).json()["items"]
    assert any(
        line["data_class"] == "payroll_records" and line["country"] == "GB" and line["purged"] == 1
        for line in entry[0]["after"]["lines"]
    )
    assert employee.full_name not in json.dumps(entry)


async def test_a_leaver_is_kept_while_payroll_needs_them_held_by_a_hold_then_erased_with_their_payslips(
    client: Any, admin: str, tenant_a: uuid.UUID, token_for: Any
) -> None:
    setup = await paying(client, tenant_a, token_for, "DE")
    employee = setup["employee"]
    run = await calculated(client, setup, 1)
    bank = await client.post(
        f"/v1/employees/{employee.id}/bank-account-changes",
        headers=bearer(admin),
        json={"holder": employee.full_name, "account": "DE89 3704 0044 0532 0130 00", "bank_code": "COBADEFF"},
    )
    assert bank.status_code == 201, bank.text
    year = utc_now().year
    # Left five years ago (past the 48 months of the employee record); paid that year: the Lohnkonto is kept to
    # the end of the sixth calendar year after it, so still now.
    await _sql(
        tenant_a,
        "UPDATE employees SET left_on = {} WHERE id = {} AND tenant_id = {}",
        date(year - 5, 3, 31),
        employee.id,
    )
    await _date_run(tenant_a, run["id"], date(year - 5, 1, 25))

    first = await purge_tenant(tenant_a, requested_by="tests")

    profile = await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))
    assert profile.json()["full_name"] == employee.full_name
    assert not (await _slip(tenant_a, run["id"]))["pseudonymised"]
    changes = await client.get(f"/v1/employees/{employee.id}/bank-account-changes", headers=bearer(admin))
    assert changes.json()["items"] == []  # bank details: their own period (12 months, Meridian's default)
    assert _line(first, "DE", "bank_details", "employment_ended").purged >= 1

    # Paid eight years ago: the period has passed; a hold on the employee stops the purge of both.
    await _date_run(tenant_a, run["id"], date(year - 8, 1, 25))
    hold = await client.post(
        HOLDS,
        headers=bearer(admin),
        json={"kind": "person", "person": {"kind": "employee", "id": str(employee.id)}, "reason": "Tax audit"},
    )
    assert hold.status_code == 201, hold.text
    held = await purge_tenant(tenant_a, requested_by="tests")
    payroll = _line(held, "DE", "payroll_records", "pay_year_closed")
    assert (payroll.purged, payroll.held, payroll.period_months, payroll.source) == (0, 1, 72, "statutory")
    assert "EStG" in payroll.legal_basis.document
    assert _line(held, "DE", "employee_record", "employment_ended").held >= 1
    assert not (await _slip(tenant_a, run["id"]))["pseudonymised"]
    released = await client.post(
        f"{HOLDS}/{hold.json()['id']}/release", headers=bearer(admin), json={"reason": "Audit closed"}
    )
    assert released.status_code == 200, released.text

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    keys = await _sql(
        tenant_a,
        "SELECT person_kind, created_at FROM person_keys WHERE person_id IN ({}, {}) AND tenant_id = {} "
        "AND wrapped_key <> ''",
        employee.id,
        employee.candidate_id,
    )
    assert keys == []  # both keys destroyed (emptied rows mark them erased): nothing sealed under them opens
    assert _line(outcome, "DE", "payroll_records", "pay_year_closed").purged == 1
    assert _line(outcome, "DE", "employee_record", "employment_ended").purged >= 1
    slip = await _slip(tenant_a, run["id"])
    assert slip["pseudonymised"] and slip["result"]["name"] == pseudonym_of("employee", employee.id)
    erased = (await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))).json()
    assert erased["full_name"] == pseudonym_of("employee", employee.id)
    candidate = (await client.get(f"/v1/candidates/{employee.candidate_id}", headers=bearer(admin))).json()
    assert candidate["full_name"] == pseudonym_of("candidate", employee.candidate_id)
    entries = (
        await client.get(
            "/v1/audit/entries",
            headers=bearer(admin),
            params={"entity_type": "privacy_purge", "entity_id": str(outcome.purge_id)},
        )
    ).json()["items"]
    assert employee.full_name not in json.dumps(entries)


async def _profile(client: Any, admin: str, tenant: uuid.UUID, days_ago: int) -> str:
    """A candidate who never applied, whose profile last changed ``days_ago`` days ago."""
    created = await client.post(
        "/v1/candidates",
        headers=bearer(admin),
        json={
            "full_name": f"Pool Person {uuid.uuid4().hex[:10]}",
            "email": f"{uuid.uuid4().hex[:12]}@example.org",
            "timezone": "Europe/London",
        },
    )
    assert created.status_code == 201, created.text
    candidate = str(created.json()["id"])
    await _sql(
        tenant,
        "UPDATE candidates SET created_at = {}, updated_at = {} WHERE id = {} AND tenant_id = {}",
        utc_now() - timedelta(days=days_ago),
        utc_now() - timedelta(days=days_ago),
        uuid.UUID(candidate),
    )
    return candidate


async def _name(client: Any, admin: str, candidate: str) -> str:
    return str((await client.get(f"/v1/candidates/{candidate}", headers=bearer(admin))).json()["full_name"])


async def test_a_candidate_who_never_applied_is_erased_after_the_profile_period_from_their_last_activity(
    client: Any, admin: str, tenant_a: uuid.UUID
) -> None:
    dormant = await _profile(client, admin, tenant_a, days_ago=365 * 12)
    recent = await _profile(client, admin, tenant_a, days_ago=1)
    revived = await _profile(client, admin, tenant_a, days_ago=365 * 12)
    consent = await client.post(
        f"/v1/candidates/{revived}/consents",
        headers=bearer(admin),
        json={"purpose": "recruitment", "given_at": utc_now().isoformat(), "evidence": "talent pool sign-up"},
    )
    assert consent.status_code == 201, consent.text
    withdrew = await _profile(client, admin, tenant_a, days_ago=1)
    given = await client.post(
        f"/v1/candidates/{withdrew}/consents",
        headers=bearer(admin),
        json={"purpose": "recruitment", "given_at": "2026-01-05T09:00:00Z", "evidence": "talent pool sign-up"},
    )
    withdrawn = await client.post(
        f"/v1/candidates/{withdrew}/consents/{given.json()['id']}/withdraw", headers=bearer(admin)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    await _sql(
        tenant_a,
        "UPDATE consents SET withdrawn_at = {} WHERE candidate_id = {} AND tenant_id = {}",
        utc_now() - timedelta(days=365 * 11),
        uuid.UUID(withdrew),
    )
    held = await _profile(client, admin, tenant_a, days_ago=365 * 12)
    hold = await client.post(
        HOLDS,
        headers=bearer(admin),
        json={"kind": "person", "person": {"kind": "candidate", "id": held}, "reason": "Pending claim"},
    )
    assert hold.status_code == 201, hold.text

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    assert await _name(client, admin, dormant) == pseudonym_of("candidate", uuid.UUID(dormant))
    assert await _name(client, admin, withdrew) == pseudonym_of("candidate", uuid.UUID(withdrew))
    for kept in (recent, revived, held):
        assert (await _name(client, admin, kept)).startswith("Pool Person")
    # Counted on the line of the tenant's country with the longest candidate-profile period.
    profiles = [
        line
        for line in outcome.lines
        if (line.data_class.value, line.trigger.value) == ("candidate_profile", "application_closed")
    ]
    longest = max(line.period_months for line in profiles)
    assert longest < 12 * 12 and sum(line.purged for line in profiles) >= 1
    assert sum(line.held for line in profiles) >= 1
    await client.post(f"{HOLDS}/{hold.json()['id']}/release", headers=bearer(admin), json={"reason": "Settled"})


async def test_a_leaver_who_applied_again_is_erased_as_an_employee_and_keeps_the_open_application(
    client: Any, admin: str, tenant_a: uuid.UUID, token_for: Any
) -> None:
    setup = await paying(client, tenant_a, token_for, "CN")  # no payslip: nothing of payroll keeps them
    employee = setup["employee"]
    job = await client.post(
        "/v1/jobs",
        headers=bearer(admin),
        json={
            "legal_entity_id": str(setup["entity"].id),
            "location": "CN",
            "title": {"en": "Lead"},
            "description": {"en": "Python"},
        },
    )
    assert job.status_code == 201, job.text
    again = await client.post(
        "/v1/applications",
        headers=bearer(admin),
        json={"candidate_id": str(employee.candidate_id), "job_id": job.json()["id"]},
    )
    assert again.status_code == 201, again.text
    await _sql(
        tenant_a,
        "UPDATE employees SET left_on = {} WHERE id = {} AND tenant_id = {}",
        date(utc_now().year - 5, 3, 31),
        employee.id,
    )

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    line = _line(outcome, "CN", "employee_record", "employment_ended")
    assert (line.period_months, line.source) == (24, "statutory") and line.purged >= 1
    erased = (await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))).json()
    assert erased["full_name"] == pseudonym_of("employee", employee.id)
    candidate = (await client.get(f"/v1/candidates/{employee.candidate_id}", headers=bearer(admin))).json()
    assert candidate["full_name"] == employee.full_name  # their open application still needs the profile


async def test_bank_details_kept_longer_by_the_tenant_keep_the_leaver_until_their_own_period_ends(
    client: Any, admin: str, tenant_a: uuid.UUID, token_for: Any
) -> None:
    setup = await paying(client, tenant_a, token_for, "JP")
    employee = setup["employee"]
    bank = await client.post(
        f"/v1/employees/{employee.id}/bank-account-changes",
        headers=bearer(admin),
        json={"holder": employee.full_name, "account": "0001234567", "bank_code": "0005"},
    )
    assert bank.status_code == 201, bank.text
    # Left six years ago: past the employee record's five years (practice; 3 at least, 労働基準法 第百九条).
    await _sql(
        tenant_a,
        "UPDATE employees SET left_on = {} WHERE id = {} AND tenant_id = {}",
        date(utc_now().year - 6, 3, 31),
        employee.id,
    )
    policy = "/v1/privacy/retention-policies/JP/bank_details/employment_ended"
    longer = await client.put(
        policy,
        json={"period_months": 120, "reason": "Disputed final payments"},
        headers=bearer(admin, **{"If-Match": (await client.get(policy, headers=bearer(admin))).headers["etag"]}),
    )
    assert longer.status_code == 200, longer.text

    kept = await purge_tenant(tenant_a, requested_by="tests")

    assert _line(kept, "JP", "bank_details", "employment_ended").period_months == 120
    profile = (await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))).json()
    assert profile["full_name"] == employee.full_name
    changes = await client.get(f"/v1/employees/{employee.id}/bank-account-changes", headers=bearer(admin))
    assert len(changes.json()["items"]) == 1
    back = await client.put(
        policy,
        json={"period_months": None, "reason": "Settled"},
        headers=bearer(admin, **{"If-Match": longer.headers["etag"]}),
    )
    assert back.status_code == 200, back.text

    outcome = await purge_tenant(tenant_a, requested_by="tests")

    assert _line(outcome, "JP", "bank_details", "employment_ended").purged >= 1
    assert _line(outcome, "JP", "employee_record", "employment_ended").purged >= 1
    erased = (await client.get(f"/v1/employees/{employee.id}", headers=bearer(admin))).json()
    assert erased["full_name"] == pseudonym_of("employee", employee.id)
