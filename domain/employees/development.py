"""Training and performance reviews: what the feedback loop later relates to the interview."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.employees import queries
from domain.employees.model import ReviewRow
from domain.employees.references import require_module
from domain.employees.views import existing_employee
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.i18n import LocaleCode, read_locales, show_locales
from domain.kernel.ids import new_id
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_cursor, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.recruitment.model import ModelVersionView
from domain.recruitment.service import versions_of_model_in

Rating = Annotated[str, msgspec.Meta(pattern=r"^[1-5](\.\d)?$", description="1 to 5")]
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,64}$")]


class NewModule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A training module to add to your tenant's catalogue: a code not yet used, and its title by language (BCP 47
    tag)."""

    code: Code
    title: Annotated[dict[LocaleCode, Annotated[str, msgspec.Meta(min_length=1, max_length=200)]],
                     msgspec.Meta(min_length=1)]

    def __post_init__(self) -> None:
        read_locales(self, "title")


class ModuleView(msgspec.Struct, frozen=True):
    """A training module of your tenant's catalogue: its code and its title by language (BCP 47 tag)."""

    id: UUID
    code: str
    #: by language (BCP 47 tags, as every language on the wire)
    title: dict[str, str]

    def __post_init__(self) -> None:
        show_locales(self, "title")


class NewTrainingRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """That an employee was assigned a training module, or completed it on `completed_on` (today's date in UTC when a
    completion gives none)."""

    module_id: UUID
    status: Literal["assigned", "completed"]
    completed_on: date | None = None


class TrainingRecordView(msgspec.Struct, frozen=True):
    """An employee's record of one training module: `assigned` or `completed`, and the day it was completed."""

    id: UUID
    module_id: UUID
    status: str
    completed_on: date | None
    created_at: datetime


class NewReview(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A periodic review: a rating per competency of the employee's current model, and an overall rating."""

    period: Annotated[str, msgspec.Meta(pattern=r"^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$", description="2026, 2026-H2, ...")]
    ratings: Annotated[dict[Code, Rating], msgspec.Meta(max_length=50)]
    overall: Rating


class ReviewView(msgspec.Struct, frozen=True):
    """An employee's performance review of one period (`2026`, `2026-H2`, `2026-Q3`, `2026-07`): a rating from 1 to 5
    per competency of the competency model of their hire (in the version current when the review was given), the overall
    rating, the reviewer (their subject) and when it was given."""

    id: UUID
    employee_id: UUID
    period: str
    model_id: UUID | None
    model_version: int | None
    ratings: dict[str, str]
    overall: str
    reviewer: str
    created_at: datetime


class ModuleCodeTaken(Conflict):
    code = "training_module_code_taken"
    title = "Module already exists"
    template = "A training module with the code {code} already exists."


class ReviewAlreadyGiven(Conflict):
    code = "review_already_given"
    title = "Review already given"
    template = "This employee already has a review for {period}."


class NotInTheModel(InvalidInput):
    code = "rating_not_in_model"
    title = "Competency not in the model"
    template = "{competency} is not a competency of the employee's current model."


async def add_module(principal: Principal, request: NewModule) -> ModuleView:
    module_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.module_exists(uow, code=request.code):
            raise ModuleCodeTaken(code=request.code)
        await queries.insert_module(uow, module_id, request.code, dict(request.title))
        await record(uow, principal, "training.module_added", "training_module", module_id, after=request)
    return ModuleView(id=module_id, code=request.code, title=dict(request.title))


async def list_modules(principal: Principal, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> Page[ModuleView]:
    """The catalogue by code."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.modules(uow, after=decode_cursor(cursor), limit=limit + 1)
    return page_of([ModuleView(id=row.id, code=row.code, title=row.title) for row in rows], limit,
                   lambda module: module.code)


async def add_training_record(principal: Principal, employee_id: UUID,
                              request: NewTrainingRecord) -> TrainingRecordView:
    async with unit_of_work(principal.tenant_id) as uow:
        await existing_employee(uow, employee_id)
        await require_module(uow, request.module_id)
        completed_on = request.completed_on or (utc_now().date() if request.status == "completed" else None)
        record_id = await queries.insert_training_record(uow, employee_id, request.module_id, request.status,
                                                         completed_on)
        await record(uow, principal, "training.recorded", "employee", employee_id, after=request)
        rows = [r for r in await queries.training_records(uow, employee_id) if r.id == record_id]
    return msgspec.convert(rows[0], TrainingRecordView, from_attributes=True)


async def add_review(principal: Principal, employee_id: UUID, request: NewReview) -> ReviewView:
    async with unit_of_work(principal.tenant_id) as uow:
        await existing_employee(uow, employee_id)
        if await queries.review_exists(uow, employee_id, request.period):
            raise ReviewAlreadyGiven(period=request.period)
        employment = await queries.employment_as_of(uow, employee_id, utc_now().date())
        model_id = employment.model_id if employment else None
        version = await _current_version(uow, model_id) if model_id else None
        codes = {c.code for c in version.competencies} if version else set()
        for competency in request.ratings:
            if version and competency not in codes:
                raise NotInTheModel(competency=competency, field="ratings")
        review_id = await queries.insert_review(
            uow, employee_id, request.period, model_id, version.number if version else None, dict(request.ratings),
            request.overall, principal.subject)
        await record(uow, principal, "review.given", "employee", employee_id,
                     after={"review": review_id, "period": request.period, "overall": request.overall})
        rows = [r for r in await queries.reviews(uow, employee_id) if r.id == review_id]
    return _review_view(rows[0])


async def _current_version(uow: UnitOfWork, model_id: UUID) -> ModelVersionView | None:
    versions = await versions_of_model_in(uow, model_id)
    today = utc_now().date()
    current = [v for v in versions if v.effective_from <= today]
    return (current or versions or [None])[-1]


async def reviews_of(principal: Principal, employee_id: UUID, cursor: str | None = None,
                     limit: int = DEFAULT_LIMIT) -> Page[ReviewView]:
    """The employee's reviews in the order they were given."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await existing_employee(uow, employee_id)
        rows = await queries.reviews(uow, employee_id, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of([_review_view(row) for row in rows], limit, lambda review: str(review.id))


def _review_view(row: ReviewRow) -> ReviewView:
    return msgspec.convert(row, ReviewView, from_attributes=True)

