"""Interviewers' own feedback on an interview: ratings per competency, a recommendation, notes."""

ID = "0005_feedback"

TENANT_TABLES = ("interview_feedback",)

STATEMENTS = [
    """CREATE TABLE interview_feedback (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        interview_id UUID NOT NULL REFERENCES interviews (id),
        interviewer_id UUID NOT NULL REFERENCES users (id),
        interviewer_name VARCHAR(200) NOT NULL,
        ratings TEXT NOT NULL,
        recommendation VARCHAR(16) NOT NULL,
        notes TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX interview_feedback_once ON interview_feedback (tenant_id, interview_id, interviewer_id)",
]
