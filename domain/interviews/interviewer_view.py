"""Everything an interviewer needs about one application, in one call: the candidate (masked by
role), the application's history, the AI evaluation against the model, the interviewers' own
feedback and the interviews."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.assessments.service import EvaluationView, evaluations_of
from domain.interviews.service import FeedbackView, InterviewView, feedback_on, interviews_of_application
from domain.kernel.principal import Principal
from domain.recordings.service import RecordingView, recordings_of
from domain.recruitment import service as recruitment
from domain.recruitment.model import ApplicationView, CandidateView, ModelVersionView, StageChangeView


class InterviewerView(msgspec.Struct, frozen=True):
    """Everything an interviewer needs about one application: the candidate (personal data masked unless the caller may
    read it in clear), the application and its stage history, the job's competency model (in the version of the latest
    evaluation), the latest AI-interview evaluation and every earlier one, the interviews with their feedback, and the
    recordings."""

    candidate: CandidateView
    application: ApplicationView
    history: list[StageChangeView]
    model: ModelVersionView | None
    evaluation: EvaluationView | None
    evaluations: list[EvaluationView]
    interviews: list[InterviewView]
    feedback: list[FeedbackView]
    recordings: list[RecordingView]


async def interviewer_view(principal: Principal, application_id: UUID, locale: str) -> InterviewerView:
    application = await recruitment.get_application(principal, application_id, locale)
    evaluations = await evaluations_of(principal, application_id)
    latest = evaluations[-1] if evaluations else None
    try:
        versions = await recruitment.model_versions(principal, application.job_id)
    except recruitment.NoCompetencyModel:
        versions = []
    used = [v for v in versions if latest and v.number == latest.model_version]
    model = (used or versions or [None])[-1]
    interviews = await interviews_of_application(principal, application_id)
    return InterviewerView(
        candidate=await recruitment.get_candidate(principal, application.candidate_id),
        application=application,
        history=await recruitment.application_history(principal, application_id),
        model=model,
        evaluation=latest,
        evaluations=evaluations,
        interviews=interviews,
        feedback=[item for interview in interviews for item in await feedback_on(principal, interview.id)],
        recordings=await recordings_of(principal, application_id),
    )
