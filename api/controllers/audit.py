"""Reading and verifying the tenant's audit chain."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from api.guards import caller, requires
from api.http import Cursor, Limit
from domain.audit import service
from domain.audit.service import AuditEntryView, ChainReport
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

EntityFilter = Annotated[str | None, QueryParameter(max_length=100)]


class AuditController(Controller):
    path = "/v1/audit"
    tags = ["Audit"]

    @get("/entries", opt=requires(Operation.AUDIT_READ), summary="The audit chain, oldest first")
    async def entries(
        self, request: Request[Any, Any, Any], limit: Limit = 50, cursor: Cursor = None,
        entity_type: EntityFilter = None, entity_id: EntityFilter = None,
    ) -> Page[AuditEntryView]:
        return await service.list_entries(caller(request), cursor, limit, entity_type, entity_id)

    @get("/verify", opt=requires(Operation.AUDIT_READ), summary="Check every link of the chain")
    async def verify(self, request: Request[Any, Any, Any]) -> ChainReport:
        return await service.verify_chain(caller(request).tenant_id)

