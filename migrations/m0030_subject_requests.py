"""Data-subject requests (access, portability, rectification, erasure, restriction) of a candidate or an employee:
one row per request, with the due date its country's law gives, its status, the reviewer who decides and what the
decision did (the effective-dated change a rectification made, what an erasure erased). A completed restriction
request marks its person restricted: their results are left out of comparisons and automated steps. The person is a
candidate or an employee (``person_kind``), so no foreign key names them; the request outlives an erasure, holding
no personal value itself."""

ID = "0030_subject_requests"

TENANT_TABLES = ("data_subject_requests",)

STATEMENTS = [
    """CREATE TABLE data_subject_requests (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        kind VARCHAR(16) NOT NULL,
        person_kind VARCHAR(16) NOT NULL,
        person_id UUID NOT NULL,
        country VARCHAR(2) NOT NULL,
        received_on DATE NOT NULL,
        due_on DATE NOT NULL,
        due_basis VARCHAR(16) NOT NULL,
        law_version VARCHAR(64) NOT NULL,
        status VARCHAR(16) NOT NULL,
        opened_by VARCHAR(200) NOT NULL,
        self_service BOOLEAN NOT NULL,
        details TEXT NOT NULL,
        reviewer VARCHAR(200),
        decided_by VARCHAR(200),
        decided_at TIMESTAMPTZ,
        refusal_reason TEXT,
        outcome TEXT,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE INDEX data_subject_requests_person ON data_subject_requests (tenant_id, person_kind, person_id)",
    "CREATE INDEX data_subject_requests_due ON data_subject_requests (tenant_id, status, due_on)",
]
