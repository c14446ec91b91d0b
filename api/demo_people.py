"""The demo's people: onboarding rules and standard items, the hires of the last years with a year of reviews,
trainings and some departures (what the feedback loop and attrition read), and this month's hires, whose onboarding
plans come from the gaps their interviews showed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.demo_cast import Cast, People
from api.demo_hiring import ENGINEER, PRODUCT, Applicant, Deliveries, JobPlan, OpenJob, interviewed, scores_for
from compliance.pack import LABOUR_SERIES
from compliance.registry import pack_for
from domain.employees import development
from domain.employees import service as employees
from domain.employees.development import NewModule, NewReview, NewTrainingRecord
from domain.employees.model import EmployeeView, HireRequest, Pay
from domain.employees.service import Departure, NewOnboardingRule, NewStandardItem, OnboardingItemUpdate

#: Monthly pay ranges per country, in the legal entity's currency, and how it is written (no minor unit in JPY).
PAY = {"CN": (18_000, 32_000, "CNY"), "JP": (380_000, 620_000, "JPY"), "DE": (4_800, 7_200, "EUR")}
#: Where each job's earlier hires work: the feedback loop needs at least 10 hires per job.
COHORTS: dict[str, tuple[str, ...]] = {
    ENGINEER.key: ("CN",) * 6 + ("JP",) * 3 + ("DE",) * 3,
    PRODUCT.key: ("JP",) * 4 + ("CN",) * 3 + ("DE",) * 3,
}
#: Earlier hires who work from another city than their legal entity's: (job, index in its cohort) -> region.
ELSEWHERE = {(ENGINEER.key, 3): "SZ"}  # a Shanghai company's engineer in Shenzhen, on Shenzhen's social insurance
LEAVERS = 4
DEMO_NOTE = "(demo data)"


def _titles(en: str, zh: str, ja: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh, "ja": ja}


MODULES = {
    "collaboration": _titles("Working together across time zones", "跨时区协作", "タイムゾーンを越えた協働"),
    "data_protection": _titles("Data protection basics", "数据保护基础", "データ保護の基本"),
    "analytics_basics": _titles("SQL and product metrics", "SQL 与产品指标", "SQL とプロダクト指標"),
}
#: (competency, below, title, owner, due in working days, module code)
RULES = (
    ("coding", "60", _titles("Pair programming with a senior engineer", "与资深工程师结对编程",
                             "シニアエンジニアとのペアプログラミング"), "hiring_manager", 10, None),
    ("teamwork", "60", _titles("Team collaboration workshop", "团队协作工作坊", "チーム協働ワークショップ"),
     "hr_admin", 15, "collaboration"),
    ("problem_solving", "60", _titles("Architecture walkthrough with the tech lead", "与技术负责人一起梳理架构",
                                      "テックリードとのアーキテクチャ説明会"), "hiring_manager", 20, None),
    ("communication", "60", _titles("Presentation coaching", "演讲辅导", "プレゼンテーション指導"),
     "hr_admin", 20, None),
    ("analytics", "55", _titles("SQL and metrics course", "SQL 与指标课程", "SQL と指標の講座"), "employee", 25,
     "analytics_basics"),
)
STANDARD_ITEMS = (
    (_titles("Sign the employment contract", "签署劳动合同", "雇用契約書への署名"), "hr_admin", 1),
    (_titles("Laptop, accounts and building access", "电脑、账号与门禁", "PC・アカウント・入館証"),
     "hiring_manager", 1),
)
LOCAL_ITEMS = {
    "CN": _titles("Register social insurance and housing fund", "办理社保和公积金登记", "社会保険と住宅積立金の登録"),
    "JP": _titles("Collect My Number and enrol in social insurance", "收集个人编号并办理社保",
                  "マイナンバー回収と社会保険加入"),
    "DE": _titles("Record tax ID and social security number", "登记税号和社保号", "税番号と社会保険番号の登録"),
}


@dataclass(frozen=True)
class Hire:
    employee: EmployeeView
    country: str
    plan: JobPlan
    scores: dict[str, float]


async def onboarding_setup(cast: Cast, entities: dict[str, UUID]) -> dict[str, UUID]:
    """The training catalogue, the rules that turn interview gaps into onboarding items, and every pay entity's
    standard items; the module ids by code."""
    modules = {code: (await development.add_module(cast.hr, NewModule(code=code, title=title))).id
               for code, title in MODULES.items()}
    for competency, below, title, owner, due, module in RULES:
        await employees.add_onboarding_rule(cast.hr, NewOnboardingRule(
            competency=competency, below=Decimal(below), item=title, owner_role=owner, due_in_working_days=due,
            module_id=modules[module] if module else None))
    for country, local_item in LOCAL_ITEMS.items():
        for title, owner, due in (*STANDARD_ITEMS, (local_item, "hr_admin", 5)):
            await employees.add_standard_item(cast.hr, NewStandardItem(
                legal_entity_id=entities[country], title=title, owner_role=owner, due_in_working_days=due))
    return modules


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def first_known_month(country: str) -> date:
    """The first month from which the country's labour law, which every hire's contract is checked against, is
    known in full."""
    known = min(v.effective_from for v in pack_for(country).series[LABOUR_SERIES].versions if v.region is None)
    return known if known.day == 1 else _months_before(known, -1)


def monthly_pay(country: str, chance: random.Random) -> Pay:
    low, high, currency = PAY[country]
    step = 10_000 if currency == "JPY" else 100
    return Pay(amount=str(chance.randrange(low, high, step)), currency=currency, unit="month")


def tax_attributes(country: str, born: date) -> dict[str, Any] | None:
    """What each country's payroll reads of a new hire: a German tax class, a Japanese date of birth."""
    return {"DE": {"tax_class": 1}, "JP": {"date_of_birth": born.isoformat()}}.get(country)


#: the demo's first employee number; hires are numbered in the order they are made, E-1001 onwards
FIRST_EMPLOYEE_NUMBER = 1001
DEPARTMENTS = {"engineer": "Engineering", "product": "Product"}


async def hire(cast: Cast, applicant: Applicant, entity_id: UUID, start: date, chance: random.Random, number: int,
               manager: UUID | None = None, region: str | None = None) -> Hire:
    person = applicant.person
    employee = await employees.hire(cast.hr, applicant.application.id, HireRequest(
        legal_entity_id=entity_id, position=applicant.job.plan.title["en"], start_date=start,
        pay=monthly_pay(person.country, chance), weekly_hours="40", probation_months=3, region=region,
        tax_attributes=tax_attributes(person.country, person.birth_date), manager_id=manager,
        employee_number=f"E-{number}", department=DEPARTMENTS[applicant.job.plan.key]))
    return Hire(employee=employee, country=person.country, plan=applicant.job.plan, scores=applicant.scores)


def review_periods(today: date) -> tuple[str, str]:
    """The last two half-years that have ended: a year of reviews."""
    if today.month >= 7:
        return f"{today.year - 1}-H2", f"{today.year}-H1"
    return f"{today.year - 1}-H1", f"{today.year - 1}-H2"


async def cohort(cast: Cast, deliveries: Deliveries, people: People, jobs: list[OpenJob], entities: dict[str, UUID],
                 today: date) -> list[Hire]:
    """Earlier hires of both jobs, each hired after a scored AI interview, 13 to 32 months ago (or when the
    country's labour law the demo knows begins)."""
    chance = random.Random(2026)
    hires: list[Hire] = []
    for job in jobs:
        leads: dict[str, UUID] = {}
        for index, country in enumerate(COHORTS[job.plan.key]):
            start = max(_months_before(today, 13 + (index * 7) % 20), first_known_month(country))
            interview = datetime(start.year, start.month, start.day, 9, tzinfo=UTC) - timedelta(days=25)
            applicant = await interviewed(cast, deliveries, job, people.next(country),
                                          scores_for(job.plan, chance), interview)
            made = await hire(cast, applicant, entities[country], start, chance,
                              FIRST_EMPLOYEE_NUMBER + len(hires), leads.get(country),
                              ELSEWHERE.get((job.plan.key, index)))
            leads.setdefault(country, made.employee.id)
            hires.append(made)
            await onboarded(cast, made, everything=True)
    return hires


async def onboarded(cast: Cast, made: Hire, *, everything: bool) -> None:
    """The plan worked through: every item of an earlier hire, the first day's items of this month's."""
    plan = (await employees.onboarding_plan(cast.hr, made.employee.id, limit=200)).items
    first_day = min((item.due_date for item in plan), default=None)
    for item in plan:
        if everything or item.due_date == first_day:
            await employees.update_onboarding_item(cast.hr, made.employee.id, item.id,
                                                   OnboardingItemUpdate(status="done"), item.version)


def _rating(value: float) -> str:
    return f"{min(5.0, max(1.0, value)):.1f}"


async def reviews(cast: Cast, hires: list[Hire], today: date) -> int:
    """Two half-yearly reviews per hire by the hiring manager; performance follows each job's predictive
    competency, as the feedback loop should find."""
    chance = random.Random(7)
    given = 0
    for made in hires:
        plan = made.plan
        performance = 1 + 4 * (made.scores[plan.predictive] - 40) / 55
        for half, drift in zip(review_periods(today), (chance.uniform(-0.6, 0.3), 0.0), strict=True):
            ratings = {c.code: _rating(chance.uniform(2.4, 4.6)) for c in plan.competencies}
            ratings[plan.predictive] = _rating(performance + drift + chance.gauss(0, 0.5))
            await development.add_review(cast.manager, made.employee.id, NewReview(
                period=half, ratings=ratings, overall=_rating(performance + drift + chance.gauss(0, 0.4))))
            given += 1
    return given


async def trainings(cast: Cast, hires: list[Hire], modules: dict[str, UUID], leavers: set[UUID]) -> int:
    """Data protection for everyone: completed by most, merely assigned to the ones about to leave."""
    recorded = 0
    for index, made in enumerate(hires):
        completed = made.employee.id not in leavers and index % 5 != 4
        await development.add_training_record(cast.hr, made.employee.id, NewTrainingRecord(
            module_id=modules["data_protection"], status="completed" if completed else "assigned",
            completed_on=made.employee.employment.effective_from + timedelta(days=30)
            if completed and made.employee.employment else None))
        recorded += 1
    return recorded


def likely_leavers(hires: list[Hire]) -> list[Hire]:
    """Who the demo lets go: mostly hires whose culture fit scored low, as people go, but not only them."""
    chance = random.Random(5)
    return sorted(hires, key=lambda made: made.scores["culture_fit"] + chance.gauss(0, 15))[:LEAVERS]


async def departures(cast: Cast, leaving: list[Hire], today: date) -> None:
    for index, made in enumerate(leaving):
        await employees.record_departure(cast.hr, made.employee.id, Departure(
            left_on=today - timedelta(days=60 + 25 * index),
            reason=f"Resigned: moved to another company {DEMO_NOTE}"))


async def this_months_hires(cast: Cast, applicants: list[Applicant], entities: dict[str, UUID],
                            today: date, first_number: int) -> list[Hire]:
    """Hired on the first of this month into their own country's entity; the rules add onboarding items for the
    competencies their interviews scored low."""
    chance = random.Random(12)
    hires = [await hire(cast, applicant, entities[applicant.person.country], today.replace(day=1), chance,
                        first_number + index)
             for index, applicant in enumerate(applicants)]
    for made in hires:
        await onboarded(cast, made, everything=False)
    return hires
