"""Reading and verifying the tenant's audit chain."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from api.guards import Caller, requires
from api.http import Cursor, Limit
from domain.audit import service
from domain.audit.service import AuditEntryView, ChainReport
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

EntityFilter = Annotated[str | None, QueryParameter(max_length=100)]


class AuditController(Controller):
    path = "/v1/audit"
    tags = ["Audit"]

    @get("/entries", operation_id="listAuditEntries",
         opt=requires(Operation.AUDIT_READ), summary="The audit chain, oldest first")
    async def entries(
        self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
        entity_type: EntityFilter = None, entity_id: EntityFilter = None,
    ) -> Page[AuditEntryView]:
        return await service.list_entries(principal, cursor, limit, entity_type, entity_id)

    @get("/verify", operation_id="verifyAuditChain",
         opt=requires(Operation.AUDIT_READ), summary="Check every link of the chain")
    async def verify(self, principal: Caller) -> ChainReport:
        return await service.verify_chain(principal.tenant_id, principal.locale)

