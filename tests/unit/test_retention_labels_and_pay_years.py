"""Each shipped default says what it rests on (a statute, practice or Meridian's own choice) and how well that is
known; and a pay year's period is counted from the end of the country's tax year."""

from __future__ import annotations

from datetime import date

import pytest

from compliance.parameters import Verification
from compliance.retention import (
    CountryRule,
    DataClass,
    DefaultBasis,
    Trigger,
    countries_with_law,
    pay_year_start,
    pay_years_kept_from,
    rule_for,
    rules_for,
)

ON = date(2026, 6, 1)
SHIPPED = [rule for country in [*countries_with_law(), "FR"] for rule in rules_for(country, ON)]


@pytest.mark.parametrize("rule", SHIPPED, ids=lambda r: f"{r.country}-{r.data_class}-{r.trigger}")
def test_every_default_is_labelled_with_its_basis_and_a_verification_level(rule: CountryRule) -> None:
    law = rule.rule
    assert law.verification in set(Verification)
    assert rule.legal_basis.verification in set(Verification)
    if law.default_basis is DefaultBasis.STATUTORY:
        # a statutory default is a statute's own period: there is a minimum, cited by the lawmaker, not Meridian
        assert law.minimum_months is not None and law.default.value >= law.minimum_months
        assert rule.legal_basis.issuer != "Meridian"
    elif law.default_basis is DefaultBasis.PRACTICE:
        # practice is said to be practice in its own citation, so nobody reads it as a statutory period
        text = f"{law.default.source.document} {law.default.source.article}".lower()
        assert "practice" in text and law.default.source.issuer != "Meridian"
    else:
        assert not rule.from_country_law or law.minimum_months is None or law.default.value >= law.minimum_months


def test_germanys_six_months_for_rejected_candidates_is_practice_from_the_agg_deadlines() -> None:
    found = rule_for("DE", DataClass.CANDIDATE_PROFILE, Trigger.APPLICATION_CLOSED, ON)
    assert found is not None
    assert (found.rule.default.value, found.rule.default_basis, found.rule.minimum_months) == (
        6,
        DefaultBasis.PRACTICE,
        None,
    )
    assert "AGG" in found.legal_basis.document and "not a statutory period" in found.legal_basis.document
    assert found.legal_basis.verification is Verification.CORROBORATED


@pytest.mark.parametrize(
    ("country", "start"),
    [("GB", (4, 6)), ("IN", (4, 1)), ("DE", (1, 1)), ("CN", (1, 1)), ("JP", (1, 1)), ("FR", (1, 1))],
)
def test_each_countrys_pay_year_starts_with_its_tax_year(country: str, start: tuple[int, int]) -> None:
    assert pay_year_start(country) == start


@pytest.mark.parametrize(
    ("country", "cutoff", "kept_from"),
    [
        # Germany, 72 months on 3 December 2026: the Lohnkonto of 2019 may go, that of 2020 is kept to the end of 2026
        ("DE", date(2020, 12, 3), date(2020, 1, 1)),
        ("DE", date(2021, 1, 1), date(2021, 1, 1)),
        # the UK, 36 months: the tax year 2021-22 ends on 5 April 2022; its period on 5 April 2025
        ("GB", date(2022, 4, 5), date(2021, 4, 6)),
        ("GB", date(2022, 4, 6), date(2022, 4, 6)),
        ("IN", date(2023, 3, 31), date(2022, 4, 1)),
    ],
)
def test_what_was_paid_before_the_first_pay_year_still_kept_may_go(country: str, cutoff: date, kept_from: date) -> None:
    assert pay_years_kept_from(country, cutoff) == kept_from
