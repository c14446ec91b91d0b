"""AI-evaluation safeguards: human evaluations per competency (the path that needs no AI result), and the
"decided by a person" records that must exist before an automated output (a ranking, a pass/fail, proposed
interview weights, a parked AI result's release) changes anything. Both are tenant tables; every reference to a
tenant row names the tenant too."""

ID = "0032_ai_safeguards"

TENANT_TABLES = ("human_evaluations", "decision_records")

STATEMENTS = [
    """CREATE TABLE human_evaluations (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        application_id UUID NOT NULL,
        competency_code VARCHAR(64) NOT NULL,
        score VARCHAR(20) NOT NULL,
        evidence_kind VARCHAR(32) NOT NULL,
        evaluated_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
    )""",
    "CREATE INDEX human_evaluations_application ON human_evaluations (tenant_id, application_id, created_at)",
    """CREATE TABLE decision_records (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        subject_type VARCHAR(32) NOT NULL,
        subject_id UUID NOT NULL,
        automated_output VARCHAR(32) NOT NULL,
        based_on TEXT NOT NULL,
        decision VARCHAR(32) NOT NULL,
        reason TEXT NOT NULL,
        reviewed_by VARCHAR(200) NOT NULL,
        reviewed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE INDEX decision_records_subject ON decision_records (tenant_id, subject_type, subject_id, reviewed_at)",
]
