"""Reads of several applications and competency models at once, one query per kind, for use cases that handle
many at a time (a vendor's batch of interview results names up to 100 applications)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork
from domain.recruitment.model import ApplicationRecord, CompetencyDefinition
from domain.recruitment.queries import CompetencyModelRow, ModelVersionRow
from domain.recruitment.tables import Application, CompetencyModel, CompetencyModelVersion

_competencies = msgspec.json.Decoder(list[CompetencyDefinition])


async def applications_by_id(uow: UnitOfWork, application_ids: list[UUID]) -> list[ApplicationRecord]:
    if not application_ids:
        return []
    rows = await Application.select().where(
        (Application.tenant_id == uow.tenant_id) & Application.id.is_in(application_ids))
    return [ApplicationRecord(**row) for row in rows]


async def competency_models_of_jobs(uow: UnitOfWork, job_ids: list[UUID]) -> list[CompetencyModelRow]:
    if not job_ids:
        return []
    rows = await CompetencyModel.select().where(
        (CompetencyModel.tenant_id == uow.tenant_id) & CompetencyModel.job_id.is_in(job_ids))
    return [CompetencyModelRow(**row) for row in rows]


async def versions_of_models(uow: UnitOfWork, model_ids: list[UUID]) -> list[ModelVersionRow]:
    """Every version of each model, in version order."""
    if not model_ids:
        return []
    rows = await CompetencyModelVersion.select().where(
        (CompetencyModelVersion.tenant_id == uow.tenant_id) & CompetencyModelVersion.model_id.is_in(model_ids)
    ).order_by(CompetencyModelVersion.number)
    return [ModelVersionRow(**{**row, "competencies": _competencies.decode(row["competencies"])}) for row in rows]
