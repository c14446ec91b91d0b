"""The database kernel: engines for SQLite and PostgreSQL, and the unit of work.

Every use case runs inside exactly one :func:`unit_of_work`. It opens the transaction, and on
PostgreSQL makes ``set_config('app.tenant_id', …, true)`` its first statement, so row-level
security sees the tenant for that transaction only: a pooled connection never carries a tenant
into the next request. Queries take the unit of work and read its tenant, and fail closed
outside one (SQLite has no RLS, so the explicit ``tenant_id`` filter is the wall there).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from domain.kernel.errors import TenantContextMissing

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class Database:
    """One configured database: its Piccolo engine and, on SQLite, the in-process write lock."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine[Any] = _engine_for(url)
        self._write_lock: asyncio.Lock | None = None
        self._listening: list[Any] = []

    @property
    def role(self) -> str | None:
        return role_of(self.url)

    @property
    def write_lock(self) -> asyncio.Lock:
        # SQLite allows one writer; queueing writers here instead of in SQLite's busy handler
        # keeps "database is locked" away from concurrent requests of this process.
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        return self._write_lock

    async def start(self) -> None:
        if self.is_sqlite:
            await self.execute("PRAGMA journal_mode=WAL")
        else:
            engine: PostgresEngine = self.engine  # type: ignore[assignment]
            await engine.start_connection_pool(min_size=1, max_size=self.pool_size, reset=_keep_session)

    async def stop(self) -> None:
        for connection in self._listening:
            await connection.close()
        self._listening.clear()
        if not self.is_sqlite:
            engine: PostgresEngine = self.engine  # type: ignore[assignment]
            if engine.pool is not None:
                await engine.close_connection_pool()

    async def listen(self, channel: str, heard: Callable[..., None], lost: Callable[[Any], None]) -> Any:
        """PostgreSQL: a connection of its own, outside the pool, on which ``heard`` receives the ``channel``'s
        notifications until :meth:`stop`; ``lost`` is called when it closes, for whatever reason."""
        import asyncpg

        connection = await asyncpg.connect(_dsn(self.url))
        connection.add_termination_listener(lost)
        await connection.add_listener(channel, heard)
        self._listening.append(connection)
        return connection

    async def execute(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        result = await self.engine.run_querystring(QueryString(sql, *args))
        return [dict(row) for row in result or []]

    async def bulk_insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Many rows through one prepared INSERT inside the current transaction (executemany), for large
        writes (payslips) where building one ORM object per row dominates. COPY would be faster on
        PostgreSQL but is refused on tables with row-level security."""
        transaction = self.engine.current_transaction.get()
        if transaction is None:
            raise RuntimeError("bulk_insert runs inside a unit of work")
        if not all(name.replace("_", "").isalnum() for name in (table, *columns)):
            raise ValueError("bulk_insert takes the code's own table and column names only")
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" if self.is_sqlite else f"${i}" for i in range(1, len(columns) + 1))
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - names checked above
        await transaction.connection.executemany(statement, rows)

    @asynccontextmanager
    async def transaction(self, *, write: bool, scope: str | None = None) -> AsyncIterator[None]:
        """``scope`` (PostgreSQL): the statement that scopes the transaction, sent with its BEGIN in one round trip."""
        if not self.is_sqlite:
            engine: PostgresEngine = self.engine  # type: ignore[assignment]
            async with _ScopedTransaction(engine, scope) if scope else engine.transaction(allow_nested=False):
                yield
        elif write:
            async with self.write_lock, self.engine.transaction(
                transaction_type=TransactionType.immediate, allow_nested=False
            ):
                yield
        else:
            async with self.engine.transaction(transaction_type=TransactionType.deferred, allow_nested=False):
                yield

    def bind(self, tables: Iterable[type[Table]]) -> None:
        for table in tables:
            table._meta.db = self.engine


class RolePowers(msgspec.Struct, frozen=True):
    """What the connected PostgreSQL role could do past row-level security."""

    superuser: bool
    bypasses_rls: bool
    owns_tables: bool

    @property
    def defeats_row_security(self) -> bool:
        return self.superuser or self.bypasses_rls or self.owns_tables


async def connected_role_powers(database: Database) -> RolePowers:
    """PostgreSQL only: the connected role's superuser and BYPASSRLS flags, and whether it owns any table."""
    rows = await database.execute(
        "SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_tables WHERE tableowner = current_user "
        "AND schemaname = 'public') AS owned FROM pg_roles WHERE rolname = current_user"
    )
    role = rows[0]
    return RolePowers(superuser=bool(role["rolsuper"]), bypasses_rls=bool(role["rolbypassrls"]),
                      owns_tables=bool(role["owned"]))


def role_of(url: str) -> str | None:
    """The PostgreSQL role a connection URL logs in as (None for SQLite)."""
    return None if url.startswith("sqlite") else urlsplit(url).username


def _engine_for(url: str) -> Engine[Any]:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return PostgresEngine(config={"dsn": _dsn(url)})


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


_database: Database | None = None


def configure(database: Database) -> None:
    global _database
    _database = database
    from domain.kernel.table_registry import all_tables

    database.bind(all_tables())


def current_database() -> Database:
    if _database is None:
        raise RuntimeError("The database is not configured; call domain.kernel.db.configure() at startup")
    return _database


_active: ContextVar[UnitOfWork | None] = ContextVar("meridian_unit_of_work", default=None)

#: Runs inside every writing unit of work of the current context, just before it commits (see :func:`before_commits`).
CommitHook = Callable[["UnitOfWork"], Awaitable[None]]
_before_commit: ContextVar[CommitHook | None] = ContextVar("meridian_before_commit", default=None)


class UnitOfWork:
    """The open transaction of one use case, for one tenant."""

    def __init__(self, tenant_id: UUID | None, *, platform: bool = False) -> None:
        self._tenant_id = tenant_id
        self.platform = platform

    @property
    def tenant_id(self) -> UUID:
        if _active.get() is not self or self._tenant_id is None:
            raise TenantContextMissing("tenant-scoped query outside its unit of work")
        return self._tenant_id

    def require_platform(self) -> None:
        if _active.get() is not self or not self.platform:
            raise TenantContextMissing("platform query outside a platform unit of work")


@asynccontextmanager
async def unit_of_work(tenant_id: UUID, *, write: bool = True) -> AsyncIterator[UnitOfWork]:
    """One transaction for one tenant. Commits when the block ends, rolls back on any error."""
    async with _open(UnitOfWork(tenant_id), write=write) as uow:
        yield uow


@asynccontextmanager
async def platform_unit_of_work(*, tenant_id: UUID | None = None, write: bool = True) -> AsyncIterator[UnitOfWork]:
    """For the platform operator's tenant registry only: the one place that sees every tenant row.

    ``tenant_id`` also scopes the transaction to the tenant being provisioned or suspended, so the
    audit entry for that change lands in that tenant's chain in the same transaction.
    """
    async with _open(UnitOfWork(tenant_id, platform=True), write=write) as uow:
        yield uow


@asynccontextmanager
async def _open(uow: UnitOfWork, *, write: bool) -> AsyncIterator[UnitOfWork]:
    if _active.get() is not None:
        raise RuntimeError("a use case must run in exactly one unit of work; nested units are not allowed")
    database = current_database()
    async with database.transaction(write=write, scope=None if database.is_sqlite else _transaction_scope(uow)):
        token = _active.set(uow)
        try:
            yield uow
            hook = _before_commit.get()
            if write and hook is not None:
                await hook(uow)
        finally:
            _active.reset(token)


@contextmanager
def before_commits(hook: CommitHook) -> Iterator[None]:
    """While the block runs, every writing unit of work it opens runs ``hook`` last, in its own transaction: what
    the hook writes commits exactly when the use case's changes do. The edge uses it to mark an Idempotency-Key's
    request as having changed something, so a retry after a lost answer never runs the change twice."""
    token = _before_commit.set(hook)
    try:
        yield
    finally:
        _before_commit.reset(token)


def _transaction_scope(uow: UnitOfWork) -> str:
    """The statement row-level security reads the tenant from, local to the transaction (``true``). It is sent
    with the BEGIN in one simple-protocol round trip, which takes no parameters: the values are inlined, and
    both are safe to inline, a UUID's canonical text (hex digits and dashes) and a fixed word."""
    tenant = str(UUID(str(uow._tenant_id))) if uow._tenant_id else ""
    platform = "on" if uow.platform else ""
    return f"SELECT set_config('app.tenant_id', '{tenant}', true), set_config('app.platform', '{platform}', true)"


class _ScopedTransaction(PostgresTransaction):
    """Piccolo's transaction, but opened together with its scope statement (``BEGIN; SELECT set_config(…)``): one
    round trip instead of two on every unit of work."""

    __slots__ = ("scope",)

    def __init__(self, engine: PostgresEngine, scope: str) -> None:
        super().__init__(engine, allow_nested=False)
        self.scope = scope

    async def __aenter__(self) -> _ScopedTransaction:
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await self._release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        await self.connection.execute(f"BEGIN; {self.scope}")

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def _release(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


async def _keep_session(connection: Any) -> None:
    """What the pool does to a connection given back: nothing past asyncpg's own rollback of an open transaction.
    asyncpg's default reset (RESET ALL, CLOSE ALL, UNLISTEN *, advisory unlock) costs a round trip per unit of work
    and undoes nothing Meridian does: the tenant is set per transaction (``set_config(…, true)``) and no pooled
    connection sets session state, listens or takes session advisory locks."""
