"""Payroll: pay groups with their calendars, pay runs and their inputs, payslips written per calculation
batch (a run shows only its completed batch), variance exceptions, reviewer regions and GL accounts."""

ID = "0008_payroll"

TENANT_TABLES = (
    "pay_groups", "pay_runs", "pay_inputs", "payslips", "variance_exceptions", "reviewer_regions",
    "gl_account_mappings",
)

STATEMENTS = [
    """CREATE TABLE pay_groups (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        legal_entity_id UUID NOT NULL REFERENCES legal_entities (id),
        name VARCHAR(200) NOT NULL,
        rule TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX pay_groups_name ON pay_groups (tenant_id, name)",
    """CREATE TABLE pay_runs (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        pay_group_id UUID NOT NULL REFERENCES pay_groups (id),
        kind VARCHAR(16) NOT NULL,
        corrects_run_id UUID REFERENCES pay_runs (id),
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        pay_date DATE NOT NULL,
        state VARCHAR(16) NOT NULL,
        facts TEXT NOT NULL,
        results_batch UUID,
        job_status VARCHAR(16) NOT NULL,
        job_done INTEGER NOT NULL,
        job_total INTEGER NOT NULL,
        job_error TEXT,
        version INTEGER NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX pay_runs_group ON pay_runs (tenant_id, pay_group_id, pay_date)",
    """CREATE TABLE pay_inputs (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        run_id UUID NOT NULL REFERENCES pay_runs (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        kind VARCHAR(20) NOT NULL,
        amount VARCHAR(24) NOT NULL,
        note VARCHAR(500) NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX pay_inputs_run ON pay_inputs (tenant_id, run_id)",
    """CREATE TABLE payslips (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        run_id UUID NOT NULL REFERENCES pay_runs (id),
        batch UUID NOT NULL,
        employee_id UUID NOT NULL REFERENCES employees (id),
        currency VARCHAR(3) NOT NULL,
        gross_minor BIGINT NOT NULL,
        net_minor BIGINT NOT NULL,
        employer_cost_minor BIGINT NOT NULL,
        result TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX payslips_run_batch ON payslips (tenant_id, run_id, batch)",
    "CREATE INDEX payslips_employee ON payslips (tenant_id, employee_id)",
    """CREATE TABLE variance_exceptions (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        run_id UUID NOT NULL REFERENCES pay_runs (id),
        key VARCHAR(300) NOT NULL,
        detail TEXT NOT NULL,
        acknowledged_by VARCHAR(200),
        acknowledged_at TIMESTAMPTZ,
        note VARCHAR(1000),
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX variance_exceptions_key ON variance_exceptions (tenant_id, run_id, key)",
    """CREATE TABLE reviewer_regions (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        subject VARCHAR(200) NOT NULL,
        region VARCHAR(32) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX reviewer_regions_key ON reviewer_regions (tenant_id, subject, region)",
    """CREATE TABLE gl_account_mappings (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        mapping TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX gl_account_mappings_tenant ON gl_account_mappings (tenant_id)",
]
