"""Logs carry ids, never names, emails, phones or national ids: a representative workload (a hire, a pay
run with a payslip that cannot be calculated, a refused vendor delivery) is run while every log record is
captured as the server writes it, and none holds a seeded personal value."""

from __future__ import annotations

import io
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from api.logs import JsonFormatter
from domain.assessments.signatures import sign
from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.service import wait_for_jobs
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from tests.conftest import bearer
from tests.integration.test_interview_results import deliver, hiring, result_body  # noqa: F401 (a fixture)
from tests.integration.test_payroll import payroll  # noqa: F401 (a fixture)
from tests.integration.test_recruitment import unique_cn_id, unique_mobile

pytestmark = pytest.mark.anyio


class _Written(logging.Handler):
    """Each record as the server's formatter writes it, and its raw parts in case another formatter is used."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(JsonFormatter())
        self.out = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        self.out.write(self.format(record) + "\n")
        self.out.write(f"{record.msg!s} {record.args!r}\n")


@pytest.fixture
def written() -> Iterator[_Written]:
    handler = _Written()
    loggers = [logging.getLogger(), logging.getLogger("meridian")]  # "meridian" does not propagate
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def test_no_personal_value_is_logged(client: Any, tenant_a: Any, payroll: dict[str, Any],  # noqa: F811
                                           hiring: dict[str, Any], written: _Written) -> None:  # noqa: F811
    name, email = f"王芳{uuid.uuid4().hex[:4]}", f"log-probe-{uuid.uuid4().hex[:8]}@example.com"
    phone, national_id = unique_mobile(), unique_cn_id()
    employee = await _hire(tenant_a, payroll["entity"], name, email, phone, national_id)
    preparer = bearer(payroll["tokens"]["preparer"])
    blocking = {"country": "CN", "effective_from": "2026-01-01", "attributes": {"medical_tier": "tier2"}}
    blocked = await client.post(f"/v1/employees/{employee.id}/tax-attributes", headers=preparer, json=blocking)
    assert blocked.status_code == 201, blocked.text
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 3})).json()
    assert (await client.post(f"/v1/pay-runs/{run['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    failed = (await client.get(f"/v1/pay-runs/{run['id']}", headers=preparer)).json()
    assert failed["job_status"] == "failed" and name in failed["job_error"]  # the authorised reader is told who

    body = result_body(f"res-{uuid.uuid4().hex[:6]}", email)
    refused = await deliver(client, hiring, body, header=sign(b"mvs_not-the-secret", int(time.time()), body))
    assert refused.status_code == 401, refused.text

    logged = written.out.getvalue()
    digits = phone.replace(" ", "").removeprefix("+86")
    assert [v for v in (name, email, phone, digits, national_id) if v in logged] == []
    assert "pay_run_calculation_blocked" in logged and str(employee.id) in logged  # logged, by id


async def _hire(tenant_id: Any, entity: Any, name: str, email: str, phone: str, national_id: str) -> Any:
    admin = Principal(tenant_id=tenant_id, subject="log-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title={"en": "Analyst"},
                                                     location=entity.name), "en")
    candidate = await recruitment.create_candidate(admin, NewCandidate(
        full_name=name, email=email, phone=phone, national_id=national_id, national_id_country="CN"))
    application = await recruitment.create_application(
        admin, NewApplication(candidate_id=candidate.id, job_id=job.id), "en")
    return await employees.hire(admin, application.id, HireRequest(
        legal_entity_id=entity.id, position="Analyst", start_date=date(2026, 1, 1),
        pay=Pay(amount="20000.00", currency=entity.currency, unit="month"), weekly_hours="40"))
