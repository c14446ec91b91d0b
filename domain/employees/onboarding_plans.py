"""Onboarding use cases: the tenant's rules and standard items a hire's plan is made from, and the
plan's items as the people who own them work through them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from compliance.numbers import require_sane_decimals
from domain.assessments.model import CompetencyCode, require_decimal
from domain.audit.service import record
from domain.employees import queries
from domain.employees.onboarding import (
    HUNDRED,
    DueInWorkingDays,
    OnboardingRule,
    OwnerRole,
    PlanItem,
    StandardItem,
    Title,
)
from domain.employees.references import require_module
from domain.employees.views import existing_employee
from domain.kernel.db import unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.i18n import locale_tags, read_locales
from domain.kernel.ids import new_id
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_keyed_cursor, keyed_position, page_of
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in
from domain.webhooks import service as webhooks


class NewOnboardingRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Evaluation results below ``below`` on ``competency`` add ``item`` to a new hire's plan. Changing
    rules later never rewrites plans already made."""

    competency: CompetencyCode
    below: Annotated[Decimal, msgspec.Meta(
        description="The rule applies when the normalised score (0-100) is strictly below this.")]
    item: Title
    owner_role: OwnerRole
    due_in_working_days: DueInWorkingDays
    module_id: UUID | None = None

    def __post_init__(self) -> None:
        read_locales(self, "item")
        # The same checks the stored OnboardingRule makes, here so that a bad value is a 400 at the edge.
        require_sane_decimals(self)
        require_decimal(self.below, "below", low=Decimal(0), high=HUNDRED)


class NewStandardItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An onboarding item every new hire of a legal entity gets, whatever their evaluation: its title by language, who
    completes it (a role code), how many working days after the start date it is due and, optionally, the training
    module it assigns. Plans made from then on include it."""

    legal_entity_id: UUID
    title: Title
    owner_role: OwnerRole
    due_in_working_days: DueInWorkingDays
    module_id: UUID | None = None

    def __post_init__(self) -> None:
        read_locales(self, "title")


OnboardingStatus = Literal["open", "in_progress", "done", "skipped"]


class OnboardingItemView(msgspec.Struct, frozen=True):
    """An item of an employee's onboarding plan: its due date (a calendar date where the employee works), its status
    (`open`, `in_progress`, `done` or `skipped`) and the item as generated at hire, a snapshot that later rule changes
    do not touch. Its ETag is `"v<version>"`; send it in If-Match to change the status."""

    id: UUID
    due_date: date
    status: str
    item: PlanItem
    version: int = 1

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "item", msgspec.structs.replace(
            self.item, title=locale_tags(self.item.title)))


class OnboardingItemUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new status for an onboarding item: `open`, `in_progress`, `done` or `skipped`. Sent with If-Match."""

    status: Annotated[str, msgspec.Meta(pattern=r"^(open|in_progress|done|skipped)$")]


class OnboardingItemNotFound(NotFound):
    code = "onboarding_item_not_found"
    template = "There is no onboarding item with this id."


async def add_onboarding_rule(principal: Principal, request: NewOnboardingRule) -> OnboardingRule:
    rule_id = new_id()
    definition = msgspec.to_builtins(request)
    rule = msgspec.convert({**definition, "id": rule_id}, OnboardingRule)  # validated as the plan will read it
    async with unit_of_work(principal.tenant_id) as uow:
        await require_module(uow, request.module_id)
        await queries.insert_rule(uow, rule_id, request, principal.subject)
        await record(uow, principal, "onboarding.rule_added", "onboarding_rule", rule_id, after=definition)
    return msgspec.structs.replace(rule, item=locale_tags(rule.item))


async def add_standard_item(principal: Principal, request: NewStandardItem) -> StandardItem:
    definition = {k: v for k, v in msgspec.to_builtins(request).items() if k != "legal_entity_id"}
    item = msgspec.convert(definition, StandardItem)
    async with unit_of_work(principal.tenant_id) as uow:
        if await legal_entity_in(uow, request.legal_entity_id) is None:
            raise LegalEntityNotFound(field="legal_entity_id")
        await require_module(uow, request.module_id)
        await queries.insert_standard_item(uow, request.legal_entity_id, item)
        await record(uow, principal, "onboarding.standard_item_added", "legal_entity", request.legal_entity_id,
                     after=definition)
    return msgspec.structs.replace(item, title=locale_tags(item.title))


async def onboarding_plan(principal: Principal, employee_id: UUID, cursor: str | None = None,
                          limit: int = DEFAULT_LIMIT, status: OnboardingStatus | None = None
                          ) -> Page[OnboardingItemView]:
    """The plan's items by due date (then as created)."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await existing_employee(uow, employee_id)
        rows = await queries.onboarding_items(uow, employee_id, after=decode_keyed_cursor(cursor, date.fromisoformat),
                                              limit=limit + 1, status=status)
    return page_of([_item_view(row) for row in rows], limit,
                   lambda item: keyed_position(item.due_date.isoformat(), item.id))


async def update_onboarding_item(principal: Principal, employee_id: UUID, item_id: UUID,
                                 update: OnboardingItemUpdate, expected_version: int) -> OnboardingItemView:
    async with unit_of_work(principal.tenant_id) as uow:
        before = _item(await queries.onboarding_items(uow, employee_id), item_id)
        await queries.set_onboarding_status(uow, item_id, expected_version, update.status)
        await record(uow, principal, "onboarding.item_updated", "employee", employee_id,
                     before={"item": item_id, "status": before.status}, after={"status": update.status})
        return _item_view(_item(await queries.onboarding_items(uow, employee_id), item_id))


def _item(rows: list[queries.OnboardingItemRow], item_id: UUID) -> queries.OnboardingItemRow:
    found = next((row for row in rows if row.id == item_id), None)
    if found is None:
        raise OnboardingItemNotFound()
    return found


def _item_view(row: queries.OnboardingItemRow) -> OnboardingItemView:
    return OnboardingItemView(id=row.id, due_date=row.due_date, status=row.status, item=row.plan_item,
                              version=row.version)


#: An item that fell due while no pass ran (the server was down) is still announced within this many days.
DUE_LOOKBACK_DAYS = 7


def _local_today(now: datetime, timezone: str | None) -> date:
    """The date it is now where the employee works (UTC for a zone this machine does not know)."""
    try:
        return now.astimezone(ZoneInfo(timezone or "UTC")).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(UTC).date()


async def publish_due_onboarding_items(tenant_id: UUID, now: datetime | None = None) -> int:
    """Publish ``onboarding.item_due`` once per open item whose due date has come in the employee's own time zone
    (the periodic pass): an item due on the 2nd is announced when the 2nd begins where the employee works, not when
    it begins in UTC, up to 14 hours earlier or 12 later. How many were published."""
    now = now or utc_now()
    utc_today = now.astimezone(UTC).date()
    published = 0
    async with unit_of_work(tenant_id) as uow:
        # Every zone's today lies within a day of UTC's: read that window, then keep what is due where each works.
        candidates = await queries.due_onboarding_items(
            uow, utc_today - timedelta(days=DUE_LOOKBACK_DAYS + 1), utc_today + timedelta(days=1))
        zones = await queries.employee_timezones(uow, {item["employee_id"] for item in candidates})
        for item in candidates:
            today = _local_today(now, zones.get(item["employee_id"]))
            if not today - timedelta(days=DUE_LOOKBACK_DAYS) <= item["due_date"] <= today:
                continue
            published += await webhooks.publish(
                uow, webhooks.EventType.ONBOARDING_ITEM_DUE, "onboarding_item", item["id"],
                {"employee_id": str(item["employee_id"]), "due_date": item["due_date"].isoformat()},
                once_key=f"onboarding.item_due:{item['id']}")
    return published
