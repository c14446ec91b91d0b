"""A calculation that cannot complete lists every payslip it could not calculate, not just the first.
Each tenant sets its own variance tolerances.
Each payslip also keeps, beside its result, the little that the next runs read of it: what the variance
check compares and the year-to-date figures. The next month then reads a few hundred bytes a payslip, not
the whole result with its trace (rows written before this keep both empty and are read from the result)."""

ID = "0010_payroll_problems_and_summaries"

TENANT_TABLES = ("payroll_variance_thresholds",)

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
]
