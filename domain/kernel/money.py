"""Money: Decimal in code, integer minor units in storage, an ISO 4217 code on every amount.

SQLite turns Decimals into floats, so amounts are stored as BIGINT minor units. On the wire an amount is
:data:`Money`: a decimal string with exactly its currency's minor-unit digits, made by :func:`exact` where a
view is built from domain values.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision, list_currencies

from compliance.numbers import MONEY_DESCRIPTION, Money
from domain.kernel.errors import TooManyDecimals, UnknownCurrencyCode

__all__ = ["MONEY_DESCRIPTION", "Money", "display", "exact", "from_minor", "minor_unit", "minor_unit_exponent",
           "require_currency", "to_minor"]

_CURRENCIES = frozenset(list_currencies())


def require_currency(currency: str, field: str = "currency") -> None:
    """ISO 4217 codes only: a pay currency nobody can settle in is refused when saved."""
    if currency not in _CURRENCIES:
        raise UnknownCurrencyCode(currency=currency, field=field)


@cache
def minor_unit_exponent(currency: str) -> int:
    return get_currency_precision(currency)


@cache
def minor_unit(currency: str) -> Decimal:
    """The currency's smallest unit as a quantum: 0.01 for CNY, 1 for JPY."""
    return Decimal(1).scaleb(-minor_unit_exponent(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    exponent = minor_unit_exponent(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise TooManyDecimals(amount=str(amount), currency=currency, exponent=exponent)
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_unit_exponent(currency)).quantize(minor_unit(currency))


def exact(amount: Decimal, currency: str) -> Decimal:
    """``amount`` as the wire shows money: exactly the currency's minor-unit digits (1440.00 CNY, 1260 JPY).

    Never rounds: an amount with more digits than the currency has is not money (a rate, an unrounded
    intermediate figure) and raises TooManyDecimals, so such a figure is named and typed as what it is instead.
    """
    quantized = amount.quantize(minor_unit(currency))
    if quantized != amount:
        raise TooManyDecimals(amount=str(amount), currency=currency, exponent=minor_unit_exponent(currency))
    return quantized if quantized else quantized.copy_abs()  # never "-0.00"


def display(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=Locale.parse(locale))
