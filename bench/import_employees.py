"""Employees imported per second through ``POST /v1/imports``: a CSV of N hires (person with email, phone and birth
date; employment; bank account), each row checked by the hire's rules, its personal data and bank account sealed,
its employee, employment and pending bank change written in batches, one audit entry per employee; then the same
file again (every row ``unchanged``) and a dry run of a fresh file.

    .venv/bin/python bench/import_employees.py [--rows 10000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

With --postgres (a superuser URL) the run creates a database of its own, migrates it, serves as the non-owner app
role, and drops the database at the end. Without it, SQLite in a temporary folder.

Besides rows per second, each run prints this process's CPU per row and, when PostgreSQL runs on this machine, the
CPU its server processes for the bench's database spent per row (read from /proc): on a shared machine the CPU
figures are the steadier ones, as the wall clock waits for whatever else runs.
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

COLUMNS = ["external_id", "full_name", "email", "phone", "birth_date", "timezone", "locale",
           "employment.legal_entity_id", "employment.position", "employment.start_date", "employment.pay.amount",
           "employment.pay.currency", "employment.pay.unit", "employment.weekly_hours", "employment.probation_months",
           "employment.employee_number", "employment.department", "bank_account.holder", "bank_account.account"]


def employees_csv(rows: int, entity: str, tag: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n in range(rows):
        phone = f"+86 138 {n // 10000:04d} {n % 10000:04d}"
        writer.writerow([f"{tag}-{n}", f"Employee {n}", f"e{n}.{tag}@example.com", phone,
                         f"19{70 + n % 30}-0{1 + n % 9}-1{n % 10}", "Asia/Shanghai", "zh_CN", entity, "Engineer",
                         "2026-01-05", f"{15000 + n % 5000}.00", "CNY", "month", "40", "3", f"{tag}-{n}",
                         "Engineering", f"Employee {n}", f"6222 0200 {n:08d}"])
    return buffer.getvalue().encode()


async def server_cpu(admin: str | None, database: str | None) -> float | None:
    """CPU seconds used so far by the PostgreSQL server processes connected to ``database`` (None: SQLite, or a
    server this machine cannot see)."""
    if not admin or not database:
        return None
    import asyncpg

    connection = await asyncpg.connect(admin)
    try:
        pids = [row["pid"] for row in await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1", database)]
    finally:
        await connection.close()
    seconds = [s for s in map(_process_cpu, pids) if s is not None]
    return sum(seconds) if seconds else None


def _process_cpu(pid: int) -> float | None:
    """User and system CPU seconds of a process of this machine (None if it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main(rows: int, admin: str | None = None, own: str | None = None) -> None:
    from domain.bulk.service import wait_for_imports

    load_before = os.getloadavg()

    async with running_app(["tenant_admin", "hr_admin"]) as bench:
        client, headers = bench.client, bench.headers
        entity = (await client.post("/v1/legal-entities", headers=headers, json={
            "name": "Bench Shanghai", "country": "CN", "region": "SH", "currency": "CNY",
            "timezone": "Asia/Shanghai"})).json()["id"]

        async def imported(body: bytes, **params: str) -> tuple[dict, float, float, float | None]:
            server = await server_cpu(admin, own)
            cpu, started = time.process_time(), time.perf_counter()
            sent = await client.post("/v1/imports", params={"kind": "employees", **params}, content=body,
                                     headers={**headers, "Content-Type": "text/csv"})
            assert sent.status_code == 202, sent.text
            await wait_for_imports()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            after = await server_cpu(admin, own)
            done = (await client.get(f"/v1/imports/{sent.json()['id']}", headers=headers)).json()
            assert done["state"] == "completed" and done["rows_failed"] == 0, done
            return done, elapsed, cpu, (after - server) if after is not None and server is not None else None

        await imported(employees_csv(20, entity, "warm"))  # the tenant's cipher, prepared statements
        body = employees_csv(rows, entity, uuid.uuid4().hex[:8])
        runs = [("import (row_by_row)", *await imported(body)),
                ("same file again (all unchanged)", *await imported(body)),
                ("dry run of a fresh file", *await imported(employees_csv(rows, entity, uuid.uuid4().hex[:8]),
                                                            dry_run="true")),
                ("import (all_or_nothing)", *await imported(employees_csv(rows, entity, uuid.uuid4().hex[:8]),
                                                            mode="all_or_nothing"))]
        assert runs[0][1]["rows_created"] == rows and runs[1][1]["rows_unchanged"] == rows
        verified = (await client.get("/v1/audit/verify", headers=headers)).json()
        assert verified["valid"], verified
        database = bench.database

    from rich.console import Console
    from rich.table import Table

    load = os.getloadavg()
    table = Table(title=f"{rows:,} employees imported through POST /v1/imports, in process, {database} "
                        f"(load average {load_before[0]:.1f} before, {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} after, "
                        f"on {os.cpu_count()} cores)")
    for column in ("run", "rows", "seconds", "rows per second", "CPU ms per row", "PostgreSQL CPU ms per row"):
        table.add_column(column, justify="right")
    for label, done, elapsed, cpu, server in runs:
        table.add_row(label, f"{done['rows_total']:,}", f"{elapsed:.2f}", f"{done['rows_total'] / elapsed:,.0f}",
                      f"{cpu / done['rows_total'] * 1000:.3f}",
                      "-" if server is None else f"{server / done['rows_total'] * 1000:.3f}")
    Console(width=140).print(table)


async def _create(admin: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop(admin: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="a superuser URL; the run creates and drops a database of its own")
    parser.add_argument("--rows", type=int, default=10_000)
    arguments = parser.parse_args()
    own = None
    if arguments.postgres:
        own = f"meridian_bench_imports_{uuid.uuid4().hex[:8]}"
        asyncio.run(_create(arguments.postgres, own))
        parts = urlsplit(arguments.postgres)
        configure(urlunsplit(parts._replace(path=f"/{own}")))
    else:
        configure(None)
    try:
        asyncio.run(main(arguments.rows, arguments.postgres, own))
    finally:
        if own:
            asyncio.run(_drop(arguments.postgres, own))
