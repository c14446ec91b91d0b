"""Ids a request body names (a manager, a training module), looked up in the caller's tenant before use.

The lookups filter by the unit of work's tenant, so another tenant's id answers byte for byte like a random one,
and the composite foreign keys behind them never see a reference that would cross tenants."""

from __future__ import annotations

from uuid import UUID

from domain.employees import queries
from domain.kernel.db import UnitOfWork
from domain.kernel.errors import InvalidInput, UnknownReference


class ManagerUnknown(UnknownReference):
    code = "manager_not_found"
    template = "There is no employee with this id to be the manager."


class OwnManager(InvalidInput):
    code = "manager_is_the_employee"
    title = "An employee cannot manage themselves"
    template = "An employee cannot be their own manager."


class ModuleNotFound(UnknownReference):
    code = "training_module_not_found"
    template = "There is no training module with this id."


async def require_manager(uow: UnitOfWork, manager_id: UUID | None, *, of: UUID | None = None) -> None:
    if manager_id is None:
        return
    if manager_id == of:
        raise OwnManager(field="manager_id")
    if await queries.employee(uow, manager_id) is None:
        raise ManagerUnknown(field="manager_id")


async def require_module(uow: UnitOfWork, module_id: UUID | None) -> None:
    if module_id is not None and not await queries.module_exists(uow, module_id=module_id):
        raise ModuleNotFound(field="module_id")
