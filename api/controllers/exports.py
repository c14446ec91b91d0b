"""Bulk exports over HTTP: every employee, candidate or pay input as CSV or JSON Lines, streamed, masked as the
caller's permissions mask the single-record API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream

from api.guards import Caller, requires
from api.openapi import raw_answer
from domain.bulk.exports import ExportFormat, export
from domain.kernel.permissions import Operation
from domain.payroll.service import RunFilter

MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}

ExportFormatQuery = Annotated[ExportFormat | None, QueryParameter(
    description="csv or jsonl; without it, the Accept header decides (text/csv, else JSON Lines)")]


def _format_of(request: Request[Any, Any, Any], asked: ExportFormat | None) -> ExportFormat:
    if asked is not None:
        return asked
    return ExportFormat.CSV if "text/csv" in request.headers.get("accept", "") else ExportFormat.JSONL


def _streamed(principal: Any, kind: str, fmt: ExportFormat, filters: dict[str, Any] | None = None) -> Stream:
    extension = "csv" if fmt is ExportFormat.CSV else "jsonl"
    return Stream(export(principal, kind, fmt, filters), media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{kind}.{extension}"', "Cache-Control": "no-store"})


class ExportController(Controller):
    path = "/v1/exports"
    tags = ["Bulk"]

    @get("/employees", operation_id="exportEmployees",
         opt={**requires(Operation.EMPLOYEES_READ), **raw_answer("text/csv", "application/x-ndjson")},
         summary="Every employee with the employment in force today, as CSV or JSON Lines, streamed")
    async def employees(self, request: Request[Any, Any, Any], principal: Caller,
                        format: ExportFormatQuery = None) -> Stream:
        """The fields of `GET /v1/employees/{id}` (in CSV nested fields as dotted columns:
        `employment.pay.amount`), in the order employees were hired, read a page at a time; personal data is
        masked unless you may read it in clear, and clear reads are audited as in the single-record API. Counts
        against the bulk rate limit."""
        return _streamed(principal, "employees", _format_of(request, format))

    @get("/candidates", operation_id="exportCandidates",
         opt={**requires(Operation.CANDIDATES_READ), **raw_answer("text/csv", "application/x-ndjson")},
         summary="Every candidate as CSV or JSON Lines, streamed")
    async def candidates(self, request: Request[Any, Any, Any], principal: Caller,
                         format: ExportFormatQuery = None) -> Stream:
        """The fields of `GET /v1/candidates/{id}`, in the order candidates were added, read a page at a time;
        personal data masked unless you may read it in clear, as in the single-record API. Counts against the bulk
        rate limit."""
        return _streamed(principal, "candidates", _format_of(request, format))

    @get("/pay-inputs", operation_id="exportPayInputs",
         opt={**requires(Operation.PAYROLL_READ), **raw_answer("text/csv", "application/x-ndjson")},
         summary="Pay runs' inputs (overtime, bonus, allowance, unpaid leave, deductions) as CSV or JSON Lines, "
                 "streamed")
    async def pay_inputs(self, request: Request[Any, Any, Any], principal: Caller, format: ExportFormatQuery = None,
                         run_id: FromQuery[UUID | None] = None, pay_group_id: FromQuery[UUID | None] = None,
                         period_from: FromQuery[date | None] = None,
                         period_to: FromQuery[date | None] = None) -> Stream:
        """Every input entered through `POST /v1/pay-runs/{id}/inputs` or an import of kind `pay_inputs`, in the
        order entered: its run, the employee (id and employee number), `kind`, `amount` exactly as entered (a
        decimal string), `note`, who entered it and when. `run_id` keeps one run's inputs; `pay_group_id` keeps one
        group's; `period_from` and `period_to` keep the inputs of runs whose period overlaps those dates (either may
        be left open). A filter naming nothing of yours gives a file with no rows. Counts against the bulk rate
        limit."""
        only = RunFilter(pay_group_id=pay_group_id, period_from=period_from, period_to=period_to)
        return _streamed(principal, "pay-inputs", _format_of(request, format), {"run_id": run_id, "only": only})
