"""``meridian demo seed``: a company with something in every view, seeded on today's date through the same use cases
a client calls, each by the user whose token would call it, so the demo runs the real rules (tenant isolation,
audit, signed deliveries, four eyes, written law choices). Seeding a tenant that holds the demo already adds
nothing and says so; either way the seed ends with the first thing each role looks at."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar
from uuid import UUID

from api.demo_cast import Cast, DemoSeedFailed, People, cast_of
from api.demo_hiring import (
    DEMO_JOB_TITLE,
    DEMO_VENDOR,
    ENGINEER,
    Applicant,
    Deliveries,
    OpenJob,
    interviewed,
    move,
    open_jobs,
    register_vendor,
    schedule_interviews,
    scores_for,
)
from api.demo_payroll import SHANGHAI_GROUP, DemoPayroll, seed_payroll
from api.demo_people import (
    FIRST_EMPLOYEE_NUMBER,
    Hire,
    cohort,
    departures,
    likely_leavers,
    onboarding_setup,
    reviews,
    this_months_hires,
    trainings,
)
from api.runtime import Runtime
from domain.assessments import service as assessments
from domain.employees import service as employees
from domain.identity import service as identity
from domain.identity.model import UserView
from domain.interviews import portal
from domain.interviews import service as interviews
from domain.interviews.model import InterviewFilter
from domain.kernel.permissions import Role
from domain.kernel.principal import SystemActor
from domain.kernel.settings import Mode
from domain.kernel.time import utc_now
from domain.payroll import service as payroll
from domain.payroll.model import PayRunSummary, RunFilter, RunState
from domain.recruitment import service as recruitment
from domain.recruitment.model import JobView
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity, NewTenant

__all__ = ["DEMO_JOB_TITLE", "TOKEN_HOURS", "DemoSeedFailed", "DemoTenant", "FirstLook", "link_base", "report",
           "seed"]

T = TypeVar("T")
DEMO_TENANT = "Demo Company"
DEMO_ENTITIES = [
    NewLegalEntity(name="Meridian Demo GmbH", country="DE", region="BE", currency="EUR", timezone="Europe/Berlin"),
    NewLegalEntity(name="Meridian Demo (Shanghai) Co., Ltd.", country="CN", region="SH", currency="CNY",
                   timezone="Asia/Shanghai"),
    NewLegalEntity(name="Meridian Demo K.K.", country="JP", region="13", currency="JPY", timezone="Asia/Tokyo"),
    NewLegalEntity(name="Meridian Demo Inc.", country="US", currency="USD", timezone="America/Los_Angeles"),
    NewLegalEntity(name="Meridian Demo Ltd", country="GB", currency="GBP", timezone="Europe/London"),
    NewLegalEntity(name="Meridian Demo Pte. Ltd.", country="SG", currency="SGD", timezone="Asia/Singapore"),
    # The US pack is federal and the IN pack national: neither has regions, so neither entity names one.
    NewLegalEntity(name="Meridian Demo India Pvt. Ltd.", country="IN", currency="INR", timezone="Asia/Kolkata"),
]
PAY_COUNTRIES = ("CN", "JP", "DE")
#: The pipeline of each job today: countries of its applicants in order, and how many at the end are parked.
PIPELINES = {"engineer": (("CN", "JP", "DE") * 7)[:20], "product": ("JP", "JP", "CN", "DE", "JP", "DE")}
PARKED = {"engineer": 4, "product": 1}
#: Applicants of the engineer job hired this month, and the gap each interview showed (a score below a rule).
GAPS = ({"coding": 88.0, "problem_solving": 79.0, "teamwork": 46.0, "culture_fit": 72.0},
        {"coding": 55.0, "problem_solving": 84.0, "teamwork": 77.0, "culture_fit": 81.0})


@dataclass(frozen=True)
class FirstLook:
    """What a role looks at first: the user, the roles their token carries and the path to open."""

    role: Role
    subject: str
    display_name: str
    roles: tuple[Role, ...]
    path: str
    what: str


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: UUID
    created: bool  # False when the tenant held the demo already
    summary: list[str]
    looks: list[FirstLook]


async def seed(runtime: Runtime) -> DemoTenant:
    tenant_id = await _demo_tenant(runtime)
    cast = await cast_of(tenant_id)
    present = any(v.name == DEMO_VENDOR for v in (await assessments.list_vendors(cast.admin, None, 200)).items)
    summary = [] if present else await _fill(cast, utc_now().date())
    return DemoTenant(tenant_id=tenant_id, created=not present, summary=summary, looks=await first_looks(cast))


@dataclass(frozen=True)
class Workforce:
    earlier: list[Hire]  # hired over the last two years
    leaving: list[Hire]  # of those, the ones who left
    reviews: int


@dataclass(frozen=True)
class Recruiting:
    applicants: list[Applicant]  # in the jobs' pipelines today
    hired: list[Hire]  # of those, hired this month
    interviews: int


async def _fill(cast: Cast, today: date) -> list[str]:
    entities = await _entities(cast)
    deliveries = await register_vendor(cast)
    jobs = await open_jobs(cast, entities, today)
    modules = await onboarding_setup(cast, entities)
    people = People(seed=17)
    workforce = await _workforce(cast, deliveries, people, jobs, entities, modules, today)
    recruiting = await _recruiting(cast, deliveries, people, jobs, entities, today,
                                   FIRST_EMPLOYEE_NUMBER + len(workforce.earlier))
    staying = [made for made in workforce.earlier if made not in workforce.leaving]
    ran = await seed_payroll(cast, entities, staying + recruiting.hired, today)
    await employees.grant_access(cast.hr, next(m for m in staying if m.country == "CN").employee.id)
    return _summary(jobs, workforce, recruiting, ran)


async def _workforce(cast: Cast, deliveries: Deliveries, people: People, jobs: list[OpenJob],
                     entities: dict[str, UUID], modules: dict[str, UUID], today: date) -> Workforce:
    """Earlier hires with a year of reviews and their trainings; the few who left did so in the last months."""
    earlier = await cohort(cast, deliveries, people, jobs, entities, today)
    leaving = likely_leavers(earlier)
    given = await reviews(cast, earlier, today)
    await trainings(cast, earlier, modules, {made.employee.id for made in leaving})
    await departures(cast, leaving, today)
    return Workforce(earlier=earlier, leaving=leaving, reviews=given)


async def _recruiting(cast: Cast, deliveries: Deliveries, people: People, jobs: list[OpenJob],
                      entities: dict[str, UUID], today: date, first_number: int) -> Recruiting:
    """Today's pipelines: two applicants hired this month, the best six of the engineer job interviewing (the
    second of them with access to the candidate portal), the others screened, rejected or still waiting."""
    applicants = await _pipelines(cast, deliveries, people, jobs)
    hired = await this_months_hires(cast, applicants[:len(GAPS)], entities, today, first_number)
    waiting = [a for a in applicants[len(GAPS):] if not a.parked]
    invited = await _to_interview(cast, [a for a in waiting if a.job.plan is ENGINEER])
    booked = await schedule_interviews(cast, invited, today)
    await portal.grant_access(cast.recruiter, invited[1].candidate.id)
    chosen = {a.application.id for a in invited}
    await _screen(cast, [a for a in waiting if a.application.id not in chosen])
    return Recruiting(applicants=applicants, hired=hired, interviews=len(booked))


def _summary(jobs: list[OpenJob], workforce: Workforce, recruiting: Recruiting, ran: DemoPayroll) -> list[str]:
    applicants = recruiting.applicants
    parked = sum(1 for a in applicants if a.parked)
    return [
        f"{len(jobs)} jobs with competency models; {len(applicants)} applicants in their pipelines, "
        f"{len(applicants) - parked} scored and {parked} parked (signed deliveries from {DEMO_VENDOR})",
        f"{recruiting.interviews} interviews with candidates in Asia/Shanghai, Asia/Tokyo and Europe/Berlin",
        f"{len(workforce.earlier) + len(recruiting.hired)} employees: {len(recruiting.hired)} hired this month with "
        f"onboarding plans from their interview gaps, {len(workforce.leaving)} left; {workforce.reviews} "
        "performance reviews over the last year",
        f"{len(ran.finalised)} pay groups (Shanghai, Tokyo, Berlin): last month's runs finalised after two "
        f"approvals, this month's calculated and awaiting review; {ran.law_choices} law choices made in writing",
    ]


async def _demo_tenant(runtime: Runtime) -> UUID:
    if runtime.settings.mode is Mode.ONPREM:
        return runtime.tenant()
    for tenant in await tenancy.customer_tenants():
        if tenant.name == DEMO_TENANT:
            return tenant.id
    created = await tenancy.provision_tenant(
        SystemActor(subject="demo-seed"),
        NewTenant(name=DEMO_TENANT, countries=["DE", "CN", "JP", "US", "GB", "SG", "IN"], timezone="Europe/Berlin"),
    )
    return created.id


async def _entities(cast: Cast) -> dict[str, UUID]:
    """The demo's legal entities (an earlier demo's are kept), by country."""
    existing = {e.name: e for e in (await tenancy.list_legal_entities(cast.admin, None, 200)).items}
    for entity in DEMO_ENTITIES:
        if entity.name not in existing:
            existing[entity.name] = await tenancy.create_legal_entity(cast.admin, entity)
    return {entity.country: existing[entity.name].id for entity in DEMO_ENTITIES}


async def _pipelines(cast: Cast, deliveries: Deliveries, people: People, jobs: list[OpenJob]) -> list[Applicant]:
    """Each job's applicants of the last two weeks with their AI interviews; the engineer job's first two have
    the gaps this month's hires came with."""
    chance = random.Random(31)
    applicants = []
    for job in jobs:
        countries = PIPELINES[job.plan.key]
        for index, country in enumerate(countries):
            gap = GAPS[index] if job.plan is ENGINEER and index < len(GAPS) else None
            completed = utc_now() - timedelta(days=14 - index % 12, hours=index)
            applicants.append(await interviewed(
                cast, deliveries, job, people.next(country), dict(gap) if gap else scores_for(job.plan, chance),
                completed, parked=index >= len(countries) - PARKED[job.plan.key]))
    return applicants


def _weighted(applicant: Applicant) -> float:
    return sum(float(c.weight) * applicant.scores[c.code] for c in applicant.job.plan.competencies)


async def _to_interview(cast: Cast, applicants: list[Applicant]) -> list[Applicant]:
    """The two best of each country move on to an interview: first one from China, then Japan, then Germany."""
    best = sorted(applicants, key=_weighted, reverse=True)
    chosen = [a for country in PAY_COUNTRIES for a in [b for b in best if b.person.country == country][:2]]
    order = chosen[0::2] + chosen[1::2]
    return [replace(applicant, application=await move(cast, applicant, "interview",
                                                      "Strong AI interview; invited to a technical interview."))
            for applicant in order]


async def _screen(cast: Cast, applicants: list[Applicant]) -> None:
    """The rest of the scored applicants: the best in screening, the weakest two rejected, the others left."""
    ranked = sorted(applicants, key=_weighted, reverse=True)
    for applicant in ranked[:4]:
        await move(cast, applicant, "screening", "Good AI interview; CV under review.")
    for applicant in ranked[-2:]:
        await move(cast, applicant, "rejected", "Below the competency model's thresholds.")


# -- what each role looks at first ------------------------------------------------------------------------------

INCOMPLETE = ("the tenant holds a demo an earlier seed did not finish ({missing} is missing); seed a fresh "
              "installation (an empty MERIDIAN_DATA_DIR) instead")


async def first_looks(cast: Cast) -> list[FirstLook]:
    """Found through the same reads a client makes, so a second seed points at what the first one made."""
    jobs = (await recruitment.list_jobs(cast.hr, None, 200, None, "en")).items
    job = _found(next((j for j in jobs if j.titles.get("en") == DEMO_JOB_TITLE), None), "the engineer job")
    met = _found(next(iter((await interviews.list_interviews(cast.recruiter, None, 1, InterviewFilter())).items),
                      None), "an interview")
    waiting = (await payroll.list_runs(cast.preparer, None, 10, RunFilter(states=[RunState.IN_REVIEW]))).items
    shanghai = _found(next((run for run in waiting if run.pay_group_name == SHANGHAI_GROUP), None),
                      "the Shanghai run in review")
    employee = _found(next(iter((await identity.list_users(cast.admin, None, 1, Role.EMPLOYEE)).items), None),
                      "an employee's access")
    candidate = _found(next(iter((await identity.list_users(cast.admin, None, 1, Role.CANDIDATE)).items), None),
                       "a candidate's access")
    return _looks(cast, job, met.application_id, shanghai, employee, candidate)


def _found(thing: T | None, missing: str) -> T:
    if thing is None:
        raise DemoSeedFailed(INCOMPLETE.format(missing=missing))
    return thing


def _looks(cast: Cast, job: JobView, interviewed: UUID, shanghai: PayRunSummary, employee: UserView,
           candidate: UserView) -> list[FirstLook]:
    def look(subject: str, role: Role, path: str, what: str) -> FirstLook:
        user = cast.staff[subject]
        return FirstLook(role=role, subject=subject, display_name=user.display_name, roles=user.roles, path=path,
                         what=what)

    review = f"/v1/pay-runs/{shanghai.id}/review"
    return [
        look("demo-admin", Role.TENANT_ADMIN, "/v1/law-choices", "the law accepted in writing for the demo"),
        look("demo-hr", Role.HR_ADMIN, f"/v1/jobs/{job.id}/feedback-loop", "do interview scores predict performance?"),
        look("demo-hr", Role.HR_ADMIN, "/v1/analytics/attrition", "who may leave, and why"),
        look("demo-recruiter", Role.RECRUITER, f"/v1/applications?job_id={job.id}", "the engineer job's pipeline"),
        look("demo-recruiter", Role.RECRUITER, "/v1/interview-results?status=parked",
             "AI results waiting for their reference to be mapped"),
        look("demo-interviewer", Role.INTERVIEWER, f"/v1/applications/{interviewed}/interviewer-view",
             "everything about the candidate just met"),
        look("demo-manager", Role.HIRING_MANAGER, "/v1/interviews", "interviews, in each participant's time"),
        look("demo-preparer", Role.PAYROLL_PREPARER, "/v1/pay-runs", "the pay runs of every group"),
        look("demo-reviewer-1", Role.PAYROLL_REVIEWER, review, "this month's run to approve"),
        look("demo-reviewer-2", Role.PAYROLL_REVIEWER, review, "the same run: the second pair of eyes"),
        look("demo-auditor", Role.AUDITOR, "/v1/audit/verify", "is the audit chain intact?"),
        FirstLook(role=Role.EMPLOYEE, subject=employee.subject, display_name=employee.display_name,
                  roles=(Role.EMPLOYEE,), path="/v1/my/payslips", what="my finalised payslips"),
        FirstLook(role=Role.CANDIDATE, subject=candidate.subject, display_name=candidate.display_name,
                  roles=(Role.CANDIDATE,), path="/v1/candidate-portal",
                  what="my application and my interview, in my time zone"),
    ]


# -- what the seed prints -----------------------------------------------------------------------------------------

TOKEN_HOURS = 8


def link_base(host: str, port: int) -> str:
    """The address a browser or curl reaches the server at when it serves on ``host``: a wildcard address is
    reached on the loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - naming the wildcard, not binding it
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def report(demo: DemoTenant, issue: Callable[[str, list[str]], str], base: str) -> list[str]:
    """The summary, then per role who to be, what to look at and a curl that opens it with that user's token."""
    lines = [f"Demo data ready in tenant {demo.tenant_id}:" if demo.created else
             f"The demo is already in tenant {demo.tenant_id}; nothing was added. Fresh tokens:"]
    lines += [f"  {line}" for line in demo.summary]
    lines += ["", f"What each role looks at first (tokens valid {TOKEN_HOURS} hours; add "
                  "-H 'Accept-Language: zh-CN' or ja for another language):"]
    tokens: dict[str, str] = {}
    for look in demo.looks:
        token = tokens.setdefault(look.subject, issue(look.subject, [r.value for r in look.roles]))
        lines += ["", f"{look.role.value}  {look.subject}  {look.display_name}: {look.what}",
                  f"  curl -H 'Authorization: Bearer {token}' '{base}{look.path}'"]
    return lines
