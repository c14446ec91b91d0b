"""``meridian serve``: the listening socket is taken first, then uvicorn serves the app on it, in this process or
in ``--workers`` processes that share the socket.

Taking the port before anything else means an operator whose port is busy reads one line saying so, instead
of start-up output followed by uvicorn's bind error; and the port checked is the port served, with no window
for another program to take it in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import signal
import socket
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from api.runtime import check_app_role, ensure_home_tenant, open_runtime
from domain.kernel.settings import Mode, Settings, load_settings

PORT_IN_USE = "Port {port} on {host} is already in use by another program: stop it, or choose another port with --port."
CANNOT_LISTEN = "Cannot listen on {host} port {port}: {reason}"
ONE_WRITER = ("SQLite allows one writing process, so it is served by one worker, not {workers}: leave out --workers, "
              "or move to PostgreSQL (MERIDIAN_DATABASE_URL) to serve with several.")
SERVE_MESSAGES = (PORT_IN_USE, CANNOT_LISTEN, ONE_WRITER)
#: How long the supervisor waits for a worker to answer its ping before replacing it as hung. uvicorn's 5 s
#: replaced workers that were still importing the app on a busy two-core machine, again and again.
HEALTHCHECK_SECONDS = 30


class CannotListen(Exception):
    """The port cannot be taken; ``template`` and ``params`` say why, for the operator's language."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template.format(**params))


class CannotServe(CannotListen):
    """The server cannot start as asked; ``template`` and ``params`` say why."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening, as uvicorn would bind it (IPv6 for a literal with a
    colon, SO_REUSEADDR so a restart does not wait for the last connections' TIME_WAIT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol
    # reads TCP, and without it every answer on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(socket.SOMAXCONN)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(PORT_IN_USE, host=host, port=port) from exc
        raise CannotListen(CANNOT_LISTEN, host=host, port=port, reason=exc.strerror or str(exc)) from exc
    listener.set_inheritable(True)
    return listener


def serve_on(app: Any, listener: socket.socket) -> None:
    """Serve ``app`` on the socket taken by :func:`listening_socket`, in this one process."""
    config = uvicorn.Config(app, workers=1, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[listener])


def default_workers(settings: Settings) -> int:
    """One per core in shared mode on PostgreSQL; one otherwise (SQLite allows one writer, and an on-prem
    installation on PostgreSQL asks for more explicitly)."""
    if settings.mode is Mode.SHARED and not settings.is_sqlite:
        return max(1, os.cpu_count() or 1)
    return 1


def check_workers(settings: Settings, workers: int) -> None:
    if workers > 1 and settings.is_sqlite:
        raise CannotServe(ONE_WRITER, workers=workers)


def serve_workers(settings: Settings, listener: socket.socket, workers: int) -> None:
    """Serve with ``workers`` processes on the one socket, under uvicorn's supervisor, which restarts a worker that
    dies and passes SIGTERM on to all of them.

    What must happen once happens here, before any worker starts: the connection and schema check, and the home
    tenant's provisioning (workers starting at once would each provision one). Migrations are not run by serving
    at all (``meridian migrate`` is, under an advisory lock); each worker then finds everything in place."""
    asyncio.run(_prepare_installation(settings))
    config = uvicorn.Config(functools.partial(worker_app, workers), factory=True, workers=workers,
                            log_level="warning", access_log=False, server_header=False,
                            timeout_worker_healthcheck=HEALTHCHECK_SECONDS)
    Supervisor(config, sockets=[listener]).run()


async def _prepare_installation(settings: Settings) -> None:
    runtime = await open_runtime(settings)
    try:
        await check_app_role(runtime.database)
        await ensure_home_tenant(runtime)
    finally:
        await runtime.database.stop()


def worker_app(workers: int) -> Any:
    """The app of one worker process (uvicorn spawns the workers and calls this in each); its settings are read
    from the same environment the supervisor's were."""
    from api.app import create_app

    return create_app(load_settings(), workers=workers)


class Supervisor(Multiprocess):
    """uvicorn's supervisor, which also ends what a worker that died leaves behind: its calculation processes and
    multiprocessing's resource tracker, which a SIGKILLed worker cannot stop and which would otherwise live on,
    orphaned, beside its replacement after every kill."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self._children: dict[int, set[tuple[int, str]]] = {}

    def keep_subprocess_alive(self) -> None:
        serving = {process.pid for process in self.processes if process.pid is not None}
        for pid, children in _children_of(serving).items():
            self._children[pid] = children
        super().keep_subprocess_alive()
        for pid in serving - {process.pid for process in self.processes}:
            _end(self._children.pop(pid, set()))


def _children_of(parents: set[int]) -> dict[int, set[tuple[int, str]]]:
    """(pid, start time) of each child of each of ``parents``, in one look at /proc (none where there is no /proc):
    the start time tells a reused pid from the child."""
    found: dict[int, set[tuple[int, str]]] = {}
    if not Path("/proc").is_dir():
        return found
    for entry in Path("/proc").iterdir():
        stat = _stat(entry.name) if entry.name.isdigit() else None
        if stat is not None and int(stat[1]) in parents:
            found.setdefault(int(stat[1]), set()).add((int(entry.name), stat[19]))
    return found


def _end(children: set[tuple[int, str]]) -> None:
    for pid, started in children:
        stat = _stat(str(pid))
        if stat is not None and stat[19] == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _stat(pid: str) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (state first), or None once the process is gone."""
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
