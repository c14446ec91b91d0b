"""A domain error written to a log shows its code and ids, never the person its message names."""

from __future__ import annotations

import logging
import uuid

from api.logs import JsonFormatter
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
