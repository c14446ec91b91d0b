"""Where each table lives when Meridian's PostgreSQL grows into a Citus cluster distributed by ``tenant_id``.

This is the one list ``docs/scale-out.md`` and ``tests/integration/test_distribution_readiness.py`` both read:

- a table with a ``tenant_id`` column is **distributed** by it, all such tables in one co-location group, so a
  tenant's rows of every table sit on the same node and every use case (one tenant, one transaction) runs on one
  shard group;
- a table without ``tenant_id`` is either a **reference** table (small shared data, a copy on every node, so a
  distributed table's foreign key to it is checked locally), or a **local** table (kept on the coordinator only:
  platform machinery that no tenant query joins, and that would not survive being spread or copied);
- anything else has no place yet: the test names it, and it gets a line here before it ships.

Law and pack data are not tables: packs are files in ``compliance/`` loaded into every app process, and a
tenant's own law versions (``law_versions``, ``law_choices``) are its rows, distributed with it.
"""

from __future__ import annotations

import enum

DISTRIBUTION_COLUMN = "tenant_id"

#: Shared data replicated to every node: ``create_reference_table``. Each with why it is one.
REFERENCE_TABLES: dict[str, str] = {
    "tenants": "the tenant registry: every tenant table's tenant_id references it, so each shard checks that key "
               "on its own node; one row per tenant, written only when a tenant is provisioned or suspended, and "
               "its row-level security filters on its id, which is the tenant",
}

#: Tables kept on the coordinator only (Citus calls them local tables). Each with why it is not distributed.
LOCAL_TABLES: dict[str, str] = {
    "meridian_migrations": "the migration runner's bookkeeping, read and written by the runner on the coordinator",
    "rate_limit_counters": "platform counters keyed by a digest of policy, tenant and client (anonymous callers "
                           "have no tenant), one upsert per lease outside any tenant transaction; if the "
                           "coordinator's write rate ever limits them they can be distributed by key_digest, "
                           "the first column of their primary key, in a co-location group of their own",
    "meridian_jobs": "SQLite's job queue (on-prem, one process); it is never created on PostgreSQL",
}

#: Families of tables a library owns, by name prefix, kept on the coordinator like LOCAL_TABLES.
LOCAL_TABLE_PREFIXES: dict[str, str] = {
    "procrastinate_": "the job queue's own schema (jobs, events, workers, periodic defers): it claims work with "
                      "SELECT ... FOR UPDATE SKIP LOCKED across all jobs, wakes workers with LISTEN/NOTIFY and "
                      "keeps its events with triggers and plpgsql functions, none of which work across shards, "
                      "and a reference table would make every enqueue a write to every node; a job names its "
                      "tenant in its arguments and its handler opens that tenant's unit of work, which is "
                      "routed to the tenant's shard like any request",
}


class Placement(enum.Enum):
    DISTRIBUTED = "distributed"
    REFERENCE = "reference"
    LOCAL = "local"


def placement_of(table: str, columns: set[str]) -> Placement | None:
    """Where ``table`` goes in the cluster; None when nobody has decided yet."""
    if table in REFERENCE_TABLES:
        return Placement.REFERENCE
    if table in LOCAL_TABLES or any(table.startswith(prefix) for prefix in LOCAL_TABLE_PREFIXES):
        return Placement.LOCAL
    if DISTRIBUTION_COLUMN in columns:
        return Placement.DISTRIBUTED
    return None


def why_unplaced(table: str) -> str:
    """What to do about a table that has no place in the cluster yet."""
    return (
        f"table {table!r} has no {DISTRIBUTION_COLUMN} column and is not classified: give it a {DISTRIBUTION_COLUMN} "
        f"(tenant rows, distributed with the tenant), or add it with a reason to REFERENCE_TABLES (small shared "
        f"data every node needs) or LOCAL_TABLES (platform machinery kept on the coordinator) in "
        f"domain/kernel/distribution.py, and say so in docs/scale-out.md"
    )
