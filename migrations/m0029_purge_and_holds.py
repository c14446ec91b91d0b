"""The retention purge and legal holds.

``legal_holds`` is a hold on a person (a candidate or an employee) or on a case (an application, or a free case
reference with a set of persons); ``legal_hold_subjects`` names what each hold covers, one row per candidate,
employee or application, so the purge skips a held subject with one indexed lookup. A hold is released, never
deleted: the row keeps who released it, when and why.

``privacy_purges`` is one run of the purge for a tenant: when it ran, who asked (the daily schedule or an
operator), its counts per country, data class and trigger (JSON, no personal values) and the audit chain position
and hash its purge record was written at. ``scheduled_for`` is the day of a scheduled run: unique per tenant, so a
day's run is queued once however many workers look. ``purged_subjects`` notes each person whose data of a class was
erased in place (their row stays, unreadable), so the next run does not erase them again; rows that are deleted
need no note.

An application's stage history and the evaluations of an interview result are append-only for the app role: it may
not delete them. On PostgreSQL the purge deletes them through two functions owned by the migration role
(SECURITY DEFINER) that delete only the current tenant's rows (``app.tenant_id``) of the ids given, and nothing
else; the app role may execute them and still has no DELETE on either table. SQLite has no roles."""

from typing import Any

ID = "0029_purge_and_holds"

TENANT_TABLES = ("legal_holds", "legal_hold_subjects", "privacy_purges", "purged_subjects")

STATEMENTS = [
    """CREATE TABLE legal_holds (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        kind VARCHAR(16) NOT NULL,
        case_reference VARCHAR(200),
        reason TEXT NOT NULL,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        released_at TIMESTAMPTZ,
        released_by VARCHAR(200),
        release_reason TEXT,
        version INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE INDEX legal_holds_created ON legal_holds (tenant_id, created_at, id)",
    """CREATE TABLE legal_hold_subjects (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        hold_id UUID NOT NULL,
        subject_kind VARCHAR(16) NOT NULL,
        subject_id UUID NOT NULL,
        active BOOLEAN NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, hold_id) REFERENCES legal_holds (tenant_id, id)
    )""",
    "CREATE INDEX legal_hold_subjects_subject ON legal_hold_subjects (tenant_id, subject_kind, subject_id, active)",
    "CREATE INDEX legal_hold_subjects_hold ON legal_hold_subjects (tenant_id, hold_id)",
    """CREATE TABLE privacy_purges (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        trigger_kind VARCHAR(16) NOT NULL,
        scheduled_for DATE,
        requested_by VARCHAR(200) NOT NULL,
        status VARCHAR(16) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        counts TEXT NOT NULL,
        audit_seq BIGINT,
        audit_hash VARCHAR(64),
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX privacy_purges_day ON privacy_purges (tenant_id, scheduled_for)",
    "CREATE INDEX privacy_purges_created ON privacy_purges (tenant_id, created_at, id)",
    """CREATE TABLE purged_subjects (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        purge_id UUID NOT NULL,
        subject_kind VARCHAR(16) NOT NULL,
        subject_id UUID NOT NULL,
        data_class VARCHAR(32) NOT NULL,
        purged_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, purge_id) REFERENCES privacy_purges (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX purged_subjects_subject ON purged_subjects (tenant_id, subject_kind, subject_id, data_class)",
    # The purge's lookups: a candidate's applications, an employee's end, a recording's application.
    "CREATE INDEX applications_tenant_candidate ON applications (tenant_id, candidate_id, updated_at)",
    "CREATE INDEX employees_tenant_left ON employees (tenant_id, left_on, id)",
    "CREATE INDEX employees_tenant_candidate ON employees (tenant_id, candidate_id)",
]

_PURGE_FUNCTION = """CREATE FUNCTION {name}(ids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
        removed integer;
    BEGIN
        IF tenant IS NULL THEN
            RETURN 0;
        END IF;
        DELETE FROM {table} WHERE tenant_id = tenant AND {column} = ANY(ids);
        GET DIAGNOSTICS removed = ROW_COUNT;
        RETURN removed;
    END
    $$"""
#: The purge's ways past the append-only grants: (function, table, the column the ids name).
PURGE_FUNCTIONS = (("meridian_purge_stage_history", "application_stage_history", "application_id"),
                   ("meridian_purge_evaluations", "evaluations", "result_id"))

POSTGRES_STATEMENTS = [
    statement for name, table, column in PURGE_FUNCTIONS for statement in (
        _PURGE_FUNCTION.format(name=name, table=table, column=column),
        f"REVOKE ALL ON FUNCTION {name}(uuid[]) FROM PUBLIC")
]


async def grant_app_role(owner: Any, role: str) -> None:
    for name, _, _ in PURGE_FUNCTIONS:
        await owner.execute(f"GRANT EXECUTE ON FUNCTION {name}(uuid[]) TO {role}")
