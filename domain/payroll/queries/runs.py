"""Pay groups, pay runs and their inputs: every read and write of them, for the payroll context only."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.payroll.calendar import PayGroupRule
from domain.payroll.model import CalculationProblem, ProvisionalLaw, RunFilter, SettlementPeriodTotal
from domain.payroll.tables import (
    PayGroup,
    PayInput,
    PayRun,
)
from domain.payroll.workflow import RunFacts

# -- pay groups ----------------------------------------------------------------------------------


class PayGroupRow(msgspec.Struct, frozen=True):
    id: UUID
    legal_entity_id: UUID
    name: str
    rule: PayGroupRule


async def insert_group(uow: UnitOfWork, group_id: UUID, entity_id: UUID, name: str, rule: PayGroupRule) -> None:
    await PayGroup.insert(PayGroup(id=group_id, tenant_id=uow.tenant_id, legal_entity_id=entity_id, name=name,
                                   rule=json.dumps(msgspec.to_builtins(rule)), created_at=utc_now()))


async def group(uow: UnitOfWork, group_id: UUID) -> PayGroupRow | None:
    row = await PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        (PayGroup.tenant_id == uow.tenant_id) & (PayGroup.id == group_id)).first()
    return _group_row(row) if row else None


def _group_row(row: dict[str, Any]) -> PayGroupRow:
    return PayGroupRow(row["id"], row["legal_entity_id"], row["name"],
                       msgspec.json.decode(row["rule"], type=PayGroupRule))


async def groups_page(uow: UnitOfWork, *, after: UUID | None, limit: int,
                      legal_entity_ids: list[UUID] | None = None) -> list[PayGroupRow]:
    """Pay groups in id order, of the named legal entities when ``legal_entity_ids`` is given."""
    if legal_entity_ids is not None and not legal_entity_ids:
        return []
    query = PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        PayGroup.tenant_id == uow.tenant_id)
    if after is not None:
        query = query.where(PayGroup.id > after)
    if legal_entity_ids is not None:
        query = query.where(PayGroup.legal_entity_id.is_in(legal_entity_ids))
    return [_group_row(row) for row in await query.order_by(PayGroup.id).limit(limit)]


async def group_names(uow: UnitOfWork, group_ids: list[UUID]) -> dict[UUID, PayGroupRow]:
    if not group_ids:
        return {}
    rows = await PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        (PayGroup.tenant_id == uow.tenant_id) & PayGroup.id.is_in(group_ids))
    return {row["id"]: _group_row(row) for row in rows}


async def group_named(uow: UnitOfWork, name: str) -> bool:
    return await PayGroup.exists().where((PayGroup.tenant_id == uow.tenant_id) & (PayGroup.name == name))


# -- pay runs ------------------------------------------------------------------------------------


class CalculationProblems(msgspec.Struct, frozen=True):
    """Why the last calculation was blocked: the first problems listed, and how many there were."""

    problems: list[CalculationProblem]
    total: int


class PayRunRow(msgspec.Struct, frozen=True):
    """A pay run with its review state (``facts``) and its calculation job's state (``job_*``)."""

    id: UUID
    pay_group_id: UUID
    kind: str
    corrects_run_id: UUID | None
    #: the employees a correction recalculates (None: a regular run, everyone employed)
    scope: list[UUID] | None
    period_start: date
    period_end: date
    pay_date: date
    facts: RunFacts
    results_batch: UUID | None
    job_status: str
    job_done: int
    job_total: int
    job_error: str | None
    job_problems: CalculationProblems | None
    job_batch: UUID | None
    job_heartbeat: datetime | None
    version: int
    #: a settlement (补差): the first period it recalculates
    settles_from: date | None = None
    #: what the current results read provisionally (None: calculated before runs recorded it)
    provisional_law: list[ProvisionalLaw] | None = None
    #: a settlement's differences by period, over its employees
    settlement_periods: list[SettlementPeriodTotal] = []

    @property
    def is_settlement(self) -> bool:
        return self.settles_from is not None


_RUN_COLUMNS = (PayRun.id, PayRun.pay_group_id, PayRun.kind, PayRun.corrects_run_id, PayRun.scope,
                PayRun.period_start, PayRun.period_end, PayRun.pay_date, PayRun.facts, PayRun.results_batch,
                PayRun.job_status, PayRun.job_done, PayRun.job_total, PayRun.job_error, PayRun.job_problems,
                PayRun.job_batch, PayRun.job_heartbeat, PayRun.version, PayRun.settles_from,
                PayRun.provisional_law, PayRun.settlement_periods)


class PayRunListRow(msgspec.Struct, frozen=True):
    """What a list of runs reads of each: no results, problems or settlement detail."""

    id: UUID
    pay_group_id: UUID
    kind: str
    corrects_run_id: UUID | None
    period_start: date
    period_end: date
    pay_date: date
    facts: RunFacts
    job_status: str
    job_total: int
    version: int


async def runs_page(uow: UnitOfWork, *, after: UUID | None, limit: int, only: RunFilter) -> list[PayRunListRow]:
    """Pay runs in id order (the order they were opened)."""
    query = PayRun.select(PayRun.id, PayRun.pay_group_id, PayRun.kind, PayRun.corrects_run_id, PayRun.period_start,
                          PayRun.period_end, PayRun.pay_date, PayRun.facts, PayRun.job_status, PayRun.job_total,
                          PayRun.version).where(PayRun.tenant_id == uow.tenant_id)
    if after is not None:
        query = query.where(PayRun.id > after)
    if only.pay_group_id is not None:
        query = query.where(PayRun.pay_group_id == only.pay_group_id)
    if only.legal_entity_id is not None:
        query = query.where(PayRun.pay_group_id.is_in(PayGroup.select(PayGroup.id).where(
            (PayGroup.tenant_id == uow.tenant_id) & (PayGroup.legal_entity_id == only.legal_entity_id))))
    if only.states:
        query = query.where(PayRun.state.is_in([state.value for state in only.states]))
    if only.period_from is not None:
        query = query.where(PayRun.period_end >= only.period_from)
    if only.period_to is not None:
        query = query.where(PayRun.period_start <= only.period_to)
    rows = await query.order_by(PayRun.id).limit(limit)
    return [PayRunListRow(**{**row, "facts": msgspec.json.decode(row["facts"], type=RunFacts)}) for row in rows]


def _run_row(row: dict[str, Any]) -> PayRunRow:
    scope, problems = row["scope"], row["job_problems"]
    provisional, periods = row["provisional_law"], row["settlement_periods"]
    return PayRunRow(**{
        **row, "facts": msgspec.json.decode(row["facts"], type=RunFacts),
        "scope": [UUID(value) for value in json.loads(scope)] if scope else None,
        "job_problems": msgspec.json.decode(problems, type=CalculationProblems) if problems else None,
        "provisional_law": msgspec.json.decode(provisional, type=list[ProvisionalLaw]) if provisional else None,
        "settlement_periods": (msgspec.json.decode(periods, type=list[SettlementPeriodTotal]) if periods
                               else [])})


async def insert_run(uow: UnitOfWork, run_id: UUID, *, group_id: UUID, kind: str, period_start: date,
                     period_end: date, pay_date: date, facts: RunFacts, created_by: str,
                     corrects_run_id: UUID | None = None, scope: list[UUID] | None = None,
                     settles_from: date | None = None) -> None:
    now = utc_now()
    await PayRun.insert(PayRun(
        id=run_id, tenant_id=uow.tenant_id, pay_group_id=group_id, kind=kind, corrects_run_id=corrects_run_id,
        scope=json.dumps([str(employee) for employee in scope]) if scope else None, period_start=period_start,
        period_end=period_end, pay_date=pay_date, state=facts.state.value, facts=_facts_json(facts),
        job_status="idle", job_done=0, job_total=0, version=1, created_by=created_by, created_at=now,
        updated_at=now, settles_from=settles_from))


def _facts_json(facts: RunFacts) -> str:
    return json.dumps(msgspec.to_builtins(facts))


async def run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> PayRunRow | None:
    query = PayRun.select(*_RUN_COLUMNS).where((PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))
    if lock and not uow_is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return _run_row(row) if row else None


def uow_is_sqlite() -> bool:
    return current_database().is_sqlite


async def _update_run(uow: UnitOfWork, run_id: UUID, values: dict[Any, Any]) -> None:
    await PayRun.update({**values, PayRun.updated_at: utc_now(), PayRun.version: PayRun.version + 1}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))


async def save_facts(uow: UnitOfWork, run_id: UUID, facts: RunFacts) -> None:
    await _update_run(uow, run_id, {PayRun.facts: _facts_json(facts), PayRun.state: facts.state.value})


async def job_started(uow: UnitOfWork, run_id: UUID, batch: UUID, at: datetime) -> None:
    await _update_run(uow, run_id, {PayRun.job_status: "running", PayRun.job_done: 0, PayRun.job_total: 0,
                                    PayRun.job_error: None, PayRun.job_problems: None, PayRun.job_batch: batch,
                                    PayRun.job_heartbeat: at})


async def job_sized(uow: UnitOfWork, run_id: UUID, total: int) -> None:
    await _update_run(uow, run_id, {PayRun.job_total: total})


async def job_progressed(uow: UnitOfWork, run_id: UUID, batch: UUID, done: int) -> None:
    """Only the run's current job reports progress; a superseded one writes nothing."""
    await PayRun.update({PayRun.job_done: done, PayRun.job_heartbeat: utc_now()}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id) & (PayRun.job_batch == batch))


async def job_completed(uow: UnitOfWork, run_id: UUID, batch: UUID, count: int,
                        provisional: list[ProvisionalLaw], settlement: list[SettlementPeriodTotal]) -> None:
    await _update_run(uow, run_id, {PayRun.results_batch: batch, PayRun.job_status: "done",
                                    PayRun.job_done: count, PayRun.job_total: count,
                                    PayRun.provisional_law: msgspec.json.encode(provisional).decode(),
                                    PayRun.settlement_periods: msgspec.json.encode(settlement).decode()})


async def job_failed(uow: UnitOfWork, run_id: UUID, error: str, problems: CalculationProblems | None) -> None:
    await _update_run(uow, run_id, {
        PayRun.job_status: "failed", PayRun.job_error: error,
        PayRun.job_problems: msgspec.json.encode(problems).decode() if problems else None})


async def job_superseded(uow: UnitOfWork, run_id: UUID) -> None:
    await _update_run(uow, run_id, {PayRun.job_status: "superseded", PayRun.job_batch: None})


async def open_correction_of(uow: UnitOfWork, base_run_id: UUID) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.corrects_run_id == base_run_id)
        & PayRun.state.not_in(["finalised", "cancelled"]))


async def open_runs_after(uow: UnitOfWork, group_id: UUID, period_end: date) -> list[PayRunRow]:
    """The group's regular runs of later periods that are neither finalised nor cancelled."""
    rows = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.period_start > period_end) & PayRun.state.not_in(["finalised", "cancelled"]))
    return [_run_row(row) for row in rows]


async def later_period_finalised(uow: UnitOfWork, group_id: UUID, period_end: date) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.state == "finalised") & (PayRun.period_start > period_end))


async def finalised_runs_of_group(uow: UnitOfWork, group_id: UUID) -> list[PayRunRow]:
    """The group's finalised runs, regular and corrections, in period order (a period's regular run first)."""
    rows = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.state == "finalised"))
    runs = [_run_row(row) for row in rows]
    return sorted(runs, key=lambda run: (run.period_start, run.kind != "regular", run.pay_date))


async def previous_finalised_run(uow: UnitOfWork, group_id: UUID, before: date) -> PayRunRow | None:
    row = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.state == "finalised")
        & (PayRun.kind == "regular") & (PayRun.pay_date < before)).order_by(PayRun.pay_date, ascending=False).first()
    return _run_row(row) if row else None


async def finalised_periods(uow: UnitOfWork, before: date) -> dict[UUID, date]:
    """The results batch of every finalised run (of any group) for a period ending before ``before``, with
    the period's last day."""
    runs = await PayRun.select(PayRun.results_batch, PayRun.period_end).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised") & (PayRun.period_end < before))
    return {run["results_batch"]: run["period_end"] for run in runs}


# -- inputs --------------------------------------------------------------------------------------


class PayInputRow(msgspec.Struct, frozen=True):
    employee_id: UUID
    kind: str
    #: an exact decimal, as entered
    amount: str
    note: str
    created_by: str


async def insert_input(uow: UnitOfWork, run_id: UUID, given: PayInputRow) -> UUID:
    input_id = new_id()
    await PayInput.insert(PayInput(id=input_id, tenant_id=uow.tenant_id, run_id=run_id, created_at=utc_now(),
                                   **msgspec.structs.asdict(given)))
    return input_id


async def inputs(uow: UnitOfWork, run_id: UUID) -> list[PayInputRow]:
    rows = await PayInput.select(PayInput.employee_id, PayInput.kind, PayInput.amount, PayInput.note,
                                 PayInput.created_by).where(
        (PayInput.tenant_id == uow.tenant_id) & (PayInput.run_id == run_id)).order_by(PayInput.created_at)
    return [PayInputRow(**row) for row in rows]


async def insert_inputs(uow: UnitOfWork, run_id: UUID, given: list[PayInputRow]) -> list[UUID]:
    """Many inputs of one run in one statement (a bulk import's chunk); their ids, in order (ascending, so an id
    order lists them as entered even within one millisecond of UUIDv7)."""
    ids = sorted(new_id() for _ in given)
    tenant, now = uow.tenant_id, utc_now()
    await current_database().bulk_insert("pay_inputs", _INPUT_COLUMNS, [
        (input_id, tenant, run_id, row.employee_id, row.kind, row.amount, row.note, row.created_by, now)
        for input_id, row in zip(ids, given, strict=True)])
    return ids


_INPUT_COLUMNS = ("id", "tenant_id", "run_id", "employee_id", "kind", "amount", "note", "created_by", "created_at")


class StoredPayInput(msgspec.Struct, frozen=True):
    """An input as stored, with its run's period (what an export lists)."""

    id: UUID
    run_id: UUID
    employee_id: UUID
    kind: str
    amount: str
    note: str
    created_by: str
    created_at: datetime


async def inputs_page(uow: UnitOfWork, *, after: UUID | None, limit: int, run_id: UUID | None,
                      only: RunFilter) -> list[StoredPayInput]:
    """Inputs in id order (the order they were entered), of one run or of the runs ``only`` keeps."""
    query = PayInput.select(PayInput.id, PayInput.run_id, PayInput.employee_id, PayInput.kind, PayInput.amount,
                            PayInput.note, PayInput.created_by, PayInput.created_at).where(
        PayInput.tenant_id == uow.tenant_id)
    if after is not None:
        query = query.where(PayInput.id > after)
    if run_id is not None:
        query = query.where(PayInput.run_id == run_id)
    if only != RunFilter():
        runs = PayRun.select(PayRun.id).where(PayRun.tenant_id == uow.tenant_id)
        if only.pay_group_id is not None:
            runs = runs.where(PayRun.pay_group_id == only.pay_group_id)
        if only.period_from is not None:
            runs = runs.where(PayRun.period_end >= only.period_from)
        if only.period_to is not None:
            runs = runs.where(PayRun.period_start <= only.period_to)
        query = query.where(PayInput.run_id.is_in(runs))
    rows = await query.order_by(PayInput.id).limit(limit)
    return [StoredPayInput(**row) for row in rows]


async def runs_named(uow: UnitOfWork, run_ids: list[UUID]) -> dict[UUID, PayRunRow]:
    """The tenant's runs among ``run_ids`` (another tenant's id finds nothing)."""
    found: dict[UUID, PayRunRow] = {}
    for run_id in run_ids:
        row = await run(uow, run_id)
        if row is not None:
            found[run_id] = row
    return found


async def groups(uow: UnitOfWork) -> list[PayGroupRow]:
    """Every pay group of the tenant, by name."""
    rows = await PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        PayGroup.tenant_id == uow.tenant_id).order_by(PayGroup.name)
    return [_group_row(row) for row in rows]
