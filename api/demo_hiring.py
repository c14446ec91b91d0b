"""The demo's recruiting: two jobs with competency models, AI-interview results a demo vendor delivers through the
signed-delivery path (some for references nobody has mapped yet, so they park), the pipeline, and interviews
whose participants sit in three time zones."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from api.demo_cast import Cast, Person
from domain.assessments import service as assessments
from domain.assessments.service import NewReference, NewVendor, VendorSecret
from domain.assessments.signatures import sign
from domain.interviews import service as interviews
from domain.interviews.model import NewInterview, ParticipantInput, ParticipantKind
from domain.interviews.service import NewFeedback, Recommendation
from domain.kernel.time import from_local, rfc3339
from domain.recruitment import service as recruitment
from domain.recruitment.model import (
    ApplicationView,
    CandidateView,
    CompetencyDefinition,
    ConsentPurpose,
    JobView,
    NewApplication,
    NewCandidate,
    NewConsent,
    NewJob,
    NewModelVersion,
    StageMove,
)

DEMO_VENDOR = "Meridian Demo Interview AI"
VENDOR_SCALE = ("0", "100")
#: Interview minutes, and the local hour each candidate's zone is interviewed at (a working hour in Berlin too).
INTERVIEW_MINUTES = 45
INTERVIEW_HOURS = {"Asia/Shanghai": 16, "Asia/Tokyo": 17, "Europe/Berlin": 11}


def _names(en: str, zh: str, ja: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh, "ja": ja}


@dataclass(frozen=True)
class Competency:
    code: str
    names: dict[str, str]
    weight: str
    pass_threshold: str
    scale: tuple[str, str] = ("0", "100")

    def definition(self) -> CompetencyDefinition:
        return CompetencyDefinition(code=self.code, names=self.names, weight=self.weight,
                                    pass_threshold=self.pass_threshold, scale_min=self.scale[0],
                                    scale_max=self.scale[1])


@dataclass(frozen=True)
class JobPlan:
    key: str
    entity_country: str
    location: str
    title: dict[str, str]
    competencies: tuple[Competency, ...]
    overall_pass_threshold: str
    #: the competency a hire's later performance follows, so the feedback loop has a relationship to find
    predictive: str


CULTURE_FIT = Competency("culture_fit", _names("Culture fit", "文化契合", "カルチャーフィット"), "0.1", "50")
ENGINEER = JobPlan(
    key="engineer", entity_country="CN", location="Shanghai",
    title=_names("Backend engineer", "后端工程师", "バックエンドエンジニア"),
    competencies=(
        Competency("coding", _names("Coding", "编码", "コーディング"), "0.4", "3", ("1", "5")),
        Competency("problem_solving", _names("Problem solving", "问题解决", "問題解決"), "0.3", "60"),
        Competency("teamwork", _names("Teamwork", "团队合作", "チームワーク"), "0.2", "55"),
        CULTURE_FIT),
    overall_pass_threshold="65", predictive="coding")
PRODUCT = JobPlan(
    key="product", entity_country="JP", location="Tokyo",
    title=_names("Product manager", "产品经理", "プロダクトマネージャー"),
    competencies=(
        Competency("product_sense", _names("Product sense", "产品洞察", "プロダクトセンス"), "0.4", "60"),
        Competency("communication", _names("Communication", "沟通", "コミュニケーション"), "0.3", "60"),
        Competency("analytics", _names("Analytics", "数据分析", "データ分析"), "0.2", "50"),
        CULTURE_FIT),
    overall_pass_threshold="60", predictive="product_sense")
JOBS = (ENGINEER, PRODUCT)
DEMO_JOB_TITLE = ENGINEER.title["en"]


@dataclass(frozen=True)
class OpenJob:
    plan: JobPlan
    view: JobView


@dataclass(frozen=True)
class Applicant:
    person: Person
    job: OpenJob
    candidate: CandidateView
    application: ApplicationView
    scores: dict[str, float]  # the vendor's scores, 0-100
    parked: bool  # delivered for a reference nobody has mapped yet


@dataclass
class Deliveries:
    """The vendor's side: its secret and a running count of the results it sent."""

    vendor_id: UUID
    secret: str
    sent: int = 0


async def register_vendor(cast: Cast) -> Deliveries:
    registered: VendorSecret = await assessments.register_vendor(cast.admin, NewVendor(name=DEMO_VENDOR))
    return Deliveries(vendor_id=registered.vendor.id, secret=registered.secret)


async def open_jobs(cast: Cast, entities: dict[str, UUID], today: date) -> list[OpenJob]:
    """The jobs and their competency models, in force long enough ago to score the earliest hires' interviews."""
    opened = []
    for plan in JOBS:
        view = await recruitment.create_job(cast.hr, NewJob(
            legal_entity_id=entities[plan.entity_country], location=plan.location, title=plan.title,
            hiring_team=[cast.user_ids["demo-manager"], cast.user_ids["demo-interviewer"]]), "en")
        await recruitment.publish_model_version(cast.hr, view.id, NewModelVersion(
            effective_from=date(today.year - 4, 1, 1), overall_pass_threshold=plan.overall_pass_threshold,
            name=f"{plan.title['en']} competencies", competencies=[c.definition() for c in plan.competencies]))
        opened.append(OpenJob(plan=plan, view=view))
    return opened


def scores_for(plan: JobPlan, chance: random.Random, low: float = 40, high: float = 95) -> dict[str, float]:
    return {c.code: round(chance.uniform(low, high), 1) for c in plan.competencies}


async def apply(cast: Cast, job: OpenJob, person: Person) -> tuple[CandidateView, ApplicationView]:
    candidate = await recruitment.create_candidate(cast.recruiter, NewCandidate(
        full_name=person.full_name, email=person.email, timezone=person.timezone, locale=person.locale,
        birth_date=person.birth_date))
    # Every demo applicant consents to AI-assisted evaluation of their interview; without it the result is parked.
    await recruitment.add_consent(cast.recruiter, candidate.id, NewConsent(
        purpose=ConsentPurpose.AI_INTERVIEW_ANALYSIS, given_at=datetime.now(UTC), evidence="Demo consent form"))
    application = await recruitment.create_application(cast.recruiter, NewApplication(
        candidate_id=candidate.id, job_id=job.view.id), "en")
    return candidate, application


async def interviewed(cast: Cast, deliveries: Deliveries, job: OpenJob, person: Person, scores: dict[str, float],
                      completed_at: datetime, *, parked: bool = False) -> Applicant:
    """An applicant whose AI interview the vendor delivered, signed: scored at once when the recruiter had mapped
    the vendor's reference to the application, parked under the vendor's candidate reference otherwise."""
    candidate, application = await apply(cast, job, person)
    deliveries.sent += 1
    number = deliveries.sent
    if parked:
        reference = {"candidate_reference": f"DX-CAND-{number:04d}"}
    else:
        await assessments.map_reference(cast.recruiter, deliveries.vendor_id, NewReference(
            kind="application", reference=f"DX-APP-{number:04d}", application_id=application.id))
        reference = {"application_reference": f"DX-APP-{number:04d}"}
    body = _result(f"dx-result-{number:04d}", reference, job.plan, scores, completed_at, person.interview_language)
    now = int(time.time())
    await assessments.receive(cast.tenant_id, deliveries.vendor_id, sign(deliveries.secret.encode(), now, body),
                              body, now)
    return Applicant(person=person, job=job, candidate=candidate, application=application, scores=scores,
                     parked=parked)


def _result(result_id: str, reference: dict[str, str], plan: JobPlan, scores: dict[str, float],
            completed_at: datetime, language: str) -> bytes:
    """The vendor's result in contract meridian.interview-result.v1, with a quoted passage behind each score."""
    competencies = [{
        "code": c.code, "name": c.names["en"], "score": f"{scores[c.code]:.1f}", "scale_min": VENDOR_SCALE[0],
        "scale_max": VENDOR_SCALE[1], "confidence": "0.8" if scores[c.code] >= 60 else "0.65",
        "evidence": [{"start_seconds": str(120 + 240 * index), "end_seconds": str(180 + 240 * index),
                      "quote": f"(demo transcript) The candidate's answer on {c.names['en'].lower()}."}],
    } for index, c in enumerate(plan.competencies)]
    return json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": DEMO_VENDOR,
        "model": "demo-interviewer", "model_version": "2026.1", "rubric_version": "3", "reference": reference,
        "interview_language": language, "completed_at": rfc3339(completed_at), "competencies": competencies,
        "recording": {"reference": f"demo://recordings/{result_id}", "duration_seconds": "1800"},
    }, ensure_ascii=False).encode()


async def move(cast: Cast, applicant: Applicant, stage: str, reason: str) -> ApplicationView:
    return await recruitment.move_application(cast.recruiter, applicant.application.id,
                                              StageMove(stage=stage, reason=reason),
                                              applicant.application.version, "en")


async def schedule_interviews(cast: Cast, applicants: list[Applicant], today: date) -> list[UUID]:
    """One interview for each applicant, the first two days ago (with the interviewer's feedback), the others on
    the coming days; the candidate in their own zone, the interviewer in Berlin and the hiring manager in Tokyo."""
    interviewer, manager = cast.staff["demo-interviewer"], cast.staff["demo-manager"]
    scheduled = []
    for index, applicant in enumerate(applicants):
        zone = applicant.person.timezone
        day = today + timedelta(days=-2 if index == 0 else index)
        start = from_local(datetime(day.year, day.month, day.day, INTERVIEW_HOURS[zone]), zone)
        participants = [
            ParticipantInput(kind=ParticipantKind.CANDIDATE, person_id=applicant.candidate.id,
                             display_name=applicant.person.full_name, timezone=zone),
            ParticipantInput(kind=ParticipantKind.INTERVIEWER, person_id=cast.user_ids[interviewer.subject],
                             display_name=interviewer.display_name, timezone=interviewer.timezone),
            ParticipantInput(kind=ParticipantKind.INTERVIEWER, person_id=cast.user_ids[manager.subject],
                             display_name=manager.display_name, timezone=manager.timezone)]
        view = await interviews.schedule(cast.recruiter, NewInterview(
            application_id=applicant.application.id, title=f"{applicant.job.plan.title['en']}: technical interview",
            start=start, end=start + timedelta(minutes=INTERVIEW_MINUTES), participants=participants,
            video_link=f"https://meet.example.com/demo-{index + 1}"))
        scheduled.append(view.id)
    if scheduled:
        await interviews.give_feedback(cast.interviewer, scheduled[0], NewFeedback(
            ratings={code: f"{min(score + 4, 100):.0f}" for code, score in applicants[0].scores.items()},
            recommendation=Recommendation.YES, notes="Clear reasoning about trade-offs; would like a second "
                                                     "conversation about teamwork. (demo data)"))
    return scheduled
