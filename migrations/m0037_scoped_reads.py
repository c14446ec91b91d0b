"""A page read in one round trip on PostgreSQL (``domain.kernel.db.fetch_views``): ``meridian_scoped_page`` sets
the unit of work's tenant local to the transaction the call runs in, then runs the code's own read with its
arguments and returns its one value (the page as JSON). Called as a statement of its own, outside BEGIN, it scopes
that statement's implicit transaction, so a read-only unit of work whose first statement is a page sends one
statement instead of three (BEGIN with its scope, the read, COMMIT).

It runs as its caller (SECURITY INVOKER): row-level security applies as in any transaction of the app's role, and
the tenant is still set per transaction, never for the session, so the connection given back carries none."""

ID = "0037_scoped_reads"

TENANT_TABLES: tuple[str, ...] = ()

STATEMENTS: list[str] = []

POSTGRES_STATEMENTS = [
    """CREATE FUNCTION meridian_scoped_page(tenant TEXT, platform TEXT, statement TEXT, arguments TEXT[])
        RETURNS TEXT LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
        DECLARE
            page TEXT;
        BEGIN
            PERFORM set_config('app.tenant_id', tenant, true), set_config('app.platform', platform, true);
            EXECUTE statement INTO page USING arguments;
            RETURN page;
        END $$""",
]
