from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Or

from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.recruitment.tables import (
    Application,
    Candidate,
    CompetencyModel,
    CompetencyModelVersion,
    Consent,
    Job,
    OutboxMessage,
    PipelineStage,
    StageChange,
)

# -- pipeline ------------------------------------------------------------------------------------


async def stages(uow: UnitOfWork) -> list[dict[str, Any]]:
    rows = await PipelineStage.select().where(PipelineStage.tenant_id == uow.tenant_id).order_by(PipelineStage.position)
    return [{**row, "names": json.loads(row["names"])} for row in rows]


async def insert_stage(uow: UnitOfWork, stage_id: UUID, code: str, names: dict[str, str], position: int,
                       outcome: str | None) -> None:
    now = utc_now()
    await PipelineStage.insert(PipelineStage(
        id=stage_id, tenant_id=uow.tenant_id, code=code, names=json.dumps(names, ensure_ascii=False),
        position=position, outcome=outcome, version=1, created_at=now, updated_at=now))


# -- jobs ----------------------------------------------------------------------------------------


def _job(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "title": json.loads(row["title"]), "description": json.loads(row["description"]),
            "hiring_team": [UUID(v) for v in json.loads(row["hiring_team"])]}


def _job_columns(values: dict[str, Any]) -> dict[str, Any]:
    encoded = dict(values)
    for name in ("title", "description"):
        if name in encoded:
            encoded[name] = json.dumps(encoded[name], ensure_ascii=False)
    if "hiring_team" in encoded:
        encoded["hiring_team"] = json.dumps([str(v) for v in encoded["hiring_team"]])
    return encoded


async def insert_job(uow: UnitOfWork, job_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await Job.insert(Job(id=job_id, tenant_id=uow.tenant_id, version=1, created_at=now, updated_at=now,
                         **_job_columns(values)))


async def job(uow: UnitOfWork, job_id: UUID) -> dict[str, Any] | None:
    row = await Job.select().where((Job.tenant_id == uow.tenant_id) & (Job.id == job_id)).first()
    return _job(row) if row else None


async def jobs(uow: UnitOfWork, *, after: UUID | None, limit: int, status: str | None) -> list[dict[str, Any]]:
    query = Job.select().where(Job.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Job.id > after)
    if status:
        query = query.where(Job.status == status)
    return [_job(r) for r in await query.order_by(Job.id).limit(limit)]


async def update_job(uow: UnitOfWork, job_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    await update_versioned(uow, Job, job_id, expected_version, _job_columns(values), "job")


# -- candidates ----------------------------------------------------------------------------------


async def insert_candidate(uow: UnitOfWork, candidate_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await Candidate.insert(Candidate(id=candidate_id, tenant_id=uow.tenant_id, version=1, created_at=now,
                                     updated_at=now, **values))


async def candidate(uow: UnitOfWork, candidate_id: UUID) -> dict[str, Any] | None:
    return await Candidate.select().where(
        (Candidate.tenant_id == uow.tenant_id) & (Candidate.id == candidate_id)).first()


async def candidates(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[dict[str, Any]]:
    query = Candidate.select().where(Candidate.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Candidate.id > after)
    return await query.order_by(Candidate.id).limit(limit)


async def candidates_matching(uow: UnitOfWork, indexes: dict[str, str]) -> list[dict[str, Any]]:
    """Candidates of this tenant sharing any blind index (email, phone or national id) with a new one."""
    if not indexes:
        return []
    conditions = [getattr(Candidate, f"{name}_index") == value for name, value in indexes.items()]
    either = conditions[0]
    for condition in conditions[1:]:
        either = Or(either, condition)
    return await Candidate.select(
        Candidate.id, Candidate.email_index, Candidate.phone_index, Candidate.national_id_index
    ).where((Candidate.tenant_id == uow.tenant_id) & either)


async def insert_consent(uow: UnitOfWork, consent_id: UUID, candidate_id: UUID, values: dict[str, Any]) -> None:
    await Consent.insert(Consent(id=consent_id, tenant_id=uow.tenant_id, candidate_id=candidate_id,
                                 created_at=utc_now(), **values))


async def consents(uow: UnitOfWork, candidate_id: UUID) -> list[dict[str, Any]]:
    return await Consent.select().where(
        (Consent.tenant_id == uow.tenant_id) & (Consent.candidate_id == candidate_id)).order_by(Consent.id)


async def withdraw_consent(uow: UnitOfWork, candidate_id: UUID, consent_id: UUID) -> bool:
    changed = await Consent.update({Consent.withdrawn_at: utc_now()}).where(
        (Consent.tenant_id == uow.tenant_id) & (Consent.candidate_id == candidate_id) & (Consent.id == consent_id)
        & Consent.withdrawn_at.is_null()
    ).returning(Consent.id)
    return bool(changed)


# -- applications --------------------------------------------------------------------------------


async def insert_application(uow: UnitOfWork, application_id: UUID, candidate_id: UUID, job_id: UUID,
                             stage: str) -> None:
    now = utc_now()
    await Application.insert(Application(id=application_id, tenant_id=uow.tenant_id, candidate_id=candidate_id,
                                         job_id=job_id, stage=stage, version=1, created_at=now, updated_at=now))


async def application(uow: UnitOfWork, application_id: UUID) -> dict[str, Any] | None:
    return await Application.select().where(
        (Application.tenant_id == uow.tenant_id) & (Application.id == application_id)).first()


async def application_exists(uow: UnitOfWork, candidate_id: UUID, job_id: UUID) -> bool:
    return await Application.exists().where(
        (Application.tenant_id == uow.tenant_id) & (Application.candidate_id == candidate_id)
        & (Application.job_id == job_id))


async def applications(uow: UnitOfWork, *, after: UUID | None, limit: int, job_id: UUID | None = None,
                       candidate_id: UUID | None = None) -> list[dict[str, Any]]:
    query = Application.select().where(Application.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Application.id > after)
    if job_id:
        query = query.where(Application.job_id == job_id)
    if candidate_id:
        query = query.where(Application.candidate_id == candidate_id)
    return await query.order_by(Application.id).limit(limit)


async def move_application(uow: UnitOfWork, application_id: UUID, expected_version: int, stage: str) -> None:
    await update_versioned(uow, Application, application_id, expected_version, {"stage": stage}, "application")


async def record_stage_change(uow: UnitOfWork, change_id: UUID, application_id: UUID, values: dict[str, Any]) -> None:
    await StageChange.insert(StageChange(id=change_id, tenant_id=uow.tenant_id, application_id=application_id,
                                         moved_at=utc_now(), **values))


async def stage_history(uow: UnitOfWork, application_id: UUID) -> list[dict[str, Any]]:
    return await StageChange.select().where(
        (StageChange.tenant_id == uow.tenant_id) & (StageChange.application_id == application_id)
    ).order_by(StageChange.moved_at)


async def enqueue_message(uow: UnitOfWork, message_id: UUID, values: dict[str, Any]) -> None:
    await OutboxMessage.insert(OutboxMessage(id=message_id, tenant_id=uow.tenant_id, status="pending",
                                             created_at=utc_now(), **values))


async def outbox(uow: UnitOfWork, recipient_id: UUID) -> list[dict[str, Any]]:
    return await OutboxMessage.select().where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.recipient_id == recipient_id)
    ).order_by(OutboxMessage.created_at)


# -- competency models ---------------------------------------------------------------------------


async def competency_model(uow: UnitOfWork, job_id: UUID) -> dict[str, Any] | None:
    return await CompetencyModel.select().where(
        (CompetencyModel.tenant_id == uow.tenant_id) & (CompetencyModel.job_id == job_id)).first()


async def insert_competency_model(uow: UnitOfWork, model_id: UUID, job_id: UUID, name: str) -> None:
    await CompetencyModel.insert(CompetencyModel(id=model_id, tenant_id=uow.tenant_id, job_id=job_id, name=name,
                                                 created_at=utc_now()))


async def model_versions(uow: UnitOfWork, model_id: UUID) -> list[dict[str, Any]]:
    rows = await CompetencyModelVersion.select().where(
        (CompetencyModelVersion.tenant_id == uow.tenant_id) & (CompetencyModelVersion.model_id == model_id)
    ).order_by(CompetencyModelVersion.number)
    return [{**row, "competencies": json.loads(row["competencies"])} for row in rows]


async def insert_model_version(uow: UnitOfWork, version_id: UUID, model_id: UUID, values: dict[str, Any]) -> None:
    await CompetencyModelVersion.insert(CompetencyModelVersion(
        id=version_id, tenant_id=uow.tenant_id, model_id=model_id, created_at=utc_now(),
        **{**values, "competencies": json.dumps(values["competencies"], ensure_ascii=False)}))
