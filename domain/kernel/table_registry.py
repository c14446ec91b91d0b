"""Every Piccolo table of every context, so the kernel can bind them to the configured engine."""

from __future__ import annotations

import importlib
import pkgutil

from piccolo.table import Table


def all_tables() -> list[type[Table]]:
    """Every ``Table`` declared in a ``domain.<context>.tables`` module."""
    import domain

    found: list[type[Table]] = []
    for context in pkgutil.iter_modules(domain.__path__):
        if not context.ispkg:
            continue
        try:
            module = importlib.import_module(f"domain.{context.name}.tables")
        except ModuleNotFoundError as exc:
            if exc.name != f"domain.{context.name}.tables":
                raise
            continue
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Table) and value is not Table]
    return found
