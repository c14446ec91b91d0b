"""``meridian serve --workers N`` as an operator runs it, for tests: the server in a process group of its own, its
worker processes as the OS lists them, and which worker holds a client's connection (read from /proc, so the
server needs no header saying which process answered)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Generous: two cores shared with everyone, and each worker loads every rule pack as it starts.
PATIENCE_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], port: int, log: Path, workers: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """The server in a session of its own; whatever of its process group is alive when the block ends is killed."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield server
    finally:
        for pid in living_in_group(server.pid):
            os.kill(pid, signal.SIGKILL)
        server.wait(timeout=PATIENCE_SECONDS)


def living_in_group(group: int) -> list[int]:
    """The processes of a process group that have not exited (zombies waiting to be reaped have)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        state, _parent, process_group = stat.rsplit(")", 1)[1].split()[:3]
        if int(process_group) == group and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_of(parent: int) -> set[int]:
    return {pid for pid in living_in_group(parent_group(parent)) if parent_of(pid) == parent}


def parent_group(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])


def serving_workers(server: int, port: int) -> set[int]:
    """The server's children holding the listening socket: its uvicorn workers (calculation processes and
    multiprocessing's resource tracker hold no socket of the port)."""
    listening = _socket_inodes(port, remote_port=None)
    return {pid for pid in living_in_group(server) if pid != server and parent_of(pid) == server
            and _sockets_of(pid) & listening}


def worker_of(connection: http.client.HTTPConnection, server: int, port: int) -> int | None:
    """The worker process holding the server's end of ``connection`` (after at least one request on it)."""
    assert connection.sock is not None
    return worker_of_client_port(connection.sock.getsockname()[1], server, port)


def worker_of_client_port(client_port: int, server: int, port: int) -> int | None:
    """The worker process holding the server's end of the connection from ``client_port``."""
    accepted = _socket_inodes(port, remote_port=client_port)
    for pid in living_in_group(server):
        if _sockets_of(pid) & accepted:
            return pid
    return None


def _socket_inodes(local_port: int, remote_port: int | None) -> set[str]:
    """Inodes of TCP sockets on ``local_port``: listening ones (no remote port), or the one from ``remote_port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if int(local.rsplit(":", 1)[1], 16) != local_port:
                continue
            listening = state == "0A"
            if (remote_port is None and listening) or (
                    remote_port is not None and int(remote.rsplit(":", 1)[1], 16) == remote_port):
                found.add(inode)
    return found


def _sockets_of(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    except OSError:
        pass
    return inodes


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def answers(port: int) -> bool:
    """The server answers (a 429 too: polling it is limited like any anonymous caller)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/v1/health")
        return connection.getresponse().status in (200, 429)
    except OSError:
        return False
    finally:
        connection.close()


def one_connection_per_worker(server: int, port: int, workers: int) -> dict[int, http.client.HTTPConnection]:
    """Keep-alive connections, opened until every worker holds one: the kernel hands each new connection to
    whichever worker accepts it first, so which worker a request reaches is up to the OS, not the test."""
    held: dict[int, http.client.HTTPConnection] = {}
    spare: list[http.client.HTTPConnection] = []
    deadline = time.monotonic() + PATIENCE_SECONDS
    while len(held) < workers:
        assert time.monotonic() < deadline, f"connections reached only workers {sorted(held)}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/v1/health")
        connection.getresponse().read()
        pid = worker_of(connection, server, port)
        if pid is not None and pid not in held:
            held[pid] = connection
        else:
            spare.append(connection)  # kept open, so the next connection is not handed the same slot again
    for connection in spare:
        connection.close()
    return held
