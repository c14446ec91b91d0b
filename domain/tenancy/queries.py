from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.access_cache import announce_access_change
from domain.kernel.db import UnitOfWork, fetch, fetch_views, insert
from domain.kernel.i18n import locale_tag
from domain.kernel.time import utc_now
from domain.kernel.versioning import update_versioned
from domain.tenancy.model import LegalEntityView, NewLegalEntity, TenantAccess, TenantKind, TenantStatus, TenantView
from domain.tenancy.tables import LegalEntity, Tenant


def _tenant_view(row: dict[str, Any]) -> TenantView:
    return msgspec.convert({**row, "countries": json.loads(row["countries"]),
                            "default_locale": locale_tag(row["default_locale"])}, TenantView)


async def insert_tenant(uow: UnitOfWork, tenant_id: UUID, name: str, kind: TenantKind, countries: list[str],
                        timezone: str, default_locale: str) -> TenantView:
    uow.require_platform()
    now = utc_now()
    row = Tenant(
        id=tenant_id, name=name, kind=kind.value, status=TenantStatus.ACTIVE.value, default_locale=default_locale,
        timezone=timezone, countries=json.dumps(countries), version=1, created_at=now, updated_at=now,
    )
    await Tenant.insert(row)
    return _tenant_view(row.to_dict())


async def all_tenants(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[TenantView]:
    uow.require_platform()
    query = Tenant.select()
    if after:
        query = query.where(Tenant.id > after)
    return [_tenant_view(r) for r in await query.order_by(Tenant.id).limit(limit)]


async def tenant_by_id(uow: UnitOfWork, tenant_id: UUID) -> TenantView | None:
    uow.require_platform()
    row = await Tenant.select().where(Tenant.id == tenant_id).first()
    return _tenant_view(row) if row else None


async def tenants_by_kind(uow: UnitOfWork, kind: TenantKind) -> list[TenantView]:
    uow.require_platform()
    return [_tenant_view(r) for r in await Tenant.select().where(Tenant.kind == kind.value).order_by(Tenant.id)]


async def set_tenant_status(uow: UnitOfWork, tenant_id: UUID, status: TenantStatus) -> None:
    uow.require_platform()
    await Tenant.update({Tenant.status: status.value, Tenant.updated_at: utc_now(),
                         Tenant.version: Tenant.version + 1}).where(Tenant.id == tenant_id)
    await announce_access_change(uow, tenant_id)  # a suspended tenant's tokens stop working at once


async def own_tenant(uow: UnitOfWork) -> TenantView | None:
    row = await Tenant.select().where(Tenant.id == uow.tenant_id).first()
    return _tenant_view(row) if row else None


async def update_own_tenant(uow: UnitOfWork, expected_version: int, values: dict[str, object]) -> None:
    if "countries" in values:
        values = {**values, "countries": json.dumps(values["countries"])}
    await update_versioned(uow, Tenant, uow.tenant_id, expected_version, values, "tenant")


async def insert_legal_entity(uow: UnitOfWork, entity_id: UUID, entity: NewLegalEntity) -> LegalEntityView:
    now = utc_now()
    view = LegalEntityView(id=entity_id, name=entity.name, country=entity.country, region=entity.region,
                           currency=entity.currency, timezone=entity.timezone, version=1, created_at=now,
                           updated_at=now)
    await insert(uow, "legal_entities", {"tenant_id": uow.tenant_id, **msgspec.structs.asdict(view)})
    return view


#: The view's fields as a select list, in its order: each row becomes a view positionally.
_ENTITY_LIST = ", ".join(f'"{name}"' for name in LegalEntityView.__struct_fields__)
_ONE_ENTITY = f'SELECT {_ENTITY_LIST} FROM "legal_entities" WHERE "tenant_id" = {{}} AND "id" = {{}}'  # noqa: S608


async def legal_entity(uow: UnitOfWork, entity_id: UUID) -> LegalEntityView | None:
    views = await fetch_views(uow, LegalEntityView, _ONE_ENTITY, uow.tenant_id, entity_id)
    return views[0] if views else None


async def legal_entities(uow: UnitOfWork, *, after: UUID | None, limit: int,
                         country: str | None = None) -> list[LegalEntityView]:
    """A page of the tenant's legal entities in id order: one prepared statement per shape of the filter, its rows
    read into views directly (the list is the API's most read page)."""
    conditions, args = ['"tenant_id" = {}'], [uow.tenant_id]
    if after:
        conditions.append('"id" > {}')
        args.append(after)
    if country:
        conditions.append('"country" = {}')
        args.append(country)
    statement = (f'SELECT {_ENTITY_LIST} FROM "legal_entities" WHERE {" AND ".join(conditions)} '  # noqa: S608
                 'ORDER BY "id" LIMIT {}')  # names are the code's own; every value is a parameter
    return await fetch_views(uow, LegalEntityView, statement, *args, limit)


async def legal_entity_name_taken(uow: UnitOfWork, name: str, except_id: UUID | None = None) -> bool:
    if except_id:
        return bool(await fetch(uow, _NAME_TAKEN_BY_ANOTHER, uow.tenant_id, name, except_id))
    return bool(await fetch(uow, _NAME_TAKEN, uow.tenant_id, name))


_NAME_TAKEN = 'SELECT 1 FROM "legal_entities" WHERE "tenant_id" = {} AND "name" = {} LIMIT 1'
_NAME_TAKEN_BY_ANOTHER = ('SELECT 1 FROM "legal_entities" WHERE "tenant_id" = {} AND "name" = {} AND "id" <> {} '
                          'LIMIT 1')


async def update_legal_entity(uow: UnitOfWork, entity_id: UUID, expected_version: int,
                              values: dict[str, object]) -> None:
    await update_versioned(uow, LegalEntity, entity_id, expected_version, values, "legal entity")


async def delete_legal_entity(uow: UnitOfWork, entity_id: UUID) -> None:
    await LegalEntity.delete().where((LegalEntity.tenant_id == uow.tenant_id) & (LegalEntity.id == entity_id))


async def tenant_access(uow: UnitOfWork) -> TenantAccess | None:
    """The tenant's kind and status, read on every authenticated request."""
    row = await Tenant.select(Tenant.status, Tenant.kind).where(Tenant.id == uow.tenant_id).first()
    return TenantAccess(status=TenantStatus(row["status"]), kind=TenantKind(row["kind"])) if row else None
