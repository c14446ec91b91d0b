"""Structured JSON logs. Only fields named here are ever written: no bodies, no query strings,
no personal data.

A domain error's message is written for its reader and may name a person ("The payslip of 王芳
cannot be calculated"), so in a log it is replaced by its code and the ids among its parameters,
wherever it appears: as the logged exception, in its chain, or as an argument of the message."""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import time
import traceback
from collections import deque
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.errors import DomainError

_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "tenant_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_timestamp(record.created),
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


_second_written: tuple[int, str] = (-1, "")


def utc_timestamp(created: float) -> str:
    """``created`` as the logs write it, ``2026-12-03T15:01:16.246Z``: the date and time of day worked out once per
    second, since some thousand lines a second share them."""
    global _second_written
    second = int(created)
    if _second_written[0] != second:
        _second_written = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_second_written[1]}.{int((created - second) * 1000):03d}Z"


class AccessLine(msgspec.Struct, frozen=True):
    """One answered request, as the access log writes it: the line :class:`JsonFormatter` writes for an access
    record, field for field."""

    time: str
    level: str
    logger: str
    message: str
    request_id: str
    method: str
    route: str
    status: int
    duration_ms: float
    tenant_id: str | None


_ACCESS_LOGGER = "meridian.access"
_ACCESS = logging.getLogger(_ACCESS_LOGGER)
_encode_access_line = msgspec.json.Encoder().encode


def log_access(request_id: str, method: str, route: str, status: int, duration_ms: float,
               tenant_id: str | None) -> None:
    """Write one answered request to the access log, at INFO.

    Where Meridian's own JSON writer is the only handler (as :func:`configure_logging` leaves it), the line is
    encoded here and queued as text: a ``LogRecord``, its handling and its formatting in the writing thread cost a
    50-item list about a tenth of its CPU over HTTP, more than building the line. Anywhere else (a handler added to
    read the logs, say) the record goes through ``logging`` like any other."""
    if not _ACCESS.isEnabledFor(logging.INFO):
        return
    writer = _writer
    if writer is not None and not _ACCESS.handlers and _MERIDIAN.handlers == writer.handlers:
        writer.put(_encode_access_line(AccessLine(
            utc_timestamp(time.time()), "INFO", _ACCESS_LOGGER, "request", request_id, method, route, status,
            duration_ms, tenant_id)).decode())
        return
    # Made and handed over directly: Logger.info would also look up its caller's source line in the stack.
    _ACCESS.handle(_ACCESS.makeRecord(_ACCESS_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra={
        "request_id": request_id, "method": method, "route": route, "status": status, "duration_ms": duration_ms,
        "tenant_id": tenant_id}))


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


#: How long the writing thread, woken by a first record, waits for more before writing them all at once. Each
#: wake-up of a second thread costs the event loop a GIL hand-over: at 10 ms, the 100 wake-ups a second of a busy
#: server cost a 50-item list about 8 % of its CPU over HTTP; at 100 ms they cost nothing measurable, and a line
#: still reaches stderr within a tenth of a second (and at exit, whatever is queued is written).
BATCH_SECONDS = 0.1


class _BatchWriter:
    """Writes the records the event loop hands over, in batches: one wake-up of this thread and one write to stderr
    for whatever arrived within :data:`BATCH_SECONDS`, instead of one of each per request (a queue's ``put`` wakes
    its reader every time, and a stream handler writes and flushes every line). Formatting (and the personal data
    kept out of it) is the :class:`JsonFormatter`'s, here, off the event loop."""

    def __init__(self, handler: logging.StreamHandler) -> None:  # type: ignore[type-arg]
        self.handler = handler
        #: What the ``meridian`` logger's handlers are while this writer serves it alone.
        self.handlers: list[logging.Handler] = [_Enqueue(self)]
        self._pending: deque[logging.LogRecord | str] = deque()
        self._wake = threading.Event()
        self._signalled = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="meridian-log-writer", daemon=True)
        self._thread.start()

    def put(self, record: logging.LogRecord | str) -> None:
        """Queue a record, or a line already written (:func:`log_access`)."""
        self._pending.append(record)
        if not self._signalled:  # the thread clears it before it drains: a record is never left behind
            self._signalled = True
            self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._drain()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait()
            if not self._stopping:
                time.sleep(BATCH_SECONDS)
            self._wake.clear()
            self._signalled = False
            self._drain()

    def _drain(self) -> None:
        lines: list[str] = []
        while self._pending:
            record = self._pending.popleft()
            if isinstance(record, str):
                lines.append(record)
                continue
            try:
                lines.append(self.handler.format(record))
            except Exception:  # as logging does: report the record that cannot be formatted, go on with the rest
                self.handler.handleError(record)
        if lines:
            try:
                self.handler.stream.write("\n".join(lines) + "\n")
                self.handler.flush()
            except Exception:
                self.handler.handleError(logging.makeLogRecord({"msg": "log write failed"}))


class _Enqueue(logging.Handler):
    """Hands each record to the writing thread as it is, without the handler lock or formatting on the loop."""

    def __init__(self, writer: _BatchWriter) -> None:
        super().__init__()
        self.writer = writer

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        self.writer.put(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.writer.put(record)


_writer: _BatchWriter | None = None
_MERIDIAN = logging.getLogger("meridian")


def configure_logging(level: str) -> None:
    """JSON lines on stderr, written by a thread of their own: a request's access log line is queued, never waited
    for on the event loop (a slow or blocked stderr would otherwise stall every request)."""
    global _writer
    if _writer is not None:
        _writer.stop()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    _writer = _BatchWriter(handler)
    _MERIDIAN.handlers[:] = _writer.handlers
    _MERIDIAN.setLevel(level.upper())
    _MERIDIAN.propagate = False


@atexit.register
def _write_what_is_queued() -> None:
    if _writer is not None:
        _writer.stop()
