"""The Litestar application: routes, the middleware chain, error mapping and OpenAPI."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar, Request
from litestar.middleware import DefineMiddleware
from litestar.routes import HTTPRoute

from api.admission import AdmissionMiddleware
from api.auth import AuthenticationMiddleware, TokenVerifier, load_or_create_secret
from api.bodies import JsonRequest, refuse_bad_query_values
from api.context import RequestContextMiddleware
from api.controllers.api_clients import ApiClientController
from api.controllers.assessments import (
    ComparisonController,
    DeliveryController,
    EvaluationController,
    ResultController,
    VendorController,
)
from api.controllers.audit import AuditController
from api.controllers.compliance import ComplianceController, country_calculation_routes
from api.controllers.development import (
    AttritionController,
    EmployeeDevelopmentController,
    FeedbackLoopController,
    TrainingModuleController,
)
from api.controllers.employees import (
    EmployeeController,
    EmployeeRecordsController,
    HireController,
    OnboardingController,
    OnboardingItemController,
)
from api.controllers.exports import ExportController
from api.controllers.identity import MeController, UserController
from api.controllers.identity_provider import (
    IdentityProviderController,
    OwnAuthorisedAppController,
    SignInCodeController,
)
from api.controllers.imports import ImportController
from api.controllers.interviews import InterviewController, InterviewerViewController
from api.controllers.law import CoverageController, LawChoiceController, LawVersionController
from api.controllers.payroll import (
    OwnPayslipController,
    PayGroupController,
    PayrollAdminController,
    PayRunController,
    PayRunFinanceController,
    PayslipController,
)
from api.controllers.platform import HealthController, PlatformTenantController
from api.controllers.privacy import LegalHoldController, PurgeController, RetentionPolicyController
from api.controllers.recordings import ApplicationRecordingController, RecordingController
from api.controllers.recruitment import (
    ApplicationController,
    CandidateController,
    CandidatePortalController,
    JobController,
    PipelineController,
)
from api.controllers.report_links import ReportLinkController
from api.controllers.safeguards import SAFEGUARD_CONTROLLERS
from api.controllers.subject_requests import OwnSubjectRequestController, SubjectRequestController
from api.controllers.tenancy import LegalEntityController, TenantController
from api.controllers.webhooks import WebhookEndpointController
from api.guards import PRINCIPAL, authorize, authorize_every_route
from api.idempotency import IdempotencyMiddleware
from api.jobs import start_jobs, stop_jobs
from api.logs import configure_logging
from api.maintenance import purge_periodically
from api.notifications import start_delivery
from api.oauth.authorize import AuthorizeController
from api.oauth.endpoints import ROUTES as OAUTH_ROUTES
from api.oauth.server import MeridianAuthorizationServer
from api.openapi import InputStructSchemaPlugin, docs_assets, document_errors, finish_document, openapi_config
from api.problems import EXCEPTION_HANDLERS
from api.ratelimit import RateLimitMiddleware, bulk_limiter_for, limiter_for
from api.runtime import check_app_role, ensure_home_tenant, open_runtime
from api.uploads import ClientAborted, on_client_abort
from compliance.registry import law_packs
from compliance.retention import retention_series
from domain.kernel.settings import Settings
from domain.payroll.pipeline import start_workers
from domain.regulation.service import bundle_layer, use_law_directory

CONTROLLERS = [
    HealthController, MeController, TenantController, LegalEntityController, UserController, AuditController,
    PlatformTenantController, ComplianceController, PipelineController, JobController, CandidateController,
    ApplicationController, InterviewController, VendorController, DeliveryController, ResultController,
    EvaluationController, ComparisonController, InterviewerViewController, CandidatePortalController,
    ApplicationRecordingController, RecordingController, HireController, EmployeeController, OnboardingController,
    EmployeeRecordsController, TrainingModuleController, EmployeeDevelopmentController, FeedbackLoopController,
    AttritionController, OnboardingItemController, PayGroupController, PayRunController, PayrollAdminController,
    PayRunFinanceController, PayslipController, OwnPayslipController, CoverageController, LawVersionController,
    LawChoiceController, ReportLinkController, RetentionPolicyController, ImportController, ExportController,
    SubjectRequestController, OwnSubjectRequestController, *SAFEGUARD_CONTROLLERS, PurgeController,
    LegalHoldController, ApiClientController, *OAUTH_ROUTES, AuthorizeController, IdentityProviderController,
    SignInCodeController, OwnAuthorisedAppController, WebhookEndpointController,
]


def create_app(settings: Settings, workers: int = 1) -> Litestar:
    """``workers``: how many processes serve this installation from here (``meridian serve --workers``)."""
    configure_logging(settings.log_level)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    verifier = TokenVerifier(settings, load_or_create_secret(settings.data_path))
    limiter = limiter_for(settings, workers)
    law_packs()  # a bad rule-pack data file stops startup here, naming the file and field
    retention_series()  # and so does a bad retention rule file
    use_law_directory(settings.data_path / "law")
    bundle_layer()  # and so does a bad installed law bundle

    async def start() -> None:
        runtime = await open_runtime(settings)
        await check_app_role(runtime.database)
        verifier.onprem_tenant = await ensure_home_tenant(runtime)
        app.state.runtime = runtime
        start_workers()
        app.state.jobs = await start_jobs(settings)  # on PostgreSQL it also purges, as a periodic job
        if runtime.database.is_sqlite:
            app.state.purge_stopping = asyncio.Event()
            app.state.purger = asyncio.create_task(purge_periodically(app.state.purge_stopping))
        app.state.notifier = start_delivery(settings)

    async def stop() -> None:
        purger = app.state.get("purger")
        if purger is not None:
            app.state.purge_stopping.set()  # it finishes the tenant it is purging, then returns
            await purger
        notifier = app.state.get("notifier")
        if notifier is not None:
            notifier[0].set()  # it finishes the message it is sending, then returns
            await notifier[1]
        runner = app.state.get("jobs")
        if runner is not None:
            await stop_jobs(runner)  # a calculation in progress stops at its next page and runs again after
        runtime = app.state.get("runtime")
        if runtime is not None:
            await runtime.database.stop()

    routes = [*CONTROLLERS, *country_calculation_routes()]
    document_errors(routes)
    app = Litestar(
        route_handlers=[*routes, docs_assets()],
        dependencies=PRINCIPAL,
        middleware=[
            DefineMiddleware(AuthenticationMiddleware, verifier=verifier),
            DefineMiddleware(RateLimitMiddleware, limiter=limiter, bulk_limiter=bulk_limiter_for(settings, workers)),
            DefineMiddleware(IdempotencyMiddleware, max_body_bytes=settings.max_body_bytes),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, ClientAborted: on_client_abort},
        request_class=JsonRequest,
        before_request=authorize_then_check_query,
        openapi_config=openapi_config(),
        plugins=[InputStructSchemaPlugin()],
        request_max_body_size=settings.max_body_bytes,
        on_startup=[start],
        on_shutdown=[stop],
        state=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.oauth_server = MeridianAuthorizationServer(settings, verifier.secret, verifier)
    _declare_schema_routes_public(app)
    authorize_every_route(app, authorize_then_check_query)
    _list_every_method_in_options(app)
    finish_document(app)
    # Outside the router, so that 404s for unknown paths also carry a request id and a locale.
    app.asgi_handler = RequestContextMiddleware(AdmissionMiddleware(
        app.asgi_handler, settings.max_concurrent_requests, settings.max_body_bytes), settings.default_locale)
    return app


async def authorize_then_check_query(request: Request[Any, Any, Any]) -> None:
    """Before every handler: the deny-by-default check (:func:`authorize`, here rather than as a guard, see
    :func:`authorize_every_route`), then the query's values, before they are parsed into parameters."""
    await authorize(request, request.scope["route_handler"])  # type: ignore[typeddict-item]
    await refuse_bad_query_values(request)


def _declare_schema_routes_public(app: Litestar) -> None:
    """Litestar's own OpenAPI routes carry no ``opt``; the API description is public by intent."""
    prefix = app.openapi_config.path if app.openapi_config else "/schema"
    for route in app.routes:
        if route.path.startswith(prefix):
            for handler in getattr(route, "route_handlers", []):
                handler.opt["public"] = True


def _list_every_method_in_options(app: Litestar) -> None:
    """Litestar registers a controller's handlers one at a time and builds a path's OPTIONS answer with the first
    one's route, so its ``Allow`` missed the methods registered after (OPTIONS /v1/tenant said GET, OPTIONS but
    not PATCH). Point each OPTIONS answer at the path's complete route."""
    for route in app.routes:
        options = route.route_handler_map.get("OPTIONS") if isinstance(route, HTTPRoute) else None
        for cell in getattr(options[0].fn, "__closure__", None) or () if options else ():
            if isinstance(cell.cell_contents, HTTPRoute):
                cell.cell_contents = route
