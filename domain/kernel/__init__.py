"""The shared kernel every bounded context stands on: the unit of work, tenancy-safe ids, money, time,
crypto, i18n lookup, domain errors, the acting principal and the authorisation matrix.

The kernel imports no context (the table registry finds the contexts' tables by name at start-up).
"""
