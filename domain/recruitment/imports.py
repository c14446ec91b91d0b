"""Candidates arriving in bulk (``POST /v1/imports`` of kind ``candidates``), checked by the rules ``create_candidate``
applies: the ``NewCandidate`` shape, the personal data normalised as for one candidate, a chosen channel's address on
file, and no candidate already on file (or earlier in the same file) with the same email, phone or national id.
The checked rows are sealed as they are checked and written with one statement and one audit append a chunk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.audit.service import Entry, record_all
from domain.kernel.crypto import TenantCipher
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.errors import Conflict, DomainError
from domain.kernel.ids import new_id
from domain.kernel.import_rows import RowRefused, converted, problems_of, row_digest
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for, person_ciphers
from domain.recruitment.model import NewCandidate
from domain.recruitment.notifying import require_address
from domain.recruitment.personal_data import INDEXED_FIELDS, normalised
from domain.recruitment.tables import Candidate


class ImportedDuplicateCandidate(Conflict):
    code = "duplicate_candidate"
    title = "Possible duplicate candidate"
    template = "A candidate with the same {fields} already exists: {candidate_id}."


@dataclass(frozen=True)
class CheckedCandidate:
    line: int
    external_id: str
    digest: str
    candidate_id: UUID
    request: NewCandidate
    personal: dict[str, str]
    indexes: dict[str, str]


@dataclass
class CandidateChecker:
    cipher: TenantCipher
    #: blind index value -> the candidate on file (or the line of this file) holding it
    on_file: dict[str, str]

    @classmethod
    async def loaded(cls, uow: UnitOfWork, principal: Principal, rows: list[dict[str, Any]]) -> CandidateChecker:
        del principal
        cipher = await cipher_for(uow)
        values: set[str] = set()
        for row in rows:
            try:
                personal = normalised(converted({k: v for k, v in row.items() if k != "external_id"}, NewCandidate))
            except (RowRefused, DomainError):
                continue
            values.update(_indexes(cipher, personal).values())
        return cls(cipher=cipher, on_file=await _held(uow, sorted(values)))

    def check(self, line: int, external_id: str, row: dict[str, Any]) -> CheckedCandidate:
        try:
            request = converted(row, NewCandidate)
            personal = normalised(request)
            require_address(request.notification_channel, set(personal))
            indexes = _indexes(self.cipher, personal)
            same = sorted(name for name, value in indexes.items() if value in self.on_file)
            if same:
                raise ImportedDuplicateCandidate(fields=", ".join(same), candidate_id=self.on_file[indexes[same[0]]])
        except DomainError as exc:
            raise RowRefused(problems_of(exc)) from None
        for value in indexes.values():
            self.on_file[value] = f"line {line}"
        return CheckedCandidate(line=line, external_id=external_id, digest=row_digest(row), candidate_id=new_id(),
                                request=request, personal=personal, indexes=indexes)


def _indexes(cipher: TenantCipher, personal: dict[str, str]) -> dict[str, str]:
    # Mailboxes are matched case-insensitively in practice, so the index folds case (as for one candidate).
    return {name: cipher.blind_index(value.casefold() if name == "email" else value, name)
            for name, value in personal.items() if name in INDEXED_FIELDS}


async def _held(uow: UnitOfWork, values: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(values), 300):
        part = values[start:start + 300]
        rows = await Candidate.select(Candidate.id, Candidate.email_index, Candidate.phone_index,
                                      Candidate.national_id_index).where(
            (Candidate.tenant_id == uow.tenant_id) & (Candidate.email_index.is_in(part)
                                                      | Candidate.phone_index.is_in(part)
                                                      | Candidate.national_id_index.is_in(part)))
        for row in rows:
            for name in INDEXED_FIELDS:
                if row[f"{name}_index"]:
                    found[row[f"{name}_index"]] = str(row["id"])
    return found


_COLUMNS = ("id", "tenant_id", "full_name", "email_ciphertext", "email_index", "phone_ciphertext", "phone_index",
            "national_id_ciphertext", "national_id_index", "national_id_country", "birth_date_ciphertext", "timezone",
            "locale", "version", "created_at", "updated_at", "notification_channel")


async def write_candidates_in(uow: UnitOfWork, principal: Principal, checked: list[CheckedCandidate]) -> list[UUID]:
    if not checked:
        return []
    tenant, now = uow.tenant_id, utc_now()
    # Each candidate's data under their own key, as create_candidate seals it; the keys made in one statement.
    ciphers = await person_ciphers(uow, [("candidate", c.candidate_id) for c in checked], create=True)
    rows, entries = [], []
    for c in checked:
        cipher = ciphers[("candidate", c.candidate_id)]
        s: dict[str, Any] = {f"{name}_ciphertext": cipher.seal(value, "candidates", name, c.candidate_id)
                             for name, value in c.personal.items()}
        s.update({f"{name}_index": value for name, value in c.indexes.items()})
        r = c.request
        rows.append((c.candidate_id, tenant, r.full_name, s.get("email_ciphertext"), s.get("email_index"),
                     s.get("phone_ciphertext"), s.get("phone_index"), s.get("national_id_ciphertext"),
                     s.get("national_id_index"), r.national_id_country, s.get("birth_date_ciphertext"), r.timezone,
                     r.locale, 1, now, now, r.notification_channel.value if r.notification_channel else None))
        # The trail names which personal fields arrived, never their values.
        entries.append(Entry(action="candidate.imported", entity_type="candidate", entity_id=c.candidate_id,
                             after={"fields": sorted(k.removesuffix("_ciphertext") for k in s
                                                     if k.endswith("_ciphertext"))}))
    await current_database().bulk_insert("candidates", _COLUMNS, rows)
    await record_all(uow, principal, entries)
    return [c.candidate_id for c in checked]
