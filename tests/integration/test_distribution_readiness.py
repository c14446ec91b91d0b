"""The schema keeps the rules a Citus cluster distributed by ``tenant_id`` depends on (docs/scale-out.md).

On PostgreSQL, from the catalogue of the migrated database: every table is placed (distributed, reference or local,
``domain/kernel/distribution.py``); a distributed table's primary key, unique keys and foreign keys all carry
``tenant_id``, it references only co-located or reference tables, and its row-level security filters on
``tenant_id``. On both databases, from the source: no query joins tenant tables except on the tenant, and every
query of a tenant table names the tenant, so Citus can route it to one shard; and from the statements the API
sends when every route is read once, each one on a tenant table compares that table's ``tenant_id``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from domain.kernel.db import Database, current_database, unit_of_work
from domain.kernel.distribution import DISTRIBUTION_COLUMN, REFERENCE_TABLES, Placement, placement_of, why_unplaced
from domain.kernel.table_registry import all_tables

pytestmark = pytest.mark.anyio

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
#: Piccolo's reading and changing queries. An INSERT needs no condition: Citus routes it by the row's tenant_id,
#: which every tenant row has (NOT NULL).
QUERY_METHODS = {"select", "objects", "update", "delete", "count", "exists", "raw"}


# -- the catalogue (PostgreSQL) ------------------------------------------------------------------------------------


async def catalogue(tenant: Any) -> dict[str, Any]:
    database = current_database()
    async with unit_of_work(tenant, write=False):
        return {"tables": await _tables(database), "keys": await _keys(database),
                "unique": await _unique_indexes(database), "policies": await _policies(database)}


async def _tables(database: Database) -> dict[str, dict[str, Any]]:
    rows = await database.execute(
        "SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped)::text[] "
        "AS columns FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')")
    return {row["name"]: {**row, "columns": set(row["columns"])} for row in rows}


_COLUMNS = ("ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k(num, pos) JOIN pg_attribute a "
            "ON a.attrelid = {rel} AND a.attnum = k.num ORDER BY k.pos)::text[]")


async def _keys(database: Database) -> list[dict[str, Any]]:
    """Primary and foreign keys: (kind, table, columns, referenced table, referenced columns)."""
    return await database.execute(
        "SELECT c.contype::text AS kind, c.conname AS name, c.conrelid::regclass::text AS table_name, "
        f"{_COLUMNS.format(keys='c.conkey', rel='c.conrelid')} AS columns, "
        "c.confrelid::regclass::text AS parent, "
        f"{_COLUMNS.format(keys='c.confkey', rel='c.confrelid')} AS parent_columns "
        "FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'f')")


async def _unique_indexes(database: Database) -> list[dict[str, Any]]:
    """Every unique index (those behind UNIQUE constraints and primary keys too), with its key columns."""
    return await database.execute(
        "SELECT i.indrelid::regclass::text AS table_name, i.indexrelid::regclass::text AS name, "
        f"{_COLUMNS.format(keys='i.indkey', rel='i.indrelid')} AS columns, i.indexprs IS NOT NULL AS expressions "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique")


async def _policies(database: Database) -> list[dict[str, Any]]:
    return await database.execute(
        "SELECT tablename AS table_name, policyname AS name, coalesce(qual, '') AS using_clause, "
        "coalesce(with_check, '') AS check_clause FROM pg_policies WHERE schemaname = 'public'")


def placements(tables: dict[str, dict[str, Any]]) -> dict[str, Placement | None]:
    return {name: placement_of(name, table["columns"]) for name, table in tables.items()}


@pytest.mark.postgres
async def test_every_table_has_a_place_in_the_cluster(runtime: Any, tenant_a: Any) -> None:
    found = await catalogue(tenant_a)
    unplaced = sorted(name for name, place in placements(found["tables"]).items() if place is None)
    assert unplaced == [], "\n".join(why_unplaced(name) for name in unplaced)
    distributed = [n for n, p in placements(found["tables"]).items() if p is Placement.DISTRIBUTED]
    assert len(distributed) >= 40, "too few tenant tables found to be reading the schema"
    missing = sorted(set(REFERENCE_TABLES) - set(found["tables"]))
    assert missing == [], f"REFERENCE_TABLES names tables the schema does not have: {missing}"


@pytest.mark.postgres
async def test_a_distributed_tables_primary_key_leads_with_the_tenant(runtime: Any, tenant_a: Any) -> None:
    found = await catalogue(tenant_a)
    places = placements(found["tables"])
    keys = {key["table_name"].strip('"'): key["columns"] for key in found["keys"] if key["kind"] == "p"}
    wrong = sorted(f"{table}: PRIMARY KEY ({', '.join(keys.get(table, []))})" for table, place in places.items()
                   if place is Placement.DISTRIBUTED and keys.get(table, [None])[0] != DISTRIBUTION_COLUMN)
    assert wrong == [], ("a tenant table's primary key must be (tenant_id, id) so Citus can distribute it; declare "
                         "PRIMARY KEY (tenant_id, id) in its migration: " + "; ".join(wrong))


@pytest.mark.postgres
async def test_every_unique_key_of_a_distributed_table_names_the_tenant(runtime: Any, tenant_a: Any) -> None:
    found = await catalogue(tenant_a)
    places = placements(found["tables"])
    wrong = sorted(f"{index['name']} on {index['table_name']} ({', '.join(index['columns'])})"
                   for index in found["unique"]
                   if places.get(index["table_name"].strip('"')) is Placement.DISTRIBUTED
                   and (index["expressions"] or DISTRIBUTION_COLUMN not in index["columns"]))
    assert wrong == [], ("Citus enforces a unique key only if it includes tenant_id (and a value unique across "
                         "tenants would tell one tenant what another stored); add tenant_id first: " + "; ".join(wrong))


@pytest.mark.postgres
async def test_foreign_keys_stay_inside_a_tenant_or_point_at_reference_tables(runtime: Any, tenant_a: Any) -> None:
    found = await catalogue(tenant_a)
    places = placements(found["tables"])
    wrong = []
    for key in (k for k in found["keys"] if k["kind"] == "f"):
        child, parent = key["table_name"].strip('"'), key["parent"].strip('"')
        described = f"{child}({', '.join(key['columns'])}) -> {parent}({', '.join(key['parent_columns'])})"
        if places.get(parent) is Placement.DISTRIBUTED and not (
                places.get(child) is Placement.DISTRIBUTED and key["columns"][0] == DISTRIBUTION_COLUMN
                and key["parent_columns"][0] == DISTRIBUTION_COLUMN):
            wrong.append(f"{described}: a key into a tenant table starts with tenant_id on both sides")
        elif places.get(child) is Placement.DISTRIBUTED and places.get(parent) not in (Placement.DISTRIBUTED,
                                                                                     Placement.REFERENCE):
            wrong.append(f"{described}: a tenant table references only tenant tables and reference tables")
    assert wrong == [], "; ".join(sorted(wrong))


@pytest.mark.postgres
async def test_row_level_security_filters_on_the_tenant(runtime: Any, tenant_a: Any) -> None:
    found = await catalogue(tenant_a)
    places = placements(found["tables"])
    unguarded = sorted(name for name, place in places.items() if place is Placement.DISTRIBUTED
                       and not (found["tables"][name]["rls"] and found["tables"][name]["forced"]))
    assert unguarded == [], f"tenant tables without forced row-level security: {unguarded}"
    wrong = []
    for policy in found["policies"]:
        table = policy["table_name"]
        # The tenant registry is keyed by the tenant itself: its policy compares id with the tenant setting.
        column = "id" if table == "tenants" else DISTRIBUTION_COLUMN
        for clause in (policy["using_clause"], policy["check_clause"]):
            # Citus refuses a policy with a subquery on a distributed table (commands/policy.c).
            if not re.search(rf"\b{column} = \(?NULLIF\(current_setting\('app\.tenant_id'", clause) or re.search(
                    r"\bSELECT\b", clause, re.I):
                wrong.append(f"{table}.{policy['name']}: {clause or '(empty)'}")
    assert wrong == [], ("every policy compares the tenant column with app.tenant_id, without a subquery: "
                         + "; ".join(wrong))
    covered = {policy["table_name"] for policy in found["policies"]}
    uncovered = sorted(n for n, p in places.items() if p is Placement.DISTRIBUTED and n not in covered)
    assert uncovered == [], f"tenant tables without a tenant policy: {uncovered}"


# -- the source (both databases) -----------------------------------------------------------------------------------


def _modules() -> list[tuple[Path, ast.Module, str]]:
    found = []
    for path in sorted(DOMAIN.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found.append((path, ast.parse(text), text))
    return found


def _distributed_table_classes() -> set[str]:
    return {table.__name__ for table in all_tables()
            if placement_of(table._meta.tablename, {c._meta.name for c in table._meta.columns})
            is Placement.DISTRIBUTED}


def test_no_piccolo_foreign_key_can_join_without_the_tenant() -> None:
    """A Piccolo ForeignKey column joins on the id alone; references are plain UUID columns, checked by the
    database's composite keys."""
    from piccolo.columns import ForeignKey

    implicit = sorted(f"{table.__name__}.{column._meta.name}" for table in all_tables()
                      for column in table._meta.columns if isinstance(column, ForeignKey))
    assert implicit == [], f"ForeignKey columns join without tenant_id: {implicit}"


_RAW_JOIN = re.compile(r'\bJOIN\s+"?(?P<table>\w+)"?(?P<rest>.*?)(?=\bJOIN\b|\bWHERE\b|\bGROUP\b|\bORDER\b|$)',
                       re.S)


def test_raw_sql_joins_tenant_tables_on_the_tenant() -> None:
    distributed = {table._meta.tablename for table in all_tables() if table.__name__ in _distributed_table_classes()}
    wrong = []
    for path, tree, _ in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for join in _RAW_JOIN.finditer(node.value):
                    if join["table"] in distributed and DISTRIBUTION_COLUMN not in join["rest"]:
                        where = f"{path.relative_to(DOMAIN.parent)}:{node.lineno}"
                        wrong.append(f"{where}: JOIN {join['table']}{join['rest'][:80]}")
    assert wrong == [], "a join between tenant tables must include tenant_id in its condition: " + "; ".join(wrong)


def test_piccolo_joins_are_held_to_the_tenant() -> None:
    """``a.x_id.join_on(X.id)`` joins on the id alone, so the query also compares the joined table's tenant_id
    (``a.x_id.join_on(X.id).tenant_id == uow.tenant_id``): Citus then finds every table on the same shard."""
    wrong = []
    for path, tree, _ in _modules():
        joins = {ast.unparse(node) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "join_on"}
        held = {ast.unparse(node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == DISTRIBUTION_COLUMN}
        wrong += [f"{path.relative_to(DOMAIN.parent)}: {join}" for join in sorted(joins - held)]
    assert wrong == [], "joined tables whose tenant_id no condition names: " + "; ".join(wrong)


def test_every_query_of_a_tenant_table_names_the_tenant() -> None:
    """Row-level security keeps a query inside its tenant, but Citus routes a query to one shard only on a
    ``tenant_id = ...`` condition in the query itself. Checked per function: a function that queries a tenant
    table names tenant_id itself or through a helper of its module that does (``_this_key(uow, ...)``)."""
    distributed = _distributed_table_classes()
    tables = {table.__name__ for table in all_tables()}
    wrong = []
    for path, tree, _ in _modules():
        functions = {node.name: node for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        names_tenant = _naming_the_tenant(functions, tables)
        for function in functions.values():
            queried = {node.func.value.id for node in ast.walk(function)
                       if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                       and node.func.attr in QUERY_METHODS and isinstance(node.func.value, ast.Name)
                       and node.func.value.id in distributed}
            if queried and isinstance(function, ast.AsyncFunctionDef) and function.name not in names_tenant:
                wrong.append(f"{path.relative_to(DOMAIN.parent)}:{function.lineno} {function.name} "
                             f"({', '.join(sorted(queried))})")
    assert wrong == [], "queries of tenant tables without a tenant_id condition: " + "; ".join(wrong)


def _naming_the_tenant(functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], tables: set[str]) -> set[str]:
    """The functions that compare a table's tenant_id (``Job.tenant_id == ...``, or a joined table's), or give a
    row its tenant_id (``Job(tenant_id=...)``), or call a function of the module that does."""
    def names_it(node: ast.AST) -> bool:
        if isinstance(node, ast.keyword):
            return node.arg == DISTRIBUTION_COLUMN
        return (isinstance(node, ast.Attribute) and node.attr == DISTRIBUTION_COLUMN
                and not (isinstance(node.value, ast.Name) and node.value.id not in tables))

    naming = {name for name, node in functions.items() if any(names_it(part) for part in ast.walk(node))}
    while True:
        more = {name for name, node in functions.items() if name not in naming and any(
            isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in naming
            for call in ast.walk(node))}
        if not more:
            return naming
        naming |= more


# -- the statements the app sends (both databases) -----------------------------------------------------------------

STAFF_ROLES = ("tenant_admin", "hr_admin", "recruiter", "hiring_manager", "interviewer", "payroll_preparer",
               "payroll_reviewer")
_TABLE_REFERENCE = re.compile(
    r'\b(?:FROM|JOIN|UPDATE)\s+"?(?P<table>\w+)"?(?:\s+(?:AS\s+)?"(?P<alias>[^"]+)")?', re.I)


def unrouted_statements(statements: list[str], distributed: set[str]) -> list[str]:
    """The statements that read, change or delete a distributed table without comparing that table's tenant_id
    (``"alias"."tenant_id" = …``, or an unqualified ``tenant_id = …`` in a one-table statement)."""
    found = []
    for statement in statements:
        references = [(m["table"], m["alias"] or m["table"]) for m in _TABLE_REFERENCE.finditer(statement)
                      if m["table"] in distributed]
        if statement.lstrip().upper().startswith("INSERT") or not references:
            continue
        for table, alias in references:
            qualified = re.search(rf'"{re.escape(alias)}"\."tenant_id"\s*=', statement)
            bare = len(references) == 1 and re.search(r'(?<![."])"?tenant_id"?\s*=', statement)
            if not (qualified or bare):
                found.append(f"{table}: {' '.join(statement.split())[:300]}")
    return found


def test_the_statement_check_tells_routed_from_unrouted() -> None:
    distributed = {"applications", "candidates"}
    assert unrouted_statements([
        'SELECT "applications"."id" FROM "applications" WHERE "applications"."tenant_id" = \'t\'',
        'UPDATE "applications" SET "stage" = \'x\' WHERE ("applications"."tenant_id" = \'t\')',
        "SELECT id FROM candidates WHERE tenant_id = $1",
        'INSERT INTO "applications" ("id") VALUES (\'a\')',
        "SELECT id FROM meridian_migrations",
    ], distributed) == []
    assert len(unrouted_statements([
        'SELECT "applications"."id" FROM "applications" WHERE "applications"."id" = \'a\'',
        'SELECT "a"."id" FROM "applications" LEFT JOIN "candidates" "a$c" ON ("applications"."candidate_id" = '
        '"a$c"."id") WHERE "applications"."tenant_id" = \'t\'',
    ], distributed)) == 2


async def test_every_statement_the_api_sends_names_the_tenant(
    app: Any, client: Any, tenant_a: Any, token_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every route the API has, read once (lists answer, ids answer 404) by a user holding every staff role, with
    the engine's own query log on: each statement that reads, changes or deletes a tenant table compares that
    table's tenant_id, so Citus routes it to one shard."""
    from tests.conftest import bearer
    from tests.routes import neutral_url, route_cases

    distributed = {table._meta.tablename for table in all_tables() if table.__name__ in _distributed_table_classes()}
    token = await token_for(tenant_a, *STAFF_ROLES, subject="distribution-reader")
    engine = current_database().engine
    capsys.readouterr()
    engine.log_queries = True
    try:
        answered = 0
        for case in route_cases(app):
            if case.method == "GET" and not case.public:
                response = await client.get(neutral_url(case), headers=bearer(token))
                answered += response.status_code < 500
    finally:
        engine.log_queries = False
    statements = _logged_statements(capsys.readouterr().out)
    read = {m["table"] for statement in statements for m in _TABLE_REFERENCE.finditer(statement)} & distributed
    assert answered >= 40 and len(read) >= 20, f"too little read to judge: {answered} answers, tables {sorted(read)}"
    unrouted = unrouted_statements(statements, distributed)
    assert unrouted == [], "statements on tenant tables without a tenant_id condition:\n" + "\n".join(unrouted)


def _logged_statements(log: str) -> list[str]:
    """Piccolo prints ``Query <n>:`` (coloured) and then the statement on the following lines."""
    parts = re.split(r"^Query \d+:$", re.sub(r"\x1b\[[0-9;]*m", "", log), flags=re.M)
    return [part.strip() for part in parts if part.strip()]
