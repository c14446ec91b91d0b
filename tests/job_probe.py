"""A job kind for the queue's tests, and the commands their subprocesses run against a database of their own.

The probe's handler records a side effect a repeat would show: a ``start`` and a ``done`` line per run, appended to
a file with one write each (atomic across processes), naming the job's token, the attempt and the process. Worker
processes run it with ``meridian worker --jobs-from tests.job_probe``.

    python -m tests.job_probe enqueue --count 50 --log FILE [--hold SECONDS]
    python -m tests.job_probe seed-payroll --employees 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from domain.jobs import service as jobs
from domain.jobs.model import JobRun


class Probe(msgspec.Struct, frozen=True):
    token: str
    log: str
    #: How long the first attempt holds before finishing, so a test can kill its process meanwhile.
    hold_first_attempt: float = 0.0
    #: The first attempt fails after starting, so the queue retries it.
    fail_first_attempt: bool = False


class ProbeFailed(RuntimeError):
    """The failure a probe was asked for."""


async def run_probe(job: JobRun, probe: Probe) -> None:
    record(probe.log, "start", probe.token, job.attempt)
    if job.attempt == 1 and probe.hold_first_attempt:
        await asyncio.sleep(probe.hold_first_attempt)
    if job.attempt == 1 and probe.fail_first_attempt:
        raise ProbeFailed(probe.token)
    record(probe.log, "done", probe.token, job.attempt)


PROBE = jobs.register("tests.probe", Probe, run_probe, max_attempts=3)


def record(log: str, event: str, token: str, attempt: int) -> None:
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, f"{event} {token} {attempt} {os.getpid()}\n".encode())
    finally:
        os.close(descriptor)


def events(log: Path) -> list[tuple[str, str, int, int]]:
    """(event, token, attempt, pid) per line written so far."""
    if not log.exists():
        return []
    found = []
    for line in log.read_text().splitlines():
        event, token, attempt, pid = line.split()
        found.append((event, token, int(attempt), int(pid)))
    return found


async def enqueue_probes(tenant_id: uuid.UUID, count: int, log: str, hold: float = 0.0) -> list[str]:
    """``count`` probes queued in one unit of work; their tokens."""
    from domain.kernel.db import unit_of_work

    tokens = [uuid.uuid4().hex for _ in range(count)]
    async with unit_of_work(tenant_id) as uow:
        for token in tokens:
            await jobs.enqueue(uow, PROBE, Probe(token=token, log=log, hold_first_attempt=hold))
    return tokens


async def seed_payroll(runtime: Any, employees: int) -> dict[str, str]:
    """A Shanghai entity with ``employees`` staff (written in bulk, as bench/payroll_run.py does), a monthly group,
    a draft run for March 2026, and a preparer's token."""
    from api.auth import issue_token
    from domain.employees.tables import Employee, Employment, TaxAttributes
    from domain.identity.service import ensure_user
    from domain.kernel.db import unit_of_work
    from domain.kernel.ids import new_id
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal, SystemActor
    from domain.kernel.time import utc_now
    from domain.payroll import service as payroll
    from domain.payroll.calendar import PayGroupRule
    from domain.payroll.service import NewPayGroup, NewPayRun
    from domain.tenancy.model import NewLegalEntity
    from domain.tenancy.service import create_legal_entity

    tenant = runtime.tenant()
    preparer = Principal(tenant_id=tenant, subject="restart-prep",
                         roles=frozenset({Role.TENANT_ADMIN, Role.PAYROLL_PREPARER}))
    entity = await create_legal_entity(preparer, NewLegalEntity(
        name="Restart SH", country="CN", region="SH", currency="CNY", timezone="Asia/Shanghai"))
    now = utc_now()
    for start in range(0, employees, 1000):
        async with unit_of_work(tenant) as uow:
            people, contracts, attributes = [], [], []
            for index in range(start, min(start + 1000, employees)):
                employee_id = new_id()
                people.append(Employee(id=employee_id, tenant_id=uow.tenant_id, full_name=f"Employee {index}",
                                       timezone="Asia/Shanghai", locale="zh_CN", version=1, created_at=now,
                                       updated_at=now))
                contracts.append(Employment(
                    id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, effective_from=date(2025, 1, 1),
                    legal_entity_id=entity.id, country="CN", region="SH", position="Analyst",
                    pay_minor=(12_000 + index % 40 * 500) * 100, currency="CNY", pay_unit="month",
                    weekly_hours="40", probation_months=0, reason="seed", recorded_by="seed", recorded_at=now))
                attributes.append(TaxAttributes(
                    id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, country="CN",
                    effective_from=date(2025, 1, 1), recorded_by="seed", recorded_at=now,
                    attributes=json.dumps({"children_in_education": index % 3})))
            await Employee.insert(*people)
            await Employment.insert(*contracts)
            await TaxAttributes.insert(*attributes)
    group = await payroll.create_group(preparer, NewPayGroup(legal_entity_id=entity.id, name="Restart SH monthly",
                                                             rule=PayGroupRule(frequency="monthly", pay_day=10,
                                                                               country="CN", pay_month_offset=1)))
    run = await payroll.create_run(preparer, NewPayRun(pay_group_id=group.id, year=2026, period=3))
    roles = [Role.PAYROLL_PREPARER]
    await ensure_user(SystemActor(subject="tests"), tenant, preparer.subject, roles)
    token = issue_token(runtime.settings, runtime.secret, tenant_id=tenant, subject=preparer.subject,
                        roles=[r.value for r in roles])
    return {"run": str(run.id), "token": token}


def main() -> None:
    from api.cli_support import run_or_exit

    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    enqueue = commands.add_parser("enqueue")
    enqueue.add_argument("--count", type=int, required=True)
    enqueue.add_argument("--log", required=True)
    enqueue.add_argument("--hold", type=float, default=0.0)
    seed = commands.add_parser("seed-payroll")
    seed.add_argument("--employees", type=int, required=True)
    arguments = parser.parse_args()
    if arguments.command == "enqueue":
        tokens = run_or_exit(lambda runtime: enqueue_probes(runtime.tenant(), arguments.count, arguments.log,
                                                            arguments.hold))
        print(json.dumps(tokens))
    else:
        print(json.dumps(run_or_exit(lambda runtime: seed_payroll(runtime, arguments.employees))))


if __name__ == "__main__":
    main()
