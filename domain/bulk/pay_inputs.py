"""The ``pay_inputs`` kind of import: payroll's ``PayInputChecker``, told which employees the rows' external ids name
(those an import of employees gave them, which only this context keeps)."""

from __future__ import annotations

from typing import Any

from domain.bulk import queries
from domain.bulk.model import ImportKind
from domain.kernel.db import UnitOfWork
from domain.kernel.principal import Principal
from domain.payroll.service import PayInputChecker


async def load_pay_input_checker(uow: UnitOfWork, principal: Principal, rows: list[dict[str, Any]]) -> PayInputChecker:
    named = sorted(
        {str(row["employee_external_id"]) for row in rows if isinstance(row.get("employee_external_id"), str | int)}
    )
    known = await queries.known_external_ids(uow, ImportKind.EMPLOYEES.value, named)
    return await PayInputChecker.loaded(uow, principal, rows, {name: k.entity_id for name, k in known.items()})
