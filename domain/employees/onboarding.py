"""Onboarding plans: the items a new hire, their manager and HR complete in the first weeks.

A plan is generated once, at hire time, from two sources:

* the tenant's onboarding rules: a rule adds its item when the hire's interview evaluation scored a
  competency strictly below the rule's threshold (a competency the vendor did not score adds nothing);
* the hire's legal entity's standard items, which every hire gets.

Each item is due a number of working days after the start date, counted on the working-day calendar
(weekends and public holidays) of the country and subdivision the hire works in.

Generated items are snapshots: the title, owner, threshold and score are copied into the item, and
``rule_id`` records which rule triggered it, so editing or deleting a rule later never rewrites a plan
that already exists. Everything here is pure (no database); the caller persists the items.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from compliance.calendar import working_day_calendar
from domain.assessments.model import CompetencyCode, Evaluation, require_decimal
from domain.kernel.i18n import SUPPORTED, LocaleCode, locale_code
from domain.kernel.time import to_local

HUNDRED = Decimal(100)
MAX_DUE_IN_WORKING_DAYS = 365
TITLE_MAX_LENGTH = 200

Title = Annotated[
    dict[LocaleCode, Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX_LENGTH)]],
    msgspec.Meta(
        min_length=1,
        max_length=len(SUPPORTED),
        description="The item's title by language (en, zh-CN, ja); at least one, each 1-200 characters.",
        examples=[{"en": "Role skills training", "zh-CN": "岗位技能培训", "ja": "職務スキル研修"}],
    ),
]
OwnerRole = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        description="Who completes the item: a role code of lowercase letters, digits and underscores, 1-50.",
        examples=["hr_admin", "hiring_manager", "employee"],
    ),
]
DueInWorkingDays = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_DUE_IN_WORKING_DAYS,
        description="Working days after the start date the item is due (1-365).",
    ),
]


def _require_title(title: dict[str, str]) -> None:
    """The checks ``Title`` makes when decoding, for Structs built in code (msgspec checks only on decode)."""
    if not title:
        raise ValueError("title needs at least one language")
    for locale, text in title.items():
        if locale_code(locale) not in SUPPORTED:
            raise ValueError(f"title language must be one of {', '.join(SUPPORTED)}")
        if not 1 <= len(text) <= TITLE_MAX_LENGTH:
            raise ValueError(f"title must be 1-{TITLE_MAX_LENGTH} characters")


def _require_due(days: int) -> None:
    if not 1 <= days <= MAX_DUE_IN_WORKING_DAYS:
        raise ValueError(f"due_in_working_days must be between 1 and {MAX_DUE_IN_WORKING_DAYS}")


class OnboardingRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Add ``item`` to a hire's plan when their evaluation scored ``competency`` below ``below``."""

    id: Annotated[UUID, msgspec.Meta(description="The rule.")]
    competency: CompetencyCode
    below: Annotated[
        Decimal,
        msgspec.Meta(description="The rule applies when the normalised score (0-100) is strictly below this."),
    ]
    item: Title
    owner_role: OwnerRole
    due_in_working_days: DueInWorkingDays
    module_id: Annotated[UUID | None, msgspec.Meta(description="The training module the item assigns, if any.")] = None

    def __post_init__(self) -> None:
        # Range checked here, not with Meta(ge=...), which does not work on Decimal fields at request time.
        require_decimal(self.below, "below", low=Decimal(0), high=HUNDRED)
        _require_title(self.item)
        _require_due(self.due_in_working_days)


class StandardItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An item every hire of a legal entity gets, whatever their evaluation."""

    title: Title
    owner_role: OwnerRole
    due_in_working_days: DueInWorkingDays
    module_id: Annotated[UUID | None, msgspec.Meta(description="The training module the item assigns, if any.")] = None

    def __post_init__(self) -> None:
        _require_title(self.title)
        _require_due(self.due_in_working_days)


class RuleEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """Why a rule added an item: the score and threshold as they were when the plan was generated."""

    competency: str
    score: Decimal  # the normalised score (0-100) the evaluation gave
    below: Decimal  # the rule's threshold at generation time
    evaluation_id: UUID | None  # the stored evaluation, when the caller has one
    result_id: str  # the vendor result the evaluation scored
    model_id: UUID  # the competency model ...
    model_version: int  # ... and the version the result was evaluated against


class PlanItem(msgspec.Struct, frozen=True, kw_only=True):
    """One item of a generated onboarding plan; a snapshot that later rule changes do not touch."""

    title: dict[str, str]
    owner_role: str
    due_date: date  # a calendar date where the employee works (see ``generate_plan``)
    source: Literal["rule", "standard"]
    rule_id: UUID | None = None  # the rule that added the item; None for standard items
    module_id: UUID | None = None
    evidence: RuleEvidence | None = None  # set for rule items only
    status: Literal["open"] = "open"


def local_start_date(start: datetime, zone: str) -> date:
    """The calendar date of the instant ``start`` in the IANA zone ``zone`` (the employee's zone).

    2026-03-01T23:30Z is 2026-03-02 in Asia/Tokyo. Raises NaiveDateTime when ``start`` has no UTC
    offset and InvalidTimezone for an unknown zone.
    """
    return to_local(start, zone).date()


def _sort_title(title: dict[str, str]) -> str:
    """The title plans are ordered by: English, else the first other supported language present."""
    for locale in SUPPORTED:
        if locale in title:
            return title[locale]
    return min(title.values(), default="")


def generate_plan(
    evaluation: Evaluation | None,
    evaluation_id: UUID | None,
    rules: list[OnboardingRule],
    standard: list[StandardItem],
    start_date: date,
    country: str,
    subdivision: str | None,
) -> list[PlanItem]:
    """The onboarding plan of a hire: one item per triggered rule plus every standard item.

    A rule triggers when ``evaluation`` scored its competency strictly below ``rule.below``; a score
    equal to the threshold, a competency the evaluation did not score (score None) or is not in its
    model, and a hire without an evaluation (``evaluation`` None) trigger nothing.

    ``start_date`` is the employee's first day as a date on *their* local calendar, not a UTC date:
    a hire in Tokyo starting at 08:30 on 2 March local time starts on 2026-03-02 even though it is
    still 1 March in UTC. Callers holding an instant convert it with ``local_start_date(start, zone)``
    using the employee's IANA time zone. Due dates are on that same local calendar: the start date
    moves to the next working day if it is not one (a Saturday start counts from Monday), then each
    item is due ``due_in_working_days`` working days later, skipping weekends and the public holidays
    of ``country`` (ISO 3166-1 alpha-2) and ``subdivision`` (for example DE and BY) per
    ``compliance.calendar``. An unknown country or subdivision raises ``compliance.errors.UnknownRegion``.

    Items are ordered by due date, then by title (English, else the first language present); ties keep
    rules before standard items, each in the order given.
    """
    calendar = working_day_calendar(country, subdivision)
    first_day = calendar.next_working_day(start_date)

    items: list[PlanItem] = []
    scores = {competency.code: competency.score for competency in evaluation.competencies} if evaluation else {}
    for rule in rules:
        score = scores.get(rule.competency)
        if evaluation is None or score is None or not score < rule.below:
            continue
        items.append(
            PlanItem(
                title=dict(rule.item),  # copied, so the plan never shares state with the rule
                owner_role=rule.owner_role,
                due_date=calendar.add_working_days(first_day, rule.due_in_working_days),
                source="rule",
                rule_id=rule.id,
                module_id=rule.module_id,
                evidence=RuleEvidence(
                    competency=rule.competency,
                    score=score,
                    below=rule.below,
                    evaluation_id=evaluation_id,
                    result_id=evaluation.result_id,
                    model_id=evaluation.model_id,
                    model_version=evaluation.model_version,
                ),
            )
        )
    for standard_item in standard:
        items.append(
            PlanItem(
                title=dict(standard_item.title),
                owner_role=standard_item.owner_role,
                due_date=calendar.add_working_days(first_day, standard_item.due_in_working_days),
                source="standard",
                module_id=standard_item.module_id,
            )
        )
    # sorted() is stable, so equal keys keep the order above.
    return sorted(items, key=lambda item: (item.due_date, _sort_title(item.title)))
