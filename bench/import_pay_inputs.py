"""Pay inputs imported per second through ``POST /v1/imports?kind=pay_inputs``: a CSV of N inputs for one pay run
(overtime hours, bonuses and deductions of its employees, each named by employee number), each row checked by the
rules of ``POST /v1/pay-runs/{id}/inputs`` and written through the same use case (one audit entry per input); then
the same file again (every row ``unchanged``) and a dry run of a fresh file.

    .venv/bin/python bench/import_pay_inputs.py [--rows 10000] [--employees 2000]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

With --postgres (a superuser URL) the run creates a database of its own, migrates it, serves as the non-owner app
role, and drops the database at the end. Without it, SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

from harness import configure, running_app
from import_employees import _create, _drop, employees_csv

KINDS = (("overtime_hours", "12.5"), ("bonus", "1500.50"), ("deduction", "200.00"), ("allowance", "300"))


def inputs_csv(rows: int, run_id: str, employees: int, staff_tag: str, tag: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "run_id", "employee_number", "kind", "amount", "note"])
    for n in range(rows):
        kind, amount = KINDS[n % len(KINDS)]
        writer.writerow([f"{tag}-{n}", run_id, f"{staff_tag}-{n % employees}", kind, amount, f"bench {n}"])
    return buffer.getvalue().encode()


async def main(rows: int, employees: int) -> None:
    from domain.bulk.service import wait_for_imports

    async with running_app(["tenant_admin", "hr_admin", "payroll_preparer"]) as bench:
        client, headers = bench.client, bench.headers
        entity = (await client.post("/v1/legal-entities", headers=headers, json={
            "name": "Bench Shanghai", "country": "CN", "region": "SH", "currency": "CNY",
            "timezone": "Asia/Shanghai"})).json()["id"]

        async def imported(kind: str, body: bytes, **params: str) -> tuple[dict, float, float]:
            cpu, started = time.process_time(), time.perf_counter()
            sent = await client.post("/v1/imports", params={"kind": kind, **params}, content=body,
                                     headers={**headers, "Content-Type": "text/csv"})
            assert sent.status_code == 202, sent.text
            await wait_for_imports()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            done = (await client.get(f"/v1/imports/{sent.json()['id']}", headers=headers)).json()
            assert done["state"] == "completed" and done["rows_failed"] == 0, done
            return done, elapsed, cpu

        staff_tag = uuid.uuid4().hex[:8]
        await imported("employees", employees_csv(employees, entity, staff_tag))
        group = (await client.post("/v1/pay-groups", headers=headers, json={
            "legal_entity_id": entity, "name": "Bench monthly",
            "rule": {"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1}})).json()
        run_id = (await client.post("/v1/pay-runs", headers=headers, json={
            "pay_group_id": group["id"], "year": 2026, "period": 3})).json()["id"]
        await imported("pay_inputs", inputs_csv(20, run_id, employees, staff_tag, "warm"))
        body = inputs_csv(rows, run_id, employees, staff_tag, uuid.uuid4().hex[:8])
        runs = [("import (row_by_row)", *await imported("pay_inputs", body)),
                ("same file again (all unchanged)", *await imported("pay_inputs", body)),
                ("dry run of a fresh file", *await imported(
                    "pay_inputs", inputs_csv(rows, run_id, employees, staff_tag, uuid.uuid4().hex[:8]),
                    dry_run="true")),
                ("import (all_or_nothing)", *await imported(
                    "pay_inputs", inputs_csv(rows, run_id, employees, staff_tag, uuid.uuid4().hex[:8]),
                    mode="all_or_nothing"))]
        assert runs[0][1]["rows_created"] == rows and runs[1][1]["rows_unchanged"] == rows
        started = time.perf_counter()
        exported = await client.get("/v1/exports/pay-inputs", params={"run_id": run_id, "format": "csv"},
                                    headers=headers)
        export_seconds = time.perf_counter() - started
        exported_rows = exported.text.count("\r\n") - 1
        verified = (await client.get("/v1/audit/verify", headers=headers)).json()
        assert verified["valid"], verified
        database = bench.database

    from rich.console import Console
    from rich.table import Table

    load = os.getloadavg()
    table = Table(title=f"{rows:,} pay inputs of {employees:,} employees imported through POST /v1/imports, in "
                        f"process, {database} (load average {load[0]:.1f}, on {os.cpu_count()} cores)")
    for column in ("run", "rows", "seconds", "rows per second", "CPU ms per row"):
        table.add_column(column, justify="right")
    for label, done, elapsed, cpu in runs:
        table.add_row(label, f"{done['rows_total']:,}", f"{elapsed:.2f}", f"{done['rows_total'] / elapsed:,.0f}",
                      f"{cpu / done['rows_total'] * 1000:.3f}")
    table.add_row("export of the run (CSV)", f"{exported_rows:,}", f"{export_seconds:.2f}",
                  f"{exported_rows / export_seconds:,.0f}", "-")
    Console(width=140).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="a superuser URL; the run creates and drops a database of its own")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--employees", type=int, default=2_000)
    arguments = parser.parse_args()
    own = None
    if arguments.postgres:
        own = f"meridian_bench_pay_inputs_{uuid.uuid4().hex[:8]}"
        asyncio.run(_create(arguments.postgres, own))
        parts = urlsplit(arguments.postgres)
        configure(urlunsplit(parts._replace(path=f"/{own}")))
    else:
        configure(None)
    try:
        asyncio.run(main(arguments.rows, arguments.employees))
    finally:
        if own:
            asyncio.run(_drop(arguments.postgres, own))
