"""Onboarding plan generation: which rules trigger, working-day due dates per country, snapshots, order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from compliance.calendar import working_day_calendar
from compliance.errors import UnknownRegion
from domain.assessments.scoring import CompetencyEvaluation, Evaluation
from domain.employees.onboarding import (
    OnboardingRule,
    PlanItem,
    RuleEvidence,
    StandardItem,
    generate_plan,
    local_start_date,
)
from domain.kernel.errors import NaiveDateTime
from domain.kernel.time import InvalidTimezone

D = Decimal
MODEL_ID = UUID("0b0e8d1e-7c1a-4d7e-9a55-3f1a2b3c4d5e")
EVALUATION_ID = UUID("e0e0e0e0-0000-4000-8000-000000000001")
ROLE_SKILLS_RULE_ID = UUID("a1a1a1a1-0000-4000-8000-000000000001")
TEAMWORK_RULE_ID = UUID("a1a1a1a1-0000-4000-8000-000000000002")
MODULE_ID = UUID("b2b2b2b2-0000-4000-8000-000000000001")

ROLE_SKILLS = OnboardingRule(
    id=ROLE_SKILLS_RULE_ID,
    competency="role_skills",
    below=D(60),
    item={"en": "role skills training", "zh_CN": "岗位技能培训", "ja": "職務スキル研修"},
    module_id=MODULE_ID,
    owner_role="hiring_manager",
    due_in_working_days=10,
)
TEAMWORK = OnboardingRule(
    id=TEAMWORK_RULE_ID,
    competency="teamwork",
    below=D(60),
    item={"en": "team integration activity", "zh_CN": "团队融入活动", "ja": "チーム融合アクティビティ"},
    owner_role="hiring_manager",
    due_in_working_days=5,
)
CONTRACT = StandardItem(title={"en": "sign the employment contract"}, owner_role="hr_admin", due_in_working_days=1)
LAPTOP = StandardItem(title={"en": "set up laptop"}, owner_role="employee", due_in_working_days=3)


def evaluation(**scores: str | None) -> Evaluation:
    competencies = [
        CompetencyEvaluation(
            code=code,
            score=None if score is None else D(score),
            weight=D(1) / len(scores),
            pass_threshold=D(50),
            passed=None if score is None else D(score) >= 50,
            gap=None if score is None else D(score) - 50,
            evidence_count=0 if score is None else 1,
            confidence=None,
        )
        for code, score in scores.items()
    ]
    return Evaluation(
        result_id="res-1",
        model_id=MODEL_ID,
        model_version=3,
        competencies=competencies,
        overall=None,
        overall_pass_threshold=D(60),
        passed=False,
        missing=[code for code, score in scores.items() if score is None],
        unmapped=[],
    )


def plan(
    scores: Evaluation | None = None,
    *,
    rules: list[OnboardingRule] | None = None,
    standard: list[StandardItem] | None = None,
    start: date = date(2026, 3, 2),
    country: str = "DE",
    subdivision: str | None = "BE",
) -> list[PlanItem]:
    return generate_plan(
        scores,
        EVALUATION_ID if scores is not None else None,
        [ROLE_SKILLS, TEAMWORK] if rules is None else rules,
        [] if standard is None else standard,
        start,
        country,
        subdivision,
    )


def titles(items: list[PlanItem]) -> list[str]:
    return [item.title["en"] for item in items]


def due_after(working_days: int, start: date, country: str, subdivision: str | None = None) -> date:
    rule = msgspec.structs.replace(ROLE_SKILLS, due_in_working_days=working_days)
    (item,) = plan(evaluation(role_skills="10"), rules=[rule], start=start, country=country, subdivision=subdivision)
    return item.due_date


# Which rules trigger


def test_low_role_skills_adds_role_skills_training() -> None:
    (item,) = plan(evaluation(role_skills="59.99", teamwork="80"))
    assert item.title == {"en": "role skills training", "zh_CN": "岗位技能培训", "ja": "職務スキル研修"}
    assert (item.source, item.rule_id, item.module_id, item.status) == ("rule", ROLE_SKILLS_RULE_ID, MODULE_ID, "open")
    assert item.owner_role == "hiring_manager"


def test_low_teamwork_adds_team_integration_activity() -> None:
    (item,) = plan(evaluation(role_skills="75", teamwork="40"))
    assert titles([item]) == ["team integration activity"]
    assert item.rule_id == TEAMWORK_RULE_ID
    assert item.module_id is None


def test_both_low_adds_both_items() -> None:
    assert titles(plan(evaluation(role_skills="10", teamwork="20"))) == [
        "team integration activity",  # 5 working days
        "role skills training",  # 10 working days
    ]


def test_a_score_exactly_at_the_threshold_does_not_trigger() -> None:
    assert plan(evaluation(role_skills="60", teamwork="60.00")) == []


def test_a_missing_score_does_not_trigger() -> None:
    assert plan(evaluation(role_skills=None, teamwork="90")) == []


def test_a_competency_the_model_lacks_does_not_trigger() -> None:
    assert plan(evaluation(communication="5")) == []


def test_without_an_evaluation_only_standard_items_are_planned() -> None:
    items = plan(None, standard=[CONTRACT])
    assert titles(items) == ["sign the employment contract"]
    assert (items[0].source, items[0].rule_id, items[0].evidence) == ("standard", None, None)


def test_every_standard_item_is_planned_whatever_the_scores() -> None:
    items = plan(evaluation(role_skills="100", teamwork="100"), standard=[LAPTOP, CONTRACT])
    assert titles(items) == ["sign the employment contract", "set up laptop"]
    assert {item.source for item in items} == {"standard"}


def test_a_threshold_of_zero_never_triggers() -> None:
    rule = msgspec.structs.replace(ROLE_SKILLS, below=D(0))
    assert plan(evaluation(role_skills="0"), rules=[rule]) == []


# Due dates on the employee's country calendar


def test_a_chinese_hire_before_golden_week_counts_the_swapped_working_saturday() -> None:
    # holidays 0.109, CN 2026: National Day 10-01..10-03, 10-05 (observed), 10-06 and 10-07 (days off
    # swapped for the working weekend days 09-20 and 10-10); 10-04 is a Sunday. 09-30 is a Wednesday.
    # Three working days: Thu 10-08, Fri 10-09, then Saturday 10-10, an official working day (调休).
    assert due_after(3, date(2026, 9, 30), "CN") == date(2026, 10, 10)


def test_epiphany_is_a_holiday_in_bavaria_but_not_in_berlin() -> None:
    monday = date(2026, 1, 5)
    assert due_after(1, monday, "DE", "BE") == date(2026, 1, 6)
    assert due_after(1, monday, "DE", "BY") == date(2026, 1, 7)


def test_a_us_hire_skips_independence_day_observed_on_friday() -> None:
    # 2026-07-04 is a Saturday, observed on Friday 07-03; Thursday 07-02 + 1 working day is Monday 07-06.
    assert due_after(1, date(2026, 7, 2), "US") == date(2026, 7, 6)


def test_a_saturday_start_counts_from_the_monday() -> None:
    saturday = date(2026, 3, 7)
    assert due_after(1, saturday, "DE", "BE") == date(2026, 3, 10)
    assert due_after(5, saturday, "DE", "BE") == date(2026, 3, 16)


def test_a_holiday_start_counts_from_the_next_working_day() -> None:
    # Good Friday 2026-04-03 and Easter Monday 04-06 are German holidays: counting starts on Tuesday 04-07.
    assert due_after(1, date(2026, 4, 3), "DE", "BE") == date(2026, 4, 8)


def test_due_dates_are_working_days_on_the_employee_calendar() -> None:
    calendar = working_day_calendar("CN", None)
    for offset in range(0, 40):
        start = date(2026, 9, 1) + timedelta(days=offset)
        for working_days in (1, 2, 7):
            due = due_after(working_days, start, "CN")
            assert calendar.is_working_day(due)
            assert due > start


def test_an_unknown_country_is_a_compliance_error() -> None:
    with pytest.raises(UnknownRegion):
        plan(None, standard=[CONTRACT], country="XX", subdivision=None)


# The employee's local start date


def test_local_start_date_is_the_date_in_the_employee_zone() -> None:
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_start_date(moment, "Asia/Tokyo") == date(2026, 3, 2)
    assert local_start_date(moment, "Europe/Berlin") == date(2026, 3, 2)
    assert local_start_date(moment, "America/New_York") == date(2026, 3, 1)
    assert local_start_date(datetime(2026, 3, 2, 8, 30, tzinfo=timezone(timedelta(hours=9))), "UTC") == date(2026, 3, 1)


def test_local_start_date_needs_an_offset_and_a_real_zone() -> None:
    with pytest.raises(NaiveDateTime):
        local_start_date(datetime(2026, 3, 1, 23, 30), "Asia/Tokyo")
    with pytest.raises(InvalidTimezone):
        local_start_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "Mars/Olympus_Mons")


# Evidence snapshot


def test_rule_items_carry_a_snapshot_of_their_evidence() -> None:
    (item,) = plan(evaluation(role_skills="42.50", teamwork="90"))
    assert item.evidence == RuleEvidence(
        competency="role_skills",
        score=D("42.50"),
        below=D(60),
        evaluation_id=EVALUATION_ID,
        result_id="res-1",
        model_id=MODEL_ID,
        model_version=3,
    )


def test_later_rule_changes_do_not_rewrite_an_existing_plan() -> None:
    item = {"en": "role skills training"}
    rule = msgspec.structs.replace(ROLE_SKILLS, item=item)
    (generated,) = plan(evaluation(role_skills="42"), rules=[rule])
    stored = msgspec.json.encode(generated)

    item["en"] = "renamed"  # the rule's own dict, edited in place
    changed = msgspec.structs.replace(rule, below=D(30), owner_role="hr_admin", due_in_working_days=20)

    assert generated.title == {"en": "role skills training"}
    assert msgspec.json.decode(stored, type=PlanItem) == generated
    assert (generated.owner_role, generated.evidence.below) == ("hiring_manager", D(60))  # type: ignore[union-attr]
    assert generated.rule_id == changed.id  # still traceable to the rule


def test_a_plan_item_round_trips_through_json() -> None:
    items = plan(evaluation(role_skills="1", teamwork="2"), standard=[CONTRACT])
    assert msgspec.json.decode(msgspec.json.encode(items), type=list[PlanItem]) == items


# Ordering


def test_items_are_ordered_by_due_date_then_title() -> None:
    early = StandardItem(title={"en": "b: welcome lunch"}, owner_role="hiring_manager", due_in_working_days=1)
    late = StandardItem(title={"en": "a: probation check-in"}, owner_role="hiring_manager", due_in_working_days=60)
    same_day_as_teamwork = StandardItem(title={"en": "a: buddy intro"}, owner_role="employee", due_in_working_days=5)
    items = plan(evaluation(role_skills="1", teamwork="2"), standard=[late, same_day_as_teamwork, early, CONTRACT])
    assert titles(items) == [
        "b: welcome lunch",
        "sign the employment contract",
        "a: buddy intro",
        "team integration activity",
        "role skills training",
        "a: probation check-in",
    ]
    assert [item.due_date for item in items] == sorted(item.due_date for item in items)


def test_titles_without_english_order_by_their_first_language() -> None:
    chinese = StandardItem(title={"zh_CN": "乙"}, owner_role="employee", due_in_working_days=1)
    japanese = StandardItem(title={"ja": "あ"}, owner_role="employee", due_in_working_days=1)
    items = plan(None, standard=[japanese, chinese])
    assert [item.title for item in items] == [{"ja": "あ"}, {"zh_CN": "乙"}]


# Input validation


def rule_json(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "id": str(ROLE_SKILLS_RULE_ID),
        "competency": "role_skills",
        "below": "60",
        "item": {"en": "role skills training"},
        "owner_role": "hiring_manager",
        "due_in_working_days": 10,
    }
    document.update(changes)
    return document


def decode_rule(**changes: object) -> OnboardingRule:
    return msgspec.json.decode(msgspec.json.encode(rule_json(**changes)), type=OnboardingRule)


def test_a_rule_decodes_from_json() -> None:
    rule = decode_rule(module_id=str(MODULE_ID))
    assert rule == msgspec.structs.replace(ROLE_SKILLS, item={"en": "role skills training"})


@pytest.mark.parametrize(
    "changes",
    [
        {"below": "-0.01"},
        {"below": "100.01"},
        {"below": "NaN"},
        {"item": {}},
        {"item": {"fr": "formation"}},
        {"item": {"en": ""}},
        {"item": {"en": "x" * 201}},
        {"owner_role": ""},
        {"owner_role": "x" * 51},
        {"owner_role": "HR Admin"},
        {"due_in_working_days": 0},
        {"due_in_working_days": 366},
        {"competency": "Role Skills"},
        {"surprise": True},
    ],
)
def test_invalid_rules_are_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_rule(**changes)


def test_the_bounds_are_inclusive() -> None:
    assert decode_rule(below="0", due_in_working_days=1).below == 0
    assert decode_rule(below="100", due_in_working_days=365, owner_role="x" * 50).below == 100


def test_invalid_structs_built_in_code_are_rejected() -> None:
    with pytest.raises(ValueError, match="below"):
        msgspec.structs.replace(ROLE_SKILLS, below=D(101))
    with pytest.raises(ValueError, match="title"):
        StandardItem(title={}, owner_role="employee", due_in_working_days=1)
    with pytest.raises(ValueError, match="due_in_working_days"):
        StandardItem(title={"en": "x"}, owner_role="employee", due_in_working_days=0)


def test_standard_items_reject_unknown_fields() -> None:
    document = {"title": {"en": "x"}, "owner_role": "employee", "due_in_working_days": 1, "extra": 1}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode(document), type=StandardItem)
