"""A domain error written to a log shows its code and ids, never the person its message names."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from api.logs import JsonFormatter, configure_logging, log_access
from domain.payroll.model import CalculationProblem
from domain.payroll.pipeline import CalculationBlocked


def _blocked() -> tuple[CalculationBlocked, uuid.UUID]:
    employee = uuid.uuid4()
    problem = CalculationProblem(employee, "王芳", "{tier} is not offered", {"tier": "tier2"})
    return CalculationBlocked.listing([problem], 1), employee


def _written(msg: object, args: tuple[object, ...], exc: BaseException | None = None) -> str:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return JsonFormatter().format(logging.LogRecord("meridian.test", logging.ERROR, __file__, 1, msg, args, exc_info))


def test_a_domain_error_as_the_message_its_argument_or_in_the_chain_is_logged_by_code_and_ids() -> None:
    error, employee = _blocked()
    try:
        try:
            raise error
        except CalculationBlocked as inner:
            raise RuntimeError("the job failed") from inner
    except RuntimeError as outer:
        chained = _written("pay run calculation failed", (), outer)
    for written in (_written(error, ()), _written("failed: %s", (error,)), chained):
        assert "王芳" not in written and "pay_run_calculation_blocked" in written and str(employee) in written
    assert "direct cause" in chained and "the job failed" in chained


@pytest.fixture
def stderr_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Meridian's own logging writing to a buffer instead of stderr; calling the fixture writes what is queued and
    returns the lines written so far."""
    written = io.StringIO()
    level = logging.getLevelName(logging.getLogger("meridian").level)  # what the session had
    monkeypatch.setattr(sys, "stderr", written)
    configure_logging("INFO")

    def lines() -> list[dict[str, Any]]:
        configure_logging("INFO")  # stops the writer, which writes everything queued, and starts a new one
        return [json.loads(line) for line in written.getvalue().splitlines()]

    try:
        yield lines
    finally:
        monkeypatch.undo()
        configure_logging(level)


def test_an_access_line_written_directly_is_the_line_its_record_would_be(
        stderr_lines: Callable[[], list[dict[str, Any]]]) -> None:
    tenant = str(uuid.uuid4())
    before = datetime.now(UTC).replace(microsecond=0)
    log_access("4f1c2a0b9d8e7f6a0000000000000001", "GET", "/v1/legal-entities", 200, 3.25, tenant)
    log_access("4f1c2a0b9d8e7f6a0000000000000002", "POST", "/v1/report-links/…", 404, 0.5, None)
    written = stderr_lines()
    record = logging.LogRecord("meridian.access", logging.INFO, __file__, 0, "request", (), None)
    record.__dict__.update(request_id="4f1c2a0b9d8e7f6a0000000000000001", method="GET", route="/v1/legal-entities",
                           status=200, duration_ms=3.25, tenant_id=tenant)
    formatted = json.loads(JsonFormatter().format(record))
    assert list(written[0]) == list(formatted)
    assert {**written[0], "time": None} == {**formatted, "time": None}
    assert written[1]["tenant_id"] is None and written[1]["status"] == 404
    when = datetime.strptime(written[0]["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= when <= datetime.now(UTC)


def test_an_access_record_reaches_a_handler_added_to_read_the_logs(
        stderr_lines: Callable[[], list[dict[str, Any]]]) -> None:
    seen: list[logging.LogRecord] = []
    reader = logging.Handler()
    reader.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger("meridian").addHandler(reader)
    try:
        log_access("4f1c2a0b9d8e7f6a0000000000000003", "GET", "/v1/me", 200, 1.0, None)
    finally:
        logging.getLogger("meridian").removeHandler(reader)
    assert [(r.name, r.route, r.status) for r in seen] == [("meridian.access", "/v1/me", 200)]  # type: ignore[attr-defined]
    assert [line["route"] for line in stderr_lines()] == ["/v1/me"]
