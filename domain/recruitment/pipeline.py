"""The tenant's hiring pipeline: its stages in order, in the reader's language; the default stages are written
the first time a tenant's pipeline is read."""

from __future__ import annotations

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_keyed_cursor, keyed_position, map_page, page_of
from domain.kernel.principal import Principal
from domain.recruitment import queries
from domain.recruitment.model import DEFAULT_STAGES, NewStage, StageOutcome, StageView, pick_text
from domain.recruitment.queries import StageRow


class StageNotFound(NotFound):
    code = "stage_not_found"
    template = "The pipeline has no stage {stage}."


class StageCodeTaken(Conflict):
    code = "stage_code_taken"
    title = "Stage already exists"
    template = "The pipeline already has a stage {stage}."


async def _ensure_stages(uow: UnitOfWork) -> None:
    """Every tenant starts with the default pipeline, written the first time anyone reads it."""
    if not await queries.has_stages(uow):
        for stage in DEFAULT_STAGES:
            await queries.insert_stage(uow, new_id(), stage.code, stage.names, stage.position, stage.outcome)


def _stage_view(row: StageRow | NewStage, locale: str) -> StageView:
    return StageView(code=row.code, name=pick_text(row.names, locale, "en"), names=dict(row.names),
                     position=row.position, outcome=StageOutcome(row.outcome) if row.outcome else None)


async def stages_for(uow: UnitOfWork, locale: str) -> list[StageView]:
    await _ensure_stages(uow)
    return [_stage_view(row, locale) for row in await queries.stages(uow)]


async def list_stages(principal: Principal, locale: str, cursor: str | None, limit: int) -> Page[StageView]:
    async with unit_of_work(principal.tenant_id) as uow:
        await _ensure_stages(uow)
        rows = await queries.stages(uow, after=decode_keyed_cursor(cursor, int), limit=limit + 1)
    page = page_of(rows, limit, lambda row: keyed_position(str(row.position), row.id))
    return map_page(page, lambda row: _stage_view(row, locale))


async def add_stage(principal: Principal, stage: NewStage, locale: str) -> StageView:
    async with unit_of_work(principal.tenant_id) as uow:
        if any(s.code == stage.code for s in await stages_for(uow, locale)):
            raise StageCodeTaken(stage=stage.code)
        await queries.insert_stage(uow, new_id(), stage.code, stage.names, stage.position, stage.outcome)
        await record(uow, principal, "pipeline.stage_added", "pipeline_stage", stage.code, after=stage)
    return _stage_view(stage, locale)
