"""Recruitment: per-tenant data keys, pipeline stages, jobs, competency models, candidates with
encrypted personal data and blind indexes, consents, applications with stage history, and the
notification outbox."""

ID = "0002_recruitment"

TENANT_TABLES = (
    "tenant_keys", "pipeline_stages", "jobs", "competency_models", "competency_model_versions", "candidates",
    "consents", "applications", "application_stage_history", "notification_outbox",
)
APPEND_ONLY_TABLES = ("application_stage_history",)

STATEMENTS = [
    """CREATE TABLE tenant_keys (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        wrapped_key TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX tenant_keys_tenant ON tenant_keys (tenant_id)",
    """CREATE TABLE pipeline_stages (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        code VARCHAR(50) NOT NULL,
        names TEXT NOT NULL,
        position INTEGER NOT NULL,
        outcome VARCHAR(16),
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX pipeline_stages_tenant_code ON pipeline_stages (tenant_id, code)",
    """CREATE TABLE jobs (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        legal_entity_id UUID NOT NULL REFERENCES legal_entities (id),
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        status VARCHAR(16) NOT NULL,
        location VARCHAR(200) NOT NULL,
        hiring_team TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX jobs_tenant_entity ON jobs (tenant_id, legal_entity_id)",
    """CREATE TABLE competency_models (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        job_id UUID NOT NULL REFERENCES jobs (id),
        name VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX competency_models_tenant_job ON competency_models (tenant_id, job_id)",
    """CREATE TABLE competency_model_versions (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        model_id UUID NOT NULL REFERENCES competency_models (id),
        number INTEGER NOT NULL,
        effective_from DATE NOT NULL,
        competencies TEXT NOT NULL,
        overall_pass_threshold VARCHAR(20) NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX competency_model_versions_number ON competency_model_versions (tenant_id, model_id, number)",
    """CREATE TABLE candidates (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        full_name VARCHAR(200) NOT NULL,
        email_ciphertext TEXT,
        email_index VARCHAR(64),
        phone_ciphertext TEXT,
        phone_index VARCHAR(64),
        national_id_ciphertext TEXT,
        national_id_index VARCHAR(64),
        national_id_country VARCHAR(2),
        birth_date_ciphertext TEXT,
        timezone VARCHAR(64) NOT NULL,
        locale VARCHAR(16) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX candidates_tenant_email ON candidates (tenant_id, email_index)",
    "CREATE INDEX candidates_tenant_phone ON candidates (tenant_id, phone_index)",
    "CREATE INDEX candidates_tenant_national_id ON candidates (tenant_id, national_id_index)",
    """CREATE TABLE consents (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        candidate_id UUID NOT NULL REFERENCES candidates (id),
        purpose VARCHAR(50) NOT NULL,
        given_at TIMESTAMPTZ NOT NULL,
        withdrawn_at TIMESTAMPTZ,
        evidence VARCHAR(500) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX consents_tenant_candidate ON consents (tenant_id, candidate_id)",
    """CREATE TABLE applications (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        candidate_id UUID NOT NULL REFERENCES candidates (id),
        job_id UUID NOT NULL REFERENCES jobs (id),
        stage VARCHAR(50) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX applications_tenant_candidate_job ON applications (tenant_id, candidate_id, job_id)",
    "CREATE INDEX applications_tenant_job ON applications (tenant_id, job_id)",
    """CREATE TABLE application_stage_history (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        application_id UUID NOT NULL REFERENCES applications (id),
        from_stage VARCHAR(50),
        to_stage VARCHAR(50) NOT NULL,
        moved_by VARCHAR(200) NOT NULL,
        reason VARCHAR(1000) NOT NULL,
        moved_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX application_stage_history_app ON application_stage_history (tenant_id, application_id)",
    """CREATE TABLE notification_outbox (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        recipient_kind VARCHAR(20) NOT NULL,
        recipient_id UUID NOT NULL,
        locale VARCHAR(16) NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        status VARCHAR(16) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX notification_outbox_pending ON notification_outbox (tenant_id, status)",
]
