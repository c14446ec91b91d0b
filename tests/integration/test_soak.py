"""The soak: three worker processes of ``meridian serve --workers 3`` on a shared-mode database of their own, three
tenants, 10,000 interleaved requests (one in five a write carrying an Idempotency-Key) and a pay run, with the worker
calculating the pay run SIGKILLed in the middle. A client retries what failed with its worker, as any client would.

Then: no tenant's list shows another tenant's row, every write acknowledged is stored once and every retried write
exists exactly once, every tenant's audit chain verifies, and the pay run's calculation completes.

It prints its figures (requests per second, statuses, retries); it asserts outcomes, never speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.idempotency.service import ABANDONED_AFTER
from tests.conftest import ADMIN_URL, APP_ROLE, _create_postgres_database, _drop_postgres_database, _with_database
from tests.integration.test_job_queue import base_environment, command
from tests.workers import answers, free_port, serving, serving_workers, wait_until, worker_of_client_port

pytestmark = pytest.mark.postgres

REQUESTS = 10_000
TENANTS = 3
WORKERS = 3
CONCURRENCY = 24
EMPLOYEES = 4000
#: A request whose worker died is retried for this long at most (a write with the same Idempotency-Key): past the
#: bound after which a claim its dead worker left is taken over.
RETRY_FOR = ABANDONED_AFTER.total_seconds() + 30
#: What a retry is told when its first attempt's write committed but the answer died with the worker: the change is
#: not made twice (the claim records it), and a legal entity's unique name would refuse a second copy anyway.
ALREADY_WRITTEN = ("idempotent_request_answer_lost", "legal_entity_name_taken")
ATTEMPTS = 40
PATIENCE_SECONDS = 120
#: The pay run's calculation starts after this many requests, and the worker calculating it is killed soon after.
KILL_AT = REQUESTS // 3


@pytest.fixture
def shared_installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Shared mode on a PostgreSQL database of its own, migrated, the app connecting as its role: no process of the
    test session takes its jobs or counts its requests."""
    name = f"meridian_soak_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_postgres_database(name))
    env = base_environment(tmp_path / "install")
    env.update({"MERIDIAN_MODE": "shared", "MERIDIAN_RATE_LIMIT_PER_MINUTE": "1000000",
                "MERIDIAN_MIGRATION_DATABASE_URL": _with_database(ADMIN_URL, name),
                "MERIDIAN_DATABASE_URL": _with_database(ADMIN_URL, name, APP_ROLE)})
    try:
        command("-m", "api.cli", "migrate", env=env)
        yield env
    finally:
        asyncio.run(_drop_postgres_database(name))


@dataclass
class Request:
    tenant: int
    method: str
    path: str
    body: dict[str, Any] | None = None
    key: str | None = None

    @property
    def name(self) -> str:
        return str((self.body or {}).get("name", ""))


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    retried: set[str] = field(default_factory=set)
    acknowledged: dict[str, int] = field(default_factory=dict)
    #: writes whose retry was told the change was already made: the first attempt's write committed before its worker
    #: died and before its answer was stored, so the retry is refused rather than run again
    already_written: dict[str, int] = field(default_factory=dict)
    problems: Counter[str] = field(default_factory=Counter)
    unanswered: list[Request] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    done: int = 0


def workload(tenants: list[dict[str, str]]) -> list[Request]:
    """Interleaved across the tenants; one request in five writes a legal entity named after its tenant."""
    requests = []
    for index in range(REQUESTS):
        tenant = index % TENANTS
        kind = index // TENANTS % 5
        if kind == 0:
            requests.append(Request(tenant, "POST", "/v1/legal-entities", key=uuid.uuid4().hex, body={
                "name": f"soak-{tenant}-{index}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"}))
        else:
            path = {1: "/v1/legal-entities?limit=50", 2: "/v1/employees?limit=20", 3: "/v1/me", 4: "/v1/tenant"}[kind]
            requests.append(Request(tenant, "GET", path))
    return requests


class Soak:
    def __init__(self, port: int, seeded: dict[str, Any], server: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port, self.server = port, server
        self.tenants = seeded["tenants"]
        self.run_id, self.preparer = seeded["pay_run"]["run"], seeded["pay_run"]["token"]
        self.tally = Tally()
        self.killed: dict[str, Any] = {}
        self.kill_time = asyncio.Event()

    async def run(self) -> None:
        queue: asyncio.Queue[Request] = asyncio.Queue()
        for request in workload(self.tenants):
            queue.put_nowait(request)
        clients = await self._clients_spread_over_the_workers()
        control = httpx.AsyncClient(base_url=self.base, timeout=60)  # its own connections: a sender holds each other
        try:
            senders = [asyncio.create_task(self._send_all(client, queue)) for client in clients]
            await self._kill_the_calculating_worker_midway(control)
            await asyncio.gather(*senders)
        finally:
            for client in [*clients, control]:
                await client.aclose()

    async def _clients_spread_over_the_workers(self) -> list[httpx.AsyncClient]:
        """One connection per client, opened one at a time until each worker holds as many: the worker that wakes
        first would otherwise accept a burst of connections all at once, and serve the soak alone."""
        share = CONCURRENCY // WORKERS
        kept: dict[int, list[httpx.AsyncClient]] = {}
        spare: list[httpx.AsyncClient] = []
        deadline = time.monotonic() + PATIENCE_SECONDS
        while sum(len(c) for c in kept.values()) < share * WORKERS:
            assert time.monotonic() < deadline, f"connections reached only {({w: len(c) for w, c in kept.items()})}"
            client = httpx.AsyncClient(base_url=self.base, timeout=60, limits=httpx.Limits(
                max_connections=1, max_keepalive_connections=1, keepalive_expiry=60))
            answer = await client.get("/v1/health")
            client_port = answer.extensions["network_stream"].get_extra_info("client_addr")[1]
            worker = worker_of_client_port(client_port, self.server, self.port)
            if worker is not None and len(kept.setdefault(worker, [])) < share:
                kept[worker].append(client)
            else:
                spare.append(client)  # held open meanwhile, so the next connection is accepted afresh
        for client in spare:
            await client.aclose()
        return [client for clients in kept.values() for client in clients]

    async def _send_all(self, client: httpx.AsyncClient, queue: asyncio.Queue[Request]) -> None:
        while not queue.empty():
            await self._send(client, queue.get_nowait())
            self.tally.done += 1
            if self.tally.done >= KILL_AT:
                self.kill_time.set()

    async def _send(self, client: httpx.AsyncClient, request: Request) -> None:
        headers = {"Authorization": f"Bearer {self.tenants[request.tenant]['token']}"}
        if request.key:
            headers["Idempotency-Key"] = request.key
        deadline = time.monotonic() + RETRY_FOR
        attempt = 0
        while time.monotonic() < deadline:
            if attempt:
                self.tally.retried.add(request.key or request.path)
                await asyncio.sleep(min(0.1 * attempt, 1.0))
            attempt += 1
            try:
                answer = await client.request(request.method, request.path, headers=headers, json=request.body)
            except httpx.TransportError:  # its worker was killed: the client cannot know whether a write landed
                self.tally.transport_errors += 1
                continue
            self.tally.statuses[answer.status_code] += 1
            code = answer.json().get("code", "") if answer.status_code >= 400 else ""
            self.tally.problems[code] += bool(code)
            if request.key and code in ALREADY_WRITTEN and attempt > 1:
                self.tally.already_written[request.name] = request.tenant
                return
            if answer.status_code in (409, 429, 503) or answer.status_code >= 500:
                continue  # a retry with the same key replays, or runs once the first attempt's claim is gone
            assert answer.status_code < 300, f"{request.method} {request.path}: {answer.status_code} {answer.text}"
            self._check(request, answer.json())
            return
        self.tally.unanswered.append(request)

    def _check(self, request: Request, body: dict[str, Any]) -> None:
        own = self.tenants[request.tenant]["id"]
        if request.key:
            self.tally.acknowledged[request.name] = request.tenant
        elif request.path.startswith("/v1/legal-entities"):
            self.tally.foreign += [item["name"] for item in body["items"] if not _own_entity(item, request.tenant)]
        elif request.path.startswith("/v1/employees") and request.tenant != 0:
            self.tally.foreign += [item["id"] for item in body["items"]]  # only the first tenant employs anyone
        elif request.path == "/v1/tenant" and body["id"] != own:
            self.tally.foreign.append(body["id"])

    async def _start_the_pay_run(self, client: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"Bearer {self.preparer}", "Idempotency-Key": uuid.uuid4().hex}
        started = await client.post(f"/v1/pay-runs/{self.run_id}/calculation", headers=headers)
        assert started.status_code == 202, started.text

    async def _kill_the_calculating_worker_midway(self, client: httpx.AsyncClient) -> None:
        """A third of the way through the requests, start the pay run's calculation; once it has written its first
        payslips, SIGKILL the worker calculating it (the worker whose process tree is using the most CPU), with
        requests in flight on it."""
        await self.kill_time.wait()
        await self._start_the_pay_run(client)
        run = await self._first_payslips(client)
        victim = await busiest_worker(self.server, self.port)
        os.kill(victim, signal.SIGKILL)
        self.killed = {"pid": victim, "at_request": self.tally.done, "employees_done": run["employees_done"],
                       "job_status": run["job_status"]}

    async def _first_payslips(self, client: httpx.AsyncClient) -> dict[str, Any]:
        for _ in range(PATIENCE_SECONDS * 20):
            run = await self.pay_run(client)
            if run["employees_done"] > 0 or run["job_status"] == "done":
                return run
            await asyncio.sleep(0.05)
        raise AssertionError("the calculation wrote no payslip")

    async def pay_run(self, client: httpx.AsyncClient) -> dict[str, Any]:
        for _ in range(ATTEMPTS):
            try:
                answer = await client.get(f"/v1/pay-runs/{self.run_id}",
                                          headers={"Authorization": f"Bearer {self.preparer}"})
            except httpx.TransportError:
                await asyncio.sleep(0.2)
                continue
            if answer.status_code == 200:
                return dict(answer.json())
            await asyncio.sleep(0.2)
        raise AssertionError("the pay run could not be read")


def _own_entity(item: dict[str, Any], tenant: int) -> bool:
    return str(item["name"]).startswith(f"soak-{tenant}-") or (tenant == 0 and item["name"] == "Restart SH")


async def busiest_worker(server: int, port: int) -> int:
    workers = serving_workers(server, port)
    before = {pid: _tree_cpu(pid) for pid in workers}
    await asyncio.sleep(0.5)
    return max(workers, key=lambda pid: _tree_cpu(pid) - before[pid])


def _tree_cpu(pid: int) -> int:
    """CPU ticks used by ``pid`` and its children (a worker and its calculation processes)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def every_page(port: int, token: str, path: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        query = f"{path}?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = httpx.get(f"http://127.0.0.1:{port}{query}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return items


def test_three_workers_three_tenants_ten_thousand_requests_and_a_killed_worker(
        shared_installation: dict[str, str], tmp_path: Path) -> None:
    env = shared_installation
    seeded = json.loads(command("-m", "tests.soak_seed", "--tenants", str(TENANTS), "--employees", str(EMPLOYEES),
                                env=env))
    port, log = free_port(), tmp_path / "serve.log"
    with serving(env, port, log, WORKERS) as server:
        wait_until(lambda: answers(port) and len(serving_workers(server.pid, port)) == WORKERS, "three workers")
        soak = Soak(port, seeded, server.pid)
        began = time.monotonic()
        asyncio.run(soak.run())
        elapsed = time.monotonic() - began
        run = asyncio.run(_finished_pay_run(soak))
        stored = {index: Counter(item["name"] for item in every_page(port, tenant["token"], "/v1/legal-entities"))
                  for index, tenant in enumerate(seeded["tenants"])}
        staff = [len(every_page(port, tenant["token"], "/v1/employees")) for tenant in seeded["tenants"]]
    tally = soak.tally
    print(f"\nsoak: {REQUESTS} requests in {elapsed:.1f} s ({REQUESTS / elapsed:.0f}/s) by {WORKERS} workers; "
          f"statuses {dict(tally.statuses)}; {tally.transport_errors} transport errors; "
          f"{len(tally.retried)} requests retried; problems {dict(tally.problems)}; "
          f"{len(tally.already_written)} writes found already written on retry; killed {soak.killed}; "
          f"pay run {run['job_status']} "
          f"{run['employees_done']}/{run['employees_total']}")

    assert soak.killed, "no worker was killed"
    assert not tally.unanswered, [f"{r.method} {r.path}" for r in tally.unanswered]
    assert tally.foreign == []
    writes = workload_names(seeded)
    for tenant, names in stored.items():
        assert all(_own_entity({"name": name}, tenant) for name in names), "a tenant lists another's row"
        mine = [name for name, owner in tally.acknowledged.items() if owner == tenant]
        assert [name for name in mine if names[name] != 1] == []  # acknowledged: stored exactly once
    settled = {**tally.acknowledged, **tally.already_written}
    assert sorted(settled) == sorted(writes)  # every write settled: acknowledged, or found already written
    for name, tenant in tally.already_written.items():
        assert stored[tenant][name] == 1  # the killed attempt's write, stored once, not lost and not doubled
    assert staff == [EMPLOYEES, 0, 0]
    assert run["job_status"] == "done" and run["state"] == "calculated", run
    assert run["employees_done"] == EMPLOYEES
    verified = command("-m", "api.cli", "audit", "verify", env=env)
    assert verified.count("intact") == TENANTS + 1, verified  # the operators' tenant too


def workload_names(seeded: dict[str, Any]) -> list[str]:
    return [r.name for r in workload(seeded["tenants"]) if r.key]


async def _finished_pay_run(soak: Soak) -> dict[str, Any]:
    deadline = time.monotonic() + PATIENCE_SECONDS
    async with httpx.AsyncClient(base_url=soak.base, timeout=30) as client:
        while (run := await soak.pay_run(client))["job_status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, f"the pay run did not finish: {run}"
            await asyncio.sleep(0.2)
    return run
