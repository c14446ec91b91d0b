"""``meridian serve`` run as an operator runs it: a process of its own, stopped by the signal a container stop or
``systemctl stop`` sends, on a port that may already be taken."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.test_cli import meridian
from tests.workers import free_port, living_in_group, serving

pytestmark = pytest.mark.sqlite
#: Generous: two cores shared with everyone, and the server spawns its calculation workers at start.
PATIENCE_SECONDS = 90


def installation(folder: Path) -> dict[str, str]:
    """A fresh on-prem installation in ``folder``, migrated, as the operator's environment names it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIDIAN_")}
    env.update({"MERIDIAN_DATA_DIR": str(folder), "LANG": "C.UTF-8"})
    migrated = meridian("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def calculation_workers(server: int) -> list[int]:
    return [pid for pid in living_in_group(server) if pid != server and b"multiprocessing" in command_line(pid)]


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_sigterm_stops_the_server_with_its_calculation_workers(tmp_path: Path) -> None:
    env = installation(tmp_path / "install")
    port = free_port()
    with serving(env, port, tmp_path / "serve.log", workers=1) as server:
        wait_until(lambda: answers(port), "the server to answer")
        # The pool starts with the server: its workers and multiprocessing's resource tracker.
        wait_until(lambda: len(calculation_workers(server.pid)) >= 2, "the calculation workers to start")

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=PATIENCE_SECONDS)
        wait_until(lambda: not living_in_group(server.pid), "every child of the server to exit")


@pytest.mark.parametrize(("lang", "expected"), [
    ("C.UTF-8", "Port {port} on 127.0.0.1 is already in use by another program"),
    ("ja_JP.UTF-8", "127.0.0.1 のポート {port} は他のプログラムが使用中です"),
])
def test_a_busy_port_is_reported_in_one_line_before_anything_else(tmp_path: Path, lang: str, expected: str) -> None:
    env = {**installation(tmp_path / "install"), "LANG": lang}
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = other_program.getsockname()[1]
        refused = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                 capture_output=True, text=True, timeout=PATIENCE_SECONDS, check=False)
    assert refused.returncode == 1
    assert refused.stdout == ""  # no banner, no start-up output
    assert refused.stderr.count("\n") == 1 and expected.format(port=port) in refused.stderr, refused.stderr
