"""Every read and write of data-subject requests, each scoped to the unit of work's tenant."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.subject_requests.tables import DataSubjectRequest as Table


@dataclass(frozen=True)
class RequestRow:
    id: UUID
    kind: str
    person_kind: str
    person_id: UUID
    country: str
    received_on: date
    due_on: date
    due_basis: str
    law_version: str
    status: str
    opened_by: str
    self_service: bool
    details: dict[str, Any]
    reviewer: str | None
    decided_by: str | None
    decided_at: datetime | None
    refusal_reason: str | None
    outcome: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime


def _row(raw: dict[str, Any]) -> RequestRow:
    values = {name: raw[name] for name in RequestRow.__dataclass_fields__}
    values["details"] = json.loads(raw["details"]) if raw["details"] else {}
    values["outcome"] = json.loads(raw["outcome"]) if raw["outcome"] else None
    values["self_service"] = bool(raw["self_service"])
    return RequestRow(**values)


def _own(uow: UnitOfWork) -> Any:
    return Table.tenant_id == uow.tenant_id


async def insert_request(uow: UnitOfWork, request_id: UUID, *, kind: str, person_kind: str, person_id: UUID,
                         country: str, received_on: date, due_on: date, due_basis: str, law_version: str,
                         opened_by: str, self_service: bool, details: dict[str, Any]) -> None:
    now = utc_now()
    await Table.insert(Table(
        id=request_id, tenant_id=uow.tenant_id, kind=kind, person_kind=person_kind, person_id=person_id,
        country=country, received_on=received_on, due_on=due_on, due_basis=due_basis, law_version=law_version,
        status="open", opened_by=opened_by, self_service=self_service, details=json.dumps(details), version=1,
        created_at=now, updated_at=now))


async def request(uow: UnitOfWork, request_id: UUID, person: tuple[str, UUID] | None = None) -> RequestRow | None:
    """The request, or None; with ``person``, only if it is that person's."""
    query = Table.select().where(_own(uow) & (Table.id == request_id))
    if person is not None:
        query = query.where((Table.person_kind == person[0]) & (Table.person_id == person[1]))
    raw = await query.first()
    return _row(raw) if raw else None


async def requests(uow: UnitOfWork, *, after: UUID | None, limit: int, status: str | None = None,
                   kind: str | None = None, due_before: date | None = None,
                   person: tuple[str, UUID] | None = None) -> list[RequestRow]:
    query = Table.select().where(_own(uow))
    if after is not None:
        query = query.where(Table.id > after)
    if status is not None:
        query = query.where(Table.status == status)
    if kind is not None:
        query = query.where(Table.kind == kind)
    if due_before is not None:
        query = query.where(Table.due_on < due_before)
    if person is not None:
        query = query.where((Table.person_kind == person[0]) & (Table.person_id == person[1]))
    return [_row(raw) for raw in await query.order_by(Table.id).limit(limit)]


async def update_request(uow: UnitOfWork, request_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    stored = {name: json.dumps(value) if name == "outcome" and value is not None else value
              for name, value in values.items()}
    await update_versioned(uow, Table, request_id, expected_version, stored, "data-subject request")


async def restricted_people(uow: UnitOfWork, person_kind: str, person_ids: list[UUID]) -> set[UUID]:
    """Those of ``person_ids`` with a completed restriction request."""
    if not person_ids:
        return set()
    rows = await Table.select(Table.person_id).where(
        _own(uow) & (Table.kind == "restriction") & (Table.status == "completed")
        & (Table.person_kind == person_kind) & Table.person_id.is_in(person_ids))
    return {row["person_id"] for row in rows}


#: An active legal hold on the person, or (for a candidate) on one of their applications: the purge's own reading of
#: ``legal_hold_subjects`` (domain.privacy, m0029), which offers no lookup by person; read here, never written.
_HELD = {
    "candidate": (
        "SELECT 1 AS held FROM legal_hold_subjects h WHERE h.tenant_id = {} AND h.active AND "
        "((h.subject_kind = 'candidate' AND h.subject_id = {}) OR (h.subject_kind = 'application' AND h.subject_id "
        "IN (SELECT a.id FROM applications a WHERE a.tenant_id = h.tenant_id AND a.candidate_id = {}))) LIMIT 1"),
    "employee": (
        "SELECT 1 AS held FROM legal_hold_subjects h WHERE h.tenant_id = {} AND h.active AND "
        "h.subject_kind = 'employee' AND h.subject_id = {} LIMIT 1"),
}


async def under_legal_hold(uow: UnitOfWork, person_kind: str, person_id: UUID) -> bool:
    sql = _HELD[person_kind]
    params = [uow.tenant_id, person_id] + ([person_id] if person_kind == "candidate" else [])
    return bool(await Table.raw(sql, *params))
