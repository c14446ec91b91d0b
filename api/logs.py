"""Structured JSON logs. Only fields named here are ever written: no bodies, no query strings,
no personal data.

A domain error's message is written for its reader and may name a person ("The payslip of 王芳
cannot be calculated"), so in a log it is replaced by its code and the ids among its parameters,
wherever it appears: as the logged exception, in its chain, or as an argument of the message."""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import sys
import time
import traceback
from queue import SimpleQueue
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.errors import DomainError

_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "tenant_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": _log_safe_message(record),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = log_safe_traceback(record.exc_info[1])
        return msgspec.json.encode(entry).decode()


def log_safe_traceback(exc: BaseException | None) -> str:
    """The traceback as Python prints it, but with each domain error in the chain shown by code and ids."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    text = ""
    for earlier, later in zip([None, *reversed(chain)], reversed(chain), strict=False):
        if earlier is not None:
            text += _CAUSED if later.__cause__ is earlier else _DURING
        text += ("Traceback (most recent call last):\n" + "".join(traceback.format_tb(later.__traceback__))
                 + f"{type(later).__module__}.{type(later).__qualname__}: {_log_safe(later)}")
    return text


_CAUSED = "\n\nThe above exception was the direct cause of the following exception:\n\n"
_DURING = "\n\nDuring handling of the above exception, another exception occurred:\n\n"


def _log_safe(value: object) -> object:
    if not isinstance(value, DomainError):
        return value
    ids = {name: str(param) for name, param in value.params.items() if isinstance(param, UUID)}
    problems = getattr(value, "problems", ())
    employees = [str(p.employee_id) for p in problems if isinstance(getattr(p, "employee_id", None), UUID)]
    return " ".join([value.code, *(f"{k}={v}" for k, v in ids.items()),
                     *([f"employee_ids={','.join(employees)}"] if employees else [])])


def _log_safe_message(record: logging.LogRecord) -> str:
    if isinstance(record.msg, DomainError):  # log.error(exc)
        return str(_log_safe(record.msg))
    if isinstance(record.args, tuple) and any(isinstance(a, DomainError) for a in record.args):
        return str(record.msg) % tuple(_log_safe(a) for a in record.args)
    return record.getMessage()


class _Enqueue(logging.handlers.QueueHandler):
    """Hands each record to the writing thread as it is: formatting (and the personal data kept out of it) is the
    :class:`JsonFormatter`'s, there. The standard ``prepare`` would format it here first with no such care."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


_writer: logging.handlers.QueueListener | None = None


def configure_logging(level: str) -> None:
    """JSON lines on stderr, written by a thread of their own: a request's access log line is queued, never waited
    for on the event loop (a slow or blocked stderr would otherwise stall every request)."""
    global _writer
    if _writer is not None:
        _writer.stop()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    queue: SimpleQueue[logging.LogRecord] = SimpleQueue()
    _writer = logging.handlers.QueueListener(queue, handler, respect_handler_level=True)
    _writer.start()
    root = logging.getLogger("meridian")
    root.handlers[:] = [_Enqueue(queue)]
    root.setLevel(level.upper())
    root.propagate = False


@atexit.register
def _write_what_is_queued() -> None:
    if _writer is not None:
        _writer.stop()
