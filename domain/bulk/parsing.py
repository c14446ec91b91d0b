"""Reading an import file: CSV (a header row, dotted column names nesting, empty cells left out) or JSON Lines (one
object a line), into (line, row) pairs; a line that cannot be read becomes its own problem, not the file's."""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec

from domain.bulk.model import MAX_ROWS, ImportFileEmpty, ImportFileTooLong, ImportFileUnreadable, ImportFormat

#: (line, the row as a JSON object would read, or the reason it cannot be read)
ParsedRow = tuple[int, dict[str, Any] | str]


def parse(data: bytes, fmt: ImportFormat) -> list[ParsedRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileUnreadable(format=fmt.value, reason="not UTF-8") from None
    rows = _csv(text) if fmt is ImportFormat.CSV else _jsonl(text)
    if not rows:
        raise ImportFileEmpty()
    if len(rows) > MAX_ROWS:
        raise ImportFileTooLong(limit=str(MAX_ROWS))
    return rows


def _csv(text: str) -> list[ParsedRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ImportFileUnreadable(format="csv", reason=str(exc)) from None
    names = [name.strip() for name in header]
    if not names or any(not name for name in names) or len(set(names)) != len(names):
        raise ImportFileUnreadable(format="csv", reason="the header row needs distinct, non-empty column names")
    rows: list[ParsedRow] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            rows.append((reader.line_num, str(exc)))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            rows.append((reader.line_num, f"{len(cells)} cells where the header names {len(names)}"))
            continue
        row: dict[str, Any] = {}
        for name, cell in zip(names, cells, strict=True):
            if cell != "":
                _put(row, name.split("."), cell)
        rows.append((reader.line_num, row))
        if len(rows) > MAX_ROWS:
            return rows


def _put(row: dict[str, Any], path: list[str], value: str) -> None:
    for part in path[:-1]:
        inner = row.get(part)
        if not isinstance(inner, dict):
            inner = row[part] = {}
        row = inner
    row[path[-1]] = value


def _jsonl(text: str) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = msgspec.json.decode(line)
        except msgspec.DecodeError:
            rows.append((number, "not a JSON object"))
            continue
        rows.append((number, value) if isinstance(value, dict) else (number, "not a JSON object"))
        if len(rows) > MAX_ROWS:
            break
    return rows
