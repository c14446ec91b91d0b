"""How candidates are notified: the channel they choose, and where the delivery worker sends their messages."""

from __future__ import annotations

from uuid import UUID

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import DomainError, ErrorKind
from domain.kernel.permissions import Operation
from domain.kernel.principal import Principal
from domain.keys.service import keyring_for
from domain.notifications.model import NotificationChannel, Recipient
from domain.recruitment import queries
from domain.recruitment.model import CandidateNotFound, CandidatePatch, CandidateView, chosen_channel
from domain.recruitment.personal_data import candidate_view

#: The sealed personal-data field each channel sends to.
ADDRESS_FIELD = {NotificationChannel.EMAIL: "email", NotificationChannel.SMS: "phone"}


class NotificationAddressMissing(DomainError):
    """A well-formed choice the candidate's data cannot carry out: 422, as a rule about the stored record."""

    code = "notification_address_missing"
    kind = ErrorKind.UNPROCESSABLE
    title = "No address for this channel"
    template = "The candidate has no email address or phone number for the chosen channel."


def require_address(channel: NotificationChannel | None, on_file: set[str]) -> None:
    """A chosen channel needs its address on file (``on_file`` names the personal-data fields the candidate has)."""
    needed = ADDRESS_FIELD.get(channel) if channel else None
    if needed is not None and needed not in on_file:
        raise NotificationAddressMissing(field="notification_channel")


async def update_candidate(principal: Principal, candidate_id: UUID, patch: CandidatePatch,
                           expected_version: int) -> CandidateView:
    """Change what the patch names (the notification channel), audited with its value before and after."""
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.candidate(uow, candidate_id)
        if before is None:
            raise CandidateNotFound()
        require_address(patch.notification_channel,
                        {name for name, sealed in before.ciphertexts().items() if sealed})
        values = {"notification_channel": patch.notification_channel.value} if patch.notification_channel else {}
        await queries.update_candidate(uow, candidate_id, expected_version, values)
        after = await queries.candidate(uow, candidate_id)
        assert after is not None
        await record(uow, principal, "candidate.updated", "candidate", candidate_id,
                     before={"notification_channel": _channel_of(before).value},
                     after={"notification_channel": _channel_of(after).value})
        clear = principal.may(Operation.PII_READ)
        if clear:
            await record(uow, principal, "candidate.personal_data_read", "candidate", candidate_id,
                         after={"fields": [n for n, sealed in after.ciphertexts().items() if sealed]})
        return candidate_view(await keyring_for(uow, after.ciphertexts().values()), after, clear)


async def notification_recipient_in(uow: UnitOfWork, candidate_id: UUID) -> Recipient | None:
    """Where the candidate's messages go now, the address opened from its sealed column; None if the candidate is
    gone. The delivery worker holds the address only while it sends."""
    row = await queries.candidate(uow, candidate_id)
    if row is None:
        return None
    channel = _channel_of(row)
    field = ADDRESS_FIELD.get(channel)
    sealed = row.ciphertexts().get(field) if field else None
    address = (await keyring_for(uow, [sealed])).open(sealed, "candidates", field, row.id) if sealed and field else None
    return Recipient(channel=channel, address=address, timezone=row.timezone)


def _channel_of(row: queries.CandidateRow) -> NotificationChannel:
    return chosen_channel(row.notification_channel, row.email_ciphertext is not None)
