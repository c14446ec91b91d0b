"""A row of a bulk import refused by the same rules as the single-record API, and its problems as the row's reader
sees them: a stable code, the field (a dotted path in the row), and the English template with its parameters, which
the reader's language translates when the outcome is read. Never the row's values."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import msgspec

from domain.kernel.errors import DomainError


class RowProblem(msgspec.Struct, frozen=True):
    code: str
    field: str | None
    template: str
    params: dict[str, str]


class RowRefused(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(problems[0].code if problems else "invalid")
        self.problems = problems


def row_digest(row: dict[str, Any]) -> str:
    """What a re-run compares: the row's content, whatever the order of its fields."""
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def invalid_value(message: str, within: str = "") -> RowProblem:
    """A msgspec validation message, kept whole for the edge to translate like a request body's own."""
    if within:
        message = message.replace("`$", f"`$.{within}", 1) if " - at `$" in message else f"{message} - at `$.{within}`"
    return RowProblem(code="invalid_row", field=None, template="{problem}", params={"problem": message})


def problems_of(exc: DomainError, within: str = "") -> list[RowProblem]:
    def at(field: str | None) -> str | None:
        return f"{within}.{field}" if within and field else field

    params = {name: str(value) for name, value in exc.params.items()}
    problems = [RowProblem(code=exc.code, field=at(exc.field), template=exc.template, params=params)]
    problems += [RowProblem(code=exc.code, field=at(detail.field), template=detail.template,
                            params={k: str(v) for k, v in detail.params.items()}) for detail in exc.details]
    return problems


def converted(value: Any, shape: type[Any], within: str = "") -> Any:
    """``value`` as ``shape`` (CSV's text read as numbers and dates), or :class:`RowRefused`."""
    try:
        return msgspec.convert(value, shape, strict=False)
    except msgspec.ValidationError as exc:
        raise RowRefused([invalid_value(str(exc), within)]) from None
