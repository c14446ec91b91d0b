"""Reading a PAYE tax code: its country prefix, its kind, its number and its basis.

HMRC's codes (PAYE Manual PAYE11015, "What your tax code means"): a number and a suffix (L, M, N, T)
give a tax-free allowance; K and a number add pay instead; BR, D0, D1... tax all pay at one rate;
NT means no tax; 0T means no allowance. A prefix S marks a Scottish taxpayer, C a Welsh one. W1, M1
or X after the code means the week 1/month 1 basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Suffix codes may have up to six digits (the specification's "999999T"); K codes run from K1 to K9999.
_PATTERN = re.compile(
    r"^(?P<country>[SC])?"
    r"(?:(?P<fixed>BR|NT)|D(?P<d>\d)|K(?P<k>\d{1,4})|(?P<number>\d{1,6})(?P<suffix>[LMNT]))"
    r"(?P<basis>W1|M1|X)?$"
)


class Regime(StrEnum):
    REST_OF_UK = "rest_of_uk"
    SCOTLAND = "scotland"
    WALES = "wales"


class CodeKind(StrEnum):
    ALLOWANCE = "allowance"  # suffix codes L, M, N, T and 0T: a free-pay deduction
    K = "k"  # additional pay added to taxable pay
    BASIC_RATE = "basic_rate"  # BR: all pay at the basic rate
    FLAT_HIGHER = "flat_higher"  # D0, D1...: all pay at the rate d bands above the basic rate
    NO_TAX = "no_tax"  # NT


@dataclass(frozen=True, slots=True)
class TaxCode:
    text: str
    regime: Regime
    kind: CodeKind
    #: The code number (allowance/K codes) or the D-code index.
    number: int
    #: True when the code itself carries W1, M1 or X.
    week1_month1: bool


_REGIMES = {None: Regime.REST_OF_UK, "S": Regime.SCOTLAND, "C": Regime.WALES}


def parse(code: str) -> TaxCode:
    """Raise ValueError naming the code when it is not a PAYE code this pack operates."""
    text = re.sub(r"[\s/]", "", code.upper())
    match = _PATTERN.match(text)
    if match is None:
        raise ValueError(f"employee.tax_code {code!r} is not a valid PAYE tax code")
    regime = _REGIMES[match["country"]]
    basis = match["basis"] is not None
    if match["fixed"] == "BR":
        return TaxCode(text, regime, CodeKind.BASIC_RATE, 0, basis)
    if match["fixed"] == "NT":
        return TaxCode(text, regime, CodeKind.NO_TAX, 0, basis)
    if match["d"] is not None:
        return TaxCode(text, regime, CodeKind.FLAT_HIGHER, int(match["d"]), basis)
    if match["k"] is not None:
        number = int(match["k"])
        if number == 0:
            raise ValueError(f"employee.tax_code {code!r}: K codes run from K1 to K9999")
        return TaxCode(text, regime, CodeKind.K, number, basis)
    return TaxCode(text, regime, CodeKind.ALLOWANCE, int(match["number"]), basis)
