"""The rules of a tenant's retention period that need no database: within the law's bounds, and the law's bound
where the law in force has since moved past a period set earlier."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from compliance.retention import CountryRule, DataClass, Trigger, rule_for
from domain.privacy.model import (
    AboveLegalMaximum,
    BelowStatutoryMinimum,
    PolicySource,
    RetentionOverrideView,
    policy_view,
    require_within_law,
)

ON = date(2026, 6, 1)


def _rule(country: str, data_class: DataClass, trigger: Trigger) -> CountryRule:
    found = rule_for(country, data_class, trigger, ON)
    assert found is not None
    return found


def _override(months: int) -> RetentionOverrideView:
    return RetentionOverrideView(period_months=months, reason="r", set_by="admin", set_at=datetime(2026, 1, 1,
                                                                                                   tzinfo=UTC))


def test_a_period_between_the_minimum_and_the_maximum_is_accepted() -> None:
    jp_payroll = _rule("JP", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED)
    for months in (36, 48, 1200):
        require_within_law(jp_payroll, months)


def test_below_the_minimum_names_it_and_its_citation() -> None:
    with pytest.raises(BelowStatutoryMinimum) as refused:
        require_within_law(_rule("DE", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED), 71)
    assert refused.value.params["minimum"] == 72 and "EStG" in refused.value.params["citation"]
    assert refused.value.field == "period_months"


def test_above_the_maximum_names_it_and_its_citation() -> None:
    with pytest.raises(AboveLegalMaximum) as refused:
        require_within_law(_rule("GB", DataClass.CANDIDATE_PROFILE, Trigger.CONSENT_WITHDRAWN), 2)
    assert refused.value.params["maximum"] == 1 and "UK GDPR" in refused.value.params["citation"]


def test_a_period_the_law_has_since_moved_past_gives_way_to_the_bound() -> None:
    jp_payroll = _rule("JP", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED)
    stale = policy_view(jp_payroll, _override(24), version=3)
    assert (stale.period_months, stale.source) == (36, PolicySource.STATUTORY)
    assert stale.override is not None and not stale.override.within_law
    assert "第百九条" in stale.legal_basis.document
    fine = policy_view(jp_payroll, _override(48), version=3)
    assert (fine.period_months, fine.source) == (48, PolicySource.TENANT)
    assert fine.override is not None and fine.override.within_law


def test_without_an_override_the_default_and_its_basis_apply() -> None:
    view = policy_view(_rule("DE", DataClass.CANDIDATE_PROFILE, Trigger.APPLICATION_CLOSED), None, version=0)
    assert (view.period_months, view.source, view.minimum_months, view.maximum_months) == (6, PolicySource.PRACTICE,
                                                                                          None, None)
    assert "AGG" in view.legal_basis.document and view.verification.value == "corroborated"
