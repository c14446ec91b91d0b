"""Seeds the soak's shared-mode installation in a process of its own (against the soak's own database):

    python -m tests.soak_seed --tenants 3 --employees 400

prints JSON: per tenant its id and a token (tenant admin, HR admin and payroll preparer), and the first tenant's
draft pay run with ``--employees`` staff (seeded as the job queue's restart test seeds its run)."""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace
from typing import Any

SUBJECT = "soak-admin"
ROLES = ("tenant_admin", "hr_admin", "payroll_preparer")


async def seed(runtime: Any, tenants: int, employees: int) -> dict[str, Any]:
    from api.auth import issue_token
    from domain.identity.service import ensure_user
    from domain.kernel.permissions import Role
    from domain.kernel.principal import SystemActor
    from domain.tenancy.model import NewTenant
    from domain.tenancy.service import provision_tenant
    from tests.job_probe import seed_payroll

    seeded: dict[str, Any] = {"tenants": []}
    for index in range(tenants):
        tenant = await provision_tenant(SystemActor(subject="soak"), NewTenant(
            name=f"Soak {index}", countries=["CN"], timezone="Asia/Shanghai"))
        await ensure_user(SystemActor(subject="soak"), tenant.id, SUBJECT, [Role(r) for r in ROLES])
        token = issue_token(runtime.settings, runtime.secret, tenant_id=tenant.id, subject=SUBJECT,
                            roles=list(ROLES), ttl_seconds=3600)
        seeded["tenants"].append({"id": str(tenant.id), "token": token})
    first = seeded["tenants"][0]["id"]
    as_first = SimpleNamespace(tenant=lambda: _uuid(first), settings=runtime.settings, secret=runtime.secret)
    seeded["pay_run"] = await seed_payroll(as_first, employees)
    return seeded


def _uuid(text: str) -> Any:
    from uuid import UUID

    return UUID(text)


def main() -> None:
    from api.cli_support import run_or_exit

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--employees", type=int, required=True)
    arguments = parser.parse_args()
    print(json.dumps(run_or_exit(lambda runtime: seed(runtime, arguments.tenants, arguments.employees))))


if __name__ == "__main__":
    main()
