"""Demo data for a first look: legal entities in several countries and a user per role."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.runtime import Runtime
from domain.identity.service import ensure_user
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.settings import Mode
from domain.recruitment import service as recruitment
from domain.recruitment.model import CompetencyDefinition, NewApplication, NewCandidate, NewJob, NewModelVersion
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity, NewTenant

DEMO_JOB_TITLE = "Backend engineer"

DEMO_ENTITIES = [
    NewLegalEntity(name="Meridian Demo GmbH", country="DE", region="BE", currency="EUR", timezone="Europe/Berlin"),
    NewLegalEntity(name="Meridian Demo (Shanghai) Co., Ltd.", country="CN", region="SH", currency="CNY",
                   timezone="Asia/Shanghai"),
    NewLegalEntity(name="Meridian Demo K.K.", country="JP", region="13", currency="JPY", timezone="Asia/Tokyo"),
    NewLegalEntity(name="Meridian Demo Inc.", country="US", currency="USD", timezone="America/Los_Angeles"),
    NewLegalEntity(name="Meridian Demo Ltd", country="GB", currency="GBP", timezone="Europe/London"),
    NewLegalEntity(name="Meridian Demo Pte. Ltd.", country="SG", currency="SGD", timezone="Asia/Singapore"),
    # The US pack is federal and the IN pack national: neither has regions, so neither entity names one.
    NewLegalEntity(name="Meridian Demo India Pvt. Ltd.", country="IN", currency="INR", timezone="Asia/Kolkata"),
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
    seeder = Principal(tenant_id=tenant_id, subject="demo-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    existing = {e.name for e in (await tenancy.list_legal_entities(seeder, None, 200)).items}
    for entity in DEMO_ENTITIES:
        if entity.name not in existing:
            await tenancy.create_legal_entity(seeder, entity)
    for subject, roles in DEMO_USERS.items():
        await ensure_user(SystemActor(subject="demo-seed"), tenant_id, subject, roles)
    await _demo_hiring(seeder)
    return tenant_id


async def _demo_hiring(seeder: Principal) -> None:
    """A job in Shanghai with its competency model, and two applicants, unless the job exists already."""
    if any(j.titles.get("en") == DEMO_JOB_TITLE for j in (await recruitment.list_jobs(seeder, None, 200, None,
                                                                                        "en")).items):
        return
    entities = {e.name: e.id for e in (await tenancy.list_legal_entities(seeder, None, 200)).items}
    job = await recruitment.create_job(seeder, NewJob(
        legal_entity_id=entities["Meridian Demo (Shanghai) Co., Ltd."], location="Shanghai",
        title={"en": DEMO_JOB_TITLE, "zh_CN": "后端工程师", "ja": "バックエンドエンジニア"}), "en")
    await recruitment.publish_model_version(seeder, job.id, NewModelVersion(
        effective_from=date(2026, 1, 1), overall_pass_threshold="65", competencies=[
            CompetencyDefinition(code="coding", names={"en": "Coding", "zh_CN": "编码", "ja": "コーディング"},
                                 weight="0.5", pass_threshold="3", scale_min="1", scale_max="5"),
            CompetencyDefinition(code="problem_solving", names={"en": "Problem solving", "zh_CN": "问题解决",
                                                                "ja": "問題解決"}, weight="0.3", pass_threshold="60"),
            CompetencyDefinition(code="teamwork", names={"en": "Teamwork", "zh_CN": "团队合作", "ja": "チームワーク"},
                                 weight="0.2", pass_threshold="50")]))
    for name, email, zone, locale in (("Wang Fang", "wang.fang@example.com", "Asia/Shanghai", "zh_CN"),
                                      ("Sato Yuki", "sato.yuki@example.com", "Asia/Tokyo", "ja")):
        candidate = await recruitment.create_candidate(seeder, NewCandidate(
            full_name=name, email=email, timezone=zone, locale=locale))
        await recruitment.create_application(seeder, NewApplication(candidate_id=candidate.id, job_id=job.id), "en")


async def _demo_tenant(runtime: Runtime) -> UUID:
    if runtime.settings.mode is Mode.ONPREM:
        return runtime.tenant()
    for tenant in await tenancy.customer_tenants():
        if tenant.name == "Demo Company":
            return tenant.id
    created = await tenancy.provision_tenant(
        SystemActor(subject="demo-seed"),
        NewTenant(name="Demo Company", countries=["DE", "CN", "JP", "US", "GB", "SG", "IN"], timezone="Europe/Berlin"),
    )
    return created.id
