from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from domain.employees.tables import Employee, Employment, TaxAttributes
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.payroll.tables import (
    AccountMapping,
    PayGroup,
    PayInput,
    PayRun,
    PayRunCalculation,
    Payslip,
    ReviewerRegion,
    VarianceException,
    VarianceThresholdSetting,
)
from domain.payroll.variance import StoredSummary


async def insert_group(uow: UnitOfWork, group_id: UUID, entity_id: UUID, name: str, rule: dict[str, Any]) -> None:
    await PayGroup.insert(PayGroup(id=group_id, tenant_id=uow.tenant_id, legal_entity_id=entity_id, name=name,
                                   rule=json.dumps(rule), created_at=utc_now()))


async def group(uow: UnitOfWork, group_id: UUID) -> dict[str, Any] | None:
    row = await PayGroup.select().where((PayGroup.tenant_id == uow.tenant_id) & (PayGroup.id == group_id)).first()
    return {**row, "rule": json.loads(row["rule"])} if row else None


async def group_named(uow: UnitOfWork, name: str) -> bool:
    return await PayGroup.exists().where((PayGroup.tenant_id == uow.tenant_id) & (PayGroup.name == name))


async def insert_run(uow: UnitOfWork, run_id: UUID, values: dict[str, Any]) -> None:
    now = utc_now()
    await PayRun.insert(PayRun(id=run_id, tenant_id=uow.tenant_id, job_status="idle", job_done=0, job_total=0,
                               version=1, created_at=now, updated_at=now,
                               **{**values, "facts": json.dumps(values["facts"]),
                                  "scope": json.dumps(values["scope"]) if values.get("scope") else None}))


async def run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> dict[str, Any] | None:
    query = PayRun.select().where((PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))
    if lock and not uow_is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return _run_row(row) if row else None


def _run_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "facts": json.loads(row["facts"]),
            "scope": [UUID(value) for value in json.loads(row["scope"])] if row.get("scope") else None}


def uow_is_sqlite() -> bool:
    return current_database().is_sqlite


async def update_run(uow: UnitOfWork, run_id: UUID, values: dict[str, Any]) -> None:
    if "facts" in values:
        values = {**values, "facts": json.dumps(values["facts"])}
    await PayRun.update({**values, "updated_at": utc_now(), "version": PayRun.version + 1}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))


async def set_progress(uow: UnitOfWork, run_id: UUID, batch: UUID, done: int) -> None:
    """Only the run's current job reports progress; a superseded one writes nothing."""
    await PayRun.update({PayRun.job_done: done, PayRun.job_heartbeat: utc_now()}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id) & (PayRun.job_batch == batch))


async def insert_input(uow: UnitOfWork, run_id: UUID, values: dict[str, Any]) -> UUID:
    input_id = new_id()
    await PayInput.insert(PayInput(id=input_id, tenant_id=uow.tenant_id, run_id=run_id, created_at=utc_now(),
                                   **values))
    return input_id


async def inputs(uow: UnitOfWork, run_id: UUID) -> list[dict[str, Any]]:
    return await PayInput.select().where((PayInput.tenant_id == uow.tenant_id) & (PayInput.run_id == run_id)
                                         ).order_by(PayInput.created_at)


def _employed_at(uow: UnitOfWork, entity_id: UUID, period_end: date, only: list[UUID] | None,
                 query: Any = None) -> Any:
    query = (query if query is not None else Employment.select(Employment.employee_id)).where(
        (Employment.tenant_id == uow.tenant_id) & (Employment.legal_entity_id == entity_id)
        & (Employment.effective_from <= period_end))
    return query.where(Employment.employee_id.is_in(only)) if only is not None else query


def _not_gone(uow: UnitOfWork, query: Any, period_start: date) -> Any:
    return query.where((Employee.tenant_id == uow.tenant_id)
                       & (Employee.left_on.is_null() | (Employee.left_on >= period_start)))


async def staff_page(uow: UnitOfWork, entity_id: UUID, period_start: date, period_end: date,
                     after: UUID | None, limit: int, only: list[UUID] | None = None
                     ) -> tuple[list[dict[str, Any]], UUID | None]:
    """The next page of employees with an employment at the entity that began by the period's end, not gone
    before it began (``only`` these, if named), and where the following page starts (None: this was the last).

    Pages walk the entity's employments by employee id, an index range each, so a page costs the same at
    100,000 employees as at 1,000."""
    query = _employed_at(uow, entity_id, period_end, only).distinct()
    if after:
        query = query.where(Employment.employee_id > after)
    ids = [row["employee_id"] for row in await query.order_by(Employment.employee_id).limit(limit)]
    if not ids:
        return [], None
    wanted = set(ids)
    in_range = await _not_gone(uow, Employee.select(Employee.id, Employee.full_name, Employee.left_on).where(
        (Employee.id >= ids[0]) & (Employee.id <= ids[-1])), period_start).order_by(Employee.id)
    return [row for row in in_range if row["id"] in wanted], (ids[-1] if len(ids) == limit else None)


async def count_employed(uow: UnitOfWork, entity_id: UUID, period_end: date, only: list[UUID] | None = None) -> int:
    """Everyone employed at the entity by the period's end: the most a run can hold (those gone before the
    period are skipped). Counted on the employments index alone; joined to employees, PostgreSQL under
    row-level security picks a plan that takes minutes at 100,000 employees."""
    counted = Employment.count(distinct=[Employment.employee_id])
    return await _employed_at(uow, entity_id, period_end, only, counted)


# The page readers below take the page's id range, not its ids: an index range scan whose plan does not
# depend on table statistics (a list of the page's ids let PostgreSQL, before ANALYZE, scan the whole tenant for
# each page). Rows of other entities' employees in the range are dropped by the caller's lookups.

async def employments_between(uow: UnitOfWork, first: UUID, last: UUID) -> list[dict[str, Any]]:
    """The employment history of the employees with ids in [first, last], oldest first."""
    return await Employment.select(
        Employment.employee_id, Employment.effective_from, Employment.country, Employment.region,
        Employment.pay_minor, Employment.currency, Employment.pay_unit, Employment.weekly_hours,
    ).where((Employment.tenant_id == uow.tenant_id) & (Employment.employee_id >= first)
            & (Employment.employee_id <= last)).order_by(Employment.effective_from).order_by(Employment.recorded_at)


async def tax_attributes_between(uow: UnitOfWork, first: UUID, last: UUID, on: date) -> list[dict[str, Any]]:
    """The tax attributes recorded by ``on`` for the employees with ids in [first, last], oldest first."""
    rows = await TaxAttributes.select(TaxAttributes.employee_id, TaxAttributes.country, TaxAttributes.attributes
                                      ).where(
        (TaxAttributes.tenant_id == uow.tenant_id) & (TaxAttributes.employee_id >= first)
        & (TaxAttributes.employee_id <= last) & (TaxAttributes.effective_from <= on)
    ).order_by(TaxAttributes.effective_from).order_by(TaxAttributes.recorded_at)
    return [{**row, "attributes": json.loads(row["attributes"])} for row in rows]


PAYSLIP_COLUMNS = ("id", "tenant_id", "run_id", "batch", "employee_id", "currency", "gross_minor", "net_minor",
                   "employer_cost_minor", "result", "summary", "year_to_date", "created_at")


async def insert_payslips(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        now = utc_now()
        values = [tuple({**row, "tenant_id": uow.tenant_id, "created_at": now}[c] for c in PAYSLIP_COLUMNS)
                  for row in rows]
        await current_database().bulk_insert("payslips", PAYSLIP_COLUMNS, values)


async def drop_unused_batches(uow: UnitOfWork, run_id: UUID) -> None:
    """Payslips of the run's failed or overtaken calculations: never shown, no longer needed. Those of every
    completed calculation stay, as the payslips' earlier versions."""
    query = Payslip.delete().where((Payslip.tenant_id == uow.tenant_id) & (Payslip.run_id == run_id))
    completed = [row["batch"] for row in await _calculations(uow, run_id)]
    await (query.where(Payslip.batch.not_in(completed)) if completed else query)


async def record_calculation(uow: UnitOfWork, run_id: UUID, batch: UUID, results_hash: str, by: str) -> None:
    await PayRunCalculation.insert(PayRunCalculation(
        id=new_id(), tenant_id=uow.tenant_id, run_id=run_id, batch=batch, results_hash=results_hash,
        calculated_by=by, completed_at=utc_now()))


async def _calculations(uow: UnitOfWork, run_id: UUID) -> list[dict[str, Any]]:
    return await PayRunCalculation.select().where(
        (PayRunCalculation.tenant_id == uow.tenant_id) & (PayRunCalculation.run_id == run_id)
    ).order_by(PayRunCalculation.completed_at)


async def payslip_versions(uow: UnitOfWork, run_id: UUID, employee_id: UUID) -> list[dict[str, Any]]:
    """The employee's payslip from each completed calculation of the run, oldest first, with the calculation."""
    calculations = {row["batch"]: row for row in await _calculations(uow, run_id)}
    if not calculations:
        return []
    rows = await Payslip.select().where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.run_id == run_id) & (Payslip.employee_id == employee_id)
        & Payslip.batch.is_in(list(calculations)))
    versions = [{**row, "result": json.loads(row["result"]), "calculation": calculations[row["batch"]]}
                for row in rows]
    return sorted(versions, key=lambda version: version["calculation"]["completed_at"])


async def payslips(uow: UnitOfWork, run_id: UUID, batch: UUID, employee_id: UUID | None = None
                   ) -> list[dict[str, Any]]:
    query = Payslip.select().where((Payslip.tenant_id == uow.tenant_id) & (Payslip.run_id == run_id)
                                   & (Payslip.batch == batch))
    if employee_id:
        query = query.where(Payslip.employee_id == employee_id)
    rows = await query.order_by(Payslip.employee_id)
    return [{**row, "result": json.loads(row["result"])} for row in rows]


async def payslip(uow: UnitOfWork, payslip_id: UUID) -> dict[str, Any] | None:
    row = await Payslip.select().where((Payslip.tenant_id == uow.tenant_id) & (Payslip.id == payslip_id)).first()
    return {**row, "result": json.loads(row["result"])} if row else None


class _YearToDateOnly(msgspec.Struct):
    year_to_date: dict[str, Any]


async def finalised_periods(uow: UnitOfWork, before: date) -> dict[UUID, date]:
    """The results batch of every finalised run (of any group) for a period ending before ``before``, with
    the period's last day."""
    runs = await PayRun.select(PayRun.results_batch, PayRun.period_end).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised") & (PayRun.period_end < before))
    return {run["results_batch"]: run["period_end"] for run in runs}


async def year_to_date_between(uow: UnitOfWork, first: UUID, last: UUID, periods: dict[UUID, date]
                               ) -> dict[UUID, dict[str, Any]]:
    """For each employee with an id in [first, last], the year-to-date figures of their latest payslip among
    the ``periods`` batches (see :func:`finalised_periods`): latest by period and, within a period, by when it
    was written, so a correction wins over the payslip it replaces. Only the stored figures are read, not the
    whole results."""
    if not periods:
        return {}
    candidates = await Payslip.select(Payslip.id, Payslip.employee_id, Payslip.batch, Payslip.created_at,
                                      Payslip.year_to_date).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.employee_id >= first) & (Payslip.employee_id <= last)
        & Payslip.batch.is_in(list(periods)))
    latest: dict[UUID, dict[str, Any]] = {}
    for row in sorted(candidates, key=lambda row: (periods[row["batch"]], row["created_at"])):
        latest[row["employee_id"]] = row
    older = await _results_of(uow, [r["id"] for r in latest.values() if r["year_to_date"] is None], _YearToDateOnly)
    return {employee_id: (msgspec.json.decode(row["year_to_date"]) if row["year_to_date"] is not None
                          else older[row["id"]].year_to_date) for employee_id, row in latest.items()}


async def payslip_summaries(uow: UnitOfWork, batch: UUID, *, above: UUID | None,
                            up_to: UUID | None) -> list[tuple[UUID, str, str]]:
    """The stored variance summary (JSON) of each payslip of a calculation batch whose employee id is above
    ``above`` and at most ``up_to`` (None: no bound), with the employee and currency, in employee-id order.
    The batch alone names the run's payslips; with the run's id in the condition too, PostgreSQL without
    statistics scanned the whole run through the (run, batch) index for every page."""
    query = Payslip.select(Payslip.id, Payslip.employee_id, Payslip.currency, Payslip.summary).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.batch == batch))
    if above is not None:
        query = query.where(Payslip.employee_id > above)
    if up_to is not None:
        query = query.where(Payslip.employee_id <= up_to)
    rows = await query.order_by(Payslip.employee_id)
    older = await _results_of(uow, [row["id"] for row in rows if row["summary"] is None], dict[str, Any])
    return [(row["employee_id"], row["currency"], row["summary"] if row["summary"] is not None
             else msgspec.json.encode(StoredSummary.of(older[row["id"]])).decode()) for row in rows]


async def _results_of(uow: UnitOfWork, payslip_ids: list[UUID], shape: Any) -> dict[UUID, Any]:
    """The whole results of payslips written before their summary and year to date were stored apart."""
    if not payslip_ids:
        return {}
    rows = await Payslip.select(Payslip.id, Payslip.result).where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.id.is_in(payslip_ids))
    return {row["id"]: msgspec.json.decode(row["result"], type=shape) for row in rows}


async def current_payslips(uow: UnitOfWork, base_run_id: UUID, employee_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """The payslip in force for each employee in a finalised run's period: the run's own, or the latest
    finalised correction of it."""
    runs = await PayRun.select(PayRun.results_batch).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised")
        & ((PayRun.id == base_run_id) | (PayRun.corrects_run_id == base_run_id)))
    batches = [run["results_batch"] for run in runs]
    if not batches or not employee_ids:
        return {}
    rows = await Payslip.select().where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.employee_id.is_in(employee_ids)
        & Payslip.batch.is_in(batches)).order_by(Payslip.created_at)
    return {row["employee_id"]: {**row, "result": json.loads(row["result"])} for row in rows}


async def open_correction_of(uow: UnitOfWork, base_run_id: UUID) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.corrects_run_id == base_run_id)
        & PayRun.state.not_in(["finalised", "cancelled"]))


async def open_runs_after(uow: UnitOfWork, group_id: UUID, period_end: date) -> list[dict[str, Any]]:
    """The group's regular runs of later periods that are neither finalised nor cancelled."""
    rows = await PayRun.select().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.period_start > period_end) & PayRun.state.not_in(["finalised", "cancelled"]))
    return [_run_row(row) for row in rows]


async def later_period_finalised(uow: UnitOfWork, group_id: UUID, period_end: date) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.state == "finalised") & (PayRun.period_start > period_end))


async def previous_finalised_run(uow: UnitOfWork, group_id: UUID, before: date) -> dict[str, Any] | None:
    row = await PayRun.select().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.state == "finalised")
        & (PayRun.kind == "regular") & (PayRun.pay_date < before)).order_by(PayRun.pay_date, ascending=False).first()
    return _run_row(row) if row else None


async def exceptions(uow: UnitOfWork, run_id: UUID) -> list[dict[str, Any]]:
    rows = await VarianceException.select().where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id)
    ).order_by(VarianceException.key)
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


async def replace_exceptions(uow: UnitOfWork, run_id: UUID, found: dict[str, dict[str, Any]]) -> None:
    """Keep acknowledged exceptions that still apply (same key), drop the gone ones, add the new ones."""
    current = {row["key"]: row for row in await exceptions(uow, run_id)}
    gone = [key for key in current if key not in found]
    if gone:
        await VarianceException.delete().where(
            (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id)
            & VarianceException.key.is_in(gone))
    new = [VarianceException(id=new_id(), tenant_id=uow.tenant_id, run_id=run_id, key=key,
                             detail=json.dumps(detail, ensure_ascii=False), created_at=utc_now())
           for key, detail in found.items() if key not in current]
    if new:
        await VarianceException.insert(*new)


async def acknowledge(uow: UnitOfWork, exception_id: UUID, by: str, note: str) -> bool:
    changed = await VarianceException.update({
        VarianceException.acknowledged_by: by, VarianceException.acknowledged_at: utc_now(),
        VarianceException.note: note}).where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.id == exception_id)
        & VarianceException.acknowledged_by.is_null()).returning(VarianceException.id)
    return bool(changed)


async def reviewer_regions(uow: UnitOfWork, subject: str) -> set[str]:
    rows = await ReviewerRegion.select(ReviewerRegion.region).where(
        (ReviewerRegion.tenant_id == uow.tenant_id) & (ReviewerRegion.subject == subject))
    return {row["region"] for row in rows}


async def assign_region(uow: UnitOfWork, subject: str, region: str) -> None:
    if region not in await reviewer_regions(uow, subject):
        await ReviewerRegion.insert(ReviewerRegion(id=new_id(), tenant_id=uow.tenant_id, subject=subject,
                                                   region=region, created_at=utc_now()))


async def account_mapping(uow: UnitOfWork) -> dict[str, str] | None:
    row = await AccountMapping.select(AccountMapping.mapping).where(AccountMapping.tenant_id == uow.tenant_id).first()
    return json.loads(row["mapping"]) if row else None


async def save_account_mapping(uow: UnitOfWork, accounts: dict[str, str]) -> None:
    await _save_tenant_setting(uow, AccountMapping, {"mapping": json.dumps(accounts)})


async def variance_thresholds(uow: UnitOfWork) -> dict[str, str] | None:
    row = await VarianceThresholdSetting.select(
        VarianceThresholdSetting.net_change_ratio, VarianceThresholdSetting.line_change_ratio,
    ).where(VarianceThresholdSetting.tenant_id == uow.tenant_id).first()
    return dict(row) if row else None


async def save_variance_thresholds(uow: UnitOfWork, ratios: dict[str, str]) -> None:
    await _save_tenant_setting(uow, VarianceThresholdSetting, ratios)


async def _save_tenant_setting(uow: UnitOfWork, table: type[Table], values: dict[str, Any]) -> None:
    """A setting the tenant has once (one row per tenant, versioned): created the first time, updated after."""
    now = utc_now()
    if await table.exists().where(table.tenant_id == uow.tenant_id):
        await table.update({**values, "updated_at": now, "version": table.version + 1}).where(
            table.tenant_id == uow.tenant_id)
    else:
        await table.insert(table(id=new_id(), tenant_id=uow.tenant_id, version=1, created_at=now, updated_at=now,
                                 **values))


async def payslips_of_employee(uow: UnitOfWork, employee_id: UUID) -> list[dict[str, Any]]:
    """An employee's payslips of finalised runs: the ones the employee may see."""
    finalised = PayRun.select(PayRun.results_batch).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised"))
    rows = await Payslip.select().where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.employee_id == employee_id)
        & Payslip.batch.is_in(finalised)).order_by(Payslip.created_at)
    return [{**row, "result": json.loads(row["result"])} for row in rows]
