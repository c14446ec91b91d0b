"""Employee payslips per second for a whole pay run, end to end: staff and employments read in pages,
each employee through the country pack (here China, Shanghai, with tax attributes) in the worker
processes, payslips written under the run's batch, the results hash and variance checks, the switch to
the new results.

Each size is timed twice: a group's first month, and the next month after the first is reviewed and
finalised, which also reads each employee's year so far and checks the run against the previous one.
The first group of 1,000 employees after start is shown apart, as "cold": it pays once for what a running
server has already done (the workers' first calculations, each pooled connection's prepared statements).

    .venv/bin/python bench/payroll_run.py --employees 1000 10000 100000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import date
from typing import Any

from harness import configure, running_app


async def seed(tenant_id: uuid.UUID, entity_id: uuid.UUID, count: int) -> None:
    """Employees straight into their tables, in bulk: the benchmark times the run, not the hiring."""
    from domain.employees.tables import Employee, Employment, TaxAttributes
    from domain.kernel.db import unit_of_work
    from domain.kernel.ids import new_id
    from domain.kernel.time import utc_now

    now = utc_now()
    for start in range(0, count, 1000):
        async with unit_of_work(tenant_id) as uow:
            people, contracts, attributes = [], [], []
            for index in range(start, min(start + 1000, count)):
                employee_id = new_id()
                people.append(Employee(id=employee_id, tenant_id=uow.tenant_id, full_name=f"Employee {index}",
                                       timezone="Asia/Shanghai", locale="zh_CN", version=1, created_at=now,
                                       updated_at=now))
                contracts.append(Employment(
                    id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, effective_from=date(2025, 1, 1),
                    legal_entity_id=entity_id, country="CN", region="SH", position="Analyst",
                    pay_minor=(12_000 + index % 40 * 500) * 100, currency="CNY", pay_unit="month",
                    weekly_hours="40", probation_months=0, reason="bench", recorded_by="bench", recorded_at=now))
                attributes.append(TaxAttributes(
                    id=new_id(), tenant_id=uow.tenant_id, employee_id=employee_id, country="CN",
                    effective_from=date(2025, 1, 1), recorded_by="bench", recorded_at=now,
                    attributes=json.dumps({"children_in_education": index % 3})))
            await Employee.insert(*people)
            await Employment.insert(*contracts)
            await TaxAttributes.insert(*attributes)


async def one_group(bench: Any, size: int) -> list[tuple[str, int, float]]:
    """Two months of one group: March, the group's first run, and April after March is reviewed and
    finalised, which reads each employee's year so far and checks April against March."""
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.payroll import service
    from domain.payroll.calendar import PayGroupRule
    from domain.payroll.service import NewPayGroup
    from domain.tenancy.model import NewLegalEntity
    from domain.tenancy.service import create_legal_entity

    preparer = Principal(tenant_id=bench.tenant_id, subject="bench", roles=frozenset({Role.TENANT_ADMIN,
                                                                                      Role.PAYROLL_PREPARER}))
    entity = await create_legal_entity(preparer, NewLegalEntity(
        name=f"Bench SH {uuid.uuid4().hex[:6]}", country="CN", region="SH", currency="CNY",
        timezone="Asia/Shanghai"))
    await seed(bench.tenant_id, entity.id, size)
    group = await service.create_group(preparer, NewPayGroup(legal_entity_id=entity.id, name=entity.name, rule=(
        PayGroupRule(frequency="monthly", pay_day=10, country="CN", pay_month_offset=1))))
    march, march_seconds = await timed_run(preparer, group.id, 3, size)
    await finalise(preparer, march)
    _, april_seconds = await timed_run(preparer, group.id, 4, size)
    return [("first month", size, march_seconds), ("next month", size, april_seconds)]


async def timed_run(preparer: Any, group_id: uuid.UUID, period: int, size: int) -> tuple[uuid.UUID, float]:
    from domain.payroll import service
    from domain.payroll.service import NewPayRun

    run = await service.create_run(preparer, NewPayRun(pay_group_id=group_id, year=2026, period=period))
    started = time.perf_counter()
    await service.calculate_in_foreground(preparer, run.id, lambda done, total: None)
    elapsed = time.perf_counter() - started
    finished = await service.get_run(preparer, run.id)
    assert finished.employees_total == size and finished.results_hash, finished
    return run.id, elapsed


async def finalise(preparer: Any, run_id: uuid.UUID) -> None:
    """Through the enforced review: submitted by the preparer, approved by two assigned reviewers."""
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.payroll import service
    from domain.payroll.service import Approve, RegionAssignment

    submitted = await service.submit(preparer, run_id)
    for number in (1, 2):
        reviewer = Principal(tenant_id=preparer.tenant_id, subject=f"bench-reviewer-{number}",
                             roles=frozenset({Role.PAYROLL_REVIEWER}))
        await service.assign_region(preparer, RegionAssignment(subject=reviewer.subject, region="CN"))
        await service.approve(reviewer, run_id, Approve(results_hash=submitted.results_hash or ""))
    await service.finalise(preparer, run_id)


async def main(sizes: list[int]) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = []
    async with running_app(["tenant_admin"]) as bench:
        rows.extend((f"cold: {label}", size, seconds) for label, size, seconds in await one_group(bench, 1000))
        for size in sizes:
            rows.extend(await one_group(bench, size))
        database = bench.database
    table = Table(title=f"Pay run end to end (CN Shanghai payslips), {database}")
    for column in ("run", "employees", "seconds", "payslips per second", "ms per payslip"):
        table.add_column(column, justify="right", no_wrap=True)
    for label, count, elapsed in rows:
        table.add_row(label, f"{count:,}", f"{elapsed:.2f}", f"{count / elapsed:,.0f}",
                      f"{elapsed / count * 1000:.3f}")
    Console(width=120).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--employees", type=int, nargs="+", default=[1000, 10000])
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.employees))
