"""Employees hired from applications: effective-dated employment and tax attributes (append-only:
the past is never rewritten), bank accounts behind a second person's confirmation, onboarding,
training and performance reviews."""

ID = "0007_employees"

TENANT_TABLES = (
    "employees", "employments", "tax_attributes", "bank_account_changes", "onboarding_rules",
    "onboarding_standard_items", "onboarding_items", "training_modules", "training_records", "performance_reviews",
)
APPEND_ONLY_TABLES = ("employments", "tax_attributes")

STATEMENTS = [
    """CREATE TABLE employees (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        candidate_id UUID REFERENCES candidates (id),
        application_id UUID REFERENCES applications (id),
        full_name VARCHAR(200) NOT NULL,
        email_ciphertext TEXT,
        phone_ciphertext TEXT,
        national_id_ciphertext TEXT,
        national_id_country VARCHAR(2),
        birth_date_ciphertext TEXT,
        timezone VARCHAR(64) NOT NULL,
        locale VARCHAR(16) NOT NULL,
        left_on DATE,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX employees_tenant_application ON employees (tenant_id, application_id)",
    """CREATE TABLE employments (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        effective_from DATE NOT NULL,
        legal_entity_id UUID NOT NULL REFERENCES legal_entities (id),
        country VARCHAR(2) NOT NULL,
        region VARCHAR(16),
        position VARCHAR(200) NOT NULL,
        pay_minor BIGINT NOT NULL,
        currency VARCHAR(3) NOT NULL,
        pay_unit VARCHAR(8) NOT NULL,
        weekly_hours VARCHAR(10) NOT NULL,
        probation_months INTEGER NOT NULL,
        fixed_term_months INTEGER,
        manager_id UUID,
        evaluation_id UUID,
        model_id UUID,
        model_version INTEGER,
        reason VARCHAR(500) NOT NULL,
        recorded_by VARCHAR(200) NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX employments_as_of ON employments (tenant_id, employee_id, effective_from)",
    """CREATE TABLE tax_attributes (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        country VARCHAR(2) NOT NULL,
        effective_from DATE NOT NULL,
        attributes TEXT NOT NULL,
        recorded_by VARCHAR(200) NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX tax_attributes_as_of ON tax_attributes (tenant_id, employee_id, effective_from)",
    """CREATE TABLE bank_account_changes (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        account_ciphertext TEXT NOT NULL,
        masked VARCHAR(64) NOT NULL,
        status VARCHAR(16) NOT NULL,
        requested_by VARCHAR(200) NOT NULL,
        requested_at TIMESTAMPTZ NOT NULL,
        decided_by VARCHAR(200),
        decided_at TIMESTAMPTZ
    )""",
    "CREATE INDEX bank_account_changes_employee ON bank_account_changes (tenant_id, employee_id, requested_at)",
    """CREATE TABLE onboarding_rules (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        definition TEXT NOT NULL,
        active BOOLEAN NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE onboarding_standard_items (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        legal_entity_id UUID NOT NULL REFERENCES legal_entities (id),
        definition TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE onboarding_items (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        plan_item TEXT NOT NULL,
        due_date DATE NOT NULL,
        status VARCHAR(16) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX onboarding_items_employee ON onboarding_items (tenant_id, employee_id, due_date)",
    """CREATE TABLE training_modules (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        code VARCHAR(64) NOT NULL,
        title TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX training_modules_code ON training_modules (tenant_id, code)",
    """CREATE TABLE training_records (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        module_id UUID NOT NULL REFERENCES training_modules (id),
        status VARCHAR(16) NOT NULL,
        completed_on DATE,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX training_records_employee ON training_records (tenant_id, employee_id)",
    """CREATE TABLE performance_reviews (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        employee_id UUID NOT NULL REFERENCES employees (id),
        period VARCHAR(20) NOT NULL,
        model_id UUID,
        model_version INTEGER,
        ratings TEXT NOT NULL,
        overall VARCHAR(10) NOT NULL,
        reviewer VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX performance_reviews_period ON performance_reviews (tenant_id, employee_id, period)",
]
