"""Who is acting: the principal derived from a verified token and the user record behind it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated
from uuid import UUID

import msgspec

from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.i18n import LocaleCode, LocaleTag, read_locales, show_locales
from domain.kernel.permissions import Operation, Role
from domain.kernel.time import require_timezone


class UserStatus(StrEnum):
    """`active`, or `disabled`: a disabled user's tokens are refused on every request from the moment it is disabled."""

    ACTIVE = "active"
    DISABLED = "disabled"


class UserKind(StrEnum):
    """`person`, a human user, or `client`, a partner integration, whose tokens may perform only the operations its
    `scopes` grant (and, where the token names scopes, those too)."""

    PERSON = "person"
    CLIENT = "client"




Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\s]+$")]
Roles = Annotated[list[Role], msgspec.Meta(
    min_length=1, max_length=len(Role),
    description="platform_operator only in the platform operators' own tenant, every other role only in a customer "
                "tenant; a role the tenant cannot hold is refused with 400 role_not_allowed.")]
Scopes = Annotated[list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=100)]


class UserView(msgspec.Struct, frozen=True):
    """A user of your tenant: the subject their tokens carry (`sub`), display name, kind, status, roles, scopes
    (operation names that bound a client's tokens), time zone (IANA name) and language (BCP 47 tag). A token never
    grants a role the user does not hold now. `version` is what its ETag carries."""

    id: UUID
    subject: str
    display_name: str
    kind: UserKind
    status: UserStatus
    roles: list[Role]
    scopes: list[str]
    timezone: str
    locale: LocaleTag
    version: int
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        show_locales(self, "locale")


class NewUser(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A user to add to your tenant: the subject their tokens will carry, a display name, roles, kind (`person` unless
    given), scopes (operation names such as `jobs:read`, which bound a client's tokens), time zone (IANA name; UTC
    unless given) and language (`en` unless given)."""

    subject: Subject
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    roles: Roles
    kind: UserKind = UserKind.PERSON
    scopes: Scopes = []
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "UTC"
    locale: LocaleCode = "en"

    def __post_init__(self) -> None:
        read_locales(self, "locale")
        require_timezone(self.timezone)
        require_known_scopes(self.scopes)


class UserPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Changes to a user, sent with If-Match: only the fields given change. Disabling a user or taking a role away takes
    effect on their next request."""

    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    roles: Roles | None = None
    scopes: Scopes | None = None
    status: UserStatus | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    locale: LocaleCode | None = None

    def __post_init__(self) -> None:
        read_locales(self, "locale")
        if self.timezone is not None:
            require_timezone(self.timezone)
        if self.scopes is not None:
            require_known_scopes(self.scopes)


class UnknownScope(InvalidInput):
    code = "unknown_scope"
    title = "Unknown scope"
    template = "{scopes} is not a scope of this API; scopes are operation names such as legal_entities:read."


#: The subjects of API clients' service users (``client:<client id>``): reserved to the clients they belong to.
CLIENT_SUBJECT_PREFIX = "client:"


class ManagedByApiClient(Conflict):
    code = "user_managed_by_api_client"
    title = "Managed by its API client"
    template = "The user {subject} is an API client's service user: its name, roles, scopes and status follow the " \
               "client's. Change the client at /v1/api-clients instead."


def require_unmanaged(subject: str) -> None:
    """A user named like an API client's service user is the client's alone: not created nor changed here."""
    if subject.startswith(CLIENT_SUBJECT_PREFIX):
        raise ManagedByApiClient(subject=subject)


def require_known_scopes(scopes: list[str]) -> None:
    known = {op.value for op in Operation}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise UnknownScope(scopes=", ".join(unknown), field="scopes")


@lru_cache(maxsize=4096)
def effective_roles(token_roles: frozenset[str], assigned: tuple[str, ...]) -> frozenset[Role]:
    """A token never grants more than the user holds now: revoking a role takes effect at once. Remembered by
    its arguments alone (the same few combinations arrive on every request)."""
    return frozenset(Role(r) for r in token_roles & set(assigned) if r in Role.__members__.values())
