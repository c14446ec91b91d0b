"""The rate limit every server process and replica shares: one counter per client key and window.

This is platform data, not a tenant's rows, so it has no ``tenant_id`` and no row-level security:
- anonymous callers (a health check, a vendor delivery before its signature is checked) are limited by address,
  and have no tenant;
- the counter is read and written outside any use case's transaction, in one statement, so a request never pays
  for a ``set_config`` transaction just to be counted;
- a row holds no tenant data: ``key_digest`` is a SHA-256 of the policy, tenant and subject (never the subject's
  name), ``granted`` a number. Rows of windows older than the previous one are deleted as the next window starts.

``granted`` counts the quota the processes have leased in blocks (not the requests they have answered), and never
exceeds the limit; ``last_lease`` is the block the latest lease took, so the lease's one statement can say what it got.
"""

from domain.kernel.db import Database

ID = "0021_rate_limit_store"

STATEMENTS = [
    """CREATE TABLE rate_limit_counters (
        key_digest VARCHAR(64) NOT NULL,
        window_start BIGINT NOT NULL,
        granted INTEGER NOT NULL,
        last_lease INTEGER NOT NULL,
        PRIMARY KEY (key_digest, window_start)
    )""",
    "CREATE INDEX rate_limit_counters_age ON rate_limit_counters (window_start)",
]


async def grant_app_role(owner: Database, role: str) -> None:
    """Platform rows: the app role reads and writes them, with no row-level security to pass."""
    await owner.execute(f"REVOKE ALL ON rate_limit_counters FROM {role}")
    await owner.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_counters TO {role}")
