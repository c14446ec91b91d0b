"""Exports: every employee, candidate or pay input of the tenant as CSV or JSON Lines, streamed a page at a time.

Each page is read through the kind's own list use case (``list_employees``, ``list_candidates``,
``list_pay_inputs``, which takes the export's filters): keyset pages of
``PAGE`` in id order, each in its own short transaction, with the same masking and the same audit of clear reads
as the single-record API gives the caller. Only one page is ever held in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from enum import StrEnum
from functools import partial
from typing import Any, get_args, get_origin, get_type_hints

import msgspec

from domain.employees.model import EmployeeView
from domain.employees.service import list_employees
from domain.kernel.pagination import Page
from domain.kernel.principal import Principal
from domain.payroll.service import PayInputView, list_pay_inputs
from domain.recruitment.model import CandidateView
from domain.recruitment.service import list_candidates

PAGE = 200
#: Cells a spreadsheet would run as a formula start with one of these (or with + or - before anything but a digit or
#: a space: a phone number or a negative figure stays as it is); such a cell is written with a leading "'".
_FORMULA_STARTS = ("=", "@", "\t", "\r")


class ExportFormat(StrEnum):
    """`csv` (a header row, nested fields as dotted column names) or `jsonl` (one JSON object a line)."""

    CSV = "csv"
    JSONL = "jsonl"


Lister = Callable[[Principal, str | None, int], Awaitable[Page[Any]]]


async def _employees(principal: Principal, cursor: str | None, limit: int) -> Page[Any]:
    return await list_employees(principal, cursor, limit)


async def _candidates(principal: Principal, cursor: str | None, limit: int) -> Page[Any]:
    return await list_candidates(principal, cursor, limit)


EXPORTS: dict[str, tuple[type[msgspec.Struct], Lister]] = {
    "employees": (EmployeeView, _employees),
    "candidates": (CandidateView, _candidates),
    "pay-inputs": (PayInputView, list_pay_inputs),
}


def columns_of(shape: type[msgspec.Struct], prefix: str = "") -> list[str]:
    """The dotted column names of a view, nested structs flattened (``employment.pay.amount``)."""
    hints = get_type_hints(shape)
    names: list[str] = []
    for name in shape.__struct_fields__:
        inner = _struct_in(hints[name])
        names += columns_of(inner, f"{prefix}{name}.") if inner else [f"{prefix}{name}"]
    return names


def _struct_in(hint: Any) -> type[msgspec.Struct] | None:
    candidates = get_args(hint) if get_origin(hint) is not None else (hint,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


def _flat(value: Any, prefix: str = "", into: dict[str, Any] | None = None) -> dict[str, Any]:
    into = {} if into is None else into
    for name, item in value.items():
        if isinstance(item, dict):
            _flat(item, f"{prefix}{name}.", into)
        else:
            into[f"{prefix}{name}"] = item
    return into


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else msgspec.json.encode(value).decode().strip('"')
    signed = text[:1] in ("+", "-") and not text[1:2].isdigit() and text[1:2] != " "
    return f"'{text}" if text.startswith(_FORMULA_STARTS) or signed else text


async def export(principal: Principal, kind: str, fmt: ExportFormat,
                 filters: Mapping[str, Any] | None = None) -> AsyncIterator[bytes]:
    """The file, a page of records at a time; ``filters`` go to the kind's list use case as keywords."""
    shape, lister = EXPORTS[kind]
    if filters:
        lister = partial(lister, **filters)
    columns = columns_of(shape)
    if fmt is ExportFormat.CSV:
        yield _csv_line(columns)
    cursor: str | None = None
    while True:
        page = await lister(principal, cursor, PAGE)
        if page.items:
            if fmt is ExportFormat.JSONL:
                yield b"".join(msgspec.json.encode(item) + b"\n" for item in page.items)
            else:
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\r\n")
                for item in page.items:
                    flat = _flat(msgspec.to_builtins(item))
                    writer.writerow([_cell(flat.get(column)) for column in columns])
                yield buffer.getvalue().encode()
        cursor = page.next_cursor
        if cursor is None:
            return


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode()

