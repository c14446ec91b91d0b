"""Payroll's front door: every use case of pay groups and calendars, pay runs and their inputs, the
calculation job, the enforced dual review, payslips and the exports to finance, and the types they take
and give (from :mod:`domain.payroll.model`). Each lives in the module of its job; this one only gathers
them, so callers outside the context need not know how it is divided."""

from __future__ import annotations

from domain.payroll.calculation_job import (
    CalculationRunning,
    calculate_in_foreground,
    start_calculation,
    wait_for_jobs,
)
from domain.payroll.exports import NoAccountMapping, RunNotFinalised, control_totals_of, journal_of, reconcile_with
from domain.payroll.groups import PayGroupNameTaken, calendar_of, create_group, get_group
from domain.payroll.imports import CheckedPayInput, PayInputChecker, list_pay_inputs, write_pay_inputs_in
from domain.payroll.law_reach import LawChange, ReachedGroup, ReachedPeriod, reach_of
from domain.payroll.lists import list_groups, list_runs
from domain.payroll.model import (
    Acknowledge,
    Approve,
    CalculationProblemView,
    EmployeeSettlement,
    ExceptionView,
    LawGap,
    LawReplacement,
    LineAmounts,
    LineChange,
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
    PayInputView,
    PayRunSummary,
    PayRunView,
    PayslipHistory,
    PayslipVersion,
    PayslipView,
    RegionAssignment,
    RunFilter,
    SettlementPeriodView,
    SettlementProposal,
)
from domain.payroll.payslip_views import PayslipNotFound, own_payslips, payslip_document, payslip_history, payslips_of
from domain.payroll.preparation import (
    CorrectionNeedsFinalisedRun,
    CorrectionOpen,
    CorrectionPaidTooEarly,
    EmployeesNotInRun,
    LaterPeriodFinalised,
    NoSuchPeriod,
    add_input,
    create_correction,
    create_run,
    get_run,
    run_history,
)
from domain.payroll.review import ExceptionNotOpen, acknowledge, approve, cancel, exceptions_of, finalise, submit
from domain.payroll.review_html import render_pay_run_review_html
from domain.payroll.review_page import PayRunReview, pay_run_review
from domain.payroll.runs import PayGroupNotFound, PayRunNotFound
from domain.payroll.settings import (
    assign_region,
    set_account_mapping,
    set_variance_thresholds,
    variance_thresholds_of,
)
from domain.payroll.settling import (
    NothingToSettle,
    SettlementCorrectionOpen,
    SettlementOvertaken,
    SettlementPaidTooEarly,
    open_settlement,
    settlement_proposal,
)

__all__ = [
    "Acknowledge", "Approve", "CalculationProblemView", "CalculationRunning", "CheckedPayInput",
    "CorrectionNeedsFinalisedRun", "CorrectionOpen", "CorrectionPaidTooEarly", "EmployeeSettlement",
    "EmployeesNotInRun", "ExceptionNotOpen", "ExceptionView", "LaterPeriodFinalised", "LawChange", "LawGap",
    "LawReplacement", "LineAmounts", "LineChange", "NewCorrection", "NewPayGroup", "NewPayInput", "NewPayRun",
    "NewSettlement", "NewVarianceThresholds", "NoAccountMapping", "NoSuchPeriod", "NothingToSettle", "OwnPayslipView",
    "PayCalendar", "PayGroupNameTaken", "PayGroupNotFound", "PayGroupSummary", "PayGroupView", "PayInputChecker",
    "PayInputView", "PayRunNotFound", "PayRunReview", "PayRunSummary", "PayRunView", "PayslipHistory",
    "PayslipNotFound", "PayslipVersion", "PayslipView", "ReachedGroup", "ReachedPeriod", "RegionAssignment",
    "RunFilter", "RunNotFinalised", "SettlementCorrectionOpen", "SettlementOvertaken", "SettlementPaidTooEarly",
    "SettlementPeriodView", "SettlementProposal", "acknowledge", "add_input", "approve", "assign_region",
    "calculate_in_foreground", "calendar_of", "cancel", "control_totals_of", "create_correction", "create_group",
    "create_run", "exceptions_of", "finalise", "get_group", "get_run", "journal_of", "list_groups", "list_pay_inputs",
    "list_runs", "open_settlement", "own_payslips", "pay_run_review", "payslip_document", "payslip_history",
    "payslips_of", "reach_of", "reconcile_with", "render_pay_run_review_html", "run_history", "set_account_mapping",
    "set_variance_thresholds", "settlement_proposal", "start_calculation", "submit", "variance_thresholds_of",
    "wait_for_jobs", "write_pay_inputs_in"
]
