#!/usr/bin/env python3
"""Meridian's two commands, for a fresh machine with only Python 3.11+ and pip.

    python3 dev.py demo [--port P]  install, migrate, seed a demo tenant, serve on SQLite (the seed prints
                                   each role's token and a curl for what it looks at first)
    python3 dev.py test            install, lint, and run the whole test suite on SQLite (with Chromium, it also
                                   photographs every HTML view into artifacts/screenshots; without, that is skipped)
    python3 dev.py test --postgres  ... and again on PostgreSQL (fails if it is unreachable)
    python3 dev.py clients         lint the API contract, build both clients, run them on a live server
                                   (needs Node 20.17+ and npm; see clients/README.md)

Everything installs into ./.venv; nothing touches the system Python.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
POSTGRES_SUITE = ["tests/integration", "tests/isolation"]


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(  # noqa: S603 - fixed commands of our own
        [str(c) for c in command], cwd=ROOT, env={**os.environ, **(env or {})}, check=False
    )
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".meridian-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing Meridian and its pinned dependencies into .venv ...", flush=True)
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        # setuptools tells every editable install of a flat layout, as a warning that pip shows, that a folder
        # named like a package could shadow it: information, not a problem, and the install is otherwise silent.
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]",
            env={"PYTHONWARNINGS": "ignore:Editable installation"})
        stamp.write_text(wanted)


def demo() -> None:
    """Seed the demo and serve it where --host and --port say (any other option goes to `meridian serve`), so the
    links the seed prints name the address the server answers on."""
    options = argparse.ArgumentParser(prog="dev.py demo")
    options.add_argument("--host", default="127.0.0.1")
    options.add_argument("--port", type=int, default=8000)
    where, rest = options.parse_known_args(sys.argv[2:])
    address = ["--host", where.host, "--port", str(where.port)]
    ensure_environment()
    data = os.environ.get("MERIDIAN_DATA_DIR", str(ROOT / "var"))
    env = {"MERIDIAN_DATA_DIR": data}
    run(BIN / "meridian", "migrate", env=env)
    run(BIN / "meridian", "demo", "seed", *address, env=env)
    print(f"\nA token for any other user or role: MERIDIAN_DATA_DIR={data} .venv/bin/meridian tokens issue "
          "--subject alice --roles hr_admin\n", flush=True)
    os.execve(  # noqa: S606 - hand the terminal to the server
        BIN / "meridian", [str(BIN / "meridian"), "serve", *address, *rest], {**os.environ, **env})


def test(postgres: bool) -> None:
    ensure_environment()
    run(BIN / "ruff", "check", ".")
    run(BIN / "lint-imports")  # the architecture's layer and front-door contracts (docs/architecture.md)
    run(BIN / "pytest", "tests", env={"MERIDIAN_TEST_DATABASE": "sqlite"})
    if postgres:
        run(BIN / "pytest", *POSTGRES_SUITE, env={"MERIDIAN_TEST_DATABASE": "postgres"})


def clients() -> None:
    ensure_environment()
    run(sys.executable, ROOT / "clients" / "pipeline.py")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo()
    elif command == "test":
        test(postgres="--postgres" in sys.argv[2:])
    elif command == "clients":
        clients()
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
