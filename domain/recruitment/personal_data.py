"""Candidates' personal data on its way in (normalised, sealed under the tenant's key, blind-indexed)
and on its way out (opened, and masked unless the caller may read it in clear). No database here."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.kernel.crypto import Keyring, PersonCipher, TenantCipher
from domain.kernel.personal_data import (
    check_birth_date,
    mask_birth_date,
    mask_email,
    mask_national_id,
    mask_phone,
    normalise_email,
    normalise_national_id,
    normalise_phone,
)
from domain.kernel.time import utc_now
from domain.recruitment.model import CandidateView, NewCandidate, chosen_channel
from domain.recruitment.queries import CandidateRow

INDEXED_FIELDS = ("email", "phone", "national_id")


def normalised(request: NewCandidate) -> dict[str, str]:
    """The personal data as it will be sealed and indexed."""
    values: dict[str, str] = {}
    if request.email is not None:
        values["email"] = normalise_email(request.email)
    if request.phone is not None:
        values["phone"] = normalise_phone(request.phone, request.phone_region)
    if request.national_id is not None and request.national_id_country is not None:
        values["national_id"] = normalise_national_id(request.national_id, request.national_id_country)
    if request.birth_date is not None:
        values["birth_date"] = check_birth_date(request.birth_date, utc_now().date()).isoformat()
    return values


def sealed_columns(cipher: TenantCipher, person: PersonCipher, candidate_id: UUID,
                   personal: dict[str, str]) -> dict[str, Any]:
    """Sealed under the candidate's own key (``person``); blind-indexed under the tenant's index key (``cipher``), so
    duplicates are found across candidates."""
    columns: dict[str, Any] = {}
    for name, value in personal.items():
        columns[f"{name}_ciphertext"] = person.seal(value, "candidates", name, candidate_id)
        if name in INDEXED_FIELDS:
            # Mailboxes are matched case-insensitively in practice, so the index folds case.
            columns[f"{name}_index"] = cipher.blind_index(value.casefold() if name == "email" else value, name)
    return columns


def opened(cipher: Keyring, row: CandidateRow) -> dict[str, str]:
    return cipher.open_columns("candidates", row.id, {name: sealed for name, sealed in row.ciphertexts().items()
                                                      if sealed})


def _mask_birth_date(value: str) -> str:
    return mask_birth_date(date.fromisoformat(value))


_MASKS = {"email": mask_email, "phone": mask_phone, "national_id": mask_national_id, "birth_date": _mask_birth_date}


def candidate_view(cipher: Keyring, row: CandidateRow, clear: bool) -> CandidateView:
    personal = opened(cipher, row)
    if not clear:
        personal = {name: _MASKS[name](value) for name, value in personal.items()}
    return view_of(row, personal, clear)


def view_of(row: CandidateRow, personal: dict[str, str], clear: bool) -> CandidateView:
    """The candidate as shown, with ``personal`` its opened fields: in clear, or masked when ``clear`` is false."""
    return CandidateView(
        id=row.id, full_name=row.full_name, email=personal.get("email"), phone=personal.get("phone"),
        national_id=personal.get("national_id"), national_id_country=row.national_id_country,
        birth_date=personal.get("birth_date"), masked=not clear, timezone=row.timezone, locale=row.locale,
        version=row.version, created_at=row.created_at, updated_at=row.updated_at,
        notification_channel=chosen_channel(row.notification_channel, row.email_ciphertext is not None),
    )
