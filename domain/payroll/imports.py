"""Pay inputs arriving in bulk (``POST /v1/imports`` of kind ``pay_inputs``), checked by the rules ``add_input``
applies to one input, and written through the same path (``enter_inputs``).

A row names its pay run by ``run_id`` (as ``POST /v1/pay-runs/{run_id}/inputs`` does) and its employee by exactly one
of ``employee_id``, ``employee_number`` (the tenant's own number) or ``employee_external_id`` (the external id an
import of employees gave them); the rest is a ``NewPayInput``: ``kind``, ``amount`` (a decimal string, never a float)
and an optional ``note``. Each row is checked as one input is: the ``NewPayInput`` shape, the most one input may say
(``require_in_range``), a run of the caller's tenant that still takes inputs (``changeable``), and an employee employed
at the run's legal entity by the end of its period (``employed_in_run``). Every lookup runs in the caller's tenant, so
another tenant's run or employee answers exactly like a random one.

Writing goes through ``enter_inputs`` a run at a time: the run is locked, a calculated run goes back to draft with its
approvals void, and each input is audited as ``pay_run.input_added``, as when entered one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.employees import read_model as employees
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import DomainError, InvalidInput, UnknownReference
from domain.kernel.import_rows import RowRefused, converted, problems_of, row_digest
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.model import NewPayInput, PayInputView, RunFilter
from domain.payroll.preparation import (
    EmployeeNotInRun,
    changeable,
    employed_in_run,
    enter_inputs,
    require_in_range,
)
from domain.payroll.runs import PayRunNotFound, load_run

#: The ways a row may name its employee; exactly one of them.
EMPLOYEE_REFERENCES = ("employee_id", "employee_number", "employee_external_id")


class PayInputEmployeeReference(InvalidInput):
    code = "pay_input_employee_reference"
    title = "Employee not named"
    template = "Name the employee by exactly one of employee_id, employee_number or employee_external_id."


class PayInputEmployeeUnknown(UnknownReference):
    code = "pay_input_employee_unknown"
    title = "Unknown employee"
    template = "No employee has this {reference}."


@dataclass(frozen=True)
class CheckedPayInput:
    line: int
    external_id: str
    digest: str
    run_id: UUID
    request: NewPayInput


@dataclass
class PayInputChecker:
    """Checks the rows of one import; the runs, employee numbers and employments they name are read once."""

    runs: dict[UUID, queries.PayRunRow]
    #: a run's own refusal of new inputs (finalised...), by run
    refusals: dict[UUID, DomainError]
    numbers: dict[str, UUID]
    external_ids: dict[str, UUID]
    #: who may have inputs in each run, among the employees the rows name
    employed: dict[UUID, set[UUID]] = field(default_factory=dict)

    @classmethod
    async def loaded(
        cls, uow: UnitOfWork, principal: Principal, rows: list[dict[str, Any]], employee_external_ids: dict[str, UUID]
    ) -> PayInputChecker:
        """``employee_external_ids``: the employees imported under the external ids the rows name."""
        run_ids = sorted({run_id for row in rows if (run_id := _uuid(row.get("run_id"))) is not None})
        numbers = sorted(
            {str(row["employee_number"]) for row in rows if isinstance(row.get("employee_number"), str | int)}
        )
        checker = cls(
            runs=await queries.runs_named(uow, run_ids),
            refusals={},
            numbers=await employees.employees_numbered(uow, numbers),
            external_ids=dict(employee_external_ids),
        )
        named: dict[UUID, set[UUID]] = {}
        for row in rows:
            run_id, employee_id = _uuid(row.get("run_id")), checker._employee_of(row)
            if run_id in checker.runs and employee_id is not None:
                named.setdefault(run_id, set()).add(employee_id)
        for run_id, run in checker.runs.items():
            try:
                await changeable(uow, principal, run)
            except DomainError as exc:
                checker.refusals[run_id] = exc
            checker.employed[run_id] = await employed_in_run(uow, run, sorted(named.get(run_id, set())))
        return checker

    def _employee_of(self, row: dict[str, Any]) -> UUID | None:
        if "employee_id" in row:
            return _uuid(row["employee_id"])
        if "employee_number" in row:
            return self.numbers.get(str(row["employee_number"]))
        if "employee_external_id" in row:
            return self.external_ids.get(str(row["employee_external_id"]))
        return None

    def check(self, line: int, external_id: str, row: dict[str, Any]) -> CheckedPayInput:
        """The row checked as one input is, or :class:`RowRefused` with its problems."""
        try:
            return self._check(line, external_id, row)
        except DomainError as exc:
            raise RowRefused(problems_of(exc)) from None

    def _check(self, line: int, external_id: str, row: dict[str, Any]) -> CheckedPayInput:
        fields = dict(row)
        run_id = converted(fields.pop("run_id", None), UUID, "run_id")
        named = [name for name in EMPLOYEE_REFERENCES if name in fields]
        if len(named) != 1:
            raise PayInputEmployeeReference(field=named[1] if named else "employee_id")
        reference = named[0]
        given = fields.pop(reference)
        employee_id = self._employee_of({reference: given})
        if employee_id is None and reference == "employee_id":
            converted(given, UUID, "employee_id")  # not an id at all: the shape's own problem
        if employee_id is None:
            raise PayInputEmployeeUnknown(field=reference, reference=reference)
        request = converted({**fields, "employee_id": str(employee_id)}, NewPayInput)
        require_in_range(request)
        if run_id not in self.runs:
            raise PayRunNotFound(field="run_id")
        if run_id in self.refusals:
            raise self.refusals[run_id]
        if employee_id not in self.employed.get(run_id, set()):
            raise EmployeeNotInRun(field=reference)
        return CheckedPayInput(
            line=line, external_id=external_id, digest=row_digest(row), run_id=run_id, request=request
        )


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


async def write_pay_inputs_in(uow: UnitOfWork, principal: Principal, checked: list[CheckedPayInput]) -> list[UUID]:
    """The checked rows as inputs, in ``uow``'s transaction, a run at a time through ``enter_inputs``; their ids in
    the rows' order."""
    by_run: dict[UUID, list[int]] = {}
    for index, row in enumerate(checked):
        by_run.setdefault(row.run_id, []).append(index)
    ids: list[UUID | None] = [None] * len(checked)
    for run_id, indexes in by_run.items():
        run = await load_run(uow, run_id, lock=True)
        written = await enter_inputs(uow, principal, run, [checked[index].request for index in indexes])
        for index, input_id in zip(indexes, written, strict=True):
            ids[index] = input_id
    return [input_id for input_id in ids if input_id is not None]


async def list_pay_inputs(
    principal: Principal, cursor: str | None, limit: int, *, run_id: UUID | None = None, only: RunFilter | None = None
) -> Page[PayInputView]:
    """Inputs in the order they were entered, of one run or of the runs of a group or period; a filter naming
    nothing of the caller's gives an empty page."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.inputs_page(
            uow, after=decode_uuid_cursor(cursor), limit=limit + 1, run_id=run_id, only=only or RunFilter()
        )
        numbers = await employees.employee_numbers(uow, sorted({row.employee_id for row in rows}))
    return page_of(
        [
            PayInputView(
                id=row.id,
                run_id=row.run_id,
                employee_id=row.employee_id,
                employee_number=numbers.get(row.employee_id),
                kind=row.kind,
                amount=row.amount,
                note=row.note,
                entered_by=row.created_by,
                entered_at=row.created_at,
            )
            for row in rows
        ],
        limit,
        lambda item: str(item.id),
    )
