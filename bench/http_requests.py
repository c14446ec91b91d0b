"""Requests per second over real HTTP: ``meridian serve`` and a bare Litestar app (bench/bare_app.py, the framework's
ceiling) started side by side and driven by wrk in one run with the same request headers, each endpoint right after
the bare app so the share of bare compares like with like on a busy machine; ``--rounds`` (3) such pairs per
endpoint, the table showing each figure's median.

    .venv/bin/python bench/http_requests.py                                      # SQLite, on-prem
    .venv/bin/python bench/http_requests.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/http_requests.py --postgres URL --mode shared         # row-level security per tenant

``--postgres`` names a server's owner role (a superuser); a fresh database is created on it for the run and
dropped afterwards, and the app connects as a non-owner role as in production. Needs wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_ROLE = "meridian_app_http_bench"


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    token: str  # which token calls it: "admin" or "auditor"
    script: str | None = None  # a wrk Lua script, for writes


@dataclass(frozen=True)
class Figures:
    per_second: float
    p50_ms: float
    p99_ms: float
    failed: int
    #: The server process's CPU time per request: what the request path costs, less swayed than requests per
    #: second by whatever else the machine runs meanwhile.
    cpu_ms: float = 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of a process, its threads and its live child processes (uvicorn's workers
    under ``--workers``), on Linux."""
    total, children = 0, {pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(stat.parent.name) == pid or int(fields[1]) in children:
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def serve_command(port: int, workers: int) -> list[str]:
    """``meridian serve``, with one worker unless asked (shared mode would take one per core), as the bare app has."""
    command = [str(BIN / "meridian"), "serve", "--port", str(port)]
    help_text = subprocess.run([*command[:2], "--help"], capture_output=True, text=True, check=False).stdout
    return [*command, "--workers", str(workers)] if "--workers" in help_text else command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(data_dir: str, postgres: str | None, mode: str) -> tuple[dict[str, str], str | None]:
    """The server's and the CLI's environment, and the fresh database (to drop afterwards) on PostgreSQL."""
    env = {**os.environ, "MERIDIAN_DATA_DIR": data_dir, "MERIDIAN_RATE_LIMIT_PER_MINUTE": "1000000",
           "MERIDIAN_MODE": mode, "PYTHONPATH": str(ROOT)}
    if not postgres:
        return env, None
    database = f"meridian_http_{uuid.uuid4().hex[:10]}"
    _psql(postgres, f'CREATE DATABASE "{database}"')
    parts = urlsplit(postgres)
    owner = urlunsplit(parts._replace(path=f"/{database}"))
    app = urlunsplit(parts._replace(netloc=f"{APP_ROLE}@{parts.hostname}:{parts.port or 5432}", path=f"/{database}"))
    env.update(MERIDIAN_MIGRATION_DATABASE_URL=owner, MERIDIAN_DATABASE_URL=app)
    return env, database


def _psql(url: str, statement: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def cli(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([str(BIN / "meridian"), *arguments], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"meridian {' '.join(arguments[:2])} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """A server process on ``port`` until the block ends; its logs (the access log too) go to ``log``."""
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(base, process, log)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_listening(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log.read_text()[-3000:]}")
        with suppress(httpx.HTTPError):
            if httpx.get(base + "/v1/health", timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 60 s:\n{log.read_text()[-3000:]}")


def seed(base: str, admin: str) -> str:
    """50 legal entities and 50 candidates, through the API; returns one legal entity's id."""
    headers = {"Authorization": f"Bearer {admin}"}
    entity = ""
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for i in range(50):
            created = client.post("/v1/legal-entities", json={
                "name": f"Entity {i:02d} GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
            created.raise_for_status()
            entity = created.json()["id"]
            client.post("/v1/candidates", json={
                "full_name": f"Candidate {i:02d} Example", "email": f"candidate{i:02d}@example.com",
                "phone": f"+4930{1000000 + i}", "birth_date": "1990-01-01", "timezone": "Europe/Berlin",
            }).raise_for_status()
    return entity


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_on(server: Server, path: str, token: str | None, seconds: int, connections: int, threads: int,
           script: str | None = None, script_args: tuple[str, ...] = ()) -> Figures:
    """wrk's figures, with the server's CPU time per request measured around them."""
    cpu_before = cpu_seconds(server.pid)
    figures = wrk(server.base + path, token, seconds, connections, threads, script, script_args)
    requests = figures.per_second * seconds
    cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / requests if requests else 0.0
    return Figures(figures.per_second, figures.p50_ms, figures.p99_ms, figures.failed, cpu_ms)


def wrk(url: str, token: str | None, seconds: int, connections: int, threads: int,
        script: str | None = None, script_args: tuple[str, ...] = ()) -> Figures:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", str(ROOT / "bench" / script)]
    command += [url, *(["--", *script_args] if script_args else [])]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {m[0]: float(m[1]) * _UNITS_MS[m[2]] for m in _LATENCY.findall(output)}
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Figures(per_second=per_second, p50_ms=latency.get("50", 0.0), p99_ms=latency.get("99", 0.0),
                   failed=(int(failed[1]) if failed else 0) + (sum(int(g) for g in errors.groups()) if errors else 0))


def endpoints(entity: str) -> list[Endpoint]:
    return [
        Endpoint("GET 50 legal entities", "/v1/legal-entities?limit=50", "admin"),
        Endpoint("GET one legal entity", f"/v1/legal-entities/{entity}", "admin"),
        Endpoint("GET /v1/me", "/v1/me", "admin"),
        Endpoint("GET 50 candidates, masked", "/v1/candidates?limit=50", "auditor"),
        Endpoint("POST legal entity (+ audit)", "/v1/legal-entities", "admin", script="post_legal_entity.lua"),
    ]


def run(arguments: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`, "
                         "then run this again.")
    data_dir = tempfile.mkdtemp(prefix="meridian-http-bench-")
    env, database = environment(data_dir, arguments.postgres, arguments.mode)
    try:
        measure_all(arguments, env, Path(data_dir))
    finally:
        if database:
            _psql(arguments.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def measure_all(arguments: argparse.Namespace, env: dict[str, str], data_dir: Path) -> None:
    cli(env, "migrate")
    tenant: list[str] = []
    if arguments.mode == "shared":
        tenant = ["--tenant", cli(env, "tenants", "create", "Bench", "--country", "DE", "--timezone", "UTC")]
    tokens = {"admin": cli(env, "tokens", "issue", *tenant, "--subject", "bench-admin",
                           "--roles", "tenant_admin,hr_admin", "--ttl", "86400"),
              "auditor": cli(env, "tokens", "issue", *tenant, "--subject", "bench-auditor",
                             "--roles", "auditor", "--ttl", "86400")}
    port, bare_port = free_port(), free_port()
    server_log, bare_log = data_dir / "server.log", data_dir / "bare.log"
    database = "PostgreSQL" if arguments.postgres else "SQLite"
    with serving(serve_command(port, arguments.workers), env, port, server_log) as server, \
            serving([sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(bare_port)], env, bare_port,
                    bare_log) as bare_server:
        base, bare = server.base, bare_server.base
        entity = seed(base, tokens["admin"])
        rows = []
        for endpoint in endpoints(entity):
            if arguments.only and not any(word.lower() in endpoint.label.lower() for word in arguments.only):
                continue
            shape = (arguments.seconds, arguments.connections, arguments.threads)
            # The bare app is sent the same request headers (the caller's token too, which it ignores): parsing them
            # is part of serving a request.
            token = tokens[endpoint.token]
            wrk(bare + "/items", token, 2, arguments.connections, arguments.threads)  # warm-up
            wrk(base + endpoint.path, token, 2, arguments.connections, arguments.threads,
                endpoint.script, (uuid.uuid4().hex[:8],) if endpoint.script else ())  # warm-up
            references, measured = [], []
            for _ in range(arguments.rounds):
                references.append(wrk_on(bare_server, "/items", token, *shape))
                with profiling(arguments.profile, server.pid, endpoint.label, arguments.seconds):
                    measured.append(wrk_on(server, endpoint.path, token, *shape, endpoint.script,
                                           (uuid.uuid4().hex[:8],) if endpoint.script else ()))
                print_row(endpoint.label, measured[-1], references[-1])
            rows.append((endpoint.label, median_of(measured), median_of(references)))
    rounds = f", median of {arguments.rounds} alternating rounds" if arguments.rounds > 1 else ""
    print_table(f"HTTP requests, wrk -t{arguments.threads} -c{arguments.connections} -d{arguments.seconds}s{rounds}, "
                f"{database}, {arguments.mode} mode", rows)


def median_of(runs: list[Figures]) -> Figures:
    """Each figure's median over the rounds: one 10-second window on a machine shared with wrk and PostgreSQL can
    catch a stall of the host (the bare app's own p99 moved between 6 and 12 ms from one window to the next). Failures
    are counted over all rounds."""
    median = {field.name: statistics.median(getattr(run, field.name) for run in runs) for field in fields(Figures)}
    return Figures(**{**median, "failed": sum(run.failed for run in runs)})


@contextmanager
def profiling(folder: str | None, pid: int, label: str, seconds: int) -> Iterator[None]:
    """With ``--profile``: py-spy samples the server while wrk drives it (slower figures; for finding the time)."""
    if not folder:
        yield
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    sampler = subprocess.Popen([str(BIN / "py-spy"), "record", "--subprocesses", "-p", str(pid),
                                "-d", str(max(seconds - 1, 1)),
                                "-r", "200", "-f", "raw", "-o", str(Path(folder) / f"{name}.txt")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        sampler.wait()


def print_row(label: str, figures: Figures, reference: Figures) -> None:
    print(f"  {label}: {figures.per_second:,.0f}/s ({figures.per_second / reference.per_second:.1%} of bare "
          f"{reference.per_second:,.0f}/s), p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms "
          f"(bare {reference.p99_ms:.1f} ms), server CPU {figures.cpu_ms:.2f} ms/request "
          f"(bare {reference.cpu_ms:.2f}), failed {figures.failed}", flush=True)


def print_table(title: str, rows: list[tuple[str, Figures, Figures]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("request", "per second", "share of bare", "p50 ms", "p99 ms", "bare /s", "bare p99 ms",
                   "p99 / bare", "CPU ms/req", "bare CPU ms", "failed"):
        table.add_column(column, justify="right")
    for label, figures, reference in rows:
        table.add_row(label, f"{figures.per_second:,.0f}", f"{figures.per_second / reference.per_second:.1%}",
                      f"{figures.p50_ms:.1f}", f"{figures.p99_ms:.1f}", f"{reference.per_second:,.0f}",
                      f"{reference.p99_ms:.1f}", f"{figures.p99_ms / reference.p99_ms:.1f}x", f"{figures.cpu_ms:.2f}",
                      f"{reference.cpu_ms:.2f}", str(figures.failed))
    Console(width=160).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL superuser URL; the run creates and drops its own database")
    parser.add_argument("--mode", choices=("onprem", "shared"), default="onprem",
                        help="shared needs --postgres (one tenant of many, under row-level security)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per request, each the bare app then Meridian; the table shows their medians")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1,
                        help="meridian serve's worker processes (the bare app always has one)")
    parser.add_argument("--only", nargs="*", help="words of the requests to measure (e.g. me masked)")
    parser.add_argument("--profile", metavar="FOLDER",
                        help="sample the server with py-spy (pip install py-spy) into FOLDER, one file per request")
    parsed = parser.parse_args()
    if parsed.mode == "shared" and not parsed.postgres:
        parser.error("--mode shared needs --postgres")
    run(parsed)
