"""Retention policies: how long each kind of personal data is kept, per country, as the law data gives it and as the
tenant changed it within the law's bounds. The shapes and the rule that needs no database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from compliance.parameters import Citation, Verification
from compliance.retention import LONGEST_MONTHS, CountryRule, DataClass, DefaultBasis, Trigger
from domain.kernel.errors import DomainError, ErrorKind, NotFound, UnknownCountryCode

CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
PeriodMonths = Annotated[int, msgspec.Meta(ge=0, le=LONGEST_MONTHS, description="Whole months after the trigger")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class PolicySource(StrEnum):
    """Where the period in force comes from: `statutory` (the law's period), `practice` (customary, not a statutory
    period), `product_default` (Meridian's own where no law of the country is recorded) or `tenant` (your override)."""

    STATUTORY = "statutory"
    PRACTICE = "practice"
    PRODUCT_DEFAULT = "product_default"
    TENANT = "tenant"


class RetentionOverrideView(msgspec.Struct, frozen=True):
    """Your tenant's own period for a rule: the months, why, who set it and when. `within_law` is false where the
    law in force has since moved its bounds past your period: the law's bound applies until you change it."""

    period_months: int
    reason: str
    set_by: str
    set_at: datetime
    within_law: bool = True


class RetentionPolicyView(msgspec.Struct, frozen=True):
    """How long one kind of personal data (`data_class`) is kept in one country after its `trigger`: the period in
    force (`period_months`), where it comes from (`source`), the citation it rests on (`legal_basis`) and how well
    that is known (`verification`: `official`, `corroborated` or `unverified`; each citation carries its own).
    Beside it the law data's bounds: the statutory minimum (`minimum_months`, null where none applies) and the
    maximum (`maximum_months`, null where the law states no number), each with its citation, and the default with
    what it rests on (`default_basis`). `override` is your tenant's own period, if set. `version` is what its ETag
    carries; send it back in If-Match to change the period."""

    country: str
    data_class: DataClass
    trigger: Trigger
    period_months: int
    source: PolicySource
    legal_basis: Citation
    verification: Verification
    minimum_months: int | None
    minimum_citation: Citation
    maximum_months: int | None
    maximum_citation: Citation
    default_months: int
    default_basis: DefaultBasis
    default_citation: Citation
    #: False where the country's law data has no rule for this pair and Meridian's generic default applies
    country_law_recorded: bool
    law_version: str
    override: RetentionOverrideView | None
    version: int


class RetentionPolicyChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Your tenant's period for a rule, sent with If-Match: `period_months` lengthens it up to the legal maximum or
    shortens it down to the statutory minimum; null goes back to the default of the law data. `reason` is kept in the
    audit trail."""

    period_months: PeriodMonths | None
    reason: Reason


class RetentionRuleNotFound(NotFound):
    code = "retention_policy_not_found"
    template = "Meridian keeps no retention period for {data_class} after {trigger}."


class CountryNotFound(UnknownCountryCode):
    """A country a path names that is no ISO 3166-1 code: no such policy exists (404)."""

    kind = ErrorKind.NOT_FOUND


class CountryFilterInvalid(UnknownCountryCode):
    """A ``country`` query filter that is no ISO 3166-1 code: a bad request (400)."""

    kind = ErrorKind.INVALID


class BelowStatutoryMinimum(DomainError):
    code = "retention_below_statutory_minimum"
    kind = ErrorKind.UNPROCESSABLE
    title = "Shorter than the law allows"
    template = ("{country} law keeps {data_class} at least {minimum} months after {trigger} ({citation}); "
                "{months} months is shorter.")


class AboveLegalMaximum(DomainError):
    code = "retention_above_legal_maximum"
    kind = ErrorKind.UNPROCESSABLE
    title = "Longer than the law allows"
    template = ("{country} law keeps {data_class} at most {maximum} months after {trigger} ({citation}); "
                "{months} months is longer.")


def cited(citation: Citation) -> str:
    """A citation as one line a person reads: the document, and the issuer."""
    return f"{citation.document}, {citation.issuer}"


def require_within_law(rule: CountryRule, months: int) -> None:
    """A tenant may lengthen up to the law's maximum and shorten down to the statutory minimum, never past them."""
    minimum, maximum = rule.rule.minimum_months, rule.rule.maximum_months
    common = {"country": rule.country, "data_class": rule.data_class.value, "trigger": rule.trigger.value,
              "months": months}
    if minimum is not None and months < minimum:
        raise BelowStatutoryMinimum(field="period_months", minimum=minimum,
                                    citation=cited(rule.rule.minimum.source), **common)
    if maximum is not None and months > maximum:
        raise AboveLegalMaximum(field="period_months", maximum=maximum,
                                citation=cited(rule.rule.maximum.source), **common)


def _with_override(rule: CountryRule, months: int) -> tuple[PolicySource, int, Citation]:
    """The tenant's period, unless the law in force has since moved a bound past it: then the bound applies."""
    law = rule.rule
    minimum, maximum = law.minimum_months, law.maximum_months
    if minimum is not None and months < minimum:
        return PolicySource.STATUTORY, minimum, law.minimum.source
    if maximum is not None and months > maximum:
        return PolicySource.STATUTORY, maximum, law.maximum.source
    # What a tenant's period must respect: the statutory minimum where one applies, else the default's basis.
    return PolicySource.TENANT, months, law.minimum.source if minimum is not None else rule.legal_basis


def policy_view(rule: CountryRule, override: RetentionOverrideView | None, version: int) -> RetentionPolicyView:
    """The policy in force: the tenant's period where it set one, else the law data's default."""
    law = rule.rule
    if override is not None:
        source, period, basis = _with_override(rule, override.period_months)
        override = msgspec.structs.replace(override, within_law=source is PolicySource.TENANT)
    else:
        source, period, basis = PolicySource(law.default_basis.value), law.default.value, rule.legal_basis
    return RetentionPolicyView(
        country=rule.country, data_class=rule.data_class, trigger=rule.trigger, period_months=period, source=source,
        legal_basis=basis, verification=basis.verification, minimum_months=law.minimum_months,
        minimum_citation=law.minimum.source, maximum_months=law.maximum_months, maximum_citation=law.maximum.source,
        default_months=law.default.value, default_basis=law.default_basis, default_citation=law.default.source,
        country_law_recorded=rule.from_country_law, law_version=rule.law_version, override=override,
        version=version)
