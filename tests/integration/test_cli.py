"""The operator's command line, run as operators run it: as a process, with exit codes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


def meridian(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True,
                          env=env, check=False, timeout=120)


@pytest.mark.sqlite
async def test_an_onprem_install_from_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIDIAN_")}
    env.update({"MERIDIAN_DATA_DIR": str(tmp_path), "MERIDIAN_TENANT_COUNTRIES": "CN,JP",
                "MERIDIAN_TENANT_TIMEZONE": "Asia/Shanghai"})
    before = meridian("audit", "verify", env=env)
    assert before.returncode == 3 and "meridian migrate" in before.stderr
    migrated = meridian("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "keys" / "jwt-hs256.key").stat().st_mode & 0o777 == 0o600
    # the demo seed, twice, on a fresh installation: tests/integration/test_demo_seed.py
    token = meridian("tokens", "issue", "--subject", "ops", "--roles", "hr_admin", "--ttl", "600", env=env)
    assert token.returncode == 0 and token.stdout.count(".") == 2
    bad_role = meridian("tokens", "issue", "--subject", "ops", "--roles", "wizard", env=env)
    assert bad_role.returncode == 2
    second = meridian("tenants", "create", "Other", "--country", "DE", "--timezone", "UTC", env=env)
    assert second.returncode == 1 and "exactly one tenant" in second.stderr
    assert meridian("audit", "verify", env=env).returncode == 0

    with sqlite3.connect(tmp_path / "meridian.sqlite3") as db:
        db.execute("UPDATE audit_entries SET actor = 'forger' WHERE seq = 2")
    broken = meridian("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "broken at seq 2" in broken.stdout


@pytest.mark.postgres
async def test_a_platform_operator_provisions_and_suspends_from_the_cli(environment: dict[str, str],
                                                                        settings: Any) -> None:
    env = {**os.environ, **environment}
    created = meridian("tenants", "create", "Cli Corp", "--country", "JP", "--timezone", "Asia/Tokyo",
                       "--locale", "ja", env=env)
    assert created.returncode == 0, created.stderr
    tenant_id = created.stdout.strip()
    assert tenant_id in meridian("tenants", "list", env=env).stdout
    token = meridian("tokens", "issue", "--tenant", tenant_id, "--subject", "hr", "--roles", "hr_admin", env=env)
    assert token.returncode == 0
    assert meridian("tenants", "suspend", tenant_id, env=env).returncode == 0
    assert meridian("audit", "verify", "--tenant", tenant_id, env=env).returncode == 0
    missing_tenant = meridian("tokens", "issue", "--subject", "x", "--roles", "hr_admin", env=env)
    assert missing_tenant.returncode == 2
    invalid = meridian("tenants", "create", "Bad", "--country", "XX", "--timezone", "Nowhere/City", env=env)
    assert invalid.returncode == 1
