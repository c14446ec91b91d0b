"""The API contract as a partner meets it, run by `python3 dev.py clients` (needs Node 20.17+ and npm).

Serves Meridian on a free port from a throwaway SQLite data dir with the demo tenant, lints the served document
with our Spectral ruleset, generates the TypeScript and Python clients from it (any generator warning fails),
compiles and packs them, runs both scenarios against the server, and exits 1 if any step failed. Every step runs
that can (a lint failure does not hide a scenario failure); a summary closes the output.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
MERIDIAN = ROOT / ".venv" / "bin" / "meridian"
BUILD = CLIENTS / "build"
DOCUMENT = BUILD / "openapi.json"
TYPESCRIPT = CLIENTS / "typescript"
PYTHON = CLIENTS / "python"
GENERATOR_VENV = PYTHON / ".venv-gen"
SCENARIO_VENV = BUILD / "venv-scenario"
GENERATOR_REQUIREMENTS = PYTHON / "requirements-gen.txt"
# Settings that would point the throwaway server at a real database or another mode.
SERVER_ENV_DROPPED = ("MERIDIAN_DATABASE_URL", "MERIDIAN_MIGRATION_DATABASE_URL", "MERIDIAN_MODE", "MERIDIAN_CONFIG")


def is_warning(line: str) -> bool:
    """openapi-python-client says "Warning(s) encountered"; openapi-typescript marks its warnings with ⚠."""
    return "warning" in line.lower() or "\u26a0" in line


@dataclass
class Outcome:
    ok: bool
    output: str = ""


@dataclass
class Run:
    results: dict[str, tuple[str, str]] = field(default_factory=dict)

    def step(self, name: str, *command: str | Path, cwd: Path = CLIENTS, env: dict[str, str] | None = None,
             warnings_fail: bool = False) -> Outcome:
        """Runs one command as a named step; with warnings_fail, a line mentioning a warning fails it too."""
        print(f"\n=== {name}", flush=True)
        started = time.monotonic()
        completed = subprocess.run(  # noqa: S603 - fixed commands of our own
            [str(part) for part in command], cwd=cwd, env={**os.environ, **(env or {})}, check=False,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(completed.stdout.rstrip("\n"), f"\n--- {time.monotonic() - started:.0f} s", flush=True)
        lines = completed.stdout.splitlines()
        warnings = [line for line in lines if is_warning(line)] if warnings_fail else []
        if warnings:
            print(f"--- {len(warnings)} warning line(s): a generator warning is a failure", flush=True)
        ok = completed.returncode == 0 and not warnings
        self.record(name, ok, "" if ok else f"exit {completed.returncode}, {len(warnings)} warning line(s)"
                    if warnings_fail else f"exit {completed.returncode}")
        return Outcome(ok, completed.stdout)

    def record(self, name: str, ok: bool, why: str = "") -> None:
        self.results[name] = ("ok" if ok else "FAIL", why)

    def skip(self, name: str, because: str) -> None:
        print(f"\n=== {name}: skipped, {because}", flush=True)
        self.results[name] = ("skipped", because)

    def summary(self) -> int:
        print("\n=== Summary of the client contract run", flush=True)
        for name, (status, why) in self.results.items():
            print(f"{status:8} {name}{f' ({why})' if why else ''}")
        statuses = collections.Counter(status for status, _ in self.results.values())
        print(f"Client contract: {statuses['ok']} steps ok, {statuses['FAIL']} failed, {statuses['skipped']} skipped",
              flush=True)
        return 0 if statuses["ok"] == len(self.results) else 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def meridian(*arguments: str, env: dict[str, str]) -> str:
    completed = subprocess.run(  # noqa: S603 - our own CLI
        [str(MERIDIAN), *arguments], env=env, check=True, stdout=subprocess.PIPE, text=True)
    return completed.stdout


def wait_until_serving(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer {url}/v1/health within {seconds:.0f} s")


@contextmanager
def demo_server() -> Iterator[tuple[str, str]]:
    """A server on a free port with the demo tenant, and an HR admin's token for it; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="meridian-clients-") as data_dir:
        env = {key: value for key, value in os.environ.items() if key not in SERVER_ENV_DROPPED}
        env["MERIDIAN_DATA_DIR"] = data_dir
        meridian("migrate", env=env)
        meridian("demo", "seed", env=env)
        token = meridian("tokens", "issue", "--subject", "demo-admin", "--roles", "tenant_admin,hr_admin",
                         "--ttl", "3600", env=env).strip()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with (Path(data_dir) / "server.log").open("wb") as log:
            server = subprocess.Popen(  # noqa: S603 - our own CLI
                [str(MERIDIAN), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                stderr=subprocess.STDOUT)
            try:
                wait_until_serving(url, server)
                print(f"Serving the demo tenant at {url} (data in {data_dir})", flush=True)
                yield url, token
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            if server.returncode not in (0, -15):
                print((Path(data_dir) / "server.log").read_text(errors="replace")[-4000:], flush=True)


def fetch_document(url: str) -> None:
    BUILD.mkdir(exist_ok=True)
    with urllib.request.urlopen(f"{url}/schema/openapi.json", timeout=30) as answer:  # noqa: S310 - local server
        # Indented, so that the lint's line numbers point somewhere readable.
        DOCUMENT.write_text(json.dumps(json.loads(answer.read()), indent=2, ensure_ascii=False), encoding="utf-8")


def lint(run: Run) -> None:
    report = BUILD / "lint.json"
    run.step("Spectral ruleset self-test", "node", "--test", "spectral-fixtures/")
    run.step("Spectral lint of the served document", CLIENTS / "node_modules/.bin/spectral", "lint", "--quiet",
             "--ruleset", "spectral.yaml", "--fail-severity", "warn", "--format", "stylish", "--format", "json",
             "--output.json", report, DOCUMENT)
    if report.exists():
        counts = collections.Counter(result["code"] for result in json.loads(report.read_text() or "[]"))
        print("Violations per rule:" if counts else "No violation.", flush=True)
        for code, count in sorted(counts.items()):
            print(f"{count:6}  {code}", flush=True)


def typescript_client(run: Run) -> bool:
    generated = run.step("TypeScript: openapi-typescript", "npm", "run", "--silent", "generate", cwd=TYPESCRIPT,
                         env={"MERIDIAN_OPENAPI": str(DOCUMENT)}, warnings_fail=True)
    if not generated.ok:
        run.skip("TypeScript: tsc --noEmit (strict)", "no generated types")
        run.skip("TypeScript: npm pack", "no generated types")
        return False
    checked = run.step("TypeScript: tsc --noEmit (strict)", "npm", "run", "--silent", "check", cwd=TYPESCRIPT)
    shutil.rmtree(TYPESCRIPT / "dist", ignore_errors=True)
    run.step("TypeScript: npm pack", "npm", "pack", "--pack-destination", BUILD, cwd=TYPESCRIPT)
    return checked.ok


def ensure_generator() -> None:
    """The pinned generator in its own venv, reinstalled when requirements-gen.txt changes."""
    python = GENERATOR_VENV / "bin" / "python"
    if not python.exists():
        venv.create(GENERATOR_VENV, with_pip=True)
    stamp = GENERATOR_VENV / ".meridian-installed"
    wanted = hashlib.sha256(GENERATOR_REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - the pinned toolchain
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(GENERATOR_REQUIREMENTS)], check=True)
        stamp.write_text(wanted)


def python_client(run: Run) -> bool:
    bin_dir = GENERATOR_VENV / "bin"
    package = PYTHON / "meridian-client"
    run.step("Python: openapi-python-client", bin_dir / "openapi-python-client", "generate", "--path", DOCUMENT,
             "--config", "config.yaml", "--meta", "poetry", "--output-path", package, "--overwrite",
             "--fail-on-warning", cwd=PYTHON, warnings_fail=True,
             env={"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"})  # its ruff post-hooks
    if not (package / "pyproject.toml").exists():
        run.skip("Python: wheel", "no generated package")
        return False
    shutil.copyfile(PYTHON / "README.md", package / "README.md")
    shutil.rmtree(PYTHON / "dist", ignore_errors=True)
    built = run.step("Python: wheel", bin_dir / "python", "-m", "build", "--wheel", "--no-isolation", "--outdir",
                     PYTHON / "dist", package, cwd=PYTHON)
    if not built.ok:
        return False
    shutil.rmtree(SCENARIO_VENV, ignore_errors=True)
    venv.create(SCENARIO_VENV, with_pip=True)
    installed = run.step("Python: install the wheel in a clean venv", SCENARIO_VENV / "bin" / "python", "-m", "pip",
                         "install", "--quiet", "-c", GENERATOR_REQUIREMENTS, *sorted((PYTHON / "dist").glob("*.whl")))
    return installed.ok


def scenarios(run: Run, url: str, token: str, typescript: bool, python: bool) -> None:
    env = {"MERIDIAN_URL": url, "MERIDIAN_TOKEN": token}
    if typescript:
        run.step("TypeScript scenario against the live server", "npm", "run", "--silent", "scenario", cwd=TYPESCRIPT,
                 env=env)
    else:
        run.skip("TypeScript scenario against the live server", "the TypeScript client did not build")
    if python:
        run.step("Python scenario against the live server", SCENARIO_VENV / "bin" / "python", PYTHON / "scenario.py",
                 cwd=PYTHON, env=env)
    else:
        run.skip("Python scenario against the live server", "the Python client did not build")


def main() -> int:
    run = Run()
    npm = run.step("npm ci", "npm", "ci", "--no-audit", "--no-fund")
    try:
        ensure_generator()
        with demo_server() as (url, token):
            run.record("Live demo server", True)
            fetch_document(url)
            typescript = False
            if npm.ok:
                lint(run)
                typescript = typescript_client(run)
            else:
                run.skip("Spectral lint and the TypeScript client", "npm ci failed")
            python = python_client(run)
            scenarios(run, url, token, typescript, python)
    except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
        print(f"\n=== Stopped: {error}", flush=True)
        run.record("Live demo server and toolchain", False, str(error))
    return run.summary()


if __name__ == "__main__":
    sys.exit(main())
