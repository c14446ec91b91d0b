"""The one rule every decimal a caller sends must pass, before any pack compares or computes with it.

``NaN`` makes a Decimal comparison raise, ``Infinity`` and ``1e400`` run through the arithmetic into
nonsense (or an overflow deep in a calculator), and a 40-digit amount is no one's pay. msgspec's ``Meta(ge=...)``
cannot express this for Decimal (it fails only when a request arrives), so each input Struct calls
:func:`require_sane_decimals` first thing in its ``__post_init__``; the ValueError becomes a 400 with a field
pointer at the edge. Each schema still applies its own, tighter business bounds after this.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

import msgspec

#: Larger than any amount or quantity of one employee in any currency (10^15 rupiah is ~60 billion euros).
MAX_DIGITS_BEFORE_POINT = 15
#: Enough for rates and factors (0.0000125); more is noise or an attempt to make the arithmetic expensive.
MAX_DECIMAL_PLACES = 10
_LIMIT = Decimal(10) ** MAX_DIGITS_BEFORE_POINT

MONEY_DESCRIPTION = (
    "An amount of money: a decimal string with exactly its currency's ISO 4217 minor-unit digits, \"1440.00\" "
    "in CNY, EUR or USD, \"1260\" in JPY, \"0.00\" for nothing in CNY. Its currency is the `currency` of the "
    "object carrying it (or of its row, in a list mixing currencies). Rates and ratios are not money and say so."
)
#: An amount of money in an answer: what ``domain.kernel.money.exact`` makes of it (and re-exports).
Money = Annotated[Decimal, msgspec.Meta(description=MONEY_DESCRIPTION, examples=["1440.00", "1260"])]


def is_sane_decimal(value: Decimal) -> bool:
    if not value.is_finite():
        return False
    exponent = value.as_tuple().exponent
    return abs(value) < _LIMIT and isinstance(exponent, int) and exponent >= -MAX_DECIMAL_PLACES


def require_sane_decimals(struct: Any) -> None:
    """Raise ValueError naming the first field (``overrides.rate`` for a mapping's entry) that fails the rule."""
    for name in struct.__struct_fields__:
        for label, value in _decimals_in(name, getattr(struct, name)):
            if not is_sane_decimal(value):
                raise ValueError(
                    f"`{label}` must be a finite number under {_LIMIT:f} with at most {MAX_DECIMAL_PLACES} "
                    "decimal places")


def _decimals_in(label: str, value: Any) -> Iterator[tuple[str, Decimal]]:
    if isinstance(value, Decimal):
        yield label, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _decimals_in(f"{label}.{key}", item)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _decimals_in(f"{label}[{index}]", item)
