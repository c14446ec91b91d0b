"""What every ``meridian`` command shares: the consoles, the exit codes, and one way to run domain work."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import click
from rich.console import Console

from api.runtime import Runtime, StartupError, ensure_home_tenant, open_runtime
from compliance.errors import ComplianceError
from domain.kernel.errors import DomainError
from domain.kernel.i18n import SUPPORTED, translate
from domain.kernel.settings import Settings, SettingsError, load_settings

EXIT_FAILED, EXIT_USAGE, EXIT_CONFIG = 1, 2, 3
# Piped into a file or another program, tables keep every column whole rather than cutting to 80 characters.
_WIDTH = None if sys.stdout.isatty() else 240
out = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True, width=_WIDTH)
T = TypeVar("T")
_debug = False


def use_debug(debug: bool) -> None:
    """Without --debug an operator sees each failure's reason once, in their language; with it, the server's
    logs and tracebacks too. A calculation logs its failure before the command reports it."""
    global _debug
    _debug = debug
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if debug else logging.NullHandler()
    logger = logging.getLogger("meridian")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if debug else logging.CRITICAL)
    logger.propagate = False


def operator_locale() -> str:
    """The operator's language from the usual environment variables (ja_JP.UTF-8 is ja), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(".")[0]
        if value in SUPPORTED:
            return value
        if value and value.split("_")[0] in SUPPORTED:
            return value.split("_")[0]
        if value:
            break
    return "en"


def reason_of(exc: DomainError) -> str:
    return translate(exc.template, operator_locale(), **exc.params)


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
    except DomainError as exc:
        _fail(reason_of(exc), exc)
    except ComplianceError as exc:
        _fail(str(exc), exc)
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(f"Unexpected {type(exc).__name__}; run again with --debug for the details.", exc)


def _fail(reason: str, exc: Exception) -> NoReturn:
    if _debug:
        err.print_exception()
    err.print(reason, style="red", markup=False, highlight=False)
    sys.exit(EXIT_FAILED)
