from __future__ import annotations

from piccolo.columns import UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class PayGroup(Table, tablename="pay_groups"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    legal_entity_id = UUID()
    name = Varchar(length=200)
    rule = Text()
    created_at = Timestamptz()


class PayRun(Table, tablename="pay_runs"):
    """A run's review state lives in ``facts`` (the workflow's own record); ``results_batch`` names the one
    completed calculation whose payslips the run shows."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    pay_group_id = UUID()
    kind = Varchar(length=16)
    corrects_run_id = UUID(null=True, default=None)
    scope = Text(null=True, default=None)
    period_start = Date()
    period_end = Date()
    pay_date = Date()
    state = Varchar(length=16)
    facts = Text()
    results_batch = UUID(null=True, default=None)
    job_status = Varchar(length=16)
    job_done = Integer()
    job_total = Integer()
    job_error = Text(null=True, default=None)
    job_problems = Text(null=True, default=None)
    job_batch = UUID(null=True, default=None)
    job_heartbeat = Timestamptz(null=True, default=None)
    #: a settlement (补差): the first period it recalculates; None for every other run
    settles_from = Date(null=True, default=None)
    #: what the last completed calculation read provisionally, and a settlement's differences by period (JSON)
    provisional_law = Text(null=True, default=None)
    settlement_periods = Text(null=True, default=None)
    version = Integer()
    created_by = Varchar(length=200)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PayInput(Table, tablename="pay_inputs"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    run_id = UUID()
    employee_id = UUID()
    kind = Varchar(length=20)
    amount = Varchar(length=24)
    note = Varchar(length=500)
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class Payslip(Table, tablename="payslips"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    run_id = UUID()
    batch = UUID()
    employee_id = UUID()
    currency = Varchar(length=3)
    gross_minor = BigInt()
    net_minor = BigInt()
    employer_cost_minor = BigInt()
    result = Text()
    #: what the variance check reads (see variance.StoredSummary) and the result's year-to-date figures,
    #: copied from ``result`` as it is written so later runs need not read the whole result
    summary = Text(null=True, default=None)
    year_to_date = Text(null=True, default=None)
    created_at = Timestamptz()


class VarianceException(Table, tablename="variance_exceptions"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    run_id = UUID()
    key = Varchar(length=300)
    detail = Text()
    acknowledged_by = Varchar(length=200, null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    note = Varchar(length=1000, null=True, default=None)
    created_at = Timestamptz()


class ReviewerRegion(Table, tablename="reviewer_regions"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    subject = Varchar(length=200)
    region = Varchar(length=32)
    created_at = Timestamptz()


class AccountMapping(Table, tablename="gl_account_mappings"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    mapping = Text()
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class VarianceThresholdSetting(Table, tablename="payroll_variance_thresholds"):
    """A tenant's variance tolerances (ratios as exact decimal strings); without a row, the defaults apply."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    net_change_ratio = Varchar(length=20)
    line_change_ratio = Varchar(length=20)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PayRunCalculation(Table, tablename="pay_run_calculations"):
    """A completed calculation of a run: its payslips stay, as a version of each, after a recalculation."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    run_id = UUID()
    batch = UUID()
    results_hash = Varchar(length=64)
    calculated_by = Varchar(length=200)
    completed_at = Timestamptz()
