"""Bulk imports: what a caller sends, what an import and each of its rows read as, and the problems of a file as a
whole (each row's own problems are the use case's, in ``RowProblem``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.kernel.errors import ErrorKind, InvalidInput, NotFound

#: Past this many rows a file is refused as a whole; send it in parts.
MAX_ROWS = 100_000


class ImportKind(StrEnum):
    """What the rows are: `employees` (staff already employed: the person, the employment with the country pack's tax
    attributes, and optionally a bank account), `candidates`, or `pay_inputs` (a pay run's inputs: overtime hours,
    bonus, allowance, unpaid leave days or a deduction of one employee, named by id, employee number or the
    external id of their import)."""

    EMPLOYEES = "employees"
    CANDIDATES = "candidates"
    PAY_INPUTS = "pay_inputs"


class ImportFormat(StrEnum):
    """`csv` (a header row; dotted column names nest, `employment.pay.amount`) or `jsonl` (one JSON object a line)."""

    CSV = "csv"
    JSONL = "jsonl"


class ImportMode(StrEnum):
    """`all_or_nothing`: any bad row and nothing is written; `row_by_row`: every good row is written, each bad one
    reported and skipped whole."""

    ALL_OR_NOTHING = "all_or_nothing"
    ROW_BY_ROW = "row_by_row"


class ImportState(StrEnum):
    """`queued`, `running` (rows are being checked or written), `completed` (every row has its outcome) or `failed`
    (the job stopped on a fault of ours; rows already written stay, with their outcomes)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class RowOutcome(StrEnum):
    """`created`; `unchanged` (this external id was imported before with the same content: nothing written);
    `already_imported` (imported before with other content: nothing written, the record keeps what it has);
    `failed` (see its problems); `valid` (a dry run's good row); `not_imported` (a good row of an all-or-nothing import
    that another row failed)."""

    CREATED = "created"
    UNCHANGED = "unchanged"
    ALREADY_IMPORTED = "already_imported"
    FAILED = "failed"
    VALID = "valid"
    NOT_IMPORTED = "not_imported"


class ImportView(msgspec.Struct, frozen=True):
    """An import and its progress: `rows_done` of `rows_total` rows have their outcome; `rows_created`,
    `rows_unchanged` (unchanged or already imported) and `rows_failed` count them by outcome. A dry run writes
    nothing."""

    id: UUID
    kind: ImportKind
    format: ImportFormat
    mode: ImportMode
    dry_run: bool
    state: ImportState
    rows_total: int
    rows_done: int
    rows_created: int
    rows_unchanged: int
    rows_failed: int
    requested_by: str
    created_at: datetime
    finished_at: datetime | None


class StoredProblem(msgspec.Struct, frozen=True):
    code: str
    field: str | None
    template: str
    params: dict[str, str]


class StoredRow(msgspec.Struct, frozen=True):
    line: int
    external_id: str | None
    outcome: RowOutcome
    entity_id: UUID | None
    problems: list[StoredProblem]


class ImportNotFound(NotFound):
    code = "import_not_found"
    template = "There is no import with this id."


class ImportFileUnreadable(InvalidInput):
    code = "import_file_unreadable"
    kind = ErrorKind.UNPROCESSABLE
    title = "Import file unreadable"
    template = "The file cannot be read as {format}: {reason}"


class ImportFileEmpty(InvalidInput):
    code = "import_file_empty"
    kind = ErrorKind.UNPROCESSABLE
    title = "Import file empty"
    template = "The file has no rows to import."


class ImportFileTooLong(InvalidInput):
    code = "import_file_too_long"
    kind = ErrorKind.UNPROCESSABLE
    title = "Import file too long"
    template = "The file has more than {limit} rows; send it in parts."


class ImportKindForbidden(InvalidInput):
    code = "import_kind_forbidden"
    kind = ErrorKind.FORBIDDEN
    title = "Forbidden"
    template = "You may not import {kind}: it needs the permission {operation}."


#: Problems of one row that only the import itself finds (the rows' other problems are the use cases' own).
ROW_MESSAGES = {
    "row_unreadable": "Line {line} cannot be read: {reason}",
    "external_id_missing": "Every row needs an external_id (1 to 200 characters), unique for this kind of record.",
    "external_id_twice_in_import": "The external_id is also on line {line} of this file.",
    "row_conflict": "The row could not be written: a record it names changed while the import ran. Import it again.",
}
