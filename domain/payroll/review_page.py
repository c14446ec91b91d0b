"""What a reviewer approves from: a pay run's subject, its net pay beside the previous run's, its variance
exceptions with their acknowledgements, and the payslips its calculation could not calculate, in one answer
(``getPayRunReview``), which :mod:`domain.payroll.review_html` draws as a page.

The previous run is the one the variance check compares with: a regular run's group's previous finalised
regular run, or for a correction the payslips it replaces. Net pay is compared per employee paid in both, in the
same currency; the answer keeps the largest changes (by ratio, a change from nothing first) and the totals per
currency, so it stays one page however many people the run pays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from domain.identity.service import user_by_subject_in
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.money import Money, exact
from domain.kernel.principal import Principal
from domain.kernel.reports import Produced, produced_now
from domain.payroll import queries
from domain.payroll.model import CalculationProblemView, ExceptionView
from domain.payroll.pipeline import CORRECTION
from domain.payroll.queries import PayRunRow
from domain.payroll.runs import load_group, load_run, run_view
from domain.payroll.settings import variance_thresholds_in
from domain.payroll.variance import StoredSummary, shown
from domain.payroll.workflow import Approval, RunState
from domain.tenancy.service import legal_entity_in

#: The most net-pay changes an answer lists (and its chart draws), largest first.
LARGEST_CHANGES = 25
#: The most variance exceptions an answer lists, in key order; ``exceptions_total`` says how many there are.
EXCEPTIONS_SHOWN = 500

Ratio = Annotated[Decimal, msgspec.Meta(description="A ratio, not money: 0.25 is 25%.")]


class ReviewSubject(msgspec.Struct, frozen=True, kw_only=True):
    """Which run a review is of: its pay group and legal entity, kind, period and pay date, review state, who
    prepared and who last calculated it and when, the hash of its current results and the approvals given."""

    run_id: UUID
    pay_group_id: UUID
    pay_group_name: str
    legal_entity_name: str
    kind: Annotated[str, msgspec.Meta(description="`regular`, or `correction` for an off-cycle run.")]
    period_start: date
    period_end: date
    pay_date: date
    state: RunState
    preparer: str | None
    calculated_by: Annotated[str | None, msgspec.Meta(
        description="The subject whose calculation gave the current results; null before the first.")]
    calculated_at: Annotated[datetime | None, msgspec.Meta(description="When that calculation completed, in UTC.")]
    results_hash: str | None
    approvals: list[Approval]


class PreviousRun(msgspec.Struct, frozen=True, kw_only=True):
    """The run this one is compared with."""

    run_id: UUID
    period_start: date
    period_end: date
    pay_date: date


class NetPayChange(msgspec.Struct, frozen=True, kw_only=True):
    """An employee's net pay in this run beside the previous run's (money in ``currency``), the change and its
    ratio to the previous net (null when that was 0)."""

    employee_id: UUID
    name: str
    currency: str
    previous: Money
    current: Money
    change: Money
    change_ratio: Ratio | None


class NetPayTotal(msgspec.Struct, frozen=True, kw_only=True):
    """Net pay of one currency over the run and over the previous run, with how many were paid in each."""

    currency: str
    employees: int
    net: Money
    previous_employees: int
    previous_net: Money


class PayRunReview(msgspec.Struct, frozen=True, kw_only=True):
    """A pay run as its reviewers approve it: its subject; the run it is compared with (null for a group's first
    run); the tenant's net-change tolerance; the largest net-pay changes (up to 25, largest ratio first, a change
    from nothing first of all) and net pay per currency; the variance exceptions (up to 500 in key order) with who
    acknowledged each, when and why; the payslips the last calculation could not calculate (up to 100) with why;
    and when and by whom this review was produced. Messages are in the reader's language (Accept-Language, else
    the user's own)."""

    subject: ReviewSubject
    previous_run: PreviousRun | None
    net_change_threshold: Ratio
    largest_net_changes: list[NetPayChange]
    net_changes_total: Annotated[int, msgspec.Meta(description="Employees paid in both runs in one currency.")]
    net_totals: list[NetPayTotal]
    exceptions: list[ExceptionView]
    exceptions_total: int
    open_exceptions: int
    calculation_problems: list[CalculationProblemView]
    calculation_problems_total: int
    produced: Produced


class _Paid(msgspec.Struct, frozen=True):
    name: str
    currency: str
    net: Decimal


async def pay_run_review(principal: Principal, run_id: UUID) -> PayRunReview:
    """The review of a pay run for ``principal``, in their language and time zone."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        run = await load_run(uow, run_id)
        view = await run_view(uow, run_id, principal.locale)
        subject = await _subject(uow, run)
        previous, before = await _previous(uow, run)
        now = await _paid(uow, run.results_batch) if run.results_batch else {}
        rows = await queries.exceptions(uow, run_id)
        threshold = (await variance_thresholds_in(uow)).net_change_ratio
        user = await user_by_subject_in(uow, principal.subject)
    changes = _changes(now, before)
    return PayRunReview(
        subject=subject, previous_run=previous, net_change_threshold=threshold,
        largest_net_changes=_largest(changes), net_changes_total=len(changes), net_totals=_totals(now, before),
        exceptions=[ExceptionView(id=row.id, key=row.key, detail=shown(row.detail, principal.locale),
                                  acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at,
                                  note=row.note) for row in rows[:EXCEPTIONS_SHOWN]],
        exceptions_total=len(rows), open_exceptions=sum(1 for row in rows if row.acknowledged_by is None),
        calculation_problems=view.calculation_problems, calculation_problems_total=view.calculation_problems_total,
        produced=produced_now(principal, user.display_name if user else None))


async def _subject(uow: UnitOfWork, run: PayRunRow) -> ReviewSubject:
    group = await load_group(uow, run.pay_group_id)
    entity = await legal_entity_in(uow, group.legal_entity_id)
    calculation = await queries.calculation_of(uow, run.id, run.results_batch) if run.results_batch else None
    return ReviewSubject(
        run_id=run.id, pay_group_id=group.id, pay_group_name=group.name,
        legal_entity_name=entity.name if entity else "", kind=run.kind, period_start=run.period_start,
        period_end=run.period_end, pay_date=run.pay_date, state=run.facts.state, preparer=run.facts.preparer,
        calculated_by=calculation.calculated_by if calculation else None,
        calculated_at=calculation.completed_at if calculation else None,
        results_hash=run.facts.results_hash, approvals=list(run.facts.approvals))


async def _previous(uow: UnitOfWork, run: PayRunRow) -> tuple[PreviousRun | None, dict[UUID, _Paid]]:
    """The run compared with and what it paid each employee: for a correction, the payslips it replaces."""
    if run.kind == CORRECTION and run.corrects_run_id is not None:
        base = await load_run(uow, run.corrects_run_id)
        replaced = await queries.current_payslips(uow, base.id, list(run.scope or []))
        paid = {employee_id: _Paid(slip.result["name"], slip.currency, Decimal(slip.result["totals"]["net"]))
                for employee_id, slip in replaced.items()}
        return _previous_run(base), paid
    found = await queries.previous_finalised_run(uow, run.pay_group_id, run.pay_date)
    if found is None or found.results_batch is None:
        return None, {}
    return _previous_run(found), await _paid(uow, found.results_batch)


def _previous_run(run: PayRunRow) -> PreviousRun:
    return PreviousRun(run_id=run.id, period_start=run.period_start, period_end=run.period_end,
                       pay_date=run.pay_date)


async def _paid(uow: UnitOfWork, batch: UUID) -> dict[UUID, _Paid]:
    paid = {}
    for row in await queries.payslip_summaries(uow, batch, above=None, up_to=None):
        summary = msgspec.json.decode(row.summary, type=StoredSummary)
        paid[row.employee_id] = _Paid(summary.name, row.currency, summary.net)
    return paid


def _changes(now: dict[UUID, _Paid], before: dict[UUID, _Paid]) -> list[NetPayChange]:
    changes = []
    for employee_id, slip in now.items():
        earlier = before.get(employee_id)
        if earlier is None or earlier.currency != slip.currency:
            continue  # new, or paid in another currency: an exception says so; a ratio would mean nothing
        ratio = (slip.net - earlier.net) / abs(earlier.net) if earlier.net else None
        changes.append(NetPayChange(
            employee_id=employee_id, name=slip.name, currency=slip.currency,
            previous=exact(earlier.net, slip.currency), current=exact(slip.net, slip.currency),
            change=exact(slip.net - earlier.net, slip.currency),
            change_ratio=ratio.quantize(Decimal("0.0001")) if ratio is not None else None))
    return changes


def _largest(changes: Iterable[NetPayChange]) -> list[NetPayChange]:
    """Largest ratio first; a change from nothing (no ratio) before any, an unchanged net after all."""
    def size(change: NetPayChange) -> tuple[int, Decimal, str, str]:
        moved = Decimal(change.change) != 0
        ratio = abs(change.change_ratio) if change.change_ratio is not None else Decimal(0)
        return (0 if moved and change.change_ratio is None else 1 if moved else 2, -ratio, change.name.casefold(),
                str(change.employee_id))

    return sorted(changes, key=size)[:LARGEST_CHANGES]


def _totals(now: dict[UUID, _Paid], before: dict[UUID, _Paid]) -> list[NetPayTotal]:
    currencies = sorted({slip.currency for slip in now.values()} | {slip.currency for slip in before.values()})
    totals = []
    for currency in currencies:
        current = [slip.net for slip in now.values() if slip.currency == currency]
        earlier = [slip.net for slip in before.values() if slip.currency == currency]
        totals.append(NetPayTotal(
            currency=currency, employees=len(current), net=exact(sum(current, Decimal(0)), currency),
            previous_employees=len(earlier), previous_net=exact(sum(earlier, Decimal(0)), currency)))
    return totals
