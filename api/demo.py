"""Demo data for a first look: legal entities in several countries and a user per role."""

from __future__ import annotations

from uuid import UUID

from api.runtime import Runtime
from domain.identity.model import Principal, SystemActor
from domain.identity.permissions import Role
from domain.identity.service import ensure_user
from domain.settings import Mode
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity, NewTenant

DEMO_ENTITIES = [
    NewLegalEntity(name="Meridian Demo GmbH", country="DE", region="BE", currency="EUR", timezone="Europe/Berlin"),
    NewLegalEntity(name="Meridian Demo (Shanghai) Co., Ltd.", country="CN", region="SH", currency="CNY",
                   timezone="Asia/Shanghai"),
    NewLegalEntity(name="Meridian Demo K.K.", country="JP", region="13", currency="JPY", timezone="Asia/Tokyo"),
    NewLegalEntity(name="Meridian Demo Inc.", country="US", region="CA", currency="USD",
                   timezone="America/Los_Angeles"),
    NewLegalEntity(name="Meridian Demo Ltd", country="GB", currency="GBP", timezone="Europe/London"),
    NewLegalEntity(name="Meridian Demo Pte. Ltd.", country="SG", currency="SGD", timezone="Asia/Singapore"),
    NewLegalEntity(name="Meridian Demo India Pvt. Ltd.", country="IN", region="KA", currency="INR",
                   timezone="Asia/Kolkata"),
]

DEMO_USERS = {
    "demo-admin": [Role.TENANT_ADMIN, Role.HR_ADMIN],
    "demo-recruiter": [Role.RECRUITER],
    "demo-interviewer": [Role.INTERVIEWER],
    "demo-manager": [Role.HIRING_MANAGER],
    "demo-preparer": [Role.PAYROLL_PREPARER],
    "demo-reviewer-1": [Role.PAYROLL_REVIEWER],
    "demo-reviewer-2": [Role.PAYROLL_REVIEWER],
    "demo-auditor": [Role.AUDITOR],
}


async def seed(runtime: Runtime) -> UUID:
    tenant_id = await _demo_tenant(runtime)
    seeder = Principal(tenant_id=tenant_id, subject="demo-seed", roles=frozenset({Role.TENANT_ADMIN}))
    existing = {e.name for e in (await tenancy.list_legal_entities(seeder, None, 200)).items}
    for entity in DEMO_ENTITIES:
        if entity.name not in existing:
            await tenancy.create_legal_entity(seeder, entity)
    for subject, roles in DEMO_USERS.items():
        await ensure_user(SystemActor(subject="demo-seed"), tenant_id, subject, roles)
    return tenant_id


async def _demo_tenant(runtime: Runtime) -> UUID:
    if runtime.settings.mode is Mode.ONPREM:
        assert runtime.home_tenant is not None
        return runtime.home_tenant
    for tenant in await tenancy.customer_tenants():
        if tenant.name == "Demo Company":
            return tenant.id
    created = await tenancy.provision_tenant(
        SystemActor(subject="demo-seed"),
        NewTenant(name="Demo Company", countries=["DE", "CN", "JP", "US", "GB", "SG", "IN"], timezone="Europe/Berlin"),
    )
    return created.id
