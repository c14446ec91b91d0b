"""AI interview vendors, their signed deliveries, references to map, results and evaluations."""

ID = "0004_assessments"

TENANT_TABLES = ("vendors", "vendor_signatures", "external_references", "interview_results", "evaluations")
APPEND_ONLY_TABLES = ("evaluations",)

STATEMENTS = [
    """CREATE TABLE vendors (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        name VARCHAR(200) NOT NULL,
        secret_ciphertext TEXT NOT NULL,
        previous_secret_ciphertext TEXT,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX vendors_tenant_name ON vendors (tenant_id, name)",
    """CREATE TABLE vendor_signatures (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        vendor_id UUID NOT NULL REFERENCES vendors (id),
        signature VARCHAR(64) NOT NULL,
        signed_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX vendor_signatures_seen ON vendor_signatures (tenant_id, vendor_id, signature)",
    """CREATE TABLE external_references (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        vendor_id UUID NOT NULL REFERENCES vendors (id),
        kind VARCHAR(16) NOT NULL,
        reference VARCHAR(200) NOT NULL,
        application_id UUID REFERENCES applications (id),
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX external_references_key ON external_references (tenant_id, vendor_id, kind, reference)",
    """CREATE TABLE interview_results (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        vendor_id UUID NOT NULL REFERENCES vendors (id),
        vendor_result_id VARCHAR(200) NOT NULL,
        status VARCHAR(16) NOT NULL,
        application_id UUID REFERENCES applications (id),
        candidate_reference VARCHAR(200),
        application_reference VARCHAR(200),
        payload_ciphertext TEXT NOT NULL,
        completed_at TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX interview_results_vendor_id ON interview_results (tenant_id, vendor_id, vendor_result_id)",
    "CREATE INDEX interview_results_application ON interview_results (tenant_id, application_id)",
    """CREATE TABLE evaluations (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        result_id UUID NOT NULL REFERENCES interview_results (id),
        application_id UUID NOT NULL REFERENCES applications (id),
        model_id UUID NOT NULL REFERENCES competency_models (id),
        model_version INTEGER NOT NULL,
        overall VARCHAR(20),
        passed BOOLEAN NOT NULL,
        detail TEXT NOT NULL,
        reason VARCHAR(200) NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX evaluations_application ON evaluations (tenant_id, application_id, created_at)",
]
