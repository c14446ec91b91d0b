"""Interviews and their participants, each participant with their own time zone."""

ID = "0003_interviews"

TENANT_TABLES = ("interviews", "interview_participants")

STATEMENTS = [
    """CREATE TABLE interviews (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        application_id UUID NOT NULL REFERENCES applications (id),
        title VARCHAR(200) NOT NULL,
        start_utc TIMESTAMPTZ NOT NULL,
        end_utc TIMESTAMPTZ NOT NULL,
        location VARCHAR(500),
        video_link VARCHAR(500),
        status VARCHAR(16) NOT NULL,
        sequence INTEGER NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX interviews_tenant_application ON interviews (tenant_id, application_id)",
    """CREATE TABLE interview_participants (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        interview_id UUID NOT NULL REFERENCES interviews (id),
        person_id UUID NOT NULL,
        kind VARCHAR(16) NOT NULL,
        display_name VARCHAR(200) NOT NULL,
        timezone VARCHAR(64) NOT NULL,
        start_utc TIMESTAMPTZ NOT NULL,
        end_utc TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX interview_participants_person ON interview_participants (tenant_id, person_id, start_utc)",
    "CREATE INDEX interview_participants_interview ON interview_participants (tenant_id, interview_id)",
]
