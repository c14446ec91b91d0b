"""The database kernel: engines for SQLite and PostgreSQL, and the unit of work.

Every use case runs inside exactly one :func:`unit_of_work`. It opens the transaction, and on
PostgreSQL makes ``set_config('app.tenant_id', …, true)`` its first statement, so row-level
security sees the tenant for that transaction only: a pooled connection never carries a tenant
into the next request. A reading unit of work opens its transaction at its first statement, and
a page read first scopes its own statement instead (the session's own function for the statement,
:class:`PageFunction`, else ``meridian_scoped_page``). Queries take the unit of work and read its
tenant, and fail closed outside one (SQLite has no RLS, so the explicit ``tenant_id`` filter is the
wall there).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
import msgspec.inspect
from asyncpg.exceptions import InsufficientPrivilegeError, InvalidSchemaNameError, UndefinedFunctionError
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from domain.kernel.errors import TenantContextMissing

SQLITE_BUSY_TIMEOUT_SECONDS = 30
log = logging.getLogger("meridian.db")


class Database:
    """One configured database: its Piccolo engine and, on SQLite, the in-process write lock."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine[Any] = _engine_for(url)
        self._write_lock: asyncio.Lock | None = None
        self._listening: list[Any] = []
        self._types: dict[str, dict[str, str]] = {}
        self.kept: KeptConnections | None = None

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
            await self.open_pool()

    async def stop(self) -> None:
        for connection in self._listening:
            await connection.close()
        self._listening.clear()
        if not self.is_sqlite:
            await self.close_pool()

    async def open_pool(self) -> None:
        """PostgreSQL: the connection pool of :attr:`pool_size`, and the connections units of work keep from it."""
        engine: PostgresEngine = self.engine  # type: ignore[assignment]
        await engine.start_connection_pool(min_size=1, max_size=self.pool_size, reset=_keep_session)
        self.kept = KeptConnections(engine.pool, limit=self.pool_size // 2)

    async def close_pool(self) -> None:
        """The kept connections go back first: the pool's close waits for every connection taken from it."""
        engine: PostgresEngine = self.engine  # type: ignore[assignment]
        if self.kept is not None:
            await self.kept.give_all_back()
            self.kept = None
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
        """Many rows in one statement inside the current transaction, for large writes (payslips, imports) where
        building one ORM object per row dominates. On PostgreSQL the rows go as one array per column into one
        ``INSERT … SELECT FROM unnest(…)``: a third less of the server's CPU than a prepared INSERT per row
        (``executemany``, still used on SQLite and for a table with an array column, which ``unnest`` would
        flatten). COPY would be faster still but is refused on tables with row-level security."""
        transaction = self.engine.current_transaction.get()
        if transaction is None:
            raise RuntimeError("bulk_insert runs inside a unit of work")
        if not all(name.replace("_", "").isalnum() for name in (table, *columns)):
            raise ValueError("bulk_insert takes the code's own table and column names only")
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        types = None if self.is_sqlite else await self._column_types(transaction.connection, table)
        if types is not None and all(c in types and not types[c].endswith("]") for c in columns):
            arrays = ", ".join(f"${i}::{types[c]}[]" for i, c in enumerate(columns, start=1))
            statement = f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays})'  # noqa: S608 - names checked
            await transaction.connection.execute(statement, *(list(column) for column in zip(*rows, strict=True)))
            return
        marks = ", ".join("?" if self.is_sqlite else f"${i}" for i in range(1, len(columns) + 1))
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - names checked above
        await transaction.connection.executemany(statement, rows)

    async def _column_types(self, connection: Any, table: str) -> dict[str, str]:
        """PostgreSQL: each column's type as SQL spells it (``character varying(200)``), read once per table."""
        types = self._types.get(table)
        if types is None:
            found = await connection.fetch(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped", f'"{table}"')
            types = self._types[table] = {name: spelled for name, spelled in found}
        return types

    @asynccontextmanager
    async def transaction(self, *, write: bool, scope: TenantScope | None = None) -> AsyncIterator[None]:
        """``scope`` (PostgreSQL): what scopes the transaction, sent with its BEGIN in one round trip; a reading one
        opens only when its first statement needs it (see :class:`_ScopedTransaction`)."""
        if not self.is_sqlite:
            engine: PostgresEngine = self.engine  # type: ignore[assignment]
            opened = _ScopedTransaction(engine, scope, self.kept, lazy=not write) if scope else engine.transaction(
                allow_nested=False)
            async with opened:
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
    # Every session reads and writes time in UTC, whatever the server's default zone: a timestamp the server
    # renders as text (the JSON of fetch_views) reads the same as one asyncpg decodes.
    return PostgresEngine(config={"dsn": _dsn(url), "server_settings": {"TimeZone": "UTC"}})


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


async def fetch(uow: UnitOfWork, statement: str, *args: Any) -> list[Sequence[Any]]:
    """The rows of one fixed ``statement`` (``{}`` for each of ``args``) in ``uow``'s transaction, each a sequence
    in the order of its select list: for hot reads, where building the query with Piccolo and turning every row
    into a dict cost more than the database's work on a page of 50. On PostgreSQL the statement is prepared once
    per connection (asyncpg's statement cache) and its rows come back as they are. Like every query it runs only
    inside its unit of work; the statement still names ``tenant_id`` itself (SQLite has no row-level security)."""
    if _active.get() is not uow:
        raise TenantContextMissing("query outside its unit of work")
    database = current_database()
    if database.is_sqlite:
        rows = await database.engine.run_querystring(QueryString(statement, *args))
        return [tuple(row.values()) for row in rows or []]
    transaction = database.engine.current_transaction.get()
    if transaction is None:
        raise TenantContextMissing("query outside its unit of work")
    return await transaction.connection.fetch(_numbered(statement), *args)  # type: ignore[no-any-return]


async def insert(uow: UnitOfWork, table: str, values: dict[str, Any]) -> None:
    """One row of ``values`` (by column) into ``table`` in ``uow``'s transaction, through a statement prepared once
    per table and set of columns: Piccolo builds its insert anew every time, which was a third of the server's
    CPU on a write with its audit entry."""
    await fetch(uow, _insert_statement(table, tuple(values)), *values.values())


@functools.cache
def _insert_statement(table: str, columns: tuple[str, ...]) -> str:
    if not all(name.replace("_", "").isalnum() for name in (table, *columns)):
        raise ValueError("insert takes the code's own table and column names only")
    names, marks = ", ".join(f'"{name}"' for name in columns), ", ".join("{}" for _ in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - names checked above


V = TypeVar("V", bound=msgspec.Struct)


async def fetch_views(uow: UnitOfWork, view: type[V], statement: str, *args: Any, order: str = "id") -> list[V]:
    """The rows of one fixed ``statement`` as ``view`` structs, whose fields its select list names, ordered by the
    ``order`` column as the statement orders them. On PostgreSQL the server sends the rows as one JSON document
    (``json_agg``) that msgspec reads straight into the views: turning 50 rows of ten columns into Python values
    cost the list more than anything else it does (about 0.15 ms), one text value a fraction of that."""
    database = current_database()
    if database.is_sqlite:
        return [view(*row) for row in await fetch(uow, statement, *args)]
    transaction = database.engine.current_transaction.get()
    if _active.get() is uow and isinstance(transaction, _ScopedTransaction) and not transaction.opened:
        arguments = _as_text(args)
        if arguments is not None:
            page = await transaction.read_scoped(_numbered_in_array(_as_json(statement, order), args), arguments)
            return _decoded_again(view, (view, statement, transaction.scope.tenant, *arguments), page)
    rows = await fetch(uow, _as_json(statement, order), *args)
    return _views_decoder(view).decode(rows[0][0])


def row_version_of(columns: tuple[str, ...]) -> str:
    """An SQL expression for one text value that changes whenever a row does: what a process compares with the row
    it remembers a rendering of, reading neither the row's values nor, from PostgreSQL, a digest of them. The
    values of a page of candidates are 32 KB, most of them sealed, and writing them out as JSON was most of the
    database's work on a list polled by HR tools.

    On PostgreSQL it is the row's ``xmin``, the transaction that wrote this version of the row: every update writes
    a new version, so a row's id and xmin name one committed state. Two states share them only 2^32 transactions
    apart, and what is remembered lives a minute. SQLite keeps no row versions: there it is ``columns``' values
    themselves (the code's own names, all a rendering is made from), each quoted, so the joined text is exact."""
    return _row_version_of(columns, current_database().is_sqlite)


@functools.cache
def _row_version_of(columns: tuple[str, ...], sqlite: bool) -> str:
    return " || ',' || ".join(f'quote("{name}")' for name in columns) if sqlite else "xmin::text"


def _decoded_again(view: type[V], read: tuple[Any, ...], page: str) -> list[V]:
    """``page`` decoded into ``view`` structs; when the same ``read`` (view, statement, tenant and arguments) last
    brought exactly this text, the structs decoded then, in a new list. Decoding is a pure function of the text, so
    nothing can be stale: a changed row changes the text. A page re-read unchanged is the common case of a list
    polled by HR tools, and decoding 50 rows was a tenth of the request's CPU. Only views no reader can change are
    shared (frozen, with no list, dict, set or struct inside)."""
    if not _shareable(view):
        return _views_decoder(view).decode(page)
    views = _DECODED_PAGES.recall(read, page)
    if views is None:
        views = _views_decoder(view).decode(page)
        _DECODED_PAGES.remember(read, page, views)
    return list(views)


class _DecodedPages:
    """The last page each read brought, and its structs, up to ``max_chars`` characters of pages in all (then all
    forgotten together): a page is a list's limit of rows, 12-20 KB for 50."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars, self.chars = max_chars, 0
        self.pages: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}

    def recall(self, read: tuple[Any, ...], page: str) -> list[Any] | None:
        known = self.pages.get(read)
        return known[1] if known is not None and known[0] == page else None

    def remember(self, read: tuple[Any, ...], page: str, views: list[Any]) -> None:
        replaced = self.pages.pop(read, None)
        if replaced is not None:
            self.chars -= len(replaced[0])
        if self.chars + len(page) > self.max_chars:
            self.pages.clear()
            self.chars = 0
        self.pages[read] = (page, views)
        self.chars += len(page)


@functools.cache
def _shareable(view: type[msgspec.Struct]) -> bool:
    info = msgspec.inspect.type_info(view)
    mutable = (msgspec.inspect.ListType, msgspec.inspect.DictType, msgspec.inspect.SetType,
               msgspec.inspect.StructType)
    return view.__struct_config__.frozen and not any(
        isinstance(kind, mutable) for field in info.fields  # type: ignore[attr-defined]
        for kind in (field.type, *getattr(field.type, "types", ())))


_AS_JSON: dict[tuple[str, str], str] = {}
_DECODED_PAGES = _DecodedPages(max_chars=16 * 1024 * 1024)
_VIEWS_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def _as_json(statement: str, order: str) -> str:
    """``statement``'s rows as one JSON array of objects (timestamps in UTC, the sessions' time zone)."""
    wrapped = _AS_JSON.get((statement, order))
    if wrapped is None:
        if not order.replace("_", "").isalnum():
            raise ValueError("fetch_views orders by one of the code's own column names")
        wrapped = _AS_JSON[(statement, order)] = (
            f'SELECT coalesce(json_agg(page ORDER BY page."{order}"), \'[]\')::text '  # noqa: S608 - the code's own
            f'FROM ({statement}) AS page')  # statement, every value a parameter
    return wrapped


def _views_decoder(view: type[V]) -> msgspec.json.Decoder[list[V]]:
    decoder = _VIEWS_DECODERS.get(view)
    if decoder is None:
        decoder = _VIEWS_DECODERS[view] = msgspec.json.Decoder(list[view])  # type: ignore[valid-type]
    return decoder


#: The PostgreSQL type each kind of argument is read back as, from the text ``meridian_scoped_page`` receives.
_ARGUMENT_TYPES: tuple[tuple[type[Any], str], ...] = (
    (bool, "boolean"), (int, "bigint"), (UUID, "uuid"), (datetime, "timestamptz"), (date, "date"),
    (Decimal, "numeric"), (str, "text"))


def _as_text(args: Sequence[Any]) -> list[str] | None:
    """The arguments as the text array a scoped read takes, or None where one cannot be written as text exactly
    (the page is then read in the opened transaction, with the arguments bound as they are). Types are matched
    exactly: the text of a subclass, an enum of ``str`` say, need not be its value."""
    texts: list[str] = []
    for value in args:
        kind = type(value)
        if kind is bool:
            texts.append("true" if value else "false")
        elif kind is datetime and value.tzinfo is not None:
            texts.append(value.isoformat())
        elif kind in (int, date, Decimal, str) or isinstance(value, UUID):
            texts.append(str(value))
        else:
            return None
    return texts


_IN_ARRAY: dict[tuple[str, tuple[type[Any], ...]], str] = {}


def _numbered_in_array(statement: str, args: Sequence[Any]) -> str:
    """``{}`` placeholders as elements of the one text array a scoped read passes, each cast to its argument's type
    (``($1[2])::uuid``)."""
    kinds = tuple(type(value) for value in args)
    numbered = _IN_ARRAY.get((statement, kinds))
    if numbered is None:
        head, *rest = statement.split("{}")
        casts = [next(name for kind, name in _ARGUMENT_TYPES if issubclass(kind_of, kind)) for kind_of in kinds]
        numbered = _IN_ARRAY[(statement, kinds)] = head + "".join(
            f"($1[{i}])::{cast}{part}" for i, (cast, part) in enumerate(zip(casts, rest, strict=True), 1))
    return numbered


_NUMBERED: dict[str, str] = {}


def _numbered(statement: str) -> str:
    """``{}`` placeholders as PostgreSQL's ``$1``, ``$2``…, worked out once per statement."""
    numbered = _NUMBERED.get(statement)
    if numbered is None:
        head, *rest = statement.split("{}")
        numbered = _NUMBERED[statement] = head + "".join(f"${i}{part}" for i, part in enumerate(rest, 1))
    return numbered


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


class TenantScope(NamedTuple):
    """What row-level security reads a transaction's tenant from: ``app.tenant_id`` and ``app.platform``, set local
    to the transaction (``set_config(…, true)``), never to the session."""

    tenant: str
    platform: str
    #: The same, as the statement sent with BEGIN in one simple-protocol round trip, which takes no parameters: the
    #: values are inlined, and both are safe to inline, a UUID's canonical text (hex digits and dashes) and a word.
    statement: str


def _transaction_scope(uow: UnitOfWork) -> TenantScope:
    key = (uow._tenant_id, uow.platform)
    scope = _SCOPES.get(key)
    if scope is None:  # worked out once per tenant: the same few tenants open every unit of work
        tenant = str(UUID(str(uow._tenant_id))) if uow._tenant_id else ""
        platform = "on" if uow.platform else ""
        if len(_SCOPES) >= 10_000:
            _SCOPES.clear()
        scope = _SCOPES[key] = TenantScope(tenant, platform, f"SELECT set_config('app.tenant_id', '{tenant}', true), "
                                                             f"set_config('app.platform', '{platform}', true)")
    return scope


_SCOPES: dict[tuple[Any, bool], TenantScope] = {}


class _ScopedTransaction(PostgresTransaction):
    """Piccolo's transaction, but opened together with its scope statement (``BEGIN; SELECT set_config(…)``): one
    round trip instead of two on every unit of work.

    A reading one (``lazy``) opens when its first statement is sent, through :class:`_OpensOnFirstStatement`: one
    that sends none costs no round trip, and one whose first statement is a page of views (:func:`fetch_views`)
    sends that page as one statement that scopes itself, ``meridian_scoped_page`` (migration 0037), in the
    statement's own implicit transaction: one round trip instead of three (BEGIN with the scope, the read,
    COMMIT). Reads run under READ COMMITTED, where each statement sees its own snapshot anyway, so a page read in
    its own transaction and what the unit of work reads after it see what they would have seen in one."""

    __slots__ = ("kept", "lazy", "opened", "raw", "scope")

    def __init__(self, engine: PostgresEngine, scope: TenantScope, kept: KeptConnections | None, *,
                 lazy: bool) -> None:
        super().__init__(engine, allow_nested=False)
        self.scope, self.kept, self.lazy, self.opened = scope, kept, lazy, False

    async def get_connection(self) -> Any:
        return await self.kept.take() if self.kept else await super().get_connection()

    async def __aenter__(self) -> _ScopedTransaction:
        self.raw = await self.get_connection()
        self.connection = _OpensOnFirstStatement(self) if self.lazy else self.raw
        if not self.lazy:
            try:
                await self.begin()
            except BaseException:
                await self._release()
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: BaseException | None, traceback: Any) -> bool:
        ended_cleanly = False
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            ended_cleanly = exception is None
        finally:
            await self._release(keep=ended_cleanly)
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def begin(self) -> None:
        await self.raw.execute(f"BEGIN; {self.scope.statement}")
        self.opened = True

    async def read_scoped(self, statement: str, arguments: list[str]) -> str:
        """The one text value ``statement`` reads, scoped to this unit of work's tenant by the statement itself:
        through this session's own function for the statement (:class:`PageFunction`), where the session may
        create one, else through ``meridian_scoped_page``."""
        tenant, platform = self.scope.tenant, self.scope.platform
        if _page_functions.allowed:
            function = PageFunction.of(statement)
            if await _page_functions.ready(self.raw, function):
                try:
                    page: str = await self.raw.fetchval(function.call, arguments, tenant, platform)
                    return page
                except (UndefinedFunctionError, InvalidSchemaNameError):
                    # Gone from the session (DISCARD TEMP), or a new session under an ended one's process id.
                    _page_functions.forget(self.raw)
                    if await _page_functions.ready(self.raw, function):
                        page = await self.raw.fetchval(function.call, arguments, tenant, platform)
                        return page
        page = await self.raw.fetchval(_SCOPED_PAGE, tenant, platform, statement, arguments)
        return page

    async def commit(self) -> None:
        if self.opened:
            await self.raw.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        if self.opened:
            await self.raw.execute("ROLLBACK")
        self._rolled_back = True

    async def _release(self, *, keep: bool = False) -> None:
        if self.kept:
            await self.kept.give_back(self.raw, reusable=keep)
        elif self.engine.pool:
            await self.engine.pool.release(self.raw)
        else:
            await self.raw.close()


_SCOPED_PAGE = "SELECT meridian_scoped_page($1, $2, $3, $4)"


class PageFunction(NamedTuple):
    """A scoped read of one statement as a temporary function of the session (``pg_temp``): what
    ``meridian_scoped_page`` does, with the statement written into the function's body instead of passed to
    ``EXECUTE``. PL/pgSQL plans a dynamic statement on every call, but keeps the plan of a static one for the
    session: 0.24 ms of the database's CPU per 50-item page became 0.15.

    The body is the code's own statement, every value still a parameter (``$1``, the text array), and it runs as
    its caller (SECURITY INVOKER), setting the tenant local to the call's transaction exactly as
    ``meridian_scoped_page`` does; a temporary function is seen only by the session that created it, and goes with
    it. Its name is a digest of the statement, so each session creates it at its first read of the statement."""

    call: str
    create: str

    @staticmethod
    def of(statement: str) -> PageFunction:
        function = _PAGE_FUNCTIONS.get(statement)
        if function is None:
            if _BODY_QUOTE in statement:
                raise ValueError("a scoped read's statement cannot hold the quote its function's body is written in")
            name = f"pg_temp.meridian_page_{hashlib.sha256(statement.encode()).hexdigest()[:32]}"
            function = _PAGE_FUNCTIONS[statement] = PageFunction(
                f"SELECT {name}($1, $2, $3)",
                f"CREATE OR REPLACE FUNCTION {name}(TEXT[], TEXT, TEXT) RETURNS TEXT LANGUAGE plpgsql VOLATILE "
                f"SECURITY INVOKER AS {_BODY_QUOTE}\n#variable_conflict use_column\nBEGIN\n"
                "    PERFORM set_config('app.tenant_id', $2, true), set_config('app.platform', $3, true);\n"
                f"    RETURN ({statement});\nEND {_BODY_QUOTE}")
        return function


_BODY_QUOTE = "$meridian_page$"
_PAGE_FUNCTIONS: dict[str, PageFunction] = {}


class _PageFunctions:
    """Which page functions each session of this process has created, by the session's process id, so that a read
    never sends a call that fails (each failure would be an error in the database's log). And whether sessions may
    create them at all: not where the database denies the app's role temporary objects (``REVOKE TEMPORARY``),
    found at the first attempt; pages are then read through ``meridian_scoped_page``, as correct, a little slower."""

    def __init__(self) -> None:
        self.allowed = True
        self._created: dict[int, set[str]] = {}

    async def ready(self, connection: Any, function: PageFunction) -> bool:
        """Whether ``function`` exists in ``connection``'s session, created now if it did not."""
        session = connection.get_server_pid()
        if function.call in self._created.get(session, ()):
            return True
        try:
            await connection.execute(function.create)
        except InsufficientPrivilegeError:
            self.allowed = False
            log.warning("the database denies temporary functions to the app's role: pages are read through "
                        "meridian_scoped_page (GRANT TEMPORARY ON DATABASE to the role to read them faster)")
            return False
        if len(self._created) > _MOST_SESSIONS_REMEMBERED:  # ended sessions' entries: forget all, create again
            self._created = {session: self._created.get(session, set())}
        self._created.setdefault(session, set()).add(function.call)
        return True

    def forget(self, connection: Any) -> None:
        self._created.pop(connection.get_server_pid(), None)


_MOST_SESSIONS_REMEMBERED = 1_000
_page_functions = _PageFunctions()


class KeptConnections:
    """Connections that units of work ended cleanly on, kept out of asyncpg's pool for the next unit of work of this
    process: taking one is a list pop, where the pool's acquire and release (a queue, a shielded task and a timeout
    each) cost a quarter of a 50-item list's CPU over HTTP (0.68 to 0.51 ms a request).

    Only a connection whose unit of work committed or rolled back without error is kept, so none is kept in the
    middle of a cancelled query; any other goes back through the pool, which cleans it up. At most ``limit`` are kept,
    fewer than the pool holds, so whatever takes connections from the pool directly always finds them there in the
    end; and while a unit of work of this process waits at the pool, connections go back to the pool, not here."""

    __slots__ = ("_idle", "_limit", "_pool", "_waiting")

    def __init__(self, pool: Any, *, limit: int) -> None:
        self._pool, self._limit = pool, limit
        self._idle: list[Any] = []
        self._waiting = 0

    async def take(self) -> Any:
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
            await self._pool.release(connection)
        self._waiting += 1
        try:
            return await self._pool.acquire()
        finally:
            self._waiting -= 1

    async def give_back(self, connection: Any, *, reusable: bool) -> None:
        if (reusable and not self._waiting and len(self._idle) < self._limit and not connection.is_closed()
                and not connection.is_in_transaction()):
            self._idle.append(connection)
            return
        await self._pool.release(connection)

    async def give_all_back(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await self._pool.release(connection)


class _OpensOnFirstStatement:
    """The connection of a reading unit of work that has not opened its transaction yet: every statement sent
    through it (Piccolo's queries, :func:`fetch`) opens the transaction with its scope first."""

    __slots__ = ("_transaction",)

    def __init__(self, transaction: _ScopedTransaction) -> None:
        self._transaction = transaction

    async def _opened(self) -> Any:
        if not self._transaction.opened:
            await self._transaction.begin()
        return self._transaction.raw

    async def fetch(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._opened()).fetch(*args, **kwargs)

    async def fetchval(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._opened()).fetchval(*args, **kwargs)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._opened()).execute(*args, **kwargs)

    async def executemany(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._opened()).executemany(*args, **kwargs)


async def _keep_session(connection: Any) -> None:
    """What the pool does to a connection given back: nothing past asyncpg's own rollback of an open transaction.
    asyncpg's default reset (RESET ALL, CLOSE ALL, UNLISTEN *, advisory unlock) costs a round trip per unit of work
    and undoes nothing Meridian does: the tenant is set per transaction (``set_config(…, true)``) and no pooled
    connection sets session state, listens or takes session advisory locks."""
