"""Bulk imports over HTTP: send a CSV or JSON Lines file as the raw request body, follow the job's progress, read
each row's outcome with its problems in the reader's language."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, QueryParameter

from api.guards import Caller, requires
from api.http import Cursor, Limit
from api.openapi import raw_body
from api.problems import _described, _matched
from api.uploads import UPLOAD_RESPONSES, upload_body
from domain.bulk import service
from domain.bulk.model import ImportFormat, ImportKind, ImportMode, ImportView, RowOutcome, StoredProblem, StoredRow
from domain.kernel.i18n import translate
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

#: The largest file an import takes (a 100,000-row file of employees is about 40 MB).
IMPORT_BODY_LIMIT = 64 * 1024**2
CSV_TYPES = ("text/csv",)
JSONL_TYPES = ("application/x-ndjson",)

ImportFormatQuery = Annotated[ImportFormat | None, QueryParameter(
    description="csv or jsonl; without it, the body's Content-Type decides (text/csv, application/x-ndjson)")]


class RowProblemView(msgspec.Struct, frozen=True):
    """One problem of a row: its stable `code`, the `field` of the row it concerns (a dotted path, as the CSV column
    is named: `employment.pay.amount`), and the `message` in the reader's language."""

    code: str
    field: str | None
    message: str


class ImportRowView(msgspec.Struct, frozen=True):
    """A row's outcome: its `line` in the file, its `external_id`, the `outcome`, the record it created or matched
    (`entity_id`), and its problems when it failed."""

    line: int
    external_id: str | None
    outcome: RowOutcome
    entity_id: UUID | None
    problems: list[RowProblemView]


def _problem_view(problem: StoredProblem, locale: str) -> RowProblemView:
    if problem.template == "{problem}":  # a shape check of msgspec's, read as a request body's would be
        found = _matched(problem.params.get("problem", ""), "", locale)
        if found is not None:
            field = ".".join(part for part in found.pointer.split("/") if part) or problem.field
            return RowProblemView(code=problem.code, field=field, message=found.detail)
    params, _ = _described(dict(problem.params), locale)
    return RowProblemView(code=problem.code, field=problem.field, message=translate(problem.template, locale,
                                                                                    **params))


def _row_view(row: StoredRow, locale: str) -> ImportRowView:
    return ImportRowView(line=row.line, external_id=row.external_id, outcome=row.outcome, entity_id=row.entity_id,
                         problems=[_problem_view(problem, locale) for problem in row.problems])


def _format_of(request: Request[Any, Any, Any], asked: ImportFormat | None) -> ImportFormat:
    if asked is not None:
        return asked
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in CSV_TYPES:
        return ImportFormat.CSV
    if content_type in JSONL_TYPES:
        return ImportFormat.JSONL
    raise HTTPException(status_code=415)


class ImportController(Controller):
    path = "/v1/imports"
    tags = ["Bulk"]

    @post("/", operation_id="createImport", status_code=202,
          opt={**requires(Operation.IMPORTS_WRITE), **raw_body(*CSV_TYPES, *JSONL_TYPES)},
          request_max_body_size=IMPORT_BODY_LIMIT, responses=UPLOAD_RESPONSES,
          summary="Import employees, candidates or pay inputs from a CSV or JSON Lines file, as a background job")
    async def create(self, request: Request[Any, Any, Any], principal: Caller, kind: FromQuery[ImportKind],
                     mode: FromQuery[ImportMode] = ImportMode.ROW_BY_ROW, dry_run: FromQuery[bool] = False,
                     format: ImportFormatQuery = None) -> Response[ImportView]:
        """The file is the raw body (`text/csv` with a header row, dotted column names nesting as in JSON:
        `employment.pay.amount`; or `application/x-ndjson`, one object a line), up to 64 MB and 100,000 rows. Every
        row needs an `external_id`, unique for its kind in your tenant: a row whose id was imported before is not
        written again, so sending the same file twice writes it once. Each row is checked by the rules of the
        single-record API (a hire's for employees, `POST /v1/candidates`' for candidates, `POST
        /v1/pay-runs/{id}/inputs`' for pay inputs) and needs that API's permission. A pay input row names its run
        (`run_id`) and its employee by exactly one of `employee_id`, `employee_number` or `employee_external_id` (the
        external id of their import), with `kind`, `amount` (a decimal string) and an optional `note`.
        `mode`: `all_or_nothing` writes nothing if any row fails; `row_by_row` writes every good row.
        `dry_run=true` checks every row and writes nothing. The answer is the queued import; follow it at
        `GET /v1/imports/{id}`. Imports and exports count against the bulk rate limit, not the interactive one."""
        fmt = _format_of(request, format)
        data = b"".join([chunk async for chunk in upload_body(request)])
        view = await service.start_import(principal, kind, fmt, mode, dry_run, data)
        return Response(view, status_code=202, headers={"Location": f"/v1/imports/{view.id}"})

    @get("/{import_id:uuid}", operation_id="getImport", opt=requires(Operation.IMPORTS_READ),
         summary="An import's state and progress: rows done of the total, and how many were created, unchanged "
                 "and failed")
    async def read(self, principal: Caller, import_id: FromPath[UUID]) -> ImportView:
        return await service.get_import(principal, import_id)

    @get("/{import_id:uuid}/rows", operation_id="listImportRows", opt=requires(Operation.IMPORTS_READ),
         summary="Each row's outcome in file order, with its problems in your language")
    async def rows(self, principal: Caller, import_id: FromPath[UUID], limit: Limit = 50, cursor: Cursor = None,
                   outcome: FromQuery[RowOutcome | None] = None) -> Page[ImportRowView]:
        """Rows get their outcomes as the job reaches them; `outcome=failed` keeps the failed ones. A problem's
        message is in the language of your `Accept-Language` (en, zh-CN, ja)."""
        page = await service.import_rows(principal, import_id, cursor, limit, outcome)
        return Page(items=[_row_view(row, principal.locale) for row in page.items], next_cursor=page.next_cursor)

