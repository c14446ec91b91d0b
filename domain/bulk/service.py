"""Bulk imports as background jobs.

``start_import`` reads the file once (a file that cannot be read at all is refused at once, 422), seals it under the
tenant's key into the import's row and queues the job in the same transaction. The job (any worker, once) checks
every row by the same rules as the single-record API (the kind's own checker: ``domain.employees``'
``EmployeeChecker``, recruitment's ``CandidateChecker``, payroll's ``PayInputChecker``), then writes:

- ``all_or_nothing``: one transaction for every row; any bad row and nothing is written (the good rows read
  ``not_imported``);
- ``row_by_row``: the good rows in chunks of ``CHUNK`` a transaction, each chunk with its rows' outcomes and the
  import's progress; a bad row was refused whole before any writing, so it never half-writes. A chunk the database
  refuses (a record changed under the import) is written again row by row, and only its offending rows fail.

Each row names an ``external_id``, unique per tenant and kind: a row whose id was imported before is not written
again (``unchanged``, or ``already_imported`` when its content differs), so running the same file twice writes once.
A job interrupted (its worker killed) runs again from the start: the rows its committed chunks wrote read as
``created`` by their external ids. Dry runs check and write nothing but the outcomes.

Two attempts of the same import never write side by side (a worker taken for stalled while it still runs): every
writing transaction of the job locks the import's row first and goes on only if the import is still running with
the progress this attempt last wrote; an attempt that finds otherwise (another has started over or finished) stops
without writing, and leaves the import to the other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.bulk import queries
from domain.bulk.model import (
    ROW_MESSAGES,
    ImportFormat,
    ImportKind,
    ImportKindForbidden,
    ImportMode,
    ImportNotFound,
    ImportState,
    ImportView,
    RowOutcome,
    StoredProblem,
    StoredRow,
)
from domain.bulk.parsing import ParsedRow, parse
from domain.bulk.pay_inputs import load_pay_input_checker
from domain.employees.service import EmployeeChecker, write_employees_in
from domain.jobs import service as jobs
from domain.jobs.model import JobRun
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.ids import new_id
from domain.kernel.import_rows import RowProblem, RowRefused, row_digest
from domain.kernel.pagination import Page, decode_cursor, page_of
from domain.kernel.permissions import Operation, Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for
from domain.payroll.service import write_pay_inputs_in
from domain.recruitment.service import CandidateChecker, write_candidates_in

log = logging.getLogger("meridian.imports")
#: Rows written a transaction in ``row_by_row``.
CHUNK = 500
#: Rows checked between two turns of the event loop: checking is CPU work, and a loop held for seconds would starve
#: the worker's heartbeat (the queue would take the job for stalled and run it again) and every request in flight.
YIELD_EVERY = 100


class Checked(Protocol):
    line: int
    external_id: str
    digest: str


class Checker(Protocol):
    def check(self, line: int, external_id: str, row: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class KindRules:
    operation: Operation
    load: Callable[[UnitOfWork, Principal, list[dict[str, Any]]], Awaitable[Checker]]
    write: Callable[[UnitOfWork, Principal, list[Any]], Awaitable[list[UUID]]]


KINDS: dict[ImportKind, KindRules] = {
    ImportKind.EMPLOYEES: KindRules(Operation.EMPLOYEES_WRITE, EmployeeChecker.loaded, write_employees_in),
    ImportKind.CANDIDATES: KindRules(Operation.CANDIDATES_WRITE, CandidateChecker.loaded, write_candidates_in),
    ImportKind.PAY_INPUTS: KindRules(Operation.PAYROLL_PREPARE, load_pay_input_checker, write_pay_inputs_in),
}


class ImportOrder(msgspec.Struct, frozen=True):
    """A queued import: which, and who sent it (the job acts as them, with their roles at the time)."""

    import_id: UUID
    subject: str
    roles: list[str]
    scopes: list[str] | None
    locale: str
    request_id: str

    def principal(self, tenant_id: UUID) -> Principal:
        return Principal(tenant_id=tenant_id, subject=self.subject, roles=frozenset(Role(r) for r in self.roles),
                         scopes=frozenset(self.scopes) if self.scopes is not None else None, locale=self.locale,
                         request_id=self.request_id)


def _require_kind(principal: Principal, kind: ImportKind) -> KindRules:
    rules = KINDS[kind]
    if not principal.may(rules.operation):
        raise ImportKindForbidden(kind=kind.value, operation=rules.operation.value)
    return rules


async def start_import(principal: Principal, kind: ImportKind, fmt: ImportFormat, mode: ImportMode, dry_run: bool,
                       data: bytes) -> ImportView:
    _require_kind(principal, kind)
    rows = parse(data, fmt)
    import_id = new_id()
    view = ImportView(id=import_id, kind=kind, format=fmt, mode=mode, dry_run=dry_run, state=ImportState.QUEUED,
                      rows_total=len(rows), rows_done=0, rows_created=0, rows_unchanged=0, rows_failed=0,
                      requested_by=principal.subject, created_at=utc_now(), finished_at=None)
    async with unit_of_work(principal.tenant_id) as uow:
        sealed = (await cipher_for(uow)).seal(data.decode("utf-8-sig"), "imports", "source", import_id)
        await queries.insert_import(uow, view, sealed)
        await record(uow, principal, "import.started", "import", import_id, after={
            "kind": kind.value, "format": fmt.value, "mode": mode.value, "dry_run": dry_run, "rows": len(rows)})
        await jobs.enqueue(uow, IMPORT, ImportOrder(
            import_id=import_id, subject=principal.subject, roles=sorted(r.value for r in principal.roles),
            scopes=sorted(principal.scopes) if principal.scopes is not None else None, locale=principal.locale,
            request_id=principal.request_id))
    return view


async def get_import(principal: Principal, import_id: UUID) -> ImportView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        view = await queries.import_view(uow, import_id)
    if view is None:
        raise ImportNotFound()
    return view


async def import_rows(principal: Principal, import_id: UUID, cursor: str | None, limit: int,
                      outcome: RowOutcome | None = None) -> Page[StoredRow]:
    """The rows' outcomes in the file's order."""
    position = decode_cursor(cursor)
    after = int(position) if position and position.isdigit() else 0
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await queries.import_view(uow, import_id) is None:
            raise ImportNotFound()
        rows = await queries.rows_page(uow, import_id, after=after, limit=limit + 1,
                                       outcome=outcome.value if outcome else None)
    return page_of(rows, limit, lambda row: str(row.line))


# -- the job ------------------------------------------------------------------------------------


@dataclass
class _Tally:
    done: int = 0
    created: int = 0
    unchanged: int = 0
    failed: int = 0

    def count(self, rows: list[StoredRow]) -> None:
        for row in rows:
            self.done += 1
            if row.outcome is RowOutcome.CREATED:
                self.created += 1
            elif row.outcome in (RowOutcome.UNCHANGED, RowOutcome.ALREADY_IMPORTED):
                self.unchanged += 1
            elif row.outcome is RowOutcome.FAILED:
                self.failed += 1


@dataclass
class _Sorted:
    """Each line's outcome so far: settled rows (failed, unchanged, created before) and the good rows to write."""

    settled: dict[int, StoredRow] = field(default_factory=dict)
    good: list[Any] = field(default_factory=list)


class _Superseded(Exception):
    """Another attempt of the same import's job has started over or finished it since this one last wrote."""


async def _claim(uow: UnitOfWork, view: ImportView, tally: _Tally) -> None:
    """Lock the import for this transaction and check it is still this attempt's: running, with the progress it
    last wrote (an attempt that starts over sets it back to nothing done)."""
    current = await queries.locked_import_view(uow, view.id)
    if current is None or current.state is not ImportState.RUNNING or current.rows_done != tally.done:
        raise _Superseded()


async def run_import(job: JobRun, order: ImportOrder) -> None:
    """The queue's handler."""
    principal = order.principal(job.tenant_id)
    async with unit_of_work(principal.tenant_id) as uow:
        view = await queries.locked_import_view(uow, order.import_id)  # waits for another attempt's step to end
        source = await queries.sealed_source(uow, order.import_id)
        if view is None or view.state in (ImportState.COMPLETED, ImportState.FAILED) or source is None:
            return
        data = (await cipher_for(uow)).open(source, "imports", "source", order.import_id)
        await queries.forget_rows(uow, order.import_id)
        await queries.set_progress(uow, order.import_id, state=ImportState.RUNNING, done=0, created=0, unchanged=0,
                                   failed=0)
    try:
        await _import(principal, view, parse(data.encode(), view.format))
    except _Superseded:
        log.info("another attempt of this import took it over; this one stops",
                 extra={"request_id": principal.request_id})
    except Exception:
        log.exception("import failed", extra={"request_id": principal.request_id})
        async with unit_of_work(principal.tenant_id) as uow:
            current = await queries.import_view(uow, order.import_id)
            if current is not None:
                await queries.set_progress(uow, order.import_id, state=ImportState.FAILED, done=current.rows_done,
                                           created=current.rows_created, unchanged=current.rows_unchanged,
                                           failed=current.rows_failed, finished=True)


IMPORT = jobs.register("bulk.import", ImportOrder, run_import, max_attempts=3)


async def _import(principal: Principal, view: ImportView, parsed: list[ParsedRow]) -> None:
    try:
        rules = _require_kind(principal, view.kind)
    except ImportKindForbidden as exc:  # the sender lost the permission while the import waited
        sorted_rows = _Sorted(settled={line: _failed(line, None, [_problem_of(exc)]) for line, _ in parsed})
        await _finish(principal, view, list(sorted_rows.settled.values()), _Tally())
        return
    sorted_rows = await _checked(principal, view, rules, parsed)
    tally = _Tally()
    if view.dry_run or (view.mode is ImportMode.ALL_OR_NOTHING and any(
            row.outcome is RowOutcome.FAILED for row in sorted_rows.settled.values())):
        good = RowOutcome.VALID if view.dry_run else RowOutcome.NOT_IMPORTED
        rows = [*sorted_rows.settled.values(),
                *(StoredRow(line=c.line, external_id=c.external_id, outcome=good, entity_id=None, problems=[])
                  for c in sorted_rows.good)]
        await _finish(principal, view, rows, tally)
        return
    if view.mode is ImportMode.ALL_OR_NOTHING:
        async with unit_of_work(principal.tenant_id) as uow:
            await _claim(uow, view, tally)
            written = await _write(uow, principal, view, rules, sorted_rows.good)
            rows = [*sorted_rows.settled.values(), *written]
            await _finish_in(uow, principal, view, rows, tally)
        return
    await _write_row_by_row(principal, view, rules, sorted_rows, tally)


async def _checked(principal: Principal, view: ImportView, rules: KindRules, parsed: list[ParsedRow]) -> _Sorted:
    result = _Sorted()
    readable = [row for _, row in parsed if isinstance(row, dict)]
    ids = [str(row["external_id"]) for row in readable if isinstance(row.get("external_id"), str | int)]
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        checker = await rules.load(uow, principal, readable)
        known = await queries.known_external_ids(uow, view.kind.value, sorted(set(ids)))
    seen: dict[str, int] = {}
    for count, (line, row) in enumerate(parsed, start=1):
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # the worker's heartbeat and the server's requests run between rows
        if isinstance(row, str):
            result.settled[line] = _failed(line, None, [_row_problem("row_unreadable", None, line=str(line),
                                                                     reason=row)])
            continue
        fields = dict(row)
        external_id = fields.pop("external_id", None)
        external_id = str(external_id) if isinstance(external_id, str | int) else None
        if not external_id or len(external_id) > 200:
            result.settled[line] = _failed(line, None, [_row_problem("external_id_missing", "external_id")])
            continue
        if external_id in seen:
            result.settled[line] = _failed(line, external_id, [_row_problem(
                "external_id_twice_in_import", "external_id", line=str(seen[external_id]))])
            continue
        seen[external_id] = line
        before = known.get(external_id)
        if before is not None:  # imported before: never written twice, whatever the rules would say of it now
            outcome = (RowOutcome.CREATED if before.import_id == view.id
                       else RowOutcome.UNCHANGED if before.digest == row_digest(fields)
                       else RowOutcome.ALREADY_IMPORTED)
            result.settled[line] = StoredRow(line=line, external_id=external_id, outcome=outcome,
                                             entity_id=before.entity_id, problems=[])
            continue
        try:
            result.good.append(checker.check(line, external_id, fields))
        except RowRefused as refused:
            result.settled[line] = _failed(line, external_id, [_stored(p) for p in refused.problems])
    return result


async def _write(uow: UnitOfWork, principal: Principal, view: ImportView, rules: KindRules,
                 good: list[Any]) -> list[StoredRow]:
    rows: list[StoredRow] = []
    for start in range(0, len(good), CHUNK):
        chunk = good[start:start + CHUNK]
        ids = await rules.write(uow, principal, chunk)
        await queries.insert_external_ids(uow, view.kind.value, view.id, [
            (c.external_id, entity_id, c.digest) for c, entity_id in zip(chunk, ids, strict=True)])
        rows += [StoredRow(line=c.line, external_id=c.external_id, outcome=RowOutcome.CREATED, entity_id=entity_id,
                           problems=[]) for c, entity_id in zip(chunk, ids, strict=True)]
    return rows


async def _write_row_by_row(principal: Principal, view: ImportView, rules: KindRules, sorted_rows: _Sorted,
                            tally: _Tally) -> None:
    pending = sorted(sorted_rows.settled.values(), key=lambda row: row.line)
    good = sorted(sorted_rows.good, key=lambda c: c.line)
    for start in range(0, max(len(good), 1), CHUNK):
        chunk = good[start:start + CHUNK]
        last = chunk[-1].line if chunk and start + CHUNK < len(good) else None
        settled = [row for row in pending if last is None or row.line <= last]
        pending = pending[len(settled):]
        trial = replace(tally)
        try:
            async with unit_of_work(principal.tenant_id) as uow:
                await _claim(uow, view, tally)
                rows = [*settled, *await _write(uow, principal, view, rules, chunk)]
                await queries.insert_rows(uow, view.id, rows)
                trial.count(rows)
                await _progress(uow, view, trial)
            tally.__dict__.update(trial.__dict__)
        except _Superseded:
            raise
        except Exception:
            log.warning("an import chunk was refused; writing its rows one by one",
                        extra={"request_id": principal.request_id}, exc_info=True)
            await _one_by_one(principal, view, rules, settled, chunk, tally)
    async with unit_of_work(principal.tenant_id) as uow:
        await _claim(uow, view, tally)
        await _complete(uow, principal, view, tally)


async def _one_by_one(principal: Principal, view: ImportView, rules: KindRules, settled: list[StoredRow],
                      chunk: list[Any], tally: _Tally) -> None:
    async with unit_of_work(principal.tenant_id) as uow:
        await _claim(uow, view, tally)
        await queries.insert_rows(uow, view.id, settled)
        tally.count(settled)
        await _progress(uow, view, tally)
    for checked in chunk:
        try:
            async with unit_of_work(principal.tenant_id) as uow:
                await _claim(uow, view, tally)
                rows = await _write(uow, principal, view, rules, [checked])
                await queries.insert_rows(uow, view.id, rows)
                tally.count(rows)
                await _progress(uow, view, tally)
        except _Superseded:
            raise
        except Exception:
            log.warning("an import row was refused by the database", extra={"request_id": principal.request_id})
            row = _failed(checked.line, checked.external_id, [_row_problem("row_conflict", None)])
            async with unit_of_work(principal.tenant_id) as uow:
                await _claim(uow, view, tally)
                await queries.insert_rows(uow, view.id, [row])
                tally.count([row])
                await _progress(uow, view, tally)


async def _finish(principal: Principal, view: ImportView, rows: list[StoredRow], tally: _Tally) -> None:
    async with unit_of_work(principal.tenant_id) as uow:
        await _claim(uow, view, tally)
        await _finish_in(uow, principal, view, rows, tally)


async def _finish_in(uow: UnitOfWork, principal: Principal, view: ImportView, rows: list[StoredRow],
                     tally: _Tally) -> None:
    rows = sorted(rows, key=lambda row: row.line)
    for start in range(0, len(rows), CHUNK * 4):
        await queries.insert_rows(uow, view.id, rows[start:start + CHUNK * 4])
    tally.count(rows)
    await _complete(uow, principal, view, tally)


async def _progress(uow: UnitOfWork, view: ImportView, tally: _Tally) -> None:
    await queries.set_progress(uow, view.id, state=ImportState.RUNNING, done=tally.done, created=tally.created,
                               unchanged=tally.unchanged, failed=tally.failed)


async def _complete(uow: UnitOfWork, principal: Principal, view: ImportView, tally: _Tally) -> None:
    await queries.set_progress(uow, view.id, state=ImportState.COMPLETED, done=tally.done, created=tally.created,
                               unchanged=tally.unchanged, failed=tally.failed, finished=True)
    await record(uow, principal, "import.completed", "import", view.id, after={
        "created": tally.created, "unchanged": tally.unchanged, "failed": tally.failed, "dry_run": view.dry_run})


def _failed(line: int, external_id: str | None, problems: list[StoredProblem]) -> StoredRow:
    return StoredRow(line=line, external_id=external_id, outcome=RowOutcome.FAILED, entity_id=None,
                     problems=problems)


def _row_problem(code: str, field_name: str | None, **params: str) -> StoredProblem:
    return StoredProblem(code=code, field=field_name, template=ROW_MESSAGES[code], params=params)


def _stored(problem: RowProblem) -> StoredProblem:
    return StoredProblem(code=problem.code, field=problem.field, template=problem.template, params=problem.params)


def _problem_of(exc: ImportKindForbidden) -> StoredProblem:
    return StoredProblem(code=exc.code, field=None, template=exc.template,
                         params={k: str(v) for k, v in exc.params.items()})


async def wait_for_imports() -> None:
    """Until queued imports (and any other due job) have finished (tests, the benchmark)."""
    await jobs.wait_for_jobs()
