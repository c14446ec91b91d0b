"""The durable job queue: background work (pay-run calculations, purges, and later imports and webhook deliveries)
that survives a restart and runs once across workers and replicas.

PostgreSQL: procrastinate's own schema (``procrastinate_jobs``, ``_events``, ``_workers``, ``_periodic_defers``, its
types and functions), read from the pinned procrastinate package so the schema and the library always match. An
upgrade of procrastinate that changes its schema comes with a migration of ours applying procrastinate's migration
files for the versions crossed. These are the platform's tables, not tenant rows: a job names its tenant in its
arguments (ids only, never personal data) and its handler opens a unit of work for that tenant, under row-level
security. The app role is granted what the worker and the enqueuing use cases need (``grant_app_role``).

SQLite (on-prem, one process): ``meridian_jobs``, written in the unit of work of the change that queued the job and
claimed by the in-process runner, which on start puts back what a stopped process left running.
"""

from __future__ import annotations

from typing import Any

ID = "0020_job_queue"

STATEMENTS: list[str] = []

SQLITE_STATEMENTS = [
    """CREATE TABLE meridian_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind VARCHAR(128) NOT NULL,
        args TEXT NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'todo',
        attempts INTEGER NOT NULL DEFAULT 0,
        run_after REAL NOT NULL,
        enqueued_at REAL NOT NULL,
        finished_at REAL,
        last_error VARCHAR(200)
    )""",
    "CREATE INDEX meridian_jobs_due ON meridian_jobs (status, run_after, id)",
]

QUEUE_TABLES = ("procrastinate_jobs", "procrastinate_events", "procrastinate_workers", "procrastinate_periodic_defers")


async def apply(owner: Any) -> None:
    if owner.is_sqlite:
        return
    from procrastinate.schema import SchemaManager

    # The schema is a script (functions with $$ bodies, '{}' defaults): it goes to the connection as it is,
    # not through the query builder's placeholders, inside the migration's transaction.
    transaction = owner.engine.current_transaction.get()
    await transaction.connection.execute(SchemaManager.get_schema())


async def grant_app_role(owner: Any, role: str) -> None:
    """The worker claims, finishes and retries jobs and keeps its heartbeat; a use case inserts its job (the
    triggers then write the events). Sequences for the bigserial ids; functions are PUBLIC by default."""
    for table in QUEUE_TABLES:
        await owner.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {role}')
    for sequence in ("procrastinate_jobs_id_seq", "procrastinate_events_id_seq",
                     "procrastinate_periodic_defers_id_seq"):
        await owner.execute(f'GRANT USAGE, SELECT ON SEQUENCE "{sequence}" TO {role}')
