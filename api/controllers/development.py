"""Training, performance reviews, departures, and the analytics built on them."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit
from api.openapi import renders
from api.problems import locale_of
from domain.analytics import service as analytics
from domain.analytics.attrition import AttritionReport
from domain.analytics.charts import render_attrition_html, render_feedback_loop_html
from domain.analytics.feedback_loop import FeedbackLoopReport
from domain.analytics.reading import attrition_read, feedback_loop_read
from domain.assessments.service import DecisionView
from domain.employees import development
from domain.employees.development import (
    ModuleView,
    NewModule,
    NewReview,
    NewTrainingRecord,
    ReviewView,
    TrainingRecordView,
)
from domain.employees.model import EmployeeView
from domain.employees.service import Departure, record_departure
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.recruitment.model import ModelVersionView
from domain.subject_requests import service as subject_requests

Format = Literal["json", "html"]


class TrainingModuleController(Controller):
    path = "/v1/training-modules"
    tags = ["Employees"]

    @get("/", operation_id="listTrainingModules",
         opt=requires(Operation.EMPLOYEES_READ), summary="The training catalogue")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[ModuleView]:
        """A page of the training catalogue, by module code."""
        return await development.list_modules(principal, cursor, limit)

    @post("/", operation_id="addTrainingModule",
          opt=requires(Operation.TRAINING_WRITE), summary="Add a training module to the catalogue")
    async def add(self, principal: Caller, data: JSONBody[NewModule]) -> ModuleView:
        return await development.add_module(principal, data)


class EmployeeDevelopmentController(Controller):
    path = "/v1/employees/{employee_id:uuid}"
    tags = ["Employees"]

    @post("/training-records", operation_id="recordTraining", opt=requires(Operation.TRAINING_WRITE),
          summary="Record that the employee was assigned or completed a training module")
    async def train(self, principal: Caller, employee_id: FromPath[UUID],
                    data: JSONBody[NewTrainingRecord]) -> TrainingRecordView:
        return await development.add_training_record(principal, employee_id, data)

    @post("/reviews", operation_id="recordReview", opt=requires(Operation.REVIEWS_WRITE),
          summary="A periodic review: ratings per competency of the employee's current model, and overall")
    async def review(self, principal: Caller, employee_id: FromPath[UUID],
                     data: JSONBody[NewReview]) -> ReviewView:
        return await development.add_review(principal, employee_id, data)

    @get("/reviews", operation_id="listReviews",
         opt=requires(Operation.EMPLOYEES_READ), summary="The employee's performance reviews")
    async def reviews(self, principal: Caller, employee_id: FromPath[UUID], limit: Limit = 50,
                      cursor: Cursor = None) -> Page[ReviewView]:
        """A page of the employee's reviews, in the order they were given."""
        return await development.reviews_of(principal, employee_id, cursor, limit)

    @post("/departure", operation_id="recordDeparture", opt=requires(Operation.EMPLOYEES_WRITE), status_code=200,
          summary="Record that the employee left, and when")
    async def depart(self, principal: Caller, employee_id: FromPath[UUID],
                     data: JSONBody[Departure]) -> EmployeeView:
        return await record_departure(principal, employee_id, data)


class FeedbackLoopController(Controller):
    path = "/v1/jobs/{job_id:uuid}/feedback-loop"
    tags = ["Analytics"]

    @get("/", operation_id="analyseFeedbackLoop", opt=requires(Operation.ANALYTICS_READ),
         responses=renders(FeedbackLoopReport, "The analysis, or with format=html a page with charts"),
         summary="How each competency's interview score relates to later performance, with proposed weights; "
                 "format=html gives a localised page with charts")
    async def analyse(self, request: Request[Any, Any, Any], principal: Caller, job_id: FromPath[UUID],
                      format: FromQuery[Format] = "json") -> Response[Any]:
        analysis, version = await analytics.feedback_loop(principal, job_id, locale_of(request))
        if format == "html":
            names = analytics.competency_names(version, locale_of(request))
            return Response(render_feedback_loop_html(analysis, names, locale_of(request)), media_type=MediaType.HTML)
        return Response(feedback_loop_read(analysis, locale_of(request)))

    @post("/acceptance", operation_id="acceptProposedWeights", opt=requires(Operation.FEEDBACK_LOOP_ACCEPT),
          summary="Accept the proposed weights: a new model version; old evaluations keep theirs (audited)")
    async def accept(self, principal: Caller, job_id: FromPath[UUID]) -> ModelVersionView:
        return await analytics.accept_proposal(principal, job_id)


class AttritionController(Controller):
    path = "/v1/analytics/attrition"
    tags = ["Analytics"]

    @get("/", operation_id="listAttritionRisks", opt=requires(Operation.ANALYTICS_READ),
         responses=renders(AttritionReport, "The report, or with format=html a page with charts"),
         summary="Attrition risk per active employee with its top factors (HR roles only); format=html for charts")
    async def risks(self, request: Request[Any, Any, Any], principal: Caller,
                    format: FromQuery[Format] = "json") -> Response[Any]:
        """One report, not a page: every active employee ranked by a model fitted over the whole workforce at
        each request, so there is no stored order a cursor could hold between two pages."""
        report = await analytics.attrition(principal)
        # An employee who restricted processing (a data-subject request) is not scored or ranked.
        restricted = await subject_requests.restricted_employees(principal, [e.employee_id for e in report.employees])
        if restricted:
            report = msgspec.structs.replace(
                report, employees=[e for e in report.employees if e.employee_id not in restricted])
        if format == "html":
            return Response(render_attrition_html(report, locale_of(request)), media_type=MediaType.HTML)
        return Response(attrition_read(report, locale_of(request)))

    @post("/{employee_id:uuid}/decisions", operation_id="recordAttritionDecision",
          opt=requires(Operation.EMPLOYEES_WRITE), status_code=201,
          summary="A person records their decision on an employee's attrition risk before anything is done about it: "
                  "who, when, what they decided and the risk (score, band, method, factors) it was based on")
    async def decide(self, principal: Caller, employee_id: FromPath[UUID],
                     data: JSONBody[analytics.NewAttritionDecision]) -> DecisionView:
        """The risk is scored afresh, as the report gives it now; a partner client's token cannot decide (403
        decision_needs_a_person), nor can anyone on an employee whose processing is restricted (409
        processing_restricted) or who is not scored (409 attrition_not_scored)."""
        return await analytics.decide_on_attrition(principal, employee_id, data)

    @get("/{employee_id:uuid}/decisions", operation_id="listAttritionDecisions",
         opt=requires(Operation.ANALYTICS_READ),
         summary="Every decision by a person on the employee's attrition risk: who, when, and the risk it was based on")
    async def decisions(self, principal: Caller, employee_id: FromPath[UUID], limit: Limit = 50,
                        cursor: Cursor = None) -> Page[DecisionView]:
        return await analytics.attrition_decisions(principal, employee_id, cursor, limit)
