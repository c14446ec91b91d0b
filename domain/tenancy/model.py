"""Tenants and legal entities: their shapes and the rules that do not need a database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.kernel.i18n import LocaleCode, LocaleTag, read_locales, show_locales
from domain.kernel.money import require_currency
from domain.kernel.places import require_countries, require_country
from domain.kernel.time import require_timezone

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
# The pattern only keeps out what is no code at all; which codes exist is checked when saved (a 422 that lists
# them), so a prefixed CN-SH is told which form to use.
RegionCode = Annotated[str, msgspec.Meta(
    pattern=r"^[A-Za-z0-9-]{1,16}$",
    description="Region inside the country, without the country prefix: where a payroll pack covers the country, "
                "one of the region codes GET /v1/compliance/packs lists for it (CN: SH, DE: BY, JP: 13, GB: SCT; "
                "none for US, SG, IN); elsewhere an ISO 3166-2 subdivision code (FR: IDF)")]
CurrencyCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="IANA time zone")]


class TenantStatus(StrEnum):
    """Whether a tenant may use the API: `active`, or `suspended` by a platform operator (its tokens stop working at
    once, until it is reactivated)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class TenantKind(StrEnum):
    """`customer`, an organisation using Meridian, or `platform`, the operators' own tenant of a shared deployment."""

    CUSTOMER = "customer"
    PLATFORM = "platform"


class TenantAccess(msgspec.Struct, frozen=True):
    """What every authenticated request checks about its tenant."""

    status: TenantStatus
    kind: TenantKind


class TenantView(msgspec.Struct, frozen=True):
    """A tenant, one organisation's isolated space: its name, kind, status, default language (BCP 47 tag), time zone
    (IANA name) and the countries it operates in (ISO 3166-1 alpha-2). `version` is what its ETag carries; send it back
    in If-Match to change the settings."""

    id: UUID
    name: str
    kind: TenantKind
    status: TenantStatus
    default_locale: LocaleTag
    timezone: str
    countries: list[str]
    version: int
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        show_locales(self, "default_locale")


class NewTenant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A tenant for a platform operator to provision: its name, the countries it operates in, its time zone (IANA name)
    and its default language (BCP 47 tag; `en` unless given)."""

    name: Name
    countries: Annotated[list[CountryCode], msgspec.Meta(min_length=1, max_length=50)]
    timezone: TimezoneName
    default_locale: LocaleCode = "en"

    def __post_init__(self) -> None:
        read_locales(self, "default_locale")
        require_countries(self.countries, "countries")
        require_timezone(self.timezone)


class TenantSettingsPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Changes to your tenant's settings, sent with If-Match: only the fields given change."""

    name: Name | None = None
    countries: Annotated[list[CountryCode], msgspec.Meta(min_length=1, max_length=50)] | None = None
    timezone: TimezoneName | None = None
    default_locale: LocaleCode | None = None

    def __post_init__(self) -> None:
        read_locales(self, "default_locale")
        if self.countries is not None:
            require_countries(self.countries, "countries")
        if self.timezone is not None:
            require_timezone(self.timezone)


class LegalEntityView(msgspec.Struct, frozen=True):
    """A legal entity of your tenant, the employer: its name, country (ISO 3166-1 alpha-2) and region within it, its
    currency (ISO 4217) and its time zone (IANA name). `version` is what its ETag carries; send it back in If-Match to
    change or delete the entity."""

    id: UUID
    name: str
    country: str
    region: str | None
    currency: str
    timezone: str
    version: int
    created_at: datetime
    updated_at: datetime


class NewLegalEntity(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A legal entity to create: its name, country (ISO 3166-1 alpha-2), region within the country where the law differs
    by region, currency (ISO 4217) and time zone (IANA name)."""

    name: Name
    country: CountryCode
    currency: CurrencyCode
    timezone: TimezoneName
    region: RegionCode | None = None

    def __post_init__(self) -> None:
        require_country(self.country)
        require_currency(self.currency)
        require_timezone(self.timezone)


class LegalEntityPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Changes to a legal entity, sent with If-Match: only the fields given change. Its country cannot change."""

    name: Name | None = None
    region: RegionCode | None = None
    currency: CurrencyCode | None = None
    timezone: TimezoneName | None = None

    def __post_init__(self) -> None:
        if self.currency is not None:
            require_currency(self.currency)
        if self.timezone is not None:
            require_timezone(self.timezone)



