"""The demo's payroll: monthly pay groups in Shanghai, Tokyo and Berlin; last month's runs through the whole
dual review (calculated by the preparer, exceptions acknowledged and approved by two other reviewers, finalised);
this month's runs calculated on today's date with a few inputs and submitted, awaiting review. Where a payslip is
refused for law the tenant must accept in writing (the Shenzhen engineer's unverified social insurance), the demo's
admin makes that choice through the law-choices use case, saying it is a demo, and the preparer calculates again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from api.demo_cast import Cast, DemoSeedFailed
from api.demo_people import DEMO_NOTE, Hire
from compliance.calculation import PayFrequency
from compliance.errors import LawNotYetPublished
from domain.payroll import service as payroll
from domain.payroll.calendar import PayGroupRule
from domain.payroll.model import RunState
from domain.payroll.service import (
    Acknowledge,
    Approve,
    NewPayGroup,
    NewPayInput,
    NewPayRun,
    PayRunView,
    RegionAssignment,
)
from domain.regulation import service as regulation
from domain.regulation.model import ChoiceKind, NewLawChoice, UnverifiedLawNotAccepted

SHANGHAI_GROUP = "Shanghai monthly"
#: (country, region, group name, pay day)
GROUPS = (("CN", "SH", SHANGHAI_GROUP, "last"), ("JP", "13", "Tokyo monthly", 25),
          ("DE", "BE", "Berlin monthly", "last"))
LAW_CHOICE_REASON = ("Demo data: accepted by the demo tenant's administrator so that the demo's pay runs calculate. "
                     "This is not a decision about anyone's real payroll (meridian demo seed).")
#: What this month's runs get besides pay: (country, kind, amount, note); the first employee of each country.
INPUTS = (("CN", "bonus", "12000", "Year-end bonus"), ("JP", "overtime_hours", "20", "Release weekend"),
          ("DE", "unpaid_leave_days", "2", "Unpaid leave, agreed"))
#: The written choice a payslip refused for its law asks a payroll admin for, by the refusal's code.
WRITTEN_CHOICES = {LawNotYetPublished.code: ChoiceKind.CARRY_FORWARD,
                   UnverifiedLawNotAccepted.code: ChoiceKind.ACCEPT_UNVERIFIED}


@dataclass(frozen=True)
class DemoPayroll:
    finalised: list[PayRunView]
    awaiting_review: list[PayRunView]
    law_choices: int


def _month_before(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


async def pay_groups(cast: Cast, entities: dict[str, UUID]) -> dict[str, UUID]:
    """A monthly group per pay country, paid within the month, and the reviewers' regions."""
    groups = {}
    for country, region, name, pay_day in GROUPS:
        rule = PayGroupRule(frequency=PayFrequency.MONTHLY, pay_day=pay_day, country=country, subdivision=region)
        view = await payroll.create_group(cast.preparer, NewPayGroup(legal_entity_id=entities[country], name=name,
                                                                      rule=rule))
        groups[country] = view.id
    first, second = cast.reviewers
    for country in groups:
        await payroll.assign_region(cast.admin, RegionAssignment(subject=first.subject, region=country))
    await payroll.assign_region(cast.admin, RegionAssignment(subject=second.subject, region="*"))
    return groups


async def _period(cast: Cast, group_id: UUID, month: date) -> NewPayRun:
    calendar = await payroll.calendar_of(cast.preparer, group_id, month.year)
    period = next(p for p in calendar.periods if p.period_start == month)
    return NewPayRun(pay_group_id=group_id, year=month.year, period=period.number)


async def calculated(cast: Cast, group_id: UUID, month: date, inputs: list[NewPayInput]) -> tuple[PayRunView, int]:
    """The month's run calculated, and how many written law choices it took: where a payslip is refused for law
    the tenant must accept in writing, the admin makes that choice (as the refusal says a payroll admin can) and
    the preparer calculates again."""
    run = await payroll.create_run(cast.preparer, await _period(cast, group_id, month))
    for given in inputs:
        await payroll.add_input(cast.preparer, run.id, given)
    choices = 0
    for _ in range(len(WRITTEN_CHOICES) + 1):
        done = await payroll.calculate_in_foreground(cast.preparer, run.id, lambda _done, _total: None)
        needed = {(p.params["country"], p.params["series"], WRITTEN_CHOICES[p.code])
                  for p in done.calculation_problems if p.code in WRITTEN_CHOICES}
        if done.job_status == "done" or not needed:
            break
        for country, series, kind in sorted(needed):
            await regulation.make_choice(cast.admin, NewLawChoice(country=country, series=series, kind=kind,
                                                                  reason=LAW_CHOICE_REASON))
        choices += len(needed)
    if done.job_status != "done":
        problems = "; ".join(p.problem for p in done.calculation_problems[:3])
        raise DemoSeedFailed(f"the {month:%B %Y} run of a pay group: {problems or done.job_error or done.job_status}")
    return done, choices


async def reviewed_and_finalised(cast: Cast, run: PayRunView) -> PayRunView:
    """The four eyes: the preparer submits, a reviewer acknowledges each exception, two reviewers other than the
    preparer approve exactly these results, and the preparer finalises."""
    await payroll.submit(cast.preparer, run.id)
    first, second = cast.reviewers
    for exception in (await payroll.exceptions_of(first, run.id, limit=200, acknowledged=False)).items:
        await payroll.acknowledge(first, run.id, exception.id, Acknowledge(
            note=f"Checked against the employment records {DEMO_NOTE}"))
    for reviewer in (first, second):
        await payroll.approve(reviewer, run.id, Approve(results_hash=run.results_hash or ""))
    return await payroll.finalise(cast.preparer, run.id)


def _inputs(country: str, staff: list[Hire]) -> list[NewPayInput]:
    paid = [made for made in staff if made.country == country]
    return [NewPayInput(employee_id=paid[0].employee.id, kind=kind, amount=amount, note=f"{note} {DEMO_NOTE}")
            for where, kind, amount, note in INPUTS if where == country and paid]


async def seed_payroll(cast: Cast, entities: dict[str, UUID], staff: list[Hire], today: date) -> DemoPayroll:
    groups = await pay_groups(cast, entities)
    finalised, awaiting, choices = [], [], 0
    for country, group_id in groups.items():
        last_month, chosen = await calculated(cast, group_id, _month_before(today), [])
        finalised.append(await reviewed_and_finalised(cast, last_month))
        current, also_chosen = await calculated(cast, group_id, today.replace(day=1), _inputs(country, staff))
        awaiting.append(await payroll.submit(cast.preparer, current.id))
        choices += chosen + also_chosen
    if any(run.state is not RunState.IN_REVIEW for run in awaiting):
        raise DemoSeedFailed("a run of this month is not awaiting review")
    return DemoPayroll(finalised=finalised, awaiting_review=awaiting, law_choices=choices)
