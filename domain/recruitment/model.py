"""Recruitment's shapes and the rules that need no database: multilingual text, pipeline stages,
candidates' personal data as accepted and as shown."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.kernel.errors import InvalidInput, NotFound
from domain.kernel.i18n import (
    LocaleCode,
    LocaleTag,
    locale_code,
    locale_tag,
    locale_tags,
    read_locales,
    show_locales,
)
from domain.kernel.time import require_timezone
from domain.notifications.model import NotificationChannel

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
StageCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,49}$")]


class MissingDefaultLanguage(InvalidInput):
    code = "missing_default_language"
    title = "Text missing in the default language"
    template = "Give the text at least in the tenant's default language ({locale})."


def pick_text(texts: dict[str, str], wanted: str, fallback: str) -> str:
    """The text in the reader's language, else the tenant's default, else any (languages in either spelling)."""
    by_code = {locale_code(locale): text for locale, text in texts.items()}
    return by_code.get(locale_code(wanted)) or by_code.get(locale_code(fallback)) or next(iter(texts.values()), "")


def require_language(texts: dict[str, str], default_locale: str) -> None:
    if locale_code(default_locale) not in {locale_code(locale) for locale in texts}:
        raise MissingDefaultLanguage(locale=locale_tag(default_locale), field="title")


# -- pipeline ------------------------------------------------------------------------------------


class StageOutcome(StrEnum):
    """What reaching a final pipeline stage means for an application: `hired`, `rejected` or `withdrawn`. A stage
    without an outcome is a step along the way; a hire moves the application to the stage whose outcome is `hired`."""

    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class NewStage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A stage to add to your tenant's pipeline: a code not yet in the pipeline, its name by language (BCP 47 tag), its
    position (stages are ordered by it) and, for a final stage, its outcome."""

    code: StageCode
    names: Annotated[dict[LocaleCode, ShortText], msgspec.Meta(min_length=1)]
    position: Annotated[int, msgspec.Meta(ge=0, le=1000)]
    outcome: StageOutcome | None = None

    def __post_init__(self) -> None:
        read_locales(self, "names")


class StageView(msgspec.Struct, frozen=True):
    """A stage of your tenant's pipeline: its code, its name in the reader's language (`name`, else English) and in
    every language it has (`names`, by BCP 47 tag), its position in the order, and its outcome (null for a step along
    the way)."""

    code: str
    name: str
    names: dict[str, str]
    position: int
    outcome: StageOutcome | None

    def __post_init__(self) -> None:
        show_locales(self, "names")


#: Every tenant starts with these; tenants add or reorder their own.
DEFAULT_STAGES = (
    NewStage(code="applied", names={"en": "Applied", "zh_CN": "已申请", "ja": "応募済み"}, position=10),
    NewStage(code="screening", names={"en": "Screening", "zh_CN": "筛选", "ja": "書類選考"}, position=20),
    NewStage(code="interview", names={"en": "Interview", "zh_CN": "面试", "ja": "面接"}, position=30),
    NewStage(code="interview_passed", names={"en": "Interview passed", "zh_CN": "面试通过", "ja": "面接合格"},
             position=40),
    NewStage(code="offer", names={"en": "Offer", "zh_CN": "录用通知", "ja": "内定"}, position=50),
    NewStage(code="hired", names={"en": "Hired", "zh_CN": "已录用", "ja": "採用"}, position=60,
             outcome=StageOutcome.HIRED),
    NewStage(code="rejected", names={"en": "Rejected", "zh_CN": "未通过", "ja": "不採用"}, position=70,
             outcome=StageOutcome.REJECTED),
    NewStage(code="withdrawn", names={"en": "Withdrawn", "zh_CN": "已撤回", "ja": "辞退"}, position=80,
             outcome=StageOutcome.WITHDRAWN),
)


# -- jobs ----------------------------------------------------------------------------------------


class JobStatus(StrEnum):
    """Where a job stands: `draft`, `open` (a new job's status unless given), `on_hold` or `closed`. Jobs can be listed
    by status."""

    DRAFT = "draft"
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class NewJob(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A job to recruit for at one of your legal entities: its title (at least in your tenant's default language) and
    description by language (BCP 47 tag), its location, status and hiring team (ids of your tenant's users)."""

    legal_entity_id: UUID
    title: Annotated[dict[LocaleCode, ShortText], msgspec.Meta(min_length=1)]
    location: ShortText
    description: dict[LocaleCode, LongText] = {}
    status: JobStatus = JobStatus.OPEN
    hiring_team: Annotated[list[UUID], msgspec.Meta(max_length=50)] = []

    def __post_init__(self) -> None:
        read_locales(self, "title", "description")


class JobPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Changes to a job, sent with If-Match: only the fields given change. A new title must include your tenant's
    default language."""

    title: Annotated[dict[LocaleCode, ShortText], msgspec.Meta(min_length=1)] | None = None
    description: dict[LocaleCode, LongText] | None = None
    location: ShortText | None = None
    status: JobStatus | None = None
    hiring_team: Annotated[list[UUID], msgspec.Meta(max_length=50)] | None = None

    def __post_init__(self) -> None:
        read_locales(self, "title", "description")


class JobView(msgspec.Struct, frozen=True):
    """A job, with its title and description in the reader's language where the job has it, else in your tenant's
    default (`language` says which), and in every language it has (`titles`, `descriptions`). `version` is what its ETag
    carries; send it back in If-Match to change the job."""

    id: UUID
    legal_entity_id: UUID
    title: str
    description: str
    #: the language ``title`` and ``description`` are in: the reader's where the job has it
    language: LocaleTag
    #: by language (BCP 47 tags, as every language on the wire)
    titles: dict[str, str]
    descriptions: dict[str, str]
    status: JobStatus
    location: str
    hiring_team: list[UUID]
    version: int
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        show_locales(self, "language", "titles", "descriptions")


# -- candidates ----------------------------------------------------------------------------------


class NewCandidate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A candidate to add: their full name and, where known, email, phone (`phone_region` reads a number written without
    its +country code), national id with its issuing country (both or neither) and birth date, all sealed at rest; and
    the time zone (IANA name) and language in which they are written to. A candidate whose email, phone or national id
    is already on file is refused as a duplicate."""

    full_name: ShortText
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    #: Region for phone numbers written without +country code (ISO 3166-1).
    phone_region: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")] | None = None
    national_id: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    national_id_country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")] | None = None
    birth_date: date | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "UTC"
    locale: LocaleCode = "en"
    #: How their progress messages reach them; by default email when they have an email address, else none.
    notification_channel: NotificationChannel | None = None

    def __post_init__(self) -> None:
        read_locales(self, "locale")
        require_timezone(self.timezone)
        if (self.national_id is None) != (self.national_id_country is None):
            raise NationalIdNeedsCountry(field="national_id_country")


class CandidateNotFound(NotFound):
    code = "candidate_not_found"
    template = "There is no candidate with this id."


class NationalIdNeedsCountry(InvalidInput):
    code = "national_id_needs_country"
    title = "Country of the national id missing"
    template = "Give national_id and national_id_country together."


class CandidateView(msgspec.Struct, frozen=True):
    """A candidate. Their email, phone, national id and birth date appear masked (`masked` is true: `a***@example.com`,
    `+86 138****5678`, `110105********1234`, `1990-**-**`) unless the caller may read personal data in clear, and every
    clear read is audited."""

    id: UUID
    full_name: str
    email: str | None
    phone: str | None
    national_id: str | None
    national_id_country: str | None
    birth_date: str | None
    masked: bool
    timezone: str
    locale: LocaleTag
    version: int
    created_at: datetime
    updated_at: datetime
    #: How their progress messages reach them (email, sms or none).
    notification_channel: NotificationChannel

    def __post_init__(self) -> None:
        show_locales(self, "locale")


class CandidatePatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A change to a candidate (If-Match): the channel their progress messages reach them on (`email` or `sms`, which
    need the address on file, or `none`)."""

    notification_channel: NotificationChannel | None = None


def chosen_channel(stored: str | None, has_email: bool) -> NotificationChannel:
    """The candidate's channel: the one they chose, else email when they have an address, else none."""
    if stored is not None:
        return NotificationChannel(stored)
    return NotificationChannel.EMAIL if has_email else NotificationChannel.NONE


class ConsentPurpose(StrEnum):
    """What a candidate consented to: `recruitment` (processing for recruiting), `ai_interview_analysis` (an AI vendor's
    analysis of their interviews), `recording` (recording their interviews), `talent_pool` (keeping them for later
    openings) or `sensitive_data` (processing sensitive personal data)."""

    RECRUITMENT = "recruitment"
    AI_INTERVIEW_ANALYSIS = "ai_interview_analysis"
    RECORDING = "recording"
    TALENT_POOL = "talent_pool"
    SENSITIVE_DATA = "sensitive_data"


class NewConsent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A consent a candidate gave: its purpose, when it was given, and the evidence of it (where the signed form or
    message is kept, say), up to 500 characters."""

    purpose: ConsentPurpose
    given_at: datetime
    evidence: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ConsentView(msgspec.Struct, frozen=True):
    """A candidate's consent to one purpose: when it was given, its evidence, and when it was withdrawn (`withdrawn_at`;
    `active` is false from then on)."""

    id: UUID
    candidate_id: UUID
    purpose: ConsentPurpose
    given_at: datetime
    withdrawn_at: datetime | None
    evidence: str
    active: bool


# -- applications --------------------------------------------------------------------------------


class NewApplication(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A candidate's application to a job; it starts in the first stage of your tenant's pipeline. A candidate applies
    to a job once."""

    candidate_id: UUID
    job_id: UUID


class StageMove(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Move an application to another stage of your tenant's pipeline, sent with If-Match, with the reason its history
    keeps. The candidate is told of the move in their language."""

    stage: StageCode
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class ApplicationView(msgspec.Struct, frozen=True):
    """An application with what a list row shows: the candidate's name as the candidate's own view shows it to
    the reader, and the job's title in the reader's language."""

    id: UUID
    candidate_id: UUID
    candidate_name: str
    job_id: UUID
    job_title: str
    stage: str
    stage_name: str
    version: int
    created_at: datetime
    updated_at: datetime


class ApplicationFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What a list of applications may be narrowed to: a job, a pipeline stage, changes since an instant."""

    job_id: UUID | None = None
    stage: str | None = None
    updated_since: datetime | None = None


class StageChangeView(msgspec.Struct, frozen=True):
    """One move of an application between stages: from which stage (null for the first, when the application was made),
    to which, who moved it (their subject), why, and when."""

    from_stage: str | None
    to_stage: str
    moved_by: str
    reason: str
    moved_at: datetime




# -- competency models ---------------------------------------------------------------------------

Score = Annotated[str, msgspec.Meta(pattern=r"^\d{1,3}(\.\d{1,2})?$", description="0 to 100, a decimal string")]
ScalePoint = Annotated[str, msgspec.Meta(pattern=r"^-?\d{1,4}(\.\d{1,2})?$", description="a decimal string")]


class CompetencyDefinition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One competency: its weight in the overall score, the scale the organisation rates it on, and the
    pass threshold on that scale. Vendor scores are normalised to 0-100, and so is the threshold."""

    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,64}$")]
    names: Annotated[dict[LocaleCode, ShortText], msgspec.Meta(min_length=1)]
    weight: Annotated[str, msgspec.Meta(pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$", description="0 to 1")]
    pass_threshold: ScalePoint
    scale_min: ScalePoint = "0"
    scale_max: ScalePoint = "100"

    def threshold_on_0_to_100(self) -> Decimal:
        low, high = Decimal(self.scale_min), Decimal(self.scale_max)
        return (Decimal(self.pass_threshold) - low) * 100 / (high - low)


class NewModelVersion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new version of a job's competency model. Weights sum to exactly 1; scores are on 0-100."""

    effective_from: date
    competencies: Annotated[list[CompetencyDefinition], msgspec.Meta(min_length=1, max_length=30)]
    overall_pass_threshold: Score
    name: ShortText | None = None

    def __post_init__(self) -> None:
        # The definitions keep no __post_init__ of their own, so a version shown with BCP 47 keys stays so.
        msgspec.structs.force_setattr(self, "competencies", [
            msgspec.structs.replace(c, names={locale_code(locale): name for locale, name in c.names.items()})
            for c in self.competencies])
        codes = [c.code for c in self.competencies]
        if len(set(codes)) != len(codes):
            raise DuplicateCompetency(field="competencies")
        if sum(Decimal(c.weight) for c in self.competencies) != 1 or any(
                Decimal(c.weight) <= 0 for c in self.competencies):
            raise WeightsMustSumToOne(field="competencies")
        if Decimal(self.overall_pass_threshold) > 100 or not all(
                Decimal(c.scale_min) <= Decimal(c.pass_threshold) <= Decimal(c.scale_max)
                and Decimal(c.scale_min) < Decimal(c.scale_max) for c in self.competencies):
            raise ThresholdOutOfRange(field="competencies")


class WeightsMustSumToOne(InvalidInput):
    code = "competency_weights_must_sum_to_one"
    title = "Weights must sum to 1"
    template = "Every competency needs a weight above 0, and the weights must sum to exactly 1."


class DuplicateCompetency(InvalidInput):
    code = "duplicate_competency"
    title = "Competency listed twice"
    template = "Each competency code may appear only once in a model."


class ThresholdOutOfRange(InvalidInput):
    code = "threshold_out_of_range"
    title = "Threshold out of range"
    template = ("Each competency's pass threshold must lie on its scale (scale_min below scale_max), and the "
                "overall pass threshold between 0 and 100.")


class ModelVersionView(msgspec.Struct, frozen=True):
    """A published version of a job's competency model: its number (1 for the first), the date from which evaluations
    use it, its competencies (names by BCP 47 tag), the overall pass threshold (0-100, a decimal string), and who
    published it and when."""

    model_id: UUID
    job_id: UUID
    name: str
    number: int
    effective_from: date
    competencies: list[CompetencyDefinition]
    overall_pass_threshold: str
    created_by: str
    created_at: datetime

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "competencies", [
            msgspec.structs.replace(c, names=locale_tags(c.names)) for c in self.competencies])


# -- records other contexts read through the service's ``*_in`` functions ------------------------


class JobRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A stored job; ``title`` and ``description`` by language."""

    id: UUID
    tenant_id: UUID
    legal_entity_id: UUID
    title: dict[str, str]
    description: dict[str, str]
    status: str
    location: str
    hiring_team: list[UUID]
    version: int
    created_at: datetime
    updated_at: datetime


class CandidateSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A candidate without personal data: what another context may know of them."""

    id: UUID
    full_name: str
    national_id_country: str | None
    timezone: str
    locale: str


class ApplicationRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    candidate_id: UUID
    job_id: UUID
    stage: str
    version: int
    created_at: datetime
    updated_at: datetime
