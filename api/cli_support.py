"""What every ``meridian`` command shares: the consoles, the exit codes, and one way to run domain work."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.console import Console

from api.runtime import Runtime, StartupError, ensure_home_tenant, open_runtime
from compliance.errors import ComplianceError
from domain.kernel.errors import DomainError
from domain.kernel.settings import Settings, SettingsError, load_settings

EXIT_FAILED, EXIT_CONFIG = 1, 3
# Piped into a file or another program, tables keep every column whole rather than cutting to 80 characters.
_WIDTH = None if sys.stdout.isatty() else 240
out = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True, width=_WIDTH)
T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(EXIT_CONFIG)


def run_or_exit(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Open the runtime, run ``work``, close it; turn every known failure into a message and an exit code."""
    settings = settings_or_exit()

    async def main() -> T:
        runtime = await open_runtime(settings)
        try:
            await ensure_home_tenant(runtime)
            return await work(runtime)
        finally:
            await runtime.database.stop()

    try:
        return asyncio.run(main())
    except StartupError as exc:
        err.print(f"[red]Cannot start: {exc}[/red]")
        sys.exit(EXIT_CONFIG)
    except (DomainError, ComplianceError) as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(EXIT_FAILED)
