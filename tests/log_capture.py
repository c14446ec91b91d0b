"""Attaching a test's own log handler to everything the server logs, for the tests that scan the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def capturing(handler: logging.Handler) -> Iterator[None]:
    """``handler`` receives every record at INFO and above, the root's and Meridian's (which do not propagate),
    until the block ends; the loggers' levels are then as they were."""
    loggers = [logging.getLogger(), logging.getLogger("meridian")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
