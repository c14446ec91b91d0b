"""Who is acting: the principal derived from a verified token, or the platform itself."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.kernel.permissions import Operation, Role, allowed


@dataclass(frozen=True)
class Principal:
    tenant_id: UUID
    subject: str
    roles: frozenset[Role]
    #: None for a person's token; the granted scopes for a partner client's token.
    scopes: frozenset[str] | None = None
    request_id: str = "-"
    locale: str = "en"
    timezone: str = "UTC"
    #: True for the operators' own tenant in shared mode, the only one whose users manage tenants.
    platform: bool = False
    #: The OAuth client whose token this is (its public client_id), None for a person's own token.
    client_id: str | None = None

    def may(self, operation: Operation) -> bool:
        return allowed(self.roles, operation, self.scopes)


@dataclass(frozen=True)
class SystemActor:
    """The platform itself (migrations, CLI provisioning, background jobs) as an audit actor."""

    subject: str = "system"
    request_id: str = "-"


Actor = Principal | SystemActor
