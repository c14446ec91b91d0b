"""Objects seeded once per test session and shared by the modules that probe them (a test module imported by
another is a second module object, so the memo lives here)."""

from __future__ import annotations

import uuid

SEEDED: dict[tuple[str, uuid.UUID], dict[str, str]] = {}
