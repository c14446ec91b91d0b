"""Germany's 2027 labour law: the second MiLoV5 step (14.60 EUR an hour from 1 January 2027)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from compliance.labour import Contract
from compliance.parameters import Verification
from compliance.registry import pack_for


def contract(start: date, pay: str) -> Contract:
    return Contract(start_date=start, pay_amount=Decimal(pay), pay_unit="hour", weekly_hours=Decimal("40"),
                    date_of_birth=date(1990, 1, 1))


def test_minimum_wage_is_13_90_on_new_years_eve_and_14_60_from_1_january_2027() -> None:
    pack = pack_for("DE")
    assert pack.labour_law(date(2026, 12, 31)).minimum_wage.value[0].amount == Decimal("13.90")
    law = pack.labour_law(date(2027, 1, 1))
    assert law.minimum_wage.value[0].amount == Decimal("14.60")
    assert law.minimum_wage.value[0].min_age == 18
    source = law.minimum_wage.source
    assert source.verification is Verification.OFFICIAL
    assert "§ 1 Nr. 2 MiLoV5" in (source.article or "") and "BGBl. 2025 I Nr. 268" in source.document


def test_a_january_2027_contract_is_checked_against_14_60() -> None:
    pack = pack_for("DE")
    assert [v.code for v in pack.check_contract(contract(date(2027, 1, 4), "14.00"))] == ["labour.minimum_wage"]
    assert pack.check_contract(contract(date(2027, 1, 4), "14.60")) == []
    assert pack.check_contract(contract(date(2026, 12, 31), "14.00")) == []


def test_everything_but_the_minimum_wage_carries_over_from_2026() -> None:
    pack = pack_for("DE")
    before = msgspec.to_builtins(pack.labour_law(date(2026, 12, 31)))
    after = msgspec.to_builtins(pack.labour_law(date(2027, 1, 1)))
    before.pop("minimum_wage")
    after.pop("minimum_wage")
    assert before == after
    versions = {v.version: v for v in pack.series["labour"].versions}
    assert versions["de-labour-2026"].effective_to == date(2026, 12, 31)
    assert versions["de-labour-2027"].effective_from == date(2027, 1, 1)
