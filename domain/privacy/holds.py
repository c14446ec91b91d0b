"""Legal holds: a person (a candidate or an employee) or a case (an application, or a free case reference with the
persons it concerns) that the retention purge must not touch, for litigation, an inquiry or an audit. Placing and
releasing a hold are audited; releasing needs a reason; a released hold stays, with who released it and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, current_database, unit_of_work
from domain.kernel.errors import Conflict, NotFound, UnknownReference
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.privacy.model import Reason
from domain.privacy.tables import LegalHold, LegalHoldSubject

AUDIT_ENTITY = "legal_hold"
CaseReference = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$",
                                             description="Your own reference of the case (a court file, an inquiry); "
                                                         "no personal names")]


class HoldKind(StrEnum):
    """What a hold is on: `person` (one candidate or employee) or `case` (an application, or a case reference with
    the persons it concerns)."""

    PERSON = "person"
    CASE = "case"


class PersonKind(StrEnum):
    """A person Meridian holds data about: a `candidate` or an `employee`."""

    CANDIDATE = "candidate"
    EMPLOYEE = "employee"


class PersonRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A candidate or an employee, by id."""

    kind: PersonKind
    id: UUID


class NewLegalHold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A hold to place. `kind` `person` names one `person`; `kind` `case` names an `application_id`, or a
    `case_reference` with the `persons` it concerns (up to 100), or both. `reason` is kept in the audit trail."""

    kind: HoldKind
    reason: Reason
    person: PersonRef | None = None
    case_reference: CaseReference | None = None
    application_id: UUID | None = None
    persons: Annotated[list[PersonRef], msgspec.Meta(max_length=100)] = []

    def __post_init__(self) -> None:
        if self.kind is HoldKind.PERSON:
            if self.person is None:
                raise ValueError("a hold on a person names the `person`")
            if self.case_reference is not None or self.application_id is not None or self.persons:
                raise ValueError("a hold on a person names only the `person`; use kind `case` for a case")
        else:
            if self.person is not None:
                raise ValueError("a hold on a case names its `persons`, not a `person`")
            if self.application_id is None and self.case_reference is None:
                raise ValueError("a hold on a case names an `application_id` or a `case_reference`")
            if self.application_id is None and not self.persons:
                raise ValueError("a case reference without an application names the `persons` it concerns")


class HoldRelease(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the hold ends (kept in the audit trail)."""

    reason: Reason


class LegalHoldView(msgspec.Struct, frozen=True):
    """A legal hold: what it is on (`person`, or for a case the `application_id`, `case_reference` and `persons`),
    why, who placed it and when, and whether it is still `active`; a released hold says who released it, when and
    why. While active, the retention purge skips everything it covers (a held application's candidate too) and
    counts it as held."""

    id: UUID
    kind: HoldKind
    person: PersonRef | None
    case_reference: str | None
    application_id: UUID | None
    persons: list[PersonRef]
    reason: str
    created_by: str
    created_at: datetime
    active: bool
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None
    version: int


class LegalHoldNotFound(NotFound):
    code = "legal_hold_not_found"
    template = "There is no legal hold with this id."


class LegalHoldReleased(Conflict):
    code = "legal_hold_already_released"
    title = "Already released"
    template = "This legal hold was already released."


#: The tables of what a hold can name. Privacy sits below the contexts that own them, so it reads them by name.
_TABLES = {"candidate": "candidates", "employee": "employees", "application": "applications"}


async def _require_exists(uow: UnitOfWork, kind: str, subject_id: UUID, field: str) -> None:
    """In the caller's tenant only: another tenant's id answers like a random one."""
    found = await current_database().execute(
        f"SELECT 1 AS found FROM {_TABLES[kind]} WHERE tenant_id = {{}} AND id = {{}}",  # noqa: S608 - fixed names
        uow.tenant_id, subject_id)
    if not found:
        raise UnknownReference(field=field, resource=kind)


def _subjects(request: NewLegalHold) -> list[tuple[str, UUID, str]]:
    """(subject kind, id, the body field that named it)."""
    if request.person is not None:
        return [(request.person.kind.value, request.person.id, "person.id")]
    found = [("application", request.application_id, "application_id")] if request.application_id else []
    found += [(p.kind.value, p.id, f"persons[{i}].id") for i, p in enumerate(request.persons)]
    unique: dict[tuple[str, UUID], str] = {}
    for kind, subject_id, field in found:
        unique.setdefault((kind, subject_id), field)
    return [(kind, subject_id, field) for (kind, subject_id), field in unique.items()]


async def place_hold(principal: Principal, request: NewLegalHold) -> LegalHoldView:
    async with unit_of_work(principal.tenant_id) as uow:
        subjects = _subjects(request)
        for kind, subject_id, field in subjects:
            await _require_exists(uow, kind, subject_id, field)
        hold_id, now = new_id(), utc_now()
        await LegalHold.insert(LegalHold(
            id=hold_id, tenant_id=uow.tenant_id, kind=request.kind.value, case_reference=request.case_reference,
            reason=request.reason, created_by=principal.subject, created_at=now, version=1))
        await LegalHoldSubject.insert(*[LegalHoldSubject(
            id=new_id(), tenant_id=uow.tenant_id, hold_id=hold_id, subject_kind=kind, subject_id=subject_id,
            active=True) for kind, subject_id, _ in subjects])
        await record(uow, principal, "legal_hold.placed", AUDIT_ENTITY, hold_id, after={
            "kind": request.kind, "case_reference": request.case_reference, "reason": request.reason,
            "subjects": [{"kind": kind, "id": subject_id} for kind, subject_id, _ in subjects]})
        return await _view(uow, hold_id)


async def release_hold(principal: Principal, hold_id: UUID, release: HoldRelease) -> LegalHoldView:
    async with unit_of_work(principal.tenant_id) as uow:
        held = await _view(uow, hold_id)
        if not held.active:
            raise LegalHoldReleased()
        await LegalHold.update({LegalHold.released_at: utc_now(), LegalHold.released_by: principal.subject,
                                LegalHold.release_reason: release.reason, LegalHold.version: held.version + 1}).where(
            (LegalHold.tenant_id == uow.tenant_id) & (LegalHold.id == hold_id))
        await LegalHoldSubject.update({LegalHoldSubject.active: False}).where(
            (LegalHoldSubject.tenant_id == uow.tenant_id) & (LegalHoldSubject.hold_id == hold_id))
        await record(uow, principal, "legal_hold.released", AUDIT_ENTITY, hold_id, before={"active": True},
                     after={"active": False, "reason": release.reason})
        return await _view(uow, hold_id)


async def get_hold(principal: Principal, hold_id: UUID) -> LegalHoldView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _view(uow, hold_id)


async def list_holds(principal: Principal, cursor: str | None, limit: int,
                     active: bool | None = None) -> Page[LegalHoldView]:
    """Holds in the order placed (by id within the same instant), active or released ones only when asked."""
    after = decode_uuid_cursor(cursor)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        query = LegalHold.select().where(LegalHold.tenant_id == uow.tenant_id)
        if after is not None:
            query = query.where(LegalHold.id > after)
        if active is not None:
            query = query.where(LegalHold.released_at.is_null() if active else LegalHold.released_at.is_not_null())
        rows = await query.order_by(LegalHold.id).limit(limit + 1)
        subjects = await _subjects_of(uow, [row["id"] for row in rows])
    return page_of([_view_of(row, subjects.get(row["id"], [])) for row in rows], limit, lambda h: str(h.id))


async def _subjects_of(uow: UnitOfWork, hold_ids: list[UUID]) -> dict[UUID, list[tuple[str, UUID]]]:
    if not hold_ids:
        return {}
    rows = await LegalHoldSubject.select(LegalHoldSubject.hold_id, LegalHoldSubject.subject_kind,
                                         LegalHoldSubject.subject_id).where(
        (LegalHoldSubject.tenant_id == uow.tenant_id) & LegalHoldSubject.hold_id.is_in(hold_ids)).order_by(
        LegalHoldSubject.id)
    found: dict[UUID, list[tuple[str, UUID]]] = {}
    for row in rows:
        found.setdefault(row["hold_id"], []).append((row["subject_kind"], row["subject_id"]))
    return found


async def _view(uow: UnitOfWork, hold_id: UUID) -> LegalHoldView:
    row = await LegalHold.select().where((LegalHold.tenant_id == uow.tenant_id) & (LegalHold.id == hold_id)).first()
    if row is None:
        raise LegalHoldNotFound()
    return _view_of(row, (await _subjects_of(uow, [hold_id])).get(hold_id, []))


def _view_of(row: dict[str, Any], subjects: list[tuple[str, UUID]]) -> LegalHoldView:
    kind = HoldKind(row["kind"])
    persons = sorted((PersonRef(kind=PersonKind(k), id=i) for k, i in subjects if k != "application"),
                     key=lambda p: (p.kind.value, str(p.id)))
    application = next((i for k, i in subjects if k == "application"), None)
    return LegalHoldView(
        id=row["id"], kind=kind, person=persons[0] if kind is HoldKind.PERSON and persons else None,
        case_reference=row["case_reference"], application_id=application,
        persons=[] if kind is HoldKind.PERSON else persons, reason=row["reason"], created_by=row["created_by"],
        created_at=row["created_at"], active=row["released_at"] is None, released_at=row["released_at"],
        released_by=row["released_by"], release_reason=row["release_reason"], version=row["version"])
