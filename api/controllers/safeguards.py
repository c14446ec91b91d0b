"""AI-evaluation safeguards over HTTP: releasing results parked for want of consent, the human-only evaluation path,
decisions by a person on automated outputs, and explanations of an evaluation for HR and for the candidate."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit
from api.openapi import OWN_RECORD_RESPONSES, renders
from api.problems import locale_of
from domain.analytics import service as analytics
from domain.assessments import explanations, human_evaluations, release, safeguards
from domain.assessments.explanations import Explanation
from domain.assessments.human_evaluations import HumanEvaluationView, NewHumanEvaluation, RecordedHumanEvaluation
from domain.assessments.release import Release, ReleaseRequest
from domain.assessments.safeguards import DecisionView, NewDecision
from domain.interviews.portal import candidate_of
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

Format = Literal["json", "html"]


def _explained(explanation: Explanation, format: Format) -> Response[Any]:
    if format == "html":
        return Response(explanations.explanation_html(explanation), media_type=MediaType.HTML,
                        headers={"Cache-Control": "no-store"})
    return Response(explanation, headers={"Cache-Control": "no-store"})


class ResultReleaseController(Controller):
    path = "/v1/interview-results"
    tags = ["AI interview results"]

    @post("/{result_id:uuid}/release", operation_id="releaseParkedInterviewResult",
          opt=requires(Operation.RESULTS_WRITE), status_code=200,
          summary="Release a result parked for no_ai_consent, once the candidate has consented to AI-assisted "
                  "evaluation: a person's decision, recorded and audited with the release; the result is then "
                  "evaluated (409 no_ai_consent while the consent is missing or withdrawn)")
    async def release(self, principal: Caller, result_id: FromPath[UUID],
                      data: JSONBody[ReleaseRequest]) -> Release:
        return await release.release_result(principal, result_id, data)


class HumanEvaluationController(Controller):
    path = "/v1/applications/{application_id:uuid}/human-evaluations"
    tags = ["AI interview results"]

    @post("/", operation_id="recordHumanEvaluation", opt=requires(Operation.RESULTS_WRITE), status_code=201,
          summary="A person scores the application's competencies (0-100) with the evidence kind, without any AI "
                  "result; comparisons and explanations use these scores when no consented AI result applies")
    async def record(self, principal: Caller, application_id: FromPath[UUID],
                     data: JSONBody[NewHumanEvaluation]) -> RecordedHumanEvaluation:
        return await human_evaluations.record_human_evaluation(principal, application_id, data)

    @get("/", operation_id="listHumanEvaluations", opt=requires(Operation.RESULTS_READ),
         summary="Every competency score a person recorded for the application, in the order recorded")
    async def list(self, principal: Caller, application_id: FromPath[UUID], limit: Limit = 50,
                   cursor: Cursor = None) -> Page[HumanEvaluationView]:
        return await human_evaluations.list_human_evaluations(principal, application_id, cursor, limit)


class ApplicationDecisionController(Controller):
    path = "/v1/applications/{application_id:uuid}/decisions"
    tags = ["AI interview results"]

    @post("/", operation_id="recordApplicationDecision", opt=requires(Operation.APPLICATIONS_WRITE),
          status_code=201,
          summary="A person records their decision on an automated recommendation (an evaluation's pass/fail or a "
                  "comparison's ranking) before acting on it: who, when, and the output it was based on")
    async def decide(self, principal: Caller, application_id: FromPath[UUID],
                     data: JSONBody[NewDecision]) -> DecisionView:
        return await safeguards.decide_on_application(principal, application_id, data)

    @get("/", operation_id="listApplicationDecisions", opt=requires(Operation.APPLICATIONS_READ),
         summary="Every decision by a person on the application's automated outputs (recommendations, releases of "
                 "parked AI results), oldest first")
    async def list(self, principal: Caller, application_id: FromPath[UUID], limit: Limit = 50,
                   cursor: Cursor = None) -> Page[DecisionView]:
        return await safeguards.application_decisions(principal, application_id, cursor, limit)


class WeightDecisionController(Controller):
    path = "/v1/jobs/{job_id:uuid}/feedback-loop/decisions"
    tags = ["Analytics"]

    @get("/", operation_id="listWeightDecisions", opt=requires(Operation.ANALYTICS_READ),
         summary="Every acceptance of the feedback loop's proposed weights for the job's model: who accepted, when, "
                 "and the proposal and analysis it was based on")
    async def list(self, principal: Caller, job_id: FromPath[UUID], limit: Limit = 50,
                   cursor: Cursor = None) -> Page[DecisionView]:
        return await analytics.weight_decisions(principal, job_id, cursor, limit)


class ExplanationController(Controller):
    path = "/v1/applications/{application_id:uuid}/explanation"
    tags = ["AI interview results"]

    @get("/", operation_id="explainEvaluation", opt=requires(Operation.RESULTS_READ),
         responses=renders(Explanation, "The explanation, or with format=html a localised page"),
         summary="How the application was evaluated, in plain language in your language: competencies, weights, "
                 "scores, evidence kinds, AI or human, and who decided what (audited); format=html for a page")
    async def explain(self, request: Request[Any, Any, Any], principal: Caller, application_id: FromPath[UUID],
                      format: FromQuery[Format] = "json") -> Response[Any]:
        return _explained(await explanations.explain_for_staff(principal, application_id, locale_of(request)),
                          format)


class CandidateExplanationController(Controller):
    path = "/v1/candidate-portal/applications/{application_id:uuid}/explanation"
    tags = ["Candidate portal"]

    @get("/", operation_id="explainOwnEvaluation", opt=requires(Operation.CANDIDATE_PORTAL_READ),
         responses={**renders(Explanation, "The explanation, or with format=html a localised page"),
                    **OWN_RECORD_RESPONSES},
         summary="The candidate's own explanation of their evaluation, the same data HR sees, in plain language in "
                 "their language (audited); another candidate's application reads as not found")
    async def explain(self, request: Request[Any, Any, Any], principal: Caller, application_id: FromPath[UUID],
                      format: FromQuery[Format] = "json") -> Response[Any]:
        asked = locale_of(request) if request.headers.get("accept-language") else None  # else their own language
        explanation = await explanations.explain_for_candidate(principal, candidate_of(principal), application_id,
                                                               asked)
        return _explained(explanation, format)


SAFEGUARD_CONTROLLERS = [ResultReleaseController, HumanEvaluationController, ApplicationDecisionController,
                         WeightDecisionController, ExplanationController, CandidateExplanationController]
