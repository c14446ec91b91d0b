"""A business failure at the command line is its reason, in the operator's language, and exit 1; the
traceback only with --debug. An unknown run is reported before any progress bar is drawn."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bearer
from tests.integration.test_cli import meridian
from tests.integration.test_payroll import payroll  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio


def _operator_env(environment: dict[str, str], tenant: Any, folder: Path, lang: str) -> dict[str, str]:
    """The suite's installation as an operator's shell sees it. On SQLite (on-prem, one tenant) that is a copy
    of it in which the suite's other tenants are set aside, so the command finds its one tenant."""
    env = {k: v for k, v in {**os.environ, **environment}.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang
    if env.get("MERIDIAN_MODE") != "onprem":
        return env
    source = Path(environment["MERIDIAN_DATA_DIR"])
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("meridian.sqlite3*"))
    with sqlite3.connect(source / "meridian.sqlite3") as live, sqlite3.connect(folder / "meridian.sqlite3") as copy:
        live.backup(copy)
        copy.execute("UPDATE tenants SET kind = 'platform' WHERE id != ?", (str(tenant),))
        assert copy.execute("SELECT count(*) FROM tenants WHERE kind = 'customer'").fetchone() == (1,)
    return {**env, "MERIDIAN_DATA_DIR": str(folder)}


async def test_a_run_that_cannot_be_calculated_is_reported_by_its_reason_without_a_traceback(
        client: Any, environment: dict[str, str], tenant_a: Any, payroll: dict[str, Any],  # noqa: F811
        tmp_path: Path) -> None:
    preparer = bearer(payroll["tokens"]["preparer"])
    blocked = payroll["staff"][1]
    attributes = {"country": "CN", "effective_from": "2026-01-01", "attributes": {"medical_tier": "tier2"}}
    assert (await client.post(f"/v1/employees/{blocked.id}/tax-attributes", headers=preparer,
                              json=attributes)).status_code == 201
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": payroll["group"]["id"], "year": 2026, "period": 3})).json()
    command = ("payroll", "calculate", "--tenant", str(tenant_a), "--run", run["id"], "--subject", "prep-1")
    env = _operator_env(environment, tenant_a, tmp_path / "install", "ja_JP.UTF-8")

    plain = meridian(*command, env=env)
    assert plain.returncode == 1, plain.stderr
    assert "Traceback" not in plain.stderr + plain.stdout
    assert f"{blocked.full_name} の給与明細を計算できません" in plain.stderr

    debugged = meridian("--debug", *command, env=env)
    assert debugged.returncode == 1
    assert "Traceback" in debugged.stderr and "の給与明細を計算できません" in debugged.stderr


async def test_an_unknown_run_is_reported_before_any_progress(environment: dict[str, str], tenant_a: Any,
                                                              tmp_path: Path) -> None:
    env = _operator_env(environment, tenant_a, tmp_path / "install", "C.UTF-8")
    unknown = meridian("payroll", "calculate", "--tenant", str(tenant_a), "--run", str(uuid.uuid4()),
                       "--subject", "prep-1", env=env)
    assert unknown.returncode == 1
    assert "Calculating" not in unknown.stdout + unknown.stderr and "Traceback" not in unknown.stderr
    assert "pay run" in unknown.stderr.lower()
