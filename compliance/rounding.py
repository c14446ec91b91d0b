"""Rounding steps that statutes prescribe. Every calculator names the one it applies."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
UNIT = Decimal("1")


def half_up(amount: Decimal, quantum: Decimal = CENT) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def half_even(amount: Decimal, quantum: Decimal = CENT) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


def truncate(amount: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Cut toward zero (German "abrunden" of positive amounts, CPF "drop cents")."""
    return amount.quantize(quantum, rounding=ROUND_DOWN)


def floor(amount: Decimal, quantum: Decimal = UNIT) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_FLOOR)


def ceiling(amount: Decimal, quantum: Decimal = UNIT) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_CEILING)


def floor_to_multiple(amount: Decimal, step: Decimal) -> Decimal:
    """Round down to a multiple of ``step`` (for example the NTA's 1,000-yen steps)."""
    return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step


def ceiling_to_multiple(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step
