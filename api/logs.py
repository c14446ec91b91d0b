"""Structured JSON logs. Only fields named here are ever written: no bodies, no query strings,
no personal data."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import msgspec

_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "tenant_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry).decode()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("meridian")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
