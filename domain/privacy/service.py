"""Retention policy use cases: read the periods in force for the tenant's countries, and change one within the
law's bounds (audited). Purge, erasure and access requests read these periods; they come later."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from compliance.retention import CountryRule, DataClass, Trigger, rule_for, rules_for, schedule
from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import StaleVersion
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, page_of_sorted
from domain.kernel.places import is_country
from domain.kernel.principal import Principal
from domain.kernel.time import to_local, utc_now
from domain.privacy import queries
from domain.privacy.model import (
    CountryFilterInvalid,
    CountryNotFound,
    RetentionPolicyChange,
    RetentionPolicyView,
    RetentionRuleNotFound,
    policy_view,
    require_within_law,
)
from domain.tenancy.service import legal_entities_in

AUDIT_ENTITY = "retention_policy"


def _today(principal: Principal) -> date:
    return to_local(utc_now(), principal.timezone).date()


def _rule(country: str, data_class: DataClass, trigger: Trigger, on: date) -> CountryRule:
    if not is_country(country):
        raise CountryNotFound(countries=country)
    found = rule_for(country, data_class, trigger, on)
    if found is None:
        raise RetentionRuleNotFound(data_class=data_class.value, trigger=trigger.value)
    return found


async def list_policies(principal: Principal, cursor: str | None, limit: int,
                        country: str | None = None) -> Page[RetentionPolicyView]:
    """The policy of every scheduled rule in each country the tenant's legal entities are in (and any country it
    set a period for), or in the one country asked for."""
    if country and not is_country(country):
        raise CountryFilterInvalid(countries=country, field="country")
    on = _today(principal)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        stored = await queries.overrides(uow, country)
        countries = [country] if country else await _countries_of(uow, {key[0] for key in stored})
    order = {pair: f"{index:03d}" for index, pair in enumerate(schedule(on))}
    views = [_view(rule, stored.get(_key(rule))) for each in countries for rule in rules_for(each, on)]
    return page_of_sorted(views, limit, cursor, lambda v: (v.country, order[(v.data_class, v.trigger)]))


async def get_policy(principal: Principal, country: str, data_class: DataClass,
                     trigger: Trigger) -> RetentionPolicyView:
    rule = _rule(country, data_class, trigger, _today(principal))
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        stored = await queries.override_of(uow, _key(rule))
    return _view(rule, stored)


async def set_policy(principal: Principal, country: str, data_class: DataClass, trigger: Trigger,
                     change: RetentionPolicyChange, expected_version: int) -> RetentionPolicyView:
    """Lengthen or shorten one rule's period within the law's bounds, or go back to the default (null)."""
    rule = _rule(country, data_class, trigger, _today(principal))
    if change.period_months is not None:
        require_within_law(rule, change.period_months)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.override_of(uow, _key(rule))
        await _save(uow, before, rule, change, expected_version, principal.subject)
        after = await queries.override_of(uow, _key(rule))
        was, now = _view(rule, before), _view(rule, after)
        # The policy's own key, not the row's id: the history of one rule reads as one entity.
        await record(uow, principal, "retention_policy.changed", AUDIT_ENTITY, "/".join(map(str, _key(rule))),
                     before=_audited(was), after={**_audited(now), "reason": change.reason})
    return now


async def _save(uow: UnitOfWork, before: queries.StoredOverride | None, rule: CountryRule,
                change: RetentionPolicyChange, expected_version: int, subject: str) -> None:
    if before is None:
        if expected_version != 0:  # the default was read as v0; anything else names a version that never was
            raise StaleVersion(resource="retention policy")
        await queries.insert_override(uow, new_id(), _key(rule), change.period_months, change.reason, subject)
        return
    await queries.update_override(uow, before.id, expected_version, change.period_months, change.reason, subject)


async def _countries_of(uow: UnitOfWork, with_overrides: set[str]) -> list[str]:
    entities = await legal_entities_in(uow)
    return sorted({entity.country for entity in entities} | with_overrides)


def _key(rule: CountryRule) -> queries.RuleKey:
    return rule.country, rule.data_class, rule.trigger


def _view(rule: CountryRule, stored: queries.StoredOverride | None) -> RetentionPolicyView:
    """The policy with the tenant's row, if any; a rule the tenant never set is at version 0."""
    return policy_view(rule, stored.view if stored else None, stored.version if stored else 0)


def _audited(view: RetentionPolicyView) -> dict[str, object]:
    return {"country": view.country, "data_class": view.data_class, "trigger": view.trigger,
            "period_months": view.period_months, "source": view.source}


async def restricted_people_in(uow: UnitOfWork, person_kind: str, person_ids: list[UUID]) -> set[UUID]:
    """Those of ``person_ids`` (``candidate`` or ``employee``) whose processing is restricted by an approved
    data-subject restriction request that no reviewer has lifted: no automated step may use their data."""
    return await queries.restricted_people(uow, person_kind, person_ids)
