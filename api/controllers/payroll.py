"""Payroll over HTTP: pay groups and calendars, pay runs, inputs, the calculation job, dual review."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.guards import Caller, requires
from api.http import Cursor, Limit, created
from api.openapi import OWN_RECORD_RESPONSES, raw_body, renders
from api.problems import locale_of
from domain.audit.service import AuditEntryView
from domain.employees.service import employee_of
from domain.kernel.i18n import formatting_locale
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.payroll import service
from domain.payroll.finance import AccountMapping as FinanceMapping
from domain.payroll.finance import ControlTotals, Journal, Reconciliation, journal_csv
from domain.payroll.payslip import render_payslip_html
from domain.payroll.service import (
    Acknowledge,
    Approve,
    ExceptionView,
    NewCorrection,
    NewPayGroup,
    NewPayInput,
    NewPayRun,
    NewSettlement,
    NewVarianceThresholds,
    OwnPayslipView,
    PayCalendar,
    PayGroupSummary,
    PayGroupView,
    PayRunReview,
    PayRunSummary,
    PayRunView,
    PayslipHistory,
    PayslipView,
    RegionAssignment,
    RunFilter,
    SettlementProposal,
)
from domain.payroll.variance import VarianceThresholds
from domain.payroll.workflow import RunState
from domain.tenancy.model import CountryCode


class PayGroupController(Controller):
    path = "/v1/pay-groups"
    tags = ["Payroll"]

    @post("/", operation_id="createPayGroup",
          opt=requires(Operation.PAYROLL_PREPARE), summary="A pay group of a legal entity with its calendar rule")
    async def create(self, principal: Caller, data: JSONBody[NewPayGroup]) -> Response[PayGroupView]:
        group = await service.create_group(principal, data)
        return created(group, f"/v1/pay-groups/{group.id}")

    @get("/", operation_id="listPayGroups", opt=requires(Operation.PAYROLL_READ),
         summary="List pay groups with their legal entity and calendar rule")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   legal_entity_id: FromQuery[UUID | None] = None,
                   country: FromQuery[CountryCode | None] = None) -> Page[PayGroupSummary]:
        """A page of pay groups in the order they were created, each with its legal entity's name and its rule
        (country, frequency, pay day). `legal_entity_id` keeps one legal entity's groups, `country` those paying
        in one country. A filter naming nothing of yours gives an empty page. The law a group's coming runs
        would miss (`law_gaps`) is on the group itself."""
        return await service.list_groups(principal, cursor, limit, legal_entity_id, country)

    @get("/{group_id:uuid}", operation_id="getPayGroup", opt=requires(Operation.PAYROLL_READ),
         summary="A pay group, with the law its next three pay dates would miss (law_gaps) and what to do about it")
    async def read(self, principal: Caller, group_id: FromPath[UUID]) -> PayGroupView:
        return await service.get_group(principal, group_id)

    @get("/{group_id:uuid}/settlement-proposal", operation_id="getSettlementProposal",
         opt=requires(Operation.PAYROLL_READ),
         summary="What the group paid on provisional law that is now known, recalculated period by period in order "
                 "(补差): paid, corrected and the difference per employee and period, and in total")
    async def settlement_proposal(self, principal: Caller, group_id: FromPath[UUID]) -> SettlementProposal:
        return await service.settlement_proposal(principal, group_id)

    @post("/{group_id:uuid}/settlements", operation_id="openSettlement", opt=requires(Operation.PAYROLL_PREPARE),
          summary="Open one off-cycle correction of the latest finalised period settling every affected period")
    async def settle(self, principal: Caller, group_id: FromPath[UUID],
                     data: JSONBody[NewSettlement]) -> Response[PayRunView]:
        run = await service.open_settlement(principal, group_id, data)
        return created(run, f"/v1/pay-runs/{run.id}")

    @get("/{group_id:uuid}/calendar", operation_id="getPayCalendar", opt=requires(Operation.PAYROLL_READ),
         summary="The year's periods, cut-offs and pay dates, moved off weekends and holidays")
    async def calendar(self, principal: Caller, group_id: FromPath[UUID],
                       year: Annotated[int, QueryParameter(ge=2000, le=2100)]) -> PayCalendar:
        """One document, not a page: a pay year has at most 53 periods, computed from the group's rule."""
        return await service.calendar_of(principal, group_id, year)


class PayRunController(Controller):
    path = "/v1/pay-runs"
    tags = ["Payroll"]

    @post("/", operation_id="createPayRun",
          opt=requires(Operation.PAYROLL_PREPARE), summary="Open the pay run of a calendar period")
    async def create(self, principal: Caller, data: JSONBody[NewPayRun]) -> Response[PayRunView]:
        run = await service.create_run(principal, data)
        return created(run, f"/v1/pay-runs/{run.id}")

    @get("/", operation_id="listPayRuns", opt=requires(Operation.PAYROLL_READ),
         summary="List pay runs with their group, period, state and pay date")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   pay_group_id: FromQuery[UUID | None] = None, legal_entity_id: FromQuery[UUID | None] = None,
                   status: FromQuery[list[RunState] | None] = None, period_from: FromQuery[date | None] = None,
                   period_to: FromQuery[date | None] = None) -> Page[PayRunSummary]:
        """A page of pay runs in the order they were opened (corrections and settlements included), each with its
        group's name, period, state, pay date, open exceptions and how many employees its calculation covers.
        `pay_group_id` and `legal_entity_id` keep one group's or one legal entity's runs; `status` (repeatable:
        `status=draft&status=in_review`) keeps runs in those states; `period_from` and `period_to` keep runs whose
        period overlaps those dates (either may be left open). A filter naming nothing of yours gives an empty
        page."""
        return await service.list_runs(principal, cursor, limit, RunFilter(
            pay_group_id=pay_group_id, legal_entity_id=legal_entity_id, states=status, period_from=period_from,
            period_to=period_to))

    @get("/{run_id:uuid}", operation_id="getPayRun", opt=requires(Operation.PAYROLL_READ),
         summary="A pay run: state, results hash, approvals, open exceptions, calculation progress")
    async def read(self, principal: Caller, run_id: FromPath[UUID]) -> PayRunView:
        return await service.get_run(principal, run_id)

    @post("/{run_id:uuid}/inputs", operation_id="addPayInput", opt=requires(Operation.PAYROLL_PREPARE),
          summary="Overtime hours, bonus, allowance, unpaid leave days or a one-off deduction; voids approvals")
    async def add_input(self, principal: Caller, run_id: FromPath[UUID],
                        data: JSONBody[NewPayInput]) -> PayRunView:
        return await service.add_input(principal, run_id, data)

    @post("/{run_id:uuid}/calculation", operation_id="calculatePayRun",
          opt=requires(Operation.PAYROLL_PREPARE), status_code=202,
          summary="Calculate in the background; follow progress on the run; restarting is safe")
    async def calculate(self, principal: Caller, run_id: FromPath[UUID]) -> PayRunView:
        return await service.start_calculation(principal, run_id)

    @post("/{run_id:uuid}/submission", operation_id="submitPayRun",
          opt=requires(Operation.PAYROLL_PREPARE), status_code=200,
          summary="Submit the calculated run for review")
    async def submit(self, principal: Caller, run_id: FromPath[UUID]) -> PayRunView:
        return await service.submit(principal, run_id)

    @post("/{run_id:uuid}/approvals", operation_id="approvePayRun",
          opt=requires(Operation.PAYROLL_REVIEW), status_code=200,
          summary="Approve exactly the results with this hash; two reviewers other than the preparer are needed")
    async def approve(self, principal: Caller, run_id: FromPath[UUID],
                      data: JSONBody[Approve]) -> PayRunView:
        return await service.approve(principal, run_id, data)

    @post("/{run_id:uuid}/finalisation", operation_id="finalisePayRun",
          opt=requires(Operation.PAYROLL_FINALISE), status_code=200,
          summary="Finalise an approved run whose results still match the approved hash")
    async def finalise(self, principal: Caller, run_id: FromPath[UUID]) -> PayRunView:
        return await service.finalise(principal, run_id)

    @post("/{run_id:uuid}/cancellation", operation_id="cancelPayRun",
          opt=requires(Operation.PAYROLL_PREPARE), status_code=200,
          summary="Close a run without paying it; a finalised run cannot be cancelled")
    async def cancel(self, principal: Caller, run_id: FromPath[UUID]) -> PayRunView:
        return await service.cancel(principal, run_id)

    @post("/{run_id:uuid}/corrections", operation_id="openCorrection", opt=requires(Operation.PAYROLL_PREPARE),
          summary="Open an off-cycle correction of a finalised run for the named employees")
    async def correct(self, principal: Caller, run_id: FromPath[UUID],
                      data: JSONBody[NewCorrection]) -> Response[PayRunView]:
        correction = await service.create_correction(principal, run_id, data)
        return created(correction, f"/v1/pay-runs/{correction.id}")

    @get("/{run_id:uuid}/exceptions", operation_id="listPayRunExceptions", opt=requires(Operation.PAYROLL_READ),
         summary="Variance exceptions against the previous run")
    async def exceptions(self, principal: Caller, run_id: FromPath[UUID], limit: Limit = 50, cursor: Cursor = None,
                         acknowledged: FromQuery[bool | None] = None) -> Page[ExceptionView]:
        """A page of the run's variance exceptions by key (an employee's together); `acknowledged=false` keeps
        those a reviewer must still acknowledge before approving."""
        return await service.exceptions_of(principal, run_id, cursor, limit, acknowledged)

    @get("/{run_id:uuid}/review", operation_id="getPayRunReview", opt=requires(Operation.PAYROLL_READ),
         responses=renders(PayRunReview, "The review, or with format=html the page reviewers approve from"),
         summary="What reviewers approve from: the run's subject, net pay against the previous run, its variance "
                 "exceptions and calculation problems; format=html gives a localised page with a chart")
    async def review(self, principal: Caller, run_id: FromPath[UUID],
                     format: FromQuery[Literal["json", "html"]] = "json") -> Response[Any]:
        """The run's subject (group, legal entity, period, state, preparer, who calculated it and when, results
        hash, approvals); net pay per currency beside the previous run's (the run the variance check compares
        with) and the largest changes per employee; the variance exceptions with their acknowledgements; and the
        payslips the last calculation could not calculate. Texts, dates and amounts are in the reader's language
        (Accept-Language, else the user's own) and time zone; `format=html` draws it as one printable page with a
        chart of the net-pay changes, which a browser opens through a report link (`createReportLink`)."""
        review = await service.pay_run_review(principal, run_id)
        if format == "html":
            return Response(service.render_pay_run_review_html(review, principal.locale), media_type=MediaType.HTML)
        return Response(review)

    @post("/{run_id:uuid}/exceptions/{exception_id:uuid}/acknowledgement", operation_id="acknowledgeException",
          opt=requires(Operation.PAYROLL_REVIEW),
          status_code=200, summary="Acknowledge a variance exception with a note")
    async def acknowledge(self, principal: Caller, run_id: FromPath[UUID],
                          exception_id: FromPath[UUID], data: JSONBody[Acknowledge]) -> PayRunView:
        return await service.acknowledge(principal, run_id, exception_id, data)

    @get("/{run_id:uuid}/payslips", operation_id="listPayslips", opt=requires(Operation.PAYROLL_READ),
         summary="The run's payslips with every line, employer amounts and the calculation trace")
    async def payslips(self, principal: Caller, run_id: FromPath[UUID], limit: Limit = 50,
                       cursor: Cursor = None) -> Page[PayslipView]:
        """A page of the current results' payslips in employee-id order, however many the run has; empty until
        the run is first calculated."""
        return await service.payslips_of(principal, run_id, cursor, limit)

    @get("/{run_id:uuid}/history", operation_id="listPayRunHistory", opt=requires(Operation.PAYROLL_READ),
         summary="Every transition and change of the run, with before and after")
    async def history(self, principal: Caller, run_id: FromPath[UUID], limit: Limit = 50,
                      cursor: Cursor = None) -> Page[AuditEntryView]:
        """A page of the run's audit entries, oldest first, in the order of the tenant's audit chain."""
        return await service.run_history(principal, run_id, cursor, limit)

    @get("/{run_id:uuid}/payslips/{employee_id:uuid}/history", operation_id="listPayslipVersions",
         opt=requires(Operation.PAYROLL_READ),
         summary="Every calculated version of the employee's payslip in the run, what changed from one to the "
                 "next, and the run's history that concerns them")
    async def payslip_history(self, principal: Caller, run_id: FromPath[UUID],
                              employee_id: FromPath[UUID]) -> PayslipHistory:
        return await service.payslip_history(principal, run_id, employee_id)


class PayRunFinanceController(Controller):
    path = "/v1/pay-runs/{run_id:uuid}"
    tags = ["Payroll"]

    @get("/journal", operation_id="getJournal", opt=requires(Operation.PAYROLL_READ),
         responses=renders(Journal, "The journal, or with format=csv its entries as a CSV file"),
         summary="The finalised run's GL journal in the tenant's accounts (format=csv or json); balanced per currency")
    async def journal(self, principal: Caller, run_id: FromPath[UUID],
                      format: FromQuery[Literal["json", "csv"]] = "json") -> Response[Any]:
        posted = await service.journal_of(principal, run_id)
        if format == "csv":
            return Response(journal_csv(posted.entries), media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="journal-{run_id}.csv"'})
        return Response(posted)

    @get("/control-totals", operation_id="getControlTotals", opt=requires(Operation.PAYROLL_READ),
         summary="Gross, each tax and contribution, net, employer cost and headcount per currency, with a checksum")
    async def control_totals(self, principal: Caller, run_id: FromPath[UUID]) -> ControlTotals:
        return await service.control_totals_of(principal, run_id)

    @post("/reconciliation", operation_id="reconcilePayRun",
          opt={**requires(Operation.PAYROLL_READ), **raw_body("text/csv")}, status_code=200,
          summary="Compare the finance system's statement (CSV: account,currency,debit,credit) with the journal")
    async def reconcile(self, request: Request[Any, Any, Any], principal: Caller,
                        run_id: FromPath[UUID]) -> Reconciliation:
        statement = (await request.body()).decode("utf-8-sig", errors="replace")
        return await service.reconcile_with(principal, run_id, statement)


class PayslipController(Controller):
    path = "/v1/payslips"
    tags = ["Payroll"]

    @get("/{payslip_id:uuid}/document", operation_id="getPayslipDocument",
         opt=requires(Operation.PAYROLL_READ), media_type=MediaType.HTML,
         summary="A printable payslip with employer costs, in the reader's language")
    async def document(self, request: Request[Any, Any, Any], principal: Caller, payslip_id: FromPath[UUID]) -> str:
        """Earnings item by item, deductions, the employer's contributions and cost, net pay, the year to date and
        attendance, in the country's usual order; texts in the reader's language, dates and amounts as the
        reader's region writes them (Accept-Language: en-GB reads 1 Dec 2026, en-US Dec 1, 2026)."""
        locale = locale_of(request)
        payslip = await service.payslip_document(principal, payslip_id, locale)
        return render_payslip_html(payslip, locale, show_employer_costs=True,
                                   formats=formatting_locale(request.headers.get("accept-language"), locale))


class OwnPayslipController(Controller):
    path = "/v1/my/payslips"
    tags = ["Payroll"]

    @get("/", operation_id="listMyPayslips", opt=requires(Operation.OWN_PAYSLIPS_READ), responses=OWN_RECORD_RESPONSES,
         summary="Your own payslips of finalised runs")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[OwnPayslipView]:
        """A page of your payslips of finalised runs, oldest first: your employer, the period and pay date, each
        earning and deduction in your language, gross, net and the year to date your country's payslips carry."""
        return await service.own_payslips(principal, employee_of(principal), cursor, limit)

    @get("/{payslip_id:uuid}/document", operation_id="getMyPayslipDocument",
         opt=requires(Operation.OWN_PAYSLIPS_READ), media_type=MediaType.HTML,
         summary="Your payslip, printable, in your language")
    async def document(self, request: Request[Any, Any, Any], principal: Caller, payslip_id: FromPath[UUID]) -> str:
        asked = request.headers.get("accept-language")
        locale = locale_of(request) if asked else principal.locale
        payslip = await service.payslip_document(principal, payslip_id, locale, own_only=employee_of(principal))
        return render_payslip_html(payslip, locale, formats=formatting_locale(asked, locale))


class PayrollAdminController(Controller):
    path = "/v1/payroll"
    tags = ["Payroll"]

    @put("/account-mapping", operation_id="setAccountMapping", opt=requires(Operation.PAYROLL_ADMIN),
         summary="The GL accounts: gross_salary_expense, net_pay_payable, employer_expense and one per line code")
    async def account_mapping(self, principal: Caller, data: JSONBody[FinanceMapping]) -> FinanceMapping:
        return await service.set_account_mapping(principal, data)

    @get("/variance-thresholds", operation_id="getVarianceThresholds", opt=requires(Operation.PAYROLL_READ),
         summary="The tenant's variance tolerances (defaults until set)")
    async def thresholds(self, principal: Caller) -> VarianceThresholds:
        return await service.variance_thresholds_of(principal)

    @put("/variance-thresholds", operation_id="setVarianceThresholds", opt=requires(Operation.PAYROLL_ADMIN),
         summary="Set the tenant's variance tolerances, for calculations from now on")
    async def set_thresholds(self, principal: Caller,
                             data: JSONBody[NewVarianceThresholds]) -> VarianceThresholds:
        return await service.set_variance_thresholds(principal, data)

    @post("/reviewer-regions", operation_id="assignReviewerRegion", opt=requires(Operation.PAYROLL_ADMIN),
          summary="Let a payroll reviewer approve runs of a region's legal entities")
    async def assign(self, principal: Caller, data: JSONBody[RegionAssignment]) -> RegionAssignment:
        return await service.assign_region(principal, data)
