from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Or

from domain.kernel.db import UnitOfWork, fetch_views, row_version_of
from domain.kernel.pagination import rows_after
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.recruitment.model import ApplicationFilter, ApplicationRecord, CompetencyDefinition, JobRecord
from domain.recruitment.tables import (
    Application,
    Candidate,
    CompetencyModel,
    CompetencyModelVersion,
    Consent,
    Job,
    PipelineStage,
    StageChange,
)

# -- pipeline ------------------------------------------------------------------------------------


class StageRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    code: str
    names: dict[str, str]
    position: int
    outcome: str | None
    version: int
    created_at: datetime
    updated_at: datetime


async def stages(uow: UnitOfWork, *, after: tuple[int, UUID] | None = None,
                 limit: int | None = None) -> list[StageRow]:
    """In pipeline order (by position, then id)."""
    query = PipelineStage.select().where(PipelineStage.tenant_id == uow.tenant_id)
    if after is not None:
        query = query.where(rows_after(PipelineStage, PipelineStage.position, after))
    query = query.order_by(PipelineStage.position).order_by(PipelineStage.id)
    rows = await (query.limit(limit) if limit else query)
    return [StageRow(**{**row, "names": json.loads(row["names"])}) for row in rows]


async def has_stages(uow: UnitOfWork) -> bool:
    return await PipelineStage.exists().where(PipelineStage.tenant_id == uow.tenant_id)


async def insert_stage(uow: UnitOfWork, stage_id: UUID, code: str, names: dict[str, str], position: int,
                       outcome: str | None) -> None:
    now = utc_now()
    await PipelineStage.insert(PipelineStage(
        id=stage_id, tenant_id=uow.tenant_id, code=code, names=json.dumps(names, ensure_ascii=False),
        position=position, outcome=outcome, version=1, created_at=now, updated_at=now))


# -- jobs ----------------------------------------------------------------------------------------


def _job(row: dict[str, Any]) -> JobRecord:
    return JobRecord(**{**row, "title": json.loads(row["title"]), "description": json.loads(row["description"]),
                        "hiring_team": [UUID(v) for v in json.loads(row["hiring_team"])]})


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


async def job(uow: UnitOfWork, job_id: UUID) -> JobRecord | None:
    row = await Job.select().where((Job.tenant_id == uow.tenant_id) & (Job.id == job_id)).first()
    return _job(row) if row else None


async def jobs(uow: UnitOfWork, *, after: UUID | None, limit: int, status: str | None,
               legal_entity_id: UUID | None = None) -> list[JobRecord]:
    query = Job.select().where(Job.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Job.id > after)
    if status:
        query = query.where(Job.status == status)
    if legal_entity_id:
        query = query.where(Job.legal_entity_id == legal_entity_id)
    return [_job(r) for r in await query.order_by(Job.id).limit(limit)]


async def update_job(uow: UnitOfWork, job_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    await update_versioned(uow, Job, job_id, expected_version, _job_columns(values), "job")


# -- candidates ----------------------------------------------------------------------------------


class CandidateRow(msgspec.Struct, frozen=True):
    """What a candidate is shown from: personal data only sealed (``*_ciphertext``). Neither the blind indexes nor
    the tenant are carried: nothing shown needs them, and a page of 50 read them for nothing (a third of its bytes).
    The list builds rows positionally from its select list, which names these fields."""

    id: UUID
    full_name: str
    email_ciphertext: str | None
    phone_ciphertext: str | None
    national_id_ciphertext: str | None
    national_id_country: str | None
    birth_date_ciphertext: str | None
    timezone: str
    locale: str
    version: int
    created_at: datetime
    updated_at: datetime
    notification_channel: str | None = None

    def ciphertexts(self) -> dict[str, str | None]:
        return {"email": self.email_ciphertext, "phone": self.phone_ciphertext,
                "national_id": self.national_id_ciphertext, "birth_date": self.birth_date_ciphertext}


class CandidateListing(msgspec.Struct, frozen=True):
    """A candidate as a masked list compares it with the view it showed: its id and the version of its row
    (:func:`row_version_of`). A page of 50 is 3 KB, where a page of rows is 32 KB, most of it sealed values."""

    id: UUID
    row_version: str


class ListedCandidate(CandidateRow, frozen=True):
    """A candidate's row with its row's version: what a masked view is made from and remembered by."""

    row_version: str = ""

    def listing(self) -> CandidateListing:
        return CandidateListing(self.id, self.row_version)


class CandidateMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A candidate's blind indexes, to tell which of them a new candidate shares."""

    id: UUID
    email_index: str | None
    phone_index: str | None
    national_id_index: str | None

    def indexes(self) -> dict[str, str | None]:
        return {"email": self.email_index, "phone": self.phone_index, "national_id": self.national_id_index}


_CANDIDATE_COLUMNS = [getattr(Candidate, name) for name in CandidateRow.__struct_fields__]
#: The candidate list's select list, in the order of the row's fields (each row is built positionally).
_CANDIDATE_FIELDS = CandidateRow.__struct_fields__
_CANDIDATE_LIST = ", ".join(f'"{name}"' for name in _CANDIDATE_FIELDS)


async def insert_candidate(uow: UnitOfWork, candidate_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await Candidate.insert(Candidate(id=candidate_id, tenant_id=uow.tenant_id, version=1, created_at=now,
                                     updated_at=now, **values))


async def candidate(uow: UnitOfWork, candidate_id: UUID) -> CandidateRow | None:
    row = await Candidate.select(*_CANDIDATE_COLUMNS).where(
        (Candidate.tenant_id == uow.tenant_id) & (Candidate.id == candidate_id)).first()
    return CandidateRow(**row) if row else None


async def update_candidate(uow: UnitOfWork, candidate_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    await update_versioned(uow, Candidate, candidate_id, expected_version, values, "candidate")




async def candidates(uow: UnitOfWork, *, after: UUID | None, limit: int,
                     updated_since: datetime | None = None) -> list[CandidateRow]:
    """A page of the tenant's candidates in id order, through one prepared statement per shape of the filter."""
    return await fetch_views(uow, CandidateRow, *_candidate_page(_CANDIDATE_LIST, uow, after, limit, updated_since))


async def candidate_listings(uow: UnitOfWork, *, after: UUID | None, limit: int,
                             updated_since: datetime | None = None) -> list[CandidateListing]:
    """The same page as :func:`candidates`, as listings."""
    select = f'"id", {row_version_of(_CANDIDATE_FIELDS)} AS "row_version"'
    return await fetch_views(uow, CandidateListing, *_candidate_page(select, uow, after, limit, updated_since))


async def listed_candidates(uow: UnitOfWork, *, after: UUID | None, limit: int,
                            updated_since: datetime | None = None) -> list[ListedCandidate]:
    """The same page as :func:`candidates`, each row with its version."""
    select = f'{_CANDIDATE_LIST}, {row_version_of(_CANDIDATE_FIELDS)} AS "row_version"'
    return await fetch_views(uow, ListedCandidate, *_candidate_page(select, uow, after, limit, updated_since))


def _candidate_page(select: str, uow: UnitOfWork, after: UUID | None, limit: int,
                    updated_since: datetime | None) -> tuple[Any, ...]:
    """The statement of a page of candidates (``select`` its select list) and its arguments."""
    conditions, args = ['"tenant_id" = {}'], [uow.tenant_id]
    if after:
        conditions.append('"id" > {}')
        args.append(after)
    if updated_since:
        conditions.append('"updated_at" >= {}')
        args.append(updated_since)
    statement = (f'SELECT {select} FROM "candidates" WHERE {" AND ".join(conditions)} '  # noqa: S608
                 'ORDER BY "id" LIMIT {}')  # names are the code's own; every value is a parameter
    return (statement, *args, limit)


async def candidates_matching(uow: UnitOfWork, indexes: dict[str, str]) -> list[CandidateMatch]:
    """Candidates of this tenant sharing any blind index (email, phone or national id) with a new one."""
    if not indexes:
        return []
    conditions = [getattr(Candidate, f"{name}_index") == value for name, value in indexes.items()]
    either = conditions[0]
    for condition in conditions[1:]:
        either = Or(either, condition)
    rows = await Candidate.select(
        Candidate.id, Candidate.email_index, Candidate.phone_index, Candidate.national_id_index
    ).where((Candidate.tenant_id == uow.tenant_id) & either)
    return [CandidateMatch(**row) for row in rows]


class ConsentRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    candidate_id: UUID
    purpose: str
    given_at: datetime
    withdrawn_at: datetime | None
    evidence: str
    created_at: datetime


async def insert_consent(uow: UnitOfWork, consent_id: UUID, candidate_id: UUID, values: dict[str, Any]) -> None:
    await Consent.insert(Consent(id=consent_id, tenant_id=uow.tenant_id, candidate_id=candidate_id,
                                 created_at=utc_now(), **values))


async def consents(uow: UnitOfWork, candidate_id: UUID, *, after: UUID | None = None,
                   limit: int | None = None) -> list[ConsentRow]:
    query = Consent.select().where((Consent.tenant_id == uow.tenant_id) & (Consent.candidate_id == candidate_id))
    if after:
        query = query.where(Consent.id > after)
    query = query.order_by(Consent.id)
    return [ConsentRow(**row) for row in await (query.limit(limit) if limit else query)]


async def withdraw_consent(uow: UnitOfWork, candidate_id: UUID, consent_id: UUID) -> bool:
    changed = await Consent.update({Consent.withdrawn_at: utc_now()}).where(
        (Consent.tenant_id == uow.tenant_id) & (Consent.candidate_id == candidate_id) & (Consent.id == consent_id)
        & Consent.withdrawn_at.is_null()
    ).returning(Consent.id)
    return bool(changed)


async def candidates_consenting(uow: UnitOfWork, candidate_ids: list[UUID], purpose: str) -> set[UUID]:
    """The candidates among ``candidate_ids`` holding a consent for ``purpose`` given by now and not withdrawn."""
    if not candidate_ids:
        return set()
    rows = await Consent.select(Consent.candidate_id).where(
        (Consent.tenant_id == uow.tenant_id) & Consent.candidate_id.is_in(candidate_ids)
        & (Consent.purpose == purpose) & Consent.withdrawn_at.is_null() & (Consent.given_at <= utc_now()))
    return {row["candidate_id"] for row in rows}


# -- applications --------------------------------------------------------------------------------


class StageChangeRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    application_id: UUID
    from_stage: str | None
    to_stage: str
    moved_by: str
    reason: str
    moved_at: datetime


async def insert_application(uow: UnitOfWork, application_id: UUID, candidate_id: UUID, job_id: UUID,
                             stage: str) -> None:
    now = utc_now()
    await Application.insert(Application(id=application_id, tenant_id=uow.tenant_id, candidate_id=candidate_id,
                                         job_id=job_id, stage=stage, version=1, created_at=now, updated_at=now))


async def application(uow: UnitOfWork, application_id: UUID) -> ApplicationRecord | None:
    row = await Application.select().where(
        (Application.tenant_id == uow.tenant_id) & (Application.id == application_id)).first()
    return ApplicationRecord(**row) if row else None


async def application_exists(uow: UnitOfWork, candidate_id: UUID, job_id: UUID) -> bool:
    return await Application.exists().where(
        (Application.tenant_id == uow.tenant_id) & (Application.candidate_id == candidate_id)
        & (Application.job_id == job_id))


async def applications(uow: UnitOfWork, *, after: UUID | None, limit: int, job_id: UUID | None = None,
                       candidate_id: UUID | None = None) -> list[ApplicationRecord]:
    query = Application.select().where(Application.tenant_id == uow.tenant_id)
    if after:
        query = query.where(Application.id > after)
    if job_id:
        query = query.where(Application.job_id == job_id)
    if candidate_id:
        query = query.where(Application.candidate_id == candidate_id)
    return [ApplicationRecord(**row) for row in await query.order_by(Application.id).limit(limit)]


class ListedApplication(msgspec.Struct, frozen=True, kw_only=True):
    """An application with what a list row shows of its candidate and job, read in one query."""

    application: ApplicationRecord
    candidate_name: str
    job_titles: dict[str, str]


def _listed_select(uow: UnitOfWork) -> Any:
    """The tenant's applications with their candidate's name and job's title. The join is on the candidate's and
    the job's id alone, so their tenant_id is named too: a sharded database (docs/scale-out.md) sends a query to
    one tenant's shard only when every table in it names the tenant."""
    return Application.select(
        *Application.all_columns(),
        Application.candidate_id.join_on(Candidate.id).full_name.as_alias("candidate_name"),
        Application.job_id.join_on(Job.id).title.as_alias("job_titles"),
    ).where((Application.tenant_id == uow.tenant_id)
            & (Application.candidate_id.join_on(Candidate.id).tenant_id == uow.tenant_id)
            & (Application.job_id.join_on(Job.id).tenant_id == uow.tenant_id))


def _listed(row: dict[str, Any]) -> ListedApplication:
    name, titles = row.pop("candidate_name"), row.pop("job_titles")
    return ListedApplication(application=ApplicationRecord(**row), candidate_name=name, job_titles=json.loads(titles))


async def listed_application(uow: UnitOfWork, application_id: UUID) -> ListedApplication | None:
    row = await _listed_select(uow).where(Application.id == application_id).first()
    return _listed(row) if row else None


async def listed_applications(uow: UnitOfWork, *, after: UUID | None, limit: int,
                              only: ApplicationFilter) -> list[ListedApplication]:
    query = _listed_select(uow)
    if after:
        query = query.where(Application.id > after)
    if only.job_id:
        query = query.where(Application.job_id == only.job_id)
    if only.stage:
        query = query.where(Application.stage == only.stage)
    if only.updated_since:
        query = query.where(Application.updated_at >= only.updated_since)
    return [_listed(row) for row in await query.order_by(Application.id).limit(limit)]


async def move_application(uow: UnitOfWork, application_id: UUID, expected_version: int, stage: str) -> None:
    await update_versioned(uow, Application, application_id, expected_version, {"stage": stage}, "application")


async def record_stage_change(uow: UnitOfWork, change_id: UUID, application_id: UUID, values: dict[str, Any]) -> None:
    await StageChange.insert(StageChange(id=change_id, tenant_id=uow.tenant_id, application_id=application_id,
                                         moved_at=utc_now(), **values))


async def stage_history(uow: UnitOfWork, application_id: UUID, *, after: tuple[datetime, UUID] | None = None,
                        limit: int | None = None) -> list[StageChangeRow]:
    """Oldest first (by when each move happened, then id)."""
    query = StageChange.select().where(
        (StageChange.tenant_id == uow.tenant_id) & (StageChange.application_id == application_id))
    if after is not None:
        query = query.where(rows_after(StageChange, StageChange.moved_at, after))
    query = query.order_by(StageChange.moved_at).order_by(StageChange.id)
    return [StageChangeRow(**row) for row in await (query.limit(limit) if limit else query)]


# -- competency models ---------------------------------------------------------------------------


class CompetencyModelRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    job_id: UUID
    name: str
    created_at: datetime


class ModelVersionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    model_id: UUID
    number: int
    effective_from: date
    competencies: list[CompetencyDefinition]
    overall_pass_threshold: str
    created_by: str
    created_at: datetime


_competencies = msgspec.json.Decoder(list[CompetencyDefinition])


async def competency_model(uow: UnitOfWork, job_id: UUID) -> CompetencyModelRow | None:
    row = await CompetencyModel.select().where(
        (CompetencyModel.tenant_id == uow.tenant_id) & (CompetencyModel.job_id == job_id)).first()
    return CompetencyModelRow(**row) if row else None


async def competency_model_by_id(uow: UnitOfWork, model_id: UUID) -> CompetencyModelRow | None:
    row = await CompetencyModel.select().where(
        (CompetencyModel.tenant_id == uow.tenant_id) & (CompetencyModel.id == model_id)).first()
    return CompetencyModelRow(**row) if row else None


async def insert_competency_model(uow: UnitOfWork, model_id: UUID, job_id: UUID, name: str) -> None:
    await CompetencyModel.insert(CompetencyModel(id=model_id, tenant_id=uow.tenant_id, job_id=job_id, name=name,
                                                 created_at=utc_now()))


async def model_versions(uow: UnitOfWork, model_id: UUID, *, after: int | None = None,
                         limit: int | None = None) -> list[ModelVersionRow]:
    query = CompetencyModelVersion.select().where(
        (CompetencyModelVersion.tenant_id == uow.tenant_id) & (CompetencyModelVersion.model_id == model_id))
    if after is not None:
        query = query.where(CompetencyModelVersion.number > after)
    query = query.order_by(CompetencyModelVersion.number)
    rows = await (query.limit(limit) if limit else query)
    return [ModelVersionRow(**{**row, "competencies": _competencies.decode(row["competencies"])}) for row in rows]


async def insert_model_version(uow: UnitOfWork, version_id: UUID, model_id: UUID, values: dict[str, Any]) -> None:
    await CompetencyModelVersion.insert(CompetencyModelVersion(
        id=version_id, tenant_id=uow.tenant_id, model_id=model_id, created_at=utc_now(),
        **{**values, "competencies": json.dumps(values["competencies"], ensure_ascii=False)}))
