"""The seam through which the audit chain seals a person's details under that person's own key, without the audit
context knowing about keys (the two are independent siblings): the keys context registers itself here.

An audit entry about a candidate or an employee stores its before/after as ``{"sealed_for": "candidate:<id>",
"sealed": <token>}``; the chain hashes that text, so destroying the person's key (erasure) leaves the entry
verifiable and unreadable. An entry about someone already erased keeps no details: there is no key to seal them
under, and none is made for them (the sealer answers None)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

from domain.kernel.db import UnitOfWork

#: Who an audit entry's details belong to: ("candidate" | "employee", id).
PersonRef = tuple[str, UUID]
Opener = Callable[[str, str, UUID], str | None]  # (token, column, person id) -> text, None once erased


class PersonalSealer(Protocol):
    async def seal(self, uow: UnitOfWork, person: PersonRef, text: str, column: str) -> str | None:
        """The text sealed under the person's key; None when the person was erased (their details are not kept)."""
        ...

    async def seal_many(self, uow: UnitOfWork, items: list[tuple[PersonRef, str, str]]) -> list[str | None]:
        """``seal`` for many (person, text, column), the people's keys read (or created) in one query."""
        ...

    async def opener(self, uow: UnitOfWork, tokens: list[str]) -> Opener: ...


_sealer: PersonalSealer | None = None


def register(sealer: PersonalSealer) -> None:
    global _sealer
    _sealer = sealer


def sealer() -> PersonalSealer:
    if _sealer is None:
        raise RuntimeError("no personal sealer registered; domain.keys.person registers it when imported")
    return _sealer
