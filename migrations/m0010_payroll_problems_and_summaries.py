"""A calculation that cannot complete lists every payslip it could not calculate, not just the first.
Each tenant sets its own variance tolerances. Every completed calculation of a run is recorded and its
payslips kept, so each payslip's versions can be listed (修改留痕).
Each payslip also keeps, beside its result, the little that the next runs read of it: what the variance
check compares and the year-to-date figures. The next month then reads a few hundred bytes a payslip, not
the whole result with its trace (rows written before this keep both empty and are read from the result)."""

ID = "0010_payroll_problems_and_summaries"

TENANT_TABLES = ("payroll_variance_thresholds", "pay_run_calculations")

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN job_problems TEXT",
    "ALTER TABLE payslips ADD COLUMN summary TEXT",
    "ALTER TABLE payslips ADD COLUMN year_to_date TEXT",
    # each page of a run reads the previous run's payslips of its stretch of employee ids
    "CREATE INDEX payslips_batch_employee ON payslips (tenant_id, batch, employee_id)",
    """CREATE TABLE payroll_variance_thresholds (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        net_change_ratio VARCHAR(20) NOT NULL,
        line_change_ratio VARCHAR(20) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX payroll_variance_thresholds_tenant ON payroll_variance_thresholds (tenant_id)",
    """CREATE TABLE pay_run_calculations (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        run_id UUID NOT NULL REFERENCES pay_runs (id),
        batch UUID NOT NULL,
        results_hash VARCHAR(64) NOT NULL,
        calculated_by VARCHAR(200) NOT NULL,
        completed_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX pay_run_calculations_batch ON pay_run_calculations (tenant_id, run_id, batch)",
]
